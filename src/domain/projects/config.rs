//! A project's configuration as Descope exports it: a `files` map from file paths to JSON
//! documents (`/v1/mgmt/project/export`, `/v1/mgmt/project/snapshot/*`, clone).
//!
//! The configuration is made of [`ConfigSection`]s, each owning some file paths: it exports
//! its files, checks the files of an import and applies them. A new kind of configuration
//! plugs in by adding one entry to [`SECTIONS`]. Users, tenants and access keys are data,
//! not configuration: they are never exported (the emulator's own snapshot carries them).
//!
//! An import checks every file first, then applies every section in one transaction: all or
//! nothing. A section none of whose files is in an import is left as it is; a section with
//! files is replaced by them. Files no section owns (other Descope configuration the emulator
//! does not keep) are ignored.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::flows;
use crate::domain::identity::custom_attributes::{AttributeOption, AttributeType};
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::store::custom_attributes::CustomAttributeRow;
use crate::store::tenants::{self, PermissionRow, RoleRow};
use crate::store::{self, Conn, Db};

use super::ProjectSettings;

/// File path → JSON document.
pub type Files = BTreeMap<String, Value>;

type Fut<'a, T> = Pin<Box<dyn Future<Output = ApiResult<T>> + Send + 'a>>;

/// One part of a project's configuration and the files it owns.
pub struct ConfigSection {
    /// The name an import's `excludes` uses to leave the section out.
    pub name: &'static str,
    /// Whether the section owns this file path.
    pub owns: fn(&str) -> bool,
    /// The section's files.
    pub export: for<'a> fn(&'a mut Conn, &'a Ctx) -> Fut<'a, Files>,
    /// Problems with the section's files of an import (empty when they can be applied).
    pub check: fn(&Files) -> Vec<String>,
    /// Replaces the section's configuration with its files of an import (already checked).
    pub import: for<'a> fn(&'a mut Conn, &'a Ctx, &'a Files) -> Fut<'a, ()>,
}

/// Every section of a configuration export, in the order they are applied.
pub const SECTIONS: &[ConfigSection] = &[
    ConfigSection {
        name: "project",
        owns: |p| p == PROJECT_FILE,
        export: |conn, ctx| Box::pin(export_project(conn, ctx)),
        check: check_project,
        import: |conn, ctx, files| Box::pin(import_project(conn, ctx, files)),
    },
    ConfigSection {
        name: "roles",
        owns: |p| p == ROLES_FILE,
        export: |conn, ctx| Box::pin(export_roles(conn, ctx)),
        check: check_roles,
        import: |conn, ctx, files| Box::pin(import_roles(conn, ctx, files)),
    },
    ConfigSection {
        name: "attributes",
        owns: |p| p == ATTRIBUTES_FILE,
        export: |conn, ctx| Box::pin(export_attributes(conn, ctx)),
        check: check_attributes,
        import: |conn, ctx, files| Box::pin(import_attributes(conn, ctx, files)),
    },
    ConfigSection {
        name: "flows",
        owns: |p| flow_id_of(p).is_some(),
        export: |conn, ctx| Box::pin(export_flows(conn, ctx)),
        check: check_flows,
        import: |conn, ctx, files| Box::pin(import_flows(conn, ctx, files)),
    },
    ConfigSection {
        name: "themes",
        owns: |p| p == THEME_FILE,
        export: |conn, ctx| Box::pin(export_theme(conn, ctx)),
        check: check_theme,
        import: |conn, ctx, files| Box::pin(import_theme(conn, ctx, files)),
    },
    ConfigSection {
        name: "localization",
        owns: |p| p == MESSAGING_LOCALIZATION_FILE || flow_localization_id_of(p).is_some(),
        export: |conn, ctx| Box::pin(export_localization(conn, ctx)),
        check: check_localization,
        import: |conn, ctx, files| Box::pin(import_localization(conn, ctx, files)),
    },
];

const PROJECT_FILE: &str = "project.json";
const ROLES_FILE: &str = "roles.json";
const ATTRIBUTES_FILE: &str = "attributes.json";
const THEME_FILE: &str = "themes/theme.json";
const MESSAGING_LOCALIZATION_FILE: &str = "localization/messaging.json";

fn flow_id_of(path: &str) -> Option<&str> {
    path.strip_prefix("flows/")?.strip_suffix(".json").filter(|id| !id.is_empty() && !id.contains('/'))
}

