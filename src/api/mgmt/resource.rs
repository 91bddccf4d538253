//! Descope API groups `dynamicRegistrationTemplatesManagement`, `resourcesManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.


crate::route_table! {
    pub GROUP;
    unbuilt {
        POST "/v1/mgmt/resource/create",
        POST "/v1/mgmt/resource/delete",
        POST "/v1/mgmt/resource/delete/batch",
        POST "/v1/mgmt/resource/dynamic-registration-template/create",
        POST "/v1/mgmt/resource/dynamic-registration-template/delete",
        GET "/v1/mgmt/resource/dynamic-registration-template/load",
        POST "/v1/mgmt/resource/dynamic-registration-template/update",
        POST "/v1/mgmt/resource/dynamic-registration-templates/delete",
        GET "/v1/mgmt/resource/dynamic-registration-templates/load",
        GET "/v1/mgmt/resource/load",
        GET "/v1/mgmt/resource/load/uri",
        POST "/v1/mgmt/resource/update",
        GET "/v1/mgmt/resources/load",
    }
}
