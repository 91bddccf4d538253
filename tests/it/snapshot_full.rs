//! The snapshot holds the project's whole state: access keys (hashed), custom attribute
//! declarations, tenant settings, recovery addresses and consent, password state and history,
//! recovery codes, security answers, passkeys, role and permission IDs. GET, PUT into a fresh
//! project, GET again: the same (but for the project ID).

use serde_json::{json, Value};

use crate::harness::{TestApp, TestProject};

const PW: &str = "WASD+ijkl";

async fn ok(app: &TestApp, p: &TestProject, path: &str, body: Value) -> Value {
    app.post(path, Some(&p.mgmt()), body).await.assert_ok().clone()
}

/// Every kind of project data, made over the API.
async fn populate(app: &TestApp, p: &TestProject) {
    ok(app, p, "/v1/mgmt/permission/create", json!({"name": "read", "description": "Read"})).await;
    ok(app, p, "/v1/mgmt/role/create", json!({"name": "member", "permissionNames": ["read"]})).await;
    ok(app, p, "/v1/mgmt/tenant/create", json!({"name": "Acme", "id": "acme", "enforceSSO": true})).await;
    ok(app, p, "/v1/mgmt/tenant/updateDefaultRoles", json!({"id": "acme", "defaultRoles": ["member"]})).await;
    ok(
        app,
        p,
        "/v1/mgmt/tenant/settings",
        json!({"tenantId": "acme", "sessionTokenExpiration": 30, "sessionTokenExpirationUnit": "minutes",
               "domains": ["acme.io"]}),
    )
    .await;
    ok(
        app,
        p,
        "/v1/mgmt/user/customattribute/create",
        json!({"attributes": [{"name": "tier", "type": 4, "displayName": "Tier",
                               "options": [{"value": "gold", "label": "Gold"}]}]}),
    )
    .await;
    ok(app, p, "/v1/mgmt/accesskey/create", json!({"name": "ci", "roleNames": ["member"], "expireTime": 0}))
        .await;

    // a user with a password, recovery addresses, consent, passkeys
    ok(
        app,
        p,
        "/v1/mgmt/user/create",
        json!({"loginId": "pat@example.com", "userTenants": [{"tenantId": "acme", "roleNames": ["member"]}]}),
    )
    .await;
    ok(app, p, "/v1/mgmt/user/password/set/temporary", json!({"loginId": "pat@example.com", "password": PW}))
        .await;
    ok(
        app,
        p,
        "/v1/mgmt/user/update/recovery/email",
        json!({"loginId": "pat@example.com", "recoveryEmail": "r@example.com", "verified": true}),
    )
    .await;
    ok(
        app,
        p,
        "/v1/mgmt/user/update/impersonationConsent",
        json!({"loginId": "pat@example.com", "impersonationConsent": 3600}),
    )
    .await;
    ok(
        app,
        p,
        "/v1/mgmt/user/passkeys/import",
        json!({"loginId": "pat@example.com", "devices": [
            {"descope": {"credentialId": "cred-1", "rpId": "example.com", "publicKey": "pQECAyYgASFYIA==",
                         "transports": ["internal"]}}]}),
    )
    .await;

    // a signed-up user with recovery codes, security answers and a password history
    let jwt = app.sign_up_with_otp(p, "sam@example.com").await;
    let refresh = jwt["refreshJwt"].as_str().unwrap();
    app.post("/v1/auth/recovery-codes", Some(&p.with(refresh)), json!({"loginId": "sam@example.com"}))
        .await
        .assert_ok();
    app.post(
        "/v1/auth/security-questions/setup",
        Some(&p.with(refresh)),
        json!({"loginId": "sam@example.com", "answers": [{"id": "pet", "answer": "Rex"}]}),
    )
    .await
    .assert_ok();
    ok(app, p, "/v1/mgmt/user/password/set/active", json!({"loginId": "sam@example.com", "password": PW}))
        .await;
    ok(
        app,
        p,
        "/v1/mgmt/user/password/set/active",
        json!({"loginId": "sam@example.com", "password": "QWER+asdf"}),
    )
    .await;
}

fn without_project_id(mut v: Value) -> Value {
    v.as_object_mut().unwrap().remove("projectId");
    v
}

