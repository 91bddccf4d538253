//! `/mcp`: the Model Context Protocol over streamable HTTP, spoken as plain JSON-RPC requests.

use axum::body::Body;
use axum::http::{Method, Request};
use serde_json::{json, Value};

use crate::harness::{TestApp, TestProject, TestResponse};

const VERSION: &str = "2025-06-18";

/// A JSON-RPC message to `/mcp` as a streamable-HTTP client sends it; `auth` without `Bearer `.
async fn post(app: &TestApp, auth: Option<&str>, body: Vec<u8>) -> TestResponse {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri("/mcp")
        .header("host", "127.0.0.1:4545")
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", VERSION);
    if let Some(a) = auth {
        req = req.header("authorization", format!("Bearer {a}"));
    }
    app.call(req.body(Body::from(body)).unwrap()).await
}

async fn rpc(app: &TestApp, auth: Option<&str>, method: &str, params: Value) -> TestResponse {
    let message = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
    post(app, auth, serde_json::to_vec(&message).unwrap()).await
}

/// `tools/call`; returns the JSON-RPC `result` (the tool result).
async fn call(app: &TestApp, p: &TestProject, tool: &str, args: Value) -> Value {
    call_as(app, &p.mgmt(), tool, args).await
}

async fn call_as(app: &TestApp, auth: &str, tool: &str, args: Value) -> Value {
    let r = rpc(app, Some(auth), "tools/call", json!({ "name": tool, "arguments": args })).await;
    assert_eq!(r.status.as_u16(), 200, "tools/call {tool}: {}", r.text);
    assert!(r.body["error"].is_null(), "tools/call {tool}: {}", r.text);
    r.body["result"].clone()
}

#[track_caller]
fn assert_tool_ok(result: &Value) -> &Value {
    assert_eq!(result["isError"], false, "tool failed: {result}");
    let text: Value = serde_json::from_str(result["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(text, result["structuredContent"], "the text content is the JSON answer");
    &result["structuredContent"]
}

#[track_caller]
fn assert_tool_error(result: &Value, code: &str) {
    assert_eq!(result["isError"], true, "expected a tool error: {result}");
    assert_eq!(result["structuredContent"]["errorCode"], code, "{result}");
    assert!(result["content"][0]["text"].as_str().unwrap().contains(code));
}

#[tokio::test]
async fn initialize_answers_with_the_tools_capability() {
    let (app, p) = TestApp::with_project().await;
    let r = rpc(
        &app,
        Some(&p.mgmt()),
        "initialize",
        json!({
            "protocolVersion": VERSION,
            "capabilities": {},
            "clientInfo": { "name": "it", "version": "1" }
        }),
    )
    .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.text);
    let result = &r.body["result"];
    assert_eq!(result["protocolVersion"], VERSION, "{}", r.text);
    assert_eq!(result["serverInfo"]["name"], "descope-emulator");
    assert!(result["capabilities"]["tools"].is_object(), "{}", r.text);
    assert!(r.headers.get("mcp-session-id").is_none(), "stateless: no session");
}

#[tokio::test]
async fn tools_list_has_the_165_management_tools_and_the_emulator_tools() {
    let (app, p) = TestApp::with_project().await;
    let r = rpc(&app, Some(&p.mgmt()), "tools/list", json!({})).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.text);
    let tools = r.body["result"]["tools"].as_array().unwrap();
    assert_eq!(tools.len(), 165 + 3);
    for tool in tools {
        assert_eq!(tool["inputSchema"]["type"], "object", "{tool}");
        assert!(tool["description"].as_str().is_some_and(|d| !d.is_empty()), "{}", tool["name"]);
    }
    let by_name = |name: &str| tools.iter().find(|t| t["name"] == name).unwrap().clone();
    let create = by_name("create_tenant");
    assert!(create["inputSchema"]["properties"]["name"].is_object(), "{create}");
    assert!(create["annotations"].is_null());
    let load = by_name("load_tenant");
    assert_eq!(load["annotations"]["readOnlyHint"], true);
    assert_eq!(load["inputSchema"]["properties"]["id"]["type"], "string");
    assert_eq!(by_name("delete_sso_settings")["annotations"]["destructiveHint"], true);
    assert_eq!(by_name("load_outbound_app")["inputSchema"]["required"], json!(["id"]));
    assert!(tools.iter().any(|t| t["name"] == "get_v1_mgmt_fga_mappable_resources"));
    for name in ["emulator_outbox_latest", "emulator_clock_advance", "emulator_project_reset"] {
        by_name(name);
    }
}

