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
use crate::dto::common::{null_as_default, Empty};
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, DescopeQuery, MgmtAuth, Validate};
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
#[serde(rename_all = "camelCase")]
struct KeyTenantBody {
    #[serde(default, deserialize_with = "null_as_default")]
    tenant_id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    role_names: Vec<String>,
}

fn tenant_pairs(t: Vec<KeyTenantBody>) -> Vec<(String, Vec<String>)> {
    t.into_iter().map(|t| (t.tenant_id, t.role_names)).collect()
}

/// The body of create, and one key of import (which adds `cleartext`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateBody {
    #[serde(default, deserialize_with = "null_as_default")]
    name: String,
    #[serde(default, deserialize_with = "lenient_i64")]
    expire_time: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    role_names: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    key_tenants: Vec<KeyTenantBody>,
    #[serde(default, deserialize_with = "null_as_default")]
    user_id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    custom_claims: Map<String, Value>,
    #[serde(default, deserialize_with = "null_as_default")]
    description: String,
    #[serde(default, deserialize_with = "null_as_default")]
    permitted_ips: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    custom_attributes: Map<String, Value>,
    #[serde(default, deserialize_with = "null_as_default")]
    cleartext: String,
}

impl Validate for CreateBody {}

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
struct ImportBody {
    #[serde(default, deserialize_with = "null_as_default")]
    keys: Vec<CreateBody>,
}

impl Validate for ImportBody {}

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
struct IdBody {
    #[serde(default, deserialize_with = "null_as_default")]
    id: String,
}

impl Validate for IdBody {}

/// `{ids}` of the batch calls.
#[derive(Debug, Default, Deserialize)]
struct IdsBody {
    #[serde(default, deserialize_with = "null_as_default")]
    ids: Vec<String>,
}

impl Validate for IdsBody {}

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
#[serde(rename_all = "camelCase")]
struct SearchBody {
    #[serde(default, deserialize_with = "null_as_default")]
    tenant_ids: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    bound_user_id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    creating_user: String,
    #[serde(default, deserialize_with = "null_as_default")]
    custom_attributes: Map<String, Value>,
    #[serde(default, deserialize_with = "null_as_default")]
    text: String,
}

impl Validate for SearchBody {}

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
#[serde(rename_all = "camelCase")]
struct UpdateBody {
    #[serde(default, deserialize_with = "null_as_default")]
    id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    role_names: Option<Vec<String>>,
    #[serde(default)]
    key_tenants: Option<Vec<KeyTenantBody>>,
    #[serde(default)]
    custom_claims: Option<Map<String, Value>>,
    #[serde(default)]
    permitted_ips: Option<Vec<String>>,
    #[serde(default)]
    custom_attributes: Option<Map<String, Value>>,
}

impl Validate for UpdateBody {}

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
