//! The FGA operations over the project's schema and tuples, shared by the legacy API.
//!
//! Checks run in memory: the parsed model and a [`Graph`] of every tuple are cached per
//! data scope with the scope's revision token, which every write replaces inside its
//! transaction. A check reads the token (one indexed row) and reuses the cache when it
//! matches; otherwise it loads schema and tuples in one read transaction and caches them.
//! Tuple writes do not throw the cache away: after their commit they apply their [`Delta`]
//! to the cached graph in place, when the cache is at the revision the write started from
//! (else the next check rebuilds, as after a schema change). A reset moves the project to a
//! new scope, so it starts empty.

use std::collections::{BTreeSet, HashMap};
use std::ops::Deref;
use std::sync::{Arc, Mutex, OnceLock, RwLock, RwLockReadGuard};

use serde::Serialize;
use serde_json::{Map, Value};

use super::dsl;
use super::engine::{Eval, Graph, Info, Tuple};
use super::model::Model;
use crate::crypto;
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::ids::Scope;
use crate::store::{self, fga as st, Conn, Db};

pub use st::RelationRow;

/// The most scopes whose graphs stay cached.
const CACHE_SCOPES: usize = 64;

/// A scope's schema and tuples as one revision had them (the tuples move on in place with
/// the writes that follow it).
#[derive(Debug, Default)]
pub struct Loaded {
    pub dsl: String,
    pub version: String,
    pub has_schema: bool,
    pub model: Model,
    tuples: RwLock<Tuples>,
}

/// The tuples of a cached scope and the revision they are at.
#[derive(Debug, Default)]
struct Tuples {
    revision: String,
    graph: Graph,
}

/// A read lock on a cached scope's graph, held for one evaluation.
pub struct GraphRef<'a>(RwLockReadGuard<'a, Tuples>);

impl Deref for GraphRef<'_> {
    type Target = Graph;

    fn deref(&self) -> &Graph {
        &self.0.graph
    }
}

impl Loaded {
    /// A schema and its tuples (benchmarks and tests; the cache builds its own).
    pub fn new(model: Model, graph: Graph) -> Loaded {
        Loaded {
            has_schema: true,
            model,
            tuples: RwLock::new(Tuples { revision: String::new(), graph }),
            ..Loaded::default()
        }
    }

    /// The tuples; hold it only for a synchronous evaluation.
    pub fn graph(&self) -> GraphRef<'_> {
        GraphRef(self.tuples.read().unwrap_or_else(|e| e.into_inner()))
    }

    fn revision(&self) -> String {
        self.graph().0.revision.clone()
    }
}

/// What a committed tuple write changed, to apply to the cached graph.
#[must_use = "apply the delta after the commit"]
#[derive(Debug, Default)]
pub struct Delta {
    scope: String,
    from: String,
    to: String,
    added: Vec<Tuple>,
    removed: Vec<Tuple>,
}

impl Delta {
    /// Applies the write to the cached graph of its scope when the cache is at the revision
    /// the write started from; otherwise leaves it (the next check sees the revision moved
    /// and rebuilds). Call after the write's transaction committed.
    pub fn apply(self) {
        let Some(l) = cache().lock().unwrap_or_else(|e| e.into_inner()).get(&self.scope).cloned() else {
            return;
        };
        let mut t = l.tuples.write().unwrap_or_else(|e| e.into_inner());
        if t.revision != self.from {
            return;
        }
        for x in &self.removed {
            t.graph.remove(x);
        }
        for x in self.added {
            t.graph.insert(x);
        }
        t.revision = self.to;
    }
}

fn cache() -> &'static Mutex<HashMap<String, Arc<Loaded>>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Loaded>>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The scope's schema and tuples, from the cache when still current.
pub async fn loaded(db: &Db, ctx: &Ctx) -> ApiResult<Arc<Loaded>> {
    let key = ctx.scope().as_str().to_owned();
    let mut conn = db.acquire().await?;
    let revision = st::revision(&mut conn, ctx.scope()).await?;
    let cached = cache().lock().unwrap_or_else(|e| e.into_inner()).get(&key).cloned();
    if let Some(l) = cached {
        if l.revision() == revision {
            return Ok(l);
        }
    }
    drop(conn);
    let mut tx = db.begin().await?;
    let l = Arc::new(load_from(&mut tx, ctx.scope()).await?);
    tx.commit().await?;
    let mut c = cache().lock().unwrap_or_else(|e| e.into_inner());
    if c.len() >= CACHE_SCOPES && !c.contains_key(&key) {
        c.clear();
    }
    c.insert(key, l.clone());
    Ok(l)
}

