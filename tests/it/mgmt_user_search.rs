//! Management user search (`/v2/mgmt/user/search`, `/search/test`, `/v1/mgmt/user/search`),
//! login history, passkeys, TOTP removal, trusted devices, provider tokens and embedded links.

use serde_json::{json, Value};

use crate::harness::{claims, urlencode, TestApp, TestProject};

const SEARCH: &str = "/v2/mgmt/user/search";

/// Runs a search and returns `(login IDs of the page, total)`.
async fn search_at(app: &TestApp, p: &TestProject, path: &str, body: Value) -> (Vec<String>, i64) {
    let r = app.post(path, Some(&p.mgmt()), body).await;
    let b = r.assert_ok();
    let users = b["users"].as_array().unwrap();
    let ids = users.iter().map(|u| u["loginIds"][0].as_str().unwrap().to_owned()).collect();
    (ids, b["total"].as_i64().unwrap())
}

async fn search(app: &TestApp, p: &TestProject, body: Value) -> Vec<String> {
    let (mut ids, total) = search_at(app, p, SEARCH, body).await;
    assert_eq!(total as usize, ids.len(), "a single page holds every match");
    ids.sort();
    ids
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

/// Three regular users (one disabled) and one test user, in two tenants with roles.
async fn seed(app: &TestApp, p: &TestProject) {
    let m = Some(p.mgmt());
    let m = m.as_deref();
    for (id, name) in [("T1", "Acme"), ("T2", "Globex")] {
        app.post("/v1/mgmt/tenant/create", m, json!({"name": name, "id": id})).await.assert_ok();
    }
    for role in ["admin", "viewer", "editor"] {
        app.post("/v1/mgmt/role/create", m, json!({"name": role})).await.assert_ok();
    }
    app.create_user(
        p,
        json!({
            "loginId": "ann@example.com", "displayName": "Ann Lee", "phone": "+15550001111",
            "roleNames": ["admin"],
            "userTenants": [{"tenantId": "T1", "roleNames": ["viewer", "editor"]}],
            "customAttributes": {"plan": "pro", "seats": 5, "beta": true, "tags": ["a", "b"]},
            "ssoAppIDs": ["app1"],
        }),
    )
    .await;
    app.create_user(p,
        json!({
            "loginId": "bob", "email": "bob@example.org", "displayName": "Bob Stone",
            "userTenants": [{"tenantId": "T1", "roleNames": ["viewer"]}, {"tenantId": "T2", "roleNames": ["admin"]}],
            "customAttributes": {"plan": "free", "seats": 1, "beta": false},
        }),
    )
    .await;
    app.create_user(
        p,
        json!({"loginId": "cy@example.net", "displayName": "Cy Young", "status": "disabled",
               "additionalLoginIds": ["cyrus"]}),
    )
    .await;
    app.create_test_user(p, json!({"loginId": "tess@example.com", "displayName": "Tess Test"})).await;
}

#[tokio::test]
async fn search_hides_test_users_unless_asked() {
    let (app, p) = TestApp::with_project().await;
    seed(&app, &p).await;
    let regular = strs(&["ann@example.com", "bob", "cy@example.net"]);
    assert_eq!(search(&app, &p, json!({})).await, regular);
    let (ids, total) = search_at(&app, &p, "/v1/mgmt/user/search", json!({})).await;
    assert_eq!((ids.len(), total), (3, 3));
    let mut all = regular.clone();
    all.push("tess@example.com".into());
    assert_eq!(search(&app, &p, json!({"withTestUser": true})).await, all);
    assert_eq!(search(&app, &p, json!({"testUsersOnly": true})).await, strs(&["tess@example.com"]));
    let (ids, total) = search_at(&app, &p, "/v2/mgmt/user/search/test", json!({"withTestUser": false})).await;
    assert_eq!((ids, total), (strs(&["tess@example.com"]), 1));
    // Go sends every field, null when unset.
    let go = json!({
        "tenantIds": null, "roleNames": null, "limit": 0, "page": 0, "sort": null, "text": "",
        "loginIds": null, "testUsersOnly": false, "withTestUser": false, "customAttributes": null,
        "statuses": null, "emails": null, "phones": null, "ssoAppIds": null, "fromCreatedTime": 0,
        "toCreatedTime": 0, "fromModifiedTime": 0, "toModifiedTime": 0, "userIds": null,
        "tenantRoleIds": null, "tenantRoleNames": null, "includeSubTenants": false
    });
    assert_eq!(search(&app, &p, go).await, regular);
}

#[tokio::test]
async fn search_returns_full_user_objects() {
    let (app, p) = TestApp::with_project().await;
    seed(&app, &p).await;
    let r = app.post(SEARCH, Some(&p.mgmt()), json!({"loginIds": ["ann@example.com"]})).await;
    let u = &r.assert_ok()["users"][0];
    assert_eq!(u["name"], "Ann Lee");
    assert_eq!(u["roleNames"], json!(["admin"]));
    assert_eq!(u["userTenants"][0]["tenantId"], "T1");
    assert_eq!(u["userTenants"][0]["tenantName"], "Acme");
    assert_eq!(u["customAttributes"]["plan"], "pro");
    let created = u["createdTime"].as_i64().unwrap();
    assert!(created > 0 && created < i64::from(i32::MAX), "createdTime is seconds: {created}");
}

#[tokio::test]
async fn search_filters() {
    let (app, p) = TestApp::with_project().await;
    seed(&app, &p).await;
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (json!({"tenantIds": ["T1"]}), vec!["ann@example.com", "bob"]),
        (json!({"tenantIds": ["T2", "nope"]}), vec!["bob"]),
        (json!({"roleNames": ["admin"]}), vec!["ann@example.com", "bob"]),
        (json!({"roleNames": ["editor"]}), vec!["ann@example.com"]),
        (json!({"statuses": ["disabled"]}), vec!["cy@example.net"]),
        (json!({"statuses": ["enabled", "invited"]}), vec!["ann@example.com", "bob"]),
        (json!({"emails": ["bob@example.org", "x@y.z"]}), vec!["bob"]),
        (json!({"phones": ["+15550001111"]}), vec!["ann@example.com"]),
        (json!({"customAttributes": {"plan": "pro"}}), vec!["ann@example.com"]),
        (json!({"customAttributes": {"plan": ["pro", "free"]}}), vec!["ann@example.com", "bob"]),
        (json!({"customAttributes": {"seats": 1}}), vec!["bob"]),
        (json!({"customAttributes": {"beta": false}}), vec!["bob"]),
        (json!({"customAttributes": {"tags": "b"}}), vec!["ann@example.com"]),
        (json!({"customAttributes": {"plan": "pro", "seats": 1}}), vec![]),
        (json!({"customAttributes": {"plan": "5"}}), vec![]),
        (json!({"ssoAppIds": ["app1"]}), vec!["ann@example.com"]),
        (json!({"loginIds": ["bob", "cyrus"]}), vec!["bob", "cy@example.net"]),
        (json!({"loginId": "bob"}), vec!["bob"]),
        (json!({"text": "STONE"}), vec!["bob"]),
        (json!({"text": "example"}), vec!["ann@example.com", "bob", "cy@example.net"]),
        (json!({"text": "0001111"}), vec!["ann@example.com"]),
        (json!({"text": "yrus"}), vec!["cy@example.net"]),
        (json!({"text": "%"}), vec![]),
        (json!({"tenantRoleNames": {"T1": {"values": ["viewer"]}}}), vec!["ann@example.com", "bob"]),
        (
            json!({"tenantRoleNames": {"T1": {"values": ["viewer", "editor"], "and": true}}}),
            vec!["ann@example.com"],
        ),
        (json!({"tenantRoleNames": {"T2": {"values": ["viewer"]}}}), vec![]),
        (
            json!({"tenantRoleNames": {"T2": {"values": ["admin"]}, "T1": {"values": ["editor"]}}}),
            vec!["ann@example.com", "bob"],
        ),
        (json!({"tenantRoleNames": {"T2": {"values": []}}}), vec!["bob"]),
        (json!({"verifiedEmail": true}), vec!["ann@example.com", "cy@example.net"]),
        (
            json!({"tenantIds": ["T1"], "roleNames": ["admin"], "customAttributes": {"beta": true}}),
            vec!["ann@example.com"],
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(search(&app, &p, body.clone()).await, strs(&expected), "filter {body}");
    }
    // userIds
    let r = app.post(SEARCH, Some(&p.mgmt()), json!({"loginIds": ["bob"]})).await;
    let bob_id = r.assert_ok()["users"][0]["userId"].as_str().unwrap().to_owned();
    assert_eq!(search(&app, &p, json!({"userIds": [bob_id]})).await, strs(&["bob"]));
}

#[tokio::test]
async fn search_by_tenant_role_ids() {
    let (app, p) = TestApp::with_project().await;
    seed(&app, &p).await;
    let roles = app.get("/v1/mgmt/role/all", Some(&p.mgmt())).await.assert_ok()["roles"].clone();
    let id_of = |name: &str| {
        roles.as_array().unwrap().iter().find(|r| r["name"] == name).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (viewer, editor) = (id_of("viewer"), id_of("editor"));
    let r = search(&app, &p, json!({"tenantRoleIds": {"T1": {"values": [viewer.clone()]}}})).await;
    assert_eq!(r, strs(&["ann@example.com", "bob"]));
    let r =
        search(&app, &p, json!({"tenantRoleIds": {"T1": {"values": [viewer, editor], "and": true}}})).await;
    assert_eq!(r, strs(&["ann@example.com"]));
}

#[tokio::test]
async fn search_pages_and_counts_total() {
    let (app, p) = TestApp::with_project().await;
    for i in 0..5 {
        app.create_user(&p, json!({"loginId": format!("u{i}"), "displayName": format!("User {i}")})).await;
    }
    let sort = json!([{"field": "displayName", "desc": false}]);
    let mut seen = Vec::new();
    for (page, expected) in [(0, 2), (1, 2), (2, 1), (3, 0)] {
        let (ids, total) = search_at(&app, &p, SEARCH, json!({"limit": 2, "page": page, "sort": sort})).await;
        assert_eq!((ids.len(), total), (expected, 5), "page {page}");
        seen.extend(ids);
    }
    assert_eq!(seen, strs(&["u0", "u1", "u2", "u3", "u4"]));
    // limit 0 means the default page of 100
    let (ids, total) = search_at(&app, &p, SEARCH, json!({"limit": 0})).await;
    assert_eq!((ids.len(), total), (5, 5));
    // a positive offset wins over the page
    let (ids, _) =
        search_at(&app, &p, SEARCH, json!({"limit": 2, "page": 0, "offset": 3, "sort": sort})).await;
    assert_eq!(ids, strs(&["u3", "u4"]));
    app.post(SEARCH, Some(&p.mgmt()), json!({"page": -1})).await.assert_error(400, "E011004");
    app.post(SEARCH, Some(&p.mgmt()), json!({"limit": -5})).await.assert_error(400, "E011004");
    app.post(SEARCH, Some(&p.mgmt()), json!({"limit": "x"})).await.assert_error(400, "E011001");
}

#[tokio::test]
async fn search_sorts() {
    let (app, p) = TestApp::with_project().await;
    seed(&app, &p).await;
    let by = |field: &str, desc: bool| json!({"sort": [{"field": field, "desc": desc}]});
    let (ids, _) = search_at(&app, &p, SEARCH, by("displayName", true)).await;
    assert_eq!(ids, strs(&["cy@example.net", "bob", "ann@example.com"]));
    let (ids, _) = search_at(&app, &p, SEARCH, by("email", false)).await;
    assert_eq!(ids, strs(&["ann@example.com", "bob", "cy@example.net"]));
    let (ids, _) = search_at(&app, &p, SEARCH, by("externalId", true)).await;
    assert_eq!(ids, strs(&["cy@example.net", "bob", "ann@example.com"]));
    // status first (disabled < enabled), then name descending
    let body = json!({"sort": [{"field": "status"}, {"field": "displayName", "desc": true}]});
    let (ids, _) = search_at(&app, &p, SEARCH, body).await;
    assert_eq!(ids, strs(&["cy@example.net", "bob", "ann@example.com"]));
    // default order: creation
    let (ids, _) = search_at(&app, &p, SEARCH, json!({})).await;
    assert_eq!(ids, strs(&["ann@example.com", "bob", "cy@example.net"]));
    app.post(SEARCH, Some(&p.mgmt()), by("password", false)).await.assert_error(400, "E011004");
}

#[tokio::test]
async fn search_time_filters_are_milliseconds() {
    let (app, p) = TestApp::with_project().await;
    let a = app.create_user(&p, json!({"loginId": "early"})).await;
    app.advance_clock(100).await;
    let b = app.create_user(&p, json!({"loginId": "late"})).await;
    let (a_ms, b_ms) = (a["createdTime"].as_i64().unwrap() * 1000, b["createdTime"].as_i64().unwrap() * 1000);
    assert!(b_ms - a_ms >= 100_000);
    assert_eq!(search(&app, &p, json!({"fromCreatedTime": b_ms})).await, strs(&["late"]));
    assert_eq!(search(&app, &p, json!({"toCreatedTime": a_ms + 999})).await, strs(&["early"]));
    assert_eq!(
        search(&app, &p, json!({"fromCreatedTime": a_ms, "toCreatedTime": b_ms + 999})).await.len(),
        2
    );
    // the OpenAPI types them as strings
    assert_eq!(search(&app, &p, json!({"fromCreatedTime": b_ms.to_string()})).await, strs(&["late"]));
    // seconds would select everything: they are not seconds
    assert_eq!(search(&app, &p, json!({"toCreatedTime": b_ms / 1000})).await.len(), 0);
    // a modification moves only the modified time
    app.advance_clock(100).await;
    app.post("/v1/mgmt/user/totp/delete", Some(&p.mgmt()), json!({"loginId": "early"})).await.assert_ok();
    let from = (b_ms / 1000 + 50) * 1000;
    assert_eq!(search(&app, &p, json!({"fromModifiedTime": from})).await, strs(&["early"]));
    assert_eq!(search(&app, &p, json!({"toModifiedTime": from})).await, strs(&["late"]));
    assert_eq!(search(&app, &p, json!({"fromCreatedTime": from})).await.len(), 0);
}

#[tokio::test]
async fn search_needs_the_management_key() {
    let (app, p) = TestApp::with_project().await;
    app.post(SEARCH, Some(&p.with("bad")), json!({})).await.assert_error(401, "E011103");
    app.post(SEARCH, Some(&p.mgmt()), json!({"customAttributes": {"x": {"a": 1}}}))
        .await
        .assert_error(400, "E011004");
}

#[tokio::test]
async fn history_of_users() {
    let (app, p) = TestApp::with_project().await;
    let jwt = app.sign_up_with_otp(&p, "hal@example.com").await;
    let user_id = jwt["user"]["userId"].as_str().unwrap().to_owned();
    // SDKs send a bare array and read a bare array
    let r = app.post("/v1/mgmt/user/history", Some(&p.mgmt()), json!([user_id, "U2unknown"])).await;
    let rows = r.assert_ok().as_array().unwrap().clone();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["userId"], user_id.as_str());
    let t = rows[0]["loginTime"].as_i64().unwrap();
    assert!(t > 0 && t < i64::from(i32::MAX), "loginTime in seconds: {t}");
    for key in ["city", "country", "ip"] {
        assert!(rows[0][key].is_string(), "{key}");
    }
    // the OpenAPI's {userIds} and the v2 envelope
    let r = app.post("/v2/mgmt/user/history", Some(&p.mgmt()), json!({"userIds": [user_id]})).await;
    assert_eq!(r.assert_ok()["usersAuthHistory"].as_array().unwrap().len(), 1);
    let r = app.post("/v1/mgmt/user/history", Some(&p.mgmt()), json!({"userIds": [user_id]})).await;
    assert_eq!(r.assert_ok().as_array().unwrap().len(), 1);
    app.post("/v1/mgmt/user/history", Some(&p.mgmt()), json!([])).await.assert_error(400, "E011002");
    app.post("/v1/mgmt/user/history", Some(&p.mgmt()), json!("x")).await.assert_error(400, "E011001");
    app.post("/v1/mgmt/user/history", Some(&p.with("bad")), json!([user_id]))
        .await
        .assert_error(401, "E011103");
}

#[tokio::test]
async fn passkeys_import_list_delete() {
    let (app, p) = TestApp::with_project().await;
    let m = Some(p.mgmt());
    let m = m.as_deref();
    app.create_user(&p, json!({"loginId": "pat"})).await;
    let r = app.post("/v1/mgmt/user/passkeys/list", m, json!({"loginId": "pat"})).await;
    assert_eq!(r.assert_ok(), &json!({"passkeys": []}));
    let import = json!({"loginId": "pat", "devices": [
        {"descope": {"credentialId": "cred-1", "rpId": "example.com", "publicKey": "pQECAyYgASFYIA==",
                     "transports": ["internal"]}},
        {"auth0": {"keyId": "cred-2", "rpId": "example.com", "publicKey": "pQECAyYgASFYIA"}},
    ]});
    assert_eq!(app.post("/v1/mgmt/user/passkeys/import", m, import).await.assert_ok(), &json!({}));
    let r = app.post("/v1/mgmt/user/passkeys/list", m, json!({"loginId": "pat"})).await;
    let keys = r.assert_ok()["passkeys"].as_array().unwrap().clone();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0]["id"], "cred-1");
    assert_eq!(keys[0]["rpId"], "example.com");
    assert!(keys[0]["createdTime"].as_i64().unwrap() < i64::from(i32::MAX));
    assert_eq!(app.get("/v1/mgmt/user?loginId=pat", m).await.assert_ok()["user"]["webauthn"], true);

    let del = |cred: &str| json!({"loginId": "pat", "credentialId": cred});
    app.post("/v1/mgmt/user/passkey/delete", m, del("cred-1")).await.assert_ok();
    app.post("/v1/mgmt/user/passkey/delete", m, del("cred-1")).await.assert_error(404, "E011008");
    app.post("/v1/mgmt/user/passkey/delete", m, del("")).await.assert_error(400, "E011002");
    let r = app.post("/v1/mgmt/user/passkeys/list", m, json!({"loginId": "pat"})).await;
    assert_eq!(r.assert_ok()["passkeys"].as_array().unwrap().len(), 1);
    app.post("/v1/mgmt/user/passkeys/delete", m, json!({"loginId": "pat"})).await.assert_ok();
    let r = app.post("/v1/mgmt/user/passkeys/list", m, json!({"loginId": "pat"})).await;
    assert_eq!(r.assert_ok(), &json!({"passkeys": []}));
    assert_eq!(app.get("/v1/mgmt/user?loginId=pat", m).await.assert_ok()["user"]["webauthn"], false);
}

