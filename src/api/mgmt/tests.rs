//! Descope API groups `testUserManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    POST "/v1/mgmt/tests/generate/enchantedlink" => not_implemented,
    POST "/v1/mgmt/tests/generate/magiclink" => not_implemented,
    POST "/v1/mgmt/tests/generate/otp" => not_implemented,
}
