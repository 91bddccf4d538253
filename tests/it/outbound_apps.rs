//! Outbound apps: management, token uploads and fetches (refresh on the emulator clock),
//! connecting through the fake provider's page, and snapshots.

use serde_json::{json, Value};

use crate::harness::{claims, TestApp, TestProject, PUBLIC_URL};

const BASE: &str = "/v1/mgmt/outbound";

async fn create(app: &TestApp, p: &TestProject, body: Value) -> Value {
    let r = app.post(&format!("{BASE}/app/create"), Some(&p.mgmt()), body).await;
    r.assert_ok()["app"].clone()
}

async fn user(app: &TestApp, p: &TestProject, email: &str) -> String {
    app.create_user(p, json!({"loginId": email, "email": email})).await["userId"].as_str().unwrap().to_owned()
}

async fn upload(app: &TestApp, p: &TestProject, body: Value) {
    app.post(&format!("{BASE}/app/user/oauthtoken/upload"), Some(&p.mgmt()), body).await.assert_ok();
}

async fn fetch(app: &TestApp, p: &TestProject, path: &str, body: Value) -> crate::harness::TestResponse {
    app.post(&format!("{BASE}/app/{path}"), Some(&p.mgmt()), body).await
}

/// The path and query of an absolute URL the emulator wrote.
fn local(url: &str) -> String {
    url.strip_prefix(PUBLIC_URL).unwrap_or_else(|| panic!("{url} is not the emulator's")).to_owned()
}

#[tokio::test]
async fn crud_keeps_the_client_secret_to_itself() {
    let (app, p) = TestApp::with_project().await;
    let created = create(
        &app,
        &p,
        json!({
            "id": "google-drive", "name": "Drive", "description": "d", "clientId": "cid", "clientSecret": "shh",
            "authorizationUrl": "https://accounts.example.com/o/oauth2/auth",
            "authorizationUrlParams": [{"key": "a", "value": "b"}], "tokenUrl": "https://oauth2.example.com/token",
            "defaultScopes": ["openid"], "defaultRedirectUrl": "https://app.example.com/done",
            "callbackDomain": "app.example.com", "pkce": true, "accessType": "offline", "prompt": ["consent"]
        }),
    )
    .await;
    assert_eq!(created["id"], "google-drive");
    assert_eq!(created["name"], "Drive");
    assert_eq!(created["accessType"], "offline");
    assert_eq!(created["authorizationUrlParams"][0]["key"], "a");
    assert!(created.get("clientSecret").is_none());

    let loaded = app.get(&format!("{BASE}/app/google-drive"), Some(&p.mgmt())).await;
    assert_eq!(loaded.assert_ok()["app"], created);

    // Python sends URL params as {name, value}: kept as sent.
    let py = create(&app, &p, json!({"name": "Py", "tokenUrlParams": [{"name": "n", "value": "v"}]})).await;
    assert_eq!(py["tokenUrlParams"], json!([{"name": "n", "value": "v"}]));
    app.post(&format!("{BASE}/app/delete"), Some(&p.mgmt()), json!({"id": py["id"]})).await.assert_ok();

    // A generated ID; a second app of the same name is refused.
    let other = create(&app, &p, json!({"name": "Slack"})).await;
    assert!(other["id"].as_str().unwrap().len() > 10);
    let dup = app.post(&format!("{BASE}/app/create"), Some(&p.mgmt()), json!({"name": "Slack"})).await;
    dup.assert_error(409, "E011009");
    let dup = app
        .post(&format!("{BASE}/app/create"), Some(&p.mgmt()), json!({"id": "google-drive", "name": "X"}))
        .await;
    dup.assert_error(409, "E011009");

    let all = app.get(&format!("{BASE}/apps"), Some(&p.mgmt())).await;
    let ids: Vec<&str> =
        all.assert_ok()["apps"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec!["google-drive", other["id"].as_str().unwrap()]);

    // Update replaces every field; the secret not given is kept (the snapshot shows it).
    let updated = app
        .post(
            &format!("{BASE}/app/update"),
            Some(&p.mgmt()),
            json!({"app": {"id": "google-drive", "name": "Google Drive", "accessType": "online"}}),
        )
        .await;
    let updated = updated.assert_ok()["app"].clone();
    assert_eq!(updated["name"], "Google Drive");
    assert_eq!(updated["accessType"], "online");
    assert!(updated.get("tokenUrl").is_none());
    let snap = app.export_snapshot(&p.id).await;
    assert_eq!(snap["apps"]["outboundApps"][0]["clientSecret"], "shh");
    let clash = app
        .post(
            &format!("{BASE}/app/update"),
            Some(&p.mgmt()),
            json!({"app": {"id": "google-drive", "name": "Slack"}}),
        )
        .await;
    clash.assert_error(409, "E011009");

    app.post(&format!("{BASE}/app/delete"), Some(&p.mgmt()), json!({"id": "google-drive"})).await.assert_ok();
    app.get(&format!("{BASE}/app/google-drive"), Some(&p.mgmt())).await.assert_error(404, "E011008");
    app.post(&format!("{BASE}/app/delete"), Some(&p.mgmt()), json!({"id": "google-drive"}))
        .await
        .assert_error(404, "E011008");
}

