//! Authentication methods: how a person proves who they are before a session is issued.
//! The passwordless engine (OTP, magic link, enchanted link, NOTP) runs on the pending-secret
//! engine of [`crate::domain::pending`]; passwords, TOTP, recovery codes and security
//! questions keep their secrets on the user. Every method ends in
//! [`crate::domain::sessions`].

pub mod password;
pub mod passwordless;
pub mod recovery;
pub mod totp;
pub mod webauthn;

use crate::domain::authn::passwordless::LoginOptions;
use crate::domain::sessions::Claims;
use crate::error::{ApiError, ApiResult};

/// A sign-in with a login ID and a one-time code (TOTP, recovery code): what the person
/// gave, their login options and, with `stepup`/`mfa`, the session they are signed in with.
#[derive(Debug, Clone)]
pub struct SignInAttempt<'a> {
    pub login_id: &'a str,
    pub code: &'a str,
    pub options: LoginOptions,
    pub session: Option<&'a Claims>,
}

/// Checks that a code sign-in (OTP, TOTP) names a login ID and gives a code, in that order.
pub(crate) fn require_login_id_and_code(login_id: &str, code: &str) -> ApiResult<()> {
    if login_id.is_empty() {
        return Err(ApiError::missing("loginId"));
    }
    if code.is_empty() {
        return Err(ApiError::missing("code"));
    }
    Ok(())
}
