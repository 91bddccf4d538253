//! SCIM provisioning records (`scim_users`, `scim_groups`, `scim_group_members`).

use sqlx::FromRow;

use super::Conn;
use crate::error::ApiResult;
use crate::ids::Scope;

/// What SCIM keeps of a user in a tenant beside the user row; the JSON columns are text.
#[derive(Debug, Clone, Default, FromRow, PartialEq)]
pub struct ScimUserRow {
    pub tenant_id: String,
    pub user_id: String,
    pub external_id: String,
    pub emails: String,
    pub phone_numbers: String,
    pub attributes: String,
    pub granted_roles: String,
}

row_columns! {
    ScimUserRow => USER_COLUMNS, USER_PARAMS, bind_user {
        tenant_id, user_id, external_id, emails, phone_numbers, attributes, granted_roles
    }
}

/// A SCIM group of a tenant.
#[derive(Debug, Clone, Default, FromRow, PartialEq)]
pub struct ScimGroupRow {
    pub tenant_id: String,
    pub id: String,
    pub display_name: String,
    pub external_id: String,
    pub created_ms: i64,
    pub modified_ms: i64,
}

row_columns! {
    ScimGroupRow => GROUP_COLUMNS, GROUP_PARAMS, bind_group {
        tenant_id, id, display_name, external_id, created_ms, modified_ms
    }
}

/// One membership: a user in a group of a tenant.
#[derive(Debug, Clone, FromRow, PartialEq)]
pub struct MemberRow {
    pub tenant_id: String,
    pub group_id: String,
    pub user_id: String,
}

pub async fn get_user(
    conn: &mut Conn,
    scope: &Scope,
    tenant_id: &str,
    user_id: &str,
) -> ApiResult<Option<ScimUserRow>> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM scim_users WHERE project_id = ? AND tenant_id = ? AND user_id = ?"
    );
    Ok(sqlx::query_as(&sql).bind(scope).bind(tenant_id).bind(user_id).fetch_optional(conn).await?)
}

pub async fn upsert_user(conn: &mut Conn, scope: &Scope, row: &ScimUserRow) -> ApiResult<()> {
    let sql =
        format!("INSERT OR REPLACE INTO scim_users (project_id, {USER_COLUMNS}) VALUES (?, {USER_PARAMS})");
    bind_user(sqlx::query(&sql).bind(scope), row).execute(conn).await?;
    Ok(())
}

pub async fn delete_user(conn: &mut Conn, scope: &Scope, tenant_id: &str, user_id: &str) -> ApiResult<()> {
    sqlx::query("DELETE FROM scim_users WHERE project_id = ? AND tenant_id = ? AND user_id = ?")
        .bind(scope)
        .bind(tenant_id)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM scim_group_members WHERE project_id = ? AND tenant_id = ? AND user_id = ?")
        .bind(scope)
        .bind(tenant_id)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Every SCIM user record of the project (snapshots).
pub async fn list_users(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<ScimUserRow>> {
    let sql =
        format!("SELECT {USER_COLUMNS} FROM scim_users WHERE project_id = ? ORDER BY tenant_id, user_id");
    super::rows_of_scope(conn, &sql, scope).await
}

/// The IDs of a tenant's users, oldest first.
pub async fn tenant_user_ids(conn: &mut Conn, scope: &Scope, tenant_id: &str) -> ApiResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT ut.user_id FROM user_tenants ut JOIN users u ON u.project_id = ut.project_id AND u.id = ut.user_id \
         WHERE ut.project_id = ? AND ut.tenant_id = ? ORDER BY u.created_ms, u.rowid",
    )
    .bind(scope)
    .bind(tenant_id)
    .fetch_all(conn)
    .await?)
}

pub async fn get_group(
    conn: &mut Conn,
    scope: &Scope,
    tenant_id: &str,
    id: &str,
) -> ApiResult<Option<ScimGroupRow>> {
    let sql =
        format!("SELECT {GROUP_COLUMNS} FROM scim_groups WHERE project_id = ? AND tenant_id = ? AND id = ?");
    Ok(sqlx::query_as(&sql).bind(scope).bind(tenant_id).bind(id).fetch_optional(conn).await?)
}

