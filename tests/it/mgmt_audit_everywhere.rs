//! Issue 4: every sign-up, sign-in, failed sign-in, refresh failure, logout and management
//! write lands in the audit trail in Descope's shape; impersonation step-up; claims that
//! survive refresh; analytics; tenant sso-user-remove.

use serde_json::{json, Value};

use crate::harness::{claims, TestApp, TestProject};

const PW: &str = "WASD+ijkl";

/// The audits of one action, newest first; checks `occurred` is a string of ms, no later than
/// the emulator clock's now.
async fn audits(app: &TestApp, p: &TestProject, action: &str) -> Vec<Value> {
    let r = app.post("/v1/mgmt/audit/search", Some(&p.mgmt()), json!({"actions": [action]})).await;
    let list = r.assert_ok()["audits"].as_array().unwrap().clone();
    let now_ms = (app.clock_now().await + 1) * 1000;
    for a in &list {
        let occurred: i64 = a["occurred"].as_str().expect("occurred is a string").parse().unwrap();
        assert!(occurred > 0);
        assert!(occurred <= now_ms, "occurred {occurred} is after the emulator clock's now ({now_ms} ms)");
        assert_eq!(a["projectId"], p.id);
    }
    list
}

#[tokio::test]
async fn sign_ups_failures_refresh_failures_and_logouts_are_audited() {
    let app = TestApp::new().await;
    let p = app.new_project().await;

    // OTP sign-up: UserCreated (the user is the actor) and LoginSucceed
    let jwt = app.sign_up_with_otp(&p, "otp@example.com").await;
    let otp_user = jwt["user"]["userId"].as_str().unwrap().to_owned();
    let created = audits(&app, &p, "UserCreated").await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["userId"], otp_user);
    assert_eq!(created[0]["actorId"], otp_user);
    assert_eq!(created[0]["externalIds"], json!(["otp@example.com"]));
    assert_eq!(created[0]["method"], "otp");
    assert_eq!(created[0]["type"], "info");

    // a wrong OTP code: LoginFailed (warn, reason in data.error_message)
    app.post("/v1/auth/otp/signin/email", Some(&p.bearer()), json!({"loginId": "otp@example.com"}))
        .await
        .assert_ok();
    app.post(
        "/v1/auth/otp/verify/email",
        Some(&p.bearer()),
        json!({"loginId": "otp@example.com", "code": "000000"}),
    )
    .await
    .assert_error(401, "E061102");
    let failed = audits(&app, &p, "LoginFailed").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["userId"], otp_user);
    assert_eq!(failed[0]["externalIds"], json!(["otp@example.com"]));
    assert_eq!(failed[0]["method"], "otp");
    assert_eq!(failed[0]["type"], "warn");
    assert!(failed[0]["data"]["error_message"].as_str().is_some_and(|m| !m.is_empty()));

    // password sign-up, then a wrong password
    let r = app
        .post(
            "/v1/auth/password/signup",
            Some(&p.bearer()),
            json!({"loginId": "pw@example.com", "password": PW}),
        )
        .await;
    let pw_user = r.assert_ok()["user"]["userId"].as_str().unwrap().to_owned();
    let created = audits(&app, &p, "UserCreated").await;
    assert_eq!(created[0]["userId"], pw_user);
    assert_eq!(created[0]["method"], "password");
    let r = app
        .post(
            "/v1/auth/password/signin",
            Some(&p.bearer()),
            json!({"loginId": "pw@example.com", "password": "nope"}),
        )
        .await;
    assert_eq!(r.status, 401);
    let failed = audits(&app, &p, "LoginFailed").await;
    assert_eq!(failed.len(), 2);
    assert_eq!(failed[0]["userId"], pw_user);
    assert_eq!(failed[0]["method"], "password");
    assert_eq!(failed[0]["externalIds"], json!(["pw@example.com"]));

    // logout, then a refresh with the logged-out token: Logout and RefreshFailed
    let refresh = jwt["refreshJwt"].as_str().unwrap().to_owned();
    app.post("/v1/auth/logout", Some(&p.with(&refresh)), json!({})).await.assert_ok();
    let logouts = audits(&app, &p, "Logout").await;
    assert_eq!(logouts.len(), 1);
    assert_eq!(logouts[0]["userId"], otp_user);
    assert_eq!(logouts[0]["externalIds"], json!(["otp@example.com"]));
    assert_eq!(logouts[0]["data"]["all"], false);
    let r = app.post("/v1/auth/refresh", Some(&p.with(&refresh)), json!({})).await;
    assert_eq!(r.status, 401);
    let refresh_failed = audits(&app, &p, "RefreshFailed").await;
    assert_eq!(refresh_failed.len(), 1);
    assert_eq!(refresh_failed[0]["userId"], otp_user);
    assert_eq!(refresh_failed[0]["type"], "warn");
    // a garbage token fails too, with no user to name
    app.post("/v1/auth/refresh", Some(&p.with("a.b.c")), json!({})).await;
    assert_eq!(audits(&app, &p, "RefreshFailed").await.len(), 2);

    // logoutall
    let r = app
        .post(
            "/v1/auth/password/signin",
            Some(&p.bearer()),
            json!({"loginId": "pw@example.com", "password": PW}),
        )
        .await;
    let refresh = r.assert_ok()["refreshJwt"].as_str().unwrap().to_owned();
    app.post("/v1/auth/logoutall", Some(&p.with(&refresh)), json!({})).await.assert_ok();
    let logouts = audits(&app, &p, "Logout").await;
    assert_eq!(logouts.len(), 2);
    assert_eq!(logouts[0]["userId"], pw_user);
    assert_eq!(logouts[0]["data"]["all"], true);
    assert_eq!(logouts[0]["method"], "");
}

