//! Passwords: sign-up, sign-in, replace, reset link + update, the policy and its management,
//! lockout, temporary and expired passwords.

use serde_json::{json, Value};

use crate::harness::{claims, TestApp, TestProject};
use descope_emulator::domain::authn::password;

const PW: &str = "WASD+ijkl";

async fn sign_up(app: &TestApp, p: &TestProject, login: &str, pw: &str) -> Value {
    app.post(
        "/v1/auth/password/signup",
        Some(&p.bearer()),
        json!({"loginId": login, "password": pw, "user": {"name": "Pat"}}),
    )
    .await
    .assert_ok()
    .clone()
}

async fn sign_in(app: &TestApp, p: &TestProject, login: &str, pw: &str) -> crate::harness::TestResponse {
    app.post("/v1/auth/password/signin", Some(&p.bearer()), json!({"loginId": login, "password": pw})).await
}

async fn configure(app: &TestApp, p: &TestProject, settings: Value) {
    let r = app.post("/v1/mgmt/password/settings", Some(&p.mgmt()), settings).await;
    assert_eq!(r.assert_ok(), &json!({}));
}

#[tokio::test]
async fn sign_up_sign_in_and_replace() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let login = "pat@example.com";

    let jwt = sign_up(&app, &p, login, PW).await;
    assert_eq!(jwt["firstSeen"], true);
    assert_eq!(jwt["user"]["email"], login);
    assert_eq!(jwt["user"]["name"], "Pat");
    assert_eq!(jwt["user"]["password"], true);
    assert_eq!(claims(jwt["sessionJwt"].as_str().unwrap())["amr"], json!(["pwd"]));
    assert!(jwt["refreshJwt"].is_string());

    // duplicate sign-up, unknown user, empty and wrong password
    app.post("/v1/auth/password/signup", Some(&p.bearer()), json!({"loginId": login, "password": PW}))
        .await
        .assert_error(400, "E062107");
    sign_in(&app, &p, "bar@foo.com", PW).await.assert_error(400, "E062108");
    sign_in(&app, &p, login, "").await.assert_error(400, "E011002");
    sign_in(&app, &p, login, "asdf").await.assert_error(401, "E062901");
    app.post("/v1/auth/password/signup", Some(&p.bearer()), json!({"loginId": "", "password": PW}))
        .await
        .assert_error(400, "E011002");

    let r = sign_in(&app, &p, login, PW).await;
    let jwt = r.assert_ok();
    assert_eq!(jwt["firstSeen"], false);
    assert_eq!(jwt["user"]["name"], "Pat");
    assert_eq!(claims(jwt["sessionJwt"].as_str().unwrap())["amr"], json!(["pwd"]));

    // replace: wrong old password, then the right one
    let new_pw = format!("{PW}a");
    app.post(
        "/v1/auth/password/replace",
        Some(&p.bearer()),
        json!({"loginId": login, "oldPassword": "nope-nope", "newPassword": new_pw}),
    )
    .await
    .assert_error(401, "E062901");
    app.post("/v1/auth/password/replace", Some(&p.bearer()), json!({"loginId": login, "oldPassword": PW}))
        .await
        .assert_error(400, "E011002");
    let r = app
        .post(
            "/v1/auth/password/replace",
            Some(&p.bearer()),
            json!({"loginId": login, "oldPassword": PW, "newPassword": new_pw}),
        )
        .await;
    assert!(r.assert_ok()["sessionJwt"].is_string());
    sign_in(&app, &p, login, PW).await.assert_error(401, "E062901");
    sign_in(&app, &p, login, &new_pw).await.assert_ok();

    // a login ID that is a phone number becomes the phone
    let jwt = sign_up(&app, &p, "+15551230000", PW).await;
    assert_eq!(jwt["user"]["phone"], "+15551230000");
    assert_eq!(jwt["user"]["email"], "");
}

