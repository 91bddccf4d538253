//! `/v1/mgmt/fga/*`: the FGA schema DSL, relations, checks (worked examples A, B, C),
//! resource details, mappable resources and backups.

use serde_json::{json, Value};

use crate::harness::{TestApp, TestProject};

pub const SCHEMA_A: &str = "model AuthZ 1.0
type user
type org
  relation member: user
  relation parent: org
type folder
  relation parent: folder
  relation owner: user | org#member
  relation editor: user
  relation viewer: user
  permission can_create: owner | parent.owner
  permission can_edit: editor | can_create
  permission can_view: viewer | can_edit
type doc
  relation parent: folder
  relation owner: user | org#member
  relation editor: user
  relation viewer: user
  permission can_create: owner | parent.owner
  permission can_edit: editor | can_create
  permission can_view: viewer | can_edit
";

pub fn t(rt: &str, r: &str, rel: &str, tt: &str, tg: &str) -> Value {
    json!({"resourceType": rt, "resource": r, "relation": rel, "targetType": tt, "target": tg})
}

pub async fn save(app: &TestApp, p: &TestProject, dsl: &str) {
    app.post("/v1/mgmt/fga/schema", Some(&p.mgmt()), json!({ "dsl": dsl })).await.assert_ok();
}

pub async fn create(app: &TestApp, p: &TestProject, tuples: Vec<Value>) {
    app.post("/v1/mgmt/fga/relations", Some(&p.mgmt()), json!({ "tuples": tuples })).await.assert_ok();
}

async fn check_all(app: &TestApp, p: &TestProject, tuples: Vec<Value>, context: Value) -> Vec<Value> {
    let r =
        app.post("/v1/mgmt/fga/check", Some(&p.mgmt()), json!({"tuples": tuples, "context": context})).await;
    r.assert_ok()["tuples"].as_array().unwrap().clone()
}

async fn allowed(app: &TestApp, p: &TestProject, tuple: Value) -> bool {
    check_all(app, p, vec![tuple], json!({})).await[0]["allowed"].as_bool().unwrap()
}

async fn example_a() -> (TestApp, TestProject) {
    let (app, p) = TestApp::with_project().await;
    save(&app, &p, SCHEMA_A).await;
    create(
        &app,
        &p,
        vec![
            t("folder", "f1", "owner", "user", "alice"),
            t("doc", "d1", "parent", "folder", "f1"),
            t("doc", "d1", "viewer", "user", "bob"),
            t("org", "acme", "member", "user", "carol"),
            t("doc", "d2", "owner", "org#member", "acme"),
        ],
    )
    .await;
    (app, p)
}

#[tokio::test]
async fn example_a_hierarchy() {
    let (app, p) = example_a().await;
    assert!(allowed(&app, &p, t("doc", "d1", "can_view", "user", "alice")).await);
    assert!(!allowed(&app, &p, t("doc", "d1", "owner", "user", "alice")).await);
    assert!(!allowed(&app, &p, t("doc", "d1", "can_edit", "user", "bob")).await);
    assert!(allowed(&app, &p, t("doc", "d1", "can_view", "user", "bob")).await);
    assert!(allowed(&app, &p, t("doc", "d2", "can_create", "user", "carol")).await);
    // unknown IDs are false
    assert!(!allowed(&app, &p, t("doc", "nope", "can_view", "user", "alice")).await);
    // answers in request order, with the tuple echoed and info
    let r = check_all(
        &app,
        &p,
        vec![t("doc", "d1", "viewer", "user", "bob"), t("doc", "d1", "can_view", "user", "zed")],
        json!({}),
    )
    .await;
    assert_eq!(r[0]["allowed"], true);
    assert_eq!(r[0]["info"]["direct"], true);
    assert_eq!(r[0]["tuple"], t("doc", "d1", "viewer", "user", "bob"));
    assert_eq!(r[1]["allowed"], false);
    insta::assert_json_snapshot!("fga_check_reply", r);
}

