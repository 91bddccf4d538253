//! Error surfaces: the OAuth and SCIM routes answer errors in their protocol's format, the 501
//! of an unbuilt operation keeps the Descope body everywhere, and the OAuth client and SCIM
//! bearer extractors. The surfaces and extractors are tried on small routers inside the app's
//! shared layers (the SCIM routes themselves are tested in `scim.rs`).

use axum::body::Body;
use axum::extract::Path;
use axum::http::{Method, Request};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use descope_emulator::error::{ApiError, ErrorKind, ErrorSurface};
use descope_emulator::http::extract::{OAuthForm, ScimAuth};
use descope_emulator::http::route_table::not_implemented;
use descope_emulator::AppState;
use http_body_util::BodyExt;
use serde::Deserialize;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::harness::{TestApp, TestResponse};

#[derive(Deserialize)]
struct TokenForm {
    grant_type: String,
}

async fn token(OAuthForm { form, client }: OAuthForm<TokenForm>) -> Json<Value> {
    Json(json!({
        "grantType": form.grant_type,
        "clientId": client.client_id,
        "secret": client.secret,
        "method": format!("{:?}", client.method),
    }))
}

async fn scim_probe(auth: ScimAuth) -> Json<Value> {
    Json(json!({"projectId": auth.ctx.project_id(), "accessKey": auth.access_key}))
}

/// A route per kind of failure, under `surface`, inside the app's shared layers.
fn probe_app(state: AppState, surface: ErrorSurface) -> Router {
    let routes: Router<AppState> = Router::new()
        .route("/token", post(token))
        .route("/scim", get(scim_probe))
        .route(
            "/userinfo",
            get(|| async { ApiError::new(ErrorKind::InvalidSessionToken, "Session \"abc\" expired") }),
        )
        .route("/grant", post(|| async { ApiError::new(ErrorKind::InvalidGrant, "Unknown code") }))
        .route("/filter", get(|| async { ApiError::new(ErrorKind::ScimInvalidFilter, "Bad filter") }))
        .route("/exists", post(|| async { ApiError::new(ErrorKind::AlreadyExists, "userName is taken") }))
        .route("/internal", get(|| async { ApiError::internal("database is on fire") }))
        .route("/num/{n}", get(|Path(n): Path<u32>| async move { n.to_string() }))
        .route("/unbuilt", get(not_implemented))
        .route_layer(surface.layer());
    descope_emulator::http::with_layers(routes, state, 64 * 1024)
}

async fn call(router: &Router, req: Request<Body>) -> TestResponse {
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    TestResponse { status, headers, body, text }
}

fn req(method: Method, path: &str, auth: Option<&str>, body: &str) -> Request<Body> {
    let mut r = Request::builder().method(method).uri(path);
    if let Some(a) = auth {
        r = r.header("authorization", a);
    }
    r.header("content-type", "application/x-www-form-urlencoded").body(Body::from(body.to_owned())).unwrap()
}

fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}")))
}

fn header<'a>(r: &'a TestResponse, name: &str) -> Option<&'a str> {
    r.headers.get(name).map(|v| v.to_str().unwrap())
}

/// An OAuth error: status, exact body, `Cache-Control: no-store`, the challenge if any.
#[track_caller]
fn assert_oauth_error(
    r: &TestResponse,
    status: u16,
    error: &str,
    description: &str,
    challenge: Option<&str>,
) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    assert_eq!(
        r.body,
        json!({"error": error, "error_description": description, "description": description}),
        "{}",
        r.text
    );
    assert_eq!(header(r, "content-type"), Some("application/json"));
    assert_eq!(header(r, "cache-control"), Some("no-store"));
    assert_eq!(header(r, "www-authenticate"), challenge);
    assert_eq!(header(r, "x-descope-emulator"), Some(env!("CARGO_PKG_VERSION")));
}

#[tokio::test]
async fn oauth_surface_answers_rfc_6749_errors() {
    let app = TestApp::new().await;
    let router = probe_app(app.state.clone(), ErrorSurface::OAuth);

    let r = call(&router, req(Method::POST, "/grant", None, "")).await;
    assert_oauth_error(&r, 400, "invalid_grant", "Unknown code", None);

    // A bearer-protected resource: RFC 6750 challenge, quotes kept out of the quoted string.
    let r = call(&router, req(Method::GET, "/userinfo", Some("Bearer abc"), "")).await;
    assert_oauth_error(
        &r,
        401,
        "invalid_token",
        "Session \"abc\" expired",
        Some(concat!(
            r#"Bearer realm="descope-emulator", error="invalid_token", "#,
            r#"error_description="Session 'abc' expired""#
        )),
    );

    let r = call(&router, req(Method::GET, "/internal", None, "")).await;
    assert_oauth_error(&r, 500, "server_error", "Internal error", None);

    // axum's own plain-text rejection is rewritten too.
    let r = call(&router, req(Method::GET, "/num/abc", None, "")).await;
    assert_oauth_error(&r, 400, "invalid_request", "Bad Request", None);
}

#[tokio::test]
async fn unbuilt_operations_keep_the_descope_body_on_every_surface() {
    let app = TestApp::new().await;
    for surface in [ErrorSurface::Descope, ErrorSurface::OAuth, ErrorSurface::Scim] {
        let router = probe_app(app.state.clone(), surface);
        let r = call(&router, req(Method::GET, "/unbuilt", None, "")).await;
        r.assert_error(501, "E011007");
        assert_eq!(
            r.body["errorMessage"],
            "GET /unbuilt is a Descope operation that descope-emulator does not implement yet"
        );
        assert_eq!(header(&r, "content-type"), Some("application/json"));
        assert_eq!(header(&r, "cache-control"), None);
    }
    // Every operation of the real OAuth and SCIM groups is built, so the probe routes above
    // are the only unbuilt ones wearing those surfaces.
}