#[tokio::test]
async fn passkeys_errors() {
    let (app, p) = TestApp::with_project().await;
    let m = Some(p.mgmt());
    let m = m.as_deref();
    app.create_user(&p, json!({"loginId": "pat"})).await;
    let device = |d: Value| json!({"loginId": "pat", "devices": [d]});
    let cases = [
        (json!({"loginId": "pat", "devices": []}), "E011002"),
        (device(json!({})), "E011004"),
        (device(json!({"descope": {"rpId": "example.com", "publicKey": "AQID"}})), "E011002"),
        (device(json!({"descope": {"credentialId": "c", "publicKey": "AQID"}})), "E011002"),
        (device(json!({"descope": {"credentialId": "c", "rpId": "example.com"}})), "E011002"),
        (
            device(
                json!({"descope": {"credentialId": "c", "rpId": "example.com", "publicKey": "not base64!"}}),
            ),
            "E011004",
        ),
    ];
    for (body, code) in cases {
        let r = app.post("/v1/mgmt/user/passkeys/import", m, body.clone()).await;
        assert_eq!(
            (r.status.as_u16(), r.body["errorCode"].as_str()),
            (400, Some(code)),
            "{body}: {}",
            r.text
        );
    }
    let import = json!({"loginId": "ghost", "devices": [
        {"descope": {"credentialId": "c", "rpId": "example.com", "publicKey": "AQID"}}]});
    app.post("/v1/mgmt/user/passkeys/import", m, import).await.assert_error(400, "E112102");
    app.post("/v1/mgmt/user/passkeys/list", m, json!({"loginId": "ghost"}))
        .await
        .assert_error(400, "E112102");
    app.post("/v1/mgmt/user/passkeys/list", m, json!({})).await.assert_error(400, "E011002");
    app.post("/v1/mgmt/user/passkeys/delete", m, json!({"loginId": "ghost"}))
        .await
        .assert_error(400, "E112102");
}

