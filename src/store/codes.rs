//! Pending one-time secrets of the passwordless methods (one table for all of them).

use sqlx::FromRow;

use super::Conn;
use crate::error::ApiResult;
use crate::ids::Scope;

#[derive(Debug, Clone, FromRow)]
pub struct CodeRow {
    pub id: i64,
    pub method: String,
    pub channel: String,
    pub purpose: String,
    pub login_id: String,
    pub code: Option<String>,
    pub token: Option<String>,
    pub payload: String,
    pub attempts: i64,
    pub expires_ms: i64,
    pub consumed_ms: Option<i64>,
    pub created_ms: i64,
    /// The reference a polled flow (enchanted link, NOTP) is fetched by.
    pub pending_ref: Option<String>,
    /// When the link of a polled flow was followed.
    pub verified_ms: Option<i64>,
}

const COLUMNS: &str = "id, method, channel, purpose, login_id, code, token, payload, attempts, expires_ms, \
     consumed_ms, created_ms, pending_ref, verified_ms";

pub async fn insert(conn: &mut Conn, scope: &Scope, c: &CodeRow) -> ApiResult<i64> {
    let r = sqlx::query(
        "INSERT INTO codes (project_id, method, channel, purpose, login_id, code, token, payload, attempts, expires_ms, \
         created_ms, pending_ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
    )
    .bind(scope)
    .bind(&c.method)
    .bind(&c.channel)
    .bind(&c.purpose)
    .bind(&c.login_id)
    .bind(&c.code)
    .bind(&c.token)
    .bind(&c.payload)
    .bind(c.expires_ms)
    .bind(c.created_ms)
    .bind(&c.pending_ref)
    .execute(conn)
    .await?;
    Ok(r.last_insert_rowid())
}

/// Live (unconsumed, unexpired) codes of a login ID for a method and channel, newest first.
pub async fn live_for_login(
    conn: &mut Conn,
    scope: &Scope,
    login_id: &str,
    method: &str,
    channel: &str,
    now_ms: i64,
) -> ApiResult<Vec<CodeRow>> {
    Ok(sqlx::query_as::<_, CodeRow>(&format!(
        "SELECT {COLUMNS} FROM codes WHERE project_id = ? AND login_id = ? AND method = ? AND channel = ? \
         AND consumed_ms IS NULL AND expires_ms > ? ORDER BY id DESC"
    ))
    .bind(scope)
    .bind(login_id)
    .bind(method)
    .bind(channel)
    .bind(now_ms)
    .fetch_all(conn)
    .await?)
}

pub async fn get_by_token(conn: &mut Conn, scope: &Scope, token: &str) -> ApiResult<Option<CodeRow>> {
    Ok(sqlx::query_as::<_, CodeRow>(&format!(
        "SELECT {COLUMNS} FROM codes WHERE project_id = ? AND token = ?"
    ))
    .bind(scope)
    .bind(token)
    .fetch_optional(conn)
    .await?)
}

pub async fn get_by_pending_ref(
    conn: &mut Conn,
    scope: &Scope,
    pending_ref: &str,
) -> ApiResult<Option<CodeRow>> {
    Ok(sqlx::query_as::<_, CodeRow>(&format!(
        "SELECT {COLUMNS} FROM codes WHERE project_id = ? AND pending_ref = ?"
    ))
    .bind(scope)
    .bind(pending_ref)
    .fetch_optional(conn)
    .await?)
}

/// Marks the link of a polled flow followed, naming the login ID when the flow started
/// without one (NOTP); false when it was already followed.
pub async fn mark_verified(
    conn: &mut Conn,
    scope: &Scope,
    id: i64,
    login_id: &str,
    now_ms: i64,
) -> ApiResult<bool> {
    let r = sqlx::query(
        "UPDATE codes SET verified_ms = ?, login_id = ? WHERE project_id = ? AND id = ? AND verified_ms IS NULL",
    )
    .bind(now_ms)
    .bind(login_id)
    .bind(scope)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Marks a code used; false when it was already used (a replay).
pub async fn consume(conn: &mut Conn, scope: &Scope, id: i64, now_ms: i64) -> ApiResult<bool> {
    let r = sqlx::query(
        "UPDATE codes SET consumed_ms = ? WHERE project_id = ? AND id = ? AND consumed_ms IS NULL",
    )
    .bind(now_ms)
    .bind(scope)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Counts a failed attempt against the given codes.
pub async fn add_attempt(conn: &mut Conn, scope: &Scope, ids: &[i64]) -> ApiResult<()> {
    for id in ids {
        sqlx::query("UPDATE codes SET attempts = attempts + 1 WHERE project_id = ? AND id = ?")
            .bind(scope)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
