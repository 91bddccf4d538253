//! Projects, their signing keys and management keys.

use sqlx::FromRow;

use super::tenants::ScopeSeed;
use super::Conn;
use crate::error::ApiResult;
use crate::ids::{ProjectId, Scope};

#[derive(Debug, Clone, FromRow)]
pub struct ProjectRow {
    pub id: ProjectId,
    pub name: String,
    pub is_default: bool,
    pub settings: String,
    pub created_ms: i64,
    /// Where the project's data lives; `None`: under the project's own ID.
    #[sqlx(default)]
    pub data_scope: Option<String>,
}

impl ProjectRow {
    /// The `project_id` of the project's data rows.
    pub fn scope(&self) -> Scope {
        Scope::new(self.data_scope.as_deref().unwrap_or(self.id.as_str()))
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct SigningKeyRow {
    pub kid: String,
    pub pkcs8: Vec<u8>,
    pub active: bool,
    pub created_ms: i64,
    /// Emulator time (Unix ms) a rotated-out key stops being valid; `None`: never.
    pub retire_ms: Option<i64>,
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

/// Which of `ids` are taken by existing projects, as the first statement after `begin` (a
/// `BEGIN IMMEDIATE` sent in the same round trip).
pub async fn taken_ids(conn: &mut Conn, begin: &str, ids: &[&ProjectId]) -> ApiResult<Vec<ProjectId>> {
    let marks = vec!["?"; ids.len()].join(", ");
    let sql = format!("{begin}; SELECT id FROM projects WHERE id IN ({marks})");
    let mut q = sqlx::query_scalar::<_, ProjectId>(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(conn).await?)
}

/// The statements that insert new projects with their first management keys (multi-row
/// INSERTs), to run in one batch with other statements; [`bind_new_projects`] binds them.
pub fn new_projects_statements(n: usize) -> String {
    let projects = vec!["(?, ?, ?, ?, ?)"; n].join(", ");
    let key = format!("(?, {MGMT_KEY_PARAMS})");
    let keys = vec![key.as_str(); n].join(", ");
    format!(
        "INSERT INTO projects (id, name, is_default, settings, created_ms) VALUES {projects}; \
         INSERT INTO management_keys (project_id, {MGMT_KEY_COLUMNS}) VALUES {keys}"
    )
}

/// Binds the parameters of [`new_projects_statements`].
pub fn bind_new_projects<'q>(
    mut q: super::Query<'q>,
    rows: &[(&'q ProjectRow, &'q ManagementKeyRow)],
) -> super::Query<'q> {
    for (p, _) in rows {
        q = q.bind(&p.id).bind(&p.name).bind(p.is_default).bind(&p.settings).bind(p.created_ms);
    }
    for (p, k) in rows {
        q = bind_mgmt_key(q.bind(&p.id), k);
    }
    q
}

pub async fn get(conn: &mut Conn, id: &ProjectId) -> ApiResult<Option<ProjectRow>> {
    Ok(sqlx::query_as::<_, ProjectRow>("SELECT * FROM projects WHERE id = ? AND scope_of IS NULL")
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

/// A line of the project list: the project and its oldest active management key.
#[derive(Debug, Clone, FromRow)]
pub struct ProjectListing {
    pub id: ProjectId,
    pub name: String,
    pub management_key: Option<String>,
}

// No project filter: this lists the projects themselves.
pub async fn list(conn: &mut Conn) -> ApiResult<Vec<ProjectListing>> {
    Ok(sqlx::query_as::<_, ProjectListing>(
        "SELECT p.id, p.name, (SELECT m.secret FROM management_keys m \
           WHERE m.project_id = p.id AND m.status = 'active' ORDER BY m.created_ms, m.id LIMIT 1) \
           AS management_key \
         FROM projects p WHERE p.scope_of IS NULL ORDER BY p.created_ms, p.id",
    )
    .fetch_all(conn)
    .await?)
}

/// One project as [`list`] shows it.
pub async fn listing(conn: &mut Conn, id: &ProjectId) -> ApiResult<Option<ProjectListing>> {
    Ok(sqlx::query_as::<_, ProjectListing>(
        "SELECT p.id, p.name, (SELECT m.secret FROM management_keys m \
           WHERE m.project_id = p.id AND m.status = 'active' ORDER BY m.created_ms, m.id LIMIT 1) \
           AS management_key \
         FROM projects p WHERE p.id = ? AND p.scope_of IS NULL",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

// No project filter: the default project is found across all projects.
pub async fn get_default(conn: &mut Conn) -> ApiResult<Option<ProjectRow>> {
    Ok(sqlx::query_as::<_, ProjectRow>(
        "SELECT * FROM projects WHERE is_default = 1 AND scope_of IS NULL ORDER BY created_ms LIMIT 1",
    )
    .fetch_optional(conn)
    .await?)
}

pub async fn update(
    conn: &mut Conn,
    id: &ProjectId,
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

pub async fn delete(conn: &mut Conn, id: &ProjectId) -> ApiResult<bool> {
    let r = sqlx::query("DELETE FROM projects WHERE id = ?").bind(id).execute(conn).await?;
    Ok(r.rows_affected() > 0)
}

/// Adds a hidden scope row for a project and points the project at it.
const NEW_SCOPE: &str = "INSERT INTO projects (id, name, is_default, settings, created_ms, scope_of) \
    VALUES (?, '', 0, '{}', ?, ?); \
    UPDATE projects SET data_scope = ? WHERE id = ? AND scope_of IS NULL";

/// Gives a project a new, empty data scope: a hidden row of `projects` that goes with the
/// project; the caller purges the rows of the scope it had. Inside the caller's transaction.
pub async fn new_data_scope(
    conn: &mut Conn,
    project: &ProjectId,
    scope: &Scope,
    now_ms: i64,
) -> ApiResult<()> {
    let r = scope_statements(NEW_SCOPE, project, scope, now_ms).execute(conn).await?;
    if r.rows_affected() != 2 {
        return Err(crate::error::ApiError::not_found(format!("Project {project} not found")));
    }
    Ok(())
}

/// [`new_data_scope`] as a transaction of its own, the new scope starting with the rows of
/// `seed`, sent as one batch: one round trip to the database thread instead of three (reset
/// is timed by tests that reset between cases). An unknown project fails the INSERT (its
/// `scope_of` must name a project).
pub async fn move_to_new_scope(
    conn: &mut Conn,
    project: &ProjectId,
    scope: &Scope,
    now_ms: i64,
    seed: &ScopeSeed,
) -> ApiResult<()> {
    let seeds = [(scope.clone(), seed)];
    let seed_sql = super::tenants::seeds_statements(&seeds);
    let sql = if seed_sql.is_empty() {
        format!("BEGIN IMMEDIATE; {NEW_SCOPE}; COMMIT")
    } else {
        format!("BEGIN IMMEDIATE; {NEW_SCOPE}; {seed_sql}; COMMIT")
    };
    let statements = super::tenants::bind_seeds(scope_statements(&sql, project, scope, now_ms), &seeds);
    let result = statements.execute(&mut *conn).await;
    if result.is_err() {
        // A statement failed after BEGIN: end the transaction (no error if none is open).
        let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
    }
    result?;
    Ok(())
}

fn scope_statements<'q>(
    sql: &'q str,
    project: &'q ProjectId,
    scope: &'q Scope,
    now_ms: i64,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
    sqlx::query(sql).bind(scope).bind(now_ms).bind(project).bind(scope).bind(project)
}

/// Scopes whose data no project uses any more (a reset interrupted by a stop): old hidden
/// scope rows, and a project's own ID once it has moved to a scope.
// No project filter: this looks across all projects for leftovers.
pub async fn stale_scopes(conn: &mut Conn) -> ApiResult<Vec<Scope>> {
    Ok(sqlx::query_scalar(
        "SELECT s.id FROM projects s JOIN projects p ON p.id = s.scope_of \
         WHERE s.id IS NOT p.data_scope \
         UNION SELECT id FROM projects WHERE scope_of IS NULL AND data_scope IS NOT NULL",
    )
    .fetch_all(conn)
    .await?)
}

/// The tables that hold project data: every table with a `project_id` column but the
/// projects and their keys, so tables that later migrations add are covered too.
// No project filter: this reads the schema, not project data.
pub async fn data_tables(conn: &mut Conn) -> ApiResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT m.name FROM sqlite_master m, pragma_table_info(m.name) c \
         WHERE m.type = 'table' AND c.name = 'project_id' \
         AND m.name NOT IN ('projects', 'signing_keys', 'management_keys') ORDER BY m.name",
    )
    .fetch_all(conn)
    .await?)
}

/// Deletes up to `limit` rows of a scope from one data table (and what cascades from them);
/// answers how many it deleted.
pub async fn purge_chunk(conn: &mut Conn, table: &str, scope: &Scope, limit: i64) -> ApiResult<u64> {
    let table = table.replace('"', "\"\"");
    let r = sqlx::query(&format!(
        "DELETE FROM \"{table}\" WHERE rowid IN (SELECT rowid FROM \"{table}\" WHERE project_id = ? LIMIT ?)"
    ))
    .bind(scope)
    .bind(limit)
    .execute(conn)
    .await?;
    Ok(r.rows_affected())
}

/// Deletes a hidden scope row once its data is gone.
pub async fn delete_scope(conn: &mut Conn, scope: &Scope) -> ApiResult<()> {
    sqlx::query("DELETE FROM projects WHERE id = ? AND scope_of IS NOT NULL")
        .bind(scope)
        .execute(conn)
        .await?;
    Ok(())
}

row_columns! {
    SigningKeyRow => SIGNING_KEY_COLUMNS, SIGNING_KEY_PARAMS, bind_signing_key { kid, pkcs8, active, created_ms, retire_ms }
}

/// Stores a project's first signing key, unless it has one by now.
pub async fn insert_first_signing_key(
    conn: &mut Conn,
    project: &ProjectId,
    k: &SigningKeyRow,
) -> ApiResult<()> {
    let sql = format!(
        "INSERT INTO signing_keys (project_id, {SIGNING_KEY_COLUMNS}) SELECT ?, {SIGNING_KEY_PARAMS} \
         WHERE NOT EXISTS (SELECT 1 FROM signing_keys WHERE project_id = ?)"
    );
    bind_signing_key(sqlx::query(&sql).bind(project), k).bind(project).execute(conn).await?;
    Ok(())
}

pub async fn insert_signing_key(conn: &mut Conn, project: &ProjectId, k: &SigningKeyRow) -> ApiResult<()> {
    let sql = format!(
        "INSERT OR REPLACE INTO signing_keys (project_id, {SIGNING_KEY_COLUMNS}) VALUES (?, {SIGNING_KEY_PARAMS})"
    );
    bind_signing_key(sqlx::query(&sql).bind(project), k).execute(conn).await?;
    Ok(())
}

pub async fn signing_keys(conn: &mut Conn, project: &ProjectId) -> ApiResult<Vec<SigningKeyRow>> {
    Ok(sqlx::query_as::<_, SigningKeyRow>(&format!(
        "SELECT {SIGNING_KEY_COLUMNS} FROM signing_keys WHERE project_id = ? ORDER BY created_ms, kid"
    ))
    .bind(project)
    .fetch_all(conn)
    .await?)
}

/// Rotation: every active key of the project becomes inactive, retiring at `retire_ms`, and
/// `new` becomes the active key. Keys that retired before `now_ms` are deleted.
pub async fn rotate_signing_key(
    conn: &mut Conn,
    project: &ProjectId,
    new: &SigningKeyRow,
    retire_ms: i64,
    now_ms: i64,
) -> ApiResult<()> {
    sqlx::query("DELETE FROM signing_keys WHERE project_id = ? AND retire_ms IS NOT NULL AND retire_ms <= ? AND active = 0")
        .bind(project)
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE signing_keys SET active = 0, retire_ms = ? WHERE project_id = ? AND active = 1")
        .bind(retire_ms)
        .bind(project)
        .execute(&mut *conn)
        .await?;
    insert_signing_key(conn, project, new).await
}

pub async fn delete_signing_keys(conn: &mut Conn, project: &ProjectId) -> ApiResult<()> {
    sqlx::query("DELETE FROM signing_keys WHERE project_id = ?").bind(project).execute(conn).await?;
    Ok(())
}

row_columns! {
    ManagementKeyRow => MGMT_KEY_COLUMNS, MGMT_KEY_PARAMS, bind_mgmt_key { id, name, secret, status, created_ms }
}

pub async fn insert_management_key(
    conn: &mut Conn,
    project: &ProjectId,
    k: &ManagementKeyRow,
) -> ApiResult<()> {
    let sql = format!(
        "INSERT OR REPLACE INTO management_keys (project_id, {MGMT_KEY_COLUMNS}) VALUES (?, {MGMT_KEY_PARAMS})"
    );
    bind_mgmt_key(sqlx::query(&sql).bind(project), k).execute(conn).await?;
    Ok(())
}

pub async fn management_keys(conn: &mut Conn, project: &ProjectId) -> ApiResult<Vec<ManagementKeyRow>> {
    Ok(sqlx::query_as::<_, ManagementKeyRow>(&format!(
        "SELECT {MGMT_KEY_COLUMNS} FROM management_keys WHERE project_id = ? ORDER BY created_ms, id"
    ))
    .bind(project)
    .fetch_all(conn)
    .await?)
}

pub async fn delete_management_keys(conn: &mut Conn, project: &ProjectId) -> ApiResult<()> {
    sqlx::query("DELETE FROM management_keys WHERE project_id = ?").bind(project).execute(conn).await?;
    Ok(())
}

/// A management key with the fields `/v1/mgmt/managementkey*` shows (`permitted_ips` is JSON).
#[derive(Debug, Clone, FromRow)]
pub struct ManagementKeyDetailRow {
    pub id: String,
    pub name: String,
    pub secret: String,
    pub status: String,
    pub created_ms: i64,
    pub description: String,
    pub permitted_ips: String,
    pub expire_secs: i64,
}

row_columns! {
    ManagementKeyDetailRow => MGMT_KEY_DETAIL_COLUMNS, MGMT_KEY_DETAIL_PARAMS, bind_mgmt_key_detail {
        id, name, secret, status, created_ms, description, permitted_ips, expire_secs,
    }
}

pub async fn insert_management_key_detail(
    conn: &mut Conn,
    project: &ProjectId,
    k: &ManagementKeyDetailRow,
) -> ApiResult<()> {
    let sql = format!(
        "INSERT INTO management_keys (project_id, {MGMT_KEY_DETAIL_COLUMNS}) VALUES (?, {MGMT_KEY_DETAIL_PARAMS})"
    );
    bind_mgmt_key_detail(sqlx::query(&sql).bind(project), k).execute(conn).await?;
    Ok(())
}

pub async fn management_key_details(
    conn: &mut Conn,
    project: &ProjectId,
) -> ApiResult<Vec<ManagementKeyDetailRow>> {
    Ok(sqlx::query_as::<_, ManagementKeyDetailRow>(&format!(
        "SELECT {MGMT_KEY_DETAIL_COLUMNS} FROM management_keys WHERE project_id = ? ORDER BY created_ms, id"
    ))
    .bind(project)
    .fetch_all(conn)
    .await?)
}

pub async fn get_management_key_detail(
    conn: &mut Conn,
    project: &ProjectId,
    id: &str,
) -> ApiResult<Option<ManagementKeyDetailRow>> {
    Ok(sqlx::query_as::<_, ManagementKeyDetailRow>(&format!(
        "SELECT {MGMT_KEY_DETAIL_COLUMNS} FROM management_keys WHERE project_id = ? AND id = ?"
    ))
    .bind(project)
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// Writes a management key's name, description, permitted IPs and status.
pub async fn update_management_key_detail(
    conn: &mut Conn,
    project: &ProjectId,
    k: &ManagementKeyDetailRow,
) -> ApiResult<()> {
    sqlx::query(
        "UPDATE management_keys SET name = ?, description = ?, permitted_ips = ?, status = ? \
         WHERE project_id = ? AND id = ?",
    )
    .bind(&k.name)
    .bind(&k.description)
    .bind(&k.permitted_ips)
    .bind(&k.status)
    .bind(project)
    .bind(&k.id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_management_key(conn: &mut Conn, project: &ProjectId, id: &str) -> ApiResult<bool> {
    let r = sqlx::query("DELETE FROM management_keys WHERE project_id = ? AND id = ?")
        .bind(project)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() > 0)
}
