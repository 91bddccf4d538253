//! The emulator-only surface of EMULATOR_API.md: projects, snapshots, outbox, clock, health,
//! keys and discovery.

use axum::http::Method;
use descope_emulator::domain::messaging::channel::ChannelKind;
use descope_emulator::domain::messaging::outbox::{self, Outgoing};
use descope_emulator::store;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

use crate::harness::{
    jwt_header, names, TestApp, TestProject, BUILTIN_PERMISSIONS, PUBLIC_URL, TENANT_ADMIN,
};
use descope_emulator::ids::{ProjectId, Scope};

fn is_descope_project_id(id: &str) -> bool {
    id.len() == 28 && id.starts_with('P') && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

async fn kids(app: &TestApp, project: &str) -> Vec<String> {
    let r = app.get(&format!("/v2/keys/{project}"), None).await;
    r.assert_ok()["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap().to_owned()).collect()
}

/// Writes an outbox message through the crate API, as a Descope flow would.
async fn write_message(
    app: &TestApp,
    project: &TestProject,
    channel: ChannelKind,
    to: &str,
    login_id: &str,
    kind: &str,
    code: &str,
) {
    let state = &app.state;
    let ctx = app.ctx(project).await;
    let mut tx = store::begin_immediate(&state.db).await.unwrap();
    outbox::write(
        &mut tx,
        &ctx,
        Outgoing { channel, to, login_id, kind, code: Some(code), link: None, token: None },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    state.outbox.notify(ctx.scope());
}

fn codes(messages: &[Value]) -> Vec<&str> {
    messages.iter().map(|m| m["code"].as_str().unwrap()).collect()
}

/// A snapshot body with a bit of everything.
fn rich_snapshot(project: &str) -> Value {
    json!({
        "projectId": project,
        "permissions": [
            {"name": "read", "description": "Read things"},
            {"name": "write", "description": ""}
        ],
        "roles": [
            {"name": "viewer", "description": "Views", "permissionNames": ["read"]},
            {"name": "admin", "permissionNames": ["read", "write"], "tenantId": "T1"}
        ],
        "tenants": [
            {"id": "T1", "name": "Tenant one", "selfProvisioningDomains": ["one.test"],
             "customAttributes": {"tier": "gold"}},
            {"id": "T2", "name": "Tenant two"}
        ],
        "users": [
            {"userId": "U2alice", "loginIds": ["alice@example.com"], "email": "alice@example.com",
             "name": "Alice", "verifiedEmail": true, "roleNames": ["viewer"],
             "userTenants": [{"tenantId": "T1", "roleNames": ["admin"]}],
             "customAttributes": {"age": 30}, "password": "Secret-pass-1", "createdTime": 1700000000},
            {"userId": "U2bob", "loginIds": ["+15555550100", "bob"], "phone": "+15555550100",
             "verifiedPhone": true, "status": "disabled", "createdTime": 1700000001}
        ]
    })
}

#[tokio::test]
async fn create_project_with_and_without_given_id() {
    let app = TestApp::new().await;

    let r = app.post("/emulator/v1/projects", None, json!({})).await;
    let b = r.assert_ok();
    let id = b["projectId"].as_str().unwrap();
    assert!(is_descope_project_id(id), "{id}");
    assert!(!b["name"].as_str().unwrap().is_empty());
    assert!(!b["managementKey"].as_str().unwrap().is_empty());
    assert!(!b["managementKey"].as_str().unwrap().contains(':'));
    assert_eq!(b.as_object().unwrap().len(), 3, "{b}");

    let r = app.post("/emulator/v1/projects", None, json!({"projectId": null, "name": null})).await;
    assert!(is_descope_project_id(r.assert_ok()["projectId"].as_str().unwrap()));

    let given = "P2GivenProjectId00000000001";
    let r = app.post("/emulator/v1/projects", None, json!({"projectId": given, "name": "Given"})).await;
    assert_eq!(r.assert_ok()["projectId"], given);
    assert_eq!(r.body["name"], "Given");

    // Two projects never share a management key or signing key.
    let other = app.new_project().await;
    assert_ne!(other.management_key, r.body["managementKey"].as_str().unwrap());
    assert_ne!(kids(&app, &other.id).await, kids(&app, given).await);

    let list = app.get("/emulator/v1/projects", None).await;
    let projects = list.assert_ok()["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 4);
    let listed = projects.iter().find(|p| p["projectId"] == given).unwrap();
    assert_eq!(
        listed,
        &json!({"projectId": given, "name": "Given", "managementKey": r.body["managementKey"]})
    );
    assert!(projects.iter().all(|p| p.as_object().unwrap().len() == 3));
}

/// The console lists users through the management API with the project's key, never
/// through the snapshot (which holds the private signing key and password hashes): only the
/// Projects tab (download and upload of a snapshot) names it.
#[tokio::test]
async fn console_lists_users_without_the_snapshot() {
    let app = TestApp::new().await;
    let page = app.get("/emulator/", None).await;
    assert_eq!(page.status, 200);
    for (path, _, text) in descope_emulator::api::emulator::ui::ASSETS {
        if *path != "tabs/projects.js" {
            assert!(!text.contains("/snapshot"), "the console's {path} must not fetch snapshots");
        }
    }

    let p = app.new_project().await;
    app.post("/v1/mgmt/user/create", Some(&p.mgmt()), json!({"loginId": "ann@example.com"}))
        .await
        .assert_ok();
    let one = app.get(&format!("/emulator/v1/projects/{}", p.id), None).await;
    let key = one.assert_ok()["managementKey"].as_str().unwrap().to_owned();
    let bearer = format!("{}:{key}", p.id);
    let users = app.post("/v1/mgmt/user/search", Some(&bearer), json!({"limit": 100})).await;
    assert_eq!(users.assert_ok()["users"][0]["loginIds"], json!(["ann@example.com"]));
}

/// Creations that arrive together are written together: every one gets its own project and
/// key, and of several asking for the same ID exactly one wins.
#[tokio::test]
async fn a_burst_of_creations_each_gets_its_project() {
    let app = std::sync::Arc::new(TestApp::new().await);
    let taken = app.new_project().await;
    let mut asks = Vec::new();
    for i in 0..60 {
        let body = match i % 6 {
            0 => json!({"projectId": "P2SameIdInABurst0000000001"}),
            1 => json!({"projectId": taken.id}),
            _ => json!({"name": format!("burst {i}")}),
        };
        let app = app.clone();
        asks.push(tokio::spawn(async move { app.post("/emulator/v1/projects", None, body).await }));
    }
    let mut created = Vec::new();
    let (mut same_won, mut refused) = (0, 0);
    for ask in asks {
        let r = ask.await.unwrap();
        if r.status == 200 {
            let id = r.body["projectId"].as_str().unwrap().to_owned();
            same_won += usize::from(id == "P2SameIdInABurst0000000001");
            created.push((id, r.body["managementKey"].as_str().unwrap().to_owned()));
        } else {
            r.assert_error(409, "E011009");
            refused += 1;
        }
    }
    assert_eq!(same_won, 1);
    assert_eq!(refused, 10 + 9, "the taken ID ten times, the repeated one nine times");
    assert_eq!(created.len(), 60 - 19);
    for (id, key) in &created {
        let bearer = format!("{id}:{key}");
        let r = app.post("/v1/mgmt/user/create", Some(&bearer), json!({"loginId": "ann@example.com"})).await;
        r.assert_ok();
    }
    let list = app.get("/emulator/v1/projects", None).await;
    assert_eq!(list.assert_ok()["projects"].as_array().unwrap().len(), 60 - 19 + 1);
}

#[tokio::test]
async fn create_project_rejects_invalid_and_duplicate_ids() {
    let app = TestApp::new().await;
    let too_long = format!("P{}", "A".repeat(40));
    for bad in ["X2abc", "p2lowercasestart", "P2with-dash", "P2 space", "P", too_long.as_str(), "P2ünïcode"]
    {
        let r = app.post("/emulator/v1/projects", None, json!({"projectId": bad})).await;
        r.assert_error(400, "E011004");
    }
    let r = app.post("/emulator/v1/projects", None, json!({"projectId": 12})).await;
    r.assert_error(400, "E011001");
    assert!(r.body["errorMessage"].as_str().unwrap().contains("projectId"), "{}", r.text);

    let id = "P2DuplicateProjectId0000001";
    app.post("/emulator/v1/projects", None, json!({"projectId": id})).await.assert_ok();
    let r = app.post("/emulator/v1/projects", None, json!({"projectId": id})).await;
    r.assert_error(409, "E011009");
    let list = app.get("/emulator/v1/projects", None).await;
    assert_eq!(list.assert_ok()["projects"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn deleted_project_is_gone_everywhere() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let keep = app.new_project().await;
    write_message(&app, &p, ChannelKind::Email, "a@x.test", "a@x.test", "otp", "111111").await;

    let r = app.delete(&format!("/emulator/v1/projects/{}", p.id), None).await;
    assert_eq!(r.assert_ok(), &json!({}));

    let list = app.get("/emulator/v1/projects", None).await;
    let ids: Vec<&str> = list.assert_ok()["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["projectId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [keep.id.as_str()]);

    // Its Descope API calls fail with the Descope error body, not 5xx.
    app.get(&format!("/v2/keys/{}", p.id), None).await.assert_error(401, "E011102");
    app.get(&format!("/{}/.well-known/openid-configuration", p.id), None).await.assert_error(401, "E011102");
    let r = app.post("/v1/auth/otp/signup/email", Some(&p.bearer()), json!({"loginId": "a@x.test"})).await;
    assert!(r.status.is_client_error(), "{} {}", r.status, r.text);
    assert!(r.body["errorCode"].is_string(), "{}", r.text);
    assert!(app.state.projects.get(&app.state.db, PUBLIC_URL, &p.id).await.unwrap().is_none());

    // Its emulator routes answer 404.
    for path in ["snapshot", "outbox", "outbox/latest"] {
        app.get(&format!("/emulator/v1/projects/{}/{path}", p.id), None).await.assert_error(404, "E011008");
    }
    app.delete(&format!("/emulator/v1/projects/{}", p.id), None).await.assert_error(404, "E011008");
    app.post(&format!("/emulator/v1/projects/{}/reset", p.id), None, json!({}))
        .await
        .assert_error(404, "E011008");

    // The ID can be taken again, with a fresh key.
    let r = app.post("/emulator/v1/projects", None, json!({"projectId": p.id})).await;
    r.assert_ok();
    assert!(app.outbox(&p, "").await.is_empty());
    assert_eq!(kids(&app, &keep.id).await.len(), 1);
}

#[tokio::test]
async fn reset_removes_data_and_keeps_keys() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let other = app.new_project().await;
    let kid_before = kids(&app, &p.id).await;

    app.put_snapshot(&p.id, &rich_snapshot(&p.id)).await.assert_ok();
    app.put_snapshot(&other.id, &rich_snapshot(&other.id)).await.assert_ok();
    write_message(&app, &p, ChannelKind::Sms, "+15555550100", "bob", "otp", "222222").await;
    write_message(&app, &other, ChannelKind::Sms, "+15555550100", "bob", "otp", "333333").await;
    // A user made through a Descope flow too, when that flow is built.
    let r = app
        .post("/v1/auth/otp/signup/email", Some(&p.bearer()), json!({"loginId": "carol@example.com"}))
        .await;
    let flow_works = r.status == 200;
    if !flow_works {
        assert_eq!(r.status, 501, "{}", r.text);
    }

    // Data outside the snapshot format (access keys) goes too.
    let r = app.post("/v1/mgmt/accesskey/create", Some(&p.mgmt()), json!({"name": "ci"})).await;
    r.assert_ok();
    let search = app.post("/v1/mgmt/accesskey/search", Some(&p.mgmt()), json!({})).await;
    assert_eq!(search.assert_ok()["keys"].as_array().unwrap().len(), 1, "{}", search.text);

    let r = app.post(&format!("/emulator/v1/projects/{}/reset", p.id), None, json!({})).await;
    assert_eq!(r.assert_ok(), &json!({}));
    let search = app.post("/v1/mgmt/accesskey/search", Some(&p.mgmt()), json!({})).await;
    assert_eq!(search.assert_ok()["keys"], json!([]), "access keys survived the reset");

    let snap = app.export_snapshot(&p.id).await;
    for list in ["users", "tenants"] {
        assert_eq!(snap[list], json!([]), "{list} survived the reset: {snap}");
    }
    // Only what every project has is left: the built-in roles and permissions.
    assert_eq!(names(&snap["roles"]), [TENANT_ADMIN], "roles survived the reset: {snap}");
    assert_eq!(names(&snap["permissions"]), BUILTIN_PERMISSIONS, "permissions survived the reset: {snap}");
    assert!(app.outbox(&p, "").await.is_empty());
    if flow_works {
        let r = app
            .post("/v1/auth/otp/signin/email", Some(&p.bearer()), json!({"loginId": "carol@example.com"}))
            .await;
        assert!(r.status.is_client_error(), "the user survived the reset: {}", r.text);
    }

    // Keys are kept: the JWKS is the same, the management key still works.
    assert_eq!(kids(&app, &p.id).await, kid_before);
    assert_eq!(snap["managementKeys"].as_array().unwrap().len(), 1);
    assert_eq!(snap["managementKeys"][0]["key"], p.management_key.as_str());
    let runtime = app.state.projects.require(&app.state.db, PUBLIC_URL, &p.id).await.unwrap();
    assert!(runtime.management_key_matches(&p.management_key));
    app.post("/v1/mgmt/tenant/create", Some(&p.mgmt()), json!({"name": "after reset"})).await.assert_ok();

    // Another project is untouched.
    let other_snap = app.export_snapshot(&other.id).await;
    assert_eq!(other_snap["users"].as_array().unwrap().len(), 2);
    assert_eq!(codes(&app.outbox(&other, "").await), ["333333"]);

    // A reset body is not needed.
    app.send(Method::POST, &format!("/emulator/v1/projects/{}/reset", p.id), None, None).await.assert_ok();
}

#[tokio::test]
async fn snapshot_roundtrip_keeps_users_roles_permissions_tenants() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let path = format!("/emulator/v1/projects/{}/snapshot", p.id);

    let empty = app.export_snapshot(&p.id).await;
    assert_eq!(empty["projectId"], p.id.as_str());
    assert_eq!(empty["signingKeys"].as_array().unwrap().len(), 1);
    assert!(empty["signingKeys"][0]["privateKeyPem"]
        .as_str()
        .unwrap()
        .starts_with("-----BEGIN PRIVATE KEY-----"));

    app.put(&path, None, &rich_snapshot(&p.id)).await.assert_ok();
    let first = app.export_snapshot(&p.id).await;
    assert_eq!(names(&first["permissions"]), ["Impersonate", "User Admin", "SSO Admin", "read", "write"]);
    assert_eq!(names(&first["roles"]), [TENANT_ADMIN, "viewer", "admin"]);
    assert_eq!(first["tenants"].as_array().unwrap().len(), 2);
    assert_eq!(first["tenants"][0]["customAttributes"], json!({"tier": "gold"}));
    let users = first["users"].as_array().unwrap();
    assert_eq!(users.len(), 2);
    let alice = users.iter().find(|u| u["userId"] == "U2alice").unwrap();
    assert_eq!(alice["loginIds"], json!(["alice@example.com"]));
    assert_eq!(alice["roleNames"], json!(["viewer"]));
    assert_eq!(alice["userTenants"], json!([{"tenantId": "T1", "roleNames": ["admin"]}]));
    assert_eq!(alice["customAttributes"], json!({"age": 30}));
    assert_eq!(alice["createdTime"], 1700000000);
    assert!(alice["passwordHash"].as_str().unwrap().starts_with("$argon2"), "{alice}");
    assert!(alice.get("password").is_none(), "cleartext password exported: {alice}");
    let bob = users.iter().find(|u| u["userId"] == "U2bob").unwrap();
    assert_eq!(bob["loginIds"], json!(["+15555550100", "bob"]));
    assert_eq!(bob["status"], "disabled");

    // Change everything, then put the first snapshot back: the state is exactly it again.
    app.post(&format!("/emulator/v1/projects/{}/reset", p.id), None, json!({})).await.assert_ok();
    app.put(
        &path,
        None,
        &json!({"users": [{"loginIds": ["zed@example.com"]}], "tenants": [{"id": "TZ", "name": "Z"}]}),
    )
    .await
    .assert_ok();
    assert_eq!(app.export_snapshot(&p.id).await["users"][0]["loginIds"], json!(["zed@example.com"]));
    app.put(&path, None, &first).await.assert_ok();
    assert_eq!(app.export_snapshot(&p.id).await, first);
    assert_eq!(kids(&app, &p.id).await.len(), 1);

    // The same snapshot also builds the same state in another project.
    let q = app.new_project().await;
    let mut moved = first.clone();
    moved["projectId"] = json!(q.id);
    app.put_snapshot(&q.id, &moved).await.assert_ok();
    let copy = app.export_snapshot(&q.id).await;
    assert_eq!(copy["users"], first["users"]);
    assert_eq!(kids(&app, &q.id).await, kids(&app, &p.id).await, "the snapshot's signing key is used");
    let runtime = app.state.projects.require(&app.state.db, PUBLIC_URL, &q.id).await.unwrap();
    assert!(runtime.management_key_matches(&p.management_key));
    assert!(!runtime.management_key_matches(&q.management_key));
}

#[tokio::test]
async fn snapshot_put_is_all_or_nothing() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let other = app.new_project().await;
    let path = format!("/emulator/v1/projects/{}/snapshot", p.id);
    app.put(&path, None, &rich_snapshot(&p.id)).await.assert_ok();
    write_message(&app, &p, ChannelKind::Email, "alice@example.com", "alice@example.com", "otp", "123456")
        .await;
    let before = app.export_snapshot(&p.id).await;

    // Another project's ID.
    let r = app.put(&path, None, &rich_snapshot(&other.id)).await;
    r.assert_error(400, "E011004");
    assert!(r.body["errorMessage"].as_str().unwrap().contains(&other.id), "{}", r.text);

    let mut bad = Vec::new();
    let mut dup_login = rich_snapshot(&p.id);
    dup_login["users"][1]["loginIds"] = json!(["alice@example.com"]);
    bad.push(("duplicate loginId", dup_login));
    let mut dup_user = rich_snapshot(&p.id);
    dup_user["users"][1]["userId"] = json!("U2alice");
    bad.push(("duplicate userId", dup_user));
    let mut unknown_tenant = rich_snapshot(&p.id);
    unknown_tenant["users"][0]["userTenants"] = json!([{"tenantId": "T-missing"}]);
    bad.push(("unknown tenant", unknown_tenant));
    let mut dup_tenant = rich_snapshot(&p.id);
    dup_tenant["tenants"][1]["id"] = json!("T1");
    bad.push(("duplicate tenant", dup_tenant));
    let mut dup_role = rich_snapshot(&p.id);
    dup_role["roles"][1]["tenantId"] = json!("");
    dup_role["roles"][1]["name"] = json!("viewer");
    bad.push(("duplicate role", dup_role));
    let mut dup_perm = rich_snapshot(&p.id);
    dup_perm["permissions"][1]["name"] = json!("read");
    bad.push(("duplicate permission", dup_perm));
    let mut empty_login = rich_snapshot(&p.id);
    empty_login["users"][0]["loginIds"] = json!([""]);
    bad.push(("empty loginId", empty_login));
    let mut bad_key = rich_snapshot(&p.id);
    bad_key["signingKeys"] =
        json!([{"privateKeyPem": "-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----"}]);
    bad.push(("bad PEM", bad_key));
    let mut not_a_key = rich_snapshot(&p.id);
    not_a_key["signingKeys"] =
        json!([{"privateKeyPem": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"}]);
    bad.push(("not a key", not_a_key));
    let mut bad_mgmt = rich_snapshot(&p.id);
    bad_mgmt["managementKeys"] = json!([{"key": "a:b"}]);
    bad.push(("management key with colon", bad_mgmt));
    let mut wrong_type = rich_snapshot(&p.id);
    wrong_type["users"][0]["loginIds"] = json!("alice@example.com");
    bad.push(("wrong type", wrong_type));

    for (what, body) in bad {
        let r = app.put(&path, None, &body).await;
        assert_eq!(r.status, 400, "{what}: {}", r.text);
        assert!(r.body["errorCode"].is_string(), "{what}: {}", r.text);
        assert_eq!(app.export_snapshot(&p.id).await, before, "{what} changed the state");
    }
    assert_eq!(codes(&app.outbox(&p, "").await), ["123456"]);
    let runtime = app.state.projects.require(&app.state.db, PUBLIC_URL, &p.id).await.unwrap();
    assert!(runtime.management_key_matches(&p.management_key));

    // Leaving out projectId is fine: the path names the project.
    let mut no_id = rich_snapshot(&p.id);
    no_id.as_object_mut().unwrap().remove("projectId");
    no_id["users"] = json!([]);
    app.put(&path, None, &no_id).await.assert_ok();
    assert_eq!(app.export_snapshot(&p.id).await["users"], json!([]));

    // An unknown project is a 404, never a 500.
    let r = app.put("/emulator/v1/projects/P2NoSuchProject000000000001/snapshot", None, &json!({})).await;
    r.assert_error(404, "E011008");
}

#[tokio::test]
async fn outbox_lists_newest_first_with_filters() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let other = app.new_project().await;
    assert!(app.outbox(&p, "").await.is_empty());

    write_message(&app, &p, ChannelKind::Email, "a@x.test", "a@x.test", "otp", "000001").await;
    write_message(&app, &p, ChannelKind::Sms, "+15555550100", "bob", "magiclink", "000002").await;
    write_message(&app, &p, ChannelKind::Email, "a2@x.test", "a@x.test", "magiclink", "000003").await;
    write_message(&app, &p, ChannelKind::Voice, "+15555550100", "bob", "otp", "000004").await;
    write_message(&app, &other, ChannelKind::Email, "a@x.test", "a@x.test", "otp", "999999").await;

    let all = app.outbox(&p, "").await;
    assert_eq!(codes(&all), ["000004", "000003", "000002", "000001"]);
    let m = &all[3];
    for field in [
        "id",
        "projectId",
        "channel",
        "to",
        "loginId",
        "kind",
        "code",
        "link",
        "token",
        "subject",
        "body",
        "createdTime",
    ] {
        assert!(m.get(field).is_some(), "Message has no {field}: {m}");
    }
    assert_eq!(m.as_object().unwrap().len(), 12, "{m}");
    assert_eq!(m["projectId"], p.id.as_str());
    assert_eq!(m["channel"], "email");
    assert_eq!(m["to"], "a@x.test");
    assert_eq!(m["kind"], "otp");
    assert_eq!(m["link"], Value::Null);
    assert!(m["body"].as_str().unwrap().contains("000001"));
    let created = m["createdTime"].as_i64().unwrap();
    assert!((created - app.state.now().millis()).abs() < 60_000, "createdTime is Unix ms: {created}");
    let ids: std::collections::HashSet<&str> = all.iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 4);

    assert_eq!(codes(&app.outbox(&p, "?loginId=a%40x.test").await), ["000003", "000001"]);
    assert_eq!(codes(&app.outbox(&p, "?to=%2B15555550100").await), ["000004", "000002"]);
    assert_eq!(codes(&app.outbox(&p, "?channel=email").await), ["000003", "000001"]);
    assert_eq!(codes(&app.outbox(&p, "?channel=voice").await), ["000004"]);
    assert_eq!(codes(&app.outbox(&p, "?kind=magiclink").await), ["000003", "000002"]);
    assert_eq!(codes(&app.outbox(&p, "?limit=2").await), ["000004", "000003"]);
    assert_eq!(codes(&app.outbox(&p, "?loginId=bob&kind=otp").await), ["000004"]);
    assert_eq!(codes(&app.outbox(&p, "?loginId=bob&channel=sms&kind=magiclink&limit=5").await), ["000002"]);
    assert!(app.outbox(&p, "?loginId=nobody").await.is_empty());
    assert_eq!(codes(&app.outbox(&p, "?loginId=&channel=").await).len(), 4, "empty filters match all");

    for bad in ["?limit=abc", "?wait=soon", "?limit=1.5"] {
        let r = app.get(&format!("/emulator/v1/projects/{}/outbox{bad}", p.id), None).await;
        r.assert_error(400, "E011001");
    }
    // f64 parsing accepts these; they must not crash the request.
    for odd in ["?wait=NaN", "?wait=-5", "?wait=inf", "?limit=-1", "?limit=0"] {
        let r = app.get(&format!("/emulator/v1/projects/{}/outbox{odd}", p.id), None).await;
        assert_eq!(r.status, 200, "{odd}: {}", r.text);
    }
}

#[tokio::test]
async fn outbox_latest_and_clear() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let other = app.new_project().await;
    let latest = format!("/emulator/v1/projects/{}/outbox/latest", p.id);

    let r = app.get(&latest, None).await;
    r.assert_error(404, "E011008");
    assert!(r.headers.contains_key("x-descope-emulator"));

    write_message(&app, &p, ChannelKind::Email, "a@x.test", "a@x.test", "otp", "000001").await;
    write_message(&app, &p, ChannelKind::Sms, "+15555550100", "bob", "otp", "000002").await;
    write_message(&app, &other, ChannelKind::Email, "a@x.test", "a@x.test", "otp", "999999").await;

    assert_eq!(app.get(&latest, None).await.assert_ok()["code"], "000002");
    assert_eq!(app.outbox_latest(&p, "a@x.test").await["code"], "000001");
    assert_eq!(app.get(&format!("{latest}?channel=email"), None).await.assert_ok()["code"], "000001");
    app.get(&format!("{latest}?loginId=nobody"), None).await.assert_error(404, "E011008");

    let r = app.delete(&format!("/emulator/v1/projects/{}/outbox", p.id), None).await;
    assert_eq!(r.assert_ok(), &json!({}));
    assert!(app.outbox(&p, "").await.is_empty());
    app.get(&latest, None).await.assert_error(404, "E011008");
    assert_eq!(codes(&app.outbox(&other, "").await), ["999999"]);
    // Clearing an empty outbox is fine too.
    app.delete(&format!("/emulator/v1/projects/{}/outbox", p.id), None).await.assert_ok();
}

#[tokio::test]
async fn outbox_wait_returns_a_message_written_while_waiting() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    write_message(&app, &p, ChannelKind::Email, "old@x.test", "old@x.test", "otp", "000000").await;

    let list_path = format!("/emulator/v1/projects/{}/outbox?loginId=new%40x.test&wait=10", p.id);
    let latest_path = format!("/emulator/v1/projects/{}/outbox/latest?loginId=new%40x.test&wait=10", p.id);
    let started = Instant::now();
    let (list, latest, _) = tokio::join!(app.get(&list_path, None), app.get(&latest_path, None), async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        // A message for someone else does not end the wait.
        write_message(&app, &p, ChannelKind::Email, "x@x.test", "x@x.test", "otp", "000009").await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        write_message(&app, &p, ChannelKind::Email, "new@x.test", "new@x.test", "otp", "000001").await;
    });
    let elapsed = started.elapsed();
    assert_eq!(codes(list.assert_ok()["messages"].as_array().unwrap()), ["000001"]);
    assert_eq!(latest.assert_ok()["code"], "000001");
    assert!(elapsed >= Duration::from_millis(500), "returned before the message: {elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "did not wake on the message: {elapsed:?}");

    // A message that is already there is returned at once.
    let started = Instant::now();
    app.get(&format!("/emulator/v1/projects/{}/outbox/latest?loginId=old%40x.test&wait=30", p.id), None)
        .await
        .assert_ok();
    // (wait=30: anything well under that means it did not wait; generous for loaded CI machines)
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
}

#[tokio::test]
async fn outbox_wait_with_nothing_times_out() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let list_path = format!("/emulator/v1/projects/{}/outbox?loginId=nobody&wait=1", p.id);
    let latest_path = format!("/emulator/v1/projects/{}/outbox/latest?wait=0.5", p.id);
    let started = Instant::now();
    let (list, latest) = tokio::join!(app.get(&list_path, None), app.get(&latest_path, None));
    let elapsed = started.elapsed();
    assert_eq!(list.assert_ok()["messages"], json!([]));
    latest.assert_error(404, "E011008");
    assert!(elapsed >= Duration::from_millis(950), "did not wait: {elapsed:?}");
    // The upper bound only has to tell "stopped at its deadline" from "waited on"; loaded CI
    // machines stretch the former, so it is loose.
    assert!(elapsed < Duration::from_secs(6), "waited past the requested second: {elapsed:?}");
}

#[tokio::test]
async fn clock_get_advance_set_reset() {
    let app = TestApp::new().await;
    let real =
        || std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;

    let r = app.get("/emulator/v1/clock", None).await;
    let b = r.assert_ok();
    assert_eq!(b.as_object().unwrap().len(), 2, "{b}");
    assert!((b["now"].as_i64().unwrap() - real()).abs() <= 2);
    assert_eq!(b["offsetSeconds"], 0);

    let r = app.post("/emulator/v1/clock", None, json!({"advanceSeconds": 3600})).await;
    assert_eq!(r.assert_ok()["offsetSeconds"], 3600);
    assert!((r.body["now"].as_i64().unwrap() - real() - 3600).abs() <= 2);
    let r = app.post("/emulator/v1/clock", None, json!({"advanceSeconds": -7200})).await;
    assert_eq!(r.assert_ok()["offsetSeconds"], -3600);
    assert_eq!(app.get("/emulator/v1/clock", None).await.body["offsetSeconds"], -3600);
    assert!((app.state.now().secs() - real() + 3600).abs() <= 2, "the app's clock moved too");

    let past = 1_000_000_000;
    let r = app.post("/emulator/v1/clock", None, json!({"set": past})).await;
    assert!((r.assert_ok()["now"].as_i64().unwrap() - past).abs() <= 1);
    assert!((r.body["offsetSeconds"].as_i64().unwrap() + (real() - past)).abs() <= 2);
    let future = real() + 86_400 * 365;
    let r = app.post("/emulator/v1/clock", None, json!({"set": future})).await;
    assert!((r.assert_ok()["now"].as_i64().unwrap() - future).abs() <= 1);

    let r = app.post("/emulator/v1/clock", None, json!({"reset": true})).await;
    assert_eq!(r.assert_ok()["offsetSeconds"], 0);
    assert!((r.body["now"].as_i64().unwrap() - real()).abs() <= 2);
}

#[tokio::test]
async fn clock_rejects_invalid_bodies() {
    let app = TestApp::new().await;
    let bad = [
        json!({"advanceSeconds": 10, "set": 1_000_000_000}),
        json!({"advanceSeconds": 10, "reset": true}),
        json!({"set": 1_000_000_000, "reset": true}),
        json!({}),
        json!({"reset": false}),
        json!({"set": i64::MAX}),
        json!({"set": i64::MIN}),
        json!({"advanceSeconds": i64::MAX}),
        json!({"advanceSeconds": i64::MIN}),
        json!({"advanceSeconds": 300_000_000_000i64}),
    ];
    for body in bad {
        let r = app.post("/emulator/v1/clock", None, body.clone()).await;
        r.assert_error(400, "E011004");
        assert_eq!(
            app.get("/emulator/v1/clock", None).await.body["offsetSeconds"],
            0,
            "{body} moved the clock"
        );
    }
    for body in
        [json!({"advanceSeconds": "10"}), json!({"set": 1.5}), json!({"advanceSeconds": 1e30}), json!([])]
    {
        let r = app.post("/emulator/v1/clock", None, body.clone()).await;
        r.assert_error(400, "E011001");
    }
    app.send(Method::POST, "/emulator/v1/clock", None, None).await.assert_error(400, "E011004");
    assert_eq!(app.get("/emulator/v1/clock", None).await.body["offsetSeconds"], 0);
}

#[tokio::test]
async fn health_answers_ok_with_version() {
    let app = TestApp::new().await;
    let r = app.get("/emulator/v1/health", None).await;
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(r.assert_ok(), &json!({"status": "ok", "version": version}));
    assert_eq!(r.headers["x-descope-emulator"], version);
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("application/json"));
}

