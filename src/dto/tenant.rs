//! The Descope tenant object, the tenant list envelope and the tenant session settings.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::clock::UnixTime;
use crate::domain::identity::tenants::{SessionSettings, Tenant as DomainTenant, TenantPolicy};

/// A tenant, flat (`GET /v1/mgmt/tenant` returns it unwrapped: SDK_CONTRACT.md 9.1).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    pub id: String,
    pub name: String,
    pub self_provisioning_domains: Vec<String>,
    pub custom_attributes: Map<String, Value>,
    pub auth_type: String,
    pub domains: Vec<String>,
    /// Unix seconds.
    pub created_time: i64,
    #[serde(flatten)]
    pub policy: TenantPolicy,
}

impl From<&DomainTenant> for Tenant {
    fn from(t: &DomainTenant) -> Self {
        let x = &t.extras;
        Tenant {
            id: t.id.clone(),
            name: t.name.clone(),
            self_provisioning_domains: t.self_provisioning_domains.clone(),
            custom_attributes: t.custom_attributes.clone(),
            auth_type: x.auth_type.clone(),
            domains: x.domains.clone(),
            created_time: UnixTime(t.created_ms).secs(),
            policy: x.policy.clone(),
        }
    }
}

/// `{"tenants": [...]}` (load all, search).
#[derive(Debug, Clone, Serialize)]
pub struct TenantsEnvelope {
    pub tenants: Vec<Tenant>,
}

impl TenantsEnvelope {
    pub fn of(tenants: &[DomainTenant]) -> Self {
        TenantsEnvelope { tenants: tenants.iter().map(Tenant::from).collect() }
    }
}

/// `{"id"}` (create).
#[derive(Debug, Clone, Serialize)]
pub struct TenantId {
    pub id: String,
}

/// `GET /v1/mgmt/tenant/settings`: the tenant's domains and session settings (Go reads
/// `enabled` into `SessionSettingsEnabled`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantSettings {
    pub tenant_id: String,
    pub domains: Vec<String>,
    pub self_provisioning_domains: Vec<String>,
    pub auth_type: String,
    #[serde(rename = "enforceSSO")]
    pub enforce_sso: bool,
    #[serde(rename = "enforceSSOExclusions")]
    pub enforce_sso_exclusions: Vec<String>,
    pub federated_app_ids: Vec<String>,
    /// `enabled`, the token expirations, inactivity, `JITDisabled`, ... as stored.
    #[serde(flatten)]
    pub session: SessionSettings,
}

impl From<&DomainTenant> for TenantSettings {
    fn from(t: &DomainTenant) -> Self {
        let x = &t.extras;
        TenantSettings {
            tenant_id: t.id.clone(),
            domains: x.domains.clone(),
            self_provisioning_domains: t.self_provisioning_domains.clone(),
            auth_type: x.auth_type.clone(),
            enforce_sso: x.policy.enforce_sso,
            enforce_sso_exclusions: x.policy.enforce_sso_exclusions.clone(),
            federated_app_ids: x.policy.federated_app_ids.clone(),
            session: x.session.clone(),
        }
    }
}
