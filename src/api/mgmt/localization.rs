//! Descope API groups `flowManagement`, `projectManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.


crate::route_table! {
    pub GROUP;
    unbuilt {
        POST "/v1/mgmt/localization/flow/export",
        POST "/v1/mgmt/localization/flow/import",
        POST "/v1/mgmt/localization/messaging/export",
        POST "/v1/mgmt/localization/messaging/import",
    }
}