#[tokio::test]
async fn management_writes_are_audited() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let m = p.mgmt();

    // tenants
    let r = app.post("/v1/mgmt/tenant/create", Some(&m), json!({"name": "Acme", "id": "acme"})).await;
    r.assert_ok();
    app.post("/v1/mgmt/tenant/update", Some(&m), json!({"id": "acme", "name": "Acme Inc"})).await.assert_ok();
    let created = audits(&app, &p, "TenantCreated").await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["tenants"], json!(["acme"]));
    assert_eq!(created[0]["data"]["tenant_id"], "acme");
    assert_eq!(audits(&app, &p, "TenantModified").await.len(), 1);

    // permissions and roles
    app.post("/v1/mgmt/permission/create", Some(&m), json!({"name": "read"})).await.assert_ok();
    app.post("/v1/mgmt/permission/update", Some(&m), json!({"name": "read", "newName": "view"}))
        .await
        .assert_ok();
    app.post("/v1/mgmt/role/create", Some(&m), json!({"name": "viewer", "permissionNames": ["view"]}))
        .await
        .assert_ok();
    app.post("/v1/mgmt/role/create", Some(&m), json!({"name": "boss", "tenantId": "acme"})).await.assert_ok();
    app.post("/v1/mgmt/role/update", Some(&m), json!({"name": "viewer", "newName": "reader"}))
        .await
        .assert_ok();
    app.post("/v1/mgmt/role/delete", Some(&m), json!({"name": "reader"})).await.assert_ok();
    app.post("/v1/mgmt/permission/delete", Some(&m), json!({"name": "view"})).await.assert_ok();
    let perm = audits(&app, &p, "PermissionCreated").await;
    assert_eq!(perm.len(), 1);
    assert_eq!(perm[0]["data"]["permission_name"], "read");
    let modified = audits(&app, &p, "PermissionModified").await;
    assert_eq!(modified[0]["data"]["permission_name"], "view");
    assert!(modified[0]["data"]["permission_id"].is_string());
    assert_eq!(audits(&app, &p, "PermissionDeleted").await.len(), 1);
    let roles = audits(&app, &p, "RoleCreated").await;
    assert_eq!(roles.len(), 2);
    assert_eq!(roles[0]["data"]["role_name"], "boss");
    assert_eq!(roles[0]["tenants"], json!(["acme"]));
    assert_eq!(audits(&app, &p, "RoleModified").await[0]["data"]["role_name"], "reader");
    assert_eq!(audits(&app, &p, "RoleDeleted").await[0]["data"]["role_name"], "reader");

    // single user create, logout, delete; test users
    let r = app
        .post(
            "/v1/mgmt/user/create",
            Some(&m),
            json!({"loginId": "u@example.com", "userTenants": [{"tenantId": "acme"}]}),
        )
        .await;
    let uid = r.assert_ok()["user"]["userId"].as_str().unwrap().to_owned();
    let created = audits(&app, &p, "UserCreated").await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["userId"], uid);
    assert_eq!(created[0]["externalIds"], json!(["u@example.com"]));
    assert_eq!(created[0]["tenants"], json!(["acme"]));
    app.post("/v1/mgmt/user/logout", Some(&m), json!({"loginId": "u@example.com"})).await.assert_ok();
    assert_eq!(audits(&app, &p, "Logout").await[0]["userId"], uid);
    app.post("/v1/mgmt/user/delete", Some(&m), json!({"loginId": "u@example.com"})).await.assert_ok();
    let deleted = audits(&app, &p, "UserDeleted").await;
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0]["userId"], uid);
    assert_eq!(deleted[0]["externalIds"], json!(["u@example.com"]));

    let r = app.post("/v1/mgmt/user/create/test", Some(&m), json!({"loginId": "test1@example.com"})).await;
    let test_id = r.assert_ok()["user"]["userId"].as_str().unwrap().to_owned();
    app.delete("/v1/mgmt/user/test/delete/all", Some(&m)).await.assert_ok();
    let deleted = audits(&app, &p, "UserDeleted").await;
    assert_eq!(deleted.len(), 2);
    assert_eq!(deleted[0]["userId"], test_id);

    app.post("/v1/mgmt/tenant/delete", Some(&m), json!({"id": "acme"})).await.assert_ok();
    assert_eq!(audits(&app, &p, "TenantDeleted").await[0]["tenants"], json!(["acme"]));
}

