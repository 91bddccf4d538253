//! Management JWTs: jwt/update, impersonation, mgmt sign-in/up, anonymous.

use serde_json::{json, Value};

use crate::harness::{claims, TestApp};

#[tokio::test]
async fn update_merges_claims_and_still_validates() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let auth = app.sign_up_with_otp(&p, "jwt@example.com").await;
    let session = auth["sessionJwt"].as_str().unwrap();
    let before = claims(session);
    let r = app
        .post(
            "/v1/mgmt/jwt/update",
            Some(&p.mgmt()),
            json!({"jwt": session, "customClaims": {"plan": "gold", "sub": "hijack"}, "refreshDuration": 0}),
        )
        .await;
    let jwt = r.assert_ok()["jwt"].as_str().unwrap().to_owned();
    let after = claims(&jwt);
    assert_eq!(after["plan"], "gold");
    assert_eq!(after["sub"], before["sub"]);
    assert_eq!(after["exp"], before["exp"]);
    app.post("/v1/auth/validate", Some(&p.with(&jwt)), json!({})).await.assert_ok();

    let r = app
        .post(
            "/v1/mgmt/jwt/update",
            Some(&p.mgmt()),
            json!({"jwt": session, "customClaims": {}, "refreshDuration": 60}),
        )
        .await;
    let c = claims(r.assert_ok()["jwt"].as_str().unwrap());
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 60);

    // a JWT of another project is refused
    let other = app.new_project().await;
    app.post("/v1/mgmt/jwt/update", Some(&other.mgmt()), json!({"jwt": session, "customClaims": {}}))
        .await
        .assert_error(401, "E061005");
    app.post("/v1/mgmt/jwt/update", Some(&p.mgmt()), json!({"customClaims": {}}))
        .await
        .assert_error(400, "E011002");
}

#[tokio::test]
async fn impersonation_needs_the_permission_and_carries_act() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let (admin_id, target_id) = app.create_impersonator_and_target(&p).await;

    let body = json!({"impersonatorId": "admin@example.com", "loginId": "t@example.com", "validateConsent": false,
                      "customClaims": {"why": "support"}});
    let r = app.post("/v1/mgmt/impersonate", Some(&p.mgmt()), body).await;
    let jwt = r.assert_ok()["jwt"].as_str().unwrap().to_owned();
    let c = claims(&jwt);
    assert_eq!(c["sub"], target_id);
    assert_eq!(c["act"], json!({"sub": admin_id}));
    assert_eq!(c["why"], "support");
    // it is a refresh JWT of the impersonated user
    let refreshed = app.post("/v1/auth/refresh", Some(&p.with(&jwt)), json!({})).await;
    assert_eq!(claims(refreshed.assert_ok()["sessionJwt"].as_str().unwrap())["sub"], target_id);

    let r = app.post("/v1/mgmt/stop/impersonation", Some(&p.mgmt()), json!({"jwt": jwt})).await;
    let back = claims(r.assert_ok()["jwt"].as_str().unwrap());
    assert_eq!(back["sub"], admin_id);
    assert!(back.get("act").is_none());

    // without the permission
    let r = app
        .post(
            "/v1/mgmt/impersonate",
            Some(&p.mgmt()),
            json!({"impersonatorId": "t@example.com", "loginId": "admin@example.com"}),
        )
        .await;
    r.assert_error(403, "E112104");
}

