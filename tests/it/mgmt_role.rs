//! Role and permission management: CRUD, batches, search, and renames/deletes reaching the
//! users' next tokens.

use serde_json::json;

use crate::harness::{claims, custom_names, names, TestApp, BUILTIN_PERMISSIONS, TENANT_ADMIN};

#[tokio::test]
async fn permissions_crud_and_batches() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let m = Some(p.mgmt());
    let m = m.as_deref();
    assert_eq!(
        app.post("/v1/mgmt/permission/create", m, json!({"name": "read", "description": "Read"}))
            .await
            .assert_ok(),
        &json!({})
    );
    app.post(
        "/v1/mgmt/permission/create/batch",
        m,
        json!({"permissions": [{"name": "write"}, {"name": "delete", "description": "Del"}]}),
    )
    .await
    .assert_ok();
    let all = app.get("/v1/mgmt/permission/all", m).await.assert_ok().clone();
    // the built-in permissions first, then the project's own
    assert_eq!(
        names(&all["permissions"]),
        ["Impersonate", "User Admin", "SSO Admin", "read", "write", "delete"]
    );
    let perms = all["permissions"].as_array().unwrap();
    assert_eq!(perms[3]["name"], "read");
    assert_eq!(perms[3]["description"], "Read");
    assert_eq!(perms[3]["systemDefault"], false);
    let write_id = perms[4]["id"].as_str().unwrap().to_owned();
    assert!(!write_id.is_empty());

    app.post("/v1/mgmt/permission/create", m, json!({"name": "read"})).await.assert_error(409, "E011009");
    app.post("/v1/mgmt/permission/update", m, json!({"name": "nope", "newName": "x"}))
        .await
        .assert_error(404, "E011008");

    app.post(
        "/v1/mgmt/permission/update",
        m,
        json!({"name": "read", "newName": "view", "description": "View"}),
    )
    .await
    .assert_ok();
    // Go's UpdateWithID
    app.post(
        "/v1/mgmt/permission/update/batch",
        m,
        json!({"permissions": [{"id": write_id, "newName": "edit"}]}),
    )
    .await
    .assert_ok();
    app.post("/v1/mgmt/permission/delete/batch", m, json!({"names": ["delete"], "ids": null}))
        .await
        .assert_ok();
    let all = app.get("/v1/mgmt/permission/all", m).await.assert_ok().clone();
    assert_eq!(custom_names(&all["permissions"]), ["view", "edit"]);
    app.post("/v1/mgmt/permission/delete", m, json!({"name": "edit"})).await.assert_ok();
    app.get("/v1/mgmt/permission/all", Some(&p.with("bad"))).await.assert_error(401, "E011103");
}