#[tokio::test]
async fn totp_delete_removes_the_seed() {
    let (app, p) = TestApp::with_project().await;
    let m = Some(p.mgmt());
    let m = m.as_deref();
    app.post("/v1/auth/totp/signup", Some(&p.bearer()), json!({"loginId": "tia", "user": {"name": "Tia"}}))
        .await
        .assert_ok();
    assert_eq!(app.get("/v1/mgmt/user?loginId=tia", m).await.assert_ok()["user"]["TOTP"], true);
    let r = app.post("/v1/mgmt/user/totp/delete", m, json!({"loginId": "tia"})).await;
    let u = &r.assert_ok()["user"];
    assert_eq!(u["TOTP"], false);
    assert_eq!(u["loginIds"], json!(["tia"]));
    assert_eq!(app.get("/v1/mgmt/user?loginId=tia", m).await.assert_ok()["user"]["TOTP"], false);
    app.post("/v1/mgmt/user/totp/delete", m, json!({"loginId": "ghost"})).await.assert_error(400, "E112102");
    app.post("/v1/mgmt/user/totp/delete", m, json!({})).await.assert_error(400, "E011002");
}

#[tokio::test]
async fn trusted_devices() {
    let (app, p) = TestApp::with_project().await;
    let m = Some(p.mgmt());
    let m = m.as_deref();
    let u = app.create_user(&p, json!({"loginId": "dev@example.com"})).await;
    let user_id = u["userId"].as_str().unwrap();
    let r = app
        .post("/v1/mgmt/user/trusteddevices/list", m, json!({"identifiers": ["dev@example.com", user_id]}))
        .await;
    assert_eq!(r.assert_ok(), &json!({"devices": []}));
    app.post("/v1/mgmt/user/trusteddevices/list", m, json!({"identifiers": []}))
        .await
        .assert_error(400, "E011002");
    app.post("/v1/mgmt/user/trusteddevices/list", m, json!({"identifiers": ["ghost"]}))
        .await
        .assert_error(400, "E112102");
    let remove = json!({"identifier": "dev@example.com", "deviceIds": ["d1"]});
    app.post("/v1/mgmt/user/trusteddevices/remove", m, remove).await.assert_error(404, "E011008");
    let remove = json!({"loginId": "dev@example.com", "deviceIds": []});
    app.post("/v1/mgmt/user/trusteddevices/remove", m, remove).await.assert_error(400, "E011002");
    let remove = json!({"identifier": "ghost", "deviceIds": ["d1"]});
    app.post("/v1/mgmt/user/trusteddevices/remove", m, remove).await.assert_error(400, "E112102");
}

