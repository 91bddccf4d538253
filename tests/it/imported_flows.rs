//! Imported flows: a v2 flow document imported through the flow-management API runs through
//! `/v1/flow/start|next` (screens served from the document, OTP, magic link, password,
//! conditions), and a flow using something the emulator does not run is refused at start,
//! naming the step.

use serde_json::{json, Value};

use crate::harness::{claims, TestApp, TestProject};
use crate::hosted_flows::next;

/// An email-OTP sign-up-or-in flow in the v2 export format: a welcome screen, a "does the
/// user exist" condition choosing sign-in or sign-up, a code screen, a "new user" condition
/// showing a profile screen, then `logged-in`.
const EMAIL_OTP_FLOW: &str = include_str!("data/flow-email-otp.json");

fn otp_flow() -> Value {
    serde_json::from_str(EMAIL_OTP_FLOW).unwrap()
}

async fn import(app: &TestApp, p: &TestProject, flow: &Value) {
    app.post("/v2/mgmt/flow/import", Some(&p.mgmt()), json!({ "flow": flow })).await.assert_ok();
}

async fn start(app: &TestApp, p: &TestProject, flow: &str) -> crate::harness::TestResponse {
    let body = json!({"flowId": flow, "options": {"location": "http://app.test/login"}, "input": {}});
    app.post("/v1/flow/start", Some(&p.bearer()), body).await
}

