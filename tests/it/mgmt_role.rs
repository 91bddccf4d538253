//! Role and permission management: CRUD, batches, search, and renames/deletes reaching the
//! users' next tokens.

use serde_json::json;

use crate::harness::{claims, TestApp};

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
    let perms = all["permissions"].as_array().unwrap();
    assert_eq!(perms.len(), 3);
    assert_eq!(perms[0]["name"], "read");
    assert_eq!(perms[0]["description"], "Read");
    assert_eq!(perms[0]["systemDefault"], false);
    let write_id = perms[1]["id"].as_str().unwrap().to_owned();
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
    let names: Vec<_> = all["permissions"].as_array().unwrap().iter().map(|p| p["name"].clone()).collect();
    assert_eq!(names, vec![json!("view"), json!("edit")]);
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
    let roles = all["roles"].as_array().unwrap();
    assert_eq!(roles.len(), 2);
    let editor = &roles[1];
    assert_eq!(editor["name"], "editor");
    assert_eq!(editor["description"], "Edits");
    assert_eq!(editor["permissionNames"], json!(["read", "write"]));
    assert_eq!(editor["tenantId"], "T1");
    assert_eq!(editor["default"], true);
    assert_eq!(editor["private"], true);
    assert!(editor["id"].as_str().unwrap().len() > 10);
    assert!(editor["createdTime"].as_i64().unwrap() < i32::MAX as i64);
    assert_eq!(roles[0]["tenantId"], "");

    let search = |body| app.post("/v1/mgmt/role/search", m, body);
    let r = search(json!({"tenantIds": ["T1"]})).await;
    assert_eq!(r.assert_ok()["roles"].as_array().unwrap().len(), 1);
    let r = search(json!({"tenantIds": ["T1"], "includeProjectRoles": true})).await;
    assert_eq!(r.assert_ok()["roles"].as_array().unwrap().len(), 2);
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
    assert_eq!(app.get("/v1/mgmt/role/all", m).await.assert_ok()["roles"].as_array().unwrap().len(), 2);
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
    assert_eq!(roles["roles"][0]["permissionNames"], json!([]));
}
