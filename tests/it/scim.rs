//! SCIM 2.0 provisioning (`/scim/v2/*`): authentication by a Tenant Admin access key, users
//! and groups with their wire shapes, filters, PATCH in Okta's and Entra's forms, groups to
//! tenant roles through the SSO groups mapping, the `/v1/mgmt/group/*` view and snapshots.

use serde_json::{json, Value};

use crate::harness::{TestApp, TestProject};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// A tenant and a Tenant Admin access key of it; returns (tenant ID, SCIM bearer).
async fn tenant_with_key(app: &TestApp, p: &TestProject, name: &str) -> (String, String) {
    let tenant = app.create_tenant(p, json!({"name": name})).await;
    let key = create_key(app, p, json!([{"tenantId": tenant, "roleNames": ["Tenant Admin"]}]), 0).await;
    (tenant, p.with(&key))
}

async fn create_key(app: &TestApp, p: &TestProject, key_tenants: Value, expire: i64) -> String {
    let r = app
        .post(
            "/v1/mgmt/accesskey/create",
            Some(&p.mgmt()),
            json!({"name": "scim", "keyTenants": key_tenants, "expireTime": expire}),
        )
        .await;
    r.assert_ok()["cleartext"].as_str().unwrap().to_owned()
}

fn user_body(user_name: &str) -> Value {
    json!({
        "schemas": [USER], "userName": user_name, "externalId": "00u1x",
        "name": {"givenName": "Ann", "familyName": "Lee"},
        "emails": [{"value": user_name, "primary": true, "type": "work"}],
        "phoneNumbers": [{"value": "+15555550100", "type": "mobile"}],
        "active": true
    })
}

#[track_caller]
fn assert_scim_error(r: &crate::harness::TestResponse, status: u16, scim_type: Option<&str>) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    assert_eq!(r.body["schemas"], json!(["urn:ietf:params:scim:api:messages:2.0:Error"]), "{}", r.text);
    assert_eq!(r.body["status"], status.to_string(), "{}", r.text);
    assert_eq!(r.body.get("scimType").and_then(Value::as_str), scim_type, "{}", r.text);
    assert!(r.body["detail"].is_string() && r.body["errorCode"].is_string(), "{}", r.text);
    assert_eq!(r.headers["content-type"], "application/scim+json");
}