fn flow_localization_id_of(path: &str) -> Option<&str> {
    path.strip_prefix("localization/flows/")?
        .strip_suffix(".json")
        .filter(|id| !id.is_empty() && !id.contains('/'))
}

/// The files of `files` a section owns.
fn files_of(section: &ConfigSection, files: &Files) -> Files {
    files.iter().filter(|(p, _)| (section.owns)(p)).map(|(p, v)| (p.clone(), v.clone())).collect()
}

/// The whole configuration of the project.
pub async fn export(db: &Db, ctx: &Ctx) -> ApiResult<Files> {
    let mut conn = db.acquire().await?;
    let mut out = Files::new();
    for section in SECTIONS {
        out.extend((section.export)(&mut conn, ctx).await?);
    }
    Ok(out)
}

/// Turns the `files` of a request into documents: each value a JSON document, or a string
/// holding one (as read from a file). Problems are returned as failures.
pub fn parse_files(files: &Value) -> Result<Files, Vec<String>> {
    let Value::Object(map) = files else {
        return Err(vec!["files must be an object of file paths to JSON documents".into()]);
    };
    let mut out = Files::new();
    let mut failures = Vec::new();
    for (path, v) in map {
        match v {
            Value::String(text) => match serde_json::from_str::<Value>(text) {
                Ok(doc) => {
                    out.insert(path.clone(), doc);
                }
                Err(e) => failures.push(format!("{path}: not a valid JSON document: {e}")),
            },
            other => {
                out.insert(path.clone(), other.clone());
            }
        }
    }
    if failures.is_empty() {
        Ok(out)
    } else {
        Err(failures)
    }
}

