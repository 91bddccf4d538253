//! Tenants, roles and permissions.

use sqlx::FromRow;

use super::{Conn, Query};
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

/// Runs a statement that writes a tenant, role or permission: one that clashes with another
/// on a unique key fails as `{what} {key} already exists`.
async fn write_unique(conn: &mut Conn, q: Query<'_>, what: &str, key: &str) -> ApiResult<()> {
    q.execute(conn)
        .await
        .on_unique(|| ApiError::new(ErrorKind::AlreadyExists, format!("{what} {key} already exists")))?;
    Ok(())
}

row_columns! {
    /// The columns of a tenant set once, when it is created.
    TenantRow => TENANT_FIXED, TENANT_FIXED_PARAMS, bind_tenant_fixed { id, created_ms }
}

row_columns! {
    /// The columns of a tenant that [`update_tenant`] writes.
    TenantRow => TENANT_MUTABLE, TENANT_MUTABLE_PARAMS, bind_tenant_mutable {
        name, self_provisioning_domains, custom_attributes, settings,
    }
}

row_columns! {
    /// The columns of a role that [`update_role`] writes: all but `created_ms` (and the ID,
    /// which is not part of [`RoleRow`]).
    RoleRow => ROLE_MUTABLE, ROLE_MUTABLE_PARAMS, bind_role_mutable {
        tenant_id, name, description, permission_names, is_default, private,
    }
}

row_columns! {
    PermissionRow => PERMISSION_COLUMNS, PERMISSION_PARAMS, bind_permission { name, description, created_ms }
}

pub async fn insert_tenant(conn: &mut Conn, scope: &Scope, t: &TenantRow) -> ApiResult<()> {
    let sql = format!(
        "INSERT INTO tenants (project_id, {TENANT_FIXED}, {TENANT_MUTABLE}) \
         VALUES (?, {TENANT_FIXED_PARAMS}, {TENANT_MUTABLE_PARAMS})"
    );
    let q = bind_tenant_mutable(bind_tenant_fixed(sqlx::query(&sql).bind(scope), t), t);
    write_unique(conn, q, "Tenant", &t.id).await
}

