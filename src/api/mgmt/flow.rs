//! Descope API groups `flowManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    POST "/v1/mgmt/flow/async/result" => not_implemented,
    POST "/v1/mgmt/flow/async/run" => not_implemented,
    POST "/v1/mgmt/flow/delete" => not_implemented,
    POST "/v1/mgmt/flow/externalauth/complete" => not_implemented,
    POST "/v1/mgmt/flow/list" => not_implemented,
    POST "/v1/mgmt/flow/run" => not_implemented,
    POST "/v1/mgmt/flow/template/list" => not_implemented,
    POST "/v2/mgmt/flow/export" => not_implemented,
    POST "/v2/mgmt/flow/import" => not_implemented,
}
