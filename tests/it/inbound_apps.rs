//! Inbound (third-party) apps: management (create, load, update, patch, secrets, delete),
//! consents recorded at authorize and their management, the inbound authorization server
//! (`/oauth2/v1/apps/*`: code + PKCE, refresh, client credentials, userinfo, revoke), dynamic
//! client registration, registration templates, and snapshots.

use base64::Engine;
use serde_json::{json, Value};

use crate::harness::{
    claims, location, post_form, query_of, urlencode, TestApp, TestProject, TestResponse, PUBLIC_URL,
};

const REDIRECT: &str = "http://agent.test/cb";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gXk-kEjXk";
const CHALLENGE: &str = "JIR41DDhPj7MhvjRSfrWp1B4L4s-HZqJOIzA-517L3k";

async fn form(app: &TestApp, path: &str, body: &str) -> TestResponse {
    post_form(app, path, None, body).await
}

async fn create_app(app: &TestApp, p: &TestProject, extra: Value) -> Value {
    let mut body = json!({
        "name": "Agent",
        "description": "an agent",
        "loginPageUrl": "http://agent.test/login",
        "approvedCallbackUrls": [REDIRECT],
        "permissionsScopes": [{"name": "read:docs", "description": "Read docs", "values": []}],
        "attributesScopes": [{"name": "profile.email", "description": "Email", "values": ["email"]}],
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    app.post("/v1/mgmt/thirdparty/app/create", Some(&p.mgmt()), body).await.assert_ok().clone()
}

async fn user(app: &TestApp, p: &TestProject, email: &str) -> String {
    let u = app
        .create_user(p, json!({"loginId": email, "email": email, "name": "Ann Lee", "verifiedEmail": true}))
        .await;
    u["userId"].as_str().unwrap().to_owned()
}

async fn code_for(
    app: &TestApp,
    p: &TestProject,
    client_id: &str,
    email: &str,
    scope: &str,
    extra: &str,
) -> String {
    let url = format!(
        "/oauth2/v1/apps/{}/authorize?response_type=code&client_id={}&redirect_uri={}&scope={}&state=s1\
         &login_hint={}&code_challenge={CHALLENGE}&code_challenge_method=S256{extra}",
        p.id,
        urlencode(client_id),
        urlencode(REDIRECT),
        urlencode(scope),
        urlencode(email)
    );
    let back = location(&app.get(&url, None).await);
    let q = query_of(&back);
    assert!(q.contains_key("code"), "{back}");
    q["code"].clone()
}

async fn exchange(app: &TestApp, client_id: &str, code: &str) -> Value {
    let body = format!(
        "grant_type=authorization_code&code={code}&redirect_uri={}&code_verifier={VERIFIER}&client_id={}",
        urlencode(REDIRECT),
        urlencode(client_id)
    );
    form(app, "/oauth2/v1/apps/token", &body).await.assert_ok().clone()
}

#[tokio::test]
async fn create_load_update_patch_and_delete() {
    let (app, p) = TestApp::with_project().await;
    let created = create_app(&app, &p, json!({})).await;
    let id = created["id"].as_str().unwrap();
    assert!(id.starts_with("TPA") && id.len() == 30, "{id}");
    let client_id = created["clientId"].as_str().unwrap();
    let decoded = base64::engine::general_purpose::STANDARD.decode(client_id).unwrap();
    assert_eq!(String::from_utf8(decoded).unwrap(), format!("{}:{id}", p.id));
    let secret = created["cleartext"].as_str().unwrap();
    assert!(!secret.is_empty());

    let loaded = app.get(&format!("/v1/mgmt/thirdparty/app/load?id={id}"), Some(&p.mgmt())).await;
    let loaded = loaded.assert_ok();
    assert_eq!(loaded["id"], id);
    assert_eq!(loaded["name"], "Agent");
    assert_eq!(loaded["clientId"], client_id);
    assert_eq!(loaded["approvedCallbackUrls"], json!([REDIRECT]));
    assert_eq!(loaded["permissionsScopes"][0]["name"], "read:docs");
    assert_eq!(loaded["app"]["id"], id);
    assert_eq!(loaded["nonConfidentialClient"], false);
    // By client ID too.
    let by_client = app
        .get(&format!("/v1/mgmt/thirdparty/app/load?clientId={}", urlencode(client_id)), Some(&p.mgmt()))
        .await;
    assert_eq!(by_client.assert_ok()["id"], id);

    let s = app.get(&format!("/v1/mgmt/thirdparty/app/secret?id={id}"), Some(&p.mgmt())).await;
    assert_eq!(s.assert_ok()["cleartext"], secret);
    let rotated = app.post("/v1/mgmt/thirdparty/app/rotate", Some(&p.mgmt()), json!({"id": id})).await;
    let new_secret = rotated.assert_ok()["cleartext"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, secret);
    let s = app.get(&format!("/v1/mgmt/thirdparty/app/secret?id={id}"), Some(&p.mgmt())).await;
    assert_eq!(s.assert_ok()["cleartext"], new_secret);

    // Patch: zero values are not given (Go sends every field).
    let r = app
        .post(
            "/v1/mgmt/thirdparty/app/patch",
            Some(&p.mgmt()),
            json!({"id": id, "description": "patched", "name": "", "approvedCallbackUrls": [], "forcePkce": false}),
        )
        .await;
    r.assert_ok();
    let loaded = app.get(&format!("/v1/mgmt/thirdparty/app/load?id={id}"), Some(&p.mgmt())).await;
    let loaded = loaded.assert_ok();
    assert_eq!(loaded["description"], "patched");
    assert_eq!(loaded["name"], "Agent");
    assert_eq!(loaded["approvedCallbackUrls"], json!([REDIRECT]));

    // Update replaces every field.
    let r = app
        .post("/v1/mgmt/thirdparty/app/update", Some(&p.mgmt()), json!({"id": id, "name": "Agent 2"}))
        .await;
    r.assert_ok();
    let loaded = app.get(&format!("/v1/mgmt/thirdparty/app/load?id={id}"), Some(&p.mgmt())).await;
    let loaded = loaded.assert_ok();
    assert_eq!(loaded["name"], "Agent 2");
    assert_eq!(loaded["description"], "");
    assert_eq!(loaded["permissionsScopes"], json!([]));

    let second = create_app(&app, &p, json!({"name": "Other", "nonConfidentialClient": true})).await;
    assert_eq!(second["cleartext"], "");
    let all = app.get("/v1/mgmt/thirdparty/apps/load", Some(&p.mgmt())).await;
    let all = all.assert_ok();
    assert_eq!(all["total"], 2);
    assert_eq!(all["apps"].as_array().unwrap().len(), 2);
    // Go's v2 paging.
    let page =
        app.post("/v2/mgmt/thirdparty/apps/load", Some(&p.mgmt()), json!({"page": 1, "limit": 1})).await;
    let page = page.assert_ok();
    assert_eq!(page["total"], 2);
    assert_eq!(page["apps"][0]["name"], "Other");

    let r = app
        .post("/v1/mgmt/thirdparty/app/delete/batch", Some(&p.mgmt()), json!({"ids": [id, second["id"]]}))
        .await;
    r.assert_ok();
    let gone = app.get(&format!("/v1/mgmt/thirdparty/app/load?id={id}"), Some(&p.mgmt())).await;
    assert_eq!(gone.status.as_u16(), 404, "{}", gone.text);
}

#[tokio::test]
async fn bad_input_is_refused_with_descope_errors() {
    let (app, p) = TestApp::with_project().await;
    let r = app.post("/v1/mgmt/thirdparty/app/create", Some(&p.mgmt()), json!({"description": "x"})).await;
    r.assert_error(400, "E011002");
    let r = app
        .post(
            "/v1/mgmt/thirdparty/app/create",
            Some(&p.mgmt()),
            json!({"name": "x", "approvedCallbackUrls": ["nope"]}),
        )
        .await;
    r.assert_error(400, "E011004");
    let r = app
        .post("/v1/mgmt/thirdparty/app/update", Some(&p.mgmt()), json!({"id": "TPAnope", "name": "x"}))
        .await;
    assert_eq!(r.status.as_u16(), 404);
    let r = app.post("/v1/mgmt/thirdparty/consents/delete", Some(&p.mgmt()), json!({})).await;
    r.assert_error(400, "E011002");
    let r = app.post("/v1/mgmt/thirdparty/app/create", None, json!({"name": "x"})).await;
    assert_eq!(r.status.as_u16(), 401);
}

#[tokio::test]
async fn go_secrets_add_and_revoke() {
    let (app, p) = TestApp::with_project().await;
    let created = create_app(&app, &p, json!({})).await;
    let id = created["id"].as_str().unwrap();
    let added = app
        .post(
            "/v1/mgmt/thirdparty/app/secret/add",
            Some(&p.mgmt()),
            json!({"id": id, "name": "ci", "expireTime": 0}),
        )
        .await;
    let added = added.assert_ok();
    assert_eq!(added["meta"]["name"], "ci");
    assert_eq!(added["meta"]["status"], "active");
    // Two secrets: the secret call must name one.
    let r = app.get(&format!("/v1/mgmt/thirdparty/app/secret?id={id}"), Some(&p.mgmt())).await;
    r.assert_error(400, "E011004");
    let r = app.get(&format!("/v1/mgmt/thirdparty/app/secret?id={id}&secretName=ci"), Some(&p.mgmt())).await;
    assert_eq!(r.assert_ok()["cleartext"], added["cleartext"]);
    let left = app
        .post("/v1/mgmt/thirdparty/app/secret/revoke", Some(&p.mgmt()), json!({"id": id, "name": "ci"}))
        .await;
    assert_eq!(left.assert_ok()["secrets"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn authorize_records_a_consent_and_issues_inbound_tokens() {
    let (app, p) = TestApp::with_project().await;
    let uid = user(&app, &p, "ann@example.com").await;
    let created = create_app(&app, &p, json!({})).await;
    let (id, client_id) = (created["id"].as_str().unwrap(), created["clientId"].as_str().unwrap());

    // An undefined scope is refused at the redirect.
    let url = format!(
        "/oauth2/v1/apps/authorize?response_type=code&client_id={}&redirect_uri={}&scope=write:all&login_hint=ann%40example.com\
         &code_challenge={CHALLENGE}&code_challenge_method=S256",
        urlencode(client_id),
        urlencode(REDIRECT)
    );
    assert_eq!(query_of(&location(&app.get(&url, None).await))["error"], "invalid_scope");

    let code = code_for(&app, &p, client_id, "ann@example.com", "openid read:docs", "").await;
    let t = exchange(&app, client_id, &code).await;
    assert_eq!(t["scope"], "openid read:docs");
    let a = claims(t["access_token"].as_str().unwrap());
    assert_eq!(a["iss"], format!("{PUBLIC_URL}/v1/apps/{}", p.id));
    assert_eq!(a["sub"], uid);
    assert_eq!(a["scope"], "openid read:docs");
    assert_eq!(a["azp"], client_id);
    assert_eq!(a["aud"], json!([p.id, client_id]));
    let id_token = claims(t["id_token"].as_str().unwrap());
    assert_eq!(id_token["iss"], format!("{PUBLIC_URL}/v1/apps/{}", p.id));
    assert_eq!(id_token["aud"], client_id);

    // The consent, merged by a second authorization.
    let code = code_for(&app, &p, client_id, "ann@example.com", "profile.email", "").await;
    let t2 = exchange(&app, client_id, &code).await;
    let found = app.post("/v1/mgmt/thirdparty/consents/search", Some(&p.mgmt()), json!({"appId": id})).await;
    let found = found.assert_ok();
    assert_eq!(found["total"], 1);
    let consent = &found["consents"][0];
    assert_eq!(consent["userId"], uid);
    assert_eq!(consent["grantedBy"], uid);
    assert_eq!(consent["scopes"], json!(["openid", "read:docs", "profile.email"]));
    assert!(consent["createdTime"].as_i64().unwrap() > 0);

    // Userinfo with the inbound access token.
    let ui = app
        .get(&format!("/oauth2/v1/apps/{}/userinfo", p.id), Some(t["access_token"].as_str().unwrap()))
        .await;
    assert_eq!(ui.assert_ok()["sub"], uid);

    // Refresh rotates (secret via client_secret_post: a confidential client).
    let secret = created["cleartext"].as_str().unwrap();
    let body = format!(
        "grant_type=refresh_token&refresh_token={}&client_id={}&client_secret={}",
        t["refresh_token"].as_str().unwrap(),
        urlencode(client_id),
        urlencode(secret)
    );
    let r = form(&app, &format!("/oauth2/v1/apps/{}/token", p.id), &body).await;
    let refreshed = r.assert_ok();
    assert_eq!(claims(refreshed["access_token"].as_str().unwrap())["scope"], "openid read:docs");

    // Deleting the consent revokes its refresh tokens.
    let r = app
        .post("/v1/mgmt/thirdparty/consents/delete", Some(&p.mgmt()), json!({"consentIds": [consent["id"]]}))
        .await;
    r.assert_ok();
    let body = format!(
        "grant_type=refresh_token&refresh_token={}&client_id={}&client_secret={}",
        t2["refresh_token"].as_str().unwrap(),
        urlencode(client_id),
        urlencode(secret)
    );
    let r = form(&app, "/oauth2/v1/apps/token", &body).await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text);
    assert_eq!(r.body["error"], "invalid_grant");
    let found =
        app.post("/v1/mgmt/thirdparty/consents/search", Some(&p.mgmt()), json!({"userId": uid})).await;
    assert_eq!(found.assert_ok()["total"], 0);
}

#[tokio::test]
async fn tenant_consents_and_revoke() {
    let (app, p) = TestApp::with_project().await;
    user(&app, &p, "bob@example.com").await;
    let tenant = app.create_tenant(&p, json!({"name": "Acme"})).await;
    let created = create_app(&app, &p, json!({})).await;
    let client_id = created["clientId"].as_str().unwrap();
    let code =
        code_for(&app, &p, client_id, "bob@example.com", "read:docs", &format!("&tenant={tenant}")).await;
    let t = exchange(&app, client_id, &code).await;
    let found =
        app.post("/v1/mgmt/thirdparty/consents/search", Some(&p.mgmt()), json!({"tenantId": tenant})).await;
    assert_eq!(found.assert_ok()["consents"][0]["tenantId"], tenant);

    // Revoking the refresh token ends it (RFC 7009: 200 {}).
    let r = form(&app, "/oauth2/v1/apps/revoke", &format!("token={}", t["refresh_token"].as_str().unwrap()))
        .await;
    assert_eq!(r.assert_ok(), &json!({}));

    let r = app
        .post("/v1/mgmt/thirdparty/consents/delete/tenant", Some(&p.mgmt()), json!({"tenantId": tenant}))
        .await;
    r.assert_ok();
    let found = app.post("/v1/mgmt/thirdparty/consents/search", Some(&p.mgmt()), json!({})).await;
    assert_eq!(found.assert_ok()["total"], 0);
}

#[tokio::test]
async fn client_credentials_for_confidential_apps_only() {
    let (app, p) = TestApp::with_project().await;
    let created = create_app(&app, &p, json!({"defaultAudience": "clientId"})).await;
    let (id, client_id) = (created["id"].as_str().unwrap(), created["clientId"].as_str().unwrap());
    let body = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}&scope=read:docs",
        urlencode(client_id),
        urlencode(created["cleartext"].as_str().unwrap())
    );
    let t = form(&app, "/oauth2/v1/apps/token", &body).await;
    let a = claims(t.assert_ok()["access_token"].as_str().unwrap());
    assert_eq!(a["sub"], id);
    assert_eq!(a["scope"], "read:docs");
    assert_eq!(a["aud"], json!([client_id]));

    let public = create_app(&app, &p, json!({"name": "Public", "nonConfidentialClient": true})).await;
    let body = format!(
        "grant_type=client_credentials&client_id={}",
        urlencode(public["clientId"].as_str().unwrap())
    );
    let r = form(&app, "/oauth2/v1/apps/token", &body).await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text);
    assert_eq!(r.body["error"], "unauthorized_client");
}

#[tokio::test]
async fn dynamic_registration_makes_public_clients() {
    let (app, p) = TestApp::with_project().await;
    user(&app, &p, "cy@example.com").await;
    let path = format!("/v1/mgmt/inboundapp/app/{}/register", p.id);
    let r = app
        .post(&path, None, json!({"client_name": "MCP Inspector", "redirect_uris": [REDIRECT], "scope": "read:docs", "token_endpoint_auth_method": "none"}))
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.text);
    let client_id = r.body["client_id"].as_str().unwrap().to_owned();
    assert_eq!(r.body["token_endpoint_auth_method"], "none");
    assert_eq!(r.body["client_secret_expires_at"], 0);
    assert!(r.body.get("client_secret").is_none());

    let all = app.get("/v1/mgmt/thirdparty/apps/load", Some(&p.mgmt())).await;
    let apps = all.assert_ok()["apps"].as_array().unwrap().clone();
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0]["dynamic"], true);
    assert_eq!(apps[0]["nonConfidentialClient"], true);

    // PKCE without a secret, then refresh without one (a public client).
    let code = code_for(&app, &p, &client_id, "cy@example.com", "read:docs", "").await;
    let t = exchange(&app, &client_id, &code).await;
    let body = format!(
        "grant_type=refresh_token&refresh_token={}&client_id={}",
        t["refresh_token"].as_str().unwrap(),
        urlencode(&client_id)
    );
    form(&app, "/oauth2/v1/apps/token", &body).await.assert_ok();

    let r = app.post(&path, None, json!({"client_name": "x", "redirect_uris": []})).await;
    assert_eq!(r.status.as_u16(), 400);
    assert_eq!(r.body["error"], "invalid_redirect_uri");
    let r = app
        .post(
            &path,
            None,
            json!({"redirect_uris": [REDIRECT], "token_endpoint_auth_method": "client_secret_basic"}),
        )
        .await;
    assert_eq!(r.body["error"], "invalid_client_metadata");
}

