//! Tenant management: create/update/patch/delete/load/search, default roles, session
//! settings, groups; a deleted tenant leaves its users' tokens.

use serde_json::json;

use crate::harness::{claims, names, TestApp, TENANT_ADMIN};

#[tokio::test]
async fn create_load_update_patch_and_search() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    // createdTime is emulator time: set the clock so it is known.
    app.set_clock(1_710_510_330).await; // 2024-03-15 13:45:30
    let before = app.clock_now().await;
    // Python sends explicit nulls; a generated ID looks like Descope's
    let id = app.create_tenant(&p, json!({"name": "Acme", "id": null, "selfProvisioningDomains": ["acme.com"], "enforceSSO": false, "disabled": false}),
    )
    .await;
    assert!(id.starts_with('T') && id.len() == 28 && id.chars().all(|c| c.is_ascii_alphanumeric()), "{id}");
    let given = app
        .create_tenant(&p, json!({"name": "Beta", "id": "beta-id", "customAttributes": {"tier": "gold"}}))
        .await;
    assert_eq!(given, "beta-id");

    let r = app.get(&format!("/v1/mgmt/tenant?id={id}"), Some(&p.mgmt())).await;
    let t = r.assert_ok();
    assert_eq!(t["id"], id);
    assert_eq!(t["name"], "Acme");
    assert_eq!(t["selfProvisioningDomains"], json!(["acme.com"]));
    assert_eq!(t["customAttributes"], json!({}));
    assert_eq!(t["authType"], "none");
    assert_eq!(t["domains"], json!([]));
    assert_eq!(t["enforceSSO"], false);
    assert_eq!(t["disabled"], false);
    let created = t["createdTime"].as_i64().unwrap();
    assert!(created > 1_600_000_000 && created < i32::MAX as i64);
    let after = app.clock_now().await;
    assert!((before..=after).contains(&created), "createdTime {created} is not emulator time (s)");

    let r = app
        .post(
            "/v1/mgmt/tenant/update",
            Some(&p.mgmt()),
            json!({"id": id, "name": "Acme Inc", "selfProvisioningDomains": [], "enforceSSO": true, "disabled": true}),
        )
        .await;
    assert_eq!(r.assert_ok(), &json!({}));
    let r = app
        .patch(
            "/v1/mgmt/tenant/patch",
            Some(&p.mgmt()),
            &json!({"id": id, "customAttributes": {"tier": "silver"}}),
        )
        .await;
    assert_eq!(r.assert_ok(), &json!({}));
    let t = app.get(&format!("/v1/mgmt/tenant?id={id}"), Some(&p.mgmt())).await.assert_ok().clone();
    assert_eq!(t["name"], "Acme Inc");
    assert_eq!(t["selfProvisioningDomains"], json!([]));
    assert_eq!(t["enforceSSO"], true);
    assert_eq!(t["disabled"], true);
    assert_eq!(t["customAttributes"], json!({"tier": "silver"}));

    let all = app.get("/v1/mgmt/tenant/all", Some(&p.mgmt())).await.assert_ok().clone();
    assert_eq!(all["tenants"].as_array().unwrap().len(), 2);
    let r = app
        .post(
            "/v1/mgmt/tenant/search",
            Some(&p.mgmt()),
            json!({"tenantIds": null, "tenantNames": null, "tenantSelfProvisioningDomains": null, "customAttributes": {"tier": "gold"}}),
        )
        .await;
    let found = r.assert_ok()["tenants"].as_array().unwrap().clone();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["id"], "beta-id");
    let r = app.post("/v1/mgmt/tenant/search", Some(&p.mgmt()), json!({"tenantNames": ["acme inc"]})).await;
    assert_eq!(r.assert_ok()["tenants"][0]["id"], id);
}

#[tokio::test]
async fn errors_duplicates_unknown_and_wrong_key() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    app.create_tenant(&p, json!({"name": "Acme", "id": "T1"})).await;
    app.post("/v1/mgmt/tenant/create", Some(&p.mgmt()), json!({"name": "Other", "id": "T1"}))
        .await
        .assert_error(409, "E011009");
    app.post("/v1/mgmt/tenant/create", Some(&p.mgmt()), json!({"name": "acme"}))
        .await
        .assert_error(409, "E011009");
    app.post("/v1/mgmt/tenant/create", Some(&p.mgmt()), json!({"id": "T9"}))
        .await
        .assert_error(400, "E011002");
    app.get("/v1/mgmt/tenant?id=nope", Some(&p.mgmt())).await.assert_error(404, "E011008");
    app.post("/v1/mgmt/tenant/update", Some(&p.mgmt()), json!({"id": "nope", "name": "x"}))
        .await
        .assert_error(404, "E011008");
    app.post("/v1/mgmt/tenant/delete", Some(&p.mgmt()), json!({"id": "nope"}))
        .await
        .assert_error(404, "E011008");
    app.get("/v1/mgmt/tenant/all", Some(&p.with("wrong-key"))).await.assert_error(401, "E011103");
    app.post("/v1/mgmt/tenant/create", Some(&p.with("wrong-key")), json!({"name": "x"}))
        .await
        .assert_error(401, "E011103");
}