async fn create_user(app: &TestApp, auth: &str, user_name: &str) -> Value {
    let r = app.post("/scim/v2/Users", Some(auth), user_body(user_name)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body
}

async fn create_group(app: &TestApp, auth: &str, body: Value) -> Value {
    let r = app.post("/scim/v2/Groups", Some(auth), body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body
}

fn redacted() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_redaction(".id", "[id]");
    s.add_redaction(
        ".**.value",
        insta::dynamic_redaction(|v, _| {
            let t = v.as_str().unwrap_or_default();
            if t.starts_with("U2") || t.starts_with("G2") {
                "[id]".into()
            } else {
                v
            }
        }),
    );
    s.add_redaction(".**.location", "[location]");
    s.add_redaction(".**.$ref", "[location]");
    s.add_redaction(".**.created", "[time]");
    s.add_redaction(".**.lastModified", "[time]");
    s
}

#[tokio::test]
async fn the_scim_bearer_must_be_a_live_tenant_admin_key_of_the_project() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let (tenant, auth) = tenant_with_key(&app, &p, "Acme").await;
    app.get("/scim/v2/Users", Some(&auth)).await.assert_ok();

    let r = app.get("/scim/v2/Users", None).await;
    assert_scim_error(&r, 401, None);
    assert_scim_error(&app.get("/scim/v2/Users", Some("garbage")).await, 401, None);
    assert_scim_error(&app.get("/scim/v2/Users", Some(&p.bearer())).await, 401, None);
    assert_scim_error(&app.get("/scim/v2/Users", Some(&p.with("nokey"))).await, 401, None);
    // A key of another project, with this project's ID.
    let other = app.new_project().await;
    let (_, other_auth) = tenant_with_key(&app, &other, "Other").await;
    let other_key = other_auth.split_once(':').unwrap().1;
    assert_scim_error(&app.get("/scim/v2/Users", Some(&p.with(other_key))).await, 401, None);
    // Without the Tenant Admin role in any tenant.
    let plain = create_key(&app, &p, json!([{"tenantId": tenant, "roleNames": []}]), 0).await;
    let r = app.get("/scim/v2/Users", Some(&p.with(&plain))).await;
    assert_scim_error(&r, 403, None);
    // Deactivated.
    let key = create_key(&app, &p, json!([{"tenantId": tenant, "roleNames": ["Tenant Admin"]}]), 0).await;
    app.get("/scim/v2/ServiceProviderConfig", Some(&p.with(&key))).await.assert_ok();
    let id = app.post("/v1/mgmt/accesskey/search", Some(&p.mgmt()), json!({})).await.body["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_str().unwrap().to_owned())
        .collect::<Vec<_>>();
    for k in &id {
        app.post("/v1/mgmt/accesskey/deactivate", Some(&p.mgmt()), json!({"id": k})).await.assert_ok();
    }
    assert_scim_error(&app.get("/scim/v2/Users", Some(&p.with(&key))).await, 401, None);
    // Expired by the emulator clock.
    let now = app.clock_now().await;
    let soon =
        create_key(&app, &p, json!([{"tenantId": tenant, "roleNames": ["Tenant Admin"]}]), now + 60).await;
    app.get("/scim/v2/Groups", Some(&p.with(&soon))).await.assert_ok();
    app.set_clock(now + 120).await;
    assert_scim_error(&app.get("/scim/v2/Groups", Some(&p.with(&soon))).await, 401, None);
    app.reset_clock().await;
}

#[tokio::test]
async fn a_tenant_key_sees_only_its_tenants_users_and_groups() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let (_, a) = tenant_with_key(&app, &p, "A").await;
    let (_, b) = tenant_with_key(&app, &p, "B").await;
    let ua = create_user(&app, &a, "ann@a.test").await;
    let ga = create_group(&app, &a, json!({"schemas": [GROUP], "displayName": "Eng"})).await;
    let uid = ua["id"].as_str().unwrap();
    let gid = ga["id"].as_str().unwrap();
    assert_scim_error(&app.get(&format!("/scim/v2/Users/{uid}"), Some(&b)).await, 404, None);
    assert_scim_error(&app.get(&format!("/scim/v2/Groups/{gid}"), Some(&b)).await, 404, None);
    assert_scim_error(&app.delete(&format!("/scim/v2/Users/{uid}"), Some(&b)).await, 404, None);
    let list = app.get("/scim/v2/Users", Some(&b)).await;
    assert_eq!(list.assert_ok()["totalResults"], 0);
    // The same group name is free in another tenant.
    create_group(&app, &b, json!({"schemas": [GROUP], "displayName": "Eng"})).await;
}

