//! Tenant admin links (`admin_links`).

use sqlx::FromRow;

use super::Conn;
use crate::error::ApiResult;
use crate::ids::Scope;

/// One SSO setup link of a tenant; `sso_id` is `''` for the tenant's default configuration.
#[derive(Debug, Clone, Default, FromRow)]
pub struct AdminLinkRow {
    pub token: String,
    pub tenant_id: String,
    pub sso_id: String,
    pub email: String,
    pub actor_id: String,
    pub created_ms: i64,
    pub expires_ms: i64,
    pub revoked: bool,
}

row_columns! {
    AdminLinkRow => LINK_COLUMNS, LINK_PARAMS, bind_link {
        token, tenant_id, sso_id, email, actor_id, created_ms, expires_ms, revoked
    }
}

pub async fn insert(conn: &mut Conn, scope: &Scope, row: &AdminLinkRow) -> ApiResult<()> {
    let sql = format!("INSERT INTO admin_links (project_id, {LINK_COLUMNS}) VALUES (?, {LINK_PARAMS})");
    bind_link(sqlx::query(&sql).bind(scope), row).execute(conn).await?;
    Ok(())
}

pub async fn get(conn: &mut Conn, scope: &Scope, token: &str) -> ApiResult<Option<AdminLinkRow>> {
    let sql = format!("SELECT {LINK_COLUMNS} FROM admin_links WHERE project_id = ? AND token = ?");
    Ok(sqlx::query_as::<_, AdminLinkRow>(&sql).bind(scope).bind(token).fetch_optional(conn).await?)
}

/// The newest live (unrevoked, unexpired at `now_ms`) link of a tenant's configuration.
pub async fn latest_live(
    conn: &mut Conn,
    scope: &Scope,
    tenant_id: &str,
    sso_id: &str,
    now_ms: i64,
) -> ApiResult<Option<AdminLinkRow>> {
    let sql = format!(
        "SELECT {LINK_COLUMNS} FROM admin_links WHERE project_id = ? AND tenant_id = ? AND sso_id = ? \
         AND revoked = 0 AND expires_ms > ? ORDER BY created_ms DESC, rowid DESC LIMIT 1"
    );
    Ok(sqlx::query_as::<_, AdminLinkRow>(&sql)
        .bind(scope)
        .bind(tenant_id)
        .bind(sso_id)
        .bind(now_ms)
        .fetch_optional(conn)
        .await?)
}

/// Revokes the live links of a tenant (of one configuration when `sso_id` is given);
/// answers how many.
pub async fn revoke(conn: &mut Conn, scope: &Scope, tenant_id: &str, sso_id: Option<&str>) -> ApiResult<u64> {
    let done =
        match sso_id {
            Some(sso) => sqlx::query(
                "UPDATE admin_links SET revoked = 1 WHERE project_id = ? AND tenant_id = ? AND sso_id = ? \
                 AND revoked = 0",
            )
            .bind(scope)
            .bind(tenant_id)
            .bind(sso)
            .execute(conn)
            .await?,
            None => sqlx::query(
                "UPDATE admin_links SET revoked = 1 WHERE project_id = ? AND tenant_id = ? AND revoked = 0",
            )
            .bind(scope)
            .bind(tenant_id)
            .execute(conn)
            .await?,
        };
    Ok(done.rows_affected())
}

/// The project whose current data holds a link token (a token is 40 random characters, unique
/// across projects); `None` for an unknown token or one of a reset project's old data.
pub async fn project_of(conn: &mut Conn, token: &str) -> ApiResult<Option<String>> {
    Ok(sqlx::query_scalar::<_, String>(
        "SELECT p.id FROM admin_links a JOIN projects p \
         ON COALESCE(p.data_scope, p.id) = a.project_id AND p.scope_of IS NULL WHERE a.token = ?",
    )
    .bind(token)
    .fetch_optional(conn)
    .await?)
}
