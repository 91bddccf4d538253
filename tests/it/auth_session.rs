//! Sessions: refresh, logout, logoutall, me, history, validate, tenant select; expiry by the
//! emulator clock; tokens of one project never work in another.

use serde_json::{json, Value};

use crate::harness::{claims, TestApp};

#[tokio::test]
async fn refresh_keeps_the_refresh_token_and_issues_a_new_session() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let jwt = app.sign_up_with_otp(&p, "r@example.com").await;
    let refresh = jwt["refreshJwt"].as_str().unwrap();
    let r = app.post("/v1/auth/refresh", Some(&p.with(refresh)), json!({})).await;
    let body = r.assert_ok();
    assert_eq!(body["refreshJwt"], refresh);
    assert_eq!(body["firstSeen"], false);
    assert_eq!(body["cookiePath"], "/");
    assert!(body["cookieMaxAge"].as_i64().unwrap() > 2_000_000);
    assert!(body["cookieExpiration"].as_i64().unwrap() < i32::MAX as i64);
    let session = claims(body["sessionJwt"].as_str().unwrap());
    assert_eq!(session["sub"], jwt["user"]["userId"]);
    assert_eq!(session["amr"], json!(["email"]));
    assert_eq!(session["exp"].as_i64().unwrap() - session["iat"].as_i64().unwrap(), 600);
    // an empty body (as Go sends) works too
    let r = app.send(axum::http::Method::POST, "/v1/auth/refresh", Some(&p.with(refresh)), None).await;
    r.assert_ok();
    // the session JWT is not a refresh token
    let session_jwt = body["sessionJwt"].as_str().unwrap();
    app.post("/v1/auth/refresh", Some(&p.with(session_jwt)), json!({})).await.assert_error(401, "E061005");
}

#[tokio::test]
async fn logout_revokes_one_logoutall_revokes_all() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let first = app.sign_up_with_otp(&p, "l@example.com").await["refreshJwt"].as_str().unwrap().to_owned();
    let second = app.sign_in_with_otp(&p, "l@example.com").await["refreshJwt"].as_str().unwrap().to_owned();
    let third = app.sign_in_with_otp(&p, "l@example.com").await["refreshJwt"].as_str().unwrap().to_owned();

    assert_eq!(app.post("/v1/auth/logout", Some(&p.with(&first)), json!({})).await.assert_ok(), &json!({}));
    app.post("/v1/auth/refresh", Some(&p.with(&first)), json!({})).await.assert_error(401, "E064001");
    app.get("/v1/auth/me", Some(&p.with(&first))).await.assert_error(401, "E064001");
    app.post("/v1/auth/refresh", Some(&p.with(&second)), json!({})).await.assert_ok();

    app.post("/v1/auth/logoutall", Some(&p.with(&second)), json!({})).await.assert_ok();
    app.post("/v1/auth/refresh", Some(&p.with(&second)), json!({})).await.assert_error(401, "E064001");
    app.post("/v1/auth/refresh", Some(&p.with(&third)), json!({})).await.assert_error(401, "E064001");
}

#[tokio::test]
async fn refresh_tokens_expire_by_the_emulator_clock() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let refresh = app.sign_up_with_otp(&p, "e@example.com").await["refreshJwt"].as_str().unwrap().to_owned();
    app.advance_clock(4 * 7 * 24 * 3600 + 1).await;
    let r = app.post("/v1/auth/refresh", Some(&p.with(&refresh)), json!({})).await;
    let tried = app.post("/v1/auth/try-refresh", Some(&p.with(&refresh)), json!({})).await;
    app.reset_clock().await;
    r.assert_error(401, "E061005");
    assert_eq!(tried.assert_ok(), &json!({}));
    let r = app.post("/v1/auth/try-refresh", Some(&p.with(&refresh)), json!({})).await;
    assert!(r.assert_ok()["sessionJwt"].is_string());
}

#[tokio::test]
async fn tokens_of_one_project_are_rejected_by_another() {
    let app = TestApp::new().await;
    let a = app.new_project().await;
    let b = app.new_project().await;
    let jwt = app.sign_up_with_otp(&a, "cross@example.com").await;
    let refresh = jwt["refreshJwt"].as_str().unwrap();
    app.post("/v1/auth/refresh", Some(&b.with(refresh)), json!({})).await.assert_error(401, "E061005");
    app.get("/v1/auth/me", Some(&b.with(refresh))).await.assert_error(401, "E061005");
    let session = jwt["sessionJwt"].as_str().unwrap();
    app.post("/v1/auth/validate", Some(&b.with(session)), json!({})).await.assert_error(401, "E061005");
    let r = app.post("/v1/auth/validate", Some(&a.with(session)), json!({})).await;
    assert_eq!(r.assert_ok()["parsedJWT"]["sub"], jwt["user"]["userId"]);
    // a tampered token fails
    let mut forged = session.to_owned();
    forged.pop();
    forged.push(if session.ends_with('A') { 'B' } else { 'A' });
    app.post("/v1/auth/validate", Some(&a.with(&forged)), json!({})).await.assert_error(401, "E061005");
}