#[tokio::test]
async fn roles_crud_search_and_batches() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let m = Some(p.mgmt());
    let m = m.as_deref();
    app.post(
        "/v1/mgmt/permission/create/batch",
        m,
        json!({"permissions": [{"name": "read"}, {"name": "write"}]}),
    )
    .await
    .assert_ok();
    app.post("/v1/mgmt/tenant/create", m, json!({"name": "Acme", "id": "T1"})).await.assert_ok();
    // Python sends null description and tenantId
    let r = app
        .post(
            "/v1/mgmt/role/create",
            m,
            json!({"name": "viewer", "description": null, "permissionNames": ["read"], "tenantId": null}),
        )
        .await;
    assert_eq!(r.assert_ok()["name"], "viewer");
    app.post(
        "/v1/mgmt/role/create",
        m,
        json!({"name": "editor", "description": "Edits", "permissionNames": ["read", "write"], "tenantId": "T1", "default": true, "private": true}),
    )
    .await
    .assert_ok();
    // unknown permission, unknown tenant, duplicate
    app.post("/v1/mgmt/role/create", m, json!({"name": "x", "permissionNames": ["nope"]}))
        .await
        .assert_error(400, "E011004");
    app.post("/v1/mgmt/role/create", m, json!({"name": "x", "tenantId": "nope"}))
        .await
        .assert_error(404, "E011008");
    app.post("/v1/mgmt/role/create", m, json!({"name": "viewer"})).await.assert_error(409, "E011009");

    let all = app.get("/v1/mgmt/role/all", m).await.assert_ok().clone();
    assert_eq!(names(&all["roles"]), [TENANT_ADMIN, "viewer", "editor"]);
    let roles = all["roles"].as_array().unwrap();
    let editor = &roles[2];
    assert_eq!(editor["name"], "editor");
    assert_eq!(editor["description"], "Edits");
    assert_eq!(editor["permissionNames"], json!(["read", "write"]));
    assert_eq!(editor["tenantId"], "T1");
    assert_eq!(editor["default"], true);
    assert_eq!(editor["private"], true);
    assert!(editor["id"].as_str().unwrap().len() > 10);
    assert!(editor["createdTime"].as_i64().unwrap() < i32::MAX as i64);
    assert_eq!(roles[1]["tenantId"], "");

    let search = |body| app.post("/v1/mgmt/role/search", m, body);
    let r = search(json!({"tenantIds": ["T1"]})).await;
    assert_eq!(r.assert_ok()["roles"].as_array().unwrap().len(), 1);
    let r = search(json!({"tenantIds": ["T1"], "includeProjectRoles": true})).await;
    assert_eq!(names(&r.assert_ok()["roles"]), [TENANT_ADMIN, "viewer", "editor"]);
    let r = search(json!({"roleNameLike": "VIEW"})).await;
    assert_eq!(r.assert_ok()["roles"][0]["name"], "viewer");
    let r = search(json!({"permissionNames": ["write"]})).await;
    assert_eq!(r.assert_ok()["roles"][0]["name"], "editor");

    let r = app
        .post(
            "/v1/mgmt/role/create/batch",
            m,
            json!({"roles": [{"name": "a"}, {"name": "b", "tenantId": "T1"}]}),
        )
        .await;
    assert_eq!(r.assert_ok()["roles"].as_array().unwrap().len(), 2);
    let r = app
        .post(
            "/v1/mgmt/role/update/batch",
            m,
            json!({"roles": [{"name": "a", "newName": "a2", "description": "A"}]}),
        )
        .await;
    assert_eq!(r.assert_ok()["roles"][0]["name"], "a2");
    app.post("/v1/mgmt/role/delete/batch", m, json!({"roleNames": ["b"], "tenantId": "T1"}))
        .await
        .assert_ok();
    app.post("/v1/mgmt/role/delete", m, json!({"name": "a2", "tenantId": null})).await.assert_ok();
    app.post("/v1/mgmt/role/delete", m, json!({"name": "a2"})).await.assert_error(404, "E011008");
    app.post("/v1/mgmt/role/update", m, json!({"name": "nope", "newName": "x"}))
        .await
        .assert_error(404, "E011008");
    assert_eq!(
        custom_names(&app.get("/v1/mgmt/role/all", m).await.assert_ok()["roles"]),
        ["viewer", "editor"]
    );
    app.get("/v1/mgmt/role/all", Some(&p.with("bad"))).await.assert_error(401, "E011103");
}

#[tokio::test]
async fn renamed_and_deleted_roles_and_permissions_reach_the_next_token() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let m = Some(p.mgmt());
    let m = m.as_deref();
    app.post(
        "/v1/mgmt/permission/create/batch",
        m,
        json!({"permissions": [{"name": "read"}, {"name": "write"}]}),
    )
    .await
    .assert_ok();
    app.post("/v1/mgmt/tenant/create", m, json!({"name": "Acme", "id": "T1"})).await.assert_ok();
    app.post("/v1/mgmt/role/create", m, json!({"name": "viewer", "permissionNames": ["read"]}))
        .await
        .assert_ok();
    app.post("/v1/mgmt/role/create", m, json!({"name": "editor", "permissionNames": ["write"]}))
        .await
        .assert_ok();
    app.post(
        "/v1/mgmt/user/create",
        m,
        json!({"loginId": "u@example.com", "roleNames": ["viewer", "editor"],
               "userTenants": [{"tenantId": "T1", "roleNames": ["viewer"]}]}),
    )
    .await
    .assert_ok();
    let jwt = app.sign_in_with_otp(&p, "u@example.com").await;
    let c = claims(jwt["sessionJwt"].as_str().unwrap());
    assert_eq!(c["roles"], json!(["editor", "viewer"]));
    let refresh = jwt["refreshJwt"].as_str().unwrap().to_owned();

    // rename a project role: its project and tenant grants follow
    app.post(
        "/v1/mgmt/role/update",
        m,
        json!({"name": "viewer", "newName": "reader", "permissionNames": ["read"]}),
    )
    .await
    .assert_ok();
    let c = app.refreshed_claims(&p, &refresh).await;
    assert_eq!(c["roles"], json!(["editor", "reader"]));
    assert_eq!(c["tenants"]["T1"]["roles"], json!(["reader"]));
    assert_eq!(c["tenants"]["T1"]["permissions"], json!(["read"]));

    // rename a permission: the roles holding it follow
    app.post("/v1/mgmt/permission/update", m, json!({"name": "read", "newName": "view"})).await.assert_ok();
    let c = app.refreshed_claims(&p, &refresh).await;
    assert_eq!(c["tenants"]["T1"]["permissions"], json!(["view"]));

    // delete a role: the grants go
    app.post("/v1/mgmt/role/delete", m, json!({"name": "editor"})).await.assert_ok();
    let c = app.refreshed_claims(&p, &refresh).await;
    assert_eq!(c["roles"], json!(["reader"]));
    assert_eq!(c["permissions"], json!(["view"]));

    // delete a permission: the roles lose it
    app.post("/v1/mgmt/permission/delete", m, json!({"name": "view"})).await.assert_ok();
    let c = app.refreshed_claims(&p, &refresh).await;
    assert_eq!(c["permissions"], json!([]));
    let roles = app.get("/v1/mgmt/role/all", m).await.assert_ok().clone();
    assert_eq!(roles["roles"][1]["name"], "reader");
    assert_eq!(roles["roles"][1]["permissionNames"], json!([]));
}