#[tokio::test]
async fn registration_templates() {
    let (app, p) = TestApp::with_project().await;
    let base = "/v1/mgmt/resource/dynamic-registration-template";
    let r = app
        .post(
            &format!("{base}/create"),
            Some(&p.mgmt()),
            json!({"name": "MCP", "skipConsentScreen": true, "tags": ["a"]}),
        )
        .await;
    let t = r.assert_ok()["template"].clone();
    let id = t["id"].as_str().unwrap();
    assert_eq!(t["name"], "MCP");
    assert!(t["createdTime"].is_string());
    let r = app
        .post(&format!("{base}/update"), Some(&p.mgmt()), json!({"template": {"id": id, "name": "MCP 2"}}))
        .await;
    assert_eq!(r.assert_ok()["template"]["version"], 2);
    let r = app.get(&format!("{base}/load?id={id}"), Some(&p.mgmt())).await;
    assert_eq!(r.assert_ok()["template"]["name"], "MCP 2");
    let r = app.get("/v1/mgmt/resource/dynamic-registration-templates/load", Some(&p.mgmt())).await;
    assert_eq!(r.assert_ok()["total"], 1);
    let r = app
        .post(
            "/v1/mgmt/resource/dynamic-registration-templates/delete",
            Some(&p.mgmt()),
            json!({"ids": [id]}),
        )
        .await;
    r.assert_ok();
    let r = app.get(&format!("{base}/load?id={id}"), Some(&p.mgmt())).await;
    assert_eq!(r.status.as_u16(), 404);
}

