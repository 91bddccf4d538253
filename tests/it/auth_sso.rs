//! SSO sign-in through the fake identity provider: start (by tenant ID, by email domain,
//! named configuration), the page, exchange (mapping, roles, claims, idpResponse), groups,
//! recalculated mappings, SSO user removal, refusals.

use serde_json::{json, Value};

use crate::harness::{claims, TestApp, TestProject, PUBLIC_URL};

const CB: &str = "http://app.test/cb";

async fn setup() -> (TestApp, TestProject) {
    let (app, p) = TestApp::with_project().await;
    app.create_tenant(&p, json!({"name": "Acme", "id": "acme"})).await;
    app.create_role(&p, "dev", "").await;
    app.create_role(&p, "viewer", "").await;
    let body = json!({
        "tenantId": "acme",
        "settings": {
            "idpUrl": "https://idp.example.com/saml", "entityId": "e", "idpCert": "c",
            "attributeMapping": {"email": "mail", "name": "displayName", "group": "memberOf"},
            "roleMappings": [{"groups": ["eng"], "roleName": "dev"}],
            "defaultSSORoles": ["viewer"],
        },
        "domains": ["corp.test"],
    });
    app.post("/v1/mgmt/sso/saml", Some(&p.mgmt()), body).await.assert_ok();
    (app, p)
}

/// Starts SSO at `path` with `query`; answers the IdP page's path and query.
async fn start(app: &TestApp, p: &TestProject, path: &str, query: &str) -> String {
    let r = app.post(&format!("{path}?{query}"), Some(&p.bearer()), json!({})).await;
    let url = r.assert_ok()["url"].as_str().unwrap().to_owned();
    url.strip_prefix(PUBLIC_URL).expect("an emulator URL").to_owned()
}

