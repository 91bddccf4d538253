//! Management users (`/v1/mgmt/user*`), the test-user endpoints (`/v1/mgmt/tests/generate/*`)
//! and the license handshake, over the management bearer `P...:<managementKey>`.

use axum::http::Method;
use serde_json::{json, Value};

use crate::harness::{claims, urlencode, TestApp, TestProject};

const CREATE: &str = "/v1/mgmt/user/create";
const CREATE_TEST: &str = "/v1/mgmt/user/create/test";

async fn load(app: &TestApp, p: &TestProject, query: &str) -> crate::harness::TestResponse {
    app.get(&format!("/v1/mgmt/user?{query}"), Some(&p.mgmt())).await
}

/// Every field of the Descope user object is present, with no `null`s.
#[track_caller]
fn assert_user_shape(u: &Value) {
    for key in
        ["userId", "name", "givenName", "middleName", "familyName", "email", "phone", "status", "picture"]
    {
        assert!(u[key].is_string(), "{key} is not a string: {u}");
    }
    for key in ["loginIds", "externalIds", "roleNames", "userTenants", "ssoAppIds"] {
        assert!(u[key].is_array(), "{key} is not an array: {u}");
    }
    for key in ["verifiedEmail", "verifiedPhone", "test", "TOTP", "SAML", "SCIM", "webauthn", "password"] {
        assert!(u[key].is_boolean(), "{key} is not a boolean: {u}");
    }
    for key in ["customAttributes", "OAuth"] {
        assert!(u[key].is_object(), "{key} is not an object: {u}");
    }
    assert!(u["createdTime"].as_i64().is_some_and(|t| t > 0 && t < i64::from(i32::MAX)), "createdTime: {u}");
}

#[tokio::test]
async fn create_user_returns_full_user_object() {
    let (app, p) = TestApp::with_project().await;
    let u = app.create_user(&p, json!({ "loginId": "ann@example.com", "displayName": "Ann Lee", "givenName": "Ann", "familyName": "Lee" }),
    )
    .await;
    assert_user_shape(&u);
    assert!(u["userId"].as_str().unwrap().starts_with("U2"));
    assert_eq!(u["loginIds"], json!(["ann@example.com"]));
    assert_eq!(u["externalIds"], json!(["ann@example.com"]));
    // descope-compat: an email login ID becomes the verified email.
    assert_eq!(u["email"], "ann@example.com");
    assert_eq!(u["verifiedEmail"], true);
    assert_eq!(u["phone"], "");
    assert_eq!(u["verifiedPhone"], false);
    assert_eq!(u["name"], "Ann Lee");
    assert_eq!(u["givenName"], "Ann");
    assert_eq!(u["middleName"], "");
    assert_eq!(u["familyName"], "Lee");
    assert_eq!(u["roleNames"], json!([]));
    assert_eq!(u["userTenants"], json!([]));
    assert_eq!(u["status"], "enabled");
    assert_eq!(u["test"], false);
    assert_eq!(u["picture"], "");
    assert_eq!(u["customAttributes"], json!({}));
    assert_eq!(u["TOTP"], false);
    assert_eq!(u["SAML"], false);
    assert_eq!(u["SCIM"], false);
    assert_eq!(u["OAuth"], json!({}));
    assert_eq!(u["webauthn"], false);
    assert_eq!(u["password"], false);
    assert_eq!(u["ssoAppIds"], json!([]));
}

