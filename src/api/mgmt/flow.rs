//! Descope API group `flowManagement`: flows.
//!
//! Built: list, delete, export and import in the v2 shape (`/v2/mgmt/flow/*`, go-sdk; the
//! document is stored as the text given) and the v1 shape python-sdk and node-sdk use
//! (`/v1/mgmt/flow/export|import`, `{flow, screens}`), and the flow template list.
//! `flow/run`, `flow/async/*` and `flow/externalauth/complete` belong to the hosted flows
//! engine and answer 501 until it exists.

use axum::extract::{Request, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::domain::flows::{self, builtin, FlowSummary, FlowV1Response};
use crate::dto::common::Empty;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{parse_json, read_body, DescopeJson, MgmtAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/mgmt/flow/delete" => delete,
        POST "/v1/mgmt/flow/export" => export_v1,
        POST "/v1/mgmt/flow/import" => import_v1,
        POST "/v1/mgmt/flow/list" => list,
        POST "/v1/mgmt/flow/template/list" => templates,
        POST "/v2/mgmt/flow/export" => export_v2,
        POST "/v2/mgmt/flow/import" => import_v2,
    }
    unbuilt {
        POST "/v1/mgmt/flow/async/result",
        POST "/v1/mgmt/flow/async/run",
        POST "/v1/mgmt/flow/externalauth/complete",
        POST "/v1/mgmt/flow/run",
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IdsBody {
    ids: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct FlowIdBody {
    flow_id: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ImportV1Body {
    flow_id: String,
    flow: Value,
    screens: Value,
}

#[derive(Debug, Serialize)]
struct FlowsResponse {
    flows: Vec<FlowSummary>,
    total: usize,
}

#[derive(Debug, Serialize)]
struct TemplatesResponse {
    templates: Vec<Value>,
    total: usize,
}

#[derive(Debug, Serialize)]
struct ExportV2Response {
    flow: Box<RawValue>,
}

/// The v2 import body read as raw text, so the flow document is kept as sent.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ImportV2Raw {
    #[serde(default)]
    flow: Option<Box<RawValue>>,
    #[serde(default)]
    flow_id: Option<Value>,
}

/// POST /v1/mgmt/flow/list
async fn list(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<IdsBody>,
) -> ApiResult<Json<FlowsResponse>> {
    let flows = flows::list(&s.db, &ctx, &body.ids).await?;
    Ok(Json(FlowsResponse { total: flows.len(), flows }))
}

/// POST /v1/mgmt/flow/delete
async fn delete(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<IdsBody>,
) -> ApiResult<Json<Empty>> {
    flows::delete(&s.db, &ctx, &body.ids).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/flow/template/list
async fn templates(MgmtAuth(_ctx): MgmtAuth) -> ApiResult<Json<TemplatesResponse>> {
    let templates: Vec<Value> = builtin::FLOWS.iter().map(builtin::BuiltinFlow::template).collect();
    Ok(Json(TemplatesResponse { total: templates.len(), templates }))
}

/// POST /v2/mgmt/flow/export
async fn export_v2(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<FlowIdBody>,
) -> ApiResult<Json<ExportV2Response>> {
    Ok(Json(ExportV2Response { flow: flows::export_v2(&s.db, &ctx, &body.flow_id).await? }))
}

/// POST /v2/mgmt/flow/import
/// `{flow}` with the ID in `flow.flowId` (or a top-level `flowId`).
async fn import_v2(State(s): State<AppState>, MgmtAuth(ctx): MgmtAuth, req: Request) -> ApiResult<Json<Empty>> {
    let bytes = read_body(req, &()).await?;
    // Checked as any body first (an object, valid JSON), then read for the raw document.
    parse_json::<Value>(&bytes)?;
    let raw: ImportV2Raw = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::bad_request(format!("Request body is not valid: {e}")))?;
    let flow = raw.flow.filter(|f| f.get() != "null").ok_or_else(|| ApiError::missing("flow"))?;
    let id = match raw.flow_id {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(id)) => id,
        Some(_) => return Err(ApiError::invalid("flowId must be a string")),
    };
    flows::import_v2(&s.db, &ctx, &id, flow.get()).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/flow/export
async fn export_v1(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<FlowIdBody>,
) -> ApiResult<Json<FlowV1Response>> {
    Ok(Json(flows::export_v1(&s.db, &ctx, &body.flow_id).await?))
}

/// POST /v1/mgmt/flow/import
async fn import_v1(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<ImportV1Body>,
) -> ApiResult<Json<FlowV1Response>> {
    if body.flow.is_null() {
        return Err(ApiError::missing("flow"));
    }
    Ok(Json(flows::import_v1(&s.db, &ctx, &body.flow_id, body.flow, body.screens).await?))
}