/// Approves at the page with `knobs`; answers the code of the redirect.
async fn approve(app: &TestApp, page: &str, knobs: &str) -> String {
    let r = app.get(&format!("{page}&{knobs}"), None).await;
    assert!(r.status.is_redirection(), "{}: {}", r.status, r.text);
    let location = r.headers["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(CB), "{location}");
    let url = url::Url::parse(&location).unwrap();
    url.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned()
}

async fn exchange(app: &TestApp, p: &TestProject, path: &str, code: &str) -> Value {
    app.post(path, Some(&p.bearer()), json!({"code": code})).await.assert_ok().clone()
}

#[tokio::test]
async fn saml_sign_in_maps_groups_to_roles() {
    let (app, p) = setup().await;
    let page = start(&app, &p, "/v1/auth/sso/authorize", &format!("tenant=acme&redirectURL={CB}")).await;
    let code = approve(&app, &page, "email=ann@corp.test&name=Ann&groups=eng,ops&attr.dept=R%26D").await;
    let r = exchange(&app, &p, "/v1/auth/sso/exchange", &code).await;
    let c = claims(r["sessionJwt"].as_str().unwrap());
    assert_eq!(c["amr"], json!(["fed"]));
    assert_eq!(c["dct"], "acme");
    assert_eq!(c["tenants"]["acme"]["roles"], json!(["dev"]));
    assert_eq!(r["user"]["SAML"], true);
    assert_eq!(r["user"]["email"], "ann@corp.test");
    assert_eq!(r["user"]["verifiedEmail"], true);
    assert_eq!(r["user"]["name"], "Ann");
    assert_eq!(r["firstSeen"], true);
    assert_eq!(r["tenantSSOID"], "");
    assert_eq!(r["idpResponse"]["idpGroups"], json!(["eng", "ops"]));
    assert_eq!(
        r["idpResponse"]["idpSAMLAttributes"],
        json!({"mail": ["ann@corp.test"], "displayName": ["Ann"], "memberOf": ["eng", "ops"], "dept": ["R&D"]})
    );

    // the code is single-use
    let again = app.post("/v1/auth/sso/exchange", Some(&p.bearer()), json!({"code": code})).await;
    again.assert_error(401, "E061301");

    // second sign-in (saml paths, by email domain): same user, no group matched → default roles
    let page =
        start(&app, &p, "/v1/auth/saml/authorize", &format!("tenant=bob@CORP.test&redirectURL={CB}")).await;
    assert!(page.contains("/sso/acme/"), "{page}");
    let code = approve(&app, &page, "email=ann@corp.test&groups=sales").await;
    let r = exchange(&app, &p, "/v1/auth/saml/exchange", &code).await;
    assert_eq!(r["firstSeen"], false);
    let c = claims(r["sessionJwt"].as_str().unwrap());
    assert_eq!(c["tenants"]["acme"]["roles"], json!(["viewer"]));

    // groups API
    let g = app.post("/v1/mgmt/group/all", Some(&p.mgmt()), json!({"tenantId": "acme"})).await;
    let g = g.assert_ok();
    assert_eq!(g.as_array().unwrap().len(), 1);
    assert_eq!(g[0]["id"], "sales");
    assert_eq!(g[0]["source"], "jit");
    assert_eq!(g[0]["members"][0]["loginId"], "ann@corp.test");
    let m = app
        .post("/v1/mgmt/group/members", Some(&p.mgmt()), json!({"tenantId": "acme", "groupId": "sales"}))
        .await;
    assert_eq!(m.assert_ok().as_array().unwrap().len(), 1);
    let uid = r["user"]["userId"].as_str().unwrap();
    let mg = app
        .post("/v1/mgmt/group/member/all", Some(&p.mgmt()), json!({"tenantId": "acme", "userIds": [uid]}))
        .await;
    assert_eq!(mg.assert_ok()[0]["display"], "sales");

    // a new mapping, recalculated: the user's roles follow the groups the IdP asserted last
    let body = json!({"tenantId": "acme", "roleMappings": [{"groups": ["sales"], "roleName": "dev"}], "attributeMapping": {"email": "mail", "name": "displayName", "group": "memberOf"}});
    app.post("/v1/mgmt/sso/mapping", Some(&p.mgmt()), body).await.assert_ok();
    app.post("/v1/mgmt/sso/recalculate-mappings", Some(&p.mgmt()), json!({"tenantId": "acme"}))
        .await
        .assert_ok();
    let u = app.get(&format!("/v1/mgmt/user?userId={uid}"), Some(&p.mgmt())).await;
    assert_eq!(u.assert_ok()["user"]["userTenants"][0]["roleNames"], json!(["dev"]));

    // removing the SSO association: the groups are gone, the user stays
    app.post("/v1/mgmt/tenant/sso-user-remove", Some(&p.mgmt()), json!({"tenantId": "acme"}))
        .await
        .assert_ok();
    let g = app.post("/v1/mgmt/group/all", Some(&p.mgmt()), json!({"tenantId": "acme"})).await;
    assert_eq!(g.assert_ok(), &json!([]));
    app.get(&format!("/v1/mgmt/user?userId={uid}"), Some(&p.mgmt())).await.assert_ok();
}

#[tokio::test]
async fn oidc_and_named_configurations() {
    let (app, p) = setup().await;
    let m = p.mgmt();
    app.post(
        "/v1/mgmt/sso/settings/new",
        Some(&m),
        json!({"tenantId": "acme", "ssoId": "okta", "displayName": "Okta"}),
    )
    .await
    .assert_ok();
    let body = json!({"tenantId": "acme", "ssoId": "okta", "settings": {"name": "okta", "clientId": "c", "authUrl": "https://okta.test/auth",
        "redirectUrl": CB, "userAttrMapping": {"loginId": "sub", "email": "email", "name": "name", "group": "grp"},
        "roleMappings": [{"groups": ["admins"], "roleName": "dev"}]}});
    app.post("/v1/mgmt/sso/oidc", Some(&m), body).await.assert_ok();
    // no redirectURL: the configuration's
    let page = start(&app, &p, "/v1/auth/sso/authorize", "tenant=acme&ssoId=okta").await;
    let code = approve(&app, &page, "email=olga@corp.test&sub=okta-1&groups=admins").await;
    let r = exchange(&app, &p, "/v1/auth/sso/exchange", &code).await;
    assert_eq!(r["tenantSSOID"], "okta");
    assert_eq!(r["idpResponse"]["idpOIDCClaims"]["sub"], "okta-1");
    assert_eq!(r["idpResponse"]["idpOIDCClaims"]["grp"], json!(["admins"]));
    let c = claims(r["sessionJwt"].as_str().unwrap());
    assert_eq!(c["tenants"]["acme"]["roles"], json!(["dev"]));
    assert_eq!(c["amr"], json!(["fed"]));
}

#[tokio::test]
async fn refusals() {
    let (app, p) = setup().await;
    let b = p.bearer();
    // unknown tenant, unknown domain, no tenant
    app.post("/v1/auth/sso/authorize?tenant=nope", Some(&b), json!({})).await.assert_error(400, "E011004");
    app.post("/v1/auth/sso/authorize?tenant=x@else.test", Some(&b), json!({}))
        .await
        .assert_error(400, "E011004");
    app.post("/v1/auth/sso/authorize", Some(&b), json!({})).await.assert_error(400, "E011002");
    // a tenant without SSO
    app.create_tenant(&p, json!({"name": "Plain", "id": "plain"})).await;
    app.post("/v1/auth/sso/authorize?tenant=plain", Some(&b), json!({})).await.assert_error(400, "E011004");
    // unknown ssoId
    app.post("/v1/auth/sso/authorize?tenant=acme&ssoId=ghost", Some(&b), json!({}))
        .await
        .assert_error(404, "E011008");
    // stepup without a session
    app.post("/v1/auth/sso/authorize?tenant=acme", Some(&b), json!({"stepup": true}))
        .await
        .assert_error(401, "E011101");
    // garbage and missing codes
    app.post("/v1/auth/sso/exchange", Some(&b), json!({"code": "nope"})).await.assert_error(401, "E061301");
    app.post("/v1/auth/sso/exchange", Some(&b), json!({})).await.assert_error(400, "E011002");

    // initiatedEmail is enforced
    let page = start(
        &app,
        &p,
        "/v1/auth/saml/authorize",
        &format!("tenant=acme&redirectURL={CB}&initiatedEmail=ann@corp.test"),
    )
    .await;
    let code = approve(&app, &page, "email=mallory@corp.test").await;
    app.post("/v1/auth/saml/exchange", Some(&b), json!({"code": code})).await.assert_error(401, "E011101");

    // an expired code
    let page = start(&app, &p, "/v1/auth/sso/authorize", &format!("tenant=acme&redirectURL={CB}")).await;
    let code = approve(&app, &page, "email=ann@corp.test").await;
    app.advance_clock(6 * 60).await;
    app.post("/v1/auth/sso/exchange", Some(&b), json!({"code": code})).await.assert_error(401, "E061301");

    // a code of another project
    let other = app.new_project().await;
    let page = start(&app, &p, "/v1/auth/sso/authorize", &format!("tenant=acme&redirectURL={CB}")).await;
    let code = approve(&app, &page, "email=ann@corp.test").await;
    app.post("/v1/auth/sso/exchange", Some(&other.bearer()), json!({"code": code}))
        .await
        .assert_error(401, "E061301");
    // and of the OAuth flow
    app.post("/v1/auth/oauth/exchange", Some(&b), json!({"code": code})).await.assert_error(401, "E061301");
}

#[tokio::test]
async fn idp_metadata_is_xml_with_the_project_key() {
    let (app, p) = TestApp::with_project().await;
    let r = app.get(&format!("/v1/auth/saml/idp/metadata?projectId={}", p.id), None).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.text);
    assert!(r.text.contains("<md:IDPSSODescriptor"), "{}", r.text);
    assert!(r.text.contains("<ds:Modulus>"), "{}", r.text);
    assert!(r.text.contains(&format!("/v1/auth/saml/idp/sso?projectId={}", p.id)), "{}", r.text);
    let r = app.get(&format!("/v1/auth/wsfed/idp/metadata?projectId={}", p.id), None).await;
    assert!(r.text.contains("fed:PassiveRequestorEndpoint"), "{}", r.text);
    app.get("/v1/auth/saml/idp/metadata", None).await.assert_error(400, "E011002");
    app.get("/v1/auth/wsfed/idp/metadata?projectId=Pnope", None).await.assert_error(404, "E011008");
}