#[tokio::test]
async fn create_user_accepts_every_sdk_spelling() {
    let (app, p) = TestApp::with_project().await;
    // Python: explicit nulls for everything unset.
    let py = app
        .create_user(
            &p,
            json!({
                "loginId": "py-user", "email": null, "phone": null, "displayName": null, "givenName": null,
                "middleName": null, "familyName": null, "roleNames": null, "userTenants": null,
                "picture": null, "customAttributes": null, "additionalLoginIds": null, "ssoAppIDs": null,
                "invite": false, "test": false, "verifiedEmail": null, "verifiedPhone": null,
                "inviteUrl": null, "sendMail": null, "sendSMS": null, "password": null
            }),
        )
        .await;
    assert_user_shape(&py);
    assert_eq!(py["loginIds"], json!(["py-user"]));
    assert_eq!(py["email"], "");
    assert_eq!(py["verifiedEmail"], false);
    // Go: empty strings, `name`, `ssoAppIDs`, `additionalLoginIds`.
    app.post("/v1/mgmt/role/create", Some(&p.mgmt()), json!({"name": "viewer"})).await.assert_ok();
    let go = app
        .create_user(
            &p,
            json!({
                "loginId": "go-user", "email": "", "phone": "+15550001111", "name": "Go Pher",
                "roleNames": ["viewer"], "userTenants": [], "customAttributes": {"plan": "pro", "seats": 3},
                "additionalLoginIds": ["go-alias"], "ssoAppIDs": ["app1"], "verifiedPhone": true,
                "picture": "https://example.com/p.png", "middleName": "M"
            }),
        )
        .await;
    assert_eq!(go["loginIds"], json!(["go-user", "go-alias"]));
    assert_eq!(go["name"], "Go Pher");
    assert_eq!(go["phone"], "+15550001111");
    assert_eq!(go["verifiedPhone"], true);
    assert_eq!(go["roleNames"], json!(["viewer"]));
    assert_eq!(go["customAttributes"], json!({"plan": "pro", "seats": 3}));
    assert_eq!(go["ssoAppIds"], json!(["app1"]));
    assert_eq!(go["picture"], "https://example.com/p.png");
    assert_eq!(go["middleName"], "M");
    // Node: fields left out, `additionalIdentifiers`, `ssoAppIds`.
    let node = app
        .create_user(
            &p,
            json!({ "loginId": "node-user", "additionalIdentifiers": ["node-alias"], "ssoAppIds": ["app2"] }),
        )
        .await;
    assert_eq!(node["loginIds"], json!(["node-user", "node-alias"]));
    assert_eq!(node["ssoAppIds"], json!(["app2"]));
    // An additional login ID finds the user too.
    let r = load(&app, &p, "loginId=node-alias").await;
    assert_eq!(r.assert_ok()["user"]["userId"], node["userId"]);
}

#[tokio::test]
async fn create_user_derives_phone_status_and_password() {
    let (app, p) = TestApp::with_project().await;
    let phone = app.create_user(&p, json!({ "loginId": "+15551234567" })).await;
    assert_eq!(phone["phone"], "+15551234567");
    assert_eq!(phone["email"], "");
    let invited = app.create_user(&p, json!({ "loginId": "inv@example.com", "invite": true })).await;
    assert_eq!(invited["status"], "invited");
    let disabled = app.create_user(&p, json!({ "loginId": "off", "status": "disabled" })).await;
    assert_eq!(disabled["status"], "disabled");
    let unverified =
        app.create_user(&p, json!({ "loginId": "unv@example.com", "verifiedEmail": false })).await;
    assert_eq!(unverified["email"], "unv@example.com");
    assert_eq!(unverified["verifiedEmail"], false);
    let with_pw = app.create_user(&p, json!({ "loginId": "pw-user", "password": "Secret123!" })).await;
    assert_eq!(with_pw["password"], true);
}

#[tokio::test]
async fn create_user_with_tenants() {
    let (app, p) = TestApp::with_project().await;
    let r = app
        .put_snapshot(
            &p.id,
            &json!({
                "projectId": p.id,
                "roles": [{"name": "admin"}],
                "tenants": [{"id": "T1", "name": "Acme"}]
            }),
        )
        .await;
    r.assert_ok();
    let u = app.create_user(&p, json!({ "loginId": "t@example.com", "userTenants": [{"tenantId": "T1", "roleNames": ["admin"]}] }),
    )
    .await;
    assert_eq!(
        u["userTenants"],
        json!([{"tenantId": "T1", "tenantName": "Acme", "roleNames": ["admin"], "permissions": []}])
    );
    let r = app
        .post(
            CREATE,
            Some(&p.mgmt()),
            json!({ "loginId": "u@example.com", "userTenants": [{"tenantId": "nope", "roleNames": []}] }),
        )
        .await;
    r.assert_error(400, "E011004");
    // Nothing of the failed user was kept.
    load(&app, &p, "loginId=u%40example.com").await.assert_error(400, "E112102");
}

