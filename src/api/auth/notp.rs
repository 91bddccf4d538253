//! Descope API group `NOTP`: sign-in by approving a WhatsApp message.
//!
//! A start (`/v1/auth/notp/whatsapp/{signin,signup,signup-in}`; `whatsapp` is the only
//! provider) answers `{pendingRef, redirectUrl, image}`: `redirectUrl` is a WhatsApp deep link
//! (`https://wa.me/<number>?text=...`) and `image` that link as a base64 PNG QR code. Instead
//! of the WhatsApp conversation, the emulator writes an outbox message (channel `whatsapp`,
//! kind `notp`) whose `link` approves the sign-in when followed:
//! `GET /emulator/v1/projects/{projectId}/notp/approve?t=<token>` (see
//! `api::emulator::notp`). `pending-session {pendingRef}` answers 401 `E066103` until then,
//! and the JWT response exactly once afterwards. A sign-in may start without `loginId`
//! (Descope learns the number from the WhatsApp message); the approval then needs
//! `&loginId=`. `update` (refresh JWT in the bearer) changes the user's phone on approval.
//! One engine with OTP and links (`domain::authn::passwordless`, STYLE.md D3).

use axum::extract::{Path, State};
use axum::Json;
use base64::Engine;
use serde::Serialize;

use super::enchantedlink::PendingRefBody;
use super::{SignIn, SignUp, SignUpOrIn, StartPurpose};
use crate::domain::authn::passwordless::{self, Method, Purpose, Started};
use crate::domain::authn::totp::qr_png;
use crate::domain::messaging::channel::{Channel, Whatsapp};
use crate::dto::auth::{AuthResponse, StartBody};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::http::extract::{DescopeJson, OptionalSessionAuth, ProjectAuth, SessionAuth, ValidJson};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/auth/notp/pending-session" => pending_session,
        POST "/v1/auth/notp/{provider}/signin" => start::<SignIn>,
        POST "/v1/auth/notp/{provider}/signup" => start::<SignUp>,
        POST "/v1/auth/notp/{provider}/signup-in" => start::<SignUpOrIn>,
        POST "/v1/auth/notp/{provider}/update" => update,
    }
}

/// `{pendingRef, redirectUrl, image}`
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct NotpResponse {
    pending_ref: String,
    redirect_url: String,
    image: String,
}

impl TryFrom<Started> for NotpResponse {
    type Error = ApiError;

    fn try_from(s: Started) -> ApiResult<Self> {
        let redirect_url = s.redirect_url.unwrap_or_default();
        let image = base64::engine::general_purpose::STANDARD.encode(qr_png(&redirect_url)?);
        Ok(NotpResponse { pending_ref: s.pending_ref.unwrap_or_default(), redirect_url, image })
    }
}

/// The only NOTP provider Descope documents and the SDKs call.
fn check_provider(provider: &str) -> ApiResult<()> {
    if provider.eq_ignore_ascii_case(Whatsapp::KIND.as_str()) {
        Ok(())
    } else {
        Err(ApiError::new(ErrorKind::InvalidArguments, format!("Unsupported NOTP provider: {provider}")))
    }
}

/// Starts the WhatsApp approval flow for `purpose` (every route of this group but the poll).
async fn start_polled(
    s: &AppState,
    ctx: &crate::domain::Ctx,
    session: Option<crate::domain::sessions::Claims>,
    provider: &str,
    purpose: Purpose,
    body: StartBody,
) -> ApiResult<Json<NotpResponse>> {
    check_provider(provider)?;
    let req = body.into_start(Whatsapp::KIND, session);
    let started =
        passwordless::start(&s.db, &s.outbox, ctx, Method::Notp, Whatsapp::KIND, purpose, req, None).await?;
    Ok(Json(started.try_into()?))
}

/// POST /v1/auth/notp/{provider}/signup, /signin, /signup-in
/// Starts a sign-up, a sign-in (step-up and MFA with a refresh JWT in the bearer) or a
/// sign-up-or-in; the user is created (sign-up) when the approved session is polled.
async fn start<P: StartPurpose>(
    State(s): State<AppState>,
    Path(provider): Path<String>,
    auth: OptionalSessionAuth,
    DescopeJson(body): DescopeJson<StartBody>,
) -> ApiResult<Json<NotpResponse>> {
    let session = auth.session.map(|(c, _)| c);
    start_polled(&s, &auth.ctx, session, &provider, P::PURPOSE, body).await
}

/// POST /v1/auth/notp/{provider}/update
/// Sends an approval to the signed-in user's new phone; once approved and polled, the phone
/// is changed.
async fn update(
    State(s): State<AppState>,
    Path(provider): Path<String>,
    auth: SessionAuth,
    DescopeJson(body): DescopeJson<StartBody>,
) -> ApiResult<Json<NotpResponse>> {
    start_polled(&s, &auth.ctx, Some(auth.claims), &provider, Purpose::Update, body).await
}

/// POST /v1/auth/notp/pending-session
/// 401 `E066103` until the WhatsApp message is approved, then the session, once.
async fn pending_session(
    State(s): State<AppState>,
    ProjectAuth(ctx): ProjectAuth,
    ValidJson(body): ValidJson<PendingRefBody>,
) -> ApiResult<AuthResponse> {
    let info = passwordless::poll(&s.db, &ctx, Method::Notp, &body.pending_ref).await?;
    Ok(AuthResponse::new(&ctx, &info))
}
