//! Descope API groups `__NO_PUBLISH__`, `thirdPartyAppsManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.


crate::route_table! {
    pub GROUP;
    unbuilt {
        POST "/v1/mgmt/thirdparty/app/create",
        POST "/v1/mgmt/thirdparty/app/delete",
        POST "/v1/mgmt/thirdparty/app/delete/batch",
        GET "/v1/mgmt/thirdparty/app/load",
        POST "/v1/mgmt/thirdparty/app/patch",
        GET "/v1/mgmt/thirdparty/app/rotate",
        POST "/v1/mgmt/thirdparty/app/rotate",
        GET "/v1/mgmt/thirdparty/app/secret",
        POST "/v1/mgmt/thirdparty/app/update",
        GET "/v1/mgmt/thirdparty/apps/load",
        POST "/v1/mgmt/thirdparty/consents/delete",
        POST "/v1/mgmt/thirdparty/consents/delete/tenant",
        POST "/v1/mgmt/thirdparty/consents/search",
    }
}
