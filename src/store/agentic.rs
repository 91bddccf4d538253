//! The agentic tables: resources, resource policies and MCP servers as JSON documents
//! (`agentic_objects`, one `kind` each). MCP server clients are clients of [`super::apps`].

use sqlx::FromRow;

use super::Conn;
use crate::error::ApiResult;
use crate::ids::Scope;

/// What an object is.
pub const RESOURCE: &str = "resource";
pub const POLICY: &str = "policy";
pub const MCP_SERVER: &str = "mcp_server";

/// An object as stored: its document in `body`; `lookup` a resource's URI.
#[derive(Debug, Clone, Default, FromRow, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ObjectRow {
    pub kind: String,
    pub id: String,
    pub lookup: String,
    pub body: String,
    pub created_ms: i64,
}

const COLS: &str = "kind, id, lookup, body, created_ms";

/// Every object of the scope (all kinds), oldest first.
pub async fn all(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<ObjectRow>> {
    Ok(sqlx::query_as::<_, ObjectRow>(&format!(
        "SELECT {COLS} FROM agentic_objects WHERE project_id = ? ORDER BY created_ms, kind, id"
    ))
    .bind(scope)
    .fetch_all(conn)
    .await?)
}

/// The objects of one kind, oldest first.
pub async fn all_of(conn: &mut Conn, scope: &Scope, kind: &str) -> ApiResult<Vec<ObjectRow>> {
    Ok(sqlx::query_as::<_, ObjectRow>(&format!(
        "SELECT {COLS} FROM agentic_objects WHERE project_id = ? AND kind = ? ORDER BY created_ms, id"
    ))
    .bind(scope)
    .bind(kind)
    .fetch_all(conn)
    .await?)
}

pub async fn get(conn: &mut Conn, scope: &Scope, kind: &str, id: &str) -> ApiResult<Option<ObjectRow>> {
    Ok(sqlx::query_as::<_, ObjectRow>(&format!(
        "SELECT {COLS} FROM agentic_objects WHERE project_id = ? AND kind = ? AND id = ?"
    ))
    .bind(scope)
    .bind(kind)
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// The object of a kind with a lookup key (a resource by URI).
pub async fn by_lookup(
    conn: &mut Conn,
    scope: &Scope,
    kind: &str,
    lookup: &str,
) -> ApiResult<Option<ObjectRow>> {
    if lookup.is_empty() {
        return Ok(None);
    }
    Ok(sqlx::query_as::<_, ObjectRow>(&format!(
        "SELECT {COLS} FROM agentic_objects WHERE project_id = ? AND kind = ? AND lookup = ?"
    ))
    .bind(scope)
    .bind(kind)
    .bind(lookup)
    .fetch_optional(conn)
    .await?)
}

/// Inserts an object or replaces the one of its kind and ID.
pub async fn put(conn: &mut Conn, scope: &Scope, r: &ObjectRow) -> ApiResult<()> {
    sqlx::query(&format!(
        "INSERT OR REPLACE INTO agentic_objects (project_id, {COLS}) VALUES (?, ?, ?, ?, ?, ?)"
    ))
    .bind(scope)
    .bind(&r.kind)
    .bind(&r.id)
    .bind(&r.lookup)
    .bind(&r.body)
    .bind(r.created_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes an object: whether there was one.
pub async fn delete(conn: &mut Conn, scope: &Scope, kind: &str, id: &str) -> ApiResult<bool> {
    let r = sqlx::query("DELETE FROM agentic_objects WHERE project_id = ? AND kind = ? AND id = ?")
        .bind(scope)
        .bind(kind)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() > 0)
}
