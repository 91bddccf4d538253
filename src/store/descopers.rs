//! Descopers, the console users of a project (`descopers`).

use sqlx::FromRow;

use super::Conn;
use crate::error::ApiResult;
use crate::ids::Scope;

/// One descoper; `attributes` and `rbac` are JSON objects.
#[derive(Debug, Clone, Default, FromRow)]
pub struct DescoperRow {
    pub id: String,
    pub login_id: String,
    pub attributes: String,
    pub rbac: String,
    pub status: String,
    pub created_ms: i64,
}

row_columns! {
    DescoperRow => DESCOPER_COLUMNS, DESCOPER_PARAMS, bind_descoper {
        id, login_id, attributes, rbac, status, created_ms
    }
}

pub async fn insert(conn: &mut Conn, scope: &Scope, row: &DescoperRow) -> ApiResult<()> {
    let sql = format!("INSERT INTO descopers (project_id, {DESCOPER_COLUMNS}) VALUES (?, {DESCOPER_PARAMS})");
    bind_descoper(sqlx::query(&sql).bind(scope), row).execute(conn).await?;
    Ok(())
}

pub async fn get(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<Option<DescoperRow>> {
    let sql = format!("SELECT {DESCOPER_COLUMNS} FROM descopers WHERE project_id = ? AND id = ?");
    Ok(sqlx::query_as::<_, DescoperRow>(&sql).bind(scope).bind(id).fetch_optional(conn).await?)
}

pub async fn login_id_taken(conn: &mut Conn, scope: &Scope, login_id: &str) -> ApiResult<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM descopers WHERE project_id = ? AND login_id = ?")
        .bind(scope)
        .bind(login_id)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

pub async fn list(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<DescoperRow>> {
    let sql =
        format!("SELECT {DESCOPER_COLUMNS} FROM descopers WHERE project_id = ? ORDER BY created_ms, rowid");
    super::rows_of_scope(conn, &sql, scope).await
}

pub async fn update(conn: &mut Conn, scope: &Scope, row: &DescoperRow) -> ApiResult<()> {
    sqlx::query("UPDATE descopers SET attributes = ?, rbac = ? WHERE project_id = ? AND id = ?")
        .bind(&row.attributes)
        .bind(&row.rbac)
        .bind(scope)
        .bind(&row.id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<bool> {
    let r = sqlx::query("DELETE FROM descopers WHERE project_id = ? AND id = ?")
        .bind(scope)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() > 0)
}