#[tokio::test]
async fn keys_are_served_in_every_descope_shape() {
    let app = TestApp::new().await;
    let p = app.new_project().await;

    let r = app.get(&format!("/v2/keys/{}", p.id), None).await;
    let b = r.assert_ok();
    assert_eq!(b.as_object().unwrap().keys().collect::<Vec<_>>(), ["keys"], "{b}");
    let keys = b["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    let key = keys[0].as_object().unwrap();
    let mut fields: Vec<&str> = key.keys().map(String::as_str).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["alg", "e", "kid", "kty", "n", "use"]);
    assert_eq!(key["kty"], "RSA");
    assert_eq!(key["alg"], "RS256");
    assert_eq!(key["use"], "sig");
    assert_eq!(key["e"], "AQAB");
    assert!(key["n"].as_str().unwrap().len() > 300, "a 2048-bit modulus");
    assert!(!key["kid"].as_str().unwrap().is_empty());
    let jwks = b.clone();

    let v1 = app.get(&format!("/v1/keys/{}", p.id), None).await;
    assert_eq!(v1.assert_ok(), &jwks["keys"]);
    let wk = app.get(&format!("/{}/.well-known/jwks.json", p.id), None).await;
    assert_eq!(wk.assert_ok(), &jwks);
    let q = app.get(&format!("/.well-known/jwks.json?projectId={}", p.id), None).await;
    assert_eq!(q.assert_ok(), &jwks);

    let r = app.get(&format!("/{}/.well-known/openid-configuration", p.id), None).await;
    let conf = r.assert_ok();
    let issuer = format!("http://emulator.test/{}", p.id);
    assert_eq!(conf["issuer"], issuer.as_str());
    assert_eq!(conf["jwks_uri"], format!("{issuer}/.well-known/jwks.json").as_str());
    let jwks_path = conf["jwks_uri"].as_str().unwrap().strip_prefix(PUBLIC_URL).unwrap().to_owned();
    assert_eq!(app.get(&jwks_path, None).await.assert_ok(), &jwks);

    // Another project has other keys.
    let other = app.new_project().await;
    assert_ne!(app.get(&format!("/v2/keys/{}", other.id), None).await.assert_ok(), &jwks);
}

