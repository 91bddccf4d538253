//! Descope as a SAML / WS-Fed IdP for SSO apps: SP- and IdP-initiated sign-in, the signed
//! Response (digest and signature checked here over the canonical bytes), ACS checks, the
//! sign-in page and `sso-finish`, replays and expiry.

use crate::harness::{TestApp, TestProject, TestResponse};
use aws_lc_rs::signature::{self, RsaPublicKeyComponents};
use axum::body::Body;
use axum::http::Request;
use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD as B64URL};
use base64::Engine;
use serde_json::{json, Value};
use std::io::Write;

const ACS: &str = "https://wiki.test/saml/acs";
const SP: &str = "https://wiki.test/sp";

async fn saml_app(app: &TestApp, p: &TestProject, extra: Value) -> String {
    let mut body = json!({
        "name": "Wiki", "loginPageUrl": "", "entityId": SP, "acsUrl": ACS,
        "acsAllowedCallbacks": ["https://*.wiki.test/acs"],
        "subjectNameIdType": "email",
        "subjectNameIdFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
        "attributeMapping": [{"name": "mail", "type": "", "value": "email"}, {"name": "dept", "type": "", "value": "customAttributes.dept"}],
        "groupsMapping": [{"name": "groups", "type": "", "filterType": "", "value": "wiki-admins", "roles": [{"id": "r1", "name": "Admin"}]}],
        "defaultSignatureAlgorithm": "sha256",
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let r = app.post("/v1/mgmt/sso/idp/app/saml/create", Some(&p.mgmt()), body).await;
    r.assert_ok()["id"].as_str().unwrap().to_owned()
}

fn authn_request(id: &str, acs: &str) -> String {
    format!(
        "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" ID=\"{id}\" Version=\"2.0\" \
         IssueInstant=\"2026-01-01T00:00:00Z\" AssertionConsumerServiceURL=\"{acs}\">\
         <saml:Issuer xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\">{SP}</saml:Issuer></samlp:AuthnRequest>"
    )
}

fn redirect_param(xml: &str) -> String {
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(xml.as_bytes()).unwrap();
    crate::harness::urlencode(&B64.encode(enc.finish().unwrap()))
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The action and a hidden field of the auto-submitting form.
fn form_field(r: &TestResponse, name: &str) -> Option<String> {
    assert_eq!(r.status.as_u16(), 200, "{}", r.text);
    let marker = format!("name=\"{name}\" value=\"");
    let start = r.text.find(&marker)? + marker.len();
    let end = r.text[start..].find('"')? + start;
    Some(unescape(&r.text[start..end]))
}

/// The `state_id` of the sign-in page's forms.
fn state_of(page: &TestResponse) -> String {
    form_field(page, "state_id").expect("a sign-in page")
}

fn form_action(r: &TestResponse) -> String {
    let start = r.text.find("action=\"").unwrap() + 8;
    let end = r.text[start..].find('"').unwrap() + start;
    unescape(&r.text[start..end])
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> &'a str {
    let start = s.find(open).unwrap_or_else(|| panic!("no {open} in {s}"));
    let end = s[start + open.len()..].find(close).unwrap() + start + open.len() + close.len();
    &s[start..end]
}

fn text_of<'a>(s: &'a str, tag: &str) -> &'a str {
    let open = if s.contains(&format!("<{tag}>")) { format!("<{tag}>") } else { format!("<{tag} ") };
    let el = between(s, &open, &format!("</{tag}>"));
    let start = el.find('>').unwrap() + 1;
    &el[start..el.len() - tag.len() - 3]
}

async fn project_key(app: &TestApp, p: &TestProject) -> (Vec<u8>, Vec<u8>) {
    let keys = app.get(&format!("/v2/keys/{}", p.id), None).await;
    let k = &keys.body["keys"][0];
    (B64URL.decode(k["n"].as_str().unwrap()).unwrap(), B64URL.decode(k["e"].as_str().unwrap()).unwrap())
}

/// Checks the assertion's enveloped signature over the canonical bytes: the digest of the
/// assertion without its signature, and the RSA signature of SignedInfo (with its `xmlns:ds`,
/// as exclusive c14n renders it alone).
fn verify_assertion(xml: &str, key: &(Vec<u8>, Vec<u8>)) -> String {
    let assertion = between(xml, "<saml:Assertion ", "</saml:Assertion>");
    let sig = between(assertion, "<ds:Signature ", "</ds:Signature>");
    let unsigned = assertion.replace(sig, "");
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, unsigned.as_bytes());
    assert_eq!(text_of(sig, "ds:DigestValue"), B64.encode(digest.as_ref()), "digest");
    let id = between(assertion, " ID=\"", "\"");
    assert!(sig.contains(&format!("URI=\"#{}\"", &id[5..id.len() - 1])));
    let signed_info = between(sig, "<ds:SignedInfo>", "</ds:SignedInfo>").replacen(
        "<ds:SignedInfo>",
        "<ds:SignedInfo xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">",
        1,
    );
    let value = B64.decode(text_of(sig, "ds:SignatureValue")).unwrap();
    let sha1 = sig.contains("xmldsig#rsa-sha1");
    let alg = if sha1 {
        &signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY
    } else {
        &signature::RSA_PKCS1_2048_8192_SHA256
    };
    RsaPublicKeyComponents { n: &key.0, e: &key.1 }
        .verify(alg, signed_info.as_bytes(), &value)
        .expect("signature verifies");
    // The same bytes tampered with no longer verify.
    let tampered = signed_info.replace("DigestValue>", "DigestValue> ");
    assert!(RsaPublicKeyComponents { n: &key.0, e: &key.1 }
        .verify(alg, tampered.as_bytes(), &value)
        .is_err());
    if sha1 {
        "sha1".into()
    } else {
        "sha256".into()
    }
}

