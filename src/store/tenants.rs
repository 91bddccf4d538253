//! Tenants, roles and permissions.

use sqlx::FromRow;

use super::Conn;
use crate::error::{ApiError, ApiResult, ErrorKind, ResultExt};
use crate::ids::{Scope, TenantId};

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

pub async fn insert_tenant(conn: &mut Conn, scope: &Scope, t: &TenantRow) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO tenants (project_id, id, name, self_provisioning_domains, custom_attributes, settings, created_ms) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(scope)
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

pub async fn list_tenants(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<TenantRow>> {
    Ok(sqlx::query_as::<_, TenantRow>(
        "SELECT id, name, self_provisioning_domains, custom_attributes, settings, created_ms FROM tenants \
         WHERE project_id = ? ORDER BY created_ms, id",
    )
    .bind(scope)
    .fetch_all(conn)
    .await?)
}

pub async fn insert_role(conn: &mut Conn, scope: &Scope, r: &RoleRow) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO roles (project_id, tenant_id, name, description, permission_names, is_default, private, created_ms) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(scope)
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

pub async fn list_roles(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<RoleRow>> {
    Ok(sqlx::query_as::<_, RoleRow>(
        "SELECT tenant_id, name, description, permission_names, is_default, private, created_ms FROM roles \
         WHERE project_id = ? ORDER BY created_ms, tenant_id, name",
    )
    .bind(scope)
    .fetch_all(conn)
    .await?)
}

pub async fn insert_permission(conn: &mut Conn, scope: &Scope, p: &PermissionRow) -> ApiResult<()> {
    sqlx::query("INSERT INTO permissions (project_id, name, description, created_ms) VALUES (?, ?, ?, ?)")
        .bind(scope)
        .bind(&p.name)
        .bind(&p.description)
        .bind(p.created_ms)
        .execute(conn)
        .await
        .on_unique(|| exists("Permission", &p.name))?;
    Ok(())
}

pub async fn list_permissions(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<PermissionRow>> {
    Ok(sqlx::query_as::<_, PermissionRow>(
        "SELECT name, description, created_ms FROM permissions WHERE project_id = ? ORDER BY created_ms, name",
    )
    .bind(scope)
    .fetch_all(conn)
    .await?)
}

pub async fn get_tenant(conn: &mut Conn, scope: &Scope, id: &TenantId) -> ApiResult<Option<TenantRow>> {
    Ok(sqlx::query_as::<_, TenantRow>(
        "SELECT id, name, self_provisioning_domains, custom_attributes, settings, created_ms FROM tenants \
         WHERE project_id = ? AND id = ?",
    )
    .bind(scope)
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

// --- management API: tenants

/// A new role or permission ID (`RL`/`PR` and 26 letters and digits; unconfirmed format).
fn new_id(prefix: &str) -> String {
    format!("{prefix}{}", crate::crypto::random_alnum(26))
}

/// The tenant with this name (compared case-insensitively), if any.
pub async fn get_tenant_by_name(conn: &mut Conn, scope: &Scope, name: &str) -> ApiResult<Option<TenantRow>> {
    Ok(sqlx::query_as::<_, TenantRow>(
        "SELECT id, name, self_provisioning_domains, custom_attributes, settings, created_ms FROM tenants \
         WHERE project_id = ? AND lower(name) = lower(?) LIMIT 1",
    )
    .bind(scope)
    .bind(name)
    .fetch_optional(conn)
    .await?)
}

/// Writes the mutable columns of an existing tenant.
pub async fn update_tenant(conn: &mut Conn, scope: &Scope, t: &TenantRow) -> ApiResult<()> {
    sqlx::query(
        "UPDATE tenants SET name = ?, self_provisioning_domains = ?, custom_attributes = ?, settings = ? \
         WHERE project_id = ? AND id = ?",
    )
    .bind(&t.name)
    .bind(&t.self_provisioning_domains)
    .bind(&t.custom_attributes)
    .bind(&t.settings)
    .bind(scope)
    .bind(&t.id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Users whose only tenant is this one.
pub async fn users_only_in_tenant(
    conn: &mut Conn,
    scope: &Scope,
    tenant_id: &TenantId,
) -> ApiResult<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT ut.user_id FROM user_tenants ut WHERE ut.project_id = ?1 AND ut.tenant_id = ?2 \
         AND NOT EXISTS (SELECT 1 FROM user_tenants o WHERE o.project_id = ?1 AND o.user_id = ut.user_id \
         AND o.tenant_id != ?2) ORDER BY ut.user_id",
    )
    .bind(scope)
    .bind(tenant_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(u,)| u).collect())
}

/// Deletes a tenant with its roles, its users' memberships and their role grants in it.
pub async fn delete_tenant(conn: &mut Conn, scope: &Scope, id: &TenantId) -> ApiResult<bool> {
    for sql in [
        "DELETE FROM user_roles WHERE project_id = ? AND tenant_id = ?",
        "DELETE FROM user_tenants WHERE project_id = ? AND tenant_id = ?",
        "DELETE FROM roles WHERE project_id = ? AND tenant_id = ?",
    ] {
        sqlx::query(sql).bind(scope).bind(id).execute(&mut *conn).await?;
    }
    let r = sqlx::query("DELETE FROM tenants WHERE project_id = ? AND id = ?")
        .bind(scope)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected() > 0)
}

// --- management API: roles

/// A role with its ID.
#[derive(Debug, Clone, Default, FromRow)]
pub struct RoleRecord {
    pub id: String,
    #[sqlx(flatten)]
    pub row: RoleRow,
}

const ROLE_COLUMNS: &str =
    "id, tenant_id, name, description, permission_names, is_default, private, created_ms";

/// Inserts a role with a new ID, giving the ID.
pub async fn insert_role_record(conn: &mut Conn, scope: &Scope, r: &RoleRow) -> ApiResult<String> {
    insert_role(conn, scope, r).await?;
    let id = new_id("RL");
    sqlx::query("UPDATE roles SET id = ? WHERE project_id = ? AND tenant_id = ? AND name = ?")
        .bind(&id)
        .bind(scope)
        .bind(&r.tenant_id)
        .bind(&r.name)
        .execute(conn)
        .await?;
    Ok(id)
}

/// Every role with its ID; roles inserted without one (fixtures) get one now.
pub async fn list_role_records(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<RoleRecord>> {
    let missing: Vec<(String, String)> =
        sqlx::query_as("SELECT tenant_id, name FROM roles WHERE project_id = ? AND id = ''")
            .bind(scope)
            .fetch_all(&mut *conn)
            .await?;
    for (tenant_id, name) in missing {
        sqlx::query("UPDATE roles SET id = ? WHERE project_id = ? AND tenant_id = ? AND name = ?")
            .bind(new_id("RL"))
            .bind(scope)
            .bind(&tenant_id)
            .bind(&name)
            .execute(&mut *conn)
            .await?;
    }
    Ok(sqlx::query_as::<_, RoleRecord>(&format!(
        "SELECT {ROLE_COLUMNS} FROM roles WHERE project_id = ? ORDER BY created_ms, rowid"
    ))
    .bind(scope)
    .fetch_all(conn)
    .await?)
}

/// Writes a role found by ID (its tenant, name, description, permissions and flags).
pub async fn update_role(conn: &mut Conn, scope: &Scope, id: &str, r: &RoleRow) -> ApiResult<()> {
    sqlx::query(
        "UPDATE roles SET tenant_id = ?, name = ?, description = ?, permission_names = ?, is_default = ?, \
         private = ? WHERE project_id = ? AND id = ?",
    )
    .bind(&r.tenant_id)
    .bind(&r.name)
    .bind(&r.description)
    .bind(&r.permission_names)
    .bind(r.is_default)
    .bind(r.private)
    .bind(scope)
    .bind(id)
    .execute(conn)
    .await
    .on_unique(|| exists("Role", &r.name))?;
    Ok(())
}

pub async fn delete_role(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<()> {
    sqlx::query("DELETE FROM roles WHERE project_id = ? AND id = ?")
        .bind(scope)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The condition selecting the grants of a role: a tenant role's grants are in its tenant; a
/// project role's grants are project-level ones and tenant ones in tenants without their own
/// role of that name (as `users::permissions_of_roles` resolves them).
const GRANTS_OF_ROLE: &str = "project_id = ?1 AND role_name = ?3 AND \
    (CASE WHEN ?2 != '' THEN tenant_id = ?2 ELSE tenant_id = '' OR tenant_id NOT IN \
    (SELECT r.tenant_id FROM roles r WHERE r.project_id = ?1 AND r.name = ?3 AND r.tenant_id != '') END)";

/// Renames the grants of a role (see [`GRANTS_OF_ROLE`]).
pub async fn rename_role_grants(
    conn: &mut Conn,
    scope: &Scope,
    tenant_id: &TenantId,
    old: &str,
    new: &str,
) -> ApiResult<()> {
    sqlx::query(&format!("UPDATE OR IGNORE user_roles SET role_name = ?4 WHERE {GRANTS_OF_ROLE}"))
        .bind(scope)
        .bind(tenant_id)
        .bind(old)
        .bind(new)
        .execute(&mut *conn)
        .await?;
    // grants left behind were duplicates of grants of the new name
    delete_role_grants(conn, scope, tenant_id, old).await
}

/// Removes the grants of a role (see [`GRANTS_OF_ROLE`]).
pub async fn delete_role_grants(
    conn: &mut Conn,
    scope: &Scope,
    tenant_id: &TenantId,
    name: &str,
) -> ApiResult<()> {
    sqlx::query(&format!("DELETE FROM user_roles WHERE {GRANTS_OF_ROLE}"))
        .bind(scope)
        .bind(tenant_id)
        .bind(name)
        .execute(conn)
        .await?;
    Ok(())
}

// --- management API: permissions

/// A permission with its ID.
#[derive(Debug, Clone, Default, FromRow)]
pub struct PermissionRecord {
    pub id: String,
    #[sqlx(flatten)]
    pub row: PermissionRow,
}

/// Inserts a permission with a new ID.
pub async fn insert_permission_record(
    conn: &mut Conn,
    scope: &Scope,
    p: &PermissionRow,
) -> ApiResult<String> {
    insert_permission(conn, scope, p).await?;
    let id = new_id("PR");
    sqlx::query("UPDATE permissions SET id = ? WHERE project_id = ? AND name = ?")
        .bind(&id)
        .bind(scope)
        .bind(&p.name)
        .execute(conn)
        .await?;
    Ok(id)
}

/// Every permission with its ID; permissions inserted without one (fixtures) get one now.
pub async fn list_permission_records(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<PermissionRecord>> {
    let missing: Vec<(String,)> =
        sqlx::query_as("SELECT name FROM permissions WHERE project_id = ? AND id = ''")
            .bind(scope)
            .fetch_all(&mut *conn)
            .await?;
    for (name,) in missing {
        sqlx::query("UPDATE permissions SET id = ? WHERE project_id = ? AND name = ?")
            .bind(new_id("PR"))
            .bind(scope)
            .bind(&name)
            .execute(&mut *conn)
            .await?;
    }
    Ok(sqlx::query_as::<_, PermissionRecord>(
        "SELECT id, name, description, created_ms FROM permissions WHERE project_id = ? ORDER BY created_ms, rowid",
    )
    .bind(scope)
    .fetch_all(conn)
    .await?)
}

/// Renames and describes a permission found by ID.
pub async fn update_permission(
    conn: &mut Conn,
    scope: &Scope,
    id: &str,
    name: &str,
    description: &str,
) -> ApiResult<()> {
    sqlx::query("UPDATE permissions SET name = ?, description = ? WHERE project_id = ? AND id = ?")
        .bind(name)
        .bind(description)
        .bind(scope)
        .bind(id)
        .execute(conn)
        .await
        .on_unique(|| exists("Permission", name))?;
    Ok(())
}

pub async fn delete_permission(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<()> {
    sqlx::query("DELETE FROM permissions WHERE project_id = ? AND id = ?")
        .bind(scope)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