#[tokio::test]
async fn users_are_created_read_listed_replaced_and_deleted() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let (tenant, auth) = tenant_with_key(&app, &p, "Acme").await;
    let r = app.post("/scim/v2/Users", Some(&auth), user_body("ann@acme.test")).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.headers["content-type"], "application/scim+json");
    let id = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(r.headers["location"], format!("{}/scim/v2/Users/{id}", crate::harness::PUBLIC_URL));
    redacted().bind(|| insta::assert_json_snapshot!("scim_user", r.body));

    // An ordinary user of the tenant.
    let loaded = app.get(&format!("/v1/mgmt/user?userId={id}"), Some(&p.mgmt())).await;
    let u = &loaded.assert_ok()["user"];
    assert_eq!(u["loginIds"], json!(["ann@acme.test"]));
    assert_eq!(u["email"], "ann@acme.test");
    assert_eq!(u["phone"], "+15555550100");
    assert_eq!(u["name"], "Ann Lee");
    assert_eq!(u["SCIM"], true);
    assert_eq!(u["status"], "enabled");
    assert_eq!(u["userTenants"][0]["tenantId"], tenant);

    // Duplicate userName.
    let r = app.post("/scim/v2/Users", Some(&auth), user_body("ann@acme.test")).await;
    assert_scim_error(&r, 409, Some("uniqueness"));

    let got = app.get(&format!("/scim/v2/Users/{id}"), Some(&auth)).await;
    assert_eq!(got.assert_ok()["userName"], "ann@acme.test");

    // PUT replaces the SCIM fields.
    let mut body = user_body("ann.lee@acme.test");
    body["active"] = json!(false);
    body["name"] = json!({"givenName": "Annie"});
    body["emails"] = json!([{"value": "ann.lee@acme.test", "primary": true}]);
    body["phoneNumbers"] = json!([]);
    let put = app.put(&format!("/scim/v2/Users/{id}"), Some(&auth), &body).await;
    let put = put.assert_ok();
    assert_eq!(put["userName"], "ann.lee@acme.test");
    assert_eq!(put["active"], false);
    assert_eq!(put["displayName"], "Annie");
    assert_eq!(put["phoneNumbers"], json!([]));
    let u = app.get(&format!("/v1/mgmt/user?userId={id}"), Some(&p.mgmt())).await.body["user"].clone();
    assert_eq!(u["status"], "disabled");
    assert_eq!(u["loginIds"], json!(["ann.lee@acme.test"]));

    // List: paging and totals.
    create_user(&app, &auth, "bob@acme.test").await;
    create_user(&app, &auth, "cy@acme.test").await;
    let l = app.get("/scim/v2/Users?startIndex=2&count=1", Some(&auth)).await;
    let l = l.assert_ok();
    assert_eq!(l["totalResults"], 3);
    assert_eq!(l["startIndex"], 2);
    assert_eq!(l["itemsPerPage"], 1);
    assert_eq!(l["Resources"][0]["userName"], "bob@acme.test");
    let l = app.get("/scim/v2/Users?count=0", Some(&auth)).await;
    assert_eq!(l.body["totalResults"], 3);
    assert_eq!(l.body["Resources"], json!([]));
    let l = app.get("/scim/v2/Users?startIndex=-4", Some(&auth)).await;
    assert_eq!(l.body["startIndex"], 1);
    assert_eq!(l.body["itemsPerPage"], 3);
    assert_scim_error(&app.get("/scim/v2/Users?count=many", Some(&auth)).await, 400, Some("invalidValue"));

    // Delete: 204, then gone (the user had no other tenant).
    let d = app.delete(&format!("/scim/v2/Users/{id}"), Some(&auth)).await;
    assert_eq!(d.status, 204);
    assert_scim_error(&app.get(&format!("/scim/v2/Users/{id}"), Some(&auth)).await, 404, None);
    app.get(&format!("/v1/mgmt/user?userId={id}"), Some(&p.mgmt())).await.assert_error(400, "E112102");
}

#[tokio::test]
async fn deleting_a_user_of_two_tenants_only_drops_the_membership() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let (a, auth_a) = tenant_with_key(&app, &p, "A").await;
    let (b, auth_b) = tenant_with_key(&app, &p, "B").await;
    let u = create_user(&app, &auth_a, "ann@x.test").await;
    // The same userName in tenant B brings the user in.
    let u2 = create_user(&app, &auth_b, "ann@x.test").await;
    assert_eq!(u["id"], u2["id"]);
    let id = u["id"].as_str().unwrap();
    assert_eq!(app.delete(&format!("/scim/v2/Users/{id}"), Some(&auth_a)).await.status, 204);
    let user = app.get(&format!("/v1/mgmt/user?userId={id}"), Some(&p.mgmt())).await.body["user"].clone();
    let tenants: Vec<&Value> =
        user["userTenants"].as_array().unwrap().iter().map(|t| &t["tenantId"]).collect();
    assert_eq!(tenants, vec![&json!(b)]);
    assert_ne!(a, b);
}

