//! Management user changes: `/v1/mgmt/user/update`, `PATCH /v1/mgmt/user/patch`, the
//! `/update/*` family, the batch forms, `/v1/mgmt/users/load` and custom attribute
//! declarations.

use serde_json::{json, Value};

use crate::harness::{TestApp, TestProject, TestResponse};

async fn post(app: &TestApp, p: &TestProject, path: &str, body: Value) -> TestResponse {
    app.post(path, Some(&p.mgmt()), body).await
}

async fn patch(app: &TestApp, p: &TestProject, path: &str, body: Value) -> TestResponse {
    app.patch(path, Some(&p.mgmt()), &body).await
}

/// Calls an update endpoint and returns the `user` of `{"user"}`.
async fn update(app: &TestApp, p: &TestProject, path: &str, body: Value) -> Value {
    let r = post(app, p, path, body).await;
    let b = r.assert_ok();
    assert_eq!(b.as_object().unwrap().len(), 1, "only `user` expected: {b}");
    b["user"].clone()
}

/// Signs an existing user in by email OTP and returns the refresh JWT.
async fn sign_in(app: &TestApp, p: &TestProject, email: &str) -> String {
    app.sign_in_with_otp(p, email).await["refreshJwt"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn update_replaces_the_whole_user() {
    let (app, p) = TestApp::with_project().await;
    app.create_role(&p, "viewer", "").await;
    app.create_role(&p, "editor", "").await;
    let before = app
        .create_user(
            &p,
            json!({"loginId": "ann@example.com", "displayName": "Ann", "phone": "+15555550101",
               "roleNames": ["viewer"], "customAttributes": {"plan": "pro"}, "picture": "http://p/1"}),
        )
        .await;
    // Python spelling: displayName, ssoAppIDs, explicit nulls
    let u = update(
        &app,
        &p,
        "/v1/mgmt/user/update",
        json!({"loginId": "ann@example.com", "email": "ann@new.example.com", "phone": null,
               "displayName": "Ann Lee", "roleNames": ["editor"], "userTenants": [],
               "customAttributes": null, "picture": null, "additionalLoginIds": null,
               "ssoAppIDs": ["app1"], "test": false, "verifiedEmail": true}),
    )
    .await;
    assert_eq!(u["userId"], before["userId"]);
    assert_eq!(u["email"], "ann@new.example.com");
    assert_eq!(u["verifiedEmail"], true);
    assert_eq!(u["phone"], "");
    assert_eq!(u["name"], "Ann Lee");
    assert_eq!(u["roleNames"], json!(["editor"]));
    assert_eq!(u["customAttributes"], json!({}));
    assert_eq!(u["picture"], "");
    assert_eq!(u["ssoAppIds"], json!(["app1"]));
    assert_eq!(u["loginIds"], json!(["ann@example.com"]));
    // the change is stored
    let loaded = app.get("/v1/mgmt/user?loginId=ann%40example.com", Some(&p.mgmt())).await;
    assert_eq!(loaded.assert_ok()["user"], u);

    post(&app, &p, "/v1/mgmt/user/update", json!({"loginId": "nobody@example.com", "displayName": "X"}))
        .await
        .assert_error(400, "E112102");
    post(&app, &p, "/v1/mgmt/user/update", json!({"loginId": "ann@example.com", "roleNames": ["ghost"]}))
        .await
        .assert_error(400, "E011004");
}

#[tokio::test]
async fn patch_changes_only_the_given_fields() {
    let (app, p) = TestApp::with_project().await;
    app.create_role(&p, "viewer", "").await;
    let before = app
        .create_user(
            &p,
            json!({"loginId": "bob@example.com", "displayName": "Bob", "givenName": "Bob",
               "phone": "+15555550102", "customAttributes": {"plan": "free", "seats": 1}}),
        )
        .await;
    // Python / Node: displayName
    let r =
        patch(&app, &p, "/v1/mgmt/user/patch", json!({"loginId": "bob@example.com", "displayName": "Bobby"}))
            .await;
    let u = r.assert_ok()["user"].clone();
    assert_eq!(u["name"], "Bobby");
    assert_eq!(u["givenName"], "Bob");
    assert_eq!(u["phone"], "+15555550102");
    // Go: `name`, a user ID in loginId, additionalLoginIds, ssoAppIds
    let id = before["userId"].as_str().unwrap();
    let r = patch(
        &app,
        &p,
        "/v1/mgmt/user/patch",
        json!({"loginId": id, "name": "Robert", "roleNames": ["viewer"], "ssoAppIds": ["a1"],
               "additionalLoginIds": ["bobby"], "customAttributes": {"plan": "pro"}, "status": "disabled"}),
    )
    .await;
    let u = r.assert_ok()["user"].clone();
    assert_eq!(u["name"], "Robert");
    assert_eq!(u["roleNames"], json!(["viewer"]));
    assert_eq!(u["ssoAppIds"], json!(["a1"]));
    assert_eq!(u["loginIds"], json!(["bob@example.com", "bobby"]));
    assert_eq!(u["customAttributes"], json!({"plan": "pro", "seats": 1}));
    assert_eq!(u["status"], "disabled");
    assert_eq!(u["givenName"], "Bob");
    // Node: additionalIdentifiers
    let r = patch(&app, &p, "/v1/mgmt/user/patch", json!({"loginId": "bobby", "additionalIdentifiers": []}))
        .await;
    assert_eq!(r.assert_ok()["user"]["loginIds"], json!(["bobby"]));

    patch(&app, &p, "/v1/mgmt/user/patch", json!({"loginId": "nobody", "name": "X"}))
        .await
        .assert_error(400, "E112102");
    patch(&app, &p, "/v1/mgmt/user/patch", json!({"loginId": "bobby", "email": "not-an-email"}))
        .await
        .assert_error(400, "E011004");
}

#[tokio::test]
async fn patch_batch_reports_each_user() {
    let (app, p) = TestApp::with_project().await;
    app.create_user(&p, json!({"loginId": "c1@example.com"})).await;
    app.create_user(&p, json!({"loginId": "c2@example.com"})).await;
    let r = patch(
        &app,
        &p,
        "/v1/mgmt/user/patch/batch",
        json!({"users": [
            {"loginId": "c1@example.com", "displayName": "One"},
            {"loginId": "c2@example.com", "roleNames": ["ghost"]},
            {"loginId": "nobody@example.com", "displayName": "X"},
        ]}),
    )
    .await;
    let b = r.assert_ok();
    assert_eq!(b["patchedUsers"].as_array().unwrap().len(), 1);
    assert_eq!(b["patchedUsers"][0]["name"], "One");
    let failed = b["failedUsers"].as_array().unwrap();
    assert_eq!(failed.len(), 2);
    assert!(failed[0]["failure"].as_str().unwrap().contains("ghost"));
    assert_eq!(failed[0]["user"]["loginIds"], json!(["c2@example.com"]));
    assert_eq!(failed[1]["user"]["loginIds"], json!(["nobody@example.com"]));
    // a refused entry changes nothing
    let c2 = app.get("/v1/mgmt/user?loginId=c2%40example.com", Some(&p.mgmt())).await;
    assert_eq!(c2.assert_ok()["user"]["roleNames"], json!([]));

    patch(&app, &p, "/v1/mgmt/user/patch/batch", json!({"users": "x"})).await.assert_error(400, "E011001");
}

#[tokio::test]
async fn create_batch_creates_and_reports_failures() {
    let (app, p) = TestApp::with_project().await;
    app.create_user(&p, json!({"loginId": "taken@example.com"})).await;
    // Go: null arrays and "" strings
    let r = post(
        &app,
        &p,
        "/v1/mgmt/user/create/batch",
        json!({"users": [
            {"loginId": "d1@example.com", "displayName": "D1", "roleNames": null, "userTenants": null,
             "phone": "", "ssoAppIDs": null, "additionalLoginIds": null, "password": "Secret-Pass-1"},
            {"loginId": "taken@example.com"},
            {"loginId": "+15555550103", "name": "D2"},
        ], "invite": true}),
    )
    .await;
    let b = r.assert_ok();
    let created = b["createdUsers"].as_array().unwrap();
    assert_eq!(created.len(), 2);
    assert_eq!(created[0]["loginIds"], json!(["d1@example.com"]));
    assert_eq!(created[0]["status"], "invited");
    assert_eq!(created[0]["password"], true);
    assert_eq!(created[1]["phone"], "+15555550103");
    assert_eq!(created[1]["name"], "D2");
    let failed = b["failedUsers"].as_array().unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["user"]["loginIds"], json!(["taken@example.com"]));
    assert!(failed[0]["failure"].is_string());
    assert_eq!(b["additionalErrors"], json!({}));

    let r = post(&app, &p, "/v1/mgmt/user/create/batch", json!({"users": [{}]})).await;
    assert!(r.assert_ok()["failedUsers"][0]["failure"].as_str().unwrap().contains("loginId"), "{}", r.text);
    post(&app, &p, "/v1/mgmt/user/create/batch", json!({"users": {}})).await.assert_error(400, "E011001");
}

#[tokio::test]
async fn delete_batch_and_load_users() {
    let (app, p) = TestApp::with_project().await;
    let a = app.create_user(&p, json!({"loginId": "e1@example.com"})).await["userId"]
        .as_str()
        .unwrap()
        .to_owned();
    let b = app.create_user(&p, json!({"loginId": "e2@example.com"})).await["userId"]
        .as_str()
        .unwrap()
        .to_owned();
    let c = app.create_user(&p, json!({"loginId": "e3@example.com", "status": "disabled"})).await["userId"]
        .as_str()
        .unwrap()
        .to_owned();

    let r = post(&app, &p, "/v1/mgmt/users/load", json!({"userIds": [&a, &c, "U2unknown"]})).await;
    let users = r.assert_ok()["users"].as_array().unwrap().clone();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["userId"], a);
    let r = post(&app, &p, "/v1/mgmt/users/load", json!({"userIds": [&a, &c], "includeInvalidUsers": true}))
        .await;
    assert_eq!(r.assert_ok()["users"].as_array().unwrap().len(), 2);
    assert_eq!(r.body["total"], 2);
    post(&app, &p, "/v1/mgmt/users/load", json!({"userIds": null})).await.assert_error(400, "E011002");

    let r = post(&app, &p, "/v1/mgmt/user/delete/batch", json!({"userIds": [&a, &b, "U2unknown"]})).await;
    assert_eq!(r.assert_ok(), &json!({}));
    let r =
        post(&app, &p, "/v1/mgmt/users/load", json!({"userIds": [&a, &b, &c], "includeInvalidUsers": true}))
            .await;
    assert_eq!(r.assert_ok()["users"].as_array().unwrap().len(), 1);
    post(&app, &p, "/v1/mgmt/user/delete/batch", json!({})).await.assert_error(400, "E011002");
}

