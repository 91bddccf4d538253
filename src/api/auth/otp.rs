//! Descope API group `OTP`: one-time codes by email, SMS, voice, WhatsApp and IM.
//!
//! Every channel shares one generic handler per action (STYLE.md D1); the code goes to the
//! outbox, never into the response. `/whatsapp` paths are not in the OpenAPI but the SDKs
//! call them (SDK_CONTRACT.md 9.4).

use axum::extract::State;
use axum::Json;

use crate::domain::authn::passwordless::{self, Method, Purpose};
use crate::domain::messaging::channel::{Channel, Email, Im, Sms, Voice, Whatsapp};
use crate::dto::auth::{AuthResponse, MaskedResponse, StartBody, VerifyCodeBody};
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, OptionalSessionAuth, ProjectAuth, SessionAuth, ValidJson};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/auth/otp/signin/email" => sign_in::<Email>,
        POST "/v1/auth/otp/signin/im" => sign_in::<Im>,
        POST "/v1/auth/otp/signin/sms" => sign_in::<Sms>,
        POST "/v1/auth/otp/signin/voice" => sign_in::<Voice>,
        POST "/v1/auth/otp/signin/whatsapp" => sign_in::<Whatsapp>,
        POST "/v1/auth/otp/signup-in/email" => sign_up_or_in::<Email>,
        POST "/v1/auth/otp/signup-in/im" => sign_up_or_in::<Im>,
        POST "/v1/auth/otp/signup-in/sms" => sign_up_or_in::<Sms>,
        POST "/v1/auth/otp/signup-in/voice" => sign_up_or_in::<Voice>,
        POST "/v1/auth/otp/signup-in/whatsapp" => sign_up_or_in::<Whatsapp>,
        POST "/v1/auth/otp/signup/email" => sign_up::<Email>,
        POST "/v1/auth/otp/signup/im" => sign_up::<Im>,
        POST "/v1/auth/otp/signup/sms" => sign_up::<Sms>,
        POST "/v1/auth/otp/signup/voice" => sign_up::<Voice>,
        POST "/v1/auth/otp/signup/whatsapp" => sign_up::<Whatsapp>,
        POST "/v1/auth/otp/update/email" => update::<Email>,
        POST "/v1/auth/otp/update/phone/im" => update::<Im>,
        POST "/v1/auth/otp/update/phone/sms" => update::<Sms>,
        POST "/v1/auth/otp/update/phone/voice" => update::<Voice>,
        POST "/v1/auth/otp/update/phone/whatsapp" => update::<Whatsapp>,
        POST "/v1/auth/otp/verify/email" => verify::<Email>,
        POST "/v1/auth/otp/verify/im" => verify::<Im>,
        POST "/v1/auth/otp/verify/sms" => verify::<Sms>,
        POST "/v1/auth/otp/verify/voice" => verify::<Voice>,
        POST "/v1/auth/otp/verify/whatsapp" => verify::<Whatsapp>,
    }
}

/// Starts a passwordless flow through channel `C`; shared with the magic-link handlers.
pub(crate) async fn start<C: Channel>(
    s: &AppState,
    auth: OptionalSessionAuth,
    method: Method,
    purpose: Purpose,
    body: StartBody,
) -> ApiResult<Json<MaskedResponse>> {
    let session = auth.session.map(|(claims, _)| claims);
    let masked = passwordless::start(
        &s.db,
        &s.outbox,
        &auth.ctx,
        method,
        C::KIND,
        purpose,
        body.into_start(C::KIND, session),
        None,
    )
    .await?
    .masked;
    Ok(Json(masked.into()))
}

/// Starts an address change for the signed-in user; shared with the magic-link handlers.
pub(crate) async fn start_update<C: Channel>(
    s: &AppState,
    auth: SessionAuth,
    method: Method,
    body: StartBody,
) -> ApiResult<Json<MaskedResponse>> {
    let request = body.into_start(C::KIND, Some(auth.claims));
    let masked =
        passwordless::start(&s.db, &s.outbox, &auth.ctx, method, C::KIND, Purpose::Update, request, None)
            .await?
            .masked;
    Ok(Json(masked.into()))
}

/// POST /v1/auth/otp/signup/{channel}
/// Sends a code to a new user's address.
async fn sign_up<C: Channel>(
    State(s): State<AppState>,
    auth: OptionalSessionAuth,
    DescopeJson(body): DescopeJson<StartBody>,
) -> ApiResult<Json<MaskedResponse>> {
    start::<C>(&s, auth, Method::Otp, Purpose::SignUp, body).await
}

/// POST /v1/auth/otp/signin/{channel}
/// Sends a code to an existing user (step-up and MFA with a refresh JWT in the bearer).
async fn sign_in<C: Channel>(
    State(s): State<AppState>,
    auth: OptionalSessionAuth,
    DescopeJson(body): DescopeJson<StartBody>,
) -> ApiResult<Json<MaskedResponse>> {
    start::<C>(&s, auth, Method::Otp, Purpose::SignIn, body).await
}

/// POST /v1/auth/otp/signup-in/{channel}
/// Sends a code, creating the user at verification if they do not exist.
async fn sign_up_or_in<C: Channel>(
    State(s): State<AppState>,
    auth: OptionalSessionAuth,
    DescopeJson(body): DescopeJson<StartBody>,
) -> ApiResult<Json<MaskedResponse>> {
    start::<C>(&s, auth, Method::Otp, Purpose::SignUpOrIn, body).await
}

/// POST /v1/auth/otp/update/email, /v1/auth/otp/update/phone/{channel}
/// Sends a code to the signed-in user's new address; verifying it changes the address.
async fn update<C: Channel>(
    State(s): State<AppState>,
    auth: SessionAuth,
    DescopeJson(body): DescopeJson<StartBody>,
) -> ApiResult<Json<MaskedResponse>> {
    start_update::<C>(&s, auth, Method::Otp, body).await
}

/// POST /v1/auth/otp/verify/{channel}
/// Verifies a code and signs the user in.
async fn verify<C: Channel>(
    State(s): State<AppState>,
    ProjectAuth(ctx): ProjectAuth,
    ValidJson(body): ValidJson<VerifyCodeBody>,
) -> ApiResult<AuthResponse> {
    let info = passwordless::verify_code(&s.db, &ctx, C::KIND, &body.login_id, &body.code).await?;
    Ok(AuthResponse::new(&ctx, &info))
}
