//! Descope API group `projectManagement`: the bearer's project.
//!
//! Built: rename, tags, delete (as `DELETE /emulator/v1/projects/{id}` does), the list of
//! every project of the emulator, clone (sync, and async with a process to poll), and the
//! configuration export/import/validate of [`crate::domain::projects::config`], served both
//! at python-sdk's `/project/export|import` and node/go's `/project/snapshot/*`.

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::domain::projects::config::{self, Files};
use crate::domain::projects::manage::{self, ProjectInfo};
use crate::dto::common::Empty;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{DescopeJson, MgmtAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/mgmt/project/clone" => clone,
        POST "/v1/mgmt/project/clone/async" => clone_async,
        GET "/v1/mgmt/project/clone/async/{processId}" => clone_process,
        POST "/v1/mgmt/project/delete" => delete,
        POST "/v1/mgmt/project/export" => export,
        POST "/v1/mgmt/project/import" => import,
        POST "/v1/mgmt/project/snapshot/export" => export,
        POST "/v1/mgmt/project/snapshot/import" => import,
        POST "/v1/mgmt/project/snapshot/validate" => validate,
        POST "/v1/mgmt/project/update/name" => update_name,
        POST "/v1/mgmt/project/update/tags" => update_tags,
        POST "/v1/mgmt/projects/list" => list,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NameBody {
    name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TagsBody {
    tags: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CloneBody {
    name: String,
    environment: String,
    tags: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CloneResponse {
    project_id: String,
    project_name: String,
    environment: String,
    tags: Vec<String>,
    tag: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CloneAsyncResponse {
    process_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CloneProcessResponse {
    project_id: String,
    project_name: String,
    error: String,
}

#[derive(Debug, Serialize)]
struct ProjectsResponse {
    projects: Vec<ProjectInfo>,
}

#[derive(Debug, Serialize)]
struct FilesResponse {
    files: Files,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ImportBody {
    files: Option<Value>,
    excludes: Vec<String>,
    /// Secrets to put into the configuration; the emulator keeps no secrets in it.
    #[allow(dead_code)]
    input_secrets: Value,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ValidateResponse {
    ok: bool,
    failures: Vec<String>,
    missing_secrets: Value,
}

/// POST /v1/mgmt/project/update/name
async fn update_name(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<NameBody>,
) -> ApiResult<Json<Empty>> {
    manage::rename(&s.db, &s.projects, &ctx, &body.name).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/project/update/tags
async fn update_tags(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<TagsBody>,
) -> ApiResult<Json<Empty>> {
    let tags = body.tags.ok_or_else(|| ApiError::missing("tags"))?;
    manage::set_tags(&s.db, &s.projects, &ctx, tags).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/project/delete
/// Deletes the bearer's project and everything in it.
async fn delete(State(s): State<AppState>, MgmtAuth(ctx): MgmtAuth) -> ApiResult<Json<Empty>> {
    let id = ctx.project_id().as_str();
    s.projects.delete(&s.db, id).await?;
    s.powers.forget(id);
    s.projects.seeds().restart(id, true);
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/projects/list
async fn list(State(s): State<AppState>, MgmtAuth(_ctx): MgmtAuth) -> ApiResult<Json<ProjectsResponse>> {
    Ok(Json(ProjectsResponse { projects: manage::list(&s.db).await? }))
}

/// POST /v1/mgmt/project/clone
async fn clone(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<CloneBody>,
) -> ApiResult<Json<CloneResponse>> {
    let p = manage::clone(&s.db, &s.projects, &ctx, &body.name, &body.environment, body.tags).await?;
    Ok(Json(CloneResponse {
        project_id: p.id,
        project_name: p.name,
        environment: p.environment,
        tags: p.tags,
        tag: p.tag,
    }))
}

/// POST /v1/mgmt/project/clone/async
async fn clone_async(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<CloneBody>,
) -> ApiResult<Json<CloneAsyncResponse>> {
    let process_id =
        manage::clone_async(&s.db, &s.projects, &ctx, &body.name, &body.environment, body.tags).await?;
    Ok(Json(CloneAsyncResponse { process_id }))
}

/// GET /v1/mgmt/project/clone/async/{processId}
async fn clone_process(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    Path(process_id): Path<String>,
) -> ApiResult<Json<CloneProcessResponse>> {
    let (project_id, project_name, error) = manage::clone_process(&s.db, &ctx, &process_id).await?;
    Ok(Json(CloneProcessResponse { project_id, project_name, error }))
}

/// POST /v1/mgmt/project/export, POST /v1/mgmt/project/snapshot/export
async fn export(State(s): State<AppState>, MgmtAuth(ctx): MgmtAuth) -> ApiResult<Json<FilesResponse>> {
    Ok(Json(FilesResponse { files: config::export(&s.db, &ctx).await? }))
}

fn files_of(body: &ImportBody) -> ApiResult<Result<Files, Vec<String>>> {
    let files = body.files.as_ref().ok_or_else(|| ApiError::missing("files"))?;
    Ok(config::parse_files(files))
}

/// POST /v1/mgmt/project/import, POST /v1/mgmt/project/snapshot/import
/// Checks every file, then replaces the configuration sections the files name, all at once.
async fn import(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<ImportBody>,
) -> ApiResult<Json<Empty>> {
    let files = files_of(&body)?.map_err(|failures| {
        ApiError::invalid(format!("Invalid project configuration: {}", failures.join("; ")))
    })?;
    config::import(&s.db, &ctx, &files, &body.excludes).await?;
    s.projects.invalidate(ctx.project_id().as_str());
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/project/snapshot/validate
/// An import's dry run: `{ok, failures, missingSecrets}`.
async fn validate(
    State(_s): State<AppState>,
    MgmtAuth(_ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<ImportBody>,
) -> ApiResult<Json<ValidateResponse>> {
    let failures = match files_of(&body)? {
        Ok(files) => config::validate(&files, &body.excludes),
        Err(failures) => failures,
    };
    Ok(Json(ValidateResponse { ok: failures.is_empty(), failures, missing_secrets: json!({}) }))
}
