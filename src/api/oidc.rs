//! Descope API groups `federatedApps`, `thirdPartyApps`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it. Their other errors answer in the format of RFC 6749 section 5.2 (the `OAuth`
//! error surface).

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    surface OAuth;
    GET "/oauth2/v1/apps/agentic/{project_id}/{mcp_server_id}/authorize" => not_implemented,
    POST "/oauth2/v1/apps/agentic/{project_id}/{mcp_server_id}/authorize" => not_implemented,
    POST "/oauth2/v1/apps/agentic/{project_id}/{mcp_server_id}/token" => not_implemented,
    GET "/oauth2/v1/apps/authorize" => not_implemented,
    POST "/oauth2/v1/apps/authorize" => not_implemented,
    POST "/oauth2/v1/apps/bc-authorize" => not_implemented,
    POST "/oauth2/v1/apps/device" => not_implemented,
    POST "/oauth2/v1/apps/finish-authorize" => not_implemented,
    POST "/oauth2/v1/apps/revoke" => not_implemented,
    POST "/oauth2/v1/apps/token" => not_implemented,
    GET "/oauth2/v1/apps/userinfo" => not_implemented,
    POST "/oauth2/v1/apps/userinfo" => not_implemented,
    GET "/oauth2/v1/apps/{project_id}/authorize" => not_implemented,
    POST "/oauth2/v1/apps/{project_id}/authorize" => not_implemented,
    POST "/oauth2/v1/apps/{project_id}/bc-authorize" => not_implemented,
    POST "/oauth2/v1/apps/{project_id}/device" => not_implemented,
    POST "/oauth2/v1/apps/{project_id}/revoke" => not_implemented,
    POST "/oauth2/v1/apps/{project_id}/token" => not_implemented,
    GET "/oauth2/v1/apps/{project_id}/userinfo" => not_implemented,
    POST "/oauth2/v1/apps/{project_id}/userinfo" => not_implemented,
    GET "/oauth2/v1/authorize" => not_implemented,
    POST "/oauth2/v1/authorize" => not_implemented,
    POST "/oauth2/v1/authorize/entramfa" => not_implemented,
    POST "/oauth2/v1/device" => not_implemented,
    GET "/oauth2/v1/finish-authorize" => not_implemented,
    POST "/oauth2/v1/finish-authorize" => not_implemented,
    GET "/oauth2/v1/logout" => not_implemented,
    POST "/oauth2/v1/logout" => not_implemented,
    POST "/oauth2/v1/revoke" => not_implemented,
    POST "/oauth2/v1/token" => not_implemented,
    GET "/oauth2/v1/userinfo" => not_implemented,
    POST "/oauth2/v1/userinfo" => not_implemented,
    GET "/{ssoAppId}/oauth2/v1/authorize" => not_implemented,
    POST "/{ssoAppId}/oauth2/v1/authorize" => not_implemented,
    POST "/{ssoAppId}/oauth2/v1/authorize/entramfa" => not_implemented,
    POST "/{ssoAppId}/oauth2/v1/device" => not_implemented,
    GET "/{ssoAppId}/oauth2/v1/logout" => not_implemented,
    POST "/{ssoAppId}/oauth2/v1/logout" => not_implemented,
    POST "/{ssoAppId}/oauth2/v1/revoke" => not_implemented,
    POST "/{ssoAppId}/oauth2/v1/token" => not_implemented,
    GET "/{ssoAppId}/oauth2/v1/userinfo" => not_implemented,
    POST "/{ssoAppId}/oauth2/v1/userinfo" => not_implemented,
}
