//! The JWT response of every sign-in, refresh and tenant selection, and the masked-address
//! answer of flow starts.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::user::User;
use crate::domain::authn::passwordless::{LoginOptions, Masked, SignUpDetails, StartRequest};
use crate::domain::messaging::channel::{AddressKind, ChannelKind};
use crate::domain::sessions::{AuthInfo, Claims};
use crate::domain::Ctx;

/// `JWTResponse` (SDK_CONTRACT.md 5). Cookie numbers fit int32, as Go decodes them.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JwtResponse {
    pub session_jwt: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_jwt: Option<String>,
    pub cookie_domain: String,
    pub cookie_path: String,
    pub cookie_max_age: i64,
    pub cookie_expiration: i64,
    pub session_expiration: i64,
    pub first_seen: bool,
    pub user: User,
    /// Members some methods add (SSO: `idpResponse`, `tenantSSOID`).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// A JWT response plus, when the project keeps refresh tokens out of the body, the `DSR`
/// cookie (without `Domain`: a mismatched domain makes Python's cookie jar drop it).
pub struct AuthResponse {
    body: JwtResponse,
    cookie: Option<String>,
}

impl AuthResponse {
    pub fn new(ctx: &Ctx, info: &AuthInfo) -> Self {
        let max_age = (info.refresh_exp - ctx.now.secs()).clamp(0, i32::MAX as i64);
        let in_cookie = ctx.project.settings.refresh_token_in_cookie;
        let body = JwtResponse {
            session_jwt: info.session_jwt.clone(),
            refresh_jwt: (!in_cookie).then(|| info.refresh_jwt.clone()),
            cookie_domain: ctx.project.settings.cookie_domain.clone(),
            cookie_path: "/".into(),
            cookie_max_age: max_age,
            cookie_expiration: info.refresh_exp.min(i32::MAX as i64),
            session_expiration: info.session_exp,
            first_seen: info.first_seen,
            user: (&info.user).into(),
            extra: serde_json::Map::new(),
        };
        let cookie = in_cookie.then(|| {
            format!("DSR={}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict", info.refresh_jwt)
        });
        AuthResponse { body, cookie }
    }

    /// The JWT response and the `Set-Cookie` value, for answers that embed the JWT response
    /// (a completed hosted flow's `authInfo`).
    pub fn into_parts(self) -> (JwtResponse, Option<String>) {
        (self.body, self.cookie)
    }

    /// Adds a member to the body (SSO's `idpResponse` and `tenantSSOID`).
    pub fn with(mut self, key: &str, value: serde_json::Value) -> Self {
        self.body.extra.insert(key.to_owned(), value);
        self
    }
}

/// An [`AuthResponse`] whose JWT response is the one member `key` of the body (WebAuthn
/// update/finish answers `{"jwt": JWTResponse}`), with the same cookie.
pub struct WrappedAuthResponse {
    body: serde_json::Map<String, serde_json::Value>,
    cookie: Option<String>,
}

impl AuthResponse {
    pub fn wrapped(self, key: &str) -> WrappedAuthResponse {
        let mut body = serde_json::Map::new();
        body.insert(key.to_owned(), serde_json::to_value(self.body).unwrap_or_default());
        WrappedAuthResponse { body, cookie: self.cookie }
    }
}

impl IntoResponse for WrappedAuthResponse {
    fn into_response(self) -> Response {
        let mut response = axum::Json(self.body).into_response();
        if let Some(c) = self.cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
            response.headers_mut().append(header::SET_COOKIE, c);
        }
        response
    }
}

impl IntoResponse for AuthResponse {
    fn into_response(self) -> Response {
        let mut response = axum::Json(self.body).into_response();
        if let Some(c) = self.cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
            response.headers_mut().append(header::SET_COOKIE, c);
        }
        response
    }
}

/// `{"maskedEmail": ...}` or `{"maskedPhone": ...}`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MaskedResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub masked_email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub masked_phone: Option<String>,
}

impl From<Masked> for MaskedResponse {
    fn from(m: Masked) -> Self {
        match m.kind {
            AddressKind::Email => MaskedResponse { masked_email: Some(m.value), masked_phone: None },
            AddressKind::Phone => MaskedResponse { masked_email: None, masked_phone: Some(m.value) },
        }
    }
}

/// The body of every passwordless start call (OTP, magic link; sign-up, sign-in, sign-up-in,
/// update). Field spellings of all three SDKs are accepted.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StartBody {
    pub login_id: String,
    /// Sign-up and update address fields; Python names the phone field after the channel.
    pub email: String,
    pub phone: String,
    pub whatsapp: String,
    pub voice: String,
    pub user: SignUpDetails,
    pub login_options: LoginOptions,
    /// Magic-link redirect: the SDKs send `URI`, the OpenAPI says `redirectUrl`.
    #[serde(rename = "URI", alias = "redirectUrl")]
    pub uri: String,
    #[serde(rename = "addToLoginIDs", alias = "addToLoginIds")]
    pub add_to_login_ids: bool,
}

impl StartBody {
    /// The domain request for a channel, with the caller's verified session if any.
    pub fn into_start(self, channel: ChannelKind, session: Option<Claims>) -> StartRequest {
        let address = match channel.address_kind() {
            AddressKind::Email => self.email,
            AddressKind::Phone => [self.phone, self.whatsapp, self.voice]
                .into_iter()
                .find(|a| !a.is_empty())
                .unwrap_or_default(),
        };
        StartRequest {
            login_id: self.login_id,
            address: Some(address).filter(|a| !a.is_empty()),
            user: self.user,
            redirect_url: Some(self.uri).filter(|u| !u.is_empty()),
            options: self.login_options,
            session,
            add_to_login_ids: self.add_to_login_ids,
        }
    }
}

/// `{loginId, code}` of `POST /v1/auth/otp/verify/{channel}`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VerifyCodeBody {
    pub login_id: String,
    pub code: String,
}

impl crate::dto::Validate for VerifyCodeBody {
    fn validate(&self) -> crate::error::ApiResult<()> {
        if self.login_id.is_empty() {
            return Err(crate::error::ApiError::missing("loginId"));
        }
        if self.code.is_empty() {
            return Err(crate::error::ApiError::missing("code"));
        }
        Ok(())
    }
}

/// `{token}` of the link verify calls.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct TokenBody {
    pub token: String,
}

impl crate::dto::Validate for TokenBody {
    fn validate(&self) -> crate::error::ApiResult<()> {
        if self.token.is_empty() {
            return Err(crate::error::ApiError::missing("token"));
        }
        Ok(())
    }
}
