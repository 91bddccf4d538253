//! Passkeys (WebAuthn credentials) of users.

use sqlx::FromRow;

use super::Conn;
use crate::error::ApiResult;
use crate::ids::{Scope, UserId};

#[derive(Debug, Clone, Default, FromRow)]
pub struct PasskeyRow {
    pub user_id: String,
    pub credential_id: String,
    pub rp_id: String,
    pub kind: String,
    pub display_name: String,
    /// Base64, as imported.
    pub public_key: String,
    pub aaguid: String,
    /// JSON array of transport names.
    pub transports: String,
    pub created_ms: i64,
}

/// Inserts a passkey, replacing one with the same credential ID.
pub async fn upsert(conn: &mut Conn, scope: &Scope, p: &PasskeyRow) -> ApiResult<()> {
    sqlx::query(
        "INSERT OR REPLACE INTO user_passkeys (project_id, user_id, credential_id, rp_id, kind, display_name, \
         public_key, aaguid, transports, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(scope)
    .bind(&p.user_id)
    .bind(&p.credential_id)
    .bind(&p.rp_id)
    .bind(&p.kind)
    .bind(&p.display_name)
    .bind(&p.public_key)
    .bind(&p.aaguid)
    .bind(&p.transports)
    .bind(p.created_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn list_of_user(conn: &mut Conn, scope: &Scope, user_id: &UserId) -> ApiResult<Vec<PasskeyRow>> {
    Ok(sqlx::query_as::<_, PasskeyRow>(
        "SELECT user_id, credential_id, rp_id, kind, display_name, public_key, aaguid, transports, created_ms \
         FROM user_passkeys WHERE project_id = ? AND user_id = ? ORDER BY created_ms, credential_id",
    )
    .bind(scope)
    .bind(user_id)
    .fetch_all(conn)
    .await?)
}

/// Deletes one passkey of a user; false when it did not exist.
pub async fn delete(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &UserId,
    credential_id: &str,
) -> ApiResult<bool> {
    let r =
        sqlx::query("DELETE FROM user_passkeys WHERE project_id = ? AND user_id = ? AND credential_id = ?")
            .bind(scope)
            .bind(user_id)
            .bind(credential_id)
            .execute(conn)
            .await?;
    Ok(r.rows_affected() > 0)
}

/// Deletes every passkey of a user, giving how many there were.
pub async fn delete_all_of_user(conn: &mut Conn, scope: &Scope, user_id: &UserId) -> ApiResult<u64> {
    let r = sqlx::query("DELETE FROM user_passkeys WHERE project_id = ? AND user_id = ?")
        .bind(scope)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected())
}
