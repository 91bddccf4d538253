//! Descope API group `userManagement`: impersonation and its stop.
//!
//! Built: impersonate and stop impersonation; the answer is `{"jwt"}` holding a refresh JWT
//! (of the impersonated user, with `act: {sub: <impersonator>}`; of the impersonator on
//! stop). `impersonate/stepup` answers the same token marked as stepped up: `amr: ["stepup"]`
//! and `su: true` (the emulator's guess at Descope's "step-up claim"; both survive refresh).
//! Deviation: `validateConsent` is accepted but not checked, as the emulator keeps no consent
//! flag yet.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::jwt::JwtEnvelope;
use crate::domain::sessions::tokens::{self, Impersonation};
use crate::dto::accesskey::lenient_i64;
use crate::dto::common::check_duration;
use crate::dto::Validate;
use crate::error::ApiResult;
use crate::http::extract::{MgmtAuth, ValidJson};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/mgmt/impersonate" => impersonate,
        POST "/v1/mgmt/impersonate/stepup" => impersonate_step_up,
        POST "/v1/mgmt/stop/impersonation" => stop_impersonation,
    }
}

/// POST /v1/mgmt/impersonate
/// A refresh JWT of the impersonated user, for an impersonator with the `Impersonate`
/// permission.
async fn impersonate(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    ValidJson(req): ValidJson<Impersonation>,
) -> ApiResult<Json<JwtEnvelope>> {
    let jwt = tokens::impersonate(&s.db, &ctx, req).await?;
    Ok(Json(JwtEnvelope { jwt }))
}

/// POST /v1/mgmt/impersonate/stepup
/// Like impersonate, with the token marked as stepped up.
async fn impersonate_step_up(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    ValidJson(req): ValidJson<Impersonation>,
) -> ApiResult<Json<JwtEnvelope>> {
    let jwt = tokens::impersonate(&s.db, &ctx, Impersonation { step_up: true, ..req }).await?;
    Ok(Json(JwtEnvelope { jwt }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct StopBody {
    jwt: String,
    custom_claims: Map<String, Value>,
    selected_tenant: String,
    #[serde(deserialize_with = "lenient_i64")]
    refresh_duration: i64,
}

impl Validate for Impersonation {
    fn validate(&self) -> ApiResult<()> {
        check_duration("refreshDuration", self.refresh_duration)
    }
}

impl Validate for StopBody {
    fn validate(&self) -> ApiResult<()> {
        check_duration("refreshDuration", self.refresh_duration)
    }
}

/// POST /v1/mgmt/stop/impersonation
/// Ends an impersonation: a refresh JWT of the impersonator.
async fn stop_impersonation(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    ValidJson(b): ValidJson<StopBody>,
) -> ApiResult<Json<JwtEnvelope>> {
    let jwt = tokens::stop_impersonation(
        &s.db,
        &ctx,
        &b.jwt,
        b.custom_claims,
        &b.selected_tenant,
        b.refresh_duration,
    )
    .await?;
    Ok(Json(JwtEnvelope { jwt }))
}
