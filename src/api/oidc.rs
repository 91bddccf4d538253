//! Descope API group `federatedApps`: the authorization server of the project's default OIDC
//! app (`/oauth2/v1/*`, client ID = project ID, secret = an access key) and of OIDC SSO apps
//! (`/{ssoAppId}/oauth2/v1/*`). The rules are in [`crate::domain::apps::server`].
//!
//! Errors answer in the format of RFC 6749 section 5.2 (the `OAuth` error surface). Inbound
//! apps (`/oauth2/v1/apps/*`, group `thirdPartyApps`) use the same server: their clients are in
//! the registry, so the project path segment only repeats what the client ID says. `entramfa` makes
//! the project an Entra ID external authentication method (an `id_token` posted back to Entra).
//!
//! No route names the project: it comes from the `client_id` (the project ID, or an SSO
//! app's client in the registry), the issuer of a presented token, or the `state_id`.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use serde_json::{json, Value};
use std::net::{IpAddr, Ipv4Addr};

use crate::domain::apps::registry;
use crate::domain::apps::server::{self, AuthorizeOutcome, AuthorizeRequest, Finisher, TokenRequest};
use crate::domain::projects::is_valid_project_id;
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::http::client_auth::basic_credentials;
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    surface OAuth;
    built {
        GET "/oauth2/v1/authorize" => authorize_get,
        POST "/oauth2/v1/device" => device,
        POST "/{ssoAppId}/oauth2/v1/device" => app_device,
        POST "/oauth2/v1/authorize" => authorize_post,
        GET "/oauth2/v1/finish-authorize" => finish_get,
        POST "/oauth2/v1/finish-authorize" => finish_post,
        GET "/oauth2/v1/logout" => logout_get,
        POST "/oauth2/v1/logout" => logout_post,
        POST "/oauth2/v1/revoke" => revoke,
        POST "/oauth2/v1/token" => token,
        GET "/oauth2/v1/userinfo" => userinfo,
        POST "/oauth2/v1/userinfo" => userinfo,
        GET "/{ssoAppId}/oauth2/v1/authorize" => app_authorize_get,
        POST "/{ssoAppId}/oauth2/v1/authorize" => app_authorize_post,
        GET "/{ssoAppId}/oauth2/v1/logout" => app_logout_get,
        POST "/{ssoAppId}/oauth2/v1/logout" => app_logout_post,
        POST "/{ssoAppId}/oauth2/v1/revoke" => app_revoke,
        POST "/{ssoAppId}/oauth2/v1/token" => app_token,
        GET "/{ssoAppId}/oauth2/v1/userinfo" => app_userinfo,
        POST "/{ssoAppId}/oauth2/v1/userinfo" => app_userinfo,
        GET "/oauth2/v1/apps/agentic/{project_id}/{mcp_server_id}/authorize" => agentic_authorize_get,
        POST "/oauth2/v1/apps/agentic/{project_id}/{mcp_server_id}/authorize" => agentic_authorize_post,
        POST "/oauth2/v1/apps/agentic/{project_id}/{mcp_server_id}/token" => agentic_token,
        GET "/oauth2/v1/apps/authorize" => authorize_get,
        POST "/oauth2/v1/apps/authorize" => authorize_post,
        POST "/oauth2/v1/apps/device" => device,
        POST "/oauth2/v1/apps/finish-authorize" => finish_post,
        POST "/oauth2/v1/apps/revoke" => revoke,
        POST "/oauth2/v1/apps/token" => token,
        GET "/oauth2/v1/apps/userinfo" => userinfo,
        POST "/oauth2/v1/apps/userinfo" => userinfo,
        GET "/oauth2/v1/apps/{project_id}/authorize" => project_authorize_get,
        POST "/oauth2/v1/apps/{project_id}/authorize" => project_authorize_post,
        POST "/oauth2/v1/apps/{project_id}/device" => project_device,
        POST "/oauth2/v1/apps/{project_id}/revoke" => app_revoke,
        POST "/oauth2/v1/apps/{project_id}/token" => project_token,
        GET "/oauth2/v1/apps/{project_id}/userinfo" => app_userinfo,
        POST "/oauth2/v1/apps/{project_id}/userinfo" => app_userinfo,
        POST "/oauth2/v1/apps/bc-authorize" => bc_authorize,
        POST "/oauth2/v1/apps/{project_id}/bc-authorize" => project_bc_authorize,
        POST "/oauth2/v1/authorize/entramfa" => entra_mfa,
        POST "/{ssoAppId}/oauth2/v1/authorize/entramfa" => app_entra_mfa,
    }
}

