//! Project configuration documents (`config_documents`) and asynchronous clone outcomes
//! (`clone_processes`).

use sqlx::FromRow;

use super::Conn;
use crate::error::ApiResult;
use crate::ids::Scope;

/// One stored document: a flow, the theme, or localization overrides. `document` is `None`
/// for a deleted built-in flow.
#[derive(Debug, Clone, Default, FromRow, PartialEq)]
pub struct DocumentRow {
    pub kind: String,
    pub key: String,
    pub document: Option<String>,
    pub version: i64,
    pub modified_ms: i64,
}

const COLUMNS: &str = "kind, key, document, version, modified_ms";

/// The document of `kind` under `key`.
pub async fn get(conn: &mut Conn, scope: &Scope, kind: &str, key: &str) -> ApiResult<Option<DocumentRow>> {
    let sql = format!("SELECT {COLUMNS} FROM config_documents WHERE project_id = ? AND kind = ? AND key = ?");
    Ok(sqlx::query_as::<_, DocumentRow>(&sql).bind(scope).bind(kind).bind(key).fetch_optional(conn).await?)
}

/// Every document of `kind`, by key.
pub async fn list_kind(conn: &mut Conn, scope: &Scope, kind: &str) -> ApiResult<Vec<DocumentRow>> {
    let sql =
        format!("SELECT {COLUMNS} FROM config_documents WHERE project_id = ? AND kind = ? ORDER BY key");
    Ok(sqlx::query_as::<_, DocumentRow>(&sql).bind(scope).bind(kind).fetch_all(conn).await?)
}

/// Every document of the scope, by kind and key.
pub async fn list_all(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<DocumentRow>> {
    let sql = format!("SELECT {COLUMNS} FROM config_documents WHERE project_id = ? ORDER BY kind, key");
    Ok(sqlx::query_as::<_, DocumentRow>(&sql).bind(scope).fetch_all(conn).await?)
}

/// Inserts or replaces a document.
pub async fn put(conn: &mut Conn, scope: &Scope, r: &DocumentRow) -> ApiResult<()> {
    sqlx::query(
        "INSERT OR REPLACE INTO config_documents (project_id, kind, key, document, version, modified_ms) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(scope)
    .bind(&r.kind)
    .bind(&r.key)
    .bind(&r.document)
    .bind(r.version)
    .bind(r.modified_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes a document; false when there was none.
pub async fn delete(conn: &mut Conn, scope: &Scope, kind: &str, key: &str) -> ApiResult<bool> {
    let r = sqlx::query("DELETE FROM config_documents WHERE project_id = ? AND kind = ? AND key = ?")
        .bind(scope)
        .bind(kind)
        .bind(key)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() > 0)
}

/// Deletes every document of `kind`.
pub async fn delete_kind(conn: &mut Conn, scope: &Scope, kind: &str) -> ApiResult<()> {
    sqlx::query("DELETE FROM config_documents WHERE project_id = ? AND kind = ?")
        .bind(scope)
        .bind(kind)
        .execute(conn)
        .await?;
    Ok(())
}

/// The outcome of one asynchronous clone.
#[derive(Debug, Clone, Default, FromRow)]
pub struct CloneProcessRow {
    pub id: String,
    pub clone_project_id: String,
    pub clone_name: String,
    pub error: String,
    pub created_ms: i64,
}

/// Records an asynchronous clone's outcome.
pub async fn insert_clone_process(conn: &mut Conn, scope: &Scope, r: &CloneProcessRow) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO clone_processes (project_id, id, clone_project_id, clone_name, error, created_ms) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(scope)
    .bind(&r.id)
    .bind(&r.clone_project_id)
    .bind(&r.clone_name)
    .bind(&r.error)
    .bind(r.created_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// The clone process with this ID.
pub async fn get_clone_process(
    conn: &mut Conn,
    scope: &Scope,
    id: &str,
) -> ApiResult<Option<CloneProcessRow>> {
    Ok(sqlx::query_as::<_, CloneProcessRow>(
        "SELECT id, clone_project_id, clone_name, error, created_ms FROM clone_processes \
         WHERE project_id = ? AND id = ?",
    )
    .bind(scope)
    .bind(id)
    .fetch_optional(conn)
    .await?)
}
