//! WebAuthn (passkeys): full ceremonies through the emulator's software authenticator
//! (`/emulator/v1/projects/{p}/authenticators`), the verification refusing bad responses
//! without changing anything, update with and without `mfa`, discoverable sign-in, the
//! management passkey calls, snapshots and reset.

use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use base64::Engine;
use ciborium::value::Value as Cbor;
use serde_json::{json, Value};

use crate::harness::{claims, TestApp, TestProject, TestResponse};

const ORIGIN: &str = "http://localhost:3000";
const B64URL: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

fn authenticators(p: &TestProject) -> String {
    format!("/emulator/v1/projects/{}/authenticators", p.id)
}

async fn new_authenticator(app: &TestApp, p: &TestProject, body: Value) -> String {
    let r = app.post(&authenticators(p), None, body).await;
    r.assert_ok()["authenticatorId"].as_str().unwrap().to_owned()
}

/// The authenticator's `create` (or `get`) answer for start options.
async fn act(
    app: &TestApp,
    p: &TestProject,
    auth: &str,
    verb: &str,
    options: &Value,
    origin: &str,
) -> TestResponse {
    app.post(
        &format!("{}/{auth}/{verb}", authenticators(p)),
        None,
        json!({"options": options, "origin": origin}),
    )
    .await
}

async fn respond(app: &TestApp, p: &TestProject, auth: &str, verb: &str, options: &Value) -> String {
    act(app, p, auth, verb, options, ORIGIN).await.assert_ok()["response"].as_str().unwrap().to_owned()
}

async fn start(app: &TestApp, path: &str, bearer: &str, body: Value) -> Value {
    app.post(&format!("/v1/auth/webauthn/{path}"), Some(bearer), body).await.assert_ok().clone()
}

async fn finish(app: &TestApp, p: &TestProject, path: &str, tx: &Value, response: &str) -> TestResponse {
    app.post(
        &format!("/v1/auth/webauthn/{path}"),
        Some(&p.bearer()),
        json!({"transactionId": tx, "response": response}),
    )
    .await
}

/// The decoded `options` string of a start answer.
fn options(started: &Value) -> Value {
    serde_json::from_str(started["options"].as_str().expect("options is a JSON string")).unwrap()
}

async fn sign_up(app: &TestApp, p: &TestProject, auth: &str, login: &str) -> Value {
    let body = json!({"user": {"loginId": login, "name": "Pat Key"}, "origin": ORIGIN});
    let started = start(app, "signup/start", &p.bearer(), body).await;
    let response = respond(app, p, auth, "create", &started["options"]).await;
    finish(app, p, "signup/finish", &started["transactionId"], &response).await.assert_ok().clone()
}

/// A sign-in start and the authenticator's assertion for it.
async fn assertion(app: &TestApp, p: &TestProject, auth: &str, login: &str) -> (Value, String) {
    let started = start(app, "signin/start", &p.bearer(), json!({"loginId": login, "origin": ORIGIN})).await;
    let response = respond(app, p, auth, "get", &started["options"]).await;
    (started["transactionId"].clone(), response)
}

async fn sign_in(app: &TestApp, p: &TestProject, auth: &str, login: &str) -> Value {
    let (tx, response) = assertion(app, p, auth, login).await;
    finish(app, p, "signin/finish", &tx, &response).await.assert_ok().clone()
}

async fn passkeys(app: &TestApp, p: &TestProject, login: &str) -> Vec<Value> {
    let r = app.post("/v1/mgmt/user/passkeys/list", Some(&p.mgmt()), json!({"loginId": login})).await;
    r.assert_ok()["passkeys"].as_array().unwrap().clone()
}

async fn held(app: &TestApp, p: &TestProject, auth: &str) -> Vec<Value> {
    let r = app.get(&format!("{}/{auth}/credentials", authenticators(p)), None).await;
    r.assert_ok()["credentials"].as_array().unwrap().clone()
}

/// Rewrites one base64url member of the inner `response` of a credential JSON string.
fn tamper(response: &str, field: &str, change: impl FnOnce(&mut Vec<u8>)) -> String {
    let mut v: Value = serde_json::from_str(response).unwrap();
    let mut bytes = B64URL.decode(v["response"][field].as_str().unwrap()).unwrap();
    change(&mut bytes);
    v["response"][field] = json!(B64URL.encode(bytes));
    v.to_string()
}