pub(crate) fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("application/json"))
}

/// The longest parameter value taken (tokens are a few KiB at most).
const MAX_PARAM_LEN: usize = 8 * 1024;

/// Request parameters, from the query, a form body or a JSON object body.
#[derive(Debug, Default)]
pub(crate) struct Params(pub(crate) Vec<(String, String)>);

impl Params {
    pub(crate) fn from_query(query: Option<&str>) -> Self {
        Params(url::form_urlencoded::parse(query.unwrap_or("").as_bytes()).into_owned().collect())
    }

    /// A form body, or a JSON object when the body is one (strings, numbers and booleans).
    pub(crate) fn from_body(headers: &HeaderMap, body: &[u8]) -> ApiResult<Self> {
        let json = is_json(headers) || body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        if !json {
            let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
            return Ok(Params(pairs));
        }
        if body.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(Params::default());
        }
        let value: Value = serde_json::from_slice(body).map_err(|e| ApiError::bad_request(format!("Invalid JSON body: {e}")))?;
        let Value::Object(map) = value else {
            return Err(ApiError::bad_request("The body must be a JSON object"));
        };
        let mut out = Vec::new();
        for (k, v) in map {
            let text = match v {
                Value::String(s) => s,
                Value::Null => continue,
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => return Err(ApiError::bad_request(format!("{k} must be a string"))),
            };
            out.push((k, text));
        }
        Ok(Params(out))
    }

    /// The parameters of a POST: the query's, then the body's.
    pub(crate) fn from_query_and_body(query: Option<&str>, headers: &HeaderMap, body: &[u8]) -> ApiResult<Self> {
        Ok(Params::from_query(query).merged(Params::from_body(headers, body)?))
    }

    pub(crate) fn merged(mut self, other: Params) -> Self {
        self.0.extend(other.0);
        self
    }

    /// A parameter's value ("" when absent). Sent twice is an error (RFC 6749 section 3.1).
    pub(crate) fn get(&self, name: &str) -> ApiResult<String> {
        let mut values = self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v);
        let first = values.next().cloned().unwrap_or_default();
        if values.next().is_some() {
            return Err(ApiError::new(ErrorKind::InvalidRequest, format!("{name} was sent more than once")));
        }
        // Values end up in redirect URLs (`state`): keep them within what clients read.
        if first.len() > MAX_PARAM_LEN {
            return Err(ApiError::new(ErrorKind::InvalidRequest, format!("{name} is too long")));
        }
        Ok(first)
    }

    /// Every value of a repeatable parameter (RFC 8707 `resource`), without empty ones.
    fn all(&self, name: &str) -> ApiResult<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        for (_, v) in self.0.iter().filter(|(k, v)| k == name && !v.is_empty()) {
            if v.len() > MAX_PARAM_LEN || out.len() >= 16 {
                return Err(ApiError::new(ErrorKind::InvalidRequest, format!("Too many or too long {name} values")));
            }
            if !out.contains(v) {
                out.push(v.clone());
            }
        }
        Ok(out)
    }

    /// The first of several spellings that is present.
    pub(crate) fn any(&self, names: &[&str]) -> ApiResult<String> {
        for n in names {
            let v = self.get(n)?;
            if !v.is_empty() {
                return Ok(v);
            }
        }
        Ok(String::new())
    }
}

