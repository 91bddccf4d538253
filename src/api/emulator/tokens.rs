//! `/emulator/v1/projects/{projectId}/keys/rotate` and `/tokens`: key rotation and tokens
//! made to order for negative tests.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::domain::sessions::forge::{self, ForgeRequest, KeyChoice};
use crate::domain::sessions::TokenKind;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{DescopeJson, EmulatorProject};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/emulator/v1/projects/{projectId}/keys/rotate" => rotate,
        POST "/emulator/v1/projects/{projectId}/tokens" => tokens,
    }
}

/// Default grace period of a rotated-out key.
const DEFAULT_GRACE_SECS: i64 = 3600;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RotateRequest {
    grace_seconds: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RotateResponse {
    kid: String,
    previous_kid: String,
}

/// POST /emulator/v1/projects/{projectId}/keys/rotate
async fn rotate(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    DescopeJson(req): DescopeJson<RotateRequest>,
) -> ApiResult<Json<RotateResponse>> {
    let grace = req.grace_seconds.unwrap_or(DEFAULT_GRACE_SECS);
    if !(0..=crate::clock::MAX_DURATION_SECS).contains(&grace) {
        return Err(ApiError::invalid(format!(
            "graceSeconds must be between 0 and {}",
            crate::clock::MAX_DURATION_SECS
        )));
    }
    let (kid, previous_kid) = s.projects.rotate_key(&s.db, ctx.now, &ctx.project, grace).await?;
    Ok(Json(RotateResponse { kid, previous_kid }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TokenRequest {
    login_id: String,
    user_id: String,
    kind: Option<String>,
    claims: Map<String, Value>,
    ttl_seconds: Option<i64>,
    issuer: Option<String>,
    audience: Option<Value>,
    key: Option<String>,
    alg: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct TokenResponse {
    jwt: String,
}

/// POST /emulator/v1/projects/{projectId}/tokens
async fn tokens(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    DescopeJson(req): DescopeJson<TokenRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let kind = match req.kind.as_deref().unwrap_or("session") {
        "session" => TokenKind::Session,
        "refresh" => TokenKind::Refresh,
        other => return Err(ApiError::invalid(format!("kind must be session or refresh, not {other}"))),
    };
    let key = match req.key.as_deref().unwrap_or("current") {
        "current" => KeyChoice::Current,
        "previous" => KeyChoice::Previous,
        "foreign" => KeyChoice::Foreign,
        other => {
            return Err(ApiError::invalid(format!("key must be current, previous or foreign, not {other}")))
        }
    };
    let unsigned = match req.alg.as_deref().unwrap_or("RS256") {
        "RS256" => false,
        "none" => true,
        other => return Err(ApiError::invalid(format!("alg must be RS256 or none, not {other}"))),
    };
    if let Some(aud) = &req.audience {
        let valid = aud.is_string() || aud.as_array().is_some_and(|a| a.iter().all(Value::is_string));
        if !valid {
            return Err(ApiError::invalid("audience must be a string or an array of strings"));
        }
    }
    let request = ForgeRequest {
        login_id: req.login_id,
        user_id: req.user_id,
        kind,
        claims: req.claims,
        ttl_seconds: req.ttl_seconds,
        issuer: req.issuer,
        audience: req.audience,
        key,
        unsigned,
    };
    let jwt = forge::forge(&s.db, &ctx, s.projects.key_pool(), request).await?;
    Ok(Json(TokenResponse { jwt }))
}
