//! Tenants, roles and permissions.

use sqlx::FromRow;

use super::Conn;
use crate::error::{ApiError, ApiResult, ErrorKind, ResultExt};

#[derive(Debug, Clone, Default, FromRow)]
pub struct TenantRow {
    pub id: String,
    pub name: String,
    pub self_provisioning_domains: String,
    pub custom_attributes: String,
    pub settings: String,
    pub created_ms: i64,
}

#[derive(Debug, Clone, Default, FromRow)]
pub struct RoleRow {
    pub tenant_id: String,
    pub name: String,
    pub description: String,
    pub permission_names: String,
    pub is_default: bool,
    pub private: bool,
    pub created_ms: i64,
}

#[derive(Debug, Clone, Default, FromRow)]
pub struct PermissionRow {
    pub name: String,
    pub description: String,
    pub created_ms: i64,
}

fn exists(what: &str, id: &str) -> ApiError {
    ApiError::new(ErrorKind::AlreadyExists, format!("{what} {id} already exists"))
}

pub async fn insert_tenant(conn: &mut Conn, project: &str, t: &TenantRow) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO tenants (project_id, id, name, self_provisioning_domains, custom_attributes, settings, created_ms) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(project)
    .bind(&t.id)
    .bind(&t.name)
    .bind(&t.self_provisioning_domains)
    .bind(&t.custom_attributes)
    .bind(&t.settings)
    .bind(t.created_ms)
    .execute(conn)
    .await
    .on_unique(|| exists("Tenant", &t.id))?;
    Ok(())
}

pub async fn list_tenants(conn: &mut Conn, project: &str) -> ApiResult<Vec<TenantRow>> {
    Ok(sqlx::query_as::<_, TenantRow>(
        "SELECT id, name, self_provisioning_domains, custom_attributes, settings, created_ms FROM tenants \
         WHERE project_id = ? ORDER BY created_ms, id",
    )
    .bind(project)
    .fetch_all(conn)
    .await?)
}

pub async fn insert_role(conn: &mut Conn, project: &str, r: &RoleRow) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO roles (project_id, tenant_id, name, description, permission_names, is_default, private, created_ms) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(project)
    .bind(&r.tenant_id)
    .bind(&r.name)
    .bind(&r.description)
    .bind(&r.permission_names)
    .bind(r.is_default)
    .bind(r.private)
    .bind(r.created_ms)
    .execute(conn)
    .await
    .on_unique(|| exists("Role", &r.name))?;
    Ok(())
}

pub async fn list_roles(conn: &mut Conn, project: &str) -> ApiResult<Vec<RoleRow>> {
    Ok(sqlx::query_as::<_, RoleRow>(
        "SELECT tenant_id, name, description, permission_names, is_default, private, created_ms FROM roles \
         WHERE project_id = ? ORDER BY created_ms, tenant_id, name",
    )
    .bind(project)
    .fetch_all(conn)
    .await?)
}

pub async fn insert_permission(conn: &mut Conn, project: &str, p: &PermissionRow) -> ApiResult<()> {
    sqlx::query("INSERT INTO permissions (project_id, name, description, created_ms) VALUES (?, ?, ?, ?)")
        .bind(project)
        .bind(&p.name)
        .bind(&p.description)
        .bind(p.created_ms)
        .execute(conn)
        .await
        .on_unique(|| exists("Permission", &p.name))?;
    Ok(())
}

pub async fn list_permissions(conn: &mut Conn, project: &str) -> ApiResult<Vec<PermissionRow>> {
    Ok(sqlx::query_as::<_, PermissionRow>(
        "SELECT name, description, created_ms FROM permissions WHERE project_id = ? ORDER BY created_ms, name",
    )
    .bind(project)
    .fetch_all(conn)
    .await?)
}

pub async fn get_tenant(conn: &mut Conn, project: &str, id: &str) -> ApiResult<Option<TenantRow>> {
    Ok(sqlx::query_as::<_, TenantRow>(
        "SELECT id, name, self_provisioning_domains, custom_attributes, settings, created_ms FROM tenants \
         WHERE project_id = ? AND id = ?",
    )
    .bind(project)
    .bind(id)
    .fetch_optional(conn)
    .await?)
}
