//! Descope API group `groupManagement`: the external groups of a tenant.
//!
//! Descope groups come from a tenant's IdP: SCIM provisioning or the groups of SSO (SAML/OIDC)
//! assertions at JIT login. The emulator answers the tenant's SCIM groups (`source: "scim"`)
//! and the groups its SSO users' identity providers asserted at their last sign-in
//! (`source: "jit"`), with their members, as a bare array
//! (go-sdk `unmarshalGroupsResponse` and node-sdk `Group[]` decode a top-level array). An
//! unknown tenant is the not-found error.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use crate::domain::federation::sso_login::{self, Group};
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, MgmtAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/mgmt/group/all" => load_groups,
        POST "/v1/mgmt/group/member/all" => load_member_groups,
        POST "/v1/mgmt/group/members" => load_group_members,
    }
}

/// `{tenantId, ssoId?, userIds?, loginIds?, groupId?}`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GroupsBody {
    tenant_id: String,
    sso_id: Option<String>,
    user_ids: Vec<String>,
    login_ids: Vec<String>,
    group_id: String,
}

async fn groups_of(s: &AppState, ctx: &crate::domain::Ctx, b: &GroupsBody) -> ApiResult<Vec<Group>> {
    sso_login::groups(&s.db, ctx, &b.tenant_id, b.sso_id.as_deref().filter(|x| !x.is_empty())).await
}

/// POST /v1/mgmt/group/all
/// Every group of the tenant.
async fn load_groups(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<GroupsBody>,
) -> ApiResult<Json<Vec<Group>>> {
    Ok(Json(groups_of(&s, &ctx, &b).await?))
}

/// POST /v1/mgmt/group/member/all
/// The groups any of the given users (by user ID or login ID) are in.
async fn load_member_groups(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<GroupsBody>,
) -> ApiResult<Json<Vec<Group>>> {
    let groups = groups_of(&s, &ctx, &b).await?;
    Ok(Json(
        groups
            .into_iter()
            .filter(|g| {
                g.members.iter().any(|m| b.user_ids.contains(&m.user_id) || b.login_ids.contains(&m.login_id))
            })
            .collect(),
    ))
}

/// POST /v1/mgmt/group/members
/// One group with its members (`[]` when the tenant has no such group).
async fn load_group_members(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<GroupsBody>,
) -> ApiResult<Json<Vec<Group>>> {
    let groups = groups_of(&s, &ctx, &b).await?;
    Ok(Json(groups.into_iter().filter(|g| g.id == b.group_id).collect()))
}
