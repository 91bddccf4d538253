//! Declared user custom attributes.

use sqlx::FromRow;

use super::Conn;
use crate::error::ApiResult;
use crate::ids::Scope;

#[derive(Debug, Clone, Default, FromRow)]
pub struct CustomAttributeRow {
    pub name: String,
    pub display_name: String,
    pub r#type: i64,
    /// JSON array of `{value, label}`.
    pub options: String,
    /// JSON value.
    pub default_value: String,
    pub view_permissions: String,
    pub edit_permissions: String,
    pub created_ms: i64,
}

const COLUMNS: &str =
    "name, display_name, type, options, default_value, view_permissions, edit_permissions, created_ms";

/// Inserts or replaces the attribute of that name.
pub async fn upsert(conn: &mut Conn, scope: &Scope, a: &CustomAttributeRow) -> ApiResult<()> {
    sqlx::query(&format!(
        "INSERT OR REPLACE INTO custom_attributes (project_id, {COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ))
    .bind(scope)
    .bind(&a.name)
    .bind(&a.display_name)
    .bind(a.r#type)
    .bind(&a.options)
    .bind(&a.default_value)
    .bind(&a.view_permissions)
    .bind(&a.edit_permissions)
    .bind(a.created_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete(conn: &mut Conn, scope: &Scope, name: &str) -> ApiResult<bool> {
    let r = sqlx::query("DELETE FROM custom_attributes WHERE project_id = ? AND name = ?")
        .bind(scope)
        .bind(name)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() > 0)
}

pub async fn list(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<CustomAttributeRow>> {
    Ok(sqlx::query_as::<_, CustomAttributeRow>(&format!(
        "SELECT {COLUMNS} FROM custom_attributes WHERE project_id = ? ORDER BY created_ms, name"
    ))
    .bind(scope)
    .fetch_all(conn)
    .await?)
}
