//! Descope API groups `__NO_PUBLISH__`, `thirdPartyAppsManagement`: inbound (third-party)
//! apps and their consents ([`crate::domain::apps::inbound`]). Go SDK ≥ 1.28 calls the same
//! operations under `/v2/mgmt/thirdparty/…` (load all as `POST {page, limit}`) and adds
//! secret add/revoke; both are served.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::domain::apps::inbound::{self, ConsentFilter};
use crate::dto::common::Empty;
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, DescopeQuery, MgmtAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/mgmt/thirdparty/app/create" => create,
        POST "/v1/mgmt/thirdparty/app/delete" => delete,
        POST "/v1/mgmt/thirdparty/app/delete/batch" => delete_batch,
        GET "/v1/mgmt/thirdparty/app/load" => load,
        POST "/v1/mgmt/thirdparty/app/patch" => patch,
        GET "/v1/mgmt/thirdparty/app/rotate" => rotate_get,
        POST "/v1/mgmt/thirdparty/app/rotate" => rotate,
        GET "/v1/mgmt/thirdparty/app/secret" => secret,
        POST "/v1/mgmt/thirdparty/app/update" => update,
        GET "/v1/mgmt/thirdparty/apps/load" => load_all,
        POST "/v1/mgmt/thirdparty/consents/delete" => consents_delete,
        POST "/v1/mgmt/thirdparty/consents/delete/tenant" => consents_delete_tenant,
        POST "/v1/mgmt/thirdparty/consents/search" => consents_search,
        POST "/v2/mgmt/thirdparty/app/create" => create,
        POST "/v2/mgmt/thirdparty/app/update" => update,
        POST "/v2/mgmt/thirdparty/app/patch" => patch,
        POST "/v2/mgmt/thirdparty/app/delete" => delete,
        GET "/v2/mgmt/thirdparty/app/load" => load,
        POST "/v2/mgmt/thirdparty/apps/load" => load_all_v2,
        POST "/v1/mgmt/thirdparty/app/secret/add" => secret_add,
        POST "/v1/mgmt/thirdparty/app/secret/revoke" => secret_revoke,
        POST "/v2/mgmt/thirdparty/app/secret/add" => secret_add,
        POST "/v2/mgmt/thirdparty/app/secret/revoke" => secret_revoke,
    }
}

/// POST /v1/mgmt/thirdparty/app/create
/// Creates an inbound app: `{id, clientId, cleartext}` (no secret for a public client).
async fn create(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let c = inbound::create(&s.db, &ctx, body).await?;
    Ok(Json(json!({ "id": c.id, "clientId": c.client_id, "cleartext": c.cleartext })))
}

