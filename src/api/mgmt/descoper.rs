//! Descope API groups `descopers`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    DELETE "/v1/mgmt/descoper" => not_implemented,
    GET "/v1/mgmt/descoper" => not_implemented,
    PATCH "/v1/mgmt/descoper" => not_implemented,
    PUT "/v1/mgmt/descoper" => not_implemented,
    POST "/v1/mgmt/descoper/list" => not_implemented,
}
