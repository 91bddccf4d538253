//! Every Descope operation of the vendored `operations.tsv` is routed, none twice; every
//! operation the route table marks unbuilt answers 501 naming itself, and every built one
//! answers something else.

use std::collections::BTreeSet;

use descope_emulator::api::descope_ops;
use descope_emulator::http::route_table::Op;

/// Descope paths the SDKs call that the OpenAPI does not list (SDK_CONTRACT.md 9.4).
const SDK_EXTRAS: &[&str] = &[
    // SCIM calls IdPs make that Descope's API list leaves out
    "POST /scim/v2/Users",
    "GET /scim/v2/Schemas",
    "GET /scim/v2/Schemas/{id}",
    "GET /scim/v2/ResourceTypes/{id}",
    "GET /v1/mgmt/license",
    "POST /v1/auth/me/tenants",
    "POST /v1/mgmt/accesskey/rotate",
    "PATCH /v1/mgmt/tenant/patch",
    "POST /v1/auth/otp/signup/whatsapp",
    "POST /v1/auth/otp/signin/whatsapp",
    "POST /v1/auth/otp/signup-in/whatsapp",
    "POST /v1/auth/otp/verify/whatsapp",
    "POST /v1/auth/otp/update/phone/whatsapp",
    "POST /v1/auth/magiclink/signup/whatsapp",
    "POST /v1/auth/magiclink/signin/whatsapp",
    "POST /v1/auth/magiclink/signup-in/whatsapp",
    "POST /v1/auth/magiclink/update/phone/whatsapp",
    // list loads in python-sdk query form
    "GET /v1/mgmt/list",
    "GET /v1/mgmt/list/name",
    // legacy SSO settings (python-sdk 2.16.1, node's deprecated calls)
    "GET /v1/mgmt/sso/settings",
    "POST /v1/mgmt/sso/settings",
    "POST /v1/mgmt/sso/metadata",
    "POST /v1/mgmt/sso/mapping",
    // Descope's OAuth callback (the redirect_uri of its relying-party sign-ins)
    "GET /v1/oauth/callback",
    // the FedCM endpoints that `GET /{projectId}/fedcm/config` names
    "GET /{projectId}/fedcm/accounts",
    "POST /{projectId}/fedcm/assertion",
    "POST /{projectId}/fedcm/disconnect",
    // hosted flows: the web component's flow API, static pages and UI bundle (the CDN's)
    "POST /v1/flow/start",
    "POST /v1/flow/next",
    "GET /pages/{projectId}/v2-beta/{file}",
    "GET /pages/{projectId}/v2-beta/{tenantId}/{file}",
    "GET /npm/{scope}/{package}/dist/{*file}",
    // emulator-only (EMULATOR_API.md "Keys and discovery")
    "GET /.well-known/jwks.json",
    // SSO-app secrets and scope→claim mappings (python-sdk 2.16.1, node-sdk)
    "GET /v1/mgmt/sso/idp/app/secret",
    "POST /v1/mgmt/sso/idp/app/rotate",
    "POST /v1/mgmt/scopeClaimMapping/get",
    "POST /v1/mgmt/scopeClaimMapping/set",
    "POST /v1/mgmt/scopeClaimMapping/delete",
    // Inbound apps: Go SDK >= 1.28 routes and its secret add/revoke
    "POST /v2/mgmt/thirdparty/app/create",
    "POST /v2/mgmt/thirdparty/app/update",
    "POST /v2/mgmt/thirdparty/app/patch",
    "POST /v2/mgmt/thirdparty/app/delete",
    "GET /v2/mgmt/thirdparty/app/load",
    "POST /v2/mgmt/thirdparty/apps/load",
    "POST /v1/mgmt/thirdparty/app/secret/add",
    "POST /v1/mgmt/thirdparty/app/secret/revoke",
    "POST /v2/mgmt/thirdparty/app/secret/add",
    "POST /v2/mgmt/thirdparty/app/secret/revoke",
    // Outbound apps: OAuth token uploads (all three SDKs) and core-js's connect.
    "POST /v1/mgmt/outbound/app/user/oauthtoken/upload",
    "POST /v1/mgmt/outbound/app/tenant/oauthtoken/upload",
    "POST /v1/mgmt/outbound/app/user/oauthtoken/batch/upload",
    "POST /v1/mgmt/outbound/app/tenant/oauthtoken/batch/upload",
    "POST /v1/outbound/oauth/connect",
    // v1 flow and theme export/import (python-sdk 2.16.1, node-sdk)
    "POST /v1/mgmt/flow/export",
    "POST /v1/mgmt/flow/import",
    "POST /v1/mgmt/theme/export",
    "POST /v1/mgmt/theme/import",
];

