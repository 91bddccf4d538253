//! `/v1/mgmt/jwt/templates/*`: CRUD, strict validation (nothing stored on error), the
//! template library, and the effect of the project's user and key templates on new session
//! JWTs; templates in snapshots and project reset.

use serde_json::{json, Value};

use crate::harness::{claims, TestApp, TestProject};

const BASE: &str = "/v1/mgmt/jwt/templates";

async fn post(app: &TestApp, p: &TestProject, op: &str, body: Value) -> crate::harness::TestResponse {
    app.post(&format!("{BASE}/{op}"), Some(&p.mgmt()), body).await
}

async fn create(app: &TestApp, p: &TestProject, template: Value) -> Value {
    post(app, p, "create", json!({ "template": template })).await.assert_ok()["template"].clone()
}

async fn list(app: &TestApp, p: &TestProject) -> Vec<Value> {
    post(app, p, "list", json!({})).await.assert_ok()["templates"].as_array().unwrap().clone()
}

/// A project with a declared `plan` attribute, a tenant `Acme` (custom attribute `tier`) with
/// a role `editor` holding `edit`, and a user in it with `plan` set. Returns the tenant ID.
async fn setup_user(app: &TestApp, p: &TestProject) -> String {
    let m = Some(p.mgmt());
    let m = m.as_deref();
    app.post("/v1/mgmt/user/customattribute/create", m, json!({"attributes": [{"name": "plan", "type": 1}]}))
        .await
        .assert_ok();
    let tenant =
        app.create_tenant(p, json!({"name": "Acme", "id": "T1", "customAttributes": {"tier": "gold"}})).await;
    app.post("/v1/mgmt/permission/create", m, json!({"name": "edit"})).await.assert_ok();
    app.post(
        "/v1/mgmt/role/create",
        m,
        json!({"name": "editor", "tenantId": tenant, "permissionNames": ["edit"]}),
    )
    .await
    .assert_ok();
    app.create_user(
        p,
        json!({
            "loginId": "ada@example.com",
            "email": "ada@example.com",
            "name": "Ada",
            "customAttributes": {"plan": "pro"},
            "userTenants": [{"tenantId": tenant, "roleNames": ["editor"]}],
        }),
    )
    .await;
    tenant
}

async fn sign_in(app: &TestApp, p: &TestProject, body: Value) -> Value {
    let r = app.post("/v1/mgmt/auth/signin", Some(&p.mgmt()), body).await;
    r.assert_ok().clone()
}