#[tokio::test]
async fn policy_and_its_management() {
    let app = TestApp::new().await;
    let p = app.new_project().await;

    let r = app.get("/v1/auth/password/policy", Some(&p.bearer())).await;
    let policy = r.assert_ok();
    assert_eq!(policy["minLength"], 8);
    for rule in ["lowercase", "uppercase", "number", "nonAlphanumeric"] {
        assert_eq!(policy[rule], false, "{policy}");
    }
    let r = app.get("/v1/mgmt/password/settings?tenantId=T1", Some(&p.mgmt())).await;
    let settings = r.assert_ok();
    assert_eq!(settings["minLength"], 8);
    assert_eq!(settings["lock"], false);
    assert_eq!(settings["enabled"], true);
    assert_eq!(settings["tenantId"], "T1");

    app.get("/v1/mgmt/password/settings", Some(&p.bearer())).await.assert_error(401, "E011103");
    app.post("/v1/mgmt/password/settings", Some(&p.mgmt()), json!({"minLength": "ten"}))
        .await
        .assert_error(400, "E011001");
    app.post("/v1/mgmt/password/settings", Some(&p.mgmt()), json!({"minLength": 0}))
        .await
        .assert_error(400, "E011004");

    configure(
        &app,
        &p,
        json!({"minLength": 10, "uppercase": true, "nonAlphanumeric": true, "number": true,
               "reuse": true, "reuseAmount": 2, "lowercase": null}),
    )
    .await;
    let r = app.get("/v1/auth/password/policy", Some(&p.bearer())).await;
    let policy = r.assert_ok();
    assert_eq!(policy["minLength"], 10);
    assert_eq!(policy["uppercase"], true);
    assert_eq!(policy["lowercase"], false);
    let r = app.get("/v1/mgmt/password/settings", Some(&p.mgmt())).await;
    assert_eq!(r.assert_ok()["reuseAmount"], 2);

    let attempt = |pw: &'static str| {
        let app = &app;
        let p = &p;
        async move {
            app.post(
                "/v1/auth/password/signup",
                Some(&p.bearer()),
                json!({"loginId": "q@example.com", "password": pw}),
            )
            .await
        }
    };
    let r = attempt("A!a4").await;
    r.assert_error(400, "E062902");
    assert!(r.body["errorMessage"].as_str().unwrap().contains("10 characters"), "{}", r.text);
    let r = attempt("aaaa+bbbb1").await;
    r.assert_error(400, "E062902");
    assert!(r.body["errorMessage"].as_str().unwrap().contains("uppercase"), "{}", r.text);
    let r = attempt("Aaaa4567890").await;
    r.assert_error(400, "E062902");
    assert!(r.body["errorMessage"].as_str().unwrap().contains("non-alphanumeric"), "{}", r.text);
    let r = attempt("Aaaa+bbbbb").await;
    assert!(r.body["errorMessage"].as_str().unwrap().contains("number"), "{}", r.text);
    attempt("Aaaa+bbbb1").await.assert_ok();

    // reuse: the current password cannot come back
    let r = app
        .post(
            "/v1/auth/password/replace",
            Some(&p.bearer()),
            json!({"loginId": "q@example.com", "oldPassword": "Aaaa+bbbb1", "newPassword": "Aaaa+bbbb1"}),
        )
        .await;
    r.assert_error(400, "E062902");
    assert!(r.body["errorMessage"].as_str().unwrap().contains("last 2"), "{}", r.text);
}