#[tokio::test]
async fn me_and_history() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    // The login time is emulator time: set the clock so it is known.
    app.set_clock(1_710_510_330).await; // 2024-03-15 13:45:30
    let before = app.clock_now().await;
    let jwt = app.sign_up_with_otp(&p, "me@example.com").await;
    let after = app.clock_now().await;
    let refresh = jwt["refreshJwt"].as_str().unwrap();
    let r = app.get("/v1/auth/me", Some(&p.with(refresh))).await;
    let me = r.assert_ok();
    assert_eq!(me["loginIds"], json!(["me@example.com"]));
    assert_eq!(me["email"], "me@example.com");
    assert_eq!(me["OAuth"], json!({}));
    assert_eq!(me["TOTP"], false);
    let r = app.get("/v1/auth/me/history", Some(&p.with(refresh))).await;
    let history = r.assert_ok().as_array().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["userId"], jwt["user"]["userId"]);
    let login_time = history[0]["loginTime"].as_i64().unwrap();
    assert!(login_time > 1_600_000_000);
    assert!((before..=after).contains(&login_time), "loginTime {login_time} is not emulator time (s)");
    app.get("/v1/auth/me", None).await.assert_error(401, "E011101");
    app.get("/v1/auth/me", Some(&p.bearer())).await.assert_error(401, "E061005");
}

#[tokio::test]
async fn roles_tenants_and_tenant_select_reach_the_jwt() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let snapshot = json!({
        "projectId": p.id,
        "permissions": [{"name": "read"}, {"name": "write"}],
        "roles": [{"name": "viewer", "permissionNames": ["read"]}, {"name": "admin", "permissionNames": ["read", "write"]}],
        "tenants": [{"id": "T1", "name": "Acme"}, {"id": "T2", "name": "Beta"}],
        "users": [{"loginIds": ["t@example.com"], "email": "t@example.com", "roleNames": ["viewer"],
                   "userTenants": [{"tenantId": "T1", "roleNames": ["admin"]}, {"tenantId": "T2", "roleNames": []}]},
                  {"loginIds": ["off@example.com"], "email": "off@example.com", "status": "disabled"}]
    });
    app.put_snapshot(&p.id, &snapshot).await.assert_ok();
    let jwt = app.sign_in_with_otp(&p, "t@example.com").await;
    let c = claims(jwt["sessionJwt"].as_str().unwrap());
    assert_eq!(c["roles"], json!(["viewer"]));
    assert_eq!(c["permissions"], json!(["read"]));
    assert_eq!(c["tenants"]["T1"], json!({"roles": ["admin"], "permissions": ["read", "write"]}));
    assert_eq!(c["tenants"]["T2"], json!({"roles": [], "permissions": []}));
    assert!(c.get("dct").is_none());
    assert_eq!(jwt["user"]["userTenants"][0]["tenantName"], "Acme");

    let refresh = jwt["refreshJwt"].as_str().unwrap();
    let r = app.post("/v1/auth/tenant/select", Some(&p.with(refresh)), json!({"tenant": "T1"})).await;
    let selected = r.assert_ok().clone();
    let c = claims(selected["sessionJwt"].as_str().unwrap());
    assert_eq!(c["dct"], "T1");
    assert_eq!(c["tenants"]["T1"]["roles"], json!(["admin"]));
    // dct survives refresh
    let new_refresh = selected["refreshJwt"].as_str().unwrap();
    let r = app.post("/v1/auth/refresh", Some(&p.with(new_refresh)), json!({})).await;
    assert_eq!(claims(r.assert_ok()["sessionJwt"].as_str().unwrap())["dct"], "T1");
    let r = app.post("/v1/auth/me/tenants", Some(&p.with(new_refresh)), json!({"dct": true})).await;
    assert_eq!(r.assert_ok()["tenants"], json!([{"id": "T1", "name": "Acme", "customAttributes": {}}]));
    let r =
        app.post("/v1/auth/me/tenants", Some(&p.with(new_refresh)), json!({"dct": false, "ids": []})).await;
    assert_eq!(r.assert_ok()["tenants"].as_array().unwrap().len(), 2);
    app.post("/v1/auth/tenant/select", Some(&p.with(new_refresh)), json!({"tenant": "T9"}))
        .await
        .assert_error(400, "E064101");

    // a disabled user cannot sign in
    app.post("/v1/auth/otp/signin/email", Some(&p.bearer()), json!({"loginId": "off@example.com"}))
        .await
        .assert_error(403, "E062110");
}

