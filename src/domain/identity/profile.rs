//! The user profile fields as the API names them, declared once (STYLE.md D6) and flattened
//! into the bodies that carry them.

use serde::{Deserialize, Serialize};

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