#[tokio::test]
async fn idp_sso_logout_ends_the_cookie_session() {
    let (app, p) = setup().await;
    let page = start(&app, &p, "/v1/auth/sso/authorize", &format!("tenant=acme&redirectURL={CB}")).await;
    let code = approve(&app, &page, "email=ann@corp.test").await;
    let r = exchange(&app, &p, "/v1/auth/sso/exchange", &code).await;
    let refresh = r["refreshJwt"].as_str().unwrap().to_owned();
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/v1/auth/idp/sso/logout")
        .header("cookie", format!("DS=x; DSR={refresh}"))
        .body(axum::body::Body::from("{\"app\":\"a\"}"))
        .unwrap();
    let out = app.call(req).await;
    assert_eq!(out.assert_ok(), &json!({}));
    let cookies: Vec<&str> = out.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect();
    assert!(cookies.iter().any(|c| c.starts_with("DSR=;") && c.contains("Max-Age=0")), "{cookies:?}");
    let again = app.post("/v1/auth/refresh", Some(&format!("{}:{refresh}", p.id)), json!({})).await;
    assert_eq!(again.status.as_u16(), 401, "{}", again.text);
    // without a session it only clears the cookies
    app.get("/v1/auth/idp/sso/logout?app=a", None).await.assert_ok();
}

