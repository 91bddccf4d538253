//! Descope API groups `WebAuthn`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.


crate::route_table! {
    pub GROUP;
    unbuilt {
        POST "/v1/auth/webauthn/signin/finish",
        POST "/v1/auth/webauthn/signin/start",
        POST "/v1/auth/webauthn/signup-in/start",
        POST "/v1/auth/webauthn/signup/finish",
        POST "/v1/auth/webauthn/signup/start",
        POST "/v1/auth/webauthn/update/finish",
        POST "/v1/auth/webauthn/update/start",
    }
}
