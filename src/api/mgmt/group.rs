//! Descope API group `groupManagement`: the external (SSO/SCIM) groups of a tenant.
//!
//! Descope groups come from a tenant's IdP: SCIM provisioning or the groups of SSO (SAML/OIDC)
//! assertions at JIT login. The emulator has no SSO or SCIM groups yet, so every tenant is a
//! tenant without groups and the three calls answer what Descope answers for one: an empty
//! bare array (go-sdk `unmarshalGroupsResponse` and node-sdk `Group[]` decode a top-level
//! array). An unknown tenant is the not-found error.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;

use crate::domain::identity::tenants;
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, MgmtAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/mgmt/group/all" => load_groups,
        POST "/v1/mgmt/group/member/all" => load_groups,
        POST "/v1/mgmt/group/members" => load_groups,
    }
}

/// `{tenantId, ssoId?, userIds?, loginIds?, groupId?}`: only the tenant matters while there
/// are no groups.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GroupsBody {
    tenant_id: String,
}

/// POST /v1/mgmt/group/all, /group/member/all, /group/members
/// The tenant's groups (all, of some members, or one group with its members): none.
async fn load_groups(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<GroupsBody>,
) -> ApiResult<Json<Vec<Value>>> {
    tenants::ensure_exists(&s.db, &ctx, &b.tenant_id).await?;
    Ok(Json(Vec::new()))
}