async fn queue(app: &TestApp, p: &TestProject, login_id: &str) {
    app.post(&format!("/emulator/v1/projects/{}/signin/next", p.id), None, json!({"loginId": login_id}))
        .await
        .assert_ok();
}

async fn post_form(app: &TestApp, path: &str, body: &str, auth: Option<&str>) -> TestResponse {
    let mut req = Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(a) = auth {
        req = req.header("authorization", format!("Bearer {a}"));
    }
    app.call(req.body(Body::from(body.to_owned())).unwrap()).await
}

async fn user_with_role(app: &TestApp, p: &TestProject, email: &str) {
    app.post("/v1/mgmt/role/create", Some(&p.mgmt()), json!({"name": "Admin"})).await.assert_ok();
    app.create_user(
        p,
        json!({"loginId": email, "email": email, "roleNames": ["Admin"], "customAttributes": {}}),
    )
    .await;
}

#[tokio::test]
async fn sp_initiated_redirect_binding_posts_a_signed_response() {
    let (app, p) = TestApp::with_project().await;
    app.set_clock(1_800_000_000).await;
    user_with_role(&app, &p, "ann@wiki.test").await;
    let id = saml_app(&app, &p, json!({})).await;
    queue(&app, &p, "ann@wiki.test").await;
    let url = format!(
        "/v1/auth/saml/idp/sso?app={id}&RelayState=rs%261&SAMLRequest={}",
        redirect_param(&authn_request("_req1", ACS))
    );
    let r = app.get(&url, None).await;
    assert_eq!(form_action(&r), ACS);
    assert_eq!(form_field(&r, "RelayState").unwrap(), "rs&1");
    let xml = String::from_utf8(B64.decode(form_field(&r, "SAMLResponse").unwrap()).unwrap()).unwrap();
    assert!(xml.starts_with("<samlp:Response "), "{xml}");
    assert!(xml.contains("InResponseTo=\"_req1\""));
    assert!(xml.contains(&format!("Destination=\"{ACS}\"")));
    assert!(xml.contains("StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\""));
    assert_eq!(text_of(&xml, "saml:Audience"), SP);
    assert_eq!(text_of(&xml, "saml:NameID"), "ann@wiki.test");
    assert!(xml.contains("Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\""));
    assert!(xml.contains("<saml:Attribute Name=\"mail\" NameFormat=\"urn:oasis:names:tc:SAML:2.0:attrname-format:basic\"><saml:AttributeValue>ann@wiki.test</saml:AttributeValue></saml:Attribute>"));
    assert!(xml.contains("<saml:Attribute Name=\"groups\""), "{xml}");
    assert!(xml.contains("<saml:AttributeValue>wiki-admins</saml:AttributeValue>"));
    assert!(xml.contains("<saml:AuthnStatement "));
    let issuer = format!("http://emulator.test/{}/saml/{id}", p.id);
    assert_eq!(text_of(&xml, "saml:Issuer"), issuer);
    // The emulator clock bounds the assertion.
    assert!(xml.contains("IssueInstant=\"2027-01-15T08:00:00Z\""), "{xml}");
    assert!(xml.contains("NotOnOrAfter=\"2027-01-15T08:05:00Z\""));
    let key = project_key(&app, &p).await;
    assert_eq!(verify_assertion(&xml, &key), "sha256");

    // The certificate in the signature is the app's idpCert.
    let loaded = app.get(&format!("/v1/mgmt/sso/idp/app/load?id={id}"), Some(&p.mgmt())).await;
    let pem = loaded.assert_ok()["samlSettings"]["idpCert"].as_str().unwrap().to_owned();
    let cert_b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    assert_eq!(text_of(&xml, "ds:X509Certificate"), cert_b64);
    // ... and in the metadata.
    let md = app.get(&format!("/v1/auth/saml/idp/metadata?app={id}"), None).await;
    assert!(md.text.contains(&cert_b64));
    assert!(md.text.contains(&format!("entityID=\"{issuer}\"")));
}

