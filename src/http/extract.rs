//! Extractors: JSON and query parsing that answer with the Descope error body, and the
//! emulator routes' `{projectId}`. The auth extractors (`http::auth`) and the form and OAuth
//! client extractors (`http::form`, `http::client_auth`) are re-exported here, so that
//! handlers find every extractor in one module.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::domain::Ctx;
use crate::dto::Validate;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::json;
use crate::state::AppState;

/// A JSON body parsed leniently (no Content-Type needed, empty means `{}`, `null` members
/// mean "not given"), with errors in the Descope format naming the offending field.
pub struct DescopeJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for DescopeJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_body(req, state).await?;
        Ok(DescopeJson(parse_json(&bytes)?))
    }
}

/// The request body, within the body limit: the one body reader of the JSON and form
/// extractors.
pub(crate) async fn read_body<S: Send + Sync>(req: Request, state: &S) -> ApiResult<Bytes> {
    Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(ErrorKind::PayloadTooLarge, "Request body is too large")
        } else {
            ApiError::bad_request(format!("Cannot read request body: {e}"))
        }
    })
}

/// A body that parsed but does not fit `T`, as a bad request naming the offending field
/// (the JSON and form bodies alike).
pub(crate) fn field_error<E: std::fmt::Display>(e: serde_path_to_error::Error<E>) -> ApiError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    if path == "." || path.is_empty() {
        ApiError::bad_request(format!("Request body is not valid: {inner}"))
    } else {
        ApiError::bad_request(format!("Field {path} is not valid: {inner}"))
    }
}

/// A [`DescopeJson`] body that is then checked by its [`Validate`] impl: the extractor of
/// every body type that has one.
pub struct ValidJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Validate> FromRequest<S> for ValidJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let DescopeJson(value) = DescopeJson::<T>::from_request(req, state).await?;
        value.validate()?;
        Ok(ValidJson(value))
    }
}

/// Parses a JSON body; an empty (or all-whitespace) body is `{}`, as Go sends for refresh.
/// `null` members are dropped first ([`crate::json::drop_nulls`]).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) { b"{}" } else { bytes };
    // serde reads structs from arrays too; Descope bodies are always objects.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::bad_request("Request body must be a JSON object"));
    }
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad_request(format!("Request body is not valid: {e}")))?;
    serde_path_to_error::deserialize(json::drop_nulls(value)).map_err(field_error)
}

/// Query parameters decoded as form data (Go encodes spaces as `+`).
pub struct DescopeQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for DescopeQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::try_from_uri(&parts.uri)
            .map(|q| DescopeQuery(q.0))
            .map_err(|e| ApiError::bad_request(format!("Invalid query: {}", e.body_text())))
    }
}

// Handlers import every extractor from here.
pub use super::auth::{
    bearer, Bearer, MgmtAuth, OptionalSessionAuth, ProjectAuth, ScimAuth, SessionAuth, SessionJwtAuth,
    UnverifiedSession,
};
pub use super::client_auth::{ClientAuthMethod, ClientCredentials, OAuthForm};
pub use super::form::DescopeForm;

/// An emulator route's `{projectId}` path segment, resolved to an existing project.
pub struct EmulatorProject(pub Ctx);

impl FromRequestParts<AppState> for EmulatorProject {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Path(params) =
            Path::<std::collections::HashMap<String, String>>::from_request_parts(parts, state)
                .await
                .map_err(|e| ApiError::bad_request(e.body_text()))?;
        let id =
            params.get("projectId").ok_or_else(|| ApiError::bad_request("Missing project ID in path"))?;
        let project = state
            .projects
            .get(&state.db, &state.settings.public_url, id)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("Project {id} not found")))?;
        Ok(EmulatorProject(Ctx { project, now: state.now() }))
    }
}
