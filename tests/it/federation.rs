//! Federation beyond the sign-in itself: identities in snapshots and reset, the provider token
//! of management, FedCM.

use serde_json::{json, Value};

use crate::harness::*;

/// Signs a user in through the fake `provider` page with `email`; answers the JWT response.
async fn oauth_sign_in(app: &TestApp, p: &TestProject, provider: &str, email: &str) -> Value {
    let started = app
        .post(
            &format!("/v1/auth/oauth/authorize?provider={provider}&redirectURL=http%3A%2F%2Fapp.test%2Fcb"),
            Some(&p.bearer()),
            json!({}),
        )
        .await;
    let url = started.assert_ok()["url"].as_str().expect("url").to_owned();
    let page = url.strip_prefix(PUBLIC_URL).expect("page on the emulator");
    let approved = app.get(&format!("{page}&email={}&name=Ann%20Lee", urlencode(email)), None).await;
    assert_eq!(approved.status.as_u16(), 303, "{}", approved.text);
    let location = approved.headers["location"].to_str().expect("location");
    let code = location.split("code=").nth(1).expect("code");
    app.post("/v1/auth/oauth/exchange", Some(&p.bearer()), json!({ "code": code })).await.assert_ok().clone()
}

#[tokio::test]
async fn identities_and_provider_flags_travel_in_snapshots() {
    let (app, p) = TestApp::with_project().await;
    let signed = oauth_sign_in(&app, &p, "github", "ann@example.com").await;
    assert_eq!(signed["user"]["OAuth"], json!({"github": true}));
    let snap = app.export_snapshot(&p.id).await;
    let user = &snap["users"][0];
    assert_eq!(user["OAuth"], json!({"github": true}));
    assert_eq!(user["identities"][0]["kind"], "oauth");
    assert_eq!(user["identities"][0]["issuer"], "github");
    assert_eq!(user["identities"][0]["email"], "ann@example.com");
    let subject = user["identities"][0]["subject"].as_str().expect("subject").to_owned();

    // Restored elsewhere, the same provider identity signs in as the same user.
    let q = app.new_project().await;
    let mut moved = snap.clone();
    moved.as_object_mut().expect("object").remove("projectId");
    app.put_snapshot(&q.id, &moved).await.assert_ok();
    let again = oauth_sign_in(&app, &q, "github", "ann@example.com").await;
    assert_eq!(again["user"]["userId"], signed["user"]["userId"]);
    let copy = app.export_snapshot(&q.id).await;
    assert_eq!(copy["users"][0]["identities"][0]["subject"], subject);

    // A bad identity in a fixture is refused.
    let mut bad = moved.clone();
    bad["users"][0]["identities"][0]["kind"] = json!("ldap");
    app.put_snapshot(&q.id, &bad).await.assert_error(400, "E011004");
}

#[tokio::test]
async fn reset_forgets_identities() {
    let (app, p) = TestApp::with_project().await;
    let first = oauth_sign_in(&app, &p, "google", "bo@example.com").await;
    assert!(first["firstSeen"].as_bool().expect("firstSeen"));
    app.post(&format!("/emulator/v1/projects/{}/reset", p.id), None, json!({})).await.assert_ok();
    let again = oauth_sign_in(&app, &p, "google", "bo@example.com").await;
    assert!(again["firstSeen"].as_bool().expect("firstSeen"), "a reset project knows nobody");
    assert_ne!(again["user"]["userId"], first["user"]["userId"]);
}

