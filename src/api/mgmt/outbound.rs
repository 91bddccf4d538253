//! Descope API group `outboundAppsManagement`: outbound apps, the tokens kept for them, and
//! connecting a user to one ([`crate::domain::apps::outbound`]). Besides the OpenAPI
//! operations: the SDK-only OAuth token uploads (single and batch, per user and per tenant),
//! and core-js's `POST /v1/outbound/oauth/connect` (the same as `…/app/connect`).

use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::domain::apps::outbound::{
    self, ApiKeyUpload, ConnectRequest, FetchRequest, Fetcher, Holder, TokenUpload,
};
use crate::domain::sessions::{self, TokenKind};
use crate::domain::Ctx;
use crate::dto::common::Empty;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::http::extract::{bearer, DescopeJson, DescopeQuery, MgmtAuth, SessionAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/mgmt/outbound/app/connect" => connect,
        POST "/v1/mgmt/outbound/app/create" => create,
        POST "/v1/mgmt/outbound/app/create/bydcrpreset" => create_by_dcr_preset,
        POST "/v1/mgmt/outbound/app/create/bytemplate" => create_by_template,
        POST "/v1/mgmt/outbound/app/delete" => delete,
        POST "/v1/mgmt/outbound/app/tenant/apikey/upload" => upload_tenant_api_key,
        POST "/v1/mgmt/outbound/app/tenant/token" => fetch_tenant_token,
        POST "/v1/mgmt/outbound/app/tenant/token/latest" => fetch_latest_tenant_token,
        POST "/v1/mgmt/outbound/app/update" => update,
        POST "/v1/mgmt/outbound/app/user/apikey/upload" => upload_user_api_key,
        POST "/v1/mgmt/outbound/app/user/token" => fetch_user_token,
        POST "/v1/mgmt/outbound/app/user/token/latest" => fetch_latest_user_token,
        GET "/v1/mgmt/outbound/app/{id}" => load,
        GET "/v1/mgmt/outbound/apps" => load_all,
        GET "/v1/mgmt/outbound/apps-with-user-token" => apps_with_user_token,
        DELETE "/v1/mgmt/outbound/token" => delete_token,
        DELETE "/v1/mgmt/outbound/user/tokens" => delete_user_tokens,
        POST "/v1/mgmt/outbound/app/user/oauthtoken/upload" => upload_user_token,
        POST "/v1/mgmt/outbound/app/tenant/oauthtoken/upload" => upload_tenant_token,
        POST "/v1/mgmt/outbound/app/user/oauthtoken/batch/upload" => batch_upload_user_tokens,
        POST "/v1/mgmt/outbound/app/tenant/oauthtoken/batch/upload" => batch_upload_tenant_tokens,
        POST "/v1/outbound/oauth/connect" => connect,
    }
}

/// POST /v1/mgmt/outbound/app/create
/// Creates an app from the flat body: `{app}` (never with its client secret).
async fn create(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "app": outbound::create(&s.db, &ctx, body).await? })))
}

/// POST /v1/mgmt/outbound/app/create/bytemplate
/// Creates an app from a template (any ID) and its overrides: `{app}`.
async fn create_by_template(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "app": outbound::create_by_template(&s.db, &ctx, body).await? })))
}

/// POST /v1/mgmt/outbound/app/create/bydcrpreset
/// Creates an app from a dynamic registration preset (any ID): `{app}`.
async fn create_by_dcr_preset(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "app": outbound::create_by_dcr_preset(&s.db, &ctx, body).await? })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UpdateBody {
    app: Map<String, Value>,
}

/// POST /v1/mgmt/outbound/app/update
/// Replaces every field of an app (`{app}`): `{app}`.
async fn update(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<UpdateBody>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "app": outbound::update(&s.db, &ctx, b.app).await? })))
}

/// IDs of the query and of small bodies. Node sends an omitted query value as the literal
/// `undefined`; it counts as not given.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Ids {
    id: String,
    app_id: String,
    user_id: String,
    tenant_id: String,
}

impl Ids {
    fn cleaned(mut self) -> Ids {
        for v in [&mut self.id, &mut self.app_id, &mut self.user_id, &mut self.tenant_id] {
            if v == "undefined" || v == "null" {
                v.clear();
            }
        }
        self
    }
}