#[tokio::test]
async fn bad_input_is_refused_with_descope_errors() {
    let (app, p) = TestApp::with_project().await;
    let create = |body: Value| {
        let app = &app;
        let auth = p.mgmt();
        async move { app.post(&format!("{BASE}/app/create"), Some(&auth), body).await }
    };
    create(json!({})).await.assert_error(400, "E011002");
    create(json!({"name": "  "})).await.assert_error(400, "E011002");
    create(json!({"name": "A", "accessType": "sometimes"})).await.assert_error(400, "E011004");
    create(json!({"name": "A", "prompt": ["always"]})).await.assert_error(400, "E011004");
    create(json!({"name": "A", "prompt": "consent"})).await.assert_error(400, "E011004");
    create(json!({"name": "A", "tokenUrl": "not a url"})).await.assert_error(400, "E011004");
    create(json!({"name": "A", "pkce": "yes"})).await.assert_error(400, "E011004");
    create(json!({"name": "A", "authorizationUrlParams": [{"value": "x"}]}))
        .await
        .assert_error(400, "E011004");
    create(json!({"name": 7})).await.assert_error(400, "E011004");
    let m = p.mgmt();
    let r = app.post(&format!("{BASE}/app/update"), Some(&m), json!({"app": {"name": "A"}})).await;
    r.assert_error(400, "E011002");
    let r =
        app.post(&format!("{BASE}/app/update"), Some(&m), json!({"app": {"id": "nope", "name": "A"}})).await;
    r.assert_error(404, "E011008");
    let r = app.post(&format!("{BASE}/app/update"), Some(&m), json!({"app": "x"})).await;
    r.assert_error(400, "E011001");
    app.post(&format!("{BASE}/app/delete"), Some(&m), json!({})).await.assert_error(400, "E011002");
    let r = app.post(&format!("{BASE}/app/create/bytemplate"), Some(&m), json!({"overrides": []})).await;
    r.assert_error(400, "E011004");
    app.post(&format!("{BASE}/app/create/bydcrpreset"), Some(&m), json!({}))
        .await
        .assert_error(400, "E011002");
    // No management key.
    app.get(&format!("{BASE}/apps"), Some(&p.bearer())).await.assert_error(401, "E011103");
    // Tokens.
    fetch(&app, &p, "user/token", json!({"appId": "nope", "userId": "U1"}))
        .await
        .assert_error(404, "E011008");
    fetch(&app, &p, "user/token", json!({"appId": "a"})).await.assert_error(400, "E011002");
    fetch(&app, &p, "tenant/token/latest", json!({"appId": "a"})).await.assert_error(400, "E011002");
    fetch(&app, &p, "user/token", json!({"appId": "a", "userId": "U1", "scopes": "x"}))
        .await
        .assert_error(400, "E011001");
    let r = app.post(&format!("{BASE}/app/user/oauthtoken/upload"), Some(&m), json!({"appId": "a"})).await;
    r.assert_error(404, "E011008");
    app.delete(&format!("{BASE}/user/tokens"), Some(&m)).await.assert_error(400, "E011002");
    app.delete(&format!("{BASE}/user/tokens?appId=undefined&userId=undefined"), Some(&m))
        .await
        .assert_error(400, "E011002");
    app.delete(&format!("{BASE}/token"), Some(&m)).await.assert_error(400, "E011002");
    app.delete(&format!("{BASE}/token?id=nope"), Some(&m)).await.assert_error(404, "E011008");
    app.get(&format!("{BASE}/apps-with-user-token"), Some(&m)).await.assert_error(400, "E011002");
}

