//! Descope API groups `projectManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    POST "/v1/mgmt/project/clone" => not_implemented,
    POST "/v1/mgmt/project/clone/async" => not_implemented,
    GET "/v1/mgmt/project/clone/async/{processId}" => not_implemented,
    POST "/v1/mgmt/project/delete" => not_implemented,
    POST "/v1/mgmt/project/export" => not_implemented,
    POST "/v1/mgmt/project/import" => not_implemented,
    POST "/v1/mgmt/project/snapshot/export" => not_implemented,
    POST "/v1/mgmt/project/snapshot/import" => not_implemented,
    POST "/v1/mgmt/project/snapshot/validate" => not_implemented,
    POST "/v1/mgmt/project/update/name" => not_implemented,
    POST "/v1/mgmt/project/update/tags" => not_implemented,
    POST "/v1/mgmt/projects/list" => not_implemented,
}
