//! Tenant SSO settings: SAML (by hand, by metadata), OIDC, named configurations, load (one,
//! all, legacy), delete, redirect URLs, provider IDs, validation, snapshots.

use serde_json::{json, Value};

use crate::harness::{TestApp, TestProject};

/// A response with the project ID replaced, so snapshots do not depend on it.
fn scrub(v: &Value, p: &TestProject) -> Value {
    let text = serde_json::to_string(v).unwrap().replace(&p.id, "<projectId>");
    serde_json::from_str(&text).unwrap()
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_sort_maps(true);
    s.add_redaction(".**.createdTime", "[time]");
    s.add_redaction(
        ".**.role.id",
        insta::dynamic_redaction(|v, _| {
            if v.as_str().is_some_and(|s| s.starts_with("RL")) {
                "[role id]".to_owned()
            } else {
                format!("{v:?}")
            }
        }),
    );
    s
}

async fn setup() -> (TestApp, TestProject) {
    let (app, p) = TestApp::with_project().await;
    app.create_tenant(&p, json!({"name": "Acme", "id": "acme"})).await;
    app.create_role(&p, "dev", "").await;
    (app, p)
}

#[tokio::test]
async fn an_unconfigured_tenant_loads_with_defaults() {
    let (app, p) = setup().await;
    let r = app.get("/v2/mgmt/sso/settings?tenantId=acme", Some(&p.mgmt())).await;
    let v = scrub(r.assert_ok(), &p);
    assert_eq!(v["tenant"]["authType"], "none");
    assert_eq!(v["saml"]["spEntityId"], "<projectId>-acme");
    assert_eq!(v["oidc"]["grantType"], "authorization_code");
    settings().bind(|| insta::assert_json_snapshot!("sso_load_default", v));

    let legacy = app.get("/v1/mgmt/sso/settings?tenantId=acme", Some(&p.mgmt())).await;
    let v = scrub(legacy.assert_ok(), &p);
    settings().bind(|| insta::assert_json_snapshot!("sso_legacy_load_default", v));
}

#[tokio::test]
async fn saml_settings_round_trip() {
    let (app, p) = setup().await;
    let body = json!({
        "tenantId": "acme",
        "settings": {
            "idpUrl": "https://idp.example.com/saml",
            "entityId": "entity1234",
            "idpCert": "my certificate",
            "idpAdditionalCerts": null,
            "spACSUrl": null,
            "attributeMapping": {"name": "displayName", "email": "mail", "group": "groups", "phoneNumber": null},
            "roleMappings": [{"groups": ["eng"], "roleName": "dev"}],
            "defaultSSORoles": ["Tenant Admin"],
        },
        "redirectUrl": "https://app.example.com/cb",
        "domains": ["Corp.example.com", "corp.example.com", ""],
    });
    app.post("/v1/mgmt/sso/saml", Some(&p.mgmt()), body).await.assert_ok();
    let v = scrub(app.get("/v2/mgmt/sso/settings?tenantId=acme", Some(&p.mgmt())).await.assert_ok(), &p);
    assert_eq!(v["tenant"]["authType"], "saml");
    assert_eq!(v["tenant"]["domains"], json!(["corp.example.com"]));
    assert_eq!(v["saml"]["groupsMapping"][0]["role"]["name"], "dev");
    assert!(v["saml"]["spACSUrl"].as_str().unwrap().contains("projectId=<projectId>"));
    assert!(v["saml"]["spACSUrl"].as_str().unwrap().contains("tenantId=acme"));
    settings().bind(|| insta::assert_json_snapshot!("sso_load_saml", v));

    // the tenant object agrees
    let t = app.get("/v1/mgmt/tenant?id=acme", Some(&p.mgmt())).await;
    assert_eq!(t.assert_ok()["authType"], "saml");
    assert_eq!(t.assert_ok()["domains"], json!(["corp.example.com"]));

    // by metadata: only the metadata URL is stored; no redirectUrl keeps it; defaultSSORoles [] keeps
    let body = json!({"tenantId": "acme", "settings": {"idpMetadataUrl": "https://idp.example.com/md", "defaultSSORoles": []}});
    app.post("/v1/mgmt/sso/saml/metadata", Some(&p.mgmt()), body).await.assert_ok();
    let v = app.get("/v2/mgmt/sso/settings?tenantId=acme", Some(&p.mgmt())).await.assert_ok().clone();
    assert_eq!(v["saml"]["idpMetadataUrl"], "https://idp.example.com/md");
    assert_eq!(v["saml"]["redirectUrl"], "https://app.example.com/cb");
    assert_eq!(v["saml"]["defaultSSORoles"], json!(["Tenant Admin"]));
    assert_eq!(v["tenant"]["domains"], json!([]), "domains not given reset them");

    // delete resets the default configuration
    app.delete("/v1/mgmt/sso/settings?tenantId=acme", Some(&p.mgmt())).await.assert_ok();
    let v = app.get("/v2/mgmt/sso/settings?tenantId=acme", Some(&p.mgmt())).await.assert_ok().clone();
    assert_eq!(v["tenant"]["authType"], "none");
    assert_eq!(v["saml"]["idpMetadataUrl"], "");
    assert_eq!(v["saml"]["groupsMapping"], json!([]));
}