#[tokio::test]
async fn descope_surface_is_unchanged() {
    let app = TestApp::new().await;
    let router = probe_app(app.state.clone(), ErrorSurface::Descope);
    let r = call(&router, req(Method::POST, "/grant", None, "")).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body,
        json!({
            "errorCode": "E011003",
            "errorDescription": "Request is invalid",
            "errorMessage": "Unknown code",
        })
    );
    assert_eq!(header(&r, "cache-control"), None);
}

#[tokio::test]
async fn oauth_client_authentication() {
    let app = TestApp::new().await;
    let router = probe_app(app.state.clone(), ErrorSurface::OAuth);

    // client_secret_basic, both parts form-urlencoded (RFC 6749 2.3.1).
    let r =
        call(&router, req(Method::POST, "/token", Some(&basic("my%3Aapp", "p%26w+1")), "grant_type=x")).await;
    assert_eq!(
        r.assert_ok(),
        &json!({"grantType": "x", "clientId": "my:app", "secret": "p&w 1", "method": "ClientSecretBasic"})
    );

    // client_secret_post.
    let body = "grant_type=authorization_code&client_id=app&client_secret=pw";
    let r = call(&router, req(Method::POST, "/token", None, body)).await;
    assert_eq!(
        r.assert_ok(),
        &json!({
            "grantType": "authorization_code",
            "clientId": "app",
            "secret": "pw",
            "method": "ClientSecretPost",
        })
    );

    // A public client.
    let r = call(&router, req(Method::POST, "/token", None, "grant_type=x&client_id=app")).await;
    assert_eq!(
        r.assert_ok(),
        &json!({"grantType": "x", "clientId": "app", "secret": null, "method": "None"})
    );

    // Two methods at once (RFC 6749 2.3, 5.2).
    let r = call(
        &router,
        req(Method::POST, "/token", Some(&basic("app", "pw")), "grant_type=x&client_secret=pw"),
    )
    .await;
    assert_oauth_error(
        &r,
        400,
        "invalid_request",
        "The client authenticated with both HTTP Basic and client_secret; use one method",
        None,
    );

    // Malformed Basic: invalid_client with the Basic challenge.
    for auth in ["Basic %%%", "Basic", "basic bm9jb2xvbg=="] {
        let r = call(&router, req(Method::POST, "/token", Some(auth), "grant_type=x")).await;
        assert_oauth_error(
            &r,
            401,
            "invalid_client",
            "Malformed HTTP Basic client credentials",
            Some(r#"Basic realm="descope-emulator""#),
        );
    }

    // No client at all: invalid_client, no challenge (Basic was not tried).
    let r = call(&router, req(Method::POST, "/token", None, "grant_type=x")).await;
    assert_oauth_error(
        &r,
        401,
        "invalid_client",
        "Missing client authentication: send HTTP Basic credentials or client_id",
        None,
    );

    // A bad form is invalid_request.
    let r = call(&router, req(Method::POST, "/token", Some(&basic("app", "pw")), "scope=openid")).await;
    assert_oauth_error(
        &r,
        400,
        "invalid_request",
        "Request body is not valid: missing field `grant_type`",
        None,
    );
}

/// A SCIM error: status, exact body (RFC 7644 3.12 plus the Descope members), content type.
#[track_caller]
fn assert_scim_error(r: &TestResponse, status: u16, scim_type: Option<&str>, detail: &str, code: &str) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    let mut expected = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": status.to_string(),
        "detail": detail,
        "errorCode": code,
        "errorDescription": ErrorKind::ALL.iter().find(|k| k.code() == code).unwrap().description(),
        "errorMessage": detail,
    });
    if let Some(t) = scim_type {
        expected["scimType"] = json!(t);
    }
    assert_eq!(r.body, expected, "{}", r.text);
    assert_eq!(header(r, "content-type"), Some("application/scim+json"));
    assert_eq!(header(r, "x-descope-emulator"), Some(env!("CARGO_PKG_VERSION")));
}

#[tokio::test]
async fn scim_surface_answers_rfc_7644_errors() {
    let app = TestApp::new().await;
    let router = probe_app(app.state.clone(), ErrorSurface::Scim);

    let r = call(&router, req(Method::GET, "/filter", None, "")).await;
    assert_scim_error(&r, 400, Some("invalidFilter"), "Bad filter", "E011003");

    let r = call(&router, req(Method::POST, "/exists", None, "")).await;
    assert_scim_error(&r, 409, Some("uniqueness"), "userName is taken", "E011009");

    let r = call(&router, req(Method::GET, "/internal", None, "")).await;
    assert_scim_error(&r, 500, None, "Internal error", "E010001");
}

#[tokio::test]
async fn scim_bearer_resolves_the_project_and_keeps_the_key() {
    let app = TestApp::new().await;
    let router = probe_app(app.state.clone(), ErrorSurface::Scim);
    let p = app.new_project().await;

    let r = call(&router, req(Method::GET, "/scim", Some(&format!("Bearer {}:K2abc", p.id)), "")).await;
    assert_eq!(r.assert_ok(), &json!({"projectId": p.id, "accessKey": "K2abc"}));

    let r = call(&router, req(Method::GET, "/scim", None, "")).await;
    assert_scim_error(&r, 401, None, "Missing Authorization header", "E011101");

    let r = call(&router, req(Method::GET, "/scim", Some(&format!("Bearer {}", p.id)), "")).await;
    assert_scim_error(&r, 401, None, "Missing access key", "E062802");

    let r = call(&router, req(Method::GET, "/scim", Some("Bearer Pnope:K2abc"), "")).await;
    assert_scim_error(&r, 401, None, "Unknown project ID Pnope", "E011102");
}
