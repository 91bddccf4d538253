//! Descope API groups `dynamicRegistrationTemplatesManagement`, `resourcesManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    POST "/v1/mgmt/resource/create" => not_implemented,
    POST "/v1/mgmt/resource/delete" => not_implemented,
    POST "/v1/mgmt/resource/delete/batch" => not_implemented,
    POST "/v1/mgmt/resource/dynamic-registration-template/create" => not_implemented,
    POST "/v1/mgmt/resource/dynamic-registration-template/delete" => not_implemented,
    GET "/v1/mgmt/resource/dynamic-registration-template/load" => not_implemented,
    POST "/v1/mgmt/resource/dynamic-registration-template/update" => not_implemented,
    POST "/v1/mgmt/resource/dynamic-registration-templates/delete" => not_implemented,
    GET "/v1/mgmt/resource/dynamic-registration-templates/load" => not_implemented,
    GET "/v1/mgmt/resource/load" => not_implemented,
    GET "/v1/mgmt/resource/load/uri" => not_implemented,
    POST "/v1/mgmt/resource/update" => not_implemented,
    GET "/v1/mgmt/resources/load" => not_implemented,
}