#[tokio::test]
async fn provider_token_is_never_available() {
    let (app, p) = TestApp::with_project().await;
    let m = Some(p.mgmt());
    let m = m.as_deref();
    app.create_user(&p, json!({"loginId": "olga@example.com"})).await;
    let q = |login: &str, provider: &str| {
        format!(
            "/v1/mgmt/user/provider/token?loginId={}&provider={provider}&withRefreshToken=false&forceRefresh=false",
            urlencode(login)
        )
    };
    app.get(&q("olga@example.com", "google"), m).await.assert_error(404, "E011008");
    app.get(&q("ghost", "google"), m).await.assert_error(400, "E112102");
    app.get(&q("olga@example.com", ""), m).await.assert_error(400, "E011002");
}

#[tokio::test]
async fn embedded_sign_in_link_verifies_as_magic_link() {
    let (app, p) = TestApp::with_project().await;
    let m = Some(p.mgmt());
    let m = m.as_deref();
    // a login ID that is neither an email nor a phone: nothing is delivered anywhere
    app.create_user(&p, json!({"loginId": "emb", "displayName": "Em Bed"})).await;
    let body = json!({"loginId": "emb", "customClaims": {"k1": "v1"}, "timeout": 0});
    let r = app.post("/v1/mgmt/user/signin/embeddedlink", m, body).await;
    let token = r.assert_ok()["token"].as_str().unwrap().to_owned();
    let r = app.post("/v1/auth/magiclink/verify", Some(&p.bearer()), json!({"token": token})).await;
    let jwt = r.assert_ok();
    assert_eq!(jwt["user"]["loginIds"], json!(["emb"]));
    assert_eq!(jwt["user"]["email"], "");
    assert_eq!(jwt["user"]["verifiedEmail"], false);
    assert_eq!(claims(jwt["sessionJwt"].as_str().unwrap())["k1"], "v1");
    app.post("/v1/auth/magiclink/verify", Some(&p.bearer()), json!({"token": token}))
        .await
        .assert_error(401, "E061301");
    // the timeout (seconds) is the token's lifetime
    let r = app.post("/v1/mgmt/user/signin/embeddedlink", m, json!({"loginId": "emb", "timeout": 60})).await;
    let token = r.assert_ok()["token"].as_str().unwrap().to_owned();
    app.advance_clock(61).await;
    app.post("/v1/auth/magiclink/verify", Some(&p.bearer()), json!({"token": token}))
        .await
        .assert_error(401, "E061301");
    // errors
    app.post("/v1/mgmt/user/signin/embeddedlink", m, json!({"loginId": "ghost"}))
        .await
        .assert_error(400, "E112102");
    app.post("/v1/mgmt/user/signin/embeddedlink", m, json!({})).await.assert_error(400, "E011002");
    app.post("/v1/mgmt/user/signin/embeddedlink", Some(&p.with("bad")), json!({"loginId": "emb"}))
        .await
        .assert_error(401, "E011103");
}

