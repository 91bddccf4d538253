//! Descope API groups `groupManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    POST "/v1/mgmt/group/all" => not_implemented,
    POST "/v1/mgmt/group/member/all" => not_implemented,
    POST "/v1/mgmt/group/members" => not_implemented,
}
