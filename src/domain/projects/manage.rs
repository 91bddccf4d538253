//! `projectManagement`: what a management key may do to its own project (rename, tags,
//! delete, clone) and the list of the company's projects. In the emulator the company is the
//! whole emulator: every project is listed.

use serde::Serialize;

use crate::crypto;
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::store::{self, config_documents::CloneProcessRow, Db};

use super::{config, ProjectSettings, Projects};

/// The longest project name accepted (unconfirmed limit).
const MAX_NAME: usize = 100;

/// A project as `/v1/mgmt/projects/list` and clone show it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ProjectInfo {
    pub id: String,
    pub name: String,
    pub environment: String,
    pub tags: Vec<String>,
    /// Descope's older single tag: the environment.
    pub tag: String,
}

fn check_name(name: &str) -> ApiResult<()> {
    if name.trim().is_empty() {
        return Err(ApiError::missing("name"));
    }
    if name.chars().count() > MAX_NAME {
        return Err(ApiError::invalid(format!("Project name is longer than {MAX_NAME} characters")));
    }
    Ok(())
}

fn check_tags(tags: &[String]) -> ApiResult<()> {
    if tags.iter().any(|t| t.trim().is_empty() || t.chars().count() > MAX_NAME) {
        return Err(ApiError::invalid(format!("Tags must be non-empty and at most {MAX_NAME} characters")));
    }
    Ok(())
}

fn check_environment(environment: &str) -> ApiResult<()> {
    if environment.is_empty() || environment == "production" {
        Ok(())
    } else {
        Err(ApiError::invalid(format!("Invalid environment {environment}: only \"production\" is supported")))
    }
}

/// Changes the project row (name and settings) and drops its cached runtime.
async fn update_project(
    db: &Db,
    projects: &Projects,
    ctx: &Ctx,
    change: impl FnOnce(&mut String, &mut ProjectSettings),
) -> ApiResult<()> {
    let mut tx = db.begin().await?;
    let row = store::projects::get(&mut tx, ctx.project_id()).await?.ok_or_else(|| {
        ApiError::new(ErrorKind::ProjectNotFound, format!("Unknown project ID {}", ctx.project_id()))
    })?;
    let mut name = row.name.clone();
    let mut settings: ProjectSettings = store::from_json_text(&row.settings);
    change(&mut name, &mut settings);
    store::projects::update(&mut tx, &row.id, &name, row.is_default, &store::json_text(&settings)?).await?;
    tx.commit().await?;
    projects.invalidate(ctx.project_id().as_str());
    Ok(())
}

/// `/v1/mgmt/project/update/name`.
pub async fn rename(db: &Db, projects: &Projects, ctx: &Ctx, name: &str) -> ApiResult<()> {
    check_name(name)?;
    update_project(db, projects, ctx, |n, _| *n = name.trim().to_owned()).await
}

/// `/v1/mgmt/project/update/tags`: replaces the tags.
pub async fn set_tags(db: &Db, projects: &Projects, ctx: &Ctx, tags: Vec<String>) -> ApiResult<()> {
    check_tags(&tags)?;
    update_project(db, projects, ctx, |_, s| s.tags = tags).await
}

/// `/v1/mgmt/projects/list`: every project of the emulator, oldest first.
pub async fn list(db: &Db) -> ApiResult<Vec<ProjectInfo>> {
    let mut conn = db.acquire().await?;
    let mut out = Vec::new();
    for p in store::projects::list(&mut conn).await? {
        let Some(row) = store::projects::get(&mut conn, &p.id).await? else { continue };
        let settings: ProjectSettings = store::from_json_text(&row.settings);
        out.push(ProjectInfo {
            id: row.id.into_string(),
            name: row.name,
            tag: settings.environment.clone(),
            environment: settings.environment,
            tags: settings.tags,
        });
    }
    Ok(out)
}

