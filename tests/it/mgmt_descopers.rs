//! Descopers: create (batch, all or none), load, update, delete, list (with or without a
//! body), validation, per-project scope.

use serde_json::{json, Value};

use crate::harness::{TestApp, TestProject};

const PATH: &str = "/v1/mgmt/descoper";

async fn create(app: &TestApp, p: &TestProject, body: Value) -> Value {
    app.put(PATH, Some(&p.mgmt()), &body).await.assert_ok().clone()
}

fn dev(login: &str) -> Value {
    json!({
        "loginId": login,
        "attributes": {"displayName": "Dev", "email": login, "phone": null},
        "sendInvite": false,
        "rbac": {"isCompanyAdmin": false, "tags": [], "projects": [{"projectIds": ["P1"], "role": "developer"}]}
    })
}

#[tokio::test]
async fn create_load_update_delete() {
    let (app, p) = TestApp::with_project().await;
    let m = p.mgmt();
    let out = create(
        &app,
        &p,
        json!({"descopers": [dev("a@x.test"), {"loginId": "b@x.test", "sendInvite": true}]}),
    )
    .await;
    assert_eq!(out["total"], 2);
    let a = &out["descopers"][0];
    let id = a["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with('D') && id.len() == 27, "{id}");
    assert_eq!(a["loginIds"], json!(["a@x.test"]));
    assert_eq!(a["attributes"], json!({"displayName": "Dev", "email": "a@x.test", "phone": ""}));
    assert_eq!(a["rbac"]["projects"], json!([{"projectIds": ["P1"], "role": "developer"}]));
    assert_eq!(a["status"], "enabled");
    assert_eq!(out["descopers"][1]["status"], "invited");
    assert_eq!(out["descopers"][1]["rbac"], json!({"isCompanyAdmin": false, "tags": [], "projects": []}));

    let r = app.get(&format!("{PATH}?id={id}"), Some(&m)).await;
    assert_eq!(&r.assert_ok()["descoper"], a);

    let r = app
        .patch(PATH, Some(&m), &json!({"id": id, "rbac": {"isCompanyAdmin": true, "tags": [{"tags": ["prod"], "role": "auditor"}]}}))
        .await;
    let d = r.assert_ok()["descoper"].clone();
    assert_eq!(d["rbac"]["isCompanyAdmin"], true);
    assert_eq!(d["rbac"]["tags"], json!([{"tags": ["prod"], "role": "auditor"}]));
    assert_eq!(d["attributes"]["displayName"], "Dev", "attributes untouched");

    let r = app.patch(PATH, Some(&m), &json!({"id": id, "attributes": {"displayName": "Renamed"}})).await;
    assert_eq!(
        r.assert_ok()["descoper"]["attributes"],
        json!({"displayName": "Renamed", "email": "", "phone": ""})
    );

    assert_eq!(app.delete(&format!("{PATH}?id={id}"), Some(&m)).await.assert_ok(), &json!({}));
    app.get(&format!("{PATH}?id={id}"), Some(&m)).await.assert_error(404, "E011008");
    app.delete(&format!("{PATH}?id={id}"), Some(&m)).await.assert_error(404, "E011008");
}

#[tokio::test]
async fn list_takes_no_body_and_is_per_project() {
    let (app, p) = TestApp::with_project().await;
    let other = app.new_project().await;
    create(&app, &p, json!({"descopers": [dev("a@x.test"), dev("b@x.test")]})).await;
    create(&app, &other, json!({"descopers": [dev("a@x.test")]})).await;
    let r = app
        .call(
            axum::http::Request::post("/v1/mgmt/descoper/list")
                .header("authorization", format!("Bearer {}", p.mgmt()))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    let list = r.assert_ok();
    assert_eq!(list["total"], 2);
    let logins: Vec<&Value> =
        list["descopers"].as_array().unwrap().iter().map(|d| &d["loginIds"][0]).collect();
    assert_eq!(logins, [&json!("a@x.test"), &json!("b@x.test")]);
    let r = app.post("/v1/mgmt/descoper/list", Some(&other.mgmt()), json!({})).await;
    assert_eq!(r.assert_ok()["total"], 1);
}

#[tokio::test]
async fn validation() {
    let (app, p) = TestApp::with_project().await;
    let m = p.mgmt();
    app.put(PATH, Some(&m), &json!({"descopers": []})).await.assert_error(400, "E011002");
    app.put(PATH, Some(&m), &json!({"descopers": [{"loginId": " "}]})).await.assert_error(400, "E011002");
    let mut bad = dev("c@x.test");
    bad["rbac"]["projects"][0]["role"] = json!("owner");
    app.put(PATH, Some(&m), &json!({"descopers": [bad]})).await.assert_error(400, "E011004");
    // duplicates, within the batch or with a stored one: nothing is created
    app.put(PATH, Some(&m), &json!({"descopers": [dev("d@x.test"), dev("d@x.test")]}))
        .await
        .assert_error(400, "E011004");
    create(&app, &p, json!({"descopers": [dev("e@x.test")]})).await;
    app.put(PATH, Some(&m), &json!({"descopers": [dev("f@x.test"), dev("e@x.test")]}))
        .await
        .assert_error(400, "E011004");
    let r = app.post("/v1/mgmt/descoper/list", Some(&m), json!({})).await;
    assert_eq!(r.assert_ok()["total"], 1);

    app.get(PATH, Some(&m)).await.assert_error(400, "E011002");
    app.get(&format!("{PATH}?id=Dnope"), Some(&m)).await.assert_error(404, "E011008");
    app.patch(PATH, Some(&m), &json!({"id": "Dnope"})).await.assert_error(404, "E011008");
    app.patch(PATH, Some(&m), &json!({})).await.assert_error(400, "E011002");
    let id = create(&app, &p, json!({"descopers": [dev("g@x.test")]})).await["descopers"][0]["id"].clone();
    app.patch(PATH, Some(&m), &json!({"id": id, "rbac": {"tags": [{"tags": ["x"], "role": "root"}]}}))
        .await
        .assert_error(400, "E011004");
    app.delete(PATH, Some(&m)).await.assert_error(400, "E011002");
    app.put(PATH, None, &json!({"descopers": [dev("h@x.test")]})).await.assert_error(401, "E011101");
}

#[tokio::test]
async fn descopers_are_carried_in_snapshots() {
    let (app, p) = TestApp::with_project().await;
    let m = p.mgmt();
    let out = create(&app, &p, json!({"descopers": [dev("a@x.test"), dev("b@x.test")]})).await;
    let a = out["descopers"][0].clone();
    let snap = app.export_snapshot(&p.id).await;
    assert_eq!(snap["descopers"].as_array().unwrap().len(), 2);
    assert_eq!(snap["descopers"][0]["loginId"], "a@x.test");
    let id = a["id"].as_str().unwrap();
    app.delete(&format!("{PATH}?id={id}"), Some(&m)).await.assert_ok();
    app.put_snapshot(&p.id, &snap).await.assert_ok();
    let r = app.get(&format!("{PATH}?id={id}"), Some(&m)).await;
    assert_eq!(r.assert_ok()["descoper"], a);
    let r = app.post("/v1/mgmt/descoper/list", Some(&m), json!({})).await;
    assert_eq!(r.assert_ok()["total"], 2);
    // two descopers with one login ID are refused
    let mut bad = snap.clone();
    bad["descopers"][1]["loginId"] = json!("a@x.test");
    app.put_snapshot(&p.id, &bad).await.assert_error(400, "E011004");
}