#[tokio::test]
async fn templates_and_presets_build_apps_from_what_is_given() {
    let (app, p) = TestApp::with_project().await;
    let m = p.mgmt();
    let r = app
        .post(
            &format!("{BASE}/app/create/bytemplate"),
            Some(&m),
            json!({"templateId": "github", "id": "gh", "clientId": "c", "clientSecret": "s",
                   "overrides": {"defaultScopes": ["repo"], "accessType": "offline", "bogus": 1}}),
        )
        .await;
    let a = r.assert_ok()["app"].clone();
    assert_eq!(a["id"], "gh");
    assert_eq!(a["name"], "github");
    assert_eq!(a["templateId"], "github");
    assert_eq!(a["defaultScopes"], json!(["repo"]));
    assert!(a.get("bogus").is_none() && a.get("clientSecret").is_none());
    // The same template again: the name gets a suffix.
    let r =
        app.post(&format!("{BASE}/app/create/bytemplate"), Some(&m), json!({"templateId": "github"})).await;
    assert_eq!(r.assert_ok()["app"]["name"], "github (2)");
    let r = app
        .post(&format!("{BASE}/app/create/bytemplate"), Some(&m), json!({"overrides": {"name": "Mine"}}))
        .await;
    assert_eq!(r.assert_ok()["app"]["name"], "Mine");

    let r =
        app.post(&format!("{BASE}/app/create/bydcrpreset"), Some(&m), json!({"dcrPresetId": "notion"})).await;
    let a = r.assert_ok()["app"].clone();
    assert_eq!(a["name"], "notion");
    assert_eq!(a["useDcr"], true);
}