#[tokio::test]
async fn embedded_sign_up_link_creates_the_user_on_verify() {
    let (app, p) = TestApp::with_project().await;
    let m = Some(p.mgmt());
    let m = m.as_deref();
    // Python's shape: snake_case user keys
    let body = json!({
        "loginId": "newbie", "user": {"email": "newbie@example.com", "given_name": "New", "name": "New Bie"},
        "loginOptions": {}, "emailVerified": true, "phoneVerified": false, "timeout": 0
    });
    let r = app.post("/v1/mgmt/user/signup/embeddedlink", m, body).await;
    let token = r.assert_ok()["token"].as_str().unwrap().to_owned();
    app.get("/v1/mgmt/user?loginId=newbie", m).await.assert_error(400, "E112102");
    let r = app.post("/v1/auth/magiclink/verify", Some(&p.bearer()), json!({"token": token})).await;
    assert_eq!(r.assert_ok()["firstSeen"], true);
    let u = app.get("/v1/mgmt/user?loginId=newbie", m).await.assert_ok()["user"].clone();
    assert_eq!(u["email"], "newbie@example.com");
    assert_eq!(u["verifiedEmail"], true);
    assert_eq!(u["givenName"], "New");
    assert_eq!(u["name"], "New Bie");
    app.post("/v1/mgmt/user/signup/embeddedlink", m, json!({"user": {}})).await.assert_error(400, "E011002");
}