/// OIDC Discovery 4.3: every discovery document's `issuer` is the address it was fetched from
/// minus the well-known suffix (RFC 8414 3.1 for the suffix-first form).
#[tokio::test]
async fn discovery_issuer_is_the_address_it_was_fetched_from() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let id = &p.id;
    for (path, issuer) in [
        (format!("/{id}/.well-known/openid-configuration"), format!("/{id}")),
        (format!("/{id}/.well-known/oauth-authorization-server"), format!("/{id}")),
        (format!("/.well-known/oauth-authorization-server/{id}"), format!("/{id}")),
        (format!("/v1/apps/{id}/.well-known/openid-configuration"), format!("/v1/apps/{id}")),
        (format!("/v1/apps/{id}/.well-known/oauth-authorization-server"), format!("/v1/apps/{id}")),
    ] {
        let conf = app.get(&path, None).await.assert_ok().clone();
        assert_eq!(conf["issuer"], format!("{PUBLIC_URL}{issuer}").as_str(), "{path}");
        assert_eq!(conf["jwks_uri"], format!("{PUBLIC_URL}/{id}/.well-known/jwks.json").as_str());
    }
    let inbound =
        app.get(&format!("/v1/apps/{id}/.well-known/openid-configuration"), None).await.assert_ok().clone();
    assert_eq!(inbound["token_endpoint"], format!("{PUBLIC_URL}/oauth2/v1/apps/{id}/token").as_str());
    assert_eq!(
        inbound["authorization_endpoint"],
        format!("{PUBLIC_URL}/oauth2/v1/apps/{id}/authorize").as_str()
    );
    assert!(inbound.get("end_session_endpoint").is_none(), "inbound apps have no logout: {inbound}");
}

