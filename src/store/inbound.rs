//! Inbound apps' tables: the consents users granted (`inbound_consents`) and the templates of
//! dynamically registered clients (`dcr_templates`). The apps themselves are clients of
//! [`super::apps`].

use sqlx::FromRow;

use super::Conn;
use crate::error::ApiResult;
use crate::ids::Scope;

/// A consent as stored (`scopes` as JSON text).
#[derive(Debug, Clone, Default, FromRow, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConsentRow {
    pub id: String,
    pub app_id: String,
    pub user_id: String,
    pub tenant_id: String,
    pub scopes: String,
    pub granted_by: String,
    pub created_secs: i64,
    pub modified_secs: i64,
    pub expire_secs: i64,
}

const CONSENT_COLS: &str =
    "id, app_id, user_id, tenant_id, scopes, granted_by, created_secs, modified_secs, expire_secs";

pub async fn all_consents(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<ConsentRow>> {
    Ok(sqlx::query_as::<_, ConsentRow>(&format!(
        "SELECT {CONSENT_COLS} FROM inbound_consents WHERE project_id = ? ORDER BY created_secs, id"
    ))
    .bind(scope)
    .fetch_all(conn)
    .await?)
}

pub async fn find_consent(
    conn: &mut Conn,
    scope: &Scope,
    app_id: &str,
    user_id: &str,
    tenant_id: &str,
) -> ApiResult<Option<ConsentRow>> {
    Ok(sqlx::query_as::<_, ConsentRow>(&format!(
        "SELECT {CONSENT_COLS} FROM inbound_consents WHERE project_id = ? AND app_id = ? AND user_id = ? AND tenant_id = ?"
    ))
    .bind(scope)
    .bind(app_id)
    .bind(user_id)
    .bind(tenant_id)
    .fetch_optional(conn)
    .await?)
}

/// Inserts a consent or replaces the one with its ID.
pub async fn put_consent(conn: &mut Conn, scope: &Scope, r: &ConsentRow) -> ApiResult<()> {
    sqlx::query(&format!(
        "INSERT OR REPLACE INTO inbound_consents (project_id, {CONSENT_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ))
    .bind(scope)
    .bind(&r.id)
    .bind(&r.app_id)
    .bind(&r.user_id)
    .bind(&r.tenant_id)
    .bind(&r.scopes)
    .bind(&r.granted_by)
    .bind(r.created_secs)
    .bind(r.modified_secs)
    .bind(r.expire_secs)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_consent(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<()> {
    sqlx::query("DELETE FROM inbound_consents WHERE project_id = ? AND id = ?")
        .bind(scope)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A template as stored: its document in `body`.
#[derive(Debug, Clone, Default, FromRow, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TemplateRow {
    pub id: String,
    pub body: String,
    pub created_ms: i64,
}

pub async fn all_templates(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<TemplateRow>> {
    Ok(sqlx::query_as::<_, TemplateRow>(
        "SELECT id, body, created_ms FROM dcr_templates WHERE project_id = ? ORDER BY created_ms, id",
    )
    .bind(scope)
    .fetch_all(conn)
    .await?)
}

pub async fn get_template(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<Option<TemplateRow>> {
    Ok(sqlx::query_as::<_, TemplateRow>(
        "SELECT id, body, created_ms FROM dcr_templates WHERE project_id = ? AND id = ?",
    )
    .bind(scope)
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

pub async fn put_template(conn: &mut Conn, scope: &Scope, r: &TemplateRow) -> ApiResult<()> {
    sqlx::query(
        "INSERT OR REPLACE INTO dcr_templates (project_id, id, body, created_ms) VALUES (?, ?, ?, ?)",
    )
    .bind(scope)
    .bind(&r.id)
    .bind(&r.body)
    .bind(r.created_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_template(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<bool> {
    let r = sqlx::query("DELETE FROM dcr_templates WHERE project_id = ? AND id = ?")
        .bind(scope)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() > 0)
}
