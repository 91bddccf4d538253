//! Descope API groups `outboundAppsManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    POST "/v1/mgmt/outbound/app/connect" => not_implemented,
    POST "/v1/mgmt/outbound/app/create" => not_implemented,
    POST "/v1/mgmt/outbound/app/create/bydcrpreset" => not_implemented,
    POST "/v1/mgmt/outbound/app/create/bytemplate" => not_implemented,
    POST "/v1/mgmt/outbound/app/delete" => not_implemented,
    POST "/v1/mgmt/outbound/app/tenant/apikey/upload" => not_implemented,
    POST "/v1/mgmt/outbound/app/tenant/token" => not_implemented,
    POST "/v1/mgmt/outbound/app/tenant/token/latest" => not_implemented,
    POST "/v1/mgmt/outbound/app/update" => not_implemented,
    POST "/v1/mgmt/outbound/app/user/apikey/upload" => not_implemented,
    POST "/v1/mgmt/outbound/app/user/token" => not_implemented,
    POST "/v1/mgmt/outbound/app/user/token/latest" => not_implemented,
    GET "/v1/mgmt/outbound/app/{id}" => not_implemented,
    GET "/v1/mgmt/outbound/apps" => not_implemented,
    GET "/v1/mgmt/outbound/apps-with-user-token" => not_implemented,
    DELETE "/v1/mgmt/outbound/token" => not_implemented,
    DELETE "/v1/mgmt/outbound/user/tokens" => not_implemented,
}