async fn load_from(conn: &mut Conn, scope: &Scope) -> ApiResult<Loaded> {
    let row = st::schema(conn, scope).await?.unwrap_or_default();
    let tuples = st::relations(conn, scope).await?.into_iter().map(tuple_of).collect();
    let model: Model = store::from_json_text(&row.model);
    Ok(Loaded {
        has_schema: !row.version.is_empty(),
        dsl: row.dsl,
        version: row.version,
        model,
        tuples: RwLock::new(Tuples { revision: row.revision, graph: Graph::new(tuples) }),
    })
}

fn tuple_of(r: RelationRow) -> Tuple {
    Tuple {
        resource_type: r.resource_type,
        resource: r.resource,
        relation: r.relation,
        target_type: r.target_type,
        target: r.target,
    }
}

/// A new version UUID (random, version 4 layout).
pub fn new_uuid() -> String {
    let h: String = crypto::random_alnum(32)
        .bytes()
        .map(|b| char::from_digit(u32::from(b) % 16, 16).unwrap_or('0'))
        .collect();
    format!("{}-{}-4{}-a{}-{}", &h[..8], &h[8..12], &h[13..16], &h[17..20], &h[20..])
}

/// Marks a write to the scope's schema or tuples.
pub async fn touch(conn: &mut Conn, scope: &Scope) -> ApiResult<()> {
    st::touch(conn, scope, &crypto::random_alnum(24)).await
}

/// Marks a tuple write: a new revision, and the delta that takes the cache there.
async fn touch_with(
    conn: &mut Conn,
    scope: &Scope,
    added: Vec<Tuple>,
    removed: Vec<Tuple>,
) -> ApiResult<Delta> {
    let from = st::revision(conn, scope).await?;
    let to = crypto::random_alnum(24);
    st::touch(conn, scope, &to).await?;
    Ok(Delta { scope: scope.as_str().to_owned(), from, to, added, removed })
}

/// What saving a schema would delete.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DeletesPreview {
    pub has_deletes: bool,
    pub relations: Vec<String>,
    pub types: Vec<String>,
}

/// Parses DSL, refusing invalid text with a 400 naming the line.
pub fn parse_dsl(text: &str) -> ApiResult<Model> {
    dsl::parse(text).map_err(|e| ApiError::invalid(format!("Invalid schema: {e}")))
}

async fn current_model(conn: &mut Conn, scope: &Scope) -> ApiResult<Model> {
    Ok(st::schema(conn, scope).await?.map(|r| store::from_json_text(&r.model)).unwrap_or_default())
}

/// Saves a DSL schema.
pub async fn save_dsl(db: &Db, ctx: &Ctx, text: &str) -> ApiResult<()> {
    let model = parse_dsl(text)?;
    let mut tx = store::begin_immediate(db).await?;
    save_model(&mut tx, ctx, model, text.to_owned()).await?;
    tx.commit().await
}

/// What saving this DSL would delete.
pub async fn dryrun(db: &Db, ctx: &Ctx, text: &str) -> ApiResult<DeletesPreview> {
    let model = parse_dsl(text)?;
    let mut conn = db.acquire().await?;
    let old = current_model(&mut conn, ctx.scope()).await?;
    let (relations, types) = old.deletes_towards(&model);
    Ok(DeletesPreview { has_deletes: !relations.is_empty() || !types.is_empty(), relations, types })
}

/// Replaces the schema, deleting the tuples it no longer allows.
pub async fn save_model(conn: &mut Conn, ctx: &Ctx, model: Model, text: String) -> ApiResult<()> {
    let scope = ctx.scope();
    let old = current_model(conn, scope).await?;
    let (relations, types) = old.deletes_towards(&model);
    for t in &types {
        st::delete_of(conn, scope, t, None).await?;
    }
    for r in &relations {
        if let Some((t, rel)) = r.split_once('#') {
            st::delete_of(conn, scope, t, Some(rel)).await?;
        }
    }
    let row = st::SchemaRow {
        dsl: text,
        model: store::json_text(&model)?,
        version: new_uuid(),
        modified_ms: ctx.now.millis(),
        revision: crypto::random_alnum(24),
    };
    st::put_schema(conn, scope, &row).await?;
    st::log_modified(conn, scope, ctx.now.millis(), &st::ModifiedRow { schema: 1, ..Default::default() })
        .await
}