/// POST /v1/mgmt/thirdparty/app/update
/// Replaces every field of an app.
async fn update(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<Map<String, Value>>,
) -> ApiResult<Json<Empty>> {
    inbound::update(&s.db, &ctx, body, false).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/thirdparty/app/patch
/// Changes the given fields (zero values count as not given).
async fn patch(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<Map<String, Value>>,
) -> ApiResult<Json<Empty>> {
    inbound::update(&s.db, &ctx, body, true).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct IdBody {
    id: String,
    client_id: String,
    secret_name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IdsBody {
    ids: Vec<String>,
}

/// POST /v1/mgmt/thirdparty/app/delete
/// Deletes an app, its secrets and consents.
async fn delete(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<IdBody>,
) -> ApiResult<Json<Empty>> {
    inbound::delete(&s.db, &ctx, &[b.id]).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/thirdparty/app/delete/batch
/// Deletes several apps.
async fn delete_batch(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<IdsBody>,
) -> ApiResult<Json<Empty>> {
    inbound::delete(&s.db, &ctx, &b.ids).await?;
    Ok(Json(Empty {}))
}

/// GET /v1/mgmt/thirdparty/app/load
/// One app (`?id=` or `?clientId=`), flat, with an `app` copy.
async fn load(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<IdBody>,
) -> ApiResult<Json<Map<String, Value>>> {
    Ok(Json(inbound::load(&s.db, &ctx, &q.id, &q.client_id).await?))
}

/// GET /v1/mgmt/thirdparty/apps/load
/// Every inbound app: `{apps, total}`.
async fn load_all(State(s): State<AppState>, MgmtAuth(ctx): MgmtAuth) -> ApiResult<Json<Value>> {
    let (apps, total) = inbound::load_all(&s.db, &ctx, 0, 0).await?;
    Ok(Json(json!({ "apps": apps, "total": total })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PageBody {
    page: i64,
    limit: i64,
}

/// POST /v2/mgmt/thirdparty/apps/load
/// A page of the inbound apps (Go SDK): `{apps, total}`.
async fn load_all_v2(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<PageBody>,
) -> ApiResult<Json<Value>> {
    if b.page < 0 || b.limit < 0 {
        return Err(crate::error::ApiError::invalid("page and limit must not be negative"));
    }
    let (apps, total) = inbound::load_all(&s.db, &ctx, b.page, b.limit).await?;
    Ok(Json(json!({ "apps": apps, "total": total })))
}

/// GET /v1/mgmt/thirdparty/app/secret
/// The cleartext of an app's secret (`?id=[&secretName=]`): `{cleartext}`.
async fn secret(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<IdBody>,
) -> ApiResult<Json<Value>> {
    let cleartext = inbound::secret(&s.db, &ctx, &q.id, &q.secret_name).await?;
    Ok(Json(json!({ "cleartext": cleartext })))
}

/// POST /v1/mgmt/thirdparty/app/rotate
/// A new secret replaces the app's secrets: `{cleartext}`.
async fn rotate(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<IdBody>,
) -> ApiResult<Json<Value>> {
    let cleartext = inbound::rotate(&s.db, &ctx, &b.id).await?;
    Ok(Json(json!({ "cleartext": cleartext })))
}

/// GET /v1/mgmt/thirdparty/app/rotate
/// As the POST, the app in the query (`?id=`).
async fn rotate_get(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<IdBody>,
) -> ApiResult<Json<Value>> {
    let cleartext = inbound::rotate(&s.db, &ctx, &q.id).await?;
    Ok(Json(json!({ "cleartext": cleartext })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct SecretBody {
    id: String,
    name: String,
    expire_time: i64,
}

/// POST /v1/mgmt/thirdparty/app/secret/add
/// Adds a named secret (Go SDK): `{meta, cleartext}`.
async fn secret_add(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<SecretBody>,
) -> ApiResult<Json<Value>> {
    let (meta, cleartext) = inbound::add_secret(&s.db, &ctx, &b.id, &b.name, b.expire_time).await?;
    Ok(Json(json!({ "meta": meta, "cleartext": cleartext })))
}

/// POST /v1/mgmt/thirdparty/app/secret/revoke
/// Revokes a named secret (Go SDK): the secrets left, `{secrets}`.
async fn secret_revoke(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<SecretBody>,
) -> ApiResult<Json<Value>> {
    let secrets = inbound::revoke_secret(&s.db, &ctx, &b.id, &b.name).await?;
    Ok(Json(json!({ "secrets": secrets })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ConsentBody {
    consent_ids: Vec<String>,
    consent_id: String,
    app_id: String,
    user_ids: Vec<String>,
    user_id: String,
    tenant_id: String,
    page: i64,
    limit: i64,
}

impl ConsentBody {
    fn filter(self) -> ConsentFilter {
        let mut consent_ids = self.consent_ids;
        if !self.consent_id.is_empty() {
            consent_ids.push(self.consent_id);
        }
        let mut user_ids = self.user_ids;
        if !self.user_id.is_empty() {
            user_ids.push(self.user_id);
        }
        ConsentFilter { consent_ids, app_id: self.app_id, user_ids, tenant_id: self.tenant_id }
    }
}

/// POST /v1/mgmt/thirdparty/consents/search
/// Consents by app, user, consent ID and tenant (page 0-based): `{consents, total}`.
async fn consents_search(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<ConsentBody>,
) -> ApiResult<Json<Value>> {
    let (page, limit) = (b.page, b.limit);
    let (consents, total) = inbound::search_consents(&s.db, &ctx, &b.filter(), page, limit).await?;
    Ok(Json(json!({ "consents": consents, "total": total })))
}

/// POST /v1/mgmt/thirdparty/consents/delete
/// Deletes the matching consents; their refresh tokens stop working.
async fn consents_delete(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<ConsentBody>,
) -> ApiResult<Json<Empty>> {
    inbound::delete_consents(&s.db, &ctx, &b.filter()).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/thirdparty/consents/delete/tenant
/// Deletes a tenant's consents (optionally of one app or some consent IDs).
async fn consents_delete_tenant(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<ConsentBody>,
) -> ApiResult<Json<Empty>> {
    if b.tenant_id.is_empty() {
        return Err(crate::error::ApiError::missing("tenantId"));
    }
    let filter = ConsentFilter { user_ids: Vec::new(), ..b.filter() };
    inbound::delete_consents(&s.db, &ctx, &filter).await?;
    Ok(Json(Empty {}))
}
