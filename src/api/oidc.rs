//! Descope API groups `federatedApps`, `thirdPartyApps`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it. Their other errors answer in the format of RFC 6749 section 5.2 (the `OAuth`
//! error surface).


crate::route_table! {
    pub GROUP;
    surface OAuth;
    unbuilt {
        GET "/oauth2/v1/apps/agentic/{project_id}/{mcp_server_id}/authorize",
        POST "/oauth2/v1/apps/agentic/{project_id}/{mcp_server_id}/authorize",
        POST "/oauth2/v1/apps/agentic/{project_id}/{mcp_server_id}/token",
        GET "/oauth2/v1/apps/authorize",
        POST "/oauth2/v1/apps/authorize",
        POST "/oauth2/v1/apps/bc-authorize",
        POST "/oauth2/v1/apps/device",
        POST "/oauth2/v1/apps/finish-authorize",
        POST "/oauth2/v1/apps/revoke",
        POST "/oauth2/v1/apps/token",
        GET "/oauth2/v1/apps/userinfo",
        POST "/oauth2/v1/apps/userinfo",
        GET "/oauth2/v1/apps/{project_id}/authorize",
        POST "/oauth2/v1/apps/{project_id}/authorize",
        POST "/oauth2/v1/apps/{project_id}/bc-authorize",
        POST "/oauth2/v1/apps/{project_id}/device",
        POST "/oauth2/v1/apps/{project_id}/revoke",
        POST "/oauth2/v1/apps/{project_id}/token",
        GET "/oauth2/v1/apps/{project_id}/userinfo",
        POST "/oauth2/v1/apps/{project_id}/userinfo",
        GET "/oauth2/v1/authorize",
        POST "/oauth2/v1/authorize",
        POST "/oauth2/v1/authorize/entramfa",
        POST "/oauth2/v1/device",
        GET "/oauth2/v1/finish-authorize",
        POST "/oauth2/v1/finish-authorize",
        GET "/oauth2/v1/logout",
        POST "/oauth2/v1/logout",
        POST "/oauth2/v1/revoke",
        POST "/oauth2/v1/token",
        GET "/oauth2/v1/userinfo",
        POST "/oauth2/v1/userinfo",
        GET "/{ssoAppId}/oauth2/v1/authorize",
        POST "/{ssoAppId}/oauth2/v1/authorize",
        POST "/{ssoAppId}/oauth2/v1/authorize/entramfa",
        POST "/{ssoAppId}/oauth2/v1/device",
        GET "/{ssoAppId}/oauth2/v1/logout",
        POST "/{ssoAppId}/oauth2/v1/logout",
        POST "/{ssoAppId}/oauth2/v1/revoke",
        POST "/{ssoAppId}/oauth2/v1/token",
        GET "/{ssoAppId}/oauth2/v1/userinfo",
        POST "/{ssoAppId}/oauth2/v1/userinfo",
    }
}
