//! Descope API groups `WSFed`, `federatedApps`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.


crate::route_table! {
    pub GROUP;
    unbuilt {
        GET "/v1/auth/wsfed/idp/initiate",
        POST "/v1/auth/wsfed/idp/initiate",
        GET "/v1/auth/wsfed/idp/metadata",
        GET "/v1/auth/wsfed/idp/sso",
        POST "/v1/auth/wsfed/idp/sso",
        POST "/v1/auth/wsfed/idp/sso-finish",
    }
}
