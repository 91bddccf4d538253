//! Snapshots of the wire shapes of the main responses (STYLE.md 2.11), so that a change of
//! shape shows up as a reviewed diff of `tests/it/snapshots/`.
//!
//! What changes from run to run is redacted, in two passes:
//! - values the test knows (the project ID, a user's ID, a code, a token, ...) become a named
//!   placeholder such as `[projectId]` wherever they appear, also inside longer strings (`iss`,
//!   links, message bodies), so the snapshot still shows which value is which;
//! - insta redactions by field name: JWTs become `[jwt]` (after checking they are JWTs), other
//!   IDs and secrets `[<field>]` (an empty string stays visible), and times are written as
//!   their distance from the emulator clock, which every test here sets to [`T0`] first:
//!   `[now:s]`, `[now+10m:s]`, `[now:ms]`, `[now:ms-string]`. The unit is part of the shape.
//!   A time that follows the real clock instead shows as `[real-clock:...]`.
//!
//! To accept a change of shape: `INSTA_UPDATE=always cargo test --test it snapshots_wire`,
//! then read the diff of the `.snap` files before committing them.

use insta::internals::{Content, ContentPath};
use serde_json::{json, Value};

use crate::harness::{claims, jwt_header, TestApp, TestProject};

/// The emulator time every test here starts from: 2024-03-15 13:45:30 UTC.
const T0: i64 = 1_710_510_330;

/// Fields holding Unix times, in seconds or milliseconds.
const TIME_FIELDS: &[&str] = &[
    "createdTime",
    "modifiedTime",
    "loginTime",
    "occurred",
    "iat",
    "exp",
    "nbf",
    "cookieExpiration",
    "sessionExpiration",
    "expiration",
    "expireTime",
    "consentExpiration",
];

/// Fields holding JWTs.
const JWT_FIELDS: &[&str] = &["sessionJwt", "refreshJwt", "jwt"];

/// Fields holding generated IDs and secrets.
const SECRET_FIELDS: &[&str] = &[
    "id",
    "userId",
    "projectId",
    "keyId",
    "kid",
    "jti",
    "sub",
    "managementKey",
    "cleartext",
    "clientId",
    "code",
    "token",
    "link",
    "pendingRef",
    "linkId",
];

/// The redactions shared by every snapshot of this module.
fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_sort_maps(true);
    for field in TIME_FIELDS {
        settings.add_redaction(&format!(".**.{field}"), insta::dynamic_redaction(redact_time));
    }
    for field in JWT_FIELDS {
        settings.add_redaction(&format!(".**.{field}"), insta::dynamic_redaction(redact_jwt));
    }
    for field in SECRET_FIELDS {
        settings.add_redaction(&format!(".**.{field}"), insta::dynamic_redaction(redact_secret));
    }
    // The JWK modulus: its length is the shape (a 2048-bit key), not its value.
    settings.add_redaction(
        ".keys[].n",
        insta::dynamic_redaction(|v: Content, _: ContentPath<'_>| {
            format!("[{} base64url chars]", v.as_str().expect("n is a string").len())
        }),
    );
    settings
}

/// `[now:s]`, `[now+10m:s]`, ... for a time near [`T0`]; 0 and other constants stay as they are.
fn redact_time(value: Content, _path: ContentPath<'_>) -> Content {
    let (raw, string) = match value.resolve_inner() {
        Content::String(s) => match s.parse::<i64>() {
            Ok(n) => (n, true),
            Err(_) => return value,
        },
        other => match other.as_i64() {
            Some(n) => (n, false),
            None => return value,
        },
    };
    if raw == 0 {
        return value;
    }
    let ms = raw.abs() > 100_000_000_000;
    let secs = if ms { raw.div_euclid(1000) } else { raw };
    let unit = match (ms, string) {
        (true, true) => "ms-string",
        (true, false) => "ms",
        (false, true) => "s-string",
        (false, false) => "s",
    };
    let real_now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    if (secs - real_now).abs() < 3600 {
        return Content::from(format!("[real-clock:{unit}]"));
    }
    // The clock runs on from T0, so round to the minute: a test takes well under 30 s.
    let minutes = ((secs - T0) as f64 / 60.0).round() as i64;
    if minutes.abs() > 60 * 24 * 365 * 10 {
        return value; // a fixed time the test gave, e.g. a snapshot's createdTime
    }
    let offset = match minutes {
        0 => String::new(),
        m if m % (60 * 24) == 0 => format!("{:+}d", m / (60 * 24)),
        m if m % 60 == 0 => format!("{:+}h", m / 60),
        m => format!("{m:+}m"),
    };
    Content::from(format!("[now{offset}:{unit}]"))
}