#[tokio::test]
async fn create_user_errors() {
    let (app, p) = TestApp::with_project().await;
    let key = p.mgmt();
    app.post(CREATE, Some(&key), json!({})).await.assert_error(400, "E011002");
    app.post(CREATE, Some(&key), json!({ "loginId": "" })).await.assert_error(400, "E011002");
    app.post(CREATE, Some(&key), json!({ "loginId": null, "email": "a@b.co" }))
        .await
        .assert_error(400, "E011002");
    app.post(CREATE, Some(&key), json!({ "loginId": "x", "email": "not-an-email" }))
        .await
        .assert_error(400, "E011004");
    app.post(CREATE, Some(&key), json!({ "loginId": "x", "phone": "12ab" }))
        .await
        .assert_error(400, "E011004");
    app.post(CREATE, Some(&key), json!({ "loginId": "x", "status": "sleeping" }))
        .await
        .assert_error(400, "E011004");
    // Duplicates: the same login ID, or another user's additional login ID.
    app.create_user(&p, json!({ "loginId": "dup@example.com", "additionalLoginIds": ["alias"] })).await;
    app.post(CREATE, Some(&key), json!({ "loginId": "dup@example.com" })).await.assert_error(400, "E062107");
    app.post(CREATE_TEST, Some(&key), json!({ "loginId": "dup@example.com" }))
        .await
        .assert_error(400, "E062107");
    app.post(CREATE, Some(&key), json!({ "loginId": "alias" })).await.assert_error(400, "E062107");
    app.post(CREATE, Some(&key), json!({ "loginId": "fresh", "additionalLoginIds": ["alias"] }))
        .await
        .assert_error(400, "E062107");
    load(&app, &p, "loginId=fresh").await.assert_error(400, "E112102");
}

#[tokio::test]
async fn create_test_user() {
    let (app, p) = TestApp::with_project().await;
    let u = app.create_test_user(&p, json!({ "loginId": "tester@example.com", "name": "Tess" })).await;
    assert_user_shape(&u);
    assert_eq!(u["test"], true);
    assert_eq!(u["status"], "enabled");
    assert_eq!(u["email"], "tester@example.com");
    let r = load(&app, &p, "loginId=tester%40example.com").await;
    assert_eq!(r.assert_ok()["user"]["test"], true);
}

#[tokio::test]
async fn load_user_by_login_id_or_user_id() {
    let (app, p) = TestApp::with_project().await;
    let u = app.create_user(&p, json!({ "loginId": "ann+1@example.com" })).await;
    let id = u["userId"].as_str().unwrap();
    let by_login = load(&app, &p, &format!("loginId={}", urlencode("ann+1@example.com"))).await;
    assert_eq!(by_login.assert_ok()["user"], u);
    assert_user_shape(&by_login.body["user"]);
    let by_id = load(&app, &p, &format!("userId={id}")).await;
    assert_eq!(by_id.assert_ok()["user"], u);
    // Go sends both, one empty, and may put a user ID in `loginId`.
    let go = load(&app, &p, &format!("loginId={id}&userId=")).await;
    assert_eq!(go.assert_ok()["user"]["userId"], id);
    let go = load(&app, &p, &format!("loginId=&userId={id}")).await;
    assert_eq!(go.assert_ok()["user"]["userId"], id);
}

#[tokio::test]
async fn load_user_errors() {
    let (app, p) = TestApp::with_project().await;
    load(&app, &p, "loginId=nobody%40example.com").await.assert_error(400, "E112102");
    load(&app, &p, "userId=U2nope").await.assert_error(400, "E112102");
    load(&app, &p, "loginId=&userId=").await.assert_error(400, "E011002");
    app.get("/v1/mgmt/user", Some(&p.mgmt())).await.assert_error(400, "E011002");
    // A user of another project is not visible.
    let other = app.new_project().await;
    app.create_user(&other, json!({ "loginId": "theirs" })).await;
    load(&app, &p, "loginId=theirs").await.assert_error(400, "E112102");
}

