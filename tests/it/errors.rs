//! Bad input of every kind gets the Descope error body (never plain text, never a 500), and
//! browsers get the CORS answers of EMULATOR_API.md.

use axum::body::Body;
use axum::http::{HeaderValue, Method, Request};
use descope_emulator::config::{AllowedHosts, CorsOrigins};
use serde_json::json;

use crate::harness::{TestApp, TestResponse, PUBLIC_URL};

/// The Descope error body, exactly its three members, and the emulator header.
#[track_caller]
fn assert_descope_error(r: &TestResponse, status: u16) {
    assert_eq!(r.status.as_u16(), status, "body: {}", r.text);
    let body = r.body.as_object().unwrap_or_else(|| panic!("not a JSON object: {}", r.text));
    let mut members: Vec<&str> = body.keys().map(String::as_str).collect();
    members.sort_unstable();
    assert_eq!(members, ["errorCode", "errorDescription", "errorMessage"], "{}", r.text);
    let code = body["errorCode"].as_str().unwrap();
    assert!(code.len() == 7 && code.starts_with('E'), "{code}");
    assert!(!body["errorDescription"].as_str().unwrap().is_empty());
    assert!(!body["errorMessage"].as_str().unwrap().is_empty());
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("application/json"));
    assert_eq!(r.headers["x-descope-emulator"], env!("CARGO_PKG_VERSION"));
}

fn request(method: Method, path: &str) -> axum::http::request::Builder {
    Request::builder().method(method).uri(path)
}

#[tokio::test]
async fn malformed_json_is_a_400() {
    let app = TestApp::new().await;
    for body in [&b"{not json"[..], b"{\"name\": \"x\"", b"\xff\xfe", b"null", b"\"text\"", b"42"] {
        let r = app.send(Method::POST, "/emulator/v1/projects", None, Some(body.to_vec())).await;
        assert_eq!(r.status, 400, "{}: {}", String::from_utf8_lossy(body), r.text);
        assert_descope_error(&r, 400);
        assert_eq!(r.body["errorCode"], "E011001", "{}", r.text);
    }
    let r =
        app.send(Method::POST, "/emulator/v1/clock", None, Some(b"{\"advanceSeconds\": }".to_vec())).await;
    assert_descope_error(&r, 400);
}

#[tokio::test]
async fn wrong_json_types_name_the_field() {
    let app = TestApp::new().await;
    let cases = [
        ("/emulator/v1/projects", json!({"name": 5}), "name"),
        ("/emulator/v1/projects", json!({"projectId": ["P2x"]}), "projectId"),
        ("/emulator/v1/clock", json!({"advanceSeconds": "ten"}), "advanceSeconds"),
        ("/emulator/v1/clock", json!({"reset": "yes"}), "reset"),
        ("/v1/auth/otp/signup/email", json!({"loginId": 5}), "loginId"),
    ];
    let p = app.new_project().await;
    for (path, body, field) in cases {
        let r = app.post(path, Some(&p.bearer()), body).await;
        assert_descope_error(&r, 400);
        assert!(r.body["errorMessage"].as_str().unwrap().contains(field), "{path}: {}", r.text);
    }
    let r = app
        .send(
            Method::PUT,
            &format!("/emulator/v1/projects/{}/snapshot", p.id),
            None,
            Some(serde_json::to_vec(&json!({"users": {"a": 1}})).unwrap()),
        )
        .await;
    assert_descope_error(&r, 400);
    assert!(r.body["errorMessage"].as_str().unwrap().contains("users"), "{}", r.text);
}

