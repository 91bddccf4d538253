//! Descope API groups `SAML`, `SSO`, `federatedApps`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.


crate::route_table! {
    pub GROUP;
    unbuilt {
        POST "/v1/auth/saml/authorize",
        POST "/v1/auth/saml/exchange",
        GET "/v1/auth/saml/idp/initiate",
        POST "/v1/auth/saml/idp/initiate",
        GET "/v1/auth/saml/idp/metadata",
        GET "/v1/auth/saml/idp/sso",
        POST "/v1/auth/saml/idp/sso",
        POST "/v1/auth/saml/idp/sso-finish",
        POST "/v1/auth/sso/authorize",
        POST "/v1/auth/sso/exchange",
    }
}
