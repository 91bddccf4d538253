//! TOTP: sign-up returns a key, QR code and otpauth URL; codes computed from the key sign in
//! by the emulator clock (RFC 6238, one step of drift); update replaces the key.

use base64::Engine;
use serde_json::{json, Value};

use crate::harness::{claims, TestApp, TestProject};

/// RFC 6238 (SHA-1, 30 s, 6 digits), written independently of the emulator's own code.
fn totp(key: &str, unix_secs: i64) -> String {
    use aws_lc_rs::hmac;
    let secret = data_encoding::BASE32_NOPAD.decode(key.as_bytes()).unwrap();
    let counter = (unix_secs / 30) as u64;
    let tag =
        hmac::sign(&hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, &secret), &counter.to_be_bytes());
    let h = tag.as_ref();
    let o = (h[19] & 0xf) as usize;
    let n =
        ((h[o] as u32 & 0x7f) << 24) | ((h[o + 1] as u32) << 16) | ((h[o + 2] as u32) << 8) | h[o + 3] as u32;
    format!("{:06}", n % 1_000_000)
}

async fn verify(app: &TestApp, p: &TestProject, login: &str, code: &str) -> crate::harness::TestResponse {
    app.post("/v1/auth/totp/verify", Some(&p.bearer()), json!({"loginId": login, "code": code})).await
}

fn check_enrollment(body: &Value, login: &str) -> String {
    let key = body["key"].as_str().unwrap().to_owned();
    assert!(data_encoding::BASE32_NOPAD.decode(key.as_bytes()).is_ok(), "{key}");
    let url = body["provisioningURL"].as_str().unwrap();
    assert!(url.starts_with("otpauth://totp/"), "{url}");
    assert!(url.contains(&format!("secret={key}")), "{url}");
    assert!(url.contains(login), "{url}");
    let png = base64::engine::general_purpose::STANDARD.decode(body["image"].as_str().unwrap()).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    key
}

#[test]
fn rfc_6238_vector() {
    // RFC 6238 appendix B, SHA-1 seed "12345678901234567890" at T = 59: 94287082 (8 digits).
    let key = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    assert_eq!(totp(key, 59), "287082");
    let ours = descope_emulator::domain::authn::totp::code_at(key, descope_emulator::clock::UnixTime(59_000))
        .unwrap();
    assert_eq!(ours, "287082");
}

#[tokio::test]
async fn sign_up_verify_and_window() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let login = "tia@example.com";

    let r = app
        .post("/v1/auth/totp/signup", Some(&p.bearer()), json!({"loginId": login, "user": {"name": "Tia"}}))
        .await;
    let key = check_enrollment(r.assert_ok(), login);
    app.post("/v1/auth/totp/signup", Some(&p.bearer()), json!({"loginId": login}))
        .await
        .assert_error(400, "E062107");
    app.post("/v1/auth/totp/signup", Some(&p.bearer()), json!({})).await.assert_error(400, "E011002");

    let now = app.clock_now().await;
    let code = totp(&key, now);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    verify(&app, &p, login, wrong).await.assert_error(401, "E061102");
    verify(&app, &p, "nobody@example.com", &code).await.assert_error(400, "E062108");
    verify(&app, &p, login, "").await.assert_error(400, "E011002");

    let r = verify(&app, &p, login, &code).await;
    let jwt = r.assert_ok();
    assert_eq!(jwt["firstSeen"], true);
    assert_eq!(jwt["user"]["TOTP"], true);
    assert_eq!(jwt["user"]["name"], "Tia");
    assert_eq!(jwt["user"]["email"], login);
    assert_eq!(claims(jwt["sessionJwt"].as_str().unwrap())["amr"], json!(["totp"]));

    // one step of drift either way is accepted
    assert_eq!(verify(&app, &p, login, &totp(&key, now - 30)).await.assert_ok()["firstSeen"], false);
    verify(&app, &p, login, &totp(&key, now + 30)).await.assert_ok();

    // judged by the emulator clock: two minutes on, the code is stale and a fresh one works
    app.advance_clock(120).await;
    verify(&app, &p, login, &code).await.assert_error(401, "E061102");
    let later = app.clock_now().await;
    verify(&app, &p, login, &totp(&key, later)).await.assert_ok();
    app.reset_clock().await;
}

#[tokio::test]
async fn update_replaces_the_key() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let login = "upd@example.com";
    let jwt = app.sign_up_with_otp(&p, login).await;
    let refresh = jwt["refreshJwt"].as_str().unwrap().to_owned();

    // a user without TOTP cannot verify
    verify(&app, &p, login, "123456").await.assert_error(400, "E011004");
    app.post("/v1/auth/totp/update", Some(&p.bearer()), json!({"loginId": login}))
        .await
        .assert_error(401, "E061005");
    app.post("/v1/auth/totp/update", Some(&p.with(&refresh)), json!({"loginId": "other@example.com"}))
        .await
        .assert_error(400, "E011004");

    let r = app.post("/v1/auth/totp/update", Some(&p.with(&refresh)), json!({"loginId": login})).await;
    let first = check_enrollment(r.assert_ok(), login);
    let r = app.post("/v1/auth/totp/update", Some(&p.with(&refresh)), json!({"loginId": login})).await;
    let second = check_enrollment(r.assert_ok(), login);
    assert_ne!(first, second);

    let now = app.clock_now().await;
    if totp(&first, now) != totp(&second, now) {
        verify(&app, &p, login, &totp(&first, now)).await.assert_error(401, "E061102");
    }
    // step-up: the session's amr gains totp
    let r = app
        .post(
            "/v1/auth/totp/verify",
            Some(&p.with(&refresh)),
            json!({"loginId": login, "code": totp(&second, now), "loginOptions": {"stepup": true}}),
        )
        .await;
    let jwt = r.assert_ok();
    assert_eq!(claims(jwt["sessionJwt"].as_str().unwrap())["amr"], json!(["email", "totp"]));
    assert_eq!(jwt["user"]["TOTP"], true);
}

#[tokio::test]
async fn disabled_users_are_refused() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    app.post(
        "/v1/mgmt/user/create",
        Some(&p.mgmt()),
        json!({"loginId": "off@example.com", "status": "disabled"}),
    )
    .await
    .assert_ok();
    verify(&app, &p, "off@example.com", "123456").await.assert_error(403, "E062110");
}

/// A login ID too long for the enrollment QR code is bad input (400), and creates no user.
#[tokio::test]
async fn sign_up_with_a_login_id_too_long_for_the_qr_code_is_a_400() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let login = format!("{}@example.com", "a".repeat(2200));
    let r = app.post("/v1/auth/totp/signup", Some(&p.bearer()), json!({"loginId": login})).await;
    r.assert_error(400, "E011004");
    let load = app.get(&format!("/v1/mgmt/user?loginId={login}"), Some(&p.mgmt())).await;
    assert_eq!(load.status, 400, "{}", load.text);
}
