//! The Descope user object (`ResponseUser`), emitted with every field at its empty default.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::domain::users::User as DomainUser;
use crate::store;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserTenant {
    pub tenant_id: String,
    pub tenant_name: String,
    pub role_names: Vec<String>,
    pub permissions: Vec<String>,
}

/// `ResponseUser`, spelled as core-js does (`TOTP`, `SAML`, `SCIM`, `OAuth`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub user_id: String,
    pub login_ids: Vec<String>,
    pub external_ids: Vec<String>,
    pub name: String,
    pub given_name: String,
    pub middle_name: String,
    pub family_name: String,
    pub email: String,
    pub verified_email: bool,
    pub phone: String,
    pub verified_phone: bool,
    pub role_names: Vec<String>,
    pub user_tenants: Vec<UserTenant>,
    pub status: String,
    pub picture: String,
    pub test: bool,
    pub custom_attributes: Map<String, Value>,
    pub created_time: i64,
    #[serde(rename = "TOTP")]
    pub totp: bool,
    #[serde(rename = "SAML")]
    pub saml: bool,
    #[serde(rename = "SCIM")]
    pub scim: bool,
    #[serde(rename = "OAuth")]
    pub oauth: Map<String, Value>,
    pub webauthn: bool,
    pub password: bool,
    pub sso_app_ids: Vec<String>,
    pub editable: bool,
    pub permissions: Vec<String>,
}

impl From<&DomainUser> for User {
    fn from(u: &DomainUser) -> Self {
        let r = &u.row;
        User {
            user_id: r.id.clone(),
            login_ids: u.login_ids.clone(),
            external_ids: u.login_ids.clone(),
            name: r.name.clone(),
            given_name: r.given_name.clone(),
            middle_name: r.middle_name.clone(),
            family_name: r.family_name.clone(),
            email: r.email.clone(),
            verified_email: r.verified_email,
            phone: r.phone.clone(),
            verified_phone: r.verified_phone,
            role_names: u.roles.clone(),
            user_tenants: u
                .tenants
                .iter()
                .map(|t| UserTenant {
                    tenant_id: t.tenant_id.clone(),
                    tenant_name: t.tenant_name.clone(),
                    role_names: t.roles.clone(),
                    permissions: Vec::new(),
                })
                .collect(),
            status: r.status.clone(),
            picture: r.picture.clone(),
            test: r.test,
            custom_attributes: store::from_json_text(&r.custom_attributes),
            created_time: r.created_ms / 1000,
            totp: r.totp_secret.is_some(),
            saml: r.saml,
            scim: r.scim,
            oauth: store::from_json_text(&r.oauth),
            webauthn: r.webauthn,
            password: r.password_hash.is_some(),
            sso_app_ids: store::from_json_text(&r.sso_app_ids),
            editable: true,
            permissions: Vec::new(),
        }
    }
}

/// `{"user": ...}`
#[derive(Debug, Clone, Serialize)]
pub struct UserEnvelope {
    pub user: User,
}

impl From<&DomainUser> for UserEnvelope {
    fn from(u: &DomainUser) -> Self {
        UserEnvelope { user: u.into() }
    }
}