#[tokio::test]
async fn oidc_settings_keep_the_secret_write_only() {
    let (app, p) = setup().await;
    let body = json!({
        "tenantId": "acme",
        "settings": {
            "name": "myProvider", "clientId": "iddd", "clientSecret": "secret",
            "authUrl": "https://dummy.com/auth", "tokenUrl": "https://dummy.com/token",
            "userDataUrl": "https://dummy.com/userInfo", "scope": ["openid", "email"],
            "userAttrMapping": {"loginId": "subject", "email": "mail", "group": "groups"},
            "roleMappings": [{"groups": ["eng"], "roleName": "dev"}],
        },
        "domains": ["oidc.example.com"],
    });
    app.post("/v1/mgmt/sso/oidc", Some(&p.mgmt()), body).await.assert_ok();
    let v = scrub(app.get("/v2/mgmt/sso/settings?tenantId=acme", Some(&p.mgmt())).await.assert_ok(), &p);
    assert_eq!(v["tenant"]["authType"], "oidc");
    assert_eq!(v["oidc"]["clientSecret"], "");
    assert_eq!(v["oidc"]["userAttrMapping"]["loginId"], "subject");
    settings().bind(|| insta::assert_json_snapshot!("sso_load_oidc", v));
    // the secret is kept, and travels in snapshots
    let snap = app.export_snapshot(&p.id).await;
    let cfg = &snap["ssoSettings"][0];
    assert_eq!(cfg["tenantId"], "acme");
    assert_eq!(cfg["config"]["oidc"]["clientSecret"], "secret");
}