fn redact_jwt(value: Content, path: ContentPath<'_>) -> Content {
    match value.as_str() {
        Some("") => value,
        Some(jwt) => {
            assert!(jwt.starts_with("eyJ") && jwt.split('.').count() == 3, "{path} is not a JWT: {jwt}");
            Content::from("[jwt]")
        }
        None => value,
    }
}

fn redact_secret(value: Content, path: ContentPath<'_>) -> Content {
    match value.as_str() {
        // Empty strings and placeholders of known values are part of the shape.
        Some(s) if s.is_empty() || s.starts_with('[') => value,
        Some(_) => {
            let path = path.to_string();
            let field = path.rsplit('.').next().unwrap_or_default();
            Content::from(format!("[{field}]"))
        }
        None => value,
    }
}

/// Replaces every occurrence of a known value, in every string, by its placeholder.
fn scrub(value: &Value, known: &[(String, &str)]) -> Value {
    match value {
        Value::String(s) => {
            let mut s = s.clone();
            for (secret, placeholder) in known {
                if !secret.is_empty() {
                    s = s.replace(secret.as_str(), placeholder);
                }
            }
            Value::String(s)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| scrub(v, known)).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), scrub(v, known))).collect()),
        other => other.clone(),
    }
}

/// The values of a test that change from run to run, with their placeholders.
struct Known(Vec<(String, &'static str)>);

impl Known {
    fn of(p: &TestProject) -> Self {
        Known(vec![(p.id.clone(), "[projectId]"), (p.management_key.clone(), "[managementKey]")])
    }

    fn with(mut self, value: &Value, placeholder: &'static str) -> Self {
        let value = value.as_str().unwrap_or_else(|| panic!("{placeholder} is not a string: {value}"));
        self.0.push((value.to_owned(), placeholder));
        // Longest first, so that a value inside another is not replaced half-way.
        self.0.sort_by_key(|(v, _)| std::cmp::Reverse(v.len()));
        self
    }

    #[track_caller]
    fn assert_snapshot(&self, name: &str, value: &Value) {
        let scrubbed = scrub(value, &self.0);
        settings().bind(|| insta::assert_json_snapshot!(name, scrubbed));
    }
}

/// A fresh app with its clock at [`T0`], and a project.
async fn setup() -> (TestApp, TestProject) {
    let (app, p) = TestApp::with_project().await;
    app.set_clock(T0).await;
    (app, p)
}

#[tokio::test]
async fn otp_start_and_verify() {
    let (app, p) = setup().await;
    let r = app
        .post(
            "/v1/auth/otp/signup/email",
            Some(&p.bearer()),
            json!({"loginId": "ann@example.com", "user": {"name": "Ann"}}),
        )
        .await;
    Known::of(&p).assert_snapshot("otp_start_email", r.assert_ok());
    let r = app.post("/v1/auth/otp/signup/sms", Some(&p.bearer()), json!({"loginId": "+15551234567"})).await;
    Known::of(&p).assert_snapshot("otp_start_sms", r.assert_ok());

    let msg = app.outbox_latest(&p, "ann@example.com").await;
    let known = Known::of(&p).with(&msg["code"], "[code]").with(&msg["id"], "[messageId]");
    known.assert_snapshot("emulator_outbox_message", &msg);

    let r = app
        .post(
            "/v1/auth/otp/verify/email",
            Some(&p.bearer()),
            json!({"loginId": "ann@example.com", "code": msg["code"]}),
        )
        .await;
    let auth = r.assert_ok();
    let known = Known::of(&p).with(&auth["user"]["userId"], "[userId]");
    known.assert_snapshot("auth_info_otp_verify", auth);

    let session = auth["sessionJwt"].as_str().unwrap();
    let jwks = app.get(&format!("/v2/keys/{}", p.id), None).await;
    let known = known.with(&jwks.assert_ok()["keys"][0]["kid"], "[kid]");
    known.assert_snapshot(
        "session_jwt_decoded",
        &json!({"header": jwt_header(session), "payload": claims(session)}),
    );
    let refresh = auth["refreshJwt"].as_str().unwrap();
    known.assert_snapshot(
        "refresh_jwt_decoded",
        &json!({"header": jwt_header(refresh), "payload": claims(refresh)}),
    );

    let r = app
        .post(
            "/v1/mgmt/audit/search",
            Some(&p.mgmt()),
            json!({"actions": ["LoginSucceed"], "userIds": [auth["user"]["userId"]]}),
        )
        .await;
    known.assert_snapshot("mgmt_audit_search", r.assert_ok());
}

#[tokio::test]
async fn user_load_and_search() {
    let (app, p) = setup().await;
    app.create_tenant(&p, json!({"name": "Acme", "id": "acme"})).await;
    app.post("/v1/mgmt/permission/create", Some(&p.mgmt()), json!({"name": "read"})).await.assert_ok();
    app.post("/v1/mgmt/role/create", Some(&p.mgmt()), json!({"name": "viewer", "permissionNames": ["read"]}))
        .await
        .assert_ok();
    app.create_role(&p, "admin", "acme").await;
    // Every field of the create request set.
    let created = app
        .create_user(
            &p,
            json!({
                "loginId": "ann@example.com", "email": "ann@example.com", "phone": "+15551234567",
                "displayName": "Ann Lee", "givenName": "Ann", "middleName": "Q", "familyName": "Lee",
                "roleNames": ["viewer"], "userTenants": [{"tenantId": "acme", "roleNames": ["admin"]}],
                "picture": "https://example.com/ann.png",
                "customAttributes": {"plan": "pro", "seats": 3, "beta": true},
                "additionalLoginIds": ["ann-alias"], "ssoAppIDs": ["app1"], "invite": false, "test": false,
                "verifiedEmail": true, "verifiedPhone": true, "password": "Secret-pass-1"
            }),
        )
        .await;
    let r = app.get("/v1/mgmt/user?loginId=ann%40example.com", Some(&p.mgmt())).await;
    let known = Known::of(&p).with(&created["userId"], "[userId]");
    known.assert_snapshot("mgmt_user_load", r.assert_ok());

    let bob = app.create_user(&p, json!({"loginId": "bob@example.com"})).await;
    let r = app
        .post(
            "/v2/mgmt/user/search",
            Some(&p.mgmt()),
            json!({"limit": 10, "page": 0, "sort": [{"field": "email", "desc": false}]}),
        )
        .await;
    let known = known.with(&bob["userId"], "[bobUserId]");
    known.assert_snapshot("mgmt_user_search", r.assert_ok());
}

#[tokio::test]
async fn tenant_load_and_search() {
    let (app, p) = setup().await;
    let id = app
        .create_tenant(
            &p,
            json!({"name": "Acme", "selfProvisioningDomains": ["acme.com"], "customAttributes": {"tier": "gold"},
                   "enforceSSO": false, "disabled": false}),
        )
        .await;
    let known = Known::of(&p).with(&json!(id), "[tenantId]");
    let r = app.get(&format!("/v1/mgmt/tenant?id={id}"), Some(&p.mgmt())).await;
    known.assert_snapshot("mgmt_tenant_load", r.assert_ok());
    let r = app.post("/v1/mgmt/tenant/search", Some(&p.mgmt()), json!({"tenantNames": ["Acme"]})).await;
    known.assert_snapshot("mgmt_tenant_search", r.assert_ok());
}

#[tokio::test]
async fn role_and_permission_lists() {
    let (app, p) = setup().await;
    let m = p.mgmt();
    app.create_tenant(&p, json!({"name": "Acme", "id": "acme"})).await;
    app.post(
        "/v1/mgmt/permission/create/batch",
        Some(&m),
        json!({"permissions": [{"name": "read", "description": "Read things"}, {"name": "write"}]}),
    )
    .await
    .assert_ok();
    app.post(
        "/v1/mgmt/role/create",
        Some(&m),
        json!({"name": "viewer", "description": "Views", "permissionNames": ["read"]}),
    )
    .await
    .assert_ok();
    app.post(
        "/v1/mgmt/role/create",
        Some(&m),
        json!({"name": "editor", "permissionNames": ["read", "write"], "tenantId": "acme", "default": true}),
    )
    .await
    .assert_ok();
    let r = app.get("/v1/mgmt/role/all", Some(&m)).await;
    Known::of(&p).assert_snapshot("mgmt_role_all", r.assert_ok());
    let r = app.get("/v1/mgmt/permission/all", Some(&m)).await;
    Known::of(&p).assert_snapshot("mgmt_permission_all", r.assert_ok());
}

#[tokio::test]
async fn access_key_create_and_load() {
    let (app, p) = setup().await;
    app.create_tenant(&p, json!({"name": "Acme", "id": "acme"})).await;
    app.create_role(&p, "reader", "").await;
    let r = app
        .post(
            "/v1/mgmt/accesskey/create",
            Some(&p.mgmt()),
            json!({
                "name": "ci", "expireTime": T0 + 3600, "roleNames": ["reader"],
                "keyTenants": [{"tenantId": "acme", "roleNames": []}], "userId": null,
                "customClaims": {"team": "infra"}, "description": "for CI", "permittedIps": ["10.0.0.0/8"],
                "customAttributes": {"env": "prod"}
            }),
        )
        .await;
    let created = r.assert_ok();
    let known =
        Known::of(&p).with(&created["key"]["id"], "[keyId]").with(&created["cleartext"], "[cleartext]");
    known.assert_snapshot("mgmt_accesskey_create", created);
    let r = app
        .get(&format!("/v1/mgmt/accesskey?id={}", created["key"]["id"].as_str().unwrap()), Some(&p.mgmt()))
        .await;
    known.assert_snapshot("mgmt_accesskey_load", r.assert_ok());
}

#[tokio::test]
async fn emulator_project_create() {
    let app = TestApp::new().await;
    app.set_clock(T0).await;
    let r = app.post("/emulator/v1/projects", None, json!({})).await;
    let b = r.assert_ok();
    let p = TestProject {
        id: b["projectId"].as_str().unwrap().to_owned(),
        management_key: b["managementKey"].as_str().unwrap().to_owned(),
    };
    Known::of(&p).assert_snapshot("emulator_project_create", b);
}

#[tokio::test]
async fn jwks_and_openid_configuration() {
    let (app, p) = setup().await;
    let r = app.get(&format!("/v2/keys/{}", p.id), None).await;
    let jwks = r.assert_ok();
    let known = Known::of(&p).with(&jwks["keys"][0]["kid"], "[kid]");
    known.assert_snapshot("jwks", jwks);
    let r = app.get(&format!("/{}/.well-known/openid-configuration", p.id), None).await;
    known.assert_snapshot("openid_configuration", r.assert_ok());
}

#[tokio::test]
async fn descope_error_bodies() {
    let (app, p) = setup().await;
    let r = app.post("/v1/auth/otp/signin/email", Some(&p.bearer()), json!({})).await;
    assert_eq!(r.status, 400, "{}", r.text);
    Known::of(&p).assert_snapshot("error_400_missing_argument", &r.body);
    let r = app
        .post("/v1/auth/otp/signin/email", Some(&p.bearer()), json!({"loginId": "nobody@example.com"}))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    Known::of(&p).assert_snapshot("error_400_user_not_found", &r.body);
    let r = app.get("/v1/auth/me", None).await;
    assert_eq!(r.status, 401, "{}", r.text);
    Known::of(&p).assert_snapshot("error_401_no_authorization", &r.body);
    let r = app.get("/v1/mgmt/user?loginId=x", Some(&p.with("wrong-key"))).await;
    assert_eq!(r.status, 401, "{}", r.text);
    Known::of(&p).assert_snapshot("error_401_bad_management_key", &r.body);
}