#[tokio::test]
async fn delete_user_by_login_id_or_user_id() {
    let (app, p) = TestApp::with_project().await;
    app.create_user(&p, json!({ "loginId": "a" })).await;
    let b = app.create_user(&p, json!({ "loginId": "b" })).await;
    let r = app.post("/v1/mgmt/user/delete", Some(&p.mgmt()), json!({ "loginId": "a" })).await;
    assert_eq!(r.assert_ok(), &json!({}));
    load(&app, &p, "loginId=a").await.assert_error(400, "E112102");
    let r = app.post("/v1/mgmt/user/delete", Some(&p.mgmt()), json!({ "userId": b["userId"] })).await;
    assert_eq!(r.assert_ok(), &json!({}));
    load(&app, &p, "loginId=b").await.assert_error(400, "E112102");
    // The login ID is free again.
    app.create_user(&p, json!({ "loginId": "a" })).await;
}

#[tokio::test]
async fn delete_unknown_user_succeeds_and_missing_arguments_fail() {
    let (app, p) = TestApp::with_project().await;
    let r = app.post("/v1/mgmt/user/delete", Some(&p.mgmt()), json!({ "loginId": "ghost" })).await;
    assert_eq!(r.assert_ok(), &json!({}));
    app.post("/v1/mgmt/user/delete", Some(&p.mgmt()), json!({})).await.assert_error(400, "E011002");
}

#[tokio::test]
async fn delete_user_revokes_their_sessions() {
    let (app, p) = TestApp::with_project().await;
    let auth = app.sign_up_with_otp(&p, "del@example.com").await;
    let refresh = auth["refreshJwt"].as_str().unwrap();
    app.post("/v1/auth/refresh", Some(&p.with(refresh)), json!({})).await.assert_ok();
    app.post("/v1/mgmt/user/delete", Some(&p.mgmt()), json!({ "loginId": "del@example.com" }))
        .await
        .assert_ok();
    let r = app.post("/v1/auth/refresh", Some(&p.with(refresh)), json!({})).await;
    assert_eq!(r.status.as_u16(), 401, "{}", r.text);
}

#[tokio::test]
async fn delete_all_test_users_keeps_other_users() {
    let (app, p) = TestApp::with_project().await;
    app.create_test_user(&p, json!({ "loginId": "t1" })).await;
    app.create_test_user(&p, json!({ "loginId": "t2" })).await;
    app.create_user(&p, json!({ "loginId": "real" })).await;
    let other = app.new_project().await;
    app.create_test_user(&other, json!({ "loginId": "t1" })).await;
    let r = app.delete("/v1/mgmt/user/test/delete/all", Some(&p.mgmt())).await;
    assert_eq!(r.assert_ok(), &json!({}));
    load(&app, &p, "loginId=t1").await.assert_error(400, "E112102");
    load(&app, &p, "loginId=t2").await.assert_error(400, "E112102");
    load(&app, &p, "loginId=real").await.assert_ok();
    load(&app, &other, "loginId=t1").await.assert_ok();
    // Nothing left to delete is fine too.
    app.delete("/v1/mgmt/user/test/delete/all", Some(&p.mgmt())).await.assert_ok();
    app.delete("/v1/mgmt/user/test/delete/all", Some("P2wrong:key")).await.assert_error(401, "E011102");
}

#[tokio::test]
async fn logout_user_revokes_refresh_tokens() {
    let (app, p) = TestApp::with_project().await;
    let first = app.sign_up_with_otp(&p, "out@example.com").await;
    let refresh = first["refreshJwt"].as_str().unwrap();
    let user_id = first["user"]["userId"].as_str().unwrap();
    let r = app.post("/v1/mgmt/user/logout", Some(&p.mgmt()), json!({ "loginId": "out@example.com" })).await;
    assert_eq!(r.assert_ok(), &json!({}));
    let r = app.post("/v1/auth/refresh", Some(&p.with(refresh)), json!({})).await;
    assert_eq!(r.status.as_u16(), 401, "{}", r.text);
    // By user ID, and the user still exists.
    let r = app.post("/v1/mgmt/user/logout", Some(&p.mgmt()), json!({ "userId": user_id })).await;
    assert_eq!(r.assert_ok(), &json!({}));
    load(&app, &p, "loginId=out%40example.com").await.assert_ok();
}

