//! FGA / authz schemas, tuples, resource details, the modification log and backups
//! (`fga_*`).

use sqlx::FromRow;

use super::Conn;
use crate::error::ApiResult;
use crate::ids::Scope;

/// A project's schema row.
#[derive(Debug, Clone, Default, FromRow)]
pub struct SchemaRow {
    pub dsl: String,
    pub model: String,
    pub version: String,
    pub modified_ms: i64,
    pub revision: String,
}

/// A stored tuple.
#[derive(Debug, Clone, Default, FromRow, PartialEq, Eq)]
pub struct RelationRow {
    pub resource_type: String,
    pub resource: String,
    pub relation: String,
    pub target_type: String,
    pub target: String,
}

/// A resource's display name.
#[derive(Debug, Clone, Default, FromRow)]
pub struct ResourceRow {
    pub resource_type: String,
    pub resource: String,
    pub display_name: String,
}

/// A backup.
#[derive(Debug, Clone, Default, FromRow)]
pub struct BackupRow {
    pub id: String,
    pub status: String,
    pub tuple_count: i64,
    pub created_ms: i64,
    pub data: String,
}

/// One entry of the modification log.
#[derive(Debug, Clone, Default, FromRow)]
pub struct ModifiedRow {
    pub resource: String,
    pub target: String,
    pub schema: i64,
}

pub async fn schema(conn: &mut Conn, scope: &Scope) -> ApiResult<Option<SchemaRow>> {
    Ok(sqlx::query_as::<_, SchemaRow>(
        "SELECT dsl, model, version, modified_ms, revision FROM fga_schemas WHERE project_id = ?",
    )
    .bind(scope)
    .fetch_optional(conn)
    .await?)
}

/// The token that changes with every write to the scope's schema or tuples ('' for none).
pub async fn revision(conn: &mut Conn, scope: &Scope) -> ApiResult<String> {
    let r: Option<(String,)> = sqlx::query_as("SELECT revision FROM fga_schemas WHERE project_id = ?")
        .bind(scope)
        .fetch_optional(conn)
        .await?;
    Ok(r.map(|r| r.0).unwrap_or_default())
}

/// Saves the schema (the revision is set by [`touch`]).
pub async fn put_schema(conn: &mut Conn, scope: &Scope, r: &SchemaRow) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO fga_schemas (project_id, dsl, model, version, modified_ms, revision) VALUES (?, ?, ?, ?, ?, ?) \
         ON CONFLICT (project_id) DO UPDATE SET dsl = excluded.dsl, model = excluded.model, \
         version = excluded.version, modified_ms = excluded.modified_ms, revision = excluded.revision",
    )
    .bind(scope)
    .bind(&r.dsl)
    .bind(&r.model)
    .bind(&r.version)
    .bind(r.modified_ms)
    .bind(&r.revision)
    .execute(conn)
    .await?;
    Ok(())
}

/// Gives the scope a new revision token (creating an empty schema row if needed).
pub async fn touch(conn: &mut Conn, scope: &Scope, revision: &str) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO fga_schemas (project_id, revision) VALUES (?, ?) \
         ON CONFLICT (project_id) DO UPDATE SET revision = excluded.revision",
    )
    .bind(scope)
    .bind(revision)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every tuple of the scope, in key order.