#[tokio::test]
async fn update_email_and_phone() {
    let (app, p) = TestApp::with_project().await;
    app.create_user(&p, json!({"loginId": "f@example.com"})).await;
    let u = update(
        &app,
        &p,
        "/v1/mgmt/user/update/email",
        json!({"loginId": "f@example.com", "email": "f2@example.com", "verified": true, "failOnConflict": false}),
    )
    .await;
    assert_eq!(u["email"], "f2@example.com");
    assert_eq!(u["verifiedEmail"], true);
    assert_eq!(u["loginIds"], json!(["f@example.com"]));
    // Go always sends `verified`
    let u = update(
        &app,
        &p,
        "/v1/mgmt/user/update/phone",
        json!({"loginId": "f@example.com", "phone": "+15555550104", "verified": false, "failOnConflict": false}),
    )
    .await;
    assert_eq!(u["phone"], "+15555550104");
    assert_eq!(u["verifiedPhone"], false);
    post(&app, &p, "/v1/mgmt/user/update/email", json!({"loginId": "f@example.com", "email": "nope"}))
        .await
        .assert_error(400, "E011004");
    post(&app, &p, "/v1/mgmt/user/update/phone", json!({"loginId": "ghost", "phone": "+15555550104"}))
        .await
        .assert_error(400, "E112102");
}

