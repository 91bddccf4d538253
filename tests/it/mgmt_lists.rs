//! `/v1/mgmt/list/*`: project lists of texts, IPs and JSON.

use serde_json::{json, Value};

use crate::harness::{TestApp, TestProject};

async fn create(app: &TestApp, p: &TestProject, body: Value) -> Value {
    app.post("/v1/mgmt/list", Some(&p.mgmt()), body).await.assert_ok()["list"].clone()
}

fn id_of(list: &Value) -> String {
    list["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn create_load_update_delete() {
    let (app, p) = TestApp::with_project().await;
    let l = create(
        &app,
        &p,
        json!({"name": "blocked", "type": "texts", "description": "d", "data": ["a", "b", "a"]}),
    )
    .await;
    let id = id_of(&l);
    assert!(id.starts_with("LI"));
    let mut shape = l.clone();
    shape["id"] = json!("[id]");
    insta::assert_json_snapshot!("list_texts", shape);
    // both load forms, by ID and by name
    for path in [format!("/v1/mgmt/list/{id}"), format!("/v1/mgmt/list?id={id}")] {
        let v = app.get(&path, Some(&p.mgmt())).await;
        assert_eq!(v.assert_ok()["list"], l);
    }
    for path in ["/v1/mgmt/list/name/blocked", "/v1/mgmt/list/name?name=blocked"] {
        assert_eq!(app.get(path, Some(&p.mgmt())).await.assert_ok()["list"]["id"], id.as_str());
    }
    // full replace
    let u = app
        .post(
            "/v1/mgmt/list/update",
            Some(&p.mgmt()),
            json!({"id": id, "name": "conf", "type": "json", "data": {"k": 1}}),
        )
        .await;
    assert_eq!(
        u.assert_ok()["list"],
        json!({"id": id, "name": "conf", "description": "", "type": "json", "data": {"k": 1}})
    );
    let all = app.get("/v1/mgmt/list/all", Some(&p.mgmt())).await;
    assert_eq!(all.assert_ok()["lists"].as_array().unwrap().len(), 1);
    app.post("/v1/mgmt/list/delete", Some(&p.mgmt()), json!({"id": id})).await.assert_ok();
    app.get(&format!("/v1/mgmt/list/{id}"), Some(&p.mgmt())).await.assert_error(404, "E011008");
    app.get("/v1/mgmt/list/name/conf", Some(&p.mgmt())).await.assert_error(404, "E011008");
    app.post("/v1/mgmt/list/delete", Some(&p.mgmt()), json!({"id": id})).await.assert_error(404, "E011008");
    assert_eq!(app.get("/v1/mgmt/list/all", Some(&p.mgmt())).await.assert_ok()["lists"], json!([]));
}

#[tokio::test]
async fn validation() {
    let (app, p) = TestApp::with_project().await;
    let m = Some(p.mgmt());
    let m = m.as_deref();
    create(&app, &p, json!({"name": "one", "type": "texts"})).await;
    app.post("/v1/mgmt/list", m, json!({"name": "one", "type": "ips"})).await.assert_error(409, "E011009");
    app.post("/v1/mgmt/list", m, json!({"type": "ips"})).await.assert_error(400, "E011002");
    app.post("/v1/mgmt/list", m, json!({"name": "x", "type": "other"})).await.assert_error(400, "E011004");
    app.post("/v1/mgmt/list", m, json!({"name": "x", "type": "ips", "data": ["1.2.3.4", "nope"]}))
        .await
        .assert_error(400, "E011004");
    app.post("/v1/mgmt/list", m, json!({"name": "x", "type": "json", "data": ["a"]}))
        .await
        .assert_error(400, "E011004");
    app.post("/v1/mgmt/list", m, json!({"name": "x", "type": "texts", "data": {"a": 1}}))
        .await
        .assert_error(400, "E011004");
    let two = create(&app, &p, json!({"name": "two", "type": "json"})).await;
    assert_eq!(two["data"], json!({}));
    app.post("/v1/mgmt/list/update", m, json!({"id": two["id"], "name": "one", "type": "json"}))
        .await
        .assert_error(409, "E011009");
    app.post("/v1/mgmt/list/update", m, json!({"id": "LInope", "name": "z", "type": "json"}))
        .await
        .assert_error(404, "E011008");
    // item operations need a list of their type
    app.post("/v1/mgmt/list/ip/add", m, json!({"id": two["id"], "ips": ["1.1.1.1"]}))
        .await
        .assert_error(400, "E011004");
    app.post("/v1/mgmt/list/text/check", m, json!({"id": two["id"], "text": "a"}))
        .await
        .assert_error(400, "E011004");
    app.post("/v1/mgmt/list/ip/check", m, json!({"id": "LInope", "ip": "1.1.1.1"}))
        .await
        .assert_error(404, "E011008");
    app.get("/v1/mgmt/list/all", None).await.assert_error(401, "E011101");
}

#[tokio::test]
async fn ips_add_remove_check_with_cidr() {
    let (app, p) = TestApp::with_project().await;
    let m = Some(p.mgmt());
    let m = m.as_deref();
    let id = id_of(&create(&app, &p, json!({"name": "deny", "type": "ips", "data": ["10.0.0.0/8"]})).await);
    app.post("/v1/mgmt/list/ip/add", m, json!({"id": id, "ips": ["1.2.3.4", "10.0.0.0/8", "2001:db8::/32"]}))
        .await
        .assert_ok();
    app.post("/v1/mgmt/list/ip/add", m, json!({"id": id, "ips": ["300.1.1.1"]}))
        .await
        .assert_error(400, "E011004");
    let l = app.get(&format!("/v1/mgmt/list/{id}"), m).await;
    assert_eq!(l.assert_ok()["list"]["data"], json!(["10.0.0.0/8", "1.2.3.4", "2001:db8::/32"]));
    let check = |ip: &'static str| {
        let app = &app;
        let id = id.clone();
        async move {
            app.post("/v1/mgmt/list/ip/check", m, json!({"id": id, "ip": ip})).await.assert_ok()["exists"]
                .clone()
        }
    };
    assert_eq!(check("10.20.30.40").await, true);
    assert_eq!(check("1.2.3.4").await, true);
    assert_eq!(check("2001:db8::7").await, true);
    assert_eq!(check("1.2.3.5").await, false);
    app.post("/v1/mgmt/list/ip/check", m, json!({"id": id, "ip": "bad"})).await.assert_error(400, "E011004");
    app.post("/v1/mgmt/list/ip/remove", m, json!({"id": id, "ips": ["10.0.0.0/8", "9.9.9.9"]}))
        .await
        .assert_ok();
    assert_eq!(check("10.20.30.40").await, false);
    app.post("/v1/mgmt/list/clear", m, json!({"id": id})).await.assert_ok();
    assert_eq!(app.get(&format!("/v1/mgmt/list/{id}"), m).await.assert_ok()["list"]["data"], json!([]));
}