#[tokio::test]
async fn lock_after_failed_attempts_until_reset() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let login = "lock@example.com";
    sign_up(&app, &p, login, PW).await;
    configure(&app, &p, json!({"lock": true, "lockAttempts": 3})).await;

    for _ in 0..3 {
        sign_in(&app, &p, login, "wrong-one").await.assert_error(401, "E062901");
    }
    sign_in(&app, &p, login, PW).await.assert_error(403, "E062904");

    // reset: link in the outbox, verified like a magic link, then update with the refresh JWT
    app.post(
        "/v1/auth/password/reset",
        Some(&p.bearer()),
        json!({"loginId": "nobody@example.com", "redirectUrl": "x"}),
    )
    .await
    .assert_error(400, "E062108");
    app.post("/v1/auth/password/reset", Some(&p.bearer()), json!({"redirectUrl": "x"}))
        .await
        .assert_error(400, "E011002");
    let r = app
        .post(
            "/v1/auth/password/reset",
            Some(&p.bearer()),
            json!({"loginId": login, "redirectUrl": "http://app.test/reset"}),
        )
        .await;
    let body = r.assert_ok();
    assert_eq!(body["resetMethod"], "magiclink");
    assert!(body["maskedEmail"].as_str().unwrap().contains('*'), "{body}");
    let msg = app.outbox_latest(&p, login).await;
    assert_eq!(msg["kind"], "password-reset");
    assert_eq!(msg["channel"], "email");
    let token = msg["token"].as_str().unwrap().to_owned();
    assert_eq!(msg["link"], format!("http://app.test/reset?t={token}"));
    let r = app.post("/v1/auth/magiclink/verify", Some(&p.bearer()), json!({"token": token})).await;
    let refresh = r.assert_ok()["refreshJwt"].as_str().unwrap().to_owned();

    let new_pw = "Brand+new1";
    app.post("/v1/auth/password/update", Some(&p.bearer()), json!({"loginId": login, "newPassword": new_pw}))
        .await
        .assert_error(401, "E061005");
    app.post("/v1/auth/password/update", Some(&p.with(&refresh)), json!({"loginId": login}))
        .await
        .assert_error(400, "E011002");
    app.post(
        "/v1/auth/password/update",
        Some(&p.with(&refresh)),
        json!({"loginId": login, "newPassword": "short"}),
    )
    .await
    .assert_error(400, "E062902");
    app.post(
        "/v1/auth/password/update",
        Some(&p.with(&refresh)),
        json!({"loginId": "other@example.com", "newPassword": new_pw}),
    )
    .await
    .assert_error(400, "E011004");
    let r = app
        .post(
            "/v1/auth/password/update",
            Some(&p.with(&refresh)),
            json!({"loginId": login, "newPassword": new_pw}),
        )
        .await;
    assert_eq!(r.assert_ok(), &json!({}));
    sign_in(&app, &p, login, PW).await.assert_error(401, "E062901");
    sign_in(&app, &p, login, new_pw).await.assert_ok();
}

#[tokio::test]
async fn temporary_lock_ends_by_the_emulator_clock() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let login = "temp@example.com";
    sign_up(&app, &p, login, PW).await;
    configure(&app, &p, json!({"tempLock": true, "tempLockAttempts": 2, "tempLockDuration": 5})).await;

    sign_in(&app, &p, login, "wrong-one").await.assert_error(401, "E062901");
    sign_in(&app, &p, login, "wrong-one").await.assert_error(401, "E062901");
    sign_in(&app, &p, login, PW).await.assert_error(403, "E062904");
    app.advance_clock(240).await;
    sign_in(&app, &p, login, PW).await.assert_error(403, "E062904");
    app.advance_clock(61).await;
    sign_in(&app, &p, login, PW).await.assert_ok();
    app.reset_clock().await;
}

/// `password::set_by_management` in the test's project.
async fn set_by_management(
    app: &TestApp,
    p: &TestProject,
    login: &str,
    password: &str,
    temporary: bool,
) -> descope_emulator::error::ApiResult<()> {
    password::set_by_management(
        &app.state.db,
        &app.state.hasher,
        &app.ctx(p).await,
        login,
        password,
        temporary,
    )
    .await
}

