//! Descope API groups `flowManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    POST "/v2/mgmt/theme/export" => not_implemented,
    POST "/v2/mgmt/theme/import" => not_implemented,
}
