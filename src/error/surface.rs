//! Error surfaces: the format an API group answers errors in.
//!
//! Every [`ApiError`] answers with the Descope body and rides along in the response extensions.
//! A group whose clients speak another protocol wraps its routes in [`ErrorSurface::layer`],
//! which rewrites those answers (and any plain-text framework rejection) into the protocol's
//! format, with the status unchanged:
//!
//! - [`ErrorSurface::OAuth`]: RFC 6749 section 5.2 `{"error", "error_description"}` plus
//!   `description` (Descope's OpenAPI names the text so; `contracts/apps.md` 7.5: send both),
//!   `Cache-Control: no-store`, and on a 401 the challenge of RFC 6750 section 3 / RFC 6749
//!   section 5.2.
//! - [`ErrorSurface::Scim`]: RFC 7644 section 3.12 `{"schemas", "status", "scimType"?,
//!   "detail"}` plus Descope's three members (`contracts/enterprise.md` 1.3), as
//!   `application/scim+json`.
//!
//! The error codes of each protocol come from the error table ([`ErrorKind::oauth_error`],
//! [`ErrorKind::scim_type`]).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::{ApiError, ErrorBody, ErrorKind};

/// The realm of the challenges the emulator sends.
const REALM: &str = "descope-emulator";

/// The error format of a group of routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErrorSurface {
    /// The Descope error body: every Descope and emulator route.
    #[default]
    Descope,
    /// OAuth 2.0 / OIDC endpoints (`/oauth2/v1/*`).
    OAuth,
    /// SCIM 2.0 provisioning (`/scim/v2/*`).
    Scim,
}

/// The authentication scheme a request used, which decides the OAuth challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Basic,
    Other,
}

impl Scheme {
    fn of(headers: &HeaderMap) -> Self {
        let basic = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_whitespace().next())
            .is_some_and(|s| s.eq_ignore_ascii_case("basic"));
        if basic {
            Scheme::Basic
        } else {
            Scheme::Other
        }
    }
}

/// RFC 6749 section 5.2 error body.
#[derive(Serialize)]
struct OAuthErrorBody<'a> {
    error: &'a str,
    error_description: &'a str,
    /// The same text under the name Descope's OpenAPI gives it (device polling).
    description: &'a str,
}

/// RFC 7644 section 3.12 error body, with the Descope members beside it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ScimErrorBody<'a> {
    schemas: [&'static str; 1],
    /// A string, as RFC 7644 wants (Descope's OpenAPI types it int32 on success bodies).
    status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    scim_type: Option<&'static str>,
    detail: &'a str,
    #[serde(flatten)]
    descope: ErrorBody,
}

const SCIM_ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
const SCIM_CONTENT_TYPE: &str = "application/scim+json";

impl ErrorSurface {
    /// The layer that makes a router's error answers speak this surface. Apply it with
    /// `Router::route_layer`, so that it covers the group's routes and nothing else.
    pub fn layer(self) -> SurfaceLayer {
        SurfaceLayer(self)
    }

    /// An error answered in this surface's format, before any route (the edge's refusals).
    pub fn respond(self, err: ApiError) -> Response {
        self.rewrite(err.into_response(), Scheme::Other)
    }

    /// The surface of the routes under a path that the edge refuses before routing: the
    /// emulator's own OIDC providers speak OAuth like `/oauth2/`; everything else is Descope's.
    pub fn of_path(path: &str) -> Self {
        if path.starts_with("/oauth2/")
            || path.contains("/oauth2/v1/")
            || path.starts_with("/emulator/v1/idp/oidc/")
        {
            ErrorSurface::OAuth
        } else if path.starts_with("/scim/") {
            ErrorSurface::Scim
        } else {
            ErrorSurface::Descope
        }
    }

    /// Rewrites an error answer into this surface's format; success answers pass unchanged.
    fn rewrite(self, response: Response, scheme: Scheme) -> Response {
        let status = response.status();
        if !(status.is_client_error() || status.is_server_error()) {
            return response;
        }
        let err = match response.extensions().get::<ApiError>() {
            Some(err) => err.clone(),
            None if is_json(&response) => return response,
            None => ApiError::for_status(status),
        };
        // Project rule (EMULATOR_API.md, `route_table::not_implemented`): an operation that is
        // routed but not built answers 501 with the Descope body naming it, on every surface.
        if err.kind == ErrorKind::NotImplemented {
            return response;
        }
        let mut headers = HeaderMap::new();
        let (content_type, body) = match self {
            ErrorSurface::Descope => return response,
            ErrorSurface::OAuth => {
                let error = err.kind.oauth_error();
                let description = err.public_message();
                headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                if status == StatusCode::UNAUTHORIZED {
                    if let Some(challenge) = oauth_challenge(error, description, scheme) {
                        headers.insert(header::WWW_AUTHENTICATE, challenge);
                    }
                }
                let body = OAuthErrorBody { error, error_description: description, description };
                ("application/json", serde_json::to_vec(&body))
            }
            ErrorSurface::Scim => {
                let body = ScimErrorBody {
                    schemas: [SCIM_ERROR_SCHEMA],
                    status: status.as_u16().to_string(),
                    scim_type: err.kind.scim_type(),
                    detail: err.public_message(),
                    descope: err.body(),
                };
                (SCIM_CONTENT_TYPE, serde_json::to_vec(&body))
            }
        };
        // Serialising these structs cannot fail; if it ever did, the Descope body would stand.
        let Ok(body) = body else { return response };
        let (mut parts, _) = response.into_parts();
        parts.headers.extend(headers);
        parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        parts.headers.remove(header::CONTENT_LENGTH);
        // The error stays attached: the outer safety net leaves answers built from one alone.
        parts.extensions.insert(err);
        Response::from_parts(parts, Body::from(body))
    }
}

