//! Descope API groups `OAuth`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.


crate::route_table! {
    pub GROUP;
    unbuilt {
        POST "/v1/auth/oauth/authorize",
        POST "/v1/auth/oauth/authorize/signin",
        POST "/v1/auth/oauth/authorize/signup",
        POST "/v1/auth/oauth/authorize/update",
        POST "/v1/auth/oauth/exchange",
        POST "/v1/auth/oauth/native/finish",
        POST "/v1/auth/oauth/native/start",
        GET "/v1/auth/onetap/clientid/{provider}",
        POST "/v1/auth/onetap/idtoken/exchange",
        POST "/v1/auth/onetap/idtoken/verify",
    }
}