#[tokio::test]
async fn empty_body_means_an_empty_object() {
    let app = TestApp::new().await;
    // No body, no Content-Type: `{}`.
    let req = request(Method::POST, "/emulator/v1/projects").body(Body::empty()).unwrap();
    let r = app.call(req).await;
    assert!(r.assert_ok()["projectId"].is_string());
    let r = app.send(Method::POST, "/emulator/v1/projects", None, Some(b"  \n".to_vec())).await;
    r.assert_ok();
    // A body of `{}` semantics where a field is required is a 400, not a parse failure.
    let r = app.send(Method::POST, "/emulator/v1/clock", None, None).await;
    assert_descope_error(&r, 400);
    // Any Content-Type is accepted (SDKs vary).
    let req = request(Method::POST, "/emulator/v1/clock")
        .header("content-type", "text/plain")
        .body(Body::from(r#"{"advanceSeconds": 0}"#))
        .unwrap();
    app.call(req).await.assert_ok();
}

#[tokio::test]
async fn oversized_body_is_a_413() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let big = json!({"name": "x".repeat(70 * 1024)});
    let r = app.post("/emulator/v1/projects", None, big.clone()).await;
    assert_descope_error(&r, 413);
    let r = app
        .send(
            Method::PUT,
            &format!("/emulator/v1/projects/{}/snapshot", p.id),
            None,
            Some(serde_json::to_vec(&big).unwrap()),
        )
        .await;
    assert_descope_error(&r, 413);
    let r = app.post("/v1/auth/otp/signup/email", Some(&p.bearer()), big).await;
    assert_descope_error(&r, 413);
    // Just under the limit is fine.
    let ok = json!({"name": "x".repeat(60 * 1024)});
    app.post("/emulator/v1/projects", None, ok).await.assert_ok();
}

#[tokio::test]
async fn unknown_path_is_a_404() {
    let app = TestApp::new().await;
    for path in
        ["/nope", "/v1/auth/nope", "/emulator/v1/nope", "/v3/keys/P2x/y", "/emulator/v1/projects/P2x/nope"]
    {
        for method in [Method::GET, Method::POST, Method::DELETE] {
            let r = app.send(method.clone(), path, None, None).await;
            assert_descope_error(&r, 404);
            assert!(r.body["errorMessage"].as_str().unwrap().contains(path), "{method} {path}: {}", r.text);
        }
    }
}

#[tokio::test]
async fn wrong_method_is_a_405() {
    let app = TestApp::new().await;
    for (method, path) in [
        (Method::PATCH, "/emulator/v1/clock"),
        (Method::DELETE, "/emulator/v1/health"),
        (Method::PUT, "/emulator/v1/projects"),
        (Method::GET, "/v1/auth/otp/signup/email"),
        (Method::POST, "/v2/keys/P2x"),
        (Method::POST, "/emulator/v1/projects/P2x/outbox/latest"),
    ] {
        let r = app.send(method.clone(), path, None, None).await;
        assert_descope_error(&r, 405);
    }
}

#[tokio::test]
async fn missing_or_garbled_authorization_is_a_401() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let garbled: [&[u8]; 9] = [
        b"",
        b"Basic dXNlcjpwYXNz",
        b"Bearer",
        b"Bearer ",
        b"Bearer :secret",
        b"Bearer \xff\xfe",
        b"Token P2x",
        b"Bearer P2NoSuchProject000000000001",
        b"Bearer P2NoSuchProject000000000001:x.y.z",
    ];
    for (method, path, body) in [
        (Method::POST, "/v1/auth/otp/signup/email", r#"{"loginId":"a@x.test"}"#),
        (Method::POST, "/v1/auth/refresh", ""),
        (Method::GET, "/v1/auth/me", ""),
        (Method::POST, "/v1/auth/logout", ""),
    ] {
        let req = request(method.clone(), path).body(Body::from(body)).unwrap();
        assert_descope_error(&app.call(req).await, 401);
        for value in garbled {
            let req = request(method.clone(), path)
                .header("authorization", HeaderValue::from_bytes(value).unwrap())
                .body(Body::from(body))
                .unwrap();
            let r = app.call(req).await;
            assert_descope_error(&r, 401);
        }
    }
    // A session endpoint with a token that is not a JWT of the project.
    for token in ["garbage", "a.b.c", "eyJhbGciOiJub25lIn0.e30."] {
        let r = app.post("/v1/auth/refresh", Some(&p.with(token)), json!({})).await;
        assert_descope_error(&r, 401);
        let r = app.get("/v1/auth/me", Some(&p.with(token))).await;
        assert_descope_error(&r, 401);
    }
}

fn header<'a>(r: &'a TestResponse, name: &str) -> Option<&'a str> {
    r.headers.get(name).map(|v| v.to_str().unwrap())
}