#[tokio::test]
async fn texts_add_remove_check() {
    let (app, p) = TestApp::with_project().await;
    let m = Some(p.mgmt());
    let m = m.as_deref();
    let id = id_of(&create(&app, &p, json!({"name": "words", "type": "texts"})).await);
    app.post("/v1/mgmt/list/text/add", m, json!({"id": id, "texts": ["b", "a"]})).await.assert_ok();
    app.post("/v1/mgmt/list/text/add", m, json!({"id": id, "texts": ["a", "c"]})).await.assert_ok();
    app.post("/v1/mgmt/list/text/remove", m, json!({"id": id, "texts": ["b", "zz"]})).await.assert_ok();
    assert_eq!(
        app.get(&format!("/v1/mgmt/list/{id}"), m).await.assert_ok()["list"]["data"],
        json!(["a", "c"])
    );
    let check = |body: Value| {
        let app = &app;
        async move { app.post("/v1/mgmt/list/text/check", m, body).await.assert_ok()["exists"].clone() }
    };
    assert_eq!(check(json!({"id": id, "text": "a"})).await, true);
    assert_eq!(check(json!({"id": id, "text": "b"})).await, false);
    assert_eq!(check(json!({"id": id, "texts": ["b", "c"]})).await, true);
    assert_eq!(check(json!({"id": id, "texts": ["b", "c"], "matchAll": true})).await, false);
    assert_eq!(check(json!({"id": id, "texts": ["a", "c"], "matchAll": true})).await, true);
    app.post("/v1/mgmt/list/text/check", m, json!({"id": id})).await.assert_error(400, "E011002");
    let many: Vec<String> = (0..101).map(|i| i.to_string()).collect();
    app.post("/v1/mgmt/list/text/check", m, json!({"id": id, "texts": many}))
        .await
        .assert_error(400, "E011004");
    let j = id_of(&create(&app, &p, json!({"name": "cfg", "type": "json", "data": {"a": [1]}})).await);
    app.post("/v1/mgmt/list/clear", m, json!({"id": j})).await.assert_ok();
    assert_eq!(app.get(&format!("/v1/mgmt/list/{j}"), m).await.assert_ok()["list"]["data"], json!({}));
}

