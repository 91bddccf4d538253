//! Descope API group `accessKeyManagement`: create, load, search, update, activate,
//! deactivate, delete (single and batch), rotate (an SDK path the OpenAPI lacks) and import.
//!
//! `expireTime` is accepted as a number or a numeric string (SDK_CONTRACT.md 9.5). Update
//! answers `{"key"}` (Go decodes it); activate, deactivate and delete answer `{}`.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::domain::identity::accesskeys::{self, AccessKeyPatch, NewAccessKey, Search};
use crate::dto::accesskey::{lenient_i64, AccessKeyEnvelope, AccessKeysEnvelope};
use crate::dto::common::Empty;
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, DescopeQuery, MgmtAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        GET "/v1/mgmt/accesskey" => load,
        POST "/v1/mgmt/accesskey/activate" => activate,
        POST "/v1/mgmt/accesskey/activate/batch" => activate_batch,
        POST "/v1/mgmt/accesskey/create" => create,
        POST "/v1/mgmt/accesskey/deactivate" => deactivate,
        POST "/v1/mgmt/accesskey/deactivate/batch" => deactivate_batch,
        POST "/v1/mgmt/accesskey/delete" => delete,
        POST "/v1/mgmt/accesskey/delete/batch" => delete_batch,
        POST "/v1/mgmt/accesskey/import" => import,
        POST "/v1/mgmt/accesskey/rotate" => rotate,
        POST "/v1/mgmt/accesskey/search" => search,
        POST "/v1/mgmt/accesskey/update" => update,
    }
}

/// `{tenantId, roleNames}`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct KeyTenantBody {
    tenant_id: String,
    role_names: Vec<String>,
}

fn tenant_pairs(t: Vec<KeyTenantBody>) -> Vec<(String, Vec<String>)> {
    t.into_iter().map(|t| (t.tenant_id, t.role_names)).collect()
}

/// The body of create, and one key of import (which adds `cleartext`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct CreateBody {
    name: String,
    #[serde(deserialize_with = "lenient_i64")]
    expire_time: i64,
    role_names: Vec<String>,
    key_tenants: Vec<KeyTenantBody>,
    user_id: String,
    custom_claims: Map<String, Value>,
    description: String,
    permitted_ips: Vec<String>,
    custom_attributes: Map<String, Value>,
    cleartext: String,
}

impl From<CreateBody> for NewAccessKey {
    fn from(b: CreateBody) -> Self {
        NewAccessKey {
            name: b.name,
            expire_time: b.expire_time,
            role_names: b.role_names,
            key_tenants: tenant_pairs(b.key_tenants),
            user_id: b.user_id,
            custom_claims: b.custom_claims,
            description: b.description,
            permitted_ips: b.permitted_ips,
            custom_attributes: b.custom_attributes,
            cleartext: Some(b.cleartext).filter(|c| !c.is_empty()),
        }
    }
}