fn preflight(path: &str, origin: &str) -> Request<Body> {
    request(Method::OPTIONS, path)
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,content-type,x-descope-sdk-name,x-descope-sdk-version,x-descope-sdk-session-id,x-descope-project-id",
        )
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn cors_preflight_echoes_origin_headers_and_method() {
    let app = TestApp::new().await;
    let origin = "http://localhost:3000";
    for path in ["/v1/auth/otp/signup/email", "/v1/auth/refresh", "/emulator/v1/health", "/no/such/path"] {
        let r = app.call(preflight(path, origin)).await;
        assert_eq!(r.status, 204, "{path}: {}", r.text);
        assert_eq!(header(&r, "access-control-allow-origin"), Some(origin), "{path}");
        assert_eq!(header(&r, "access-control-allow-credentials"), Some("true"));
        assert!(header(&r, "access-control-allow-methods").unwrap().contains("POST"));
        let allowed = header(&r, "access-control-allow-headers").unwrap().to_ascii_lowercase();
        for h in [
            "authorization",
            "content-type",
            "x-descope-sdk-name",
            "x-descope-sdk-session-id",
            "x-descope-project-id",
        ] {
            assert!(allowed.contains(h), "{h} not allowed: {allowed}");
        }
        let vary: Vec<&str> = r.headers.get_all("vary").iter().map(|v| v.to_str().unwrap()).collect();
        assert!(vary.iter().any(|v| v.contains("Origin")), "{vary:?}");
        assert!(
            r.headers.contains_key("x-descope-emulator"),
            "{path}: preflight without the emulator header"
        );
        assert!(r.text.is_empty());
    }
}