#[tokio::test]
async fn impersonation_step_up_marks_the_token_and_claims_survive_refresh() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let (admin_id, target_id) = app.create_impersonator_and_target(&p).await;

    let body = json!({"impersonatorId": "admin@example.com", "loginId": "t@example.com", "validateConsent": false,
                      "customClaims": {"why": "support"}, "selectedTenant": null, "refreshDuration": 0});
    let r = app.post("/v1/mgmt/impersonate/stepup", Some(&p.mgmt()), body).await;
    let jwt = r.assert_ok()["jwt"].as_str().unwrap().to_owned();
    let c = claims(&jwt);
    assert_eq!(c["sub"], target_id);
    assert_eq!(c["act"], json!({"sub": admin_id}));
    assert_eq!(c["su"], true);
    assert_eq!(c["amr"], json!(["stepup"]));
    assert_eq!(c["why"], "support");

    // the session JWT of a refresh keeps act, the step-up marks and the custom claims
    let refreshed = app.post("/v1/auth/refresh", Some(&p.with(&jwt)), json!({})).await;
    let s = claims(refreshed.assert_ok()["sessionJwt"].as_str().unwrap());
    assert_eq!(s["sub"], target_id);
    assert_eq!(s["act"], json!({"sub": admin_id}));
    assert_eq!(s["su"], true);
    assert_eq!(s["amr"], json!(["stepup"]));
    assert_eq!(s["why"], "support");

    // plain impersonation is not marked, and is audited with method Impersonate
    let body = json!({"impersonatorId": "admin@example.com", "loginId": "t@example.com"});
    let jwt = app.post("/v1/mgmt/impersonate", Some(&p.mgmt()), body).await.assert_ok()["jwt"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(claims(&jwt).get("su").is_none());
    let events = audits(&app, &p, "UserImpersonated").await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[1]["data"]["stepup"], true);
    assert_eq!(events[0]["method"], "Impersonate");

    // the same checks as impersonate
    app.post(
        "/v1/mgmt/impersonate/stepup",
        Some(&p.mgmt()),
        json!({"impersonatorId": "t@example.com", "loginId": "admin@example.com"}),
    )
    .await
    .assert_error(403, "E112104");
    app.post("/v1/mgmt/impersonate/stepup", Some(&p.mgmt()), json!({"loginId": "t@example.com"}))
        .await
        .assert_error(400, "E011002");
}

#[tokio::test]
async fn sign_in_custom_claims_survive_refresh() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let r = app
        .post(
            "/v1/mgmt/auth/signup",
            Some(&p.mgmt()),
            json!({"loginId": "m@example.com", "customClaims": {"plan": "gold"}}),
        )
        .await;
    let refresh = r.assert_ok()["refreshJwt"].as_str().unwrap().to_owned();
    assert_eq!(claims(r.assert_ok()["sessionJwt"].as_str().unwrap())["plan"], "gold");
    let s = app.post("/v1/auth/refresh", Some(&p.with(&refresh)), json!({})).await;
    assert_eq!(claims(s.assert_ok()["sessionJwt"].as_str().unwrap())["plan"], "gold");
    assert_eq!(audits(&app, &p, "UserCreated").await[0]["method"], "mgmt");
}

