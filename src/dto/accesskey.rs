//! Access keys and management keys on the wire (SDK_CONTRACT.md "Management: ... access
//! keys"): times in Unix seconds, lists and maps empty rather than null.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::domain::identity::accesskeys;
pub use crate::json::lenient_i64;

/// `AssociatedTenantAK`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyTenant {
    pub tenant_id: String,
    pub role_names: Vec<String>,
    pub tenant_name: String,
}

/// `AccessKey`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessKey {
    pub id: String,
    pub name: String,
    pub role_names: Vec<String>,
    pub key_tenants: Vec<KeyTenant>,
    pub status: String,
    pub created_time: i64,
    pub expire_time: i64,
    pub created_by: String,
    pub client_id: String,
    pub bound_user_id: String,
    pub custom_claims: Map<String, Value>,
    pub editable: bool,
    pub description: String,
    pub permitted_ips: Vec<String>,
    pub custom_attributes: Map<String, Value>,
}

impl From<&accesskeys::AccessKey> for AccessKey {
    fn from(k: &accesskeys::AccessKey) -> Self {
        AccessKey {
            id: k.id.clone(),
            name: k.name.clone(),
            role_names: k.role_names.clone(),
            key_tenants: k
                .key_tenants
                .iter()
                .map(|t| KeyTenant {
                    tenant_id: t.tenant_id.clone(),
                    role_names: t.role_names.clone(),
                    tenant_name: t.tenant_name.clone(),
                })
                .collect(),
            status: k.status.clone(),
            created_time: k.created_secs,
            expire_time: k.expire_secs,
            created_by: k.created_by.clone(),
            client_id: k.client_id.clone(),
            bound_user_id: k.bound_user_id.clone(),
            custom_claims: k.custom_claims.clone(),
            editable: true,
            description: k.description.clone(),
            permitted_ips: k.permitted_ips.clone(),
            custom_attributes: k.custom_attributes.clone(),
        }
    }
}

/// `{"key": AccessKey}` (load, update) and `{"key", "cleartext"}` (create, rotate).
#[derive(Debug, Clone, Serialize)]
pub struct AccessKeyEnvelope {
    pub key: AccessKey,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cleartext: Option<String>,
}

impl AccessKeyEnvelope {
    pub fn new(key: &accesskeys::AccessKey) -> Self {
        AccessKeyEnvelope { key: key.into(), cleartext: None }
    }

    pub fn with_cleartext(key: &accesskeys::AccessKey, cleartext: String) -> Self {
        AccessKeyEnvelope { key: key.into(), cleartext: Some(cleartext) }
    }
}

/// `{"keys": [AccessKey]}` (search, import).
#[derive(Debug, Clone, Serialize)]
pub struct AccessKeysEnvelope {
    pub keys: Vec<AccessKey>,
}

impl From<&[accesskeys::AccessKey]> for AccessKeysEnvelope {
    fn from(keys: &[accesskeys::AccessKey]) -> Self {
        AccessKeysEnvelope { keys: keys.iter().map(AccessKey::from).collect() }
    }
}

/// `{"keyId", "sessionJwt", "expiration"}` of `POST /v1/auth/accesskey/exchange`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExchangeAccessKeyResponse {
    pub key_id: String,
    pub session_jwt: String,
    pub expiration: i64,
}

impl From<accesskeys::Exchanged> for ExchangeAccessKeyResponse {
    fn from(e: accesskeys::Exchanged) -> Self {
        ExchangeAccessKeyResponse { key_id: e.key_id, session_jwt: e.session_jwt, expiration: e.expiration }
    }
}

/// `ManagementKey`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagementKey {
    pub id: String,
    pub name: String,
    pub description: String,
    pub status: String,
    pub created_time: i64,
    pub expire_time: i64,
    pub permitted_ips: Vec<String>,
    pub re_bac: Map<String, Value>,
    pub version: i64,
    pub authz_version: i64,
}

impl From<&accesskeys::ManagementKeyInfo> for ManagementKey {
    fn from(k: &accesskeys::ManagementKeyInfo) -> Self {
        ManagementKey {
            id: k.id.clone(),
            name: k.name.clone(),
            description: k.description.clone(),
            status: k.status.clone(),
            created_time: k.created_secs,
            expire_time: k.expire_secs,
            permitted_ips: k.permitted_ips.clone(),
            re_bac: Map::new(),
            version: 1,
            authz_version: 1,
        }
    }
}

/// `{"key": ManagementKey}` and, at create, `{"key", "cleartext"}`.
#[derive(Debug, Clone, Serialize)]
pub struct ManagementKeyEnvelope {
    pub key: ManagementKey,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cleartext: Option<String>,
}

/// `{"keys": [ManagementKey]}`.
#[derive(Debug, Clone, Serialize)]
pub struct ManagementKeysEnvelope {
    pub keys: Vec<ManagementKey>,
}

/// `{"total": N}` of management-key delete.
#[derive(Debug, Clone, Serialize)]
pub struct DeletedTotal {
    pub total: i64,
}