/// Deletes the schema and every tuple.
pub async fn delete_schema(db: &Db, ctx: &Ctx) -> ApiResult<()> {
    let mut tx = store::begin_immediate(db).await?;
    st::delete_all(&mut tx, ctx.scope()).await?;
    st::put_schema(
        &mut tx,
        ctx.scope(),
        &st::SchemaRow { revision: crypto::random_alnum(24), ..Default::default() },
    )
    .await?;
    st::log_modified(
        &mut tx,
        ctx.scope(),
        ctx.now.millis(),
        &st::ModifiedRow { schema: 1, ..Default::default() },
    )
    .await?;
    tx.commit().await
}

/// The saved schema: DSL text (printed from the model for legacy saves), model, version.
pub async fn load_schema(db: &Db, ctx: &Ctx) -> ApiResult<Arc<Loaded>> {
    loaded(db, ctx).await
}

/// The DSL of a loaded schema: as saved, or printed from a legacy save.
pub fn dsl_text(l: &Loaded) -> String {
    match (l.has_schema, l.dsl.is_empty()) {
        (false, _) => String::new(),
        (true, false) => l.dsl.clone(),
        (true, true) => dsl::print(&l.model),
    }
}

/// Checks a tuple against the model: known type and relation, a relation that holds tuples,
/// an allowed target type.
pub fn validate_tuple(model: &Model, r: &RelationRow) -> ApiResult<()> {
    for (what, v) in
        [("resource", &r.resource), ("resourceType", &r.resource_type), ("relation", &r.relation)]
    {
        if v.trim().is_empty() {
            return Err(ApiError::missing(what));
        }
    }
    if r.target.trim().is_empty() {
        return Err(ApiError::missing("target"));
    }
    let Some(ty) = model.ty(&r.resource_type) else {
        return Err(ApiError::invalid(format!("Unknown resource type {}", r.resource_type)));
    };
    let Some(def) = ty.defs.iter().find(|d| d.name == r.relation) else {
        return Err(ApiError::invalid(format!("Type {} has no relation {}", r.resource_type, r.relation)));
    };
    if !def.holds_tuples() {
        return Err(ApiError::invalid(format!(
            "{}#{} is a permission: relations cannot be created for it",
            r.resource_type, r.relation
        )));
    }
    if !def.allows(&r.target_type) {
        return Err(ApiError::invalid(format!(
            "Target type {} is not allowed for {}#{}",
            r.target_type, r.resource_type, r.relation
        )));
    }
    Ok(())
}

/// Stores tuples (idempotent), validated against the schema.
pub async fn create_relations(db: &Db, ctx: &Ctx, rows: Vec<RelationRow>) -> ApiResult<()> {
    let mut tx = store::begin_immediate(db).await?;
    let model = current_model(&mut tx, ctx.scope()).await?;
    for r in &rows {
        validate_tuple(&model, r)?;
    }
    let delta = insert_rows(&mut tx, ctx, &rows).await?;
    tx.commit().await?;
    delta.apply();
    Ok(())
}

/// Stores tuples already validated, logging and touching the scope; the caller applies the
/// delta after its commit.
pub async fn insert_rows(conn: &mut Conn, ctx: &Ctx, rows: &[RelationRow]) -> ApiResult<Delta> {
    for r in rows {
        st::insert(conn, ctx.scope(), r, ctx.now.millis()).await?;
        log_tuple(conn, ctx, r).await?;
    }
    touch_with(conn, ctx.scope(), rows.iter().cloned().map(tuple_of).collect(), Vec::new()).await
}

async fn log_tuple(conn: &mut Conn, ctx: &Ctx, r: &RelationRow) -> ApiResult<()> {
    let m = st::ModifiedRow { resource: r.resource.clone(), target: r.target.clone(), schema: 0 };
    st::log_modified(conn, ctx.scope(), ctx.now.millis(), &m).await
}

/// Deletes tuples (missing ones are ignored).
pub async fn delete_relations(db: &Db, ctx: &Ctx, rows: Vec<RelationRow>) -> ApiResult<()> {
    let mut tx = store::begin_immediate(db).await?;
    let delta = delete_rows(&mut tx, ctx, &rows).await?;
    tx.commit().await?;
    delta.apply();
    Ok(())
}

/// Deletes tuples inside a transaction; the caller applies the delta after its commit.
pub async fn delete_rows(conn: &mut Conn, ctx: &Ctx, rows: &[RelationRow]) -> ApiResult<Delta> {
    let mut removed = Vec::new();
    for r in rows {
        if st::delete(conn, ctx.scope(), r).await? {
            log_tuple(conn, ctx, r).await?;
            removed.push(tuple_of(r.clone()));
        }
    }
    touch_with(conn, ctx.scope(), Vec::new(), removed).await
}

