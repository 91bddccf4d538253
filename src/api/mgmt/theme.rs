//! Descope API groups `flowManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.


crate::route_table! {
    pub GROUP;
    unbuilt {
        POST "/v2/mgmt/theme/export",
        POST "/v2/mgmt/theme/import",
    }
}
