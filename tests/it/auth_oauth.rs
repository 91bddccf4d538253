//! OAuth social sign-in on the fake identity providers: start, the provider's page (headless
//! knobs, queued identities, refusals, the browser chooser), exchange, the user marks and
//! claims, merging, modes, step-up, linking; native sign-in and Google One Tap with the fake
//! providers' ID tokens.

use axum::body::Body;
use axum::http::Request;
use base64::Engine;
use serde_json::{json, Value};

use crate::harness::{claims, urlencode, TestApp, TestProject, TestResponse, PUBLIC_URL};

const CB: &str = "http://app.test/cb";
const T0: i64 = 1_900_000_000;

/// The part of an absolute emulator URL after the public URL.
fn local(url: &str) -> &str {
    url.strip_prefix(PUBLIC_URL).unwrap_or_else(|| panic!("not an emulator URL: {url}"))
}

/// `POST /v1/auth/oauth/authorize{suffix}?{query}`: the page URL (path and query).
async fn start_url(app: &TestApp, auth: &str, suffix: &str, query: &str, options: Value) -> String {
    let r = app.post(&format!("/v1/auth/oauth/authorize{suffix}?{query}"), Some(auth), options).await;
    let url = r.assert_ok()["url"].as_str().unwrap().to_owned();
    local(&url).to_owned()
}

/// Starts a sign-up-or-in at `provider` redirecting to [`CB`].
async fn start(app: &TestApp, p: &TestProject, provider: &str) -> String {
    start_url(app, &p.bearer(), "", &format!("provider={provider}&redirectURL={}", urlencode(CB)), json!({}))
        .await
}

/// The `Location` of a redirect (303 of the provider's page).
#[track_caller]
fn location(r: &TestResponse) -> String {
    assert!(r.status.is_redirection(), "expected a redirect, got {}: {}", r.status, r.text);
    r.headers["location"].to_str().unwrap().to_owned()
}

/// A query parameter of a URL.
fn param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url).unwrap().query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// Opens the provider's page with extra query parameters; answers the code it redirects with.
async fn approve(app: &TestApp, page: &str, extra: &str) -> String {
    let r = app.get(&format!("{page}{extra}"), None).await;
    let loc = location(&r);
    param(&loc, "code").unwrap_or_else(|| panic!("no code in {loc}"))
}

async fn exchange(app: &TestApp, p: &TestProject, code: &str) -> TestResponse {
    app.post("/v1/auth/oauth/exchange", Some(&p.bearer()), json!({ "code": code })).await
}

/// A whole redirect sign-in at `provider` as `email`; the JWT response.
async fn oauth_sign_in(app: &TestApp, p: &TestProject, provider: &str, email: &str) -> Value {
    let page = start(app, p, provider).await;
    let code = approve(app, &page, &format!("&email={}", urlencode(email))).await;
    exchange(app, p, &code).await.assert_ok().clone()
}

fn session_claims(jwt: &Value) -> Value {
    claims(jwt["sessionJwt"].as_str().unwrap())
}

#[tokio::test]
async fn redirect_flow_signs_up_then_in() {
    let (app, p) = TestApp::with_project().await;
    let page = start(&app, &p, "google").await;
    assert!(page.starts_with(&format!("/emulator/v1/idp/{}/oauth/google/authorize?state=", p.id)), "{page}");
    let r = app
        .get(&format!("{page}&email=ann%40example.com&name=Ann%20Lee&picture=http%3A%2F%2Fpic"), None)
        .await;
    let loc = location(&r);
    assert!(loc.starts_with("http://app.test/cb?code="), "{loc}");
    let code = param(&loc, "code").unwrap();

    let jwt = exchange(&app, &p, &code).await.assert_ok().clone();
    assert_eq!(jwt["firstSeen"], true);
    let user = &jwt["user"];
    assert_eq!(user["OAuth"], json!({"google": true}));
    assert_eq!(user["email"], "ann@example.com");
    assert_eq!(user["verifiedEmail"], true);
    assert_eq!(user["name"], "Ann Lee");
    assert_eq!(user["picture"], "http://pic");
    assert_eq!(user["loginIds"], json!(["ann@example.com"]));
    let c = session_claims(&jwt);
    assert_eq!(c["amr"], json!(["oauth"]));
    assert_eq!(c["sub"], user["userId"]);
    assert_eq!(claims(jwt["refreshJwt"].as_str().unwrap())["amr"], json!(["oauth"]));

    // The same person again: the same user, no longer first seen.
    let again = oauth_sign_in(&app, &p, "google", "ann@example.com").await;
    assert_eq!(again["firstSeen"], false);
    assert_eq!(again["user"]["userId"], user["userId"]);

    // The session validates like any other.
    let r =
        app.post("/v1/auth/validate", Some(&p.with(jwt["sessionJwt"].as_str().unwrap())), json!({})).await;
    r.assert_ok();
}

#[tokio::test]
async fn redirect_url_keeps_its_query_and_fragment_and_openapi_spelling_works() {
    let (app, p) = TestApp::with_project().await;
    let cb = "http://app.test/cb?tab=2#done";
    let page = start_url(
        &app,
        &p.bearer(),
        "",
        &format!("provider=github&redirectUrl={}", urlencode(cb)),
        json!({}),
    )
    .await;
    let loc = location(&app.get(&format!("{page}&email=x%40example.com"), None).await);
    assert!(loc.starts_with("http://app.test/cb?tab=2&code="), "{loc}");
    assert!(loc.ends_with("#done"), "{loc}");
    let code = param(&loc, "code").unwrap();
    let jwt = exchange(&app, &p, &code).await.assert_ok().clone();
    assert_eq!(jwt["user"]["OAuth"], json!({"github": true}));

    // A relative redirect URL is refused at start.
    let r = app
        .post("/v1/auth/oauth/authorize?provider=google&redirectURL=%2Fcb", Some(&p.bearer()), json!({}))
        .await;
    r.assert_error(400, "E011004");
}

