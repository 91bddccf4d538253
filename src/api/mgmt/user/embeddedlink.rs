//! Descope API group `embeddedLink`: sign-in and sign-up embedded links.
//!
//! An embedded link is a magic-link token returned to the caller instead of being sent; it is
//! verified with `POST /v1/auth/magiclink/verify`. `timeout` (seconds) sets its lifetime.
//! Python sends the sign-up `user` and `loginOptions` with snake_case keys
//! (`CreateUserObj.__dict__`), Go and Node with camelCase: both are accepted.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::domain::authn::passwordless::{self, Embedded, LoginOptions, Purpose, SignUpDetails};
use crate::dto::common::check_duration;
use crate::dto::Validate;
use crate::error::ApiResult;
use crate::http::extract::{MgmtAuth, ValidJson};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/mgmt/user/signin/embeddedlink" => sign_in,
        POST "/v1/mgmt/user/signup/embeddedlink" => sign_up,
    }
}

/// `EmbeddedLinkSignInRequest`
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct EmbeddedLinkSignInRequest {
    login_id: String,
    custom_claims: Map<String, Value>,
    timeout: i64,
}

impl Validate for EmbeddedLinkSignInRequest {
    fn validate(&self) -> ApiResult<()> {
        check_duration("timeout", self.timeout)
    }
}

/// `EmbeddedLinkSignInResponse`
#[derive(Debug, Serialize)]
struct EmbeddedLinkResponse {
    token: String,
}

/// POST /v1/mgmt/user/signin/embeddedlink
/// A sign-in token for an existing user, with custom claims for the session it yields.
async fn sign_in(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    ValidJson(body): ValidJson<EmbeddedLinkSignInRequest>,
) -> ApiResult<Json<EmbeddedLinkResponse>> {
    let options = LoginOptions { custom_claims: body.custom_claims, ..LoginOptions::default() };
    let token = passwordless::generate_embedded_link(
        &s.db,
        &ctx,
        Purpose::SignIn,
        &body.login_id,
        SignUpDetails::default(),
        options,
        Embedded::default(),
        body.timeout,
    )
    .await?;
    Ok(Json(EmbeddedLinkResponse { token }))
}

/// `SignUpUser`, in either spelling.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct SignUpUser {
    name: String,
    #[serde(alias = "display_name")]
    display_name: String,
    #[serde(alias = "given_name")]
    given_name: String,
    #[serde(alias = "middle_name")]
    middle_name: String,
    #[serde(alias = "family_name")]
    family_name: String,
    email: String,
    phone: String,
}

/// `LoginOptions`, in either spelling.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct SignUpLoginOptions {
    stepup: bool,
    mfa: bool,
    #[serde(alias = "custom_claims")]
    custom_claims: Map<String, Value>,
    #[serde(alias = "revoke_other_sessions")]
    revoke_other_sessions: bool,
    #[serde(alias = "tenant_id")]
    tenant_id: String,
}

/// `EmbeddedLinkSignUpOrInRequest`
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct EmbeddedLinkSignUpRequest {
    login_id: String,
    user: SignUpUser,
    login_options: SignUpLoginOptions,
    email_verified: bool,
    phone_verified: bool,
    timeout: i64,
}

impl Validate for EmbeddedLinkSignUpRequest {
    fn validate(&self) -> ApiResult<()> {
        check_duration("timeout", self.timeout)
    }
}

/// POST /v1/mgmt/user/signup/embeddedlink
/// A sign-up token: verifying it creates the user from `user` (or signs in an existing one).
async fn sign_up(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    ValidJson(body): ValidJson<EmbeddedLinkSignUpRequest>,
) -> ApiResult<Json<EmbeddedLinkResponse>> {
    let u = body.user;
    let details = SignUpDetails {
        name: if u.display_name.is_empty() { u.name } else { u.display_name },
        given_name: u.given_name,
        middle_name: u.middle_name,
        family_name: u.family_name,
        email: u.email,
        phone: u.phone,
    };
    let o = body.login_options;
    let options = LoginOptions {
        stepup: o.stepup,
        mfa: o.mfa,
        custom_claims: o.custom_claims,
        revoke_other_sessions: o.revoke_other_sessions,
        tenant_id: o.tenant_id,
    };
    let embedded = Embedded { email_verified: body.email_verified, phone_verified: body.phone_verified };
    let token = passwordless::generate_embedded_link(
        &s.db,
        &ctx,
        Purpose::SignUpOrIn,
        &body.login_id,
        details,
        options,
        embedded,
        body.timeout,
    )
    .await?;
    Ok(Json(EmbeddedLinkResponse { token }))
}
