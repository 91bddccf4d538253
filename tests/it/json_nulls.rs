//! JSON `null` means "not given" in every request shape, except inside free-form values
//! (custom attributes, custom claims, ...) and as the value of a keyed map, where it is data
//! and reaches the handler unchanged.

use serde_json::json;

use crate::harness::TestApp;

#[tokio::test]
async fn nulls_are_dropped_from_shapes_but_kept_inside_free_form_values() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let t = app.post("/v1/mgmt/tenant/create", Some(&p.mgmt()), json!({"name": "Acme", "id": null})).await;
    let tenant = t.assert_ok()["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            "/v1/mgmt/accesskey/create",
            Some(&p.mgmt()),
            json!({
                "name": "ci", "expireTime": null, "roleNames": null, "userId": null,
                "keyTenants": [{"tenantId": tenant, "roleNames": null}],
                "customClaims": {"team": null, "nested": {"a": null}, "list": [null, 1]},
                "customAttributes": {"env": null},
            }),
        )
        .await;
    let key = r.assert_ok()["key"].clone();
    assert_eq!(key["roleNames"], json!([]));
    assert_eq!(key["keyTenants"][0]["tenantId"], tenant);
    assert_eq!(key["keyTenants"][0]["roleNames"], json!([]));
    assert_eq!(key["customClaims"], json!({"team": null, "nested": {"a": null}, "list": [null, 1]}));
    assert_eq!(key["customAttributes"], json!({"env": null}));
}

#[tokio::test]
async fn a_null_value_of_a_keyed_map_is_kept() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let m = Some(p.mgmt());
    let m = m.as_deref();
    app.post("/v1/mgmt/tenant/create", m, json!({"name": "Acme", "id": "T1"})).await.assert_ok();
    for (login, tenants) in [("in", json!([{"tenantId": "T1", "roleNames": null}])), ("out", json!(null))] {
        app.post("/v1/mgmt/user/create", m, json!({"loginId": login, "userTenants": tenants}))
            .await
            .assert_ok();
    }
    // `{"T1": null}` filters on membership of T1, as `{"T1": {}}` does; it is not left out.
    for filter in [json!({"T1": null}), json!({"T1": {"values": null, "and": null}})] {
        let r = app.post("/v2/mgmt/user/search", m, json!({"tenantRoleNames": filter})).await;
        let users = r.assert_ok()["users"].as_array().unwrap().clone();
        let logins: Vec<_> = users.iter().map(|u| u["loginIds"][0].clone()).collect();
        assert_eq!(logins, vec![json!("in")], "{filter}");
    }
}

/// serde reads a flattened struct (the user profile) from a buffer, after the enclosing object,
/// so the error of a wrong type in one of its fields names that object, not the field.
#[tokio::test]
async fn a_wrong_type_in_a_flattened_profile_field_is_a_400() {
    let app = TestApp::new().await;
    let p = app.new_project().await;
    let r = app.post("/v1/mgmt/user/create", Some(&p.mgmt()), json!({"loginId": "x", "givenName": 5})).await;
    r.assert_error(400, "E011001");
    let r = app
        .post(
            "/v1/mgmt/user/create/batch",
            Some(&p.mgmt()),
            json!({"users": [{"loginId": "x", "familyName": null}, {"loginId": "y", "email": []}]}),
        )
        .await;
    r.assert_error(400, "E011001");
    assert!(r.body["errorMessage"].as_str().unwrap().contains("users[1]"), "{}", r.text);
}
