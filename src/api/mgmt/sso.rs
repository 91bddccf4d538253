//! Descope API groups `internal`, `ssoAppsManagement`, `ssoManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.


crate::route_table! {
    pub GROUP;
    unbuilt {
        POST "/v1/mgmt/sso/idp/app/delete",
        GET "/v1/mgmt/sso/idp/app/load",
        POST "/v1/mgmt/sso/idp/app/oidc/create",
        POST "/v1/mgmt/sso/idp/app/oidc/update",
        POST "/v1/mgmt/sso/idp/app/saml/create",
        POST "/v1/mgmt/sso/idp/app/saml/update",
        POST "/v1/mgmt/sso/idp/app/wsfed/create",
        POST "/v1/mgmt/sso/idp/app/wsfed/update",
        GET "/v1/mgmt/sso/idp/apps/load",
        POST "/v1/mgmt/sso/oidc",
        POST "/v1/mgmt/sso/provider-ids",
        POST "/v1/mgmt/sso/recalculate-mappings",
        POST "/v1/mgmt/sso/redirect",
        POST "/v1/mgmt/sso/saml",
        POST "/v1/mgmt/sso/saml/metadata",
        DELETE "/v1/mgmt/sso/settings",
        POST "/v1/mgmt/sso/settings/new",
        GET "/v2/mgmt/sso/settings",
        GET "/v2/mgmt/sso/settings/all",
    }
}
