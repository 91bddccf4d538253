//! Users, their login IDs, role and tenant grants, and login history.

use sqlx::{FromRow, QueryBuilder, Sqlite};

use super::Conn;
use crate::error::{ApiError, ApiResult, ErrorKind, ResultExt};
use crate::ids::{Scope, TenantId, UserId};

#[derive(Debug, Clone, Default, FromRow)]
pub struct UserRow {
    pub id: UserId,
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
    pub recovery_email: String,
    pub verified_recovery_email: bool,
    pub recovery_phone: String,
    pub verified_recovery_phone: bool,
    /// Unix seconds; 0 = no impersonation consent.
    pub consent_expiration: i64,
}

row_columns! {
    /// The columns of a user set once, when it is created.
    UserRow => FIXED_COLUMNS, FIXED_PARAMS, bind_fixed { id, created_ms }
}

row_columns! {
    /// The columns of a user that [`update`] writes.
    UserRow => MUTABLE_COLUMNS, MUTABLE_PARAMS, bind_mutable {
        email, phone, name, given_name, middle_name, family_name, picture, verified_email,
        verified_phone, status, test, custom_attributes, sso_app_ids, oauth, password_hash,
        totp_secret, webauthn, saml, scim, first_seen, modified_ms, recovery_email,
        verified_recovery_email, recovery_phone, verified_recovery_phone, consent_expiration,
    }
}

pub async fn insert(conn: &mut Conn, scope: &Scope, u: &UserRow) -> ApiResult<()> {
    let sql = format!(
        "INSERT INTO users (project_id, {FIXED_COLUMNS}, {MUTABLE_COLUMNS}) \
         VALUES (?, {FIXED_PARAMS}, {MUTABLE_PARAMS})"
    );
    bind_mutable(bind_fixed(sqlx::query(&sql).bind(scope), u), u)
        .execute(conn)
        .await
        .on_unique(|| ApiError::new(ErrorKind::UserAlreadyExists, format!("User {} already exists", u.id)))?;
    Ok(())
}

/// Writes the mutable columns of an existing user.
pub async fn update(conn: &mut Conn, scope: &Scope, u: &UserRow) -> ApiResult<()> {
    let sql =
        format!("UPDATE users SET ({MUTABLE_COLUMNS}) = ({MUTABLE_PARAMS}) WHERE project_id = ? AND id = ?");
    bind_mutable(sqlx::query(&sql), u).bind(scope).bind(&u.id).execute(conn).await?;
    Ok(())
}

pub async fn get_by_id(conn: &mut Conn, scope: &Scope, id: &UserId) -> ApiResult<Option<UserRow>> {
    find(conn, &select_row(), BY_ID, scope, id.as_str()).await
}

pub async fn get_by_login_id(conn: &mut Conn, scope: &Scope, login_id: &str) -> ApiResult<Option<UserRow>> {
    find(conn, &select_row(), BY_LOGIN_ID, scope, login_id).await
}

/// `SELECT` of a [`UserRow`]; `?1` is the scope, the caller adds the condition on `u`.
fn select_row() -> String {
    format!("SELECT {FIXED_COLUMNS}, {MUTABLE_COLUMNS} FROM users u WHERE u.project_id = ?1")
}

/// The condition on `u` finding a user by ID (`?2`).
const BY_ID: &str = "u.id = ?2";
/// The condition on `u` finding a user by one of its login IDs (`?2`).
const BY_LOGIN_ID: &str =
    "u.id = (SELECT user_id FROM user_login_ids WHERE project_id = ?1 AND login_id = ?2)";

/// The user that `select` (a `SELECT … WHERE u.project_id = ?1`) finds by the condition `by`.
async fn find<R>(conn: &mut Conn, select: &str, by: &str, scope: &Scope, key: &str) -> ApiResult<Option<R>>
where
    R: for<'r> FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
{
    Ok(sqlx::query_as::<_, R>(&format!("{select} AND {by}"))
        .bind(scope)
        .bind(key)
        .fetch_optional(conn)
        .await?)
}

