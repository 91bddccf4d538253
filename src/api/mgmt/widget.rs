//! Descope API groups `flowManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.


crate::route_table! {
    pub GROUP;
    unbuilt {
        GET "/v1/mgmt/widget/list",
    }
}