#[tokio::test]
async fn sign_up_then_sign_in() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let auth = new_authenticator(&app, &p, json!({})).await;
    let login = "pat@example.com";

    let body = json!({"user": {"loginId": login, "name": "Pat Key"}, "origin": ORIGIN});
    let started = start(&app, "signup/start", &p.bearer(), body).await;
    assert_eq!(started["create"], true);
    let o = options(&started);
    let pk = &o["publicKey"];
    assert_eq!(pk["rp"]["id"], "localhost");
    assert_eq!(pk["user"]["name"], login);
    assert_eq!(pk["user"]["displayName"], "Pat Key");
    assert_eq!(B64URL.decode(pk["challenge"].as_str().unwrap()).unwrap().len(), 32);
    let algs: Vec<i64> =
        pk["pubKeyCredParams"].as_array().unwrap().iter().map(|a| a["alg"].as_i64().unwrap()).collect();
    assert_eq!(algs, vec![-7, -257, -8]);
    assert_eq!(pk["excludeCredentials"], json!([]));
    assert_eq!(pk["attestation"], "none");

    // The options as an object work as well as the string.
    let response = respond(&app, &p, &auth, "create", &o).await;
    let created: Value = serde_json::from_str(&response).unwrap();
    let credential_id = created["id"].as_str().unwrap().to_owned();
    let jwt =
        finish(&app, &p, "signup/finish", &started["transactionId"], &response).await.assert_ok().clone();
    assert_eq!(jwt["firstSeen"], true);
    assert_eq!(jwt["user"]["webauthn"], true);
    assert_eq!(jwt["user"]["loginIds"], json!([login]));
    assert_eq!(jwt["user"]["name"], "Pat Key");
    assert_eq!(claims(jwt["sessionJwt"].as_str().unwrap())["amr"], json!(["webauthn"]));

    let keys = passkeys(&app, &p, login).await;
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["id"], credential_id.as_str());
    assert_eq!(keys[0]["rpId"], "localhost");

    // Sign-in offers that credential; Go spells the transaction `transactionID`, and the
    // response may be an object.
    let started = start(&app, "signin/start", &p.bearer(), json!({"loginId": login, "origin": ORIGIN})).await;
    assert_eq!(started["create"], false);
    let o = options(&started);
    assert_eq!(o["publicKey"]["rpId"], "localhost");
    assert_eq!(o["publicKey"]["allowCredentials"], json!([{"type": "public-key", "id": credential_id}]));
    let response = respond(&app, &p, &auth, "get", &started["options"]).await;
    let object: Value = serde_json::from_str(&response).unwrap();
    let r = app
        .post(
            "/v1/auth/webauthn/signin/finish",
            Some(&p.bearer()),
            json!({"transactionID": started["transactionId"], "response": object}),
        )
        .await;
    let jwt = r.assert_ok();
    assert_eq!(jwt["firstSeen"], false);
    assert_eq!(claims(jwt["sessionJwt"].as_str().unwrap())["amr"], json!(["webauthn"]));

    let creds = held(&app, &p, &auth).await;
    assert_eq!(creds.len(), 1);
    assert_eq!(creds[0]["id"], credential_id.as_str());
    assert_eq!(creds[0]["rpId"], "localhost");
    assert_eq!(creds[0]["signCount"], 1);
    assert!(!creds[0]["userHandle"].as_str().unwrap().is_empty());

    // A second sign-in counts on.
    sign_in(&app, &p, &auth, login).await;
    assert_eq!(held(&app, &p, &auth).await[0]["signCount"], 2);
}

#[tokio::test]
async fn every_algorithm_signs_up_and_in() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    for (alg, login) in [(-7, "es@example.com"), (-257, "rs@example.com"), (-8, "ed@example.com")] {
        let auth = new_authenticator(&app, &p, json!({"alg": alg})).await;
        sign_up(&app, &p, &auth, login).await;
        let jwt = sign_in(&app, &p, &auth, login).await;
        assert_eq!(jwt["user"]["loginIds"], json!([login]), "alg {alg}");
    }
    app.post(&authenticators(&p), None, json!({"alg": -35})).await.assert_error(400, "E011004");
}

#[tokio::test]
async fn sign_up_or_in_takes_both_branches() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let auth = new_authenticator(&app, &p, json!({})).await;
    let login = "sam@example.com";

    let body = json!({"loginId": login, "origin": ORIGIN});
    let started = start(&app, "signup-in/start", &p.bearer(), body.clone()).await;
    assert_eq!(started["create"], true);
    let response = respond(&app, &p, &auth, "create", &started["options"]).await;
    // A registration transaction is not finished by sign-in.
    finish(&app, &p, "signin/finish", &started["transactionId"], &response)
        .await
        .assert_error(401, "E067001");
    let jwt =
        finish(&app, &p, "signup/finish", &started["transactionId"], &response).await.assert_ok().clone();
    assert_eq!(jwt["firstSeen"], true);

    let started = start(&app, "signup-in/start", &p.bearer(), body).await;
    assert_eq!(started["create"], false);
    let response = respond(&app, &p, &auth, "get", &started["options"]).await;
    let again =
        finish(&app, &p, "signin/finish", &started["transactionId"], &response).await.assert_ok().clone();
    assert_eq!(again["user"]["userId"], jwt["user"]["userId"]);

    // A user without a passkey registers one (create), keeping their user ID.
    let otp = app.sign_up_with_otp(&p, "olga@example.com").await;
    let started =
        start(&app, "signup-in/start", &p.bearer(), json!({"loginId": "olga@example.com", "origin": ORIGIN}))
            .await;
    assert_eq!(started["create"], true);
    let response = respond(&app, &p, &auth, "create", &started["options"]).await;
    let jwt =
        finish(&app, &p, "signup/finish", &started["transactionId"], &response).await.assert_ok().clone();
    assert_eq!(jwt["user"]["userId"], otp["user"]["userId"]);
    assert_eq!(jwt["user"]["webauthn"], true);
}

