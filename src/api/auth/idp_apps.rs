//! Descope API groups `SAML`, `WSFed`, `federatedApps`: Descope as a SAML 2.0 and WS-Fed
//! identity provider for SSO apps. The rules are in [`crate::domain::apps::saml_idp`].
//!
//! The browser endpoints (`sso`, `initiate`) answer an auto-submitting form that POSTs the
//! signed message to the app, or the emulator's sign-in page, whose choice comes back through
//! `sso-finish` (a form body answers the form, a JSON body — a hosted flow with the user's
//! session — answers the JSON Descope documents). The project comes from `projectId`, else
//! from the app ID (`app` / `ssoAppId`), else from the `state_id`.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use crate::api::oidc::{esc, is_json, session_jwts, Params};
use crate::domain::apps::saml_idp::{self, Delivery, IdpOutcome, IdpRequest, Protocol};
use crate::domain::apps::saml_xml;
use crate::domain::apps::server::{Finisher, KnownUser};
use crate::domain::projects::is_valid_project_id;
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        GET "/v1/auth/saml/idp/sso" => saml_sso_get,
        POST "/v1/auth/saml/idp/sso" => saml_sso_post,
        GET "/v1/auth/saml/idp/initiate" => saml_initiate_get,
        POST "/v1/auth/saml/idp/initiate" => saml_initiate_post,
        POST "/v1/auth/saml/idp/sso-finish" => saml_finish,
        GET "/v1/auth/wsfed/idp/sso" => wsfed_sso_get,
        POST "/v1/auth/wsfed/idp/sso" => wsfed_sso_post,
        GET "/v1/auth/wsfed/idp/initiate" => wsfed_initiate_get,
        POST "/v1/auth/wsfed/idp/initiate" => wsfed_initiate_post,
        POST "/v1/auth/wsfed/idp/sso-finish" => wsfed_finish,
    }
}

/// The longest `SAMLRequest` taken (base64).
const MAX_SAML_REQUEST: usize = 128 * 1024;

/// The project of a request: `projectId`, else the one holding the app.
pub(crate) async fn ctx_of(s: &AppState, project_id: &str, app_id: &str) -> ApiResult<Ctx> {
    let unknown = || ApiError::not_found("Unknown project or SSO application");
    if !project_id.is_empty() {
        if !is_valid_project_id(project_id) {
            return Err(unknown());
        }
        let project = s.projects.get(&s.db, &s.settings.public_url, project_id).await?.ok_or_else(unknown)?;
        return Ok(Ctx { project, now: s.now() });
    }
    if app_id.is_empty() {
        return Err(ApiError::missing("app"));
    }
    let scopes = {
        let mut conn = s.db.acquire().await?;
        crate::store::apps::scopes_of_sso_app(&mut conn, app_id).await?
    };
    for scope in scopes {
        let project_id = scope.split('.').next().unwrap_or_default();
        if !is_valid_project_id(project_id) {
            continue;
        }
        if let Some(project) = s.projects.get(&s.db, &s.settings.public_url, project_id).await? {
            if project.scope.as_str() == scope {
                return Ok(Ctx { project, now: s.now() });
            }
        }
    }
    Err(unknown())
}

/// The raw `SAMLRequest` (longer than other parameters may be).
fn saml_request(p: &Params) -> ApiResult<String> {
    let mut values = p.0.iter().filter(|(k, _)| k == "SAMLRequest").map(|(_, v)| v);
    let first = values.next().cloned().unwrap_or_default();
    if values.next().is_some() {
        return Err(ApiError::bad_request("SAMLRequest was sent more than once"));
    }
    if first.len() > MAX_SAML_REQUEST {
        return Err(ApiError::bad_request("SAMLRequest is too long"));
    }
    // A `+` the SP did not percent-encode arrives as a space.
    Ok(first.replace(' ', "+"))
}

fn app_of(p: &Params) -> ApiResult<String> {
    p.any(&["app", "ssoAppId", "sso_app_id", "appId"])
}

fn login_hint_of(p: &Params) -> ApiResult<String> {
    p.any(&["LoginHint", "loginHint", "login_hint"])
}

