//! `/v1/auth/*`: the authentication API.

pub mod accesskey;
pub mod enchantedlink;
pub mod magiclink;
pub mod notp;
pub mod oauth;
pub mod otp;
pub mod password;
pub mod recovery_codes;
pub mod security_questions;
pub mod session;
pub mod sso;
pub mod totp;
pub mod webauthn;
pub mod wsfed;

use crate::http::route_table::Op;
use crate::state::AppState;

/// Every operation of this group.
pub fn ops() -> impl Iterator<Item = &'static Op> {
    [
        accesskey::OPS,
        enchantedlink::OPS,
        magiclink::OPS,
        notp::OPS,
        oauth::OPS,
        otp::OPS,
        password::OPS,
        recovery_codes::OPS,
        security_questions::OPS,
        session::OPS,
        sso::OPS,
        totp::OPS,
        webauthn::OPS,
        wsfed::OPS,
    ]
    .into_iter()
    .flatten()
}

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .merge(accesskey::routes())
        .merge(enchantedlink::routes())
        .merge(magiclink::routes())
        .merge(notp::routes())
        .merge(oauth::routes())
        .merge(otp::routes())
        .merge(password::routes())
        .merge(recovery_codes::routes())
        .merge(security_questions::routes())
        .merge(session::routes())
        .merge(sso::routes())
        .merge(totp::routes())
        .merge(webauthn::routes())
        .merge(wsfed::routes())
}
