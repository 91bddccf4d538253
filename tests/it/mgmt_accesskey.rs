//! Access keys: management shapes, exchange claims, refusal of deactivated, expired, unknown
//! and IP-restricted keys; management keys.

use axum::body::Body;
use axum::http::Request;
use serde_json::{json, Value};

use crate::harness::{claims, TestApp, TestProject};

async fn create_key(app: &TestApp, p: &TestProject, body: Value) -> (Value, String) {
    let r = app.post("/v1/mgmt/accesskey/create", Some(&p.mgmt()), body).await;
    let b = r.assert_ok().clone();
    let cleartext = b["cleartext"].as_str().unwrap().to_owned();
    (b["key"].clone(), cleartext)
}

async fn exchange(
    app: &TestApp,
    p: &TestProject,
    cleartext: &str,
    body: Value,
) -> crate::harness::TestResponse {
    app.post("/v1/auth/accesskey/exchange", Some(&p.with(cleartext)), body).await
}

#[tokio::test]
async fn create_load_search_update_and_exchange() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    app.post("/v1/mgmt/permission/create", Some(&p.mgmt()), json!({"name": "read"})).await.assert_ok();
    app.post("/v1/mgmt/role/create", Some(&p.mgmt()), json!({"name": "reader", "permissionNames": ["read"]}))
        .await
        .assert_ok();
    let t = app.post("/v1/mgmt/tenant/create", Some(&p.mgmt()), json!({"name": "Acme"})).await;
    let tenant = t.assert_ok()["id"].as_str().unwrap().to_owned();

    let (key, cleartext) = create_key(
        &app,
        &p,
        json!({
            "name": "ci", "expireTime": 0, "roleNames": ["reader"],
            "keyTenants": [{"tenantId": tenant, "roleNames": ["reader"]}],
            "userId": null, "customClaims": {"team": "infra"}, "description": "for CI",
            "permittedIps": null, "customAttributes": {"env": "prod"}
        }),
    )
    .await;
    assert!(cleartext.chars().all(|c| c.is_ascii_alphanumeric()));
    let id = key["id"].as_str().unwrap().to_owned();
    assert_eq!(key["name"], "ci");
    assert_eq!(key["status"], "active");
    assert_eq!(key["roleNames"], json!(["reader"]));
    assert_eq!(key["keyTenants"][0]["tenantId"], tenant);
    assert_eq!(key["keyTenants"][0]["tenantName"], "Acme");
    assert_eq!(key["expireTime"], 0);
    assert!(key["createdTime"].as_i64().unwrap() < i32::MAX as i64);
    assert_eq!(key["boundUserId"], "");
    assert_eq!(key["permittedIps"], json!([]));
    assert_eq!(key["customClaims"], json!({"team": "infra"}));
    assert_eq!(key["customAttributes"], json!({"env": "prod"}));
    assert_eq!(key["createdBy"], "");
    assert!(key["clientId"].is_string());

    let loaded = app.get(&format!("/v1/mgmt/accesskey?id={id}"), Some(&p.mgmt())).await;
    assert_eq!(loaded.assert_ok()["key"], key);
    assert!(loaded.body.get("cleartext").is_none());

    let found = app.post("/v1/mgmt/accesskey/search", Some(&p.mgmt()), json!({"tenantIds": [tenant]})).await;
    assert_eq!(found.assert_ok()["keys"].as_array().unwrap().len(), 1);
    let none = app.post("/v1/mgmt/accesskey/search", Some(&p.mgmt()), json!({"tenantIds": ["nope"]})).await;
    assert_eq!(none.assert_ok()["keys"], json!([]));
    let by_attr = app
        .post("/v1/mgmt/accesskey/search", Some(&p.mgmt()), json!({"customAttributes": {"env": "dev"}}))
        .await;
    assert_eq!(by_attr.assert_ok()["keys"], json!([]));

    // description null keeps the old one
    let r = app
        .post(
            "/v1/mgmt/accesskey/update",
            Some(&p.mgmt()),
            json!({"id": id, "name": "ci2", "description": null}),
        )
        .await;
    let updated = r.assert_ok();
    assert_eq!(updated["key"]["name"], "ci2");
    assert_eq!(updated["key"]["description"], "for CI");

    // exchange: sub = key ID, grants from the key, own claims top-level, login claims in nsec
    let r = exchange(
        &app,
        &p,
        &cleartext,
        json!({"loginOptions": {"customClaims": {"k": "v"}, "selectedTenant": tenant}}),
    )
    .await;
    let b = r.assert_ok();
    assert_eq!(b["keyId"], id);
    assert!(b.get("refreshJwt").is_none());
    let c = claims(b["sessionJwt"].as_str().unwrap());
    assert_eq!(c["sub"], id);
    assert_eq!(c["iss"], format!("http://emulator.test/{}", p.id));
    assert_eq!(c["drn"], "DS");
    assert_eq!(c["roles"], json!(["reader"]));
    assert_eq!(c["permissions"], json!(["read"]));
    assert_eq!(c["tenants"][&tenant], json!({"roles": ["reader"], "permissions": ["read"]}));
    assert_eq!(c["team"], "infra");
    assert_eq!(c["nsec"], json!({"k": "v"}));
    assert_eq!(c["dct"], tenant);
    assert_eq!(b["expiration"], c["exp"]);
    // the session JWT validates
    let v = app.post("/v1/auth/validate", Some(&p.with(b["sessionJwt"].as_str().unwrap())), json!({})).await;
    v.assert_ok();
    // an empty body works too
    exchange(&app, &p, &cleartext, json!({})).await.assert_ok();

    // rotate: new cleartext works, old one does not
    let r = app.post("/v1/mgmt/accesskey/rotate", Some(&p.mgmt()), json!({"id": id})).await;
    let rotated = r.assert_ok()["cleartext"].as_str().unwrap().to_owned();
    exchange(&app, &p, &cleartext, json!({})).await.assert_error(401, "E062803");
    exchange(&app, &p, &rotated, json!({})).await.assert_ok();

    // delete, then load fails
    assert_eq!(
        app.post("/v1/mgmt/accesskey/delete", Some(&p.mgmt()), json!({"id": id})).await.assert_ok(),
        &json!({})
    );
    app.get(&format!("/v1/mgmt/accesskey?id={id}"), Some(&p.mgmt())).await.assert_error(404, "E011008");
    exchange(&app, &p, &rotated, json!({})).await.assert_error(401, "E062803");
}

