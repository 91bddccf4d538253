//! Descope API group `WebAuthn`: passkey sign-up, sign-in, sign-up-or-in and adding a passkey.
//!
//! Every start answers `{transactionId, options, create}` where `options` is a JSON *string*
//! with the `publicKey` wrapper (what web-js decodes); every finish takes `{transactionId,
//! response}` (Go spells it `transactionID`) where `response` is the credential JSON as a
//! string (or, leniently, an object).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::authn::passwordless::{LoginOptions, SignUpDetails};
use crate::domain::authn::webauthn::{self, PasskeyOptions, StartRequest, Started};
use crate::dto::auth::AuthResponse;
use crate::dto::common::Empty;
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, OptionalSessionAuth, ProjectAuth, SessionAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/auth/webauthn/signin/finish" => sign_in_finish,
        POST "/v1/auth/webauthn/signin/start" => sign_in_start,
        POST "/v1/auth/webauthn/signup-in/start" => sign_up_or_in_start,
        POST "/v1/auth/webauthn/signup/finish" => sign_up_finish,
        POST "/v1/auth/webauthn/signup/start" => sign_up_start,
        POST "/v1/auth/webauthn/update/finish" => update_finish,
        POST "/v1/auth/webauthn/update/start" => update_start,
    }
}

/// The `user` of a sign-up start: the profile, and (Python) the login ID.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct StartUser {
    login_id: String,
    display_name: String,
    #[serde(flatten)]
    profile: SignUpDetails,
}

/// Every start body (`WebauthnSignUpStartRequest`, `…SignInStartRequest`,
/// `…SignUpOrInStartRequest`, `WebauthnAddDeviceStartRequest`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct StartBody {
    login_id: String,
    origin: String,
    user: StartUser,
    login_options: LoginOptions,
    passkey_options: Value,
    mfa: bool,
}

impl StartBody {
    fn into_request(self, session: Option<crate::domain::sessions::Claims>) -> StartRequest {
        let login_id = if self.login_id.trim().is_empty() { self.user.login_id } else { self.login_id };
        let mut user = self.user.profile;
        if user.name.is_empty() {
            user.name = self.user.display_name;
        }
        StartRequest {
            login_id,
            origin: self.origin,
            user,
            options: self.login_options,
            passkey_options: PasskeyOptions::from_value(&self.passkey_options),
            session,
            mfa: self.mfa,
        }
    }
}

/// `WebauthnStartResponse`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct StartResponse {
    transaction_id: String,
    options: String,
    create: bool,
}

impl From<Started> for StartResponse {
    fn from(s: Started) -> Self {
        StartResponse { transaction_id: s.transaction_id, options: s.options, create: s.create }
    }
}

/// Every finish body.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FinishBody {
    #[serde(rename = "transactionId", alias = "transactionID")]
    transaction_id: String,
    response: Value,
}

/// POST /v1/auth/webauthn/signup/start
/// Registration options for a new user.
async fn sign_up_start(
    State(s): State<AppState>,
    auth: OptionalSessionAuth,
    DescopeJson(body): DescopeJson<StartBody>,
) -> ApiResult<Json<StartResponse>> {
    let session = auth.session.map(|(c, _)| c);
    Ok(Json(webauthn::sign_up_start(&s.db, &auth.ctx, body.into_request(session)).await?.into()))
}

/// POST /v1/auth/webauthn/signin/start
/// Sign-in options (an empty login ID: any discoverable credential).
async fn sign_in_start(
    State(s): State<AppState>,
    auth: OptionalSessionAuth,
    DescopeJson(body): DescopeJson<StartBody>,
) -> ApiResult<Json<StartResponse>> {
    let session = auth.session.map(|(c, _)| c);
    Ok(Json(webauthn::sign_in_start(&s.db, &auth.ctx, body.into_request(session)).await?.into()))
}

/// POST /v1/auth/webauthn/signup-in/start
/// Sign-in options for a user with a passkey, else registration options (`create: true`).
async fn sign_up_or_in_start(
    State(s): State<AppState>,
    auth: OptionalSessionAuth,
    DescopeJson(body): DescopeJson<StartBody>,
) -> ApiResult<Json<StartResponse>> {
    let session = auth.session.map(|(c, _)| c);
    Ok(Json(webauthn::sign_up_or_in_start(&s.db, &auth.ctx, body.into_request(session)).await?.into()))
}

/// POST /v1/auth/webauthn/update/start
/// Registration options for another passkey of the signed-in user.
async fn update_start(
    State(s): State<AppState>,
    auth: SessionAuth,
    DescopeJson(body): DescopeJson<StartBody>,
) -> ApiResult<Json<StartResponse>> {
    Ok(Json(webauthn::update_start(&s.db, &auth.ctx, body.into_request(Some(auth.claims))).await?.into()))
}

/// POST /v1/auth/webauthn/signup/finish
/// Verifies the registration and signs the user in.
async fn sign_up_finish(
    State(s): State<AppState>,
    ProjectAuth(ctx): ProjectAuth,
    DescopeJson(body): DescopeJson<FinishBody>,
) -> ApiResult<AuthResponse> {
    let info = webauthn::sign_up_finish(&s.db, &ctx, &body.transaction_id, &body.response).await?;
    Ok(AuthResponse::new(&ctx, &info))
}

/// POST /v1/auth/webauthn/signin/finish
/// Verifies the assertion and signs the user in.
async fn sign_in_finish(
    State(s): State<AppState>,
    ProjectAuth(ctx): ProjectAuth,
    DescopeJson(body): DescopeJson<FinishBody>,
) -> ApiResult<AuthResponse> {
    let info = webauthn::sign_in_finish(&s.db, &ctx, &body.transaction_id, &body.response).await?;
    Ok(AuthResponse::new(&ctx, &info))
}

/// POST /v1/auth/webauthn/update/finish
/// Verifies the registration and adds the passkey: `{}`, or `{"jwt": JWTResponse}` when the
/// start asked for `mfa`.
async fn update_finish(
    State(s): State<AppState>,
    ProjectAuth(ctx): ProjectAuth,
    DescopeJson(body): DescopeJson<FinishBody>,
) -> ApiResult<Response> {
    match webauthn::update_finish(&s.db, &ctx, &body.transaction_id, &body.response).await? {
        Some(info) => Ok(AuthResponse::new(&ctx, &info).wrapped("jwt").into_response()),
        None => Ok(Json(Empty {}).into_response()),
    }
}