#[tokio::test]
async fn cors_headers_on_actual_responses() {
    let app = TestApp::new().await;
    let origin = "https://app.example.com";
    let p = app.new_project().await;
    let requests = [
        request(Method::GET, "/emulator/v1/health").header("origin", origin).body(Body::empty()).unwrap(),
        request(Method::GET, &format!("/v2/keys/{}", p.id))
            .header("origin", origin)
            .body(Body::empty())
            .unwrap(),
        // Errors carry them too, or the browser hides the error body from the page.
        request(Method::GET, "/no/such/path").header("origin", origin).body(Body::empty()).unwrap(),
        request(Method::POST, "/v1/auth/refresh").header("origin", origin).body(Body::from("{bad")).unwrap(),
    ];
    for req in requests {
        let what = format!("{} {}", req.method(), req.uri());
        let r = app.call(req).await;
        assert_eq!(header(&r, "access-control-allow-origin"), Some(origin), "{what}");
        assert_eq!(header(&r, "access-control-allow-credentials"), Some("true"), "{what}");
        assert!(r.headers.get_all("vary").iter().any(|v| v.to_str().unwrap().contains("Origin")), "{what}");
    }
    // No Origin, no CORS headers.
    let r = app.get("/emulator/v1/health", None).await;
    assert!(!r.headers.contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn cors_origin_list_excludes_other_origins() {
    let app = TestApp::new().await;
    let mut state = app.state.clone();
    state.cors = CorsOrigins::parse("https://a.test, https://c.test/");
    let app = TestApp::with_state(state);

    for allowed in ["https://a.test", "https://c.test"] {
        let r = app.call(preflight("/v1/auth/otp/signup/email", allowed)).await;
        let (status, h) = (r.status, &r.headers);
        assert_eq!(status, 204);
        assert_eq!(h["access-control-allow-origin"], allowed);
        let req = request(Method::GET, "/emulator/v1/health")
            .header("origin", allowed)
            .body(Body::empty())
            .unwrap();
        let r = app.call(req).await;
        let (status, h) = (r.status, &r.headers);
        assert_eq!(status, 200);
        assert_eq!(h["access-control-allow-origin"], allowed);
        assert_eq!(h["access-control-allow-credentials"], "true");
    }

    for other in ["https://b.test", "https://a.test.evil.example", "http://a.test", "null"] {
        let r = app.call(preflight("/v1/auth/otp/signup/email", other)).await;
        let (status, h, body) = (r.status, &r.headers, &r.body);
        assert_ne!(status, 204, "{other}");
        assert!(body["errorCode"].is_string(), "{other}: {body}");
        assert!(!h.keys().any(|k| k.as_str().starts_with("access-control-")), "{other}: {h:?}");
        let req =
            request(Method::GET, "/emulator/v1/health").header("origin", other).body(Body::empty()).unwrap();
        let r = app.call(req).await;
        let (status, h) = (r.status, &r.headers);
        assert_eq!(status, 200, "the request itself is served");
        assert!(!h.keys().any(|k| k.as_str().starts_with("access-control-")), "{other}: {h:?}");
        assert!(h.contains_key("x-descope-emulator"));
    }
}

/// The emulator-only endpoints hold every project's keys: a page on another web origin may
/// neither read nor change them (not even by a "simple" cross-site POST, which needs no
/// preflight), unless `--cors-origins` names that origin.
#[tokio::test]
async fn emulator_endpoints_refuse_other_web_origins() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let reset = format!("/emulator/v1/projects/{}/reset", p.id);
    for origin in ["https://evil.example", "http://localhost:3000", "null"] {
        for (method, path) in [(Method::POST, reset.as_str()), (Method::GET, "/emulator/v1/projects")] {
            let r = app
                .call(request(method.clone(), path).header("origin", origin).body(Body::empty()).unwrap())
                .await;
            r.assert_error(403, "E011101");
            assert!(
                !r.headers.keys().any(|k| k.as_str().starts_with("access-control-")),
                "{origin}: {:?}",
                r.headers
            );
            assert!(r.headers.contains_key("x-descope-emulator"));
        }
        let r = app.call(preflight("/emulator/v1/projects", origin)).await;
        assert_eq!(r.status, 403, "{origin}: {}", r.text);
    }
    // The emulator's own pages (same origin) and callers without an Origin (SDKs, curl,
    // test code) are served.
    let same = request(Method::GET, "/emulator/v1/projects")
        .header("host", "127.0.0.1:4545")
        .header("origin", "http://127.0.0.1:4545")
        .body(Body::empty())
        .unwrap();
    app.call(same).await.assert_ok();
    app.post(&reset, None, json!({})).await.assert_ok();

    // An origin named in --cors-origins gets the emulator API, with CORS headers.
    let mut state = app.state.clone();
    state.cors = CorsOrigins::parse("https://console.test");
    let app = TestApp::with_state(state);
    let r = app
        .call(
            request(Method::GET, "/emulator/v1/projects")
                .header("origin", "https://console.test")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    r.assert_ok();
    assert_eq!(header(&r, "access-control-allow-origin"), Some("https://console.test"));
}

/// DNS rebinding: a page on a public name that resolves to 127.0.0.1 sends its own name as
/// `Host`; the emulator answers only to the names it is reached by.
#[tokio::test]
async fn requests_for_unknown_host_names_are_refused() {
    let app = TestApp::new().await;
    let get = |host: &str| {
        request(Method::GET, "/emulator/v1/projects").header("host", host).body(Body::empty()).unwrap()
    };
    for host in ["rebind.attacker.example", "rebind.attacker.example:4545", "127.0.0.1.nip.io:4545"] {
        let r = app.call(get(host)).await;
        r.assert_error(403, "E011101");
        assert!(r.body["errorMessage"].as_str().unwrap().contains("--allowed-hosts"), "{}", r.text);
    }
    for host in [
        "127.0.0.1:4545",
        "localhost:4545",
        "[::1]:4545",
        "app.localhost",
        "descope-emulator:4545",
        "10.1.2.3",
        "emulator.test",
    ] {
        app.call(get(host)).await.assert_ok();
    }
    // --allowed-hosts names more; `*` turns the guard off.
    let mut state = app.state.clone();
    state.hosts = AllowedHosts::parse("emulator.corp.example", PUBLIC_URL);
    let named = TestApp::with_state(state.clone());
    named.call(get("emulator.corp.example:4545")).await.assert_ok();
    named.call(get("other.corp.example")).await.assert_error(403, "E011101");
    state.hosts = AllowedHosts::parse("*", PUBLIC_URL);
    TestApp::with_state(state).call(get("anything.example")).await.assert_ok();
}