#[tokio::test]
async fn temporary_expired_and_old_passwords() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let login = "tmp@example.com";
    sign_up(&app, &p, login, PW).await;

    // set temporary through management: sign-in refused, replace works
    set_by_management(&app, &p, login, "WASD+ijklll", true).await.unwrap();
    sign_in(&app, &p, login, "WASD+ijklll").await.assert_error(401, "E062909");
    app.post(
        "/v1/auth/password/replace",
        Some(&p.bearer()),
        json!({"loginId": login, "oldPassword": "WASD+ijklll", "newPassword": "WASD+ijkzzz"}),
    )
    .await
    .assert_ok();
    sign_in(&app, &p, login, "WASD+ijkzzz").await.assert_ok();

    // active through management: usable at once
    set_by_management(&app, &p, login, "WASD+ijkqqq", false).await.unwrap();
    sign_in(&app, &p, login, "WASD+ijkqqq").await.assert_ok();
    let missing = set_by_management(&app, &p, "ghost@x.com", "pw", false).await;
    assert_eq!(missing.unwrap_err().kind.code(), "E112102");

    // expired through management
    password::expire_by_management(&app.state.db, &app.ctx(&p).await, login).await.unwrap();
    sign_in(&app, &p, login, "WASD+ijkqqq").await.assert_error(401, "E062909");
    set_by_management(&app, &p, login, "WASD+ijkqqq", false).await.unwrap();

    // expiration policy, by the emulator clock
    configure(&app, &p, json!({"expiration": true, "expirationWeeks": 1})).await;
    sign_in(&app, &p, login, "WASD+ijkqqq").await.assert_ok();
    app.advance_clock(8 * 24 * 3600).await;
    sign_in(&app, &p, login, "WASD+ijkqqq").await.assert_error(401, "E062909");
    app.reset_clock().await;
}

#[tokio::test]
async fn disabled_users_and_disabled_passwords_are_refused() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let r = app
        .post(
            "/v1/mgmt/user/create",
            Some(&p.mgmt()),
            json!({"loginId": "off@example.com", "password": PW, "status": "disabled"}),
        )
        .await;
    r.assert_ok();
    sign_in(&app, &p, "off@example.com", PW).await.assert_error(403, "E062110");
    app.post(
        "/v1/auth/password/replace",
        Some(&p.bearer()),
        json!({"loginId": "off@example.com", "oldPassword": PW, "newPassword": "WASD+other"}),
    )
    .await
    .assert_error(403, "E062110");

    // a user without a password
    app.sign_up_with_otp(&p, "otp@example.com").await;
    sign_in(&app, &p, "otp@example.com", PW).await.assert_error(401, "E062901");

    configure(&app, &p, json!({"enabled": false})).await;
    sign_in(&app, &p, "otp@example.com", PW).await.assert_error(400, "E011003");
}

/// A tenant's password settings are its own: setting them leaves the project's as they were,
/// and reading them with the `tenantId` answers the tenant's.
#[tokio::test]
async fn tenant_password_settings_do_not_change_the_projects() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    app.create_tenant(&p, json!({"id": "T1", "name": "Tenant One"})).await;

    let r = app
        .post(
            "/v1/mgmt/password/settings",
            Some(&p.mgmt()),
            json!({"tenantId": "T1", "minLength": 12, "uppercase": true}),
        )
        .await;
    r.assert_ok();
    let tenant = app.get("/v1/mgmt/password/settings?tenantId=T1", Some(&p.mgmt())).await;
    let tenant = tenant.assert_ok();
    assert_eq!(tenant["minLength"], 12, "{tenant}");
    assert_eq!(tenant["uppercase"], true);
    assert_eq!(tenant["tenantId"], "T1");
    let project = app.get("/v1/mgmt/password/settings", Some(&p.mgmt())).await;
    let project = project.assert_ok();
    assert_eq!(project["minLength"], 8, "{project}");
    assert_eq!(project["uppercase"], false);
    let policy = app.get("/v1/auth/password/policy", Some(&p.bearer())).await;
    assert_eq!(policy.assert_ok()["minLength"], 8);

    // Another change keeps the tenant's other fields; an unknown tenant is an error.
    app.post("/v1/mgmt/password/settings", Some(&p.mgmt()), json!({"tenantId": "T1", "lowercase": true}))
        .await
        .assert_ok();
    let tenant = app.get("/v1/mgmt/password/settings?tenantId=T1", Some(&p.mgmt())).await;
    let tenant = tenant.assert_ok();
    assert_eq!((tenant["minLength"].clone(), tenant["lowercase"].clone()), (json!(12), json!(true)));
    let r = app
        .post("/v1/mgmt/password/settings", Some(&p.mgmt()), json!({"tenantId": "nope", "minLength": 9}))
        .await;
    r.assert_error(404, "E011008");
}
