//! Descope API groups `mcpServerManagement` and `mcpServerClientManagement`: MCP servers (each
//! with an authorization server of its own) and their clients
//! ([`crate::domain::apps::agentic`]). Their dynamic registration (RFC 7591, no Descope
//! authentication) is in [`super::inboundapp`], with the OAuth error surface.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::domain::apps::agentic::{self, ClientFilter};
use crate::dto::common::Empty;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{DescopeJson, MgmtAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/mgmt/mcp/server/client/create" => client_create,
        POST "/v1/mgmt/mcp/server/client/delete" => client_delete,
        POST "/v1/mgmt/mcp/server/client/load" => client_load,
        POST "/v1/mgmt/mcp/server/client/secret" => client_secret,
        POST "/v1/mgmt/mcp/server/client/secret/rotate" => client_rotate,
        POST "/v1/mgmt/mcp/server/client/update" => client_update,
        POST "/v1/mgmt/mcp/server/clients/delete" => clients_delete,
        POST "/v1/mgmt/mcp/server/clients/search" => clients_search,
        POST "/v1/mgmt/mcp/server/create" => server_create,
        POST "/v1/mgmt/mcp/server/delete" => server_delete,
        POST "/v1/mgmt/mcp/server/load" => server_load,
        POST "/v1/mgmt/mcp/server/update" => server_update,
        POST "/v1/mgmt/mcp/servers/all" => servers_all,
        POST "/v1/mgmt/mcp/servers/delete" => servers_delete,
    }
}

/// POST /v1/mgmt/mcp/server/create
/// A new MCP server (`MS` + 27 characters; dynamic registration on by default): `{server}`.
async fn server_create(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "server": agentic::create_server(&s.db, &ctx, &body).await? })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ServerBody {
    server: Option<Map<String, Value>>,
}

/// POST /v1/mgmt/mcp/server/update
/// `{server: {id, …}}`: the given fields replace the stored ones; `{server}`.
async fn server_update(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<ServerBody>,
) -> ApiResult<Json<Value>> {
    let fields = b.server.ok_or_else(|| ApiError::missing("server"))?;
    Ok(Json(json!({ "server": agentic::update_server(&s.db, &ctx, &fields).await? })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IdBody {
    id: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IdsBody {
    ids: Vec<String>,
}

/// POST /v1/mgmt/mcp/server/load
/// One MCP server (`{id}`): `{server}`.
async fn server_load(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<IdBody>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "server": agentic::load_server(&s.db, &ctx, &b.id).await? })))
}

/// POST /v1/mgmt/mcp/servers/all
/// Every MCP server: `{servers, total}`.
async fn servers_all(State(s): State<AppState>, MgmtAuth(ctx): MgmtAuth) -> ApiResult<Json<Value>> {
    let servers = agentic::load_servers(&s.db, &ctx).await?;
    let total = servers.len();
    Ok(Json(json!({ "servers": servers, "total": total })))
}

/// POST /v1/mgmt/mcp/server/delete
/// Deletes an MCP server and its clients.
async fn server_delete(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<IdBody>,
) -> ApiResult<Json<Empty>> {
    agentic::delete_servers(&s.db, &ctx, &[b.id]).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/mcp/servers/delete
/// Deletes several MCP servers (all or none).
async fn servers_delete(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<IdsBody>,
) -> ApiResult<Json<Empty>> {
    agentic::delete_servers(&s.db, &ctx, &b.ids).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/mcp/server/client/create
/// A confidential client of an MCP server: `{id, cleartext, clientId}` (the secret, shown here).
async fn client_create(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let c = agentic::create_client(&s.db, &ctx, &body).await?;
    Ok(Json(json!({ "id": c.id, "cleartext": c.cleartext, "clientId": c.client_id })))
}

/// POST /v1/mgmt/mcp/server/client/update
/// `{id, mcpServerId, …}`: the given fields replace the stored ones; `{client}`.
async fn client_update(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "client": agentic::update_client(&s.db, &ctx, &body).await? })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ClientRef {
    id: String,
    client_id: String,
    mcp_server_id: String,
}

/// POST /v1/mgmt/mcp/server/client/load
/// A client of an MCP server (`{id | clientId, mcpServerId}`): `{client}`.
async fn client_load(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<ClientRef>,
) -> ApiResult<Json<Value>> {
    let client = agentic::load_client(&s.db, &ctx, &b.mcp_server_id, &b.id, &b.client_id).await?;
    Ok(Json(json!({ "client": client })))
}

/// POST /v1/mgmt/mcp/server/client/delete
/// Deletes a client of an MCP server; its refresh tokens stop working.
async fn client_delete(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<ClientRef>,
) -> ApiResult<Json<Empty>> {
    agentic::delete_clients(&s.db, &ctx, &b.mcp_server_id, &[b.id]).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ClientIds {
    ids: Vec<String>,
    mcp_server_id: String,
}

/// POST /v1/mgmt/mcp/server/clients/delete
/// Deletes several clients of an MCP server (all or none).
async fn clients_delete(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<ClientIds>,
) -> ApiResult<Json<Empty>> {
    agentic::delete_clients(&s.db, &ctx, &b.mcp_server_id, &b.ids).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct SearchBody {
    mcp_server_id: String,
    page: i64,
    limit: i64,
    text: String,
    name: String,
    client_id: String,
    status: String,
    registration_method: String,
    tag: String,
    #[allow(dead_code)]
    sort: Vec<Value>,
}

/// POST /v1/mgmt/mcp/server/clients/search
/// A page of the clients (of an MCP server, by name, client ID, status, registration, tag,
/// text): `{clients, total}`.
async fn clients_search(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<SearchBody>,
) -> ApiResult<Json<Value>> {
    let filter = ClientFilter {
        server_id: b.mcp_server_id,
        text: b.text,
        name: b.name,
        client_id: b.client_id,
        status: b.status,
        registration: b.registration_method,
        tag: b.tag,
    };
    let (clients, total) = agentic::search_clients(&s.db, &ctx, &filter, b.page, b.limit).await?;
    Ok(Json(json!({ "clients": clients, "total": total })))
}

/// POST /v1/mgmt/mcp/server/client/secret
/// The client's secret: `{cleartext}`.
async fn client_secret(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<ClientRef>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "cleartext": agentic::client_secret(&s.db, &ctx, &b.mcp_server_id, &b.id).await? })))
}

/// POST /v1/mgmt/mcp/server/client/secret/rotate
/// A new secret replaces the client's: `{cleartext}`.
async fn client_rotate(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<ClientRef>,
) -> ApiResult<Json<Value>> {
    let secret = agentic::rotate_client_secret(&s.db, &ctx, &b.mcp_server_id, &b.id).await?;
    Ok(Json(json!({ "cleartext": secret })))
}
