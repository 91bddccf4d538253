//! Password credential state (temporary flag, set time, failed attempts, locks) and the
//! history of password hashes. The hash itself and the TOTP secret live on `users`.

use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use super::Conn;
use crate::error::ApiResult;
use crate::ids::{Scope, UserId};

/// Also the snapshot's `passwordCredential` (`crate::fixtures`), without the user ID.
#[derive(Debug, Clone, Default, FromRow, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PasswordRow {
    #[serde(skip)]
    pub user_id: String,
    /// Set by management as temporary: must be replaced before it signs in.
    pub temporary: bool,
    /// Expired by management (`/v1/mgmt/user/password/expire`).
    pub expired: bool,
    pub set_ms: i64,
    /// Failed sign-ins since the last successful one.
    pub failed_attempts: i64,
    /// Locked until the password is reset or set again.
    pub locked: bool,
    /// Temporarily locked until this time.
    pub locked_until_ms: Option<i64>,
}

pub async fn get_password(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &UserId,
) -> ApiResult<Option<PasswordRow>> {
    Ok(sqlx::query_as::<_, PasswordRow>(
        "SELECT user_id, temporary, expired, set_ms, failed_attempts, locked, locked_until_ms \
         FROM password_credentials WHERE project_id = ? AND user_id = ?",
    )
    .bind(scope)
    .bind(user_id)
    .fetch_optional(conn)
    .await?)
}

pub async fn upsert_password(conn: &mut Conn, scope: &Scope, p: &PasswordRow) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO password_credentials \
         (project_id, user_id, temporary, expired, set_ms, failed_attempts, locked, locked_until_ms) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (project_id, user_id) DO UPDATE SET temporary = excluded.temporary, \
         expired = excluded.expired, set_ms = excluded.set_ms, \
         failed_attempts = excluded.failed_attempts, locked = excluded.locked, \
         locked_until_ms = excluded.locked_until_ms",
    )
    .bind(scope)
    .bind(&p.user_id)
    .bind(p.temporary)
    .bind(p.expired)
    .bind(p.set_ms)
    .bind(p.failed_attempts)
    .bind(p.locked)
    .bind(p.locked_until_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a password hash in the user's history and keeps only the newest `keep`.
pub async fn push_history(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &UserId,
    hash: &str,
    set_ms: i64,
    keep: i64,
) -> ApiResult<()> {
    sqlx::query("INSERT INTO password_history (project_id, user_id, hash, set_ms) VALUES (?, ?, ?, ?)")
        .bind(scope)
        .bind(user_id)
        .bind(hash)
        .bind(set_ms)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "DELETE FROM password_history WHERE project_id = ? AND user_id = ? AND rowid NOT IN \
         (SELECT rowid FROM password_history WHERE project_id = ? AND user_id = ? \
          ORDER BY set_ms DESC, rowid DESC LIMIT ?)",
    )
    .bind(scope)
    .bind(user_id)
    .bind(scope)
    .bind(user_id)
    .bind(keep)
    .execute(conn)
    .await?;
    Ok(())
}

/// The newest `limit` password hashes of a user, newest first.
pub async fn recent_history(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &UserId,
    limit: i64,
) -> ApiResult<Vec<String>> {
    Ok(sqlx::query_scalar::<_, String>(
        "SELECT hash FROM password_history WHERE project_id = ? AND user_id = ? \
         ORDER BY set_ms DESC, rowid DESC LIMIT ?",
    )
    .bind(scope)
    .bind(user_id)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}
