//! Regressions found by the robustness suite's fuzzing (tests/robustness): inputs that made a
//! handler panic (a 500) instead of answering a Descope 4xx.

use serde_json::{json, Value};

use crate::harness::{TestApp, TestProject};

/// Durations that overflowed the millisecond arithmetic of expiries: `i64::MAX`, and numbers
/// past it, which the lenient integer fields saturate to `i64::MAX`.
fn huge_durations() -> Vec<Value> {
    vec![json!(i64::MAX), json!(u64::MAX), json!(1e308), json!(9_223_372_036_854_775_808_u64)]
}

/// A 400: invalid arguments (E011004), or a malformed request (E011001) where the number does
/// not even parse as the field's integer type.
async fn refused(app: &TestApp, path: &str, p: &TestProject, body: Value) {
    let r = app.post(path, Some(&p.mgmt()), body.clone()).await;
    assert_eq!(r.status.as_u16(), 400, "{path} {body}: {} {}", r.status, r.text);
    let code = r.body["errorCode"].as_str().unwrap_or_default();
    assert!(["E011004", "E011001"].contains(&code), "{path} {body}: {}", r.text);
}

#[tokio::test]
async fn huge_refresh_durations_are_refused() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let auth = app.sign_up_with_otp(&p, "dur@example.com").await;
    let session = auth["sessionJwt"].as_str().unwrap();
    let (_, _) = app.create_impersonator_and_target(&p).await;
    for d in huge_durations() {
        refused(&app, "/v1/mgmt/auth/anonymous", &p, json!({"refreshDuration": d})).await;
        refused(&app, "/v1/mgmt/jwt/update", &p, json!({"jwt": session, "refreshDuration": d})).await;
        let imp =
            json!({"impersonatorId": "admin@example.com", "loginId": "t@example.com", "refreshDuration": d});
        refused(&app, "/v1/mgmt/impersonate", &p, imp.clone()).await;
        refused(&app, "/v1/mgmt/impersonate/stepup", &p, imp).await;
        refused(&app, "/v1/mgmt/stop/impersonation", &p, json!({"jwt": session, "refreshDuration": d})).await;
    }
    // The longest accepted duration still issues a token.
    let r = app
        .post("/v1/mgmt/auth/anonymous", Some(&p.mgmt()), json!({"refreshDuration": 3_153_600_000_i64}))
        .await;
    r.assert_ok();
}

#[tokio::test]
async fn huge_embedded_link_timeouts_are_refused() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    app.create_user(&p, json!({"loginId": "emb@example.com"})).await;
    for d in huge_durations() {
        refused(
            &app,
            "/v1/mgmt/user/signin/embeddedlink",
            &p,
            json!({"loginId": "emb@example.com", "timeout": d}),
        )
        .await;
        refused(
            &app,
            "/v1/mgmt/user/signup/embeddedlink",
            &p,
            json!({"loginId": "new@example.com", "timeout": d}),
        )
        .await;
    }
}

#[tokio::test]
async fn huge_password_policy_durations_are_refused() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    for d in [json!(i64::MAX), json!(i64::MAX / 60)] {
        refused(
            &app,
            "/v1/mgmt/password/settings",
            &p,
            json!({"tempLock": true, "tempLockAttempts": 1, "tempLockDuration": d}),
        )
        .await;
    }
    refused(&app, "/v1/mgmt/password/settings", &p, json!({"expiration": true, "expirationWeeks": i64::MAX}))
        .await;
}

#[tokio::test]
async fn huge_management_key_lifetimes_and_consents_are_refused() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    app.create_user(&p, json!({"loginId": "consent@example.com"})).await;
    for d in huge_durations() {
        let r =
            app.put("/v1/mgmt/managementkey", Some(&p.mgmt()), &json!({"name": "k", "expiresIn": d})).await;
        assert_eq!(r.status.as_u16(), 400, "expiresIn {d}: {}", r.text);
    }
    refused(
        &app,
        "/v1/mgmt/user/update/impersonationConsent",
        &p,
        json!({"loginId": "consent@example.com", "impersonationConsent": i64::MAX}),
    )
    .await;
}

#[tokio::test]
async fn snapshot_users_with_huge_creation_times_are_refused() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let mut snapshot = app.export_snapshot(&p.id).await;
    snapshot["users"] = json!([{"loginIds": ["old@example.com"], "createdTime": i64::MAX / 10}]);
    let r = app.put_snapshot(&p.id, &snapshot).await;
    r.assert_error(400, "E011004");
}

#[tokio::test]
async fn snapshot_settings_with_huge_lifetimes_are_refused() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let snapshot = app.export_snapshot(&p.id).await;
    for (field, value) in [
        ("sessionTokenTtlSecs", json!(i64::MAX)),
        ("refreshTokenTtlSecs", json!(i64::MAX)),
        ("otpTtlSecs", json!(i64::MAX)),
        ("magicLinkTtlSecs", json!(i64::MAX)),
        ("password", json!({"tempLock": true, "tempLockAttempts": 1, "tempLockDuration": i64::MAX})),
    ] {
        let mut s = snapshot.clone();
        s["settings"][field] = value;
        let r = app.put_snapshot(&p.id, &s).await;
        assert_eq!(r.status.as_u16(), 400, "{field}: {}", r.text);
        assert_eq!(r.body["errorCode"], "E011004", "{field}: {}", r.text);
    }
    // The project still signs users in with its old settings.
    app.sign_up_with_otp(&p, "still@example.com").await;
}
