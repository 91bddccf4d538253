//! Descope API group `flowManagement`: flows.
//!
//! Built: list, delete, export and import in the v2 shape (`/v2/mgmt/flow/*`, go-sdk; the
//! document is stored as the text given) and the v1 shape python-sdk and node-sdk use
//! (`/v1/mgmt/flow/export|import`, `{flow, screens}`), and the flow template list.
//! `flow/run` and `flow/async/run` check the flow and answer why it cannot run server-side
//! (screens need the web component; management flows' actions need the internet):
//! [`flows::check_runnable`]. No run is ever started, so `flow/async/result` and
//! `flow/externalauth/complete` know no execution and no external authentication request.

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
        POST "/v1/mgmt/flow/async/result" => async_result,
        POST "/v1/mgmt/flow/async/run" => run,
        POST "/v1/mgmt/flow/delete" => delete,
        POST "/v1/mgmt/flow/externalauth/complete" => complete_external_auth,
        POST "/v1/mgmt/flow/run" => run,
        POST "/v1/mgmt/flow/export" => export_v1,
        POST "/v1/mgmt/flow/import" => import_v1,
        POST "/v1/mgmt/flow/list" => list,
        POST "/v1/mgmt/flow/template/list" => templates,
        POST "/v2/mgmt/flow/export" => export_v2,
        POST "/v2/mgmt/flow/import" => import_v2,
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

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct RunBody {
    flow_id: String,
    options: Value,
}

/// POST /v1/mgmt/flow/run, /v1/mgmt/flow/async/run
/// `{flowId, options {input, preview, tenant}}`: the flow is checked (missing 400, unknown
/// 404) and, as no flow the emulator holds runs without a person, refused with the reason.
async fn run(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<RunBody>,
) -> ApiResult<Json<Empty>> {
    if !(body.options.is_null() || body.options.is_object()) {
        return Err(ApiError::invalid("options must be an object"));
    }
    flows::check_runnable(&s.db, &ctx, &body.flow_id).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ResultBody {
    execution_id: String,
}

/// POST /v1/mgmt/flow/async/result `{executionId}`: no asynchronous run was ever started,
/// so every execution ID is unknown.
async fn async_result(MgmtAuth(_ctx): MgmtAuth, DescopeJson(body): DescopeJson<ResultBody>) -> ApiResult<Json<Empty>> {
    if body.execution_id.trim().is_empty() {
        return Err(ApiError::missing("executionId"));
    }
    Err(ApiError::not_found(format!("Flow execution {} not found", body.execution_id)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ExternalAuthBody {
    external_auth_req_id: String,
    login_id: String,
}

/// POST /v1/mgmt/flow/externalauth/complete `{externalAuthReqId, loginId, ...}`: the built-in
/// flows have no external-authentication step, so no request is waiting.
async fn complete_external_auth(
    MgmtAuth(_ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<ExternalAuthBody>,
) -> ApiResult<Json<Empty>> {
    if body.external_auth_req_id.trim().is_empty() {
        return Err(ApiError::missing("externalAuthReqId"));
    }
    if body.login_id.trim().is_empty() {
        return Err(ApiError::missing("loginId"));
    }
    Err(ApiError::not_found(format!("External authentication request {} not found", body.external_auth_req_id)))
}
