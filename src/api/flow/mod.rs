//! What `<descope-wc>` needs to run a flow against the emulator: the flow API
//! (`/v1/flow/start`, `/v1/flow/next`), the files Descope serves from its static site
//! (`/pages/{projectId}/v2-beta/...`: `config.json`, `theme.json`, screens) and the
//! `@descope/web-components-ui` bundle its CDN serves (`/npm/...`, see [`bundle`]).
//! Every answer of the flow API is JSON, errors included: the component retries anything
//! it cannot parse for seconds.

pub(crate) mod bundle;

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::domain::flows::{self, Engine, Outcome, Screen, StartOptions, Step};
use crate::domain::Ctx;
use crate::dto::auth::{AuthResponse, JwtResponse};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{DescopeJson, EmulatorProject, ProjectAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/flow/start" => start,
        POST "/v1/flow/next" => next,
        GET "/pages/{projectId}/v2-beta/{file}" => page_file,
        GET "/pages/{projectId}/v2-beta/{tenantId}/{file}" => tenant_page_file,
        GET "/npm/{scope}/{package}/dist/{*file}" => bundle::serve,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct StartBody {
    flow_id: String,
    options: StartOptions,
    interaction_id: String,
    input: Map<String, Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct NextBody {
    execution_id: String,
    step_id: String,
    interaction_id: String,
    input: Map<String, Value>,
}

/// `FlowResponse` of core-js.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct FlowResponse {
    execution_id: String,
    step_id: String,
    step_name: String,
    status: &'static str,
    action: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    screen: Option<Value>,
    /// `{transactionId, options, create}` of a WebAuthn start, for `webauthnCreate|Get`.
    #[serde(skip_serializing_if = "Option::is_none")]
    webauthn: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_info: Option<JwtResponse>,
}

fn engine<'a>(s: &'a AppState, ctx: &'a Ctx) -> Engine<'a> {
    Engine { db: &s.db, outbox: &s.outbox, hasher: &s.hasher, ctx }
}

/// POST /v1/flow/start
async fn start(
    State(s): State<AppState>,
    ProjectAuth(ctx): ProjectAuth,
    DescopeJson(body): DescopeJson<StartBody>,
) -> ApiResult<Response> {
    if body.flow_id.is_empty() {
        return Err(ApiError::missing("flowId"));
    }
    let step = engine(&s, &ctx).start(&body.flow_id, body.options, &body.interaction_id, &body.input).await?;
    Ok(respond(&ctx, step))
}

/// POST /v1/flow/next
async fn next(
    State(s): State<AppState>,
    ProjectAuth(ctx): ProjectAuth,
    DescopeJson(body): DescopeJson<NextBody>,
) -> ApiResult<Response> {
    let step =
        engine(&s, &ctx).next(&body.execution_id, &body.step_id, &body.interaction_id, &body.input).await?;
    Ok(respond(&ctx, step))
}

fn respond(ctx: &Ctx, step: Step) -> Response {
    let Step { execution_id, step_id, outcome } = step;
    let mut webauthn = None;
    let (status, action, screen, auth, name) = match outcome {
        Outcome::Screen { screen, state } => {
            let dto = json!({"id": screen.id(), "state": state, "componentsConfig": {}});
            ("running", "screen", Some(dto), None, screen.name().to_owned())
        }
        Outcome::Poll { screen } => ("running", "poll", None, None, screen.name().to_owned()),
        Outcome::Page { id, name, state } => {
            ("running", "screen", Some(json!({"id": id, "state": state, "componentsConfig": {}})), None, name)
        }
        Outcome::PagePoll { name } => ("running", "poll", None, None, name),
        Outcome::WebAuthn(started) => {
            let action = if started.create { "webauthnCreate" } else { "webauthnGet" };
            webauthn = Some(json!({
                "transactionId": started.transaction_id,
                "options": started.options,
                "create": started.create,
            }));
            // The component reads `screen.state` of every answer; without a screen ID it
            // renders nothing and waits for the answer to its `submit`.
            ("running", action, Some(json!({"state": {}})), None, "Passkey".to_owned())
        }
        Outcome::Completed(info) => {
            ("completed", "none", None, Some(AuthResponse::new(ctx, &info)), "Signed in".to_owned())
        }
    };
    let (auth_info, cookie) = match auth.map(AuthResponse::into_parts) {
        Some((body, cookie)) => (Some(body), cookie),
        None => (None, None),
    };
    let body = FlowResponse {
        execution_id,
        step_id,
        step_name: name,
        status,
        action,
        screen,
        webauthn,
        auth_info,
    };
    let mut response = Json(body).into_response();
    if let Some(c) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    response
}

/// GET /pages/{projectId}/v2-beta/{file}: `config.json`, `theme.json`, `<screenId>.html`
/// (a built-in screen, or one of the project's imported flows).
async fn page_file(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    Path((_, file)): Path<(String, String)>,
) -> ApiResult<Response> {
    let html = |body: String| {
        ([(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], body)
            .into_response()
    };
    if file == "config.json" {
        let flows = flows::interpreter::flow_ids(&s.db, &ctx).await?;
        let body = config(flows.iter().map(|(id, v)| (id.as_str(), *v))).to_string();
        return Ok(([(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "no-cache")], body)
            .into_response());
    }
    match static_file(&file) {
        Err(e) if file.ends_with(".html") => {
            // `<screenId>.html` or `<screenId>-<locale>.html` of an imported flow.
            let id = file.trim_end_matches(".html");
            if let Some(body) = flows::interpreter::screen_html(&s.db, &ctx, id).await? {
                return Ok(html(body));
            }
            match id.rsplit_once('-') {
                Some((base, _)) => {
                    flows::interpreter::screen_html(&s.db, &ctx, base).await?.map(html).ok_or(e)
                }
                None => Err(e),
            }
        }
        other => other,
    }
}

/// GET /pages/{projectId}/v2-beta/{tenantId}/theme.json: a tenant's theme is the project's.
async fn tenant_page_file(
    EmulatorProject(_ctx): EmulatorProject,
    Path((_, _, file)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    if file != "theme.json" {
        return Err(ApiError::not_found(format!("No file {file}")));
    }
    static_file(&file)
}

fn static_file(file: &str) -> ApiResult<Response> {
    let not_found = || ApiError::not_found(format!("No file {file}"));
    let (body, kind): (Vec<u8>, &str) = match file {
        "config.json" => {
            (config(flows::BUILT_IN.iter().map(|id| (*id, 1))).to_string().into_bytes(), "application/json")
        }
        "theme.json" => (bundle::theme().to_vec(), "application/json"),
        _ => {
            // `<screenId>.html`, or `<screenId>-<locale>.html` (no locales: the same screen).
            let id = file.strip_suffix(".html").ok_or_else(not_found)?;
            let screen = Screen::by_id(id)
                .or_else(|| id.rsplit_once('-').and_then(|(base, _)| Screen::by_id(base)))
                .ok_or_else(not_found)?;
            (screen.html().as_bytes().to_vec(), "text/html; charset=utf-8")
        }
    };
    Ok(([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "no-cache")], body).into_response())
}

/// The project configuration the component reads first: the components version (so it asks
/// for the bundle this emulator serves) and the flows. No `startScreenId`, so the first
/// screen comes from `/v1/flow/start`.
fn config<'a>(ids: impl Iterator<Item = (&'a str, i64)>) -> Value {
    let mut flows: Map<String, Value> =
        flows::BUILT_IN.iter().map(|id| ((*id).to_owned(), json!({"version": 1}))).collect();
    flows.extend(ids.map(|(id, version)| (id.to_owned(), json!({ "version": version }))));
    json!({"componentsVersion": bundle::version(), "flows": flows})
}
