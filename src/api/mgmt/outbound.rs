//! Descope API groups `outboundAppsManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.


crate::route_table! {
    pub GROUP;
    unbuilt {
        POST "/v1/mgmt/outbound/app/connect",
        POST "/v1/mgmt/outbound/app/create",
        POST "/v1/mgmt/outbound/app/create/bydcrpreset",
        POST "/v1/mgmt/outbound/app/create/bytemplate",
        POST "/v1/mgmt/outbound/app/delete",
        POST "/v1/mgmt/outbound/app/tenant/apikey/upload",
        POST "/v1/mgmt/outbound/app/tenant/token",
        POST "/v1/mgmt/outbound/app/tenant/token/latest",
        POST "/v1/mgmt/outbound/app/update",
        POST "/v1/mgmt/outbound/app/user/apikey/upload",
        POST "/v1/mgmt/outbound/app/user/token",
        POST "/v1/mgmt/outbound/app/user/token/latest",
        GET "/v1/mgmt/outbound/app/{id}",
        GET "/v1/mgmt/outbound/apps",
        GET "/v1/mgmt/outbound/apps-with-user-token",
        DELETE "/v1/mgmt/outbound/token",
        DELETE "/v1/mgmt/outbound/user/tokens",
    }
}
