//! Descope as an OIDC provider: the default app's authorization server (authorize with PKCE,
//! token, refresh rotation, userinfo, revoke, logout), its refusals, and discovery.

use base64::Engine;
use serde_json::{json, Value};

use crate::harness::{
    claims, jwt_header, location, post_form, query_of, urlencode, TestApp, TestProject, PUBLIC_URL,
};

const REDIRECT: &str = "http://app.test/cb";
/// A verifier and its S256 challenge.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gXk-kEjXk";
const CHALLENGE: &str = "JIR41DDhPj7MhvjRSfrWp1B4L4s-HZqJOIzA-517L3k";

async fn access_key(app: &TestApp, p: &TestProject) -> String {
    let r = app.post("/v1/mgmt/accesskey/create", Some(&p.mgmt()), json!({"name": "oidc"})).await;
    r.assert_ok()["cleartext"].as_str().unwrap().to_owned()
}

async fn user(app: &TestApp, p: &TestProject, email: &str) -> String {
    let u = app
        .create_user(p, json!({"loginId": email, "email": email, "name": "Ann Lee", "givenName": "Ann", "verifiedEmail": true}))
        .await;
    u["userId"].as_str().unwrap().to_owned()
}

fn authorize_url(p: &TestProject, extra: &str) -> String {
    format!(
        "/oauth2/v1/authorize?response_type=code&client_id={}&redirect_uri={}&scope=openid%20email%20profile&state=st1&nonce=n-1{extra}",
        p.id,
        urlencode(REDIRECT)
    )
}

/// Authorizes with `login_hint` and PKCE, answering the code.
async fn code_for(app: &TestApp, p: &TestProject, email: &str) -> String {
    let url = authorize_url(
        p,
        &format!("&login_hint={}&code_challenge={CHALLENGE}&code_challenge_method=S256", urlencode(email)),
    );
    let back = location(&app.get(&url, None).await);
    assert!(back.starts_with(REDIRECT), "{back}");
    let q = query_of(&back);
    assert_eq!(q["state"], "st1");
    q["code"].clone()
}

async fn exchange(app: &TestApp, p: &TestProject, code: &str) -> Value {
    let body = format!(
        "grant_type=authorization_code&code={code}&redirect_uri={}&code_verifier={VERIFIER}&client_id={}",
        urlencode(REDIRECT),
        p.id
    );
    let r = post_form(app, "/oauth2/v1/token", None, &body).await;
    assert_eq!(r.headers["cache-control"], "no-store");
    r.assert_ok().clone()
}