/// A user row with its login IDs, role grants and tenant memberships, read in one statement
/// (each statement is a round trip to SQLite's worker thread, so the one read that nearly
/// every request makes is a single one).
#[derive(Debug, Clone, FromRow)]
pub struct UserWithGrants {
    #[sqlx(flatten)]
    pub row: UserRow,
    /// JSON array of login IDs, in order.
    login_ids: String,
    /// JSON array of `[tenantId, roleName]`, tenant `""` for project roles.
    grants: String,
    /// JSON array of `[tenantId, tenantName]`.
    tenants: String,
}

impl UserWithGrants {
    pub fn into_parts(self) -> (UserRow, Vec<String>, Vec<RoleGrant>, Vec<TenantMembership>) {
        let grants: Vec<(String, String)> = super::from_json_text(&self.grants);
        let tenants: Vec<(String, String)> = super::from_json_text(&self.tenants);
        (
            self.row,
            super::from_json_text(&self.login_ids),
            grants.into_iter().map(|(tenant_id, role_name)| RoleGrant { tenant_id, role_name }).collect(),
            tenants
                .into_iter()
                .map(|(tenant_id, tenant_name)| TenantMembership { tenant_id, tenant_name })
                .collect(),
        )
    }
}

/// `SELECT` of [`UserWithGrants`]; `?1` is the project, the caller adds the condition on `u`.
const WITH_GRANTS: &str = "SELECT u.*, \
    (SELECT json_group_array(login_id) FROM (SELECT login_id FROM user_login_ids \
        WHERE project_id = u.project_id AND user_id = u.id ORDER BY position, login_id)) AS login_ids, \
    (SELECT json_group_array(json_array(tenant_id, role_name)) FROM (SELECT tenant_id, role_name \
        FROM user_roles WHERE project_id = u.project_id AND user_id = u.id \
        ORDER BY tenant_id, role_name)) AS grants, \
    (SELECT json_group_array(json_array(tenant_id, name)) FROM (SELECT ut.tenant_id, t.name \
        FROM user_tenants ut JOIN tenants t ON t.project_id = ut.project_id AND t.id = ut.tenant_id \
        WHERE ut.project_id = u.project_id AND ut.user_id = u.id ORDER BY ut.tenant_id)) AS tenants \
    FROM users u WHERE u.project_id = ?1";

pub async fn get_with_grants_by_id(
    conn: &mut Conn,
    scope: &Scope,
    id: &UserId,
) -> ApiResult<Option<UserWithGrants>> {
    find(conn, WITH_GRANTS, BY_ID, scope, id.as_str()).await
}

pub async fn get_with_grants_by_login_id(
    conn: &mut Conn,
    scope: &Scope,
    login_id: &str,
) -> ApiResult<Option<UserWithGrants>> {
    find(conn, WITH_GRANTS, BY_LOGIN_ID, scope, login_id).await
}

pub async fn delete(conn: &mut Conn, scope: &Scope, id: &UserId) -> ApiResult<bool> {
    let r = sqlx::query("DELETE FROM users WHERE project_id = ? AND id = ?")
        .bind(scope)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() > 0)
}

