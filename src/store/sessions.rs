//! Issued refresh tokens: logout revokes one, logoutall every one of a user's.

use sqlx::FromRow;

use super::Conn;
use crate::error::ApiResult;
use crate::ids::{Scope, UserId};

#[derive(Debug, Clone, FromRow)]
pub struct RefreshRow {
    pub jti: String,
    pub user_id: String,
    pub issued_ms: i64,
    pub expires_ms: i64,
    pub revoked_ms: Option<i64>,
}

pub async fn insert(conn: &mut Conn, scope: &Scope, r: &RefreshRow) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO refresh_tokens (project_id, jti, user_id, issued_ms, expires_ms, revoked_ms) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(scope)
    .bind(&r.jti)
    .bind(&r.user_id)
    .bind(r.issued_ms)
    .bind(r.expires_ms)
    .bind(r.revoked_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut Conn, scope: &Scope, jti: &str) -> ApiResult<Option<RefreshRow>> {
    Ok(sqlx::query_as::<_, RefreshRow>(
        "SELECT jti, user_id, issued_ms, expires_ms, revoked_ms FROM refresh_tokens WHERE project_id = ? AND jti = ?",
    )
    .bind(scope)
    .bind(jti)
    .fetch_optional(conn)
    .await?)
}

pub async fn revoke(conn: &mut Conn, scope: &Scope, jti: &str, now_ms: i64) -> ApiResult<()> {
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_ms = ? WHERE project_id = ? AND jti = ? AND revoked_ms IS NULL",
    )
    .bind(now_ms)
    .bind(scope)
    .bind(jti)
    .execute(conn)
    .await?;
    Ok(())
}

/// Revokes every live refresh token of a user, except `keep` if given.
pub async fn revoke_all_of_user(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &UserId,
    keep: Option<&str>,
    now_ms: i64,
) -> ApiResult<u64> {
    let r = sqlx::query(
        "UPDATE refresh_tokens SET revoked_ms = ? WHERE project_id = ? AND user_id = ? AND revoked_ms IS NULL \
         AND (? IS NULL OR jti != ?)",
    )
    .bind(now_ms)
    .bind(scope)
    .bind(user_id)
    .bind(keep)
    .bind(keep)
    .execute(conn)
    .await?;
    Ok(r.rows_affected())
}