#[tokio::test]
async fn a_tool_call_goes_through_the_rest_operation() {
    let (app, p) = TestApp::with_project().await;
    let created =
        call(&app, &p, "create_tenant", json!({ "name": "Acme", "selfProvisioningDomains": ["acme.test"] }))
            .await;
    let id = assert_tool_ok(&created)["id"].as_str().unwrap().to_owned();

    // The tenant is there for the REST API ...
    let r = app.get(&format!("/v1/mgmt/tenant?id={id}"), Some(&p.mgmt())).await;
    assert_eq!(r.assert_ok()["name"], "Acme");
    // ... and for a read-only tool, whose arguments travel in the query.
    let loaded = call(&app, &p, "load_tenant", json!({ "id": id })).await;
    assert_eq!(assert_tool_ok(&loaded)["selfProvisioningDomains"], json!(["acme.test"]));

    // A user created through a tool, read back through REST.
    let user =
        call(&app, &p, "create_user", json!({ "loginId": "mcp@example.com", "email": "mcp@example.com" }))
            .await;
    assert_eq!(assert_tool_ok(&user)["user"]["loginIds"], json!(["mcp@example.com"]));
    let r = app.get("/v1/mgmt/user?loginId=mcp%40example.com", Some(&p.mgmt())).await;
    assert_eq!(r.assert_ok()["user"]["email"], "mcp@example.com");
}

#[tokio::test]
async fn errors_of_the_operation_are_tool_errors() {
    let (app, p) = TestApp::with_project().await;
    // A wrong management key: the REST 401 body.
    let result = call_as(&app, &p.with("K-not-the-key"), "load_all_tenants", json!({})).await;
    assert_tool_error(&result, "E011103");
    // No key at all.
    let r = rpc(&app, None, "tools/call", json!({ "name": "load_all_tenants", "arguments": {} })).await;
    assert_eq!(r.body["result"]["isError"], true, "{}", r.text);
    // Wrong argument types and missing arguments: the handler's 400.
    let result = call(&app, &p, "create_tenant", json!({ "name": 42 })).await;
    assert_eq!(result["isError"], true, "{result}");
    assert!(result["structuredContent"]["errorCode"].as_str().unwrap().starts_with("E01"), "{result}");
    let result = call(&app, &p, "load_user", json!({})).await;
    assert_eq!(result["isError"], true, "{result}");
    // A path parameter that is missing.
    let result = call(&app, &p, "load_outbound_app", json!({})).await;
    assert_tool_error(&result, "E011002");
    // Not found.
    let result = call(&app, &p, "load_tenant", json!({ "id": "T-none" })).await;
    assert_eq!(result["isError"], true, "{result}");
}

