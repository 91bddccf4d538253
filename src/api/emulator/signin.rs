//! `POST /emulator/v1/projects/{projectId}/signin/next`: queues who signs in at the next
//! authorize request of the project's authorization server that needs someone (Descope as an
//! OIDC provider), so that headless tests need no sign-in page.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use crate::domain::apps::server;
use crate::dto::common::Empty;
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, EmulatorProject};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/emulator/v1/projects/{projectId}/signin/next" => next,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Next {
    login_id: String,
}

/// POST /emulator/v1/projects/{projectId}/signin/next
/// Queues an existing user (`{"loginId"}`) for the next sign-in at the authorization server;
/// used once, first in first out.
async fn next(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    DescopeJson(body): DescopeJson<Next>,
) -> ApiResult<Json<Empty>> {
    server::enqueue_signin(&s.db, &ctx, &body.login_id).await?;
    Ok(Json(Empty {}))
}
