//! Descope API groups `__NO_PUBLISH__`, `tenantAdminLinkManagement`, `tenantManagement`, `tenantSessionManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    GET "/v1/mgmt/tenant" => not_implemented,
    POST "/v1/mgmt/tenant/adminlinks/sso/authenticated" => not_implemented,
    POST "/v1/mgmt/tenant/adminlinks/sso/generate" => not_implemented,
    POST "/v1/mgmt/tenant/adminlinks/sso/revoke" => not_implemented,
    POST "/v1/mgmt/tenant/adminlinks/sso/send" => not_implemented,
    GET "/v1/mgmt/tenant/all" => not_implemented,
    POST "/v1/mgmt/tenant/create" => not_implemented,
    POST "/v1/mgmt/tenant/delete" => not_implemented,
    POST "/v1/mgmt/tenant/search" => not_implemented,
    GET "/v1/mgmt/tenant/settings" => not_implemented,
    POST "/v1/mgmt/tenant/settings" => not_implemented,
    POST "/v1/mgmt/tenant/sso-user-remove" => not_implemented,
    POST "/v1/mgmt/tenant/update" => not_implemented,
    POST "/v1/mgmt/tenant/updateDefaultRoles" => not_implemented,
    POST "/v2/mgmt/tenant/adminlinks/sso/generate" => not_implemented,
}
