//! Descope API group `permissionManagement`: create, update (rename), delete and load all,
//! one at a time or in batches. A permission is named by `name` or, as Go's `*WithID` calls
//! do, by `id`. Renaming or deleting one rewrites the roles that hold it.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use crate::domain::identity::roles::{self, PermissionUpdate};
use crate::dto::common::Empty;
use crate::dto::role::PermissionsEnvelope;
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, MgmtAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        GET "/v1/mgmt/permission/all" => load_all,
        POST "/v1/mgmt/permission/create" => create,
        POST "/v1/mgmt/permission/create/batch" => create_batch,
        POST "/v1/mgmt/permission/delete" => delete,
        POST "/v1/mgmt/permission/delete/batch" => delete_batch,
        POST "/v1/mgmt/permission/update" => update,
        POST "/v1/mgmt/permission/update/batch" => update_batch,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CreateBody {
    name: String,
    description: String,
}

/// POST /v1/mgmt/permission/create
/// Creates a permission.
async fn create(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<CreateBody>,
) -> ApiResult<Json<Empty>> {
    roles::create_permissions(&s.db, &ctx, vec![(b.name, b.description)]).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CreateBatchBody {
    permissions: Vec<CreateBody>,
}

/// POST /v1/mgmt/permission/create/batch
/// Creates several permissions, all or none.
async fn create_batch(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<CreateBatchBody>,
) -> ApiResult<Json<Empty>> {
    roles::create_permissions(
        &s.db,
        &ctx,
        b.permissions.into_iter().map(|p| (p.name, p.description)).collect(),
    )
    .await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/permission/update
/// Renames and describes a permission; roles holding it follow the new name.
async fn update(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(u): DescopeJson<PermissionUpdate>,
) -> ApiResult<Json<Empty>> {
    roles::update_permissions(&s.db, &ctx, vec![u]).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UpdateBatchBody {
    permissions: Vec<PermissionUpdate>,
}

/// POST /v1/mgmt/permission/update/batch
/// Updates several permissions, all or none.
async fn update_batch(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<UpdateBatchBody>,
) -> ApiResult<Json<Empty>> {
    roles::update_permissions(&s.db, &ctx, b.permissions)
        .await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DeleteBody {
    id: String,
    name: String,
}

/// POST /v1/mgmt/permission/delete
/// Deletes a permission; roles holding it lose it.
async fn delete(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<DeleteBody>,
) -> ApiResult<Json<Empty>> {
    let (names, ids) = if b.id.is_empty() { (vec![b.name], vec![]) } else { (vec![], vec![b.id]) };
    roles::delete_permissions(&s.db, &ctx, names, ids).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DeleteBatchBody {
    names: Vec<String>,
    ids: Vec<String>,
}

/// POST /v1/mgmt/permission/delete/batch
/// Deletes several permissions (by names and/or IDs), all or none.
async fn delete_batch(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<DeleteBatchBody>,
) -> ApiResult<Json<Empty>> {
    roles::delete_permissions(&s.db, &ctx, b.names, b.ids).await?;
    Ok(Json(Empty {}))
}

/// GET /v1/mgmt/permission/all
/// Every permission of the project.
async fn load_all(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
) -> ApiResult<Json<PermissionsEnvelope>> {
    Ok(Json(PermissionsEnvelope::of(&roles::list_permissions(&s.db, &ctx).await?)))
}
