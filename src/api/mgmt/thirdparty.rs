//! Descope API groups `__NO_PUBLISH__`, `thirdPartyAppsManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    POST "/v1/mgmt/thirdparty/app/create" => not_implemented,
    POST "/v1/mgmt/thirdparty/app/delete" => not_implemented,
    POST "/v1/mgmt/thirdparty/app/delete/batch" => not_implemented,
    GET "/v1/mgmt/thirdparty/app/load" => not_implemented,
    POST "/v1/mgmt/thirdparty/app/patch" => not_implemented,
    GET "/v1/mgmt/thirdparty/app/rotate" => not_implemented,
    POST "/v1/mgmt/thirdparty/app/rotate" => not_implemented,
    GET "/v1/mgmt/thirdparty/app/secret" => not_implemented,
    POST "/v1/mgmt/thirdparty/app/update" => not_implemented,
    GET "/v1/mgmt/thirdparty/apps/load" => not_implemented,
    POST "/v1/mgmt/thirdparty/consents/delete" => not_implemented,
    POST "/v1/mgmt/thirdparty/consents/delete/tenant" => not_implemented,
    POST "/v1/mgmt/thirdparty/consents/search" => not_implemented,
}