#[tokio::test]
async fn update_login_id() {
    let (app, p) = TestApp::with_project().await;
    app.create_user(&p, json!({"loginId": "g@example.com", "additionalLoginIds": ["g-alt"]})).await;
    app.create_user(&p, json!({"loginId": "h@example.com"})).await;
    let path = "/v1/mgmt/user/update/loginid";
    let u = update(&app, &p, path, json!({"loginId": "g@example.com", "newLoginId": "g-new"})).await;
    assert_eq!(u["loginIds"], json!(["g-new", "g-alt"]));
    // empty newLoginId removes that login ID
    let u = update(&app, &p, path, json!({"loginId": "g-alt", "newLoginId": ""})).await;
    assert_eq!(u["loginIds"], json!(["g-new"]));
    // the last one cannot go
    post(&app, &p, path, json!({"loginId": "g-new", "newLoginId": null})).await.assert_error(400, "E011004");
    // taken by another user
    post(&app, &p, path, json!({"loginId": "g-new", "newLoginId": "h@example.com"}))
        .await
        .assert_error(400, "E062107");
    post(&app, &p, path, json!({"loginId": "ghost", "newLoginId": "x"})).await.assert_error(400, "E112102");
}

#[tokio::test]
async fn update_names_picture_and_recovery() {
    let (app, p) = TestApp::with_project().await;
    app.create_user(&p, json!({"loginId": "i@example.com", "displayName": "I", "givenName": "Ivy"})).await;
    let path = "/v1/mgmt/user/update/name";
    // Python / Node: displayName with the other names
    let u = update(
        &app,
        &p,
        path,
        json!({"loginId": "i@example.com", "displayName": "Ivy Q", "familyName": "Q"}),
    )
    .await;
    assert_eq!(
        (u["name"].as_str(), u["givenName"].as_str(), u["familyName"].as_str()),
        (Some("Ivy Q"), Some("Ivy"), Some("Q"))
    );
    // Go UpdateUserNames: the three names only, the display name stays
    let u = update(
        &app,
        &p,
        path,
        json!({"loginId": "i@example.com", "givenName": "Ives", "middleName": "M", "familyName": ""}),
    )
    .await;
    assert_eq!((u["name"].as_str(), u["givenName"].as_str()), (Some("Ivy Q"), Some("Ives")));
    assert_eq!((u["middleName"].as_str(), u["familyName"].as_str()), (Some("M"), Some("")));
    // OpenAPI spelling `name`
    let u = update(&app, &p, path, json!({"loginId": "i@example.com", "name": "Ivy R"})).await;
    assert_eq!(u["name"], "Ivy R");

    let u = update(
        &app,
        &p,
        "/v1/mgmt/user/update/picture",
        json!({"loginId": "i@example.com", "picture": "http://p/i"}),
    )
    .await;
    assert_eq!(u["picture"], "http://p/i");
    let u = update(
        &app,
        &p,
        "/v1/mgmt/user/update/recovery/email",
        json!({"loginId": "i@example.com", "recoveryEmail": "r@example.com", "verified": true}),
    )
    .await;
    assert_eq!(
        (u["recoveryEmail"].as_str(), u["verifiedRecoveryEmail"].as_bool()),
        (Some("r@example.com"), Some(true))
    );
    let u = update(
        &app,
        &p,
        "/v1/mgmt/user/update/recovery/phone",
        json!({"loginId": "i@example.com", "recoveryPhone": "+15555550105"}),
    )
    .await;
    assert_eq!(
        (u["recoveryPhone"].as_str(), u["verifiedRecoveryPhone"].as_bool()),
        (Some("+15555550105"), Some(false))
    );
    post(
        &app,
        &p,
        "/v1/mgmt/user/update/recovery/email",
        json!({"loginId": "i@example.com", "recoveryEmail": "bad"}),
    )
    .await
    .assert_error(400, "E011004");

    let u = update(
        &app,
        &p,
        "/v1/mgmt/user/update/impersonationConsent",
        json!({"loginId": "i@example.com", "impersonationConsent": 3600}),
    )
    .await;
    assert!(u["consentExpiration"].as_i64().unwrap() > 0);
    let u = update(
        &app,
        &p,
        "/v1/mgmt/user/update/impersonationConsent",
        json!({"loginId": "i@example.com", "impersonationConsent": 0}),
    )
    .await;
    assert_eq!(u["consentExpiration"], 0);
    post(&app, &p, "/v1/mgmt/user/update/picture", json!({"loginId": "", "picture": "x"}))
        .await
        .assert_error(400, "E011002");
}