fn outcome_page(outcome: IdpOutcome, protocol: Protocol) -> Response {
    match outcome {
        IdpOutcome::Post(delivery) => Html(delivery.form()).into_response(),
        IdpOutcome::SignIn { state_id, users, app_name } => {
            Html(signin_page(protocol, &state_id, &users, &app_name)).into_response()
        }
    }
}

async fn saml_sso(s: &AppState, p: Params, headers: &HeaderMap, deflated: bool) -> ApiResult<Response> {
    let raw = saml_request(&p)?;
    if raw.is_empty() {
        return Err(ApiError::missing("SAMLRequest"));
    }
    let xml = saml_xml::decode_request(&raw, deflated)?;
    let authn = saml_xml::parse_authn_request(&xml)?;
    let app = app_of(&p)?;
    let ctx = ctx_of(s, &p.get("projectId")?, &app).await?;
    let req = IdpRequest {
        protocol: Protocol::Saml,
        app_id: app,
        authn_request: Some(authn),
        relay_state: p.get("RelayState")?,
        login_hint: login_hint_of(&p)?,
        ..IdpRequest::default()
    };
    let outcome = saml_idp::start(&s.db, &ctx, req, &session_jwts(headers)).await?;
    Ok(outcome_page(outcome, Protocol::Saml))
}

/// GET /v1/auth/saml/idp/sso
/// SP-initiated SAML sign-in, HTTP-Redirect binding (`SAMLRequest` DEFLATE + base64,
/// `RelayState`): the signed Response posted to the ACS URL, or the sign-in page.
async fn saml_sso_get(State(s): State<AppState>, headers: HeaderMap, RawQuery(q): RawQuery) -> ApiResult<Response> {
    saml_sso(&s, Params::from_query(q.as_deref()), &headers, true).await
}

/// POST /v1/auth/saml/idp/sso
/// SP-initiated SAML sign-in, HTTP-POST binding (`SAMLRequest` base64 in a form).
async fn saml_sso_post(
    State(s): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    let p = Params::from_query_and_body(q.as_deref(), &headers, &body)?;
    saml_sso(&s, p, &headers, false).await
}

async fn saml_initiate(s: &AppState, p: Params, headers: &HeaderMap) -> ApiResult<Response> {
    let app = app_of(&p)?;
    if app.is_empty() {
        return Err(ApiError::missing("app"));
    }
    let ctx = ctx_of(s, &p.get("projectId")?, &app).await?;
    let req = IdpRequest {
        protocol: Protocol::Saml,
        app_id: app,
        relay_state: p.get("RelayState")?,
        login_hint: login_hint_of(&p)?,
        ..IdpRequest::default()
    };
    let outcome = saml_idp::start(&s.db, &ctx, req, &session_jwts(headers)).await?;
    Ok(outcome_page(outcome, Protocol::Saml))
}

/// GET /v1/auth/saml/idp/initiate
/// IdP-initiated SAML sign-in (`app`, `RelayState`, `LoginHint`, `tenant`): an unsolicited
/// signed Response posted to the app's ACS URL.
async fn saml_initiate_get(
    State(s): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    saml_initiate(&s, Params::from_query(q.as_deref()), &headers).await
}

/// POST /v1/auth/saml/idp/initiate
/// IdP-initiated SAML sign-in with a form body.
async fn saml_initiate_post(
    State(s): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    let p = Params::from_query_and_body(q.as_deref(), &headers, &body)?;
    saml_initiate(&s, p, &headers).await
}

/// The fields of a finish call: `state_id`, `sso_app_id`, `login_id` (the emulator's page) and
/// the additional SAML attributes (JSON only).
struct FinishBody {
    state_id: String,
    app_id: String,
    login_id: String,
    additional: Map<String, Value>,
}