#[tokio::test]
async fn import_upserts_by_id() {
    let (app, p) = TestApp::with_project().await;
    let m = Some(p.mgmt());
    let m = m.as_deref();
    let id = id_of(&create(&app, &p, json!({"name": "old", "type": "texts", "data": ["x"]})).await);
    let body = json!({"lists": [
        {"id": id, "name": "renamed", "type": "texts", "data": ["y"]},
        {"id": "L2", "name": "ips", "type": "ips", "data": ["::1"]},
        {"name": "noid", "type": "json", "data": {"a": true}},
    ]});
    app.post("/v1/mgmt/list/import", m, body).await.assert_ok();
    let all = app.get("/v1/mgmt/list/all", m).await.assert_ok()["lists"].clone();
    let names: Vec<&str> = all.as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 3);
    assert!(names.contains(&"renamed") && names.contains(&"ips") && names.contains(&"noid"));
    assert_eq!(app.get(&format!("/v1/mgmt/list/{id}"), m).await.assert_ok()["list"]["data"], json!(["y"]));
    // a bad list fails the whole import
    let bad = json!({"lists": [{"id": "L3", "name": "n3", "type": "texts"}, {"id": "L4", "name": "n4", "type": "ips", "data": ["x"]}]});
    app.post("/v1/mgmt/list/import", m, bad).await.assert_error(400, "E011004");
    app.get("/v1/mgmt/list/L3", m).await.assert_error(404, "E011008");
}

#[tokio::test]
async fn lists_travel_in_snapshots_and_reset_clears_them() {
    let (app, p) = TestApp::with_project().await;
    let m = Some(p.mgmt());
    let m = m.as_deref();
    let id = id_of(&create(&app, &p, json!({"name": "deny", "type": "ips", "data": ["10.0.0.0/8"]})).await);
    let snap = app.export_snapshot(&p.id).await;
    assert_eq!(snap["lists"][0]["id"], id.as_str());
    assert_eq!(snap["lists"][0]["type"], "ips");
    assert_eq!(snap["lists"][0]["data"], json!(["10.0.0.0/8"]));
    // reset clears them
    app.post(&format!("/emulator/v1/projects/{}/reset", p.id), None, json!({})).await.assert_ok();
    assert_eq!(app.get("/v1/mgmt/list/all", m).await.assert_ok()["lists"], json!([]));
    // importing the snapshot brings them back
    app.put_snapshot(&p.id, &snap).await.assert_ok();
    let l = app.get(&format!("/v1/mgmt/list/{id}"), m).await;
    assert_eq!(l.assert_ok()["list"]["name"], "deny");
    let c = app.post("/v1/mgmt/list/ip/check", m, json!({"id": id, "ip": "10.9.9.9"})).await;
    assert_eq!(c.assert_ok()["exists"], true);
    // a snapshot list of a wrong shape is refused
    let mut bad = snap.clone();
    bad["lists"][0]["data"] = json!({"a": 1});
    assert_eq!(app.put_snapshot(&p.id, &bad).await.status.as_u16(), 400);
}
