//! Cross-cutting layers: the Host and origin guard, CORS for browser SDKs, the emulator
//! header, and a safety net that turns any non-JSON error response into the Descope error
//! body.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::config::{AllowedHosts, CorsOrigins};
use crate::error::{ApiError, ErrorKind};

pub const EMULATOR_HEADER: &str = "x-descope-emulator";
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

fn cors_headers(headers: &mut HeaderMap, origin: &HeaderValue) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
    headers.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
}

/// The emulator's own endpoints (projects with their keys, snapshots, outbox, clock): served
/// to same-origin pages and to the origins `--cors-origins` names, never to any web origin.
/// The health check reveals nothing and stays open to every origin.
fn is_emulator_path(path: &str) -> bool {
    path.starts_with("/emulator/") && path != "/emulator/v1/health"
}

/// Refuses requests whose `Host` the emulator does not serve (DNS rebinding), and requests
/// for emulator-only endpoints from a web origin that is neither the emulator's own nor
/// named in `--cors-origins` (a page elsewhere must not reset a project with a simple POST).
pub async fn guard(
    State((hosts, origins)): State<(AllowedHosts, CorsOrigins)>,
    req: Request,
    next: Next,
) -> Response {
    let headers = req.headers();
    let host =
        headers.get(header::HOST).and_then(|h| h.to_str().ok()).or(req.uri().authority().map(|a| a.as_str()));
    if let Some(host) = host {
        if !hosts.allows(host) {
            return ApiError::new(
                ErrorKind::ForbiddenOrigin,
                format!("Host {host} is not served; start the emulator with --allowed-hosts to allow it"),
            )
            .into_response();
        }
    }
    if is_emulator_path(req.uri().path()) {
        if let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
            let same_origin = host.is_some_and(|h| origin_host(origin).eq_ignore_ascii_case(h));
            if !same_origin && !origins.names(origin) {
                return ApiError::new(
                    ErrorKind::ForbiddenOrigin,
                    format!(
                        "The emulator API is not served to the web origin {origin}; \
                         name it in --cors-origins to allow it"
                    ),
                )
                .into_response();
            }
        }
    }
    next.run(req).await
}

/// `https://app.test:3000` → `app.test:3000`.
fn origin_host(origin: &str) -> &str {
    origin.split_once("://").map_or(origin, |(_, rest)| rest).trim_end_matches('/')
}

/// CORS as the browser SDKs need it: the exact origin echoed (never `*`), credentials
/// allowed, preflights answered 204 with the requested headers and method. The emulator-only
/// endpoints get CORS headers only for the origins `--cors-origins` names.
pub async fn cors(State(origins): State<CorsOrigins>, req: Request, next: Next) -> Response {
    let emulator_path = is_emulator_path(req.uri().path());
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .filter(|o| {
            o.to_str()
                .map(|o| if emulator_path { origins.names(o) } else { origins.allows(o) })
                .unwrap_or(false)
        })
        .cloned();
    let Some(origin) = origin else {
        return next.run(req).await;
    };
    let is_preflight =
        req.method() == Method::OPTIONS && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if is_preflight {
        let mut response = StatusCode::NO_CONTENT.into_response();
        let h = response.headers_mut();
        cors_headers(h, &origin);
        if let Some(m) = req.headers().get(header::ACCESS_CONTROL_REQUEST_METHOD) {
            h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, m.clone());
        }
        if let Some(rh) = req.headers().get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
            h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, rh.clone());
        }
        h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        return response;
    }
    let mut response = next.run(req).await;
    cors_headers(response.headers_mut(), &origin);
    response
}

/// Adds `x-descope-emulator`, and rewrites any error response that is not JSON (a framework
/// rejection that slipped past the extractors) into the Descope error body.
pub async fn emulator_header_and_error_body(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let status = response.status();
    // An answer built from an `ApiError` is already in its surface's format (SCIM's is
    // `application/scim+json`, which the JSON check below would not recognise).
    let from_api_error = response.extensions().get::<ApiError>().is_some();
    if (status.is_client_error() || status.is_server_error())
        && !from_api_error
        && !crate::error::is_json(&response)
    {
        let mut rewritten = ApiError::for_status(status).into_response();
        *rewritten.status_mut() = status;
        for (name, value) in response.headers() {
            if name.as_str().starts_with("access-control-") || name == header::VARY || name == header::ALLOW {
                rewritten.headers_mut().append(name.clone(), value.clone());
            }
        }
        response = rewritten;
    }
    response.headers_mut().insert(EMULATOR_HEADER, HeaderValue::from_static(VERSION));
    response
}

/// The answer for paths that match no route.
pub async fn not_found(method: Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(ErrorKind::RouteNotFound, format!("No route for {method} {}", uri.path()))
}

/// The answer for a known path called with the wrong method.
pub async fn method_not_allowed(method: Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(ErrorKind::MethodNotAllowed, format!("Method {method} is not allowed for {}", uri.path()))
}

/// The answer when a handler panics: logged once, the Descope internal-error body.
pub fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::internal("handler panicked").into_response()
}