#[tokio::test]
async fn post_binding_and_allowed_callbacks_and_bad_acs() {
    let (app, p) = TestApp::with_project().await;
    app.create_user(&p, json!({"loginId": "bob@wiki.test", "email": "bob@wiki.test"})).await;
    let id = saml_app(&app, &p, json!({})).await;
    // An allowed callback (wildcard) is used.
    let other = "https://eu.wiki.test/acs";
    let body = format!(
        "SAMLRequest={}&LoginHint=bob%40wiki.test&projectId={}",
        crate::harness::urlencode(&B64.encode(authn_request("_r2", other))),
        p.id
    );
    let r = post_form(&app, "/v1/auth/saml/idp/sso", &body, None).await;
    assert_eq!(form_action(&r), other);
    let xml = String::from_utf8(B64.decode(form_field(&r, "SAMLResponse").unwrap()).unwrap()).unwrap();
    assert!(xml.contains(&format!("Recipient=\"{other}\"")));
    verify_assertion(&xml, &project_key(&app, &p).await);

    // An ACS URL the app does not allow is refused, and nothing is posted to it.
    let evil = "https://evil.test/acs";
    let url = format!(
        "/v1/auth/saml/idp/sso?app={id}&LoginHint=bob%40wiki.test&SAMLRequest={}",
        redirect_param(&authn_request("_r3", evil))
    );
    let r = app.get(&url, None).await;
    r.assert_error(400, "E011004");
    assert!(!r.text.contains("<form"));
    // Unknown app, garbage requests.
    let r = app
        .get(
            &format!(
                "/v1/auth/saml/idp/sso?app=nope&SAMLRequest={}",
                redirect_param(&authn_request("_r", ACS))
            ),
            None,
        )
        .await;
    assert_eq!(r.status.as_u16(), 404);
    let r = app.get(&format!("/v1/auth/saml/idp/sso?app={id}&SAMLRequest=%%%"), None).await;
    assert_eq!(r.status.as_u16(), 400);
    let r = app
        .get(&format!("/v1/auth/saml/idp/sso?app={id}&SAMLRequest={}", redirect_param("<x/>")), None)
        .await;
    assert_eq!(r.status.as_u16(), 400);
    let r = app.get(&format!("/v1/auth/saml/idp/sso?app={id}"), None).await;
    r.assert_error(400, "E011002");
}

