//! Descope API groups `getFedCMClientMetadata`, `getFedCMConfig`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.


crate::route_table! {
    pub GROUP;
    unbuilt {
        GET "/fedcm/clientmetadata",
        GET "/{projectId}/fedcm/config",
    }
}