#[tokio::test]
async fn named_configurations() {
    let (app, p) = setup().await;
    let r = app
        .post(
            "/v1/mgmt/sso/settings/new",
            Some(&p.mgmt()),
            json!({"tenantId": "acme", "ssoId": "second", "displayName": "Second IdP"}),
        )
        .await;
    let v = r.assert_ok();
    assert_eq!(v["ssoId"], "second");
    assert_eq!(v["displayName"], "Second IdP");
    assert_eq!(v["tenant"]["authType"], "none");
    // a generated ID
    let r = app
        .post(
            "/v1/mgmt/sso/settings/new",
            Some(&p.mgmt()),
            json!({"tenantId": "acme", "displayName": "Third"}),
        )
        .await;
    let third = r.assert_ok()["ssoId"].as_str().unwrap().to_owned();
    assert!(!third.is_empty());
    // twice is a conflict
    app.post(
        "/v1/mgmt/sso/settings/new",
        Some(&p.mgmt()),
        json!({"tenantId": "acme", "ssoId": "second", "displayName": "x"}),
    )
    .await
    .assert_error(409, "E011009");

    // configuring a named one leaves the default one (and the tenant) alone
    let body = json!({"tenantId": "acme", "ssoId": "second", "settings": {"idpUrl": "https://idp2.example.com", "entityId": "e2", "idpCert": "c"}, "domains": ["two.example.com"]});
    app.post("/v1/mgmt/sso/saml", Some(&p.mgmt()), body).await.assert_ok();
    let v = app
        .get("/v2/mgmt/sso/settings?tenantId=acme&ssoId=second", Some(&p.mgmt()))
        .await
        .assert_ok()
        .clone();
    assert_eq!(v["tenant"]["authType"], "saml");
    assert_eq!(v["tenant"]["domains"], json!(["two.example.com"]));
    assert_eq!(v["saml"]["idpSSOUrl"], "https://idp2.example.com");
    assert!(v["saml"]["spACSUrl"].as_str().unwrap().contains("ssoId=second"));
    let d = app.get("/v2/mgmt/sso/settings?tenantId=acme", Some(&p.mgmt())).await.assert_ok().clone();
    assert_eq!(d["tenant"]["authType"], "none");
    assert_eq!(d["ssoId"], "");

    let all = app.get("/v2/mgmt/sso/settings/all?tenantId=acme", Some(&p.mgmt())).await.assert_ok().clone();
    let ids: Vec<&str> =
        all["SSOSettings"].as_array().unwrap().iter().map(|s| s["ssoId"].as_str().unwrap()).collect();
    assert_eq!(ids, vec!["", "second", third.as_str()]);

    // redirect and provider IDs
    app.post("/v1/mgmt/sso/redirect", Some(&p.mgmt()), json!({"tenantId": "acme", "ssoId": "second", "samlRedirectUrl": "https://a.example.com", "oauthRedirectUrl": "https://b.example.com"}))
        .await
        .assert_ok();
    app.post(
        "/v1/mgmt/sso/provider-ids",
        Some(&p.mgmt()),
        json!({"tenantId": "acme", "ssoId": "second", "samlProviderId": "sp1", "oidcScimProviderId": "os1"}),
    )
    .await
    .assert_ok();
    let v = app
        .get("/v2/mgmt/sso/settings?tenantId=acme&ssoId=second", Some(&p.mgmt()))
        .await
        .assert_ok()
        .clone();
    assert_eq!(v["saml"]["redirectUrl"], "https://a.example.com");
    assert_eq!(v["oidc"]["redirectUrl"], "https://b.example.com");
    assert_eq!(v["saml"]["providerID"], "sp1");
    assert_eq!(v["oidc"]["scimProviderID"], "os1");

    // snapshots carry the configurations
    let snap = app.export_snapshot(&p.id).await;
    app.delete("/v1/mgmt/sso/settings?tenantId=acme&ssoId=second", Some(&p.mgmt())).await.assert_ok();
    app.get("/v2/mgmt/sso/settings?tenantId=acme&ssoId=second", Some(&p.mgmt()))
        .await
        .assert_error(404, "E011008");
    app.delete("/v1/mgmt/sso/settings?tenantId=acme&ssoId=second", Some(&p.mgmt()))
        .await
        .assert_error(404, "E011008");
    app.put_snapshot(&p.id, &snap).await.assert_ok();
    let v = app
        .get("/v2/mgmt/sso/settings?tenantId=acme&ssoId=second", Some(&p.mgmt()))
        .await
        .assert_ok()
        .clone();
    assert_eq!(v["saml"]["providerID"], "sp1");
    assert_eq!(v["displayName"], "Second IdP");
}

