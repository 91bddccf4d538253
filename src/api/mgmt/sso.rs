//! Descope API groups `internal`, `ssoAppsManagement`, `ssoManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    POST "/v1/mgmt/sso/idp/app/delete" => not_implemented,
    GET "/v1/mgmt/sso/idp/app/load" => not_implemented,
    POST "/v1/mgmt/sso/idp/app/oidc/create" => not_implemented,
    POST "/v1/mgmt/sso/idp/app/oidc/update" => not_implemented,
    POST "/v1/mgmt/sso/idp/app/saml/create" => not_implemented,
    POST "/v1/mgmt/sso/idp/app/saml/update" => not_implemented,
    POST "/v1/mgmt/sso/idp/app/wsfed/create" => not_implemented,
    POST "/v1/mgmt/sso/idp/app/wsfed/update" => not_implemented,
    GET "/v1/mgmt/sso/idp/apps/load" => not_implemented,
    POST "/v1/mgmt/sso/oidc" => not_implemented,
    POST "/v1/mgmt/sso/provider-ids" => not_implemented,
    POST "/v1/mgmt/sso/recalculate-mappings" => not_implemented,
    POST "/v1/mgmt/sso/redirect" => not_implemented,
    POST "/v1/mgmt/sso/saml" => not_implemented,
    POST "/v1/mgmt/sso/saml/metadata" => not_implemented,
    DELETE "/v1/mgmt/sso/settings" => not_implemented,
    POST "/v1/mgmt/sso/settings/new" => not_implemented,
    GET "/v2/mgmt/sso/settings" => not_implemented,
    GET "/v2/mgmt/sso/settings/all" => not_implemented,
}