/// The project of a client ID: the project itself (default app), else the project whose
/// registry holds the client.
async fn ctx_of_client(s: &AppState, client_id: &str) -> ApiResult<Option<Ctx>> {
    if is_valid_project_id(client_id) {
        if let Some(project) = s.projects.get(&s.db, &s.settings.public_url, client_id).await? {
            return Ok(Some(Ctx { project, now: s.now() }));
        }
    }
    let candidates = {
        let mut conn = s.db.acquire().await?;
        registry::projects_of_client(&mut conn, client_id).await?
    };
    for (project_id, scope) in candidates {
        if !is_valid_project_id(&project_id) {
            continue;
        }
        if let Some(project) = s.projects.get(&s.db, &s.settings.public_url, &project_id).await? {
            if project.scope.as_str() == scope {
                return Ok(Some(Ctx { project, now: s.now() }));
            }
        }
    }
    Ok(None)
}

/// The project whose keys signed a token, by its issuer.
async fn ctx_of_token(s: &AppState, token: &str) -> ApiResult<Option<Ctx>> {
    let Some(project_id) = server::project_of_token(token) else { return Ok(None) };
    Ok(s.projects
        .get(&s.db, &s.settings.public_url, &project_id)
        .await?
        .map(|project| Ctx { project, now: s.now() }))
}

/// The session JWTs a browser or caller presents: the `DS` cookie, `Bearer <P>:<jwt>`.
pub(crate) fn session_jwts(headers: &HeaderMap) -> Vec<String> {
    let mut out = Vec::new();
    for v in headers.get_all(header::COOKIE) {
        let Ok(v) = v.to_str() else { continue };
        for pair in v.split(';') {
            if let Some(("DS", jwt)) = pair.trim().split_once('=') {
                out.push(jwt.to_owned());
            }
        }
    }
    if let Some(v) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        if let Some(token) = v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")) {
            if let Some((_, jwt)) = token.trim().split_once(':') {
                out.push(jwt.split(':').next().unwrap_or_default().to_owned());
            }
        }
    }
    out
}

fn authorize_request(p: &Params) -> ApiResult<AuthorizeRequest> {
    Ok(AuthorizeRequest {
        client_id: p.get("client_id")?,
        redirect_uri: p.get("redirect_uri")?,
        response_type: p.get("response_type")?,
        scope: p.get("scope")?,
        state: p.get("state")?,
        nonce: p.get("nonce")?,
        code_challenge: p.get("code_challenge")?,
        code_challenge_method: p.get("code_challenge_method")?,
        prompt: p.get("prompt")?,
        login_hint: p.any(&["login_hint", "loginHint"])?,
        tenant: p.any(&["tenant", "tenantId"])?,
        resource: p.all("resource")?,
        mcp_server: String::new(),
    })
}

async fn do_authorize(s: &AppState, app_id: Option<&str>, p: Params, headers: &HeaderMap) -> ApiResult<Response> {
    do_authorize_at(s, app_id, "", p, headers).await
}

/// An authorize request; `mcp_server` names the MCP server of an agentic path ("" else).
async fn do_authorize_at(
    s: &AppState,
    app_id: Option<&str>,
    mcp_server: &str,
    p: Params,
    headers: &HeaderMap,
) -> ApiResult<Response> {
    let mut req = authorize_request(&p)?;
    req.mcp_server = mcp_server.to_owned();
    if req.client_id.is_empty() {
        return Err(ApiError::new(ErrorKind::InvalidRequest, "Missing client_id"));
    }
    let ctx = ctx_of_client(s, &req.client_id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorKind::InvalidRequest, format!("Unknown client_id {}", req.client_id)))?;
    let outcome = server::authorize(&s.db, &ctx, app_id, req, &session_jwts(headers)).await?;
    Ok(match outcome {
        AuthorizeOutcome::Redirect(url) => found(&url),
        AuthorizeOutcome::SignIn { state_id, users, client_id } => {
            Html(signin_page(&state_id, &users, &client_id)).into_response()
        }
    })
}

