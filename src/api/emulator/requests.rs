//! `/emulator/v1/projects/{projectId}/requests`: the project's request log (read, clear).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::domain::superpowers::requests::{RequestView, LOG_SIZE};
use crate::dto::common::Empty;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{DescopeQuery, EmulatorProject};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        GET "/emulator/v1/projects/{projectId}/requests" => list,
        DELETE "/emulator/v1/projects/{projectId}/requests" => clear,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RequestsQuery {
    limit: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct RequestList {
    requests: Vec<RequestView>,
}

/// GET /emulator/v1/projects/{projectId}/requests?limit=N
/// Newest first; secrets redacted.
async fn list(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    DescopeQuery(q): DescopeQuery<RequestsQuery>,
) -> ApiResult<Json<RequestList>> {
    let limit = match q.limit.as_deref().filter(|l| !l.is_empty()) {
        None => LOG_SIZE,
        Some(l) => match l.parse::<usize>() {
            Ok(n) if n > 0 => n.min(LOG_SIZE),
            _ => return Err(ApiError::invalid(format!("limit must be between 1 and {LOG_SIZE}"))),
        },
    };
    let requests = s.powers.requests(ctx.project_id().as_str(), limit).iter().map(|r| r.view()).collect();
    Ok(Json(RequestList { requests }))
}

/// DELETE /emulator/v1/projects/{projectId}/requests
async fn clear(State(s): State<AppState>, EmulatorProject(ctx): EmulatorProject) -> ApiResult<Json<Empty>> {
    s.powers.clear_requests(ctx.project_id().as_str());
    Ok(Json(Empty {}))
}