#[tokio::test]
async fn logout_unknown_user_fails() {
    let (app, p) = TestApp::with_project().await;
    app.post("/v1/mgmt/user/logout", Some(&p.mgmt()), json!({ "loginId": "ghost" }))
        .await
        .assert_error(400, "E112102");
    app.post("/v1/mgmt/user/logout", Some(&p.mgmt()), json!({ "loginId": "", "userId": "" }))
        .await
        .assert_error(400, "E011002");
}

#[tokio::test]
async fn management_key_is_required() {
    let (app, p) = TestApp::with_project().await;
    let other = app.new_project().await;
    let body = json!({ "loginId": "k@example.com" });
    app.post(CREATE, Some(&p.with("wrong-key")), body.clone()).await.assert_error(401, "E011103");
    app.post(CREATE, Some(&p.with(&other.management_key)), body.clone()).await.assert_error(401, "E011103");
    app.post(CREATE, Some(&p.bearer()), body.clone()).await.assert_error(401, "E011103");
    let r = app.post(CREATE, None, body.clone()).await;
    assert_eq!(r.status.as_u16(), 401, "{}", r.text);
    assert!(r.body["errorCode"].as_str().is_some_and(|c| !c.is_empty()));
    app.get("/v1/mgmt/user?loginId=k", Some(&p.with("wrong-key"))).await.assert_error(401, "E011103");
    app.post("/v1/mgmt/user/logout", None, body.clone()).await.assert_error(401, "E011101");
    // Nothing was created.
    load(&app, &p, "loginId=k%40example.com").await.assert_error(400, "E112102");
}

#[tokio::test]
async fn malformed_bodies_are_rejected() {
    let (app, p) = TestApp::with_project().await;
    let r = app.send(Method::POST, CREATE, Some(&p.mgmt()), Some(b"{\"loginId\": ".to_vec())).await;
    r.assert_error(400, "E011001");
    app.post(CREATE, Some(&p.mgmt()), json!({ "loginId": 5 })).await.assert_error(400, "E011001");
    app.post(CREATE, Some(&p.mgmt()), json!({ "loginId": "x", "roleNames": "admin" }))
        .await
        .assert_error(400, "E011001");
    app.post(CREATE, Some(&p.mgmt()), json!("x")).await.assert_error(400, "E011001");
    let r = app.post("/v1/mgmt/user/delete", Some(&p.mgmt()), json!({ "loginId": true })).await;
    r.assert_error(400, "E011001");
}

#[tokio::test]
async fn license_handshake() {
    let (app, p) = TestApp::with_project().await;
    let r = app.get("/v1/mgmt/license", Some(&p.mgmt())).await;
    assert_eq!(r.assert_ok(), &json!({ "rateLimitTier": "tier4" }));
    app.get("/v1/mgmt/license", Some(&p.with("bad"))).await.assert_error(401, "E011103");
    let r = app.get("/v1/mgmt/license", None).await;
    assert_eq!(r.status.as_u16(), 401, "{}", r.text);
}

#[tokio::test]
async fn generated_otp_signs_the_test_user_in() {
    let (app, p) = TestApp::with_project().await;
    let u = app.create_test_user(&p, json!({ "loginId": "otp@example.com" })).await;
    let r = app
        .post(
            "/v1/mgmt/tests/generate/otp",
            Some(&p.mgmt()),
            json!({ "loginId": "otp@example.com", "deliveryMethod": "email", "loginOptions": null }),
        )
        .await;
    let b = r.assert_ok();
    assert_eq!(b["loginId"], "otp@example.com");
    let code = b["code"].as_str().unwrap();
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|c| c.is_ascii_digit()));
    // Nothing is sent.
    assert_eq!(app.outbox(&p, "").await, Vec::<Value>::new());
    let r = app
        .post(
            "/v1/auth/otp/verify/email",
            Some(&p.bearer()),
            json!({ "loginId": "otp@example.com", "code": code }),
        )
        .await;
    let b = r.assert_ok();
    assert_eq!(claims(b["sessionJwt"].as_str().unwrap())["sub"], u["userId"]);
    assert_eq!(b["user"]["userId"], u["userId"]);
}