#[tokio::test]
async fn disabled_user_cannot_sign_in_or_refresh() {
    let (app, p) = TestApp::with_project().await;
    app.create_user(&p, json!({"loginId": "j@example.com"})).await;
    let refresh = sign_in(&app, &p, "j@example.com").await;
    let path = "/v1/mgmt/user/update/status";
    let u = update(&app, &p, path, json!({"loginId": "j@example.com", "status": "disabled"})).await;
    assert_eq!(u["status"], "disabled");
    let r = app.post("/v1/auth/refresh", Some(&p.with(&refresh)), json!({})).await;
    assert!(r.status.is_client_error(), "refresh of a disabled user: {}", r.text);
    let r =
        app.post("/v1/auth/otp/signin/email", Some(&p.bearer()), json!({"loginId": "j@example.com"})).await;
    assert!(r.status.is_client_error(), "sign-in of a disabled user: {}", r.text);

    let u = update(&app, &p, path, json!({"loginId": "j@example.com", "status": "enabled"})).await;
    assert_eq!(u["status"], "enabled");
    sign_in(&app, &p, "j@example.com").await;

    post(&app, &p, path, json!({"loginId": "j@example.com", "status": "paused"}))
        .await
        .assert_error(400, "E011004");
    post(&app, &p, path, json!({"loginId": "j@example.com", "status": ""}))
        .await
        .assert_error(400, "E011002");
}