/// The path with every `{param}` replaced by `with`.
fn replace_params(path: &str, with: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str(with);
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

/// The path with its parameter names dropped, so the spec's and axum's spellings compare equal.
fn normalize(path: &str) -> String {
    replace_params(path, "{}")
}

fn spec_ops() -> BTreeSet<String> {
    include_str!("data/operations.tsv")
        .lines()
        .skip(1)
        .map(|l| {
            let mut f = l.split('\t');
            format!("{} {}", f.next().unwrap(), normalize(f.next().unwrap()))
        })
        .collect()
}

#[test]
fn every_descope_operation_is_routed() {
    let spec = spec_ops();
    assert_eq!(spec.len(), 459, "the vendored operation list changed");
    let routed: Vec<String> =
        descope_ops().iter().map(|op| format!("{} {}", op.method, normalize(op.path))).collect();
    let routed_set: BTreeSet<String> = routed.iter().cloned().collect();
    assert_eq!(routed.len(), routed_set.len(), "an operation is routed twice");
    let missing: Vec<_> = spec.difference(&routed_set).collect();
    assert!(missing.is_empty(), "operations not routed: {missing:#?}");
    let extras: BTreeSet<String> = SDK_EXTRAS.iter().map(|s| normalize(s)).collect();
    let unknown: Vec<_> = routed_set.difference(&spec).filter(|op| !extras.contains(*op)).collect();
    assert!(
        unknown.is_empty(),
        "routes that are neither Descope operations nor known SDK paths: {unknown:#?}"
    );
}

/// Built Descope operations that answer 2xx to a call without credentials.
const OPEN_WITHOUT_AUTH: &[&str] = &[
    // With no refresh token it answers `{}`: "not signed in" is not an error (SDK_CONTRACT.md).
    "POST /v1/auth/try-refresh",
    // The IdP logout has no credentials: the session is the DSR cookie's, if any; without
    // one it only clears the cookies.
    "GET /v1/auth/idp/sso/logout",
    "POST /v1/auth/idp/sso/logout",
    // RP-initiated logout without `id_token_hint` or a redirect answers `{}`.
    "GET /oauth2/v1/logout",
    "POST /oauth2/v1/logout",
    "GET /{ssoAppId}/oauth2/v1/logout",
    "POST /{ssoAppId}/oauth2/v1/logout",
];

/// The path with every `{param}` replaced by a value, so the request matches that route.
fn concrete(path: &str) -> String {
    replace_params(path, "x")
}

/// Calls an operation in-process with no credentials and no body.
async fn call(app: &crate::harness::TestApp, op: &Op) -> crate::harness::TestResponse {
    let method: axum::http::Method = op.method.parse().unwrap();
    app.send(method, &concrete(op.path), None, None).await
}

fn name(op: &Op) -> String {
    format!("{} {}", op.method, op.path)
}

#[tokio::test]
async fn every_unbuilt_operation_answers_501_naming_itself() {
    let app = crate::harness::TestApp::new().await;
    let unbuilt: Vec<&Op> = descope_ops().into_iter().filter(|op| !op.is_implemented()).collect();
    // Every operation is built today; the check stays for operations Descope adds later.
    let mut wrong = Vec::new();
    for op in unbuilt {
        let r = call(&app, op).await;
        let named = r.body["errorMessage"].as_str().is_some_and(|m| m.contains(&name(op)));
        let descope_body = r.body["errorCode"] == "E011007" && r.body["errorDescription"].is_string();
        if r.status.as_u16() != 501 || !named || !descope_body {
            wrong.push(format!("{}: {} {}", name(op), r.status, r.text));
        }
    }
    assert!(wrong.is_empty(), "unbuilt operations not answering 501 naming themselves: {wrong:#?}");
}

#[tokio::test]
async fn every_built_operation_answers_without_501() {
    let app = crate::harness::TestApp::new().await;
    let built: Vec<&Op> = descope_ops().into_iter().filter(|op| op.is_implemented()).collect();
    let mut wrong = Vec::new();
    for op in built {
        let r = call(&app, op).await;
        let ok = if OPEN_WITHOUT_AUTH.contains(&name(op).as_str()) {
            r.status.is_success() && !r.text.is_empty()
        } else if op.path.contains("/oauth2/") || op.path.ends_with("/register") {
            // The OAuth routes (and RFC 7591 registration) refuse in the RFC 6749 format.
            r.status.is_client_error() && r.body["error"].as_str().is_some_and(|e| !e.is_empty())
        } else {
            // Without credentials a built operation refuses with a Descope error, never 501.
            r.status.is_client_error()
                && r.body["errorCode"].as_str().is_some_and(|c| c.starts_with('E') && c != "E011007")
                && r.body["errorMessage"].as_str().is_some_and(|m| !m.is_empty())
        };
        if !ok {
            wrong.push(format!("{}: {} {}", name(op), r.status, r.text));
        }
    }
    assert!(wrong.is_empty(), "built operations not answering a 4xx Descope error: {wrong:#?}");
}
