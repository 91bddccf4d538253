//! Long-polling the outbox (`?wait=`): a waiter is woken by its own project's messages only.

use serde_json::json;
use std::time::Duration;

use crate::harness::{TestApp, TestProject};

/// Sends an email OTP, which writes one outbox message and notifies its project.
async fn send_code(app: &TestApp, project: &TestProject, email: &str) {
    app.post("/v1/auth/otp/signup/email", Some(&project.bearer()), json!({ "loginId": email }))
        .await
        .assert_ok();
}

/// Waits until `n` projects have waiters subscribed.
async fn until_watched(app: &TestApp, n: usize) {
    for _ in 0..500 {
        if app.state.outbox.watched_scopes() == n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{} projects watched, expected {n}", app.state.outbox.watched_scopes());
}

#[tokio::test]
async fn a_waiter_is_woken_by_its_own_project_only() {
    let app = TestApp::new().await;
    let a = app.new_project().await;
    let b = app.new_project().await;
    let path = format!("/emulator/v1/projects/{}/outbox/latest?loginId=alice%40x.test&wait=10", a.id);
    let waiter = app.get(&path, None);
    let writer = async {
        until_watched(&app, 1).await;
        for i in 0..5 {
            send_code(&app, &b, &format!("user{i}@x.test")).await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        // Five messages in project B: the waiter on A never read its outbox again.
        assert_eq!(app.state.outbox.wakeups(), 0);
        send_code(&app, &a, "alice@x.test").await;
    };
    let (answer, ()) = tokio::join!(waiter, writer);
    let message = answer.assert_ok();
    assert_eq!(message["loginId"], "alice@x.test");
    assert_eq!(message["projectId"], a.id.as_str());
    assert_eq!(app.state.outbox.wakeups(), 1);
    // The project's channel went with its last waiter.
    assert_eq!(app.state.outbox.watched_scopes(), 0);
}

/// A message of the waiter's project that does not match its filter wakes it; it reads
/// again, finds nothing, and waits on until the matching one comes.
#[tokio::test]
async fn a_waiter_keeps_waiting_through_messages_it_does_not_want() {
    let app = TestApp::new().await;
    let a = app.new_project().await;
    let path = format!("/emulator/v1/projects/{}/outbox?loginId=bob%40x.test&wait=10", a.id);
    let waiter = app.get(&path, None);
    let writer = async {
        until_watched(&app, 1).await;
        send_code(&app, &a, "carol@x.test").await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        send_code(&app, &a, "bob@x.test").await;
    };
    let (answer, ()) = tokio::join!(waiter, writer);
    let messages = answer.assert_ok()["messages"].as_array().unwrap().clone();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(messages[0]["loginId"], "bob@x.test");
    assert_eq!(app.state.outbox.wakeups(), 2);
}

/// `close()` (graceful shutdown) ends every wait at once, and later waits return at once.
#[tokio::test]
async fn closing_ends_every_wait() {
    let app = TestApp::new().await;
    let a = app.new_project().await;
    let b = app.new_project().await;
    let started = tokio::time::Instant::now();
    let (path_a, path_b) = (
        format!("/emulator/v1/projects/{}/outbox?wait=20", a.id),
        format!("/emulator/v1/projects/{}/outbox/latest?wait=20", b.id),
    );
    let (wait_a, wait_b) = (app.get(&path_a, None), app.get(&path_b, None));
    let closer = async {
        until_watched(&app, 2).await;
        app.state.outbox.close();
    };
    let (answer_a, answer_b, ()) = tokio::join!(wait_a, wait_b, closer);
    assert_eq!(answer_a.assert_ok()["messages"], json!([]));
    answer_b.assert_error(404, "E011008");
    let later = app.get(&path_a, None).await;
    assert_eq!(later.assert_ok()["messages"], json!([]));
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}