pub async fn insert_login_id(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &UserId,
    login_id: &str,
    position: i64,
) -> ApiResult<()> {
    sqlx::query("INSERT INTO user_login_ids (project_id, login_id, user_id, position) VALUES (?, ?, ?, ?)")
        .bind(scope)
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

pub async fn delete_login_ids(conn: &mut Conn, scope: &Scope, user_id: &UserId) -> ApiResult<()> {
    delete_user_rows(conn, "user_login_ids", scope, user_id).await
}

/// Deletes every row of a user from one of the tables of a user's login IDs, roles and tenants.
async fn delete_user_rows(conn: &mut Conn, table: &str, scope: &Scope, user_id: &UserId) -> ApiResult<()> {
    sqlx::query(&format!("DELETE FROM {table} WHERE project_id = ? AND user_id = ?"))
        .bind(scope)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_login_id(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &UserId,
    login_id: &str,
) -> ApiResult<()> {
    sqlx::query("DELETE FROM user_login_ids WHERE project_id = ? AND user_id = ? AND login_id = ?")
        .bind(scope)
        .bind(user_id)
        .bind(login_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn login_ids(conn: &mut Conn, scope: &Scope, user_id: &UserId) -> ApiResult<Vec<String>> {
    let sql = "SELECT login_id FROM user_login_ids WHERE project_id = ? AND user_id = ? ORDER BY position, login_id";
    let rows: Vec<(String,)> = super::rows_of_user(conn, sql, scope, user_id).await?;
    Ok(rows.into_iter().map(|(l,)| l).collect())
}

/// A role granted to a user; `tenant_id` is empty for a project-level grant.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct RoleGrant {
    pub tenant_id: String,
    pub role_name: String,
}

row_columns! {
    RoleGrant => GRANT_COLUMNS, GRANT_PARAMS, bind_grant { tenant_id, role_name }
}

pub async fn role_grants(conn: &mut Conn, scope: &Scope, user_id: &UserId) -> ApiResult<Vec<RoleGrant>> {
    let sql = format!(
        "SELECT {GRANT_COLUMNS} FROM user_roles WHERE project_id = ? AND user_id = ? ORDER BY tenant_id, role_name"
    );
    super::rows_of_user(conn, &sql, scope, user_id).await
}

pub async fn set_role_grants(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &UserId,
    grants: &[RoleGrant],
) -> ApiResult<()> {
    delete_user_rows(&mut *conn, "user_roles", scope, user_id).await?;
    let sql = format!("INSERT OR IGNORE INTO user_roles (project_id, user_id, {GRANT_COLUMNS}) VALUES (?, ?, {GRANT_PARAMS})");
    for g in grants {
        bind_grant(sqlx::query(&sql).bind(scope).bind(user_id), g).execute(&mut *conn).await?;
    }
    Ok(())
}

/// True when a role of that name exists at project level, or in the tenant when `tenant_id`
/// is not empty (a tenant may use its own roles and the project's).
pub async fn role_exists(
    conn: &mut Conn,
    scope: &Scope,
    tenant_id: &TenantId,
    name: &str,
) -> ApiResult<bool> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM roles WHERE project_id = ? AND name = ? AND tenant_id IN (?, '')",
    )
    .bind(scope)
    .bind(name)
    .bind(tenant_id)
    .fetch_one(conn)
    .await?
        > 0)
}

/// A tenant a user belongs to, with the tenant's name.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct TenantMembership {
    pub tenant_id: String,
    pub tenant_name: String,
}

pub async fn tenants(conn: &mut Conn, scope: &Scope, user_id: &UserId) -> ApiResult<Vec<TenantMembership>> {
    let sql = "SELECT ut.tenant_id, t.name AS tenant_name FROM user_tenants ut \
         JOIN tenants t ON t.project_id = ut.project_id AND t.id = ut.tenant_id \
         WHERE ut.project_id = ? AND ut.user_id = ? ORDER BY ut.tenant_id";
    super::rows_of_user(conn, sql, scope, user_id).await
}

pub async fn set_tenants(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &UserId,
    tenant_ids: &[String],
) -> ApiResult<()> {
    delete_user_rows(&mut *conn, "user_tenants", scope, user_id).await?;
    for t in tenant_ids {
        sqlx::query("INSERT OR IGNORE INTO user_tenants (project_id, user_id, tenant_id) VALUES (?, ?, ?)")
            .bind(scope)
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
    scope: &Scope,
    tenant_id: &TenantId,
    roles: &[String],
) -> ApiResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for role in roles {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT permission_names FROM roles WHERE project_id = ? AND name = ? AND tenant_id IN (?, '') \
             ORDER BY tenant_id DESC LIMIT 1",
        )
        .bind(scope)
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

pub async fn insert_login(conn: &mut Conn, scope: &Scope, l: &LoginRow) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO login_history (project_id, user_id, login_ms, method, ip, city, country, selected_tenant) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(scope)
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
    scope: &Scope,
    user_id: &UserId,
    limit: i64,
) -> ApiResult<Vec<LoginRow>> {
    Ok(sqlx::query_as::<_, LoginRow>(
        "SELECT user_id, login_ms, method, ip, city, country, selected_tenant FROM login_history \
         WHERE project_id = ? AND user_id = ? ORDER BY login_ms DESC, id DESC LIMIT ?",
    )
    .bind(scope)
    .bind(user_id)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

// Every user of the project, for snapshots.
pub async fn list_all(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<UserRow>> {
    let sql = format!(
        "SELECT {FIXED_COLUMNS}, {MUTABLE_COLUMNS} FROM users WHERE project_id = ? ORDER BY created_ms, id"
    );
    super::rows_of_scope(conn, &sql, scope).await
}

/// The logins of several users, newest first (`/v1/mgmt/user/history`).
pub async fn login_history_of_users(
    conn: &mut Conn,
    scope: &Scope,
    user_ids: &[String],
) -> ApiResult<Vec<LoginRow>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT user_id, login_ms, method, ip, city, country, selected_tenant FROM login_history \
         WHERE project_id = ",
    );
    qb.push_bind(scope.to_owned()).push(" AND user_id IN (");
    push_list(&mut qb, user_ids);
    qb.push(") ORDER BY login_ms DESC, id DESC");
    Ok(qb.build_query_as::<LoginRow>().fetch_all(conn).await?)
}

/// Which users a search sees by their `test` flag.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TestUsers {
    #[default]
    Exclude,
    Include,
    Only,
}