#[tokio::test]
async fn role_changes_show_in_the_next_refreshed_session() {
    let (app, p) = TestApp::with_project().await;
    app.create_role(&p, "viewer", "").await;
    app.create_role(&p, "editor", "").await;
    app.create_tenant(&p, json!({"name": "Tenant T1", "id": "T1"})).await;
    app.create_role(&p, "t-admin", "T1").await;
    app.create_user(&p, json!({"loginId": "k@example.com"})).await;
    let refresh = sign_in(&app, &p, "k@example.com").await;
    assert_eq!(app.refreshed_claims(&p, &refresh).await["roles"], json!([]));

    // Python / Node add roles through v2; Go's path is v1
    let u = update(
        &app,
        &p,
        "/v2/mgmt/user/update/role/add",
        json!({"loginId": "k@example.com", "roleNames": ["viewer"]}),
    )
    .await;
    assert_eq!(u["roleNames"], json!(["viewer"]));
    let u = update(
        &app,
        &p,
        "/v1/mgmt/user/update/role/add",
        json!({"loginId": "k@example.com", "roleNames": ["editor"]}),
    )
    .await;
    assert_eq!(u["roleNames"], json!(["editor", "viewer"]));
    let c = app.refreshed_claims(&p, &refresh).await;
    let mut roles: Vec<String> = serde_json::from_value(c["roles"].clone()).unwrap();
    roles.sort();
    assert_eq!(roles, ["editor", "viewer"]);

    let u = update(
        &app,
        &p,
        "/v1/mgmt/user/update/role/remove",
        json!({"loginId": "k@example.com", "roleNames": ["viewer"]}),
    )
    .await;
    assert_eq!(u["roleNames"], json!(["editor"]));
    let u = update(
        &app,
        &p,
        "/v1/mgmt/user/update/role/set",
        json!({"loginId": "k@example.com", "roleNames": ["viewer"]}),
    )
    .await;
    assert_eq!(u["roleNames"], json!(["viewer"]));

    // tenant roles: the user joins the tenant
    let u = update(
        &app,
        &p,
        "/v2/mgmt/user/update/role/add",
        json!({"loginId": "k@example.com", "tenantId": "T1", "roleNames": ["t-admin", "editor"]}),
    )
    .await;
    assert_eq!(u["userTenants"][0]["tenantId"], "T1");
    assert_eq!(u["userTenants"][0]["roleNames"], json!(["editor", "t-admin"]));
    assert_eq!(u["roleNames"], json!(["viewer"]));
    let c = app.refreshed_claims(&p, &refresh).await;
    assert_eq!(c["roles"], json!(["viewer"]));
    let mut t1: Vec<String> = serde_json::from_value(c["tenants"]["T1"]["roles"].clone()).unwrap();
    t1.sort();
    assert_eq!(t1, ["editor", "t-admin"]);

    // leaving the tenant drops its grants
    let u = update(
        &app,
        &p,
        "/v1/mgmt/user/update/tenant/remove",
        json!({"loginId": "k@example.com", "tenantId": "T1"}),
    )
    .await;
    assert_eq!(u["userTenants"], json!([]));
    let u = update(
        &app,
        &p,
        "/v1/mgmt/user/update/tenant/add",
        json!({"loginId": "k@example.com", "tenantId": "T1"}),
    )
    .await;
    assert_eq!(u["userTenants"][0]["roleNames"], json!([]));
    let c = app.refreshed_claims(&p, &refresh).await;
    assert_eq!(c["tenants"]["T1"]["roles"], json!([]));

    post(
        &app,
        &p,
        "/v1/mgmt/user/update/role/add",
        json!({"loginId": "k@example.com", "roleNames": ["ghost"]}),
    )
    .await
    .assert_error(400, "E011004");
    // a tenant's own role is not a project role
    post(
        &app,
        &p,
        "/v1/mgmt/user/update/role/set",
        json!({"loginId": "k@example.com", "roleNames": ["t-admin"]}),
    )
    .await
    .assert_error(400, "E011004");
    post(
        &app,
        &p,
        "/v1/mgmt/user/update/role/add",
        json!({"loginId": "k@example.com", "tenantId": "T9", "roleNames": ["viewer"]}),
    )
    .await
    .assert_error(400, "E011004");
    post(&app, &p, "/v1/mgmt/user/update/tenant/add", json!({"loginId": "k@example.com", "tenantId": "T9"}))
        .await
        .assert_error(400, "E011004");
    post(
        &app,
        &p,
        "/v1/mgmt/user/update/tenant/remove",
        json!({"loginId": "k@example.com", "tenantId": null}),
    )
    .await
    .assert_error(400, "E011002");
    post(&app, &p, "/v1/mgmt/user/update/role/set", json!({"loginId": "ghost", "roleNames": []}))
        .await
        .assert_error(400, "E112102");
}

