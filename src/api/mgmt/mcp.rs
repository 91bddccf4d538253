//! Descope API groups `mcpServerClientManagement`, `mcpServerManagement`, `thirdPartyApps`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    POST "/v1/mgmt/mcp/client/{projectId}/{mcpServerId}/register" => not_implemented,
    POST "/v1/mgmt/mcp/server/client/create" => not_implemented,
    POST "/v1/mgmt/mcp/server/client/delete" => not_implemented,
    POST "/v1/mgmt/mcp/server/client/load" => not_implemented,
    POST "/v1/mgmt/mcp/server/client/secret" => not_implemented,
    POST "/v1/mgmt/mcp/server/client/secret/rotate" => not_implemented,
    POST "/v1/mgmt/mcp/server/client/update" => not_implemented,
    POST "/v1/mgmt/mcp/server/clients/delete" => not_implemented,
    POST "/v1/mgmt/mcp/server/clients/search" => not_implemented,
    POST "/v1/mgmt/mcp/server/create" => not_implemented,
    POST "/v1/mgmt/mcp/server/delete" => not_implemented,
    POST "/v1/mgmt/mcp/server/load" => not_implemented,
    POST "/v1/mgmt/mcp/server/update" => not_implemented,
    POST "/v1/mgmt/mcp/servers/all" => not_implemented,
    POST "/v1/mgmt/mcp/servers/delete" => not_implemented,
}
