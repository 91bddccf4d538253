//! Enchanted links: the link's token is verified by a browser (which gets `{}`), and the app
//! that started the flow polls the pending reference for the session, exactly once.

use serde_json::{json, Value};

use crate::harness::{claims, TestApp, TestProject};

async fn poll(app: &TestApp, p: &TestProject, pending_ref: &Value) -> crate::harness::TestResponse {
    app.post("/v1/auth/enchantedlink/pending-session", Some(&p.bearer()), json!({"pendingRef": pending_ref}))
        .await
}

#[tokio::test]
async fn sign_up_verify_then_poll_once() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let r = app
        .post(
            "/v1/auth/enchantedlink/signup/email",
            Some(&p.bearer()),
            json!({"loginId": "ench@example.com", "URI": "https://app.test/verify", "user": {"name": "En"}, "crossDevice": true}),
        )
        .await;
    let started = r.assert_ok().clone();
    assert_eq!(started["maskedEmail"], "e***@example.com");
    let pending_ref = started["pendingRef"].clone();
    assert!(pending_ref.as_str().is_some_and(|s| !s.is_empty()));
    let link_id = started["linkId"].as_str().unwrap().to_owned();
    assert!(!link_id.is_empty());

    let msg = app.outbox_latest(&p, "ench@example.com").await;
    assert_eq!(msg["kind"], "enchantedlink");
    assert_eq!(msg["channel"], "email");
    assert_eq!(msg["code"], link_id);
    let token = msg["token"].as_str().unwrap().to_owned();
    assert_eq!(msg["link"], format!("https://app.test/verify?t={token}"));
    assert!(!r.text.contains(&token));

    // pending until the link is followed
    poll(&app, &p, &pending_ref).await.assert_error(401, "E062503");
    let r = app.post("/v1/auth/enchantedlink/verify", Some(&p.bearer()), json!({"token": token})).await;
    assert_eq!(r.assert_ok(), &json!({}));
    app.post("/v1/auth/enchantedlink/verify", Some(&p.bearer()), json!({"token": token}))
        .await
        .assert_error(401, "E061301");

    let r = poll(&app, &p, &pending_ref).await;
    let jwt = r.assert_ok();
    assert_eq!(jwt["firstSeen"], true);
    assert_eq!(jwt["user"]["email"], "ench@example.com");
    assert_eq!(jwt["user"]["verifiedEmail"], true);
    assert_eq!(jwt["user"]["name"], "En");
    assert_eq!(claims(jwt["sessionJwt"].as_str().unwrap())["amr"], json!(["email"]));
    // handed out once
    poll(&app, &p, &pending_ref).await.assert_error(401, "E061301");

    // sign-in of the now existing user
    let r = app
        .post(
            "/v1/auth/enchantedlink/signin/email",
            Some(&p.bearer()),
            json!({"loginId": "ench@example.com"}),
        )
        .await;
    let pending_ref = r.assert_ok()["pendingRef"].clone();
    let msg = app.outbox_latest(&p, "ench@example.com").await;
    assert!(msg["link"].as_str().unwrap().starts_with("http://emulator.test/emulator/magiclink?t="));
    app.post("/v1/auth/enchantedlink/verify", Some(&p.bearer()), json!({"token": msg["token"]}))
        .await
        .assert_ok();
    assert_eq!(poll(&app, &p, &pending_ref).await.assert_ok()["firstSeen"], false);
}

#[tokio::test]
async fn error_codes() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    app.post(
        "/v1/auth/enchantedlink/signin/email",
        Some(&p.bearer()),
        json!({"loginId": "nobody@example.com"}),
    )
    .await
    .assert_error(400, "E062108");
    app.post("/v1/auth/enchantedlink/signin/email", Some(&p.bearer()), json!({}))
        .await
        .assert_error(400, "E011002");
    app.sign_up_with_otp(&p, "taken@example.com").await;
    app.post(
        "/v1/auth/enchantedlink/signup/email",
        Some(&p.bearer()),
        json!({"loginId": "taken@example.com"}),
    )
    .await
    .assert_error(400, "E062107");
    app.post("/v1/auth/enchantedlink/signup-in/email", Some(&p.bearer()), json!({"loginId": "not-an-email"}))
        .await
        .assert_error(400, "E011004");
    poll(&app, &p, &json!("unknown")).await.assert_error(401, "E061301");
    app.post("/v1/auth/enchantedlink/pending-session", Some(&p.bearer()), json!({}))
        .await
        .assert_error(400, "E011002");
    app.post("/v1/auth/enchantedlink/verify", Some(&p.bearer()), json!({"token": "nope"}))
        .await
        .assert_error(401, "E061301");
    app.post("/v1/auth/enchantedlink/verify", Some(&p.bearer()), json!({}))
        .await
        .assert_error(400, "E011002");

    // a magic-link token is not an enchanted-link token, and the other way round
    app.post("/v1/auth/magiclink/signin/email", Some(&p.bearer()), json!({"loginId": "taken@example.com"}))
        .await
        .assert_ok();
    let magic = app.outbox_latest(&p, "taken@example.com").await["token"].clone();
    app.post("/v1/auth/enchantedlink/verify", Some(&p.bearer()), json!({"token": magic}))
        .await
        .assert_error(401, "E061301");
    app.post(
        "/v1/auth/enchantedlink/signin/email",
        Some(&p.bearer()),
        json!({"loginId": "taken@example.com"}),
    )
    .await
    .assert_ok();
    let ench = app.outbox_latest(&p, "taken@example.com").await["token"].clone();
    app.post("/v1/auth/magiclink/verify", Some(&p.bearer()), json!({"token": ench}))
        .await
        .assert_error(401, "E061301");
}