#[tokio::test]
async fn discoverable_sign_in() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let auth = new_authenticator(&app, &p, json!({"hasResidentKey": true})).await;
    let other = new_authenticator(&app, &p, json!({})).await;
    let ann = sign_up(&app, &p, &auth, "ann@example.com").await;
    sign_up(&app, &p, &other, "bob@example.com").await;

    let started = start(&app, "signin/start", &p.bearer(), json!({"loginId": "", "origin": ORIGIN})).await;
    assert_eq!(options(&started)["publicKey"]["allowCredentials"], json!([]));
    let response = respond(&app, &p, &auth, "get", &started["options"]).await;
    let jwt =
        finish(&app, &p, "signin/finish", &started["transactionId"], &response).await.assert_ok().clone();
    assert_eq!(jwt["user"]["userId"], ann["user"]["userId"]);

    // A userHandle that is not the credential's user is refused.
    let started = start(&app, "signin/start", &p.bearer(), json!({"loginId": "", "origin": ORIGIN})).await;
    let response = respond(&app, &p, &auth, "get", &started["options"]).await;
    let mut v: Value = serde_json::from_str(&response).unwrap();
    v["response"]["userHandle"] = json!(B64URL.encode(b"someone else"));
    finish(&app, &p, "signin/finish", &started["transactionId"], &v.to_string())
        .await
        .assert_error(401, "E067002");

    // Without resident keys, an empty allowCredentials finds nothing.
    let plain = new_authenticator(&app, &p, json!({"hasResidentKey": false})).await;
    sign_up(&app, &p, &plain, "cy@example.com").await;
    act(&app, &p, &plain, "get", &started["options"], ORIGIN).await.assert_error(400, "E011004");
    // With the login ID it signs in.
    sign_in(&app, &p, &plain, "cy@example.com").await;
}

#[tokio::test]
async fn update_adds_a_passkey_with_and_without_mfa() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let login = "uma@example.com";
    let otp = app.sign_up_with_otp(&p, login).await;
    let refresh = otp["refreshJwt"].as_str().unwrap();
    let first = new_authenticator(&app, &p, json!({})).await;

    // The refresh JWT is required.
    app.post(
        "/v1/auth/webauthn/update/start",
        Some(&p.bearer()),
        json!({"loginId": login, "origin": ORIGIN}),
    )
    .await
    .assert_error(401, "E061005");
    let started =
        start(&app, "update/start", &p.with(refresh), json!({"loginId": login, "origin": ORIGIN})).await;
    let response = respond(&app, &p, &first, "create", &started["options"]).await;
    let r = finish(&app, &p, "update/finish", &started["transactionId"], &response).await;
    assert_eq!(r.assert_ok(), &json!({}));
    assert_eq!(passkeys(&app, &p, login).await.len(), 1);

    // The user's passkeys are excluded: the same authenticator refuses to register again.
    let body = json!({"loginId": login, "origin": ORIGIN, "mfa": true});
    let started = start(&app, "update/start", &p.with(refresh), body).await;
    let excluded = &options(&started)["publicKey"]["excludeCredentials"];
    assert_eq!(excluded.as_array().unwrap().len(), 1);
    act(&app, &p, &first, "create", &started["options"], ORIGIN).await.assert_error(400, "E011004");

    // With mfa, the finish answers a session whose amr adds webauthn to the OTP factor.
    let second = new_authenticator(&app, &p, json!({})).await;
    let response = respond(&app, &p, &second, "create", &started["options"]).await;
    let r = finish(&app, &p, "update/finish", &started["transactionId"], &response).await;
    let jwt = &r.assert_ok()["jwt"];
    assert_eq!(jwt["user"]["webauthn"], true);
    assert_eq!(claims(jwt["sessionJwt"].as_str().unwrap())["amr"], json!(["email", "webauthn", "mfa"]));
    assert_eq!(passkeys(&app, &p, login).await.len(), 2);
    // Both sign in.
    sign_in(&app, &p, &first, login).await;
    sign_in(&app, &p, &second, login).await;
}

