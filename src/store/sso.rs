//! Tenant SSO configurations (`sso_settings`).

use sqlx::FromRow;

use super::Conn;
use crate::error::ApiResult;
use crate::ids::Scope;

/// One SSO configuration of a tenant; `sso_id` is `''` for the tenant's default one.
#[derive(Debug, Clone, Default, FromRow)]
pub struct SsoRow {
    pub tenant_id: String,
    pub sso_id: String,
    pub display_name: String,
    /// JSON of the domain's `SsoConfig`.
    pub config: String,
    pub created_ms: i64,
}

row_columns! {
    SsoRow => SSO_COLUMNS, SSO_PARAMS, bind_sso { tenant_id, sso_id, display_name, config, created_ms }
}

/// One configuration of a tenant.
pub async fn get(conn: &mut Conn, scope: &Scope, tenant_id: &str, sso_id: &str) -> ApiResult<Option<SsoRow>> {
    let sql = format!(
        "SELECT {SSO_COLUMNS} FROM sso_settings WHERE project_id = ? AND tenant_id = ? AND sso_id = ?"
    );
    Ok(sqlx::query_as::<_, SsoRow>(&sql)
        .bind(scope)
        .bind(tenant_id)
        .bind(sso_id)
        .fetch_optional(conn)
        .await?)
}

/// Every configuration of a tenant, the default one first, then by creation.
pub async fn list_of_tenant(conn: &mut Conn, scope: &Scope, tenant_id: &str) -> ApiResult<Vec<SsoRow>> {
    let sql = format!(
        "SELECT {SSO_COLUMNS} FROM sso_settings WHERE project_id = ? AND tenant_id = ? \
         ORDER BY sso_id != '', created_ms, sso_id"
    );
    Ok(sqlx::query_as::<_, SsoRow>(&sql).bind(scope).bind(tenant_id).fetch_all(conn).await?)
}

/// Every configuration of the scope (snapshots, routing by domain).
pub async fn list_all(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<SsoRow>> {
    let sql = format!(
        "SELECT {SSO_COLUMNS} FROM sso_settings WHERE project_id = ? ORDER BY tenant_id, sso_id != '', created_ms, sso_id"
    );
    super::rows_of_scope(conn, &sql, scope).await
}

/// Inserts a configuration or replaces the one with its tenant and SSO ID.
pub async fn upsert(conn: &mut Conn, scope: &Scope, row: &SsoRow) -> ApiResult<()> {
    let sql =
        format!("INSERT OR REPLACE INTO sso_settings (project_id, {SSO_COLUMNS}) VALUES (?, {SSO_PARAMS})");
    bind_sso(sqlx::query(&sql).bind(scope), row).execute(conn).await?;
    Ok(())
}

/// Deletes one configuration; false when there was none.
pub async fn delete(conn: &mut Conn, scope: &Scope, tenant_id: &str, sso_id: &str) -> ApiResult<bool> {
    let r = sqlx::query("DELETE FROM sso_settings WHERE project_id = ? AND tenant_id = ? AND sso_id = ?")
        .bind(scope)
        .bind(tenant_id)
        .bind(sso_id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() > 0)
}
