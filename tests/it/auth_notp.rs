//! NOTP (WhatsApp approval): the start answers a WhatsApp deep link and its QR code; the
//! outbox message's link approves the sign-in; the pending session is handed out once.

use base64::Engine;
use serde_json::{json, Value};

use crate::harness::{claims, TestApp, TestProject, TestResponse};

async fn poll(app: &TestApp, p: &TestProject, pending_ref: &Value) -> TestResponse {
    app.post("/v1/auth/notp/pending-session", Some(&p.bearer()), json!({"pendingRef": pending_ref})).await
}

/// Follows an approval link as a person would (the emulator's own URL).
async fn follow(app: &TestApp, link: &str) -> TestResponse {
    let path = link.strip_prefix("http://emulator.test").expect(link);
    app.get(path, None).await
}

fn check_start(body: &Value) {
    assert!(body["pendingRef"].as_str().is_some_and(|s| !s.is_empty()));
    let url = body["redirectUrl"].as_str().unwrap();
    assert!(url.starts_with("https://wa.me/"), "{url}");
    let png = base64::engine::general_purpose::STANDARD.decode(body["image"].as_str().unwrap()).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
}

#[tokio::test]
async fn sign_up_or_in_by_approval() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let r = app
        .post(
            "/v1/auth/notp/whatsapp/signup-in",
            Some(&p.bearer()),
            json!({"loginId": "+15550001111", "loginOptions": {}}),
        )
        .await;
    let started = r.assert_ok().clone();
    check_start(&started);
    let msg = app.outbox_latest(&p, "+15550001111").await;
    assert_eq!(msg["channel"], "whatsapp");
    assert_eq!(msg["kind"], "notp");
    assert_eq!(msg["to"], "+15550001111");
    let link = msg["link"].as_str().unwrap().to_owned();
    assert!(link.starts_with(&format!("http://emulator.test/emulator/v1/projects/{}/notp/approve?t=", p.id)));

    poll(&app, &p, &started["pendingRef"]).await.assert_error(401, "E066103");
    assert_eq!(follow(&app, &link).await.assert_ok()["approved"], true);
    follow(&app, &link).await.assert_error(401, "E061301");
    let r = poll(&app, &p, &started["pendingRef"]).await;
    let jwt = r.assert_ok();
    assert_eq!(jwt["firstSeen"], true);
    assert_eq!(jwt["user"]["phone"], "+15550001111");
    assert_eq!(jwt["user"]["verifiedPhone"], true);
    assert_eq!(claims(jwt["sessionJwt"].as_str().unwrap())["amr"], json!(["whatsapp"]));
    poll(&app, &p, &started["pendingRef"]).await.assert_error(401, "E061301");

    // sign-in without a login ID: the approver names it
    let r = app.post("/v1/auth/notp/whatsapp/signin", Some(&p.bearer()), json!({"loginOptions": {}})).await;
    let started = r.assert_ok().clone();
    check_start(&started);
    let link = app.outbox(&p, "?kind=notp").await[0]["link"].as_str().unwrap().to_owned();
    follow(&app, &link).await.assert_error(400, "E011002");
    follow(&app, &format!("{link}&loginId=%2B15550001111")).await.assert_ok();
    let r = poll(&app, &p, &started["pendingRef"]).await;
    assert_eq!(r.assert_ok()["user"]["loginIds"], json!(["+15550001111"]));
}

#[tokio::test]
async fn error_codes_and_expiry() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    app.post("/v1/auth/notp/telegram/signin", Some(&p.bearer()), json!({"loginId": "+15550001111"}))
        .await
        .assert_error(400, "E011004");
    app.post("/v1/auth/notp/whatsapp/signin", Some(&p.bearer()), json!({"loginId": "+15550009999"}))
        .await
        .assert_error(400, "E062108");
    app.post("/v1/auth/notp/whatsapp/signup", Some(&p.bearer()), json!({}))
        .await
        .assert_error(400, "E011002");
    app.post("/v1/auth/notp/pending-session", Some(&p.bearer()), json!({}))
        .await
        .assert_error(400, "E011002");
    poll(&app, &p, &json!("nope")).await.assert_error(401, "E061301");
    app.get(&format!("/emulator/v1/projects/{}/notp/approve?t=nope", p.id), None)
        .await
        .assert_error(401, "E061301");

    let r = app
        .post("/v1/auth/notp/whatsapp/signup", Some(&p.bearer()), json!({"loginId": "+15550002222"}))
        .await;
    let started = r.assert_ok().clone();
    let link = app.outbox_latest(&p, "+15550002222").await["link"].as_str().unwrap().to_owned();
    app.advance_clock(181).await;
    follow(&app, &link).await.assert_error(401, "E061301");
    poll(&app, &p, &started["pendingRef"]).await.assert_error(401, "E061301");
    app.reset_clock().await;
}

#[tokio::test]
async fn update_phone_after_approval() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let jwt = app.sign_up_with_otp(&p, "wa@example.com").await;
    let refresh = jwt["refreshJwt"].as_str().unwrap();
    let body = json!({"loginId": "wa@example.com", "phone": "+15550003333"});
    app.post("/v1/auth/notp/whatsapp/update", Some(&p.bearer()), body.clone())
        .await
        .assert_error(401, "E061005");
    let r = app.post("/v1/auth/notp/whatsapp/update", Some(&p.with(refresh)), body).await;
    let started = r.assert_ok().clone();
    check_start(&started);
    let msg = app.outbox_latest(&p, "wa@example.com").await;
    assert_eq!(msg["to"], "+15550003333");
    follow(&app, msg["link"].as_str().unwrap()).await.assert_ok();
    let r = poll(&app, &p, &started["pendingRef"]).await;
    let jwt = r.assert_ok();
    assert_eq!(jwt["user"]["phone"], "+15550003333");
    assert_eq!(claims(jwt["sessionJwt"].as_str().unwrap())["amr"], json!(["email", "whatsapp"]));
}
