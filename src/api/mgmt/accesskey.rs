//! Descope API groups `accessKeyManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    GET "/v1/mgmt/accesskey" => not_implemented,
    POST "/v1/mgmt/accesskey/activate" => not_implemented,
    POST "/v1/mgmt/accesskey/activate/batch" => not_implemented,
    POST "/v1/mgmt/accesskey/create" => not_implemented,
    POST "/v1/mgmt/accesskey/deactivate" => not_implemented,
    POST "/v1/mgmt/accesskey/deactivate/batch" => not_implemented,
    POST "/v1/mgmt/accesskey/delete" => not_implemented,
    POST "/v1/mgmt/accesskey/delete/batch" => not_implemented,
    POST "/v1/mgmt/accesskey/import" => not_implemented,
    POST "/v1/mgmt/accesskey/search" => not_implemented,
    POST "/v1/mgmt/accesskey/update" => not_implemented,
}