#[tokio::test]
async fn example_b_exclusion_and_intersection() {
    let (app, p) = TestApp::with_project().await;
    save(
        &app,
        &p,
        "model AuthZ 1.0
type user
type team
  relation member: user
type repo
  relation owner: user
  relation contributor: user | team#member
  relation banned: user
  relation licensed: user
  permission can_push: (owner | contributor) - banned
  permission can_admin: owner & licensed
",
    )
    .await;
    create(
        &app,
        &p,
        vec![
            t("team", "core", "member", "user", "dan"),
            t("team", "core", "member", "user", "erin"),
            t("repo", "r1", "contributor", "team#member", "core"),
            t("repo", "r1", "banned", "user", "erin"),
            t("repo", "r1", "owner", "user", "frank"),
            t("repo", "r1", "licensed", "user", "dan"),
        ],
    )
    .await;
    assert!(allowed(&app, &p, t("repo", "r1", "can_push", "user", "dan")).await);
    assert!(!allowed(&app, &p, t("repo", "r1", "can_push", "user", "erin")).await);
    assert!(allowed(&app, &p, t("repo", "r1", "can_push", "user", "frank")).await);
    assert!(!allowed(&app, &p, t("repo", "r1", "can_admin", "user", "frank")).await);
    assert!(!allowed(&app, &p, t("repo", "r1", "can_admin", "user", "dan")).await);
    assert!(allowed(&app, &p, t("repo", "r1", "contributor", "user", "dan")).await);
    // the target set itself holds the relation
    assert!(allowed(&app, &p, t("repo", "r1", "contributor", "team#member", "core")).await);
}

#[tokio::test]
async fn example_c_conditions() {
    let (app, p) = TestApp::with_project().await;
    save(
        &app,
        &p,
        "model AuthZ 1.0
condition DuringShift(now int, begin int, end int) { now >= begin && now <= end }
type User
type PatientRecord
  relation viewer: User with DuringShift
  relation owner: User
  permission can_view: viewer | owner
",
    )
    .await;
    create(
        &app,
        &p,
        vec![
            t("PatientRecord", "rec1", "viewer", "User", "nina"),
            t("PatientRecord", "rec1", "owner", "User", "omar"),
        ],
    )
    .await;
    let nina = t("PatientRecord", "rec1", "can_view", "User", "nina");
    let r = check_all(&app, &p, vec![nina.clone()], json!({"now": 10, "begin": 8, "end": 17})).await;
    assert_eq!(r[0]["allowed"], true);
    assert_eq!(r[0]["info"]["conditional"], true);
    let r = check_all(&app, &p, vec![nina.clone()], json!({"now": 20, "begin": 8, "end": 17})).await;
    assert_eq!(r[0]["allowed"], false);
    let r = check_all(&app, &p, vec![nina.clone()], json!({})).await;
    assert_eq!(r[0]["allowed"], false);
    assert_eq!(r[0]["info"]["missingContext"], json!(["begin", "end", "now"]));
    assert_eq!(r[0]["info"]["conditional"], true);
    let r =
        check_all(&app, &p, vec![t("PatientRecord", "rec1", "can_view", "User", "omar")], json!({})).await;
    assert_eq!(r[0]["allowed"], true);
    // a failed evaluation still answers 200 with allowed false
    let r = check_all(&app, &p, vec![nina], json!({"now": "x", "begin": 8, "end": 17})).await;
    assert_eq!(r[0]["allowed"], false);
    assert!(r[0]["info"]["conditionalErr"].is_string());
    // the schema load lists the condition
    let s = app.get("/v1/mgmt/fga/schema", Some(&p.mgmt())).await;
    assert_eq!(s.assert_ok()["schema"]["conditions"][0]["name"], "DuringShift");
}

#[tokio::test]
async fn dsl_errors_name_the_line() {
    let (app, p) = TestApp::with_project().await;
    let r = app
        .post(
            "/v1/mgmt/fga/schema",
            Some(&p.mgmt()),
            json!({"dsl": "model AuthZ 1.0\ntype user\ntype doc\n  relation owner: usr\n"}),
        )
        .await;
    r.assert_error(400, "E011004");
    let msg = r.body["errorMessage"].as_str().unwrap().to_owned();
    assert!(msg.contains("line 4") && msg.contains("usr"), "{msg}");
    let r = app.post("/v1/mgmt/fga/schema", Some(&p.mgmt()), json!({"dsl": "type user"})).await;
    assert!(r.body["errorMessage"].as_str().unwrap().contains("line 1"));
    let r = app
        .post(
            "/v1/mgmt/fga/schema",
            Some(&p.mgmt()),
            json!({"dsl": "model AuthZ 1.0\ntype doc\n  permission p: a |\n"}),
        )
        .await;
    assert!(r.body["errorMessage"].as_str().unwrap().contains("line 3"));
    // dryrun validates too
    app.post("/v1/mgmt/fga/schema/dryrun", Some(&p.mgmt()), json!({"dsl": ""}))
        .await
        .assert_error(400, "E011004");
}

