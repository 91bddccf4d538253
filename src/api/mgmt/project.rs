//! Descope API groups `projectManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.


crate::route_table! {
    pub GROUP;
    unbuilt {
        POST "/v1/mgmt/project/clone",
        POST "/v1/mgmt/project/clone/async",
        GET "/v1/mgmt/project/clone/async/{processId}",
        POST "/v1/mgmt/project/delete",
        POST "/v1/mgmt/project/export",
        POST "/v1/mgmt/project/import",
        POST "/v1/mgmt/project/snapshot/export",
        POST "/v1/mgmt/project/snapshot/import",
        POST "/v1/mgmt/project/snapshot/validate",
        POST "/v1/mgmt/project/update/name",
        POST "/v1/mgmt/project/update/tags",
        POST "/v1/mgmt/projects/list",
    }
}
