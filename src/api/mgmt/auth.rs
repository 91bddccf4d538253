//! Descope API groups `generic`, `generice`, `userManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    POST "/v1/mgmt/auth/anonymous" => not_implemented,
    POST "/v1/mgmt/auth/signin" => not_implemented,
    POST "/v1/mgmt/auth/signup" => not_implemented,
    POST "/v1/mgmt/auth/signup-in" => not_implemented,
}
