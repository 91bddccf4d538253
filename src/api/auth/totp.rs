//! Descope API groups `TOTP`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    POST "/v1/auth/totp/signup" => not_implemented,
    POST "/v1/auth/totp/update" => not_implemented,
    POST "/v1/auth/totp/verify" => not_implemented,
}
