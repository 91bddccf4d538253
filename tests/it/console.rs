//! The console's backend: its assets, the project detail, the live streams (Server-Sent
//! Events) and the outbox's delete-one and full-text filter.

use crate::harness::{TestApp, TestProject};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::time::Duration;

/// An open Server-Sent Events response, read event by event.
struct EventStream {
    body: Body,
    buffer: String,
}

impl EventStream {
    async fn open(app: &TestApp, path: &str) -> Self {
        let req = Request::get(path).body(Body::empty()).unwrap();
        let res = app.raw(req).await;
        assert_eq!(res.status(), StatusCode::OK);
        let content_type = res.headers()[header::CONTENT_TYPE].to_str().unwrap();
        assert!(content_type.starts_with("text/event-stream"), "{content_type}");
        EventStream { body: res.into_body(), buffer: String::new() }
    }

    /// The next event (name and JSON data), skipping keep-alive comments; `None` when the
    /// stream ends or nothing comes within two seconds.
    async fn next(&mut self) -> Option<(String, Value)> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut name = String::from("message");
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if data.is_empty() {
                    continue; // a comment
                }
                return Some((name, serde_json::from_str(&data).unwrap()));
            }
            let frame = tokio::time::timeout(Duration::from_secs(2), self.body.frame()).await.ok()??;
            if let Ok(bytes) = frame.unwrap().into_data() {
                self.buffer.push_str(&String::from_utf8_lossy(&bytes));
            }
        }
    }
}

async fn send_otp(app: &TestApp, project: &TestProject, email: &str) {
    app.post("/v1/auth/otp/signup/email", Some(&project.bearer()), json!({"loginId": email}))
        .await
        .assert_ok();
}

#[tokio::test]
async fn project_detail_has_the_name_and_management_key() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let r = app.get(&format!("/emulator/v1/projects/{}", p.id), None).await;
    let body = r.assert_ok();
    assert_eq!(body["projectId"], p.id);
    assert_eq!(body["managementKey"], p.management_key);
    assert!(body["name"].as_str().is_some_and(|n| !n.is_empty()), "{body}");

    let missing = app.get("/emulator/v1/projects/P2doesnotexist", None).await;
    missing.assert_error(404, "E011008");
}

#[tokio::test]
async fn the_outbox_stream_pushes_each_new_message() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    send_otp(&app, &p, "old@example.com").await;
    let mut stream = EventStream::open(&app, &format!("/emulator/v1/projects/{}/outbox/stream", p.id)).await;
    send_otp(&app, &p, "ann@example.com").await;
    send_otp(&app, &p, "bob@example.com").await;

    let (name, first) = stream.next().await.expect("no event for the first message");
    assert_eq!(name, "message");
    // Only messages written after the stream opened, oldest first, in the list's shape.
    assert_eq!(first["loginId"], "ann@example.com");
    assert_eq!(first["projectId"], p.id);
    assert_eq!(first["channel"], "email");
    assert_eq!(first["kind"], "otp");
    assert_eq!(first["code"].as_str().unwrap().len(), 6);
    let listed = app.outbox(&p, "?loginId=ann%40example.com").await;
    assert_eq!(listed[0], first);
    let (_, second) = stream.next().await.expect("no event for the second message");
    assert_eq!(second["loginId"], "bob@example.com");
}

#[tokio::test]
async fn the_outbox_stream_follows_a_reset_and_ends_with_the_project() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let other = app.new_project().await;
    let mut stream = EventStream::open(&app, &format!("/emulator/v1/projects/{}/outbox/stream", p.id)).await;
    app.post(&format!("/emulator/v1/projects/{}/reset", p.id), None, json!({})).await.assert_ok();
    send_otp(&app, &other, "elsewhere@example.com").await;
    send_otp(&app, &p, "after-reset@example.com").await;
    let (_, m) = stream.next().await.expect("no event after the reset");
    assert_eq!(m["loginId"], "after-reset@example.com");

    app.delete(&format!("/emulator/v1/projects/{}", p.id), None).await.assert_ok();
    assert!(stream.next().await.is_none(), "the stream outlived its project");

    let gone = app.get(&format!("/emulator/v1/projects/{}/outbox/stream", p.id), None).await;
    gone.assert_error(404, "E011008");
}

