//! Descope API groups `dynamicRegistrationTemplatesManagement`, `resourcesManagement`.
//!
//! Built: the dynamic client registration templates
//! ([`crate::domain::apps::inbound`]). Resources are routed but not built yet: they answer 501
//! with the Descope error body naming them.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::domain::apps::inbound;
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
    }
    unbuilt {
        POST "/v1/mgmt/resource/create",
        POST "/v1/mgmt/resource/delete",
        POST "/v1/mgmt/resource/delete/batch",
        GET "/v1/mgmt/resource/load",
        GET "/v1/mgmt/resource/load/uri",
        POST "/v1/mgmt/resource/update",
        GET "/v1/mgmt/resources/load",
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