pub async fn relations(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<RelationRow>> {
    super::rows_of_scope(
        conn,
        "SELECT resource_type, resource, relation, target_type, target FROM fga_relations \
         WHERE project_id = ? ORDER BY resource_type, resource, relation, target_type, target",
        scope,
    )
    .await
}

/// Inserts a tuple (no-op when stored).
pub async fn insert(conn: &mut Conn, scope: &Scope, r: &RelationRow, now_ms: i64) -> ApiResult<()> {
    sqlx::query(
        "INSERT OR IGNORE INTO fga_relations \
         (project_id, resource_type, resource, relation, target_type, target, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(scope)
    .bind(&r.resource_type)
    .bind(&r.resource)
    .bind(&r.relation)
    .bind(&r.target_type)
    .bind(&r.target)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes a tuple; whether it was stored.
pub async fn delete(conn: &mut Conn, scope: &Scope, r: &RelationRow) -> ApiResult<bool> {
    let res = sqlx::query(
        "DELETE FROM fga_relations WHERE project_id = ? AND resource_type = ? AND resource = ? \
         AND relation = ? AND target_type = ? AND target = ?",
    )
    .bind(scope)
    .bind(&r.resource_type)
    .bind(&r.resource)
    .bind(&r.relation)
    .bind(&r.target_type)
    .bind(&r.target)
    .execute(conn)
    .await?;
    Ok(res.rows_affected() > 0)
}

/// Deletes every tuple of the scope.
pub async fn delete_all(conn: &mut Conn, scope: &Scope) -> ApiResult<u64> {
    let r = sqlx::query("DELETE FROM fga_relations WHERE project_id = ?").bind(scope).execute(conn).await?;
    Ok(r.rows_affected())
}

/// Deletes the tuples of a relation (`relation` `None`: of the whole type).
pub async fn delete_of(conn: &mut Conn, scope: &Scope, ty: &str, relation: Option<&str>) -> ApiResult<()> {
    let q = match relation {
        Some(rel) => sqlx::query(
            "DELETE FROM fga_relations WHERE project_id = ? AND resource_type = ? AND relation = ?",
        )
        .bind(scope)
        .bind(ty)
        .bind(rel),
        None => sqlx::query("DELETE FROM fga_relations WHERE project_id = ? AND resource_type = ?")
            .bind(scope)
            .bind(ty),
    };
    q.execute(&mut *conn).await?;
    // Tuples whose target is the type (or one of its target sets) go with it.
    let pattern = match relation {
        Some(rel) => format!("{ty}#{rel}"),
        None => ty.to_owned(),
    };
    sqlx::query("DELETE FROM fga_relations WHERE project_id = ? AND (target_type = ? OR target_type LIKE ? ESCAPE '\\')")
        .bind(scope)
        .bind(&pattern)
        .bind(if relation.is_none() { format!("{}#%", like_escape(ty)) } else { "\u{0}".to_owned() })
        .execute(conn)
        .await?;
    Ok(())
}

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// Saves display names.
pub async fn put_resource(conn: &mut Conn, scope: &Scope, r: &ResourceRow) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO fga_resources (project_id, resource_type, resource, display_name) VALUES (?, ?, ?, ?) \
         ON CONFLICT (project_id, resource_type, resource) DO UPDATE SET display_name = excluded.display_name",
    )
    .bind(scope)
    .bind(&r.resource_type)
    .bind(&r.resource)
    .bind(&r.display_name)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every resource detail of the scope.
pub async fn resources(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<ResourceRow>> {
    super::rows_of_scope(
        conn,
        "SELECT resource_type, resource, display_name FROM fga_resources WHERE project_id = ? \
         ORDER BY resource_type, resource",
        scope,
    )
    .await
}

/// Logs a change.
pub async fn log_modified(conn: &mut Conn, scope: &Scope, at_ms: i64, m: &ModifiedRow) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO fga_modified (project_id, at_ms, resource, target, schema) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(scope)
    .bind(at_ms)
    .bind(&m.resource)
    .bind(&m.target)
    .bind(m.schema)
    .execute(conn)
    .await?;
    Ok(())
}

/// The changes at or after `since_ms`.
pub async fn modified_since(conn: &mut Conn, scope: &Scope, since_ms: i64) -> ApiResult<Vec<ModifiedRow>> {
    Ok(sqlx::query_as::<_, ModifiedRow>(
        "SELECT resource, target, schema FROM fga_modified WHERE project_id = ? AND at_ms >= ? ORDER BY at_ms",
    )
    .bind(scope)
    .bind(since_ms)
    .fetch_all(conn)
    .await?)
}

pub async fn put_backup(conn: &mut Conn, scope: &Scope, b: &BackupRow) -> ApiResult<()> {
    sqlx::query(
        "INSERT OR REPLACE INTO fga_backups (project_id, id, status, tuple_count, created_ms, data) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(scope)
    .bind(&b.id)
    .bind(&b.status)
    .bind(b.tuple_count)
    .bind(b.created_ms)
    .bind(&b.data)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn backup(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<Option<BackupRow>> {
    Ok(sqlx::query_as::<_, BackupRow>(
        "SELECT id, status, tuple_count, created_ms, data FROM fga_backups WHERE project_id = ? AND id = ?",
    )
    .bind(scope)
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

pub async fn backups(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<BackupRow>> {
    super::rows_of_scope(
        conn,
        "SELECT id, status, tuple_count, created_ms, '' AS data FROM fga_backups WHERE project_id = ? \
         ORDER BY created_ms, id",
        scope,
    )
    .await
}

pub async fn delete_backup(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<bool> {
    let r = sqlx::query("DELETE FROM fga_backups WHERE project_id = ? AND id = ?")
        .bind(scope)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() > 0)
}