#[tokio::test]
async fn idp_initiated_defaults_to_sha1_and_the_default_relay_state() {
    let (app, p) = TestApp::with_project().await;
    app.create_user(&p, json!({"loginId": "cy@wiki.test", "email": "cy@wiki.test"})).await;
    let id = saml_app(&app, &p, json!({"defaultSignatureAlgorithm": "", "defaultRelayState": "/home"})).await;
    let r = app.get(&format!("/v1/auth/saml/idp/initiate?app={id}&LoginHint=cy%40wiki.test"), None).await;
    assert_eq!(form_action(&r), ACS);
    assert_eq!(form_field(&r, "RelayState").unwrap(), "/home");
    let xml = String::from_utf8(B64.decode(form_field(&r, "SAMLResponse").unwrap()).unwrap()).unwrap();
    assert!(!xml.contains("InResponseTo"));
    assert_eq!(verify_assertion(&xml, &project_key(&app, &p).await), "sha1");
}

#[tokio::test]
async fn signin_page_then_finish_once_and_expiry() {
    let (app, p) = TestApp::with_project().await;
    app.create_user(&p, json!({"loginId": "dee@wiki.test", "email": "dee@wiki.test"})).await;
    let id = saml_app(&app, &p, json!({})).await;
    let url =
        format!("/v1/auth/saml/idp/sso?app={id}&SAMLRequest={}", redirect_param(&authn_request("_r4", ACS)));
    let page = app.get(&url, None).await;
    assert_eq!(page.status.as_u16(), 200);
    assert!(page.text.contains("action=\"/v1/auth/saml/idp/sso-finish\""), "{}", page.text);
    let state_id = state_of(&page);
    let body = format!("state_id={}&login_id=dee%40wiki.test", crate::harness::urlencode(&state_id));
    let r = post_form(&app, "/v1/auth/saml/idp/sso-finish", &body, None).await;
    let xml = String::from_utf8(B64.decode(form_field(&r, "SAMLResponse").unwrap()).unwrap()).unwrap();
    assert!(xml.contains("InResponseTo=\"_r4\""));
    verify_assertion(&xml, &project_key(&app, &p).await);
    // The state is used once.
    post_form(&app, "/v1/auth/saml/idp/sso-finish", &body, None).await.assert_error(400, "E011004");

    // A sign-in left waiting past its lifetime (emulator clock) expires.
    let page = app.get(&url, None).await;
    let state_id = state_of(&page);
    app.advance_clock(601).await;
    let body = format!("state_id={}&login_id=dee%40wiki.test", crate::harness::urlencode(&state_id));
    let r = post_form(&app, "/v1/auth/saml/idp/sso-finish", &body, None).await;
    r.assert_error(400, "E011004");
    assert!(r.text.contains("expired"));
}

#[tokio::test]
async fn finish_with_a_session_answers_json_with_additional_attributes() {
    let (app, p) = TestApp::with_project().await;
    let id = saml_app(&app, &p, json!({"subjectNameIdType": ""})).await;
    let s = app.sign_up_with_otp(&p, "eve@wiki.test").await;
    let jwt = s["sessionJwt"].as_str().unwrap().to_owned();
    let user_id = crate::harness::claims(&jwt)["sub"].as_str().unwrap().to_owned();
    let url = format!(
        "/v1/auth/saml/idp/sso?app={id}&RelayState=x&SAMLRequest={}",
        redirect_param(&authn_request("_r5", ACS))
    );
    let page = app.get(&url, None).await;
    let state_id = state_of(&page);
    let r = app
        .post(
            "/v1/auth/saml/idp/sso-finish",
            Some(&p.with(&jwt)),
            json!({"state_id": state_id, "sso_app_id": id, "additionalSAMLAttributes": {"plan": "gold", "tags": ["a", "b"]}}),
        )
        .await;
    let body = r.assert_ok();
    assert_eq!(body["url"], ACS);
    assert_eq!(body["relayState"], "x");
    assert_eq!(body["error"], "");
    let xml = String::from_utf8(B64.decode(body["samlResponse"].as_str().unwrap()).unwrap()).unwrap();
    assert_eq!(text_of(&xml, "saml:NameID"), user_id);
    assert!(xml.contains("<saml:Attribute Name=\"plan\" NameFormat=\"urn:oasis:names:tc:SAML:2.0:attrname-format:basic\"><saml:AttributeValue>gold</saml:AttributeValue></saml:Attribute>"));
    assert!(xml.contains(
        "<saml:AttributeValue>a</saml:AttributeValue><saml:AttributeValue>b</saml:AttributeValue>"
    ));
    verify_assertion(&xml, &project_key(&app, &p).await);
    // A session signs in at once as well.
    let r = app.get(&url, Some(&p.with(&jwt))).await;
    assert!(form_field(&r, "SAMLResponse").is_some());
    // Bad finish bodies are 4xx.
    app.post("/v1/auth/saml/idp/sso-finish", None, json!({"state_id": 3})).await.assert_error(400, "E011004");
    app.post("/v1/auth/saml/idp/sso-finish", None, json!({})).await.assert_error(400, "E011002");
    app.post("/v1/auth/saml/idp/sso-finish", None, json!({"state_id": "x.y"}))
        .await
        .assert_error(400, "E011004");
}

