//! Hosted flows: `/v1/flow/start` and `/v1/flow/next` as the web component drives them, the
//! static pages and the UI bundle. The browser suite runs the real component against them.

use serde_json::{json, Value};

use crate::harness::{claims, TestApp, TestProject};

async fn start(app: &TestApp, p: &TestProject, flow: &str, location: &str) -> Value {
    let body = json!({"flowId": flow, "options": {"location": location}, "input": {}});
    app.post("/v1/flow/start", Some(&p.bearer()), body).await.assert_ok().clone()
}

/// `/v1/flow/next` at the step `at` (a start or next answer) with this interaction and input.
pub(crate) async fn next(
    app: &TestApp,
    p: &TestProject,
    at: &Value,
    interaction: &str,
    input: Value,
) -> crate::harness::TestResponse {
    let body = json!({
        "executionId": at["executionId"], "stepId": at["stepId"], "interactionId": interaction,
        "version": 1, "componentsVersion": "3.14.1", "input": input,
    });
    app.post("/v1/flow/next", Some(&p.bearer()), body).await
}

#[tokio::test]
async fn sign_up_or_in_with_an_email_code_shows_a_wrong_code_on_the_screen() {
    let (app, p) = TestApp::with_project().await;
    let first = start(&app, &p, "sign-up-or-in", "http://app.test/login").await;
    let exec = first["executionId"].as_str().unwrap();
    assert!(exec.starts_with("sign-up-or-in|#|") && !exec.contains('_'), "{exec}");
    assert_eq!(first["status"], "running");
    assert_eq!(first["action"], "screen");
    assert_eq!(first["screen"]["id"], "first");
    assert_eq!(first["stepId"], "1");

    let code_screen = next(&app, &p, &first, "sendCode", json!({"email": "ann@example.com"})).await;
    let code_screen = code_screen.assert_ok().clone();
    assert_eq!(code_screen["screen"]["id"], "code");
    assert_eq!(code_screen["stepId"], "2");
    assert_eq!(code_screen["screen"]["state"]["maskedAddress"], "a***@example.com");
    let code = app.outbox_latest(&p, "ann@example.com").await["code"].as_str().unwrap().to_owned();

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let again = next(&app, &p, &code_screen, "verifyCode", json!({"code": wrong})).await;
    let again = again.assert_ok();
    assert_eq!(again["screen"]["id"], "code");
    assert!(again["screen"]["state"]["errorText"].as_str().unwrap().contains("code"), "{again}");

    let done = next(&app, &p, &code_screen, "verifyCode", json!({"code": code})).await;
    let done = done.assert_ok();
    assert_eq!(done["status"], "completed");
    assert_eq!(done["action"], "none");
    let auth = &done["authInfo"];
    assert_eq!(auth["user"]["loginIds"], json!(["ann@example.com"]));
    assert_eq!(auth["firstSeen"], true);
    assert_eq!(claims(auth["sessionJwt"].as_str().unwrap())["sub"], auth["user"]["userId"]);
    assert!(auth["refreshJwt"].is_string());

    // A finished execution takes nothing more.
    next(&app, &p, &code_screen, "verifyCode", json!({"code": code})).await.assert_error(400, "E103002");
}

