//! SSO applications (Descope as an IdP): management of OIDC, SAML and WS-Fed apps, an OIDC
//! app's own authorization server (client, secret, redirect URIs, PKCE, scopes), scope→claim
//! mappings, and all of it in snapshots.

use axum::body::Body;
use axum::http::Request;
use serde_json::{json, Value};
use std::collections::HashMap;

use crate::harness::{claims, urlencode, TestApp, TestProject, TestResponse, PUBLIC_URL};

const REDIRECT: &str = "http://rp.test/cb";

async fn form(app: &TestApp, path: &str, body: &str) -> TestResponse {
    let req = Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body.to_owned()))
        .unwrap();
    app.call(req).await
}

fn query_of(r: &TestResponse) -> HashMap<String, String> {
    assert_eq!(r.status.as_u16(), 302, "expected a redirect: {}", r.text);
    let u = url::Url::parse(r.headers["location"].to_str().unwrap()).unwrap();
    u.query_pairs().into_owned().collect()
}

async fn oidc_app(app: &TestApp, p: &TestProject, extra: Value) -> (String, String, String) {
    let mut body = json!({"id": "crm", "name": "CRM", "loginPageUrl": "http://login.test", "approvedRedirectUrls": [REDIRECT]});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let r = app.post("/v1/mgmt/sso/idp/app/oidc/create", Some(&p.mgmt()), body).await;
    let id = r.assert_ok()["id"].as_str().unwrap().to_owned();
    let loaded = app.get(&format!("/v1/mgmt/sso/idp/app/load?id={id}"), Some(&p.mgmt())).await;
    let client_id = loaded.assert_ok()["oidcSettings"]["clientId"].as_str().unwrap().to_owned();
    let secret = app.get(&format!("/v1/mgmt/sso/idp/app/secret?id={id}"), Some(&p.mgmt())).await;
    let secret = secret.assert_ok()["cleartext"].as_str().unwrap().to_owned();
    (id, client_id, secret)
}

#[tokio::test]
async fn apps_are_created_loaded_updated_and_deleted() {
    let (app, p) = TestApp::with_project().await;
    let m = Some(p.mgmt());
    let (id, client_id, _) = oidc_app(&app, &p, json!({})).await;
    let r = app.post("/v1/mgmt/sso/idp/app/saml/create", m.as_deref(), json!({"name": "Wiki", "loginPageUrl": "", "entityId": "e", "acsUrl": "http://wiki.test/acs", "certificate": "c"})).await;
    let saml_id = r.assert_ok()["id"].as_str().unwrap().to_owned();
    app.post(
        "/v1/mgmt/sso/idp/app/wsfed/create",
        m.as_deref(),
        json!({"name": "Legacy", "loginPageUrl": "", "realm": "urn:x", "replyUrl": "http://legacy.test"}),
    )
    .await
    .assert_ok();
    // Name and ID are unique.
    app.post("/v1/mgmt/sso/idp/app/oidc/create", m.as_deref(), json!({"name": "CRM", "loginPageUrl": ""}))
        .await
        .assert_error(400, "E011004");
    app.post(
        "/v1/mgmt/sso/idp/app/oidc/create",
        m.as_deref(),
        json!({"id": "crm", "name": "Other", "loginPageUrl": ""}),
    )
    .await
    .assert_error(400, "E011004");
    app.post("/v1/mgmt/sso/idp/app/oidc/create", m.as_deref(), json!({"loginPageUrl": ""}))
        .await
        .assert_error(400, "E011002");

    let one = app.get(&format!("/v1/mgmt/sso/idp/app/load?id={id}"), m.as_deref()).await;
    let one = one.assert_ok();
    assert_eq!(one["appType"], "oidc");
    assert_eq!(one["app"]["id"], "crm");
    assert_eq!(one["oidcSettings"]["issuer"], format!("{PUBLIC_URL}/{}/crm", p.id));
    assert_eq!(
        one["oidcSettings"]["discoveryUrl"],
        format!("{PUBLIC_URL}/{}/crm/.well-known/openid-configuration", p.id)
    );
    assert_eq!(one["oidcSettings"]["clientId"], client_id);
    let saml = app.get(&format!("/v1/mgmt/sso/idp/app/load?id={saml_id}"), m.as_deref()).await;
    assert_eq!(saml.assert_ok()["samlSettings"]["acsUrl"], "http://wiki.test/acs");
    assert!(saml.body["samlSettings"]["idpMetadataUrl"].as_str().unwrap().contains(&p.id));

    let all = app.get("/v1/mgmt/sso/idp/apps/load", m.as_deref()).await;
    let ids: Vec<&str> =
        all.assert_ok()["apps"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids[0], "descope-default-oidc");
    assert_eq!(ids.len(), 4);

    app.post(
        "/v1/mgmt/sso/idp/app/oidc/update",
        m.as_deref(),
        json!({"id": "crm", "name": "CRM 2", "loginPageUrl": "", "approvedRedirectUrls": [REDIRECT]}),
    )
    .await
    .assert_ok();
    let one = app.get("/v1/mgmt/sso/idp/app/load?id=crm", m.as_deref()).await;
    assert_eq!(one.assert_ok()["name"], "CRM 2");
    assert_eq!(one.body["oidcSettings"]["clientId"], client_id);
    app.post(
        "/v1/mgmt/sso/idp/app/saml/update",
        m.as_deref(),
        json!({"id": "crm", "name": "x", "loginPageUrl": ""}),
    )
    .await
    .assert_error(400, "E011004");

    app.post("/v1/mgmt/sso/idp/app/delete", m.as_deref(), json!({"id": "descope-default-oidc"}))
        .await
        .assert_error(400, "E011004");
    app.post("/v1/mgmt/sso/idp/app/delete", m.as_deref(), json!({"id": "crm"})).await.assert_ok();
    app.get("/v1/mgmt/sso/idp/app/load?id=crm", m.as_deref()).await.assert_error(404, "E011008");
}

