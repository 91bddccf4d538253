//! Users, their login IDs, role and tenant grants, and login history.

use sqlx::FromRow;

use super::Conn;
use crate::error::{ApiError, ApiResult, ErrorKind, ResultExt};

#[derive(Debug, Clone, Default, FromRow)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub phone: String,
    pub name: String,
    pub given_name: String,
    pub middle_name: String,
    pub family_name: String,
    pub picture: String,
    pub verified_email: bool,
    pub verified_phone: bool,
    pub status: String,
    pub test: bool,
    pub custom_attributes: String,
    pub sso_app_ids: String,
    pub oauth: String,
    pub password_hash: Option<String>,
    pub totp_secret: Option<String>,
    pub webauthn: bool,
    pub saml: bool,
    pub scim: bool,
    pub first_seen: bool,
    pub created_ms: i64,
    pub modified_ms: i64,
}

const COLUMNS: &str = "id, email, phone, name, given_name, middle_name, family_name, picture, \
    verified_email, verified_phone, status, test, custom_attributes, sso_app_ids, oauth, \
    password_hash, totp_secret, webauthn, saml, scim, first_seen, created_ms, modified_ms";

pub async fn insert(conn: &mut Conn, project: &str, u: &UserRow) -> ApiResult<()> {
    sqlx::query(&format!(
        "INSERT INTO users (project_id, {COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ))
    .bind(project)
    .bind(&u.id)
    .bind(&u.email)
    .bind(&u.phone)
    .bind(&u.name)
    .bind(&u.given_name)
    .bind(&u.middle_name)
    .bind(&u.family_name)
    .bind(&u.picture)
    .bind(u.verified_email)
    .bind(u.verified_phone)
    .bind(&u.status)
    .bind(u.test)
    .bind(&u.custom_attributes)
    .bind(&u.sso_app_ids)
    .bind(&u.oauth)
    .bind(&u.password_hash)
    .bind(&u.totp_secret)
    .bind(u.webauthn)
    .bind(u.saml)
    .bind(u.scim)
    .bind(u.first_seen)
    .bind(u.created_ms)
    .bind(u.modified_ms)
    .execute(conn)
    .await
    .on_unique(|| ApiError::new(ErrorKind::UserAlreadyExists, format!("User {} already exists", u.id)))?;
    Ok(())
}

/// Writes every column of an existing user.
pub async fn update(conn: &mut Conn, project: &str, u: &UserRow) -> ApiResult<()> {
    sqlx::query(
        "UPDATE users SET email = ?, phone = ?, name = ?, given_name = ?, middle_name = ?, family_name = ?, \
         picture = ?, verified_email = ?, verified_phone = ?, status = ?, test = ?, custom_attributes = ?, \
         sso_app_ids = ?, oauth = ?, password_hash = ?, totp_secret = ?, webauthn = ?, saml = ?, scim = ?, \
         first_seen = ?, modified_ms = ? WHERE project_id = ? AND id = ?",
    )
    .bind(&u.email)
    .bind(&u.phone)
    .bind(&u.name)
    .bind(&u.given_name)
    .bind(&u.middle_name)
    .bind(&u.family_name)
    .bind(&u.picture)
    .bind(u.verified_email)
    .bind(u.verified_phone)
    .bind(&u.status)
    .bind(u.test)
    .bind(&u.custom_attributes)
    .bind(&u.sso_app_ids)
    .bind(&u.oauth)
    .bind(&u.password_hash)
    .bind(&u.totp_secret)
    .bind(u.webauthn)
    .bind(u.saml)
    .bind(u.scim)
    .bind(u.first_seen)
    .bind(u.modified_ms)
    .bind(project)
    .bind(&u.id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get_by_id(conn: &mut Conn, project: &str, id: &str) -> ApiResult<Option<UserRow>> {
    Ok(sqlx::query_as::<_, UserRow>(&format!("SELECT {COLUMNS} FROM users WHERE project_id = ? AND id = ?"))
        .bind(project)
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

pub async fn get_by_login_id(conn: &mut Conn, project: &str, login_id: &str) -> ApiResult<Option<UserRow>> {
    Ok(sqlx::query_as::<_, UserRow>(&format!(
        "SELECT {COLUMNS} FROM users WHERE project_id = ?1 AND id = \
         (SELECT user_id FROM user_login_ids WHERE project_id = ?1 AND login_id = ?2)"
    ))
    .bind(project)
    .bind(login_id)
    .fetch_optional(conn)
    .await?)
}

pub async fn delete(conn: &mut Conn, project: &str, id: &str) -> ApiResult<bool> {
    let r = sqlx::query("DELETE FROM users WHERE project_id = ? AND id = ?")
        .bind(project)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() > 0)
}

pub async fn insert_login_id(
    conn: &mut Conn,
    project: &str,
    user_id: &str,
    login_id: &str,
    position: i64,
) -> ApiResult<()> {
    sqlx::query("INSERT INTO user_login_ids (project_id, login_id, user_id, position) VALUES (?, ?, ?, ?)")
        .bind(project)
        .bind(login_id)
        .bind(user_id)
        .bind(position)
        .execute(conn)
        .await
        .on_unique(|| {
            ApiError::new(ErrorKind::UserAlreadyExists, format!("User {login_id} already exists"))
        })?;
    Ok(())
}

pub async fn delete_login_ids(conn: &mut Conn, project: &str, user_id: &str) -> ApiResult<()> {
    sqlx::query("DELETE FROM user_login_ids WHERE project_id = ? AND user_id = ?")
        .bind(project)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn login_ids(conn: &mut Conn, project: &str, user_id: &str) -> ApiResult<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT login_id FROM user_login_ids WHERE project_id = ? AND user_id = ? ORDER BY position, login_id",
    )
    .bind(project)
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(l,)| l).collect())
}

/// A role granted to a user; `tenant_id` is empty for a project-level grant.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct RoleGrant {
    pub tenant_id: String,
    pub role_name: String,
}

pub async fn role_grants(conn: &mut Conn, project: &str, user_id: &str) -> ApiResult<Vec<RoleGrant>> {
    Ok(sqlx::query_as::<_, RoleGrant>(
        "SELECT tenant_id, role_name FROM user_roles WHERE project_id = ? AND user_id = ? ORDER BY tenant_id, role_name",
    )
    .bind(project)
    .bind(user_id)
    .fetch_all(conn)
    .await?)
}

pub async fn set_role_grants(
    conn: &mut Conn,
    project: &str,
    user_id: &str,
    grants: &[RoleGrant],
) -> ApiResult<()> {
    sqlx::query("DELETE FROM user_roles WHERE project_id = ? AND user_id = ?")
        .bind(project)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for g in grants {
        sqlx::query("INSERT OR IGNORE INTO user_roles (project_id, user_id, tenant_id, role_name) VALUES (?, ?, ?, ?)")
            .bind(project)
            .bind(user_id)
            .bind(&g.tenant_id)
            .bind(&g.role_name)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A tenant a user belongs to, with the tenant's name.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct TenantMembership {
    pub tenant_id: String,
    pub tenant_name: String,
}

pub async fn tenants(conn: &mut Conn, project: &str, user_id: &str) -> ApiResult<Vec<TenantMembership>> {
    Ok(sqlx::query_as::<_, TenantMembership>(
        "SELECT ut.tenant_id, t.name AS tenant_name FROM user_tenants ut \
         JOIN tenants t ON t.project_id = ut.project_id AND t.id = ut.tenant_id \
         WHERE ut.project_id = ? AND ut.user_id = ? ORDER BY ut.tenant_id",
    )
    .bind(project)
    .bind(user_id)
    .fetch_all(conn)
    .await?)
}

pub async fn set_tenants(
    conn: &mut Conn,
    project: &str,
    user_id: &str,
    tenant_ids: &[String],
) -> ApiResult<()> {
    sqlx::query("DELETE FROM user_tenants WHERE project_id = ? AND user_id = ?")
        .bind(project)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for t in tenant_ids {
        sqlx::query("INSERT OR IGNORE INTO user_tenants (project_id, user_id, tenant_id) VALUES (?, ?, ?)")
            .bind(project)
            .bind(user_id)
            .bind(t)
            .execute(&mut *conn)
            .await
            .map_err(|e| match e {
                sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                    ApiError::invalid(format!("Tenant {t} does not exist"))
                }
                e => ApiError::internal(e),
            })?;
    }
    Ok(())
}

/// The permission names of the named roles, resolved in a tenant (a tenant's own role of that
/// name first, then the project role) or at project level (`tenant_id` empty).
pub async fn permissions_of_roles(
    conn: &mut Conn,
    project: &str,
    tenant_id: &str,
    roles: &[String],
) -> ApiResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for role in roles {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT permission_names FROM roles WHERE project_id = ? AND name = ? AND tenant_id IN (?, '') \
             ORDER BY tenant_id DESC LIMIT 1",
        )
        .bind(project)
        .bind(role)
        .bind(tenant_id)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((json,)) = row {
            for p in super::from_json_text::<Vec<String>>(&json) {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, FromRow)]
pub struct LoginRow {
    pub user_id: String,
    pub login_ms: i64,
    pub method: String,
    pub ip: String,
    pub city: String,
    pub country: String,
    pub selected_tenant: String,
}

pub async fn insert_login(conn: &mut Conn, project: &str, l: &LoginRow) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO login_history (project_id, user_id, login_ms, method, ip, city, country, selected_tenant) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(project)
    .bind(&l.user_id)
    .bind(l.login_ms)
    .bind(&l.method)
    .bind(&l.ip)
    .bind(&l.city)
    .bind(&l.country)
    .bind(&l.selected_tenant)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn login_history(
    conn: &mut Conn,
    project: &str,
    user_id: &str,
    limit: i64,
) -> ApiResult<Vec<LoginRow>> {
    Ok(sqlx::query_as::<_, LoginRow>(
        "SELECT user_id, login_ms, method, ip, city, country, selected_tenant FROM login_history \
         WHERE project_id = ? AND user_id = ? ORDER BY login_ms DESC, id DESC LIMIT ?",
    )
    .bind(project)
    .bind(user_id)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

// Every user of the project, for snapshots.
pub async fn list_all(conn: &mut Conn, project: &str) -> ApiResult<Vec<UserRow>> {
    Ok(sqlx::query_as::<_, UserRow>(&format!(
        "SELECT {COLUMNS} FROM users WHERE project_id = ? ORDER BY created_ms, id"
    ))
    .bind(project)
    .fetch_all(conn)
    .await?)
}