#[tokio::test]
async fn deactivated_expired_unknown_and_missing_keys_are_refused() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let (key, cleartext) = create_key(&app, &p, json!({"name": "a"})).await;
    let id = key["id"].as_str().unwrap();

    app.post("/v1/mgmt/accesskey/deactivate", Some(&p.mgmt()), json!({"id": id})).await.assert_ok();
    let loaded = app.get(&format!("/v1/mgmt/accesskey?id={id}"), Some(&p.mgmt())).await;
    assert_eq!(loaded.assert_ok()["key"]["status"], "inactive");
    exchange(&app, &p, &cleartext, json!({})).await.assert_error(401, "E062803");
    app.post("/v1/mgmt/accesskey/activate/batch", Some(&p.mgmt()), json!({"ids": [id]})).await.assert_ok();
    exchange(&app, &p, &cleartext, json!({})).await.assert_ok();

    exchange(&app, &p, "nosuchkey", json!({})).await.assert_error(401, "E062803");
    app.post("/v1/auth/accesskey/exchange", Some(&p.bearer()), json!({})).await.assert_error(401, "E062802");

    // expiry by the emulator clock; expireTime as a numeric string
    let now = app.clock_now().await;
    let (key, cleartext) =
        create_key(&app, &p, json!({"name": "b", "expireTime": (now + 60).to_string()})).await;
    assert_eq!(key["expireTime"], now + 60);
    exchange(&app, &p, &cleartext, json!({})).await.assert_ok();
    app.advance_clock(61).await;
    exchange(&app, &p, &cleartext, json!({})).await.assert_error(401, "E062803");
    let loaded =
        app.get(&format!("/v1/mgmt/accesskey?id={}", key["id"].as_str().unwrap()), Some(&p.mgmt())).await;
    assert_eq!(loaded.assert_ok()["key"]["status"], "expired");
    app.reset_clock().await;

    // unknown key for management calls; missing name
    app.post("/v1/mgmt/accesskey/deactivate", Some(&p.mgmt()), json!({"id": "K2nope"}))
        .await
        .assert_error(404, "E011008");
    app.post("/v1/mgmt/accesskey/create", Some(&p.mgmt()), json!({"name": ""}))
        .await
        .assert_error(400, "E011002");
}

