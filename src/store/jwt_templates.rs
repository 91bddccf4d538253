//! JWT templates (`jwt_templates`).

use sqlx::FromRow;

use super::Conn;
use crate::error::{ApiError, ApiResult, ErrorKind, ResultExt};
use crate::ids::Scope;

/// One template; `body` is the JSON of the template as the API shows it.
#[derive(Debug, Clone, Default, FromRow)]
pub struct TemplateRow {
    pub id: String,
    pub name: String,
    #[sqlx(rename = "type")]
    pub kind: String,
    pub is_default: bool,
    pub body: String,
    pub created_ms: i64,
}

const COLUMNS: &str = "id, name, type, is_default, body, created_ms";

/// The template with this ID.
pub async fn get(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<Option<TemplateRow>> {
    let sql = format!("SELECT {COLUMNS} FROM jwt_templates WHERE project_id = ? AND id = ?");
    Ok(sqlx::query_as::<_, TemplateRow>(&sql).bind(scope).bind(id).fetch_optional(conn).await?)
}

/// The template of this type the project uses, if one is marked.
pub async fn get_default(conn: &mut Conn, scope: &Scope, kind: &str) -> ApiResult<Option<TemplateRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM jwt_templates WHERE project_id = ? AND type = ? AND is_default = 1 \
         ORDER BY created_ms, id LIMIT 1"
    );
    Ok(sqlx::query_as::<_, TemplateRow>(&sql).bind(scope).bind(kind).fetch_optional(conn).await?)
}

/// Every template of the scope, oldest first.
pub async fn list_all(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<TemplateRow>> {
    let sql = format!("SELECT {COLUMNS} FROM jwt_templates WHERE project_id = ? ORDER BY created_ms, id");
    super::rows_of_scope(conn, &sql, scope).await
}

/// Inserts a template or replaces the one with its ID; a name another template has fails as
/// `AlreadyExists`. A template marked default unmarks the others of its type.
pub async fn upsert(conn: &mut Conn, scope: &Scope, r: &TemplateRow) -> ApiResult<()> {
    if r.is_default {
        sqlx::query("UPDATE jwt_templates SET is_default = 0 WHERE project_id = ? AND type = ? AND id <> ?")
            .bind(scope)
            .bind(&r.kind)
            .bind(&r.id)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query(
        "INSERT INTO jwt_templates (project_id, id, name, type, is_default, body, created_ms) \
         VALUES (?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (project_id, id) DO UPDATE SET name = excluded.name, type = excluded.type, \
         is_default = excluded.is_default, body = excluded.body",
    )
    .bind(scope)
    .bind(&r.id)
    .bind(&r.name)
    .bind(&r.kind)
    .bind(r.is_default)
    .bind(&r.body)
    .bind(r.created_ms)
    .execute(conn)
    .await
    .on_unique(|| {
        ApiError::new(ErrorKind::AlreadyExists, format!("A JWT template named {} already exists", r.name))
    })?;
    Ok(())
}

/// Deletes a template; false when there was none.
pub async fn delete(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<bool> {
    let r = sqlx::query("DELETE FROM jwt_templates WHERE project_id = ? AND id = ?")
        .bind(scope)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() > 0)
}