#[tokio::test]
async fn create_load_list_update_delete() {
    let (app, p) = TestApp::with_project().await;
    let t = create(&app, &p, json!({"name": "mine", "template": {"app": "demo"}, "tags": ["a"]})).await;
    let id = t["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("JT"), "{t}");
    // Defaults filled in.
    assert_eq!(t["type"], "user");
    assert_eq!(t["authSchema"], "default");
    assert_eq!(t["emptyClaimPolicy"], "none");
    assert_eq!(t["template"], json!({"app": "demo"}));
    assert_eq!(t["isDefault"], false);
    let loaded = post(&app, &p, "load", json!({"id": id})).await;
    assert_eq!(loaded.assert_ok()["template"], t);
    assert_eq!(list(&app, &p).await, vec![t.clone()]);

    // A JSON text of the claims object is read too.
    let mut changed = t.clone();
    changed["template"] = json!("{\"app\": \"other\"}");
    changed["description"] = json!("d");
    let u = post(&app, &p, "update", json!({"template": changed})).await;
    let u = u.assert_ok()["template"].clone();
    assert_eq!(u["template"], json!({"app": "other"}));
    assert_eq!(u["description"], "d");
    assert_eq!(list(&app, &p).await, vec![u]);

    post(&app, &p, "delete", json!({"id": id})).await.assert_ok();
    assert!(list(&app, &p).await.is_empty());
    post(&app, &p, "load", json!({"id": id})).await.assert_error(404, "E011008");
    post(&app, &p, "delete", json!({"id": id})).await.assert_error(404, "E011008");
    post(&app, &p, "update", json!({"template": {"id": id, "name": "x"}})).await.assert_error(404, "E011008");
    post(&app, &p, "delete", json!({})).await.assert_error(400, "E011002");
    post(&app, &p, "load", json!({})).await.assert_error(400, "E011002");
    post(&app, &p, "update", json!({"template": {"name": "x"}})).await.assert_error(400, "E011002");
}

#[tokio::test]
async fn bad_templates_are_refused_and_nothing_is_stored() {
    let (app, p) = TestApp::with_project().await;
    let cases = [
        (json!({"template": {}}), "NAME_MISSING"),
        (json!({"name": "a", "template": {"sub": "x"}}), "RESERVED_CLAIM_KEY"),
        (json!({"name": "a", "template": {"tenants": {}}}), "RESERVED_CLAIM_KEY"),
        (json!({"name": "a", "template": {"x": "{{user.customAttributes.plan}}"}}), "UNKNOWN_ATTRIBUTE"),
        (json!({"name": "a", "template": {"x": "{{user.shoeSize}}"}}), "UNKNOWN_ATTRIBUTE"),
        (json!({"name": "a", "template": {"x": "{{accessKey.name}}"}}), "UNKNOWN_ATTRIBUTE"),
        (json!({"name": "a", "template": {"x": {"y": ["{{org.name}}"]}}}), "UNKNOWN_ATTRIBUTE"),
        (json!({"name": "a", "template": {"x": "{{user.email"}}), "INVALID_SYNTAX"),
        (json!({"name": "a", "template": {"x": "{{ }}"}}), "INVALID_SYNTAX"),
        (json!({"name": "a", "template": ["x"]}), "TEMPLATE_NOT_OBJECT"),
        (json!({"name": "a", "template": "not json"}), "TEMPLATE_NOT_OBJECT"),
        (json!({"name": "a", "type": "robot"}), "INVALID_TYPE"),
        (json!({"name": "a", "authSchema": "flat"}), "INVALID_AUTH_SCHEMA"),
        (json!({"name": "a", "emptyClaimPolicy": "drop"}), "INVALID_EMPTY_CLAIM_POLICY"),
        (json!({"name": "a", "issuerType": "other"}), "INVALID_ISSUER_TYPE"),
        (json!({"name": "a", "template": {"k".repeat(61): 1}}), "INVALID_CLAIM_KEY"),
    ];
    for (template, code) in cases {
        let r = post(&app, &p, "create", json!({ "template": template })).await;
        r.assert_error(400, "E011004");
        let message = r.body["errorMessage"].as_str().unwrap();
        assert!(message.contains(code), "{template}: {message}");
        // validate names the same problem without storing anything
        let v = post(&app, &p, "validate", json!({ "template": template })).await;
        let v = v.assert_ok();
        assert_eq!(v["valid"], false, "{template}");
        assert!(v["issues"].as_array().unwrap().iter().any(|i| i["code"] == code), "{template}: {v}");
    }
    // The unknown attribute is named.
    let r = post(
        &app,
        &p,
        "create",
        json!({"template": {"name": "a", "template": {"x": "{{user.customAttributes.plan}}"}}}),
    )
    .await;
    assert!(r.body["errorMessage"].as_str().unwrap().contains("plan"), "{}", r.text);
    assert!(list(&app, &p).await.is_empty());

    // A reserved claim is fine for `sub` when the template overrides the subject.
    create(
        &app,
        &p,
        json!({"name": "subject", "overrideSubject": true, "template": {"sub": "{{user.email}}"}}),
    )
    .await;
    // Names are unique; an update that breaks a stored template changes nothing.
    let other = create(&app, &p, json!({"name": "other"})).await;
    post(&app, &p, "create", json!({"template": {"name": "other"}})).await.assert_error(400, "E011004");
    let mut broken = other.clone();
    broken["template"] = json!({"iss": "me"});
    post(&app, &p, "update", json!({"template": broken})).await.assert_error(400, "E011004");
    let loaded = post(&app, &p, "load", json!({"id": other["id"]})).await;
    assert_eq!(loaded.assert_ok()["template"], other);
    // Creating with a taken ID.
    post(&app, &p, "create", json!({"template": {"id": other["id"], "name": "third"}}))
        .await
        .assert_error(409, "E011009");
}

#[tokio::test]
async fn validate_by_id_or_template() {
    let (app, p) = TestApp::with_project().await;
    let t = create(&app, &p, json!({"name": "ok", "template": {"mail": "{{user.email}}"}})).await;
    let v = post(&app, &p, "validate", json!({"id": t["id"]})).await;
    assert_eq!(v.assert_ok().clone(), json!({"valid": true, "issues": []}));
    // As an update of itself its own name is not taken.
    let v = post(&app, &p, "validate", json!({"id": t["id"], "template": {"name": "ok"}})).await;
    assert_eq!(v.assert_ok()["valid"], true);
    let v = post(&app, &p, "validate", json!({"template": {"name": "ok"}})).await;
    let issue = v.assert_ok()["issues"][0].clone();
    assert_eq!(issue["code"], "NAME_TAKEN");
    assert_eq!(issue["field"], "name");
    assert_eq!(issue["path"], "name");
    assert_eq!(issue["severity"], "error");
    post(&app, &p, "validate", json!({})).await.assert_error(400, "E011002");
    post(&app, &p, "validate", json!({"id": "JTnope"})).await.assert_error(404, "E011008");
}

#[tokio::test]
async fn library_list_load_apply() {
    let (app, p) = TestApp::with_project().await;
    let entries = post(&app, &p, "library/list", json!({})).await.assert_ok()["entries"].clone();
    let entries = entries.as_array().unwrap();
    assert!(entries.len() >= 4);
    let ids: Vec<&str> = entries.iter().map(|e| e["id"].as_str().unwrap()).collect();
    for id in ["default-user", "default-access-key", "hasura", "aws-api-gateway"] {
        assert!(ids.contains(&id), "{ids:?}");
    }
    // Every entry passes the project's validation.
    for e in entries {
        assert!(e["experimental"].is_boolean());
        let v = post(&app, &p, "validate", json!({"template": e})).await;
        assert_eq!(v.assert_ok()["valid"], true, "{e}: {}", v.text);
    }
    let hasura = post(&app, &p, "library/load", json!({"id": "hasura"})).await.assert_ok()["entry"].clone();
    assert_eq!(hasura["name"], "Hasura");
    post(&app, &p, "library/load", json!({"id": "nope"})).await.assert_error(404, "E011008");
    post(&app, &p, "library/load", json!({})).await.assert_error(400, "E011002");

    let applied = post(
        &app,
        &p,
        "library/apply",
        json!({"libraryEntryId": "hasura", "nameOverride": "My Hasura", "tagsOverride": ["gql"],
               "templateOverride": {"extra": "yes"}}),
    )
    .await;
    let t = applied.assert_ok()["template"].clone();
    assert!(t["id"].as_str().unwrap().starts_with("JT"));
    assert_eq!(t["name"], "My Hasura");
    assert_eq!(t["source"], "hasura");
    assert_eq!(t["tags"], json!(["gql"]));
    assert_eq!(t["template"]["extra"], "yes");
    assert!(t["template"]["https://hasura.io/jwt/claims"].is_object());
    assert_eq!(list(&app, &p).await.len(), 1);
    // Applying again under the same name is refused; unknown entries and bad overrides too.
    post(&app, &p, "library/apply", json!({"libraryEntryId": "hasura", "nameOverride": "My Hasura"}))
        .await
        .assert_error(400, "E011004");
    post(&app, &p, "library/apply", json!({"libraryEntryId": "nope"})).await.assert_error(404, "E011008");
    post(&app, &p, "library/apply", json!({})).await.assert_error(400, "E011002");
    post(
        &app,
        &p,
        "library/apply",
        json!({"libraryEntryId": "default-user", "templateOverride": {"exp": 1}}),
    )
    .await
    .assert_error(400, "E011004");
    assert_eq!(list(&app, &p).await.len(), 1);
}

#[tokio::test]
async fn the_default_user_template_shapes_new_session_tokens() {
    let (app, p) = TestApp::with_project().await;
    let tenant = setup_user(&app, &p).await;
    let template = json!({
        "email": "{{user.email}}",
        "plan": "{{user.customAttributes.plan}}",
        "org": "{{tenant.name}}",
        "tier": "{{tenant.customAttributes.tier}}",
        "greeting": "Hi {{ user.name }} of {{tenant.name}}",
        "myRoles": "{{user.roles}}",
        "static": {"n": 1, "list": ["{{tenant.id}}"]},
        "missing": "{{user.phone}}",
    });
    // Not the project's template yet: tokens are Descope's default.
    let t = create(&app, &p, json!({"name": "app", "template": template})).await;
    let c = claims(
        sign_in(&app, &p, json!({"loginId": "ada@example.com"})).await["sessionJwt"].as_str().unwrap(),
    );
    assert!(c.get("plan").is_none(), "{c}");

    let mut selected = t.clone();
    selected["isDefault"] = json!(true);
    post(&app, &p, "update", json!({"template": selected})).await.assert_ok();
    let jwt =
        sign_in(&app, &p, json!({"loginId": "ada@example.com", "customClaims": {"plan": "from-sign-in"}}))
            .await;
    let c = claims(jwt["sessionJwt"].as_str().unwrap());
    assert_eq!(c["email"], "ada@example.com");
    // The sign-in's own custom claims win over the template's.
    assert_eq!(c["plan"], "from-sign-in");
    assert_eq!(c["org"], "Acme");
    assert_eq!(c["tier"], "gold");
    assert_eq!(c["greeting"], "Hi Ada of Acme");
    assert_eq!(c["myRoles"], json!([]));
    assert_eq!(c["static"], json!({"n": 1, "list": [tenant]}));
    assert_eq!(c["missing"], "");
    assert_eq!(c["dct"], tenant);
    // Descope's authorization claims stay (default schema).
    assert_eq!(c["tenants"][&tenant]["roles"], json!(["editor"]));
    // The refresh JWT does not carry template claims; a refresh computes them again.
    assert!(claims(jwt["refreshJwt"].as_str().unwrap()).get("org").is_none());
    app.post("/v1/mgmt/tenant/update", Some(&p.mgmt()), json!({"id": tenant, "name": "Acme Corp"}))
        .await
        .assert_ok();
    let c = app.refreshed_claims(&p, jwt["refreshJwt"].as_str().unwrap()).await;
    assert_eq!(c["org"], "Acme Corp");
    assert_eq!(c["plan"], "from-sign-in");

    // Authorization claims: the current tenant's at the root, no `tenants`; permissions out.
    let mut tenant_only = selected.clone();
    tenant_only["authSchema"] = json!("tenantOnly");
    tenant_only["emptyClaimPolicy"] = json!("delete");
    tenant_only["addJti"] = json!(true);
    post(&app, &p, "update", json!({"template": tenant_only})).await.assert_ok();
    let c = claims(
        sign_in(&app, &p, json!({"loginId": "ada@example.com"})).await["sessionJwt"].as_str().unwrap(),
    );
    assert_eq!(c["roles"], json!(["editor"]));
    assert_eq!(c["permissions"], json!(["edit"]));
    assert!(c.get("tenants").is_none(), "{c}");
    assert!(c.get("missing").is_none(), "{c}");
    assert_eq!(c["plan"], "pro");
    assert!(c["jti"].is_string());
    let mut none = selected.clone();
    none["authSchema"] = json!("none");
    none["emptyClaimPolicy"] = json!("nil");
    post(&app, &p, "update", json!({"template": none})).await.assert_ok();
    let c = claims(
        sign_in(&app, &p, json!({"loginId": "ada@example.com"})).await["sessionJwt"].as_str().unwrap(),
    );
    for k in ["roles", "permissions", "tenants"] {
        assert!(c.get(k).is_none(), "{k}: {c}");
    }
    assert_eq!(c["missing"], Value::Null);
    let mut exclude = selected.clone();
    exclude["excludePermissions"] = json!(true);
    exclude["overrideSubject"] = json!(true);
    exclude["template"]["sub"] = json!("{{user.email}}");
    post(&app, &p, "update", json!({"template": exclude})).await.assert_ok();
    let c = claims(
        sign_in(&app, &p, json!({"loginId": "ada@example.com"})).await["sessionJwt"].as_str().unwrap(),
    );
    assert!(c.get("permissions").is_none(), "{c}");
    assert_eq!(c["tenants"][&tenant]["permissions"], json!([]));
    assert_eq!(c["sub"], "ada@example.com");

    // One default per type: marking another unmarks this one; deleting restores Descope's claims.
    let other = create(&app, &p, json!({"name": "other", "isDefault": true, "template": {"o": 1}})).await;
    let all = list(&app, &p).await;
    assert_eq!(all.iter().filter(|t| t["isDefault"] == true).count(), 1);
    let c = claims(
        sign_in(&app, &p, json!({"loginId": "ada@example.com"})).await["sessionJwt"].as_str().unwrap(),
    );
    assert_eq!(c["o"], 1);
    assert!(c.get("org").is_none());
    post(&app, &p, "delete", json!({"id": other["id"]})).await.assert_ok();
    let c = claims(
        sign_in(&app, &p, json!({"loginId": "ada@example.com"})).await["sessionJwt"].as_str().unwrap(),
    );
    assert!(c.get("o").is_none() && c.get("org").is_none(), "{c}");
}

#[tokio::test]
async fn the_default_key_template_shapes_access_key_tokens() {
    let (app, p) = TestApp::with_project().await;
    let tenant = app.create_tenant(&p, json!({"name": "Acme"})).await;
    let r = app
        .post(
            "/v1/mgmt/accesskey/create",
            Some(&p.mgmt()),
            json!({"name": "ci", "keyTenants": [{"tenantId": tenant, "roleNames": []}],
                   "customAttributes": {"team": "infra"}, "customClaims": {"own": true}}),
        )
        .await;
    let cleartext = r.assert_ok()["cleartext"].as_str().unwrap().to_owned();
    // A user template does not touch access keys.
    create(&app, &p, json!({"name": "users", "isDefault": true, "template": {"u": 1}})).await;
    create(
        &app,
        &p,
        json!({"name": "keys", "type": "key", "isDefault": true, "template": {
            "keyName": "{{accessKey.name}}", "team": "{{accessKey.customAttributes.team}}",
            "org": "{{tenant.name}}", "own": "template"}}),
    )
    .await;
    let r = app
        .post(
            "/v1/auth/accesskey/exchange",
            Some(&p.with(&cleartext)),
            json!({"loginOptions": {"selectedTenant": tenant}}),
        )
        .await;
    let c = claims(r.assert_ok()["sessionJwt"].as_str().unwrap());
    assert_eq!(c["keyName"], "ci");
    assert_eq!(c["team"], "infra");
    assert_eq!(c["org"], "Acme");
    assert_eq!(c["own"], true, "the key's own custom claims win");
    assert!(c.get("u").is_none());
    // A key template may not read users.
    post(
        &app,
        &p,
        "create",
        json!({"template": {"name": "k2", "type": "key", "template": {"e": "{{user.email}}"}}}),
    )
    .await
    .assert_error(400, "E011004");
}

#[tokio::test]
async fn templates_are_in_snapshots_and_reset() {
    let (app, p) = TestApp::with_project().await;
    setup_user(&app, &p).await;
    let t = create(
        &app,
        &p,
        json!({"name": "app", "isDefault": true, "template": {"plan": "{{user.customAttributes.plan}}"}}),
    )
    .await;
    let snap = app.export_snapshot(&p.id).await;
    assert_eq!(snap["jwtTemplates"], json!([t]));

    app.post(&format!("/emulator/v1/projects/{}/reset", p.id), None, json!({})).await.assert_ok();
    assert!(list(&app, &p).await.is_empty());
    assert!(app.export_snapshot(&p.id).await.get("jwtTemplates").is_none());

    app.put_snapshot(&p.id, &snap).await.assert_ok();
    assert_eq!(list(&app, &p).await, vec![t]);
    let c = claims(
        sign_in(&app, &p, json!({"loginId": "ada@example.com"})).await["sessionJwt"].as_str().unwrap(),
    );
    assert_eq!(c["plan"], "pro");

    // A snapshot with a bad template is refused whole.
    let mut bad = snap.clone();
    bad["jwtTemplates"][0]["template"] = json!({"exp": 1});
    bad["users"] = json!([]);
    app.put_snapshot(&p.id, &bad).await.assert_error(400, "E011004");
    assert_eq!(app.export_snapshot(&p.id).await["users"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_fixture_with_templates_merges_once() {
    use descope_emulator::fixtures::{import, Apply, ProjectSnapshot};
    let app = TestApp::new().await;
    let snap: ProjectSnapshot = serde_json::from_value(json!({
        "projectId": "P2fixturejwttemplates0000001",
        "managementKeys": [{"key": "K2fixturejwttemplatesmanagementkey000001"}],
        "users": [{"loginIds": ["kim@example.com"], "email": "kim@example.com", "name": "Kim"}],
        "jwtTemplates": [{"name": "app", "isDefault": true, "template": {"who": "{{user.name}}"}}],
    }))
    .unwrap();
    import(&app.state, &snap, Apply::Merge).await.unwrap();
    import(&app.state, &snap, Apply::Merge).await.unwrap();
    let p = TestProject {
        id: snap.project_id.clone(),
        management_key: "K2fixturejwttemplatesmanagementkey000001".into(),
    };
    let all = list(&app, &p).await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["isDefault"], true);
    let c = claims(
        sign_in(&app, &p, json!({"loginId": "kim@example.com"})).await["sessionJwt"].as_str().unwrap(),
    );
    assert_eq!(c["who"], "Kim");
    // A fixture whose template is bad is refused.
    let mut bad = snap.clone();
    bad.project_id = "P2fixturejwttemplates0000002".into();
    bad.jwt_templates[0].template = json!({"x": "{{user.nope}}"});
    let err = import(&app.state, &bad, Apply::Merge).await.unwrap_err();
    assert!(err.message.contains("nope"), "{err}");
}