#[tokio::test]
async fn an_oidc_app_has_its_own_client_and_issuer() {
    let (app, p) = TestApp::with_project().await;
    app.create_user(&p, json!({"loginId": "ann@example.com", "email": "ann@example.com"})).await;
    let (id, client_id, secret) = oidc_app(&app, &p, json!({"forcePkce": true})).await;
    let disco = app.get(&format!("/{}/{id}/.well-known/openid-configuration", p.id), None).await;
    let d = disco.assert_ok();
    assert_eq!(d["issuer"], format!("{PUBLIC_URL}/{}/{id}", p.id));
    assert_eq!(d["authorization_endpoint"], format!("{PUBLIC_URL}/{id}/oauth2/v1/authorize"));

    let base = format!(
        "/{id}/oauth2/v1/authorize?response_type=code&client_id={client_id}&scope=openid%20email&state=s&login_hint=ann%40example.com"
    );
    // An unregistered redirect URI is never redirected to.
    let r = app.get(&format!("{base}&redirect_uri={}", urlencode("http://evil.test/cb")), None).await;
    assert_eq!(r.status.as_u16(), 400);
    assert!(r.headers.get("location").is_none());
    // forcePkce: no challenge, no code.
    let q = query_of(&app.get(&format!("{base}&redirect_uri={}", urlencode(REDIRECT)), None).await);
    assert_eq!(q["error"], "invalid_request");
    // A scope the app does not offer.
    let challenge = "JIR41DDhPj7MhvjRSfrWp1B4L4s-HZqJOIzA-517L3k";
    let pkce = format!(
        "&code_challenge={challenge}&code_challenge_method=S256&redirect_uri={}",
        urlencode(REDIRECT)
    );
    let q = query_of(
        &app.get(&format!("{}{pkce}", base.replace("openid%20email", "openid%20payroll")), None).await,
    );
    assert_eq!(q["error"], "invalid_scope");
    // The scope becomes allowed once mapped, and its claims land in the ID token.
    app.post(
        "/v1/mgmt/scopeClaimMapping/set",
        Some(&p.mgmt()),
        json!({"mappings": [{"scope": "payroll", "claims": {"dept": "finance", "mail": "{{user.email}}"}, "description": "d"}]}),
    )
    .await
    .assert_ok();
    let got = app.post("/v1/mgmt/scopeClaimMapping/get", Some(&p.mgmt()), json!({})).await;
    assert_eq!(got.assert_ok()["mappings"][0]["scope"], "payroll");
    let q = query_of(
        &app.get(&format!("{}{pkce}", base.replace("openid%20email", "openid%20payroll")), None).await,
    );
    let code = q["code"].clone();
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gXk-kEjXk";
    // The default app's client can't redeem it, nor the app's client with a wrong secret.
    let r = form(&app, &format!("/{id}/oauth2/v1/token"), &format!("grant_type=authorization_code&code={code}&code_verifier={verifier}&client_id={client_id}&client_secret=bad")).await;
    assert_eq!(r.status.as_u16(), 401);
    let r = form(&app, &format!("/{id}/oauth2/v1/token"), &format!("grant_type=authorization_code&code={code}&code_verifier={verifier}&client_id={client_id}&client_secret={secret}")).await;
    let t = r.assert_ok().clone();
    let idt = claims(t["id_token"].as_str().unwrap());
    assert_eq!(idt["iss"], format!("{PUBLIC_URL}/{}/{id}", p.id));
    assert_eq!(idt["aud"], client_id);
    assert_eq!(idt["dept"], "finance");
    assert_eq!(idt["mail"], "ann@example.com");
    // Its refresh token is refused to the default app's client.
    let rt = t["refresh_token"].as_str().unwrap();
    let r = form(
        &app,
        "/oauth2/v1/token",
        &format!("grant_type=refresh_token&refresh_token={rt}&client_id={}", p.id),
    )
    .await;
    assert_eq!(r.body["error"], "invalid_grant", "{}", r.text);

    // Rotating the secret retires the old one.
    let rotated = app.post("/v1/mgmt/sso/idp/app/rotate", Some(&p.mgmt()), json!({"id": id})).await;
    let new_secret = rotated.assert_ok()["cleartext"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, secret);
    let r = form(
        &app,
        &format!("/{id}/oauth2/v1/token"),
        &format!("grant_type=client_credentials&client_id={client_id}&client_secret={secret}"),
    )
    .await;
    assert_eq!(r.status.as_u16(), 401);
    let r = form(
        &app,
        &format!("/{id}/oauth2/v1/token"),
        &format!("grant_type=client_credentials&client_id={client_id}&client_secret={new_secret}"),
    )
    .await;
    assert_eq!(claims(r.assert_ok()["access_token"].as_str().unwrap())["sub"], client_id);

    app.post("/v1/mgmt/scopeClaimMapping/delete", Some(&p.mgmt()), json!({})).await.assert_ok();
    let got = app.post("/v1/mgmt/scopeClaimMapping/get", Some(&p.mgmt()), json!({})).await;
    assert_eq!(got.assert_ok()["mappings"], json!([]));
}