#[tokio::test]
async fn uploaded_tokens_are_fetched_by_scopes_and_refreshed_on_the_clock() {
    let (app, p) = TestApp::with_project().await;
    create(&app, &p, json!({"id": "drive", "name": "Drive"})).await;
    let uid = user(&app, &p, "ann@example.com").await;
    let now = app.clock_now().await;
    upload(
        &app,
        &p,
        json!({"appId": "drive", "userId": uid, "accessToken": "at-1", "refreshToken": "rt-1",
               "accessTokenExpiry": now + 600, "scopes": ["read", "write"], "grantedBy": "admin"}),
    )
    .await;

    let t = fetch(&app, &p, "user/token", json!({"appId": "drive", "userId": uid, "scopes": ["read"]})).await;
    let t = t.assert_ok()["token"].clone();
    assert_eq!(t["accessToken"], "at-1");
    assert_eq!(t["accessTokenType"], "Bearer");
    assert_eq!(t["accessTokenExpiry"], (now + 600).to_string());
    assert_eq!(t["hasRefreshToken"], true);
    assert!(t.get("refreshToken").is_none());
    assert_eq!(t["lastRefreshTime"], "");
    assert_eq!(t["scopes"], json!(["read", "write"]));
    assert_eq!(t["grantedBy"], "admin");
    assert_eq!(t["userId"], uid.as_str());

    // More scopes than stored: none.
    let r =
        fetch(&app, &p, "user/token", json!({"appId": "drive", "userId": uid, "scopes": ["admin"]})).await;
    r.assert_error(404, "E011008");
    // Latest, with the refresh token.
    let r = fetch(
        &app,
        &p,
        "user/token/latest",
        json!({"appId": "drive", "userId": uid, "options": {"withRefreshToken": true}}),
    )
    .await;
    assert_eq!(r.assert_ok()["token"]["refreshToken"], "rt-1");

    // Forced refresh: a new access token, lastRefreshTime set.
    let r = fetch(
        &app,
        &p,
        "user/token/latest",
        json!({"appId": "drive", "userId": uid, "options": {"forceRefresh": true}}),
    )
    .await;
    let t = r.assert_ok()["token"].clone();
    assert_ne!(t["accessToken"], "at-1");
    assert_eq!(t["lastRefreshTime"], now.to_string());
    assert_eq!(t["accessTokenExpiry"], (now + 3600).to_string());

    // Expiry by the emulator clock refreshes too.
    app.advance_clock(4000).await;
    let r = fetch(&app, &p, "user/token/latest", json!({"appId": "drive", "userId": uid})).await;
    let t2 = r.assert_ok()["token"].clone();
    assert_ne!(t2["accessToken"], t["accessToken"]);
    assert_eq!(t2["lastRefreshTime"], (now + 4000).to_string());

    // Without a refresh token, an expired token is gone.
    upload(&app, &p, json!({"appId": "drive", "userId": uid, "accessToken": "short", "accessTokenExpiry": (now + 4100).to_string()})).await;
    let listed = app.get(&format!("{BASE}/apps-with-user-token?userId={uid}"), Some(&p.mgmt())).await;
    assert_eq!(listed.assert_ok()["appIds"], json!(["drive"]));
    let r = fetch(&app, &p, "user/token/latest", json!({"appId": "drive", "userId": uid})).await;
    assert_eq!(r.assert_ok()["token"]["accessToken"], "short");
    let r = fetch(
        &app,
        &p,
        "user/token/latest",
        json!({"appId": "drive", "userId": uid, "options": {"forceRefresh": true}}),
    )
    .await;
    r.assert_error(400, "E011004");
    app.advance_clock(200).await;
    let r = fetch(&app, &p, "user/token/latest", json!({"appId": "drive", "userId": uid})).await;
    r.assert_error(404, "E011008");
    let listed = app.get(&format!("{BASE}/apps-with-user-token?userId={uid}"), Some(&p.mgmt())).await;
    assert_eq!(listed.assert_ok()["appIds"], json!([]));

    // Unknown user; neither token.
    let r = app
        .post(
            &format!("{BASE}/app/user/oauthtoken/upload"),
            Some(&p.mgmt()),
            json!({"appId": "drive", "userId": "U404", "accessToken": "x"}),
        )
        .await;
    r.assert_error(400, "E112102");
    let r = app
        .post(
            &format!("{BASE}/app/user/oauthtoken/upload"),
            Some(&p.mgmt()),
            json!({"appId": "drive", "userId": uid}),
        )
        .await;
    r.assert_error(400, "E011002");
    let r = app
        .post(
            &format!("{BASE}/app/user/oauthtoken/upload"),
            Some(&p.mgmt()),
            json!({"appId": "drive", "userId": uid, "accessToken": "x", "accessTokenExpiry": "soon"}),
        )
        .await;
    r.assert_error(400, "E011004");
}

