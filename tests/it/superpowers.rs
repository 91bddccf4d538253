//! Tools for test authors: fault rules and the request log (EMULATOR_API.md "Fault
//! injection", "Request log").

use serde_json::json;
use std::time::Instant;

use crate::harness::{TestApp, TestProject};

fn faults(p: &TestProject) -> String {
    format!("/emulator/v1/projects/{}/faults", p.id)
}

fn requests(p: &TestProject) -> String {
    format!("/emulator/v1/projects/{}/requests", p.id)
}

async fn sign_in_start(app: &TestApp, p: &TestProject) -> crate::harness::TestResponse {
    app.post("/v1/auth/otp/signup-in/email", Some(&p.bearer()), json!({"loginId": "f@example.com"})).await
}

#[tokio::test]
async fn a_fault_answers_its_status_the_given_number_of_times() {
    let (app, p) = TestApp::with_project().await;
    let r = app
        .post(
            &faults(&p),
            None,
            json!({"match": "POST /v1/auth/otp/signup-in/email", "status": 503, "times": 2}),
        )
        .await;
    let id = r.assert_ok()["id"].as_str().unwrap().to_owned();
    for _ in 0..2 {
        let r = sign_in_start(&app, &p).await;
        r.assert_error(503, "E010001");
        assert_eq!(r.body["errorMessage"], "Fault injected by descope-emulator");
    }
    sign_in_start(&app, &p).await.assert_ok();
    // Used up: gone from the list.
    let list = app.get(&faults(&p), None).await;
    assert!(list.assert_ok()["faults"].as_array().unwrap().iter().all(|f| f["id"] != id.as_str()));
}

#[tokio::test]
async fn a_fault_by_operation_id_and_429_defaults() {
    let (app, p) = TestApp::with_project().await;
    // `operation` is accepted as an alias of `match`.
    app.post(
        &faults(&p),
        None,
        json!({"operation": "CreateUser", "status": 429, "times": 0, "retryAfterSeconds": 7}),
    )
    .await
    .assert_ok();
    let list = app.get(&faults(&p), None).await;
    let f = &list.assert_ok()["faults"][0];
    assert_eq!(f["match"], "CreateUser");
    assert_eq!(f["status"], 429);
    assert_eq!(f["remaining"], serde_json::Value::Null);
    for _ in 0..3 {
        let r = app.post("/v1/mgmt/user/create", Some(&p.mgmt()), json!({"loginId": "x@example.com"})).await;
        r.assert_error(429, "E130429");
        assert_eq!(r.body["errorMessage"], "API rate limit exceeded.");
        assert_eq!(r.headers["retry-after"], "7");
    }
    // Other operations and other projects are untouched.
    sign_in_start(&app, &p).await.assert_ok();
    let other = app.new_project().await;
    app.post("/v1/mgmt/user/create", Some(&other.mgmt()), json!({"loginId": "x@example.com"}))
        .await
        .assert_ok();
    // Clearing ends it.
    app.delete(&faults(&p), None).await.assert_ok();
    app.post("/v1/mgmt/user/create", Some(&p.mgmt()), json!({"loginId": "x@example.com"})).await.assert_ok();
}

#[tokio::test]
async fn a_fault_with_custom_error_and_one_removed_by_id() {
    let (app, p) = TestApp::with_project().await;
    let body = json!({"match": "/v2/keys/{projectId}", "status": 500, "errorCode": "E999999", "errorMessage": "boom"});
    let id = app.post(&faults(&p), None, body).await.assert_ok()["id"].as_str().unwrap().to_owned();
    let r = app.get(&format!("/v2/keys/{}", p.id), None).await;
    r.assert_error(500, "E999999");
    assert_eq!(r.body["errorMessage"], "boom");
    // times defaults to 1.
    app.get(&format!("/v2/keys/{}", p.id), None).await.assert_ok();
    let id2 = app
        .post(&faults(&p), None, json!({"match": "GET /v2/keys/x", "status": 502, "times": 0}))
        .await
        .assert_ok()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(id, id2);
    app.delete(&format!("{}/{id2}", faults(&p)), None).await.assert_ok();
    app.get(&format!("/v2/keys/{}", p.id), None).await.assert_ok();
    app.delete(&format!("{}/{id2}", faults(&p)), None).await.assert_error(404, "E011008");
}

#[tokio::test]
async fn a_delay_only_fault_delays_then_handles() {
    let (app, p) = TestApp::with_project().await;
    app.post(&faults(&p), None, json!({"match": "UserSigninOtpEmail", "delayMs": 300})).await.assert_ok();
    app.create_user(&p, json!({"loginId": "d@example.com", "email": "d@example.com"})).await;
    let started = Instant::now();
    app.post("/v1/auth/otp/signin/email", Some(&p.bearer()), json!({"loginId": "d@example.com"}))
        .await
        .assert_ok();
    assert!(started.elapsed().as_millis() >= 300);
    let log = app.get(&format!("{}?limit=1", requests(&p)), None).await;
    let entry = &log.assert_ok()["requests"][0];
    assert_eq!(entry["operationId"], "UserSigninOtpEmail");
    assert!(entry["fault"].is_string());
    assert!(entry["latencyMs"].as_u64().unwrap() >= 300);
}