pub async fn list_tenants(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<TenantRow>> {
    let sql = format!(
        "SELECT {TENANT_FIXED}, {TENANT_MUTABLE} FROM tenants WHERE project_id = ? ORDER BY created_ms, id"
    );
    super::rows_of_scope(conn, &sql, scope).await
}

pub async fn insert_role(conn: &mut Conn, scope: &Scope, r: &RoleRow) -> ApiResult<()> {
    let sql = format!(
        "INSERT INTO roles (project_id, created_ms, {ROLE_MUTABLE}) VALUES (?, ?, {ROLE_MUTABLE_PARAMS})"
    );
    let q = bind_role_mutable(sqlx::query(&sql).bind(scope).bind(r.created_ms), r);
    write_unique(conn, q, "Role", &r.name).await
}

pub async fn list_roles(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<RoleRow>> {
    let sql = format!(
        "SELECT created_ms, {ROLE_MUTABLE} FROM roles WHERE project_id = ? ORDER BY created_ms, tenant_id, name"
    );
    super::rows_of_scope(conn, &sql, scope).await
}

pub async fn insert_permission(conn: &mut Conn, scope: &Scope, p: &PermissionRow) -> ApiResult<()> {
    let sql =
        format!("INSERT INTO permissions (project_id, {PERMISSION_COLUMNS}) VALUES (?, {PERMISSION_PARAMS})");
    write_unique(conn, bind_permission(sqlx::query(&sql).bind(scope), p), "Permission", &p.name).await
}

pub async fn list_permissions(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<PermissionRow>> {
    let sql = format!(
        "SELECT {PERMISSION_COLUMNS} FROM permissions WHERE project_id = ? ORDER BY created_ms, name"
    );
    super::rows_of_scope(conn, &sql, scope).await
}

pub async fn get_tenant(conn: &mut Conn, scope: &Scope, id: &TenantId) -> ApiResult<Option<TenantRow>> {
    Ok(sqlx::query_as::<_, TenantRow>(&format!(
        "SELECT {TENANT_FIXED}, {TENANT_MUTABLE} FROM tenants WHERE project_id = ? AND id = ?"
    ))
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
    Ok(sqlx::query_as::<_, TenantRow>(&format!(
        "SELECT {TENANT_FIXED}, {TENANT_MUTABLE} FROM tenants \
         WHERE project_id = ? AND lower(name) = lower(?) LIMIT 1"
    ))
    .bind(scope)
    .bind(name)
    .fetch_optional(conn)
    .await?)
}

/// Writes the mutable columns of an existing tenant.
pub async fn update_tenant(conn: &mut Conn, scope: &Scope, t: &TenantRow) -> ApiResult<()> {
    let sql = format!(
        "UPDATE tenants SET ({TENANT_MUTABLE}) = ({TENANT_MUTABLE_PARAMS}) WHERE project_id = ? AND id = ?"
    );
    bind_tenant_mutable(sqlx::query(&sql), t).bind(scope).bind(&t.id).execute(conn).await?;
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

// --- the rows a new data scope starts with

/// The rows every new data scope starts with (Descope's built-in permissions and roles).
#[derive(Debug, Clone, Default)]
pub struct ScopeSeed {
    pub permissions: Vec<PermissionRow>,
    pub roles: Vec<RoleRow>,
}

/// Inserts a seed's rows into a scope, in the caller's transaction (one round trip).
pub async fn insert_seed(conn: &mut Conn, scope: &Scope, seed: &ScopeSeed) -> ApiResult<()> {
    let seeds = [(scope.clone(), seed)];
    let sql = seeds_statements(&seeds);
    if !sql.is_empty() {
        bind_seeds(sqlx::query(&sql), &seeds).execute(&mut *conn).await?;
    }
    Ok(())
}

/// The statements that insert the seeds of several new scopes: one multi-row INSERT for their
/// permissions and one for their roles, to run in one batch with other statements; their
/// parameters are bound by [`bind_seeds`] in the same order. At most 100 seeds at a time.
pub(crate) fn seeds_statements(seeds: &[(Scope, &ScopeSeed)]) -> String {
    let permissions: usize = seeds.iter().map(|(_, s)| s.permissions.len()).sum();
    let roles: usize = seeds.iter().map(|(_, s)| s.roles.len()).sum();
    let mut statements = Vec::new();
    if permissions > 0 {
        let row = format!("(?, {PERMISSION_PARAMS})");
        let values = vec![row.as_str(); permissions].join(", ");
        statements
            .push(format!("INSERT INTO permissions (project_id, {PERMISSION_COLUMNS}) VALUES {values}"));
    }
    if roles > 0 {
        let row = format!("(?, ?, {ROLE_MUTABLE_PARAMS})");
        let values = vec![row.as_str(); roles].join(", ");
        statements
            .push(format!("INSERT INTO roles (project_id, created_ms, {ROLE_MUTABLE}) VALUES {values}"));
    }
    statements.join("; ")
}

/// Binds the parameters of [`seeds_statements`].
pub(crate) fn bind_seeds<'q>(mut q: Query<'q>, seeds: &'q [(Scope, &'q ScopeSeed)]) -> Query<'q> {
    for (scope, seed) in seeds {
        for p in &seed.permissions {
            q = bind_permission(q.bind(scope), p);
        }
    }
    for (scope, seed) in seeds {
        for r in &seed.roles {
            q = bind_role_mutable(q.bind(scope).bind(r.created_ms), r);
        }
    }
    q
}

// --- management API: roles

/// A role with its ID.
#[derive(Debug, Clone, Default, FromRow)]
pub struct RoleRecord {
    pub id: String,
    #[sqlx(flatten)]
    pub row: RoleRow,
}

/// Inserts a role with a new ID, giving the ID.
pub async fn insert_role_record(conn: &mut Conn, scope: &Scope, r: &RoleRow) -> ApiResult<String> {
    insert_role(&mut *conn, scope, r).await?;
    let id = new_id("RL");
    set_role_id(conn, scope, &TenantId::from(r.tenant_id.as_str()), &r.name, &id).await?;
    Ok(id)
}

/// Gives a role (by tenant and name) an ID: a new one, or the one a snapshot names.
pub async fn set_role_id(
    conn: &mut Conn,
    scope: &Scope,
    tenant_id: &TenantId,
    name: &str,
    id: &str,
) -> ApiResult<()> {
    sqlx::query("UPDATE roles SET id = ? WHERE project_id = ? AND tenant_id = ? AND name = ?")
        .bind(id)
        .bind(scope)
        .bind(tenant_id)
        .bind(name)
        .execute(conn)
        .await?;
    Ok(())
}

/// Every role with its ID; roles inserted without one (fixtures) get one now.
pub async fn list_role_records(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<RoleRecord>> {
    let missing: Vec<(TenantId, String)> =
        sqlx::query_as("SELECT tenant_id, name FROM roles WHERE project_id = ? AND id = ''")
            .bind(scope)
            .fetch_all(&mut *conn)
            .await?;
    for (tenant_id, name) in missing {
        set_role_id(&mut *conn, scope, &tenant_id, &name, &new_id("RL")).await?;
    }
    let sql = format!(
        "SELECT id, created_ms, {ROLE_MUTABLE} FROM roles WHERE project_id = ? ORDER BY created_ms, rowid"
    );
    super::rows_of_scope(conn, &sql, scope).await
}

/// Writes a role found by ID (its tenant, name, description, permissions and flags).
pub async fn update_role(conn: &mut Conn, scope: &Scope, id: &str, r: &RoleRow) -> ApiResult<()> {
    let sql = format!(
        "UPDATE roles SET ({ROLE_MUTABLE}) = ({ROLE_MUTABLE_PARAMS}) WHERE project_id = ? AND id = ?"
    );
    write_unique(conn, bind_role_mutable(sqlx::query(&sql), r).bind(scope).bind(id), "Role", &r.name).await
}

/// Writes a role found by tenant and name (a snapshot's version of a built-in role).
pub async fn replace_role(
    conn: &mut Conn,
    scope: &Scope,
    tenant_id: &TenantId,
    name: &str,
    r: &RoleRow,
) -> ApiResult<()> {
    let sql = format!(
        "UPDATE roles SET ({ROLE_MUTABLE}) = ({ROLE_MUTABLE_PARAMS}) \
         WHERE project_id = ? AND tenant_id = ? AND name = ?"
    );
    let q = bind_role_mutable(sqlx::query(&sql), r).bind(scope).bind(tenant_id).bind(name);
    write_unique(conn, q, "Role", &r.name).await
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

/// A statement over [`GRANTS_OF_ROLE`] with its parameters bound.
fn grants_of_role<'q>(sql: &'q str, scope: &'q Scope, tenant_id: &'q TenantId, role: &'q str) -> Query<'q> {
    sqlx::query(sql).bind(scope).bind(tenant_id).bind(role)
}

/// Renames the grants of a role (see [`GRANTS_OF_ROLE`]).
pub async fn rename_role_grants(
    conn: &mut Conn,
    scope: &Scope,
    tenant_id: &TenantId,
    old: &str,
    new: &str,
) -> ApiResult<()> {
    let sql = format!("UPDATE OR IGNORE user_roles SET role_name = ?4 WHERE {GRANTS_OF_ROLE}");
    grants_of_role(&sql, scope, tenant_id, old).bind(new).execute(&mut *conn).await?;
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
    let sql = format!("DELETE FROM user_roles WHERE {GRANTS_OF_ROLE}");
    grants_of_role(&sql, scope, tenant_id, name).execute(conn).await?;
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
    insert_permission(&mut *conn, scope, p).await?;
    let id = new_id("PR");
    set_permission_id(conn, scope, &p.name, &id).await?;
    Ok(id)
}

/// Gives a permission (by name) an ID: a new one, or the one a snapshot names.
pub async fn set_permission_id(conn: &mut Conn, scope: &Scope, name: &str, id: &str) -> ApiResult<()> {
    sqlx::query("UPDATE permissions SET id = ? WHERE project_id = ? AND name = ?")
        .bind(id)
        .bind(scope)
        .bind(name)
        .execute(conn)
        .await?;
    Ok(())
}

/// Every permission with its ID; permissions inserted without one (fixtures) get one now.
pub async fn list_permission_records(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<PermissionRecord>> {
    let missing: Vec<(String,)> =
        sqlx::query_as("SELECT name FROM permissions WHERE project_id = ? AND id = ''")
            .bind(scope)
            .fetch_all(&mut *conn)
            .await?;
    for (name,) in missing {
        set_permission_id(&mut *conn, scope, &name, &new_id("PR")).await?;
    }
    let sql = format!(
        "SELECT id, {PERMISSION_COLUMNS} FROM permissions WHERE project_id = ? ORDER BY created_ms, rowid"
    );
    super::rows_of_scope(conn, &sql, scope).await
}

/// Renames and describes a permission found by ID.
pub async fn update_permission(
    conn: &mut Conn,
    scope: &Scope,
    id: &str,
    name: &str,
    description: &str,
) -> ApiResult<()> {
    let q = sqlx::query("UPDATE permissions SET name = ?, description = ? WHERE project_id = ? AND id = ?")
        .bind(name)
        .bind(description)
        .bind(scope)
        .bind(id);
    write_unique(conn, q, "Permission", name).await
}

pub async fn delete_permission(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<()> {
    sqlx::query("DELETE FROM permissions WHERE project_id = ? AND id = ?")
        .bind(scope)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