#[tokio::test]
async fn bad_responses_are_refused_and_change_nothing() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let auth = new_authenticator(&app, &p, json!({})).await;
    let login = "neg@example.com";

    // Registration: wrong origin, wrong rpId, malformed CBOR and base64, then the good one.
    let body = json!({"user": {"loginId": login}, "origin": ORIGIN});
    let started = start(&app, "signup/start", &p.bearer(), body).await;
    let tx = &started["transactionId"];
    let wrong_origin = act(&app, &p, &auth, "create", &started["options"], "http://evil.test:3000").await;
    let wrong_origin = wrong_origin.assert_ok()["response"].as_str().unwrap().to_owned();
    finish(&app, &p, "signup/finish", tx, &wrong_origin).await.assert_error(401, "E067002");
    let mut o = options(&started);
    o["publicKey"]["rp"]["id"] = json!("evil.test");
    let wrong_rp = respond(&app, &p, &auth, "create", &o).await;
    finish(&app, &p, "signup/finish", tx, &wrong_rp).await.assert_error(401, "E067002");
    let good = respond(&app, &p, &auth, "create", &started["options"]).await;
    let mut v: Value = serde_json::from_str(&good).unwrap();
    v["response"]["attestationObject"] = json!("!!not base64!!");
    finish(&app, &p, "signup/finish", tx, &v.to_string()).await.assert_error(400, "E011004");
    v["response"]["attestationObject"] = json!(B64URL.encode([0xff, 0x00, 0x13]));
    finish(&app, &p, "signup/finish", tx, &v.to_string()).await.assert_error(400, "E011004");
    finish(&app, &p, "signup/finish", tx, "{not json").await.assert_error(400, "E011004");
    finish(&app, &p, "signup/finish", tx, "").await.assert_error(400, "E011002");
    let tampered = tamper(&good, "clientDataJSON", |b| {
        let text = String::from_utf8(b.clone()).unwrap().replace("webauthn.create", "webauthn.get");
        *b = text.into_bytes();
    });
    finish(&app, &p, "signup/finish", tx, &tampered).await.assert_error(401, "E067002");
    // Nothing was created by the failures; the transaction still works once.
    app.get(&format!("/v1/mgmt/user?loginId={login}"), Some(&p.mgmt())).await.assert_error(400, "E112102");
    finish(&app, &p, "signup/finish", tx, &good).await.assert_ok();
    finish(&app, &p, "signup/finish", tx, &good).await.assert_error(401, "E067001");
    // The same credential can't be registered twice (another user, same authenticator output).
    let started =
        start(&app, "signup/start", &p.bearer(), json!({"loginId": "dup@example.com", "origin": ORIGIN}))
            .await;
    let mut reused: Value = serde_json::from_str(&good).unwrap();
    let fresh: Value =
        serde_json::from_str(&respond(&app, &p, &auth, "create", &started["options"]).await).unwrap();
    reused["response"]["clientDataJSON"] = fresh["response"]["clientDataJSON"].clone();
    finish(&app, &p, "signup/finish", &started["transactionId"], &reused.to_string())
        .await
        .assert_error(400, "E067004");

    // Assertion: tampered signature, clientData and authData; the good one then verifies.
    let (tx, good) = assertion(&app, &p, &auth, login).await;
    let bad_sig = tamper(&good, "signature", |b| {
        let last = b.len() - 1;
        b[last] ^= 1;
    });
    finish(&app, &p, "signin/finish", &tx, &bad_sig).await.assert_error(401, "E067002");
    let bad_client = tamper(&good, "clientDataJSON", |b| b.extend_from_slice(b" "));
    finish(&app, &p, "signin/finish", &tx, &bad_client).await.assert_error(401, "E067002");
    let bad_auth = tamper(&good, "authenticatorData", |b| b[36] ^= 0x40);
    finish(&app, &p, "signin/finish", &tx, &bad_auth).await.assert_error(401, "E067002");
    let no_up = tamper(&good, "authenticatorData", |b| b[32] &= !0x01);
    finish(&app, &p, "signin/finish", &tx, &no_up).await.assert_error(401, "E067002");
    let short = tamper(&good, "authenticatorData", |b| b.truncate(20));
    finish(&app, &p, "signin/finish", &tx, &short).await.assert_error(400, "E011004");
    finish(&app, &p, "signin/finish", &tx, &good).await.assert_ok();
    // Replay.
    finish(&app, &p, "signin/finish", &tx, &good).await.assert_error(401, "E067001");
    // Unknown transaction, and one of another project.
    finish(&app, &p, "signin/finish", &json!("nope"), &good).await.assert_error(401, "E067001");
    let (tx, good) = assertion(&app, &p, &auth, login).await;
    let q = app.new_project().await;
    finish(&app, &q, "signin/finish", &tx, &good).await.assert_error(401, "E067001");
    finish(&app, &p, "signin/finish", &tx, &good).await.assert_ok();

    // Expired by the emulator clock.
    let (tx, good) = assertion(&app, &p, &auth, login).await;
    app.advance_clock(301).await;
    finish(&app, &p, "signin/finish", &tx, &good).await.assert_error(401, "E067001");

    // The signature counter must grow: an older assertion after a newer one is refused.
    let (old_tx, old) = assertion(&app, &p, &auth, login).await;
    let (new_tx, new) = assertion(&app, &p, &auth, login).await;
    finish(&app, &p, "signin/finish", &new_tx, &new).await.assert_ok();
    finish(&app, &p, "signin/finish", &old_tx, &old).await.assert_error(401, "E067002");
}

