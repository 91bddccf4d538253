//! Descope API group `managementKeys`: create (PUT), update (PATCH), load, search and delete
//! the project's management keys. A created key authenticates management calls at once; a
//! deleted or deactivated one stops at once.
//!
//! Deviations: `reBac` is accepted and ignored (answered empty); `expireTime`/`expiresIn` are
//! stored and shown but not enforced by management authentication.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use crate::domain::identity::accesskeys::{self, ManagementKeyPatch};
use crate::dto::accesskey::{lenient_i64, DeletedTotal, ManagementKeyEnvelope, ManagementKeysEnvelope};
use crate::dto::common::check_duration;
use crate::dto::Validate;
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, DescopeQuery, MgmtAuth, ValidJson};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        GET "/v1/mgmt/managementkey" => load,
        PATCH "/v1/mgmt/managementkey" => update,
        PUT "/v1/mgmt/managementkey" => create,
        POST "/v1/mgmt/managementkey/delete" => delete,
        GET "/v1/mgmt/managementkey/search" => search,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct CreateBody {
    name: String,
    description: String,
    /// Seconds from now.
    #[serde(deserialize_with = "lenient_i64")]
    expires_in: i64,
    /// Unix seconds.
    #[serde(deserialize_with = "lenient_i64")]
    expire_time: i64,
    permitted_ips: Vec<String>,
}

impl Validate for CreateBody {
    fn validate(&self) -> ApiResult<()> {
        check_duration("expiresIn", self.expires_in)
    }
}

/// PUT /v1/mgmt/managementkey
/// Creates a management key; the answer carries its cleartext, shown only here.
async fn create(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    ValidJson(b): ValidJson<CreateBody>,
) -> ApiResult<Json<ManagementKeyEnvelope>> {
    let expire = if b.expire_time > 0 {
        b.expire_time
    } else if b.expires_in > 0 {
        ctx.now.secs() + b.expires_in
    } else {
        0
    };
    let (key, cleartext) = accesskeys::create_management_key(
        &s.db,
        &s.projects,
        &ctx,
        b.name,
        b.description,
        expire,
        b.permitted_ips,
    )
    .await?;
    Ok(Json(ManagementKeyEnvelope { key: (&key).into(), cleartext: Some(cleartext) }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct UpdateBody {
    id: String,
    name: Option<String>,
    description: Option<String>,
    permitted_ips: Option<Vec<String>>,
    status: Option<String>,
}

/// PATCH /v1/mgmt/managementkey
/// Changes the given fields of a management key (`status`: active or inactive).
async fn update(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<UpdateBody>,
) -> ApiResult<Json<ManagementKeyEnvelope>> {
    let patch = ManagementKeyPatch {
        name: b.name,
        description: b.description,
        permitted_ips: b.permitted_ips,
        status: b.status,
    };
    let key = accesskeys::update_management_key(&s.db, &s.projects, &ctx, &b.id, patch).await?;
    Ok(Json(ManagementKeyEnvelope { key: (&key).into(), cleartext: None }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IdQuery {
    id: String,
}

/// GET /v1/mgmt/managementkey
/// Loads a management key by `id`.
async fn load(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<IdQuery>,
) -> ApiResult<Json<ManagementKeyEnvelope>> {
    let key = accesskeys::load_management_key(&s.db, &ctx, &q.id).await?;
    Ok(Json(ManagementKeyEnvelope { key: (&key).into(), cleartext: None }))
}

/// GET /v1/mgmt/managementkey/search
/// Every management key of the project.
async fn search(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
) -> ApiResult<Json<ManagementKeysEnvelope>> {
    let keys = accesskeys::search_management_keys(&s.db, &ctx).await?;
    Ok(Json(ManagementKeysEnvelope { keys: keys.iter().map(Into::into).collect() }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DeleteBody {
    ids: Vec<String>,
}

/// POST /v1/mgmt/managementkey/delete
/// Deletes management keys, answering how many were deleted.
async fn delete(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<DeleteBody>,
) -> ApiResult<Json<DeletedTotal>> {
    let total = accesskeys::delete_management_keys(&s.db, &s.projects, &ctx, &b.ids).await?;
    Ok(Json(DeletedTotal { total }))
}
