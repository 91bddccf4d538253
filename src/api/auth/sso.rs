//! Descope API groups `SAML`, `SSO`, `federatedApps`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    POST "/v1/auth/saml/authorize" => not_implemented,
    POST "/v1/auth/saml/exchange" => not_implemented,
    GET "/v1/auth/saml/idp/initiate" => not_implemented,
    POST "/v1/auth/saml/idp/initiate" => not_implemented,
    GET "/v1/auth/saml/idp/metadata" => not_implemented,
    GET "/v1/auth/saml/idp/sso" => not_implemented,
    POST "/v1/auth/saml/idp/sso" => not_implemented,
    POST "/v1/auth/saml/idp/sso-finish" => not_implemented,
    POST "/v1/auth/sso/authorize" => not_implemented,
    POST "/v1/auth/sso/exchange" => not_implemented,
}
