//! Descope API group `EnchantedLink`: sign-in links by email whose session goes to the app
//! that started the flow, not to the browser that follows the link.
//!
//! A start answers `{pendingRef, linkId, maskedEmail}` and writes an outbox message (kind
//! `enchantedlink`) whose `link` is the request's `URI` with the token in `t`, whose `token`
//! is that token and whose `code` is the `linkId`. `verify {token}` answers `{}` and marks
//! the link followed; `pending-session {pendingRef}` answers 401 `E062503` until then, and
//! the JWT response exactly once afterwards (until the link expires by the emulator clock).
//! The same engine serves OTP and magic links (`domain::authn::passwordless`, STYLE.md D3).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::domain::authn::passwordless::{self, Method, Purpose, Started};
use crate::domain::messaging::channel::{Channel, Email};
use crate::dto::auth::{AuthResponse, StartBody, TokenBody};
use crate::dto::common::Empty;
use crate::dto::Validate;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{DescopeJson, OptionalSessionAuth, ProjectAuth, SessionAuth, ValidJson};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/auth/enchantedlink/pending-session" => pending_session,
        POST "/v1/auth/enchantedlink/signin/email" => sign_in::<Email>,
        POST "/v1/auth/enchantedlink/signup-in/email" => sign_up_or_in::<Email>,
        POST "/v1/auth/enchantedlink/signup/email" => sign_up::<Email>,
        POST "/v1/auth/enchantedlink/update/email" => update::<Email>,
        POST "/v1/auth/enchantedlink/verify" => verify,
    }
}

/// `{pendingRef, linkId, maskedEmail}`
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct EnchantedLinkResponse {
    pending_ref: String,
    link_id: String,
    masked_email: String,
}

impl From<Started> for EnchantedLinkResponse {
    fn from(s: Started) -> Self {
        EnchantedLinkResponse {
            pending_ref: s.pending_ref.unwrap_or_default(),
            link_id: s.link_id.unwrap_or_default(),
            masked_email: s.masked.value,
        }
    }
}

/// `{pendingRef}` of the poll (shared with NOTP).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct PendingRefBody {
    pub pending_ref: String,
}

impl Validate for PendingRefBody {
    fn validate(&self) -> ApiResult<()> {
        if self.pending_ref.is_empty() {
            return Err(ApiError::missing("pendingRef"));
        }
        Ok(())
    }
}

async fn start<C: Channel>(
    s: &AppState,
    auth: OptionalSessionAuth,
    purpose: Purpose,
    body: StartBody,
) -> ApiResult<Json<EnchantedLinkResponse>> {
    let session = auth.session.map(|(claims, _)| claims);
    let req = body.into_start(C::KIND, session);
    let started =
        passwordless::start(&s.db, &s.outbox, &auth.ctx, Method::EnchantedLink, C::KIND, purpose, req, None)
            .await?;
    Ok(Json(started.into()))
}

/// POST /v1/auth/enchantedlink/signup/email
/// Sends a sign-up link to a new user's address.
async fn sign_up<C: Channel>(
    State(s): State<AppState>,
    auth: OptionalSessionAuth,
    DescopeJson(body): DescopeJson<StartBody>,
) -> ApiResult<Json<EnchantedLinkResponse>> {
    start::<C>(&s, auth, Purpose::SignUp, body).await
}

/// POST /v1/auth/enchantedlink/signin/email
/// Sends a sign-in link to an existing user (step-up and MFA with a refresh JWT in the bearer).
async fn sign_in<C: Channel>(
    State(s): State<AppState>,
    auth: OptionalSessionAuth,
    DescopeJson(body): DescopeJson<StartBody>,
) -> ApiResult<Json<EnchantedLinkResponse>> {
    start::<C>(&s, auth, Purpose::SignIn, body).await
}

/// POST /v1/auth/enchantedlink/signup-in/email
/// Sends a link, creating the user when the session is handed out if they do not exist.
async fn sign_up_or_in<C: Channel>(
    State(s): State<AppState>,
    auth: OptionalSessionAuth,
    DescopeJson(body): DescopeJson<StartBody>,
) -> ApiResult<Json<EnchantedLinkResponse>> {
    start::<C>(&s, auth, Purpose::SignUpOrIn, body).await
}

/// POST /v1/auth/enchantedlink/update/email
/// Sends a link to the signed-in user's new address; once followed and polled, the address
/// is changed.
async fn update<C: Channel>(
    State(s): State<AppState>,
    auth: SessionAuth,
    DescopeJson(body): DescopeJson<StartBody>,
) -> ApiResult<Json<EnchantedLinkResponse>> {
    let req = body.into_start(C::KIND, Some(auth.claims));
    let started = passwordless::start(
        &s.db,
        &s.outbox,
        &auth.ctx,
        Method::EnchantedLink,
        C::KIND,
        Purpose::Update,
        req,
        None,
    )
    .await?;
    Ok(Json(started.into()))
}

/// POST /v1/auth/enchantedlink/verify
/// Marks the link followed (once); the browser gets `{}`, the poller the session.
async fn verify(
    State(s): State<AppState>,
    ProjectAuth(ctx): ProjectAuth,
    ValidJson(body): ValidJson<TokenBody>,
) -> ApiResult<Json<Empty>> {
    passwordless::verify_link(&s.db, &ctx, Method::EnchantedLink, &body.token, None).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/auth/enchantedlink/pending-session
/// 401 `E062503` until the link is followed, then the session, once.
async fn pending_session(
    State(s): State<AppState>,
    ProjectAuth(ctx): ProjectAuth,
    ValidJson(body): ValidJson<PendingRefBody>,
) -> ApiResult<AuthResponse> {
    let info = passwordless::poll(&s.db, &ctx, Method::EnchantedLink, &body.pending_ref).await?;
    Ok(AuthResponse::new(&ctx, &info))
}
