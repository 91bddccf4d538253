//! Recovery codes (single use, a new set voids the old one) and security questions.

use serde_json::json;

use crate::harness::{claims, TestApp};

#[tokio::test]
async fn recovery_codes_sign_in_once() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let login = "rc@example.com";
    let jwt = app.sign_up_with_otp(&p, login).await;
    let refresh = jwt["refreshJwt"].as_str().unwrap();

    app.post("/v1/auth/recovery-codes", Some(&p.bearer()), json!({"loginId": login}))
        .await
        .assert_error(401, "E061005");
    let r = app.post("/v1/auth/recovery-codes", Some(&p.with(refresh)), json!({"loginId": login})).await;
    let codes: Vec<String> = r.assert_ok()["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    assert_eq!(codes.iter().collect::<std::collections::BTreeSet<_>>().len(), 10);

    let sign_in = |code: &str| {
        let body = json!({"loginId": login, "code": code});
        let bearer = p.bearer();
        let app = &app;
        async move { app.post("/v1/auth/recovery-codes/signin", Some(&bearer), body).await }
    };
    let r = sign_in(&codes[0]).await;
    let jwt = r.assert_ok();
    assert_eq!(jwt["user"]["email"], login);
    assert_eq!(claims(jwt["sessionJwt"].as_str().unwrap())["amr"], json!(["recovery"]));
    sign_in(&codes[0]).await.assert_error(401, "E061102");
    sign_in("wrong-code").await.assert_error(401, "E061102");
    // case and spaces do not matter
    sign_in(&format!(" {} ", codes[1].to_uppercase())).await.assert_ok();

    // a new set voids the old codes
    let r = app.post("/v1/auth/recovery-codes", Some(&p.with(refresh)), json!({"loginId": login})).await;
    let fresh = r.assert_ok()["codes"][0]["code"].as_str().unwrap().to_owned();
    sign_in(&codes[2]).await.assert_error(401, "E061102");
    sign_in(&fresh).await.assert_ok();

    app.post(
        "/v1/auth/recovery-codes/signin",
        Some(&p.bearer()),
        json!({"loginId": "x@example.com", "code": "a"}),
    )
    .await
    .assert_error(400, "E062108");
    app.post("/v1/auth/recovery-codes/signin", Some(&p.bearer()), json!({"loginId": login}))
        .await
        .assert_error(400, "E011002");
    app.post("/v1/auth/recovery-codes", Some(&p.with(refresh)), json!({"loginId": "other@example.com"}))
        .await
        .assert_error(400, "E011004");
}

#[tokio::test]
async fn security_questions_set_up_and_verify() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let login = "sq@example.com";
    let jwt = app.sign_up_with_otp(&p, login).await;
    let refresh = jwt["refreshJwt"].as_str().unwrap();
    let answers = json!([{"id": "pet", "answer": "Rex"}, {"id": "custom-q", "answer": "Blue"}]);

    app.post(
        "/v1/auth/security-questions/setup",
        Some(&p.bearer()),
        json!({"loginId": login, "answers": answers}),
    )
    .await
    .assert_error(401, "E061005");
    // nothing set up yet
    app.post(
        "/v1/auth/security-questions/verify",
        Some(&p.with(refresh)),
        json!({"loginId": login, "answers": answers}),
    )
    .await
    .assert_error(400, "E011004");
    let r = app
        .post(
            "/v1/auth/security-questions/setup",
            Some(&p.with(refresh)),
            json!({"loginId": login, "answers": answers}),
        )
        .await;
    assert_eq!(r.assert_ok(), &json!({}));
    app.post(
        "/v1/auth/security-questions/setup",
        Some(&p.with(refresh)),
        json!({"loginId": login, "answers": []}),
    )
    .await
    .assert_error(400, "E011002");

    let r = app.get("/v1/auth/security-questions/verify", Some(&p.with(refresh))).await;
    assert_eq!(
        r.assert_ok()["questions"],
        json!([{"id": "pet", "text": "What was the name of your first pet?"}, {"id": "custom-q", "text": "custom-q"}])
    );

    let verify = |answers: serde_json::Value, stepup: bool| {
        let body = json!({"loginId": login, "answers": answers, "stepup": stepup});
        let bearer = p.with(refresh);
        let app = &app;
        async move { app.post("/v1/auth/security-questions/verify", Some(&bearer), body).await }
    };
    verify(json!([{"id": "pet", "answer": "Rex"}, {"id": "custom-q", "answer": "Red"}]), false)
        .await
        .assert_error(401, "E062901");
    verify(json!([{"id": "pet", "answer": "Rex"}]), false).await.assert_error(401, "E062901");
    let r =
        verify(json!([{"id": "custom-q", "answer": " blue "}, {"id": "pet", "answer": "REX"}]), true).await;
    let jwt = r.assert_ok();
    assert_eq!(claims(jwt["sessionJwt"].as_str().unwrap())["amr"], json!(["email", "secq"]));
    let r = verify(answers, false).await;
    assert_eq!(claims(r.assert_ok()["sessionJwt"].as_str().unwrap())["amr"], json!(["secq"]));
}