#[tokio::test]
async fn load_schema_shapes() {
    let (app, p) = TestApp::with_project().await;
    assert_eq!(app.get("/v1/mgmt/fga/schema", Some(&p.mgmt())).await.assert_ok(), &json!({"dsl": ""}));
    save(&app, &p, SCHEMA_A).await;
    let mut v = app.get("/v1/mgmt/fga/schema", Some(&p.mgmt())).await.assert_ok().clone();
    assert_eq!(v["dsl"], SCHEMA_A);
    let version = v["version"].as_str().unwrap().to_owned();
    assert_eq!(version.len(), 36);
    v["version"] = json!("[version]");
    insta::assert_json_snapshot!("fga_load_schema", v);
    save(&app, &p, SCHEMA_A).await;
    let v2 = app.get("/v1/mgmt/fga/schema", Some(&p.mgmt())).await;
    assert_ne!(v2.assert_ok()["version"], version.as_str());
}

#[tokio::test]
async fn relation_validation() {
    let (app, p) = TestApp::with_project().await;
    // no schema: every type is unknown
    app.post(
        "/v1/mgmt/fga/relations",
        Some(&p.mgmt()),
        json!({"tuples": [t("doc", "d", "owner", "user", "u")]}),
    )
    .await
    .assert_error(400, "E011004");
    save(&app, &p, SCHEMA_A).await;
    for bad in [
        t("nope", "d", "owner", "user", "u"),
        t("doc", "d", "nope", "user", "u"),
        t("doc", "d", "can_view", "user", "u"),
        t("doc", "d", "owner", "folder", "f"),
        t("doc", "d", "owner", "org#parent", "o"),
        t("doc", "", "owner", "user", "u"),
    ] {
        let r = app.post("/v1/mgmt/fga/relations", Some(&p.mgmt()), json!({ "tuples": [bad] })).await;
        assert_eq!(r.status.as_u16(), 400, "{bad}");
    }
    // nothing of a failed batch is stored
    let r = app
        .post(
            "/v1/mgmt/fga/relations",
            Some(&p.mgmt()),
            json!({"tuples": [t("doc", "d", "owner", "user", "u"), t("doc", "d", "owner", "folder", "f")]}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 400);
    assert!(!allowed(&app, &p, t("doc", "d", "owner", "user", "u")).await);
    // checks of unknown names are 400
    app.post("/v1/mgmt/fga/check", Some(&p.mgmt()), json!({"tuples": [t("doc", "d", "nope", "user", "u")]}))
        .await
        .assert_error(400, "E011004");
    app.post(
        "/v1/mgmt/fga/check",
        Some(&p.mgmt()),
        json!({"tuples": [t("nope", "d", "owner", "user", "u")]}),
    )
    .await
    .assert_error(400, "E011004");
}

#[tokio::test]
async fn deletes_change_answers_at_once() {
    let (app, p) = example_a().await;
    let q = t("doc", "d1", "can_view", "user", "alice");
    assert!(allowed(&app, &p, q.clone()).await);
    app.post(
        "/v1/mgmt/fga/relations/delete",
        Some(&p.mgmt()),
        json!({"tuples": [t("doc", "d1", "parent", "folder", "f1")]}),
    )
    .await
    .assert_ok();
    assert!(!allowed(&app, &p, q.clone()).await);
    create(&app, &p, vec![t("doc", "d1", "parent", "folder", "f1")]).await;
    assert!(allowed(&app, &p, q.clone()).await);
    app.delete("/v1/mgmt/fga/relations", Some(&p.mgmt())).await.assert_ok();
    assert!(!allowed(&app, &p, q.clone()).await);
    assert!(!allowed(&app, &p, t("doc", "d1", "viewer", "user", "bob")).await);
}

#[tokio::test]
async fn schema_change_deletes_tuples_and_dryrun_previews() {
    let (app, p) = example_a().await;
    // drop org, change doc.viewer's targets, keep the rest
    let next = SCHEMA_A
        .replace("type org\n  relation member: user\n  relation parent: org\n", "")
        .replace("relation owner: user | org#member", "relation owner: user")
        .replace("type doc\n  relation parent: folder\n  relation owner: user\n  relation editor: user\n  relation viewer: user", "type doc\n  relation parent: folder\n  relation owner: user\n  relation editor: user\n  relation viewer: user | folder");
    let r = app.post("/v1/mgmt/fga/schema/dryrun", Some(&p.mgmt()), json!({ "dsl": next })).await;
    let preview = r.assert_ok()["deletesPreview"].clone();
    assert_eq!(preview["hasDeletes"], true);
    assert_eq!(preview["types"], json!(["org"]));
    assert_eq!(preview["relations"], json!(["folder#owner", "doc#owner", "doc#viewer"]));
    // dryrun changed nothing
    assert!(allowed(&app, &p, t("doc", "d1", "can_view", "user", "bob")).await);
    save(&app, &p, &next).await;
    assert!(!allowed(&app, &p, t("doc", "d1", "can_view", "user", "bob")).await);
    assert!(!allowed(&app, &p, t("doc", "d1", "can_view", "user", "alice")).await);
    // the doc's parent survived
    assert!(allowed(&app, &p, t("doc", "d1", "parent", "folder", "f1")).await);
    let same = app.post("/v1/mgmt/fga/schema/dryrun", Some(&p.mgmt()), json!({ "dsl": next })).await;
    assert_eq!(same.assert_ok()["deletesPreview"]["hasDeletes"], false);
}

#[tokio::test]
async fn cycles_terminate() {
    let (app, p) = TestApp::with_project().await;
    save(&app, &p, "model AuthZ 1.0\ntype user\ntype group\n  relation member: user | group#member\n").await;
    create(
        &app,
        &p,
        vec![
            t("group", "g1", "member", "group#member", "g1"),
            t("group", "g1", "member", "group#member", "g2"),
            t("group", "g2", "member", "group#member", "g1"),
            t("group", "g2", "member", "user", "ann"),
        ],
    )
    .await;
    assert!(allowed(&app, &p, t("group", "g1", "member", "user", "ann")).await);
    assert!(!allowed(&app, &p, t("group", "g1", "member", "user", "ben")).await);
}

#[tokio::test]
async fn depth_bound_answers_false() {
    let (app, p) = TestApp::with_project().await;
    save(&app, &p, "model AuthZ 1.0\ntype user\ntype folder\n  relation parent: folder\n  relation owner: user\n  permission own: owner | parent.own\n").await;
    let mut tuples = vec![t("folder", "0", "owner", "user", "root")];
    for i in 1..=40 {
        tuples.push(t("folder", &i.to_string(), "parent", "folder", &(i - 1).to_string()));
    }
    create(&app, &p, tuples).await;
    assert!(allowed(&app, &p, t("folder", "20", "own", "user", "root")).await);
    let r = check_all(&app, &p, vec![t("folder", "40", "own", "user", "root")], json!({})).await;
    assert_eq!(r[0]["allowed"], false);
    assert_eq!(r[0]["info"]["depthExceeded"], true);
}

#[tokio::test]
async fn resource_details_and_mappable() {
    let (app, p) = example_a().await;
    app.post(
        "/v1/mgmt/fga/resources/save",
        Some(&p.mgmt()),
        json!({"resourcesDetails": [
            {"resourceId": "d1", "resourceType": "doc", "displayName": "Budget"},
            {"resourceId": "d9", "resourceType": "doc", "displayName": "Plans"}
        ]}),
    )
    .await
    .assert_ok();
    let r = app
        .post(
            "/v1/mgmt/fga/resources/load",
            Some(&p.mgmt()),
            json!({"resourceIdentifiers": [{"resourceId": "d9", "resourceType": "doc"}, {"resourceId": "d1", "resourceType": "doc"}, {"resourceId": "x", "resourceType": "doc"}]}),
        )
        .await;
    assert_eq!(
        r.assert_ok()["resourcesDetails"],
        json!([
            {"resourceId": "d9", "resourceType": "doc", "displayName": "Plans"},
            {"resourceId": "d1", "resourceType": "doc", "displayName": "Budget"}
        ])
    );
    let r = app
        .post(
            "/v1/mgmt/fga/mappable/resources",
            Some(&p.mgmt()),
            json!({"tenantId": "t", "resourcesQueries": [{"type": "doc", "queries": ["bud"]}, {"type": "folder", "queries": []}], "resourcesLimit": "10"}),
        )
        .await;
    assert_eq!(
        r.assert_ok()["mappableResources"],
        json!([
            {"type": "doc", "resources": [{"resource": "d1", "displayName": "Budget"}]},
            {"type": "folder", "resources": [{"resource": "f1"}]}
        ])
    );
    let r = app.get("/v1/mgmt/fga/mappable/schema?tenantId=t&resourcesLimit=1", Some(&p.mgmt())).await;
    let v = r.assert_ok();
    assert_eq!(v["schema"]["namespaces"].as_array().unwrap().len(), 4);
    let docs =
        v["mappableResources"].as_array().unwrap().iter().find(|m| m["type"] == "doc").unwrap().clone();
    assert_eq!(docs["resources"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn backups_restore_schema_and_tuples() {
    let (app, p) = example_a().await;
    let id = app.post("/v1/mgmt/fga/backup", Some(&p.mgmt()), json!({})).await.assert_ok()["backupId"]
        .as_str()
        .unwrap()
        .to_owned();
    let b = app.get(&format!("/v1/mgmt/fga/backup/{id}"), Some(&p.mgmt())).await;
    assert_eq!(b.assert_ok()["backup"]["tupleCount"], 5);
    assert_eq!(b.assert_ok()["backup"]["status"], "completed");
    // change everything, then restore
    save(&app, &p, "model AuthZ 1.0\ntype user\n").await;
    assert!(
        app.post(
            "/v1/mgmt/fga/check",
            Some(&p.mgmt()),
            json!({"tuples": [t("doc", "d1", "can_view", "user", "bob")]})
        )
        .await
        .status
        .as_u16()
            == 400
    );
    let r = app.post(&format!("/v1/mgmt/fga/backup/{id}/restore"), Some(&p.mgmt()), json!({})).await;
    let auto = r.assert_ok()["autoBackupId"].as_str().unwrap().to_owned();
    assert!(allowed(&app, &p, t("doc", "d1", "can_view", "user", "bob")).await);
    assert_eq!(app.get("/v1/mgmt/fga/schema", Some(&p.mgmt())).await.assert_ok()["dsl"], SCHEMA_A);
    let list = app.get("/v1/mgmt/fga/backups", Some(&p.mgmt())).await;
    let ids: Vec<&str> =
        list.assert_ok()["backups"].as_array().unwrap().iter().map(|b| b["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![id.as_str(), auto.as_str()]);
    app.delete(&format!("/v1/mgmt/fga/backup/{id}"), Some(&p.mgmt())).await.assert_ok();
    app.get(&format!("/v1/mgmt/fga/backup/{id}"), Some(&p.mgmt())).await.assert_error(404, "E011008");
    app.post(&format!("/v1/mgmt/fga/backup/{id}/restore"), Some(&p.mgmt()), json!({}))
        .await
        .assert_error(404, "E011008");
}

#[tokio::test]
async fn projects_are_isolated() {
    let (app, p) = example_a().await;
    let other = app.new_project().await;
    save(&app, &other, SCHEMA_A).await;
    assert!(!allowed(&app, &other, t("doc", "d1", "can_view", "user", "bob")).await);
    assert!(allowed(&app, &p, t("doc", "d1", "can_view", "user", "bob")).await);
}

#[tokio::test]
async fn fga_travels_in_snapshots_and_reset_clears_it() {
    let (app, p) = example_a().await;
    app.post(
        "/v1/mgmt/fga/resources/save",
        Some(&p.mgmt()),
        json!({"resourcesDetails": [{"resourceId": "d1", "resourceType": "doc", "displayName": "Budget"}]}),
    )
    .await
    .assert_ok();
    let snap = app.export_snapshot(&p.id).await;
    assert_eq!(snap["fga"]["dsl"], SCHEMA_A);
    assert_eq!(snap["fga"]["relations"].as_array().unwrap().len(), 5);
    assert_eq!(snap["fga"]["resources"][0]["displayName"], "Budget");
    // reset clears schema and tuples
    app.post(&format!("/emulator/v1/projects/{}/reset", p.id), None, json!({})).await.assert_ok();
    assert_eq!(app.get("/v1/mgmt/fga/schema", Some(&p.mgmt())).await.assert_ok(), &json!({"dsl": ""}));
    // importing brings them back, and checks answer as before
    app.put_snapshot(&p.id, &snap).await.assert_ok();
    assert!(allowed(&app, &p, t("doc", "d1", "can_view", "user", "alice")).await);
    assert!(allowed(&app, &p, t("doc", "d2", "can_create", "user", "carol")).await);
    assert_eq!(app.get("/v1/mgmt/fga/schema", Some(&p.mgmt())).await.assert_ok()["dsl"], SCHEMA_A);
    // a fixture may give only the DSL
    let mut only_dsl = snap.clone();
    only_dsl["fga"]["model"] = Value::Null;
    app.put_snapshot(&p.id, &only_dsl).await.assert_ok();
    assert!(allowed(&app, &p, t("doc", "d1", "can_view", "user", "bob")).await);
    let mut bad = snap.clone();
    bad["fga"]["model"] = Value::Null;
    bad["fga"]["dsl"] = json!("type x");
    assert_eq!(app.put_snapshot(&p.id, &bad).await.status.as_u16(), 400);
}