/// The group of a tenant with this display name (case-insensitive), if any.
pub async fn group_named(
    conn: &mut Conn,
    scope: &Scope,
    tenant_id: &str,
    name: &str,
) -> ApiResult<Option<ScimGroupRow>> {
    let sql = format!(
        "SELECT {GROUP_COLUMNS} FROM scim_groups WHERE project_id = ? AND tenant_id = ? \
         AND display_name = ? COLLATE NOCASE"
    );
    Ok(sqlx::query_as(&sql).bind(scope).bind(tenant_id).bind(name).fetch_optional(conn).await?)
}

/// The groups of a tenant (every tenant's when `tenant_id` is `None`), oldest first.
pub async fn list_groups(
    conn: &mut Conn,
    scope: &Scope,
    tenant_id: Option<&str>,
) -> ApiResult<Vec<ScimGroupRow>> {
    let sql = format!(
        "SELECT {GROUP_COLUMNS} FROM scim_groups WHERE project_id = ? AND (? IS NULL OR tenant_id = ?) \
         ORDER BY tenant_id, created_ms, rowid"
    );
    Ok(sqlx::query_as(&sql).bind(scope).bind(tenant_id).bind(tenant_id).fetch_all(conn).await?)
}

pub async fn insert_group(conn: &mut Conn, scope: &Scope, row: &ScimGroupRow) -> ApiResult<()> {
    let sql = format!("INSERT INTO scim_groups (project_id, {GROUP_COLUMNS}) VALUES (?, {GROUP_PARAMS})");
    bind_group(sqlx::query(&sql).bind(scope), row).execute(conn).await?;
    Ok(())
}

pub async fn update_group(conn: &mut Conn, scope: &Scope, row: &ScimGroupRow) -> ApiResult<()> {
    sqlx::query(
        "UPDATE scim_groups SET display_name = ?, external_id = ?, modified_ms = ? \
         WHERE project_id = ? AND tenant_id = ? AND id = ?",
    )
    .bind(&row.display_name)
    .bind(&row.external_id)
    .bind(row.modified_ms)
    .bind(scope)
    .bind(&row.tenant_id)
    .bind(&row.id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_group(conn: &mut Conn, scope: &Scope, tenant_id: &str, id: &str) -> ApiResult<bool> {
    let r = sqlx::query("DELETE FROM scim_groups WHERE project_id = ? AND tenant_id = ? AND id = ?")
        .bind(scope)
        .bind(tenant_id)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() > 0)
}

/// The user IDs of a group, in the order they were added.
pub async fn members(
    conn: &mut Conn,
    scope: &Scope,
    tenant_id: &str,
    group_id: &str,
) -> ApiResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT user_id FROM scim_group_members WHERE project_id = ? AND tenant_id = ? AND group_id = ? \
         ORDER BY position, user_id",
    )
    .bind(scope)
    .bind(tenant_id)
    .bind(group_id)
    .fetch_all(conn)
    .await?)
}

/// Every membership of the project (snapshots) or of one tenant.
pub async fn all_members(
    conn: &mut Conn,
    scope: &Scope,
    tenant_id: Option<&str>,
) -> ApiResult<Vec<MemberRow>> {
    Ok(sqlx::query_as(
        "SELECT tenant_id, group_id, user_id FROM scim_group_members WHERE project_id = ? \
         AND (? IS NULL OR tenant_id = ?) ORDER BY tenant_id, group_id, position, user_id",
    )
    .bind(scope)
    .bind(tenant_id)
    .bind(tenant_id)
    .fetch_all(conn)
    .await?)
}

/// Replaces a group's members with these users, in this order.
pub async fn set_members(
    conn: &mut Conn,
    scope: &Scope,
    tenant_id: &str,
    group_id: &str,
    user_ids: &[String],
) -> ApiResult<()> {
    sqlx::query("DELETE FROM scim_group_members WHERE project_id = ? AND tenant_id = ? AND group_id = ?")
        .bind(scope)
        .bind(tenant_id)
        .bind(group_id)
        .execute(&mut *conn)
        .await?;
    for (i, u) in user_ids.iter().enumerate() {
        sqlx::query(
            "INSERT OR IGNORE INTO scim_group_members (project_id, tenant_id, group_id, user_id, position) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(scope)
        .bind(tenant_id)
        .bind(group_id)
        .bind(u)
        .bind(i as i64)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
