//! Descope API groups `testUserManagement`.
//!
//! Built: generate an OTP code or a magic link for a test user; the secret is returned in the
//! response and nothing is sent. `/generate/enchantedlink` is routed but not built yet: it
//! answers 501 with the Descope error body naming it.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::domain::channel::ChannelKind;
use crate::domain::passwordless::{self, LoginOptions, Method};
use crate::dto::common::null_as_default;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{DescopeJson, MgmtAuth, Validate};
use crate::http::route_table::not_implemented;
use crate::state::AppState;

crate::route_table! {
    pub OPS;
    POST "/v1/mgmt/tests/generate/enchantedlink" => not_implemented,
    POST "/v1/mgmt/tests/generate/magiclink" => generate_magic_link,
    POST "/v1/mgmt/tests/generate/otp" => generate_otp,
}

/// The body of `/generate/otp` and `/generate/magiclink`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GenerateBody {
    #[serde(default, deserialize_with = "null_as_default")]
    login_id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    delivery_method: String,
    /// The link base of a magic link (upper-case, as the SDKs send it).
    #[serde(default, rename = "URI", deserialize_with = "null_as_default")]
    uri: String,
    #[serde(default, deserialize_with = "null_as_default")]
    redirect_url: String,
    #[serde(default, deserialize_with = "null_as_default")]
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

/// POST /v1/mgmt/tests/generate/otp
/// Creates a one-time code for a test user and returns it instead of sending it.
async fn generate_otp(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<GenerateBody>,
) -> ApiResult<Json<GeneratedOtp>> {
    let channel = body.channel()?;
    let (code, _) = passwordless::generate_for_test_user(
        &s,
        &ctx,
        Method::Otp,
        channel,
        &body.login_id,
        None,
        body.login_options,
    )
    .await?;
    let code = code.ok_or_else(|| ApiError::internal("no code generated"))?;
    Ok(Json(GeneratedOtp { code, login_id: body.login_id }))
}

/// POST /v1/mgmt/tests/generate/magiclink
/// Creates a magic link for a test user and returns it instead of sending it.
async fn generate_magic_link(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<GenerateBody>,
) -> ApiResult<Json<GeneratedLink>> {
    let channel = body.channel()?;
    let redirect = body.redirect().map(str::to_owned);
    let (_, link) = passwordless::generate_for_test_user(
        &s,
        &ctx,
        Method::MagicLink,
        channel,
        &body.login_id,
        redirect.as_deref(),
        body.login_options,
    )
    .await?;
    let link = link.ok_or_else(|| ApiError::internal("no link generated"))?;
    Ok(Json(GeneratedLink { link, login_id: body.login_id }))
}