#[tokio::test]
async fn every_project_has_the_builtin_roles_and_permissions() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let m = Some(p.mgmt());
    let m = m.as_deref();
    let all = app.get("/v1/mgmt/permission/all", m).await.assert_ok().clone();
    assert_eq!(names(&all["permissions"]), BUILTIN_PERMISSIONS);
    for perm in all["permissions"].as_array().unwrap() {
        assert_eq!(perm["systemDefault"], true, "{perm}");
        assert!(!perm["description"].as_str().unwrap().is_empty(), "{perm}");
        assert!(!perm["id"].as_str().unwrap().is_empty(), "{perm}");
    }
    let roles = app.get("/v1/mgmt/role/all", m).await.assert_ok().clone();
    assert_eq!(names(&roles["roles"]), [TENANT_ADMIN]);
    let admin = &roles["roles"][0];
    assert_eq!(admin["tenantId"], "");
    assert_eq!(admin["permissionNames"], json!(BUILTIN_PERMISSIONS));

    // A role may hold a built-in permission (this was "Permission Impersonate does not exist").
    let r = app
        .post(
            "/v1/mgmt/role/create",
            m,
            json!({"name": "support", "permissionNames": ["Impersonate", "read"]}),
        )
        .await;
    r.assert_error(400, "E011004");
    let r = app
        .post("/v1/mgmt/role/create", m, json!({"name": "support", "permissionNames": ["Impersonate"]}))
        .await;
    assert_eq!(r.assert_ok()["permissionNames"], json!(["Impersonate"]));
    // a permission of the project's own is not a built-in
    app.post("/v1/mgmt/permission/create", m, json!({"name": "read"})).await.assert_ok();
    let all = app.get("/v1/mgmt/permission/all", m).await.assert_ok().clone();
    assert_eq!(all["permissions"][3]["name"], "read");
    assert_eq!(all["permissions"][3]["systemDefault"], false);

    // Built-in permissions exist already, and are neither renamed nor deleted; their
    // description may change.
    app.post("/v1/mgmt/permission/create", m, json!({"name": "Impersonate"}))
        .await
        .assert_error(409, "E011009");
    app.post("/v1/mgmt/permission/delete", m, json!({"name": "Impersonate"}))
        .await
        .assert_error(400, "E011004");
    app.post("/v1/mgmt/permission/delete/batch", m, json!({"names": ["read", "SSO Admin"]}))
        .await
        .assert_error(400, "E011004");
    app.post("/v1/mgmt/permission/update", m, json!({"name": "User Admin", "newName": "Users"}))
        .await
        .assert_error(400, "E011004");
    app.post("/v1/mgmt/permission/update", m, json!({"name": "User Admin", "description": "Manage users"}))
        .await
        .assert_ok();
    let all = app.get("/v1/mgmt/permission/all", m).await.assert_ok().clone();
    assert_eq!(names(&all["permissions"]), ["Impersonate", "User Admin", "SSO Admin", "read"]);
    assert_eq!(all["permissions"][1]["description"], "Manage users");

    // Tenant Admin is a project role assignable in a tenant; its permissions reach the
    // tenant's claims.
    let t = app.create_tenant(&p, json!({"name": "Acme", "id": "T1"})).await;
    app.create_user(
        &p,
        json!({"loginId": "ta@example.com", "userTenants": [{"tenantId": t, "roleNames": [TENANT_ADMIN]}]}),
    )
    .await;
    let jwt = app.sign_in_with_otp(&p, "ta@example.com").await;
    let c = claims(jwt["sessionJwt"].as_str().unwrap());
    assert_eq!(c["tenants"]["T1"]["roles"], json!([TENANT_ADMIN]));
    assert_eq!(c["tenants"]["T1"]["permissions"], json!(BUILTIN_PERMISSIONS));
    assert_eq!(c["permissions"], json!([]));

    // Tenant Admin may be edited and renamed, as any role.
    app.post(
        "/v1/mgmt/role/update",
        m,
        json!({"name": TENANT_ADMIN, "newName": "Org Admin", "permissionNames": ["User Admin"]}),
    )
    .await
    .assert_ok();
    let c = app.refreshed_claims(&p, jwt["refreshJwt"].as_str().unwrap()).await;
    assert_eq!(c["tenants"]["T1"], json!({"roles": ["Org Admin"], "permissions": ["User Admin"]}));
}

