//! `/v1/auth/*`: the authentication API.

crate::route_table! {
    pub GROUP;
    modules {
        accesskey,
        enchantedlink,
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
