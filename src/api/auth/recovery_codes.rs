//! Descope API group `RecoveryCodes`: backup codes of a signed-in user.
//!
//! `POST /v1/auth/recovery-codes` (refresh JWT in the bearer) `{loginId}` →
//! `{codes: [{code}]}`: 10 new codes, shown only here (stored as hashes); the old set is void.
//! `POST /v1/auth/recovery-codes/signin` `{loginId, code, loginOptions}` → JWT response; each
//! code works once. Step-up and MFA as for every factor (`sessions::factor_options`).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::domain::authn::passwordless::LoginOptions;
use crate::domain::authn::SignInAttempt;
use crate::domain::authn::recovery;
use crate::dto::auth::AuthResponse;
use crate::dto::Validate;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{DescopeJson, OptionalSessionAuth, SessionAuth, ValidJson};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/auth/recovery-codes" => generate,
        POST "/v1/auth/recovery-codes/signin" => sign_in,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GenerateBody {
    login_id: String,
}

#[derive(Debug, Serialize)]
struct RecoveryCode {
    code: String,
}

#[derive(Debug, Serialize)]
struct GenerateResponse {
    codes: Vec<RecoveryCode>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct SignInBody {
    login_id: String,
    code: String,
    login_options: LoginOptions,
}

impl Validate for SignInBody {
    fn validate(&self) -> ApiResult<()> {
        if self.login_id.is_empty() {
            return Err(ApiError::missing("loginId"));
        }
        if self.code.is_empty() {
            return Err(ApiError::missing("code"));
        }
        Ok(())
    }
}

/// POST /v1/auth/recovery-codes
/// Generates a new set of recovery codes for the user of the refresh JWT.
async fn generate(
    State(s): State<AppState>,
    auth: SessionAuth,
    DescopeJson(b): DescopeJson<GenerateBody>,
) -> ApiResult<Json<GenerateResponse>> {
    let codes = recovery::generate_codes(&s.db, &auth.ctx, &auth.claims, &b.login_id).await?;
    Ok(Json(GenerateResponse { codes: codes.into_iter().map(|code| RecoveryCode { code }).collect() }))
}

/// POST /v1/auth/recovery-codes/signin
/// Signs a user in with one of their recovery codes (once per code).
async fn sign_in(
    State(s): State<AppState>,
    auth: OptionalSessionAuth,
    ValidJson(b): ValidJson<SignInBody>,
) -> ApiResult<AuthResponse> {
    let session = auth.session.as_ref().map(|(c, _)| c);
    let attempt =
        SignInAttempt { login_id: &b.login_id, code: &b.code, options: b.login_options, session };
    let info = recovery::sign_in_with_code(&s.db, &auth.ctx, attempt).await?;
    Ok(AuthResponse::new(&auth.ctx, &info))
}