#[tokio::test]
async fn sso_apps_add_set_remove() {
    let (app, p) = TestApp::with_project().await;
    app.create_user(&p, json!({"loginId": "l@example.com", "ssoAppIDs": ["a"]})).await;
    let u = update(
        &app,
        &p,
        "/v1/mgmt/user/update/ssoapp/add",
        json!({"loginId": "l@example.com", "ssoAppIds": ["b", "a"]}),
    )
    .await;
    assert_eq!(u["ssoAppIds"], json!(["a", "b"]));
    let u = update(
        &app,
        &p,
        "/v1/mgmt/user/update/ssoapp/remove",
        json!({"loginId": "l@example.com", "ssoAppIds": ["a"]}),
    )
    .await;
    assert_eq!(u["ssoAppIds"], json!(["b"]));
    let u = update(
        &app,
        &p,
        "/v1/mgmt/user/update/ssoapp/set",
        json!({"loginId": "l@example.com", "ssoAppIds": null}),
    )
    .await;
    assert_eq!(u["ssoAppIds"], json!([]));
    post(&app, &p, "/v1/mgmt/user/update/ssoapp/add", json!({"loginId": "ghost", "ssoAppIds": ["a"]}))
        .await
        .assert_error(400, "E112102");
}

#[tokio::test]
async fn custom_attributes_are_declared_and_enforced() {
    let (app, p) = TestApp::with_project().await;
    app.create_user(&p, json!({"loginId": "m@example.com"})).await;
    let path = "/v1/mgmt/user/update/customAttribute";
    // with nothing declared, any value is accepted
    let u = update(
        &app,
        &p,
        path,
        json!({"loginId": "m@example.com", "attributeKey": "free", "attributeValue": [1, 2]}),
    )
    .await;
    assert_eq!(u["customAttributes"], json!({"free": [1, 2]}));

    // Go / Node: numeric types and {value, label} options
    let r = post(
        &app,
        &p,
        "/v1/mgmt/user/customattribute/create",
        json!({"attributes": [
            {"name": "seats", "type": 2, "displayName": "Seats"},
            {"name": "tier", "type": 4, "options": [{"value": "gold", "label": "Gold"}, {"value": "silver", "label": "Silver"}]},
        ]}),
    )
    .await;
    assert_eq!(r.assert_ok()["data"].as_array().unwrap().len(), 2);
    // Python: a type name and plain options
    let r = post(
        &app,
        &p,
        "/v1/mgmt/user/customattribute/create",
        json!({"attributes": [{"name": "vip", "displayName": "VIP", "type": "boolean", "options": null}]}),
    )
    .await;
    let data = r.assert_ok()["data"].as_array().unwrap().clone();
    assert_eq!(data.len(), 3);
    let r = app.get("/v1/mgmt/user/customattributes", Some(&p.mgmt())).await;
    let listed = r.assert_ok()["data"].as_array().unwrap().clone();
    assert_eq!(listed, data);
    let tier = listed.iter().find(|a| a["name"] == "tier").unwrap();
    assert_eq!(tier["type"], 4);
    assert_eq!(
        tier["options"],
        json!([{"value": "gold", "label": "Gold"}, {"value": "silver", "label": "Silver"}])
    );
    assert_eq!(listed.iter().find(|a| a["name"] == "vip").unwrap()["type"], 3);

    let u = update(
        &app,
        &p,
        path,
        json!({"loginId": "m@example.com", "attributeKey": "seats", "attributeValue": 5}),
    )
    .await;
    assert_eq!(u["customAttributes"]["seats"], 5);
    update(
        &app,
        &p,
        path,
        json!({"loginId": "m@example.com", "attributeKey": "tier", "attributeValue": "gold"}),
    )
    .await;
    post(
        &app,
        &p,
        path,
        json!({"loginId": "m@example.com", "attributeKey": "seats", "attributeValue": "five"}),
    )
    .await
    .assert_error(400, "E011004");
    post(
        &app,
        &p,
        path,
        json!({"loginId": "m@example.com", "attributeKey": "tier", "attributeValue": "bronze"}),
    )
    .await
    .assert_error(400, "E011004");
    post(
        &app,
        &p,
        path,
        json!({"loginId": "m@example.com", "attributeKey": "undeclared", "attributeValue": "x"}),
    )
    .await
    .assert_error(400, "E011004");
    post(&app, &p, path, json!({"loginId": "m@example.com", "attributeKey": "", "attributeValue": "x"}))
        .await
        .assert_error(400, "E011002");
    patch(
        &app,
        &p,
        "/v1/mgmt/user/patch",
        json!({"loginId": "m@example.com", "customAttributes": {"vip": "yes"}}),
    )
    .await
    .assert_error(400, "E011004");
    post(
        &app,
        &p,
        "/v1/mgmt/user/create",
        json!({"loginId": "n@example.com", "customAttributes": {"seats": true}}),
    )
    .await
    .assert_error(400, "E011004");

    let r =
        post(&app, &p, "/v1/mgmt/user/customattribute/delete", json!({"names": ["vip", "unknown"]})).await;
    assert_eq!(r.assert_ok()["data"].as_array().unwrap().len(), 2);
    post(&app, &p, "/v1/mgmt/user/customattribute/create", json!({"attributes": [{"type": 1}]}))
        .await
        .assert_error(400, "E011002");
    post(
        &app,
        &p,
        "/v1/mgmt/user/customattribute/create",
        json!({"attributes": [{"name": "x", "type": 99}]}),
    )
    .await
    .assert_error(400, "E011004");
}

