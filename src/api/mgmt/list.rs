//! Descope API groups `lists`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    POST "/v1/mgmt/list" => not_implemented,
    GET "/v1/mgmt/list/all" => not_implemented,
    POST "/v1/mgmt/list/clear" => not_implemented,
    POST "/v1/mgmt/list/delete" => not_implemented,
    POST "/v1/mgmt/list/import" => not_implemented,
    POST "/v1/mgmt/list/ip/add" => not_implemented,
    POST "/v1/mgmt/list/ip/check" => not_implemented,
    POST "/v1/mgmt/list/ip/remove" => not_implemented,
    GET "/v1/mgmt/list/name/{name}" => not_implemented,
    POST "/v1/mgmt/list/text/add" => not_implemented,
    POST "/v1/mgmt/list/text/check" => not_implemented,
    POST "/v1/mgmt/list/text/remove" => not_implemented,
    POST "/v1/mgmt/list/update" => not_implemented,
    GET "/v1/mgmt/list/{id}" => not_implemented,
}
