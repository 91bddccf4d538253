//! Descope API groups `flowManagement`, `projectManagement`: localization overrides of a
//! flow's texts and of the messaging templates (`{id, version, modifiedTime, languages}`,
//! `languages` mapping each language to its texts).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::flows;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{DescopeJson, MgmtAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/mgmt/localization/flow/export" => export_flow,
        POST "/v1/mgmt/localization/flow/import" => import_flow,
        POST "/v1/mgmt/localization/messaging/export" => export_messaging,
        POST "/v1/mgmt/localization/messaging/import" => import_messaging,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct FlowIdBody {
    flow_id: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Overrides {
    languages: Value,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ImportBody {
    flow_id: String,
    overrides: Option<Overrides>,
}

#[derive(Debug, Serialize)]
struct OverridesResponse {
    overrides: Value,
}

fn languages_of(body: &ImportBody) -> ApiResult<&Value> {
    Ok(&body.overrides.as_ref().ok_or_else(|| ApiError::missing("overrides"))?.languages)
}

/// POST /v1/mgmt/localization/flow/export
async fn export_flow(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<FlowIdBody>,
) -> ApiResult<Json<OverridesResponse>> {
    Ok(Json(OverridesResponse { overrides: flows::export_flow_localization(&s.db, &ctx, &body.flow_id).await? }))
}

/// POST /v1/mgmt/localization/flow/import
async fn import_flow(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<ImportBody>,
) -> ApiResult<Json<OverridesResponse>> {
    let languages = languages_of(&body)?;
    let overrides = flows::import_flow_localization(&s.db, &ctx, &body.flow_id, languages).await?;
    Ok(Json(OverridesResponse { overrides }))
}

/// POST /v1/mgmt/localization/messaging/export
async fn export_messaging(State(s): State<AppState>, MgmtAuth(ctx): MgmtAuth) -> ApiResult<Json<OverridesResponse>> {
    Ok(Json(OverridesResponse { overrides: flows::export_messaging_localization(&s.db, &ctx).await? }))
}

/// POST /v1/mgmt/localization/messaging/import
async fn import_messaging(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<ImportBody>,
) -> ApiResult<Json<OverridesResponse>> {
    let languages = languages_of(&body)?;
    Ok(Json(OverridesResponse { overrides: flows::import_messaging_localization(&s.db, &ctx, languages).await? }))
}