#[tokio::test]
async fn default_roles_and_session_settings() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let id = app.create_tenant(&p, json!({"name": "Acme"})).await;
    app.post("/v1/mgmt/role/create", Some(&p.mgmt()), json!({"name": "member"})).await.assert_ok();
    let r = app
        .post(
            "/v1/mgmt/tenant/updateDefaultRoles",
            Some(&p.mgmt()),
            json!({"id": id, "defaultRoles": ["member"]}),
        )
        .await;
    assert_eq!(r.assert_ok(), &json!({}));
    app.post(
        "/v1/mgmt/tenant/updateDefaultRoles",
        Some(&p.mgmt()),
        json!({"id": id, "defaultRoles": ["nope"]}),
    )
    .await
    .assert_error(400, "E011004");
    let t = app.get(&format!("/v1/mgmt/tenant?id={id}"), Some(&p.mgmt())).await.assert_ok().clone();
    assert_eq!(t["defaultRoles"], json!(["member"]));

    // Python leaves out what it does not set; Go sends every field
    let r = app
        .post(
            "/v1/mgmt/tenant/settings",
            Some(&p.mgmt()),
            json!({"tenantId": id, "selfProvisioningDomains": ["acme.com"], "enabled": true,
                   "sessionTokenExpiration": 30, "sessionTokenExpirationUnit": "minutes", "domains": ["acme.io"]}),
        )
        .await;
    assert_eq!(r.assert_ok(), &json!({}));
    let s = app.get(&format!("/v1/mgmt/tenant/settings?id={id}"), Some(&p.mgmt())).await.assert_ok().clone();
    assert_eq!(s["enabled"], true);
    assert_eq!(s["sessionTokenExpiration"], 30);
    assert_eq!(s["sessionTokenExpirationUnit"], "minutes");
    assert_eq!(s["refreshTokenExpiration"], 0);
    assert_eq!(s["selfProvisioningDomains"], json!(["acme.com"]));
    assert_eq!(s["domains"], json!(["acme.io"]));
    assert_eq!(s["authType"], "none");
    assert_eq!(s["JITDisabled"], false);
    app.get("/v1/mgmt/tenant/settings?id=nope", Some(&p.mgmt())).await.assert_error(404, "E011008");
}

#[tokio::test]
async fn groups_of_a_tenant_without_sso_are_empty() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let id = app.create_tenant(&p, json!({"name": "Acme"})).await;
    for (path, body) in [
        ("/v1/mgmt/group/all", json!({"tenantId": id})),
        ("/v1/mgmt/group/member/all", json!({"tenantId": id, "userIds": ["U1"], "loginIds": []})),
        ("/v1/mgmt/group/members", json!({"tenantId": id, "groupId": "g1"})),
    ] {
        assert_eq!(app.post(path, Some(&p.mgmt()), body).await.assert_ok(), &json!([]));
    }
    app.post("/v1/mgmt/group/all", Some(&p.mgmt()), json!({"tenantId": "nope"}))
        .await
        .assert_error(404, "E011008");
}

#[tokio::test]
async fn deleted_tenant_disappears_from_its_users_and_cascade_deletes_its_only_users() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let t1 = app.create_tenant(&p, json!({"name": "One", "id": "T1"})).await;
    app.create_tenant(&p, json!({"name": "Two", "id": "T2"})).await;
    app.post("/v1/mgmt/role/create", Some(&p.mgmt()), json!({"name": "admin", "tenantId": "T1"}))
        .await
        .assert_ok();
    for (email, tenants) in [
        ("both@example.com", json!([{"tenantId": "T1", "roleNames": ["admin"]}, {"tenantId": "T2"}])),
        ("only@example.com", json!([{"tenantId": "T1"}])),
    ] {
        app.post("/v1/mgmt/user/create", Some(&p.mgmt()), json!({"loginId": email, "userTenants": tenants}))
            .await
            .assert_ok();
    }
    let jwt = app.sign_in_with_otp(&p, "both@example.com").await;
    let c = claims(jwt["sessionJwt"].as_str().unwrap());
    assert_eq!(c["tenants"]["T1"]["roles"], json!(["admin"]));
    let refresh = jwt["refreshJwt"].as_str().unwrap().to_owned();

    app.post("/v1/mgmt/tenant/delete", Some(&p.mgmt()), json!({"id": t1, "cascade": true})).await.assert_ok();
    let c = app.refreshed_claims(&p, &refresh).await;
    assert!(c["tenants"].get("T1").is_none(), "{c}");
    assert!(c["tenants"].get("T2").is_some(), "{c}");
    let me = app.get("/v1/auth/me", Some(&p.with(&refresh))).await.assert_ok().clone();
    assert_eq!(me["userTenants"].as_array().unwrap().len(), 1);
    // the user of T1 only went with it (cascade); the other stays
    app.get("/v1/mgmt/user?loginId=only@example.com", Some(&p.mgmt())).await.assert_error(400, "E112102");
    app.get("/v1/mgmt/user?loginId=both@example.com", Some(&p.mgmt())).await.assert_ok();
    // the tenant's own roles went too; the project's built-in role stays
    let roles = app.get("/v1/mgmt/role/all", Some(&p.mgmt())).await.assert_ok().clone();
    assert_eq!(names(&roles["roles"]), [TENANT_ADMIN]);
}
