//! `/v1/mgmt/authz/*`: the legacy ReBAC schema and relations over the FGA engine.

use serde_json::{json, Value};

use crate::harness::{TestApp, TestProject};

fn child(ne: Value) -> Value {
    json!({"nType": "child", "expression": ne})
}

/// The legacy "Files" example: organisations and folders; a folder's owner can also be the
/// owner of a parent folder or an admin of the folder's organisation.
fn files_schema() -> Value {
    json!({
        "name": "Files",
        "namespaces": [
            {"name": "org", "relationDefinitions": [{"name": "parent"}, {"name": "member"}, {"name": "admin"}]},
            {"name": "folder", "relationDefinitions": [
                {"name": "parent"},
                {"name": "org"},
                {"name": "banned"},
                {"name": "owner", "complexDefinition": {"nType": "union", "children": [
                    child(json!({"neType": "self"})),
                    child(json!({"neType": "relationRight", "relationDefinition": "parent", "relationDefinitionNamespace": "folder", "targetRelationDefinition": "owner", "targetRelationDefinitionNamespace": "folder"})),
                    child(json!({"neType": "relationRight", "relationDefinition": "org", "relationDefinitionNamespace": "folder", "targetRelationDefinition": "admin", "targetRelationDefinitionNamespace": "org"}))
                ]}},
                {"name": "editor", "complexDefinition": {"nType": "sub", "children": [
                    {"nType": "union", "children": [child(json!({"neType": "self"})), child(json!({"neType": "targetSet", "targetRelationDefinition": "owner", "targetRelationDefinitionNamespace": "folder"}))]},
                    child(json!({"neType": "targetSet", "targetRelationDefinition": "banned", "targetRelationDefinitionNamespace": "folder"}))
                ]}},
                {"name": "orgmember", "complexDefinition": child(json!({"neType": "relationLeft", "relationDefinition": "child", "relationDefinitionNamespace": "orgtree", "targetRelationDefinition": "member", "targetRelationDefinitionNamespace": "orgtree"}))}
            ]},
            {"name": "orgtree", "relationDefinitions": [{"name": "child"}, {"name": "member"}]}
        ]
    })
}

fn rel(ns: &str, resource: &str, rd: &str, target: &str) -> Value {
    json!({"namespace": ns, "resource": resource, "relationDefinition": rd, "target": target})
}

async fn setup() -> (TestApp, TestProject) {
    let (app, p) = TestApp::with_project().await;
    app.post(
        "/v1/mgmt/authz/schema/save",
        Some(&p.mgmt()),
        json!({"schema": files_schema(), "upgrade": true}),
    )
    .await
    .assert_ok();
    let relations = vec![
        rel("folder", "root", "owner", "u1"),
        rel("folder", "sub", "parent", "root"),
        rel("folder", "sub", "editor", "u2"),
        rel("folder", "sub", "banned", "u1"),
        rel("folder", "other", "org", "acme"),
        rel("org", "acme", "admin", "u3"),
        rel("orgtree", "top", "child", "sub"),
        rel("orgtree", "top", "member", "u4"),
        json!({"namespace": "org", "resource": "acme", "relationDefinition": "member",
               "targetSetResource": "top", "targetSetRelationDefinition": "member", "targetSetRelationDefinitionNamespace": "orgtree"}),
    ];
    app.post("/v1/mgmt/authz/re/create", Some(&p.mgmt()), json!({ "relations": relations }))
        .await
        .assert_ok();
    (app, p)
}