#[tokio::test]
async fn the_page_takes_a_login_hint_or_a_queued_identity() {
    let (app, p) = TestApp::with_project().await;
    // loginHint given at start
    let q = format!("provider=google&redirectURL={}&loginHint=hint%40example.com", urlencode(CB));
    let page = start_url(&app, &p.bearer(), "", &q, json!({})).await;
    let code = approve(&app, &page, "").await;
    let jwt = exchange(&app, &p, &code).await.assert_ok().clone();
    assert_eq!(jwt["user"]["email"], "hint@example.com");

    // A queued identity, used once, first in first out, only at its provider.
    for email in ["q1@example.com", "q2@example.com"] {
        let r = app
            .post(
                &format!("/emulator/v1/projects/{}/idp/next", p.id),
                None,
                json!({"provider": "google", "email": email, "name": "Queued", "emailVerified": false}),
            )
            .await;
        r.assert_ok();
    }
    let page = start(&app, &p, "github").await;
    app.get(&page, None).await.assert_error(400, "E011002");
    for email in ["q1@example.com", "q2@example.com"] {
        let page = start(&app, &p, "google").await;
        let code = approve(&app, &page, "").await;
        let jwt = exchange(&app, &p, &code).await.assert_ok().clone();
        assert_eq!(jwt["user"]["email"], email);
        assert_eq!(jwt["user"]["name"], "Queued");
        assert_eq!(jwt["user"]["verifiedEmail"], false);
    }
    // The queue is empty now.
    let page = start(&app, &p, "google").await;
    let r = app.get(&page, None).await;
    r.assert_error(400, "E011002");
    assert!(r.body["errorMessage"].as_str().unwrap().contains("idp/next"), "{}", r.text);

    // Queuing needs a provider (or tenant) and an identity.
    let next = format!("/emulator/v1/projects/{}/idp/next", p.id);
    app.post(&next, None, json!({"email": "a@example.com"})).await.assert_error(400, "E011002");
    app.post(&next, None, json!({"provider": "google"})).await.assert_error(400, "E011002");
}

#[tokio::test]
async fn the_person_can_refuse() {
    let (app, p) = TestApp::with_project().await;
    let page = start(&app, &p, "google").await;
    let loc = location(&app.get(&format!("{page}&deny=1"), None).await);
    assert_eq!(param(&loc, "error").as_deref(), Some("access_denied"));
    assert!(param(&loc, "error_description").is_some_and(|d| !d.is_empty()));
    assert!(param(&loc, "code").is_none());
    // The state is used up.
    app.get(&format!("{page}&email=a%40example.com"), None).await.assert_error(401, "E061301");

    // Any error the test asks for.
    let page = start(&app, &p, "google").await;
    let loc = location(
        &app.get(&format!("{page}&error=temporarily_unavailable&error_description=try+later"), None).await,
    );
    assert_eq!(param(&loc, "error").as_deref(), Some("temporarily_unavailable"));
    assert_eq!(param(&loc, "error_description").as_deref(), Some("try later"));

    // Without a redirect URL: a headless client gets the error as JSON, a browser a page.
    let page = start_url(&app, &p.bearer(), "", "provider=google", json!({})).await;
    let r = app.get(&format!("{page}&error=server_error&error_description=boom"), None).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.body, json!({"error": "server_error", "error_description": "boom"}));
    let page = start_url(&app, &p.bearer(), "", "provider=google", json!({})).await;
    let r = app.get(&format!("{page}&deny=1"), None).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.body["error"], "access_denied");
    let page = start_url(&app, &p.bearer(), "", "provider=google", json!({})).await;
    let r = get_html(&app, &format!("{page}&deny=1")).await;
    assert_eq!(r.status, 200);
    assert!(r.text.contains("You refused to sign in"), "{}", r.text);
}

async fn get_html(app: &TestApp, path: &str) -> TestResponse {
    let req = Request::builder().uri(path).header("accept", "text/html,*/*").body(Body::empty()).unwrap();
    app.call(req).await
}

