//! The user fields as the API names them, declared once (STYLE.md D6) and flattened into the
//! bodies and records that carry them: the profile (names, addresses) and the traits.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A user's names and addresses: `name`, `givenName`, `middleName`, `familyName`, `email`,
/// `phone`. Flattened (`#[serde(flatten)]`) where the wire shape is flat; each field is
/// empty when not given (`null` included, see [`crate::json`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserProfile {
    pub name: String,
    pub given_name: String,
    pub middle_name: String,
    pub family_name: String,
    pub email: String,
    pub phone: String,
}

/// What a user is besides names and addresses, as creating a user and a snapshot's user
/// carry it: `picture`, `verifiedEmail`, `verifiedPhone`, `status` (empty: `enabled`),
/// `test`, `customAttributes`, `ssoAppIds`. Flattened where the wire shape is flat.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserTraits {
    pub picture: String,
    pub verified_email: bool,
    pub verified_phone: bool,
    pub status: String,
    pub test: bool,
    pub custom_attributes: Map<String, Value>,
    pub sso_app_ids: Vec<String>,
}