#[tokio::test]
async fn reset_snapshots_and_fixtures_give_the_builtins_too() {
    use descope_emulator::fixtures::{import, load_path, Apply, ProjectSnapshot};
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let m = p.mgmt();
    let builtins_of = |id: String, mgmt: String| {
        let app = &app;
        async move {
            let perms = app.get("/v1/mgmt/permission/all", Some(&mgmt)).await.assert_ok().clone();
            let roles = app.get("/v1/mgmt/role/all", Some(&mgmt)).await.assert_ok().clone();
            let perms: Vec<String> = names(&perms["permissions"])
                .into_iter()
                .filter(|n| BUILTIN_PERMISSIONS.contains(&n.as_str()))
                .collect();
            assert_eq!(perms, BUILTIN_PERMISSIONS, "project {id}");
            assert!(names(&roles["roles"]).contains(&TENANT_ADMIN.to_owned()), "project {id}: {roles}");
        }
    };

    // A reset project starts with them again, even after Tenant Admin was deleted.
    app.post("/v1/mgmt/role/delete", Some(&m), json!({"name": TENANT_ADMIN})).await.assert_ok();
    assert_eq!(
        names(&app.get("/v1/mgmt/role/all", Some(&m)).await.assert_ok()["roles"]),
        Vec::<String>::new()
    );
    app.post(&format!("/emulator/v1/projects/{}/reset", p.id), None, json!({})).await.assert_ok();
    builtins_of(p.id.clone(), m.clone()).await;

    // A snapshot that does not list them keeps them; roles of the snapshot may use them.
    let snap = json!({
        "projectId": p.id,
        "roles": [{"name": "support", "permissionNames": ["Impersonate"]}],
        "users": [{"loginIds": ["s@example.com"], "email": "s@example.com", "roleNames": ["support"]}]
    });
    app.put_snapshot(&p.id, &snap).await.assert_ok();
    builtins_of(p.id.clone(), m.clone()).await;
    assert_eq!(custom_names(&app.get("/v1/mgmt/role/all", Some(&m)).await.assert_ok()["roles"]), ["support"]);

    // A snapshot that lists Tenant Admin sets its version; the export round-trips.
    let snap = json!({
        "projectId": p.id,
        "permissions": [{"name": "read"}],
        "roles": [{"name": TENANT_ADMIN, "description": "Ours", "permissionNames": ["read", "SSO Admin"]}]
    });
    app.put_snapshot(&p.id, &snap).await.assert_ok();
    let exported = app.export_snapshot(&p.id).await;
    assert_eq!(names(&exported["roles"]), [TENANT_ADMIN]);
    assert_eq!(exported["roles"][0]["description"], "Ours");
    assert_eq!(exported["roles"][0]["permissionNames"], json!(["read", "SSO Admin"]));
    assert_eq!(names(&exported["permissions"]), ["Impersonate", "User Admin", "SSO Admin", "read"]);
    app.put_snapshot(&p.id, &exported).await.assert_ok();
    assert_eq!(app.export_snapshot(&p.id).await, exported);

    // A fixture naming a new project makes it with them; so does the default project.
    let fixture: ProjectSnapshot = serde_json::from_value(json!({
        "projectId": "P2fixturewithbuiltins0000001",
        "managementKeys": [{"key": "K2fixturewithbuiltinsmanagementkey000001"}],
        "permissions": [{"name": "read"}]
    }))
    .unwrap();
    import(&app.state, &fixture, Apply::Merge).await.unwrap();
    builtins_of(
        fixture.project_id.clone(),
        "P2fixturewithbuiltins0000001:K2fixturewithbuiltinsmanagementkey000001".into(),
    )
    .await;
    let fixtures = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"));
    load_path(&app.state, fixtures).await.unwrap();
    let default_id = app.state.projects.default_id(&app.state.db).await.unwrap().unwrap();
    builtins_of(default_id.clone(), format!("{default_id}:K2emulatorDefaultManagementKey0001")).await;
    // loading the fixtures again changes nothing
    let before = app.export_snapshot(&default_id).await;
    load_path(&app.state, fixtures).await.unwrap();
    assert_eq!(app.export_snapshot(&default_id).await, before);
}
