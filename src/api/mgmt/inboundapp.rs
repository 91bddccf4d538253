//! Descope API groups `thirdPartyApps`: dynamic client registration (RFC 7591) of inbound
//! apps and of MCP servers' clients. No Descope authentication: anyone may register a public
//! client ([`crate::domain::apps::inbound::register`], [`crate::domain::apps::agentic::register`]). Errors answer as RFC 7591 section 3.2.2
//! (`{"error", "error_description"}`).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use crate::domain::apps::{agentic, inbound};
use crate::domain::projects::is_valid_project_id;
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    surface OAuth;
    built {
        POST "/v1/mgmt/inboundapp/app/{projectId}/register" => register,
        POST "/v1/mgmt/mcp/client/{projectId}/{mcpServerId}/register" => register_mcp_client,
    }
}

fn refused(error: &str, description: &str) -> Response {
    let mut r = (
        StatusCode::BAD_REQUEST,
        Json(json!({ "error": error, "error_description": description, "description": description })),
    )
        .into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

async fn project_ctx(s: &AppState, project_id: &str) -> ApiResult<Ctx> {
    let project = if is_valid_project_id(project_id) {
        s.projects.get(&s.db, &s.settings.public_url, project_id).await?
    } else {
        None
    };
    let project = project.ok_or_else(|| ApiError::not_found(format!("Unknown project {project_id}")))?;
    Ok(Ctx { project, now: s.now() })
}

fn registered(outcome: Result<Map<String, Value>, inbound::Refused>) -> Response {
    match outcome {
        Ok(out) => {
            let mut r = (StatusCode::CREATED, Json(out)).into_response();
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err((error, description)) => refused(error, &description),
    }
}

/// POST /v1/mgmt/inboundapp/app/{projectId}/register
/// Registers a public client (RFC 7591): 201 with `client_id` and the registered metadata.
async fn register(State(s): State<AppState>, Path(project_id): Path<String>, body: Bytes) -> ApiResult<Response> {
    let ctx = project_ctx(&s, &project_id).await?;
    let req: Map<String, Value> = match serde_json::from_slice(&body) {
        Ok(Value::Object(m)) => m,
        _ => return Ok(refused("invalid_client_metadata", "The body must be a JSON object")),
    };
    Ok(registered(inbound::register(&s.db, &ctx, &req).await?))
}

/// POST /v1/mgmt/mcp/client/{projectId}/{mcpServerId}/register
/// Registers a public client of an MCP server (RFC 7591), when the server's
/// `dynamicRegistration` allows it: 201 with `client_id` and the registered metadata.
async fn register_mcp_client(
    State(s): State<AppState>,
    Path((project_id, server_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let ctx = project_ctx(&s, &project_id).await?;
    let req: Map<String, Value> = match serde_json::from_slice(&body) {
        Ok(Value::Object(m)) => m,
        _ => return Ok(refused("invalid_client_metadata", "The body must be a JSON object")),
    };
    match agentic::register(&s.db, &ctx, &server_id, &req).await? {
        Some(outcome) => Ok(registered(outcome)),
        None => Err(ApiError::not_found(format!("Unknown MCP server {server_id}"))),
    }
}
