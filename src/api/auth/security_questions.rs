//! Descope API groups `SecurityQuestions`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    POST "/v1/auth/security-questions/setup" => not_implemented,
    GET "/v1/auth/security-questions/verify" => not_implemented,
    POST "/v1/auth/security-questions/verify" => not_implemented,
}
