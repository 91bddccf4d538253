//! The emulator's own OpenID Connect identity providers, `/emulator/v1/idp/oidc/{projectId}/{idpId}/…`
//! (`domain::federation::oidc_idp`): discovery, authorize, token, userinfo, jwks. Errors of the
//! token and userinfo endpoints follow RFC 6749.

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::idp::esc;
use crate::domain::federation::oauth;
use crate::domain::federation::oidc_idp::{self, AuthorizeOutcome, AuthorizeRequest, TokenRequest, Tokens};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{EmulatorProject, OAuthForm};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    surface OAuth;
    built {
        GET "/emulator/v1/idp/oidc/{projectId}/{idpId}/.well-known/openid-configuration" => discovery,
        GET "/emulator/v1/idp/oidc/{projectId}/{idpId}/authorize" => authorize,
        POST "/emulator/v1/idp/oidc/{projectId}/{idpId}/token" => token,
        GET "/emulator/v1/idp/oidc/{projectId}/{idpId}/userinfo" => userinfo,
        POST "/emulator/v1/idp/oidc/{projectId}/{idpId}/userinfo" => userinfo,
        GET "/emulator/v1/idp/oidc/{projectId}/{idpId}/jwks" => jwks,
    }
}

/// GET …/.well-known/openid-configuration
async fn discovery(
    EmulatorProject(ctx): EmulatorProject,
    Path((_, idp)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    Ok(Json(oidc_idp::discovery(&ctx, &idp)?))
}

/// GET …/authorize
/// Decides the identity (query knobs, `login_hint`, a queued identity, or a person) and
/// redirects to `redirect_uri` with `code` and `state`.
async fn authorize(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    Path((_, idp)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let params: Vec<(String, String)> = serde_urlencoded::from_str(query.as_deref().unwrap_or(""))
        .map_err(|e| ApiError::bad_request(format!("Invalid query: {e}")))?;
    let get = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let html = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"));
    let req = AuthorizeRequest {
        client_id: get("client_id"),
        redirect_uri: get("redirect_uri"),
        response_type: get("response_type"),
        scope: get("scope"),
        state: get("state"),
        nonce: get("nonce"),
        login_hint: get("login_hint"),
        deny: matches!(get("deny").as_str(), "1" | "true"),
        interactive: html && get("auto") != "1",
        params: params.clone(),
    };
    Ok(match oidc_idp::authorize(&s.db, &ctx, &idp, req).await? {
        AuthorizeOutcome::Redirect(url) => Redirect::to(&url).into_response(),
        AuthorizeOutcome::Ask { .. } => Html(sign_in_page(&idp, query.as_deref().unwrap_or(""))).into_response(),
    })
}

/// A plain sign-in form of the provider (GET back to `authorize` with `email`).
fn sign_in_page(idp: &str, query: &str) -> String {
    let hidden: String = serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">", esc(&k), esc(&v)))
        .collect();
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in at {idp}</title></head>\
         <body style=\"font-family:system-ui;max-width:380px;margin:64px auto\"><h1>Sign in at {idp}</h1>\
         <form method=\"get\">{hidden}<label>Email <input type=\"email\" name=\"email\" required></label>\
         <label> Name <input name=\"name\"></label><label> Groups <input name=\"groups\"></label>\
         <button id=\"approve\" type=\"submit\">Sign in</button></form>\
         <p><small>descope-emulator: an OpenID Connect provider on this machine.</small></p></body></html>",
        idp = esc(idp)
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TokenForm {
    grant_type: String,
    code: String,
    redirect_uri: String,
}

/// POST …/token
/// Redeems an authorization code for an ID token and an access token.
async fn token(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    Path((_, idp)): Path<(String, String)>,
    OAuthForm { form, client }: OAuthForm<TokenForm>,
) -> ApiResult<Json<Tokens>> {
    let req = TokenRequest {
        grant_type: form.grant_type,
        code: form.code,
        redirect_uri: form.redirect_uri,
        client_id: client.client_id,
    };
    let key = std::sync::Arc::new(oauth::provider_key(&s.db, &ctx, s.projects.key_pool()).await?);
    let tokens = oidc_idp::token(&s.db, &ctx, key, &idp, &req).await?;
    Ok(Json(tokens))
}

/// GET|POST …/userinfo
/// The claims of the bearer access token's identity.
async fn userinfo(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    Path((_, idp)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .unwrap_or_default()
        .trim()
        .to_owned();
    Ok(Json(oidc_idp::userinfo(&s.db, &ctx, s.projects.key_pool(), &idp, &token).await?))
}

/// GET …/jwks
async fn jwks(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    Path((_, idp)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    oidc_idp::check_idp_id(&idp)?;
    let key = oauth::provider_key(&s.db, &ctx, s.projects.key_pool()).await?;
    Ok(Json(json!({ "keys": [key.jwk] })))
}
