//! Project configuration: `projectManagement` (rename, tags, list, delete, clone, export /
//! import / validate of the configuration `files`), flows, themes, localization, widgets and
//! flow templates; their place in reset and in the emulator's snapshots.

use axum::http::Method;
use serde_json::{json, Value};

use crate::harness::{TestApp, TestProject};

/// A v2 flow document as a client sends it: keys out of order, spaces kept.
const RAW_FLOW: &str = r#"{"zeta": 1,  "flowId": "custom-flow", "metadata": {"name": "Custom", "description": "mine", "disabled": false, "widget": true, "widgetType": "user-profile"}, "contents": {"startTask": "s1"}, "screens": [{"screenId": "s1", "interactions": [{"id": "go", "type": "button"}], "contents": {"html": "<p/>"}}], "references": {}}"#;

async fn import_raw_flow(app: &TestApp, p: &TestProject, raw_flow: &str) -> crate::harness::TestResponse {
    let body = format!(r#"{{"flow": {raw_flow}, "changelog": "first"}}"#);
    app.send(Method::POST, "/v2/mgmt/flow/import", Some(&p.mgmt()), Some(body.into_bytes())).await
}

fn flow_ids(list: &Value) -> Vec<String> {
    list["flows"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap().to_owned()).collect()
}

async fn export_files(app: &TestApp, p: &TestProject, path: &str) -> Value {
    app.post(path, Some(&p.mgmt()), json!({})).await.assert_ok()["files"].clone()
}

#[tokio::test]
async fn rename_tags_and_list_projects() {
    let (app, p) = TestApp::with_project().await;
    let other = app.new_project().await;
    let m = Some(p.mgmt());
    let m = m.as_deref();
    app.post("/v1/mgmt/project/update/name", m, json!({"name": "Renamed"})).await.assert_ok();
    app.post("/v1/mgmt/project/update/tags", m, json!({"tags": ["a", "b"]})).await.assert_ok();
    let list = app.post("/v1/mgmt/projects/list", m, json!({})).await.assert_ok().clone();
    let projects = list["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 2, "every project of the emulator: {list}");
    let mine = projects.iter().find(|x| x["id"] == p.id.as_str()).unwrap();
    assert_eq!(
        mine,
        &json!({"id": p.id, "name": "Renamed", "environment": "", "tags": ["a", "b"], "tag": ""})
    );
    assert!(projects.iter().any(|x| x["id"] == other.id.as_str()));
    // go sends no body
    let nobody = app.send(Method::POST, "/v1/mgmt/projects/list", m, None).await;
    assert_eq!(nobody.assert_ok()["projects"].as_array().unwrap().len(), 2);
    // the emulator's own list shows the new name
    let em = app.get("/emulator/v1/projects", None).await.assert_ok().clone();
    assert!(em["projects"].as_array().unwrap().iter().any(|x| x["name"] == "Renamed"));
    // bad input
    app.post("/v1/mgmt/project/update/name", m, json!({"name": " "})).await.assert_error(400, "E011002");
    app.post("/v1/mgmt/project/update/name", m, json!({"name": 5})).await.assert_error(400, "E011001");
    app.post("/v1/mgmt/project/update/tags", m, json!({})).await.assert_error(400, "E011002");
    app.post("/v1/mgmt/project/update/tags", m, json!({"tags": [""]})).await.assert_error(400, "E011004");
    app.post("/v1/mgmt/project/update/tags", m, json!({"tags": "x"})).await.assert_error(400, "E011001");
    // tags can be emptied
    app.post("/v1/mgmt/project/update/tags", m, json!({"tags": []})).await.assert_ok();
    let list = app.post("/v1/mgmt/projects/list", m, json!({})).await.assert_ok().clone();
    let mine =
        list["projects"].as_array().unwrap().iter().find(|x| x["id"] == p.id.as_str()).unwrap().clone();
    assert_eq!(mine["tags"], json!([]));
}

#[tokio::test]
async fn delete_project_removes_it() {
    let (app, p) = TestApp::with_project().await;
    app.post("/v1/mgmt/project/delete", Some(&p.mgmt()), json!({})).await.assert_ok();
    let r = app.post("/v1/mgmt/flow/list", Some(&p.mgmt()), json!({})).await;
    assert_eq!(r.status.as_u16(), 401, "{}", r.text);
    let em = app.get("/emulator/v1/projects", None).await.assert_ok().clone();
    assert!(!em["projects"].as_array().unwrap().iter().any(|x| x["projectId"] == p.id.as_str()));
}

#[tokio::test]
async fn builtin_flows_are_listed_and_exported() {
    let (app, p) = TestApp::with_project().await;
    let m = Some(p.mgmt());
    let m = m.as_deref();
    let list = app.post("/v1/mgmt/flow/list", m, json!({})).await.assert_ok().clone();
    assert_eq!(flow_ids(&list), ["sign-in", "sign-up", "sign-up-or-in", "step-up"]);
    assert_eq!(list["total"], 4);
    // python-sdk posts no body
    let nobody = app.send(Method::POST, "/v1/mgmt/flow/list", m, None).await;
    assert_eq!(nobody.assert_ok()["total"], 4);
    let filtered = app.post("/v1/mgmt/flow/list", m, json!({"ids": ["sign-in", "nope"]})).await;
    assert_eq!(flow_ids(filtered.assert_ok()), ["sign-in"]);
    let v2 =
        app.post("/v2/mgmt/flow/export", m, json!({"flowId": "sign-up-or-in"})).await.assert_ok().clone();
    insta::assert_json_snapshot!("builtin_flow_v2", v2);
    let v1 =
        app.post("/v1/mgmt/flow/export", m, json!({"flowId": "sign-up-or-in"})).await.assert_ok().clone();
    assert_eq!(v1["flow"]["id"], "sign-up-or-in");
    assert_eq!(v1["flow"]["name"], "Sign Up or In");
    assert_eq!(v1["flow"]["dsl"], v2["flow"]["contents"]);
    assert_eq!(v1["screens"][0]["id"], "welcome");
    assert_eq!(v1["screens"][0]["flowId"], "sign-up-or-in");
    let templates = app.post("/v1/mgmt/flow/template/list", m, json!({})).await.assert_ok().clone();
    assert_eq!(templates["total"], 4);
    assert_eq!(templates["templates"][0]["id"], "sign-in");
    assert!(templates["templates"][0]["screens"][0]["interactions"].is_array());
}

#[tokio::test]
async fn v2_flow_import_keeps_the_document_byte_for_byte() {
    let (app, p) = TestApp::with_project().await;
    let m = Some(p.mgmt());
    let m = m.as_deref();
    import_raw_flow(&app, &p, RAW_FLOW).await.assert_ok();
    let exported = app.post("/v2/mgmt/flow/export", m, json!({"flowId": "custom-flow"})).await;
    assert_eq!(exported.text, format!(r#"{{"flow":{RAW_FLOW}}}"#));
    let list = app.post("/v1/mgmt/flow/list", m, json!({})).await.assert_ok().clone();
    assert!(flow_ids(&list).contains(&"custom-flow".to_owned()));
    let custom = list["flows"].as_array().unwrap().iter().find(|f| f["id"] == "custom-flow").unwrap().clone();
    assert_eq!(custom["name"], "Custom");
    assert_eq!(custom["description"], "mine");
    assert_eq!(custom["version"], 1);
    // widgets are flows marked as such
    let widgets = app.get("/v1/mgmt/widget/list", m).await.assert_ok().clone();
    assert_eq!(
        widgets,
        json!({"widgets": [{"widgetId": "custom-flow", "name": "Custom", "type": "user-profile", "disabled": false}]})
    );
    // importing again replaces it; a top-level flowId different from the document's wins
    let body = json!({"flowId": "renamed", "flow": {"flowId": "custom-flow", "metadata": {"name": "R"}}});
    app.post("/v2/mgmt/flow/import", m, body).await.assert_ok();
    let r = app.post("/v2/mgmt/flow/export", m, json!({"flowId": "renamed"})).await.assert_ok().clone();
    assert_eq!(r["flow"]["flowId"], "renamed");
    import_raw_flow(&app, &p, RAW_FLOW).await.assert_ok();
    let list = app.post("/v1/mgmt/flow/list", m, json!({"ids": ["custom-flow"]})).await.assert_ok().clone();
    assert_eq!(list["flows"][0]["version"], 2);
}

#[tokio::test]
async fn v1_flow_round_trip() {
    let (app, p) = TestApp::with_project().await;
    let m = Some(p.mgmt());
    let m = m.as_deref();
    let flow = json!({"id": "x", "name": "Mine", "description": "d", "dsl": {"a": [1, 2]}, "disabled": true});
    let screens = json!([{"id": "s1", "flowId": "mine", "inputs": [{"name": "email"}], "interactions": [{"id": "i"}], "htmlTemplate": {"t": 1}}]);
    let imported = app
        .post("/v1/mgmt/flow/import", m, json!({"flowId": "mine", "flow": flow, "screens": screens}))
        .await
        .assert_ok()
        .clone();
    let exported = app.post("/v1/mgmt/flow/export", m, json!({"flowId": "mine"})).await.assert_ok().clone();
    assert_eq!(imported, exported);
    assert_eq!(
        exported,
        json!({
            "flow": {"id": "mine", "name": "Mine", "description": "d", "dsl": {"a": [1, 2]}, "disabled": true, "etag": "1"},
            "screens": screens,
        })
    );
    // and in the v2 shape
    let v2 = app.post("/v2/mgmt/flow/export", m, json!({"flowId": "mine"})).await.assert_ok().clone();
    assert_eq!(v2["flow"]["metadata"]["name"], "Mine");
    assert_eq!(v2["flow"]["screens"][0]["screenId"], "s1");
    assert_eq!(v2["flow"]["contents"], json!({"a": [1, 2]}));
}

#[tokio::test]
async fn flow_bad_input() {
    let (app, p) = TestApp::with_project().await;
    let m = Some(p.mgmt());
    let m = m.as_deref();
    app.post("/v2/mgmt/flow/export", m, json!({"flowId": "unknown"})).await.assert_error(404, "E011008");
    app.post("/v1/mgmt/flow/export", m, json!({"flowId": "unknown"})).await.assert_error(404, "E011008");
    app.post("/v2/mgmt/flow/export", m, json!({})).await.assert_error(400, "E011002");
    app.post("/v2/mgmt/flow/import", m, json!({})).await.assert_error(400, "E011002");
    app.post("/v2/mgmt/flow/import", m, json!({"flow": "text"})).await.assert_error(400, "E011004");
    app.post("/v2/mgmt/flow/import", m, json!({"flow": {"metadata": {}}})).await.assert_error(400, "E011002");
    app.post("/v2/mgmt/flow/import", m, json!({"flow": {"flowId": "a/b"}}))
        .await
        .assert_error(400, "E011004");
    app.post("/v2/mgmt/flow/import", m, json!({"flow": {"flowId": "f", "screens": {}}}))
        .await
        .assert_error(400, "E011004");
    app.post("/v2/mgmt/flow/import", m, json!({"flow": {"flowId": "f", "metadata": []}}))
        .await
        .assert_error(400, "E011004");
    app.post("/v2/mgmt/flow/import", m, json!({"flow": {"flowId": "f"}, "flowId": 3}))
        .await
        .assert_error(400, "E011004");
    let truncated = br#"{"flow": {"flowId": "f", "metadata": {"#.to_vec();
    app.send(Method::POST, "/v2/mgmt/flow/import", m, Some(truncated)).await.assert_error(400, "E011001");
    app.post("/v1/mgmt/flow/import", m, json!({"flowId": "f"})).await.assert_error(400, "E011002");
    app.post("/v1/mgmt/flow/import", m, json!({"flowId": "f", "flow": {"dsl": 1}}))
        .await
        .assert_error(400, "E011004");
    app.post("/v1/mgmt/flow/import", m, json!({"flowId": "f", "flow": {}, "screens": [1]}))
        .await
        .assert_error(400, "E011004");
    app.post("/v1/mgmt/flow/delete", m, json!({})).await.assert_error(400, "E011002");
    // nothing was stored
    let list = app.post("/v1/mgmt/flow/list", m, json!({})).await.assert_ok().clone();
    assert_eq!(list["total"], 4);
}

#[tokio::test]
async fn delete_flows_builtin_and_custom() {
    let (app, p) = TestApp::with_project().await;
    let m = Some(p.mgmt());
    let m = m.as_deref();
    import_raw_flow(&app, &p, RAW_FLOW).await.assert_ok();
    app.post("/v1/mgmt/flow/delete", m, json!({"ids": ["custom-flow", "sign-in", "never-was"]}))
        .await
        .assert_ok();
    let list = app.post("/v1/mgmt/flow/list", m, json!({})).await.assert_ok().clone();
    assert_eq!(flow_ids(&list), ["sign-up", "sign-up-or-in", "step-up"]);
    app.post("/v2/mgmt/flow/export", m, json!({"flowId": "sign-in"})).await.assert_error(404, "E011008");
    // a deleted built-in can be imported again
    app.post("/v2/mgmt/flow/import", m, json!({"flow": {"flowId": "sign-in", "metadata": {"name": "Back"}}}))
        .await
        .assert_ok();
    let list = app.post("/v1/mgmt/flow/list", m, json!({"ids": ["sign-in"]})).await.assert_ok().clone();
    assert_eq!(list["flows"][0]["name"], "Back");
}

#[tokio::test]
async fn themes_v1_and_v2() {
    let (app, p) = TestApp::with_project().await;
    let m = Some(p.mgmt());
    let m = m.as_deref();
    let initial = app.post("/v2/mgmt/theme/export", m, json!({})).await.assert_ok().clone();
    assert_eq!(initial, json!({"theme": {"styles": {}, "componentsVersion": "", "references": {}}}));
    let theme =
        json!({"styles": {"light": {"color": "red"}}, "componentsVersion": "1.2.3", "references": {}});
    app.post("/v2/mgmt/theme/import", m, json!({"theme": theme})).await.assert_ok();
    let got = app.post("/v2/mgmt/theme/export", m, json!({})).await.assert_ok().clone();
    assert_eq!(got["theme"], theme);
    // v1: cssTemplate is the v2 styles
    let v1 = app.post("/v1/mgmt/theme/export", m, json!({})).await.assert_ok().clone();
    assert_eq!(v1, json!({"theme": {"id": "", "cssTemplate": {"light": {"color": "red"}}}}));
    let r = app
        .post("/v1/mgmt/theme/import", m, json!({"theme": {"id": "t1", "cssTemplate": {"dark": {}}}}))
        .await
        .assert_ok()
        .clone();
    assert_eq!(r, json!({"theme": {"id": "t1", "cssTemplate": {"dark": {}}}}));
    let got = app.post("/v2/mgmt/theme/export", m, json!({})).await.assert_ok().clone();
    assert_eq!(got["theme"]["styles"], json!({"dark": {}}));
    assert_eq!(got["theme"]["componentsVersion"], "1.2.3");
    // bad input: not JSON objects
    app.post("/v2/mgmt/theme/import", m, json!({})).await.assert_error(400, "E011002");
    app.post("/v2/mgmt/theme/import", m, json!({"theme": "not json"})).await.assert_error(400, "E011004");
    app.post("/v2/mgmt/theme/import", m, json!({"theme": {"styles": [1]}}))
        .await
        .assert_error(400, "E011004");
    app.post("/v1/mgmt/theme/import", m, json!({"theme": 3})).await.assert_error(400, "E011004");
    app.post("/v1/mgmt/theme/import", m, json!({"theme": {"cssTemplate": "x"}}))
        .await
        .assert_error(400, "E011004");
    let still = app.post("/v2/mgmt/theme/export", m, json!({})).await.assert_ok().clone();
    assert_eq!(still, got);
}

#[tokio::test]
async fn localization_of_flows_and_messaging() {
    let (app, p) = TestApp::with_project().await;
    let m = Some(p.mgmt());
    let m = m.as_deref();
    let empty = app.post("/v1/mgmt/localization/flow/export", m, json!({"flowId": "sign-in"})).await;
    assert_eq!(empty.assert_ok()["overrides"]["languages"], json!({}));
    assert_eq!(empty.assert_ok()["overrides"]["flowId"], "sign-in");
    let languages = json!({"fr": {"welcome.title": "Bienvenue"}, "de": {"welcome.title": "Willkommen"}});
    let r = app
        .post(
            "/v1/mgmt/localization/flow/import",
            m,
            json!({"flowId": "sign-in", "overrides": {"languages": languages}}),
        )
        .await
        .assert_ok()
        .clone();
    assert_eq!(r["overrides"]["languages"], languages);
    assert_eq!(r["overrides"]["version"], 1);
    let got = app.post("/v1/mgmt/localization/flow/export", m, json!({"flowId": "sign-in"})).await;
    assert_eq!(got.assert_ok()["overrides"], r["overrides"]);
    // messaging
    let msg = json!({"es": {"otp.subject": "Tu código"}});
    app.post("/v1/mgmt/localization/messaging/import", m, json!({"overrides": {"languages": msg}}))
        .await
        .assert_ok();
    let got = app.post("/v1/mgmt/localization/messaging/export", m, json!({})).await.assert_ok().clone();
    assert_eq!(got["overrides"]["languages"], msg);
    // bad input
    app.post("/v1/mgmt/localization/flow/export", m, json!({"flowId": "nope"}))
        .await
        .assert_error(404, "E011008");
    app.post(
        "/v1/mgmt/localization/flow/import",
        m,
        json!({"flowId": "nope", "overrides": {"languages": {}}}),
    )
    .await
    .assert_error(404, "E011008");
    app.post("/v1/mgmt/localization/flow/import", m, json!({"flowId": "sign-in"}))
        .await
        .assert_error(400, "E011002");
    app.post(
        "/v1/mgmt/localization/flow/import",
        m,
        json!({"flowId": "sign-in", "overrides": {"languages": {"fr": "x"}}}),
    )
    .await
    .assert_error(400, "E011004");
    app.post("/v1/mgmt/localization/messaging/import", m, json!({"overrides": {"languages": [1]}}))
        .await
        .assert_error(400, "E011004");
    // deleting the flow deletes its overrides
    app.post("/v1/mgmt/flow/delete", m, json!({"ids": ["sign-in"]})).await.assert_ok();
    app.post("/v2/mgmt/flow/import", m, json!({"flow": {"flowId": "sign-in"}})).await.assert_ok();
    let again = app.post("/v1/mgmt/localization/flow/export", m, json!({"flowId": "sign-in"})).await;
    assert_eq!(again.assert_ok()["overrides"]["languages"], json!({}));
}

/// Gives a project some configuration of every kind.
async fn configure(app: &TestApp, p: &TestProject) {
    let m = Some(p.mgmt());
    let m = m.as_deref();
    import_raw_flow(app, p, RAW_FLOW).await.assert_ok();
    app.post("/v1/mgmt/flow/delete", m, json!({"ids": ["step-up"]})).await.assert_ok();
    let theme = json!({"styles": {"light": {"color": "blue"}}, "componentsVersion": "9"});
    app.post("/v2/mgmt/theme/import", m, json!({"theme": theme})).await.assert_ok();
    app.post(
        "/v1/mgmt/localization/flow/import",
        m,
        json!({"flowId": "custom-flow", "overrides": {"languages": {"fr": {"a": "b"}}}}),
    )
    .await
    .assert_ok();
    app.post(
        "/v1/mgmt/localization/messaging/import",
        m,
        json!({"overrides": {"languages": {"it": {"x": "y"}}}}),
    )
    .await
    .assert_ok();
    let settings = json!({"minLength": 12, "lowercase": true, "uppercase": true, "number": true, "nonAlphanumeric": false, "expiration": false, "expirationWeeks": 0, "reuse": false, "reuseAmount": 0, "lock": false, "lockAttempts": 0, "enabled": true});
    app.post("/v1/mgmt/password/settings", m, settings).await.assert_ok();
    app.post("/v1/mgmt/permission/create", m, json!({"name": "invoices.read", "description": "read them"}))
        .await
        .assert_ok();
    app.post("/v1/mgmt/role/create", m, json!({"name": "Accountant", "permissionNames": ["invoices.read"]}))
        .await
        .assert_ok();
    let attrs = json!({"attributes": [
        {"name": "tier", "type": 4, "options": [{"value": "gold", "label": "Gold"}]},
        {"name": "seats", "type": 2, "displayName": "Seats"},
    ]});
    app.post("/v1/mgmt/user/customattribute/create", m, attrs).await.assert_ok();
}

#[tokio::test]
async fn export_import_round_trip_is_exact() {
    let (app, p) = TestApp::with_project().await;
    configure(&app, &p).await;
    app.create_user(&p, json!({"loginId": "u@example.com", "email": "u@example.com"})).await;
    let first = app.post("/v1/mgmt/project/export", Some(&p.mgmt()), json!({})).await;
    let files = first.assert_ok()["files"].clone();
    let paths: Vec<&String> = files.as_object().unwrap().keys().collect();
    assert_eq!(
        paths,
        [
            "attributes.json",
            "flows/custom-flow.json",
            "flows/sign-in.json",
            "flows/sign-up-or-in.json",
            "flows/sign-up.json",
            "localization/flows/custom-flow.json",
            "localization/messaging.json",
            "project.json",
            "roles.json",
            "themes/theme.json",
        ]
    );
    let roles = files["roles.json"]["roles"].as_array().unwrap();
    assert!(roles.iter().any(|r| r == &json!({"name": "Accountant", "description": "", "permissionNames": ["invoices.read"], "default": false, "private": false})));
    assert_eq!(files["project.json"]["password"]["minLength"], 12);
    assert!(!first.text.contains("u@example.com"), "users are not configuration");
    // node/go path gives the same
    assert_eq!(export_files(&app, &p, "/v1/mgmt/project/snapshot/export").await, files);
    // into a fresh project, through the python path
    let fresh = app.new_project().await;
    let ok =
        app.post("/v1/mgmt/project/snapshot/validate", Some(&fresh.mgmt()), json!({"files": files})).await;
    assert_eq!(ok.assert_ok(), &json!({"ok": true, "failures": [], "missingSecrets": {}}));
    app.post("/v1/mgmt/project/import", Some(&fresh.mgmt()), json!({"files": files})).await.assert_ok();
    let second = app.post("/v1/mgmt/project/export", Some(&fresh.mgmt()), json!({})).await;
    assert_eq!(second.text, first.text, "byte-identical files");
    // the fresh project now behaves like the first
    let m = Some(fresh.mgmt());
    let exported = app.post("/v2/mgmt/flow/export", m.as_deref(), json!({"flowId": "custom-flow"})).await;
    assert_eq!(exported.assert_ok()["flow"]["metadata"]["name"], "Custom");
    app.post("/v2/mgmt/flow/export", m.as_deref(), json!({"flowId": "step-up"}))
        .await
        .assert_error(404, "E011008");
    let pw = app.get("/v1/mgmt/password/settings", m.as_deref()).await.assert_ok().clone();
    assert_eq!(pw["minLength"], 12);
    let roles = app.get("/v1/mgmt/role/all", m.as_deref()).await.assert_ok().clone();
    let accountant =
        roles["roles"].as_array().unwrap().iter().find(|r| r["name"] == "Accountant").unwrap().clone();
    assert_eq!(accountant["permissionNames"], json!(["invoices.read"]));
    let attrs = app.get("/v1/mgmt/user/customattributes", m.as_deref()).await.assert_ok().clone();
    let tier = attrs["data"].as_array().unwrap().iter().find(|a| a["name"] == "tier").unwrap().clone();
    assert_eq!(tier["options"], json!([{"value": "gold", "label": "Gold"}]));
    // files given as text (as read from disk) are accepted too
    let as_text: serde_json::Map<String, Value> =
        files.as_object().unwrap().iter().map(|(k, v)| (k.clone(), Value::String(v.to_string()))).collect();
    let third = app.new_project().await;
    app.post("/v1/mgmt/project/snapshot/import", Some(&third.mgmt()), json!({"files": as_text}))
        .await
        .assert_ok();
    assert_eq!(app.post("/v1/mgmt/project/export", Some(&third.mgmt()), json!({})).await.text, first.text);
}

#[tokio::test]
async fn failed_import_changes_nothing() {
    let (app, p) = TestApp::with_project().await;
    configure(&app, &p).await;
    let m = Some(p.mgmt());
    let m = m.as_deref();
    let before = app.post("/v1/mgmt/project/export", m, json!({})).await.text;
    let files = json!({
        "flows/new-flow.json": {"flowId": "new-flow", "metadata": {"name": "N"}},
        "project.json": {"sessionTokenTtlSecs": 5},
        "themes/theme.json": "{\"styles\": {\"light\": ",
        "localization/messaging.json": {"fr": "not an object"},
        "connectors/http.json": {"ignored": true},
    });
    let v =
        app.post("/v1/mgmt/project/snapshot/validate", m, json!({"files": files})).await.assert_ok().clone();
    assert_eq!(v["ok"], false);
    let failures = v["failures"].as_array().unwrap();
    assert!(failures.iter().any(|f| f.as_str().unwrap().starts_with("themes/theme.json")), "{v}");
    let r = app.post("/v1/mgmt/project/snapshot/import", m, json!({"files": files})).await;
    r.assert_error(400, "E011004");
    // a well-formed theme but a bad localization, found after the flows section
    let files = json!({
        "flows/new-flow.json": {"flowId": "new-flow", "metadata": {"name": "N"}},
        "themes/theme.json": {"styles": {}},
        "localization/messaging.json": {"fr": "not an object"},
    });
    app.post("/v1/mgmt/project/import", m, json!({"files": files})).await.assert_error(400, "E011004");
    let v =
        app.post("/v1/mgmt/project/snapshot/validate", m, json!({"files": files})).await.assert_ok().clone();
    assert_eq!(v["failures"].as_array().unwrap().len(), 1, "{v}");
    let bad_project = json!({"project.json": {"sessionTokenTtlSecs": -1}});
    app.post("/v1/mgmt/project/import", m, json!({"files": bad_project})).await.assert_error(400, "E011004");
    app.post("/v1/mgmt/project/import", m, json!({"files": {"project.json": []}}))
        .await
        .assert_error(400, "E011004");
    app.post("/v1/mgmt/project/import", m, json!({"files": {"flows/x.json": [1]}}))
        .await
        .assert_error(400, "E011004");
    app.post("/v1/mgmt/project/import", m, json!({"files": []})).await.assert_error(400, "E011004");
    app.post("/v1/mgmt/project/import", m, json!({})).await.assert_error(400, "E011002");
    assert_eq!(app.post("/v1/mgmt/project/export", m, json!({})).await.text, before);
    // excludes leave a section out
    let files =
        json!({"themes/theme.json": {"styles": {"x": {}}}, "flows/only.json": {"metadata": {"name": "O"}}});
    app.post("/v1/mgmt/project/snapshot/import", m, json!({"files": files, "excludes": ["themes"]}))
        .await
        .assert_ok();
    let list = app.post("/v1/mgmt/flow/list", m, json!({})).await.assert_ok().clone();
    assert_eq!(flow_ids(&list), ["only"], "the flows of an import replace the project's");
    let theme = app.post("/v2/mgmt/theme/export", m, json!({})).await.assert_ok().clone();
    assert_eq!(theme["theme"]["styles"], json!({"light": {"color": "blue"}}));
}

#[tokio::test]
async fn clone_sync_and_async() {
    let (app, p) = TestApp::with_project().await;
    configure(&app, &p).await;
    app.create_user(&p, json!({"loginId": "u@example.com", "email": "u@example.com"})).await;
    let m = Some(p.mgmt());
    let m = m.as_deref();
    let c = app
        .post(
            "/v1/mgmt/project/clone",
            m,
            json!({"name": "Staging", "environment": "production", "tags": ["t"]}),
        )
        .await
        .assert_ok()
        .clone();
    let clone_id = c["projectId"].as_str().unwrap().to_owned();
    assert_ne!(clone_id, p.id);
    assert_eq!(c["projectName"], "Staging");
    assert_eq!(c["environment"], "production");
    assert_eq!(c["tags"], json!(["t"]));
    // the caller's management key manages the clone
    let clone = TestProject { id: clone_id.clone(), management_key: p.management_key.clone() };
    let source_files = app.post("/v1/mgmt/project/export", m, json!({})).await.text;
    let clone_files = app.post("/v1/mgmt/project/export", Some(&clone.mgmt()), json!({})).await.text;
    assert_eq!(clone_files, source_files);
    // without users
    let users = app.post("/v1/mgmt/user/search", Some(&clone.mgmt()), json!({})).await.assert_ok().clone();
    assert_eq!(users["users"], json!([]));
    let list = app.post("/v1/mgmt/projects/list", m, json!({})).await.assert_ok().clone();
    let listed =
        list["projects"].as_array().unwrap().iter().find(|x| x["id"] == clone_id.as_str()).unwrap().clone();
    assert_eq!(
        listed,
        json!({"id": clone_id, "name": "Staging", "environment": "production", "tags": ["t"], "tag": "production"})
    );
    // the clone signs its own tokens
    let signed = app.sign_up_with_otp(&clone, "c@example.com").await;
    assert!(signed["sessionJwt"].is_string(), "{signed}");
    // async
    let started =
        app.post("/v1/mgmt/project/clone/async", m, json!({"name": "Later"})).await.assert_ok().clone();
    let process = started["processId"].as_str().unwrap();
    let done = app.get(&format!("/v1/mgmt/project/clone/async/{process}"), m).await.assert_ok().clone();
    assert_eq!(done["projectName"], "Later");
    assert_eq!(done["error"], "");
    let later = TestProject {
        id: done["projectId"].as_str().unwrap().to_owned(),
        management_key: p.management_key.clone(),
    };
    let later_files = app.post("/v1/mgmt/project/export", Some(&later.mgmt()), json!({})).await.text;
    assert_eq!(later_files, source_files);
    // bad input
    app.post("/v1/mgmt/project/clone", m, json!({})).await.assert_error(400, "E011002");
    app.post("/v1/mgmt/project/clone", m, json!({"name": "x", "environment": "qa"}))
        .await
        .assert_error(400, "E011004");
    app.post("/v1/mgmt/project/clone/async", m, json!({"name": ""})).await.assert_error(400, "E011002");
    app.get("/v1/mgmt/project/clone/async/CPnope", m).await.assert_error(404, "E011008");
    // another project cannot see this project's clone processes
    let other = app.new_project().await;
    app.get(&format!("/v1/mgmt/project/clone/async/{process}"), Some(&other.mgmt()))
        .await
        .assert_error(404, "E011008");
}

#[tokio::test]
async fn reset_and_emulator_snapshots_carry_configuration() {
    let (app, p) = TestApp::with_project().await;
    configure(&app, &p).await;
    let m = Some(p.mgmt());
    let m = m.as_deref();
    let before = app.post("/v1/mgmt/project/export", m, json!({})).await.text;
    // the emulator snapshot carries the documents, flows as the text they were imported as
    let mut snap = app.export_snapshot(&p.id).await;
    let docs = snap["configDocuments"].as_array().unwrap();
    assert!(docs
        .iter()
        .any(|d| d["kind"] == "flow" && d["key"] == "custom-flow" && d["document"] == RAW_FLOW));
    assert!(docs.iter().any(|d| d["kind"] == "flow" && d["key"] == "step-up" && d.get("document").is_none()));
    let other = app.new_project().await;
    snap["projectId"] = json!(other.id);
    snap["managementKeys"] = json!([]);
    app.put_snapshot(&other.id, &snap).await.assert_ok();
    let copied =
        app.post("/v2/mgmt/flow/export", Some(&other.mgmt()), json!({"flowId": "custom-flow"})).await;
    assert_eq!(copied.text, format!(r#"{{"flow":{RAW_FLOW}}}"#));
    assert_eq!(app.post("/v1/mgmt/project/export", Some(&other.mgmt()), json!({})).await.text, before);
    // a bad document in a snapshot is refused
    let mut bad = snap.clone();
    bad["configDocuments"] = json!([{"kind": "flow", "key": "f", "document": "{trunc"}]);
    app.put_snapshot(&other.id, &bad).await.assert_error(400, "E011004");
    bad["configDocuments"] = json!([{"kind": "nope", "key": "f"}]);
    app.put_snapshot(&other.id, &bad).await.assert_error(400, "E011004");
    // reset: back to the built-in flows, default theme, no localization
    app.post(&format!("/emulator/v1/projects/{}/reset", p.id), None, json!({})).await.assert_ok();
    let list = app.post("/v1/mgmt/flow/list", m, json!({})).await.assert_ok().clone();
    assert_eq!(flow_ids(&list), ["sign-in", "sign-up", "sign-up-or-in", "step-up"]);
    let theme = app.post("/v2/mgmt/theme/export", m, json!({})).await.assert_ok().clone();
    assert_eq!(theme["theme"]["styles"], json!({}));
    let msg = app.post("/v1/mgmt/localization/messaging/export", m, json!({})).await.assert_ok().clone();
    assert_eq!(msg["overrides"]["languages"], json!({}));
}

#[tokio::test]
async fn configuration_needs_a_management_key() {
    let (app, p) = TestApp::with_project().await;
    for path in
        ["/v1/mgmt/project/export", "/v1/mgmt/flow/list", "/v2/mgmt/theme/export", "/v1/mgmt/projects/list"]
    {
        let r = app.post(path, Some(&p.bearer()), json!({})).await;
        assert_eq!(r.status.as_u16(), 401, "{path}: {}", r.text);
    }
}

#[tokio::test]
async fn fixtures_load_configuration_documents() {
    use descope_emulator::fixtures::{import, Apply, ProjectSnapshot};
    let (app, p) = TestApp::with_project().await;
    configure(&app, &p).await;
    let before = app.post("/v1/mgmt/project/export", Some(&p.mgmt()), json!({})).await.text;
    let mut snap = app.export_snapshot(&p.id).await;
    let id = "P2fixtureconfig".to_owned();
    snap["projectId"] = json!(id);
    snap["default"] = json!(false);
    let fixture: ProjectSnapshot = serde_json::from_value(snap).unwrap();
    import(&app.state, &fixture, Apply::Merge).await.unwrap();
    // loading it twice is loading it once
    import(&app.state, &fixture, Apply::Merge).await.unwrap();
    let loaded = TestProject { id, management_key: p.management_key.clone() };
    let exported =
        app.post("/v2/mgmt/flow/export", Some(&loaded.mgmt()), json!({"flowId": "custom-flow"})).await;
    assert_eq!(exported.text, format!(r#"{{"flow":{RAW_FLOW}}}"#));
    assert_eq!(app.post("/v1/mgmt/project/export", Some(&loaded.mgmt()), json!({})).await.text, before);
}