#[tokio::test]
async fn credentials_of_another_user_or_unknown_are_refused() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let a = new_authenticator(&app, &p, json!({})).await;
    let b = new_authenticator(&app, &p, json!({})).await;
    sign_up(&app, &p, &a, "a@example.com").await;
    sign_up(&app, &p, &b, "b@example.com").await;

    // B's sign-in answered with A's resident credential.
    let started =
        start(&app, "signin/start", &p.bearer(), json!({"loginId": "b@example.com", "origin": ORIGIN})).await;
    let mut o = options(&started);
    o["publicKey"]["allowCredentials"] = json!([]);
    let response = respond(&app, &p, &a, "get", &o).await;
    finish(&app, &p, "signin/finish", &started["transactionId"], &response)
        .await
        .assert_error(401, "E067003");

    // A credential that was deleted is unknown.
    let id = held(&app, &p, &a).await[0]["id"].as_str().unwrap().to_owned();
    let del = json!({"loginId": "a@example.com", "credentialId": id});
    app.post("/v1/mgmt/user/passkey/delete", Some(&p.mgmt()), del).await.assert_ok();
    let user =
        app.post("/v1/mgmt/user/passkeys/list", Some(&p.mgmt()), json!({"loginId": "a@example.com"})).await;
    assert_eq!(user.assert_ok()["passkeys"], json!([]));
    app.post(
        "/v1/auth/webauthn/signin/start",
        Some(&p.bearer()),
        json!({"loginId": "a@example.com", "origin": ORIGIN}),
    )
    .await
    .assert_error(400, "E067005");
    let started = start(&app, "signin/start", &p.bearer(), json!({"loginId": "", "origin": ORIGIN})).await;
    let response = respond(&app, &p, &a, "get", &started["options"]).await;
    finish(&app, &p, "signin/finish", &started["transactionId"], &response)
        .await
        .assert_error(401, "E067003");
    let loaded = app.get("/v1/mgmt/user?loginId=a%40example.com", Some(&p.mgmt())).await;
    assert_eq!(loaded.assert_ok()["user"]["webauthn"], false);

    // Bad start input.
    let bearer = p.bearer();
    let bad = |body: Value| app.post("/v1/auth/webauthn/signup/start", Some(&bearer), body);
    bad(json!({"origin": ORIGIN})).await.assert_error(400, "E011002");
    bad(json!({"loginId": "z@example.com"})).await.assert_error(400, "E011002");
    bad(json!({"loginId": "z@example.com", "origin": "not a url"})).await.assert_error(400, "E011004");
    bad(json!({"loginId": "a@example.com", "origin": ORIGIN})).await.assert_error(400, "E062107");
    app.post(
        "/v1/auth/webauthn/signin/start",
        Some(&p.bearer()),
        json!({"loginId": "ghost", "origin": ORIGIN}),
    )
    .await
    .assert_error(400, "E062108");
    // Unknown authenticators.
    let unknown = format!("{}/AUTHnope/credentials", authenticators(&p));
    app.get(&unknown, None).await.assert_error(404, "E011008");
    app.delete(&format!("{}/{a}", authenticators(&p)), None).await.assert_ok();
    app.delete(&format!("{}/{a}", authenticators(&p)), None).await.assert_error(404, "E011008");
}

/// A registration response made here, not by the emulator: P-256 key, packed self
/// attestation (signed by `signer`, the credential key when `None`), padded standard base64.
fn packed_registration(challenge: &str, cred_id: &[u8], signer: Option<&EcdsaKeyPair>) -> String {
    packed_registration_with(challenge, cred_id, signer, None)
}

/// A DER element (short or long length form).
fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    if content.len() < 0x80 {
        out.push(content.len() as u8);
    } else {
        out.push(0x82);
        out.extend_from_slice(&(content.len() as u16).to_be_bytes());
    }
    out.extend_from_slice(content);
    out
}

/// A certificate-shaped DER holding `key`'s public key (its signature is not checked).
fn certificate_of(key: &EcdsaKeyPair) -> Vec<u8> {
    use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
    let spki: PublicKeyX509Der = key.public_key().as_der().unwrap();
    let tbs = [
        der(0xa0, &der(0x02, &[2])),
        der(0x02, &[1]),
        der(0x30, &[]),
        der(0x30, &[]),
        der(0x30, &[]),
        der(0x30, &[]),
        spki.as_ref().to_vec(),
    ]
    .concat();
    der(0x30, &[der(0x30, &tbs), der(0x30, &[]), der(0x03, &[0])].concat())
}

