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
    /// COSE algorithm of the key; 0 when not known (imported), then read from the key.
    pub alg: i64,
    /// The last signature counter seen.
    pub sign_count: i64,
    /// Base64url WebAuthn user handle given at registration; empty when not known.
    pub user_handle: String,
    pub last_used_ms: Option<i64>,
}

const COLUMNS: &str = "user_id, credential_id, rp_id, kind, display_name, public_key, aaguid, transports, \
     created_ms, alg, sign_count, user_handle, last_used_ms";

/// Inserts a passkey, replacing one with the same credential ID.
pub async fn upsert(conn: &mut Conn, scope: &Scope, p: &PasskeyRow) -> ApiResult<()> {
    sqlx::query(
        "INSERT OR REPLACE INTO user_passkeys (project_id, user_id, credential_id, rp_id, kind, display_name, \
         public_key, aaguid, transports, created_ms, alg, sign_count, user_handle, last_used_ms) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
    .bind(p.alg)
    .bind(p.sign_count)
    .bind(&p.user_handle)
    .bind(p.last_used_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn list_of_user(conn: &mut Conn, scope: &Scope, user_id: &UserId) -> ApiResult<Vec<PasskeyRow>> {
    Ok(sqlx::query_as::<_, PasskeyRow>(&format!(
        "SELECT {COLUMNS} FROM user_passkeys WHERE project_id = ? AND user_id = ? ORDER BY created_ms, credential_id"
    ))
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

/// The passkeys of the project with this credential ID (of any user).
pub async fn find_by_credential_id(
    conn: &mut Conn,
    scope: &Scope,
    credential_id: &str,
) -> ApiResult<Vec<PasskeyRow>> {
    Ok(sqlx::query_as::<_, PasskeyRow>(&format!(
        "SELECT {COLUMNS} FROM user_passkeys WHERE project_id = ? AND credential_id = ? ORDER BY created_ms"
    ))
    .bind(scope)
    .bind(credential_id)
    .fetch_all(conn)
    .await?)
}

/// Every passkey of the project (to match credential IDs written in another base64 form).
pub async fn list_all(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<PasskeyRow>> {
    Ok(sqlx::query_as::<_, PasskeyRow>(&format!(
        "SELECT {COLUMNS} FROM user_passkeys WHERE project_id = ? ORDER BY created_ms, credential_id"
    ))
    .bind(scope)
    .fetch_all(conn)
    .await?)
}

/// Records a verified assertion: the new signature counter and when it was used.
pub async fn record_use(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &str,
    credential_id: &str,
    sign_count: i64,
    now_ms: i64,
) -> ApiResult<()> {
    sqlx::query(
        "UPDATE user_passkeys SET sign_count = ?, last_used_ms = ? \
         WHERE project_id = ? AND user_id = ? AND credential_id = ?",
    )
    .bind(sign_count)
    .bind(now_ms)
    .bind(scope)
    .bind(user_id)
    .bind(credential_id)
    .execute(conn)
    .await?;
    Ok(())
}
