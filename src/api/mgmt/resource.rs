//! Descope API groups `dynamicRegistrationTemplatesManagement`, `resourcesManagement`.
//!
//! Dynamic client registration templates ([`crate::domain::apps::inbound`]) and resources
//! (OAuth resource servers by URI, [`crate::domain::apps::agentic`]).

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::domain::apps::{agentic, inbound};
use crate::dto::common::Empty;
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, DescopeQuery, MgmtAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/mgmt/resource/dynamic-registration-template/create" => template_create,
        POST "/v1/mgmt/resource/dynamic-registration-template/delete" => template_delete,
        GET "/v1/mgmt/resource/dynamic-registration-template/load" => template_load,
        POST "/v1/mgmt/resource/dynamic-registration-template/update" => template_update,
        POST "/v1/mgmt/resource/dynamic-registration-templates/delete" => templates_delete,
        GET "/v1/mgmt/resource/dynamic-registration-templates/load" => templates_load,
        POST "/v1/mgmt/resource/create" => resource_create,
        POST "/v1/mgmt/resource/delete" => resource_delete,
        POST "/v1/mgmt/resource/delete/batch" => resources_delete,
        GET "/v1/mgmt/resource/load" => resource_load,
        GET "/v1/mgmt/resource/load/uri" => resource_load_by_uri,
        POST "/v1/mgmt/resource/update" => resource_update,
        GET "/v1/mgmt/resources/load" => resources_load,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TemplateBody {
    template: Option<Map<String, Value>>,
}

/// POST /v1/mgmt/resource/dynamic-registration-template/create
/// A new template, from its fields (flat or under `template`): `{template}`.
async fn template_create(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(mut body): DescopeJson<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let fields = match body.remove("template") {
        Some(Value::Object(t)) => t,
        _ => body,
    };
    let template = inbound::create_template(&s.db, &ctx, &fields).await?;
    Ok(Json(json!({ "template": template })))
}

/// POST /v1/mgmt/resource/dynamic-registration-template/update
/// Replaces a template's fields (`{template: {id, …}}`): `{template}`.
async fn template_update(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<TemplateBody>,
) -> ApiResult<Json<Value>> {
    let fields = b.template.ok_or_else(|| crate::error::ApiError::missing("template"))?;
    let template = inbound::update_template(&s.db, &ctx, &fields).await?;
    Ok(Json(json!({ "template": template })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IdBody {
    id: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IdsBody {
    ids: Vec<String>,
}

/// GET /v1/mgmt/resource/dynamic-registration-template/load
/// One template (`?id=`): `{template}`.
async fn template_load(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<IdBody>,
) -> ApiResult<Json<Value>> {
    let template = inbound::load_template(&s.db, &ctx, &q.id).await?;
    Ok(Json(json!({ "template": template })))
}

/// GET /v1/mgmt/resource/dynamic-registration-templates/load
/// Every template: `{templates, total}`.
async fn templates_load(State(s): State<AppState>, MgmtAuth(ctx): MgmtAuth) -> ApiResult<Json<Value>> {
    let templates = inbound::load_templates(&s.db, &ctx).await?;
    let total = templates.len();
    Ok(Json(json!({ "templates": templates, "total": total })))
}

/// POST /v1/mgmt/resource/dynamic-registration-template/delete
/// Deletes a template.
async fn template_delete(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<IdBody>,
) -> ApiResult<Json<Empty>> {
    inbound::delete_templates(&s.db, &ctx, &[b.id]).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/resource/dynamic-registration-templates/delete
/// Deletes several templates.
async fn templates_delete(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<IdsBody>,
) -> ApiResult<Json<Empty>> {
    inbound::delete_templates(&s.db, &ctx, &b.ids).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/resource/create
/// A new resource (`name`, `uri` unique in the project, `type` api or mcp, scopes…): `{resource}`.
async fn resource_create(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "resource": agentic::create_resource(&s.db, &ctx, &body).await? })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ResourceBody {
    resource: Option<Map<String, Value>>,
}

/// POST /v1/mgmt/resource/update
/// `{resource: {id, …}}`: the given fields replace the stored ones; `{resource}`.
async fn resource_update(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<ResourceBody>,
) -> ApiResult<Json<Value>> {
    let fields = b.resource.ok_or_else(|| crate::error::ApiError::missing("resource"))?;
    Ok(Json(json!({ "resource": agentic::update_resource(&s.db, &ctx, &fields).await? })))
}

/// GET /v1/mgmt/resource/load
/// One resource (`?id=`): `{resource}`.
async fn resource_load(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<IdBody>,
) -> ApiResult<Json<Value>> {
    if q.id.is_empty() {
        return Err(crate::error::ApiError::missing("id"));
    }
    Ok(Json(json!({ "resource": agentic::load_resource(&s.db, &ctx, &q.id, "").await? })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UriQuery {
    uri: String,
}

/// GET /v1/mgmt/resource/load/uri
/// One resource by its URI (`?uri=`): `{resource}`.
async fn resource_load_by_uri(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<UriQuery>,
) -> ApiResult<Json<Value>> {
    if q.uri.is_empty() {
        return Err(crate::error::ApiError::missing("uri"));
    }
    Ok(Json(json!({ "resource": agentic::load_resource(&s.db, &ctx, "", &q.uri).await? })))
}

/// GET /v1/mgmt/resources/load
/// Every resource: `{resources, total}`.
async fn resources_load(State(s): State<AppState>, MgmtAuth(ctx): MgmtAuth) -> ApiResult<Json<Value>> {
    let resources = agentic::load_resources(&s.db, &ctx).await?;
    let total = resources.len();
    Ok(Json(json!({ "resources": resources, "total": total })))
}

/// POST /v1/mgmt/resource/delete
/// Deletes a resource and its policies.
async fn resource_delete(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<IdBody>,
) -> ApiResult<Json<Empty>> {
    agentic::delete_resources(&s.db, &ctx, &[b.id]).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/resource/delete/batch
/// Deletes several resources (all or none).
async fn resources_delete(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<IdsBody>,
) -> ApiResult<Json<Empty>> {
    agentic::delete_resources(&s.db, &ctx, &b.ids).await?;
    Ok(Json(Empty {}))
}
