//! The emulator's real OIDC identity provider (`domain::federation::oidc_idp`) and the SSO
//! relying party's callback it redirects to:
//!
//! - `GET /emulator/v1/idp/oidc/{projectId}/{idpId}/.well-known/openid-configuration`
//! - `GET /emulator/v1/idp/oidc/{projectId}/{idpId}/authorize` (headless knobs as the fake
//!   IdP page: `email`, `name`, `groups`, `attr.X`, `deny=1`; or `login_hint`)
//! - `POST …/token` (form: `grant_type=authorization_code`, `code`, `redirect_uri`, `client_id`)
//! - `GET|POST …/userinfo` (`Authorization: Bearer <access_token>`), `GET …/jwks`
//! - `GET /emulator/v1/idp/{projectId}/sso/{tenantId}/oidc-callback?code=&state=`

use std::collections::HashMap;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::domain::federation::oidc_idp::{self, AuthorizeRequest, Tokens};
use crate::domain::federation::{oauth, sso_login};
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{DescopeForm, EmulatorProject};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        GET "/emulator/v1/idp/oidc/{projectId}/{idpId}/.well-known/openid-configuration" => discovery,
        GET "/emulator/v1/idp/oidc/{projectId}/{idpId}/authorize" => authorize,
        POST "/emulator/v1/idp/oidc/{projectId}/{idpId}/token" => token,
        GET "/emulator/v1/idp/oidc/{projectId}/{idpId}/userinfo" => userinfo,
        POST "/emulator/v1/idp/oidc/{projectId}/{idpId}/userinfo" => userinfo,
        GET "/emulator/v1/idp/oidc/{projectId}/{idpId}/jwks" => jwks,
        GET "/emulator/v1/idp/{projectId}/sso/{tenantId}/oidc-callback" => callback,
    }
}

fn param(params: &HashMap<String, String>, name: &str) -> ApiResult<String> {
    params.get(name).cloned().ok_or_else(|| ApiError::bad_request(format!("Missing {name} in path")))
}

fn query_pairs(query: Option<&str>) -> ApiResult<Vec<(String, String)>> {
    serde_urlencoded::from_str(query.unwrap_or("")).map_err(|e| ApiError::bad_request(format!("Invalid query: {e}")))
}

/// GET …/.well-known/openid-configuration
async fn discovery(
    EmulatorProject(ctx): EmulatorProject,
    Path(p): Path<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let idp_id = param(&p, "idpId")?;
    oidc_idp::check_idp_id(&idp_id)?;
    Ok(Json(oidc_idp::discovery(&ctx, &idp_id)))
}

/// GET …/authorize
/// Approves headlessly and redirects to the client's redirect URI with `code` and `state`.
async fn authorize(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    Path(p): Path<HashMap<String, String>>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let idp_id = param(&p, "idpId")?;
    let params = query_pairs(query.as_deref())?;
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    if !get("response_type").is_empty() && get("response_type") != "code" {
        return Err(ApiError::invalid("Only response_type=code is supported"));
    }
    let req = AuthorizeRequest {
        client_id: get("client_id"),
        redirect_uri: get("redirect_uri"),
        state: get("state"),
        nonce: get("nonce"),
        scope: get("scope"),
        login_hint: get("login_hint"),
        deny: !matches!(get("deny").as_str(), "" | "0" | "false"),
        params,
    };
    let url = oidc_idp::authorize(&s.db, &ctx, &idp_id, req).await?;
    Ok(Redirect::to(&url).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TokenForm {
    grant_type: String,
    code: String,
    redirect_uri: String,
    client_id: String,
}

/// POST …/token
/// Redeems an authorization code for an ID token and an access token.
async fn token(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    Path(p): Path<HashMap<String, String>>,
    DescopeForm(f): DescopeForm<TokenForm>,
) -> ApiResult<Json<Tokens>> {
    let idp_id = param(&p, "idpId")?;
    if f.grant_type != "authorization_code" {
        return Err(ApiError::invalid("grant_type must be authorization_code"));
    }
    let key = oauth::provider_key(&s.db, &ctx, s.projects.key_pool()).await?;
    Ok(Json(oidc_idp::token(&s.db, &ctx, &key, &idp_id, &f.code, &f.client_id, &f.redirect_uri).await?))
}

/// GET|POST …/userinfo
/// The claims of the bearer access token.
async fn userinfo(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    Path(p): Path<HashMap<String, String>>,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    let idp_id = param(&p, "idpId")?;
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .ok_or_else(|| ApiError::unauthorized("Missing access token"))?;
    let key = oauth::provider_key(&s.db, &ctx, s.projects.key_pool()).await?;
    Ok(Json(oidc_idp::userinfo(&ctx, &key, &idp_id, token.trim())?))
}

/// GET …/jwks
async fn jwks(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    Path(p): Path<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    oidc_idp::check_idp_id(&param(&p, "idpId")?)?;
    let key = oauth::provider_key(&s.db, &ctx, s.projects.key_pool()).await?;
    Ok(Json(json!({ "keys": [key.jwk] })))
}

/// GET /emulator/v1/idp/{projectId}/sso/{tenantId}/oidc-callback
/// The SSO relying party's callback: redeems the IdP's code, verifies the ID token, and
/// redirects to the app with a Descope code (or answers `{"code"}` without a redirect URL).
async fn callback(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    Path(p): Path<HashMap<String, String>>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let tenant_id = param(&p, "tenantId")?;
    let params = query_pairs(query.as_deref())?;
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let error = Some(get("error")).filter(|e| !e.is_empty()).map(|e| (e, get("error_description")));
    let key = key_of(&s, &ctx).await?;
    let (url, code) =
        sso_login::oidc_callback(&s.db, &ctx, &key, &tenant_id, &get("state"), &get("code"), error).await?;
    Ok(match url {
        Some(url) => Redirect::to(&url).into_response(),
        None => Json(json!({ "code": code })).into_response(),
    })
}

async fn key_of(s: &AppState, ctx: &Ctx) -> ApiResult<crate::crypto::SigningKey> {
    oauth::provider_key(&s.db, ctx, s.projects.key_pool()).await
}
