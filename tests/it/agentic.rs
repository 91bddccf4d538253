//! The agentic side: resources, resource policies, MCP servers and their clients (management,
//! bad input leaving nothing changed), MCP dynamic client registration, the per-MCP-server
//! authorization server (discovery, code + PKCE, audiences and scopes, isolation between
//! servers), RFC 8707 `resource` for inbound apps, and snapshots.

use serde_json::{json, Value};
use std::collections::HashMap;

use crate::harness::{
    claims, location, post_form, query_of, urlencode, TestApp, TestProject, TestResponse, PUBLIC_URL,
};

const REDIRECT: &str = "http://agent.test/cb";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gXk-kEjXk";
const CHALLENGE: &str = "JIR41DDhPj7MhvjRSfrWp1B4L4s-HZqJOIzA-517L3k";
const MCP_URL: &str = "https://mcp.example.com/mcp";

async fn form(app: &TestApp, path: &str, body: &str) -> TestResponse {
    post_form(app, path, None, body).await
}

fn scopes(names: &[&str]) -> Value {
    json!({"permissionsScopes": names.iter().map(|n| json!({"name": n, "description": n})).collect::<Vec<_>>()})
}

async fn create_resource(app: &TestApp, p: &TestProject, body: Value) -> Value {
    app.post("/v1/mgmt/resource/create", Some(&p.mgmt()), body).await.assert_ok()["resource"].clone()
}

