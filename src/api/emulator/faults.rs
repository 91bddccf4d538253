//! `/emulator/v1/projects/{projectId}/faults`: fault rules (add, list, clear, remove one).

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::domain::superpowers::faults::{Fault, FaultRule, Target};
use crate::dto::common::Empty;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{DescopeJson, EmulatorProject};
use crate::http::operations::{self, Operation};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/emulator/v1/projects/{projectId}/faults" => add,
        GET "/emulator/v1/projects/{projectId}/faults" => list,
        DELETE "/emulator/v1/projects/{projectId}/faults" => clear,
        DELETE "/emulator/v1/projects/{projectId}/faults/{faultId}" => remove,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FaultRequest {
    /// An operationId, or `METHOD /path`, or `/path` (every method).
    #[serde(rename = "match")]
    matcher: Option<String>,
    /// Alias of `match` (the name for it).
    operation: Option<String>,
    status: Option<i64>,
    error_code: Option<String>,
    error_message: Option<String>,
    delay_ms: Option<i64>,
    times: Option<i64>,
    probability: Option<f64>,
    retry_after_seconds: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct FaultId {
    id: String,
}

#[derive(Debug, Serialize)]
pub struct FaultList {
    faults: Vec<Fault>,
}

/// POST /emulator/v1/projects/{projectId}/faults
async fn add(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    DescopeJson(req): DescopeJson<FaultRequest>,
) -> ApiResult<Json<FaultId>> {
    let matcher = req
        .matcher
        .or(req.operation)
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty())
        .ok_or_else(|| ApiError::missing("match"))?;
    let targets = targets(&matcher)?;
    let status = req.status.map(|s| u16::try_from(s).unwrap_or(0));
    if let Some(0) = status {
        return Err(ApiError::invalid("status must be between 400 and 599"));
    }
    let non_negative = |field: &str, v: Option<i64>| -> ApiResult<Option<u64>> {
        match v {
            Some(n) if n < 0 => Err(ApiError::invalid(format!("{field} must not be negative"))),
            v => Ok(v.map(|n| n as u64)),
        }
    };
    let rule = FaultRule {
        matcher,
        targets,
        status,
        error_code: req.error_code.filter(|c| !c.is_empty()),
        error_message: req.error_message.filter(|m| !m.is_empty()),
        delay_ms: non_negative("delayMs", req.delay_ms)?.unwrap_or(0),
        times: non_negative("times", req.times)?.unwrap_or(1),
        probability: req.probability.unwrap_or(1.0),
        retry_after_seconds: non_negative("retryAfterSeconds", req.retry_after_seconds)?,
    };
    let id = s.powers.add_fault(ctx.project_id().as_str(), rule)?;
    Ok(Json(FaultId { id }))
}

/// The routes a `match` names: an operationId, `METHOD /path` or `/path` (a template or a
/// concrete path). The emulator's own routes cannot be faulted.
fn targets(matcher: &str) -> ApiResult<Vec<Target>> {
    let target = |op: Operation| Target { method: Some(op.method.to_owned()), path: op.path.to_owned() };
    let unknown = || ApiError::invalid(format!("match {matcher} names no Descope operation the emulator routes"));
    let refuse_emulator = |ops: &[Operation]| {
        if ops.iter().any(Operation::is_emulator) {
            Err(ApiError::invalid("Faults cannot apply to the emulator's own /emulator routes"))
        } else {
            Ok(())
        }
    };
    if !matcher.contains('/') {
        return operations::by_operation_id(matcher).map(|op| vec![target(op)]).ok_or_else(unknown);
    }
    let (method, path) = match matcher.split_once(char::is_whitespace) {
        Some((m, p)) => (Some(m.to_ascii_uppercase()), p.trim()),
        None => (None, matcher),
    };
    let path = path.split('?').next().unwrap_or(path);
    let ops = match &method {
        Some(m) => operations::resolve(m, path).into_iter().collect::<Vec<_>>(),
        None => operations::resolve_any_method(path),
    };
    if ops.is_empty() {
        return Err(unknown());
    }
    refuse_emulator(&ops)?;
    Ok(ops.into_iter().map(target).collect())
}

/// GET /emulator/v1/projects/{projectId}/faults
async fn list(State(s): State<AppState>, EmulatorProject(ctx): EmulatorProject) -> ApiResult<Json<FaultList>> {
    Ok(Json(FaultList { faults: s.powers.faults(ctx.project_id().as_str()) }))
}

/// DELETE /emulator/v1/projects/{projectId}/faults
async fn clear(State(s): State<AppState>, EmulatorProject(ctx): EmulatorProject) -> ApiResult<Json<Empty>> {
    s.powers.clear_faults(ctx.project_id().as_str());
    Ok(Json(Empty {}))
}

/// DELETE /emulator/v1/projects/{projectId}/faults/{faultId}
async fn remove(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    Path((_, fault_id)): Path<(String, String)>,
) -> ApiResult<Json<Empty>> {
    if !s.powers.remove_fault(ctx.project_id().as_str(), &fault_id) {
        return Err(ApiError::not_found(format!("Fault {fault_id} not found")));
    }
    Ok(Json(Empty {}))
}
