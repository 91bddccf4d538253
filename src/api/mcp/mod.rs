//! `/mcp`: the Model Context Protocol over streamable HTTP, with the management tools of the
//! hosted Descope MCP server (issue #19).
//!
//! The transport is `rmcp`'s `StreamableHttpService`, stateless (every call stands alone) and
//! answering plain JSON. A tool call is not a second implementation of the operation: it
//! becomes an HTTP request for the tool's REST operation, carrying the MCP request's
//! `Authorization: Bearer <projectId>:<managementKey>`, and goes through the same router (and
//! its layers) in-process. The operation's JSON answer is the tool result; an answer of 400 or
//! more is a tool error (`isError: true`) with the Descope error body.
//!
//! The `Host` and `Origin` guard is the edge middleware's, as for the emulator-only endpoints,
//! so rmcp's own loopback-only host check is off (it would refuse `--public-url` hosts and
//! container names the rest of the emulator serves).

pub mod catalogue;

use axum::body::Body;
use axum::http::{header, request::Parts, HeaderValue, Method, Request};
use axum::response::IntoResponse as _;
use axum::Router;
use http_body_util::BodyExt as _;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, JsonObject, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt as _;

use crate::error::{ApiError, ApiResult};
use crate::http::auth::MgmtAuth;
use crate::state::AppState;
use catalogue::{EmulatorTool, ToolSpec};

/// The path the MCP endpoint is served at.
pub const PATH: &str = "/mcp";

/// The `/mcp` service. `rest` is the application without `/mcp`: tool calls are dispatched
/// to it.
pub fn service(
    state: AppState,
    rest: Router,
    max_body: usize,
) -> StreamableHttpService<McpServer, NeverSessionManager> {
    let server = McpServer { state, rest };
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None)
        .with_max_request_body_bytes(max_body)
        .disable_allowed_hosts()
        .disable_allowed_origins();
    StreamableHttpService::new(move || Ok(server.clone()), Arc::new(NeverSessionManager::default()), config)
}

/// The MCP server handler: lists the catalogue and dispatches tool calls to the REST router.
#[derive(Clone)]
pub struct McpServer {
    state: AppState,
    rest: Router,
}

impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("descope-emulator", crate::http::middleware::VERSION))
            .with_instructions(
                "Descope management API of a descope-emulator project. Send \
                 `Authorization: Bearer <projectId>:<managementKey>` with every request.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(catalogue::tools().to_vec()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        catalogue::tools().iter().find(|t| t.name == name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let parts = context.extensions.get::<Parts>();
        let args = request.arguments.unwrap_or_default();
        let result = if let Some(spec) = catalogue::spec(&request.name) {
            self.call_mgmt(spec, args, parts).await
        } else if let Some(tool) = EmulatorTool::by_name(&request.name) {
            self.call_emulator(tool, args, parts).await
        } else {
            // The MCP specification's answer for an unknown tool: a JSON-RPC invalid-params error.
            return Err(ErrorData::invalid_params(format!("Unknown tool: {}", request.name), None));
        };
        Ok(match result {
            Ok(result) => result,
            Err(error) => tool_error(&error),
        }
        .into())
    }
}

/// An HTTP request to dispatch: method, path with query, and JSON body if any.
struct Call {
    method: Method,
    uri: String,
    body: Option<Value>,
}