#[tokio::test]
async fn default_jwks_serves_the_default_project() {
    let app = TestApp::new().await;
    // No project is marked default in a bare app.
    let r = app.get("/.well-known/jwks.json", None).await;
    assert!(r.status.is_client_error(), "{}", r.text);
    assert!(r.body["errorCode"].is_string(), "{}", r.text);

    let p = app.new_project().await;
    app.new_project().await;
    app.put_snapshot(&p.id, &json!({"default": true})).await.assert_ok();
    let r = app.get("/.well-known/jwks.json", None).await;
    assert_eq!(r.assert_ok()["keys"][0]["kid"], kids(&app, &p.id).await[0].as_str());
    assert_eq!(app.get("/.well-known/jwks.json?projectId=", None).await.assert_ok(), &r.body);
}

#[tokio::test]
async fn unknown_projects_get_descope_errors_never_5xx() {
    let app = TestApp::new().await;
    for id in ["P2NoSuchProject000000000001", "nonsense", "P%20x", "%FF%FE", "x"] {
        for path in [
            format!("/v2/keys/{id}"),
            format!("/v1/keys/{id}"),
            format!("/{id}/.well-known/jwks.json"),
            format!("/{id}/.well-known/openid-configuration"),
            format!("/.well-known/jwks.json?projectId={id}"),
            format!("/emulator/v1/projects/{id}/snapshot"),
            format!("/emulator/v1/projects/{id}/outbox"),
            format!("/emulator/v1/projects/{id}/outbox/latest"),
        ] {
            let r = app.get(&path, None).await;
            assert!(r.status.is_client_error(), "{path}: {} {}", r.status, r.text);
            assert!(r.body["errorCode"].as_str().is_some_and(|c| c.starts_with('E')), "{path}: {}", r.text);
            assert!(
                r.body["errorDescription"].is_string() && r.body["errorMessage"].is_string(),
                "{path}: {}",
                r.text
            );
            assert!(r.headers.contains_key("x-descope-emulator"), "{path}");
        }
        for (method, path) in [
            (Method::DELETE, format!("/emulator/v1/projects/{id}")),
            (Method::POST, format!("/emulator/v1/projects/{id}/reset")),
            (Method::DELETE, format!("/emulator/v1/projects/{id}/outbox")),
            (Method::PUT, format!("/emulator/v1/projects/{id}/snapshot")),
        ] {
            let r = app.send(method.clone(), &path, None, Some(b"{}".to_vec())).await;
            assert!(r.status.is_client_error(), "{method} {path}: {} {}", r.status, r.text);
            assert!(r.body["errorCode"].is_string(), "{method} {path}: {}", r.text);
        }
    }
}

