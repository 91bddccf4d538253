//! Projects, their signing keys and management keys.

use sqlx::FromRow;

use super::Conn;
use crate::error::ApiResult;

#[derive(Debug, Clone, FromRow)]
pub struct ProjectRow {
    pub id: String,
    pub name: String,
    pub is_default: bool,
    pub settings: String,
    pub created_ms: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct SigningKeyRow {
    pub kid: String,
    pub pkcs8: Vec<u8>,
    pub active: bool,
    pub created_ms: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct ManagementKeyRow {
    pub id: String,
    pub name: String,
    pub secret: String,
    pub status: String,
    pub created_ms: i64,
}

pub async fn insert(conn: &mut Conn, p: &ProjectRow) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO projects (id, name, is_default, settings, created_ms) VALUES (?, ?, ?, ?, ?)")
        .bind(&p.id)
        .bind(&p.name)
        .bind(p.is_default)
        .bind(&p.settings)
        .bind(p.created_ms)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn get(conn: &mut Conn, id: &str) -> ApiResult<Option<ProjectRow>> {
    Ok(sqlx::query_as::<_, ProjectRow>("SELECT * FROM projects WHERE id = ?")
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

// No project filter: this lists the projects themselves.
pub async fn list(conn: &mut Conn) -> ApiResult<Vec<ProjectRow>> {
    Ok(sqlx::query_as::<_, ProjectRow>("SELECT * FROM projects ORDER BY created_ms, id")
        .fetch_all(conn)
        .await?)
}

// No project filter: the default project is found across all projects.
pub async fn get_default(conn: &mut Conn) -> ApiResult<Option<ProjectRow>> {
    Ok(sqlx::query_as::<_, ProjectRow>(
        "SELECT * FROM projects WHERE is_default = 1 ORDER BY created_ms LIMIT 1",
    )
    .fetch_optional(conn)
    .await?)
}

pub async fn update(
    conn: &mut Conn,
    id: &str,
    name: &str,
    is_default: bool,
    settings: &str,
) -> ApiResult<()> {
    sqlx::query("UPDATE projects SET name = ?, is_default = ?, settings = ? WHERE id = ?")
        .bind(name)
        .bind(is_default)
        .bind(settings)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut Conn, id: &str) -> ApiResult<bool> {
    let r = sqlx::query("DELETE FROM projects WHERE id = ?").bind(id).execute(conn).await?;
    Ok(r.rows_affected() > 0)
}

/// Removes every piece of a project's data except the project row, its signing keys and
/// its management keys (`POST /emulator/v1/projects/{id}/reset`).
pub async fn clear_data(conn: &mut Conn, id: &str) -> ApiResult<()> {
    for table in [
        "login_history",
        "user_roles",
        "user_tenants",
        "user_login_ids",
        "users",
        "roles",
        "permissions",
        "tenants",
        "codes",
        "refresh_tokens",
        "outbox",
    ] {
        sqlx::query(&format!("DELETE FROM {table} WHERE project_id = ?"))
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn insert_signing_key(conn: &mut Conn, project: &str, k: &SigningKeyRow) -> ApiResult<()> {
    sqlx::query(
        "INSERT OR REPLACE INTO signing_keys (project_id, kid, pkcs8, active, created_ms) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(project)
    .bind(&k.kid)
    .bind(&k.pkcs8)
    .bind(k.active)
    .bind(k.created_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn signing_keys(conn: &mut Conn, project: &str) -> ApiResult<Vec<SigningKeyRow>> {
    Ok(sqlx::query_as::<_, SigningKeyRow>(
        "SELECT kid, pkcs8, active, created_ms FROM signing_keys WHERE project_id = ? ORDER BY created_ms, kid",
    )
    .bind(project)
    .fetch_all(conn)
    .await?)
}

pub async fn delete_signing_keys(conn: &mut Conn, project: &str) -> ApiResult<()> {
    sqlx::query("DELETE FROM signing_keys WHERE project_id = ?").bind(project).execute(conn).await?;
    Ok(())
}

pub async fn insert_management_key(conn: &mut Conn, project: &str, k: &ManagementKeyRow) -> ApiResult<()> {
    sqlx::query(
        "INSERT OR REPLACE INTO management_keys (project_id, id, name, secret, status, created_ms) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(project)
    .bind(&k.id)
    .bind(&k.name)
    .bind(&k.secret)
    .bind(&k.status)
    .bind(k.created_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn management_keys(conn: &mut Conn, project: &str) -> ApiResult<Vec<ManagementKeyRow>> {
    Ok(sqlx::query_as::<_, ManagementKeyRow>(
        "SELECT id, name, secret, status, created_ms FROM management_keys WHERE project_id = ? ORDER BY created_ms, id",
    )
    .bind(project)
    .fetch_all(conn)
    .await?)
}

pub async fn delete_management_keys(conn: &mut Conn, project: &str) -> ApiResult<()> {
    sqlx::query("DELETE FROM management_keys WHERE project_id = ?").bind(project).execute(conn).await?;
    Ok(())
}
