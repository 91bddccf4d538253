//! Descope API groups `__NO_PUBLISH__`, `authz`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.


crate::route_table! {
    pub GROUP;
    unbuilt {
        POST "/v1/mgmt/authz/getmodified",
        POST "/v1/mgmt/authz/ns/delete",
        POST "/v1/mgmt/authz/ns/save",
        POST "/v1/mgmt/authz/rd/delete",
        POST "/v1/mgmt/authz/rd/save",
        POST "/v1/mgmt/authz/re/create",
        POST "/v1/mgmt/authz/re/delete",
        POST "/v1/mgmt/authz/re/deleteresources",
        POST "/v1/mgmt/authz/re/deleteresourcesrelations",
        POST "/v1/mgmt/authz/re/has",
        POST "/v1/mgmt/authz/re/resource",
        POST "/v1/mgmt/authz/re/targetall",
        POST "/v1/mgmt/authz/re/targets",
        POST "/v1/mgmt/authz/re/targetwithrelation",
        POST "/v1/mgmt/authz/re/who",
        POST "/v1/mgmt/authz/schema/delete",
        POST "/v1/mgmt/authz/schema/load",
        POST "/v1/mgmt/authz/schema/save",
    }
}
