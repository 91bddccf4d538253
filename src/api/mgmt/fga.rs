//! Descope API group `fga`: the FGA / ReBAC schema (DSL), relations (tuples), checks,
//! resource details, mappable schema and resources, and backups.
//!
//! Built: all of them, plus node-sdk's `DELETE /v1/mgmt/fga/relations` (delete all). The
//! schema is replaced as a whole; tuples are validated against it. See
//! [`crate::domain::authz`].

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::domain::authz::{fga, legacy};
use crate::dto::common::Empty;
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, DescopeQuery, MgmtAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/mgmt/fga/backup" => create_backup,
        DELETE "/v1/mgmt/fga/backup/{backupId}" => delete_backup,
        GET "/v1/mgmt/fga/backup/{backupId}" => get_backup,
        POST "/v1/mgmt/fga/backup/{backupId}/restore" => restore_backup,
        GET "/v1/mgmt/fga/backups" => list_backups,
        POST "/v1/mgmt/fga/check" => check,
        GET "/v1/mgmt/fga/mappable/resources" => mappable_resources_get,
        POST "/v1/mgmt/fga/mappable/resources" => mappable_resources,
        GET "/v1/mgmt/fga/mappable/schema" => mappable_schema,
        DELETE "/v1/mgmt/fga/relations" => delete_all_relations,
        POST "/v1/mgmt/fga/relations" => create_relations,
        POST "/v1/mgmt/fga/relations/delete" => delete_relations,
        POST "/v1/mgmt/fga/resources/load" => load_resources,
        POST "/v1/mgmt/fga/resources/save" => save_resources,
        GET "/v1/mgmt/fga/schema" => load_schema,
        POST "/v1/mgmt/fga/schema" => save_schema,
        POST "/v1/mgmt/fga/schema/dryrun" => dryrun,
    }
}

/// The default and the largest number of mappable resources per type.
const MAPPABLE_DEFAULT: usize = 100;
const MAPPABLE_MAX: usize = 1000;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DslBody {
    dsl: String,
}

/// A tuple on the wire.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TupleDto {
    pub resource: String,
    pub resource_type: String,
    pub relation: String,
    pub target: String,
    pub target_type: String,
}

impl TupleDto {
    fn into_row(self) -> fga::RelationRow {
        fga::RelationRow {
            resource_type: self.resource_type,
            resource: self.resource,
            relation: self.relation,
            target_type: self.target_type,
            target: self.target,
        }
    }