#[tokio::test]
async fn snapshot_holds_and_restores_the_whole_state() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    populate(&app, &p).await;
    let snap = app.export_snapshot(&p.id).await;

    // what is in it
    let key = &snap["accessKeys"][0];
    assert_eq!(key["name"], "ci");
    assert!(key["secretHash"].as_str().is_some_and(|h| !h.is_empty()));
    assert!(key.get("cleartext").is_none());
    assert_eq!(key["roleNames"], json!(["member"]));
    assert_eq!(snap["customAttributes"][0]["name"], "tier");
    assert_eq!(snap["customAttributes"][0]["options"], json!([{"value": "gold", "label": "Gold"}]));
    let tenant = &snap["tenants"][0];
    assert_eq!(tenant["settings"]["enforceSSO"], true, "{tenant}");
    assert_eq!(tenant["settings"]["defaultRoles"], json!(["member"]), "{tenant}");
    assert!(snap["roles"][0]["id"].as_str().is_some_and(|i| !i.is_empty()));
    assert!(snap["permissions"][0]["id"].as_str().is_some_and(|i| !i.is_empty()));
    let users = snap["users"].as_array().unwrap();
    let pat = users.iter().find(|u| u["loginIds"] == json!(["pat@example.com"])).unwrap();
    assert_eq!(pat["recoveryEmail"], "r@example.com");
    assert_eq!(pat["verifiedRecoveryEmail"], true);
    assert!(pat["consentExpiration"].as_i64().unwrap() > 0);
    assert_eq!(pat["passwordCredential"]["temporary"], true);
    assert_eq!(pat["passkeys"][0]["credentialId"], "cred-1");
    let sam = users.iter().find(|u| u["loginIds"] == json!(["sam@example.com"])).unwrap();
    assert!(!sam["recoveryCodes"].as_array().unwrap().is_empty(), "{sam}");
    assert_eq!(sam["securityAnswers"][0]["questionId"], "pet");
    assert!(sam["securityAnswers"][0]["answerHash"].as_str().is_some_and(|h| h != "Rex"));
    assert!(!sam["passwordHistory"].as_array().unwrap().is_empty(), "{sam}");

    // into a fresh project and back out: the same
    let q = app.new_project().await;
    let mut moved = snap.clone();
    moved["projectId"] = json!(q.id);
    app.put_snapshot(&q.id, &moved).await.assert_ok();
    let copy = app.export_snapshot(&q.id).await;
    assert_eq!(without_project_id(copy), without_project_id(snap.clone()));

    // and the restored state works: the access key exchanges, sam's old password is refused
    // as a reuse only if history is kept, pat's temporary password must be replaced
    let r = app
        .post(
            "/v1/auth/password/signin",
            Some(&q.bearer()),
            json!({"loginId": "pat@example.com", "password": PW}),
        )
        .await;
    assert!(r.status.is_client_error(), "a temporary password signed in: {}", r.text);
    let r = app
        .post(
            "/v1/auth/password/signin",
            Some(&q.bearer()),
            json!({"loginId": "sam@example.com", "password": "QWER+asdf"}),
        )
        .await;
    r.assert_ok();

    // a fixture-style merge of the same snapshot again changes nothing
    app.put_snapshot(&q.id, &moved).await.assert_ok();
    assert_eq!(without_project_id(app.export_snapshot(&q.id).await), without_project_id(snap));
}

#[tokio::test]
async fn old_snapshots_without_the_new_fields_still_load() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let old = json!({
        "permissions": [{"name": "read", "description": ""}],
        "roles": [{"name": "viewer", "permissionNames": ["read"]}],
        "tenants": [{"id": "T1", "name": "One", "selfProvisioningDomains": [], "customAttributes": {}}],
        "users": [{"userId": "U2old", "loginIds": ["old@example.com"], "password": PW}],
    });
    app.put_snapshot(&p.id, &old).await.assert_ok();
    let snap = app.export_snapshot(&p.id).await;
    assert_eq!(snap["accessKeys"], json!([]));
    assert_eq!(snap["customAttributes"], json!([]));
    assert!(snap["tenants"][0].get("settings").is_none());
    assert!(snap["users"][0].get("passwordCredential").is_none());
    assert!(snap["users"][0].get("recoveryCodes").is_none());
    app.post(
        "/v1/auth/password/signin",
        Some(&p.bearer()),
        json!({"loginId": "old@example.com", "password": PW}),
    )
    .await
    .assert_ok();
}

#[tokio::test]
async fn merging_a_full_snapshot_twice_is_merging_it_once() {
    use descope_emulator::fixtures::{import, Apply, ProjectSnapshot};
    let app = TestApp::new().await;
    let p = app.new_project().await;
    populate(&app, &p).await;
    let mut snap: ProjectSnapshot = serde_json::from_value(app.export_snapshot(&p.id).await).unwrap();
    snap.project_id = "P2mergedmergedmergedmerged01".into();
    import(&app.state, &snap, Apply::Merge).await.unwrap();
    let once = app.export_snapshot(&snap.project_id).await;
    import(&app.state, &snap, Apply::Merge).await.unwrap();
    assert_eq!(app.export_snapshot(&snap.project_id).await, once);
    assert_eq!(without_project_id(once), without_project_id(app.export_snapshot(&p.id).await));
}

#[tokio::test]
async fn a_fixture_without_keys_makes_a_project_that_takes_one_on_first_use() {
    use descope_emulator::fixtures::{import, Apply, ProjectSnapshot};
    let app = TestApp::new().await;
    let snap: ProjectSnapshot = serde_json::from_value(json!({
        "projectId": "P2fixturewithoutkeys00000001",
        "managementKeys": [{"key": "K2fixturewithoutkeysmanagementkey0000001"}],
        "users": [{"loginIds": ["kim@example.com"], "email": "kim@example.com"}]
    }))
    .unwrap();
    import(&app.state, &snap, Apply::Merge).await.unwrap();
    let exported = app.export_snapshot(&snap.project_id).await;
    assert_eq!(exported["signingKeys"].as_array().unwrap().len(), 1, "{exported}");
    let p = crate::harness::TestProject {
        id: snap.project_id.clone(),
        management_key: "K2fixturewithoutkeysmanagementkey0000001".into(),
    };
    let signed = app.sign_up_with_otp(&p, "lee@example.com").await;
    assert!(signed["sessionJwt"].as_str().unwrap().starts_with("ey"));
    // The key does not change once taken.
    assert_eq!(app.export_snapshot(&snap.project_id).await["signingKeys"], exported["signingKeys"]);
}