fn finish_body(headers: &HeaderMap, q: Option<&str>, body: &[u8]) -> ApiResult<(FinishBody, bool)> {
    let json = is_json(headers) || body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    if !json {
        let p = Params::from_query_and_body(q, headers, body)?;
        let out = FinishBody {
            state_id: p.any(&["state_id", "stateId"])?,
            app_id: p.any(&["sso_app_id", "ssoAppId"])?,
            login_id: p.any(&["login_id", "loginId"])?,
            additional: Map::new(),
        };
        return Ok((out, false));
    }
    let value: Value = if body.iter().all(|b| b.is_ascii_whitespace()) {
        Value::Object(Map::new())
    } else {
        serde_json::from_slice(body).map_err(|e| ApiError::bad_request(format!("Invalid JSON body: {e}")))?
    };
    let Value::Object(map) = value else {
        return Err(ApiError::bad_request("The body must be a JSON object"));
    };
    let text = |names: &[&str]| -> ApiResult<String> {
        for n in names {
            match map.get(*n) {
                Some(Value::String(s)) if !s.is_empty() => return Ok(s.clone()),
                None | Some(Value::Null) | Some(Value::String(_)) => {}
                Some(_) => return Err(ApiError::invalid(format!("{n} must be a string"))),
            }
        }
        Ok(String::new())
    };
    let additional = match map.get("additionalSAMLAttributes") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => return Err(ApiError::invalid("additionalSAMLAttributes must be an object")),
    };
    let out = FinishBody {
        state_id: text(&["state_id", "stateId"])?,
        app_id: text(&["sso_app_id", "ssoAppId"])?,
        login_id: text(&["login_id", "loginId"])?,
        additional,
    };
    Ok((out, true))
}

async fn finish(
    s: &AppState,
    protocol: Protocol,
    headers: &HeaderMap,
    q: Option<&str>,
    body: &[u8],
) -> ApiResult<Response> {
    let (f, json_answer) = finish_body(headers, q, body)?;
    if f.state_id.is_empty() {
        return Err(ApiError::missing("state_id"));
    }
    let project_id = f.state_id.split('.').next().unwrap_or_default();
    let unknown = || ApiError::invalid("Unknown or used state_id");
    if !is_valid_project_id(project_id) {
        return Err(unknown());
    }
    let project = s.projects.get(&s.db, &s.settings.public_url, project_id).await?.ok_or_else(unknown)?;
    let ctx = Ctx { project, now: s.now() };
    let who = if f.login_id.is_empty() { Finisher::Sessions(session_jwts(headers)) } else { Finisher::LoginId(f.login_id) };
    let delivery = saml_idp::finish(&s.db, &ctx, protocol, &f.state_id, &f.app_id, who, &f.additional).await?;
    Ok(if json_answer { Json(finish_json(&delivery)).into_response() } else { Html(delivery.form()).into_response() })
}

fn finish_json(d: &Delivery) -> Value {
    match d.protocol {
        Protocol::Saml => json!({
            "url": d.url,
            "samlResponse": d.message,
            "relayState": d.relay_state,
            "error": d.error,
        }),
        Protocol::Wsfed => json!({
            "replyURL": d.url,
            "wresult": d.message,
            "wctx": d.relay_state,
            "error": d.error,
        }),
    }
}

/// POST /v1/auth/saml/idp/sso-finish
/// Finishes a SAML sign-in that waited for someone: `{state_id, sso_app_id,
/// additionalSAMLAttributes}` with the user's session → `{url, samlResponse, relayState,
/// error}`; the emulator's sign-in page posts `state_id` and `login_id` and gets the form.
async fn saml_finish(
    State(s): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    finish(&s, Protocol::Saml, &headers, q.as_deref(), &body).await
}

/// POST /v1/auth/wsfed/idp/sso-finish
/// Finishes a WS-Fed sign-in that waited: → `{replyURL, wresult, wctx, error}` (JSON body) or
/// the form posting `wresult` (form body).
async fn wsfed_finish(
    State(s): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    finish(&s, Protocol::Wsfed, &headers, q.as_deref(), &body).await
}