/// A 302 to `url`.
fn found(url: &str) -> Response {
    let mut r = Redirect::to(url).into_response();
    *r.status_mut() = StatusCode::FOUND;
    r
}

/// GET /oauth2/v1/authorize
/// Authorization request (code flow, PKCE S256): signs someone in and redirects back with a code.
async fn authorize_get(State(s): State<AppState>, headers: HeaderMap, RawQuery(q): RawQuery) -> ApiResult<Response> {
    do_authorize(&s, None, Params::from_query(q.as_deref()), &headers).await
}

/// POST /oauth2/v1/authorize
/// The authorization request as a form (or JSON) body.
async fn authorize_post(
    State(s): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    let p = Params::from_query_and_body(q.as_deref(), &headers, &body)?;
    do_authorize(&s, None, p, &headers).await
}

/// GET /{ssoAppId}/oauth2/v1/authorize
/// The authorization request of an OIDC SSO app.
async fn app_authorize_get(
    State(s): State<AppState>,
    Path(app): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    do_authorize(&s, Some(&app), Params::from_query(q.as_deref()), &headers).await
}

/// POST /{ssoAppId}/oauth2/v1/authorize
/// The authorization request of an OIDC SSO app, as a body.
async fn app_authorize_post(
    State(s): State<AppState>,
    Path(app): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    let p = Params::from_query_and_body(q.as_deref(), &headers, &body)?;
    do_authorize(&s, Some(&app), p, &headers).await
}

async fn do_finish(s: &AppState, p: Params, headers: &HeaderMap, json_answer: bool) -> ApiResult<Response> {
    let state_id = p.any(&["state_id", "stateId"])?;
    if state_id.is_empty() {
        return Err(ApiError::new(ErrorKind::InvalidRequest, "Missing state_id"));
    }
    let project_id = state_id.split('.').next().unwrap_or_default();
    let project = if is_valid_project_id(project_id) {
        s.projects.get(&s.db, &s.settings.public_url, project_id).await?
    } else {
        None
    };
    let project = project.ok_or_else(|| ApiError::new(ErrorKind::InvalidRequest, "Unknown or used state_id"))?;
    let ctx = Ctx { project, now: s.now() };
    let login_id = p.any(&["login_id", "loginId"])?;
    let who = if login_id.is_empty() { Finisher::Sessions(session_jwts(headers)) } else { Finisher::LoginId(login_id) };
    let url = server::finish(&s.db, &ctx, &state_id, who).await?;
    Ok(if json_answer { Json(json!({ "url": url })).into_response() } else { found(&url) })
}

/// GET /oauth2/v1/finish-authorize
/// Finishes an authorization request that waited for a sign-in (`state_id`, and the session
/// or, at the emulator's page, `login_id`): redirects back to the client.
async fn finish_get(State(s): State<AppState>, headers: HeaderMap, RawQuery(q): RawQuery) -> ApiResult<Response> {
    do_finish(&s, Params::from_query(q.as_deref()), &headers, false).await
}

/// POST /oauth2/v1/finish-authorize
/// As the GET; a JSON body answers `{"url"}`, a form body the redirect.
async fn finish_post(
    State(s): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    let json_answer = is_json(&headers);
    let p = Params::from_query_and_body(q.as_deref(), &headers, &body)?;
    do_finish(&s, p, &headers, json_answer).await
}

fn client_ip(headers: &HeaderMap) -> IpAddr {
    headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .and_then(|ip| ip.trim().parse().ok())
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
}

async fn do_token(s: &AppState, app_id: Option<&str>, headers: &HeaderMap, body: &[u8]) -> ApiResult<Response> {
    do_token_at(s, app_id, "", headers, body).await
}

