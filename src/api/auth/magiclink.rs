//! Descope API group `MagicLink`: sign-in links by email, SMS and WhatsApp.
//!
//! The link is the request's `URI` (or the project's default) with the token in its `t` query
//! parameter; the outbox message carries `link` and `token`.

use axum::extract::State;
use axum::Json;

use super::otp::{start, start_update};
use crate::domain::authn::passwordless::{self, Method, Purpose};
use crate::domain::messaging::channel::{Channel, Email, Sms, Whatsapp};
use crate::dto::auth::{AuthResponse, MaskedResponse, StartBody, TokenBody};
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, OptionalSessionAuth, ProjectAuth, SessionAuth, ValidJson};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/auth/magiclink/signin/email" => sign_in::<Email>,
        POST "/v1/auth/magiclink/signin/sms" => sign_in::<Sms>,
        POST "/v1/auth/magiclink/signin/whatsapp" => sign_in::<Whatsapp>,
        POST "/v1/auth/magiclink/signup-in/email" => sign_up_or_in::<Email>,
        POST "/v1/auth/magiclink/signup-in/sms" => sign_up_or_in::<Sms>,
        POST "/v1/auth/magiclink/signup-in/whatsapp" => sign_up_or_in::<Whatsapp>,
        POST "/v1/auth/magiclink/signup/email" => sign_up::<Email>,
        POST "/v1/auth/magiclink/signup/sms" => sign_up::<Sms>,
        POST "/v1/auth/magiclink/signup/whatsapp" => sign_up::<Whatsapp>,
        POST "/v1/auth/magiclink/update/email" => update::<Email>,
        POST "/v1/auth/magiclink/update/phone/sms" => update::<Sms>,
        POST "/v1/auth/magiclink/update/phone/whatsapp" => update::<Whatsapp>,
        POST "/v1/auth/magiclink/verify" => verify,
    }
}

/// POST /v1/auth/magiclink/signup/{channel}
/// Sends a sign-up link to a new user's address.
async fn sign_up<C: Channel>(
    State(s): State<AppState>,
    auth: OptionalSessionAuth,
    DescopeJson(body): DescopeJson<StartBody>,
) -> ApiResult<Json<MaskedResponse>> {
    start::<C>(&s, auth, Method::MagicLink, Purpose::SignUp, body).await
}

/// POST /v1/auth/magiclink/signin/{channel}
/// Sends a sign-in link to an existing user.
async fn sign_in<C: Channel>(
    State(s): State<AppState>,
    auth: OptionalSessionAuth,
    DescopeJson(body): DescopeJson<StartBody>,
) -> ApiResult<Json<MaskedResponse>> {
    start::<C>(&s, auth, Method::MagicLink, Purpose::SignIn, body).await
}

/// POST /v1/auth/magiclink/signup-in/{channel}
/// Sends a link, creating the user at verification if they do not exist.
async fn sign_up_or_in<C: Channel>(
    State(s): State<AppState>,
    auth: OptionalSessionAuth,
    DescopeJson(body): DescopeJson<StartBody>,
) -> ApiResult<Json<MaskedResponse>> {
    start::<C>(&s, auth, Method::MagicLink, Purpose::SignUpOrIn, body).await
}

/// POST /v1/auth/magiclink/update/email, /v1/auth/magiclink/update/phone/{channel}
/// Sends a link to the signed-in user's new address; verifying it changes the address.
async fn update<C: Channel>(
    State(s): State<AppState>,
    auth: SessionAuth,
    DescopeJson(body): DescopeJson<StartBody>,
) -> ApiResult<Json<MaskedResponse>> {
    start_update::<C>(&s, auth, Method::MagicLink, body).await
}

/// POST /v1/auth/magiclink/verify
/// Verifies the token of a link (once) and signs the user in.
async fn verify(
    State(s): State<AppState>,
    ProjectAuth(ctx): ProjectAuth,
    ValidJson(body): ValidJson<TokenBody>,
) -> ApiResult<AuthResponse> {
    let info = passwordless::verify_token(&s.db, &ctx, &body.token).await?;
    Ok(AuthResponse::new(&ctx, &info))
}
