//! Descope API groups `__NO_PUBLISH__`, `authz`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    POST "/v1/mgmt/authz/getmodified" => not_implemented,
    POST "/v1/mgmt/authz/ns/delete" => not_implemented,
    POST "/v1/mgmt/authz/ns/save" => not_implemented,
    POST "/v1/mgmt/authz/rd/delete" => not_implemented,
    POST "/v1/mgmt/authz/rd/save" => not_implemented,
    POST "/v1/mgmt/authz/re/create" => not_implemented,
    POST "/v1/mgmt/authz/re/delete" => not_implemented,
    POST "/v1/mgmt/authz/re/deleteresources" => not_implemented,
    POST "/v1/mgmt/authz/re/deleteresourcesrelations" => not_implemented,
    POST "/v1/mgmt/authz/re/has" => not_implemented,
    POST "/v1/mgmt/authz/re/resource" => not_implemented,
    POST "/v1/mgmt/authz/re/targetall" => not_implemented,
    POST "/v1/mgmt/authz/re/targets" => not_implemented,
    POST "/v1/mgmt/authz/re/targetwithrelation" => not_implemented,
    POST "/v1/mgmt/authz/re/who" => not_implemented,
    POST "/v1/mgmt/authz/schema/delete" => not_implemented,
    POST "/v1/mgmt/authz/schema/load" => not_implemented,
    POST "/v1/mgmt/authz/schema/save" => not_implemented,
}