/// Deletes every tuple.
pub async fn delete_all_relations(db: &Db, ctx: &Ctx) -> ApiResult<()> {
    let mut tx = store::begin_immediate(db).await?;
    st::delete_all(&mut tx, ctx.scope()).await?;
    touch(&mut tx, ctx.scope()).await?;
    tx.commit().await
}

/// One answer of `check`.
#[derive(Debug, Clone)]
pub struct Answer {
    pub allowed: bool,
    pub tuple: RelationRow,
    pub info: Info,
}

/// Checks tuples in order over one evaluation (shared memo). Unknown types or relations
/// answer 400; unknown IDs answer false.
pub async fn check(
    db: &Db,
    ctx: &Ctx,
    queries: Vec<RelationRow>,
    context: &Map<String, Value>,
) -> ApiResult<Vec<Answer>> {
    let l = loaded(db, ctx).await?;
    check_loaded(&l, queries, context)
}

/// [`check`] over an already loaded scope.
pub fn check_loaded(
    l: &Loaded,
    queries: Vec<RelationRow>,
    context: &Map<String, Value>,
) -> ApiResult<Vec<Answer>> {
    for q in &queries {
        if l.model.ty(&q.resource_type).is_none() {
            return Err(ApiError::invalid(format!("Unknown resource type {}", q.resource_type)));
        }
        if l.model.def(&q.resource_type, &q.relation).is_none() {
            return Err(ApiError::invalid(format!(
                "Type {} has no relation or permission {}",
                q.resource_type, q.relation
            )));
        }
    }
    let graph = l.graph();
    let mut eval = Eval::new(&l.model, &graph, context);
    Ok(queries
        .into_iter()
        .map(|q| {
            let (allowed, info) =
                eval.check(&q.resource_type, &q.resource, &q.relation, &q.target_type, &q.target);
            Answer { allowed, tuple: q, info }
        })
        .collect())
}

/// A resource's display name.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ResourceDetails {
    pub resource_id: String,
    pub resource_type: String,
    pub display_name: String,
}

/// Saves display names.
pub async fn save_resources(db: &Db, ctx: &Ctx, items: Vec<ResourceDetails>) -> ApiResult<()> {
    let mut tx = store::begin_immediate(db).await?;
    for d in items {
        if d.resource_id.trim().is_empty() {
            return Err(ApiError::missing("resourceId"));
        }
        if d.resource_type.trim().is_empty() {
            return Err(ApiError::missing("resourceType"));
        }
        let row = st::ResourceRow {
            resource_type: d.resource_type,
            resource: d.resource_id,
            display_name: d.display_name,
        };
        st::put_resource(&mut tx, ctx.scope(), &row).await?;
    }
    tx.commit().await
}

/// The details of the given resources that have some, in request order.
pub async fn load_resources(
    db: &Db,
    ctx: &Ctx,
    ids: Vec<(String, String)>,
) -> ApiResult<Vec<ResourceDetails>> {
    let mut conn = db.acquire().await?;
    let all: HashMap<(String, String), String> = st::resources(&mut conn, ctx.scope())
        .await?
        .into_iter()
        .map(|r| ((r.resource_type, r.resource), r.display_name))
        .collect();
    Ok(ids
        .into_iter()
        .filter_map(|(ty, id)| {
            let name = all.get(&(ty.clone(), id.clone()))?.clone();
            Some(ResourceDetails { resource_id: id, resource_type: ty, display_name: name })
        })
        .collect())
}

/// A mappable resource.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Mappable {
    pub resource: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub display_name: String,
}

/// Resources of a type: those in tuples (as resource or plain target) or with details;
/// `queries` keep those whose ID or display name contains one of them (case-insensitive).
pub async fn mappable(
    db: &Db,
    ctx: &Ctx,
    ty: &str,
    queries: &[String],
    limit: usize,
) -> ApiResult<Vec<Mappable>> {
    let l = loaded(db, ctx).await?;
    let mut conn = db.acquire().await?;
    let names: HashMap<String, String> = st::resources(&mut conn, ctx.scope())
        .await?
        .into_iter()
        .filter(|r| r.resource_type == ty)
        .map(|r| (r.resource, r.display_name))
        .collect();
    let mut ids: BTreeSet<String> = names.keys().cloned().collect();
    for t in l.graph().tuples() {
        if t.resource_type == ty {
            ids.insert(t.resource.clone());
        }
        if t.target_type == ty {
            ids.insert(t.target.clone());
        }
    }
    let queries: Vec<String> = queries.iter().map(|q| q.to_lowercase()).filter(|q| !q.is_empty()).collect();
    Ok(ids
        .into_iter()
        .map(|id| Mappable { display_name: names.get(&id).cloned().unwrap_or_default(), resource: id })
        .filter(|m| {
            queries.is_empty()
                || queries.iter().any(|q| {
                    m.resource.to_lowercase().contains(q) || m.display_name.to_lowercase().contains(q)
                })
        })
        .take(limit)
        .collect())
}