#[tokio::test]
async fn a_disabled_user_gets_a_failed_response() {
    let (app, p) = TestApp::with_project().await;
    app.create_user(&p, json!({"loginId": "fay@wiki.test", "email": "fay@wiki.test"})).await;
    app.post(
        "/v1/mgmt/user/update/status",
        Some(&p.mgmt()),
        json!({"loginId": "fay@wiki.test", "status": "disabled"}),
    )
    .await
    .assert_ok();
    let id = saml_app(&app, &p, json!({})).await;
    let url = format!(
        "/v1/auth/saml/idp/sso?app={id}&LoginHint=fay%40wiki.test&SAMLRequest={}",
        redirect_param(&authn_request("_r6", ACS))
    );
    let r = app.get(&url, None).await;
    assert_eq!(form_action(&r), ACS);
    let xml = String::from_utf8(B64.decode(form_field(&r, "SAMLResponse").unwrap()).unwrap()).unwrap();
    assert!(xml.contains("urn:oasis:names:tc:SAML:2.0:status:Responder"));
    assert!(!xml.contains("<saml:Assertion"));
    assert!(xml.contains("InResponseTo=\"_r6\""));
}

#[tokio::test]
async fn wsfed_passive_sign_in_posts_a_signed_wresult() {
    let (app, p) = TestApp::with_project().await;
    app.create_user(&p, json!({"loginId": "gus@legacy.test", "email": "gus@legacy.test"})).await;
    let r = app
        .post(
            "/v1/mgmt/sso/idp/app/wsfed/create",
            Some(&p.mgmt()),
            json!({"name": "Legacy", "loginPageUrl": "", "realm": "urn:legacy", "replyUrl": "https://legacy.test/wsfed",
                   "attributeMapping": [{"name": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "type": "", "value": "email"}]}),
        )
        .await;
    let id = r.assert_ok()["id"].as_str().unwrap().to_owned();
    let url = format!("/v1/auth/wsfed/idp/sso?app={id}&wa=wsignin1.0&wtrealm=urn%3Alegacy&wctx=c1&LoginHint=gus%40legacy.test");
    let r = app.get(&url, None).await;
    assert_eq!(form_action(&r), "https://legacy.test/wsfed");
    assert_eq!(form_field(&r, "wa").unwrap(), "wsignin1.0");
    assert_eq!(form_field(&r, "wctx").unwrap(), "c1");
    let wresult = form_field(&r, "wresult").unwrap();
    assert!(wresult.starts_with("<t:RequestSecurityTokenResponse "), "{wresult}");
    assert_eq!(text_of(&wresult, "saml:Audience"), "urn:legacy");
    assert_eq!(text_of(&wresult, "wsa:Address"), "urn:legacy");
    assert!(wresult.contains("<saml:AttributeValue>gus@legacy.test</saml:AttributeValue>"));
    verify_assertion(&wresult, &project_key(&app, &p).await);
    // The app is found by its realm too; a reply URL it does not allow is refused.
    let r = app.get(&format!("/v1/auth/wsfed/idp/sso?projectId={}&wa=wsignin1.0&wtrealm=urn%3Alegacy&LoginHint=gus%40legacy.test", p.id), None).await;
    assert!(form_field(&r, "wresult").is_some());
    let r = app.get(&format!("{url}&wreply=https%3A%2F%2Fevil.test%2F"), None).await;
    r.assert_error(400, "E011004");
    let r = app.get(&format!("/v1/auth/wsfed/idp/sso?app={id}&wa=wsignout1.0"), None).await;
    r.assert_error(400, "E011004");
    // IdP-initiated, and finish through the page.
    let page = app.get(&format!("/v1/auth/wsfed/idp/initiate?app={id}&wctx=z"), None).await;
    let state_id = state_of(&page);
    let r = app
        .post(
            "/v1/auth/wsfed/idp/sso-finish",
            None,
            json!({"state_id": state_id, "loginId": "gus@legacy.test"}),
        )
        .await;
    let body = r.assert_ok();
    assert_eq!(body["replyURL"], "https://legacy.test/wsfed");
    assert_eq!(body["wctx"], "z");
    verify_assertion(body["wresult"].as_str().unwrap(), &project_key(&app, &p).await);
}

