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

// --- key rotation and forged tokens (EMULATOR_API.md "Key rotation and forged tokens") ---

fn tokens(p: &TestProject) -> String {
    format!("/emulator/v1/projects/{}/tokens", p.id)
}

fn rotate(p: &TestProject) -> String {
    format!("/emulator/v1/projects/{}/keys/rotate", p.id)
}

async fn jwks_kids(app: &TestApp, p: &TestProject) -> Vec<String> {
    let r = app.get(&format!("/v2/keys/{}", p.id), None).await;
    r.assert_ok()["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_rotated_out_key_validates_during_its_grace_period_then_leaves() {
    let (app, p) = TestApp::with_project().await;
    let old = app.sign_up_with_otp(&p, "rot@example.com").await["sessionJwt"].as_str().unwrap().to_owned();
    let old_kid = crate::harness::jwt_header(&old)["kid"].as_str().unwrap().to_owned();
    let r = app.post(&rotate(&p), None, json!({"graceSeconds": 120})).await;
    let body = r.assert_ok();
    let new_kid = body["kid"].as_str().unwrap().to_owned();
    assert_eq!(body["previousKid"], old_kid.as_str());
    assert_ne!(new_kid, old_kid);
    let kids = jwks_kids(&app, &p).await;
    assert!(kids.contains(&old_kid) && kids.contains(&new_kid), "{kids:?}");
    // New tokens are signed with the new key; the old token still validates.
    let fresh = app.sign_in_with_otp(&p, "rot@example.com").await["sessionJwt"].as_str().unwrap().to_owned();
    assert_eq!(crate::harness::jwt_header(&fresh)["kid"], new_kid.as_str());
    app.post("/v1/auth/validate", Some(&p.with(&old)), json!({})).await.assert_ok();
    // A forged token with the previous key too.
    let prev = app.post(&tokens(&p), None, json!({"loginId": "rot@example.com", "key": "previous"})).await;
    let prev = prev.assert_ok()["jwt"].as_str().unwrap().to_owned();
    assert_eq!(crate::harness::jwt_header(&prev)["kid"], old_kid.as_str());
    // After the grace period (emulator clock), the old key is gone and its tokens fail.
    app.advance_clock(121).await;
    assert_eq!(jwks_kids(&app, &p).await, vec![new_kid.clone()]);
    app.post("/v1/auth/validate", Some(&p.with(&prev)), json!({})).await.assert_error(401, "E061005");
    app.post("/v1/auth/validate", Some(&p.with(&fresh)), json!({})).await.assert_ok();
    app.reset_clock().await;
    // Rotation survives a snapshot round trip.
    let snap = app.export_snapshot(&p.id).await;
    let keys = snap["signingKeys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    assert!(keys.iter().any(|k| k["retireMs"].is_i64() && k["active"] == false));
}

#[tokio::test]
async fn forged_tokens_carry_the_requested_claims() {
    let (app, p) = TestApp::with_project().await;
    let user = app.sign_up_with_otp(&p, "forge@example.com").await;
    let user_id = user["user"]["userId"].as_str().unwrap().to_owned();
    let now = app.clock_now().await;
    let r = app
        .post(
            &tokens(&p),
            None,
            json!({"userId": user_id, "claims": {"tier": "gold", "roles": ["x"]}, "ttlSeconds": 30,
                   "issuer": "https://evil.example", "audience": ["a", "b"]}),
        )
        .await;
    let jwt = r.assert_ok()["jwt"].as_str().unwrap().to_owned();
    let c = crate::harness::claims(&jwt);
    assert_eq!(c["sub"], user_id.as_str());
    assert_eq!(c["tier"], "gold");
    assert_eq!(c["roles"], json!(["x"]));
    assert_eq!(c["iss"], "https://evil.example");
    assert_eq!(c["aud"], json!(["a", "b"]));
    assert_eq!(c["drn"], "DS");
    let exp = c["exp"].as_i64().unwrap();
    assert!((now + 29..=now + 31).contains(&exp), "{exp} vs {now}");
    // A wrong issuer is refused by the emulator's own validation.
    app.post("/v1/auth/validate", Some(&p.with(&jwt)), json!({})).await.assert_error(401, "E061005");

    // A default forged session validates; an expired one does not.
    let good = app.post(&tokens(&p), None, json!({"loginId": "forge@example.com"})).await;
    let good = good.assert_ok()["jwt"].as_str().unwrap().to_owned();
    app.post("/v1/auth/validate", Some(&p.with(&good)), json!({})).await.assert_ok();
    let expired =
        app.post(&tokens(&p), None, json!({"loginId": "forge@example.com", "ttlSeconds": -60})).await;
    let expired = expired.assert_ok()["jwt"].as_str().unwrap().to_owned();
    assert!(crate::harness::claims(&expired)["exp"].as_i64().unwrap() < now);
    app.post("/v1/auth/validate", Some(&p.with(&expired)), json!({})).await.assert_error(401, "E061005");

    // A refresh token with the current key refreshes; foreign and unsigned ones do not.
    let refresh =
        app.post(&tokens(&p), None, json!({"loginId": "forge@example.com", "kind": "refresh"})).await;
    let refresh = refresh.assert_ok()["jwt"].as_str().unwrap().to_owned();
    assert_eq!(crate::harness::claims(&refresh)["drn"], "DSR");
    app.post("/v1/auth/refresh", Some(&p.with(&refresh)), json!({})).await.assert_ok();
    for extra in [json!({"key": "foreign"}), json!({"alg": "none"})] {
        let mut body = json!({"loginId": "forge@example.com", "kind": "refresh"});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        let t = app.post(&tokens(&p), None, body).await.assert_ok()["jwt"].as_str().unwrap().to_owned();
        app.post("/v1/auth/refresh", Some(&p.with(&t)), json!({})).await.assert_error(401, "E061005");
    }
    // alg none: header says so, the signature is empty.
    let none = app.post(&tokens(&p), None, json!({"loginId": "forge@example.com", "alg": "none"})).await;
    let none = none.assert_ok()["jwt"].as_str().unwrap().to_owned();
    assert!(none.ends_with('.'));
    assert_eq!(crate::harness::jwt_header(&none)["alg"], "none");
    // The foreign key is one key for the whole process, not in the project's JWKS.
    let f1 = app.post(&tokens(&p), None, json!({"loginId": "forge@example.com", "key": "foreign"})).await;
    let f1 = f1.assert_ok()["jwt"].as_str().unwrap().to_owned();
    let foreign_kid = crate::harness::jwt_header(&f1)["kid"].as_str().unwrap().to_owned();
    assert!(!jwks_kids(&app, &p).await.contains(&foreign_kid));
    let other = app.new_project().await;
    app.create_user(&other, json!({"loginId": "o@example.com"})).await;
    let f2 = app.post(&tokens(&other), None, json!({"loginId": "o@example.com", "key": "foreign"})).await;
    assert_eq!(
        crate::harness::jwt_header(f2.assert_ok()["jwt"].as_str().unwrap())["kid"],
        foreign_kid.as_str()
    );
}

#[tokio::test]
async fn bad_token_and_rotation_requests_are_refused() {
    let (app, p) = TestApp::with_project().await;
    app.create_user(&p, json!({"loginId": "b@example.com"})).await;
    app.post(&tokens(&p), None, json!({})).await.assert_error(400, "E011002");
    app.post(&tokens(&p), None, json!({"loginId": "nobody@example.com"})).await.assert_error(400, "E112102");
    app.post(&tokens(&p), None, json!({"userId": "U2nobody"})).await.assert_error(400, "E112102");
    // No rotation yet: no previous key.
    app.post(&tokens(&p), None, json!({"loginId": "b@example.com", "key": "previous"}))
        .await
        .assert_error(400, "E011004");
    for bad in [
        json!({"loginId": "b@example.com", "key": "other"}),
        json!({"loginId": "b@example.com", "alg": "HS256"}),
        json!({"loginId": "b@example.com", "kind": "access"}),
        json!({"loginId": "b@example.com", "audience": 5}),
        json!({"loginId": "b@example.com", "ttlSeconds": 999999999999i64}),
    ] {
        app.post(&tokens(&p), None, bad.clone()).await.assert_error(400, "E011004");
    }
    let r = app.post(&tokens(&p), None, json!({"loginId": "b@example.com", "claims": "x"})).await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text);
    app.post(&rotate(&p), None, json!({"graceSeconds": -1})).await.assert_error(400, "E011004");
    app.post("/emulator/v1/projects/P2nosuch/keys/rotate", None, json!({}))
        .await
        .assert_error(404, "E011008");
}

// --- deterministic runs (EMULATOR_API.md "Deterministic runs") ---

/// One scripted run: every answer's text, in order.
async fn scripted_run(app: &TestApp, body: serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    let r = app.post("/emulator/v1/clock", None, json!({"set": 1_800_000_000, "frozen": true})).await;
    r.assert_ok();
    let created = app.post("/emulator/v1/projects", None, body).await;
    out.push(created.assert_ok().to_string());
    let p = TestProject {
        id: created.body["projectId"].as_str().unwrap().to_owned(),
        management_key: created.body["managementKey"].as_str().unwrap().to_owned(),
    };
    let steps: Vec<(&str, Option<String>, serde_json::Value)> = vec![
        ("/v1/auth/otp/signup/email", Some(p.bearer()), json!({"loginId": "det@example.com"})),
        ("/v1/mgmt/user/create", Some(p.mgmt()), json!({"loginId": "other@example.com"})),
        ("/v1/auth/totp/signup", Some(p.bearer()), json!({"loginId": "totp@example.com"})),
        (
            "/v1/auth/magiclink/signup/email",
            Some(p.bearer()),
            json!({"loginId": "ml@example.com", "URI": "http://localhost/x"}),
        ),
    ];
    for (path, auth, body) in steps {
        out.push(app.post(path, auth.as_deref(), body).await.text);
    }
    let code = app.outbox_latest(&p, "det@example.com").await["code"].as_str().unwrap().to_owned();
    let verify = app
        .post(
            "/v1/auth/otp/verify/email",
            Some(&p.bearer()),
            json!({"loginId": "det@example.com", "code": code}),
        )
        .await;
    out.push(verify.text);
    let outbox = app.get(&format!("/emulator/v1/projects/{}/outbox", p.id), None).await;
    out.push(outbox.text);
    out.push(app.get(&format!("/v2/keys/{}", p.id), None).await.text);
    out
}

#[tokio::test]
async fn the_same_seed_gives_identical_runs_and_another_seed_does_not() {
    let (a, b, c) = (TestApp::new().await, TestApp::new().await, TestApp::new().await);
    a.state.projects.seeds().set_global(Some(42));
    b.state.projects.seeds().set_global(Some(42));
    c.state.projects.seeds().set_global(Some(43));
    let (ra, rb, rc) = (
        scripted_run(&a, json!({})).await,
        scripted_run(&b, json!({})).await,
        scripted_run(&c, json!({})).await,
    );
    assert_eq!(ra.len(), rb.len());
    for (x, y) in ra.iter().zip(&rb) {
        assert_eq!(x, y);
    }
    assert!(ra[1].contains("maskedEmail"), "{}", ra[1]);
    // Another seed: other project ID and keys, other codes, tokens and IDs.
    for i in [0, 2, 3, 5, 6, 7] {
        assert_ne!(ra[i], rc[i], "answer {i} is the same under seeds 42 and 43");
    }
}

#[tokio::test]
async fn a_project_seed_makes_one_project_deterministic() {
    let (a, b) = (TestApp::new().await, TestApp::new().await);
    let body = json!({"projectId": "P2SEEDEDPROJECT", "seed": 7});
    let (ra, rb) = (scripted_run(&a, body.clone()).await, scripted_run(&b, body).await);
    assert_eq!(ra, rb);
    // Unseeded, the same calls differ.
    let (c, d) = (TestApp::new().await, TestApp::new().await);
    let body = json!({"projectId": "P2SEEDEDPROJECT"});
    let (rc, rd) = (scripted_run(&c, body.clone()).await, scripted_run(&d, body).await);
    assert_ne!(rc, rd);
}

#[tokio::test]
async fn bad_seeds_are_refused() {
    let app = TestApp::new().await;
    for seed in [json!(-1), json!(1.5), json!("7"), json!(true)] {
        let r = app.post("/emulator/v1/projects", None, json!({"seed": seed})).await;
        r.assert_error(400, "E011004");
    }
}

#[tokio::test]
async fn a_frozen_clock_stands_still_until_unfrozen() {
    let app = TestApp::new().await;
    let r = app.post("/emulator/v1/clock", None, json!({"set": 1_800_000_000, "frozen": true})).await;
    assert_eq!(r.assert_ok()["frozen"], true);
    assert_eq!(r.body["now"], 1_800_000_000);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(app.clock_now().await, 1_800_000_000);
    let r = app.post("/emulator/v1/clock", None, json!({"advanceSeconds": 5})).await;
    assert_eq!(r.assert_ok()["now"], 1_800_000_005);
    let r = app.post("/emulator/v1/clock", None, json!({"frozen": false})).await;
    assert!(r.assert_ok()["frozen"].is_null());
    let r = app.post("/emulator/v1/clock", None, json!({"reset": true})).await;
    assert!(r.assert_ok()["frozen"].is_null());
    app.post("/emulator/v1/clock", None, json!({})).await.assert_error(400, "E011004");
}
