//! Inbound apps' access tokens carry only the roles their granted permission scopes map
//! (with those roles' permissions), or every role with `forceAddAllAuthorizationInfo`.

use axum::body::Body;
use axum::http::Request;
use serde_json::{json, Value};

use crate::harness::{claims, urlencode, TestApp, TestProject};

const REDIRECT: &str = "http://agent.test/cb";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gXk-kEjXk";
const CHALLENGE: &str = "JIR41DDhPj7MhvjRSfrWp1B4L4s-HZqJOIzA-517L3k";

async fn access_token(app: &TestApp, p: &TestProject, extra: Value, scope: &str) -> Value {
    let mut body = json!({
        "name": format!("Agent {}", extra.as_object().map(|o| o.len()).unwrap_or(0)),
        "loginPageUrl": "http://agent.test/login",
        "approvedCallbackUrls": [REDIRECT],
        "permissionsScopes": [
            {"name": "read:docs", "description": "Read", "values": ["Reader"]},
            {"name": "write:docs", "description": "Write", "values": ["Writer"]},
        ],
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let created = app.post("/v1/mgmt/thirdparty/app/create", Some(&p.mgmt()), body).await.assert_ok().clone();
    let client_id = created["clientId"].as_str().expect("create answers clientId").to_owned();
    let url = format!(
        "/oauth2/v1/apps/{}/authorize?response_type=code&client_id={}&redirect_uri={}&scope={}&state=s1\
         &login_hint=ann%40agent.test&code_challenge={CHALLENGE}&code_challenge_method=S256",
        p.id,
        urlencode(&client_id),
        urlencode(REDIRECT),
        urlencode(scope),
    );
    let r = app.get(&url, None).await;
    assert_eq!(r.status.as_u16(), 302, "{}", r.text);
    let back = r.headers["location"].to_str().unwrap().to_owned();
    let code =
        url::Url::parse(&back).unwrap().query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    let body = format!(
        "grant_type=authorization_code&code={code}&redirect_uri={}&code_verifier={VERIFIER}&client_id={}&client_secret={}",
        urlencode(REDIRECT),
        urlencode(&client_id),
        urlencode(created["cleartext"].as_str().unwrap_or_default())
    );
    let req = Request::builder()
        .method("POST")
        .uri("/oauth2/v1/apps/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let t = app.call(req).await;
    claims(t.assert_ok()["access_token"].as_str().unwrap())
}

#[tokio::test]
async fn role_scopes_narrow_inbound_access_tokens() {
    let (app, p) = TestApp::with_project().await;
    let m = Some(p.mgmt());
    for perm in ["docs.read", "docs.write"] {
        app.post("/v1/mgmt/permission/create", m.as_deref(), json!({"name": perm})).await.assert_ok();
    }
    app.post(
        "/v1/mgmt/role/create",
        m.as_deref(),
        json!({"name": "Reader", "permissionNames": ["docs.read"]}),
    )
    .await
    .assert_ok();
    app.post(
        "/v1/mgmt/role/create",
        m.as_deref(),
        json!({"name": "Writer", "permissionNames": ["docs.write"]}),
    )
    .await
    .assert_ok();
    app.post("/v1/mgmt/role/create", m.as_deref(), json!({"name": "Auditor"})).await.assert_ok();
    app.create_user(
        &p,
        json!({"loginId": "ann@agent.test", "email": "ann@agent.test", "roleNames": ["Reader", "Writer", "Auditor"]}),
    )
    .await;

    let c = access_token(&app, &p, json!({}), "openid read:docs").await;
    assert_eq!(c["roles"], json!(["Reader"]), "{c}");
    assert_eq!(c["permissions"], json!(["docs.read"]));
    assert_eq!(c["scope"], "openid read:docs");

    let c = access_token(&app, &p, json!({"name": "Agent 2"}), "openid").await;
    assert_eq!(c["roles"], json!([]));
    assert_eq!(c["permissions"], json!([]));

    let c =
        access_token(&app, &p, json!({"name": "Agent 3", "forceAddAllAuthorizationInfo": true}), "read:docs")
            .await;
    let mut roles: Vec<String> = serde_json::from_value(c["roles"].clone()).unwrap();
    roles.sort();
    assert_eq!(roles, ["Auditor", "Reader", "Writer"]);
}
