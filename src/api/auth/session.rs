//! Descope API groups `session`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    GET "/v1/auth/idp/sso/logout" => not_implemented,
    POST "/v1/auth/idp/sso/logout" => not_implemented,
    POST "/v1/auth/logout" => not_implemented,
    POST "/v1/auth/logoutall" => not_implemented,
    GET "/v1/auth/me" => not_implemented,
    GET "/v1/auth/me/history" => not_implemented,
    POST "/v1/auth/refresh" => not_implemented,
    POST "/v1/auth/tenant/select" => not_implemented,
    POST "/v1/auth/try-refresh" => not_implemented,
    POST "/v1/auth/validate" => not_implemented,
}