#[tokio::test]
async fn user_changes_are_audited() {
    let (app, p) = TestApp::with_project().await;
    let id =
        app.create_user(&p, json!({"loginId": "o@example.com"})).await["userId"].as_str().unwrap().to_owned();
    update(
        &app,
        &p,
        "/v1/mgmt/user/update/picture",
        json!({"loginId": "o@example.com", "picture": "http://p/o"}),
    )
    .await;
    post(&app, &p, "/v1/mgmt/user/delete/batch", json!({"userIds": [&id]})).await.assert_ok();
    let r = post(&app, &p, "/v1/mgmt/audit/search", json!({"userIds": [&id]})).await;
    let mut actions: Vec<String> = r.assert_ok()["audits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap().to_owned())
        .collect();
    actions.sort();
    assert_eq!(actions, ["UserCreated", "UserDeleted", "UserModified"]);
}

#[tokio::test]
async fn every_single_user_update_refuses_an_unknown_user() {
    let (app, p) = TestApp::with_project().await;
    let calls = [
        ("/v1/mgmt/user/update", json!({"displayName": "X"})),
        ("/v1/mgmt/user/update/email", json!({"email": "x@example.com", "verified": false})),
        ("/v1/mgmt/user/update/phone", json!({"phone": "+15555550106", "verified": false})),
        ("/v1/mgmt/user/update/loginid", json!({"newLoginId": "x"})),
        ("/v1/mgmt/user/update/name", json!({"displayName": "X"})),
        ("/v1/mgmt/user/update/picture", json!({"picture": "x"})),
        ("/v1/mgmt/user/update/customAttribute", json!({"attributeKey": "k", "attributeValue": "v"})),
        ("/v1/mgmt/user/update/status", json!({"status": "enabled"})),
        ("/v1/mgmt/user/update/recovery/email", json!({"recoveryEmail": "x@example.com"})),
        ("/v1/mgmt/user/update/recovery/phone", json!({"recoveryPhone": "+15555550106"})),
        ("/v1/mgmt/user/update/impersonationConsent", json!({"impersonationConsent": 60})),
        ("/v1/mgmt/user/update/role/set", json!({"roleNames": []})),
        ("/v1/mgmt/user/update/role/add", json!({"roleNames": []})),
        ("/v2/mgmt/user/update/role/add", json!({"roleNames": []})),
        ("/v1/mgmt/user/update/role/remove", json!({"roleNames": []})),
        ("/v1/mgmt/user/update/ssoapp/set", json!({"ssoAppIds": []})),
        ("/v1/mgmt/user/update/ssoapp/add", json!({"ssoAppIds": ["a"]})),
        ("/v1/mgmt/user/update/ssoapp/remove", json!({"ssoAppIds": ["a"]})),
    ];
    for (path, mut body) in calls {
        body["loginId"] = json!("nobody@example.com");
        let r = post(&app, &p, path, body).await;
        assert_eq!(
            (path, r.status.as_u16(), r.body["errorCode"].as_str()),
            (path, 400, Some("E112102")),
            "{}",
            r.text
        );
    }
    // Go's bodies with every field at its zero value
    app.create_user(&p, json!({"loginId": "q@example.com", "displayName": "Q"})).await;
    let u = update(
        &app,
        &p,
        "/v1/mgmt/user/update",
        json!({"loginId": "q@example.com", "email": "", "phone": "", "displayName": "Q2", "givenName": "",
               "middleName": "", "familyName": "", "roleNames": null, "userTenants": null,
               "customAttributes": null, "picture": "", "additionalLoginIds": null, "ssoAppIDs": null}),
    )
    .await;
    assert_eq!((u["name"].as_str(), u["email"].as_str()), (Some("Q2"), Some("")));
    assert_eq!(u["loginIds"], json!(["q@example.com"]));
}
