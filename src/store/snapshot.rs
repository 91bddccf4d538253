//! Reads and writes only `GET|PUT /snapshot` needs: rows exported and restored exactly as
//! stored (IDs, timestamps, used marks), which the flows' own store functions set themselves.
//! The records are also the snapshot's JSON shapes (camelCase), so they are declared once.

use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use super::Conn;
use crate::error::ApiResult;
use crate::ids::{Scope, UserId};

// The snapshot gives roles and permissions the IDs it names; tenants.rs sets the IDs it mints
// the same way.
pub use super::tenants::{set_permission_id, set_role_id};

#[derive(Debug, Clone, Default, FromRow, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RecoveryCodeRecord {
    pub code_hash: String,
    pub created_ms: i64,
    pub used_ms: Option<i64>,
}

row_columns! {
    RecoveryCodeRecord => RECOVERY_CODE_COLUMNS, RECOVERY_CODE_PARAMS, bind_recovery_code {
        code_hash, created_ms, used_ms,
    }
}

pub async fn recovery_codes_of_user(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &UserId,
) -> ApiResult<Vec<RecoveryCodeRecord>> {
    let sql = format!(
        "SELECT {RECOVERY_CODE_COLUMNS} FROM recovery_codes WHERE project_id = ? AND user_id = ? ORDER BY rowid"
    );
    super::rows_of_user(conn, &sql, scope, user_id).await
}

pub async fn insert_recovery_code(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &UserId,
    r: &RecoveryCodeRecord,
) -> ApiResult<()> {
    let sql = format!(
        "INSERT INTO recovery_codes (project_id, user_id, {RECOVERY_CODE_COLUMNS}) \
         VALUES (?, ?, {RECOVERY_CODE_PARAMS})"
    );
    bind_recovery_code(sqlx::query(&sql).bind(scope).bind(user_id), r).execute(conn).await?;
    Ok(())
}

#[derive(Debug, Clone, Default, FromRow, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SecurityAnswerRecord {
    pub question_id: String,
    pub answer_hash: String,
    pub set_ms: i64,
}

row_columns! {
    SecurityAnswerRecord => SECURITY_ANSWER_COLUMNS, SECURITY_ANSWER_PARAMS, bind_security_answer {
        question_id, answer_hash, set_ms,
    }
}

/// A user's security answers in their order.
pub async fn security_answers_of_user(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &UserId,
) -> ApiResult<Vec<SecurityAnswerRecord>> {
    let sql = format!(
        "SELECT {SECURITY_ANSWER_COLUMNS} FROM security_answers WHERE project_id = ? AND user_id = ? \
         ORDER BY position"
    );
    super::rows_of_user(conn, &sql, scope, user_id).await
}

pub async fn insert_security_answer(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &UserId,
    position: i64,
    a: &SecurityAnswerRecord,
) -> ApiResult<()> {
    let sql = format!(
        "INSERT INTO security_answers (project_id, user_id, position, {SECURITY_ANSWER_COLUMNS}) \
         VALUES (?, ?, ?, {SECURITY_ANSWER_PARAMS})"
    );
    bind_security_answer(sqlx::query(&sql).bind(scope).bind(user_id).bind(position), a).execute(conn).await?;
    Ok(())
}

#[derive(Debug, Clone, Default, FromRow, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PasswordHistoryRecord {
    pub hash: String,
    pub set_ms: i64,
}

row_columns! {
    PasswordHistoryRecord => PASSWORD_HISTORY_COLUMNS, PASSWORD_HISTORY_PARAMS, bind_password_history {
        hash, set_ms,
    }
}

/// A user's password history, oldest first.
pub async fn password_history_of_user(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &UserId,
) -> ApiResult<Vec<PasswordHistoryRecord>> {
    let sql = format!(
        "SELECT {PASSWORD_HISTORY_COLUMNS} FROM password_history WHERE project_id = ? AND user_id = ? \
         ORDER BY set_ms, rowid"
    );
    super::rows_of_user(conn, &sql, scope, user_id).await
}

pub async fn insert_password_history(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &UserId,
    h: &PasswordHistoryRecord,
) -> ApiResult<()> {
    let sql = format!(
        "INSERT INTO password_history (project_id, user_id, {PASSWORD_HISTORY_COLUMNS}) \
         VALUES (?, ?, {PASSWORD_HISTORY_PARAMS})"
    );
    bind_password_history(sqlx::query(&sql).bind(scope).bind(user_id), h).execute(conn).await?;
    Ok(())
}