async fn code_for(app: &TestApp, p: &TestProject, email: &str) -> String {
    app.outbox_latest(p, email).await["code"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_imported_email_otp_flow_signs_up_then_signs_in() {
    let (app, p) = TestApp::with_project().await;
    import(&app, &p, &otp_flow()).await;

    // The component finds the flow in config.json and its screens as HTML.
    let config = app.get(&format!("/pages/{}/v2-beta/config.json", p.id), None).await;
    assert!(config.assert_ok()["flows"]["acme-otp"]["version"].is_number(), "{}", config.text);
    let welcome = app.get(&format!("/pages/{}/v2-beta/SCwelcome2Xk9aPqR7mN.html", p.id), None).await;
    assert_eq!(welcome.status, 200);
    assert!(welcome.text.starts_with("<descope-container"), "{}", welcome.text);
    assert!(welcome.text.contains(r#"name="email""#) && welcome.text.contains(r#"id="Bt5sKc9wMz""#));
    assert!(welcome.text.contains("Welcome to Acme"));
    let localized = app.get(&format!("/pages/{}/v2-beta/SCverify5Jb3nLw8cTz-es.html", p.id), None).await;
    assert!(localized.text.contains(r#"<descope-passcode "#), "{}", localized.text);
    app.get(&format!("/pages/{}/v2-beta/SCnothing.html", p.id), None).await.assert_error(404, "E011008");

    // Sign-up: the user does not exist, so the condition picks sign-up.
    let first = start(&app, &p, "acme-otp").await.assert_ok().clone();
    let exec = first["executionId"].as_str().unwrap();
    assert!(exec.starts_with("acme-otp|#|") && !exec.contains('_'), "{exec}");
    assert_eq!(first["action"], "screen");
    assert_eq!(first["screen"]["id"], "SCwelcome2Xk9aPqR7mN");
    assert_eq!(first["stepName"], "Welcome Screen");
    assert_eq!(first["stepId"], "1");

    let empty = next(&app, &p, &first, "Bt5sKc9wMz", json!({})).await;
    assert_eq!(empty.assert_ok()["screen"]["id"], "SCwelcome2Xk9aPqR7mN");
    assert!(empty.body["screen"]["state"]["errorText"].as_str().unwrap().contains("email"), "{}", empty.text);

    let verify = next(
        &app,
        &p,
        &first,
        "Bt5sKc9wMz",
        json!({"email": "dee@example.com", "origin": "http://app.test"}),
    )
    .await;
    let verify = verify.assert_ok().clone();
    assert_eq!(verify["screen"]["id"], "SCverify5Jb3nLw8cTz");
    assert_eq!(verify["stepId"], "2");
    assert_eq!(verify["screen"]["state"]["sentTo"]["maskedEmail"], "d***@example.com");
    assert_eq!(verify["screen"]["state"]["inputs"]["email"], "dee@example.com");
    let code = code_for(&app, &p, "dee@example.com").await;

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let again = next(&app, &p, &verify, "Bt2vQn6hXs", json!({"code": wrong})).await;
    assert_eq!(again.assert_ok()["screen"]["id"], "SCverify5Jb3nLw8cTz");
    assert!(again.body["screen"]["state"]["errorText"].as_str().unwrap().contains("code"), "{}", again.text);
    assert_eq!(again.body["stepId"], "2");

    // A new user sees the profile screen before the flow ends.
    let info = next(&app, &p, &verify, "oneTimeCodeId", json!({"code": code})).await.assert_ok().clone();
    assert_eq!(info["screen"]["id"], "SCinfo7Gd2kVr4sHy", "{info}");
    let done = next(&app, &p, &info, "Bt7mDx4pLr", json!({"fullName": "Dee Dee"})).await;
    let done = done.assert_ok().clone();
    assert_eq!(done["status"], "completed");
    let auth = &done["authInfo"];
    assert_eq!(auth["user"]["loginIds"], json!(["dee@example.com"]));
    let session = claims(auth["sessionJwt"].as_str().unwrap());
    assert_eq!(session["sub"], auth["user"]["userId"]);
    let me = app.get("/v1/auth/me", Some(&p.with(auth["refreshJwt"].as_str().unwrap()))).await;
    assert_eq!(me.assert_ok()["userId"], auth["user"]["userId"]);
    next(&app, &p, &info, "Bt7mDx4pLr", json!({})).await.assert_error(400, "E103002");

    // Sign-in: the user exists now, the condition picks sign-in and the flow ends after the code.
    let first = start(&app, &p, "acme-otp").await.assert_ok().clone();
    let verify = next(&app, &p, &first, "Bt5sKc9wMz", json!({"email": "dee@example.com"})).await;
    let verify = verify.assert_ok().clone();
    // `resend` goes back through the condition and sends a new code.
    let resent = next(&app, &p, &verify, "resend", json!({})).await.assert_ok().clone();
    assert_eq!(resent["screen"]["id"], "SCverify5Jb3nLw8cTz");
    let new_code = code_for(&app, &p, "dee@example.com").await;
    let done = next(&app, &p, &resent, "Bt2vQn6hXs", json!({"code": new_code})).await;
    let done = done.assert_ok();
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["authInfo"]["firstSeen"], false);
    assert_eq!(done["authInfo"]["user"]["userId"], auth["user"]["userId"]);
}

#[tokio::test]
async fn bad_interactions_and_forged_executions_are_descope_errors() {
    let (app, p) = TestApp::with_project().await;
    import(&app, &p, &otp_flow()).await;
    let first = start(&app, &p, "acme-otp").await.assert_ok().clone();
    next(&app, &p, &first, "noSuchButton", json!({})).await.assert_error(400, "E103003");
    let forged = json!({"executionId": "acme-otp|#|forged", "stepId": "1"});
    next(&app, &p, &forged, "Bt5sKc9wMz", json!({})).await.assert_error(400, "E103001");
    let future = json!({"executionId": first["executionId"], "stepId": "7"});
    next(&app, &p, &future, "Bt5sKc9wMz", json!({})).await.assert_error(400, "E103001");
    // Another project cannot continue this project's execution.
    let other = app.new_project().await;
    next(&app, &other, &first, "Bt5sKc9wMz", json!({})).await.assert_error(400, "E103001");
    // A magic-link return on an execution that sent none.
    next(&app, &p, &first, "submit", json!({"token": "abc"})).await.assert_error(400, "E103003");
}

#[tokio::test]
async fn a_flow_with_an_unsupported_step_fails_at_start_naming_it() {
    let (app, p) = TestApp::with_project().await;
    let mut flow = otp_flow();
    flow["flowId"] = json!("risky");
    flow["contents"]["tasks"]["3"]["action"] = json!("risk");
    flow["contents"]["tasks"]["3"]["name"] = json!("Risk Calculator");
    import(&app, &p, &flow).await;
    let r = start(&app, &p, "risky").await;
    r.assert_error(400, "E103004");
    let message = r.body["errorMessage"].as_str().unwrap();
    assert!(message.contains("step 3 (Risk Calculator)") && message.contains("\"risk\""), "{message}");

    // A sub-flow and a condition the emulator cannot evaluate are named too.
    flow["flowId"] = json!("nested");
    flow["contents"]["tasks"]["3"] = json!({"id": "3", "type": "flow", "name": "Sign In",
        "arguments": {"flowId": {"type": "inline", "value": "sign-in"}}, "next": {}});
    import(&app, &p, &flow).await;
    let r = start(&app, &p, "nested").await;
    r.assert_error(400, "E103004");
    assert!(r.body["errorMessage"].as_str().unwrap().contains("\"sign-in\""), "{}", r.text);

    let mut flow = otp_flow();
    flow["flowId"] = json!("odd-condition");
    flow["contents"]["tasks"]["2"]["conditions"][0]["atomicConditions"][0]["operator"] =
        json!("matches-regex");
    import(&app, &p, &flow).await;
    let r = start(&app, &p, "odd-condition").await;
    r.assert_error(400, "E103004");
    assert!(r.body["errorMessage"].as_str().unwrap().contains("step 2"), "{}", r.text);

    // Unknown flows stay unknown.
    start(&app, &p, "no-such-flow").await.assert_error(400, "E102001");
}

/// A small magic-link flow: an email screen, `sign-up-or-in-magic-link-email` whose
/// `success` leads both to the "link sent" screen and to its `verify-magic-link` step.
fn magic_link_flow() -> Value {
    let button = |id: &str, label: &str| {
        json!({"type": {"resolvedName": "Button"}, "parent": "ROOT", "nodes": [], "custom": {"type": "button"},
               "props": {"id": id, "children": label, "color": "primary", "data-type": "button", "variant": "contained"}})
    };
    json!({
        "flowId": "acme-link",
        "metadata": {"name": "Acme Link", "description": "", "componentsVersion": "3.14.1"},
        "contents": {"startTask": "start", "tasks": {
            "start": {"id": "start", "name": "start", "next": {"rules": [{"interactionId": "", "taskId": "1"}]}},
            "1": {"id": "1", "type": "screen", "name": "Welcome", "screenId": "SClinkWelcome1",
                  "next": {"rules": [{"interactionId": "sendLinkBtn", "taskId": "2"}]}},
            "2": {"id": "2", "type": "automated", "action": "sign-up-or-in-magic-link-email", "name": "Magic Link",
                  "arguments": {"verifyStepId": {"type": "inline", "value": "2.end"}},
                  "next": {"rules": [{"interactionId": "success", "taskId": "3"}, {"interactionId": "success", "taskId": "2.end"}]}},
            "2.end": {"id": "2.end", "type": "automated", "action": "verify-magic-link", "name": "Magic Link",
                      "next": {"rules": [{"interactionId": "success", "taskId": "5"}]}},
            "3": {"id": "3", "type": "screen", "name": "Magic Link Sent", "screenId": "SClinkSent1",
                  "next": {"rules": [{"interactionId": "polling", "taskId": "4"}, {"interactionId": "resend", "taskId": "2"}]}},
            "4": {"id": "4", "type": "screen", "name": "Verified", "screenId": "SClinkDone1", "next": {}},
            "5": {"id": "5", "type": "automated", "action": "logged-in", "name": "End", "next": {}},
        }},
        "screens": [
            {"screenId": "SClinkWelcome1", "contents": {
                "ROOT": {"type": {"resolvedName": "Container"}, "props": {"id": "ROOT"}, "nodes": ["em", "sendLinkBtn"]},
                "em": {"type": {"resolvedName": "EmailInput"}, "parent": "ROOT", "nodes": [], "props": {"id": "em", "name": "email"}},
                "sendLinkBtn": button("sendLinkBtn", "Email me a link"),
            }},
            {"screenId": "SClinkSent1", "contents": {
                "ROOT": {"type": {"resolvedName": "Container"}, "props": {"id": "ROOT"}, "nodes": ["poll"]},
                "poll": {"type": {"resolvedName": "PollingLoader"}, "parent": "ROOT", "nodes": [], "custom": {"type": "polling"},
                         "props": {"id": "poll", "data-type": "polling", "variant": "linear"}},
            }},
            {"screenId": "SClinkDone1", "contents": {"ROOT": {"type": {"resolvedName": "Container"}, "props": {"id": "ROOT"}, "nodes": []}}},
        ],
        "references": {},
    })
}

#[tokio::test]
async fn an_imported_magic_link_flow_completes_the_link_tab_and_the_polling_tab() {
    let (app, p) = TestApp::with_project().await;
    import(&app, &p, &magic_link_flow()).await;
    let sent_html = app.get(&format!("/pages/{}/v2-beta/SClinkSent1.html", p.id), None).await;
    assert!(
        sent_html.text.contains(r#"<descope-loader-linear data-type="polling" id="poll""#),
        "{}",
        sent_html.text
    );

    let first = start(&app, &p, "acme-link").await.assert_ok().clone();
    let sent =
        next(&app, &p, &first, "sendLinkBtn", json!({"email": "eve@example.com"})).await.assert_ok().clone();
    assert_eq!(sent["screen"]["id"], "SClinkSent1");
    assert_eq!(next(&app, &p, &sent, "polling", json!({})).await.assert_ok()["action"], "poll");

    let link = app.outbox_latest(&p, "eve@example.com").await["link"].as_str().unwrap().to_owned();
    let q = crate::harness::query_of(&link);
    assert!(link.starts_with("http://app.test/login?"), "{link}");
    let (exec, step) = q["descope-login-flow"].rsplit_once('_').unwrap();
    assert_eq!(exec, sent["executionId"]);
    assert_eq!(step, sent["stepId"]);
    let at = json!({"executionId": exec, "stepId": step});
    let opened = next(&app, &p, &at, "submit", json!({"token": q["t"]})).await;
    let opened = opened.assert_ok().clone();
    assert_eq!(opened["status"], "completed", "{opened}");
    let polled = next(&app, &p, &sent, "polling", json!({})).await;
    let polled = polled.assert_ok();
    assert_eq!(polled["status"], "completed", "{polled}");
    assert_eq!(polled["authInfo"]["user"]["userId"], opened["authInfo"]["user"]["userId"]);
    assert_ne!(polled["authInfo"]["refreshJwt"], opened["authInfo"]["refreshJwt"]);
    next(&app, &p, &sent, "polling", json!({})).await.assert_error(400, "E103002");
}

#[tokio::test]
async fn an_imported_password_flow_shows_a_wrong_password_and_signs_in() {
    let (app, p) = TestApp::with_project().await;
    app.sign_up_with_password(&p, "fay@example.com", "Correct-Horse-9").await;
    let flow = json!({
        "flowId": "acme-password",
        "contents": {"startTask": "1", "tasks": {
            "1": {"id": "1", "type": "screen", "name": "Sign In", "screenId": "SCpw1",
                  "next": {"rules": [{"interactionId": "signInBtn", "taskId": "2"}]}},
            "2": {"id": "2", "type": "automated", "action": "password-sign-in-v2", "name": "Sign In / Password",
                  "next": {"rules": [{"interactionId": "success", "taskId": "3"}]}},
            "3": {"id": "3", "type": "automated", "action": "logged-in", "name": "End", "next": {}},
        }},
        "screens": [{"screenId": "SCpw1", "contents": {
            "ROOT": {"type": {"resolvedName": "Container"}, "props": {"id": "ROOT"}, "nodes": ["pw"]},
            "pw": {"type": {"resolvedName": "Password"}, "parent": "ROOT", "props": {"id": "pw", "name": "password"}},
        }}],
    });
    import(&app, &p, &flow).await;
    let first = start(&app, &p, "acme-password").await.assert_ok().clone();
    assert_eq!(first["screen"]["id"], "SCpw1");
    let wrong =
        next(&app, &p, &first, "signInBtn", json!({"email": "fay@example.com", "password": "nope"})).await;
    assert_eq!(wrong.assert_ok()["screen"]["id"], "SCpw1");
    assert!(wrong.body["screen"]["state"]["errorText"].is_string(), "{}", wrong.text);
    // The password is never kept in the execution's form.
    assert!(wrong.body["screen"]["state"]["inputs"].get("password").is_none(), "{}", wrong.text);
    let done = next(&app, &p, &first, "signInBtn", json!({"password": "Correct-Horse-9"})).await;
    assert_eq!(done.assert_ok()["status"], "completed", "{}", done.text);
    assert_eq!(done.body["authInfo"]["user"]["loginIds"], json!(["fay@example.com"]));
}