/// Rows of a project's data in every data table, under its ID or any of its scopes, and the
/// hidden scope rows of `projects`.
async fn stored_rows(app: &TestApp, project: &str) -> (i64, i64) {
    let mut conn = app.state.db.acquire().await.unwrap();
    let mut rows = 0;
    for table in store::projects::data_tables(&mut conn).await.unwrap() {
        let n: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM \"{table}\" WHERE project_id = ?1 OR project_id LIKE ?1 || '.%'"
        ))
        .bind(project)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        rows += n;
    }
    let scopes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM projects WHERE scope_of = ?")
        .bind(project)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    (rows, scopes)
}

/// The data rows a new scope starts with: the built-in permissions and the Tenant Admin role.
const BUILTIN_ROWS: i64 = BUILTIN_PERMISSIONS.len() as i64 + 1;

/// Polls until the project has at most `rows` data rows and `scopes` scope rows.
async fn wait_for_purge(app: &TestApp, project: &str, rows: i64, scopes: i64) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = stored_rows(app, project).await;
        if now.0 <= rows && now.1 <= scopes {
            return;
        }
        assert!(Instant::now() < deadline, "old data never purged: {now:?} rows and scopes left");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn reset_takes_constant_time_and_purges_the_old_data_behind() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    app.put_snapshot(&p.id, &rich_snapshot(&p.id)).await.assert_ok();
    let signed_in = app.sign_up_with_otp(&p, "dora@example.com").await;
    let refresh = signed_in["refreshJwt"].as_str().unwrap().to_owned();
    let before = stored_rows(&app, &p.id).await;
    assert!(before.0 > 10, "{before:?}");

    for round in 0..2 {
        app.post(&format!("/emulator/v1/projects/{}/reset", p.id), None, json!({})).await.assert_ok();
        // The new scope is empty at once; the old one goes in the background, and its
        // hidden row with it: one scope row (the current one) is left.
        assert_eq!(app.export_snapshot(&p.id).await["users"], json!([]), "round {round}");
        // What is left are the built-in roles and permissions of the new scope.
        wait_for_purge(&app, &p.id, BUILTIN_ROWS, 1).await;
    }

    // The refresh token of the old data is refused; sign-up in the new scope works, and its
    // outbox messages carry the project's ID, not the scope's.
    let r = app.post("/v1/auth/refresh", Some(&format!("{}:{refresh}", p.id)), json!({})).await;
    assert!(r.status.is_client_error(), "{}", r.text);
    app.sign_up_with_otp(&p, "dora@example.com").await;
    assert_eq!(app.outbox(&p, "").await[0]["projectId"], p.id.as_str());
    let (rows, _) = stored_rows(&app, &p.id).await;
    assert!(rows > 0);

    // Scopes are not projects: not listed, not addressable.
    let list = app.get("/emulator/v1/projects", None).await;
    let listed = list.assert_ok()["projects"].as_array().unwrap().clone();
    assert_eq!(listed.iter().filter(|x| x["projectId"].as_str().unwrap().starts_with(&p.id)).count(), 1);
    let scope = app.state.projects.require(&app.state.db, PUBLIC_URL, &p.id).await.unwrap().scope.to_string();
    assert!(scope.starts_with(&format!("{}.", p.id)), "{scope}");
    let r = app.post("/v1/auth/otp/signin/email", Some(&scope), json!({"loginId": "dora@example.com"})).await;
    assert!(r.status.is_client_error(), "a scope answered as a project: {}", r.text);
    let r = app.get(&format!("/emulator/v1/projects/{scope}/snapshot"), None).await;
    assert!(r.status.is_client_error(), "{}", r.text);

    // Replacing the state by snapshot also moves to a new scope and purges the old one.
    app.put_snapshot(&p.id, &rich_snapshot(&p.id)).await.assert_ok();
    assert_eq!(app.export_snapshot(&p.id).await["users"].as_array().unwrap().len(), 2);
    let (rows_now, _) = stored_rows(&app, &p.id).await;
    wait_for_purge(&app, &p.id, rows_now - rows, 1).await;

    // Deleting the project leaves nothing of it behind.
    app.delete(&format!("/emulator/v1/projects/{}", p.id), None).await.assert_ok();
    assert_eq!(stored_rows(&app, &p.id).await, (0, 0));
}