/// A persistent emulator restarted on another port (so another public URL, when none is
/// set) still accepts the refresh tokens it signed before.
#[tokio::test]
async fn tokens_survive_a_restart_under_another_public_url() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let auth = app.sign_up_with_otp(&p, "port@example.com").await;
    let refresh = auth["refreshJwt"].as_str().unwrap().to_owned();
    assert_eq!(claims(&refresh)["iss"], format!("{}/{}", crate::harness::PUBLIC_URL, p.id));

    let restarted = descope_emulator::AppState::new(
        app.state.db.clone(),
        descope_emulator::crypto::KeyPool::new(1),
        descope_emulator::crypto::PasswordHasher::new(descope_emulator::config::HashCost::Fast),
        descope_emulator::config::CorsOrigins::parse("*"),
        "http://127.0.0.1:5999",
    );
    let restarted = TestApp::with_state(restarted);
    let r = restarted.post("/v1/auth/refresh", Some(&p.with(&refresh)), json!({})).await;
    let body = r.assert_ok();
    let session = body["sessionJwt"].as_str().unwrap();
    assert_eq!(claims(session)["iss"], format!("http://127.0.0.1:5999/{}", p.id));
}

/// "If there's just one tenant associated with the user, the tenant does not have to be
/// selected because the dct is automatically set to that one tenant."
#[tokio::test]
async fn a_user_of_exactly_one_tenant_gets_it_as_dct() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let snapshot = json!({
        "projectId": p.id,
        "tenants": [{"id": "T1", "name": "Acme"}, {"id": "T2", "name": "Beta"}],
        "users": [
            {"loginIds": ["one@example.com"], "email": "one@example.com", "userTenants": [{"tenantId": "T1"}]},
            {"loginIds": ["two@example.com"], "email": "two@example.com",
             "userTenants": [{"tenantId": "T1"}, {"tenantId": "T2"}]},
            {"loginIds": ["none@example.com"], "email": "none@example.com"}
        ]
    });
    app.put_snapshot(&p.id, &snapshot).await.assert_ok();
    let dct = |jwt: &Value, field: &str| claims(jwt[field].as_str().unwrap()).get("dct").cloned();

    // sign-in (OTP), both tokens; refresh
    let one = app.sign_in_with_otp(&p, "one@example.com").await;
    assert_eq!(dct(&one, "sessionJwt"), Some(json!("T1")));
    assert_eq!(dct(&one, "refreshJwt"), Some(json!("T1")));
    let refresh = one["refreshJwt"].as_str().unwrap();
    assert_eq!(app.refreshed_claims(&p, refresh).await["dct"], "T1");
    // another sign-in method: management sign-in (as a flow would)
    let r = app.post("/v1/mgmt/auth/signin", Some(&p.mgmt()), json!({"loginId": "one@example.com"})).await;
    assert_eq!(dct(r.assert_ok(), "sessionJwt"), Some(json!("T1")));

    // not for users of no or several tenants
    let none = app.sign_in_with_otp(&p, "none@example.com").await;
    assert_eq!(dct(&none, "sessionJwt"), None);
    let two = app.sign_in_with_otp(&p, "two@example.com").await;
    assert_eq!(dct(&two, "sessionJwt"), None);
    assert_eq!(app.refreshed_claims(&p, two["refreshJwt"].as_str().unwrap()).await.get("dct"), None);

    // an explicit selection wins: tenant select, and a sign-in's tenantId
    let r = app
        .post(
            "/v1/auth/tenant/select",
            Some(&p.with(two["refreshJwt"].as_str().unwrap())),
            json!({"tenant": "T2"}),
        )
        .await;
    assert_eq!(dct(r.assert_ok(), "sessionJwt"), Some(json!("T2")));
    app.post(
        "/v1/auth/otp/signin/email",
        Some(&p.bearer()),
        json!({"loginId": "two@example.com", "loginOptions": {"tenantId": "T1"}}),
    )
    .await
    .assert_ok();
    let code = app.outbox_latest(&p, "two@example.com").await["code"].as_str().unwrap().to_owned();
    let r = app
        .post(
            "/v1/auth/otp/verify/email",
            Some(&p.bearer()),
            json!({"loginId": "two@example.com", "code": code}),
        )
        .await;
    assert_eq!(dct(r.assert_ok(), "sessionJwt"), Some(json!("T1")));

    // the one tenant is read at each sign-in and refresh: joining a second tenant ends it for
    // the next sign-in, leaving down to one brings it back
    app.post(
        "/v1/mgmt/user/update/tenant/remove",
        Some(&p.mgmt()),
        json!({"loginId": "two@example.com", "tenantId": "T2"}),
    )
    .await
    .assert_ok();
    let two = app.sign_in_with_otp(&p, "two@example.com").await;
    assert_eq!(dct(&two, "sessionJwt"), Some(json!("T1")));
    let r = app
        .post(
            "/v1/mgmt/user/update/tenant/add",
            Some(&p.mgmt()),
            json!({"loginId": "none@example.com", "tenantId": "T2"}),
        )
        .await;
    r.assert_ok();
    assert_eq!(
        app.refreshed_claims(&p, none["refreshJwt"].as_str().unwrap()).await["dct"],
        "T2",
        "a refresh of a session without a selected tenant picks up the user's one tenant"
    );
}
