//! Descope API groups `Password`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    GET "/v1/auth/password/policy" => not_implemented,
    POST "/v1/auth/password/replace" => not_implemented,
    POST "/v1/auth/password/reset" => not_implemented,
    POST "/v1/auth/password/signin" => not_implemented,
    POST "/v1/auth/password/signup" => not_implemented,
    POST "/v1/auth/password/update" => not_implemented,
}
