//! TestApp: the full app over a fresh in-memory database, called in-process.

#![allow(dead_code, reason = "helpers used by some test modules only")]

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use descope_emulator::config::CorsOrigins;
use descope_emulator::config::HashCost;
use descope_emulator::crypto::{KeyPool, PasswordHasher};
use descope_emulator::AppState;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::sync::OnceLock;
use tower::ServiceExt;

pub const PUBLIC_URL: &str = "http://emulator.test";

/// One key pool for the whole test binary, so tests do not each wait for RSA key generation.
fn key_pool() -> KeyPool {
    static POOL: OnceLock<KeyPool> = OnceLock::new();
    POOL.get_or_init(|| KeyPool::new(8)).clone()
}

pub struct TestApp {
    pub state: AppState,
    router: Router,
}

#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl TestResponse {
    /// Asserts a Descope error body with this status and code.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.text);
        assert_eq!(self.body["errorCode"], code, "unexpected error code; body: {}", self.text);
        assert!(self.body["errorDescription"].is_string(), "no errorDescription: {}", self.text);
        assert!(self.body["errorMessage"].is_string(), "no errorMessage: {}", self.text);
    }

    #[track_caller]
    pub fn assert_ok(&self) -> &Value {
        assert_eq!(self.status, StatusCode::OK, "expected 200; body: {}", self.text);
        &self.body
    }
}

/// A project made for one test.
#[derive(Debug, Clone)]
pub struct TestProject {
    pub id: String,
    pub management_key: String,
}

impl TestProject {
    pub fn bearer(&self) -> String {
        self.id.clone()
    }

    pub fn mgmt(&self) -> String {
        format!("{}:{}", self.id, self.management_key)
    }

    pub fn with(&self, secret: &str) -> String {
        format!("{}:{}", self.id, secret)
    }
}

impl TestApp {
    pub async fn new() -> Self {
        let db = descope_emulator::store::connect("sqlite::memory:").await.unwrap();
        let state = AppState::new(
            db,
            key_pool(),
            PasswordHasher::new(HashCost::Fast),
            CorsOrigins::parse("*"),
            PUBLIC_URL,
        );
        let router = descope_emulator::app(state.clone(), 64 * 1024);
        TestApp { state, router }
    }

    /// Sends a request; `auth` is the bearer token without `Bearer `.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        auth: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> TestResponse {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(a) = auth {
            req = req.header("authorization", format!("Bearer {a}"));
        }
        let req = req
            .header("content-type", "application/json")
            .body(Body::from(body.unwrap_or_default()))
            .unwrap();
        self.call(req).await
    }

    pub async fn call(&self, req: Request<Body>) -> TestResponse {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        TestResponse { status, headers, body, text }
    }

    pub async fn get(&self, path: &str, auth: Option<&str>) -> TestResponse {
        self.send(Method::GET, path, auth, None).await
    }

    pub async fn post(&self, path: &str, auth: Option<&str>, body: Value) -> TestResponse {
        self.send(Method::POST, path, auth, Some(serde_json::to_vec(&body).unwrap())).await
    }

    pub async fn delete(&self, path: &str, auth: Option<&str>) -> TestResponse {
        self.send(Method::DELETE, path, auth, None).await
    }

    pub async fn new_project(&self) -> TestProject {
        let r = self.post("/emulator/v1/projects", None, json!({})).await;
        let b = r.assert_ok();
        TestProject {
            id: b["projectId"].as_str().unwrap().to_owned(),
            management_key: b["managementKey"].as_str().unwrap().to_owned(),
        }
    }

    /// The newest outbox message for a login ID.
    pub async fn outbox_latest(&self, project: &TestProject, login_id: &str) -> Value {
        let r = self
            .get(
                &format!(
                    "/emulator/v1/projects/{}/outbox/latest?loginId={}",
                    project.id,
                    urlencode(login_id)
                ),
                None,
            )
            .await;
        r.assert_ok().clone()
    }

    pub async fn advance_clock(&self, secs: i64) {
        self.post("/emulator/v1/clock", None, json!({ "advanceSeconds": secs })).await.assert_ok();
    }

    /// Signs a user up by email OTP and returns the JWT response.
    pub async fn sign_up_email(&self, project: &TestProject, email: &str) -> Value {
        self.post(
            "/v1/auth/otp/signup/email",
            Some(&project.bearer()),
            json!({ "loginId": email, "user": {"name": "Test User"} }),
        )
        .await
        .assert_ok();
        let code = self.outbox_latest(project, email).await["code"].as_str().unwrap().to_owned();
        let r = self
            .post(
                "/v1/auth/otp/verify/email",
                Some(&project.bearer()),
                json!({ "loginId": email, "code": code }),
            )
            .await;
        r.assert_ok().clone()
    }
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The claims of a JWT, without checking its signature.
pub fn claims(jwt: &str) -> Value {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}