/// A token request; `mcp_server` names the MCP server of an agentic path ("" else).
async fn do_token_at(
    s: &AppState,
    app_id: Option<&str>,
    mcp_server: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiResult<Response> {
    let basic = basic_credentials(headers)?;
    let p = Params::from_body(headers, body)?;
    let posted_id = p.get("client_id")?;
    let posted_secret = Some(p.get("client_secret")?).filter(|s| !s.is_empty());
    let (client_id, client_secret) = match basic {
        Some((id, secret)) => {
            if posted_secret.is_some() {
                return Err(ApiError::new(ErrorKind::InvalidRequest, "Use one client authentication method"));
            }
            if !posted_id.is_empty() && posted_id != id {
                return Err(ApiError::new(ErrorKind::InvalidRequest, "client_id does not match HTTP Basic"));
            }
            (id, Some(secret).filter(|s| !s.is_empty()))
        }
        None => (posted_id, posted_secret),
    };
    if client_id.is_empty() {
        return Err(ApiError::new(ErrorKind::InvalidClient, "Missing client authentication"));
    }
    let ctx = ctx_of_client(s, &client_id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorKind::InvalidClient, format!("Unknown client {client_id}")))?;
    let req = TokenRequest {
        grant_type: p.get("grant_type")?,
        code: p.get("code")?,
        redirect_uri: p.get("redirect_uri")?,
        code_verifier: p.get("code_verifier")?,
        refresh_token: p.get("refresh_token")?,
        scope: p.get("scope")?,
        client_id,
        client_secret,
        device_code: p.get("device_code")?,
        auth_req_id: p.get("auth_req_id")?,
        resource: p.all("resource")?,
        mcp_server: mcp_server.to_owned(),
    };
    let out = server::token(&s.db, &ctx, app_id, req, client_ip(headers)).await?;
    let mut r = Json(out).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r.headers_mut().insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    Ok(r)
}

async fn do_device(s: &AppState, app_id: Option<&str>, headers: &HeaderMap, body: &[u8]) -> ApiResult<Response> {
    let basic = basic_credentials(headers)?;
    let p = Params::from_body(headers, body)?;
    let (client_id, secret) = match basic {
        Some((id, secret)) => (id, Some(secret).filter(|s| !s.is_empty())),
        None => (p.get("client_id")?, Some(p.get("client_secret")?).filter(|s| !s.is_empty())),
    };
    if client_id.is_empty() {
        return Err(ApiError::new(ErrorKind::InvalidClient, "Missing client authentication"));
    }
    let ctx = ctx_of_client(s, &client_id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorKind::InvalidClient, format!("Unknown client {client_id}")))?;
    let out =
        server::device_authorize(&s.db, &ctx, app_id, &client_id, secret.as_deref(), &p.get("scope")?).await?;
    let mut r = Json(out).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}

/// POST /oauth2/v1/device
/// Device authorization (RFC 8628): a device code to poll the token endpoint with and a user
/// code for the emulator's verification page.
async fn device(State(s): State<AppState>, headers: HeaderMap, body: Bytes) -> ApiResult<Response> {
    do_device(&s, None, &headers, &body).await
}

/// POST /{ssoAppId}/oauth2/v1/device
/// Device authorization of an OIDC SSO app.
async fn app_device(
    State(s): State<AppState>,
    Path(app): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    do_device(&s, Some(&app), &headers, &body).await
}

/// POST /oauth2/v1/token
/// Token endpoint: authorization_code (+PKCE), refresh_token (rotating), client_credentials.
async fn token(State(s): State<AppState>, headers: HeaderMap, body: Bytes) -> ApiResult<Response> {
    do_token(&s, None, &headers, &body).await
}

/// POST /{ssoAppId}/oauth2/v1/token
/// The token endpoint of an OIDC SSO app.
async fn app_token(
    State(s): State<AppState>,
    Path(app): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    do_token(&s, Some(&app), &headers, &body).await
}

fn invalid_token(message: &str) -> ApiError {
    ApiError::new(ErrorKind::InvalidSessionToken, message)
}

