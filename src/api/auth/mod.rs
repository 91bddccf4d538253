//! `/v1/auth/*`: the authentication API.

crate::route_table! {
    pub GROUP;
    modules {
        accesskey,
        callback,
        enchantedlink,
        idp_apps,
        magiclink,
        notp,
        oauth,
        otp,
        password,
        recovery_codes,
        security_questions,
        session,
        sso,
        totp,
        webauthn,
        wsfed,
    }
}

use crate::domain::authn::passwordless::Purpose;

/// A start action (sign-up, sign-in, sign-up-or-in) as a type, so that one generic handler
/// serves the three routes of a method that differ only in it (STYLE.md D1, as channels).
pub(crate) trait StartPurpose {
    const PURPOSE: Purpose;
}

/// `…/signup`: the user must not exist yet.
pub(crate) struct SignUp;
/// `…/signin`: the user must exist.
pub(crate) struct SignIn;
/// `…/signup-in`: the user is created if they do not exist.
pub(crate) struct SignUpOrIn;

impl StartPurpose for SignUp {
    const PURPOSE: Purpose = Purpose::SignUp;
}
impl StartPurpose for SignIn {
    const PURPOSE: Purpose = Purpose::SignIn;
}
impl StartPurpose for SignUpOrIn {
    const PURPOSE: Purpose = Purpose::SignUpOrIn;
}