/// `/v1/mgmt/project/clone`: a new project with this project's configuration (not its
/// users, tenants or access keys). The clone accepts the management keys of this project, so
/// the caller's key manages it too.
pub async fn clone(
    db: &Db,
    projects: &Projects,
    ctx: &Ctx,
    name: &str,
    environment: &str,
    tags: Vec<String>,
) -> ApiResult<ProjectInfo> {
    check_name(name)?;
    check_environment(environment)?;
    check_tags(&tags)?;
    let files = config::export(db, ctx).await?;
    let created = projects.create(db, ctx.now, None, Some(name.trim().to_owned())).await?;
    let filled = fill_clone(db, projects, ctx, &created.id, &files, environment, &tags).await;
    if let Err(e) = filled {
        // Nothing half-made stays behind.
        let _ = projects.delete(db, &created.id).await;
        return Err(e);
    }
    Ok(ProjectInfo {
        id: created.id,
        name: created.name,
        environment: environment.to_owned(),
        tags,
        tag: environment.to_owned(),
    })
}

async fn fill_clone(
    db: &Db,
    projects: &Projects,
    ctx: &Ctx,
    clone_id: &str,
    files: &config::Files,
    environment: &str,
    tags: &[String],
) -> ApiResult<()> {
    let runtime = projects.require(db, &ctx.project.public_url, clone_id).await?;
    let clone_ctx = Ctx { project: runtime, now: ctx.now };
    let mut tx = db.begin().await?;
    config::import_into(&mut tx, &clone_ctx, files, &[]).await?;
    for key in store::projects::management_keys(&mut tx, ctx.project_id()).await? {
        store::projects::insert_management_key(&mut tx, clone_ctx.project_id(), &key).await?;
    }
    let row = store::projects::get(&mut tx, clone_ctx.project_id())
        .await?
        .ok_or_else(|| ApiError::internal(format!("cloned project {clone_id} vanished")))?;
    let mut settings: ProjectSettings = store::from_json_text(&row.settings);
    settings.tags = tags.to_vec();
    settings.environment = environment.to_owned();
    store::projects::update(&mut tx, &row.id, &row.name, false, &store::json_text(&settings)?).await?;
    tx.commit().await?;
    projects.invalidate(clone_id);
    Ok(())
}

/// `/v1/mgmt/project/clone/async`: clones at once and keeps the outcome under a new process
/// ID for [`clone_process`].
pub async fn clone_async(
    db: &Db,
    projects: &Projects,
    ctx: &Ctx,
    name: &str,
    environment: &str,
    tags: Vec<String>,
) -> ApiResult<String> {
    // Bad input is refused at once rather than reported by the process.
    check_name(name)?;
    check_environment(environment)?;
    check_tags(&tags)?;
    let outcome = clone(db, projects, ctx, name, environment, tags).await;
    let id = format!("CP{}", crypto::random_alnum(26));
    let row = match outcome {
        Ok(p) => CloneProcessRow {
            id: id.clone(),
            clone_project_id: p.id,
            clone_name: p.name,
            error: String::new(),
            created_ms: ctx.now.millis(),
        },
        Err(e) => CloneProcessRow {
            id: id.clone(),
            clone_project_id: String::new(),
            clone_name: name.to_owned(),
            error: e.message,
            created_ms: ctx.now.millis(),
        },
    };
    let mut tx = db.begin().await?;
    store::config_documents::insert_clone_process(&mut tx, ctx.scope(), &row).await?;
    tx.commit().await?;
    Ok(id)
}

/// The outcome of an asynchronous clone: `(projectId, projectName, error)`.
pub async fn clone_process(db: &Db, ctx: &Ctx, process_id: &str) -> ApiResult<(String, String, String)> {
    let row = store::config_documents::get_clone_process(&mut *db.acquire().await?, ctx.scope(), process_id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Clone process {process_id} not found")))?;
    Ok((row.clone_project_id, row.clone_name, row.error))
}