#[tokio::test]
async fn mgmt_sign_up_sign_in_and_anonymous() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let r = app
        .post(
            "/v1/mgmt/auth/signup",
            Some(&p.mgmt()),
            json!({"loginId": "m@example.com", "user": {"name": "M"}, "customClaims": {"x": 1}}),
        )
        .await;
    let b = r.assert_ok();
    assert_eq!(b["firstSeen"], true);
    assert_eq!(b["user"]["name"], "M");
    assert_eq!(claims(b["sessionJwt"].as_str().unwrap())["x"], 1);
    app.post("/v1/mgmt/auth/signup", Some(&p.mgmt()), json!({"loginId": "m@example.com"}))
        .await
        .assert_error(400, "E062107");
    let r = app.post("/v1/mgmt/auth/signin", Some(&p.mgmt()), json!({"loginId": "m@example.com"})).await;
    assert_eq!(r.assert_ok()["firstSeen"], false);
    app.post("/v1/mgmt/auth/signin", Some(&p.mgmt()), json!({"loginId": "nobody@example.com"}))
        .await
        .assert_error(400, "E062108");
    app.post("/v1/mgmt/auth/signup-in", Some(&p.mgmt()), json!({"loginId": "n@example.com"}))
        .await
        .assert_ok();
    app.post("/v1/mgmt/auth/signup-in", Some(&p.mgmt()), json!({"loginId": "n@example.com"}))
        .await
        .assert_ok();

    let r = app.post("/v1/mgmt/auth/anonymous", Some(&p.mgmt()), json!({"customClaims": {"a": "b"}})).await;
    let b = r.assert_ok();
    let c = claims(b["sessionJwt"].as_str().unwrap());
    assert_eq!(c["danu"], true);
    assert_eq!(c["a"], "b");
    assert!(b["refreshJwt"].is_string());
    assert_eq!(b["cookiePath"], "/");
    app.post("/v1/auth/validate", Some(&p.with(b["sessionJwt"].as_str().unwrap())), json!({}))
        .await
        .assert_ok();
}

#[tokio::test]
async fn impersonation_needs_impersonate_at_project_level_or_in_the_targets_tenant() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let m = p.mgmt();
    app.create_tenant(&p, json!({"name": "Acme", "id": "T1"})).await;
    app.create_tenant(&p, json!({"name": "Beta", "id": "T2"})).await;
    let in_tenants = |login: &str, tenants: Value| json!({"loginId": login, "userTenants": tenants});
    // Tenant Admin of T1: the built-in role holds Impersonate there.
    app.create_user(
        &p,
        in_tenants(
            "ta@example.com",
            json!([{"tenantId": "T1", "roleNames": ["Tenant Admin"]}, {"tenantId": "T2"}]),
        ),
    )
    .await;
    app.create_user(&p, in_tenants("a@example.com", json!([{"tenantId": "T1"}, {"tenantId": "T2"}]))).await;
    app.create_user(&p, in_tenants("b@example.com", json!([{"tenantId": "T2"}]))).await;
    app.create_user(&p, json!({"loginId": "plain@example.com"})).await;
    let impersonate = |actor: &str, target: &str, tenant: &str| {
        app.post(
            "/v1/mgmt/impersonate",
            Some(&m),
            json!({"impersonatorId": actor, "loginId": target, "selectedTenant": tenant}),
        )
    };
    // a user of T1, alone or with T1 selected
    let r = impersonate("ta@example.com", "a@example.com", "").await;
    assert!(r.assert_ok()["jwt"].is_string());
    let r = impersonate("ta@example.com", "a@example.com", "T1").await;
    assert_eq!(claims(r.assert_ok()["jwt"].as_str().unwrap())["dct"], "T1");
    // not with another tenant selected, nor users outside T1, nor without the permission
    impersonate("ta@example.com", "a@example.com", "T2").await.assert_error(403, "E112104");
    impersonate("ta@example.com", "b@example.com", "").await.assert_error(403, "E112104");
    impersonate("ta@example.com", "plain@example.com", "").await.assert_error(403, "E112104");
    impersonate("a@example.com", "b@example.com", "").await.assert_error(403, "E112104");

    // Impersonate at project level reaches every user.
    app.post(
        "/v1/mgmt/role/create",
        Some(&m),
        json!({"name": "support", "permissionNames": ["Impersonate"]}),
    )
    .await
    .assert_ok();
    app.post(
        "/v1/mgmt/user/update/role/add",
        Some(&m),
        json!({"loginId": "a@example.com", "roleNames": ["support"]}),
    )
    .await
    .assert_ok();
    impersonate("a@example.com", "b@example.com", "").await.assert_ok();
    impersonate("a@example.com", "plain@example.com", "").await.assert_ok();
    impersonate("a@example.com", "b@example.com", "T2").await.assert_ok();
}