#[tokio::test]
async fn links_expire_by_the_emulator_clock() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    app.sign_up_with_otp(&p, "late@example.com").await;
    // followed in time, polled too late
    let r = app
        .post(
            "/v1/auth/enchantedlink/signin/email",
            Some(&p.bearer()),
            json!({"loginId": "late@example.com"}),
        )
        .await;
    let verified_ref = r.assert_ok()["pendingRef"].clone();
    let token = app.outbox_latest(&p, "late@example.com").await["token"].clone();
    app.post("/v1/auth/enchantedlink/verify", Some(&p.bearer()), json!({"token": token})).await.assert_ok();
    // never followed
    let r = app
        .post(
            "/v1/auth/enchantedlink/signin/email",
            Some(&p.bearer()),
            json!({"loginId": "late@example.com"}),
        )
        .await;
    let pending_ref = r.assert_ok()["pendingRef"].clone();
    let token = app.outbox_latest(&p, "late@example.com").await["token"].clone();

    app.advance_clock(601).await;
    app.post("/v1/auth/enchantedlink/verify", Some(&p.bearer()), json!({"token": token}))
        .await
        .assert_error(401, "E061301");
    poll(&app, &p, &pending_ref).await.assert_error(401, "E061301");
    poll(&app, &p, &verified_ref).await.assert_error(401, "E061301");
    app.reset_clock().await;
}

#[tokio::test]
async fn update_email_needs_the_refresh_jwt() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let jwt = app.sign_up_with_otp(&p, "move@example.com").await;
    let refresh = jwt["refreshJwt"].as_str().unwrap();
    let body =
        json!({"loginId": "move@example.com", "email": "moved@example.com", "URI": "https://app.test/"});
    app.post("/v1/auth/enchantedlink/update/email", Some(&p.bearer()), body.clone())
        .await
        .assert_error(401, "E061005");
    let r = app.post("/v1/auth/enchantedlink/update/email", Some(&p.with(refresh)), body).await;
    let started = r.assert_ok().clone();
    assert_eq!(started["maskedEmail"], "m***@example.com");
    let msg = app.outbox_latest(&p, "move@example.com").await;
    assert_eq!(msg["to"], "moved@example.com");
    app.post("/v1/auth/enchantedlink/verify", Some(&p.bearer()), json!({"token": msg["token"]}))
        .await
        .assert_ok();
    let r = poll(&app, &p, &started["pendingRef"]).await;
    let jwt = r.assert_ok();
    assert_eq!(jwt["user"]["email"], "moved@example.com");
    assert_eq!(claims(jwt["sessionJwt"].as_str().unwrap())["amr"], json!(["email"]));
}

#[tokio::test]
async fn generate_for_test_users() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    app.post(
        "/v1/mgmt/user/create/test",
        Some(&p.mgmt()),
        json!({"loginId": "t@example.com", "email": "t@example.com"}),
    )
    .await
    .assert_ok();
    let r = app
        .post(
            "/v1/mgmt/tests/generate/enchantedlink",
            Some(&p.mgmt()),
            json!({"loginId": "t@example.com", "URI": "https://app.test/el", "loginOptions": {}}),
        )
        .await;
    let g = r.assert_ok().clone();
    assert_eq!(g["loginId"], "t@example.com");
    let link = g["link"].as_str().unwrap();
    let token = link.strip_prefix("https://app.test/el?t=").expect(link);
    poll(&app, &p, &g["pendingRef"]).await.assert_error(401, "E062503");
    app.post("/v1/auth/enchantedlink/verify", Some(&p.bearer()), json!({"token": token})).await.assert_ok();
    let r = poll(&app, &p, &g["pendingRef"]).await;
    assert_eq!(r.assert_ok()["user"]["test"], true);

    app.sign_up_with_otp(&p, "real@example.com").await;
    app.post(
        "/v1/mgmt/tests/generate/enchantedlink",
        Some(&p.mgmt()),
        json!({"loginId": "real@example.com"}),
    )
    .await
    .assert_error(400, "E112103");
    app.post("/v1/mgmt/tests/generate/enchantedlink", Some(&p.mgmt()), json!({}))
        .await
        .assert_error(400, "E011002");
}
