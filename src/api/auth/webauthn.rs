//! Descope API groups `WebAuthn`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    POST "/v1/auth/webauthn/signin/finish" => not_implemented,
    POST "/v1/auth/webauthn/signin/start" => not_implemented,
    POST "/v1/auth/webauthn/signup-in/start" => not_implemented,
    POST "/v1/auth/webauthn/signup/finish" => not_implemented,
    POST "/v1/auth/webauthn/signup/start" => not_implemented,
    POST "/v1/auth/webauthn/update/finish" => not_implemented,
    POST "/v1/auth/webauthn/update/start" => not_implemented,
}
