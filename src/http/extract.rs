//! Extractors: JSON and query parsing that answer with the Descope error body, and the auth
//! extractors that resolve the caller's project from the bearer header.
//!
//! `Authorization: Bearer <projectId>[:<secret>][:<authManagementKey>]` (SDK_CONTRACT.md 2):
//! the middle part is a refresh JWT, a session JWT, an access key or a management key,
//! depending on the endpoint, which is why each endpoint class has its own extractor.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

use crate::domain::sessions::{self, Claims, TokenKind};
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
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(ErrorKind::PayloadTooLarge, "Request body is too large")
            } else {
                ApiError::bad_request(format!("Cannot read request body: {e}"))
            }
        })?;
        Ok(DescopeJson(parse_json(&bytes)?))
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
    serde_path_to_error::deserialize(json::drop_nulls(value)).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." || path.is_empty() {
            ApiError::bad_request(format!("Request body is not valid: {inner}"))
        } else {
            ApiError::bad_request(format!("Field {path} is not valid: {inner}"))
        }
    })
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

/// The parts of the bearer header.
#[derive(Debug)]
pub struct Bearer {
    pub project_id: String,
    pub secret: Option<String>,
}

pub fn bearer(parts: &Parts) -> ApiResult<Bearer> {
    let value = parts
        .headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("Missing Authorization header"))?
        .to_str()
        .map_err(|_| ApiError::unauthorized("Invalid Authorization header"))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or_else(|| ApiError::unauthorized("Authorization header must be a bearer token"))?
        .trim();
    let mut pieces = token.split(':');
    let project_id = pieces.next().unwrap_or_default().to_owned();
    if project_id.is_empty() {
        return Err(ApiError::unauthorized("Missing project ID in Authorization header"));
    }
    let secret = pieces.next().filter(|s| !s.is_empty()).map(str::to_owned);
    Ok(Bearer { project_id, secret })
}

async fn ctx_for(state: &AppState, project_id: &str) -> ApiResult<Ctx> {
    let project = state.projects.require(&state.db, &state.settings.public_url, project_id).await?;
    Ok(Ctx { project, now: state.now() })
}

/// A public auth call: `Bearer <projectId>`.
pub struct ProjectAuth(pub Ctx);

impl FromRequestParts<AppState> for ProjectAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let b = bearer(parts)?;
        Ok(ProjectAuth(ctx_for(state, &b.project_id).await?))
    }
}

/// A management call: `Bearer <projectId>:<managementKey>`, checked against that project.
pub struct MgmtAuth(pub Ctx);

impl FromRequestParts<AppState> for MgmtAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let b = bearer(parts)?;
        let ctx = ctx_for(state, &b.project_id).await?;
        let secret = b
            .secret
            .ok_or_else(|| ApiError::new(ErrorKind::InvalidManagementKey, "Missing management key"))?;
        if !ctx.project.management_key_matches(&secret) {
            return Err(ApiError::new(ErrorKind::InvalidManagementKey, "Invalid management key"));
        }
        Ok(MgmtAuth(ctx))
    }
}

/// A call that carries a session: `Bearer <projectId>:<refreshJwt>`, verified (signature,
/// issuer, expiry by the emulator clock, not logged out).
pub struct SessionAuth {
    pub ctx: Ctx,
    pub claims: Claims,
    pub token: String,
}

impl FromRequestParts<AppState> for SessionAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let b = bearer(parts)?;
        let ctx = ctx_for(state, &b.project_id).await?;
        let token =
            b.secret.ok_or_else(|| ApiError::new(ErrorKind::InvalidSessionToken, "Missing refresh token"))?;
        let claims = sessions::verify(state, &ctx, &token, TokenKind::Refresh).await?;
        Ok(SessionAuth { ctx, claims, token })
    }
}

/// `Bearer <projectId>:<refreshJwt>` with the JWT not yet verified: refresh verifies it in
/// the domain, so that a refused refresh lands in the audit trail.
pub struct UnverifiedSession {
    pub ctx: Ctx,
    pub token: String,
}

impl FromRequestParts<AppState> for UnverifiedSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let b = bearer(parts)?;
        let ctx = ctx_for(state, &b.project_id).await?;
        let token =
            b.secret.ok_or_else(|| ApiError::new(ErrorKind::InvalidSessionToken, "Missing refresh token"))?;
        Ok(UnverifiedSession { ctx, token })
    }
}

/// Like [`SessionAuth`] but optional: sign-in flows take a refresh JWT for step-up and MFA.
pub struct OptionalSessionAuth {
    pub ctx: Ctx,
    pub session: Option<(Claims, String)>,
}

impl FromRequestParts<AppState> for OptionalSessionAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let b = bearer(parts)?;
        let ctx = ctx_for(state, &b.project_id).await?;
        let session = match b.secret {
            Some(token) if token.matches('.').count() == 2 => {
                let claims = sessions::verify(state, &ctx, &token, TokenKind::Refresh).await?;
                Some((claims, token))
            }
            _ => None,
        };
        Ok(OptionalSessionAuth { ctx, session })
    }
}

/// `Bearer <projectId>:<sessionJwt>` (`/v1/auth/validate`).
pub struct SessionJwtAuth {
    pub ctx: Ctx,
    pub claims: Claims,
}

impl FromRequestParts<AppState> for SessionJwtAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let b = bearer(parts)?;
        let ctx = ctx_for(state, &b.project_id).await?;
        let token =
            b.secret.ok_or_else(|| ApiError::new(ErrorKind::InvalidSessionToken, "Missing session token"))?;
        let claims = sessions::verify(state, &ctx, &token, TokenKind::Session).await?;
        Ok(SessionJwtAuth { ctx, claims })
    }
}

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
