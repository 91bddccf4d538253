//! Descope API groups `mcpServerClientManagement`, `mcpServerManagement`, `thirdPartyApps`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.


crate::route_table! {
    pub GROUP;
    unbuilt {
        POST "/v1/mgmt/mcp/client/{projectId}/{mcpServerId}/register",
        POST "/v1/mgmt/mcp/server/client/create",
        POST "/v1/mgmt/mcp/server/client/delete",
        POST "/v1/mgmt/mcp/server/client/load",
        POST "/v1/mgmt/mcp/server/client/secret",
        POST "/v1/mgmt/mcp/server/client/secret/rotate",
        POST "/v1/mgmt/mcp/server/client/update",
        POST "/v1/mgmt/mcp/server/clients/delete",
        POST "/v1/mgmt/mcp/server/clients/search",
        POST "/v1/mgmt/mcp/server/create",
        POST "/v1/mgmt/mcp/server/delete",
        POST "/v1/mgmt/mcp/server/load",
        POST "/v1/mgmt/mcp/server/update",
        POST "/v1/mgmt/mcp/servers/all",
        POST "/v1/mgmt/mcp/servers/delete",
    }
}