#[tokio::test]
async fn password_sign_up_then_sign_in_and_flow_rules() {
    let (app, p) = TestApp::with_project().await;
    // sign-in refuses an unknown user on the first screen, with the reason.
    let first = start(&app, &p, "sign-in", "").await;
    let r = next(&app, &p, &first, "usePassword", json!({"email": "bo@example.com"})).await;
    assert_eq!(r.assert_ok()["screen"]["id"], "first");
    assert!(r.body["screen"]["state"]["errorText"].as_str().unwrap().contains("not found"));

    let first = start(&app, &p, "sign-up", "").await;
    let pw =
        next(&app, &p, &first, "usePassword", json!({"email": "bo@example.com"})).await.assert_ok().clone();
    assert_eq!(pw["screen"]["id"], "new-password");
    let done = next(&app, &p, &pw, "signUp", json!({"newPassword": "Correct-Horse-9"})).await;
    let user_id = done.assert_ok()["authInfo"]["user"]["userId"].clone();

    // sign-up refuses the now existing user; sign-up-or-in asks for the password.
    let first = start(&app, &p, "sign-up", "").await;
    let r = next(&app, &p, &first, "sendCode", json!({"email": "bo@example.com"})).await;
    assert_eq!(r.assert_ok()["screen"]["id"], "first");
    assert!(r.body["screen"]["state"]["errorText"].is_string());
    let first = start(&app, &p, "sign-up-or-in", "").await;
    let pw =
        next(&app, &p, &first, "usePassword", json!({"email": "bo@example.com"})).await.assert_ok().clone();
    assert_eq!(pw["screen"]["id"], "password");
    let wrong = next(&app, &p, &pw, "signIn", json!({"password": "nope"})).await;
    assert!(wrong.assert_ok()["screen"]["state"]["errorText"].is_string());
    let done = next(&app, &p, &pw, "signIn", json!({"password": "Correct-Horse-9"})).await;
    assert_eq!(done.assert_ok()["authInfo"]["user"]["userId"], user_id);
    assert_eq!(done.body["authInfo"]["firstSeen"], false);
}

#[tokio::test]
async fn a_magic_link_completes_the_tab_that_opens_it_and_the_polling_one() {
    let (app, p) = TestApp::with_project().await;
    let first =
        start(&app, &p, "sign-up-or-in", "http://app.test/login?x=1&descope-login-flow=old_1&t=old").await;
    let sent =
        next(&app, &p, &first, "sendLink", json!({"email": "cy@example.com"})).await.assert_ok().clone();
    assert_eq!(sent["screen"]["id"], "link-sent");
    let poll = next(&app, &p, &sent, "polling", json!({})).await;
    assert_eq!(poll.assert_ok()["action"], "poll");
    let msg = app.outbox_latest(&p, "cy@example.com").await;
    let link = msg["link"].as_str().unwrap();
    let url = url::Url::parse(link).unwrap();
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["x"], "1");
    let (exec, step) = q["descope-login-flow"].rsplit_once('_').unwrap();
    assert_eq!(exec, sent["executionId"]);
    assert_eq!(step, sent["stepId"]);
    // The tab the link opens continues the execution with the token.
    let at = json!({"executionId": exec, "stepId": step});
    let opened = next(&app, &p, &at, "submit", json!({"token": q["t"]})).await;
    let opened_user = opened.assert_ok()["authInfo"]["user"]["userId"].clone();
    // The polling tab completes once, with its own session.
    let polled = next(&app, &p, &sent, "polling", json!({})).await;
    assert_eq!(polled.assert_ok()["status"], "completed");
    assert_eq!(polled.body["authInfo"]["user"]["userId"], opened_user);
    assert!(polled.body["authInfo"]["refreshJwt"].is_string());
    next(&app, &p, &sent, "polling", json!({})).await.assert_error(400, "E103002");
}

