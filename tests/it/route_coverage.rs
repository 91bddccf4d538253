//! Every Descope operation of the vendored `operations.tsv` is routed, none twice.

use std::collections::BTreeSet;

/// Descope paths the SDKs call that the OpenAPI does not list (SDK_CONTRACT.md 9.4).
const SDK_EXTRAS: &[&str] = &[
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
    // emulator-only (EMULATOR_API.md "Keys and discovery")
    "GET /.well-known/jwks.json",
];

fn normalize(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
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
    let routed: Vec<String> = descope_emulator::api::descope_ops()
        .iter()
        .map(|op| format!("{} {}", op.method, normalize(op.path)))
        .collect();
    let routed_set: BTreeSet<String> = routed.iter().cloned().collect();
    assert_eq!(routed.len(), routed_set.len(), "an operation is routed twice");
    let missing: Vec<_> = spec.difference(&routed_set).collect();
    assert!(missing.is_empty(), "operations not routed: {missing:#?}");
    let extras: BTreeSet<String> = SDK_EXTRAS.iter().map(|s| s.to_string()).collect();
    let unknown: Vec<_> = routed_set.difference(&spec).filter(|op| !extras.contains(*op)).collect();
    assert!(
        unknown.is_empty(),
        "routes that are neither Descope operations nor known SDK paths: {unknown:#?}"
    );
}

#[tokio::test]
async fn router_builds_and_unbuilt_operations_answer_501() {
    let app = crate::harness::TestApp::new().await;
    let unbuilt = descope_emulator::api::descope_ops().into_iter().find(|op| !op.is_implemented()).unwrap();
    let path = unbuilt.path.replace('{', "x").replace('}', "");
    let method: axum::http::Method = unbuilt.method.parse().unwrap();
    let r = app.send(method, &path, None, None).await;
    r.assert_error(501, "E011007");
    assert!(r.body["errorMessage"].as_str().unwrap().contains(unbuilt.method));
}
