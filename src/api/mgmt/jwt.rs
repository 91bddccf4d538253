//! Descope API groups `jwtTemplates`, `userManagement`.
//!
//! Built: `jwt/update` (merge custom claims into a JWT of this project and re-sign it), and
//! JWT templates: create, update, delete, list, load, validate, and the template library
//! (list, load, apply). See [`crate::domain::sessions::templates`].

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::domain::sessions::templates::{self, Apply, JwtTemplate, LibraryEntry, Validation};
use crate::domain::sessions::tokens;
use crate::dto::common::Empty;
use crate::dto::accesskey::lenient_i64;
use crate::dto::common::check_duration;
use crate::dto::Validate;
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, MgmtAuth, ValidJson};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/mgmt/jwt/templates/create" => create_template,
        POST "/v1/mgmt/jwt/templates/delete" => delete_template,
        POST "/v1/mgmt/jwt/templates/library/apply" => apply_library_entry,
        POST "/v1/mgmt/jwt/templates/library/list" => list_library,
        POST "/v1/mgmt/jwt/templates/library/load" => load_library_entry,
        POST "/v1/mgmt/jwt/templates/list" => list_templates,
        POST "/v1/mgmt/jwt/templates/load" => load_template,
        POST "/v1/mgmt/jwt/templates/update" => update_template,
        POST "/v1/mgmt/jwt/templates/validate" => validate_template,
        POST "/v1/mgmt/jwt/update" => update,
    }
}

/// `managementv1.JWTResponse`: `{"jwt"}` of JWT update and the impersonation calls.
#[derive(Debug, Clone, Serialize)]
pub struct JwtEnvelope {
    pub jwt: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct UpdateBody {
    jwt: String,
    custom_claims: Map<String, Value>,
    #[serde(deserialize_with = "lenient_i64")]
    refresh_duration: i64,
}

impl Validate for UpdateBody {
    fn validate(&self) -> ApiResult<()> {
        check_duration("refreshDuration", self.refresh_duration)
    }
}

/// POST /v1/mgmt/jwt/update
/// Merges custom claims into a JWT of this project and re-signs it.
async fn update(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    ValidJson(b): ValidJson<UpdateBody>,
) -> ApiResult<Json<JwtEnvelope>> {
    let jwt = tokens::update_jwt(&s.db, &ctx, &b.jwt, b.custom_claims, b.refresh_duration).await?;
    Ok(Json(JwtEnvelope { jwt }))
}

/// `{template}`: the body of create and update, and the answer of create, update, load and
/// library apply.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct TemplateEnvelope {
    template: JwtTemplate,
}

#[derive(Debug, Serialize)]
struct TemplatesEnvelope {
    templates: Vec<JwtTemplate>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IdBody {
    id: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ValidateBody {
    id: String,
    template: Option<JwtTemplate>,
}

#[derive(Debug, Serialize)]
struct EntriesEnvelope {
    entries: Vec<LibraryEntry>,
}

#[derive(Debug, Serialize)]
struct EntryEnvelope {
    entry: LibraryEntry,
}

/// POST /v1/mgmt/jwt/templates/create
/// Checks a template strictly and saves it; nothing is saved when it has issues.
async fn create_template(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<TemplateEnvelope>,
) -> ApiResult<Json<TemplateEnvelope>> {
    Ok(Json(TemplateEnvelope { template: templates::create(&s.db, &ctx, b.template).await? }))
}

/// POST /v1/mgmt/jwt/templates/update
/// Replaces the template with `template.id`, checked as create checks it.
async fn update_template(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<TemplateEnvelope>,
) -> ApiResult<Json<TemplateEnvelope>> {
    Ok(Json(TemplateEnvelope { template: templates::update(&s.db, &ctx, b.template).await? }))
}

/// POST /v1/mgmt/jwt/templates/delete
async fn delete_template(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<IdBody>,
) -> ApiResult<Json<Empty>> {
    templates::delete(&s.db, &ctx, &b.id).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/jwt/templates/list
async fn list_templates(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(_): DescopeJson<Empty>,
) -> ApiResult<Json<TemplatesEnvelope>> {
    Ok(Json(TemplatesEnvelope { templates: templates::list(&s.db, &ctx).await? }))
}

/// POST /v1/mgmt/jwt/templates/load
async fn load_template(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<IdBody>,
) -> ApiResult<Json<TemplateEnvelope>> {
    Ok(Json(TemplateEnvelope { template: templates::load(&s.db, &ctx, &b.id).await? }))
}

/// POST /v1/mgmt/jwt/templates/validate
/// `{valid, issues}` for the given template, or the stored one with `id`.
async fn validate_template(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<ValidateBody>,
) -> ApiResult<Json<Validation>> {
    Ok(Json(templates::validate(&s.db, &ctx, &b.id, b.template).await?))
}

/// POST /v1/mgmt/jwt/templates/library/list
async fn list_library(
    MgmtAuth(_ctx): MgmtAuth,
    DescopeJson(_): DescopeJson<Empty>,
) -> ApiResult<Json<EntriesEnvelope>> {
    Ok(Json(EntriesEnvelope { entries: templates::library() }))
}

/// POST /v1/mgmt/jwt/templates/library/load
async fn load_library_entry(
    MgmtAuth(_ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<IdBody>,
) -> ApiResult<Json<EntryEnvelope>> {
    Ok(Json(EntryEnvelope { entry: templates::library_entry(&b.id)? }))
}

/// POST /v1/mgmt/jwt/templates/library/apply
/// Saves a new template made from a library entry and the overrides.
async fn apply_library_entry(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<Apply>,
) -> ApiResult<Json<TemplateEnvelope>> {
    Ok(Json(TemplateEnvelope { template: templates::apply(&s.db, &ctx, b).await? }))
}
