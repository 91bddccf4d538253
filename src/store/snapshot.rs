//! Reads and writes only `GET|PUT /snapshot` needs: rows exported and restored exactly as
//! stored (IDs, timestamps, used marks), which the flows' own store functions set themselves.
//! The records are also the snapshot's JSON shapes (camelCase), so they are declared once.

use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use super::Conn;
use crate::error::ApiResult;
use crate::ids::{Scope, TenantId, UserId};

#[derive(Debug, Clone, Default, FromRow, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RecoveryCodeRecord {
    pub code_hash: String,
    pub created_ms: i64,
    pub used_ms: Option<i64>,
}

pub async fn recovery_codes_of_user(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &UserId,
) -> ApiResult<Vec<RecoveryCodeRecord>> {
    Ok(sqlx::query_as::<_, RecoveryCodeRecord>(
        "SELECT code_hash, created_ms, used_ms FROM recovery_codes WHERE project_id = ? AND user_id = ? \
         ORDER BY rowid",
    )
    .bind(scope)
    .bind(user_id)
    .fetch_all(conn)
    .await?)
}

pub async fn insert_recovery_code(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &UserId,
    r: &RecoveryCodeRecord,
) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO recovery_codes (project_id, user_id, code_hash, created_ms, used_ms) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(scope)
    .bind(user_id)
    .bind(&r.code_hash)
    .bind(r.created_ms)
    .bind(r.used_ms)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Default, FromRow, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SecurityAnswerRecord {
    pub question_id: String,
    pub answer_hash: String,
    pub set_ms: i64,
}

/// A user's security answers in their order.
pub async fn security_answers_of_user(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &UserId,
) -> ApiResult<Vec<SecurityAnswerRecord>> {
    Ok(sqlx::query_as::<_, SecurityAnswerRecord>(
        "SELECT question_id, answer_hash, set_ms FROM security_answers WHERE project_id = ? AND user_id = ? \
         ORDER BY position",
    )
    .bind(scope)
    .bind(user_id)
    .fetch_all(conn)
    .await?)
}

pub async fn insert_security_answer(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &UserId,
    position: i64,
    a: &SecurityAnswerRecord,
) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO security_answers (project_id, user_id, question_id, position, answer_hash, set_ms) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(scope)
    .bind(user_id)
    .bind(&a.question_id)
    .bind(position)
    .bind(&a.answer_hash)
    .bind(a.set_ms)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Default, FromRow, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PasswordHistoryRecord {
    pub hash: String,
    pub set_ms: i64,
}

/// A user's password history, oldest first.
pub async fn password_history_of_user(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &UserId,
) -> ApiResult<Vec<PasswordHistoryRecord>> {
    Ok(sqlx::query_as::<_, PasswordHistoryRecord>(
        "SELECT hash, set_ms FROM password_history WHERE project_id = ? AND user_id = ? ORDER BY set_ms, rowid",
    )
    .bind(scope)
    .bind(user_id)
    .fetch_all(conn)
    .await?)
}

pub async fn insert_password_history(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &UserId,
    h: &PasswordHistoryRecord,
) -> ApiResult<()> {
    sqlx::query("INSERT INTO password_history (project_id, user_id, hash, set_ms) VALUES (?, ?, ?, ?)")
        .bind(scope)
        .bind(user_id)
        .bind(&h.hash)
        .bind(h.set_ms)
        .execute(conn)
        .await?;
    Ok(())
}

/// Gives a role (by tenant and name) the ID a snapshot names.
pub async fn set_role_id(
    conn: &mut Conn,
    scope: &Scope,
    tenant_id: &TenantId,
    name: &str,
    id: &str,
) -> ApiResult<()> {
    sqlx::query("UPDATE roles SET id = ? WHERE project_id = ? AND tenant_id = ? AND name = ?")
        .bind(id)
        .bind(scope)
        .bind(tenant_id)
        .bind(name)
        .execute(conn)
        .await?;
    Ok(())
}

/// Gives a permission (by name) the ID a snapshot names.
pub async fn set_permission_id(conn: &mut Conn, scope: &Scope, name: &str, id: &str) -> ApiResult<()> {
    sqlx::query("UPDATE permissions SET id = ? WHERE project_id = ? AND name = ?")
        .bind(id)
        .bind(scope)
        .bind(name)
        .execute(conn)
        .await?;
    Ok(())
}