#[tokio::test]
async fn bad_flow_calls_are_json_errors() {
    let (app, p) = TestApp::with_project().await;
    app.post("/v1/flow/start", Some(&p.bearer()), json!({"flowId": "nope"}))
        .await
        .assert_error(400, "E102001");
    app.post("/v1/flow/start", Some(&p.bearer()), json!({})).await.assert_error(400, "E011002");
    app.post("/v1/flow/start", None, json!({"flowId": "sign-in"})).await;
    let first = start(&app, &p, "sign-in", "").await;
    // Forged or stale execution IDs and steps from the future.
    let forged = json!({"executionId": "sign-in|#|forged", "stepId": "1"});
    next(&app, &p, &forged, "sendCode", json!({})).await.assert_error(400, "E103001");
    let future = json!({"executionId": first["executionId"], "stepId": "9"});
    next(&app, &p, &future, "sendCode", json!({})).await.assert_error(400, "E103001");
    let garbage = json!({"executionId": first["executionId"], "stepId": "x"});
    next(&app, &p, &garbage, "sendCode", json!({})).await.assert_error(400, "E103001");
    // An interaction the screen lacks; missing input stays on the screen.
    next(&app, &p, &first, "verifyCode", json!({})).await.assert_error(400, "E103003");
    let r = next(&app, &p, &first, "sendCode", json!({})).await;
    assert!(r.assert_ok()["screen"]["state"]["errorText"].is_string());
    let r = app.post("/v1/flow/next", Some(&p.bearer()), json!({"executionId": first["executionId"]})).await;
    r.assert_error(400, "E011002");
    // Another project's execution is unknown here.
    let other = app.new_project().await;
    next(&app, &other, &first, "sendCode", json!({"email": "a@b.co"})).await.assert_error(400, "E103001");
    // Malformed bodies are Descope errors, in JSON.
    let r = app.post("/v1/flow/next", Some(&p.bearer()), json!([1, 2])).await;
    assert_eq!(r.status.as_u16(), 400);
    assert!(r.body["errorCode"].is_string());
}

