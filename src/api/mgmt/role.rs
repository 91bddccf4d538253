//! Descope API groups `roleManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    GET "/v1/mgmt/role/all" => not_implemented,
    POST "/v1/mgmt/role/create" => not_implemented,
    POST "/v1/mgmt/role/create/batch" => not_implemented,
    POST "/v1/mgmt/role/delete" => not_implemented,
    POST "/v1/mgmt/role/delete/batch" => not_implemented,
    POST "/v1/mgmt/role/search" => not_implemented,
    POST "/v1/mgmt/role/update" => not_implemented,
    POST "/v1/mgmt/role/update/batch" => not_implemented,
}
