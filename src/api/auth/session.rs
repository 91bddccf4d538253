//! Descope API group `session`: refresh, try-refresh, logout, me, history, tenants, validate
//! and tenant selection, and the IdP SSO logout (session named by the `DSR` cookie or the
//! bearer, answered with the session cookies cleared). The bearer carries the refresh JWT (`P...:<refreshJwt>`), except
//! `validate`, which carries the session JWT.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::domain::sessions;
use crate::dto::auth::AuthResponse;
use crate::dto::common::Empty;
use crate::dto::user::{LoginRecord, User};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{DescopeJson, SessionAuth, SessionJwtAuth, UnverifiedSession};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/auth/logout" => logout,
        POST "/v1/auth/logoutall" => logout_all,
        GET "/v1/auth/me" => me,
        GET "/v1/auth/me/history" => history,
        POST "/v1/auth/me/tenants" => my_tenants,
        POST "/v1/auth/refresh" => refresh,
        POST "/v1/auth/tenant/select" => select_tenant,
        POST "/v1/auth/try-refresh" => try_refresh,
        POST "/v1/auth/validate" => validate,
        GET "/v1/auth/idp/sso/logout" => idp_sso_logout,
        POST "/v1/auth/idp/sso/logout" => idp_sso_logout,
    }
}

/// The body of refresh and logout calls; Go sends none, others `{}` (nothing is read).
#[derive(Debug, Default, Deserialize)]
pub struct AnyBody {}

/// POST /v1/auth/refresh
/// A new session JWT with the user's current roles; the refresh JWT is kept.
async fn refresh(
    State(s): State<AppState>,
    auth: UnverifiedSession,
    DescopeJson(_): DescopeJson<AnyBody>,
) -> ApiResult<AuthResponse> {
    let info = sessions::refresh_token(&s.db, &auth.ctx, &auth.token).await?;
    Ok(AuthResponse::new(&auth.ctx, &info))
}

/// POST /v1/auth/try-refresh
/// Like refresh, but answers `{}` instead of an error when there is no valid session.
async fn try_refresh(State(s): State<AppState>, auth: Result<SessionAuth, ApiError>) -> ApiResult<Response> {
    let Ok(auth) = auth else {
        return Ok(Json(Empty {}).into_response());
    };
    match sessions::refresh(&s.db, &auth.ctx, &auth.claims, &auth.token).await {
        Ok(info) => Ok(AuthResponse::new(&auth.ctx, &info).into_response()),
        Err(e) if e.kind.status().is_client_error() => Ok(Json(Empty {}).into_response()),
        Err(e) => Err(e),
    }
}

