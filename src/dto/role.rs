//! The Descope role and permission objects and their list envelopes.

use serde::Serialize;

use crate::clock::UnixTime;
use crate::domain::identity::roles::{self, Permission as DomainPermission, Role as DomainRole};

/// A role (`GET /v1/mgmt/role/all`, search, create and update).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Role {
    pub id: String,
    pub name: String,
    pub description: String,
    pub permission_names: Vec<String>,
    /// Unix seconds.
    pub created_time: i64,
    pub tenant_id: String,
    pub default: bool,
    pub private: bool,
}

impl From<&DomainRole> for Role {
    fn from(r: &DomainRole) -> Self {
        Role {
            id: r.id.clone(),
            name: r.name.clone(),
            description: r.description.clone(),
            permission_names: r.permission_names.clone(),
            created_time: UnixTime(r.created_ms).secs(),
            tenant_id: r.tenant_id.clone(),
            default: r.default,
            private: r.private,
        }
    }
}

/// `{"roles": [...]}`.
#[derive(Debug, Clone, Serialize)]
pub struct RolesEnvelope {
    pub roles: Vec<Role>,
}

impl RolesEnvelope {
    pub fn of(roles: &[DomainRole]) -> Self {
        RolesEnvelope { roles: roles.iter().map(Role::from).collect() }
    }
}

/// A permission; `systemDefault` marks Descope's built-in ones (`Impersonate`, `User Admin`,
/// `SSO Admin`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Permission {
    pub id: String,
    pub name: String,
    pub description: String,
    pub system_default: bool,
}

/// `{"permissions": [...]}`.
#[derive(Debug, Clone, Serialize)]
pub struct PermissionsEnvelope {
    pub permissions: Vec<Permission>,
}

impl PermissionsEnvelope {
    pub fn of(perms: &[DomainPermission]) -> Self {
        PermissionsEnvelope {
            permissions: perms
                .iter()
                .map(|p| Permission {
                    id: p.id.clone(),
                    name: p.name.clone(),
                    description: p.description.clone(),
                    system_default: roles::is_system_permission(&p.name),
                })
                .collect(),
        }
    }
}