/// The sections an import applies: those not excluded that own at least one of its files.
fn sections_for<'a>(
    files: &'a Files,
    excludes: &'a [String],
) -> impl Iterator<Item = (&'static ConfigSection, Files)> + 'a {
    SECTIONS
        .iter()
        .filter(|s| !excludes.iter().any(|e| e == s.name))
        .map(|s| (s, files_of(s, files)))
        .filter(|(_, f)| !f.is_empty())
}

/// Every problem that would stop `files` from being imported.
pub fn validate(files: &Files, excludes: &[String]) -> Vec<String> {
    sections_for(files, excludes).flat_map(|(s, f)| (s.check)(&f)).collect()
}

/// Imports `files` into the project: checked first, then applied in one transaction.
pub async fn import(db: &Db, ctx: &Ctx, files: &Files, excludes: &[String]) -> ApiResult<()> {
    let failures = validate(files, excludes);
    if !failures.is_empty() {
        return Err(ApiError::invalid(format!("Invalid project configuration: {}", failures.join("; "))));
    }
    let mut tx = db.begin().await?;
    import_into(&mut tx, ctx, files, excludes).await?;
    tx.commit().await
}

/// Applies already checked `files` within the caller's transaction.
pub async fn import_into(conn: &mut Conn, ctx: &Ctx, files: &Files, excludes: &[String]) -> ApiResult<()> {
    for (section, f) in sections_for(files, excludes) {
        (section.import)(conn, ctx, &f).await?;
    }
    Ok(())
}

fn to_value<T: serde::Serialize>(v: &T) -> ApiResult<Value> {
    serde_json::to_value(v).map_err(ApiError::internal)
}

// --- project.json: the project settings (lifetimes, password policy, invitations, ...). The
// project's name, tags and environment describe the project, not its configuration.

async fn export_project(conn: &mut Conn, ctx: &Ctx) -> ApiResult<Files> {
    let settings = current_settings(conn, ctx).await?;
    let mut shown = settings.clone();
    shown.tags.clear();
    shown.environment.clear();
    Ok(Files::from([(PROJECT_FILE.to_owned(), to_value(&shown)?)]))
}

async fn current_settings(conn: &mut Conn, ctx: &Ctx) -> ApiResult<ProjectSettings> {
    let row = store::projects::get(conn, ctx.project_id())
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Project {} not found", ctx.project_id())))?;
    Ok(store::from_json_text(&row.settings))
}

fn settings_of(doc: &Value) -> Result<ProjectSettings, String> {
    if !doc.is_object() {
        return Err(format!("{PROJECT_FILE}: must be a JSON object"));
    }
    let s: ProjectSettings =
        serde_json::from_value(doc.clone()).map_err(|e| format!("{PROJECT_FILE}: {e}"))?;
    s.check().map_err(|e| format!("{PROJECT_FILE}: {}", e.message))?;
    Ok(s)
}

fn check_project(files: &Files) -> Vec<String> {
    files.get(PROJECT_FILE).and_then(|d| settings_of(d).err()).into_iter().collect()
}

async fn import_project(conn: &mut Conn, ctx: &Ctx, files: &Files) -> ApiResult<()> {
    let Some(doc) = files.get(PROJECT_FILE) else { return Ok(()) };
    let mut settings = settings_of(doc).map_err(ApiError::invalid)?;
    let row = store::projects::get(conn, ctx.project_id())
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Project {} not found", ctx.project_id())))?;
    let current: ProjectSettings = store::from_json_text(&row.settings);
    settings.tags = current.tags;
    settings.environment = current.environment;
    store::projects::update(conn, &row.id, &row.name, row.is_default, &store::json_text(&settings)?).await
}

// --- roles.json: the project's permissions and project-level roles (tenant roles belong to
// tenants, which are data), by name.

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RolesFile {
    permissions: Vec<PermissionEntry>,
    roles: Vec<RoleEntry>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct PermissionEntry {
    name: String,
    description: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RoleEntry {
    name: String,
    description: String,
    permission_names: Vec<String>,
    default: bool,
    private: bool,
}

async fn export_roles(conn: &mut Conn, ctx: &Ctx) -> ApiResult<Files> {
    let mut permissions: Vec<PermissionEntry> = tenants::list_permission_records(conn, ctx.scope())
        .await?
        .into_iter()
        .map(|p| PermissionEntry { name: p.row.name, description: p.row.description })
        .collect();
    permissions.sort_by(|a, b| a.name.cmp(&b.name));
    let mut roles: Vec<RoleEntry> = tenants::list_role_records(conn, ctx.scope())
        .await?
        .into_iter()
        .filter(|r| r.row.tenant_id.is_empty())
        .map(|r| RoleEntry {
            permission_names: store::from_json_text(&r.row.permission_names),
            name: r.row.name,
            description: r.row.description,
            default: r.row.is_default,
            private: r.row.private,
        })
        .collect();
    roles.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Files::from([(ROLES_FILE.to_owned(), to_value(&RolesFile { permissions, roles })?)]))
}

fn roles_of(doc: &Value) -> Result<RolesFile, String> {
    if !doc.is_object() {
        return Err(format!("{ROLES_FILE}: must be a JSON object"));
    }
    let f: RolesFile = serde_json::from_value(doc.clone()).map_err(|e| format!("{ROLES_FILE}: {e}"))?;
    let mut names = std::collections::HashSet::new();
    for p in &f.permissions {
        if p.name.trim().is_empty() || !names.insert(p.name.as_str()) {
            return Err(format!("{ROLES_FILE}: permission names must be non-empty and unique"));
        }
    }
    let mut roles = std::collections::HashSet::new();
    for r in &f.roles {
        if r.name.trim().is_empty() || !roles.insert(r.name.as_str()) {
            return Err(format!("{ROLES_FILE}: role names must be non-empty and unique"));
        }
        if let Some(p) = r.permission_names.iter().find(|p| !names.contains(p.as_str())) {
            return Err(format!(
                "{ROLES_FILE}: role {} has permission {p}, which the file does not declare",
                r.name
            ));
        }
    }
    Ok(f)
}

fn check_roles(files: &Files) -> Vec<String> {
    files.get(ROLES_FILE).and_then(|d| roles_of(d).err()).into_iter().collect()
}

/// Creates the file's permissions and roles the project lacks and rewrites those it has;
/// others are kept (users may hold them).
async fn import_roles(conn: &mut Conn, ctx: &Ctx, files: &Files) -> ApiResult<()> {
    let Some(doc) = files.get(ROLES_FILE) else { return Ok(()) };
    let f = roles_of(doc).map_err(ApiError::invalid)?;
    let scope = ctx.scope();
    let permissions = tenants::list_permission_records(conn, scope).await?;
    for p in &f.permissions {
        match permissions.iter().find(|have| have.row.name == p.name) {
            Some(have) => tenants::update_permission(conn, scope, &have.id, &p.name, &p.description).await?,
            None => {
                let row = PermissionRow {
                    name: p.name.clone(),
                    description: p.description.clone(),
                    created_ms: ctx.now.millis(),
                };
                tenants::insert_permission_record(conn, scope, &row).await?;
            }
        }
    }
    let roles = tenants::list_role_records(conn, scope).await?;
    for r in &f.roles {
        let row = RoleRow {
            tenant_id: String::new(),
            name: r.name.clone(),
            description: r.description.clone(),
            permission_names: store::json_text(&r.permission_names)?,
            is_default: r.default,
            private: r.private,
            created_ms: ctx.now.millis(),
        };
        match roles.iter().find(|have| have.row.tenant_id.is_empty() && have.row.name == r.name) {
            Some(have) => {
                tenants::update_role(
                    conn,
                    scope,
                    &have.id,
                    &RoleRow { created_ms: have.row.created_ms, ..row },
                )
                .await?
            }
            None => {
                tenants::insert_role_record(conn, scope, &row).await?;
            }
        }
    }
    Ok(())
}

// --- attributes.json: the declared user custom attributes, by name.

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct AttributesFile {
    user: Vec<AttributeEntry>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AttributeEntry {
    name: String,
    display_name: String,
    /// Descope's attribute type number (1 text ... 6 date).
    #[serde(rename = "type")]
    kind: i64,
    options: Vec<AttributeOption>,
    default_value: Value,
    view_permissions: Vec<String>,
    edit_permissions: Vec<String>,
}

async fn export_attributes(conn: &mut Conn, ctx: &Ctx) -> ApiResult<Files> {
    let mut user: Vec<AttributeEntry> = store::custom_attributes::list(conn, ctx.scope())
        .await?
        .into_iter()
        .map(|a| AttributeEntry {
            kind: a.r#type,
            options: store::from_json_text(&a.options),
            default_value: serde_json::from_str(&a.default_value).unwrap_or(Value::Null),
            view_permissions: store::from_json_text(&a.view_permissions),
            edit_permissions: store::from_json_text(&a.edit_permissions),
            display_name: a.display_name,
            name: a.name,
        })
        .collect();
    user.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Files::from([(ATTRIBUTES_FILE.to_owned(), to_value(&AttributesFile { user })?)]))
}

fn attributes_of(doc: &Value) -> Result<AttributesFile, String> {
    if !doc.is_object() {
        return Err(format!("{ATTRIBUTES_FILE}: must be a JSON object"));
    }
    let f: AttributesFile =
        serde_json::from_value(doc.clone()).map_err(|e| format!("{ATTRIBUTES_FILE}: {e}"))?;
    let mut names = std::collections::HashSet::new();
    for a in &f.user {
        if a.name.trim().is_empty() || !names.insert(a.name.as_str()) {
            return Err(format!("{ATTRIBUTES_FILE}: attribute names must be non-empty and unique"));
        }
        AttributeType::from_number(a.kind).map_err(|e| format!("{ATTRIBUTES_FILE}: {}", e.message))?;
    }
    Ok(f)
}

fn check_attributes(files: &Files) -> Vec<String> {
    files.get(ATTRIBUTES_FILE).and_then(|d| attributes_of(d).err()).into_iter().collect()
}

/// Creates or rewrites the file's attributes; others are kept (users' values may use them).
async fn import_attributes(conn: &mut Conn, ctx: &Ctx, files: &Files) -> ApiResult<()> {
    let Some(doc) = files.get(ATTRIBUTES_FILE) else { return Ok(()) };
    let f = attributes_of(doc).map_err(ApiError::invalid)?;
    for a in &f.user {
        let row = CustomAttributeRow {
            name: a.name.clone(),
            display_name: a.display_name.clone(),
            r#type: a.kind,
            options: store::json_text(&a.options)?,
            default_value: store::json_text(&a.default_value)?,
            view_permissions: store::json_text(&a.view_permissions)?,
            edit_permissions: store::json_text(&a.edit_permissions)?,
            created_ms: ctx.now.millis(),
        };
        store::custom_attributes::upsert(conn, ctx.scope(), &row).await?;
    }
    Ok(())
}

// --- flows/<flowId>.json: each flow's v2 document.

async fn export_flows(conn: &mut Conn, ctx: &Ctx) -> ApiResult<Files> {
    let mut out = Files::new();
    for f in flows::all_flows(conn, ctx.scope()).await? {
        let doc: Value = serde_json::from_str(&f.document).map_err(ApiError::internal)?;
        out.insert(format!("flows/{}.json", f.id), doc);
    }
    Ok(out)
}

fn check_flows(files: &Files) -> Vec<String> {
    let mut failures = Vec::new();
    for (path, doc) in files {
        let Some(id) = flow_id_of(path) else { continue };
        if let Err(e) = flows::check_flow_id(id) {
            failures.push(format!("{path}: {}", e.message));
        }
        if let Err(e) = flows::check_flow_document(doc) {
            failures.push(format!("{path}: {}", e.message));
        }
    }
    failures
}

async fn import_flows(conn: &mut Conn, ctx: &Ctx, files: &Files) -> ApiResult<()> {
    let wanted: Vec<&str> = files.keys().filter_map(|p| flow_id_of(p)).collect();
    for f in flows::all_flows(conn, ctx.scope()).await? {
        if !wanted.contains(&f.id.as_str()) {
            flows::remove_flow(conn, ctx, &f.id).await?;
        }
    }
    for (path, doc) in files {
        let Some(id) = flow_id_of(path) else { continue };
        let mut doc = doc.clone();
        if let Some(obj) = doc.as_object_mut() {
            obj.insert("flowId".into(), Value::String(id.to_owned()));
        }
        flows::put_flow(conn, ctx, id, store::json_text(&doc)?).await?;
    }
    Ok(())
}

// --- themes/theme.json: the project's theme, v2 shape.

async fn export_theme(conn: &mut Conn, ctx: &Ctx) -> ApiResult<Files> {
    Ok(Files::from([(THEME_FILE.to_owned(), flows::theme(conn, ctx.scope()).await?)]))
}

fn check_theme(files: &Files) -> Vec<String> {
    files
        .get(THEME_FILE)
        .and_then(|t| flows::check_theme(t).err())
        .map(|e| format!("{THEME_FILE}: {}", e.message))
        .into_iter()
        .collect()
}

async fn import_theme(conn: &mut Conn, ctx: &Ctx, files: &Files) -> ApiResult<()> {
    match files.get(THEME_FILE) {
        Some(t) => flows::put_theme(conn, ctx, t).await,
        None => Ok(()),
    }
}

// --- localization/messaging.json and localization/flows/<flowId>.json: `languages` of the
// overrides.

async fn export_localization(conn: &mut Conn, ctx: &Ctx) -> ApiResult<Files> {
    let mut out = Files::new();
    if let Some(l) = flows::languages(conn, ctx.scope(), flows::MESSAGING_LOCALIZATION, "").await? {
        out.insert(MESSAGING_LOCALIZATION_FILE.to_owned(), l);
    }
    for r in store::config_documents::list_kind(conn, ctx.scope(), flows::FLOW_LOCALIZATION).await? {
        if let Some(l) = r.document.and_then(|d| serde_json::from_str(&d).ok()) {
            out.insert(format!("localization/flows/{}.json", r.key), l);
        }
    }
    Ok(out)
}

fn check_localization(files: &Files) -> Vec<String> {
    let mut failures = Vec::new();
    for (path, doc) in files {
        if let Some(id) = flow_localization_id_of(path) {
            if let Err(e) = flows::check_flow_id(id) {
                failures.push(format!("{path}: {}", e.message));
            }
        }
        if doc.is_null() {
            failures.push(format!("{path}: must be a JSON object"));
        } else if let Err(e) = flows::check_languages(doc) {
            failures.push(format!("{path}: {}", e.message));
        }
    }
    failures
}

async fn import_localization(conn: &mut Conn, ctx: &Ctx, files: &Files) -> ApiResult<()> {
    store::config_documents::delete_kind(conn, ctx.scope(), flows::FLOW_LOCALIZATION).await?;
    store::config_documents::delete_kind(conn, ctx.scope(), flows::MESSAGING_LOCALIZATION).await?;
    for (path, doc) in files {
        if path == MESSAGING_LOCALIZATION_FILE {
            flows::put_languages(conn, ctx, flows::MESSAGING_LOCALIZATION, "", doc).await?;
        } else if let Some(id) = flow_localization_id_of(path) {
            flows::put_languages(conn, ctx, flows::FLOW_LOCALIZATION, id, doc).await?;
        }
    }
    Ok(())
}