/// [`packed_registration`], with an x5c attestation certificate of `attester` (which then signs)
/// when given.
fn packed_registration_with(
    challenge: &str,
    cred_id: &[u8],
    signer: Option<&EcdsaKeyPair>,
    attester: Option<&EcdsaKeyPair>,
) -> String {
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
    let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref()).unwrap();
    let point = key.public_key().as_ref().to_vec();
    let int = |i: i64| Cbor::Integer(i.into());
    let cose = Cbor::Map(vec![
        (int(1), int(2)),
        (int(3), int(-7)),
        (int(-1), int(1)),
        (int(-2), Cbor::Bytes(point[1..33].to_vec())),
        (int(-3), Cbor::Bytes(point[33..].to_vec())),
    ]);
    let mut cose_bytes = Vec::new();
    ciborium::ser::into_writer(&cose, &mut cose_bytes).unwrap();
    let mut auth_data = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, b"localhost").as_ref().to_vec();
    auth_data.push(0x01 | 0x04 | 0x40);
    auth_data.extend_from_slice(&7u32.to_be_bytes());
    auth_data.extend_from_slice(&[0u8; 16]);
    auth_data.extend_from_slice(&(cred_id.len() as u16).to_be_bytes());
    auth_data.extend_from_slice(cred_id);
    auth_data.extend_from_slice(&cose_bytes);
    let client = json!({"type": "webauthn.create", "challenge": challenge, "origin": ORIGIN}).to_string();
    let client_hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, client.as_bytes());
    let sig = signer
        .or(attester)
        .unwrap_or(&key)
        .sign(&rng, &[&auth_data[..], client_hash.as_ref()].concat())
        .unwrap();
    let mut statement = vec![
        (Cbor::Text("alg".into()), int(-7)),
        (Cbor::Text("sig".into()), Cbor::Bytes(sig.as_ref().to_vec())),
    ];
    if let Some(attester) = attester {
        statement.push((Cbor::Text("x5c".into()), Cbor::Array(vec![Cbor::Bytes(certificate_of(attester))])));
    }
    let attestation = Cbor::Map(vec![
        (Cbor::Text("fmt".into()), Cbor::Text("packed".into())),
        (Cbor::Text("attStmt".into()), Cbor::Map(statement)),
        (Cbor::Text("authData".into()), Cbor::Bytes(auth_data)),
    ]);
    let mut att_bytes = Vec::new();
    ciborium::ser::into_writer(&attestation, &mut att_bytes).unwrap();
    let std64 = base64::engine::general_purpose::STANDARD;
    json!({
        "id": B64URL.encode(cred_id),
        "type": "public-key",
        "response": {"attestationObject": std64.encode(&att_bytes), "clientDataJSON": std64.encode(&client)},
        "clientExtensionResults": {"credProps": {"rk": true}},
    })
    .to_string()
}

#[tokio::test]
async fn third_party_packed_self_attestation_verifies() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let body = json!({"loginId": "own@example.com", "origin": ORIGIN});
    let started = start(&app, "signup/start", &p.bearer(), body.clone()).await;
    let challenge = options(&started)["publicKey"]["challenge"].as_str().unwrap().to_owned();

    // Signed by some other key: refused.
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let other = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
    let other = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, other.as_ref()).unwrap();
    let forged = packed_registration(&challenge, b"my own credential", Some(&other));
    finish(&app, &p, "signup/finish", &started["transactionId"], &forged).await.assert_error(401, "E067002");

    let response = packed_registration(&challenge, b"my own credential", None);
    let jwt = finish(&app, &p, "signup/finish", &started["transactionId"], &response).await;
    assert_eq!(jwt.assert_ok()["user"]["webauthn"], true);
    let keys = passkeys(&app, &p, "own@example.com").await;
    assert_eq!(keys[0]["id"], B64URL.encode(b"my own credential"));

    // Packed with an x5c certificate: signed by the certificate's key, not by another.
    let started =
        start(&app, "signup/start", &p.bearer(), json!({"loginId": "x5c@example.com", "origin": ORIGIN}))
            .await;
    let challenge = options(&started)["publicKey"]["challenge"].as_str().unwrap().to_owned();
    let attester = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
    let attester = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, attester.as_ref()).unwrap();
    let forged = packed_registration_with(&challenge, b"x5c credential", Some(&other), Some(&attester));
    finish(&app, &p, "signup/finish", &started["transactionId"], &forged).await.assert_error(401, "E067002");
    let response = packed_registration_with(&challenge, b"x5c credential", None, Some(&attester));
    finish(&app, &p, "signup/finish", &started["transactionId"], &response).await.assert_ok();
}

