//! Descope API group `TOTP`: authenticator-app sign-up, verify and key replacement.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::domain::authn::passwordless::{LoginOptions, SignUpDetails};
use crate::domain::authn::SignInAttempt;
use crate::domain::authn::totp::{self, Enrollment};
use crate::dto::auth::AuthResponse;
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, OptionalSessionAuth, ProjectAuth, SessionAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/auth/totp/signup" => sign_up,
        POST "/v1/auth/totp/update" => update,
        POST "/v1/auth/totp/verify" => verify,
    }
}

/// `TOTPSignUpRequest` and `TOTPUpdateRequest`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct SignUpBody {
    login_id: String,
    user: SignUpDetails,
}

/// `TOTPVerifyCodeRequest`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct VerifyBody {
    login_id: String,
    code: String,
    login_options: LoginOptions,
}

/// `TOTPResponse`.
#[derive(Debug, Serialize)]
struct TotpResponse {
    #[serde(rename = "provisioningURL")]
    provisioning_url: String,
    image: String,
    key: String,
}

impl From<Enrollment> for TotpResponse {
    fn from(e: Enrollment) -> Self {
        TotpResponse { provisioning_url: e.provisioning_url, image: e.image, key: e.key }
    }
}

/// POST /v1/auth/totp/signup
/// Creates a user with a new TOTP key.
async fn sign_up(
    State(s): State<AppState>,
    ProjectAuth(ctx): ProjectAuth,
    DescopeJson(b): DescopeJson<SignUpBody>,
) -> ApiResult<Json<TotpResponse>> {
    Ok(Json(totp::sign_up(&s.db, &ctx, &b.login_id, b.user).await?.into()))
}

/// POST /v1/auth/totp/update
/// Replaces the TOTP key of the user of the refresh JWT.
async fn update(
    State(s): State<AppState>,
    auth: SessionAuth,
    DescopeJson(b): DescopeJson<SignUpBody>,
) -> ApiResult<Json<TotpResponse>> {
    Ok(Json(totp::update(&s.db, &auth.ctx, &auth.claims, &b.login_id).await?.into()))
}

/// POST /v1/auth/totp/verify
/// Signs a user in with a code from their authenticator (`amr: ["totp"]`).
async fn verify(
    State(s): State<AppState>,
    auth: OptionalSessionAuth,
    DescopeJson(b): DescopeJson<VerifyBody>,
) -> ApiResult<AuthResponse> {
    let session = auth.session.as_ref().map(|(claims, _)| claims);
    let attempt =
        SignInAttempt { login_id: &b.login_id, code: &b.code, options: b.login_options, session };
    let info = totp::verify(&s.db, &auth.ctx, attempt).await?;
    Ok(AuthResponse::new(&auth.ctx, &info))
}
