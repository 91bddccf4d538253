//! Descope API group `roleManagement`: create, update (rename), delete, load all and search,
//! one at a time or in batches. A role is named by `name` (and `tenantId` for a tenant role)
//! or, as Go's `*WithID` calls do, by `id`.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use crate::domain::identity::roles::{self, NewRole, RoleFilter, RoleRef, RoleUpdate};
use crate::dto::common::Empty;
use crate::dto::role::{Role, RolesEnvelope};
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, MgmtAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        GET "/v1/mgmt/role/all" => load_all,
        POST "/v1/mgmt/role/create" => create,
        POST "/v1/mgmt/role/create/batch" => create_batch,
        POST "/v1/mgmt/role/delete" => delete,
        POST "/v1/mgmt/role/delete/batch" => delete_batch,
        POST "/v1/mgmt/role/search" => search,
        POST "/v1/mgmt/role/update" => update,
        POST "/v1/mgmt/role/update/batch" => update_batch,
    }
}

/// POST /v1/mgmt/role/create
/// Creates a role; its permissions (and tenant) must exist.
async fn create(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(new): DescopeJson<NewRole>,
) -> ApiResult<Json<Role>> {
    let role = roles::create_role(&s.db, &ctx, new).await?;
    Ok(Json((&role).into()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CreateBatchBody {
    roles: Vec<NewRole>,
}

/// POST /v1/mgmt/role/create/batch
/// Creates several roles, all or none.
async fn create_batch(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<CreateBatchBody>,
) -> ApiResult<Json<RolesEnvelope>> {
    let created = roles::create_roles(&s.db, &ctx, b.roles).await?;
    Ok(Json(RolesEnvelope::of(&created)))
}

/// POST /v1/mgmt/role/update
/// Replaces a role's fields; a new name renames the users' grants of it.
async fn update(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(u): DescopeJson<RoleUpdate>,
) -> ApiResult<Json<Role>> {
    let role = roles::update_role(&s.db, &ctx, u).await?;
    Ok(Json((&role).into()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UpdateBatchBody {
    roles: Vec<RoleUpdate>,
}

/// POST /v1/mgmt/role/update/batch
/// Updates several roles, all or none.
async fn update_batch(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<UpdateBatchBody>,
) -> ApiResult<Json<RolesEnvelope>> {
    let updated =
        roles::update_roles(&s.db, &ctx, b.roles).await?;
    Ok(Json(RolesEnvelope::of(&updated)))
}

/// POST /v1/mgmt/role/delete
/// Deletes a role and every grant of it.
async fn delete(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(r): DescopeJson<RoleRef>,
) -> ApiResult<Json<Empty>> {
    roles::delete_roles(&s.db, &ctx, vec![r]).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct DeleteBatchBody {
    role_names: Vec<String>,
    role_ids: Vec<String>,
    tenant_id: String,
}

/// POST /v1/mgmt/role/delete/batch
/// Deletes several roles (by names in one tenant, and/or by IDs), all or none.
async fn delete_batch(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<DeleteBatchBody>,
) -> ApiResult<Json<Empty>> {
    let refs = b
        .role_names
        .into_iter()
        .map(|name| RoleRef { id: String::new(), name, tenant_id: b.tenant_id.clone() })
        .chain(b.role_ids.into_iter().map(|id| RoleRef { id, name: String::new(), tenant_id: String::new() }))
        .collect();
    roles::delete_roles(&s.db, &ctx, refs).await?;
    Ok(Json(Empty {}))
}

/// GET /v1/mgmt/role/all
/// Every role, project and tenant ones.
async fn load_all(State(s): State<AppState>, MgmtAuth(ctx): MgmtAuth) -> ApiResult<Json<RolesEnvelope>> {
    Ok(Json(RolesEnvelope::of(&roles::list_roles(&s.db, &ctx).await?)))
}

/// POST /v1/mgmt/role/search
/// The roles matching every given filter.
async fn search(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(filter): DescopeJson<RoleFilter>,
) -> ApiResult<Json<RolesEnvelope>> {
    Ok(Json(RolesEnvelope::of(&roles::search_roles(&s.db, &ctx, &filter).await?)))
}