#[tokio::test]
async fn tenant_tokens_api_keys_and_deletes() {
    let (app, p) = TestApp::with_project().await;
    let m = p.mgmt();
    create(&app, &p, json!({"id": "crm", "name": "CRM", "appType": "apikey"})).await;
    create(&app, &p, json!({"id": "mail", "name": "Mail"})).await;
    let tenant = app.create_tenant(&p, json!({"name": "Acme"})).await;
    let uid = user(&app, &p, "bob@example.com").await;

    app.post(
        &format!("{BASE}/app/tenant/apikey/upload"),
        Some(&m),
        json!({"appId": "crm", "tenantId": tenant, "apiKey": "k1"}),
    )
    .await
    .assert_ok();
    let r = fetch(&app, &p, "tenant/token/latest", json!({"appId": "crm", "tenantId": tenant})).await;
    let t = r.assert_ok()["token"].clone();
    assert_eq!(t["accessToken"], "k1");
    assert_eq!(t["tenantId"], tenant.as_str());
    assert_eq!(t["userId"], "");
    let r = app
        .post(
            &format!("{BASE}/app/tenant/apikey/upload"),
            Some(&m),
            json!({"appId": "crm", "tenantId": "T404", "apiKey": "k"}),
        )
        .await;
    r.assert_error(404, "E011008");
    let r = app
        .post(&format!("{BASE}/app/user/apikey/upload"), Some(&m), json!({"appId": "crm", "userId": uid}))
        .await;
    r.assert_error(400, "E011002");
    app.post(
        &format!("{BASE}/app/user/apikey/upload"),
        Some(&m),
        json!({"appId": "crm", "userId": uid, "apiKey": "uk"}),
    )
    .await
    .assert_ok();

    app.post(
        &format!("{BASE}/app/tenant/oauthtoken/upload"),
        Some(&m),
        json!({"appId": "mail", "tenantId": tenant, "refreshToken": "rt", "scopes": ["send"]}),
    )
    .await
    .assert_ok();
    let r = fetch(&app, &p, "tenant/token", json!({"appId": "mail", "tenantId": tenant, "scopes": ["send"]}))
        .await;
    let t = r.assert_ok()["token"].clone();
    // Only a refresh token was given: an access token was minted at once.
    assert!(t["accessToken"].as_str().unwrap().starts_with("emu-at-"));
    let token_id = t["id"].as_str().unwrap().to_owned();

    // A user token in the tenant is apart from the user's own.
    upload(&app, &p, json!({"appId": "mail", "userId": uid, "tenantId": tenant, "accessToken": "ut"})).await;
    let r = fetch(&app, &p, "user/token/latest", json!({"appId": "mail", "userId": uid})).await;
    r.assert_error(404, "E011008");
    let r = fetch(&app, &p, "user/token/latest", json!({"appId": "mail", "userId": uid, "tenantId": tenant}))
        .await;
    assert_eq!(r.assert_ok()["token"]["accessToken"], "ut");
    let listed =
        app.get(&format!("{BASE}/apps-with-user-token?userId={uid}&tenantId={tenant}"), Some(&m)).await;
    assert_eq!(listed.assert_ok()["appIds"], json!(["mail"]));
    let listed = app.get(&format!("{BASE}/apps-with-user-token?userId={uid}"), Some(&m)).await;
    assert_eq!(listed.assert_ok()["appIds"], json!(["crm", "mail"]));

    // Deleting the user's tokens of one app keeps the tenant's.
    app.delete(&format!("{BASE}/user/tokens?appId=mail&userId=undefined"), Some(&m)).await.assert_ok();
    let listed = app.get(&format!("{BASE}/apps-with-user-token?userId={uid}"), Some(&m)).await;
    assert_eq!(listed.assert_ok()["appIds"], json!(["crm"]));
    fetch(&app, &p, "tenant/token/latest", json!({"appId": "mail", "tenantId": tenant})).await.assert_ok();
    app.delete(&format!("{BASE}/user/tokens?userId={uid}"), Some(&m)).await.assert_ok();
    let listed = app.get(&format!("{BASE}/apps-with-user-token?userId={uid}"), Some(&m)).await;
    assert_eq!(listed.assert_ok()["appIds"], json!([]));
    // By ID.
    app.delete(&format!("{BASE}/token?id={token_id}"), Some(&m)).await.assert_ok();
    let r = fetch(&app, &p, "tenant/token/latest", json!({"appId": "mail", "tenantId": tenant})).await;
    r.assert_error(404, "E011008");
    // Deleting an app deletes its tokens.
    app.post(&format!("{BASE}/app/delete"), Some(&m), json!({"id": "crm"})).await.assert_ok();
    let snap = app.export_snapshot(&p.id).await;
    assert_eq!(snap["apps"]["outboundTokens"], json!([]));
}

