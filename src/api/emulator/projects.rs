//! `/emulator/v1/projects`: create, list, delete and reset projects, and their snapshots.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::dto::common::Empty;
use crate::error::{ApiError, ApiResult};
use crate::fixtures::{self, Apply, ProjectSnapshot};
use crate::http::extract::{DescopeJson, EmulatorProject};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/emulator/v1/projects" => create,
        GET "/emulator/v1/projects" => list,
        GET "/emulator/v1/projects/{projectId}" => get_project,
        DELETE "/emulator/v1/projects/{projectId}" => delete,
        POST "/emulator/v1/projects/{projectId}/reset" => reset,
        GET "/emulator/v1/projects/{projectId}/snapshot" => get_snapshot,
        PUT "/emulator/v1/projects/{projectId}/snapshot" => put_snapshot,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateProjectRequest {
    project_id: String,
    name: String,
    /// Makes the project deterministic: a non-negative integer.
    seed: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateProjectResponse {
    pub project_id: String,
    pub name: String,
    pub management_key: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectSummary {
    pub project_id: String,
    pub name: String,
    /// The oldest active management key, for the console's management calls (absent when
    /// every key was removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_key: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ProjectList {
    pub projects: Vec<ProjectSummary>,
}

/// POST /emulator/v1/projects
/// Creates a project with its own signing key (from the pre-generated pool) and one
/// management key.
async fn create(
    State(s): State<AppState>,
    DescopeJson(req): DescopeJson<CreateProjectRequest>,
) -> ApiResult<Json<CreateProjectResponse>> {
    let seed = match req.seed {
        None => None,
        Some(v) => Some(v.as_u64().ok_or_else(|| {
            ApiError::invalid(format!("seed must be an integer between 0 and {}, not {v}", u64::MAX))
        })?),
    };
    let p = s.projects.create_seeded(&s.db, s.now(), Some(req.project_id), Some(req.name), seed).await?;
    Ok(Json(CreateProjectResponse { project_id: p.id, name: p.name, management_key: p.management_key }))
}

/// GET /emulator/v1/projects
/// Every project, oldest first.
async fn list(State(s): State<AppState>) -> ApiResult<Json<ProjectList>> {
    let projects = s
        .projects
        .list(&s.db)
        .await?
        .into_iter()
        .map(|p| ProjectSummary {
            project_id: p.id.into_string(),
            name: p.name,
            management_key: p.management_key,
        })
        .collect();
    Ok(Json(ProjectList { projects }))
}

/// GET /emulator/v1/projects/{projectId}
/// One project with its oldest active management key (what the console needs to call the
/// management API for it).
async fn get_project(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
) -> ApiResult<Json<ProjectSummary>> {
    let listing = s.projects.listing(&s.db, ctx.project_id()).await?;
    let listing =
        listing.ok_or_else(|| ApiError::not_found(format!("Project {} not found", ctx.project_id())))?;
    Ok(Json(ProjectSummary {
        project_id: listing.id.into_string(),
        name: listing.name,
        management_key: listing.management_key,
    }))
}

/// DELETE /emulator/v1/projects/{projectId}
/// Deletes a project and everything in it.
async fn delete(State(s): State<AppState>, EmulatorProject(ctx): EmulatorProject) -> ApiResult<Json<Empty>> {
    s.projects.delete(&s.db, ctx.project_id().as_str()).await?;
    s.powers.forget(ctx.project_id().as_str());
    s.projects.seeds().restart(ctx.project_id().as_str(), true);
    Ok(Json(Empty {}))
}

/// POST /emulator/v1/projects/{projectId}/reset
/// Removes all data of a project; keeps the project, its signing and management keys.
async fn reset(State(s): State<AppState>, EmulatorProject(ctx): EmulatorProject) -> ApiResult<Json<Empty>> {
    s.projects.reset(&s.db, s.now(), &ctx.project).await?;
    s.powers.forget(ctx.project_id().as_str());
    // A reset project starts its deterministic sequence again.
    s.projects.seeds().restart(ctx.project_id().as_str(), false);
    Ok(Json(Empty {}))
}

/// GET /emulator/v1/projects/{projectId}/snapshot
/// The project's whole state, in the fixture format.
async fn get_snapshot(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
) -> ApiResult<Json<ProjectSnapshot>> {
    Ok(Json(fixtures::export(&s, ctx.project_id().as_str()).await?))
}

/// PUT /emulator/v1/projects/{projectId}/snapshot
/// Replaces the project's state with the snapshot.
async fn put_snapshot(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    DescopeJson(mut snap): DescopeJson<ProjectSnapshot>,
) -> ApiResult<Json<Empty>> {
    if snap.project_id.is_empty() {
        snap.project_id = ctx.project_id().to_string();
    }
    if ctx.project_id() != snap.project_id.as_str() {
        return Err(ApiError::invalid(format!(
            "Snapshot is of project {}, not {}",
            snap.project_id,
            ctx.project_id()
        )));
    }
    fixtures::import(&s, &snap, Apply::Replace).await?;
    s.projects.notify("replaced", ctx.project_id().as_str());
    Ok(Json(Empty {}))
}