#[tokio::test]
async fn entra_mfa_posts_an_id_token_for_the_hint() {
    let (app, p) = TestApp::with_project().await;
    app.create_user(&p, json!({"loginId": "hal@corp.test", "email": "hal@corp.test"})).await;
    let hint = format!(
        "{}.{}.sig",
        B64URL.encode(br#"{"alg":"RS256","typ":"JWT"}"#),
        B64URL.encode(json!({"sub": "entra-sub-1", "oid": "oid-1", "tid": "tid-1", "preferred_username": "hal@corp.test"}).to_string())
    );
    let redirect = "https://login.microsoftonline.com/common/federation/externalauthprovider";
    let claims = r#"{"id_token":{"acr":{"essential":true,"values":["possessionorinherence"]},"amr":{"essential":true,"values":["otp","face"]}}}"#;
    let form = |response_type: &str, client: &str| {
        format!(
            "client_id={client}&redirect_uri={}&response_type={response_type}&response_mode=form_post&scope=openid&state=s1&nonce=n1&id_token_hint={hint}&claims={}",
            crate::harness::urlencode(redirect),
            crate::harness::urlencode(claims)
        )
    };
    let r = post_form(&app, "/oauth2/v1/authorize/entramfa", &form("id_token", &p.id), None).await;
    assert_eq!(form_action(&r), redirect);
    assert_eq!(form_field(&r, "state").unwrap(), "s1");
    let token = form_field(&r, "id_token").unwrap();
    let c = crate::harness::claims(&token);
    assert_eq!(c["sub"], "entra-sub-1");
    assert_eq!(c["tid"], "tid-1");
    assert_eq!(c["oid"], "oid-1");
    assert_eq!(c["aud"], p.id.as_str());
    assert_eq!(c["nonce"], "n1");
    assert_eq!(c["acr"], "possessionorinherence");
    assert_eq!(c["amr"], json!(["otp"]));
    assert_eq!(c["iss"], format!("http://emulator.test/{}", p.id));
    // Signed by the project's key.
    let (signed, sig) = token.rsplit_once('.').unwrap();
    let key = project_key(&app, &p).await;
    RsaPublicKeyComponents { n: &key.0, e: &key.1 }
        .verify(&signature::RSA_PKCS1_2048_8192_SHA256, signed.as_bytes(), &B64URL.decode(sig).unwrap())
        .unwrap();
    // Errors after the client and redirect URI are known are posted back; before, a 400.
    let r = post_form(&app, "/oauth2/v1/authorize/entramfa", &form("code", &p.id), None).await;
    assert_eq!(form_field(&r, "error").unwrap(), "unsupported_response_type");
    let r = post_form(&app, "/oauth2/v1/authorize/entramfa", &form("id_token", "nope"), None).await;
    assert_eq!(r.status.as_u16(), 400);
    assert_eq!(r.body["error"], "invalid_request");
    let r = post_form(&app, "/oauth2/v1/authorize/entramfa", "client_id=x&id_token_hint=%%", None).await;
    assert_eq!(r.status.as_u16(), 400);
}