async fn has(app: &TestApp, p: &TestProject, q: Vec<Value>) -> Vec<bool> {
    let r = app.post("/v1/mgmt/authz/re/has", Some(&p.mgmt()), json!({ "relationQueries": q })).await;
    r.assert_ok()["relationQueries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["hasRelation"].as_bool().unwrap())
        .collect()
}

#[tokio::test]
async fn schema_round_trip_and_checks() {
    let (app, p) = setup().await;
    let s = app.post("/v1/mgmt/authz/schema/load", Some(&p.mgmt()), json!({})).await;
    let schema = s.assert_ok()["schema"].clone();
    assert_eq!(schema["name"], "Files");
    assert_eq!(schema["namespaces"], files_schema()["namespaces"]);
    let answers = has(
        &app,
        &p,
        vec![
            rel("folder", "root", "owner", "u1"),    // direct
            rel("folder", "sub", "owner", "u1"),     // relationRight: parent's owner
            rel("folder", "sub", "editor", "u1"),    // owner but banned: sub
            rel("folder", "sub", "editor", "u2"),    // self
            rel("folder", "other", "owner", "u3"),   // org admin
            rel("folder", "sub", "orgmember", "u4"), // relationLeft
            rel("org", "acme", "member", "u4"),      // target set
            rel("folder", "root", "owner", "u2"),
        ],
    )
    .await;
    assert_eq!(answers, vec![true, true, false, true, true, true, true, false]);
    // who and what agree with has
    let who = app
        .post(
            "/v1/mgmt/authz/re/who",
            Some(&p.mgmt()),
            json!({"namespace": "folder", "resource": "sub", "relationDefinition": "owner"}),
        )
        .await;
    assert_eq!(who.assert_ok()["targets"], json!(["u1"]));
    let r = app
        .post(
            "/v1/mgmt/authz/re/targetwithrelation",
            Some(&p.mgmt()),
            json!({"target": "u1", "namespace": "folder", "relationDefinition": "owner"}),
        )
        .await;
    assert_eq!(r.assert_ok()["resources"], json!(["root", "sub"]));
    assert_eq!(r.assert_ok()["relations"].as_array().unwrap().len(), 2);
    let all = app.post("/v1/mgmt/authz/re/targetall", Some(&p.mgmt()), json!({"target": "u1"})).await;
    let got: Vec<String> = all.assert_ok()["relations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}:{}#{}",
                r["namespace"].as_str().unwrap(),
                r["resource"].as_str().unwrap(),
                r["relationDefinition"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(got, vec!["folder:root#owner", "folder:root#editor", "folder:sub#banned", "folder:sub#owner"]);
}

#[tokio::test]
async fn stored_relations_and_deletes() {
    let (app, p) = setup().await;
    let r = app.post("/v1/mgmt/authz/re/resource", Some(&p.mgmt()), json!({"resource": "acme"})).await;
    assert_eq!(r.assert_ok()["relations"].as_array().unwrap().len(), 2);
    let r = app
        .post(
            "/v1/mgmt/authz/re/resource",
            Some(&p.mgmt()),
            json!({"resource": "acme", "ignoreTargetSetRelations": true}),
        )
        .await;
    assert_eq!(r.assert_ok()["relations"], json!([rel("org", "acme", "admin", "u3")]));
    let r = app.post("/v1/mgmt/authz/re/targets", Some(&p.mgmt()), json!({"targets": ["u1"]})).await;
    assert_eq!(r.assert_ok()["relations"].as_array().unwrap().len(), 2);
    // delete a relation
    app.post(
        "/v1/mgmt/authz/re/delete",
        Some(&p.mgmt()),
        json!({"relations": [rel("folder", "sub", "banned", "u1")]}),
    )
    .await
    .assert_ok();
    assert_eq!(has(&app, &p, vec![rel("folder", "sub", "editor", "u1")]).await, vec![true]);
    // deleteresourcesrelations: as resource only; deleteresources: as target too
    app.post("/v1/mgmt/authz/re/deleteresourcesrelations", Some(&p.mgmt()), json!({"resources": ["root"]}))
        .await
        .assert_ok();
    assert_eq!(has(&app, &p, vec![rel("folder", "sub", "parent", "root")]).await, vec![true]);
    app.post("/v1/mgmt/authz/re/deleteresources", Some(&p.mgmt()), json!({"resources": ["root"]}))
        .await
        .assert_ok();
    assert_eq!(has(&app, &p, vec![rel("folder", "sub", "parent", "root")]).await, vec![false]);
    // schema delete drops every relation
    app.post("/v1/mgmt/authz/schema/delete", Some(&p.mgmt()), json!({})).await.assert_ok();
    let r = app.post("/v1/mgmt/authz/re/targets", Some(&p.mgmt()), json!({"targets": ["u2", "u3"]})).await;
    assert_eq!(r.assert_ok()["relations"], json!([]));
}

#[tokio::test]
async fn namespaces_and_definitions() {
    let (app, p) = setup().await;
    // relations need a known namespace and definition
    app.post("/v1/mgmt/authz/re/create", Some(&p.mgmt()), json!({"relations": [rel("nope", "a", "x", "u")]}))
        .await
        .assert_error(400, "E011004");
    app.post(
        "/v1/mgmt/authz/ns/save",
        Some(&p.mgmt()),
        json!({"namespace": {"name": "doc", "relationDefinitions": [{"name": "viewer"}]}}),
    )
    .await
    .assert_ok();
    app.post(
        "/v1/mgmt/authz/re/create",
        Some(&p.mgmt()),
        json!({"relations": [rel("doc", "d", "viewer", "u")]}),
    )
    .await
    .assert_ok();
    app.post(
        "/v1/mgmt/authz/rd/save",
        Some(&p.mgmt()),
        json!({"namespace": "doc", "relationDefinition": {"name": "owner"}}),
    )
    .await
    .assert_ok();
    app.post("/v1/mgmt/authz/rd/delete", Some(&p.mgmt()), json!({"namespace": "doc", "name": "viewer"}))
        .await
        .assert_ok();
    // its relations went with it
    let r = app.post("/v1/mgmt/authz/re/resource", Some(&p.mgmt()), json!({"resource": "d"})).await;
    assert_eq!(r.assert_ok()["relations"], json!([]));
    app.post("/v1/mgmt/authz/rd/delete", Some(&p.mgmt()), json!({"namespace": "doc", "name": "viewer"}))
        .await
        .assert_error(404, "E011008");
    app.post("/v1/mgmt/authz/ns/delete", Some(&p.mgmt()), json!({"name": "doc"})).await.assert_ok();
    let s = app.post("/v1/mgmt/authz/schema/load", Some(&p.mgmt()), json!({})).await;
    assert_eq!(s.assert_ok()["schema"]["namespaces"].as_array().unwrap().len(), 3);
    // without upgrade, unlisted namespaces stay
    app.post(
        "/v1/mgmt/authz/schema/save",
        Some(&p.mgmt()),
        json!({"schema": {"name": "Files", "namespaces": [{"name": "extra", "relationDefinitions": []}]}}),
    )
    .await
    .assert_ok();
    let s = app.post("/v1/mgmt/authz/schema/load", Some(&p.mgmt()), json!({})).await;
    assert_eq!(s.assert_ok()["schema"]["namespaces"].as_array().unwrap().len(), 4);
    // the FGA load shows the legacy schema as DSL
    let f = app.get("/v1/mgmt/fga/schema", Some(&p.mgmt())).await;
    assert!(f.assert_ok()["dsl"].as_str().unwrap().starts_with("model AuthZ 1.0\n"));
    // bad node types are 400
    app.post(
        "/v1/mgmt/authz/rd/save",
        Some(&p.mgmt()),
        json!({"namespace": "extra", "relationDefinition": {"name": "x", "complexDefinition": {"nType": "weird"}}}),
    )
    .await
    .assert_error(400, "E011004");
}

#[tokio::test]
async fn query_relations_resolve_at_create_time() {
    let (app, p) = setup().await;
    app.create_user(&p, json!({"loginId": "q1@example.com", "email": "q1@example.com"})).await;
    app.post(
        "/v1/mgmt/authz/re/create",
        Some(&p.mgmt()),
        json!({"relations": [{"namespace": "org", "resource": "acme", "relationDefinition": "member", "query": {"text": "q1@", "userStatus": []}}]}),
    )
    .await
    .assert_ok();
    let r = app
        .post(
            "/v1/mgmt/authz/re/resource",
            Some(&p.mgmt()),
            json!({"resource": "acme", "ignoreTargetSetRelations": true}),
        )
        .await;
    assert_eq!(r.assert_ok()["relations"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn get_modified_flat_and_mirrored() {
    let (app, p) = TestApp::with_project().await;
    let since = app.clock_now().await * 1000;
    app.post("/v1/mgmt/authz/schema/save", Some(&p.mgmt()), json!({"schema": files_schema()}))
        .await
        .assert_ok();
    app.post(
        "/v1/mgmt/authz/re/create",
        Some(&p.mgmt()),
        json!({"relations": [rel("folder", "f", "owner", "u")]}),
    )
    .await
    .assert_ok();
    let r = app.post("/v1/mgmt/authz/getmodified", Some(&p.mgmt()), json!({ "since": since })).await;
    let v = r.assert_ok();
    let want = json!({"resources": ["f"], "targets": ["u"], "schemaChanged": true});
    assert_eq!(v["resources"], want["resources"]);
    assert_eq!(v["targets"], want["targets"]);
    assert_eq!(v["schemaChanged"], true);
    assert_eq!(v["relations"], want);
}