#[tokio::test]
async fn a_browser_without_an_identity_gets_a_chooser() {
    let (app, p) = TestApp::with_project().await;
    oauth_sign_in(&app, &p, "google", "earlier@example.com").await;
    let page = start(&app, &p, "google").await;
    let r = get_html(&app, &page).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(r.text.contains("Sign in with google"), "{}", r.text);
    assert!(r.text.contains("earlier@example.com"), "known identities are offered");
    assert!(r.text.contains("id=\"approve\"") && r.text.contains("id=\"deny\""));
    // The page did not use the state up: the form's submission approves.
    let state = param(&format!("{PUBLIC_URL}{page}"), "state").unwrap();
    assert!(r.text.contains(&state));
    let code = approve(&app, &page, "&email=new%40example.com").await;
    exchange(&app, &p, &code).await.assert_ok();

    // auto=1 in a browser answers like a headless client.
    let page = start(&app, &p, "google").await;
    get_html(&app, &format!("{page}&auto=1")).await.assert_error(400, "E011002");

    // No redirect URL: the browser is shown the code.
    let page = start_url(&app, &p.bearer(), "", "provider=google", json!({})).await;
    let r = get_html(&app, &format!("{page}&email=shown%40example.com")).await;
    assert_eq!(r.status, 200);
    let code = r.text.split("<code id=\"code\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    let jwt = exchange(&app, &p, &code).await.assert_ok().clone();
    assert_eq!(jwt["user"]["email"], "shown@example.com");
    // ... and a headless client gets it as JSON.
    let page = start_url(&app, &p.bearer(), "", "provider=google", json!({})).await;
    let r = app.get(&format!("{page}&email=shown%40example.com"), None).await;
    let code = r.assert_ok()["code"].as_str().unwrap().to_owned();
    exchange(&app, &p, &code).await.assert_ok();
}

#[tokio::test]
async fn the_page_refuses_bad_states() {
    let (app, p) = TestApp::with_project().await;
    let page = start(&app, &p, "google").await;
    // The state was started for google, not github.
    let other = page.replace("/oauth/google/", "/oauth/github/");
    app.get(&format!("{other}&email=a%40example.com"), None).await.assert_error(400, "E011004");
    // An unknown state, no state.
    let base = page.split('?').next().unwrap();
    app.get(&format!("{base}?state=nope&email=a%40example.com"), None).await.assert_error(401, "E061301");
    app.get(&format!("{base}?email=a%40example.com"), None).await.assert_error(400, "E011002");
    // The state of another project.
    let q = app.new_project().await;
    let foreign = page.replace(&p.id, &q.id);
    app.get(&format!("{foreign}&email=a%40example.com"), None).await.assert_error(401, "E061301");
    // The genuine page still works after all that.
    approve(&app, &page, "&email=a%40example.com").await;
}

#[tokio::test]
async fn codes_are_single_use_short_lived_and_per_project() {
    let (app, p) = TestApp::with_project().await;
    app.set_clock(T0).await;
    let page = start(&app, &p, "google").await;
    let code = approve(&app, &page, "&email=ann%40example.com").await;
    exchange(&app, &p, &code).await.assert_ok();
    exchange(&app, &p, &code).await.assert_error(401, "E061301");
    exchange(&app, &p, "").await.assert_error(400, "E011002");
    exchange(&app, &p, "not-a-code").await.assert_error(401, "E061301");

    // Expired after 5 minutes of emulator time.
    let page = start(&app, &p, "google").await;
    let code = approve(&app, &page, "&email=ann%40example.com").await;
    app.set_clock(T0 + 5 * 60 + 1).await;
    exchange(&app, &p, &code).await.assert_error(401, "E061301");
    // Just within 5 minutes it still works.
    let page = start(&app, &p, "google").await;
    let code = approve(&app, &page, "&email=ann%40example.com").await;
    app.set_clock(T0 + 10 * 60).await;
    exchange(&app, &p, &code).await.assert_ok();

    // A code of another project.
    let q = app.new_project().await;
    let page = start(&app, &p, "google").await;
    let code = approve(&app, &page, "&email=ann%40example.com").await;
    exchange(&app, &q, &code).await.assert_error(401, "E061301");
    // ... was not used up by the refusal.
    exchange(&app, &p, &code).await.assert_ok();
}

#[tokio::test]
async fn merges_into_the_user_with_the_verified_email() {
    let (app, p) = TestApp::with_project().await;
    let otp = app.sign_up_with_otp(&p, "ann@example.com").await;
    let jwt = oauth_sign_in(&app, &p, "google", "ann@example.com").await;
    assert_eq!(jwt["user"]["userId"], otp["user"]["userId"]);
    assert_eq!(jwt["firstSeen"], false);
    assert_eq!(jwt["user"]["OAuth"], json!({"google": true}));
    assert_eq!(jwt["user"]["name"], "Test User", "the user's own name is kept");
    assert_eq!(session_claims(&jwt)["amr"], json!(["oauth"]));

    // A second provider adds its flag.
    let jwt = oauth_sign_in(&app, &p, "github", "ann@example.com").await;
    assert_eq!(jwt["user"]["OAuth"], json!({"google": true, "github": true}));

    // An unverified email at the provider does not take over an existing user.
    app.sign_up_with_otp(&p, "bob@example.com").await;
    let page = start(&app, &p, "google").await;
    let code = approve(&app, &page, "&email=bob%40example.com&emailVerified=false").await;
    exchange(&app, &p, &code).await.assert_error(400, "E062107");

    // The linked identity wins over the email: the provider may change it.
    let page = start(&app, &p, "google").await;
    let first = approve(&app, &page, "&email=carl%40example.com&sub=carl-1").await;
    let carl = exchange(&app, &p, &first).await.assert_ok().clone();
    let page = start(&app, &p, "google").await;
    let renamed = approve(&app, &page, "&email=carl.new%40example.com&sub=carl-1").await;
    let again = exchange(&app, &p, &renamed).await.assert_ok().clone();
    assert_eq!(again["user"]["userId"], carl["user"]["userId"]);
    assert_eq!(again["firstSeen"], false);
}

#[tokio::test]
async fn sign_in_and_sign_up_modes() {
    let (app, p) = TestApp::with_project().await;
    let q = |email: &str| format!("&email={}", urlencode(email));

    // Sign-in of nobody.
    let page = mode_page(&app, &p, "/signin").await;
    let code = approve(&app, &page, &q("nobody@example.com")).await;
    exchange(&app, &p, &code).await.assert_error(400, "E062108");
    // Sign-up of a new user, then sign-up again.
    let page = mode_page(&app, &p, "/signup").await;
    let code = approve(&app, &page, &q("new@example.com")).await;
    let jwt = exchange(&app, &p, &code).await.assert_ok().clone();
    assert_eq!(jwt["firstSeen"], true);
    let page = mode_page(&app, &p, "/signup").await;
    let code = approve(&app, &page, &q("new@example.com")).await;
    exchange(&app, &p, &code).await.assert_error(400, "E062107");
    // Sign-in of the existing user.
    let page = mode_page(&app, &p, "/signin").await;
    let code = approve(&app, &page, &q("new@example.com")).await;
    let again = exchange(&app, &p, &code).await.assert_ok().clone();
    assert_eq!(again["user"]["userId"], jwt["user"]["userId"]);
    assert_eq!(again["firstSeen"], false);
}

/// Starts a sign-in (`/signin`) or sign-up (`/signup`) at google.
async fn mode_page(app: &TestApp, p: &TestProject, suffix: &str) -> String {
    let query = format!("provider=google&redirectURL={}", urlencode(CB));
    start_url(app, &p.bearer(), suffix, &query, json!({})).await
}

#[tokio::test]
async fn update_links_the_provider_to_the_signed_in_user() {
    let (app, p) = TestApp::with_project().await;
    let otp = app.sign_up_with_otp(&p, "ann@example.com").await;
    let refresh = otp["refreshJwt"].as_str().unwrap();
    let query = format!("provider=github&redirectURL={}&allowAllMerge=true", urlencode(CB));

    // Without the refresh JWT: refused.
    let r = app.post(&format!("/v1/auth/oauth/authorize/update?{query}"), Some(&p.bearer()), json!({})).await;
    r.assert_error(401, "E061005");

    let page = start_url(&app, &p.with(refresh), "/update", &query, json!({})).await;
    let code = approve(&app, &page, "&email=ann.gh%40other.test&sub=gh-ann").await;
    let jwt = exchange(&app, &p, &code).await.assert_ok().clone();
    assert_eq!(jwt["user"]["userId"], otp["user"]["userId"]);
    assert_eq!(jwt["user"]["OAuth"], json!({"github": true}));
    assert_eq!(jwt["user"]["loginIds"], json!(["ann@example.com"]));
    assert_eq!(session_claims(&jwt)["amr"], json!(["email", "oauth"]));

    // From now on that GitHub account signs in as Ann.
    let page = start(&app, &p, "github").await;
    let code = approve(&app, &page, "&email=ann.gh%40other.test&sub=gh-ann").await;
    let again = exchange(&app, &p, &code).await.assert_ok().clone();
    assert_eq!(again["user"]["userId"], otp["user"]["userId"]);

    // Another user cannot link the same GitHub account.
    let bob = app.sign_up_with_otp(&p, "bob@example.com").await;
    let page =
        start_url(&app, &p.with(bob["refreshJwt"].as_str().unwrap()), "/update", &query, json!({})).await;
    let code = approve(&app, &page, "&email=ann.gh%40other.test&sub=gh-ann").await;
    exchange(&app, &p, &code).await.assert_error(400, "E062107");
}

#[tokio::test]
async fn step_up_merges_amr_and_custom_claims_land_in_the_session() {
    let (app, p) = TestApp::with_project().await;
    let otp = app.sign_up_with_otp(&p, "ann@example.com").await;
    let refresh = otp["refreshJwt"].as_str().unwrap();
    let query = format!("provider=google&redirectURL={}", urlencode(CB));

    // stepup needs the refresh JWT.
    let r = app
        .post(&format!("/v1/auth/oauth/authorize?{query}"), Some(&p.bearer()), json!({"stepup": true}))
        .await;
    r.assert_error(401, "E011101");

    let options = json!({"stepup": true, "customClaims": {"level": 2, "team": "red"}});
    let page = start_url(&app, &p.with(refresh), "", &query, options).await;
    let code = approve(&app, &page, "&email=ann%40example.com").await;
    let jwt = exchange(&app, &p, &code).await.assert_ok().clone();
    let c = session_claims(&jwt);
    assert_eq!(c["amr"], json!(["email", "oauth"]));
    assert_eq!(c["level"], 2);
    assert_eq!(c["team"], "red");
    assert_eq!(jwt["user"]["userId"], otp["user"]["userId"]);

    // Step-up as somebody else is refused.
    let page = start_url(&app, &p.with(refresh), "", &query, json!({"stepup": true})).await;
    let code = approve(&app, &page, "&email=mallory%40example.com").await;
    exchange(&app, &p, &code).await.assert_error(401, "E011101");

    // Custom claims without step-up.
    let page = start_url(&app, &p.bearer(), "", &query, json!({"customClaims": {"plan": "gold"}})).await;
    let code = approve(&app, &page, "&email=zed%40example.com").await;
    let jwt = exchange(&app, &p, &code).await.assert_ok().clone();
    assert_eq!(session_claims(&jwt)["plan"], "gold");
    assert_eq!(session_claims(&jwt)["amr"], json!(["oauth"]));
}

#[tokio::test]
async fn provider_names() {
    let (app, p) = TestApp::with_project().await;
    let jwt = oauth_sign_in(&app, &p, "my-idp.corp_1", "ann@example.com").await;
    assert_eq!(jwt["user"]["OAuth"], json!({"my-idp.corp_1": true}));
    for bad in ["bad%20name", "a%2Fb", "%3Cscript%3E"] {
        let r = app
            .post(
                &format!("/v1/auth/oauth/authorize?provider={bad}&redirectURL={}", urlencode(CB)),
                Some(&p.bearer()),
                json!({}),
            )
            .await;
        r.assert_error(400, "E011004");
    }
    let long = "x".repeat(65);
    let r =
        app.post(&format!("/v1/auth/oauth/authorize?provider={long}"), Some(&p.bearer()), json!({})).await;
    r.assert_error(400, "E011004");
    let r =
        app.post("/v1/auth/oauth/authorize?redirectURL=http://a.test", Some(&p.bearer()), json!({})).await;
    r.assert_error(400, "E011002");
    // Without a body at all (Go sends none when there are no login options).
    let r = app
        .send(axum::http::Method::POST, "/v1/auth/oauth/authorize?provider=google", Some(&p.bearer()), None)
        .await;
    r.assert_ok();
}

#[tokio::test]
async fn sign_in_snapshot() {
    let (app, p) = TestApp::with_project().await;
    app.set_clock(T0).await;
    let page = start(&app, &p, "google").await;
    let code = approve(&app, &page, "&email=ann%40example.com&name=Ann&givenName=Ann&familyName=Lee").await;
    let jwt = exchange(&app, &p, &code).await.assert_ok().clone();
    let mut c = session_claims(&jwt);
    let user_id = jwt["user"]["userId"].as_str().unwrap().to_owned();
    assert_eq!(c["iss"].as_str().unwrap().rsplit('/').next().unwrap(), p.id);
    assert_eq!(c["sub"], json!(user_id));
    for k in ["sub", "iss"] {
        c[k] = json!(format!("[{k}]"));
    }
    insta::assert_json_snapshot!("oauth_exchange", json!({"response": jwt, "session": c}), {
        ".response.sessionJwt" => "[jwt]",
        ".response.refreshJwt" => "[jwt]",
        ".response.user.userId" => "[userId]",
        ".response.user.createdTime" => "[now]",
        ".response.cookieExpiration" => "[time]",
        ".response.sessionExpiration" => "[time]",
        ".session.iat" => "[time]",
        ".session.exp" => "[time]",
        ".session.nbf" => "[time]",
    });
}

// ----- the fake providers' ID tokens: native sign-in and One Tap -----

/// An ID token of the project's fake `provider`.
async fn mint(app: &TestApp, p: &TestProject, provider: &str, body: Value) -> String {
    let r =
        app.post(&format!("/emulator/v1/projects/{}/idp/oauth/{provider}/id-token", p.id), None, body).await;
    r.assert_ok()["idToken"].as_str().unwrap().to_owned()
}

async fn native_start(app: &TestApp, p: &TestProject, provider: &str) -> Value {
    let r = app.post("/v1/auth/oauth/native/start", Some(&p.bearer()), json!({"provider": provider})).await;
    r.assert_ok().clone()
}

async fn native_finish(app: &TestApp, p: &TestProject, body: Value) -> TestResponse {
    app.post("/v1/auth/oauth/native/finish", Some(&p.bearer()), body).await
}

fn b64(v: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

#[tokio::test]
async fn native_sign_in_with_an_id_token() {
    let (app, p) = TestApp::with_project().await;
    let started = native_start(&app, &p, "google").await;
    assert_eq!(started["clientId"], format!("emulator-google-{}", p.id));
    assert_eq!(started["implicit"], false);
    let nonce = started["nonce"].as_str().unwrap();
    assert!(nonce.len() >= 16);
    let state = started["stateId"].as_str().unwrap();

    let token =
        mint(&app, &p, "google", json!({"email": "ann@example.com", "name": "Ann", "nonce": nonce})).await;
    let c = claims(&token);
    assert_eq!(c["aud"], started["clientId"]);
    assert_eq!(c["iss"], format!("{PUBLIC_URL}/emulator/v1/projects/{}/idp/oauth/google", p.id));
    assert_eq!(c["nonce"], nonce);
    assert_eq!(c["email_verified"], true);

    let r = native_finish(&app, &p, json!({"provider": "google", "stateId": state, "idToken": token})).await;
    let jwt = r.assert_ok().clone();
    assert_eq!(jwt["user"]["OAuth"], json!({"google": true}));
    assert_eq!(jwt["user"]["name"], "Ann");
    assert_eq!(jwt["firstSeen"], true);
    assert_eq!(session_claims(&jwt)["amr"], json!(["oauth"]));
    // The state is single-use.
    let r = native_finish(&app, &p, json!({"provider": "google", "stateId": state, "idToken": token})).await;
    r.assert_error(401, "E061301");

    // implicit is echoed.
    let r = app
        .post(
            "/v1/auth/oauth/native/start",
            Some(&p.bearer()),
            json!({"provider": "apple", "implicit": true}),
        )
        .await;
    assert_eq!(r.assert_ok()["implicit"], true);
    // Missing fields.
    native_finish(&app, &p, json!({"provider": "google"})).await.assert_error(400, "E011002");
    native_finish(&app, &p, json!({"provider": "google", "stateId": "x"})).await.assert_error(400, "E011002");
    app.post("/v1/auth/oauth/native/start", Some(&p.bearer()), json!({})).await.assert_error(400, "E011002");
}

#[tokio::test]
async fn native_sign_in_refuses_bad_id_tokens() {
    let (app, p) = TestApp::with_project().await;
    let started = native_start(&app, &p, "google").await;
    let nonce = started["nonce"].as_str().unwrap().to_owned();
    let state = started["stateId"].as_str().unwrap().to_owned();
    let finish = |token: String| {
        native_finish(&app, &p, json!({"provider": "google", "stateId": state, "idToken": token}))
    };
    let genuine = mint(&app, &p, "google", json!({"email": "ann@example.com", "nonce": nonce})).await;

    // Wrong nonce, no nonce.
    let token = mint(&app, &p, "google", json!({"email": "ann@example.com", "nonce": "other"})).await;
    finish(token).await.assert_error(401, "E061301");
    let token = mint(&app, &p, "google", json!({"email": "ann@example.com"})).await;
    finish(token).await.assert_error(401, "E061301");
    // Another audience, another provider's token.
    let token =
        mint(&app, &p, "google", json!({"email": "ann@example.com", "nonce": nonce, "aud": "x"})).await;
    finish(token).await.assert_error(401, "E061301");
    let token = mint(&app, &p, "github", json!({"email": "ann@example.com", "nonce": nonce})).await;
    finish(token).await.assert_error(401, "E061301");
    // Another project's fake provider.
    let q = app.new_project().await;
    let token = mint(&app, &q, "google", json!({"email": "ann@example.com", "nonce": nonce})).await;
    finish(token).await.assert_error(401, "E061301");
    // Expired.
    let token =
        mint(&app, &p, "google", json!({"email": "ann@example.com", "nonce": nonce, "ttlSeconds": -5})).await;
    finish(token).await.assert_error(401, "E061301");
    // The genuine claims signed by a fresh key.
    let key = descope_emulator::crypto::SigningKey::from_pkcs8(
        &descope_emulator::crypto::generate_rsa_pkcs8().unwrap(),
    )
    .unwrap();
    let forged = key.sign(&claims(&genuine)).unwrap();
    finish(forged).await.assert_error(401, "E061301");
    // The genuine claims unsigned (alg none), and with the signature stripped.
    let header = json!({"alg": "none", "typ": "JWT"});
    finish(format!("{}.{}.", b64(&header), b64(&claims(&genuine)))).await.assert_error(401, "E061301");
    let stripped = genuine.rsplit_once('.').unwrap().0.to_owned() + ".";
    finish(stripped).await.assert_error(401, "E061301");
    // Tampered claims.
    let mut c = claims(&genuine);
    c["email"] = json!("mallory@example.com");
    let parts: Vec<&str> = genuine.split('.').collect();
    finish(format!("{}.{}.{}", parts[0], b64(&c), parts[2])).await.assert_error(401, "E061301");
    finish("garbage".into()).await.assert_error(401, "E061301");
    // Another provider's state.
    let r =
        native_finish(&app, &p, json!({"provider": "github", "stateId": state, "idToken": genuine})).await;
    r.assert_error(401, "E061301");

    // None of the refusals used the state up.
    let jwt = finish(genuine).await.assert_ok().clone();
    assert_eq!(jwt["user"]["email"], "ann@example.com");
}

#[tokio::test]
async fn native_sign_in_with_apple_user_blob_and_with_a_code() {
    let (app, p) = TestApp::with_project().await;
    let started = native_start(&app, &p, "apple").await;
    let token = mint(
        &app,
        &p,
        "apple",
        json!({"sub": "apple-001", "email": "ann@privaterelay.test", "nonce": started["nonce"]}),
    )
    .await;
    let user = json!({"name": {"firstName": "Ann", "lastName": "Lee"}, "email": "ann@privaterelay.test"})
        .to_string();
    let r = native_finish(
        &app,
        &p,
        json!({"provider": "apple", "stateId": started["stateId"], "idToken": token, "user": user}),
    )
    .await;
    let jwt = r.assert_ok().clone();
    assert_eq!(jwt["user"]["givenName"], "Ann");
    assert_eq!(jwt["user"]["familyName"], "Lee");
    assert_eq!(jwt["user"]["name"], "Ann Lee");
    assert_eq!(jwt["user"]["OAuth"], json!({"apple": true}));

    // A user blob that is not JSON.
    let started = native_start(&app, &p, "apple").await;
    let token = mint(&app, &p, "apple", json!({"sub": "apple-001", "nonce": started["nonce"]})).await;
    let r = native_finish(
        &app,
        &p,
        json!({"provider": "apple", "stateId": started["stateId"], "idToken": token, "user": "{nope"}),
    )
    .await;
    r.assert_error(400, "E011004");

    // Finishing with a code of the fake provider's page instead of an ID token.
    let started = native_start(&app, &p, "google").await;
    let page = start(&app, &p, "google").await;
    let code = approve(&app, &page, "&email=coded%40example.com").await;
    let r =
        native_finish(&app, &p, json!({"provider": "google", "stateId": started["stateId"], "code": code}))
            .await;
    assert_eq!(r.assert_ok()["user"]["email"], "coded@example.com");
}

#[tokio::test]
async fn one_tap() {
    let (app, p) = TestApp::with_project().await;
    let r = app.get("/v1/auth/onetap/clientid/google", Some(&p.bearer())).await;
    let client_id = r.assert_ok()["clientId"].as_str().unwrap().to_owned();
    assert_eq!(client_id, format!("emulator-google-{}", p.id));
    app.get("/v1/auth/onetap/clientid/bad%20name", Some(&p.bearer())).await.assert_error(400, "E011004");

    let nonce = "a1b2c3d4";
    let token = mint(&app, &p, "google", json!({"email": "tap@example.com", "nonce": nonce})).await;
    assert_eq!(claims(&token)["aud"], client_id);
    let body = json!({"provider": "google", "idToken": token, "nonce": nonce,
                      "loginOptions": {"customClaims": {"via": "onetap"}}});
    let r = app.post("/v1/auth/onetap/idtoken/exchange", Some(&p.bearer()), body).await;
    let jwt = r.assert_ok().clone();
    assert_eq!(jwt["user"]["OAuth"], json!({"google": true}));
    assert_eq!(jwt["firstSeen"], true);
    assert_eq!(session_claims(&jwt)["amr"], json!(["oauth"]));
    assert_eq!(session_claims(&jwt)["via"], "onetap");

    // Wrong nonce, unsigned token, missing token.
    let r = app
        .post(
            "/v1/auth/onetap/idtoken/exchange",
            Some(&p.bearer()),
            json!({"provider": "google", "idToken": token, "nonce": "zz"}),
        )
        .await;
    r.assert_error(401, "E061301");
    let unsigned = format!("{}.{}.", b64(&json!({"alg": "none"})), b64(&claims(&token)));
    let r = app
        .post(
            "/v1/auth/onetap/idtoken/exchange",
            Some(&p.bearer()),
            json!({"provider": "google", "idToken": unsigned, "nonce": nonce}),
        )
        .await;
    r.assert_error(401, "E061301");
    let r =
        app.post("/v1/auth/onetap/idtoken/exchange", Some(&p.bearer()), json!({"provider": "google"})).await;
    r.assert_error(400, "E011002");
    let r = app
        .post(
            "/v1/auth/onetap/idtoken/exchange",
            Some(&p.bearer()),
            json!({"provider": "google", "idToken": token, "nonce": nonce, "loginOptions": {"stepup": true}}),
        )
        .await;
    r.assert_error(400, "E011004");

    // verify answers a code for the OAuth exchange.
    let r = app
        .post(
            "/v1/auth/onetap/idtoken/verify",
            Some(&p.bearer()),
            json!({"provider": "google", "idToken": token, "nonce": nonce}),
        )
        .await;
    let code = r.assert_ok()["code"].as_str().unwrap().to_owned();
    let again = exchange(&app, &p, &code).await.assert_ok().clone();
    assert_eq!(again["user"]["userId"], jwt["user"]["userId"]);
    assert_eq!(again["firstSeen"], false);
    exchange(&app, &p, &code).await.assert_error(401, "E061301");
}

#[tokio::test]
async fn jwks_verifies_the_id_token() {
    let (app, p) = TestApp::with_project().await;
    let token = mint(&app, &p, "google", json!({"email": "ann@example.com", "name": "Ann"})).await;
    let r = app.get(&format!("/emulator/v1/projects/{}/idp/oauth/google/jwks", p.id), None).await;
    let jwks = r.assert_ok().clone();
    let key = &jwks["keys"][0];
    assert_eq!(key["kty"], "RSA");
    assert_eq!(key["alg"], "RS256");
    assert_eq!(crate::harness::jwt_header(&token)["kid"], key["kid"]);
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(key.clone()).unwrap();
    let decoding = jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[format!("emulator-google-{}", p.id)]);
    validation.set_issuer(&[format!("{PUBLIC_URL}/emulator/v1/projects/{}/idp/oauth/google", p.id)]);
    let data = jsonwebtoken::decode::<Value>(&token, &decoding, &validation).unwrap();
    assert_eq!(data.claims["email"], "ann@example.com");
    assert_eq!(data.claims["name"], "Ann");
    assert!(data.claims["sub"].as_str().is_some_and(|s| !s.is_empty()));

    // The same key for every provider of the project; another project has its own.
    let r = app.get(&format!("/emulator/v1/projects/{}/idp/oauth/github/jwks", p.id), None).await;
    assert_eq!(r.assert_ok()["keys"][0]["kid"], key["kid"]);
    let q = app.new_project().await;
    let r = app.get(&format!("/emulator/v1/projects/{}/idp/oauth/google/jwks", q.id), None).await;
    assert_ne!(r.assert_ok()["keys"][0]["kid"], key["kid"]);
    // An identity is needed to mint.
    let r =
        app.post(&format!("/emulator/v1/projects/{}/idp/oauth/google/id-token", p.id), None, json!({})).await;
    r.assert_error(400, "E011002");
}

#[tokio::test]
async fn disabled_deleted_and_reset_users() {
    let (app, p) = TestApp::with_project().await;
    let first = oauth_sign_in(&app, &p, "google", "ann@example.com").await;
    let user_id = first["user"]["userId"].as_str().unwrap().to_owned();

    // A disabled user cannot sign in through the provider either.
    let r = app
        .post(
            "/v1/mgmt/user/update/status",
            Some(&p.mgmt()),
            json!({"loginId": "ann@example.com", "status": "disabled"}),
        )
        .await;
    r.assert_ok();
    let page = start(&app, &p, "google").await;
    let code = approve(&app, &page, "&email=ann%40example.com").await;
    exchange(&app, &p, &code).await.assert_error(403, "E062110");

    // A deleted user's identity goes with them: the next sign-in is a new user.
    app.post("/v1/mgmt/user/delete", Some(&p.mgmt()), json!({"userId": user_id})).await.assert_ok();
    let again = oauth_sign_in(&app, &p, "google", "ann@example.com").await;
    assert_eq!(again["firstSeen"], true);
    assert_ne!(again["user"]["userId"], json!(user_id));

    // Reset forgets identities, queued identities and the fake provider's key.
    let jwks = format!("/emulator/v1/projects/{}/idp/oauth/google/jwks", p.id);
    let before = app.get(&jwks, None).await.assert_ok()["keys"][0]["kid"].clone();
    let next = format!("/emulator/v1/projects/{}/idp/next", p.id);
    app.post(&next, None, json!({"provider": "google", "email": "queued@example.com"})).await.assert_ok();
    app.post(&format!("/emulator/v1/projects/{}/reset", p.id), None, json!({})).await.assert_ok();
    let page = start(&app, &p, "google").await;
    app.get(&page, None).await.assert_error(400, "E011002");
    assert_ne!(app.get(&jwks, None).await.assert_ok()["keys"][0]["kid"], before);
    let after = oauth_sign_in(&app, &p, "google", "ann@example.com").await;
    assert_eq!(after["firstSeen"], true);
}

#[tokio::test]
async fn the_chooser_form_can_say_the_email_is_not_verified() {
    let (app, p) = TestApp::with_project().await;
    app.sign_up_with_otp(&p, "ann@example.com").await;
    let page = start(&app, &p, "google").await;
    let html = get_html(&app, &page).await.text;
    // What a browser submits for the form with the "email verified" box unticked: every named
    // input but the checkbox.
    let form = html.split("<form").nth(1).unwrap().split("</form>").next().unwrap();
    let mut pairs = Vec::new();
    for input in form.split("<input").skip(1) {
        let attr = |name: &str| {
            input.split(&format!("{name}=\"")).nth(1).map(|rest| rest.split('"').next().unwrap().to_owned())
        };
        if input.contains("type=\"checkbox\"") {
            continue;
        }
        if let Some(name) = attr("name") {
            let value = match name.as_str() {
                "email" => "ann@example.com".to_owned(),
                _ => attr("value").unwrap_or_default(),
            };
            pairs.push(format!("{name}={}", urlencode(&value)));
        }
    }
    let base = page.split('?').next().unwrap();
    let r = get_html(&app, &format!("{base}?{}", pairs.join("&"))).await;
    let code = param(&location(&r), "code").unwrap();
    // Unverified at the provider: no take-over of Ann's account.
    exchange(&app, &p, &code).await.assert_error(400, "E062107");

    // Ticked, the box comes after the hidden field: verified, Ann signs in.
    let page = start(&app, &p, "google").await;
    let state = param(&format!("{PUBLIC_URL}{page}"), "state").unwrap();
    let ticked: Vec<String> = pairs
        .iter()
        .map(|kv| if kv.starts_with("state=") { format!("state={state}") } else { kv.clone() })
        .chain(["emailVerified=true".to_owned()])
        .collect();
    let r = get_html(&app, &format!("{base}?{}", ticked.join("&"))).await;
    let code = param(&location(&r), "code").unwrap();
    assert_eq!(exchange(&app, &p, &code).await.assert_ok()["user"]["OAuth"], json!({"google": true}));
}

#[tokio::test]
async fn identities_without_email_and_emails_in_other_case() {
    let (app, p) = TestApp::with_project().await;
    // Only a subject: the login ID is the provider's name and the subject.
    let page = start(&app, &p, "github").await;
    let code = approve(&app, &page, "&sub=12345&name=Octo").await;
    let jwt = exchange(&app, &p, &code).await.assert_ok().clone();
    assert_eq!(jwt["user"]["loginIds"], json!(["github-12345"]));
    assert_eq!(jwt["user"]["email"], "");
    assert_eq!(jwt["user"]["verifiedEmail"], false);
    assert_eq!(jwt["user"]["name"], "Octo");

    // The provider's email in another case is the same user's.
    let otp = app.sign_up_with_otp(&p, "ann@example.com").await;
    let jwt = oauth_sign_in(&app, &p, "google", "Ann@Example.COM").await;
    assert_eq!(jwt["user"]["userId"], otp["user"]["userId"]);
    assert_eq!(jwt["firstSeen"], false);
}

#[tokio::test]
async fn states_expire_and_codes_are_used_once_under_races() {
    let (app, p) = TestApp::with_project().await;
    app.set_clock(T0).await;
    // The provider's page waits 10 minutes for the person.
    let page = start(&app, &p, "google").await;
    app.set_clock(T0 + 10 * 60 + 1).await;
    app.get(&format!("{page}&email=a%40example.com"), None).await.assert_error(401, "E061301");
    let started = native_start(&app, &p, "google").await;
    let token = mint(&app, &p, "google", json!({"email": "a@example.com", "nonce": started["nonce"]})).await;
    app.set_clock(T0 + 21 * 60).await;
    let r = native_finish(
        &app,
        &p,
        json!({"provider": "google", "stateId": started["stateId"], "idToken": token}),
    )
    .await;
    r.assert_error(401, "E061301");

    // A code of another provider does not finish a native sign-in.
    let started = native_start(&app, &p, "google").await;
    let page = start(&app, &p, "github").await;
    let code = approve(&app, &page, "&email=a%40example.com").await;
    let r =
        native_finish(&app, &p, json!({"provider": "google", "stateId": started["stateId"], "code": code}))
            .await;
    r.assert_error(401, "E061301");

    // Two exchanges of one code at once: exactly one signs in.
    let page = start(&app, &p, "google").await;
    let code = approve(&app, &page, "&email=race%40example.com").await;
    let (a, b) = tokio::join!(exchange(&app, &p, &code), exchange(&app, &p, &code));
    let ok = [&a, &b].iter().filter(|r| r.status == 200).count();
    assert_eq!(ok, 1, "{} / {}", a.text, b.text);
    let refused = if a.status == 200 { &b } else { &a };
    refused.assert_error(401, "E061301");
}
