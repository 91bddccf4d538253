//! Descope API groups `NOTP`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    POST "/v1/auth/notp/pending-session" => not_implemented,
    POST "/v1/auth/notp/{provider}/signin" => not_implemented,
    POST "/v1/auth/notp/{provider}/signup" => not_implemented,
    POST "/v1/auth/notp/{provider}/signup-in" => not_implemented,
    POST "/v1/auth/notp/{provider}/update" => not_implemented,
}