#[tokio::test]
async fn scopes_left_by_an_interrupted_purge_are_purged_at_start() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    app.put_snapshot(&p.id, &rich_snapshot(&p.id)).await.assert_ok();
    // Two moves to new scopes whose old data nobody purges: a stop in mid-reset.
    for _ in 0..2 {
        let mut tx = store::begin_immediate(&app.state.db).await.unwrap();
        let pid = ProjectId::from(p.id.as_str());
        let scope = descope_emulator::domain::projects::new_scope_id(&pid);
        store::projects::new_data_scope(&mut tx, &pid, &scope, 0).await.unwrap();
        tx.commit().await.unwrap();
    }
    let (rows, scopes) = stored_rows(&app, &p.id).await;
    assert!(rows > 0 && scopes >= 2, "{rows} {scopes}");
    descope_emulator::domain::projects::purge_stale_scopes(&app.state.db).await.unwrap();
    wait_for_purge(&app, &p.id, 0, 1).await;
}

#[tokio::test]
async fn a_new_project_gets_its_signing_key_on_first_use_and_only_one() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let stored = || async {
        let mut conn = app.state.db.acquire().await.unwrap();
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM signing_keys WHERE project_id = ?")
            .bind(&p.id)
            .fetch_one(&mut *conn)
            .await
            .unwrap()
    };
    assert_eq!(stored().await, 0, "creation took a key");

    // Two first uses at once settle on one key.
    let (a, b) = tokio::join!(kids(&app, &p.id), kids(&app, &p.id));
    assert_eq!(a.len(), 1);
    assert_eq!(a, b);
    assert_eq!(stored().await, 1);

    // Tokens are signed with it.
    let jwt = app.sign_up_with_otp(&p, "erin@example.com").await["sessionJwt"].as_str().unwrap().to_owned();
    assert_eq!(jwt_header(&jwt)["kid"], a[0].as_str());
}

