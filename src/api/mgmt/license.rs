//! The license handshake every SDK makes when built with a management key
//! (SDK_CONTRACT.md 6 "License handshake"). Not in Descope's OpenAPI.

use axum::Json;
use serde::Serialize;

use crate::http::extract::MgmtAuth;

crate::route_table! {
    pub GROUP;
    built {
        GET "/v1/mgmt/license" => license,
    }
}

/// `{"rateLimitTier": "tier4"}`
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct LicenseResponse {
    rate_limit_tier: &'static str,
}

/// GET /v1/mgmt/license
/// Answers at once with the highest tier; the SDKs send it back as `x-descope-license`, which
/// the emulator ignores.
async fn license(_auth: MgmtAuth) -> Json<LicenseResponse> {
    Json(LicenseResponse { rate_limit_tier: "tier4" })
}