async fn wsfed(s: &AppState, p: Params, headers: &HeaderMap, initiated: bool) -> ApiResult<Response> {
    let realm = if initiated { String::new() } else { p.get("wtrealm")? };
    if !initiated {
        let wa = p.get("wa")?;
        if wa != "wsignin1.0" {
            return Err(ApiError::invalid(format!("Unsupported wa {wa:?}: only wsignin1.0 is supported")));
        }
    }
    let app = app_of(&p)?;
    let ctx = ctx_of(s, &p.get("projectId")?, &app).await?;
    let req = IdpRequest {
        protocol: Protocol::Wsfed,
        app_id: app,
        relay_state: p.any(&["wctx", "RelayState"])?,
        login_hint: login_hint_of(&p)?,
        reply: if initiated { String::new() } else { p.get("wreply")? },
        realm,
        ..IdpRequest::default()
    };
    let outcome = saml_idp::start(&s.db, &ctx, req, &session_jwts(headers)).await?;
    Ok(outcome_page(outcome, Protocol::Wsfed))
}

/// GET /v1/auth/wsfed/idp/sso
/// WS-Fed passive sign-in (`wa=wsignin1.0`, `wtrealm`, `wreply`, `wctx`): the form posting
/// `wresult` (a signed SAML 2.0 assertion in a RequestSecurityTokenResponse) to the reply URL.
async fn wsfed_sso_get(State(s): State<AppState>, headers: HeaderMap, RawQuery(q): RawQuery) -> ApiResult<Response> {
    wsfed(&s, Params::from_query(q.as_deref()), &headers, false).await
}

/// POST /v1/auth/wsfed/idp/sso
/// WS-Fed passive sign-in with a form body.
async fn wsfed_sso_post(
    State(s): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    let p = Params::from_query_and_body(q.as_deref(), &headers, &body)?;
    wsfed(&s, p, &headers, false).await
}

/// GET /v1/auth/wsfed/idp/initiate
/// IdP-initiated WS-Fed sign-in (`app`, `wctx`, `LoginHint`) to the app's reply URL.
async fn wsfed_initiate_get(
    State(s): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let p = Params::from_query(q.as_deref());
    if app_of(&p)?.is_empty() {
        return Err(ApiError::missing("app"));
    }
    wsfed(&s, p, &headers, true).await
}

/// POST /v1/auth/wsfed/idp/initiate
/// IdP-initiated WS-Fed sign-in with a form body.
async fn wsfed_initiate_post(
    State(s): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    let p = Params::from_query_and_body(q.as_deref(), &headers, &body)?;
    if app_of(&p)?.is_empty() {
        return Err(ApiError::missing("app"));
    }
    wsfed(&s, p, &headers, true).await
}

/// The emulator's sign-in page of the IdP: pick a user or type a login ID; each choice posts
/// to `sso-finish`.
fn signin_page(protocol: Protocol, state_id: &str, users: &[KnownUser], app_name: &str) -> String {
    let action = match protocol {
        Protocol::Saml => "/v1/auth/saml/idp/sso-finish",
        Protocol::Wsfed => "/v1/auth/wsfed/idp/sso-finish",
    };
    let hidden = format!("<input type=\"hidden\" name=\"state_id\" value=\"{}\">", esc(state_id));
    let mut body = format!("<h1>Sign in</h1><p class=\"sub\">to continue to {}</p>", esc(app_name));
    for u in users {
        let label = if u.name.is_empty() { u.login_id.clone() } else { u.name.clone() };
        body.push_str(&format!(
            "<form method=\"post\" action=\"{action}\">{hidden}\
             <input type=\"hidden\" name=\"login_id\" value=\"{}\">\
             <button class=\"account\" type=\"submit\">{} <small>{}</small></button></form>",
            esc(&u.login_id),
            esc(&label),
            esc(&u.login_id)
        ));
    }
    if !users.is_empty() {
        body.push_str("<div class=\"or\">or type a login ID</div>");
    }
    body.push_str(&format!(
        "<form method=\"post\" action=\"{action}\">{hidden}\
         <label for=\"login_id\">Login ID of a user of the project</label>\
         <input id=\"login_id\" type=\"text\" name=\"login_id\" required>\
         <button id=\"signin\" type=\"submit\">Continue</button></form>"
    ));
    crate::api::emulator::idp::frame_with("Sign in", "Emulator sign-in", &body)
}
