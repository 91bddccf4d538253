//! Descope API groups `getFedCMClientMetadata`, `getFedCMConfig`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    GET "/fedcm/clientmetadata" => not_implemented,
    GET "/{projectId}/fedcm/config" => not_implemented,
}
