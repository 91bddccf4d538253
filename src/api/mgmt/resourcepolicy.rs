//! Descope API groups `resourcePoliciesManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.


crate::route_table! {
    pub GROUP;
    unbuilt {
        GET "/v1/mgmt/resourcepolicy/app/load",
        POST "/v1/mgmt/resourcepolicy/create",
        POST "/v1/mgmt/resourcepolicy/create/batch",
        POST "/v1/mgmt/resourcepolicy/delete",
        POST "/v1/mgmt/resourcepolicy/delete/batch",
        POST "/v1/mgmt/resourcepolicy/update",
    }
}