/// POST /v1/mgmt/accesskey/create
/// Creates a key; the answer carries its cleartext, shown only here.
async fn create(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<CreateBody>,
) -> ApiResult<Json<AccessKeyEnvelope>> {
    let mut new = NewAccessKey::from(body);
    new.cleartext = None;
    let (key, cleartext) = accesskeys::create(&s.db, &ctx, new).await?;
    Ok(Json(AccessKeyEnvelope::with_cleartext(&key, cleartext)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ImportBody {
    keys: Vec<CreateBody>,
}

/// POST /v1/mgmt/accesskey/import
/// Imports keys with their existing cleartexts.
async fn import(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<ImportBody>,
) -> ApiResult<Json<AccessKeysEnvelope>> {
    let keys = accesskeys::import(&s.db, &ctx, body.keys.into_iter().map(Into::into).collect()).await?;
    Ok(Json(keys.as_slice().into()))
}

/// `{id}` as a query (load) or a body.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IdBody {
    id: String,
}

/// `{ids}` of the batch calls.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IdsBody {
    ids: Vec<String>,
}

/// GET /v1/mgmt/accesskey
/// Loads a key by `id`.
async fn load(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<IdBody>,
) -> ApiResult<Json<AccessKeyEnvelope>> {
    let key = accesskeys::load(&s.db, &ctx, &q.id).await?;
    Ok(Json(AccessKeyEnvelope::new(&key)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct SearchBody {
    tenant_ids: Vec<String>,
    bound_user_id: String,
    creating_user: String,
    custom_attributes: Map<String, Value>,
    text: String,
}

/// POST /v1/mgmt/accesskey/search
/// Keys matching every given filter.
async fn search(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<SearchBody>,
) -> ApiResult<Json<AccessKeysEnvelope>> {
    let q = Search {
        tenant_ids: b.tenant_ids,
        bound_user_id: b.bound_user_id,
        creating_user: b.creating_user,
        custom_attributes: b.custom_attributes,
        text: b.text,
    };
    let keys = accesskeys::search(&s.db, &ctx, &q).await?;
    Ok(Json(keys.as_slice().into()))
}

/// Update: absent or null fields keep their value (`description: null` keeps it).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct UpdateBody {
    id: String,
    name: String,
    description: Option<String>,
    role_names: Option<Vec<String>>,
    key_tenants: Option<Vec<KeyTenantBody>>,
    custom_claims: Option<Map<String, Value>>,
    permitted_ips: Option<Vec<String>>,
    custom_attributes: Option<Map<String, Value>>,
}

/// POST /v1/mgmt/accesskey/update
/// Renames a key and replaces the other given fields.
async fn update(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<UpdateBody>,
) -> ApiResult<Json<AccessKeyEnvelope>> {
    let patch = AccessKeyPatch {
        name: b.name,
        description: b.description,
        role_names: b.role_names,
        key_tenants: b.key_tenants.map(tenant_pairs),
        custom_claims: b.custom_claims,
        permitted_ips: b.permitted_ips,
        custom_attributes: b.custom_attributes,
    };
    let key = accesskeys::update(&s.db, &ctx, &b.id, patch).await?;
    Ok(Json(AccessKeyEnvelope::new(&key)))
}

/// POST /v1/mgmt/accesskey/activate
/// Activates a key.
async fn activate(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<IdBody>,
) -> ApiResult<Json<Empty>> {
    accesskeys::set_active(&s.db, &ctx, &[b.id], true).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/accesskey/activate/batch
/// Activates keys.
async fn activate_batch(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<IdsBody>,
) -> ApiResult<Json<Empty>> {
    accesskeys::set_active(&s.db, &ctx, &b.ids, true).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/accesskey/deactivate
/// Deactivates a key: it stays, but cannot be exchanged.
async fn deactivate(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<IdBody>,
) -> ApiResult<Json<Empty>> {
    accesskeys::set_active(&s.db, &ctx, &[b.id], false).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/accesskey/deactivate/batch
/// Deactivates keys.
async fn deactivate_batch(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<IdsBody>,
) -> ApiResult<Json<Empty>> {
    accesskeys::set_active(&s.db, &ctx, &b.ids, false).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/accesskey/delete
/// Deletes a key.
async fn delete(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<IdBody>,
) -> ApiResult<Json<Empty>> {
    accesskeys::delete(&s.db, &ctx, &[b.id]).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/accesskey/delete/batch
/// Deletes keys.
async fn delete_batch(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<IdsBody>,
) -> ApiResult<Json<Empty>> {
    accesskeys::delete(&s.db, &ctx, &b.ids).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/accesskey/rotate
/// Gives a key a new cleartext; the old one stops working.
async fn rotate(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<IdBody>,
) -> ApiResult<Json<AccessKeyEnvelope>> {
    let (key, cleartext) = accesskeys::rotate(&s.db, &ctx, &b.id).await?;
    Ok(Json(AccessKeyEnvelope::with_cleartext(&key, cleartext)))
}
