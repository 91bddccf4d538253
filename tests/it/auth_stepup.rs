//! Step-up and MFA across methods: `loginOptions.stepup`/`mfa` need the refresh JWT in the
//! bearer; the new session's `amr` lists every factor used; `customClaims` land top-level;
//! `revokeOtherSessions` revokes the user's other refresh tokens.

use serde_json::{json, Value};

use crate::harness::{claims, TestApp};

const PASSWORD: &str = "Correct-Horse-9-Battery";

fn amr(jwt: &Value) -> Value {
    claims(jwt["sessionJwt"].as_str().unwrap())["amr"].clone()
}

#[tokio::test]
async fn stepup_and_mfa_need_the_refresh_jwt() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let login = "up@example.com";
    app.sign_up_with_password(&p, login, PASSWORD).await;
    for options in [json!({"stepup": true}), json!({"mfa": true})] {
        let body = json!({"loginId": login, "loginOptions": options});
        for path in [
            "/v1/auth/otp/signin/email",
            "/v1/auth/magiclink/signin/email",
            "/v1/auth/enchantedlink/signin/email",
        ] {
            app.post(path, Some(&p.bearer()), body.clone()).await.assert_error(401, "E011101");
        }
        let body = json!({"loginId": login, "password": PASSWORD, "loginOptions": options});
        app.post("/v1/auth/password/signin", Some(&p.bearer()), body).await.assert_error(401, "E011101");
    }
}

#[tokio::test]
async fn each_method_adds_its_factor() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let login = "mf@example.com";
    let first = app.sign_up_with_password(&p, login, PASSWORD).await;
    assert_eq!(amr(&first), json!(["pwd"]));
    let refresh = first["refreshJwt"].as_str().unwrap().to_owned();

    // OTP step-up
    app.post(
        "/v1/auth/otp/signin/email",
        Some(&p.with(&refresh)),
        json!({"loginId": login, "loginOptions": {"stepup": true, "customClaims": {"level": 2}}}),
    )
    .await
    .assert_ok();
    let code = app.outbox_latest(&p, login).await["code"].clone();
    let r = app
        .post("/v1/auth/otp/verify/email", Some(&p.bearer()), json!({"loginId": login, "code": code}))
        .await;
    let jwt = r.assert_ok().clone();
    assert_eq!(amr(&jwt), json!(["pwd", "email"]));
    assert_eq!(claims(jwt["sessionJwt"].as_str().unwrap())["level"], 2);

    // enchanted link with mfa on top of that session
    let refresh2 = jwt["refreshJwt"].as_str().unwrap().to_owned();
    let r = app
        .post(
            "/v1/auth/enchantedlink/signin/email",
            Some(&p.with(&refresh2)),
            json!({"loginId": login, "loginOptions": {"mfa": true}}),
        )
        .await;
    let pending_ref = r.assert_ok()["pendingRef"].clone();
    let token = app.outbox_latest(&p, login).await["token"].clone();
    app.post("/v1/auth/enchantedlink/verify", Some(&p.bearer()), json!({"token": token})).await.assert_ok();
    let r = app
        .post("/v1/auth/enchantedlink/pending-session", Some(&p.bearer()), json!({"pendingRef": pending_ref}))
        .await;
    assert_eq!(amr(r.assert_ok()), json!(["pwd", "email", "mfa"]));

    // magic link, then password step-up on a magic-link session
    app.post("/v1/auth/magiclink/signin/email", Some(&p.bearer()), json!({"loginId": login}))
        .await
        .assert_ok();
    let token = app.outbox_latest(&p, login).await["token"].clone();
    let r = app.post("/v1/auth/magiclink/verify", Some(&p.bearer()), json!({"token": token})).await;
    let ml = r.assert_ok().clone();
    assert_eq!(amr(&ml), json!(["email"]));
    let r = app
        .post(
            "/v1/auth/password/signin",
            Some(&p.with(ml["refreshJwt"].as_str().unwrap())),
            json!({"loginId": login, "password": PASSWORD, "loginOptions": {"mfa": true}}),
        )
        .await;
    assert_eq!(amr(r.assert_ok()), json!(["email", "pwd", "mfa"]));

    // without stepup, a bearer does not carry factors over
    let r = app
        .post(
            "/v1/auth/password/signin",
            Some(&p.with(&refresh)),
            json!({"loginId": login, "password": PASSWORD}),
        )
        .await;
    assert_eq!(amr(r.assert_ok()), json!(["pwd"]));
}

#[tokio::test]
async fn stepup_with_another_users_token_fails() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    app.sign_up_with_password(&p, "a@example.com", PASSWORD).await;
    let b = app.sign_up_with_password(&p, "b@example.com", PASSWORD).await;
    let r = app
        .post(
            "/v1/auth/password/signin",
            Some(&p.with(b["refreshJwt"].as_str().unwrap())),
            json!({"loginId": "a@example.com", "password": PASSWORD, "loginOptions": {"stepup": true}}),
        )
        .await;
    r.assert_error(401, "E011101");
}

#[tokio::test]
async fn revoke_other_sessions() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let login = "rv@example.com";
    let old = app.sign_up_with_password(&p, login, PASSWORD).await;
    let old_refresh = old["refreshJwt"].as_str().unwrap();
    app.post("/v1/auth/refresh", Some(&p.with(old_refresh)), json!({})).await.assert_ok();
    let r = app
        .post(
            "/v1/auth/password/signin",
            Some(&p.bearer()),
            json!({"loginId": login, "password": PASSWORD, "loginOptions": {"revokeOtherSessions": true}}),
        )
        .await;
    let new_refresh = r.assert_ok()["refreshJwt"].as_str().unwrap().to_owned();
    app.post("/v1/auth/refresh", Some(&p.with(old_refresh)), json!({})).await.assert_error(401, "E064001");
    app.post("/v1/auth/refresh", Some(&p.with(&new_refresh)), json!({})).await.assert_ok();
}