#[tokio::test]
async fn legacy_calls_as_python_2_16_makes_them() {
    let (app, p) = setup().await;
    let m = p.mgmt();
    let body = json!({"tenantId": "acme", "idpURL": "http://idpURL", "entityId": "entity", "idpCert": "mycert", "redirectURL": "https://redirect", "domains": ["domain.com", "app.domain.com"]});
    app.post("/v1/mgmt/sso/settings", Some(&m), body).await.assert_ok();
    let s = app.get("/v1/mgmt/sso/settings?tenantId=acme", Some(&m)).await.assert_ok().clone();
    assert_eq!(s["idpSSOUrl"], "http://idpURL");
    assert_eq!(s["idpEntityId"], "entity");
    assert_eq!(s["idpCertificate"], "mycert");
    assert_eq!(s["redirectUrl"], "https://redirect");
    assert_eq!(s["domain"], "domain.com");

    let body = json!({"tenantId": "acme", "idpMetadataURL": "http://idpMetadataURL", "redirectURL": null, "domains": ["domain2.com", "app.domain2.com"]});
    app.post("/v1/mgmt/sso/metadata", Some(&m), body).await.assert_ok();
    let body = json!({"tenantId": "acme", "roleMappings": [{"groups": ["a"], "roleName": "Tenant Admin"}],
        "attributeMapping": {"name": "MyName", "email": null, "phoneNumber": null, "group": null, "givenName": null, "middleName": null, "familyName": null, "picture": null, "customAttributes": null}});
    app.post("/v1/mgmt/sso/mapping", Some(&m), body).await.assert_ok();
    let s = scrub(app.get("/v1/mgmt/sso/settings?tenantId=acme", Some(&m)).await.assert_ok(), &p);
    assert_eq!(s["redirectUrl"], "https://redirect");
    assert_eq!(s["domain"], "domain2.com");
    settings().bind(|| insta::assert_json_snapshot!("sso_legacy_load_configured", s));
}

#[tokio::test]
async fn bad_input_is_a_4xx() {
    let (app, p) = setup().await;
    let m = p.mgmt();
    let saml = |settings: Value| json!({"tenantId": "acme", "settings": settings});
    for (path, body, status, code) in [
        ("/v1/mgmt/sso/saml", json!({"tenantId": "nope", "settings": {}}), 404, "E011008"),
        ("/v1/mgmt/sso/saml", json!({"settings": {}}), 400, "E011002"),
        ("/v1/mgmt/sso/saml", saml(json!({"idpUrl": "not a url"})), 400, "E011004"),
        ("/v1/mgmt/sso/saml", saml(json!({"idpUrl": "ftp://x"})), 400, "E011004"),
        (
            "/v1/mgmt/sso/saml",
            saml(json!({"idpCert": "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----"})),
            400,
            "E011004",
        ),
        (
            "/v1/mgmt/sso/saml",
            saml(json!({"roleMappings": [{"groups": ["g"], "roleName": "ghost"}]})),
            400,
            "E011004",
        ),
        ("/v1/mgmt/sso/saml", saml(json!({"defaultSSORoles": ["ghost"]})), 400, "E011004"),
        ("/v1/mgmt/sso/saml", saml(json!({"attributeMapping": {"name": 5}})), 400, "E011001"),
        ("/v1/mgmt/sso/saml/metadata", saml(json!({})), 400, "E011002"),
        ("/v1/mgmt/sso/oidc", json!({"tenantId": "acme", "settings": {"authUrl": "::"}}), 400, "E011004"),
        (
            "/v1/mgmt/sso/oidc",
            json!({"tenantId": "acme", "settings": {"grantType": "password"}}),
            400,
            "E011004",
        ),
        ("/v1/mgmt/sso/redirect", json!({"tenantId": "acme", "ssoId": "ghost"}), 404, "E011008"),
        ("/v1/mgmt/sso/recalculate-mappings", json!({"tenantId": "nope"}), 404, "E011008"),
        ("/v1/mgmt/sso/settings/new", json!({"tenantId": "nope", "displayName": "x"}), 404, "E011008"),
    ] {
        let r = app.post(path, Some(&m), body.clone()).await;
        assert_eq!(r.status.as_u16(), status, "{path} {body}: {:?}", r.body);
        r.assert_error(status, code);
    }
    app.get("/v2/mgmt/sso/settings?tenantId=nope", Some(&m)).await.assert_error(404, "E011008");
    app.get("/v2/mgmt/sso/settings", Some(&m)).await.assert_error(400, "E011002");
    // a real certificate in PEM armour is accepted
    let pem = "-----BEGIN CERTIFICATE-----\nMIIBAAABAgMEBQYHCAkKCwwNDg8QERIT\n-----END CERTIFICATE-----\n";
    app.post("/v1/mgmt/sso/saml", Some(&m), saml(json!({"idpCert": pem, "idpAdditionalCerts": [pem]})))
        .await
        .assert_ok();
}