/// POST /v1/auth/logout
/// Revokes this refresh JWT.
async fn logout(
    State(s): State<AppState>,
    auth: SessionAuth,
    DescopeJson(_): DescopeJson<AnyBody>,
) -> ApiResult<Json<Empty>> {
    sessions::logout(&s.db, &auth.ctx, &auth.claims, false).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/auth/logoutall
/// Revokes every refresh JWT of the user.
async fn logout_all(
    State(s): State<AppState>,
    auth: SessionAuth,
    DescopeJson(_): DescopeJson<AnyBody>,
) -> ApiResult<Json<Empty>> {
    sessions::logout(&s.db, &auth.ctx, &auth.claims, true).await?;
    Ok(Json(Empty {}))
}

/// GET /v1/auth/me
/// The signed-in user, as a bare user object.
async fn me(State(s): State<AppState>, auth: SessionAuth) -> ApiResult<Json<User>> {
    let user = sessions::me(&s.db, &auth.ctx, &auth.claims).await?;
    Ok(Json((&user).into()))
}

/// GET /v1/auth/me/history
/// The user's logins, newest first. descope-compat: a bare array (Go decodes a slice), not
/// the OpenAPI's `{authHistory}`.
async fn history(State(s): State<AppState>, auth: SessionAuth) -> ApiResult<Json<Vec<LoginRecord>>> {
    let rows = sessions::history(&s.db, &auth.ctx, &auth.claims).await?;
    Ok(Json(rows.into_iter().map(LoginRecord::from).collect()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MyTenantsRequest {
    dct: bool,
    ids: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MyTenant {
    id: String,
    name: String,
    custom_attributes: Map<String, Value>,
}

#[derive(Debug, Serialize)]
pub struct MyTenants {
    tenants: Vec<MyTenant>,
}

/// POST /v1/auth/me/tenants
/// The user's tenants: the selected one with `dct: true`, or those in `ids` (all if empty).
async fn my_tenants(
    State(s): State<AppState>,
    auth: SessionAuth,
    DescopeJson(req): DescopeJson<MyTenantsRequest>,
) -> ApiResult<Json<MyTenants>> {
    let rows = sessions::my_tenants(&s.db, &auth.ctx, &auth.claims, req.dct, &req.ids).await?;
    let tenants = rows
        .into_iter()
        .map(|t| MyTenant { custom_attributes: t.custom_attributes, id: t.id, name: t.name })
        .collect();
    Ok(Json(MyTenants { tenants }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SelectTenantRequest {
    tenant: String,
}

/// POST /v1/auth/tenant/select
/// New tokens whose `dct` claim is the chosen tenant (empty clears it).
async fn select_tenant(
    State(s): State<AppState>,
    auth: SessionAuth,
    DescopeJson(req): DescopeJson<SelectTenantRequest>,
) -> ApiResult<AuthResponse> {
    let info = sessions::select_tenant(&s.db, &auth.ctx, &auth.claims, &req.tenant).await?;
    Ok(AuthResponse::new(&auth.ctx, &info))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidateSessionResponse {
    #[serde(rename = "parsedJWT")]
    parsed_jwt: sessions::Claims,
}

/// POST /v1/auth/validate
/// Validates the session JWT in the bearer server-side and returns its claims.
async fn validate(
    auth: SessionJwtAuth,
    DescopeJson(_): DescopeJson<AnyBody>,
) -> ApiResult<Json<ValidateSessionResponse>> {
    Ok(Json(ValidateSessionResponse { parsed_jwt: auth.claims }))
}

/// The refresh JWT of an IdP logout: the bearer's (`P...:<refreshJwt>`), else the `DSR`
/// cookie's; with the project the bearer names, else the token's issuer.
fn logout_session(headers: &axum::http::HeaderMap) -> Option<(String, String)> {
    use axum::http::header;
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    let (bearer_project, bearer_token) = match bearer.map(|b| b.split_once(':').unwrap_or((b, ""))) {
        Some((p, t)) => (Some(p.to_owned()), Some(t.to_owned()).filter(|t| t.matches('.').count() == 2)),
        None => (None, None),
    };
    let cookie_token = headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|c| {
        c.split(';').find_map(|kv| kv.trim().strip_prefix("DSR=").map(str::to_owned)).filter(|t| !t.is_empty())
    });
    let token = bearer_token.or(cookie_token)?;
    let project = bearer_project.filter(|p| !p.is_empty()).or_else(|| {
        crate::domain::federation::sso_login::project_of_token(&token)
    })?;
    Some((project, token))
}

/// GET|POST /v1/auth/idp/sso/logout
/// Ends the session named by the `DSR` cookie (or the bearer's refresh JWT) and clears the
/// session cookies; `app` (the SSO app) is accepted and not used. Without a session it only
/// clears the cookies.
async fn idp_sso_logout(State(s): State<AppState>, headers: axum::http::HeaderMap) -> ApiResult<Response> {
    if let Some((project_id, token)) = logout_session(&headers) {
        if let Some(project) = s.projects.get(&s.db, &s.settings.public_url, &project_id).await? {
            let ctx = crate::domain::Ctx { project, now: s.now() };
            crate::domain::federation::sso_login::idp_logout(&s.db, &ctx, &token).await?;
        }
    }
    let clear = |name: &str| format!("{name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
    let mut res = Json(Empty {}).into_response();
    for name in ["DS", "DSR"] {
        if let Ok(v) = axum::http::HeaderValue::from_str(&clear(name)) {
            res.headers_mut().append(axum::http::header::SET_COOKIE, v);
        }
    }
    Ok(res)
}
