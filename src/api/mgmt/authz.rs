//! Descope API groups `__NO_PUBLISH__`, `authz`: the legacy ReBAC API over the same schema
//! and tuples as FGA.
//!
//! Built: all 18. Spelling conflicts between the SDKs are answered both ways:
//! `re/targetwithrelation` answers `resources` (node, go) and `relations` (python-sdk);
//! `getmodified` answers flat (node, go) and mirrors the object under `relations`
//! (python-sdk); user queries take `statuses` and go-sdk's `userStatus`.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::domain::authz::{fga, legacy};
use crate::dto::common::Empty;
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, MgmtAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/mgmt/authz/getmodified" => get_modified,
        POST "/v1/mgmt/authz/ns/delete" => delete_namespace,
        POST "/v1/mgmt/authz/ns/save" => save_namespace,
        POST "/v1/mgmt/authz/rd/delete" => delete_relation_definition,
        POST "/v1/mgmt/authz/rd/save" => save_relation_definition,
        POST "/v1/mgmt/authz/re/create" => create_relations,
        POST "/v1/mgmt/authz/re/delete" => delete_relations,
        POST "/v1/mgmt/authz/re/deleteresources" => delete_resources,
        POST "/v1/mgmt/authz/re/deleteresourcesrelations" => delete_resources_relations,
        POST "/v1/mgmt/authz/re/has" => has_relations,
        POST "/v1/mgmt/authz/re/resource" => resource_relations,
        POST "/v1/mgmt/authz/re/targetall" => target_all,
        POST "/v1/mgmt/authz/re/targets" => targets_relations,
        POST "/v1/mgmt/authz/re/targetwithrelation" => target_with_relation,
        POST "/v1/mgmt/authz/re/who" => who,
        POST "/v1/mgmt/authz/schema/delete" => delete_schema,
        POST "/v1/mgmt/authz/schema/load" => load_schema,
        POST "/v1/mgmt/authz/schema/save" => save_schema,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SaveSchemaBody {
    schema: legacy::SchemaJson,
    upgrade: bool,
}

