//! Tenant admin links: generate (v1, v2; expiry as number or string), mail to an email,
//! revoke (all or one SSO ID), send, authenticated, validation.

use descope_emulator::domain::identity::admin_links::{self, LinkState};
use serde_json::{json, Value};

use crate::harness::{TestApp, TestProject, PUBLIC_URL};

async fn setup() -> (TestApp, TestProject) {
    let (app, p) = TestApp::with_project().await;
    app.create_tenant(&p, json!({"name": "Acme", "id": "acme"})).await;
    (app, p)
}

fn token_of(link: &str) -> String {
    let prefix = format!("{PUBLIC_URL}/sso-setup?t=");
    assert!(link.starts_with(&prefix), "{link}");
    link[prefix.len()..].to_owned()
}

async fn generate(app: &TestApp, p: &TestProject, body: Value) -> String {
    let r = app.post("/v2/mgmt/tenant/adminlinks/sso/generate", Some(&p.mgmt()), body).await;
    r.assert_ok()["adminSSOConfigurationLink"].as_str().unwrap().to_owned()
}

async fn state(app: &TestApp, p: &TestProject, link: &str) -> LinkState {
    let ctx = app.ctx(p).await;
    admin_links::inspect(&app.state.db, &ctx, &token_of(link)).await.unwrap()
}

#[tokio::test]
async fn generate_answers_a_link_that_expires() {
    let (app, p) = setup().await;
    let link = generate(&app, &p, json!({"tenantId": "acme", "expireTime": 60})).await;
    let LinkState::Valid(row) = state(&app, &p, &link).await else { panic!("not valid") };
    assert_eq!(row.tenant_id, "acme");
    assert_eq!(row.sso_id, "");
    assert_eq!(row.expires_ms - row.created_ms, 60_000);
    app.advance_clock(61).await;
    assert!(matches!(state(&app, &p, &link).await, LinkState::Expired(_)));
}

#[tokio::test]
async fn expire_time_may_be_a_string_and_defaults_to_a_day() {
    let (app, p) = setup().await;
    let link = generate(&app, &p, json!({"tenantId": "acme", "expireTime": "3600", "ssoId": "okta"})).await;
    let LinkState::Valid(row) = state(&app, &p, &link).await else { panic!("not valid") };
    assert_eq!(row.expires_ms - row.created_ms, 3_600_000);
    assert_eq!(row.sso_id, "okta");
    let link = generate(&app, &p, json!({"tenantId": "acme"})).await;
    let LinkState::Valid(row) = state(&app, &p, &link).await else { panic!("not valid") };
    assert_eq!(row.expires_ms - row.created_ms, 86_400_000);
    // the deprecated v1 path is the same call
    let r = app
        .post("/v1/mgmt/tenant/adminlinks/sso/generate", Some(&p.mgmt()), json!({"tenantId": "acme"}))
        .await;
    assert!(r.assert_ok()["adminSSOConfigurationLink"].as_str().unwrap().contains("/sso-setup?t="));
}

#[tokio::test]
async fn an_email_gets_the_link_in_the_outbox() {
    let (app, p) = setup().await;
    let link =
        generate(&app, &p, json!({"tenantId": "acme", "expireTime": 600, "email": "it@acme.test"})).await;
    let msg = app.outbox_latest(&p, "it@acme.test").await;
    assert_eq!(msg["kind"], "adminlink");
    assert_eq!(msg["channel"], "email");
    assert_eq!(msg["link"], link.as_str());
}

#[tokio::test]
async fn revoke_voids_live_links_of_the_tenant_or_one_sso_id() {
    let (app, p) = setup().await;
    let a = generate(&app, &p, json!({"tenantId": "acme", "expireTime": 600})).await;
    let b = generate(&app, &p, json!({"tenantId": "acme", "expireTime": 600, "ssoId": "okta"})).await;
    let r = app
        .post(
            "/v1/mgmt/tenant/adminlinks/sso/revoke",
            Some(&p.mgmt()),
            json!({"tenantId": "acme", "ssoId": "okta"}),
        )
        .await;
    assert_eq!(r.assert_ok(), &json!({}));
    assert!(matches!(state(&app, &p, &a).await, LinkState::Valid(_)));
    assert!(matches!(state(&app, &p, &b).await, LinkState::Revoked(_)));
    app.post("/v1/mgmt/tenant/adminlinks/sso/revoke", Some(&p.mgmt()), json!({"tenantId": "acme"}))
        .await
        .assert_ok();
    assert!(matches!(state(&app, &p, &a).await, LinkState::Revoked(_)));
}

