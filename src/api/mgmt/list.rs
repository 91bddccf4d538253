//! Descope API groups `lists`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.


crate::route_table! {
    pub GROUP;
    unbuilt {
        POST "/v1/mgmt/list",
        GET "/v1/mgmt/list/all",
        POST "/v1/mgmt/list/clear",
        POST "/v1/mgmt/list/delete",
        POST "/v1/mgmt/list/import",
        POST "/v1/mgmt/list/ip/add",
        POST "/v1/mgmt/list/ip/check",
        POST "/v1/mgmt/list/ip/remove",
        GET "/v1/mgmt/list/name/{name}",
        POST "/v1/mgmt/list/text/add",
        POST "/v1/mgmt/list/text/check",
        POST "/v1/mgmt/list/text/remove",
        POST "/v1/mgmt/list/update",
        GET "/v1/mgmt/list/{id}",
    }
}