#[derive(Debug, Serialize)]
struct SchemaReply {
    schema: Value,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct NsSaveBody {
    namespace: legacy::NamespaceJson,
    old_name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NsDeleteBody {
    name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct RdSaveBody {
    relation_definition: legacy::RdJson,
    namespace: String,
    old_name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RdDeleteBody {
    name: String,
    namespace: String,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
struct RelationsBody {
    relations: Vec<legacy::RelationJson>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ResourcesBody {
    resources: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct HasBody {
    relation_queries: Vec<legacy::RelationJson>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct HasItem {
    resource: String,
    relation_definition: String,
    namespace: String,
    target: String,
    has_relation: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct HasReply {
    relation_queries: Vec<HasItem>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct WhoBody {
    resource: String,
    relation_definition: String,
    namespace: String,
    context: Map<String, Value>,
}

#[derive(Debug, Serialize)]
struct TargetsReply {
    targets: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ResourceBody {
    resource: String,
    ignore_target_set_relations: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct TargetsBody {
    targets: Vec<String>,
    include_target_set_relations: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct TargetBody {
    target: String,
    relation_definition: String,
    namespace: String,
    context: Map<String, Value>,
}

#[derive(Debug, Serialize)]
struct TargetWithRelationReply {
    resources: Vec<String>,
    relations: Vec<legacy::RelationJson>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ModifiedBody {
    #[serde(deserialize_with = "crate::json::lenient_i64")]
    since: i64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Modified {
    resources: Vec<String>,
    targets: Vec<String>,
    schema_changed: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ModifiedReply {
    #[serde(flatten)]
    flat: Modified,
    relations: Modified,
}

/// POST /v1/mgmt/authz/schema/save
async fn save_schema(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<SaveSchemaBody>,
) -> ApiResult<Json<Empty>> {
    legacy::save_schema(&s.db, &ctx, &b.schema, b.upgrade).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/authz/schema/load
async fn load_schema(State(s): State<AppState>, MgmtAuth(ctx): MgmtAuth) -> ApiResult<Json<SchemaReply>> {
    Ok(Json(SchemaReply { schema: legacy::load_schema(&s.db, &ctx).await? }))
}

/// POST /v1/mgmt/authz/schema/delete: the schema and every relation.
async fn delete_schema(State(s): State<AppState>, MgmtAuth(ctx): MgmtAuth) -> ApiResult<Json<Empty>> {
    fga::delete_schema(&s.db, &ctx).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/authz/ns/save
async fn save_namespace(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<NsSaveBody>,
) -> ApiResult<Json<Empty>> {
    legacy::save_namespace(&s.db, &ctx, &b.namespace, &b.old_name).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/authz/ns/delete
async fn delete_namespace(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<NsDeleteBody>,
) -> ApiResult<Json<Empty>> {
    legacy::delete_namespace(&s.db, &ctx, &b.name).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/authz/rd/save
async fn save_relation_definition(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<RdSaveBody>,
) -> ApiResult<Json<Empty>> {
    legacy::save_relation_definition(&s.db, &ctx, &b.relation_definition, &b.namespace, &b.old_name).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/authz/rd/delete
async fn delete_relation_definition(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<RdDeleteBody>,
) -> ApiResult<Json<Empty>> {
    legacy::delete_relation_definition(&s.db, &ctx, &b.name, &b.namespace).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/authz/re/create
async fn create_relations(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<RelationsBody>,
) -> ApiResult<Json<Empty>> {
    legacy::create_relations(&s.db, &ctx, &b.relations).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/authz/re/delete
async fn delete_relations(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<RelationsBody>,
) -> ApiResult<Json<Empty>> {
    legacy::delete_relations(&s.db, &ctx, &b.relations).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/authz/re/deleteresources: relations with these resources or targets.
async fn delete_resources(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<ResourcesBody>,
) -> ApiResult<Json<Empty>> {
    legacy::delete_for_resources(&s.db, &ctx, &b.resources, true).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/authz/re/deleteresourcesrelations: relations with these resources.
async fn delete_resources_relations(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<ResourcesBody>,
) -> ApiResult<Json<Empty>> {
    legacy::delete_for_resources(&s.db, &ctx, &b.resources, false).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/authz/re/has
async fn has_relations(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<HasBody>,
) -> ApiResult<Json<HasReply>> {
    let answers = legacy::has(&s.db, &ctx, &b.relation_queries).await?;
    let relation_queries = b
        .relation_queries
        .into_iter()
        .zip(answers)
        .map(|(q, has_relation)| HasItem {
            resource: q.resource,
            relation_definition: q.relation_definition,
            namespace: q.namespace,
            target: q.target,
            has_relation,
        })
        .collect();
    Ok(Json(HasReply { relation_queries }))
}

/// POST /v1/mgmt/authz/re/who
async fn who(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<WhoBody>,
) -> ApiResult<Json<TargetsReply>> {
    let targets = legacy::who(&s.db, &ctx, &b.namespace, &b.resource, &b.relation_definition, &b.context).await?;
    Ok(Json(TargetsReply { targets }))
}

/// POST /v1/mgmt/authz/re/resource
async fn resource_relations(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<ResourceBody>,
) -> ApiResult<Json<RelationsBody>> {
    let relations = legacy::resource_relations(&s.db, &ctx, &b.resource, b.ignore_target_set_relations).await?;
    Ok(Json(RelationsBody { relations }))
}

/// POST /v1/mgmt/authz/re/targets
async fn targets_relations(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<TargetsBody>,
) -> ApiResult<Json<RelationsBody>> {
    let relations = legacy::targets_relations(&s.db, &ctx, &b.targets, b.include_target_set_relations).await?;
    Ok(Json(RelationsBody { relations }))
}

/// POST /v1/mgmt/authz/re/targetall
async fn target_all(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<TargetBody>,
) -> ApiResult<Json<RelationsBody>> {
    Ok(Json(RelationsBody { relations: legacy::what(&s.db, &ctx, &b.target, None, &b.context).await? }))
}

/// POST /v1/mgmt/authz/re/targetwithrelation
async fn target_with_relation(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<TargetBody>,
) -> ApiResult<Json<TargetWithRelationReply>> {
    let only = Some((b.namespace.as_str(), b.relation_definition.as_str()));
    let relations = legacy::what(&s.db, &ctx, &b.target, only, &b.context).await?;
    let resources = relations.iter().map(|r| r.resource.clone()).collect();
    Ok(Json(TargetWithRelationReply { resources, relations }))
}

/// POST /v1/mgmt/authz/getmodified: `since` 0 (python-sdk without a date) means from the start.
async fn get_modified(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<ModifiedBody>,
) -> ApiResult<Json<ModifiedReply>> {
    let since = b.since.max(0);
    let (resources, targets, schema_changed) = legacy::modified(&s.db, &ctx, since).await?;
    let m = Modified { resources, targets, schema_changed };
    Ok(Json(ModifiedReply { flat: m.clone(), relations: m }))
}
