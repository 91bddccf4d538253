//! Audit: sign-ins are recorded, search shapes (occurred as a string), filters, events.

use serde_json::json;

use crate::harness::TestApp;

#[tokio::test]
async fn search_finds_a_sign_in_with_occurred_as_a_string() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    // `occurred` is judged by the emulator clock, not the wall clock: set it to a known time.
    app.set_clock(1_710_510_330).await; // 2024-03-15 13:45:30
    let before_ms = app.clock_now().await * 1000;
    let jwt = app.sign_up_with_otp(&p, "audit@example.com").await;
    let after_ms = (app.clock_now().await + 1) * 1000;
    let user_id = jwt["user"]["userId"].as_str().unwrap();
    // Go sends its zero time for unset bounds
    let r = app
        .post(
            "/v1/mgmt/audit/search",
            Some(&p.mgmt()),
            json!({"actions": ["LoginSucceed"], "from": -62135596800000i64, "to": -62135596800000i64, "userIds": null}),
        )
        .await;
    let b = r.assert_ok();
    assert_eq!(b["total"], 1);
    let a = &b["audits"][0];
    assert_eq!(a["projectId"], p.id);
    assert_eq!(a["userId"], user_id);
    assert_eq!(a["action"], "LoginSucceed");
    assert_eq!(a["method"], "otp");
    assert_eq!(a["type"], "info");
    assert_eq!(a["externalIds"], json!(["audit@example.com"]));
    assert_eq!(a["tenants"], json!([]));
    assert_eq!(a["data"], json!({}));
    let occurred: i64 = a["occurred"].as_str().expect("occurred is a string").parse().unwrap();
    assert!(occurred > 1_600_000_000_000);
    assert!(
        (before_ms..after_ms).contains(&occurred),
        "occurred {occurred} is not emulator time (ms) of the sign-in"
    );

    // filters
    let by_login = app
        .post("/v1/mgmt/audit/search", Some(&p.mgmt()), json!({"externalIds": ["audit@example.com"]}))
        .await;
    // the sign-up's UserCreated and LoginSucceed
    assert_eq!(by_login.assert_ok()["total"], 2);
    let excluded = app
        .post(
            "/v1/mgmt/audit/search",
            Some(&p.mgmt()),
            json!({"excludedActions": ["LoginSucceed", "UserCreated"]}),
        )
        .await;
    assert_eq!(excluded.assert_ok()["audits"], json!([]));
    let later = app.post("/v1/mgmt/audit/search", Some(&p.mgmt()), json!({"from": occurred + 1})).await;
    assert_eq!(later.assert_ok()["total"], 0);
}

#[tokio::test]
async fn events_are_recorded_and_validated() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let r = app
        .post(
            "/v1/mgmt/audit/event",
            Some(&p.mgmt()),
            json!({"action": "Exported", "type": "warn", "actorId": "admin", "tenantId": "T1", "data": {"n": 3}}),
        )
        .await;
    assert_eq!(r.assert_ok(), &json!({}));
    let b = app.post("/v1/mgmt/audit/search", Some(&p.mgmt()), json!({"actions": ["Exported"]})).await;
    let a = &b.assert_ok()["audits"][0];
    assert_eq!(a["type"], "warn");
    assert_eq!(a["actorId"], "admin");
    assert_eq!(a["tenants"], json!(["T1"]));
    assert_eq!(a["data"], json!({"n": 3}));

    app.post(
        "/v1/mgmt/audit/event",
        Some(&p.mgmt()),
        json!({"action": "X", "type": "fatal", "actorId": "a", "tenantId": "T1"}),
    )
    .await
    .assert_error(400, "E011004");
    app.post(
        "/v1/mgmt/audit/event",
        Some(&p.mgmt()),
        json!({"type": "info", "actorId": "a", "tenantId": "T1"}),
    )
    .await
    .assert_error(400, "E011002");
    app.post("/v1/mgmt/audit/search", Some(&p.bearer()), json!({})).await.assert_error(401, "E011103");
}