/// GET|POST /oauth2/v1/userinfo
/// The current claims of the access token's user, flat (OIDC Core 5.3).
async fn userinfo(State(s): State<AppState>, headers: HeaderMap, body: Bytes) -> ApiResult<Response> {
    let from_header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(|t| t.trim().to_owned());
    let token = match from_header {
        Some(t) => t,
        None => Params::from_body(&headers, &body).and_then(|p| p.get("access_token")).unwrap_or_default(),
    };
    if token.is_empty() {
        return Err(invalid_token("Missing access token"));
    }
    let ctx = ctx_of_token(&s, &token).await?.ok_or_else(|| invalid_token("Unknown access token"))?;
    Ok(Json(server::userinfo(&s.db, &ctx, &token).await?).into_response())
}

/// GET|POST /{ssoAppId}/oauth2/v1/userinfo
/// Userinfo of an OIDC SSO app.
async fn app_userinfo(
    State(s): State<AppState>,
    Path(_app): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    userinfo(State(s), headers, body).await
}

/// POST /oauth2/v1/revoke
/// Token revocation (RFC 7009): 200 `{}` whatever the token; a refresh token ends its session.
async fn revoke(State(s): State<AppState>, headers: HeaderMap, body: Bytes) -> ApiResult<Response> {
    basic_credentials(&headers)?;
    let p = Params::from_body(&headers, &body)?;
    let token = p.get("token")?;
    if token.is_empty() {
        return Err(ApiError::new(ErrorKind::InvalidRequest, "Missing token"));
    }
    if let Some(ctx) = ctx_of_token(&s, &token).await? {
        server::revoke(&s.db, &ctx, &token).await?;
    }
    Ok(Json(json!({})).into_response())
}

/// POST /{ssoAppId}/oauth2/v1/revoke
/// Token revocation of an OIDC SSO app.
async fn app_revoke(
    State(s): State<AppState>,
    Path(_app): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    revoke(State(s), headers, body).await
}

async fn do_logout(s: &AppState, p: Params) -> ApiResult<Response> {
    let hint = p.get("id_token_hint")?;
    let redirect = p.get("post_logout_redirect_uri")?;
    let state = p.get("state")?;
    if !hint.is_empty() {
        if let Some(ctx) = ctx_of_token(s, &hint).await? {
            server::logout(&s.db, &ctx, &hint).await?;
        }
    }
    if redirect.is_empty() {
        return Ok(Json(json!({})).into_response());
    }
    if url::Url::parse(&redirect).is_err() {
        return Err(ApiError::new(ErrorKind::InvalidRequest, "post_logout_redirect_uri must be an absolute URL"));
    }
    let pairs: Vec<(&str, &str)> = if state.is_empty() { vec![] } else { vec![("state", &state)] };
    Ok(found(&crate::domain::federation::idp::append_query(&redirect, &pairs)))
}

/// GET /oauth2/v1/logout
/// RP-initiated logout: ends the session of `id_token_hint`, then back to `post_logout_redirect_uri`.
async fn logout_get(State(s): State<AppState>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    do_logout(&s, Params::from_query(q.as_deref())).await
}

/// POST /oauth2/v1/logout
/// RP-initiated logout with a body.
async fn logout_post(
    State(s): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    do_logout(&s, Params::from_query_and_body(q.as_deref(), &headers, &body)?).await
}

/// GET /{ssoAppId}/oauth2/v1/logout
/// RP-initiated logout of an OIDC SSO app.
async fn app_logout_get(
    State(s): State<AppState>,
    Path(_app): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    do_logout(&s, Params::from_query(q.as_deref())).await
}

/// POST /{ssoAppId}/oauth2/v1/logout
/// RP-initiated logout of an OIDC SSO app, with a body.
async fn app_logout_post(
    State(s): State<AppState>,
    Path(_app): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    do_logout(&s, Params::from_query_and_body(q.as_deref(), &headers, &body)?).await
}

pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// The emulator's sign-in page: pick a user of the project or type a login ID.
fn signin_page(state_id: &str, users: &[server::KnownUser], client_id: &str) -> String {
    let finish = |login_id: &str| {
        format!(
            "/oauth2/v1/finish-authorize?{}",
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("state_id", state_id)
                .append_pair("login_id", login_id)
                .finish()
        )
    };
    let mut body = format!(
        "<h1>Sign in</h1><p class=\"sub\">to continue to {}</p>",
        esc(client_id)
    );
    for u in users {
        let label = if u.name.is_empty() { u.login_id.clone() } else { u.name.clone() };
        let initial = label.chars().next().map(|c| c.to_uppercase().to_string()).unwrap_or_default();
        body.push_str(&format!(
            "<a class=\"account\" href=\"{}\"><span class=\"avatar\">{}</span><span class=\"who\">{}<small>{}</small></span></a>",
            esc(&finish(&u.login_id)),
            esc(&initial),
            esc(&label),
            esc(&u.login_id)
        ));
    }
    if !users.is_empty() {
        body.push_str("<div class=\"or\">or type a login ID</div>");
    }
    body.push_str(&format!(
        "<form method=\"get\" action=\"/oauth2/v1/finish-authorize\"><input type=\"hidden\" name=\"state_id\" value=\"{}\">\
         <label for=\"login_id\">Login ID of a user of the project</label>\
         <input id=\"login_id\" type=\"text\" name=\"login_id\" required>\
         <button id=\"signin\" type=\"submit\">Continue</button></form>",
        esc(state_id)
    ));
    crate::api::emulator::idp::frame_with("Sign in", "Emulator sign-in", &body)
}

/// GET /oauth2/v1/apps/{project_id}/authorize
/// Inbound apps' authorization request (the project in the path).
async fn project_authorize_get(
    State(s): State<AppState>,
    Path(_project): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    do_authorize(&s, None, Params::from_query(q.as_deref()), &headers).await
}

/// POST /oauth2/v1/apps/{project_id}/authorize
/// Inbound apps' authorization request as a body.
async fn project_authorize_post(
    State(s): State<AppState>,
    Path(_project): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    let p = Params::from_query_and_body(q.as_deref(), &headers, &body)?;
    do_authorize(&s, None, p, &headers).await
}

/// POST /oauth2/v1/apps/{project_id}/token
/// Inbound apps' token endpoint (the project in the path).
async fn project_token(
    State(s): State<AppState>,
    Path(_project): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    do_token(&s, None, &headers, &body).await
}

/// POST /oauth2/v1/apps/{project_id}/device
/// Inbound apps' device authorization (the project in the path).
async fn project_device(
    State(s): State<AppState>,
    Path(_project): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    do_device(&s, None, &headers, &body).await
}

/// GET /oauth2/v1/apps/agentic/{project_id}/{mcp_server_id}/authorize
/// The authorization request of an MCP server's clients.
async fn agentic_authorize_get(
    State(s): State<AppState>,
    Path((_project, server)): Path<(String, String)>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    do_authorize_at(&s, None, &server, Params::from_query(q.as_deref()), &headers).await
}

/// POST /oauth2/v1/apps/agentic/{project_id}/{mcp_server_id}/authorize
/// The authorization request of an MCP server's clients, as a body.
async fn agentic_authorize_post(
    State(s): State<AppState>,
    Path((_project, server)): Path<(String, String)>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    let p = Params::from_query_and_body(q.as_deref(), &headers, &body)?;
    do_authorize_at(&s, None, &server, p, &headers).await
}