#[tokio::test]
async fn batch_uploads_are_all_or_nothing() {
    let (app, p) = TestApp::with_project().await;
    let m = p.mgmt();
    create(&app, &p, json!({"id": "drive", "name": "Drive"})).await;
    let a = user(&app, &p, "a@example.com").await;
    let b = user(&app, &p, "b@example.com").await;
    let path = format!("{BASE}/app/user/oauthtoken/batch/upload");
    let r = app
        .post(
            &path,
            Some(&m),
            json!({"tokens": [
                {"appId": "drive", "userId": a, "accessToken": "a1"},
                {"appId": "drive", "userId": "U404", "accessToken": "x"},
                {"appId": "nope", "userId": b, "accessToken": "x"},
                {"appId": "drive", "userId": b},
                "junk"
            ]}),
        )
        .await;
    let failures = r.assert_ok()["failures"].as_array().unwrap().clone();
    assert_eq!(failures.len(), 4);
    assert_eq!(failures[0]["userId"], "U404");
    assert_eq!(failures[0]["errorCode"], "E112102");
    assert_eq!(failures[1]["appId"], "nope");
    assert_eq!(failures[1]["errorCode"], "E011008");
    assert_eq!(failures[2]["errorCode"], "E011002");
    assert!(failures[3]["reason"].is_string());
    // Nothing was stored.
    fetch(&app, &p, "user/token/latest", json!({"appId": "drive", "userId": a}))
        .await
        .assert_error(404, "E011008");

    let r = app
        .post(
            &path,
            Some(&m),
            json!({"tokens": [
                {"appId": "drive", "userId": a, "accessToken": "a1"},
                {"appId": "drive", "userId": b, "refreshToken": "b1", "accessTokenExpiry": 0}
            ]}),
        )
        .await;
    assert_eq!(r.assert_ok()["failures"], json!([]));
    let r = fetch(&app, &p, "user/token/latest", json!({"appId": "drive", "userId": a})).await;
    assert_eq!(r.assert_ok()["token"]["accessToken"], "a1");
    app.post(&path, Some(&m), json!({"tokens": []})).await.assert_error(400, "E011002");

    let tenant = app.create_tenant(&p, json!({"name": "Acme"})).await;
    let r = app
        .post(
            &format!("{BASE}/app/tenant/oauthtoken/batch/upload"),
            Some(&m),
            json!({"tokens": [{"appId": "drive", "tenantId": tenant, "accessToken": "t1"}]}),
        )
        .await;
    assert_eq!(r.assert_ok()["failures"], json!([]));
    let r = fetch(&app, &p, "tenant/token/latest", json!({"appId": "drive", "tenantId": tenant})).await;
    assert_eq!(r.assert_ok()["token"]["accessToken"], "t1");
}

/// Signs `email` up and starts a connect: the answer, and the user's ID.
async fn start_connect(
    app: &TestApp,
    p: &TestProject,
    email: &str,
    body: Value,
) -> (crate::harness::TestResponse, String) {
    let jwt = app.sign_up_with_otp(p, email).await;
    let uid = claims(jwt["sessionJwt"].as_str().unwrap())["sub"].as_str().unwrap().to_owned();
    let refresh = jwt["refreshJwt"].as_str().unwrap();
    (app.post(&format!("{BASE}/app/connect"), Some(&p.with(refresh)), body).await, uid)
}

#[tokio::test]
async fn connect_through_the_fake_provider_stores_a_token() {
    let (app, p) = TestApp::with_project().await;
    create(
        &app,
        &p,
        json!({"id": "drive", "name": "Drive", "clientId": "cid", "defaultScopes": ["openid"],
               "accessType": "offline", "callbackDomain": "app.example.com"}),
    )
    .await;
    let (r, uid) = start_connect(
        &app,
        &p,
        "cat@example.com",
        json!({"appId": "drive", "options": {"redirectUrl": "https://app.example.com/back", "scopes": ["drive.read"]}}),
    )
    .await;
    let url = r.assert_ok()["url"].as_str().unwrap().to_owned();
    assert!(url.contains("/outbound/drive/authorize?"), "{url}");
    assert!(url.contains("client_id=cid"), "{url}");

    // A browser is asked first.
    let page = app
        .call(
            axum::http::Request::get(local(&url))
                .header("accept", "text/html")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(page.status.as_u16(), 200);
    assert!(page.text.contains("Connect Drive") && page.text.contains("drive.read"), "{}", page.text);

    // Headless: approved at once, back to the redirect URL.
    let r = app.get(&local(&url), None).await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.text);
    assert_eq!(r.headers["location"], "https://app.example.com/back");
    // Once only.
    app.get(&local(&url), None).await.assert_error(401, "E061301");

    let r = fetch(
        &app,
        &p,
        "user/token",
        json!({"appId": "drive", "userId": uid, "scopes": ["drive.read", "openid"], "options": {"withRefreshToken": true}}),
    )
    .await;
    let t = r.assert_ok()["token"].clone();
    assert_eq!(t["scopes"], json!(["drive.read", "openid"]));
    assert_eq!(t["hasRefreshToken"], true);
    assert!(t["refreshToken"].as_str().unwrap().starts_with("emu-rt-"));
    assert_eq!(t["grantedBy"], uid.as_str());
}

