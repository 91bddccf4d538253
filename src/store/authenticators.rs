//! The emulator's software authenticators and the credentials they hold.

use sqlx::FromRow;

use super::Conn;
use crate::error::ApiResult;
use crate::ids::Scope;

#[derive(Debug, Clone, Default, FromRow)]
pub struct AuthenticatorRow {
    pub id: String,
    pub has_resident_key: bool,
    pub is_user_verified: bool,
    /// COSE algorithm of the keys it makes.
    pub alg: i64,
    pub created_ms: i64,
}

#[derive(Debug, Clone, Default, FromRow)]
pub struct SoftCredentialRow {
    pub authenticator_id: String,
    /// Base64url.
    pub credential_id: String,
    pub rp_id: String,
    /// Base64url.
    pub user_handle: String,
    pub alg: i64,
    /// PKCS#8, standard base64.
    pub private_key: String,
    pub sign_count: i64,
    pub created_ms: i64,
}

pub async fn insert(conn: &mut Conn, scope: &Scope, a: &AuthenticatorRow) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO soft_authenticators (project_id, id, has_resident_key, is_user_verified, alg, created_ms) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(scope)
    .bind(&a.id)
    .bind(a.has_resident_key)
    .bind(a.is_user_verified)
    .bind(a.alg)
    .bind(a.created_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<Option<AuthenticatorRow>> {
    Ok(sqlx::query_as::<_, AuthenticatorRow>(
        "SELECT id, has_resident_key, is_user_verified, alg, created_ms FROM soft_authenticators \
         WHERE project_id = ? AND id = ?",
    )
    .bind(scope)
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

pub async fn list(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<AuthenticatorRow>> {
    Ok(sqlx::query_as::<_, AuthenticatorRow>(
        "SELECT id, has_resident_key, is_user_verified, alg, created_ms FROM soft_authenticators \
         WHERE project_id = ? ORDER BY created_ms, id",
    )
    .bind(scope)
    .fetch_all(conn)
    .await?)
}

/// Deletes an authenticator and its credentials; false when it did not exist.
pub async fn delete(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<bool> {
    sqlx::query("DELETE FROM soft_authenticator_credentials WHERE project_id = ? AND authenticator_id = ?")
        .bind(scope)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let r = sqlx::query("DELETE FROM soft_authenticators WHERE project_id = ? AND id = ?")
        .bind(scope)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() > 0)
}

const CREDENTIAL_COLUMNS: &str =
    "authenticator_id, credential_id, rp_id, user_handle, alg, private_key, sign_count, created_ms";

pub async fn insert_credential(conn: &mut Conn, scope: &Scope, c: &SoftCredentialRow) -> ApiResult<()> {
    sqlx::query(&format!(
        "INSERT OR REPLACE INTO soft_authenticator_credentials (project_id, {CREDENTIAL_COLUMNS}) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ))
    .bind(scope)
    .bind(&c.authenticator_id)
    .bind(&c.credential_id)
    .bind(&c.rp_id)
    .bind(&c.user_handle)
    .bind(c.alg)
    .bind(&c.private_key)
    .bind(c.sign_count)
    .bind(c.created_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// The credentials of an authenticator, oldest first.
pub async fn credentials(
    conn: &mut Conn,
    scope: &Scope,
    authenticator_id: &str,
) -> ApiResult<Vec<SoftCredentialRow>> {
    Ok(sqlx::query_as::<_, SoftCredentialRow>(&format!(
        "SELECT {CREDENTIAL_COLUMNS} FROM soft_authenticator_credentials \
         WHERE project_id = ? AND authenticator_id = ? ORDER BY created_ms, rowid"
    ))
    .bind(scope)
    .bind(authenticator_id)
    .fetch_all(conn)
    .await?)
}

/// Sets a credential's signature counter.
pub async fn set_sign_count(
    conn: &mut Conn,
    scope: &Scope,
    authenticator_id: &str,
    credential_id: &str,
    sign_count: i64,
) -> ApiResult<()> {
    sqlx::query(
        "UPDATE soft_authenticator_credentials SET sign_count = ? \
         WHERE project_id = ? AND authenticator_id = ? AND credential_id = ?",
    )
    .bind(sign_count)
    .bind(scope)
    .bind(authenticator_id)
    .bind(credential_id)
    .execute(conn)
    .await?;
    Ok(())
}
