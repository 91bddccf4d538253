//! Descope API groups `WSFed`, `federatedApps`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    GET "/v1/auth/wsfed/idp/initiate" => not_implemented,
    POST "/v1/auth/wsfed/idp/initiate" => not_implemented,
    GET "/v1/auth/wsfed/idp/metadata" => not_implemented,
    GET "/v1/auth/wsfed/idp/sso" => not_implemented,
    POST "/v1/auth/wsfed/idp/sso" => not_implemented,
    POST "/v1/auth/wsfed/idp/sso-finish" => not_implemented,
}
