//! Project lists (`lists`).

use sqlx::FromRow;

use super::Conn;
use crate::error::{ApiError, ApiResult, ErrorKind, ResultExt};
use crate::ids::Scope;

/// One list; `data` is JSON (an array of strings, or an object for `json` lists).
#[derive(Debug, Clone, Default, FromRow)]
pub struct ListRow {
    pub id: String,
    pub name: String,
    pub description: String,
    #[sqlx(rename = "type")]
    pub kind: String,
    pub data: String,
    pub created_ms: i64,
}

const COLUMNS: &str = "id, name, description, type, data, created_ms";

/// The list with this ID.
pub async fn get(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<Option<ListRow>> {
    let sql = format!("SELECT {COLUMNS} FROM lists WHERE project_id = ? AND id = ?");
    Ok(sqlx::query_as::<_, ListRow>(&sql).bind(scope).bind(id).fetch_optional(conn).await?)
}

/// The list with this name.
pub async fn get_by_name(conn: &mut Conn, scope: &Scope, name: &str) -> ApiResult<Option<ListRow>> {
    let sql = format!("SELECT {COLUMNS} FROM lists WHERE project_id = ? AND name = ?");
    Ok(sqlx::query_as::<_, ListRow>(&sql).bind(scope).bind(name).fetch_optional(conn).await?)
}

/// Every list of the scope, oldest first.
pub async fn list_all(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<ListRow>> {
    let sql = format!("SELECT {COLUMNS} FROM lists WHERE project_id = ? ORDER BY created_ms, id");
    super::rows_of_scope(conn, &sql, scope).await
}

/// Inserts a list or replaces the one with its ID; a name another list has fails as
/// `AlreadyExists`.
pub async fn upsert(conn: &mut Conn, scope: &Scope, r: &ListRow) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO lists (project_id, id, name, description, type, data, created_ms) \
         VALUES (?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (project_id, id) DO UPDATE SET name = excluded.name, \
         description = excluded.description, type = excluded.type, data = excluded.data",
    )
    .bind(scope)
    .bind(&r.id)
    .bind(&r.name)
    .bind(&r.description)
    .bind(&r.kind)
    .bind(&r.data)
    .bind(r.created_ms)
    .execute(conn)
    .await
    .on_unique(|| ApiError::new(ErrorKind::AlreadyExists, format!("List {} already exists", r.name)))?;
    Ok(())
}

/// Deletes a list; false when there was none.
pub async fn delete(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<bool> {
    let r = sqlx::query("DELETE FROM lists WHERE project_id = ? AND id = ?")
        .bind(scope)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() > 0)
}
