//! The one request-path error type and the Descope error body.
//!
//! Every [`ApiError`] becomes the Descope body; the routes of an OAuth or SCIM group rewrite it
//! into their own format through [`ErrorSurface`], from the error the response carries.

mod codes;
mod surface;

pub use codes::ErrorKind;
pub use surface::{is_json, ErrorSurface, SurfaceLayer, SurfaceService};

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

pub type ApiResult<T> = Result<T, ApiError>;

/// An error on the request path: a Descope error code plus a message for `errorMessage`.
///
/// Its response carries a copy of it in the response extensions, so that [`ErrorSurface`]
/// can rewrite the body for OAuth and SCIM routes without parsing it back.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub kind: ErrorKind,
    pub message: String,
    /// Seconds for a `Retry-After` header (rate limiting).
    pub retry_after: Option<u64>,
}

/// The Descope error body.
#[derive(Debug, Serialize, serde::Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub error_code: String,
    pub error_description: String,
    pub error_message: String,
}

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), retry_after: None }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadRequest, message)
    }

    pub fn missing(field: &str) -> Self {
        Self::new(ErrorKind::MissingArguments, format!("Missing argument: {field}"))
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidArguments, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unauthorized, message)
    }

    pub fn user_not_found(login_id: &str) -> Self {
        Self::new(ErrorKind::UserNotFound, format!("Cannot find user {login_id}"))
    }

    pub fn mgmt_user_not_found(login_id: &str) -> Self {
        Self::new(ErrorKind::MgmtUserNotFound, format!("Cannot find user {login_id}"))
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, what)
    }

    pub fn not_implemented(op: &str) -> Self {
        Self::new(
            ErrorKind::NotImplemented,
            format!("{op} is a Descope operation that descope-emulator does not implement yet"),
        )
    }

    /// An unexpected failure (database, crypto). Logged once, when turned into a response.
    #[track_caller]
    pub fn internal(err: impl std::fmt::Display) -> Self {
        let at = std::panic::Location::caller();
        Self::new(ErrorKind::Internal, format!("{err} (at {}:{})", at.file(), at.line()))
    }

    /// The error a framework answer of this status stands for (a rejection that slipped past
    /// the extractors); the message is the status's reason phrase.
    pub fn for_status(status: StatusCode) -> Self {
        let kind = match status {
            StatusCode::NOT_FOUND => ErrorKind::RouteNotFound,
            StatusCode::METHOD_NOT_ALLOWED => ErrorKind::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => ErrorKind::PayloadTooLarge,
            StatusCode::URI_TOO_LONG => ErrorKind::UriTooLong,
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => ErrorKind::HeadersTooLarge,
            StatusCode::UNAUTHORIZED => ErrorKind::Unauthorized,
            s if s.is_server_error() => ErrorKind::Internal,
            _ => ErrorKind::BadRequest,
        };
        Self::new(kind, status.canonical_reason().unwrap_or("error"))
    }

    /// The message the client may see: internal errors keep their details in the log.
    pub fn public_message(&self) -> &str {
        if self.kind == ErrorKind::Internal {
            "Internal error"
        } else {
            &self.message
        }
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error_code: self.kind.code().to_owned(),
            error_description: self.kind.description().to_owned(),
            error_message: self.public_message().to_owned(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.kind.code(), self.kind.description(), self.message)
    }
}

impl std::error::Error for ApiError {}

impl From<sqlx::Error> for ApiError {
    #[track_caller]
    fn from(err: sqlx::Error) -> Self {
        ApiError::internal(err)
    }
}

impl From<serde_json::Error> for ApiError {
    #[track_caller]
    fn from(err: serde_json::Error) -> Self {
        ApiError::internal(err)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.kind == ErrorKind::Internal {
            tracing::error!(error = %self.message, "internal error");
        }
        let mut response = (self.kind.status(), axum::Json(self.body())).into_response();
        if let Some(secs) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        response.extensions_mut().insert(self);
        response
    }
}

/// Maps a unique-constraint violation to a domain error; other errors stay internal.
pub trait ResultExt<T> {
    fn on_unique(self, err: impl FnOnce() -> ApiError) -> ApiResult<T>;
}

impl<T> ResultExt<T> for Result<T, sqlx::Error> {
    #[track_caller]
    fn on_unique(self, err: impl FnOnce() -> ApiError) -> ApiResult<T> {
        match self {
            Ok(v) => Ok(v),
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => Err(err()),
            Err(e) => Err(ApiError::internal(e)),
        }
    }
}
