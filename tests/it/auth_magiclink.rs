//! Magic links: the link is built from the request's URI with the token in `t`; the token
//! signs in once and expires.

use serde_json::json;

use crate::harness::{claims, TestApp};

#[tokio::test]
async fn sign_up_by_email_link() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let r = app
        .post(
            "/v1/auth/magiclink/signup/email",
            Some(&p.bearer()),
            json!({"loginId": "link@example.com", "URI": "https://app.test/verify?x=1", "user": {"name": "Lin"}}),
        )
        .await;
    assert_eq!(r.assert_ok()["maskedEmail"], "l***@example.com");
    let msg = app.outbox_latest(&p, "link@example.com").await;
    assert_eq!(msg["kind"], "magiclink");
    let token = msg["token"].as_str().unwrap();
    assert_eq!(msg["link"], format!("https://app.test/verify?x=1&t={token}"));
    assert!(msg["code"].is_null());
    assert!(!r.text.contains(token));

    let r = app.post("/v1/auth/magiclink/verify", Some(&p.bearer()), json!({"token": token})).await;
    let body = r.assert_ok();
    assert_eq!(body["firstSeen"], true);
    assert_eq!(body["user"]["verifiedEmail"], true);
    assert_eq!(claims(body["sessionJwt"].as_str().unwrap())["amr"], json!(["email"]));
    // single use
    app.post("/v1/auth/magiclink/verify", Some(&p.bearer()), json!({"token": token}))
        .await
        .assert_error(401, "E061301");
}

#[tokio::test]
async fn sign_in_by_sms_link_with_default_redirect() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    app.post("/v1/auth/magiclink/signup-in/sms", Some(&p.bearer()), json!({"loginId": "+15550002222"}))
        .await
        .assert_ok();
    let msg = app.outbox_latest(&p, "+15550002222").await;
    assert_eq!(msg["channel"], "sms");
    let link = msg["link"].as_str().unwrap();
    assert!(link.starts_with("http://emulator.test/emulator/magiclink?t="), "{link}");
    let r = app.post("/v1/auth/magiclink/verify", Some(&p.bearer()), json!({"token": msg["token"]})).await;
    assert_eq!(r.assert_ok()["user"]["phone"], "+15550002222");

    app.post(
        "/v1/auth/magiclink/signin/sms",
        Some(&p.bearer()),
        json!({"loginId": "+15550002222", "redirectUrl": "https://x.test/"}),
    )
    .await
    .assert_ok();
    let msg = app.outbox_latest(&p, "+15550002222").await;
    assert!(msg["link"].as_str().unwrap().starts_with("https://x.test/?t="));
    let r = app.post("/v1/auth/magiclink/verify", Some(&p.bearer()), json!({"token": msg["token"]})).await;
    assert_eq!(r.assert_ok()["firstSeen"], false);
}

#[tokio::test]
async fn expired_unknown_and_foreign_tokens_fail() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let other = app.new_project().await;
    app.post("/v1/auth/magiclink/signup/email", Some(&p.bearer()), json!({"loginId": "old@example.com"}))
        .await
        .assert_ok();
    let token = app.outbox_latest(&p, "old@example.com").await["token"].as_str().unwrap().to_owned();
    app.post("/v1/auth/magiclink/verify", Some(&other.bearer()), json!({"token": token}))
        .await
        .assert_error(401, "E061301");
    app.post("/v1/auth/magiclink/verify", Some(&p.bearer()), json!({"token": "nope"}))
        .await
        .assert_error(401, "E061301");
    app.post("/v1/auth/magiclink/verify", Some(&p.bearer()), json!({})).await.assert_error(400, "E011002");
    app.advance_clock(601).await;
    let r = app.post("/v1/auth/magiclink/verify", Some(&p.bearer()), json!({"token": token})).await;
    app.reset_clock().await;
    r.assert_error(401, "E061301");
    app.post("/v1/auth/magiclink/signin/email", Some(&p.bearer()), json!({"loginId": "ghost@example.com"}))
        .await
        .assert_error(400, "E062108");
}

#[tokio::test]
async fn update_email_by_link() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let jwt = app.sign_up_with_otp(&p, "first@example.com").await;
    let refresh = jwt["refreshJwt"].as_str().unwrap();
    app.post(
        "/v1/auth/magiclink/update/email",
        Some(&p.with(refresh)),
        json!({"loginId": "first@example.com", "email": "second@example.com", "URI": "https://app.test/"}),
    )
    .await
    .assert_ok();
    let msg = app.outbox_latest(&p, "first@example.com").await;
    assert_eq!(msg["to"], "second@example.com");
    let r = app.post("/v1/auth/magiclink/verify", Some(&p.bearer()), json!({"token": msg["token"]})).await;
    assert_eq!(r.assert_ok()["user"]["email"], "second@example.com");
}
