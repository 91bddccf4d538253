//! OTP: every channel signs up, signs in and verifies; codes expire, are single use and
//! allow a limited number of attempts.

use serde_json::json;

use crate::harness::{claims, TestApp};

/// (path segment of start calls, of verify calls, a login ID, the masked field)
const CHANNELS: &[(&str, &str, &str, &str)] = &[
    ("email", "email", "ann@example.com", "maskedEmail"),
    ("sms", "sms", "+15551234567", "maskedPhone"),
    ("voice", "voice", "+15551234568", "maskedPhone"),
    ("whatsapp", "whatsapp", "+15551234569", "maskedPhone"),
    ("im", "im", "+15551234570", "maskedPhone"),
];

#[tokio::test]
async fn sign_up_then_sign_in_on_every_channel() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    for (start, verify, login, masked) in CHANNELS {
        let r = app
            .post(
                &format!("/v1/auth/otp/signup/{start}"),
                Some(&p.bearer()),
                json!({"loginId": login, "user": {"name": "Ann"}}),
            )
            .await;
        let body = r.assert_ok();
        assert!(body[masked].as_str().unwrap().contains('*'), "{body}");
        let msg = app.outbox_latest(&p, login).await;
        assert_eq!(msg["channel"], *start);
        assert_eq!(msg["kind"], "otp");
        assert_eq!(msg["to"], *login);
        let code = msg["code"].as_str().unwrap().to_owned();
        assert_eq!(code.len(), 6);
        assert!(!r.text.contains(&code), "the code must not be in the response");
        assert!(msg["body"].as_str().unwrap().contains(&code));

        let r = app
            .post(
                &format!("/v1/auth/otp/verify/{verify}"),
                Some(&p.bearer()),
                json!({"loginId": login, "code": code}),
            )
            .await;
        let jwt = r.assert_ok().clone();
        assert_eq!(jwt["firstSeen"], true, "{jwt}");
        assert_eq!(jwt["user"]["loginIds"], json!([login]));
        assert_eq!(jwt["user"]["name"], "Ann");
        let session = claims(jwt["sessionJwt"].as_str().unwrap());
        assert_eq!(session["drn"], "DS");
        assert_eq!(session["sub"], jwt["user"]["userId"]);
        assert_eq!(session["amr"], json!([start]));
        assert_eq!(session["roles"], json!([]));
        assert_eq!(session["permissions"], json!([]));
        assert_eq!(session["tenants"], json!({}));
        assert_eq!(session["iss"], format!("http://emulator.test/{}", p.id));
        assert_eq!(claims(jwt["refreshJwt"].as_str().unwrap())["drn"], "DSR");

        // the code cannot be used twice
        app.post(
            &format!("/v1/auth/otp/verify/{verify}"),
            Some(&p.bearer()),
            json!({"loginId": login, "code": code}),
        )
        .await
        .assert_error(401, "E061102");

        // sign in again: firstSeen false, address verified
        app.post(&format!("/v1/auth/otp/signin/{start}"), Some(&p.bearer()), json!({"loginId": login}))
            .await
            .assert_ok();
        let code = app.outbox_latest(&p, login).await["code"].as_str().unwrap().to_owned();
        let r = app
            .post(
                &format!("/v1/auth/otp/verify/{verify}"),
                Some(&p.bearer()),
                json!({"loginId": login, "code": code}),
            )
            .await;
        assert_eq!(r.assert_ok()["firstSeen"], false);
    }
}

#[tokio::test]
async fn sign_up_of_existing_user_and_sign_in_of_unknown_user_fail() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    app.sign_up_with_otp(&p, "bob@example.com").await;
    app.post("/v1/auth/otp/signup/email", Some(&p.bearer()), json!({"loginId": "bob@example.com"}))
        .await
        .assert_error(400, "E062107");
    app.post("/v1/auth/otp/signin/email", Some(&p.bearer()), json!({"loginId": "nobody@example.com"}))
        .await
        .assert_error(400, "E062108");
    app.post("/v1/auth/otp/signin/email", Some(&p.bearer()), json!({})).await.assert_error(400, "E011002");
    app.post("/v1/auth/otp/signup/sms", Some(&p.bearer()), json!({"loginId": "not-a-phone"}))
        .await
        .assert_error(400, "E011004");
}

#[tokio::test]
async fn sign_up_or_in_creates_then_reuses() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    for first in [true, false] {
        app.post("/v1/auth/otp/signup-in/sms", Some(&p.bearer()), json!({"loginId": "+15550001111"}))
            .await
            .assert_ok();
        let code = app.outbox_latest(&p, "+15550001111").await["code"].as_str().unwrap().to_owned();
        let r = app
            .post(
                "/v1/auth/otp/verify/sms",
                Some(&p.bearer()),
                json!({"loginId": "+15550001111", "code": code}),
            )
            .await;
        let body = r.assert_ok();
        assert_eq!(body["firstSeen"], first);
        assert_eq!(body["user"]["phone"], "+15550001111");
        assert_eq!(body["user"]["verifiedPhone"], true);
    }
}