#[tokio::test]
async fn connect_refusals_and_redirect_checks() {
    let (app, p) = TestApp::with_project().await;
    create(
        &app,
        &p,
        json!({"id": "mail", "name": "Mail", "defaultRedirectUrl": "https://app.example.com/cb"}),
    )
    .await;
    // Not the default redirect URL, and no callback domain.
    let (r, uid) = start_connect(
        &app,
        &p,
        "dan@example.com",
        json!({"appId": "mail", "options": {"redirectUrl": "https://evil.example.net/"}}),
    )
    .await;
    r.assert_error(400, "E011004");
    // The default is used when none is given; deny comes back with an error.
    let jwt = app.sign_in_with_otp(&p, "dan@example.com").await;
    let auth = p.with(jwt["refreshJwt"].as_str().unwrap());
    let r = app.post("/v1/outbound/oauth/connect", Some(&auth), json!({"appId": "mail"})).await;
    let url = r.assert_ok()["url"].as_str().unwrap().to_owned();
    let r = app.get(&format!("{}&deny=1", local(&url)), None).await;
    let location = r.headers["location"].to_str().unwrap();
    assert!(location.starts_with("https://app.example.com/cb?error=access_denied"), "{location}");
    let listed = app.get(&format!("{BASE}/apps-with-user-token?userId={uid}"), Some(&p.mgmt())).await;
    assert_eq!(listed.assert_ok()["appIds"], json!([]));

    // Bad calls.
    app.post(&format!("{BASE}/app/connect"), Some(&auth), json!({})).await.assert_error(400, "E011002");
    app.post(&format!("{BASE}/app/connect"), Some(&auth), json!({"appId": "nope"}))
        .await
        .assert_error(404, "E011008");
    app.post(&format!("{BASE}/app/connect"), Some(&p.mgmt()), json!({"appId": "mail"}))
        .await
        .assert_error(401, "E061005");
    let r = app.get(&format!("/emulator/v1/idp/{}/outbound/mail/authorize?state=bogus", p.id), None).await;
    r.assert_error(401, "E061301");
    let r = app.get(&format!("/emulator/v1/idp/{}/outbound/mail/authorize", p.id), None).await;
    r.assert_error(400, "E011002");

    // Tenant level: the tenant's token; with no redirect URL anywhere, a JSON answer.
    create(&app, &p, json!({"id": "crm", "name": "CRM"})).await;
    let tenant = app.create_tenant(&p, json!({"name": "Acme"})).await;
    let r = app
        .post(
            "/v1/outbound/oauth/connect",
            Some(&auth),
            json!({"appId": "crm", "tenantId": tenant, "tenantLevel": true, "options": {"scopes": ["x"]}}),
        )
        .await;
    let url = r.assert_ok()["url"].as_str().unwrap().to_owned();
    let r = app.get(&local(&url), None).await;
    assert_eq!(r.assert_ok()["connected"], true);
    let r =
        fetch(&app, &p, "tenant/token", json!({"appId": "crm", "tenantId": tenant, "scopes": ["x"]})).await;
    let t = r.assert_ok()["token"].clone();
    assert_eq!(t["hasRefreshToken"], false);
    assert_eq!(t["userId"], "");
}

#[tokio::test]
async fn snapshots_carry_outbound_apps_and_tokens() {
    let (app, p) = TestApp::with_project().await;
    create(&app, &p, json!({"id": "drive", "name": "Drive", "clientSecret": "s"})).await;
    let uid = user(&app, &p, "eve@example.com").await;
    upload(&app, &p, json!({"appId": "drive", "userId": uid, "accessToken": "at", "scopes": ["a"]})).await;
    let snap = app.export_snapshot(&p.id).await;
    assert_eq!(snap["apps"]["outboundApps"].as_array().unwrap().len(), 1);
    assert_eq!(snap["apps"]["outboundTokens"][0]["accessToken"], "at");

    let q = app.new_project().await;
    let mut moved = snap.clone();
    moved["projectId"] = json!(q.id);
    app.put_snapshot(&q.id, &moved).await.assert_ok();
    let q = TestProject { id: q.id, management_key: p.management_key.clone() };
    let r = app.get(&format!("{BASE}/app/drive"), Some(&q.mgmt())).await;
    assert_eq!(r.assert_ok()["app"]["name"], "Drive");
    let r = fetch(&app, &q, "user/token", json!({"appId": "drive", "userId": uid, "scopes": ["a"]})).await;
    assert_eq!(r.assert_ok()["token"]["accessToken"], "at");
    let again = app.export_snapshot(&q.id).await;
    assert_eq!(again["apps"]["outboundApps"], snap["apps"]["outboundApps"]);
    assert_eq!(again["apps"]["outboundTokens"], snap["apps"]["outboundTokens"]);

    // A broken token is refused.
    let mut broken = snap.clone();
    broken["projectId"] = json!(q.id);
    broken["apps"]["outboundTokens"][0]["appId"] = json!("");
    app.put_snapshot(&q.id, &broken).await.assert_error(400, "E011004");
}