#[tokio::test]
async fn apps_travel_in_snapshots_and_reset_forgets_them() {
    let (app, p) = TestApp::with_project().await;
    let (id, client_id, secret) = oidc_app(&app, &p, json!({})).await;
    app.post(
        "/v1/mgmt/scopeClaimMapping/set",
        Some(&p.mgmt()),
        json!({"mappings": [{"scope": "s1", "claims": {"a": "b"}}]}),
    )
    .await
    .assert_ok();
    let snap = app.export_snapshot(&p.id).await;
    assert_eq!(snap["apps"]["ssoApps"][0]["id"], id);

    let q = app.new_project().await;
    let mut copy = snap.clone();
    copy["projectId"] = json!(q.id);
    // Client IDs are global: the copy gets its own.
    copy["apps"]["oauthClients"][0]["clientId"] = json!("copied-client");
    copy["apps"]["clientSecrets"][0]["clientId"] = json!("copied-client");
    app.put_snapshot(&q.id, &copy).await.assert_ok();
    // The snapshot carries the management keys too.
    let q = TestProject { id: q.id, management_key: p.management_key.clone() };
    let loaded = app.get(&format!("/v1/mgmt/sso/idp/app/load?id={id}"), Some(&q.mgmt())).await;
    assert_eq!(loaded.assert_ok()["oidcSettings"]["clientId"], "copied-client");
    let s = app.get(&format!("/v1/mgmt/sso/idp/app/secret?id={id}"), Some(&q.mgmt())).await;
    assert_eq!(s.assert_ok()["cleartext"], secret);
    let m = app.post("/v1/mgmt/scopeClaimMapping/get", Some(&q.mgmt()), json!({})).await;
    assert_eq!(m.assert_ok()["mappings"][0]["claims"]["a"], "b");

    app.post(&format!("/emulator/v1/projects/{}/reset", p.id), None, json!({})).await.assert_ok();
    app.get(&format!("/v1/mgmt/sso/idp/app/load?id={id}"), Some(&p.mgmt()))
        .await
        .assert_error(404, "E011008");
    let r = form(
        &app,
        "/oauth2/v1/token",
        &format!("grant_type=client_credentials&client_id={client_id}&client_secret={secret}"),
    )
    .await;
    assert_eq!(r.status.as_u16(), 401);
}
