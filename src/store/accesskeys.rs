//! Access keys. The cleartext is never stored, only its SHA-256 (`secret_hash`).

use sqlx::FromRow;

use super::Conn;
use crate::error::ApiResult;
use crate::ids::Scope;

/// One access key; `role_names`, `key_tenants`, `custom_claims`, `permitted_ips` and
/// `custom_attributes` are JSON text.
#[derive(Debug, Clone, FromRow)]
pub struct AccessKeyRow {
    pub id: String,
    pub name: String,
    pub secret_hash: String,
    pub status: String,
    pub created_ms: i64,
    pub expire_secs: i64,
    pub created_by: String,
    pub client_id: String,
    pub bound_user_id: String,
    pub role_names: String,
    pub key_tenants: String,
    pub custom_claims: String,
    pub description: String,
    pub permitted_ips: String,
    pub custom_attributes: String,
}

row_columns! {
    /// The columns of a key set once, when it is created.
    AccessKeyRow => FIXED_COLUMNS, FIXED_PARAMS, bind_fixed { id, created_ms, created_by, client_id }
}

row_columns! {
    /// The columns of a key that [`update`] writes.
    AccessKeyRow => MUTABLE_COLUMNS, MUTABLE_PARAMS, bind_mutable {
        name, secret_hash, status, expire_secs, bound_user_id, role_names, key_tenants,
        custom_claims, description, permitted_ips, custom_attributes,
    }
}

pub async fn insert(conn: &mut Conn, scope: &Scope, k: &AccessKeyRow) -> Result<(), sqlx::Error> {
    let sql = format!(
        "INSERT INTO access_keys (project_id, {FIXED_COLUMNS}, {MUTABLE_COLUMNS}) \
         VALUES (?, {FIXED_PARAMS}, {MUTABLE_PARAMS})"
    );
    bind_mutable(bind_fixed(sqlx::query(&sql).bind(scope), k), k).execute(conn).await?;
    Ok(())
}

/// Writes every mutable field of a key (name, status, secret, grants, claims, ...).
pub async fn update(conn: &mut Conn, scope: &Scope, k: &AccessKeyRow) -> Result<(), sqlx::Error> {
    let sql = format!(
        "UPDATE access_keys SET ({MUTABLE_COLUMNS}) = ({MUTABLE_PARAMS}) WHERE project_id = ? AND id = ?"
    );
    bind_mutable(sqlx::query(&sql), k).bind(scope).bind(&k.id).execute(conn).await?;
    Ok(())
}

pub async fn get(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<Option<AccessKeyRow>> {
    Ok(sqlx::query_as::<_, AccessKeyRow>(&format!(
        "SELECT {FIXED_COLUMNS}, {MUTABLE_COLUMNS} FROM access_keys WHERE project_id = ? AND id = ?"
    ))
    .bind(scope)
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

pub async fn get_by_secret_hash(
    conn: &mut Conn,
    scope: &Scope,
    hash: &str,
) -> ApiResult<Option<AccessKeyRow>> {
    Ok(sqlx::query_as::<_, AccessKeyRow>(&format!(
        "SELECT {FIXED_COLUMNS}, {MUTABLE_COLUMNS} FROM access_keys WHERE project_id = ? AND secret_hash = ?"
    ))
    .bind(scope)
    .bind(hash)
    .fetch_optional(conn)
    .await?)
}

/// Every key of the project, oldest first.
pub async fn list_all(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<AccessKeyRow>> {
    let sql = format!(
        "SELECT {FIXED_COLUMNS}, {MUTABLE_COLUMNS} FROM access_keys WHERE project_id = ? ORDER BY created_ms, id"
    );
    super::rows_of_scope(conn, &sql, scope).await
}

pub async fn delete(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<bool> {
    let r = sqlx::query("DELETE FROM access_keys WHERE project_id = ? AND id = ?")
        .bind(scope)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() > 0)
}