/// Follows one redirect of the emulator: the `Location`'s path and query.
fn location_path(r: &crate::harness::TestResponse) -> String {
    assert!(r.status.is_redirection(), "{}: {}", r.status, r.text);
    let l = r.headers["location"].to_str().unwrap();
    l.strip_prefix(PUBLIC_URL).unwrap_or(l).to_owned()
}

#[tokio::test]
async fn a_real_oidc_loop_with_the_emulators_oidc_idp() {
    let (app, p) = setup().await;
    let iss = format!("{PUBLIC_URL}/emulator/v1/idp/oidc/{}/corp-idp", p.id);
    let d = app
        .get(&format!("/emulator/v1/idp/oidc/{}/corp-idp/.well-known/openid-configuration", p.id), None)
        .await;
    assert_eq!(d.assert_ok()["issuer"], iss);
    assert_eq!(d.assert_ok()["authorization_endpoint"], format!("{iss}/authorize"));
    let body = json!({"tenantId": "acme", "settings": {"name": "corp", "clientId": "app-client", "clientSecret": "s",
        "authUrl": format!("{iss}/authorize"), "tokenUrl": format!("{iss}/token"), "JWKsUrl": format!("{iss}/jwks"),
        "scope": ["openid", "email", "groups"], "roleMappings": [{"groups": ["eng"], "roleName": "dev"}]}});
    app.post("/v1/mgmt/sso/oidc", Some(&p.mgmt()), body).await.assert_ok();

    // start: the real IdP's authorize URL with client_id, redirect_uri (the callback), state, nonce
    let r = app
        .post(&format!("/v1/auth/sso/authorize?tenant=acme&redirectURL={CB}"), Some(&p.bearer()), json!({}))
        .await;
    let url = url::Url::parse(r.assert_ok()["url"].as_str().unwrap()).unwrap();
    assert!(url.as_str().starts_with(&format!("{iss}/authorize?")), "{url}");
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["client_id"], "app-client");
    assert_eq!(q["scope"], "openid email groups profile");
    assert_eq!(q["redirect_uri"], format!("{PUBLIC_URL}/v1/oauth/callback"));
    assert!(!q["nonce"].is_empty() && !q["state"].is_empty());

    // the IdP approves and redirects to the callback with its code
    let page = url.as_str().strip_prefix(PUBLIC_URL).unwrap().to_owned();
    let r = app.get(&format!("{page}&email=ivy@corp.test&name=Ivy&groups=eng"), None).await;
    let back = location_path(&r);
    assert!(back.starts_with("/v1/oauth/callback?"), "{back}");
    // the callback redeems it, verifies the ID token and sends the app a Descope code
    let r = app.get(&back, None).await;
    let to_app = location_path(&r);
    assert!(to_app.starts_with(CB), "{to_app}");
    let code =
        url::Url::parse(&to_app).unwrap().query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    let out = exchange(&app, &p, "/v1/auth/sso/exchange", &code).await;
    let c = claims(out["sessionJwt"].as_str().unwrap());
    assert_eq!(c["amr"], json!(["fed"]));
    assert_eq!(c["tenants"]["acme"]["roles"], json!(["dev"]));
    assert_eq!(out["user"]["email"], "ivy@corp.test");
    assert_eq!(out["user"]["name"], "Ivy");
    assert_eq!(out["idpResponse"]["idpOIDCClaims"]["email"], "ivy@corp.test");
    assert_eq!(out["idpResponse"]["idpGroups"], json!(["eng"]));
    // the IdP's code was redeemed once: the callback again fails
    app.get(&back, None).await.assert_error(401, "E061301");
}