#[tokio::test]
async fn an_inbound_app_token_with_the_fetch_scope_fetches_its_users_tokens() {
    use axum::body::Body;
    use axum::http::Request;
    const REDIRECT: &str = "http://agent.test/cb";
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gXk-kEjXk";
    const CHALLENGE: &str = "JIR41DDhPj7MhvjRSfrWp1B4L4s-HZqJOIzA-517L3k";
    let (app, p) = TestApp::with_project().await;
    create(&app, &p, json!({"id": "drive", "name": "Drive"})).await;
    let ann = user(&app, &p, "ann@example.com").await;
    let bob = user(&app, &p, "bob@example.com").await;
    for u in [&ann, &bob] {
        upload(&app, &p, json!({"appId": "drive", "userId": u, "accessToken": format!("at-{u}")})).await;
    }
    let inbound = app
        .post(
            "/v1/mgmt/thirdparty/app/create",
            Some(&p.mgmt()),
            json!({"name": "Agent", "loginPageUrl": "http://agent.test/login", "approvedCallbackUrls": [REDIRECT],
                   "permissionsScopes": [{"name": "outbound.token.fetch", "description": "Fetch", "values": []},
                                         {"name": "read", "description": "Read", "values": []}]}),
        )
        .await;
    let client_id = inbound.assert_ok()["clientId"].as_str().unwrap().to_owned();
    let access_token = |scope: &'static str| {
        let app = &app;
        let p = &p;
        let client_id = client_id.clone();
        async move {
            let url = format!(
                "/oauth2/v1/apps/{}/authorize?response_type=code&client_id={}&redirect_uri={}&scope={}&state=s\
                 &login_hint=ann%40example.com&code_challenge={CHALLENGE}&code_challenge_method=S256",
                p.id,
                crate::harness::urlencode(&client_id),
                crate::harness::urlencode(REDIRECT),
                crate::harness::urlencode(scope),
            );
            let r = app.get(&url, None).await;
            let back = r.headers["location"].to_str().unwrap().to_owned();
            let code = url::Url::parse(&back)
                .unwrap()
                .query_pairs()
                .find(|(k, _)| k == "code")
                .unwrap()
                .1
                .into_owned();
            let body = format!(
                "grant_type=authorization_code&code={code}&redirect_uri={}&code_verifier={VERIFIER}&client_id={}",
                crate::harness::urlencode(REDIRECT),
                crate::harness::urlencode(&client_id)
            );
            let req = Request::builder()
                .method("POST")
                .uri("/oauth2/v1/apps/token")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap();
            app.call(req).await.assert_ok()["access_token"].as_str().unwrap().to_owned()
        }
    };
    let token = access_token("outbound.token.fetch").await;
    let auth = p.with(&token);
    let r = app
        .post(&format!("{BASE}/app/user/token/latest"), Some(&auth), json!({"appId": "drive", "userId": ann}))
        .await;
    assert_eq!(r.assert_ok()["token"]["accessToken"], format!("at-{ann}"));
    // Not another user's.
    let r = app
        .post(&format!("{BASE}/app/user/token/latest"), Some(&auth), json!({"appId": "drive", "userId": bob}))
        .await;
    r.assert_error(401, "E011101");
    // Not without the scope.
    let plain = access_token("read").await;
    let r = app
        .post(
            &format!("{BASE}/app/user/token/latest"),
            Some(&p.with(&plain)),
            json!({"appId": "drive", "userId": ann}),
        )
        .await;
    r.assert_error(401, "E011101");
    // Management routes still need the management key.
    app.get(&format!("{BASE}/apps"), Some(&auth)).await.assert_error(401, "E011103");
    let r = app
        .post(&format!("{BASE}/app/user/token/latest"), Some(&p.with("junk")), json!({"appId": "drive"}))
        .await;
    r.assert_error(401, "E011103");
}
