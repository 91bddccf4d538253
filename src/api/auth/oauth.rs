//! Descope API groups `OAuth`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    POST "/v1/auth/oauth/authorize" => not_implemented,
    POST "/v1/auth/oauth/authorize/signin" => not_implemented,
    POST "/v1/auth/oauth/authorize/signup" => not_implemented,
    POST "/v1/auth/oauth/authorize/update" => not_implemented,
    POST "/v1/auth/oauth/exchange" => not_implemented,
    POST "/v1/auth/oauth/native/finish" => not_implemented,
    POST "/v1/auth/oauth/native/start" => not_implemented,
    GET "/v1/auth/onetap/clientid/{provider}" => not_implemented,
    POST "/v1/auth/onetap/idtoken/exchange" => not_implemented,
    POST "/v1/auth/onetap/idtoken/verify" => not_implemented,
}
