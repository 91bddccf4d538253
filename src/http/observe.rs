//! Fault injection and the request log, around every Descope API request of a project.
//!
//! The request's operation comes from its method and path ([`super::operations`]), its
//! project from (in order) a `{projectId}`/`{project_id}` path segment, the bearer header
//! (`Bearer <projectId>[:...]`, or a JWT whose `iss` names the project), the
//! `x-descope-project-id` header, or a `projectId`/`project_id` query parameter. Requests of
//! no existing project, and the emulator's own routes, pass untouched.

use axum::body::{Body, Bytes, HttpBody as _};
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Instant;

use super::operations::{self, Operation};
use crate::domain::superpowers::faults::Fault;
use crate::domain::superpowers::requests::{self, LoggedRequest};
use crate::state::AppState;

/// Sent by the emulator's web page with its own Descope calls, which stay out of the log.
pub const CONSOLE_HEADER: &str = "x-descope-emulator-console";

/// Runs `next` for `req` (whose whole body is `body`), applying the project's fault rules
/// first and recording the request in the project's log.
pub async fn around(app: &AppState, req: Request, body: Bytes, next: Next) -> Response {
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let console = req.headers().contains_key(CONSOLE_HEADER);
    let Some(op) = operations::resolve(&method, &path).filter(|_| !console) else {
        return next.run(req).await;
    };
    if op.is_emulator() {
        // The emulator's own calls of a seeded project draw from its generator too.
        let project = operations::path_param(op.path, &path, "projectId").map(str::to_owned);
        return match project {
            Some(id) => app.projects.seeds().scope(&id, next.run(req)).await,
            None => next.run(req).await,
        };
    }
    let candidates = project_candidates(&req, &op);
    let Some(project_id) = project_of(app, candidates).await else {
        return next.run(req).await;
    };
    let seeds = app.projects.seeds().clone();
    seeds.scope(&project_id, observed(app, req, body, next, op, &project_id)).await
}

/// [`around`] for a request of an existing project: its fault rules, then the log.
async fn observed(
    app: &AppState,
    req: Request,
    body: Bytes,
    next: Next,
    op: Operation,
    project_id: &str,
) -> Response {
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let started = Instant::now();
    let fault = if app.powers.has_faults(project_id) {
        app.powers.take_fault(project_id, &method, op.path)
    } else {
        None
    };
    let request_headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let request_type = content_type(req.headers());
    if let Some(f) = &fault {
        if f.delay_ms > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(f.delay_ms)).await;
        }
    }
    let response = match fault.as_ref().filter(|f| f.status.is_some()) {
        Some(f) => fault_response(f),
        None => next.run(req).await,
    };
    let status = response.status().as_u16();
    let response_type = content_type(response.headers());
    let (response, response_body) = if response.body().size_hint().exact().is_some() {
        let (parts, b) = response.into_parts();
        let bytes = http_body_util::BodyExt::collect(b).await.map(|c| c.to_bytes()).unwrap_or_default();
        let logged = requests::Body::new(&bytes, &response_type);
        (Response::from_parts(parts, Body::from(bytes)), logged)
    } else {
        (response, requests::Body::streamed(&response_type))
    };
    app.powers.record(
        project_id,
        LoggedRequest {
            time_ms: app.now().millis(),
            method,
            path,
            operation_id: op.operation_id.map(str::to_owned),
            status,
            latency_ms: started.elapsed().as_millis() as u64,
            request_headers,
            request_body: requests::Body::new(&body, &request_type),
            response_body,
            fault: fault.map(|f| f.id),
        },
    );
    response
}

fn content_type(headers: &axum::http::HeaderMap) -> String {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase()
}

/// The answer of a fault rule with a status: the Descope error body (and `Retry-After` on 429).
fn fault_response(f: &Fault) -> Response {
    let rule = f.rule();
    let status =
        rule.status.and_then(|s| StatusCode::from_u16(s).ok()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::json!({
        "errorCode": rule.code(),
        "errorDescription": rule.description(),
        "errorMessage": rule.message(),
    });
    let mut response = (status, axum::Json(body)).into_response();
    let retry_after = rule.retry_after_seconds.or((status == StatusCode::TOO_MANY_REQUESTS).then_some(0));
    if let Some(secs) = retry_after {
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    response
}

/// The projects a request may be for, in order.
fn project_candidates(req: &Request, op: &Operation) -> [Option<String>; 5] {
    let path = req.uri().path();
    [
        operations::path_param(op.path, path, "projectId").map(str::to_owned),
        operations::path_param(op.path, path, "project_id").map(str::to_owned),
        bearer_project(req),
        req.headers().get("x-descope-project-id").and_then(|v| v.to_str().ok()).map(str::to_owned),
        query_project(req.uri().query()),
    ]
}

/// The first of the candidates that is an existing project.
async fn project_of(app: &AppState, candidates: [Option<String>; 5]) -> Option<String> {
    for id in candidates.into_iter().flatten() {
        if crate::domain::projects::is_valid_project_id(&id)
            && app.projects.get(&app.db, &app.settings.public_url, &id).await.ok().flatten().is_some()
        {
            return Some(id);
        }
    }
    None
}

/// `Bearer <projectId>[:...]`, or the project a bearer JWT's issuer names.
fn bearer_project(req: &Request) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value.split_once(' ').map_or(value, |(_, t)| t).trim();
    let first = token.split(':').next()?;
    if first.starts_with('P') && !first.contains('.') {
        return Some(first.to_owned());
    }
    crate::domain::federation::sso_login::project_of_token(first)
}

fn query_project(query: Option<&str>) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == "projectId" || k == "project_id")
        .map(|(_, v)| v.into_owned())
}