#[tokio::test]
async fn pages_and_the_ui_bundle_are_served() {
    let (app, p) = TestApp::with_project().await;
    let config = app.get(&format!("/pages/{}/v2-beta/config.json", p.id), None).await;
    let config = config.assert_ok();
    let version = config["componentsVersion"].as_str().unwrap().to_owned();
    assert_eq!(version, "3.14.1");
    assert!(config["flows"]["sign-up-or-in"]["version"].is_number());
    assert!(config["flows"]["sign-up-or-in"].get("startScreenId").is_none());
    let theme = app.get(&format!("/pages/{}/v2-beta/theme.json", p.id), None).await;
    assert!(theme.assert_ok()["light"]["globals"].is_string());
    assert!(theme.body["dark"]["components"].is_object());
    let tenant_theme = app.get(&format!("/pages/{}/v2-beta/T123/theme.json", p.id), None).await;
    assert_eq!(tenant_theme.body, theme.body);
    for screen in ["first", "first-phone", "code", "password", "new-password", "link-sent", "code-fr"] {
        let r = app.get(&format!("/pages/{}/v2-beta/{screen}.html", p.id), None).await;
        assert_eq!(r.status.as_u16(), 200, "{screen}");
        assert!(r.text.contains(r#"data-type="error-message""#), "{screen}");
    }
    let phone = app.get(&format!("/pages/{}/v2-beta/first-phone.html", p.id), None).await;
    assert!(phone.text.contains(r#"name="phone""#) && !phone.text.contains(r#"name="email""#));
    app.get(&format!("/pages/{}/v2-beta/nope.html", p.id), None).await.assert_error(404, "E011008");
    app.get("/pages/Pnope/v2-beta/config.json", None).await.assert_error(404, "E011008");
    let js = app.get(&format!("/npm/@descope/web-components-ui@{version}/dist/umd/index.js"), None).await;
    assert_eq!(js.status.as_u16(), 200);
    assert!(js.headers["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert!(js.text.len() > 10_000);
    let wc = app.get("/npm/@descope/web-component@4.3.2/dist/index.js", None).await;
    assert_eq!(wc.status.as_u16(), 200);
    for bad in [
        "/npm/@descope/web-components-ui@0.0.1/dist/umd/index.js",
        "/npm/@other/web-components-ui@3.14.1/dist/umd/index.js",
        "/npm/@descope/web-components-ui@3.14.1/dist/umd/../VERSION",
        "/npm/@descope/web-components-ui@3.14.1/dist/umd/nope.js",
    ] {
        assert_eq!(app.get(bad, None).await.status.as_u16(), 404, "{bad}");
    }
    let demo = app.get(&format!("/emulator/demo?projectId={}&flow=sign-in", p.id), None).await;
    assert_eq!(demo.status.as_u16(), 200);
    assert!(demo.text.contains(&format!(r#"project-id="{}""#, p.id)));
    assert!(demo.text.contains(r#"flow-id="sign-in""#));
    app.get("/emulator/demo?projectId=Pnope", None).await.assert_error(404, "E011008");
}

#[tokio::test]
async fn management_runs_name_why_a_flow_cannot_run_server_side() {
    let (app, p) = TestApp::with_project().await;
    let mgmt = Some(p.mgmt());
    for path in ["/v1/mgmt/flow/run", "/v1/mgmt/flow/async/run"] {
        app.post(path, mgmt.as_deref(), json!({})).await.assert_error(400, "E011002");
        app.post(path, mgmt.as_deref(), json!({"flowId": "nope"})).await.assert_error(404, "E011008");
        let r = app
            .post(path, mgmt.as_deref(), json!({"flowId": "sign-up-or-in", "options": {"input": {}}}))
            .await;
        r.assert_error(400, "E103004");
        assert!(r.body["errorMessage"].as_str().unwrap().contains("screens"), "{}", r.text);
        app.post(path, mgmt.as_deref(), json!({"flowId": "sign-in", "options": 3}))
            .await
            .assert_error(400, "E011004");
        app.post(path, Some(&p.bearer()), json!({"flowId": "sign-in"})).await;
    }
    // A screenless flow of the project's: its actions would leave the machine.
    let doc = json!({"flowId": "mgmt-flow", "metadata": {"name": "M"}, "contents": {}, "screens": []});
    app.post("/v2/mgmt/flow/import", mgmt.as_deref(), json!({"flowId": "mgmt-flow", "flow": doc}))
        .await
        .assert_ok();
    let r = app.post("/v1/mgmt/flow/run", mgmt.as_deref(), json!({"flowId": "mgmt-flow"})).await;
    r.assert_error(400, "E103004");
    assert!(r.body["errorMessage"].as_str().unwrap().contains("actions"), "{}", r.text);
    let r = app.post("/v1/mgmt/flow/async/result", mgmt.as_deref(), json!({})).await;
    r.assert_error(400, "E011002");
    let r = app.post("/v1/mgmt/flow/async/result", mgmt.as_deref(), json!({"executionId": "x"})).await;
    r.assert_error(404, "E011008");
    let r = app.post("/v1/mgmt/flow/externalauth/complete", mgmt.as_deref(), json!({"loginId": "a"})).await;
    r.assert_error(400, "E011002");
    let body = json!({"externalAuthReqId": "r1", "loginId": "a@b.co"});
    app.post("/v1/mgmt/flow/externalauth/complete", mgmt.as_deref(), body).await.assert_error(404, "E011008");
}

#[tokio::test]
async fn an_sms_code_from_the_phone_screen() {
    let (app, p) = TestApp::with_project().await;
    let first = start(&app, &p, "sign-up-or-in", "").await;
    let phone = next(&app, &p, &first, "usePhone", json!({})).await.assert_ok().clone();
    assert_eq!(phone["screen"]["id"], "first-phone");
    let r = next(&app, &p, &phone, "sendCode", json!({"phone": ""})).await;
    assert!(r.assert_ok()["screen"]["state"]["errorText"].as_str().unwrap().contains("phone"));
    // The phone field's own format.
    let code_screen = next(&app, &p, &phone, "sendCode", json!({"phone": "+1-555-123 4567"})).await;
    let code_screen = code_screen.assert_ok().clone();
    assert_eq!(code_screen["screen"]["id"], "code");
    assert_eq!(code_screen["screen"]["state"]["inputs"], json!({"phone": "+15551234567"}));
    let msg = app.outbox_latest(&p, "+15551234567").await;
    assert_eq!(msg["channel"], "sms");
    let done = next(&app, &p, &code_screen, "verifyCode", json!({"code": msg["code"]})).await;
    let user = &done.assert_ok()["authInfo"]["user"];
    assert_eq!(user["loginIds"], json!(["+15551234567"]));
    assert_eq!(user["phone"], "+15551234567");
    assert_eq!(user["verifiedPhone"], true);
    // And back to email.
    let first = start(&app, &p, "sign-in", "").await;
    let phone = next(&app, &p, &first, "usePhone", json!({})).await.assert_ok().clone();
    let back = next(&app, &p, &phone, "useEmail", json!({})).await;
    assert_eq!(back.assert_ok()["screen"]["id"], "first");
}

/// The origin of the page running the flow (the component sends it with every `next`).
const PAGE_ORIGIN: &str = "http://localhost:3000";

/// The software authenticator's answer (`create` or `get`) to a flow's `webauthn` options.
async fn authenticator_answer(
    app: &TestApp,
    p: &TestProject,
    auth: &str,
    verb: &str,
    webauthn: &Value,
) -> String {
    let path = format!("/emulator/v1/projects/{}/authenticators/{auth}/{verb}", p.id);
    let r = app.post(&path, None, json!({"options": webauthn["options"], "origin": PAGE_ORIGIN})).await;
    r.assert_ok()["response"].as_str().unwrap().to_owned()
}

fn error_text(r: &Value) -> String {
    r["screen"]["state"]["errorText"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_passkey_signs_up_then_in_through_the_built_in_flows() {
    let (app, p) = TestApp::with_project().await;
    let auth = app.post(&format!("/emulator/v1/projects/{}/authenticators", p.id), None, json!({})).await;
    let auth = auth.assert_ok()["authenticatorId"].as_str().unwrap().to_owned();
    let email = "pia@example.com";
    let use_passkey = json!({"email": email, "origin": PAGE_ORIGIN});

    // sign-in knows no such user yet: the reason on the first screen.
    let first = start(&app, &p, "sign-in", "").await;
    let r = next(&app, &p, &first, "usePasskey", use_passkey.clone()).await.assert_ok().clone();
    assert_eq!((r["action"].as_str(), r["screen"]["id"].as_str()), (Some("screen"), Some("first")));
    assert!(!error_text(&r).is_empty(), "{r}");

    let first = start(&app, &p, "sign-up-or-in", "").await;
    let r = next(&app, &p, &first, "usePasskey", json!({"origin": PAGE_ORIGIN})).await;
    assert!(error_text(r.assert_ok()).contains("email"), "{}", r.text);

    // A new user: registration options, as the component expects them.
    let ceremony = next(&app, &p, &first, "usePasskey", use_passkey.clone()).await.assert_ok().clone();
    assert_eq!(ceremony["status"], "running");
    assert_eq!(ceremony["action"], "webauthnCreate");
    assert_eq!(ceremony["stepId"], "2");
    assert!(ceremony["screen"]["state"].is_object() && ceremony["screen"].get("id").is_none(), "{ceremony}");
    let w = &ceremony["webauthn"];
    assert_eq!(w["create"], true);
    assert!(w["transactionId"].as_str().is_some_and(|t| !t.is_empty()));
    let options: Value = serde_json::from_str(w["options"].as_str().unwrap()).unwrap();
    assert_eq!(options["publicKey"]["rp"]["id"], "localhost");
    assert_eq!(options["publicKey"]["user"]["name"], email);

    // The browser refused (the person cancelled): the first screen again, with the reason,
    // and nothing waits for a second answer.
    let failure = json!({"transactionId": w["transactionId"], "failure": "NotAllowedError",
        "failureMessage": "The operation either timed out or was not allowed."});
    let r = next(&app, &p, &ceremony, "submit", failure.clone()).await.assert_ok().clone();
    assert_eq!(r["screen"]["id"], "first");
    assert!(error_text(&r).contains("not created") && error_text(&r).contains("timed out"), "{r}");
    next(&app, &p, &ceremony, "submit", failure).await.assert_error(400, "E103003");

    // An answer for another transaction, and one that does not verify, are refused too.
    let ceremony = next(&app, &p, &first, "usePasskey", use_passkey.clone()).await.assert_ok().clone();
    let response = authenticator_answer(&app, &p, &auth, "create", &ceremony["webauthn"]).await;
    let r =
        next(&app, &p, &ceremony, "submit", json!({"transactionId": "forged", "response": response})).await;
    assert!(error_text(r.assert_ok()).contains("another request"), "{}", r.text);
    let ceremony = next(&app, &p, &first, "usePasskey", use_passkey.clone()).await.assert_ok().clone();
    let w = &ceremony["webauthn"];
    let r =
        next(&app, &p, &ceremony, "submit", json!({"transactionId": w["transactionId"], "response": "{}"}))
            .await;
    assert_eq!(r.assert_ok()["screen"]["id"], "first");
    assert!(!error_text(&r.body).is_empty(), "{}", r.text);
    let users = app.post("/v1/mgmt/user/search", Some(&p.mgmt()), json!({})).await;
    assert_eq!(users.assert_ok()["users"], json!([]));

    // The authenticator's real answer signs the new user up.
    let ceremony = next(&app, &p, &first, "usePasskey", use_passkey.clone()).await.assert_ok().clone();
    let w = ceremony["webauthn"].clone();
    let response = authenticator_answer(&app, &p, &auth, "create", &w).await;
    let done = next(
        &app,
        &p,
        &ceremony,
        "submit",
        json!({"transactionId": w["transactionId"], "response": response}),
    )
    .await
    .assert_ok()
    .clone();
    assert_eq!(
        (done["status"].as_str(), done["action"].as_str()),
        (Some("completed"), Some("none")),
        "{done}"
    );
    let user = &done["authInfo"]["user"];
    assert_eq!(user["loginIds"], json!([email]));
    assert_eq!(user["email"], email);
    assert_eq!(user["webauthn"], true);
    assert_eq!(done["authInfo"]["firstSeen"], true);
    let session = claims(done["authInfo"]["sessionJwt"].as_str().unwrap());
    assert_eq!(session["sub"], user["userId"]);
    assert_eq!(session["amr"], json!(["webauthn"]));

    // sign-up refuses the now existing user; sign-in and sign-up-or-in ask for the passkey.
    let first = start(&app, &p, "sign-up", "").await;
    let r = next(&app, &p, &first, "usePasskey", use_passkey.clone()).await;
    assert!(error_text(r.assert_ok()).contains("already exists"), "{}", r.text);
    for flow in ["sign-in", "sign-up-or-in"] {
        let first = start(&app, &p, flow, "").await;
        let ceremony = next(&app, &p, &first, "usePasskey", use_passkey.clone()).await.assert_ok().clone();
        assert_eq!(ceremony["action"], "webauthnGet", "{flow}");
        let w = ceremony["webauthn"].clone();
        assert_eq!(w["create"], false);
        let options: Value = serde_json::from_str(w["options"].as_str().unwrap()).unwrap();
        assert_eq!(options["publicKey"]["allowCredentials"].as_array().map(Vec::len), Some(1));
        let response = authenticator_answer(&app, &p, &auth, "get", &w).await;
        let done = next(
            &app,
            &p,
            &ceremony,
            "submit",
            json!({"transactionId": w["transactionId"], "response": response}),
        )
        .await;
        assert_eq!(done.assert_ok()["status"], "completed", "{flow}");
        assert_eq!(done.body["authInfo"]["user"]["userId"], user["userId"]);
        assert_eq!(done.body["authInfo"]["firstSeen"], false);
    }
}