#[tokio::test]
async fn permitted_ips_restrict_the_exchange() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let (_, cleartext) = create_key(&app, &p, json!({"name": "ip", "permittedIps": ["10.0.0.0/8"]})).await;
    // no X-Forwarded-For: 127.0.0.1, not permitted
    exchange(&app, &p, &cleartext, json!({})).await.assert_error(401, "E062803");
    let send = |ip: &'static str| {
        Request::builder()
            .method("POST")
            .uri("/v1/auth/accesskey/exchange")
            .header("authorization", format!("Bearer {}", p.with(&cleartext)))
            .header("x-forwarded-for", ip)
            .body(Body::from("{}"))
            .unwrap()
    };
    app.call(send("10.1.2.3, 192.168.0.1")).await.assert_ok();
    app.call(send("11.1.2.3")).await.assert_error(401, "E062803");
}

#[tokio::test]
async fn management_keys_work_at_once_and_stop_when_deleted() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let r = app
        .put("/v1/mgmt/managementkey", Some(&p.mgmt()), &json!({"name": "second", "description": "d"}))
        .await;
    let b = r.assert_ok().clone();
    let secret = b["cleartext"].as_str().unwrap().to_owned();
    let id = b["key"]["id"].as_str().unwrap().to_owned();
    assert_eq!(b["key"]["status"], "active");
    assert_eq!(b["key"]["description"], "d");
    let second = p.with(&secret);
    app.get("/v1/mgmt/managementkey/search", Some(&second)).await.assert_ok();
    let all = app.get("/v1/mgmt/managementkey/search", Some(&p.mgmt())).await;
    assert_eq!(all.assert_ok()["keys"].as_array().unwrap().len(), 2);
    let loaded = app.get(&format!("/v1/mgmt/managementkey?id={id}"), Some(&p.mgmt())).await;
    assert_eq!(loaded.assert_ok()["key"]["name"], "second");
    assert!(loaded.body.get("cleartext").is_none());

    // deactivate, then reactivate
    let patch = |status: &str| json!({"id": id, "status": status});
    let r = app.patch("/v1/mgmt/managementkey", Some(&p.mgmt()), &patch("inactive")).await;
    assert_eq!(r.assert_ok()["key"]["status"], "inactive");
    app.get("/v1/mgmt/managementkey/search", Some(&second)).await.assert_error(401, "E011103");
    app.patch("/v1/mgmt/managementkey", Some(&p.mgmt()), &patch("active")).await.assert_ok();
    app.get("/v1/mgmt/managementkey/search", Some(&second)).await.assert_ok();

    let r = app.post("/v1/mgmt/managementkey/delete", Some(&p.mgmt()), json!({"ids": [id, "MKnope"]})).await;
    assert_eq!(r.assert_ok()["total"], 1);
    app.get("/v1/mgmt/managementkey/search", Some(&second)).await.assert_error(401, "E011103");
    app.get("/v1/mgmt/managementkey?id=MKnope", Some(&p.mgmt())).await.assert_error(404, "E011008");
}