#[tokio::test]
async fn snapshot_round_trip_and_reset() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let auth = new_authenticator(&app, &p, json!({})).await;
    let login = "snap@example.com";
    sign_up(&app, &p, &auth, login).await;
    sign_in(&app, &p, &auth, login).await;

    let snapshot = app.export_snapshot(&p.id).await;
    let user = snapshot["users"].as_array().unwrap().iter().find(|u| u["loginIds"][0] == login).unwrap();
    let passkey = &user["passkeys"][0];
    assert_eq!(passkey["signCount"], 1);
    assert_eq!(passkey["alg"], -7);
    assert!(!passkey["userHandle"].as_str().unwrap().is_empty());
    assert_eq!(snapshot["authenticators"][0]["id"], auth.as_str());
    assert_eq!(snapshot["authenticators"][0]["credentials"][0]["signCount"], 1);

    // Reset forgets passkeys and authenticators.
    app.post(&format!("/emulator/v1/projects/{}/reset", p.id), None, json!({})).await.assert_ok();
    app.get(&format!("{}/{auth}/credentials", authenticators(&p)), None).await.assert_error(404, "E011008");
    app.post(
        "/v1/auth/webauthn/signin/start",
        Some(&p.bearer()),
        json!({"loginId": login, "origin": ORIGIN}),
    )
    .await
    .assert_error(400, "E062108");

    // The restored project signs in with the same authenticator and key, counting on.
    app.put_snapshot(&p.id, &snapshot).await.assert_ok();
    assert_eq!(held(&app, &p, &auth).await[0]["signCount"], 1);
    let jwt = sign_in(&app, &p, &auth, login).await;
    assert_eq!(jwt["user"]["loginIds"], json!([login]));
    assert_eq!(held(&app, &p, &auth).await[0]["signCount"], 2);
}

/// An assertion for request options made here with `key` (counter `count`).
fn own_assertion(options: &Value, cred_id: &[u8], key: &EcdsaKeyPair, count: u32) -> String {
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let pk = &options["publicKey"];
    let rp_id = pk["rpId"].as_str().unwrap();
    let mut auth_data =
        aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, rp_id.as_bytes()).as_ref().to_vec();
    auth_data.push(0x05);
    auth_data.extend_from_slice(&count.to_be_bytes());
    let client = json!({"type": "webauthn.get", "challenge": pk["challenge"], "origin": ORIGIN}).to_string();
    let client_hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, client.as_bytes());
    let sig = key.sign(&rng, &[&auth_data[..], client_hash.as_ref()].concat()).unwrap();
    json!({
        "id": B64URL.encode(cred_id),
        "rawId": B64URL.encode(cred_id),
        "type": "public-key",
        "response": {
            "authenticatorData": B64URL.encode(&auth_data),
            "clientDataJSON": B64URL.encode(&client),
            "signature": B64URL.encode(sig.as_ref()),
        },
    })
    .to_string()
}

#[tokio::test]
async fn imported_passkeys_sign_in() {
    use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let std64 = base64::engine::general_purpose::STANDARD;
    // One key imported as a COSE key, one as a SubjectPublicKeyInfo.
    for (login, as_spki) in [("cose@example.com", false), ("spki@example.com", true)] {
        app.create_user(&p, json!({"loginId": login})).await;
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref()).unwrap();
        let point = key.public_key().as_ref().to_vec();
        let public_key = if as_spki {
            let der: PublicKeyX509Der = key.public_key().as_der().unwrap();
            der.as_ref().to_vec()
        } else {
            let int = |i: i64| Cbor::Integer(i.into());
            let cose = Cbor::Map(vec![
                (int(1), int(2)),
                (int(3), int(-7)),
                (int(-1), int(1)),
                (int(-2), Cbor::Bytes(point[1..33].to_vec())),
                (int(-3), Cbor::Bytes(point[33..].to_vec())),
            ]);
            let mut bytes = Vec::new();
            ciborium::ser::into_writer(&cose, &mut bytes).unwrap();
            bytes
        };
        let cred_id = format!("imported-{login}").into_bytes();
        let import = json!({"loginId": login, "devices": [{"descope": {
            "credentialId": B64URL.encode(&cred_id), "rpId": "localhost", "publicKey": std64.encode(&public_key),
        }}]});
        app.post("/v1/mgmt/user/passkeys/import", Some(&p.mgmt()), import).await.assert_ok();
        let started =
            start(&app, "signin/start", &p.bearer(), json!({"loginId": login, "origin": ORIGIN})).await;
        let o = options(&started);
        let response = own_assertion(&o, &cred_id, &key, 0);
        let jwt = finish(&app, &p, "signin/finish", &started["transactionId"], &response).await;
        assert_eq!(jwt.assert_ok()["user"]["loginIds"], json!([login]), "{login}");
        // Counters of 0 on both sides are allowed again; a counter that appears must grow.
        let started =
            start(&app, "signin/start", &p.bearer(), json!({"loginId": login, "origin": ORIGIN})).await;
        let response = own_assertion(&options(&started), &cred_id, &key, 5);
        finish(&app, &p, "signin/finish", &started["transactionId"], &response).await.assert_ok();
        let started =
            start(&app, "signin/start", &p.bearer(), json!({"loginId": login, "origin": ORIGIN})).await;
        let response = own_assertion(&options(&started), &cred_id, &key, 0);
        finish(&app, &p, "signin/finish", &started["transactionId"], &response)
            .await
            .assert_error(401, "E067002");
    }
}