#[tokio::test]
async fn snapshots_carry_apps_consents_and_templates() {
    let (app, p) = TestApp::with_project().await;
    user(&app, &p, "dee@example.com").await;
    let created = create_app(&app, &p, json!({})).await;
    let client_id = created["clientId"].as_str().unwrap();
    let code = code_for(&app, &p, client_id, "dee@example.com", "read:docs", "").await;
    exchange(&app, client_id, &code).await;
    app.post("/v1/mgmt/resource/dynamic-registration-template/create", Some(&p.mgmt()), json!({"name": "T"}))
        .await
        .assert_ok();
    let snap = app.export_snapshot(&p.id).await;
    assert_eq!(snap["apps"]["inboundConsents"].as_array().unwrap().len(), 1);
    assert_eq!(snap["apps"]["dcrTemplates"].as_array().unwrap().len(), 1);

    let q = app.new_project().await;
    let mut moved = snap.clone();
    moved["projectId"] = json!(q.id);
    // Client IDs are global: the copy gets its own.
    moved["apps"]["oauthClients"][0]["clientId"] = json!("copied-client");
    moved["apps"]["clientSecrets"][0]["clientId"] = json!("copied-client");
    app.put_snapshot(&q.id, &moved).await.assert_ok();
    // The snapshot carries the management keys too.
    let q = TestProject { id: q.id, management_key: p.management_key.clone() };
    let loaded = app
        .get(&format!("/v1/mgmt/thirdparty/app/load?id={}", created["id"].as_str().unwrap()), Some(&q.mgmt()))
        .await;
    assert_eq!(loaded.assert_ok()["clientId"], "copied-client");
    let found = app.post("/v1/mgmt/thirdparty/consents/search", Some(&q.mgmt()), json!({})).await;
    assert_eq!(found.assert_ok()["total"], 1);
    let t = app.get("/v1/mgmt/resource/dynamic-registration-templates/load", Some(&q.mgmt())).await;
    assert_eq!(t.assert_ok()["total"], 1);
}