/// POST /v1/mgmt/outbound/app/delete
/// Deletes an app and its tokens.
async fn delete(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<Ids>,
) -> ApiResult<Json<Empty>> {
    outbound::delete(&s.db, &ctx, &b.id).await?;
    Ok(Json(Empty {}))
}

/// GET /v1/mgmt/outbound/app/{id}
/// One app: `{app}`.
async fn load(State(s): State<AppState>, MgmtAuth(ctx): MgmtAuth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "app": outbound::load(&s.db, &ctx, &id).await? })))
}

/// GET /v1/mgmt/outbound/apps
/// Every app: `{apps}`.
async fn load_all(State(s): State<AppState>, MgmtAuth(ctx): MgmtAuth) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "apps": outbound::load_all(&s.db, &ctx).await? })))
}

/// The caller of a token fetch: `Bearer <projectId>:<managementKey>`, or
/// `Bearer <projectId>:<accessToken>` of an inbound app granted `outbound.token.fetch`
/// (Python's `OutboundApplicationByToken`).
struct FetchAuth {
    ctx: Ctx,
    fetcher: Fetcher,
}

impl FromRequestParts<AppState> for FetchAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let b = bearer(parts)?;
        let project = state.projects.require(&state.db, &state.settings.public_url, &b.project_id).await?;
        let ctx = Ctx { project, now: state.now() };
        let secret =
            b.secret.ok_or_else(|| ApiError::new(ErrorKind::InvalidManagementKey, "Missing management key"))?;
        if ctx.project.management_key_matches(&secret) {
            return Ok(FetchAuth { ctx, fetcher: Fetcher::Management });
        }
        if secret.matches('.').count() != 2 {
            return Err(ApiError::new(ErrorKind::InvalidManagementKey, "Invalid management key"));
        }
        let claims = sessions::verify(&state.db, &ctx, &secret, TokenKind::Session).await?;
        let scopes: Vec<String> = claims
            .extra
            .get("scope")
            .and_then(serde_json::Value::as_str)
            .map(|s| s.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default();
        let tenants = claims.tenants.map(|t| t.into_keys().collect()).unwrap_or_default();
        Ok(FetchAuth { ctx, fetcher: Fetcher::AppToken { sub: claims.sub, scopes, tenants } })
    }
}

/// POST /v1/mgmt/outbound/app/user/token
/// The user's token with the scopes asked for: `{token}`.
async fn fetch_user_token(
    State(s): State<AppState>,
    auth: FetchAuth,
    DescopeJson(b): DescopeJson<FetchRequest>,
) -> ApiResult<Json<Value>> {
    let t = outbound::fetch(&s.db, &auth.ctx, &auth.fetcher, Holder::User, b, true).await?;
    Ok(Json(json!({ "token": t })))
}

/// POST /v1/mgmt/outbound/app/user/token/latest
/// The user's latest token: `{token}`.
async fn fetch_latest_user_token(
    State(s): State<AppState>,
    auth: FetchAuth,
    DescopeJson(b): DescopeJson<FetchRequest>,
) -> ApiResult<Json<Value>> {
    let t = outbound::fetch(&s.db, &auth.ctx, &auth.fetcher, Holder::User, b, false).await?;
    Ok(Json(json!({ "token": t })))
}

/// POST /v1/mgmt/outbound/app/tenant/token
/// The tenant's token with the scopes asked for: `{token}`.
async fn fetch_tenant_token(
    State(s): State<AppState>,
    auth: FetchAuth,
    DescopeJson(b): DescopeJson<FetchRequest>,
) -> ApiResult<Json<Value>> {
    let t = outbound::fetch(&s.db, &auth.ctx, &auth.fetcher, Holder::Tenant, b, true).await?;
    Ok(Json(json!({ "token": t })))
}

