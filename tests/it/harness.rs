//! TestApp: the full app over a fresh in-memory database, called in-process.

#![allow(dead_code, reason = "helpers used by some test modules only")]

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use descope_emulator::config::CorsOrigins;
use descope_emulator::config::HashCost;
use descope_emulator::crypto::{KeyPool, PasswordHasher};
use descope_emulator::domain::Ctx;
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
        Self::with_state(state)
    }

    /// The app over a state the test has changed (CORS origins, ...).
    pub fn with_state(state: AppState) -> Self {
        let router = descope_emulator::app(state.clone(), 64 * 1024);
        TestApp { state, router }
    }

    /// A fresh app and one project in it.
    pub async fn with_project() -> (Self, TestProject) {
        let app = Self::new().await;
        let project = app.new_project().await;
        (app, project)
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

    /// The response as the router gives it, its body unread (for streams).
    pub async fn raw(&self, req: Request<Body>) -> axum::response::Response {
        self.router.clone().oneshot(req).await.unwrap()
    }

    pub async fn get(&self, path: &str, auth: Option<&str>) -> TestResponse {
        self.send(Method::GET, path, auth, None).await
    }

    pub async fn post(&self, path: &str, auth: Option<&str>, body: Value) -> TestResponse {
        self.send(Method::POST, path, auth, Some(serde_json::to_vec(&body).unwrap())).await
    }

    pub async fn put(&self, path: &str, auth: Option<&str>, body: &Value) -> TestResponse {
        self.send(Method::PUT, path, auth, Some(serde_json::to_vec(body).unwrap())).await
    }

    pub async fn patch(&self, path: &str, auth: Option<&str>, body: &Value) -> TestResponse {
        self.send(Method::PATCH, path, auth, Some(serde_json::to_vec(body).unwrap())).await
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

    /// The request context a handler of this project would build, for calling the domain.
    pub async fn ctx(&self, project: &TestProject) -> Ctx {
        let s = &self.state;
        Ctx {
            project: s.projects.require(&s.db, &s.settings.public_url, &project.id).await.unwrap(),
            now: s.now(),
        }
    }

    /// `GET /emulator/v1/projects/{id}/snapshot`.
    pub async fn export_snapshot(&self, project_id: &str) -> Value {
        self.get(&format!("/emulator/v1/projects/{project_id}/snapshot"), None).await.assert_ok().clone()
    }

    /// `PUT /emulator/v1/projects/{id}/snapshot`, answer unchecked.
    pub async fn put_snapshot(&self, project_id: &str, snapshot: &Value) -> TestResponse {
        self.put(&format!("/emulator/v1/projects/{project_id}/snapshot"), None, snapshot).await
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

    /// The project's outbox messages, newest first; `query` is `""` or starts with `?`.
    pub async fn outbox(&self, project: &TestProject, query: &str) -> Vec<Value> {
        let r = self.get(&format!("/emulator/v1/projects/{}/outbox{query}", project.id), None).await;
        r.assert_ok()["messages"].as_array().unwrap().clone()
    }

    pub async fn advance_clock(&self, secs: i64) {
        self.post("/emulator/v1/clock", None, json!({ "advanceSeconds": secs })).await.assert_ok();
    }

    /// Sets the emulator clock to `unix_secs` (it runs on from there).
    pub async fn set_clock(&self, unix_secs: i64) {
        self.post("/emulator/v1/clock", None, json!({ "set": unix_secs })).await.assert_ok();
    }

    pub async fn reset_clock(&self) {
        self.post("/emulator/v1/clock", None, json!({ "reset": true })).await.assert_ok();
    }

    /// The emulator clock's now, in Unix seconds.
    pub async fn clock_now(&self) -> i64 {
        self.get("/emulator/v1/clock", None).await.assert_ok()["now"].as_i64().unwrap()
    }

    /// Signs a user up by email OTP and returns the JWT response.
    pub async fn sign_up_with_otp(&self, project: &TestProject, email: &str) -> Value {
        self.post(
            "/v1/auth/otp/signup/email",
            Some(&project.bearer()),
            json!({ "loginId": email, "user": {"name": "Test User"} }),
        )
        .await
        .assert_ok();
        self.verify_otp_email(project, email).await
    }

    /// Signs an existing user in by email OTP and returns the JWT response.
    pub async fn sign_in_with_otp(&self, project: &TestProject, email: &str) -> Value {
        self.post("/v1/auth/otp/signin/email", Some(&project.bearer()), json!({ "loginId": email }))
            .await
            .assert_ok();
        self.verify_otp_email(project, email).await
    }

    /// Verifies the newest email OTP of `email` from the outbox; returns the JWT response.
    async fn verify_otp_email(&self, project: &TestProject, email: &str) -> Value {
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

    /// Signs a user up with a password (no other user fields); returns the JWT response.
    pub async fn sign_up_with_password(
        &self,
        project: &TestProject,
        login_id: &str,
        password: &str,
    ) -> Value {
        let r = self
            .post(
                "/v1/auth/password/signup",
                Some(&project.bearer()),
                json!({ "loginId": login_id, "password": password }),
            )
            .await;
        r.assert_ok().clone()
    }

    /// The claims of the session JWT a refresh gives now.
    pub async fn refreshed_claims(&self, project: &TestProject, refresh: &str) -> Value {
        let r = self.post("/v1/auth/refresh", Some(&project.with(refresh)), json!({})).await;
        claims(r.assert_ok()["sessionJwt"].as_str().unwrap())
    }

    /// Creates a user through `/v1/mgmt/user/create`; returns the user object.
    pub async fn create_user(&self, project: &TestProject, body: Value) -> Value {
        self.post("/v1/mgmt/user/create", Some(&project.mgmt()), body).await.assert_ok()["user"].clone()
    }

    /// Creates a test user through `/v1/mgmt/user/create/test`; returns the user object.
    pub async fn create_test_user(&self, project: &TestProject, body: Value) -> Value {
        self.post("/v1/mgmt/user/create/test", Some(&project.mgmt()), body).await.assert_ok()["user"].clone()
    }

    /// Creates a tenant; returns its ID.
    pub async fn create_tenant(&self, project: &TestProject, body: Value) -> String {
        let r = self.post("/v1/mgmt/tenant/create", Some(&project.mgmt()), body).await;
        r.assert_ok()["id"].as_str().unwrap().to_owned()
    }

    /// Creates a role, of the project (`tenant` empty) or of a tenant.
    pub async fn create_role(&self, project: &TestProject, name: &str, tenant: &str) {
        self.post("/v1/mgmt/role/create", Some(&project.mgmt()), json!({"name": name, "tenantId": tenant}))
            .await
            .assert_ok();
    }

    /// An admin (`admin@example.com`) whose role holds the built-in Impersonate permission,
    /// and a target user (`t@example.com`); returns their user IDs.
    pub async fn create_impersonator_and_target(&self, project: &TestProject) -> (String, String) {
        let m = project.mgmt();
        self.post(
            "/v1/mgmt/role/create",
            Some(&m),
            json!({"name": "support", "permissionNames": ["Impersonate"]}),
        )
        .await
        .assert_ok();
        let admin = self
            .post(
                "/v1/mgmt/user/create",
                Some(&m),
                json!({"loginId": "admin@example.com", "roleNames": ["support"]}),
            )
            .await;
        let admin_id = admin.assert_ok()["user"]["userId"].as_str().unwrap().to_owned();
        let target = self.post("/v1/mgmt/user/create", Some(&m), json!({"loginId": "t@example.com"})).await;
        let target_id = target.assert_ok()["user"]["userId"].as_str().unwrap().to_owned();
        (admin_id, target_id)
    }
}

/// Descope's built-in permissions, which every project has (listed first, in this order).
pub const BUILTIN_PERMISSIONS: [&str; 3] = ["Impersonate", "User Admin", "SSO Admin"];

/// Descope's built-in project role, holding [`BUILTIN_PERMISSIONS`].
pub const TENANT_ADMIN: &str = "Tenant Admin";

/// The `name`s of a list of roles or permissions.
pub fn names(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap().to_owned()).collect()
}

/// The `name`s of a list of roles or permissions, the built-in ones left out.
pub fn custom_names(list: &Value) -> Vec<String> {
    names(list)
        .into_iter()
        .filter(|n| n != TENANT_ADMIN && !BUILTIN_PERMISSIONS.contains(&n.as_str()))
        .collect()
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
    jwt_part(jwt, 1)
}

/// The header of a JWT (`alg`, `kid`, `typ`).
pub fn jwt_header(jwt: &str) -> Value {
    jwt_part(jwt, 0)
}

fn jwt_part(jwt: &str, index: usize) -> Value {
    use base64::Engine;
    let part = jwt.split('.').nth(index).unwrap_or_else(|| panic!("not a JWT: {jwt}"));
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// The query parameters of a URL (a redirect's `Location`).
pub fn query_of(url: &str) -> std::collections::HashMap<String, String> {
    url::Url::parse(url).unwrap().query_pairs().into_owned().collect()
}

/// The `Location` of a 302 redirect (failing on anything else).
#[track_caller]
pub fn location(r: &TestResponse) -> String {
    assert_eq!(r.status.as_u16(), 302, "expected a redirect: {}", r.text);
    r.headers["location"].to_str().unwrap().to_owned()
}

/// POSTs a form body (`application/x-www-form-urlencoded`), with HTTP Basic credentials if given.
pub async fn post_form(app: &TestApp, path: &str, basic: Option<(&str, &str)>, body: &str) -> TestResponse {
    use base64::Engine as _;
    let mut req = Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some((id, secret)) = basic {
        let b = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            urlencode(id),
            urlencode(secret)
        ));
        req = req.header("authorization", format!("Basic {b}"));
    }
    app.call(req.body(Body::from(body.to_owned())).unwrap()).await
}
