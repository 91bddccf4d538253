//! Descope API groups `flowManagement`, `projectManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    POST "/v1/mgmt/localization/flow/export" => not_implemented,
    POST "/v1/mgmt/localization/flow/import" => not_implemented,
    POST "/v1/mgmt/localization/messaging/export" => not_implemented,
    POST "/v1/mgmt/localization/messaging/import" => not_implemented,
}