#[tokio::test]
async fn code_flow_with_pkce_issues_descope_tokens_and_an_id_token() {
    let (app, p) = TestApp::with_project().await;
    let uid = user(&app, &p, "ann@example.com").await;
    let code = code_for(&app, &p, "ann@example.com").await;
    let t = exchange(&app, &p, &code).await;
    assert_eq!(t["token_type"], "Bearer");
    assert!(t["expires_in"].as_i64().unwrap() > 0);
    assert_eq!(t["scope"], "openid email profile");

    // The access token is an ordinary session JWT the SDKs validate.
    let access = t["access_token"].as_str().unwrap();
    let a = claims(access);
    assert_eq!(a["sub"], uid);
    assert_eq!(a["iss"], format!("{PUBLIC_URL}/{}", p.id));
    let me = app.get("/v1/auth/me", Some(&p.with(t["refresh_token"].as_str().unwrap()))).await;
    assert_eq!(me.assert_ok()["userId"], uid);

    let id = claims(t["id_token"].as_str().unwrap());
    assert_eq!(id["iss"], format!("{PUBLIC_URL}/{}", p.id));
    assert_eq!(id["aud"], p.id);
    assert_eq!(id["azp"], p.id);
    assert_eq!(id["sub"], uid);
    assert_eq!(id["nonce"], "n-1");
    assert_eq!(id["email"], "ann@example.com");
    assert_eq!(id["email_verified"], true);
    assert_eq!(id["name"], "Ann Lee");
    assert_eq!(id["given_name"], "Ann");
    assert!(id["auth_time"].is_i64());
    // at_hash: left half of SHA-256 of the access token.
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, access.as_bytes());
    let expected = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest.as_ref()[..16]);
    assert_eq!(id["at_hash"], expected);
    // Signed with a key of the project's JWKS.
    let kid = jwt_header(t["id_token"].as_str().unwrap())["kid"].clone();
    let jwks = app.get(&format!("/{}/.well-known/jwks.json", p.id), None).await;
    assert!(jwks.assert_ok()["keys"].as_array().unwrap().iter().any(|k| k["kid"] == kid));

    let mut redacted = id.clone();
    for k in ["iss", "aud", "azp", "sub", "iat", "exp", "auth_time", "at_hash", "sid"] {
        redacted[k] = json!(format!("[{k}]"));
    }
    insta::assert_json_snapshot!("oidc_id_token_claims", redacted);

    // Userinfo: flat, current claims, plain bearer.
    let ui = app.get("/oauth2/v1/userinfo", Some(access)).await;
    let ui = ui.assert_ok();
    assert_eq!(ui["sub"], uid);
    assert_eq!(ui["email"], "ann@example.com");
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_token_revokes_the_family() {
    let (app, p) = TestApp::with_project().await;
    user(&app, &p, "bob@example.com").await;
    let code = code_for(&app, &p, "bob@example.com").await;
    let t = exchange(&app, &p, &code).await;
    let r1 = t["refresh_token"].as_str().unwrap().to_owned();
    let body = |rt: &str| format!("grant_type=refresh_token&refresh_token={rt}&client_id={}", p.id);
    let t2 = post_form(&app, "/oauth2/v1/token", None, &body(&r1)).await;
    let t2 = t2.assert_ok().clone();
    let r2 = t2["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(r1, r2);
    assert!(t2["id_token"].is_string());
    // r1 again: reuse, refused, and r2 dies with it.
    let again = post_form(&app, "/oauth2/v1/token", None, &body(&r1)).await;
    assert_eq!(again.status.as_u16(), 400);
    assert_eq!(again.body["error"], "invalid_grant");
    let r3 = post_form(&app, "/oauth2/v1/token", None, &body(&r2)).await;
    assert_eq!(r3.body["error"], "invalid_grant", "{}", r3.text);
}

#[tokio::test]
async fn client_secret_is_an_access_key_and_wrong_ones_are_refused() {
    let (app, p) = TestApp::with_project().await;
    user(&app, &p, "cat@example.com").await;
    let key = access_key(&app, &p).await;

    // client_credentials with the access key: the access-key JWT.
    let cc = post_form(&app, "/oauth2/v1/token", Some((&p.id, &key)), "grant_type=client_credentials").await;
    let cc = cc.assert_ok().clone();
    assert!(cc["refresh_token"].is_null());
    assert!(claims(cc["access_token"].as_str().unwrap())["sub"].as_str().unwrap().starts_with('K'));

    // Wrong secret over Basic: 401 + WWW-Authenticate: Basic.
    let bad =
        post_form(&app, "/oauth2/v1/token", Some((&p.id, "nope")), "grant_type=client_credentials").await;
    assert_eq!(bad.status.as_u16(), 401);
    assert_eq!(bad.body["error"], "invalid_client");
    assert!(bad.headers["www-authenticate"].to_str().unwrap().starts_with("Basic"));

    // Unknown client.
    let unknown = post_form(
        &app,
        "/oauth2/v1/token",
        None,
        "grant_type=client_credentials&client_id=nobody&client_secret=x",
    )
    .await;
    assert_eq!(unknown.status.as_u16(), 401);
    assert_eq!(unknown.body["error"], "invalid_client");

    // A code without PKCE needs the secret (client_secret_post works, JSON body too).
    let url = authorize_url(&p, "&login_hint=cat%40example.com");
    let code = query_of(&location(&app.get(&url, None).await))["code"].clone();
    let no_secret = post_form(
        &app,
        "/oauth2/v1/token",
        None,
        &format!("grant_type=authorization_code&code={code}&client_id={}", p.id),
    )
    .await;
    assert_eq!(no_secret.body["error"], "invalid_client");
    let ok = app
        .post(
            "/oauth2/v1/token",
            None,
            json!({"grant_type": "authorization_code", "code": code, "client_id": p.id, "client_secret": key, "redirect_uri": REDIRECT}),
        )
        .await;
    assert!(ok.assert_ok()["id_token"].is_string());

    // Unsupported grant.
    let r = post_form(&app, "/oauth2/v1/token", Some((&p.id, &key)), "grant_type=password").await;
    assert_eq!(r.body["error"], "unsupported_grant_type");
    assert!(r.body["error_description"].is_string() && r.body["description"].is_string());
}

#[tokio::test]
async fn codes_are_single_use_expire_and_are_bound_to_verifier_and_redirect() {
    let (app, p) = TestApp::with_project().await;
    user(&app, &p, "dan@example.com").await;
    let code = code_for(&app, &p, "dan@example.com").await;
    let tok = |code: &str, verifier: &str, redirect: &str| {
        format!(
            "grant_type=authorization_code&code={code}&code_verifier={verifier}&redirect_uri={}&client_id={}",
            urlencode(redirect),
            p.id
        )
    };
    let wrong = post_form(
        &app,
        "/oauth2/v1/token",
        None,
        &tok(&code, "wrong-verifier-wrong-verifier-wrong-verifier", REDIRECT),
    )
    .await;
    assert_eq!(wrong.body["error"], "invalid_grant");
    let other = post_form(&app, "/oauth2/v1/token", None, &tok(&code, VERIFIER, "http://evil.test/cb")).await;
    assert_eq!(other.body["error"], "invalid_grant");
    post_form(&app, "/oauth2/v1/token", None, &tok(&code, VERIFIER, REDIRECT)).await.assert_ok();
    let reused = post_form(&app, "/oauth2/v1/token", None, &tok(&code, VERIFIER, REDIRECT)).await;
    assert_eq!(reused.body["error"], "invalid_grant");

    let code = code_for(&app, &p, "dan@example.com").await;
    app.advance_clock(301).await;
    let expired = post_form(&app, "/oauth2/v1/token", None, &tok(&code, VERIFIER, REDIRECT)).await;
    assert_eq!(expired.body["error"], "invalid_grant");
    assert!(expired.body["error_description"].as_str().unwrap().contains("expired"));
    app.reset_clock().await;
}

#[tokio::test]
async fn authorize_refusals_and_who_signs_in() {
    let (app, p) = TestApp::with_project().await;
    let uid = user(&app, &p, "eve@example.com").await;

    // Unknown client: 400 here, no redirect.
    let r = app
        .get(
            &format!(
                "/oauth2/v1/authorize?response_type=code&client_id=Pnope&redirect_uri={}",
                urlencode(REDIRECT)
            ),
            None,
        )
        .await;
    assert_eq!(r.status.as_u16(), 400);
    assert_eq!(r.body["error"], "invalid_request");
    // plain PKCE: redirected with invalid_request and the state.
    let back = location(
        &app.get(
            &authorize_url(&p, &format!("&code_challenge={CHALLENGE}&code_challenge_method=plain")),
            None,
        )
        .await,
    );
    let q = query_of(&back);
    assert_eq!(q["error"], "invalid_request");
    assert_eq!(q["state"], "st1");
    // Wrong response type.
    let back = location(
        &app.get(&authorize_url(&p, "").replace("response_type=code", "response_type=token"), None).await,
    );
    assert_eq!(query_of(&back)["error"], "unsupported_response_type");
    // prompt=none without anyone: login_required.
    let back = location(&app.get(&authorize_url(&p, "&prompt=none"), None).await);
    assert_eq!(query_of(&back)["error"], "login_required");
    // Nobody: the sign-in page, which finishes with a login ID.
    let page = app.get(&authorize_url(&p, ""), None).await;
    assert_eq!(page.status.as_u16(), 200);
    assert!(page.text.contains("eve@example.com"), "{}", page.text);
    let start = page.text.find("state_id=").unwrap() + "state_id=".len();
    let state_id: String = page.text[start..].chars().take_while(|c| *c != '&' && *c != '"').collect();
    let back = location(
        &app.get(
            &format!("/oauth2/v1/finish-authorize?state_id={state_id}&login_id=eve%40example.com"),
            None,
        )
        .await,
    );
    assert!(query_of(&back).contains_key("code"));
    // The same state_id again: refused.
    let again = app
        .get(&format!("/oauth2/v1/finish-authorize?state_id={state_id}&login_id=eve%40example.com"), None)
        .await;
    assert_eq!(again.status.as_u16(), 400);

    // A queued identity comes first, once.
    let q = app
        .post(
            &format!("/emulator/v1/projects/{}/signin/next", p.id),
            None,
            json!({"loginId": "eve@example.com"}),
        )
        .await;
    q.assert_ok();
    let back = location(&app.get(&authorize_url(&p, ""), None).await);
    assert!(query_of(&back).contains_key("code"));
    assert_eq!(app.get(&authorize_url(&p, ""), None).await.status.as_u16(), 200);
    let ghost = app
        .post(
            &format!("/emulator/v1/projects/{}/signin/next", p.id),
            None,
            json!({"loginId": "ghost@example.com"}),
        )
        .await;
    assert_eq!(ghost.status.as_u16(), 404);

    // A session JWT of the project (Bearer P:<jwt>) signs in.
    let s = app.sign_up_with_otp(&p, "sam@example.com").await;
    let jwt = s["sessionJwt"].as_str().unwrap();
    let r = app.get(&authorize_url(&p, ""), Some(&p.with(jwt))).await;
    let code = query_of(&location(&r))["code"].clone();
    let key = access_key(&app, &p).await;
    let t = post_form(
        &app,
        "/oauth2/v1/token",
        Some((&p.id, &key)),
        &format!("grant_type=authorization_code&code={code}"),
    )
    .await;
    assert_ne!(claims(t.assert_ok()["access_token"].as_str().unwrap())["sub"], uid);
}

#[tokio::test]
async fn revoke_and_logout_end_the_session() {
    let (app, p) = TestApp::with_project().await;
    user(&app, &p, "fay@example.com").await;
    let t = exchange(&app, &p, &code_for(&app, &p, "fay@example.com").await).await;
    let refresh = t["refresh_token"].as_str().unwrap();
    post_form(&app, "/oauth2/v1/revoke", None, &format!("token={refresh}")).await.assert_ok();
    post_form(&app, "/oauth2/v1/revoke", None, "token=garbage").await.assert_ok();
    let r = post_form(
        &app,
        "/oauth2/v1/token",
        None,
        &format!("grant_type=refresh_token&refresh_token={refresh}&client_id={}", p.id),
    )
    .await;
    assert_eq!(r.body["error"], "invalid_grant");

    let t = exchange(&app, &p, &code_for(&app, &p, "fay@example.com").await).await;
    let hint = t["id_token"].as_str().unwrap();
    let r = app
        .get(
            &format!(
                "/oauth2/v1/logout?id_token_hint={hint}&post_logout_redirect_uri={}&state=s9",
                urlencode("http://app.test/bye")
            ),
            None,
        )
        .await;
    assert_eq!(location(&r), "http://app.test/bye?state=s9");
    let me = app.get("/v1/auth/me", Some(&p.with(t["refresh_token"].as_str().unwrap()))).await;
    assert_eq!(me.status.as_u16(), 401);

    // Userinfo with a bad token: 401 with a Bearer challenge.
    let bad = app.get("/oauth2/v1/userinfo", Some("not-a-token")).await;
    assert_eq!(bad.status.as_u16(), 401);
    assert!(bad.headers["www-authenticate"].to_str().unwrap().contains("invalid_token"));
}

#[tokio::test]
async fn discovery_names_the_built_endpoints() {
    let (app, p) = TestApp::with_project().await;
    let d = app.get(&format!("/{}/.well-known/openid-configuration", p.id), None).await;
    let mut d = d.assert_ok().clone();
    assert_eq!(d["issuer"], format!("{PUBLIC_URL}/{}", p.id));
    assert_eq!(d["code_challenge_methods_supported"], json!(["S256"]));
    let text = serde_json::to_string(&d).unwrap().replace(&p.id, "[project]");
    d = serde_json::from_str(&text).unwrap();
    insta::assert_json_snapshot!("oidc_discovery", d);
}

#[tokio::test]
async fn device_authorization_grant() {
    let (app, p) = TestApp::with_project().await;
    let uid = user(&app, &p, "dev@example.com").await;
    let start =
        post_form(&app, "/oauth2/v1/device", None, &format!("client_id={}&scope=openid%20email", p.id)).await;
    let start = start.assert_ok().clone();
    let device_code = start["device_code"].as_str().unwrap().to_owned();
    let user_code = start["user_code"].as_str().unwrap().to_owned();
    assert_eq!(start["interval"], 5);
    assert!(start["verification_uri"].as_str().unwrap().starts_with(PUBLIC_URL));
    assert!(start["verification_uri_complete"].as_str().unwrap().contains("user_code="));
    let poll = |code: &str| {
        format!("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code={code}&client_id={}", p.id)
    };
    let pending = post_form(&app, "/oauth2/v1/token", None, &poll(&device_code)).await;
    assert_eq!(pending.status.as_u16(), 400);
    assert_eq!(pending.body["error"], "authorization_pending");
    // The person approves at the verification page (the code typed in lower case, without dash).
    let typed = user_code.replace('-', "").to_lowercase();
    let page = format!("/emulator/v1/projects/{}/device?user_code={typed}&login_id=dev%40example.com", p.id);
    app.get(&page, None).await.assert_ok();
    let t = post_form(&app, "/oauth2/v1/token", None, &poll(&device_code)).await;
    let t = t.assert_ok().clone();
    assert_eq!(claims(t["id_token"].as_str().unwrap())["sub"], uid);
    let again = post_form(&app, "/oauth2/v1/token", None, &poll(&device_code)).await;
    assert_eq!(again.body["error"], "invalid_grant");

    // Refused, and expired.
    let start = post_form(&app, "/oauth2/v1/device", None, &format!("client_id={}", p.id)).await;
    let start = start.assert_ok().clone();
    let code = start["user_code"].as_str().unwrap();
    app.get(&format!("/emulator/v1/projects/{}/device?user_code={code}&deny=1", p.id), None)
        .await
        .assert_ok();
    let denied =
        post_form(&app, "/oauth2/v1/token", None, &poll(start["device_code"].as_str().unwrap())).await;
    assert_eq!(denied.body["error"], "access_denied");
    let start = post_form(&app, "/oauth2/v1/device", None, &format!("client_id={}", p.id)).await;
    let start = start.assert_ok().clone();
    app.advance_clock(601).await;
    let expired =
        post_form(&app, "/oauth2/v1/token", None, &poll(start["device_code"].as_str().unwrap())).await;
    assert_eq!(expired.body["error"], "expired_token");
    app.reset_clock().await;

    // A queued identity approves at once.
    app.post(
        &format!("/emulator/v1/projects/{}/signin/next", p.id),
        None,
        json!({"loginId": "dev@example.com"}),
    )
    .await
    .assert_ok();
    let start = post_form(&app, "/oauth2/v1/device", None, &format!("client_id={}&scope=openid", p.id)).await;
    let start = start.assert_ok().clone();
    let t = post_form(&app, "/oauth2/v1/token", None, &poll(start["device_code"].as_str().unwrap())).await;
    assert!(t.assert_ok()["access_token"].is_string());
    // Unknown client.
    let r = post_form(&app, "/oauth2/v1/device", None, "client_id=nobody").await;
    assert_eq!(r.status.as_u16(), 401);
}