#[tokio::test]
async fn generated_magic_link_signs_the_test_user_in() {
    let (app, p) = TestApp::with_project().await;
    let u = app.create_test_user(&p, json!({ "loginId": "ml@example.com" })).await;
    for (field, base) in
        [("URI", "https://app.example.com/verify"), ("redirectUrl", "https://app.example.com/r?x=1")]
    {
        let r = app
            .post(
                "/v1/mgmt/tests/generate/magiclink",
                Some(&p.mgmt()),
                json!({ "loginId": "ml@example.com", "deliveryMethod": "email", field: base, "loginOptions": {} }),
            )
            .await;
        let b = r.assert_ok();
        assert_eq!(b["loginId"], "ml@example.com");
        let link = b["link"].as_str().unwrap();
        assert!(link.starts_with(base), "{link}");
        let token = url::Url::parse(link)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "t")
            .map(|(_, v)| v.into_owned())
            .unwrap();
        let r = app.post("/v1/auth/magiclink/verify", Some(&p.bearer()), json!({ "token": token })).await;
        assert_eq!(claims(r.assert_ok()["sessionJwt"].as_str().unwrap())["sub"], u["userId"]);
    }
}

#[tokio::test]
async fn generate_for_test_user_errors() {
    let (app, p) = TestApp::with_project().await;
    app.create_user(&p, json!({ "loginId": "real@example.com" })).await;
    app.create_test_user(&p, json!({ "loginId": "t@example.com" })).await;
    let otp = "/v1/mgmt/tests/generate/otp";
    let ml = "/v1/mgmt/tests/generate/magiclink";
    let key = p.mgmt();
    app.post(otp, Some(&key), json!({ "loginId": "ghost@example.com", "deliveryMethod": "email" }))
        .await
        .assert_error(400, "E112102");
    app.post(otp, Some(&key), json!({ "loginId": "real@example.com", "deliveryMethod": "email" }))
        .await
        .assert_error(400, "E112103");
    app.post(ml, Some(&key), json!({ "loginId": "real@example.com", "deliveryMethod": "email" }))
        .await
        .assert_error(400, "E112103");
    app.post(otp, Some(&key), json!({ "loginId": "t@example.com", "deliveryMethod": "pigeon" }))
        .await
        .assert_error(400, "E011004");
    app.post(otp, Some(&key), json!({ "loginId": "t@example.com" })).await.assert_error(400, "E011002");
    app.post(otp, Some(&key), json!({ "deliveryMethod": "email" })).await.assert_error(400, "E011002");
    app.post(otp, Some(&p.with("bad")), json!({ "loginId": "t@example.com", "deliveryMethod": "email" }))
        .await
        .assert_error(401, "E011103");
}

/// The invitation messages of a login ID, newest first.
async fn invitations(app: &TestApp, p: &TestProject, login_id: &str) -> Vec<Value> {
    app.outbox(p, &format!("?kind=invite&loginId={}", urlencode(login_id))).await
}