async fn create_server(app: &TestApp, p: &TestProject, extra: Value) -> Value {
    let mut body = json!({
        "name": "Docs MCP",
        "description": "docs tools",
        "approvedScopes": scopes(&["docs:read", "docs:write"]),
        "audienceWhitelist": ["extra-aud"],
        "approvedCallbackUrls": [REDIRECT],
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    app.post("/v1/mgmt/mcp/server/create", Some(&p.mgmt()), body).await.assert_ok()["server"].clone()
}

async fn user(app: &TestApp, p: &TestProject, email: &str) -> String {
    let u = app.create_user(p, json!({"loginId": email, "email": email, "verifiedEmail": true})).await;
    u["userId"].as_str().unwrap().to_owned()
}

async fn resources_total(app: &TestApp, p: &TestProject) -> Value {
    app.get("/v1/mgmt/resources/load", Some(&p.mgmt())).await.assert_ok()["total"].clone()
}

#[tokio::test]
async fn resources_create_load_update_delete() {
    let (app, p) = TestApp::with_project().await;
    let body = json!({
        "name": "Docs API", "description": "the docs", "uri": "https://api.example.com/docs", "type": "api",
        "userAccess": "restricted", "clientAccess": "open",
        "scopes": {"permissionsScopes": [{"name": "docs:read", "description": "Read", "optional": false, "values": ["a"]}],
                   "attributesScopes": [], "connectionsScopes": []},
    });
    let r = create_resource(&app, &p, body.clone()).await;
    let id = r["id"].as_str().unwrap().to_owned();
    for k in ["name", "description", "uri", "type", "userAccess", "clientAccess", "scopes"] {
        assert_eq!(r[k], body[k], "{k} echoed as sent");
    }
    assert_eq!(r["version"], "1");
    assert!(r["createdTime"].as_str().unwrap().parse::<i64>().is_ok());
    assert!(r["modifiedTime"].is_string());

    let loaded = app.get(&format!("/v1/mgmt/resource/load?id={id}"), Some(&p.mgmt())).await;
    assert_eq!(loaded.assert_ok()["resource"], r);
    let by_uri = app
        .get(
            &format!("/v1/mgmt/resource/load/uri?uri={}", urlencode("https://api.example.com/docs")),
            Some(&p.mgmt()),
        )
        .await;
    assert_eq!(by_uri.assert_ok()["resource"]["id"], id);

    // Update: what is given replaces, the rest stays.
    let u = app
        .post(
            "/v1/mgmt/resource/update",
            Some(&p.mgmt()),
            json!({"resource": {"id": id, "description": "new"}}),
        )
        .await;
    let u = u.assert_ok()["resource"].clone();
    assert_eq!(u["description"], "new");
    assert_eq!(u["name"], "Docs API");
    assert_eq!(u["scopes"], body["scopes"]);
    assert_eq!(u["version"], "2");

    // An MCP resource with DCR settings.
    let mcp = create_resource(
        &app,
        &p,
        json!({"name": "MCP", "uri": MCP_URL, "type": "mcp",
               "dynamicRegistrationSettings": {"dynamicRegistration": {"enabled": true}, "tags": ["x"]}}),
    )
    .await;
    assert_eq!(mcp["dynamicRegistrationSettings"]["tags"], json!(["x"]));
    assert_eq!(resources_total(&app, &p).await, 2);

    let r = app.post("/v1/mgmt/resource/delete", Some(&p.mgmt()), json!({"id": id})).await;
    r.assert_ok();
    app.get(&format!("/v1/mgmt/resource/load?id={id}"), Some(&p.mgmt())).await.assert_error(404, "E011008");
    let r = app.post("/v1/mgmt/resource/delete/batch", Some(&p.mgmt()), json!({"ids": [mcp["id"]]})).await;
    r.assert_ok();
    assert_eq!(resources_total(&app, &p).await, 0);
}

#[tokio::test]
async fn resources_bad_input_changes_nothing() {
    let (app, p) = TestApp::with_project().await;
    let good = json!({"name": "A", "uri": "https://a.example.com", "type": "api"});
    let a = create_resource(&app, &p, good.clone()).await;
    let m = p.mgmt();
    for (bad, code) in [
        (json!({"uri": "https://b.example.com", "type": "api"}), "E011002"),
        (json!({"name": "B", "type": "api"}), "E011002"),
        (json!({"name": "B", "uri": "https://b.example.com", "type": "web"}), "E011004"),
        (json!({"name": "B", "uri": "https://a.example.com", "type": "api"}), "E011004"),
        (json!({"name": 5, "uri": "https://b.example.com", "type": "api"}), "E011004"),
        (
            json!({"name": "B", "uri": "https://b.example.com", "type": "api", "scopes": {"permissionsScopes": [{"description": "no name"}]}}),
            "E011004",
        ),
        (
            json!({"name": "B", "uri": "https://b.example.com", "type": "api", "dynamicRegistrationSettings": {}}),
            "E011004",
        ),
        (
            json!({"name": "B", "uri": "https://b.example.com", "type": "mcp", "dynamicRegistrationSettings": {"useTemplate": true}}),
            "E011004",
        ),
    ] {
        app.post("/v1/mgmt/resource/create", Some(&m), bad).await.assert_error(400, code);
    }
    assert_eq!(resources_total(&app, &p).await, 1);
    // Update to a taken URI, to no name, of an unknown ID.
    let b =
        create_resource(&app, &p, json!({"name": "B", "uri": "https://b.example.com", "type": "api"})).await;
    let r = app
        .post(
            "/v1/mgmt/resource/update",
            Some(&m),
            json!({"resource": {"id": b["id"], "uri": "https://a.example.com"}}),
        )
        .await;
    r.assert_error(400, "E011004");
    let r = app
        .post("/v1/mgmt/resource/update", Some(&m), json!({"resource": {"id": b["id"], "name": ""}}))
        .await;
    r.assert_error(400, "E011002");
    let r = app
        .post("/v1/mgmt/resource/update", Some(&m), json!({"resource": {"id": "RSnope", "name": "x"}}))
        .await;
    r.assert_error(404, "E011008");
    app.post("/v1/mgmt/resource/update", Some(&m), json!({})).await.assert_error(400, "E011002");
    let loaded = app.get(&format!("/v1/mgmt/resource/load?id={}", b["id"].as_str().unwrap()), Some(&m)).await;
    assert_eq!(loaded.assert_ok()["resource"], b);
    // A batch with one unknown ID deletes nothing.
    let r = app.post("/v1/mgmt/resource/delete/batch", Some(&m), json!({"ids": [a["id"], "RSnope"]})).await;
    r.assert_error(404, "E011008");
    assert_eq!(resources_total(&app, &p).await, 2);
    app.get("/v1/mgmt/resource/load", Some(&m)).await.assert_error(400, "E011002");
    app.get("/v1/mgmt/resource/load/uri?uri=https://none", Some(&m)).await.assert_error(404, "E011008");
    // Without the management key.
    let r = app.get("/v1/mgmt/resources/load", Some(&p.bearer())).await;
    assert_eq!(r.status.as_u16(), 401);
}

async fn inbound_app(app: &TestApp, p: &TestProject, extra: Value) -> Value {
    let mut body = json!({
        "name": "Agent", "approvedCallbackUrls": [REDIRECT],
        "permissionsScopes": [{"name": "own:scope", "description": ""}],
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    app.post("/v1/mgmt/thirdparty/app/create", Some(&p.mgmt()), body).await.assert_ok().clone()
}

#[tokio::test]
async fn resource_policies() {
    let (app, p) = TestApp::with_project().await;
    let m = p.mgmt();
    let res = create_resource(
        &app,
        &p,
        json!({"name": "Docs", "uri": "https://api.example.com", "type": "api", "scopes": scopes(&["docs:read", "docs:write"])}),
    )
    .await;
    let rid = res["id"].as_str().unwrap();
    let a = inbound_app(&app, &p, json!({})).await;
    let aid = a["id"].as_str().unwrap();
    let body = json!({"thirdPartyApplicationId": aid, "resourceId": rid, "userAccessScopes": ["docs:read"],
                      "clientAccessScopes": [], "allUserScopes": false, "allClientScopes": true});
    let r = app.post("/v1/mgmt/resourcepolicy/create", Some(&m), body.clone()).await;
    let pol = r.assert_ok()["resourcePolicy"].clone();
    for k in ["thirdPartyApplicationId", "resourceId", "userAccessScopes", "allClientScopes"] {
        assert_eq!(pol[k], body[k]);
    }
    assert_eq!(pol["version"], "1");
    assert!(pol["createdTime"].is_string());
    // Twice: refused.
    app.post("/v1/mgmt/resourcepolicy/create", Some(&m), body.clone()).await.assert_error(400, "E011004");
    // Unknown app, unknown resource, a scope the resource does not define, missing keys.
    let mut bad = body.clone();
    bad["thirdPartyApplicationId"] = json!("TPAnope");
    app.post("/v1/mgmt/resourcepolicy/create", Some(&m), bad).await.assert_error(404, "E011008");
    let mut bad = body.clone();
    bad["resourceId"] = json!("RSnope");
    app.post("/v1/mgmt/resourcepolicy/create", Some(&m), bad).await.assert_error(404, "E011008");
    let mut bad = body.clone();
    bad["userAccessScopes"] = json!(["docs:delete"]);
    app.post("/v1/mgmt/resourcepolicy/update", Some(&m), bad).await.assert_error(400, "E011004");
    app.post("/v1/mgmt/resourcepolicy/create", Some(&m), json!({"resourceId": rid}))
        .await
        .assert_error(400, "E011002");

    let r = app
        .post(
            "/v1/mgmt/resourcepolicy/update",
            Some(&m),
            json!({"thirdPartyApplicationId": aid, "resourceId": rid, "userAccessScopes": ["docs:read", "docs:write"]}),
        )
        .await;
    let updated = r.assert_ok()["resourcePolicy"].clone();
    assert_eq!(updated["userAccessScopes"], json!(["docs:read", "docs:write"]));
    assert_eq!(updated["version"], "2");

    // A batch with one bad policy creates none.
    let res2 =
        create_resource(&app, &p, json!({"name": "B", "uri": "https://b.example.com", "type": "api"})).await;
    let r = app
        .post(
            "/v1/mgmt/resourcepolicy/create/batch",
            Some(&m),
            json!({"policies": [{"thirdPartyApplicationId": aid, "resourceId": res2["id"]},
                                {"thirdPartyApplicationId": aid, "resourceId": "RSnope"}]}),
        )
        .await;
    r.assert_error(404, "E011008");
    let load = format!("/v1/mgmt/resourcepolicy/app/load?thirdPartyApplicationId={aid}");
    assert_eq!(app.get(&load, Some(&m)).await.assert_ok()["resourcePolicies"].as_array().unwrap().len(), 1);
    let r = app
        .post(
            "/v1/mgmt/resourcepolicy/create/batch",
            Some(&m),
            json!({"policies": [{"thirdPartyApplicationId": aid, "resourceId": res2["id"], "allUserScopes": true}]}),
        )
        .await;
    assert_eq!(r.assert_ok()["resourcePolicies"].as_array().unwrap().len(), 1);
    assert_eq!(app.get(&load, Some(&m)).await.assert_ok()["resourcePolicies"].as_array().unwrap().len(), 2);
    app.get("/v1/mgmt/resourcepolicy/app/load", Some(&m)).await.assert_error(400, "E011002");

    let r = app
        .post(
            "/v1/mgmt/resourcepolicy/delete",
            Some(&m),
            json!({"thirdPartyApplicationId": aid, "resourceId": rid}),
        )
        .await;
    r.assert_ok();
    let r = app
        .post(
            "/v1/mgmt/resourcepolicy/delete",
            Some(&m),
            json!({"thirdPartyApplicationId": aid, "resourceId": rid}),
        )
        .await;
    r.assert_error(404, "E011008");
    let r = app
        .post(
            "/v1/mgmt/resourcepolicy/delete/batch",
            Some(&m),
            json!({"policies": [{"thirdPartyApplicationId": aid, "resourceId": res2["id"]}]}),
        )
        .await;
    r.assert_ok();
    assert_eq!(app.get(&load, Some(&m)).await.assert_ok()["resourcePolicies"], json!([]));
    // Deleting a resource takes its policies along; so does deleting the app.
    app.post("/v1/mgmt/resourcepolicy/create", Some(&m), body.clone()).await.assert_ok();
    app.post("/v1/mgmt/resource/delete", Some(&m), json!({"id": rid})).await.assert_ok();
    assert_eq!(app.get(&load, Some(&m)).await.assert_ok()["resourcePolicies"], json!([]));
    let r = app
        .post(
            "/v1/mgmt/resourcepolicy/create",
            Some(&m),
            json!({"thirdPartyApplicationId": aid, "resourceId": res2["id"]}),
        )
        .await;
    r.assert_ok();
    app.post("/v1/mgmt/thirdparty/app/delete", Some(&m), json!({"id": aid})).await.assert_ok();
    let snap = app.export_snapshot(&p.id).await;
    let kinds: Vec<&str> = snap["apps"]["agenticObjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["resource"], "only resource B is left");
}

#[tokio::test]
async fn mcp_servers_create_load_update_delete() {
    let (app, p) = TestApp::with_project().await;
    let m = p.mgmt();
    let s = create_server(&app, &p, json!({"loginPageURL": "http://login.test", "tags": ["t"]})).await;
    let id = s["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("MS") && id.len() == 29, "{id}");
    assert_eq!(s["name"], "Docs MCP");
    assert_eq!(s["loginPageURL"], "http://login.test");
    assert_eq!(s["dynamicRegistration"]["enabled"], true, "DCR is on by default");
    assert_eq!(s["cimdSettings"]["enabled"], false);
    assert_eq!(s["approvedScopes"]["permissionsScopes"][0]["name"], "docs:read");
    let loaded = app.post("/v1/mgmt/mcp/server/load", Some(&m), json!({"id": id})).await;
    assert_eq!(loaded.assert_ok()["server"], s);
    let u = app
        .post(
            "/v1/mgmt/mcp/server/update",
            Some(&m),
            json!({"server": {"id": id, "description": "v2", "dynamicRegistration": {"enabled": false}}}),
        )
        .await;
    let u = u.assert_ok()["server"].clone();
    assert_eq!(u["description"], "v2");
    assert_eq!(u["name"], "Docs MCP");
    assert_eq!(u["dynamicRegistration"]["enabled"], false);

    // Bad input changes nothing.
    for bad in [
        json!({}),
        json!({"name": ""}),
        json!({"name": "x", "approvedCallbackUrls": ["not a url"]}),
        json!({"name": "x", "skipConsentScreen": "yes"}),
        json!({"name": "x", "approvedScopes": {"permissionsScopes": [{}]}}),
    ] {
        let r = app.post("/v1/mgmt/mcp/server/create", Some(&m), bad).await;
        assert_eq!(r.status.as_u16(), 400, "{}", r.text);
    }
    app.post("/v1/mgmt/mcp/server/update", Some(&m), json!({"server": {"id": id, "name": ""}}))
        .await
        .assert_error(400, "E011002");
    app.post("/v1/mgmt/mcp/server/update", Some(&m), json!({"server": {"id": "MSnope"}}))
        .await
        .assert_error(404, "E011008");
    app.post("/v1/mgmt/mcp/server/load", Some(&m), json!({"id": "MSnope"}))
        .await
        .assert_error(404, "E011008");
    let all = app.post("/v1/mgmt/mcp/servers/all", Some(&m), json!({})).await;
    assert_eq!(all.assert_ok()["total"], 1);
    assert_eq!(all.body["servers"][0], u);

    let s2 = create_server(&app, &p, json!({"name": "Two"})).await;
    app.post("/v1/mgmt/mcp/servers/delete", Some(&m), json!({"ids": [s2["id"], "MSnope"]}))
        .await
        .assert_error(404, "E011008");
    assert_eq!(app.post("/v1/mgmt/mcp/servers/all", Some(&m), json!({})).await.body["total"], 2);
    app.post("/v1/mgmt/mcp/servers/delete", Some(&m), json!({"ids": [s2["id"]]})).await.assert_ok();
    app.post("/v1/mgmt/mcp/server/delete", Some(&m), json!({"id": id})).await.assert_ok();
    assert_eq!(app.post("/v1/mgmt/mcp/servers/all", Some(&m), json!({})).await.body["total"], 0);
}

#[tokio::test]
async fn mcp_server_clients() {
    let (app, p) = TestApp::with_project().await;
    let m = p.mgmt();
    let s = create_server(&app, &p, json!({})).await;
    let sid = s["id"].as_str().unwrap();
    let r = app
        .post(
            "/v1/mgmt/mcp/server/client/create",
            Some(&m),
            json!({"name": "Claude", "mcpServerId": sid, "approvedCallbackUrls": [REDIRECT], "scopes": ["docs:read"],
                   "tags": ["ai"], "allowedTenants": []}),
        )
        .await;
    let c = r.assert_ok().clone();
    let id = c["id"].as_str().unwrap();
    let client_id = c["clientId"].as_str().unwrap();
    let secret = c["cleartext"].as_str().unwrap();
    assert!(id.starts_with("TPA") && !secret.is_empty(), "{c}");

    let loaded =
        app.post("/v1/mgmt/mcp/server/client/load", Some(&m), json!({"id": id, "mcpServerId": sid})).await;
    let loaded = loaded.assert_ok()["client"].clone();
    assert_eq!(loaded["name"], "Claude");
    assert_eq!(loaded["clientId"], client_id);
    assert_eq!(loaded["mcpServerId"], sid);
    assert_eq!(loaded["scopes"], json!(["docs:read"]));
    assert_eq!(loaded["registrationType"], "manual");
    assert_eq!(loaded["status"], "active");
    assert!(loaded.get("cleartext").is_none() && loaded.get("clientSecret").is_none(), "secret shown once");
    let by_client = app
        .post("/v1/mgmt/mcp/server/client/load", Some(&m), json!({"clientId": client_id, "mcpServerId": sid}))
        .await;
    assert_eq!(by_client.assert_ok()["client"]["id"], id);

    let got =
        app.post("/v1/mgmt/mcp/server/client/secret", Some(&m), json!({"id": id, "mcpServerId": sid})).await;
    assert_eq!(got.assert_ok()["cleartext"], secret);
    let rotated = app
        .post("/v1/mgmt/mcp/server/client/secret/rotate", Some(&m), json!({"id": id, "mcpServerId": sid}))
        .await;
    let new_secret = rotated.assert_ok()["cleartext"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, secret);
    // The old secret no longer authenticates; the new one does (client credentials).
    let token = format!("/oauth2/v1/apps/agentic/{}/{sid}/token", p.id);
    let cc = |sec: &str| {
        format!(
            "grant_type=client_credentials&client_id={}&client_secret={sec}&scope=docs:read",
            urlencode(client_id)
        )
    };
    assert_eq!(form(&app, &token, &cc(secret)).await.status.as_u16(), 401);
    let t = form(&app, &token, &cc(&new_secret)).await;
    let at = claims(t.assert_ok()["access_token"].as_str().unwrap());
    assert_eq!(at["scope"], "docs:read");
    assert_eq!(at["sub"], id);

    let u = app
        .post(
            "/v1/mgmt/mcp/server/client/update",
            Some(&m),
            json!({"id": id, "mcpServerId": sid, "name": "Claude 2", "scopes": ["docs:read", "docs:write"]}),
        )
        .await;
    let u = u.assert_ok()["client"].clone();
    assert_eq!(u["name"], "Claude 2");
    assert_eq!(u["tags"], json!(["ai"]));

    // Bad input: unknown server, a scope the server lacks, a bad URL, no name; nothing changes.
    for bad in [
        json!({"name": "x", "mcpServerId": "MSnope"}),
        json!({"name": "x", "mcpServerId": sid, "scopes": ["admin"]}),
        json!({"name": "x", "mcpServerId": sid, "approvedCallbackUrls": ["nope"]}),
        json!({"mcpServerId": sid}),
        json!({"name": "x"}),
    ] {
        let r = app.post("/v1/mgmt/mcp/server/client/create", Some(&m), bad).await;
        assert!(matches!(r.status.as_u16(), 400 | 404), "{}", r.text);
    }
    app.post(
        "/v1/mgmt/mcp/server/client/update",
        Some(&m),
        json!({"id": id, "mcpServerId": sid, "scopes": ["admin"]}),
    )
    .await
    .assert_error(400, "E011004");
    let other = create_server(&app, &p, json!({"name": "Other"})).await;
    app.post("/v1/mgmt/mcp/server/client/load", Some(&m), json!({"id": id, "mcpServerId": other["id"]}))
        .await
        .assert_error(404, "E011008");

    let c2 = app
        .post("/v1/mgmt/mcp/server/client/create", Some(&m), json!({"name": "Cursor", "mcpServerId": sid}))
        .await;
    let c2 = c2.assert_ok().clone();
    let search = |body: Value| app.post("/v1/mgmt/mcp/server/clients/search", Some(&m), body);
    assert_eq!(search(json!({"mcpServerId": sid})).await.assert_ok()["total"], 2);
    let r = search(json!({"mcpServerId": sid, "text": "curs"})).await;
    assert_eq!(r.assert_ok()["clients"][0]["id"], c2["id"]);
    assert_eq!(search(json!({"mcpServerId": sid, "tag": "ai"})).await.body["total"], 1);
    assert_eq!(
        search(json!({"mcpServerId": sid, "limit": 1, "page": 1})).await.body["clients"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(search(json!({"mcpServerId": other["id"]})).await.body["total"], 0);
    search(json!({"page": -1})).await.assert_error(400, "E011004");

    app.post(
        "/v1/mgmt/mcp/server/clients/delete",
        Some(&m),
        json!({"ids": [c2["id"], "TPAnope"], "mcpServerId": sid}),
    )
    .await
    .assert_error(404, "E011008");
    assert_eq!(search(json!({"mcpServerId": sid})).await.body["total"], 2);
    app.post("/v1/mgmt/mcp/server/client/delete", Some(&m), json!({"id": c2["id"], "mcpServerId": sid}))
        .await
        .assert_ok();
    // Deleting the server deletes its clients.
    app.post("/v1/mgmt/mcp/server/delete", Some(&m), json!({"id": sid})).await.assert_ok();
    assert_eq!(search(json!({})).await.assert_ok()["total"], 0);
}

/// Discovery, then DCR, then code + PKCE: the agent sign-in an MCP client does.
async fn agent_sign_in(
    app: &TestApp,
    p: &TestProject,
    sid: &str,
    email: &str,
    scope: &str,
    resource: &str,
) -> (String, Value) {
    let d = app
        .get(&format!("/v1/apps/agentic/{}/{sid}/.well-known/oauth-authorization-server", p.id), None)
        .await;
    let d = d.assert_ok().clone();
    assert_eq!(d["issuer"], format!("{PUBLIC_URL}/v1/apps/agentic/{}/{sid}", p.id));
    let register = d["registration_endpoint"].as_str().unwrap().strip_prefix(PUBLIC_URL).unwrap().to_owned();
    let r = app
        .post(&register, None, json!({"client_name": "Agent", "redirect_uris": [REDIRECT], "scope": scope}))
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.text);
    let client_id = r.body["client_id"].as_str().unwrap().to_owned();
    // What the server does not define is dropped at registration; ask for the rest.
    let scope = r.body["scope"].as_str().unwrap_or_default().to_owned();
    let authorize =
        d["authorization_endpoint"].as_str().unwrap().strip_prefix(PUBLIC_URL).unwrap().to_owned();
    let mut url = format!(
        "{authorize}?response_type=code&client_id={}&redirect_uri={}&scope={}&state=s&login_hint={}\
         &code_challenge={CHALLENGE}&code_challenge_method=S256",
        urlencode(&client_id),
        urlencode(REDIRECT),
        urlencode(&scope),
        urlencode(email)
    );
    if !resource.is_empty() {
        url.push_str(&format!("&resource={}", urlencode(resource)));
    }
    let back = query_of(&location(&app.get(&url, None).await));
    let code = back.get("code").unwrap_or_else(|| panic!("{back:?}"));
    let token = d["token_endpoint"].as_str().unwrap().strip_prefix(PUBLIC_URL).unwrap().to_owned();
    let body = format!(
        "grant_type=authorization_code&code={code}&redirect_uri={}&code_verifier={VERIFIER}&client_id={}",
        urlencode(REDIRECT),
        urlencode(&client_id)
    );
    let t = form(app, &token, &body).await;
    (client_id, t.assert_ok().clone())
}

#[tokio::test]
async fn agent_signs_in_at_an_mcp_servers_authorization_server() {
    let (app, p) = TestApp::with_project().await;
    user(&app, &p, "ann@example.com").await;
    let s = create_server(&app, &p, json!({})).await;
    let sid = s["id"].as_str().unwrap();
    let (client_id, t) =
        agent_sign_in(&app, &p, sid, "ann@example.com", "openid docs:read admin:all", MCP_URL).await;
    let at = claims(t["access_token"].as_str().unwrap());
    assert_eq!(at["scope"], "openid docs:read", "admin:all is not the server's: dropped at DCR");
    assert_eq!(at["aud"], json!([MCP_URL, p.id, "extra-aud"]));
    assert_eq!(at["iss"], format!("{PUBLIC_URL}/v1/apps/{}", p.id));
    assert_eq!(at["azp"], client_id);
    let id = claims(t["id_token"].as_str().unwrap());
    assert_eq!(id["iss"], format!("{PUBLIC_URL}/v1/apps/agentic/{}/{sid}", p.id));

    // Refresh keeps the audience.
    let token = format!("/oauth2/v1/apps/agentic/{}/{sid}/token", p.id);
    let body = format!(
        "grant_type=refresh_token&refresh_token={}&client_id={}",
        t["refresh_token"].as_str().unwrap(),
        urlencode(&client_id)
    );
    let r = form(&app, &token, &body).await;
    assert_eq!(
        claims(r.assert_ok()["access_token"].as_str().unwrap())["aud"],
        json!([MCP_URL, p.id, "extra-aud"])
    );

    // The client of another server is refused at authorize and token; so is the inbound path.
    let other = create_server(&app, &p, json!({"name": "Other"})).await;
    let osid = other["id"].as_str().unwrap();
    let url = format!(
        "/oauth2/v1/apps/agentic/{}/{osid}/authorize?response_type=code&client_id={}&redirect_uri={}\
         &code_challenge={CHALLENGE}&code_challenge_method=S256&login_hint=ann@example.com",
        p.id,
        urlencode(&client_id),
        urlencode(REDIRECT)
    );
    let r = app.get(&url, None).await;
    assert_eq!(r.status.as_u16(), 401, "{}", r.text);
    assert_eq!(r.body["error"], "invalid_client");
    let other_token = format!("/oauth2/v1/apps/agentic/{}/{osid}/token", p.id);
    let r = form(&app, &other_token, &body).await;
    assert_eq!(r.body["error"], "invalid_client");
    let r = form(&app, "/oauth2/v1/apps/token", &body).await;
    assert_eq!(r.body["error"], "invalid_client");

    // A resource not a URL: invalid_target at the redirect.
    let url = format!(
        "/oauth2/v1/apps/agentic/{}/{sid}/authorize?response_type=code&client_id={}&redirect_uri={}\
         &code_challenge={CHALLENGE}&code_challenge_method=S256&login_hint=ann@example.com&resource=nope",
        p.id,
        urlencode(&client_id),
        urlencode(REDIRECT)
    );
    assert_eq!(query_of(&location(&app.get(&url, None).await))["error"], "invalid_target");
    // Unknown server: no discovery, no registration.
    let r =
        app.get(&format!("/v1/apps/agentic/{}/MSnope/.well-known/openid-configuration", p.id), None).await;
    assert_eq!(r.status.as_u16(), 404);
    let r = app
        .post(
            &format!("/v1/mgmt/mcp/client/{}/MSnope/register", p.id),
            None,
            json!({"redirect_uris": [REDIRECT]}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 404);
    // DCR turned off: refused, and discovery stops offering it.
    app.post(
        "/v1/mgmt/mcp/server/update",
        Some(&p.mgmt()),
        json!({"server": {"id": sid, "dynamicRegistration": {"enabled": false}}}),
    )
    .await
    .assert_ok();
    let r = app
        .post(
            &format!("/v1/mgmt/mcp/client/{}/{sid}/register", p.id),
            None,
            json!({"redirect_uris": [REDIRECT]}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 400);
    assert_eq!(r.body["error"], "invalid_client_metadata");
    let d = app.get(&format!("/v1/apps/agentic/{}/{sid}/.well-known/openid-configuration", p.id), None).await;
    assert!(d.assert_ok().get("registration_endpoint").is_none());
    // The registered clients are listed, as DCR.
    let r =
        app.post("/v1/mgmt/mcp/server/clients/search", Some(&p.mgmt()), json!({"mcpServerId": sid})).await;
    assert_eq!(r.assert_ok()["clients"][0]["registrationType"], "dcr");
}

#[tokio::test]
async fn an_mcp_resource_is_an_agentic_server_too() {
    let (app, p) = TestApp::with_project().await;
    user(&app, &p, "bo@example.com").await;
    let res = create_resource(
        &app,
        &p,
        json!({"name": "MCP", "uri": MCP_URL, "type": "mcp", "scopes": scopes(&["tools:run"])}),
    )
    .await;
    let rid = res["id"].as_str().unwrap();
    let (_, t) = agent_sign_in(&app, &p, rid, "bo@example.com", "tools:run", "").await;
    let at = claims(t["access_token"].as_str().unwrap());
    assert_eq!(at["aud"], json!([MCP_URL, p.id]));
    assert_eq!(at["scope"], "tools:run");
}

async fn inbound_code(
    app: &TestApp,
    p: &TestProject,
    client_id: &str,
    scope: &str,
    resource: &str,
) -> HashMap<String, String> {
    let url = format!(
        "/oauth2/v1/apps/{}/authorize?response_type=code&client_id={}&redirect_uri={}&scope={}&state=s\
         &login_hint=cy@example.com&code_challenge={CHALLENGE}&code_challenge_method=S256&resource={}",
        p.id,
        urlencode(client_id),
        urlencode(REDIRECT),
        urlencode(scope),
        urlencode(resource)
    );
    query_of(&location(&app.get(&url, None).await))
}

#[tokio::test]
async fn resource_indicators_for_inbound_apps() {
    let (app, p) = TestApp::with_project().await;
    user(&app, &p, "cy@example.com").await;
    let api = "https://api.example.com";
    let res = create_resource(
        &app,
        &p,
        json!({"name": "API", "uri": api, "type": "api", "scopes": scopes(&["docs:read", "docs:write", "docs:admin"])}),
    )
    .await;
    let a = inbound_app(&app, &p, json!({"useResources": true})).await;
    let client_id = a["clientId"].as_str().unwrap();
    let secret = a["cleartext"].as_str().unwrap();
    // No policy yet: invalid_target; unknown resource: invalid_target.
    assert_eq!(inbound_code(&app, &p, client_id, "docs:read", api).await["error"], "invalid_target");
    assert_eq!(
        inbound_code(&app, &p, client_id, "docs:read", "https://none").await["error"],
        "invalid_target"
    );
    app.post(
        "/v1/mgmt/resourcepolicy/create",
        Some(&p.mgmt()),
        json!({"thirdPartyApplicationId": a["id"], "resourceId": res["id"],
               "userAccessScopes": ["docs:read", "docs:write"], "clientAccessScopes": ["docs:admin"]}),
    )
    .await
    .assert_ok();
    // Granted = requested ∩ resource scopes ∩ policy; the app's own scopes still count.
    let q = inbound_code(&app, &p, client_id, "docs:read docs:admin own:scope", api).await;
    let code = q.get("code").unwrap_or_else(|| panic!("{q:?}"));
    let body = format!(
        "grant_type=authorization_code&code={code}&redirect_uri={}&code_verifier={VERIFIER}&client_id={}&resource={}",
        urlencode(REDIRECT),
        urlencode(client_id),
        urlencode(api)
    );
    let t = form(&app, "/oauth2/v1/apps/token", &body).await;
    let at = claims(t.assert_ok()["access_token"].as_str().unwrap());
    assert_eq!(at["scope"], "docs:read own:scope");
    assert_eq!(at["aud"], json!([api, p.id]));
    // A scope neither the app's nor the resource's: invalid_scope.
    assert_eq!(inbound_code(&app, &p, client_id, "other", api).await["error"], "invalid_scope");
    // Token with a resource the authorization did not name.
    let q = inbound_code(&app, &p, client_id, "docs:read", api).await;
    let body = format!(
        "grant_type=authorization_code&code={}&redirect_uri={}&code_verifier={VERIFIER}&client_id={}&resource=https://b",
        q["code"],
        urlencode(REDIRECT),
        urlencode(client_id)
    );
    assert_eq!(form(&app, "/oauth2/v1/apps/token", &body).await.body["error"], "invalid_target");
    // Client credentials: the client access scopes.
    let body = format!(
        "grant_type=client_credentials&client_id={}&client_secret={secret}&scope={}&resource={}",
        urlencode(client_id),
        urlencode("docs:read docs:admin"),
        urlencode(api)
    );
    let t = form(&app, "/oauth2/v1/apps/token", &body).await;
    let at = claims(t.assert_ok()["access_token"].as_str().unwrap());
    assert_eq!(at["scope"], "docs:admin");
    assert_eq!(at["aud"], json!([api, p.id]));
    assert_eq!(t.body["scope"], "docs:admin");
}

#[tokio::test]
async fn snapshots_carry_resources_policies_servers_and_clients() {
    let (app, p) = TestApp::with_project().await;
    let m = p.mgmt();
    let res = create_resource(
        &app,
        &p,
        json!({"name": "A", "uri": "https://a", "type": "api", "scopes": scopes(&["s"])}),
    )
    .await;
    let a = inbound_app(&app, &p, json!({})).await;
    app.post(
        "/v1/mgmt/resourcepolicy/create",
        Some(&m),
        json!({"thirdPartyApplicationId": a["id"], "resourceId": res["id"], "allUserScopes": true}),
    )
    .await
    .assert_ok();
    let s = create_server(&app, &p, json!({})).await;
    let c = app
        .post("/v1/mgmt/mcp/server/client/create", Some(&m), json!({"name": "C", "mcpServerId": s["id"]}))
        .await;
    let c = c.assert_ok().clone();
    let snap = app.export_snapshot(&p.id).await;
    assert_eq!(snap["apps"]["agenticObjects"].as_array().unwrap().len(), 3);

    // Reset empties them; the snapshot brings them back.
    let r = app.post(&format!("/emulator/v1/projects/{}/reset", p.id), None, json!({})).await;
    assert!(r.status.is_success(), "{}", r.text);
    let emptied = app.export_snapshot(&p.id).await;
    assert!(emptied["apps"]["agenticObjects"].as_array().is_none_or(|a| a.is_empty()), "{emptied}");
    assert!(emptied["apps"]["oauthClients"].as_array().is_none_or(|a| a.is_empty()));
    let q = TestProject { id: p.id.clone(), management_key: p.management_key.clone() };
    app.put_snapshot(&p.id, &snap).await.assert_ok();
    let r =
        app.get(&format!("/v1/mgmt/resource/load?id={}", res["id"].as_str().unwrap()), Some(&q.mgmt())).await;
    assert_eq!(r.assert_ok()["resource"], res);
    let r = app
        .get(
            &format!(
                "/v1/mgmt/resourcepolicy/app/load?thirdPartyApplicationId={}",
                a["id"].as_str().unwrap()
            ),
            Some(&q.mgmt()),
        )
        .await;
    assert_eq!(r.assert_ok()["resourcePolicies"][0]["allUserScopes"], true);
    let r = app.post("/v1/mgmt/mcp/server/load", Some(&q.mgmt()), json!({"id": s["id"]})).await;
    assert_eq!(r.assert_ok()["server"], s);
    let r = app
        .post(
            "/v1/mgmt/mcp/server/client/secret",
            Some(&q.mgmt()),
            json!({"id": c["id"], "mcpServerId": s["id"]}),
        )
        .await;
    assert_eq!(r.assert_ok()["cleartext"], c["cleartext"]);
}

#[tokio::test]
async fn registration_templates_shape_the_clients_an_mcp_resource_registers() {
    let (app, p) = TestApp::with_project().await;
    let m = p.mgmt();
    let t = app
        .post(
            "/v1/mgmt/resource/dynamic-registration-template/create",
            Some(&m),
            json!({"name": "Agents", "forceAddAllAuthorizationInfo": true, "tags": ["agent"]}),
        )
        .await;
    let tid = t.assert_ok()["template"]["id"].as_str().unwrap().to_owned();
    let settings = |template: &str| {
        json!({"dynamicRegistration": {"enabled": true}, "useTemplate": true,
               "dynamicRegistrationTemplateId": template, "tags": ["resource"]})
    };
    let res = create_resource(
        &app,
        &p,
        json!({"name": "MCP", "uri": MCP_URL, "type": "mcp", "scopes": scopes(&["tools:run"]),
               "dynamicRegistrationSettings": settings(&tid)}),
    )
    .await;
    let rid = res["id"].as_str().unwrap().to_owned();
    let register = format!("/v1/mgmt/mcp/client/{}/{rid}/register", p.id);
    let body = json!({"client_name": "Agent", "redirect_uris": [REDIRECT]});
    assert_eq!(app.post(&register, None, body.clone()).await.status.as_u16(), 201);
    let r = app.post("/v1/mgmt/mcp/server/clients/search", Some(&m), json!({"mcpServerId": rid})).await;
    let client = r.assert_ok()["clients"][0].clone();
    assert_eq!(client["registrationType"], "dcr");
    assert_eq!(client["forceAddAllAuthorizationInfo"], true, "{client}");
    assert_eq!(client["tags"], json!(["agent"]), "the template's tags win: {client}");

    // A resource naming a template that is gone registers nobody.
    let gone = create_resource(
        &app,
        &p,
        json!({"name": "MCP2", "uri": "https://mcp2.example.com/mcp", "type": "mcp",
               "scopes": scopes(&["tools:run"]), "dynamicRegistrationSettings": settings("DRTnope")}),
    )
    .await;
    let register = format!("/v1/mgmt/mcp/client/{}/{}/register", p.id, gone["id"].as_str().unwrap());
    let r = app.post(&register, None, body).await;
    assert_eq!(r.status.as_u16(), 400);
    assert_eq!(r.body["error"], "invalid_client_metadata");
}