/// A custom-attribute value a search matches: the attribute equals it, or is an array
/// holding it.
#[derive(Debug, Clone, PartialEq)]
pub enum AttrValue {
    Text(String),
    Number(f64),
    Bool(bool),
}

/// A column a search sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortColumn {
    Id,
    CreatedTime,
    ModifiedTime,
    LoginId,
    Name,
    Email,
    Phone,
    Status,
    Tenant,
}

impl SortColumn {
    fn sql(self) -> &'static str {
        match self {
            SortColumn::Id => "u.id",
            SortColumn::CreatedTime => "u.created_ms",
            SortColumn::ModifiedTime => "u.modified_ms",
            SortColumn::LoginId => {
                "(SELECT l.login_id FROM user_login_ids l WHERE l.project_id = u.project_id \
                 AND l.user_id = u.id ORDER BY l.position LIMIT 1) COLLATE NOCASE"
            }
            SortColumn::Name => "u.name COLLATE NOCASE",
            SortColumn::Email => "u.email COLLATE NOCASE",
            SortColumn::Phone => "u.phone",
            SortColumn::Status => "u.status",
            SortColumn::Tenant => {
                "(SELECT min(ut.tenant_id) FROM user_tenants ut WHERE ut.project_id = u.project_id \
                 AND ut.user_id = u.id)"
            }
        }
    }
}

/// Roles a user must hold in one tenant: any of `values` (or all of them with `all`); no
/// values means membership of the tenant is enough.
#[derive(Debug, Clone, Default)]
pub struct TenantRoles {
    pub tenant_id: String,
    pub values: Vec<String>,
    pub all: bool,
}

/// A user search: every non-empty filter must hold (lists match any of their values).
#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    pub test: TestUsers,
    pub tenant_ids: Vec<String>,
    pub role_names: Vec<String>,
    pub statuses: Vec<String>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub sso_app_ids: Vec<String>,
    pub login_ids: Vec<String>,
    pub user_ids: Vec<String>,
    /// (attribute, values): the attribute matches one of the values.
    pub custom_attributes: Vec<(String, Vec<AttrValue>)>,
    /// Case-insensitive substring of a login ID, the name, the email or the phone.
    pub text: String,
    /// Unix ms bounds, inclusive.
    pub created_from: Option<i64>,
    pub created_to: Option<i64>,
    pub modified_from: Option<i64>,
    pub modified_to: Option<i64>,
    /// The user matches one of the entries (role IDs).
    pub tenant_role_ids: Vec<TenantRoles>,
    /// The user matches one of the entries (role names).
    pub tenant_role_names: Vec<TenantRoles>,
    pub verified_email: Option<bool>,
    pub verified_phone: Option<bool>,
    pub with_password: bool,
    pub with_totp: bool,
    pub with_webauthn: bool,
    pub scim_only: bool,
    /// (column, descending), before the default order (creation, then ID).
    pub sort: Vec<(SortColumn, bool)>,
    pub limit: i64,
    pub offset: i64,
}

fn push_list(qb: &mut QueryBuilder<'_, Sqlite>, values: &[String]) {
    let mut sep = qb.separated(", ");
    for v in values {
        sep.push_bind(v.clone());
    }
}