/// POST /v1/mgmt/outbound/app/tenant/token/latest
/// The tenant's latest token: `{token}`.
async fn fetch_latest_tenant_token(
    State(s): State<AppState>,
    auth: FetchAuth,
    DescopeJson(b): DescopeJson<FetchRequest>,
) -> ApiResult<Json<Value>> {
    let t = outbound::fetch(&s.db, &auth.ctx, &auth.fetcher, Holder::Tenant, b, false).await?;
    Ok(Json(json!({ "token": t })))
}

/// GET /v1/mgmt/outbound/apps-with-user-token?userId=[&tenantId=]
/// The apps the user holds a valid token for: `{appIds}`.
async fn apps_with_user_token(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<Ids>,
) -> ApiResult<Json<Value>> {
    let q = q.cleaned();
    let ids = outbound::apps_with_user_token(&s.db, &ctx, &q.user_id, &q.tenant_id).await?;
    Ok(Json(json!({ "appIds": ids })))
}

/// DELETE /v1/mgmt/outbound/user/tokens?appId=&userId=
/// Deletes the user tokens of an app, of a user, or both (at least one is needed).
async fn delete_user_tokens(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<Ids>,
) -> ApiResult<Json<Empty>> {
    let q = q.cleaned();
    outbound::delete_user_tokens(&s.db, &ctx, &q.app_id, &q.user_id).await?;
    Ok(Json(Empty {}))
}

/// DELETE /v1/mgmt/outbound/token?id=
/// Deletes one token.
async fn delete_token(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<Ids>,
) -> ApiResult<Json<Empty>> {
    outbound::delete_token(&s.db, &ctx, &q.cleaned().id).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/outbound/app/user/apikey/upload
/// Stores a user's API key.
async fn upload_user_api_key(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<ApiKeyUpload>,
) -> ApiResult<Json<Empty>> {
    outbound::upload_api_key(&s.db, &ctx, Holder::User, b).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/outbound/app/tenant/apikey/upload
/// Stores a tenant's API key.
async fn upload_tenant_api_key(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<ApiKeyUpload>,
) -> ApiResult<Json<Empty>> {
    outbound::upload_api_key(&s.db, &ctx, Holder::Tenant, b).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/outbound/app/user/oauthtoken/upload
/// Stores a user's OAuth token.
async fn upload_user_token(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<TokenUpload>,
) -> ApiResult<Json<Empty>> {
    outbound::upload(&s.db, &ctx, Holder::User, b).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/outbound/app/tenant/oauthtoken/upload
/// Stores a tenant's OAuth token.
async fn upload_tenant_token(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<TokenUpload>,
) -> ApiResult<Json<Empty>> {
    outbound::upload(&s.db, &ctx, Holder::Tenant, b).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct BatchBody {
    tokens: Vec<Value>,
}

/// POST /v1/mgmt/outbound/app/user/oauthtoken/batch/upload
/// Stores users' OAuth tokens, all or nothing: `{failures}`.
async fn batch_upload_user_tokens(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<BatchBody>,
) -> ApiResult<Json<Value>> {
    let failures = outbound::batch_upload(&s.db, &ctx, Holder::User, b.tokens).await?;
    Ok(Json(json!({ "failures": failures })))
}

/// POST /v1/mgmt/outbound/app/tenant/oauthtoken/batch/upload
/// Stores tenants' OAuth tokens, all or nothing: `{failures}`.
async fn batch_upload_tenant_tokens(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<BatchBody>,
) -> ApiResult<Json<Value>> {
    let failures = outbound::batch_upload(&s.db, &ctx, Holder::Tenant, b.tokens).await?;
    Ok(Json(json!({ "failures": failures })))
}

/// POST /v1/mgmt/outbound/app/connect, POST /v1/outbound/oauth/connect
/// Bearer `<projectId>:<refreshJwt>`: the URL of the provider's page, where the signed-in
/// user approves the connection: `{url}`.
async fn connect(
    State(s): State<AppState>,
    auth: SessionAuth,
    DescopeJson(b): DescopeJson<ConnectRequest>,
) -> ApiResult<Json<Value>> {
    if b.app_id.trim().is_empty() {
        return Err(ApiError::missing("appId"));
    }
    let url = outbound::connect(&s.db, &auth.ctx, &auth.claims.sub, b).await?;
    Ok(Json(json!({ "url": url })))
}
