//! Descope API groups `permissionManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    GET "/v1/mgmt/permission/all" => not_implemented,
    POST "/v1/mgmt/permission/create" => not_implemented,
    POST "/v1/mgmt/permission/create/batch" => not_implemented,
    POST "/v1/mgmt/permission/delete" => not_implemented,
    POST "/v1/mgmt/permission/delete/batch" => not_implemented,
    POST "/v1/mgmt/permission/update" => not_implemented,
    POST "/v1/mgmt/permission/update/batch" => not_implemented,
}