#[tokio::test]
async fn ciba_login_hint_approves_and_the_client_polls() {
    let (app, p) = TestApp::with_project().await;
    let uid = user(&app, &p, "eve@example.com").await;
    let created = create_app(&app, &p, json!({})).await;
    let client_id = created["clientId"].as_str().unwrap();
    let secret = created["cleartext"].as_str().unwrap();
    let auth = format!("client_id={}&client_secret={}", urlencode(client_id), urlencode(secret));

    let r = form(
        &app,
        "/oauth2/v1/apps/bc-authorize",
        &format!("{auth}&scope=openid%20read:docs&login_hint=nobody"),
    )
    .await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text);
    assert_eq!(r.body["error"], "unknown_user_id");
    let r = form(
        &app,
        "/oauth2/v1/apps/bc-authorize",
        &format!("{auth}&scope=openid&login_hint=eve%40example.com"),
    )
    .await;
    let start = r.assert_ok().clone();
    assert!(start["expires_in"].as_i64().unwrap() > 0);
    assert!(start["interval"].as_i64().unwrap() > 0);

    let poll = format!(
        "grant_type=urn:openid:params:grant-type:ciba&auth_req_id={}&{auth}",
        start["auth_req_id"].as_str().unwrap()
    );
    let t = form(&app, &format!("/oauth2/v1/apps/{}/token", p.id), &poll).await;
    let t = t.assert_ok();
    assert_eq!(claims(t["access_token"].as_str().unwrap())["sub"], uid);
    assert_eq!(claims(t["id_token"].as_str().unwrap())["sub"], uid);
    // Used once.
    let again = form(&app, "/oauth2/v1/apps/token", &poll).await;
    assert_eq!(again.body["error"], "invalid_grant");

    // Without the secret: refused.
    let r = form(
        &app,
        "/oauth2/v1/apps/bc-authorize",
        &format!("client_id={}&scope=openid", urlencode(client_id)),
    )
    .await;
    assert_eq!(r.status.as_u16(), 401, "{}", r.text);
}

#[tokio::test]
async fn device_grant_for_an_inbound_app() {
    let (app, p) = TestApp::with_project().await;
    let uid = user(&app, &p, "fay@example.com").await;
    let created = create_app(&app, &p, json!({})).await;
    let client_id = created["clientId"].as_str().unwrap();
    app.post(
        &format!("/emulator/v1/projects/{}/signin/next", p.id),
        None,
        json!({"loginId": "fay@example.com"}),
    )
    .await
    .assert_ok();
    let r =
        form(&app, "/oauth2/v1/apps/device", &format!("client_id={}&scope=read:docs", urlencode(client_id)))
            .await;
    let start = r.assert_ok().clone();
    let poll = format!(
        "grant_type=urn:ietf:params:oauth:grant-type:device_code&device_code={}&client_id={}",
        start["device_code"].as_str().unwrap(),
        urlencode(client_id)
    );
    let t = form(&app, "/oauth2/v1/apps/token", &poll).await;
    let a = claims(t.assert_ok()["access_token"].as_str().unwrap());
    assert_eq!(a["sub"], uid);
    assert_eq!(a["iss"], format!("{PUBLIC_URL}/v1/apps/{}", p.id));
    assert_eq!(a["scope"], "read:docs");
}
