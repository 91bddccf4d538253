//! Descope API groups `testUserManagement`.
//!
//! Built: generate an OTP code, a magic link or an enchanted link for a test user; the secret
//! is returned in the response and nothing is sent. An enchanted link's `pendingRef` is polled
//! at `/v1/auth/enchantedlink/pending-session` after `/v1/auth/enchantedlink/verify`.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::domain::authn::passwordless::{self, LoginOptions, Method};
use crate::domain::messaging::channel::ChannelKind;
use crate::dto::Validate;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{MgmtAuth, ValidJson};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/mgmt/tests/generate/enchantedlink" => generate_enchanted_link,
        POST "/v1/mgmt/tests/generate/magiclink" => generate_magic_link,
        POST "/v1/mgmt/tests/generate/otp" => generate_otp,
    }
}

/// The body of `/generate/otp` and `/generate/magiclink`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GenerateBody {
    login_id: String,
    delivery_method: String,
    /// The link base of a magic link (upper-case, as the SDKs send it).
    #[serde(rename = "URI")]
    uri: String,
    redirect_url: String,
    login_options: LoginOptions,
}

impl Validate for GenerateBody {
    fn validate(&self) -> ApiResult<()> {
        if self.login_id.is_empty() {
            return Err(ApiError::missing("loginId"));
        }
        self.channel().map(|_| ())
    }
}

impl GenerateBody {
    fn channel(&self) -> ApiResult<ChannelKind> {
        if self.delivery_method.is_empty() {
            return Err(ApiError::missing("deliveryMethod"));
        }
        ChannelKind::parse(&self.delivery_method)
            .ok_or_else(|| ApiError::invalid(format!("Invalid deliveryMethod: {}", self.delivery_method)))
    }

    fn redirect(&self) -> Option<&str> {
        [self.uri.as_str(), self.redirect_url.as_str()].into_iter().find(|u| !u.is_empty())
    }
}

/// `{code, loginId}`
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct GeneratedOtp {
    code: String,
    login_id: String,
}

/// `{link, loginId}`
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct GeneratedLink {
    link: String,
    login_id: String,
}

/// `{link, loginId, pendingRef}`
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct GeneratedEnchantedLink {
    link: String,
    login_id: String,
    pending_ref: String,
}

/// The body of `/generate/enchantedlink` (email only, so no `deliveryMethod`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GenerateEnchantedBody {
    login_id: String,
    #[serde(rename = "URI", alias = "redirectUrl")]
    uri: String,
    login_options: LoginOptions,
}

impl Validate for GenerateEnchantedBody {
    fn validate(&self) -> ApiResult<()> {
        if self.login_id.is_empty() {
            return Err(ApiError::missing("loginId"));
        }
        Ok(())
    }
}

/// POST /v1/mgmt/tests/generate/otp
/// Creates a one-time code for a test user and returns it instead of sending it.
async fn generate_otp(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    ValidJson(body): ValidJson<GenerateBody>,
) -> ApiResult<Json<GeneratedOtp>> {
    let channel = body.channel()?;
    let secret = passwordless::generate_for_test_user(
        &s.db,
        &ctx,
        Method::Otp,
        channel,
        &body.login_id,
        None,
        body.login_options,
    )
    .await?;
    let code = secret.code.ok_or_else(|| ApiError::internal("no code generated"))?;
    Ok(Json(GeneratedOtp { code, login_id: body.login_id }))
}

/// POST /v1/mgmt/tests/generate/magiclink
/// Creates a magic link for a test user and returns it instead of sending it.
async fn generate_magic_link(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    ValidJson(body): ValidJson<GenerateBody>,
) -> ApiResult<Json<GeneratedLink>> {
    let channel = body.channel()?;
    let redirect = body.redirect().map(str::to_owned);
    let secret = passwordless::generate_for_test_user(
        &s.db,
        &ctx,
        Method::MagicLink,
        channel,
        &body.login_id,
        redirect.as_deref(),
        body.login_options,
    )
    .await?;
    let link = secret.link.ok_or_else(|| ApiError::internal("no link generated"))?;
    Ok(Json(GeneratedLink { link, login_id: body.login_id }))
}

/// POST /v1/mgmt/tests/generate/enchantedlink
/// Creates an enchanted link for a test user and returns it with its pending reference.
async fn generate_enchanted_link(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    ValidJson(body): ValidJson<GenerateEnchantedBody>,
) -> ApiResult<Json<GeneratedEnchantedLink>> {
    let redirect = Some(body.uri.as_str()).filter(|u| !u.is_empty());
    let secret = passwordless::generate_for_test_user(
        &s.db,
        &ctx,
        Method::EnchantedLink,
        ChannelKind::Email,
        &body.login_id,
        redirect,
        body.login_options,
    )
    .await?;
    let (Some(link), Some(pending_ref)) = (secret.link, secret.pending_ref) else {
        return Err(ApiError::internal("no enchanted link generated"));
    };
    Ok(Json(GeneratedEnchantedLink { link, login_id: body.login_id, pending_ref }))
}