    fn of_row(r: fga::RelationRow) -> Self {
        TupleDto {
            resource: r.resource,
            resource_type: r.resource_type,
            relation: r.relation,
            target: r.target,
            target_type: r.target_type,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TuplesBody {
    tuples: Vec<TupleDto>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CheckBody {
    tuples: Vec<TupleDto>,
    context: Map<String, Value>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CheckInfo {
    direct: bool,
    conditional: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    missing_context: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    conditional_err: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    depth_exceeded: bool,
}

#[derive(Debug, Serialize)]
struct CheckItem {
    allowed: bool,
    tuple: TupleDto,
    info: CheckInfo,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CheckReply {
    tuples: Vec<CheckItem>,
    schema_version: String,
}

#[derive(Debug, Serialize)]
struct SchemaReply {
    dsl: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    schema: Option<Value>,
    #[serde(skip_serializing_if = "String::is_empty")]
    version: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DryrunReply {
    deletes_preview: fga::DeletesPreview,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ResourceId {
    resource_id: String,
    resource_type: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct LoadResourcesBody {
    resource_identifiers: Vec<ResourceId>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
struct ResourcesDetails {
    resources_details: Vec<fga::ResourceDetails>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct MappableQuery {
    tenant_id: String,
    resources_limit: Value,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ResourcesQuery {
    #[serde(rename = "type")]
    ty: String,
    queries: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct MappableBody {
    tenant_id: String,
    resources_queries: Vec<ResourcesQuery>,
    resources_limit: Value,
}

#[derive(Debug, Serialize)]
struct MappableOfType {
    #[serde(rename = "type")]
    ty: String,
    resources: Vec<fga::Mappable>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct MappableResourcesReply {
    mappable_resources: Vec<MappableOfType>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct MappableSchemaReply {
    schema: Value,
    mappable_resources: Vec<MappableOfType>,
}

/// A limit given as a number or a string of digits (python-sdk sends a string).
fn limit_of(v: &Value) -> usize {
    let n = match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    match n {
        Some(0) | None => MAPPABLE_DEFAULT,
        Some(n) => (n as usize).min(MAPPABLE_MAX),
    }
}

/// POST /v1/mgmt/fga/schema
async fn save_schema(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<DslBody>,
) -> ApiResult<Json<Empty>> {
    fga::save_dsl(&s.db, &ctx, &b.dsl).await?;
    Ok(Json(Empty {}))
}

/// GET /v1/mgmt/fga/schema: `{"dsl": ""}` before any schema is saved.
async fn load_schema(State(s): State<AppState>, MgmtAuth(ctx): MgmtAuth) -> ApiResult<Json<SchemaReply>> {
    let l = fga::load_schema(&s.db, &ctx).await?;
    if !l.has_schema {
        return Ok(Json(SchemaReply { dsl: String::new(), schema: None, version: String::new() }));
    }
    Ok(Json(SchemaReply {
        dsl: fga::dsl_text(&l),
        schema: Some(legacy::to_json(&l.model)),
        version: l.version.clone(),
    }))
}

/// POST /v1/mgmt/fga/schema/dryrun
async fn dryrun(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<DslBody>,
) -> ApiResult<Json<DryrunReply>> {
    Ok(Json(DryrunReply { deletes_preview: fga::dryrun(&s.db, &ctx, &b.dsl).await? }))
}

/// POST /v1/mgmt/fga/relations
async fn create_relations(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<TuplesBody>,
) -> ApiResult<Json<Empty>> {
    fga::create_relations(&s.db, &ctx, b.tuples.into_iter().map(TupleDto::into_row).collect()).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/fga/relations/delete
async fn delete_relations(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<TuplesBody>,
) -> ApiResult<Json<Empty>> {
    fga::delete_relations(&s.db, &ctx, b.tuples.into_iter().map(TupleDto::into_row).collect()).await?;
    Ok(Json(Empty {}))
}

/// DELETE /v1/mgmt/fga/relations (node-sdk `deleteAllRelations`)
async fn delete_all_relations(State(s): State<AppState>, MgmtAuth(ctx): MgmtAuth) -> ApiResult<Json<Empty>> {
    fga::delete_all_relations(&s.db, &ctx).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/fga/check: one answer per tuple, in request order.
async fn check(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<CheckBody>,
) -> ApiResult<Json<CheckReply>> {
    let l = fga::loaded(&s.db, &ctx).await?;
    let answers = fga::check_loaded(&l, b.tuples.into_iter().map(TupleDto::into_row).collect(), &b.context)?;
    let tuples = answers
        .into_iter()
        .map(|a| CheckItem {
            allowed: a.allowed,
            tuple: TupleDto::of_row(a.tuple),
            info: CheckInfo {
                direct: a.info.direct,
                conditional: a.info.conditional,
                missing_context: a.info.missing_context.into_iter().collect(),
                conditional_err: a.info.conditional_err,
                depth_exceeded: a.info.depth_exceeded,
            },
        })
        .collect();
    Ok(Json(CheckReply { tuples, schema_version: l.version.clone() }))
}

/// POST /v1/mgmt/fga/resources/load
async fn load_resources(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<LoadResourcesBody>,
) -> ApiResult<Json<ResourcesDetails>> {
    let ids = b.resource_identifiers.into_iter().map(|r| (r.resource_type, r.resource_id)).collect();
    Ok(Json(ResourcesDetails { resources_details: fga::load_resources(&s.db, &ctx, ids).await? }))
}

/// POST /v1/mgmt/fga/resources/save
async fn save_resources(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<ResourcesDetails>,
) -> ApiResult<Json<Empty>> {
    fga::save_resources(&s.db, &ctx, b.resources_details).await?;
    Ok(Json(Empty {}))
}

async fn mappable_of(
    s: &AppState,
    ctx: &crate::domain::Ctx,
    queries: Vec<ResourcesQuery>,
    limit: usize,
) -> ApiResult<Vec<MappableOfType>> {
    let mut out = Vec::new();
    for q in queries {
        let resources = fga::mappable(&s.db, ctx, &q.ty, &q.queries, limit).await?;
        out.push(MappableOfType { ty: q.ty, resources });
    }
    Ok(out)
}

async fn all_types(s: &AppState, ctx: &crate::domain::Ctx) -> ApiResult<Vec<ResourcesQuery>> {
    let l = fga::loaded(&s.db, ctx).await?;
    Ok(l.model.types.iter().map(|t| ResourcesQuery { ty: t.name.clone(), queries: Vec::new() }).collect())
}

/// GET /v1/mgmt/fga/mappable/schema?tenantId=&resourcesLimit=: the schema (legacy shape)
/// and, per type, its resources. The tenant is not used (every resource is mappable).
async fn mappable_schema(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<MappableQuery>,
) -> ApiResult<Json<MappableSchemaReply>> {
    let _ = q.tenant_id;
    let l = fga::loaded(&s.db, &ctx).await?;
    let types = all_types(&s, &ctx).await?;
    Ok(Json(MappableSchemaReply {
        schema: legacy::to_json(&l.model),
        mappable_resources: mappable_of(&s, &ctx, types, limit_of(&q.resources_limit)).await?,
    }))
}

/// POST /v1/mgmt/fga/mappable/resources
async fn mappable_resources(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<MappableBody>,
) -> ApiResult<Json<MappableResourcesReply>> {
    let _ = b.tenant_id;
    let queries = match b.resources_queries.is_empty() {
        true => all_types(&s, &ctx).await?,
        false => b.resources_queries,
    };
    let limit = limit_of(&b.resources_limit);
    Ok(Json(MappableResourcesReply { mappable_resources: mappable_of(&s, &ctx, queries, limit).await? }))
}

/// GET /v1/mgmt/fga/mappable/resources?tenantId=&resourcesLimit=: every type's resources.
async fn mappable_resources_get(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<MappableQuery>,
) -> ApiResult<Json<MappableResourcesReply>> {
    let types = all_types(&s, &ctx).await?;
    let limit = limit_of(&q.resources_limit);
    Ok(Json(MappableResourcesReply { mappable_resources: mappable_of(&s, &ctx, types, limit).await? }))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct BackupIdReply {
    backup_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct AutoBackupReply {
    auto_backup_id: String,
}

#[derive(Debug, Serialize)]
struct BackupReply {
    backup: fga::Backup,
}

#[derive(Debug, Serialize)]
struct BackupsReply {
    backups: Vec<fga::Backup>,
}

/// POST /v1/mgmt/fga/backup
async fn create_backup(State(s): State<AppState>, MgmtAuth(ctx): MgmtAuth) -> ApiResult<Json<BackupIdReply>> {
    Ok(Json(BackupIdReply { backup_id: fga::create_backup(&s.db, &ctx).await? }))
}

/// GET /v1/mgmt/fga/backup/{backupId}
async fn get_backup(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<BackupReply>> {
    Ok(Json(BackupReply { backup: fga::get_backup(&s.db, &ctx, &id).await? }))
}

/// DELETE /v1/mgmt/fga/backup/{backupId}
async fn delete_backup(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Empty>> {
    fga::delete_backup(&s.db, &ctx, &id).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/fga/backup/{backupId}/restore
async fn restore_backup(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<AutoBackupReply>> {
    Ok(Json(AutoBackupReply { auto_backup_id: fga::restore_backup(&s.db, &ctx, &id).await? }))
}

/// GET /v1/mgmt/fga/backups
async fn list_backups(State(s): State<AppState>, MgmtAuth(ctx): MgmtAuth) -> ApiResult<Json<BackupsReply>> {
    Ok(Json(BackupsReply { backups: fga::list_backups(&s.db, &ctx).await? }))
}