/// `AND EXISTS (...)` over a user's grants in `tenant_id` ('' = project level, `None` = any)
/// whose role is one of `values`, by name or by role ID.
fn push_role_grant(
    qb: &mut QueryBuilder<'_, Sqlite>,
    tenant_id: Option<&str>,
    values: &[String],
    by_id: bool,
) {
    qb.push(
        " AND EXISTS (SELECT 1 FROM user_roles ur WHERE ur.project_id = u.project_id AND ur.user_id = u.id",
    );
    if let Some(t) = tenant_id {
        qb.push(" AND ur.tenant_id = ").push_bind(t.to_owned());
    }
    if by_id {
        qb.push(
            " AND ur.role_name IN (SELECT r.name FROM roles r WHERE r.project_id = u.project_id \
             AND r.tenant_id IN ('', ur.tenant_id) AND r.id IN (",
        );
        push_list(qb, values);
        qb.push("))");
    } else {
        qb.push(" AND ur.role_name IN (");
        push_list(qb, values);
        qb.push(")");
    }
    qb.push(")");
}

/// `OR`s one condition per entry: membership of the tenant plus its roles.
fn push_tenant_roles(qb: &mut QueryBuilder<'_, Sqlite>, entries: &[TenantRoles], by_id: bool) {
    if entries.is_empty() {
        return;
    }
    qb.push(" AND (");
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            qb.push(" OR ");
        }
        qb.push("(EXISTS (SELECT 1 FROM user_tenants ut WHERE ut.project_id = u.project_id AND ut.user_id = u.id AND ut.tenant_id = ")
            .push_bind(e.tenant_id.clone())
            .push(")");
        if e.all {
            for v in &e.values {
                push_role_grant(qb, Some(&e.tenant_id), std::slice::from_ref(v), by_id);
            }
        } else if !e.values.is_empty() {
            push_role_grant(qb, Some(&e.tenant_id), &e.values, by_id);
        }
        qb.push(")");
    }
    qb.push(")");
}

/// One custom-attribute value: the JSON value `je` equals it, or is an array holding it.
fn push_attr_value(qb: &mut QueryBuilder<'_, Sqlite>, v: &AttrValue) {
    for (target, array) in [("je", false), ("x", true)] {
        if array {
            qb.push(" OR (je.type = 'array' AND EXISTS (SELECT 1 FROM json_each(je.value) x WHERE ");
        } else {
            qb.push("(");
        }
        match v {
            AttrValue::Text(s) => {
                qb.push(format_args!("{target}.type = 'text' AND {target}.value = ")).push_bind(s.clone());
            }
            AttrValue::Number(n) => {
                qb.push(format_args!("{target}.type IN ('integer', 'real') AND {target}.value = "))
                    .push_bind(*n);
            }
            AttrValue::Bool(b) => {
                qb.push(format_args!("{target}.type = '{b}'"));
            }
        }
        qb.push(if array { "))" } else { ")" });
    }
}