#[tokio::test]
async fn the_events_stream_tells_of_projects_and_the_clock() {
    let app = TestApp::new().await;
    let mut stream = EventStream::open(&app, "/emulator/v1/events").await;
    let p = app.new_project().await;
    let (name, data) = stream.next().await.expect("no event for the creation");
    assert_eq!((name.as_str(), &data), ("projects", &json!({"kind": "created", "projectId": p.id})));

    app.advance_clock(3600).await;
    let (name, data) = stream.next().await.expect("no event for the clock");
    assert_eq!(name, "clock");
    assert!(data["offsetSeconds"].as_i64().unwrap() >= 3599, "{data}");
    assert!(data["now"].is_i64());

    app.post(&format!("/emulator/v1/projects/{}/reset", p.id), None, json!({})).await.assert_ok();
    let (_, data) = stream.next().await.expect("no event for the reset");
    assert_eq!(data, json!({"kind": "reset", "projectId": p.id}));
    app.delete(&format!("/emulator/v1/projects/{}", p.id), None).await.assert_ok();
    let (_, data) = stream.next().await.expect("no event for the deletion");
    assert_eq!(data, json!({"kind": "deleted", "projectId": p.id}));
}

#[tokio::test]
async fn one_message_can_be_deleted() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    send_otp(&app, &p, "ann@example.com").await;
    send_otp(&app, &p, "bob@example.com").await;
    let all = app.outbox(&p, "").await;
    let ann =
        all.iter().find(|m| m["loginId"] == "ann@example.com").unwrap()["id"].as_str().unwrap().to_owned();

    let path = format!("/emulator/v1/projects/{}/outbox/{ann}", p.id);
    assert_eq!(app.delete(&path, None).await.assert_ok(), &json!({}));
    let left = app.outbox(&p, "").await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["loginId"], "bob@example.com");
    app.delete(&path, None).await.assert_error(404, "E011008");

    // Another project's message is not reachable through this one.
    let other = app.new_project().await;
    let bob = left[0]["id"].as_str().unwrap();
    app.delete(&format!("/emulator/v1/projects/{}/outbox/{bob}", other.id), None)
        .await
        .assert_error(404, "E011008");
    assert_eq!(app.outbox(&p, "").await.len(), 1);
}

#[tokio::test]
async fn the_outbox_filters_by_text() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    send_otp(&app, &p, "ann@example.com").await;
    send_otp(&app, &p, "bob@example.org").await;
    let login_ids =
        |list: &[Value]| list.iter().map(|m| m["loginId"].as_str().unwrap().to_owned()).collect::<Vec<_>>();

    assert_eq!(login_ids(&app.outbox(&p, "?q=ANN").await), ["ann@example.com"]);
    assert_eq!(login_ids(&app.outbox(&p, "?q=example.org").await), ["bob@example.org"]);
    let bob_code = app.outbox_latest(&p, "bob@example.org").await["code"].as_str().unwrap().to_owned();
    assert!(
        login_ids(&app.outbox(&p, &format!("?q={bob_code}")).await).contains(&"bob@example.org".to_owned())
    );
    // The body is searched too (every OTP email names its code in the text).
    assert_eq!(app.outbox(&p, "?q=example").await.len(), 2);
    assert!(app.outbox(&p, "?q=nothing-like-this").await.is_empty());
    // With other filters.
    assert!(app.outbox(&p, "?q=ann&channel=sms").await.is_empty());
    // Characters LIKE would treat as wildcards are plain text.
    assert!(app.outbox(&p, "?q=%25").await.is_empty());
    assert!(app.outbox(&p, "?q=_").await.is_empty());
}

#[tokio::test]
async fn the_console_files_are_served_with_their_types() {
    let app = TestApp::new().await;
    for path in ["/emulator/", "/emulator", "/emulator/magiclink?t=abc"] {
        let page = app.get(path, None).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(page.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
        assert!(page.text.contains("/emulator/console/app.js"), "{path}");
    }
    for (file, kind) in [
        ("app.js", "text/javascript"),
        ("lib.js", "text/javascript"),
        ("console.css", "text/css"),
        ("tabs/outbox.js", "text/javascript"),
        ("tabs/projects.js", "text/javascript"),
    ] {
        let r = app.get(&format!("/emulator/console/{file}"), None).await;
        assert_eq!(r.status, 200, "{file}");
        assert!(r.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with(kind), "{file}");
        assert_eq!(r.headers[header::CACHE_CONTROL], "no-cache", "{file}");
        assert!(!r.text.is_empty());
    }
    app.get("/emulator/console/nothing.js", None).await.assert_error(404, "E011008");
    app.get("/emulator/console/tabs/nothing.js", None).await.assert_error(404, "E011008");
}
