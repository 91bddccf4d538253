//! Descope API groups `descopers`.
//!
//! The console users of a company, kept per project: create (several at once), load,
//! update (each part given replaces the stored one), delete and list. The list takes `{}`
//! or no body (Node sends none).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::domain::identity::descopers::{self, Attributes, Descoper, NewDescoper, Rbac};
use crate::dto::common::Empty;
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, DescopeQuery, MgmtAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        DELETE "/v1/mgmt/descoper" => delete,
        GET "/v1/mgmt/descoper" => load,
        PATCH "/v1/mgmt/descoper" => update,
        PUT "/v1/mgmt/descoper" => create,
        POST "/v1/mgmt/descoper/list" => list,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct DescoperCreateBody {
    login_id: String,
    attributes: Option<Attributes>,
    send_invite: bool,
    rbac: Option<Rbac>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CreateRequest {
    descopers: Vec<DescoperCreateBody>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UpdateRequest {
    id: String,
    attributes: Option<Attributes>,
    rbac: Option<Rbac>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IdQuery {
    id: String,
}

/// A descoper as the API shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DescoperDto {
    id: String,
    login_ids: Vec<String>,
    attributes: Attributes,
    rbac: Rbac,
    status: String,
}

impl From<Descoper> for DescoperDto {
    fn from(d: Descoper) -> Self {
        DescoperDto { id: d.id, login_ids: vec![d.login_id], attributes: d.attributes, rbac: d.rbac, status: d.status }
    }
}

#[derive(Debug, Serialize)]
struct DescoperEnvelope {
    descoper: DescoperDto,
}

#[derive(Debug, Serialize)]
struct DescopersEnvelope {
    descopers: Vec<DescoperDto>,
    total: usize,
}

impl DescopersEnvelope {
    fn of(list: Vec<Descoper>) -> Self {
        DescopersEnvelope { total: list.len(), descopers: list.into_iter().map(Into::into).collect() }
    }
}

/// PUT /v1/mgmt/descoper
/// Creates descopers (all or none) → `{descopers, total}`.
async fn create(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<CreateRequest>,
) -> ApiResult<Json<DescopersEnvelope>> {
    let items: Vec<NewDescoper> = b
        .descopers
        .into_iter()
        .map(|d| NewDescoper {
            login_id: d.login_id,
            attributes: d.attributes.unwrap_or_default(),
            send_invite: d.send_invite,
            rbac: d.rbac.unwrap_or_default(),
        })
        .collect();
    Ok(Json(DescopersEnvelope::of(descopers::create(&s.db, &ctx, &items).await?)))
}

/// GET /v1/mgmt/descoper?id=
async fn load(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<IdQuery>,
) -> ApiResult<Json<DescoperEnvelope>> {
    Ok(Json(DescoperEnvelope { descoper: descopers::load(&s.db, &ctx, &q.id).await?.into() }))
}

/// PATCH /v1/mgmt/descoper
async fn update(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<UpdateRequest>,
) -> ApiResult<Json<DescoperEnvelope>> {
    let d = descopers::update(&s.db, &ctx, &b.id, b.attributes, b.rbac).await?;
    Ok(Json(DescoperEnvelope { descoper: d.into() }))
}

/// DELETE /v1/mgmt/descoper?id=
async fn delete(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<IdQuery>,
) -> ApiResult<Json<Empty>> {
    descopers::delete(&s.db, &ctx, &q.id).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/descoper/list
async fn list(State(s): State<AppState>, MgmtAuth(ctx): MgmtAuth) -> ApiResult<Json<DescopersEnvelope>> {
    Ok(Json(DescopersEnvelope::of(descopers::list(&s.db, &ctx).await?)))
}