/// `FROM users u WHERE ...` for a search.
fn push_filters(qb: &mut QueryBuilder<'_, Sqlite>, scope: &Scope, q: &UserQuery) {
    qb.push(" FROM users u WHERE u.project_id = ").push_bind(scope.to_owned());
    match q.test {
        TestUsers::Exclude => {
            qb.push(" AND u.test = 0");
        }
        TestUsers::Include => {}
        TestUsers::Only => {
            qb.push(" AND u.test = 1");
        }
    }
    for (column, values) in
        [("u.status", &q.statuses), ("u.email", &q.emails), ("u.phone", &q.phones), ("u.id", &q.user_ids)]
    {
        if !values.is_empty() {
            qb.push(format_args!(" AND {column} IN ("));
            push_list(qb, values);
            qb.push(")");
        }
    }
    for (exists, values) in [
        (
            "SELECT 1 FROM user_tenants ut WHERE ut.project_id = u.project_id AND ut.user_id = u.id \
             AND ut.tenant_id",
            &q.tenant_ids,
        ),
        (
            "SELECT 1 FROM user_login_ids l WHERE l.project_id = u.project_id AND l.user_id = u.id \
             AND l.login_id",
            &q.login_ids,
        ),
        ("SELECT 1 FROM json_each(u.sso_app_ids) s WHERE s.value", &q.sso_app_ids),
    ] {
        if !values.is_empty() {
            qb.push(format_args!(" AND EXISTS ({exists} IN ("));
            push_list(qb, values);
            qb.push("))");
        }
    }
    if !q.role_names.is_empty() {
        push_role_grant(qb, None, &q.role_names, false);
    }
    for (name, values) in &q.custom_attributes {
        qb.push(" AND EXISTS (SELECT 1 FROM json_each(u.custom_attributes) je WHERE je.key = ")
            .push_bind(name.clone())
            .push(" AND (");
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                qb.push(" OR ");
            }
            push_attr_value(qb, v);
        }
        qb.push("))");
    }
    if !q.text.is_empty() {
        qb.push(" AND (");
        for column in ["u.name", "u.email", "u.phone"] {
            qb.push(format_args!("instr(lower({column}), lower("))
                .push_bind(q.text.clone())
                .push(")) > 0 OR ");
        }
        qb.push(
            "EXISTS (SELECT 1 FROM user_login_ids l WHERE l.project_id = u.project_id \
             AND l.user_id = u.id AND instr(lower(l.login_id), lower(",
        )
        .push_bind(q.text.clone())
        .push(")) > 0))");
    }
    for (column, op, bound) in [
        ("u.created_ms", ">=", q.created_from),
        ("u.created_ms", "<=", q.created_to),
        ("u.modified_ms", ">=", q.modified_from),
        ("u.modified_ms", "<=", q.modified_to),
    ] {
        if let Some(b) = bound {
            qb.push(format_args!(" AND {column} {op} ")).push_bind(b);
        }
    }
    push_tenant_roles(qb, &q.tenant_role_ids, true);
    push_tenant_roles(qb, &q.tenant_role_names, false);
    for (column, wanted) in [("u.verified_email", q.verified_email), ("u.verified_phone", q.verified_phone)] {
        if let Some(w) = wanted {
            qb.push(format_args!(" AND {column} = ")).push_bind(w);
        }
    }
    for (cond, on) in [
        ("u.password_hash IS NOT NULL", q.with_password),
        ("u.totp_secret IS NOT NULL", q.with_totp),
        ("u.webauthn = 1", q.with_webauthn),
        ("u.scim = 1", q.scim_only),
    ] {
        if on {
            qb.push(format_args!(" AND {cond}"));
        }
    }
}

/// The IDs of one page of matching users, in order, and how many users match in all.
pub async fn search_ids(conn: &mut Conn, scope: &Scope, q: &UserQuery) -> ApiResult<(Vec<String>, i64)> {
    let mut count = QueryBuilder::<Sqlite>::new("SELECT count(*)");
    push_filters(&mut count, scope, q);
    let total: i64 = count.build_query_scalar().fetch_one(&mut *conn).await?;
    if total == 0 || q.offset >= total {
        return Ok((Vec::new(), total));
    }
    let mut page = QueryBuilder::<Sqlite>::new("SELECT u.id");
    push_filters(&mut page, scope, q);
    page.push(" ORDER BY ");
    for (column, desc) in &q.sort {
        page.push(column.sql()).push(if *desc { " DESC, " } else { " ASC, " });
    }
    page.push("u.created_ms ASC, u.id ASC LIMIT ").push_bind(q.limit).push(" OFFSET ").push_bind(q.offset);
    let ids: Vec<String> = page.build_query_scalar().fetch_all(conn).await?;
    Ok((ids, total))
}

/// Sets whether the user has WebAuthn credentials.
pub async fn set_webauthn(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &UserId,
    on: bool,
    now_ms: i64,
) -> ApiResult<()> {
    sqlx::query("UPDATE users SET webauthn = ?, modified_ms = ? WHERE project_id = ? AND id = ?")
        .bind(on)
        .bind(now_ms)
        .bind(scope)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes the user's TOTP secret.
pub async fn clear_totp(conn: &mut Conn, scope: &Scope, user_id: &UserId, now_ms: i64) -> ApiResult<()> {
    sqlx::query("UPDATE users SET totp_secret = NULL, modified_ms = ? WHERE project_id = ? AND id = ?")
        .bind(now_ms)
        .bind(scope)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}