#[tokio::test]
async fn management_reads_the_provider_token_of_a_social_user() {
    let (app, p) = TestApp::with_project().await;
    oauth_sign_in(&app, &p, "google", "cy@example.com").await;
    let path = "/v1/mgmt/user/provider/token?loginId=cy%40example.com&provider=google&withRefreshToken=true";
    let token = app.get(path, Some(&p.mgmt())).await;
    let t = token.assert_ok();
    assert_eq!(t["provider"], "google");
    assert!(t["providerUserId"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(t["accessToken"].as_str().is_some_and(|s| s.starts_with("emu_at_")));
    assert!(t["refreshToken"].as_str().is_some_and(|s| s.starts_with("emu_rt_")));
    assert!(t["expiration"].as_i64().expect("expiration") > app.clock_now().await);
    assert_eq!(t["scopes"], json!(["openid", "email", "profile"]));
    // the same until the next sign-in
    assert_eq!(app.get(path, Some(&p.mgmt())).await.body["accessToken"], t["accessToken"]);
    // another provider: none
    app.get("/v1/mgmt/user/provider/token?loginId=cy%40example.com&provider=github", Some(&p.mgmt()))
        .await
        .assert_error(404, "E011008");
}

#[tokio::test]
async fn fedcm_config_names_the_project_endpoints() {
    let (app, p) = TestApp::with_project().await;
    let config = app.get(&format!("/{}/fedcm/config", p.id), None).await;
    let c = config.assert_ok();
    assert_eq!(c["accounts_endpoint"], format!("{PUBLIC_URL}/{}/fedcm/accounts", p.id));
    assert_eq!(c["id_assertion_endpoint"], format!("{PUBLIC_URL}/{}/fedcm/assertion", p.id));
    assert_eq!(c["client_metadata_endpoint"], format!("{PUBLIC_URL}/fedcm/clientmetadata"));
    assert!(c["login_url"].is_string());
    let meta = app.get(&format!("/fedcm/clientmetadata?client_id={}", p.id), None).await;
    assert!(meta.assert_ok()["privacy_policy_url"].is_string());
    app.get("/fedcm/clientmetadata?client_id=Pnope", None).await.assert_error(404, "E011008");
    app.get("/fedcm/clientmetadata", None).await.assert_error(400, "E011002");
    app.get("/Pnope/fedcm/config", None).await.assert_error(404, "E011008");
}

#[tokio::test]
async fn fedcm_accounts_and_assertion_need_the_refresh_cookie() {
    let (app, p) = TestApp::with_project().await;
    let signed = app.sign_up_with_otp(&p, "dee@example.com").await;
    let refresh = signed["refreshJwt"].as_str().expect("refresh").to_owned();
    app.get(&format!("/{}/fedcm/accounts", p.id), None).await.assert_error(401, "E011101");

    let with_cookie = |method: &str, path: String, body: &str| {
        axum::http::Request::builder()
            .method(method)
            .uri(path)
            .header("cookie", format!("other=1; DSR={refresh}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(body.to_owned()))
            .expect("request")
    };
    let accounts = app.call(with_cookie("GET", format!("/{}/fedcm/accounts", p.id), "")).await;
    let a = &accounts.assert_ok()["accounts"][0];
    assert_eq!(a["id"], signed["user"]["userId"]);
    assert_eq!(a["email"], "dee@example.com");
    assert_eq!(a["approved_clients"], json!([p.id]));

    let form = format!("client_id={}&account_id={}&nonce=n1", p.id, a["id"].as_str().expect("id"));
    let assertion = app.call(with_cookie("POST", format!("/{}/fedcm/assertion", p.id), &form)).await;
    let token = assertion.assert_ok()["token"].as_str().expect("token").to_owned();
    // web-js hands the token to refresh
    app.post("/v1/auth/refresh", Some(&p.with(&token)), json!({})).await.assert_ok();
    let wrong = app.call(with_cookie("POST", format!("/{}/fedcm/assertion", p.id), "client_id=Pother")).await;
    wrong.assert_error(400, "E011004");
}

/// The query parameters of a URL.
fn query_of(url: &str) -> std::collections::HashMap<String, String> {
    url::Url::parse(url).expect("absolute URL").query_pairs().into_owned().collect()
}

#[tokio::test]
async fn the_emulator_oidc_provider_speaks_the_code_flow() {
    use base64::Engine;
    let (app, p) = TestApp::with_project().await;
    let base = format!("/emulator/v1/idp/oidc/{}/okta", p.id);
    let disco = app.get(&format!("{base}/.well-known/openid-configuration"), None).await;
    let d = disco.assert_ok();
    assert_eq!(d["issuer"], format!("{PUBLIC_URL}{base}"));
    assert_eq!(d["token_endpoint"], format!("{PUBLIC_URL}{base}/token"));

    let authorize = format!(
        "{base}/authorize?response_type=code&client_id=app1&redirect_uri=http%3A%2F%2Fapp.test%2Fcb&scope=openid%20email&state=s1&nonce=n1&email=eve%40corp.test&groups=eng,ops&attr.department=R%26D"
    );
    let r = app.get(&authorize, None).await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.text);
    let q = query_of(r.headers["location"].to_str().expect("location"));
    assert_eq!(q["state"], "s1");
    let code = q["code"].clone();

    let basic = base64::engine::general_purpose::STANDARD.encode("app1:secret");
    let token_req = |code: &str, redirect: &str| {
        axum::http::Request::builder()
            .method("POST")
            .uri(format!("{base}/token"))
            .header("authorization", format!("Basic {basic}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(format!(
                "grant_type=authorization_code&code={code}&redirect_uri={}",
                urlencode(redirect)
            )))
            .expect("request")
    };
    // the wrong redirect_uri is refused, and spends the code
    let wrong = app.call(token_req(&code, "http://evil.test/cb")).await;
    assert_eq!(wrong.status.as_u16(), 400, "{}", wrong.text);
    assert_eq!(wrong.body["error"], "invalid_grant");

    let r = app.get(&authorize, None).await;
    let code = query_of(r.headers["location"].to_str().expect("location"))["code"].clone();
    let tokens = app.call(token_req(&code, "http://app.test/cb")).await;
    let t = tokens.assert_ok().clone();
    let id = claims(t["id_token"].as_str().expect("id_token"));
    assert_eq!(id["iss"], format!("{PUBLIC_URL}{base}"));
    assert_eq!(id["aud"], "app1");
    assert_eq!(id["nonce"], "n1");
    assert_eq!(id["email"], "eve@corp.test");
    assert_eq!(id["groups"], json!(["eng", "ops"]));
    assert_eq!(id["department"], "R&D");
    // its key is the one the JWKS publishes
    let jwks = app.get(&format!("{base}/jwks"), None).await;
    assert_eq!(jwt_header(t["id_token"].as_str().expect("id_token"))["kid"], jwks.body["keys"][0]["kid"]);
    // a code is redeemed once
    let again = app.call(token_req(&code, "http://app.test/cb")).await;
    assert_eq!(again.body["error"], "invalid_grant");
    // userinfo with the access token
    let access = t["access_token"].as_str().expect("access_token");
    let info = app
        .call(
            axum::http::Request::builder()
                .uri(format!("{base}/userinfo"))
                .header("authorization", format!("Bearer {access}"))
                .body(axum::body::Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(info.assert_ok()["email"], "eve@corp.test");
    let bad = app.get(&format!("{base}/userinfo"), Some("not-a-token")).await;
    assert_eq!(bad.status.as_u16(), 401, "{}", bad.text);
    assert_eq!(bad.body["error"], "invalid_token");
    // deny and unsupported response types go back as errors
    let denied = app.get(&format!("{authorize}&deny=1"), None).await;
    assert_eq!(query_of(denied.headers["location"].to_str().expect("location"))["error"], "access_denied");
    let implicit = app.get(&authorize.replace("response_type=code", "response_type=token"), None).await;
    assert_eq!(
        query_of(implicit.headers["location"].to_str().expect("location"))["error"],
        "unsupported_response_type"
    );
}

#[tokio::test]
async fn sso_through_the_emulator_oidc_provider_is_verified_for_real() {
    use descope_emulator::domain::federation::idp::{Start, Target};
    use descope_emulator::domain::federation::oidc_idp::{self, RelyingParty};
    let (app, p) = TestApp::with_project().await;
    let ctx = app.ctx(&p).await;
    let start = Start {
        target: Target::Sso { tenant_id: "T1".into(), sso_id: String::new() },
        redirect_url: "http://app.test/done?x=1".into(),
        ..Start::default()
    };
    let rp =
        RelyingParty { idp: "okta".into(), client_id: "descope-client".into(), scope: vec!["groups".into()] };
    let url = oidc_idp::begin(&app.state.db, &ctx, start.clone(), rp.clone()).await.expect("begin");
    let q = query_of(&url);
    assert_eq!(q["redirect_uri"], format!("{PUBLIC_URL}/v1/oauth/callback"));
    assert_eq!(q["scope"], "groups openid email profile");
    assert!(q["state"].starts_with(&format!("{}~", p.id)));

    // provider → callback → the app, with a Descope code for the SSO exchange
    let page = url.strip_prefix(PUBLIC_URL).expect("on the emulator");
    let at_idp = app.get(&format!("{page}&email=fay%40corp.test&groups=eng"), None).await;
    let callback = at_idp.headers["location"].to_str().expect("location").to_owned();
    let back = app.get(callback.strip_prefix(PUBLIC_URL).expect("callback"), None).await;
    assert_eq!(back.status.as_u16(), 303, "{}", back.text);
    let to_app = back.headers["location"].to_str().expect("location");
    assert!(to_app.starts_with("http://app.test/done?x=1&code="), "{to_app}");
    // the callback's state is single-use
    let replay = app.get(callback.strip_prefix(PUBLIC_URL).expect("callback"), None).await;
    replay.assert_error(401, "E061301");

    // a code the provider issued to another client does not get through
    let url = oidc_idp::begin(&app.state.db, &ctx, start, rp).await.expect("begin");
    let state = query_of(&url)["state"].clone();
    let other = app
        .get(
            &format!(
                "/emulator/v1/idp/oidc/{}/okta/authorize?response_type=code&client_id=other&redirect_uri={}&email=x%40corp.test",
                p.id,
                urlencode(&format!("{PUBLIC_URL}/v1/oauth/callback"))
            ),
            None,
        )
        .await;
    let code = query_of(other.headers["location"].to_str().expect("location"))["code"].clone();
    let refused = app.get(&format!("/v1/oauth/callback?state={}&code={code}", urlencode(&state)), None).await;
    refused.assert_error(401, "E061301");
}

#[tokio::test]
async fn the_oidc_provider_takes_queued_identities_and_login_hints() {
    let (app, p) = TestApp::with_project().await;
    let authorize = format!(
        "/emulator/v1/idp/oidc/{}/okta/authorize?response_type=code&client_id=c&redirect_uri=http%3A%2F%2Fapp.test%2Fcb",
        p.id
    );
    // nothing to go on: back to the app with login_required
    let none = app.get(&authorize, None).await;
    assert_eq!(query_of(none.headers["location"].to_str().expect("location"))["error"], "login_required");
    // both provider and idp: refused
    let both = json!({"provider": "google", "idp": "okta", "email": "x@corp.test"});
    app.post(&format!("/emulator/v1/projects/{}/idp/next", p.id), None, both)
        .await
        .assert_error(400, "E011004");
    let queued = json!({"idp": "okta", "email": "gus@corp.test", "groups": ["eng"]});
    app.post(&format!("/emulator/v1/projects/{}/idp/next", p.id), None, queued).await.assert_ok();
    let r = app.get(&authorize, None).await;
    assert!(query_of(r.headers["location"].to_str().expect("location")).contains_key("code"));
    // used once; then a login_hint names the person
    let r = app.get(&authorize, None).await;
    assert_eq!(query_of(r.headers["location"].to_str().expect("location"))["error"], "login_required");
    let r = app.get(&format!("{authorize}&login_hint=hal%40corp.test"), None).await;
    assert!(query_of(r.headers["location"].to_str().expect("location")).contains_key("code"));
}