#[tokio::test]
async fn bad_user_bodies_answer_scim_errors_and_change_nothing() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let (_, auth) = tenant_with_key(&app, &p, "Acme").await;
    let mut no_schemas = user_body("a@x.test");
    no_schemas.as_object_mut().unwrap().remove("schemas");
    assert_scim_error(&app.post("/scim/v2/Users", Some(&auth), no_schemas).await, 400, Some("invalidSyntax"));
    let mut wrong = user_body("a@x.test");
    wrong["schemas"] = json!([GROUP]);
    assert_scim_error(&app.post("/scim/v2/Users", Some(&auth), wrong).await, 400, Some("invalidValue"));
    let mut yes = user_body("a@x.test");
    yes["active"] = json!("yes");
    assert_scim_error(&app.post("/scim/v2/Users", Some(&auth), yes).await, 400, Some("invalidValue"));
    let r = app.post("/scim/v2/Users", Some(&auth), json!({"schemas": [USER]})).await;
    assert_scim_error(&r, 400, Some("invalidValue"));
    let r = app.send(axum::http::Method::POST, "/scim/v2/Users", Some(&auth), Some(b"{nope".to_vec())).await;
    assert_scim_error(&r, 400, Some("invalidSyntax"));

    let u = create_user(&app, &auth, "a@x.test").await;
    let id = u["id"].as_str().unwrap();
    let path = format!("/scim/v2/Users/{id}");
    // The first operation would apply; the second fails: nothing changes.
    let body = json!({"schemas": [PATCH], "Operations": [
        {"op": "replace", "path": "displayName", "value": "Changed"},
        {"op": "replace", "path": "nickName", "value": "x"}]});
    assert_scim_error(&app.patch(&path, Some(&auth), &body).await, 400, Some("invalidPath"));
    let body =
        json!({"schemas": [PATCH], "Operations": [{"op": "jump", "path": "displayName", "value": "x"}]});
    assert_scim_error(&app.patch(&path, Some(&auth), &body).await, 400, Some("invalidSyntax"));
    let body = json!({"Operations": [{"op": "replace", "path": "displayName", "value": "x"}]});
    assert_scim_error(&app.patch(&path, Some(&auth), &body).await, 400, Some("invalidSyntax"));
    let body =
        json!({"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": "maybe"}]});
    assert_scim_error(&app.patch(&path, Some(&auth), &body).await, 400, Some("invalidValue"));
    let now = app.get(&path, Some(&auth)).await;
    assert_eq!(now.body["displayName"], "Ann Lee");
    assert_eq!(now.body["active"], true);
}