#[tokio::test]
async fn analytics_count_audit_events_by_dimension_and_time() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let m = p.mgmt();
    app.set_clock(1_710_510_330).await; // 2024-03-15 13:45:30
    app.sign_up_with_otp(&p, "a@example.com").await;
    app.sign_up_with_otp(&p, "b@example.com").await;
    app.advance_clock(86_400).await;
    app.sign_up_with_otp(&p, "c@example.com").await;
    app.reset_clock().await;

    // by action, all time: 3 UserCreated, 3 LoginSucceed
    let r = app
        .post(
            "/v1/mgmt/analytics/search",
            Some(&m),
            json!({"groupByAction": true, "actions": ["UserCreated", "LoginSucceed"]}),
        )
        .await;
    let list = r.assert_ok()["analytics"].as_array().unwrap().clone();
    assert_eq!(list.len(), 2);
    for a in &list {
        assert_eq!(a["cnt"], "3");
        assert_eq!(a["projectId"], p.id);
        assert_eq!(a["created"], "");
        assert_eq!(a["method"], "");
    }

    // by day and method, from/to as strings of ms
    let r = app
        .post(
            "/v1/mgmt/analytics/search",
            Some(&m),
            json!({"actions": ["LoginSucceed"], "groupByCreated": "day", "groupByMethod": true,
                   "from": "1710460800000", "to": 1_710_633_600_000i64}),
        )
        .await;
    let list = r.assert_ok()["analytics"].clone();
    assert_eq!(
        list,
        json!([
            {"projectId": p.id, "action": "", "created": "1710460800000", "device": "", "method": "otp", "geo": "",
             "tenant": "", "cnt": "2", "referrer": ""},
            {"projectId": p.id, "action": "", "created": "1710547200000", "device": "", "method": "otp", "geo": "",
             "tenant": "", "cnt": "1", "referrer": ""},
        ])
    );

    // excluded actions and an empty window
    let r = app
        .post(
            "/v1/mgmt/analytics/search",
            Some(&m),
            json!({"excludedActions": ["LoginSucceed", "UserCreated"]}),
        )
        .await;
    assert_eq!(r.assert_ok()["analytics"], json!([]));
    app.post("/v1/mgmt/analytics/search", Some(&m), json!({"groupByCreated": "fortnight"}))
        .await
        .assert_error(400, "E011004");
}

#[tokio::test]
async fn tenant_sso_user_remove_checks_the_tenant() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let m = p.mgmt();
    app.post("/v1/mgmt/tenant/create", Some(&m), json!({"name": "Acme", "id": "acme"})).await.assert_ok();
    let r = app.post("/v1/mgmt/tenant/sso-user-remove", Some(&m), json!({"tenantId": "acme"})).await;
    assert_eq!(r.assert_ok(), &json!({}));
    app.post("/v1/mgmt/tenant/sso-user-remove", Some(&m), json!({})).await.assert_error(400, "E011002");
    let r = app.post("/v1/mgmt/tenant/sso-user-remove", Some(&m), json!({"tenantId": "nope"})).await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn wrong_recovery_codes_and_unknown_users_are_failed_logins() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let jwt = app.sign_up_with_otp(&p, "rc@example.com").await;
    let refresh = jwt["refreshJwt"].as_str().unwrap();
    app.post("/v1/auth/recovery-codes", Some(&p.with(refresh)), json!({"loginId": "rc@example.com"}))
        .await
        .assert_ok();
    app.post(
        "/v1/auth/recovery-codes/signin",
        Some(&p.bearer()),
        json!({"loginId": "rc@example.com", "code": "wrong-code"}),
    )
    .await
    .assert_error(401, "E061102");
    let failed = audits(&app, &p, "LoginFailed").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["method"], "recovery");
    assert_eq!(failed[0]["userId"], jwt["user"]["userId"]);

    // no such user: recorded with the login ID only
    app.post(
        "/v1/auth/password/signin",
        Some(&p.bearer()),
        json!({"loginId": "ghost@example.com", "password": PW}),
    )
    .await;
    let failed = audits(&app, &p, "LoginFailed").await;
    assert_eq!(failed.len(), 2);
    assert_eq!(failed[0]["userId"], "");
    assert_eq!(failed[0]["externalIds"], json!(["ghost@example.com"]));
    // missing fields are bad requests, not failed logins
    app.post("/v1/auth/password/signin", Some(&p.bearer()), json!({"loginId": "rc@example.com"}))
        .await
        .assert_error(400, "E011002");
    assert_eq!(audits(&app, &p, "LoginFailed").await.len(), 2);
}