#[tokio::test]
async fn invite_sends_an_invitation_by_email_or_text_message() {
    let (app, p) = TestApp::with_project().await;
    // Python's invite(send_mail=True) and Node's invite(loginId, {inviteUrl, sendMail}).
    let user = app
        .create_user(
            &p,
            json!({"loginId": "inv@example.com", "displayName": "Ivy", "invite": true,
                   "inviteUrl": "https://app.example.com/accept", "sendMail": true}),
        )
        .await;
    assert_eq!(user["status"], "invited");
    let sent = invitations(&app, &p, "inv@example.com").await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    let m = &sent[0];
    assert_eq!(m["channel"], "email");
    assert_eq!(m["to"], "inv@example.com");
    assert_eq!(m["link"], "https://app.example.com/accept");
    assert_eq!(m["token"], Value::Null, "no magic-link token unless the project adds one");
    assert_eq!(m["code"], Value::Null);
    let project_name = app.get("/emulator/v1/projects", None).await.assert_ok()["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["projectId"] == p.id.as_str())
        .unwrap()["name"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(m["subject"], format!("You're invited to {project_name}"));
    let body = m["body"].as_str().unwrap();
    assert!(body.contains("invited to join") && body.contains("https://app.example.com/accept"), "{body}");

    // sendMail absent: email, as the project's settings say by default; no link without an
    // invite URL.
    app.create_user(&p, json!({"loginId": "default@example.com", "invite": true})).await;
    let sent = invitations(&app, &p, "default@example.com").await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["link"], Value::Null);
    // sendMail false: nothing; sendSMS: a text message to the phone.
    app.create_user(&p, json!({"loginId": "quiet@example.com", "invite": true, "sendMail": false})).await;
    assert!(invitations(&app, &p, "quiet@example.com").await.is_empty());
    app.create_user(
        &p,
        json!({"loginId": "+15555550123", "invite": true, "sendSMS": true, "inviteUrl": "https://app.example.com/sms"}),
    )
    .await;
    let sent = invitations(&app, &p, "+15555550123").await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["channel"], "sms");
    assert_eq!(sent[0]["to"], "+15555550123");
    assert!(sent[0]["body"].as_str().unwrap().contains("https://app.example.com/sms"));
    // Without invite, no message; nor for a refused user.
    app.create_user(&p, json!({"loginId": "plain@example.com", "sendMail": true})).await;
    assert!(invitations(&app, &p, "plain@example.com").await.is_empty());
    app.post(CREATE, Some(&p.mgmt()), json!({"loginId": "inv@example.com", "invite": true}))
        .await
        .assert_error(400, "E062107");
    assert_eq!(invitations(&app, &p, "inv@example.com").await.len(), 1);

    // Batch invites (invite_batch / inviteBatch): one invitation per user created.
    let r = app
        .post(
            "/v1/mgmt/user/create/batch",
            Some(&p.mgmt()),
            json!({"users": [{"loginId": "b1@example.com"}, {"loginId": "b2@example.com"}, {"loginId": "inv@example.com"}],
                   "invite": true, "inviteUrl": "https://app.example.com/batch", "sendMail": true}),
        )
        .await;
    let b = r.assert_ok();
    assert_eq!(b["createdUsers"].as_array().unwrap().len(), 2, "{b}");
    for login in ["b1@example.com", "b2@example.com"] {
        let sent = invitations(&app, &p, login).await;
        assert_eq!(sent.len(), 1, "{login}: {sent:?}");
        assert_eq!(sent[0]["link"], "https://app.example.com/batch");
    }
    assert_eq!(invitations(&app, &p, "inv@example.com").await.len(), 1, "a failed entry sends nothing");
}

#[tokio::test]
async fn an_invitation_with_a_magic_link_token_signs_the_user_in() {
    let (app, p) = TestApp::with_project().await;
    // The project adds a magic-link token to invitations and has an invite URL.
    let settings = json!({"inviteMagicLink": true, "inviteUrl": "https://app.example.com/welcome?ref=mail"});
    app.put_snapshot(&p.id, &json!({"projectId": p.id, "settings": settings})).await.assert_ok();
    app.create_user(&p, json!({"loginId": "new@example.com", "verifiedEmail": false, "invite": true})).await;
    let sent = invitations(&app, &p, "new@example.com").await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    let token = sent[0]["token"].as_str().unwrap().to_owned();
    assert_eq!(sent[0]["link"], format!("https://app.example.com/welcome?ref=mail&t={token}"));

    let r = app.post("/v1/auth/magiclink/verify", Some(&p.bearer()), json!({"token": token})).await;
    let jwt = r.assert_ok().clone();
    assert_eq!(jwt["user"]["status"], "enabled", "accepting the invitation enables the user");
    assert_eq!(jwt["user"]["verifiedEmail"], true);
    assert_eq!(claims(jwt["sessionJwt"].as_str().unwrap())["amr"], json!(["email"]));
    // the token is single-use
    app.post("/v1/auth/magiclink/verify", Some(&p.bearer()), json!({"token": token}))
        .await
        .assert_error(401, "E061301");
    // the request's invite URL wins over the project's
    app.create_user(
        &p,
        json!({"loginId": "other@example.com", "invite": true, "inviteUrl": "https://x.example.com/a"}),
    )
    .await;
    let link = invitations(&app, &p, "other@example.com").await[0]["link"].as_str().unwrap().to_owned();
    assert!(link.starts_with("https://x.example.com/a?t="), "{link}");
}
