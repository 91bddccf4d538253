//! Descope API groups `flowManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.


crate::route_table! {
    pub GROUP;
    unbuilt {
        POST "/v1/mgmt/flow/async/result",
        POST "/v1/mgmt/flow/async/run",
        POST "/v1/mgmt/flow/delete",
        POST "/v1/mgmt/flow/externalauth/complete",
        POST "/v1/mgmt/flow/list",
        POST "/v1/mgmt/flow/run",
        POST "/v1/mgmt/flow/template/list",
        POST "/v2/mgmt/flow/export",
        POST "/v2/mgmt/flow/import",
    }
}