#[tokio::test]
async fn a_burst_of_creations_stores_each_id_once() {
    let app = std::sync::Arc::new(TestApp::new().await);
    let ids: Vec<String> = (0..10).map(|i| format!("P2BURST{i:02}")).collect();
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let app = app.clone();
            // 30 requests for 10 given IDs (three each) and 10 without one.
            let body = if i < 30 { json!({"projectId": ids[i % 10]}) } else { json!({}) };
            tokio::spawn(async move { app.post("/emulator/v1/projects", None, body).await })
        })
        .collect();
    let mut created = Vec::new();
    for t in tasks {
        let r = t.await.unwrap();
        if r.status == 200 {
            created.push(r.body["projectId"].as_str().unwrap().to_owned());
            assert!(r.body["managementKey"].as_str().unwrap().starts_with("K2"), "{}", r.text);
        } else {
            r.assert_error(409, "E011009");
        }
    }
    assert_eq!(created.len(), 20, "{created:?}");
    for id in &ids {
        assert_eq!(created.iter().filter(|c| *c == id).count(), 1, "{id} created twice or never");
    }
    let list = app.get("/emulator/v1/projects", None).await;
    assert_eq!(list.assert_ok()["projects"].as_array().unwrap().len(), 20);
    // Each works with its own management key.
    for id in ids.iter().take(3) {
        let snap = app.get(&format!("/emulator/v1/projects/{id}/snapshot"), None).await;
        let key = snap.assert_ok()["managementKeys"][0]["key"].as_str().unwrap().to_owned();
        let r = app.post("/v1/mgmt/tenant/create", Some(&format!("{id}:{key}")), json!({"name": "t"})).await;
        r.assert_ok();
    }
}

