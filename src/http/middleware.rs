//! The edge of every request ([`edge`]): request limits (the body read whole before anything
//! answers), the Host and origin guard, CORS for browser SDKs, the emulator header, and a
//! safety net that turns any non-JSON error response into the Descope error body; fault rules
//! and the request log ([`super::observe`]); and the
//! 404/405/panic answers.

use axum::body::{Body, Bytes, HttpBody as _};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::config::{AllowedHosts, CorsOrigins};
use crate::error::{ApiError, ErrorKind, ErrorSurface};

pub const EMULATOR_HEADER: &str = "x-descope-emulator";
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Most bytes of request headers (names and values) accepted; more answers 431. hyper itself
/// refuses a request head over [`super::server::MAX_HEAD_BYTES`].
pub const MAX_HEADER_BYTES: usize = 64 * 1024;

/// What the edge middleware checks requests against, fixed at start.
#[derive(Clone)]
pub struct Edge {
    /// `--max-body`.
    pub max_body: usize,
    pub hosts: AllowedHosts,
    pub cors: CorsOrigins,
    /// For the fault rules and the request log ([`super::observe`]).
    pub app: crate::state::AppState,
}

/// The middleware in front of every route. In order: read the body ([`read_body`]), refuse
/// hosts and origins the emulator does not serve ([`refusal`]), answer CORS preflights and
/// add CORS headers ([`cors_origin`]), then, on every answer, the emulator header and the
/// Descope error body ([`finish`]).
///
/// One function rather than a `from_fn` layer per step: each such layer boxes its future and
/// a copy of the rest of the stack for every request, memory that a long-poll holds for its
/// whole wait.
pub async fn edge(State(edge): State<Edge>, req: Request, next: Next) -> Response {
    let response = match read_body(edge.max_body, req).await {
        Err(answer) => answer,
        Ok((req, body)) => match refusal(&edge.hosts, &edge.cors, &req) {
            Some(answer) => answer,
            None => match cors_origin(&edge.cors, &req) {
                None => super::observe::around(&edge.app, req, body, next).await,
                Some(origin) if is_preflight(&req) => preflight(&req, &origin),
                Some(origin) => {
                    let mut response = super::observe::around(&edge.app, req, body, next).await;
                    cors_headers(response.headers_mut(), &origin);
                    response
                }
            },
        },
    };
    finish(response)
}

/// Reads the whole request body, up to `--max-body` bytes, before anything else runs, and
/// checks the size of the headers.
///
/// An answer given before the body is read (a bad bearer, an unknown path, a wrong method)
/// would otherwise leave the body on the connection, and hyper closes such a keep-alive
/// connection without saying so: the client's next request on it fails. Read first, every
/// answer keeps the connection usable. A body over the limit answers 413 with
/// `Connection: close`, at once when `Content-Length` announces it; the server then reads
/// and discards what the client still sends before closing ([`super::server`]), so the
/// client gets to read the 413.
async fn read_body(max_body: usize, req: Request) -> Result<(Request, Bytes), Response> {
    let (parts, body) = req.into_parts();
    let bytes = if body.is_end_stream() {
        Bytes::new()
    } else if body.size_hint().lower() > max_body as u64 {
        return Err(closing(too_large(max_body)));
    } else {
        match http_body_util::BodyExt::collect(http_body_util::Limited::new(body, max_body)).await {
            Ok(collected) => collected.to_bytes(),
            Err(e) if e.is::<http_body_util::LengthLimitError>() => return Err(closing(too_large(max_body))),
            Err(e) => {
                return Err(closing(
                    ApiError::bad_request(format!("Cannot read request body: {e}")).into_response(),
                ))
            }
        }
    };
    let header_bytes: usize =
        parts.headers.iter().map(|(name, value)| name.as_str().len() + value.len()).sum();
    if header_bytes > MAX_HEADER_BYTES {
        let error = ApiError::new(
            ErrorKind::HeadersTooLarge,
            format!("Request headers are larger than {MAX_HEADER_BYTES} bytes"),
        );
        return Err(error.into_response());
    }
    Ok((Request::from_parts(parts, Body::from(bytes.clone())), bytes))
}

