//! The auth extractors: they resolve the caller's project from the bearer header.
//!
//! `Authorization: Bearer <projectId>[:<secret>][:<authManagementKey>]` (SDK_CONTRACT.md 2):
//! the middle part is a refresh JWT, a session JWT, an access key or a management key,
//! depending on the endpoint, which is why each endpoint class has its own extractor. They all
//! go through [`bearer_ctx`] (project only) or [`bearer_ctx_and_secret`] (secret required), so
//! the order of checks, and with it which error a bad header gets, is the same everywhere:
//! header syntax, then project, then secret.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use crate::domain::sessions::{self, Claims, TokenKind};
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::state::AppState;

/// The parts of the bearer header.
#[derive(Debug)]
pub struct Bearer {
    pub project_id: String,
    pub secret: Option<String>,
}

/// Splits `Authorization: Bearer <projectId>[:<secret>]`.
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

/// The bearer header's project, resolved, and the secret after it if there is one.
async fn bearer_ctx(parts: &Parts, state: &AppState) -> ApiResult<(Ctx, Option<String>)> {
    let b = bearer(parts)?;
    let project = state.projects.require(&state.db, &state.settings.public_url, &b.project_id).await?;
    Ok((Ctx { project, now: state.now() }, b.secret))
}

/// [`bearer_ctx`] for endpoints that need the secret: without one the answer is `kind` with
/// `missing` as its message, after the project has been checked.
async fn bearer_ctx_and_secret(
    parts: &Parts,
    state: &AppState,
    kind: ErrorKind,
    missing: &'static str,
) -> ApiResult<(Ctx, String)> {
    let (ctx, secret) = bearer_ctx(parts, state).await?;
    let secret = secret.ok_or_else(|| ApiError::new(kind, missing))?;
    Ok((ctx, secret))
}

/// A public auth call: `Bearer <projectId>`.
pub struct ProjectAuth(pub Ctx);

impl FromRequestParts<AppState> for ProjectAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let (ctx, _) = bearer_ctx(parts, state).await?;
        Ok(ProjectAuth(ctx))
    }
}

/// A management call: `Bearer <projectId>:<managementKey>`, checked against that project.
pub struct MgmtAuth(pub Ctx);

impl FromRequestParts<AppState> for MgmtAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let (ctx, secret) =
            bearer_ctx_and_secret(parts, state, ErrorKind::InvalidManagementKey, "Missing management key")
                .await?;
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
        let (ctx, token) =
            bearer_ctx_and_secret(parts, state, ErrorKind::InvalidSessionToken, "Missing refresh token")
                .await?;
        let claims = sessions::verify(&state.db, &ctx, &token, TokenKind::Refresh).await?;
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
        let (ctx, token) =
            bearer_ctx_and_secret(parts, state, ErrorKind::InvalidSessionToken, "Missing refresh token")
                .await?;
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
        let (ctx, secret) = bearer_ctx(parts, state).await?;
        let session = match secret {
            Some(token) if token.matches('.').count() == 2 => {
                let claims = sessions::verify(&state.db, &ctx, &token, TokenKind::Refresh).await?;
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
        let (ctx, token) =
            bearer_ctx_and_secret(parts, state, ErrorKind::InvalidSessionToken, "Missing session token")
                .await?;
        let claims = sessions::verify(&state.db, &ctx, &token, TokenKind::Session).await?;
        Ok(SessionJwtAuth { ctx, claims })
    }
}

/// A SCIM call: `Authorization: Bearer <projectId>:<accessKey>` (Descope's SCIM token is an
/// access key of a Tenant Admin; `contracts/enterprise.md` 1.2).
///
/// Only the header and the project are checked here. The key itself (known, active, not
/// expired, Tenant Admin of the tenant provisioned into) is verified by the SCIM domain
/// (`domain::identity::scim::authenticate`, through `accesskeys::verify_cleartext`).
pub struct ScimAuth {
    pub ctx: Ctx,
    /// The access key's cleartext, for the domain to verify.
    pub access_key: String,
}

impl FromRequestParts<AppState> for ScimAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // The same kind and message as a key-less access-key exchange.
        let (ctx, access_key) =
            bearer_ctx_and_secret(parts, state, ErrorKind::MissingAccessKey, "Missing access key").await?;
        Ok(ScimAuth { ctx, access_key })
    }
}
