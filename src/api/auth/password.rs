//! Descope API group `Password`: sign-up, sign-in, replace, reset by email link, update with
//! the refresh JWT, and the project's policy.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::domain::authn::password::{self, PasswordSettings, SignUp};
use crate::domain::authn::passwordless::{LoginOptions, SignUpDetails};
use crate::dto::auth::AuthResponse;
use crate::dto::common::Empty;
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, OptionalSessionAuth, ProjectAuth, SessionAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        GET "/v1/auth/password/policy" => policy,
        POST "/v1/auth/password/replace" => replace,
        POST "/v1/auth/password/reset" => reset,
        POST "/v1/auth/password/signin" => sign_in,
        POST "/v1/auth/password/signup" => sign_up,
        POST "/v1/auth/password/update" => update,
    }
}

/// `PasswordSignUpRequest`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct SignUpBody {
    login_id: String,
    password: String,
    user: SignUpDetails,
    login_options: LoginOptions,
}

/// `PasswordSignInRequest`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct SignInBody {
    login_id: String,
    password: String,
    login_options: LoginOptions,
}

/// `PasswordReplaceRequest`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ReplaceBody {
    login_id: String,
    old_password: String,
    new_password: String,
}

/// `PasswordUpdateRequest`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct UpdateBody {
    login_id: String,
    new_password: String,
}

/// `PasswordResetSendRequest`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ResetBody {
    login_id: String,
    #[serde(alias = "redirectURL")]
    redirect_url: String,
}

/// `PasswordResetSendResponse`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ResetResponse {
    reset_method: &'static str,
    masked_email: String,
}

/// `PasswordPolicyResponse`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PolicyResponse {
    min_length: i64,
    lowercase: bool,
    uppercase: bool,
    number: bool,
    non_alphanumeric: bool,
    strength_score_enabled: bool,
    strength_score: i64,
}

impl From<PasswordSettings> for PolicyResponse {
    fn from(p: PasswordSettings) -> Self {
        PolicyResponse {
            min_length: p.min_length,
            lowercase: p.lowercase,
            uppercase: p.uppercase,
            number: p.number,
            non_alphanumeric: p.non_alphanumeric,
            strength_score_enabled: p.enable_password_strength,
            strength_score: p.password_strength_score,
        }
    }
}

/// POST /v1/auth/password/signup
/// Creates a user with a password and signs them in (`firstSeen: true`).
async fn sign_up(
    State(s): State<AppState>,
    ProjectAuth(ctx): ProjectAuth,
    DescopeJson(b): DescopeJson<SignUpBody>,
) -> ApiResult<AuthResponse> {
    let req = SignUp { login_id: b.login_id, password: b.password, user: b.user, options: b.login_options };
    let info = password::sign_up(&s.db, &s.hasher, &ctx, req).await?;
    Ok(AuthResponse::new(&ctx, &info))
}

/// POST /v1/auth/password/signin
/// Signs a user in with their password (`amr: ["pwd"]`).
async fn sign_in(
    State(s): State<AppState>,
    auth: OptionalSessionAuth,
    DescopeJson(b): DescopeJson<SignInBody>,
) -> ApiResult<AuthResponse> {
    let session = auth.session.as_ref().map(|(claims, _)| claims);
    let info =
        password::sign_in(&s.db, &s.hasher, &auth.ctx, &b.login_id, &b.password, b.login_options, session)
            .await?;
    Ok(AuthResponse::new(&auth.ctx, &info))
}

/// POST /v1/auth/password/replace
/// Replaces the password (temporary or expired ones too) and signs the user in.
async fn replace(
    State(s): State<AppState>,
    ProjectAuth(ctx): ProjectAuth,
    DescopeJson(b): DescopeJson<ReplaceBody>,
) -> ApiResult<AuthResponse> {
    let info =
        password::replace(&s.db, &s.hasher, &ctx, &b.login_id, &b.old_password, &b.new_password).await?;
    Ok(AuthResponse::new(&ctx, &info))
}

/// POST /v1/auth/password/update
/// Sets a new password for the user of the refresh JWT (after a reset link).
async fn update(
    State(s): State<AppState>,
    auth: SessionAuth,
    DescopeJson(b): DescopeJson<UpdateBody>,
) -> ApiResult<Json<Empty>> {
    password::update(&s.db, &s.hasher, &auth.ctx, &auth.claims, &b.login_id, &b.new_password).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/auth/password/reset
/// Sends a reset link by email; it verifies through `/v1/auth/magiclink/verify`.
async fn reset(
    State(s): State<AppState>,
    ProjectAuth(ctx): ProjectAuth,
    DescopeJson(b): DescopeJson<ResetBody>,
) -> ApiResult<Json<ResetResponse>> {
    let masked = password::send_reset(&s.db, &s.outbox, &ctx, &b.login_id, &b.redirect_url).await?;
    Ok(Json(ResetResponse { reset_method: "magiclink", masked_email: masked.value }))
}

/// GET /v1/auth/password/policy
/// The project's password rules.
async fn policy(ProjectAuth(ctx): ProjectAuth) -> ApiResult<Json<PolicyResponse>> {
    Ok(Json(password::policy(&ctx).into()))
}