#[tokio::test]
async fn send_mails_the_live_link_and_authenticated_answers_it() {
    let (app, p) = setup().await;
    let link = generate(&app, &p, json!({"tenantId": "acme", "expireTime": 600})).await;
    let r = app
        .post(
            "/v1/mgmt/tenant/adminlinks/sso/send",
            Some(&p.mgmt()),
            json!({"tenantId": "acme", "email": "a@acme.test"}),
        )
        .await;
    assert_eq!(r.assert_ok(), &json!({}));
    assert_eq!(app.outbox_latest(&p, "a@acme.test").await["link"], link.as_str());
    let r = app
        .post("/v1/mgmt/tenant/adminlinks/sso/authenticated", Some(&p.mgmt()), json!({"tenantId": "acme"}))
        .await;
    assert_eq!(r.assert_ok()["adminSSOConfigurationLink"], link.as_str());
    // once revoked, a new one is made
    app.post("/v1/mgmt/tenant/adminlinks/sso/revoke", Some(&p.mgmt()), json!({"tenantId": "acme"}))
        .await
        .assert_ok();
    let r = app
        .post("/v1/mgmt/tenant/adminlinks/sso/authenticated", Some(&p.mgmt()), json!({"tenantId": "acme"}))
        .await;
    let fresh = r.assert_ok()["adminSSOConfigurationLink"].as_str().unwrap().to_owned();
    assert_ne!(fresh, link);
    assert!(matches!(state(&app, &p, &fresh).await, LinkState::Valid(_)));
}

#[tokio::test]
async fn validation() {
    let (app, p) = setup().await;
    let m = p.mgmt();
    let gen = "/v2/mgmt/tenant/adminlinks/sso/generate";
    app.post(gen, Some(&m), json!({"tenantId": "nope"})).await.assert_error(404, "E011008");
    app.post(gen, Some(&m), json!({})).await.assert_error(400, "E011002");
    app.post(gen, Some(&m), json!({"tenantId": "acme", "expireTime": "soon"}))
        .await
        .assert_error(400, "E011004");
    app.post(gen, Some(&m), json!({"tenantId": "acme", "expireTime": -5})).await.assert_error(400, "E011004");
    app.post(gen, Some(&m), json!({"tenantId": "acme", "expireTime": [1]}))
        .await
        .assert_error(400, "E011004");
    app.post(gen, Some(&m), json!({"tenantId": "acme", "email": "nomail"}))
        .await
        .assert_error(400, "E011004");
    app.post(gen, None, json!({"tenantId": "acme"})).await.assert_error(401, "E011101");
    let send = "/v1/mgmt/tenant/adminlinks/sso/send";
    app.post(send, Some(&m), json!({"tenantId": "acme"})).await.assert_error(400, "E011002");
    app.post(send, Some(&m), json!({"tenantId": "nope", "email": "a@b.test"}))
        .await
        .assert_error(404, "E011008");
    let revoke = "/v1/mgmt/tenant/adminlinks/sso/revoke";
    app.post(revoke, Some(&m), json!({"tenantId": "nope"})).await.assert_error(404, "E011008");
    let auth = "/v1/mgmt/tenant/adminlinks/sso/authenticated";
    app.post(auth, Some(&m), json!({"tenantId": "nope"})).await.assert_error(404, "E011008");
}

#[tokio::test]
async fn links_go_with_their_tenant() {
    let (app, p) = setup().await;
    let link = generate(&app, &p, json!({"tenantId": "acme", "expireTime": 600})).await;
    app.post("/v1/mgmt/tenant/delete", Some(&p.mgmt()), json!({"id": "acme"})).await.assert_ok();
    assert!(matches!(state(&app, &p, &link).await, LinkState::Unknown));
}

/// Posts the setup page's form (`application/x-www-form-urlencoded`) as a browser does.
async fn post_setup(app: &TestApp, form: &[(&str, &str)]) -> crate::harness::TestResponse {
    let body = serde_urlencoded::to_string(form).unwrap();
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/sso-setup")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html,application/xhtml+xml")
        .body(axum::body::Body::from(body))
        .unwrap();
    app.call(req).await
}

/// Opens the setup page as a browser does.
async fn get_page(app: &TestApp, path: &str) -> crate::harness::TestResponse {
    let req = axum::http::Request::builder()
        .uri(path)
        .header("accept", "text/html")
        .body(axum::body::Body::empty())
        .unwrap();
    app.call(req).await
}

async fn sso_settings(app: &TestApp, p: &TestProject) -> Value {
    app.get("/v2/mgmt/sso/settings?tenantId=acme", Some(&p.mgmt())).await.assert_ok().clone()
}