/// True when the response declares a JSON body (`application/json`).
pub fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// The `WWW-Authenticate` challenge of an OAuth 401: `Bearer` with the error for a bad access
/// token (RFC 6750 section 3), `Basic` after a failed HTTP Basic client authentication (RFC 6749
/// section 5.2 requires it then), none otherwise.
fn oauth_challenge(error: &str, description: &str, scheme: Scheme) -> Option<HeaderValue> {
    let value = match (error, scheme) {
        ("invalid_token", _) => format!(
            "Bearer realm=\"{REALM}\", error=\"invalid_token\", error_description=\"{}\"",
            challenge_text(description)
        ),
        ("invalid_client", Scheme::Basic) => format!("Basic realm=\"{REALM}\""),
        _ => return None,
    };
    HeaderValue::from_str(&value).ok()
}

/// `error_description` may hold only printable ASCII without `"` and `\` (RFC 6750 section 3).
fn challenge_text(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' => '\'',
            '\\' => '/',
            ' '..='~' => c,
            _ => '?',
        })
        .collect()
}

/// A tower layer applying an [`ErrorSurface`]; see [`ErrorSurface::layer`].
#[derive(Debug, Clone, Copy)]
pub struct SurfaceLayer(ErrorSurface);

impl<S> tower::Layer<S> for SurfaceLayer {
    type Service = SurfaceService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        SurfaceService { inner, surface: self.0 }
    }
}

/// The service of [`SurfaceLayer`].
#[derive(Debug, Clone)]
pub struct SurfaceService<S> {
    inner: S,
    surface: ErrorSurface,
}

impl<S> tower::Service<Request> for SurfaceService<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let scheme = Scheme::of(req.headers());
        let surface = self.surface;
        let future = self.inner.call(req);
        Box::pin(async move {
            let response = future.await?;
            Ok(surface.rewrite(response, scheme))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_maps_to_an_rfc_code() {
        const OAUTH: &[&str] = &[
            "invalid_request",
            "invalid_client",
            "invalid_grant",
            "unauthorized_client",
            "unsupported_grant_type",
            "invalid_scope",
            "access_denied",
            "server_error",
            "invalid_token",
            // RFC 8628 section 3.5 (device authorization polling)
            "authorization_pending",
            "expired_token",
            // OpenID CIBA Core section 13 (backchannel authentication)
            "unknown_user_id",
            // RFC 8707 section 2 (resource indicators)
            "invalid_target",
        ];
        const SCIM: &[&str] = &[
            "invalidFilter",
            "tooMany",
            "uniqueness",
            "mutability",
            "invalidSyntax",
            "invalidPath",
            "noTarget",
            "invalidValue",
        ];
        for kind in ErrorKind::ALL {
            assert!(OAUTH.contains(&kind.oauth_error()), "{kind:?}");
            if let Some(t) = kind.scim_type() {
                assert!(SCIM.contains(&t), "{kind:?}");
            }
        }
        assert_eq!(ErrorKind::BadRequest.oauth_error(), "invalid_request");
        assert_eq!(ErrorKind::Unauthorized.oauth_error(), "invalid_client");
        assert_eq!(ErrorKind::InvalidSessionToken.oauth_error(), "invalid_token");
        assert_eq!(ErrorKind::UserDisabled.oauth_error(), "access_denied");
        assert_eq!(ErrorKind::Internal.oauth_error(), "server_error");
        assert_eq!(ErrorKind::AlreadyExists.scim_type(), Some("uniqueness"));
        assert_eq!(ErrorKind::NotFound.scim_type(), None);
        assert_eq!(ErrorKind::Unauthorized.scim_type(), None);
    }

    #[test]
    fn challenge_text_is_quoted_string_safe() {
        assert_eq!(challenge_text("the \"token\" é\\x"), "the 'token' ?/x");
    }
}