#[tokio::test]
async fn probability_zero_never_applies() {
    let (app, p) = TestApp::with_project().await;
    app.post(
        &faults(&p),
        None,
        json!({"match": "POST /v1/auth/otp/signup-in/email", "status": 500, "probability": 0}),
    )
    .await
    .assert_ok();
    for _ in 0..5 {
        sign_in_start(&app, &p).await.assert_ok();
    }
}

#[tokio::test]
async fn bad_fault_rules_are_refused() {
    let (app, p) = TestApp::with_project().await;
    let bad = [
        json!({}),
        json!({"match": "NoSuchOperation", "status": 500}),
        json!({"match": "GET /no/such/path", "status": 500}),
        json!({"match": "POST /emulator/v1/clock", "status": 500}),
        json!({"match": "CreateUser", "status": 200}),
        json!({"match": "CreateUser", "status": 700}),
        json!({"match": "CreateUser", "status": -1}),
        json!({"match": "CreateUser", "status": 500, "probability": 1.5}),
        json!({"match": "CreateUser", "status": 500, "probability": -0.1}),
        json!({"match": "CreateUser", "status": 500, "times": -1}),
        json!({"match": "CreateUser", "status": 500, "delayMs": -5}),
        json!({"match": "CreateUser", "status": 500, "delayMs": 100000000}),
        json!({"match": "CreateUser"}),
        json!({"match": "CreateUser", "status": "x"}),
    ];
    for body in bad {
        let r = app.post(&faults(&p), None, body.clone()).await;
        assert_eq!(r.status.as_u16(), 400, "{body}: {}", r.text);
        assert!(r.body["errorCode"].is_string());
    }
    app.post(
        "/emulator/v1/projects/P2nosuchproject/faults",
        None,
        json!({"match": "CreateUser", "status": 500}),
    )
    .await
    .assert_error(404, "E011008");
    assert!(app.get(&faults(&p), None).await.assert_ok()["faults"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_request_log_shows_requests_newest_first_with_secrets_redacted() {
    let (app, p) = TestApp::with_project().await;
    let jwt = app.sign_up_with_otp(&p, "log@example.com").await;
    assert!(jwt["sessionJwt"].is_string());
    app.post(
        "/v1/mgmt/user/create",
        Some(&p.mgmt()),
        json!({"loginId": "u2@example.com", "password": "hunter22"}),
    )
    .await
    .assert_ok();
    // The emulator's own calls are not logged.
    let log = app.get(&requests(&p), None).await;
    let entries = log.assert_ok()["requests"].as_array().unwrap().clone();
    assert_eq!(entries.len(), 3, "{entries:#?}");
    let paths: Vec<&str> = entries.iter().map(|e| e["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["/v1/mgmt/user/create", "/v1/auth/otp/verify/email", "/v1/auth/otp/signup/email"]);
    let create = &entries[0];
    assert_eq!(create["method"], "POST");
    assert_eq!(create["operationId"], "CreateUser");
    assert_eq!(create["status"], 200);
    assert!(create["time"].is_i64());
    assert_eq!(create["requestHeaders"]["authorization"], format!("Bearer {}:[redacted]", p.id));
    assert_eq!(create["requestBody"]["password"], "[redacted]");
    assert_eq!(create["requestBody"]["loginId"], "u2@example.com");
    let verify = &entries[1];
    assert_eq!(verify["requestBody"]["code"], "[redacted]");
    assert_eq!(verify["responseBody"]["sessionJwt"], "[redacted]");
    assert_eq!(verify["responseBody"]["user"]["loginIds"][0], "log@example.com");
    // A secret appears nowhere in the log.
    assert!(!log.text.contains(jwt["sessionJwt"].as_str().unwrap()));
    assert!(!log.text.contains(&p.management_key));
    // limit
    let one = app.get(&format!("{}?limit=1", requests(&p)), None).await;
    assert_eq!(one.assert_ok()["requests"].as_array().unwrap().len(), 1);
    app.get(&format!("{}?limit=0", requests(&p)), None).await.assert_error(400, "E011004");
    app.get(&format!("{}?limit=x", requests(&p)), None).await.assert_error(400, "E011004");
    // Errors are logged too, and reset empties the log.
    app.post("/v1/mgmt/user/create", Some(&p.with("wrong")), json!({})).await;
    let log = app.get(&format!("{}?limit=1", requests(&p)), None).await;
    assert_eq!(log.assert_ok()["requests"][0]["status"], 401);
    app.post(&format!("/emulator/v1/projects/{}/reset", p.id), None, json!({})).await.assert_ok();
    assert!(app.get(&requests(&p), None).await.assert_ok()["requests"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_request_log_keeps_the_last_thousand() {
    let (app, p) = TestApp::with_project().await;
    for _ in 0..1005 {
        app.get(&format!("/v2/keys/{}", p.id), None).await;
    }
    let log = app.get(&requests(&p), None).await;
    assert_eq!(log.assert_ok()["requests"].as_array().unwrap().len(), 1000);
    app.delete(&requests(&p), None).await.assert_ok();
    assert!(app.get(&requests(&p), None).await.assert_ok()["requests"].as_array().unwrap().is_empty());
}