#[tokio::test]
async fn user_patches_in_okta_and_entra_forms() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let (_, auth) = tenant_with_key(&app, &p, "Acme").await;
    let u = create_user(&app, &auth, "ann@acme.test").await;
    let path = format!("/scim/v2/Users/{}", u["id"].as_str().unwrap());
    // Okta deactivation.
    let body = json!({"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": false}}]});
    let r = app.patch(&path, Some(&auth), &body).await;
    assert_eq!(r.assert_ok()["active"], false);
    assert_eq!(r.headers["content-type"], "application/scim+json");
    // Entra: capitalised ops, "True", value-filtered paths, lower-case `operations`.
    let body = json!({"schemas": [PATCH], "operations": [
        {"op": "Replace", "path": "active", "value": "True"},
        {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "ann.lee@acme.test"},
        {"op": "Add", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+15555550199"},
        {"op": "Replace", "path": "name.familyName", "value": "Li"},
        {"op": "Replace", "path": "externalId", "value": "ext-9"},
        {"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "R&D"}]});
    let r = app.patch(&path, Some(&auth), &body).await;
    let v = r.assert_ok();
    assert_eq!(v["active"], true);
    assert_eq!(v["emails"][0]["value"], "ann.lee@acme.test");
    assert_eq!(v["name"]["familyName"], "Li");
    assert_eq!(v["externalId"], "ext-9");
    assert_eq!(v["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"], "R&D");
    let user = app.get(&format!("/v1/mgmt/user?userId={}", u["id"].as_str().unwrap()), Some(&p.mgmt())).await;
    let user = &user.body["user"];
    assert_eq!(user["email"], "ann.lee@acme.test");
    assert_eq!(user["phone"], "+15555550199");
    assert_eq!(user["familyName"], "Li");
    assert_eq!(user["status"], "enabled");
}

#[tokio::test]
async fn filters_select_users_and_groups() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let (_, auth) = tenant_with_key(&app, &p, "Acme").await;
    let ann = create_user(&app, &auth, "ann@acme.test").await;
    create_user(&app, &auth, "bob@acme.test").await;
    let g = create_group(
        &app,
        &auth,
        json!({"schemas": [GROUP], "displayName": "Eng", "members": [{"value": ann["id"]}]}),
    )
    .await;
    let q = |f: &str| format!("/scim/v2/Users?filter={}", crate::harness::urlencode(f));
    let names = |v: &Value| -> Vec<String> {
        v["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["userName"].as_str().unwrap().to_owned())
            .collect()
    };
    let r = app.get(&q(r#"userName eq "ANN@acme.test""#), Some(&auth)).await;
    assert_eq!(names(r.assert_ok()), vec!["ann@acme.test"]);
    let r = app.get(&q(r#"userName eq "nobody@acme.test""#), Some(&auth)).await;
    assert_eq!(r.body["totalResults"], 0);
    let r = app
        .get(&q(r#"emails[type eq "work"].value ew "acme.test" and not (userName sw "a")"#), Some(&auth))
        .await;
    assert_eq!(names(&r.body), vec!["bob@acme.test"]);
    let r = app.get(&q(r#"meta.created gt "2000-01-01T00:00:00Z""#), Some(&auth)).await;
    assert_eq!(r.body["totalResults"], 2);
    let r = app.get(&q(r#"externalId eq "00U1X""#), Some(&auth)).await;
    assert_eq!(r.body["totalResults"], 0);
    assert_scim_error(&app.get(&q("nickName eq \"x\""), Some(&auth)).await, 400, Some("invalidFilter"));
    assert_scim_error(&app.get(&q("userName eq"), Some(&auth)).await, 400, Some("invalidFilter"));

    let gid = g["id"].as_str().unwrap();
    let aid = ann["id"].as_str().unwrap();
    let f = format!(r#"id eq "{gid}" and members eq "{aid}""#);
    let r = app
        .get(
            &format!("/scim/v2/Groups?excludedAttributes=members&filter={}", crate::harness::urlencode(&f)),
            Some(&auth),
        )
        .await;
    let r = r.assert_ok();
    assert_eq!(r["totalResults"], 1);
    assert!(r["Resources"][0].get("members").is_none());
    assert_eq!(r["Resources"][0]["displayName"], "Eng");
    let f = format!(r#"members[value eq "{aid}"]"#);
    let r = app.get(&format!("/scim/v2/Groups?filter={}", crate::harness::urlencode(&f)), Some(&auth)).await;
    assert_eq!(r.body["totalResults"], 1);
    let r = app
        .get(
            &format!("/scim/v2/Groups?filter={}", crate::harness::urlencode(r#"displayName eq "eng""#)),
            Some(&auth),
        )
        .await;
    assert_eq!(r.body["totalResults"], 1);
}

async fn roles(app: &TestApp, m: &str, aid: &str) -> Value {
    let u = app.get(&format!("/v1/mgmt/user?userId={aid}"), Some(m)).await.body["user"].clone();
    u["userTenants"][0]["roleNames"].clone()
}

#[tokio::test]
async fn groups_map_to_tenant_roles_through_the_sso_groups_mapping() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let (tenant, auth) = tenant_with_key(&app, &p, "Acme").await;
    app.create_role(&p, "dev", "").await;
    app.create_role(&p, "ops", "").await;
    let m = p.mgmt();
    let mapping =
        json!({"tenantId": tenant, "roleMappings": [{"groups": ["Engineering"], "roleName": "dev"}]});
    app.post("/v1/mgmt/sso/mapping", Some(&m), mapping).await.assert_ok();
    let ann = create_user(&app, &auth, "ann@acme.test").await;
    let aid = ann["id"].as_str().unwrap().to_owned();
    // A role given directly stays through every change.
    app.post(
        "/v1/mgmt/user/update/role/add",
        Some(&m),
        json!({"loginId": "ann@acme.test", "tenantId": tenant, "roleNames": ["ops"]}),
    )
    .await
    .assert_ok();
    let r = app.post("/scim/v2/Groups", Some(&auth), json!({"schemas": [GROUP], "id": "grp-1", "displayName": "Engineering", "members": [{"value": aid}, {"value": "U2unknown"}]})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["id"], "grp-1");
    assert_eq!(r.body["members"].as_array().unwrap().len(), 1);
    redacted().bind(|| insta::assert_json_snapshot!("scim_group", r.body));
    assert_eq!(roles(&app, &m, &aid).await, json!(["dev", "ops"]));

    // Duplicate name → 409.
    let dup = app
        .post("/scim/v2/Groups", Some(&auth), json!({"schemas": [GROUP], "displayName": "engineering"}))
        .await;
    assert_scim_error(&dup, 409, Some("uniqueness"));

    // Rename: the mapping no longer matches.
    let body = json!({"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"id": "grp-1", "displayName": "Eng"}}]});
    let r = app.patch("/scim/v2/Groups/grp-1", Some(&auth), &body).await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(roles(&app, &m, &aid).await, json!(["ops"]));
    // Mapping change picks the new name up.
    let mapping = json!({"tenantId": tenant, "roleMappings": [{"groups": ["Eng"], "roleName": "dev"}]});
    app.post("/v1/mgmt/sso/mapping", Some(&m), mapping).await.assert_ok();
    assert_eq!(roles(&app, &m, &aid).await, json!(["dev", "ops"]));
    // The group management API lists it.
    let groups = app.post("/v1/mgmt/group/all", Some(&m), json!({"tenantId": tenant})).await;
    let g = &groups.assert_ok()[0];
    assert_eq!(g["id"], "grp-1");
    assert_eq!(g["display"], "Eng");
    assert_eq!(g["source"], "scim");
    assert_eq!(g["members"][0]["loginId"], "ann@acme.test");
    // Member removal, Okta form.
    let body = json!({"schemas": [PATCH], "Operations": [{"op": "remove", "path": format!("members[value eq \"{aid}\"]")}]});
    assert_eq!(app.patch("/scim/v2/Groups/grp-1", Some(&auth), &body).await.status, 204);
    assert_eq!(roles(&app, &m, &aid).await, json!(["ops"]));
    // Entra add, then group delete takes the role back.
    let body = json!({"schemas": [PATCH], "Operations": [{"op": "Add", "path": "members", "value": [{"value": aid}]}]});
    assert_eq!(app.patch("/scim/v2/Groups/grp-1", Some(&auth), &body).await.status, 204);
    assert_eq!(roles(&app, &m, &aid).await, json!(["dev", "ops"]));
    let u = app.get(&format!("/scim/v2/Users/{aid}"), Some(&auth)).await;
    assert_eq!(u.body["groups"][0]["display"], "Eng");
    assert_eq!(app.delete("/scim/v2/Groups/grp-1", Some(&auth)).await.status, 204);
    assert_eq!(roles(&app, &m, &aid).await, json!(["ops"]));
    assert_scim_error(&app.get("/scim/v2/Groups/grp-1", Some(&auth)).await, 404, None);
}

#[tokio::test]
async fn groups_are_replaced_and_listed() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let (_, auth) = tenant_with_key(&app, &p, "Acme").await;
    let ann = create_user(&app, &auth, "ann@acme.test").await;
    let g =
        create_group(&app, &auth, json!({"schemas": [GROUP], "displayName": "A", "externalId": "x1"})).await;
    let id = g["id"].as_str().unwrap();
    let put = json!({"schemas": [GROUP], "displayName": "B", "members": [{"value": ann["id"]}]});
    let r = app.put(&format!("/scim/v2/Groups/{id}"), Some(&auth), &put).await;
    let r = r.assert_ok();
    assert_eq!(r["displayName"], "B");
    assert_eq!(r["externalId"], "");
    assert_eq!(r["members"][0]["display"], "Ann Lee");
    create_group(&app, &auth, json!({"schemas": [GROUP], "displayName": "C"})).await;
    let l = app.get("/scim/v2/Groups", Some(&auth)).await;
    let l = l.assert_ok();
    assert_eq!(l["schemas"], json!(["urn:ietf:params:scim:api:messages:2.0:ListResponse"]));
    assert_eq!(l["totalResults"], 2);
    assert_eq!(l["Resources"][0]["displayName"], "B");
    assert_scim_error(
        &app.put(&format!("/scim/v2/Groups/{id}"), Some(&auth), &json!({"schemas": [GROUP]})).await,
        400,
        Some("invalidValue"),
    );
    assert_scim_error(&app.put("/scim/v2/Groups/nope", Some(&auth), &put).await, 404, None);
}

#[tokio::test]
async fn discovery_describes_the_service() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let (_, auth) = tenant_with_key(&app, &p, "Acme").await;
    let spc = app.get("/scim/v2/ServiceProviderConfig", Some(&auth)).await;
    let mut spc = spc.assert_ok().clone();
    spc["meta"]["location"] = json!("[location]");
    insta::assert_json_snapshot!("scim_service_provider_config", spc);
    let rt = app.get("/scim/v2/ResourceTypes", Some(&auth)).await;
    let rt = rt.assert_ok();
    assert_eq!(rt["values"], rt["Resources"]);
    assert_eq!(rt["Resources"][0]["endpoint"], "/Users");
    assert_eq!(rt["Resources"][1]["schema"], GROUP);
    let one = app.get("/scim/v2/ResourceTypes/Group", Some(&auth)).await;
    assert_eq!(one.assert_ok()["endpoint"], "/Groups");
    let schemas = app.get("/scim/v2/Schemas", Some(&auth)).await;
    assert_eq!(schemas.assert_ok()["totalResults"], 2);
    let one = app.get(&format!("/scim/v2/Schemas/{USER}"), Some(&auth)).await;
    assert!(one.assert_ok()["attributes"].as_array().unwrap().iter().any(|a| a["name"] == "userName"));
    assert_scim_error(&app.get("/scim/v2/Schemas/nope", Some(&auth)).await, 404, None);
    assert_scim_error(&app.get("/scim/v2/ServiceProviderConfig", None).await, 401, None);
}

#[tokio::test]
async fn scim_records_and_groups_are_carried_in_snapshots() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let (_, auth) = tenant_with_key(&app, &p, "Acme").await;
    let ann = create_user(&app, &auth, "ann@acme.test").await;
    create_group(&app, &auth, json!({"schemas": [GROUP], "displayName": "Eng", "externalId": "e1", "members": [{"value": ann["id"]}]})).await;
    let snap = app.export_snapshot(&p.id).await;
    assert_eq!(snap["scimUsers"][0]["externalId"], "00u1x");
    assert_eq!(snap["scimGroups"][0]["members"], json!([ann["id"]]));

    let before_user =
        app.get(&format!("/scim/v2/Users/{}", ann["id"].as_str().unwrap()), Some(&auth)).await.body;
    let before_groups = app.get("/scim/v2/Groups", Some(&auth)).await.body;
    // Into a fresh project: the same state.
    let q = app.new_project().await;
    let mut moved = snap.clone();
    moved["projectId"] = json!(q.id);
    moved["managementKeys"] = json!([]);
    app.put_snapshot(&q.id, &moved).await.assert_ok();
    let again = app.export_snapshot(&q.id).await;
    assert_eq!(again["scimUsers"], snap["scimUsers"]);
    assert_eq!(again["scimGroups"], snap["scimGroups"]);
    // Back into the first project (replace): what SCIM sees is unchanged.
    app.put_snapshot(&p.id, &snap).await.assert_ok();
    let after_user =
        app.get(&format!("/scim/v2/Users/{}", ann["id"].as_str().unwrap()), Some(&auth)).await.body;
    assert_eq!(after_user, before_user);
    assert_eq!(app.get("/scim/v2/Groups", Some(&auth)).await.body, before_groups);
}

#[tokio::test]
async fn project_reset_and_tenant_deletion_remove_scim_state() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let (tenant, auth) = tenant_with_key(&app, &p, "Acme").await;
    let ann = create_user(&app, &auth, "ann@acme.test").await;
    create_group(
        &app,
        &auth,
        json!({"schemas": [GROUP], "displayName": "Eng", "members": [{"value": ann["id"]}]}),
    )
    .await;
    // The audit trail records SCIM changes as user changes.
    let r = app.post("/v1/mgmt/audit/search", Some(&p.mgmt()), json!({"actions": ["UserModified"]})).await;
    assert!(!r.assert_ok()["audits"].as_array().unwrap().is_empty(), "{}", r.text);
    app.post(&format!("/emulator/v1/projects/{}/reset", p.id), None, json!({})).await.assert_ok();
    let snap = app.export_snapshot(&p.id).await;
    assert!(snap.get("scimUsers").is_none() && snap.get("scimGroups").is_none(), "{snap}");

    let p = app.new_project().await;
    let (tenant2, auth) = tenant_with_key(&app, &p, "Acme").await;
    create_user(&app, &auth, "bob@acme.test").await;
    create_group(&app, &auth, json!({"schemas": [GROUP], "displayName": "Eng"})).await;
    app.post("/v1/mgmt/tenant/delete", Some(&p.mgmt()), json!({"id": tenant2, "cascade": true}))
        .await
        .assert_ok();
    let snap = app.export_snapshot(&p.id).await;
    assert!(snap.get("scimGroups").is_none(), "{snap}");
    // The key's tenant is gone: nothing to provision into.
    assert_scim_error(&app.get("/scim/v2/Users", Some(&auth)).await, 403, None);
    assert_ne!(tenant, tenant2);
}