#[tokio::test]
async fn a_failed_move_to_a_new_scope_leaves_no_transaction_open() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    {
        let mut conn = app.state.db.acquire().await.unwrap();
        // An unknown project: the UPDATE finds nothing, the batch is rolled back.
        let (unknown, unknown_scope) = (ProjectId::from("P2NOSUCHPROJECT"), Scope::from("P2NOSUCHPROJECT.x"));
        let r = store::projects::move_to_new_scope(
            &mut conn,
            &unknown,
            &unknown_scope,
            0,
            &descope_emulator::store::tenants::ScopeSeed::default(),
        )
        .await;
        assert!(r.is_err());
        // A taken scope ID: the INSERT fails in the middle of the batch.
        let (pid, same) = (ProjectId::from(p.id.as_str()), Scope::new(format!("{}.same", p.id)));
        store::projects::move_to_new_scope(
            &mut conn,
            &pid,
            &same,
            0,
            &descope_emulator::store::tenants::ScopeSeed::default(),
        )
        .await
        .unwrap();
        let r = store::projects::move_to_new_scope(
            &mut conn,
            &pid,
            &same,
            0,
            &descope_emulator::store::tenants::ScopeSeed::default(),
        )
        .await;
        assert!(r.is_err());
    }
    // Nothing of the failed batches stayed, and the connection takes new transactions.
    let mut tx = store::begin_immediate(&app.state.db).await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM projects WHERE id LIKE 'P2NOSUCHPROJECT%'")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(n, 0);
    tx.commit().await.unwrap();
    app.post(&format!("/emulator/v1/projects/{}/reset", p.id), None, json!({})).await.assert_ok();
}