#[tokio::test]
async fn search_stays_correct_over_10k_users() {
    let (app, p) = TestApp::with_project().await;
    let mut snap = app.export_snapshot(&p.id).await;
    snap["tenants"] = json!([{"id": "T1", "name": "Acme"}]);
    snap["users"] = (0..10_000)
        .map(|i| {
            json!({
                "userId": format!("U2user{i:05}"),
                "loginIds": [format!("user{i:05}@example.com")],
                "email": format!("user{i:05}@example.com"),
                "name": format!("User {i:05}"),
                "status": if i % 10 == 0 { "disabled" } else { "enabled" },
                "test": i % 100 == 0,
                "customAttributes": {"bucket": i % 7},
                "userTenants": if i % 2 == 0 { json!([{"tenantId": "T1", "roleNames": ["member"]}]) } else { json!([]) },
                "createdTime": 1_700_000_000 + i,
            })
        })
        .collect();
    let started = std::time::Instant::now();
    // Over the HTTP body limit of the test app: applied as `PUT /snapshot` applies it.
    snap["projectId"] = json!(p.id);
    let snap: descope_emulator::fixtures::ProjectSnapshot = serde_json::from_value(snap).unwrap();
    descope_emulator::fixtures::import(&app.state, &snap, descope_emulator::fixtures::Apply::Replace)
        .await
        .unwrap();
    eprintln!("loaded 10k users in {:?}", started.elapsed());

    let started = std::time::Instant::now();
    let (_, total) = search_at(&app, &p, SEARCH, json!({})).await;
    assert_eq!(total, 9_900);
    let (_, total) = search_at(&app, &p, SEARCH, json!({"withTestUser": true})).await;
    assert_eq!(total, 10_000);
    let (_, total) =
        search_at(&app, &p, SEARCH, json!({"statuses": ["disabled"], "withTestUser": true})).await;
    assert_eq!(total, 1_000);
    let body = json!({"tenantIds": ["T1"], "customAttributes": {"bucket": 3}, "withTestUser": true});
    let (_, total) = search_at(&app, &p, SEARCH, body).await;
    assert_eq!(total, (0..10_000).filter(|i| i % 2 == 0 && i % 7 == 3).count() as i64);
    let body =
        json!({"text": "user0999", "sort": [{"field": "displayName", "desc": true}], "withTestUser": true});
    let (ids, total) = search_at(&app, &p, SEARCH, body).await;
    assert_eq!(total, 10);
    assert_eq!(ids[0], "user09999@example.com");
    let body = json!({"limit": 50, "page": 197, "sort": [{"field": "email", "desc": false}]});
    let (ids, total) = search_at(&app, &p, SEARCH, body).await;
    assert_eq!((ids.len(), total), (50, 9_900));
    // the last regular user on the last full page
    assert_eq!(ids[49], "user09999@example.com");
    let from: i64 = (1_700_000_000 + 9_000) * 1000;
    let (_, total) =
        search_at(&app, &p, SEARCH, json!({"fromCreatedTime": from, "withTestUser": true})).await;
    assert_eq!(total, 1_000);
    eprintln!("searched 10k users 7 times in {:?}", started.elapsed());
}