impl McpServer {
    async fn call_mgmt(
        &self,
        spec: &ToolSpec,
        mut args: JsonObject,
        parts: Option<&Parts>,
    ) -> ApiResult<CallToolResult> {
        let mut path = String::new();
        for (i, segment) in spec.path.split('/').enumerate() {
            if i > 0 {
                path.push('/');
            }
            match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => {
                    let value =
                        args.remove(name).and_then(|v| scalar(&v)).ok_or_else(|| ApiError::missing(name))?;
                    path.push_str(&encode(&value));
                }
                None => path.push_str(segment),
            }
        }
        let (query, body): (JsonObject, JsonObject) = if spec.has_no_body() {
            (args, JsonObject::new())
        } else {
            args.into_iter().partition(|(k, _)| spec.query.contains(k))
        };
        let uri = with_query(path, &query)?;
        let method = Method::from_bytes(spec.method.as_bytes()).map_err(ApiError::internal)?;
        let body = (!spec.has_no_body()).then_some(Value::Object(body));
        Ok(self.dispatch(Call { method, uri, body }, parts).await)
    }

    async fn call_emulator(
        &self,
        tool: EmulatorTool,
        args: JsonObject,
        parts: Option<&Parts>,
    ) -> ApiResult<CallToolResult> {
        // The emulator routes take no key; these tools ask for the management key as the
        // Descope ones do.
        let mut auth_parts = Request::new(()).into_parts().0;
        if let Some(value) = parts.and_then(|p| p.headers.get(header::AUTHORIZATION)) {
            auth_parts.headers.insert(header::AUTHORIZATION, value.clone());
        }
        let MgmtAuth(ctx) = <MgmtAuth as axum::extract::FromRequestParts<AppState>>::from_request_parts(
            &mut auth_parts,
            &self.state,
        )
        .await?;
        let project = encode(ctx.project_id().as_str());
        let call = match tool {
            EmulatorTool::OutboxLatest => {
                let login_id = args
                    .get("loginId")
                    .and_then(Value::as_str)
                    .ok_or_else(|| ApiError::missing("loginId"))?;
                let mut query = JsonObject::new();
                query.insert("loginId".into(), Value::String(login_id.to_owned()));
                let path = format!("/emulator/v1/projects/{project}/outbox/latest");
                Call { method: Method::GET, uri: with_query(path, &query)?, body: None }
            }
            EmulatorTool::ClockAdvance => {
                let seconds = args.get("seconds").and_then(Value::as_i64).ok_or_else(|| {
                    ApiError::invalid("Argument seconds must be an integer number of seconds")
                })?;
                Call {
                    method: Method::POST,
                    uri: "/emulator/v1/clock".into(),
                    body: Some(json!({ "advanceSeconds": seconds })),
                }
            }
            EmulatorTool::ProjectReset => Call {
                method: Method::POST,
                uri: format!("/emulator/v1/projects/{project}/reset"),
                body: Some(json!({})),
            },
        };
        Ok(self.dispatch(call, None).await)
    }

    /// Sends the request through the REST router and turns its answer into the tool result.
    async fn dispatch(&self, call: Call, parts: Option<&Parts>) -> CallToolResult {
        let mut builder = Request::builder().method(call.method).uri(call.uri);
        if let Some(parts) = parts {
            for name in [header::AUTHORIZATION, header::HOST] {
                if let Some(value) = parts.headers.get(&name) {
                    builder = builder.header(name, value.clone());
                }
            }
        }
        let body = match call.body {
            Some(body) => {
                builder = builder.header(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
                Body::from(body.to_string())
            }
            None => Body::empty(),
        };
        let response = match builder.body(body) {
            Ok(request) => match self.rest.clone().oneshot(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            },
            Err(e) => ApiError::invalid(format!("Invalid tool arguments: {e}")).into_response(),
        };
        let failed = response.status().as_u16() >= 400;
        let bytes = match response.into_body().collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) => return tool_error(&ApiError::internal(e)),
        };
        let value = if bytes.is_empty() {
            json!({})
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        result(value, failed)
    }
}

/// The tool result for a JSON answer: `structuredContent` must be an object, so other values
/// are wrapped as `{"result": ...}`; the text content is the answer itself.
fn result(value: Value, failed: bool) -> CallToolResult {
    let text = value.to_string();
    let structured = match value {
        Value::Object(_) => value,
        other => json!({ "result": other }),
    };
    let mut result = if failed {
        CallToolResult::structured_error(structured)
    } else {
        CallToolResult::structured(structured)
    };
    result.content = vec![rmcp::model::ContentBlock::text(text)];
    result
}

/// A tool error carrying the Descope error body, as the REST operation would answer.
fn tool_error(error: &ApiError) -> CallToolResult {
    result(serde_json::to_value(error.body()).unwrap_or_default(), true)
}

/// A path or query value from a JSON argument: strings as they are, numbers and booleans
/// written out; `None` for null.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// `path?k=v&...`: arrays repeat their key, objects travel as JSON text, nulls are left out.
fn with_query(path: String, query: &JsonObject) -> ApiResult<String> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (key, value) in query {
        match value {
            Value::Array(items) => pairs.extend(items.iter().filter_map(scalar).map(|v| (key.clone(), v))),
            other => pairs.extend(scalar(other).map(|v| (key.clone(), v))),
        }
    }
    if pairs.is_empty() {
        return Ok(path);
    }
    let encoded = serde_urlencoded::to_string(&pairs).map_err(|e| ApiError::invalid(e.to_string()))?;
    Ok(format!("{path}?{encoded}"))
}
