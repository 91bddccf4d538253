//! The JWT response of every sign-in, refresh and tenant selection, and the masked-address
//! answer of flow starts.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::user::User;
use crate::domain::channel::AddressKind;
use crate::domain::passwordless::Masked;
use crate::domain::sessions::AuthInfo;
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
        };
        let cookie = in_cookie.then(|| {
            format!("DSR={}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict", info.refresh_jwt)
        });
        AuthResponse { body, cookie }
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