#[tokio::test]
async fn codes_expire_by_the_emulator_clock() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    app.post("/v1/auth/otp/signup/email", Some(&p.bearer()), json!({"loginId": "late@example.com"}))
        .await
        .assert_ok();
    let code = app.outbox_latest(&p, "late@example.com").await["code"].as_str().unwrap().to_owned();
    app.advance_clock(181).await;
    let r = app
        .post(
            "/v1/auth/otp/verify/email",
            Some(&p.bearer()),
            json!({"loginId": "late@example.com", "code": code}),
        )
        .await;
    app.reset_clock().await;
    r.assert_error(401, "E061102");
}

#[tokio::test]
async fn too_many_wrong_codes_void_the_code() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    app.post("/v1/auth/otp/signup/email", Some(&p.bearer()), json!({"loginId": "guess@example.com"}))
        .await
        .assert_ok();
    let code = app.outbox_latest(&p, "guess@example.com").await["code"].as_str().unwrap().to_owned();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..4 {
        app.post(
            "/v1/auth/otp/verify/email",
            Some(&p.bearer()),
            json!({"loginId": "guess@example.com", "code": wrong}),
        )
        .await
        .assert_error(401, "E061102");
    }
    app.post(
        "/v1/auth/otp/verify/email",
        Some(&p.bearer()),
        json!({"loginId": "guess@example.com", "code": wrong}),
    )
    .await
    .assert_error(429, "E061103");
    // the right code no longer works either
    app.post(
        "/v1/auth/otp/verify/email",
        Some(&p.bearer()),
        json!({"loginId": "guess@example.com", "code": code}),
    )
    .await
    .assert_error(401, "E061102");
}

#[tokio::test]
async fn update_email_and_phone_with_a_session() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let jwt = app.sign_up_with_otp(&p, "move@example.com").await;
    let refresh = jwt["refreshJwt"].as_str().unwrap();
    // without a session the update is refused
    app.post(
        "/v1/auth/otp/update/email",
        Some(&p.bearer()),
        json!({"loginId": "move@example.com", "email": "new@example.com"}),
    )
    .await
    .assert_error(401, "E061005");
    let r = app
        .post(
            "/v1/auth/otp/update/email",
            Some(&p.with(refresh)),
            json!({"loginId": "move@example.com", "email": "new@example.com", "addToLoginIDs": true}),
        )
        .await;
    assert_eq!(r.assert_ok()["maskedEmail"], "n***@example.com");
    let msg = app.outbox_latest(&p, "move@example.com").await;
    assert_eq!(msg["to"], "new@example.com");
    let r = app
        .post(
            "/v1/auth/otp/verify/email",
            Some(&p.bearer()),
            json!({"loginId": "move@example.com", "code": msg["code"]}),
        )
        .await;
    let user = &r.assert_ok()["user"];
    assert_eq!(user["email"], "new@example.com");
    assert_eq!(user["loginIds"], json!(["move@example.com", "new@example.com"]));

    app.post(
        "/v1/auth/otp/update/phone/sms",
        Some(&p.with(refresh)),
        json!({"loginId": "move@example.com", "phone": "+15557654321"}),
    )
    .await
    .assert_ok();
    let msg = app.outbox_latest(&p, "move@example.com").await;
    assert_eq!(msg["channel"], "sms");
    let r = app
        .post(
            "/v1/auth/otp/verify/sms",
            Some(&p.bearer()),
            json!({"loginId": "move@example.com", "code": msg["code"]}),
        )
        .await;
    assert_eq!(r.assert_ok()["user"]["phone"], "+15557654321");
    assert_eq!(r.body["user"]["verifiedPhone"], true);
}

#[tokio::test]
async fn codes_of_one_project_do_not_work_in_another() {
    let app = TestApp::new().await;
    let a = app.new_project().await;
    let b = app.new_project().await;
    app.post("/v1/auth/otp/signup/email", Some(&a.bearer()), json!({"loginId": "x@example.com"}))
        .await
        .assert_ok();
    let code = app.outbox_latest(&a, "x@example.com").await["code"].as_str().unwrap().to_owned();
    app.post(
        "/v1/auth/otp/verify/email",
        Some(&b.bearer()),
        json!({"loginId": "x@example.com", "code": code}),
    )
    .await
    .assert_error(401, "E061102");
    assert_eq!(app.outbox(&b, "").await, Vec::<serde_json::Value>::new());
}
