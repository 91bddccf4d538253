//! Descope API groups `resourcePoliciesManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    GET "/v1/mgmt/resourcepolicy/app/load" => not_implemented,
    POST "/v1/mgmt/resourcepolicy/create" => not_implemented,
    POST "/v1/mgmt/resourcepolicy/create/batch" => not_implemented,
    POST "/v1/mgmt/resourcepolicy/delete" => not_implemented,
    POST "/v1/mgmt/resourcepolicy/delete/batch" => not_implemented,
    POST "/v1/mgmt/resourcepolicy/update" => not_implemented,
}
