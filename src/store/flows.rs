//! Executions of hosted flows (`flow_executions`).

use sqlx::FromRow;

use super::Conn;
use crate::error::ApiResult;
use crate::ids::Scope;

/// One run of a flow; `state` is the engine's JSON.
#[derive(Debug, Clone, Default, FromRow)]
pub struct ExecutionRow {
    pub id: String,
    pub flow_id: String,
    pub step: i64,
    pub status: String,
    pub state: String,
    pub created_ms: i64,
    pub expires_ms: i64,
}

row_columns! {
    ExecutionRow => EXECUTION_COLUMNS, EXECUTION_PARAMS, bind_execution {
        id, flow_id, step, status, state, created_ms, expires_ms
    }
}

pub async fn insert(conn: &mut Conn, scope: &Scope, row: &ExecutionRow) -> ApiResult<()> {
    let sql = format!(
        "INSERT INTO flow_executions (project_id, {EXECUTION_COLUMNS}) VALUES (?, {EXECUTION_PARAMS})"
    );
    bind_execution(sqlx::query(&sql).bind(scope), row).execute(conn).await?;
    Ok(())
}

pub async fn get(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<Option<ExecutionRow>> {
    let sql = format!("SELECT {EXECUTION_COLUMNS} FROM flow_executions WHERE project_id = ? AND id = ?");
    Ok(sqlx::query_as::<_, ExecutionRow>(&sql).bind(scope).bind(id).fetch_optional(conn).await?)
}

/// Saves the execution's new step, status and state.
pub async fn update(conn: &mut Conn, scope: &Scope, row: &ExecutionRow) -> ApiResult<()> {
    sqlx::query("UPDATE flow_executions SET step = ?, status = ?, state = ? WHERE project_id = ? AND id = ?")
        .bind(row.step)
        .bind(&row.status)
        .bind(&row.state)
        .bind(scope)
        .bind(&row.id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Drops the project's executions that expired before `now_ms`.
pub async fn purge_expired(conn: &mut Conn, scope: &Scope, now_ms: i64) -> ApiResult<()> {
    sqlx::query("DELETE FROM flow_executions WHERE project_id = ? AND expires_ms < ?")
        .bind(scope)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(())
}