#[tokio::test]
async fn odd_input_is_a_4xx() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let auth = new_authenticator(&app, &p, json!({})).await;
    let started =
        start(&app, "signup/start", &p.bearer(), json!({"loginId": "odd@example.com", "origin": ORIGIN}))
            .await;
    let url = |verb: &str| format!("{}/{auth}/{verb}", authenticators(&p));
    for body in [
        json!({}),
        json!({"options": 5, "origin": ORIGIN}),
        json!({"options": "not json", "origin": ORIGIN}),
        json!({"options": {"publicKey": "x"}, "origin": ORIGIN}),
        json!({"options": {"publicKey": {}}, "origin": ORIGIN}),
        json!({"options": {"publicKey": {"challenge": "!!"}}, "origin": ORIGIN}),
        json!({"options": started["options"]}),
        json!({"options": started["options"], "origin": "nope"}),
    ] {
        for verb in ["create", "get"] {
            let r = app.post(&url(verb), None, body.clone()).await;
            assert!(r.status.is_client_error(), "{verb} {body}: {} {}", r.status, r.text);
        }
    }
    let mut o = options(&started);
    o["publicKey"]["pubKeyCredParams"] = json!([{"type": "public-key", "alg": -257}]);
    act(&app, &p, &auth, "create", &o, ORIGIN).await.assert_error(400, "E011004");
    o["publicKey"]["user"] = json!({});
    act(&app, &p, &auth, "create", &o, ORIGIN).await.assert_error(400, "E011002");

    let tx = &started["transactionId"];
    for response in
        [json!(5), json!([1]), json!({}), json!({"response": 3}), json!({"id": 7, "response": {}})]
    {
        let r = app
            .post(
                "/v1/auth/webauthn/signup/finish",
                Some(&p.bearer()),
                json!({"transactionId": tx, "response": response}),
            )
            .await;
        assert!(r.status.is_client_error(), "{response}: {} {}", r.status, r.text);
    }
    let r = app.post("/v1/auth/webauthn/signup/finish", Some(&p.bearer()), json!({"transactionId": 5})).await;
    assert!(r.status.is_client_error(), "{}", r.text);
    // The transaction survived all of it.
    let response = respond(&app, &p, &auth, "create", &started["options"]).await;
    finish(&app, &p, "signup/finish", tx, &response).await.assert_ok();
}

#[tokio::test]
async fn sign_in_with_mfa_and_stepup_adds_to_the_session() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let login = "mia@example.com";
    let otp = app.sign_up_with_otp(&p, login).await;
    let refresh = otp["refreshJwt"].as_str().unwrap();
    let auth = new_authenticator(&app, &p, json!({})).await;
    let started =
        start(&app, "update/start", &p.with(refresh), json!({"loginId": login, "origin": ORIGIN})).await;
    let response = respond(&app, &p, &auth, "create", &started["options"]).await;
    finish(&app, &p, "update/finish", &started["transactionId"], &response).await.assert_ok();

    // stepup and mfa need the refresh JWT.
    let body = json!({"loginId": login, "origin": ORIGIN, "loginOptions": {"mfa": true}});
    app.post("/v1/auth/webauthn/signin/start", Some(&p.bearer()), body.clone())
        .await
        .assert_error(401, "E011101");
    let started = start(&app, "signin/start", &p.with(refresh), body).await;
    let response = respond(&app, &p, &auth, "get", &started["options"]).await;
    let jwt =
        finish(&app, &p, "signin/finish", &started["transactionId"], &response).await.assert_ok().clone();
    assert_eq!(claims(jwt["sessionJwt"].as_str().unwrap())["amr"], json!(["email", "webauthn", "mfa"]));

    let body = json!({"loginId": login, "origin": ORIGIN, "loginOptions": {"stepup": true, "customClaims": {"k": 1}}});
    let started = start(&app, "signin/start", &p.with(refresh), body).await;
    let response = respond(&app, &p, &auth, "get", &started["options"]).await;
    let jwt =
        finish(&app, &p, "signin/finish", &started["transactionId"], &response).await.assert_ok().clone();
    let c = claims(jwt["sessionJwt"].as_str().unwrap());
    assert_eq!(c["amr"], json!(["email", "webauthn"]));
    assert_eq!(c["k"], 1);
}
