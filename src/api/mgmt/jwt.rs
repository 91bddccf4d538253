//! Descope API groups `jwtTemplates`, `userManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    POST "/v1/mgmt/jwt/templates/create" => not_implemented,
    POST "/v1/mgmt/jwt/templates/delete" => not_implemented,
    POST "/v1/mgmt/jwt/templates/library/apply" => not_implemented,
    POST "/v1/mgmt/jwt/templates/library/list" => not_implemented,
    POST "/v1/mgmt/jwt/templates/library/load" => not_implemented,
    POST "/v1/mgmt/jwt/templates/list" => not_implemented,
    POST "/v1/mgmt/jwt/templates/load" => not_implemented,
    POST "/v1/mgmt/jwt/templates/update" => not_implemented,
    POST "/v1/mgmt/jwt/templates/validate" => not_implemented,
    POST "/v1/mgmt/jwt/update" => not_implemented,
}