#[tokio::test]
async fn the_link_opens_a_setup_page_that_configures_the_tenant() {
    let (app, p) = setup().await;
    let link = generate(&app, &p, json!({"tenantId": "acme", "expireTime": 600})).await;
    let token = token_of(&link);
    let page = get_page(&app, &format!("/sso-setup?t={token}")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.headers["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(page.text.contains("Set up SSO for Acme"), "{}", page.text);
    assert!(page.text.contains("not configured"));
    // What the IdP needs is on the page: the SP entity ID and ACS URL the settings API reports.
    let before = sso_settings(&app, &p).await;
    assert!(page.text.contains(before["saml"]["spEntityId"].as_str().unwrap()));

    // OIDC first: saved through the same rules as /v1/mgmt/sso/oidc.
    let r = post_setup(
        &app,
        &[
            ("t", &token),
            ("protocol", "oidc"),
            ("name", "Okta"),
            ("clientId", "cid"),
            ("clientSecret", "shh"),
            ("issuer", "https://acme.okta.test"),
            ("authUrl", "https://acme.okta.test/authorize"),
            ("scope", "openid email"),
            ("domains", "acme.test, acme.example"),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.contains("Saved."));
    let s = sso_settings(&app, &p).await;
    assert_eq!(s["tenant"]["authType"], "oidc");
    assert_eq!(s["tenant"]["domains"], json!(["acme.test", "acme.example"]));
    assert_eq!(s["oidc"]["clientId"], "cid");
    assert_eq!(s["oidc"]["scope"], json!(["openid", "email"]));
    assert_eq!(s["oidc"]["clientSecret"], "", "the secret stays write-only");

    // Then SAML by metadata URL.
    let r = post_setup(
        &app,
        &[("t", &token), ("protocol", "saml-metadata"), ("idpMetadataUrl", "https://idp.test/metadata")],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let s = sso_settings(&app, &p).await;
    assert_eq!(s["tenant"]["authType"], "saml");
    assert_eq!(s["saml"]["idpMetadataUrl"], "https://idp.test/metadata");
}

#[tokio::test]
async fn the_setup_page_refuses_bad_settings_and_dead_links() {
    let (app, p) = setup().await;
    let link = generate(&app, &p, json!({"tenantId": "acme", "expireTime": 600})).await;
    let token = token_of(&link);
    // A certificate that is not one: the form again with the reason; nothing saved.
    let r = post_setup(
        &app,
        &[
            ("t", &token),
            ("protocol", "saml"),
            ("idpUrl", "https://idp.test/sso"),
            ("entityId", "urn:idp"),
            ("idpCert", "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----"),
        ],
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.text.contains("class=\"err\""), "{}", r.text);
    assert_eq!(sso_settings(&app, &p).await["tenant"]["authType"], "none");
    let r = post_setup(&app, &[("t", &token), ("protocol", "kerberos")]).await;
    assert_eq!(r.status, 400);

    // Unknown, revoked and expired links: pages for a browser, the Descope body for others.
    let page = get_page(&app, "/sso-setup?t=nope").await;
    assert_eq!(page.status, 404);
    assert!(page.text.contains("not known"));
    app.get("/sso-setup?t=nope", None).await.assert_error(404, "E011008");
    app.get("/sso-setup", None).await.assert_error(404, "E011008");
    assert_eq!(post_setup(&app, &[("t", "nope"), ("protocol", "oidc")]).await.status, 404);
    let form = serde_urlencoded::to_string([("t", token.as_str()), ("protocol", "kerberos")]).unwrap();
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/sso-setup")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(form))
        .unwrap();
    app.call(req).await.assert_error(400, "E011004");
    app.post("/v1/mgmt/tenant/adminlinks/sso/revoke", Some(&p.mgmt()), json!({"tenantId": "acme"}))
        .await
        .assert_ok();
    let page = get_page(&app, &format!("/sso-setup?t={token}")).await;
    assert_eq!(page.status, 410);
    assert!(page.text.contains("revoked"));
    assert_eq!(app.get(&format!("/sso-setup?t={token}"), None).await.status, 400);
    let link = generate(&app, &p, json!({"tenantId": "acme", "expireTime": 60})).await;
    app.advance_clock(61).await;
    let page = get_page(&app, &format!("/sso-setup?t={}", token_of(&link))).await;
    assert_eq!(page.status, 410);
    assert!(page.text.contains("expired"));
    // A reset project's links die with its data.
    let link = generate(&app, &p, json!({"tenantId": "acme", "expireTime": 600})).await;
    app.post(&format!("/emulator/v1/projects/{}/reset", p.id), None, json!({})).await.assert_ok();
    assert_eq!(get_page(&app, &format!("/sso-setup?t={}", token_of(&link))).await.status, 404);
}