fn too_large(max_body: usize) -> Response {
    ApiError::new(
        ErrorKind::PayloadTooLarge,
        format!("Request body is too large (the limit is {max_body} bytes)"),
    )
    .into_response()
}

/// Tells the client that the server closes the connection after this answer.
fn closing(mut response: Response) -> Response {
    response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

fn cors_headers(headers: &mut HeaderMap, origin: &HeaderValue) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
    headers.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
}

/// The emulator's own endpoints (projects with their keys, snapshots, outbox, clock) and the
/// MCP endpoint (whose specification asks servers to check `Origin`): served to same-origin
/// pages and to the origins `--cors-origins` names, never to any web origin. The health check
/// reveals nothing and stays open to every origin.
fn is_emulator_path(path: &str) -> bool {
    (path.starts_with("/emulator/") && path != "/emulator/v1/health") || path == crate::api::mcp::PATH
}

/// Refuses requests whose `Host` the emulator does not serve (DNS rebinding), and requests
/// for emulator-only endpoints from a web origin that is neither the emulator's own nor
/// named in `--cors-origins` (a page elsewhere must not reset a project with a simple POST).
fn refusal(hosts: &AllowedHosts, origins: &CorsOrigins, req: &Request) -> Option<Response> {
    let headers = req.headers();
    let host =
        headers.get(header::HOST).and_then(|h| h.to_str().ok()).or(req.uri().authority().map(|a| a.as_str()));
    if let Some(host) = host {
        if !hosts.allows(host) {
            let message =
                format!("Host {host} is not served; start the emulator with --allowed-hosts to allow it");
            let err = ApiError::new(ErrorKind::ForbiddenOrigin, message);
            return Some(ErrorSurface::of_path(req.uri().path()).respond(err));
        }
    }
    if is_emulator_path(req.uri().path()) {
        if let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
            let same_origin = host.is_some_and(|h| origin_host(origin).eq_ignore_ascii_case(h));
            if !same_origin && !origins.names(origin) {
                let message = format!(
                    "The emulator API is not served to the web origin {origin}; \
                     name it in --cors-origins to allow it"
                );
                let err = ApiError::new(ErrorKind::ForbiddenOrigin, message);
                return Some(ErrorSurface::of_path(req.uri().path()).respond(err));
            }
        }
    }
    None
}

/// `https://app.test:3000` → `app.test:3000`.
fn origin_host(origin: &str) -> &str {
    origin.split_once("://").map_or(origin, |(_, rest)| rest).trim_end_matches('/')
}

/// CORS as the browser SDKs need it: the exact origin echoed (never `*`), credentials
/// allowed, preflights answered 204 with the requested headers and method. The emulator-only
/// endpoints get CORS headers only for the origins `--cors-origins` names. This is the
/// origin to echo, if any.
fn cors_origin(origins: &CorsOrigins, req: &Request) -> Option<HeaderValue> {
    let emulator_path = is_emulator_path(req.uri().path());
    req.headers()
        .get(header::ORIGIN)
        .filter(|o| {
            o.to_str()
                .map(|o| if emulator_path { origins.names(o) } else { origins.allows(o) })
                .unwrap_or(false)
        })
        .cloned()
}

fn is_preflight(req: &Request) -> bool {
    req.method() == Method::OPTIONS && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
}

fn preflight(req: &Request, origin: &HeaderValue) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let h = response.headers_mut();
    cors_headers(h, origin);
    if let Some(m) = req.headers().get(header::ACCESS_CONTROL_REQUEST_METHOD) {
        h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, m.clone());
    }
    if let Some(rh) = req.headers().get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
        h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, rh.clone());
    }
    h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    response
}

/// Adds `x-descope-emulator`, and rewrites any error response that is neither JSON nor an
/// HTML page of the emulator's (a framework rejection, which is plain text, that slipped past
/// the extractors) into the Descope error body.
fn finish(mut response: Response) -> Response {
    let status = response.status();
    // An answer built from an `ApiError` is already in its surface's format (SCIM's is
    // `application/scim+json`, which the JSON check below would not recognise).
    let from_api_error = response.extensions().get::<ApiError>().is_some();
    if (status.is_client_error() || status.is_server_error())
        && !from_api_error
        && !crate::error::is_json(&response)
        && !is_html(&response)
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

fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
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
