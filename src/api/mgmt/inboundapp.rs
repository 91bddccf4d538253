//! Descope API groups `thirdPartyApps`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.


crate::route_table! {
    pub GROUP;
    unbuilt {
        POST "/v1/mgmt/inboundapp/app/{projectId}/register",
    }
}