#[tokio::test]
async fn protocol_errors_never_crash() {
    let (app, p) = TestApp::with_project().await;
    // Unknown tool: JSON-RPC invalid params.
    let r =
        rpc(&app, Some(&p.mgmt()), "tools/call", json!({ "name": "no_such_tool", "arguments": {} })).await;
    assert_eq!(r.body["error"]["code"], -32602, "{}", r.text);
    // Arguments that are not an object.
    let r =
        rpc(&app, Some(&p.mgmt()), "tools/call", json!({ "name": "create_tenant", "arguments": [1] })).await;
    assert!(r.status.is_client_error() || !r.body["error"].is_null(), "{} {}", r.status, r.text);
    // An unknown method.
    let r = rpc(&app, Some(&p.mgmt()), "no/such/method", json!({})).await;
    assert_eq!(r.body["error"]["code"], -32601, "{}", r.text);
    // Malformed JSON and a message that is not JSON-RPC.
    for body in [&b"{not json"[..], br#"{"hello": "world"}"#, b"[]", b""] {
        let r = post(&app, Some(&p.mgmt()), body.to_vec()).await;
        assert!(r.status.is_client_error(), "{:?}: {} {}", String::from_utf8_lossy(body), r.status, r.text);
    }
    // Larger than the body limit of the app (64 KiB in tests).
    let big = json!({ "jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": { "name": "create_tenant", "arguments": { "name": "x".repeat(100 * 1024) } } });
    let r = post(&app, Some(&p.mgmt()), serde_json::to_vec(&big).unwrap()).await;
    assert_eq!(r.status.as_u16(), 413, "{}", r.text);
    // GET (a server-sent event stream) and DELETE (end a session) of a stateless server.
    for method in [Method::GET, Method::DELETE] {
        let req = Request::builder()
            .method(method.clone())
            .uri("/mcp")
            .header("host", "127.0.0.1:4545")
            .header("accept", "text/event-stream")
            .body(Body::empty())
            .unwrap();
        let r = app.call(req).await;
        assert!(r.status.is_client_error(), "{method}: {} {}", r.status, r.text);
    }
}

#[tokio::test]
async fn a_foreign_web_origin_is_refused() {
    let (app, p) = TestApp::with_project().await;
    let message = json!({ "jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {} });
    let from = |origin: &str| {
        Request::builder()
            .method(Method::POST)
            .uri("/mcp")
            .header("host", "127.0.0.1:4545")
            .header("origin", origin)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("authorization", format!("Bearer {}", p.mgmt()))
            .body(Body::from(serde_json::to_vec(&message).unwrap()))
            .unwrap()
    };
    let r = app.call(from("https://evil.example")).await;
    r.assert_error(403, "E011101");

    // A page of the emulator's own origin is served.
    let r = app.call(from("http://127.0.0.1:4545")).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.text);
    assert_eq!(r.body["result"]["tools"].as_array().unwrap().len(), 168);
}

#[tokio::test]
async fn emulator_tools_check_the_management_key() {
    let (app, p) = TestApp::with_project().await;
    app.post("/v1/auth/otp/signup/email", Some(&p.bearer()), json!({ "loginId": "otp@example.com" }))
        .await
        .assert_ok();
    let latest = call(&app, &p, "emulator_outbox_latest", json!({ "loginId": "otp@example.com" })).await;
    let message = assert_tool_ok(&latest);
    assert_eq!(message["code"].as_str().unwrap().len(), 6, "{message}");

    let denied =
        call_as(&app, &p.with("K-wrong"), "emulator_outbox_latest", json!({ "loginId": "otp@example.com" }))
            .await;
    assert_tool_error(&denied, "E011103");
    let denied = call_as(&app, &p.with("K-wrong"), "emulator_clock_advance", json!({ "seconds": 60 })).await;
    assert_tool_error(&denied, "E011103");

    let before = app.clock_now().await;
    let advanced = call(&app, &p, "emulator_clock_advance", json!({ "seconds": 3600 })).await;
    assert!(assert_tool_ok(&advanced)["now"].as_i64().unwrap() >= before + 3600, "{advanced}");
    let bad = call(&app, &p, "emulator_clock_advance", json!({ "seconds": "soon" })).await;
    assert_tool_error(&bad, "E011004");
    app.reset_clock().await;

    let tenant = app.create_tenant(&p, json!({ "name": "Gone" })).await;
    let reset = call(&app, &p, "emulator_project_reset", json!({})).await;
    assert_tool_ok(&reset);
    let loaded = call(&app, &p, "load_tenant", json!({ "id": tenant })).await;
    assert_eq!(loaded["isError"], true, "the reset removed the tenant: {loaded}");
}
