//! The audit trail: one row per event, JSON text for the list and map fields.

use sqlx::FromRow;

use super::Conn;
use crate::error::ApiResult;
use crate::ids::Scope;

#[derive(Debug, Clone, Default, FromRow)]
pub struct AuditRow {
    pub occurred_ms: i64,
    pub action: String,
    #[sqlx(rename = "type")]
    pub kind: String,
    pub user_id: String,
    pub actor_id: String,
    pub method: String,
    pub device: String,
    pub geo: String,
    pub remote_address: String,
    pub external_ids: String,
    pub tenants: String,
    pub data: String,
}

pub async fn insert(conn: &mut Conn, scope: &Scope, a: &AuditRow) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO audit_events (project_id, occurred_ms, action, type, user_id, actor_id, method, device, \
         geo, remote_address, external_ids, tenants, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(scope)
    .bind(a.occurred_ms)
    .bind(&a.action)
    .bind(&a.kind)
    .bind(&a.user_id)
    .bind(&a.actor_id)
    .bind(&a.method)
    .bind(&a.device)
    .bind(&a.geo)
    .bind(&a.remote_address)
    .bind(&a.external_ids)
    .bind(&a.tenants)
    .bind(&a.data)
    .execute(conn)
    .await?;
    Ok(())
}

/// The project's events within `[from_ms, to_ms]` (either bound optional), newest first.
pub async fn list_between(
    conn: &mut Conn,
    scope: &Scope,
    from_ms: Option<i64>,
    to_ms: Option<i64>,
) -> ApiResult<Vec<AuditRow>> {
    Ok(sqlx::query_as::<_, AuditRow>(
        "SELECT occurred_ms, action, type, user_id, actor_id, method, device, geo, remote_address, \
         external_ids, tenants, data FROM audit_events WHERE project_id = ? AND occurred_ms >= ? \
         AND occurred_ms <= ? ORDER BY occurred_ms DESC, id DESC",
    )
    .bind(scope)
    .bind(from_ms.unwrap_or(i64::MIN))
    .bind(to_ms.unwrap_or(i64::MAX))
    .fetch_all(conn)
    .await?)
}
