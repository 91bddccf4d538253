//! Descope API groups `userManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    POST "/v1/mgmt/impersonate" => not_implemented,
    POST "/v1/mgmt/impersonate/stepup" => not_implemented,
    POST "/v1/mgmt/stop/impersonation" => not_implemented,
}