/// POST /oauth2/v1/apps/agentic/{project_id}/{mcp_server_id}/token
/// The token endpoint of an MCP server's clients.
async fn agentic_token(
    State(s): State<AppState>,
    Path((_project, server)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    do_token_at(&s, None, &server, &headers, &body).await
}

async fn do_bc_authorize(s: &AppState, headers: &HeaderMap, body: &[u8]) -> ApiResult<Response> {
    let basic = basic_credentials(headers)?;
    let p = Params::from_body(headers, body)?;
    let (client_id, secret) = match basic {
        Some((id, secret)) => (id, Some(secret).filter(|s| !s.is_empty())),
        None => (p.get("client_id")?, Some(p.get("client_secret")?).filter(|s| !s.is_empty())),
    };
    if client_id.is_empty() {
        return Err(ApiError::new(ErrorKind::InvalidClient, "Missing client authentication"));
    }
    let ctx = ctx_of_client(s, &client_id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorKind::InvalidClient, format!("Unknown client {client_id}")))?;
    let expiry = p.get("requested_expiry")?;
    let expiry = if expiry.is_empty() {
        0
    } else {
        expiry
            .parse::<i64>()
            .map_err(|_| ApiError::new(ErrorKind::InvalidRequest, "requested_expiry must be a number of seconds"))?
    };
    let out = server::ciba_authorize(
        &s.db,
        &ctx,
        &client_id,
        secret.as_deref(),
        &p.get("scope")?,
        &p.any(&["login_hint", "loginHint"])?,
        expiry,
    )
    .await?;
    let mut r = Json(out).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}

/// POST /oauth2/v1/apps/bc-authorize
/// CIBA (poll mode): the queued identity or the `login_hint` user approves at once; poll the
/// token endpoint with `grant_type=urn:openid:params:grant-type:ciba` and `auth_req_id`.
async fn bc_authorize(State(s): State<AppState>, headers: HeaderMap, body: Bytes) -> ApiResult<Response> {
    do_bc_authorize(&s, &headers, &body).await
}

/// POST /oauth2/v1/apps/{project_id}/bc-authorize
/// CIBA with the project in the path.
async fn project_bc_authorize(
    State(s): State<AppState>,
    Path(_project): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    do_bc_authorize(&s, &headers, &body).await
}

async fn do_entra_mfa(s: &AppState, app_id: Option<&str>, p: Params, headers: &HeaderMap) -> ApiResult<Response> {
    let req = server::EntraMfaRequest {
        client_id: p.get("client_id")?,
        redirect_uri: p.get("redirect_uri")?,
        response_type: p.get("response_type")?,
        scope: p.get("scope")?,
        state: p.get("state")?,
        nonce: p.get("nonce")?,
        id_token_hint: p.get("id_token_hint")?,
        claims: p.get("claims")?,
        login_hint: p.any(&["login_hint", "loginHint"])?,
    };
    if req.client_id.is_empty() {
        return Err(ApiError::new(ErrorKind::InvalidRequest, "Missing client_id"));
    }
    let ctx = ctx_of_client(s, &req.client_id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorKind::InvalidRequest, format!("Unknown client_id {}", req.client_id)))?;
    let post = server::entra_mfa(&s.db, &ctx, app_id, req, &session_jwts(headers)).await?;
    let fields: Vec<(&str, &str)> = post.fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Ok(Html(crate::domain::apps::saml_xml::post_form(&post.url, &fields)).into_response())
}

/// POST /oauth2/v1/authorize/entramfa
/// Entra ID external authentication method: an `id_token` for the `id_token_hint`'s subject,
/// with the `acr`/`amr` Entra asks for, posted to `redirect_uri` (`response_mode=form_post`).
async fn entra_mfa(
    State(s): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    let p = Params::from_query_and_body(q.as_deref(), &headers, &body)?;
    do_entra_mfa(&s, None, p, &headers).await
}

/// POST /{ssoAppId}/oauth2/v1/authorize/entramfa
/// The Entra ID external authentication method of an OIDC SSO app.
async fn app_entra_mfa(
    State(s): State<AppState>,
    Path(app): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    let p = Params::from_query_and_body(q.as_deref(), &headers, &body)?;
    do_entra_mfa(&s, Some(&app), p, &headers).await
}