/// A backup as the API shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Backup {
    pub id: String,
    pub status: String,
    pub tuple_count: i64,
    pub created_at: String,
}

#[derive(Debug, Default, Serialize, serde::Deserialize)]
#[serde(default)]
struct BackupData {
    dsl: String,
    model: String,
    version: String,
    tuples: Vec<[String; 5]>,
}

fn backup_of(r: &st::BackupRow) -> Backup {
    Backup {
        id: r.id.clone(),
        status: r.status.clone(),
        tuple_count: r.tuple_count,
        created_at: rfc3339(r.created_ms),
    }
}

async fn write_backup(conn: &mut Conn, ctx: &Ctx) -> ApiResult<String> {
    let scope = ctx.scope();
    let schema = st::schema(conn, scope).await?.unwrap_or_default();
    let tuples: Vec<[String; 5]> = st::relations(conn, scope)
        .await?
        .into_iter()
        .map(|r| [r.resource_type, r.resource, r.relation, r.target_type, r.target])
        .collect();
    let id = format!("FB{}", crypto::random_alnum(26));
    let data = BackupData { dsl: schema.dsl, model: schema.model, version: schema.version, tuples };
    let row = st::BackupRow {
        id: id.clone(),
        status: "completed".into(),
        tuple_count: data.tuples.len() as i64,
        created_ms: ctx.now.millis(),
        data: store::json_text(&data)?,
    };
    st::put_backup(conn, scope, &row).await?;
    Ok(id)
}

/// Backs up the schema and tuples; the backup's ID.
pub async fn create_backup(db: &Db, ctx: &Ctx) -> ApiResult<String> {
    let mut tx = store::begin_immediate(db).await?;
    let id = write_backup(&mut tx, ctx).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn get_backup(db: &Db, ctx: &Ctx, id: &str) -> ApiResult<Backup> {
    let mut conn = db.acquire().await?;
    let r = st::backup(&mut conn, ctx.scope(), id).await?;
    r.map(|r| backup_of(&r)).ok_or_else(|| ApiError::not_found(format!("Backup {id} not found")))
}

pub async fn list_backups(db: &Db, ctx: &Ctx) -> ApiResult<Vec<Backup>> {
    let mut conn = db.acquire().await?;
    Ok(st::backups(&mut conn, ctx.scope()).await?.iter().map(backup_of).collect())
}

pub async fn delete_backup(db: &Db, ctx: &Ctx, id: &str) -> ApiResult<()> {
    let mut tx = store::begin_immediate(db).await?;
    if !st::delete_backup(&mut tx, ctx.scope(), id).await? {
        return Err(ApiError::not_found(format!("Backup {id} not found")));
    }
    tx.commit().await
}

/// Replaces schema and tuples with a backup's; the ID of the automatic backup of the state
/// before.
pub async fn restore_backup(db: &Db, ctx: &Ctx, id: &str) -> ApiResult<String> {
    let mut tx = store::begin_immediate(db).await?;
    let scope = ctx.scope();
    let row = st::backup(&mut tx, scope, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Backup {id} not found")))?;
    let auto = write_backup(&mut tx, ctx).await?;
    let data: BackupData = store::from_json_text(&row.data);
    st::delete_all(&mut tx, scope).await?;
    let schema = st::SchemaRow {
        dsl: data.dsl,
        model: data.model,
        version: if data.version.is_empty() { String::new() } else { new_uuid() },
        modified_ms: ctx.now.millis(),
        revision: crypto::random_alnum(24),
    };
    st::put_schema(&mut tx, scope, &schema).await?;
    for [a, b, c, d, e] in data.tuples {
        let r = RelationRow { resource_type: a, resource: b, relation: c, target_type: d, target: e };
        st::insert(&mut tx, scope, &r, ctx.now.millis()).await?;
    }
    st::log_modified(&mut tx, scope, ctx.now.millis(), &st::ModifiedRow { schema: 1, ..Default::default() })
        .await?;
    tx.commit().await?;
    Ok(auto)
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` of a Unix time in milliseconds.
fn rfc3339(ms: i64) -> String {
    let (days, rem) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let (h, mi, s, milli) = (rem / 3_600_000, rem / 60_000 % 60, rem / 1000 % 60, rem % 1000);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z")
}
