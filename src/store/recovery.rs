//! Recovery codes (hashes) and security question answers (hashes) of users.

use sqlx::FromRow;

use super::Conn;
use crate::error::ApiResult;
use crate::ids::{Scope, UserId};

#[derive(Debug, Clone, FromRow)]
pub struct RecoveryCodeRow {
    pub code_hash: String,
    pub used_ms: Option<i64>,
}

/// Replaces a user's recovery codes with new hashes.
pub async fn replace_codes(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &UserId,
    hashes: &[String],
    now_ms: i64,
) -> ApiResult<()> {
    sqlx::query("DELETE FROM recovery_codes WHERE project_id = ? AND user_id = ?")
        .bind(scope)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for h in hashes {
        sqlx::query(
            "INSERT INTO recovery_codes (project_id, user_id, code_hash, created_ms) VALUES (?, ?, ?, ?)",
        )
        .bind(scope)
        .bind(user_id)
        .bind(h)
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Marks an unused code of a user used; false when there is no such unused code.
pub async fn use_code(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &UserId,
    hash: &str,
    now_ms: i64,
) -> ApiResult<bool> {
    let r = sqlx::query(
        "UPDATE recovery_codes SET used_ms = ? WHERE project_id = ? AND user_id = ? AND code_hash = ? AND used_ms IS NULL",
    )
    .bind(now_ms)
    .bind(scope)
    .bind(user_id)
    .bind(hash)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() > 0)
}

#[derive(Debug, Clone, FromRow)]
pub struct AnswerRow {
    pub question_id: String,
    pub answer_hash: String,
}

/// Replaces a user's security question answers; `answers` is `(question ID, hash)` in order.
pub async fn replace_answers(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &UserId,
    answers: &[(String, String)],
    now_ms: i64,
) -> ApiResult<()> {
    sqlx::query("DELETE FROM security_answers WHERE project_id = ? AND user_id = ?")
        .bind(scope)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for (position, (id, hash)) in answers.iter().enumerate() {
        sqlx::query(
            "INSERT INTO security_answers (project_id, user_id, question_id, position, answer_hash, set_ms) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(scope)
        .bind(user_id)
        .bind(id)
        .bind(position as i64)
        .bind(hash)
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A user's security question answers, in the order they were set up.
pub async fn answers(conn: &mut Conn, scope: &Scope, user_id: &UserId) -> ApiResult<Vec<AnswerRow>> {
    Ok(sqlx::query_as::<_, AnswerRow>(
        "SELECT question_id, answer_hash FROM security_answers WHERE project_id = ? AND user_id = ? ORDER BY position",
    )
    .bind(scope)
    .bind(user_id)
    .fetch_all(conn)
    .await?)
}
