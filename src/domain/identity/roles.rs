//! Roles and permissions: create, update (rename), delete, load and search, one at a time or
//! in batches; and the ones every project starts with.
//!
//! Every project has Descope's built-in permissions (`Impersonate`, `User Admin`,
//! `SSO Admin`), listed with `systemDefault: true`, and the built-in project role
//! `Tenant Admin` that holds them (docs.descope.com/manage/roles, /manage/tenants). The
//! permissions can be neither renamed nor deleted; the role is an ordinary role that may be
//! edited or deleted ([`seed`]).
//!
//! A role belongs to the project (`tenant_id` empty) or to one tenant. Users hold grants by
//! role name in `user_roles`, and JWT claims are computed from them at every sign-in and
//! refresh, so renaming a role renames its grants and deleting a role removes them: the next
//! token shows the change. Renaming or deleting a permission rewrites the permission names of
//! the roles that hold it.

use serde::{Deserialize, Serialize};

use crate::clock::UnixTime;
use crate::domain::{audit, Ctx};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids::{Scope, TenantId};
use crate::store::Db;
use crate::store::{
    self,
    tenants::{PermissionRecord, PermissionRow, RoleRecord, RoleRow, ScopeSeed},
    Conn,
};

/// The permission an impersonator needs (`/v1/mgmt/impersonate`), at project level or in a
/// tenant of the impersonated user.
pub const IMPERSONATE: &str = "Impersonate";

/// Descope's built-in permissions and their descriptions, in the order Descope's Terraform
/// provider lists them (terraform-provider-descope `systemPermissions`). The descriptions
/// paraphrase docs.descope.com/manage/roles; Descope's own wording is unconfirmed.
pub const SYSTEM_PERMISSIONS: [(&str, &str); 3] = [
    (IMPERSONATE, "Act on behalf of another user"),
    ("User Admin", "Read and modify user data"),
    ("SSO Admin", "Read and modify SSO configurations"),
];

/// The built-in project role of tenant administrators: "Users assigned to the Tenant Admin
/// role for a specific tenant inherit the required permissions to manage SSO and Users for
/// the tenant, and impersonate users associated with the tenant" (docs.descope.com/manage/tenants).
pub const TENANT_ADMIN: &str = "Tenant Admin";

/// Whether a permission is one of Descope's built-in ones (`systemDefault`).
pub fn is_system_permission(name: &str) -> bool {
    SYSTEM_PERMISSIONS.iter().any(|(n, _)| *n == name)
}

/// The roles and permissions a project starts with: the built-in permissions and the
/// `Tenant Admin` role holding them. Written at every new data scope: a project's creation
/// (`/emulator/v1/projects`, a snapshot or fixture naming a new project), its reset, and a
/// snapshot replacing its data.
pub fn seed(now: UnixTime) -> ScopeSeed {
    let permission_names: Vec<String> = SYSTEM_PERMISSIONS.iter().map(|(n, _)| (*n).to_owned()).collect();
    ScopeSeed {
        permissions: SYSTEM_PERMISSIONS
            .iter()
            .map(|(name, description)| PermissionRow {
                name: (*name).to_owned(),
                description: (*description).to_owned(),
                created_ms: now.millis(),
            })
            .collect(),
        roles: vec![RoleRow {
            tenant_id: String::new(),
            name: TENANT_ADMIN.to_owned(),
            description: String::new(),
            permission_names: store::json_text(&permission_names).unwrap_or_else(|_| "[]".into()),
            is_default: false,
            private: false,
            created_ms: now.millis(),
        }],
    }
}

/// Writes [`seed`] into a new, empty data scope, in the caller's transaction.
pub async fn seed_scope(conn: &mut Conn, scope: &Scope, now: UnixTime) -> ApiResult<()> {
    store::tenants::insert_seed(conn, scope, &seed(now)).await
}

/// Refuses to rename or delete a built-in permission.
// descope-compat: unconfirmed. Descope's Terraform provider calls them "system permission[s]
// ... already defined"; that Descope refuses their deletion or renaming is the emulator's guess.
fn check_not_system(name: &str, what: &str) -> ApiResult<()> {
    if is_system_permission(name) {
        return Err(ApiError::invalid(format!(
            "Permission {name} is a system permission and cannot be {what}"
        )));
    }
    Ok(())
}

/// A role as the management API shows it. Also a snapshot's role (`crate::fixtures`), which
/// leaves out the creation time.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Role {
    /// Empty in hand-written fixtures: one is given on first use.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    pub name: String,
    pub description: String,
    pub permission_names: Vec<String>,
    pub tenant_id: String,
    pub default: bool,
    pub private: bool,
    #[serde(skip)]
    pub created_ms: i64,
}

impl From<RoleRecord> for Role {
    fn from(r: RoleRecord) -> Self {
        Role {
            id: r.id,
            permission_names: store::from_json_text(&r.row.permission_names),
            name: r.row.name,
            description: r.row.description,
            tenant_id: r.row.tenant_id,
            default: r.row.is_default,
            private: r.row.private,
            created_ms: r.row.created_ms,
        }
    }
}

impl Role {
    pub(crate) fn to_row(&self) -> ApiResult<RoleRow> {
        Ok(RoleRow {
            tenant_id: self.tenant_id.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            permission_names: store::json_text(&self.permission_names)?,
            is_default: self.default,
            private: self.private,
            created_ms: self.created_ms,
        })
    }
}

/// A permission as the management API shows it, and as a snapshot holds it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Permission {
    /// Empty in hand-written fixtures: one is given on first use.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    pub name: String,
    pub description: String,
}

impl From<PermissionRecord> for Permission {
    fn from(p: PermissionRecord) -> Self {
        Permission { id: p.id, name: p.row.name, description: p.row.description }
    }
}

/// A new role (create, create batch), read as sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NewRole {
    pub name: String,
    pub description: String,
    pub permission_names: Vec<String>,
    pub tenant_id: String,
    pub default: bool,
    pub private: bool,
}

/// A role update: the role is named by `id`, or by `name` in `tenant_id`. Every other field
/// replaces the role's ("All parameters are used as overrides", python-sdk `Role.update`);
/// an empty `new_name` keeps the name.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RoleUpdate {
    pub id: String,
    pub name: String,
    pub tenant_id: String,
    pub new_name: String,
    pub description: String,
    pub permission_names: Vec<String>,
    pub default: bool,
    pub private: bool,
}

/// A role named for deletion: by `id`, or by `name` in `tenant_id`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RoleRef {
    pub id: String,
    pub name: String,
    pub tenant_id: String,
}

/// The filters of `/v1/mgmt/role/search`; empty filters match everything.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RoleFilter {
    pub tenant_ids: Vec<String>,
    pub role_names: Vec<String>,
    pub role_name_like: String,
    pub permission_names: Vec<String>,
    pub role_ids: Vec<String>,
    /// With `tenant_ids`: also return project roles.
    pub include_project_roles: bool,
}

/// A permission update: named by `id` or `name`; an empty `new_name` keeps the name.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PermissionUpdate {
    pub id: String,
    pub name: String,
    pub new_name: String,
    pub description: String,
}

fn role_not_found(name: &str, tenant_id: &str) -> ApiError {
    let what = if tenant_id.is_empty() {
        format!("Role {name}")
    } else {
        format!("Role {name} of tenant {tenant_id}")
    };
    ApiError::new(ErrorKind::NotFound, format!("{what} not found"))
}

fn permission_not_found(name: &str) -> ApiError {
    ApiError::new(ErrorKind::NotFound, format!("Permission {name} not found"))
}

async fn roles_of(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<Role>> {
    Ok(store::tenants::list_role_records(conn, scope).await?.into_iter().map(Role::from).collect())
}

async fn permissions_of(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<Permission>> {
    Ok(store::tenants::list_permission_records(conn, scope)
        .await?
        .into_iter()
        .map(Permission::from)
        .collect())
}

/// Checks the permissions a role names exist.
async fn check_permissions(conn: &mut Conn, scope: &Scope, names: &[String]) -> ApiResult<()> {
    let have = permissions_of(conn, scope).await?;
    match names.iter().find(|n| !have.iter().any(|p| &p.name == *n)) {
        Some(missing) => Err(ApiError::invalid(format!("Permission {missing} does not exist"))),
        None => Ok(()),
    }
}

async fn check_tenant(conn: &mut Conn, scope: &Scope, tenant_id: &str) -> ApiResult<()> {
    if !tenant_id.is_empty() {
        crate::domain::identity::tenants::require(conn, scope, tenant_id).await?;
    }
    Ok(())
}

async fn find_role(conn: &mut Conn, scope: &Scope, id: &str, name: &str, tenant_id: &str) -> ApiResult<Role> {
    let roles = roles_of(conn, scope).await?;
    let found = if !id.is_empty() {
        roles.into_iter().find(|r| r.id == id)
    } else if !name.is_empty() {
        roles.into_iter().find(|r| r.name == name && r.tenant_id == tenant_id)
    } else {
        return Err(ApiError::missing("name"));
    };
    found.ok_or_else(|| role_not_found(if id.is_empty() { name } else { id }, tenant_id))
}

async fn create_in(conn: &mut Conn, ctx: &Ctx, new: NewRole) -> ApiResult<Role> {
    let project = ctx.scope();
    if new.name.trim().is_empty() {
        return Err(ApiError::missing("name"));
    }
    check_tenant(conn, project, &new.tenant_id).await?;
    check_permissions(conn, project, &new.permission_names).await?;
    let mut role = Role {
        id: String::new(),
        name: new.name,
        description: new.description,
        permission_names: dedup(new.permission_names),
        tenant_id: new.tenant_id,
        default: new.default,
        private: new.private,
        created_ms: ctx.now.millis(),
    };
    role.id = store::tenants::insert_role_record(conn, project, &role.to_row()?).await?;
    Ok(role)
}

async fn update_in(conn: &mut Conn, ctx: &Ctx, u: RoleUpdate) -> ApiResult<Role> {
    let project = ctx.scope();
    let mut role = find_role(conn, project, &u.id, &u.name, &u.tenant_id).await?;
    check_permissions(conn, project, &u.permission_names).await?;
    let old_name = role.name.clone();
    if !u.new_name.trim().is_empty() {
        role.name = u.new_name;
    }
    role.description = u.description;
    role.permission_names = dedup(u.permission_names);
    role.default = u.default;
    role.private = u.private;
    store::tenants::update_role(conn, project, &role.id, &role.to_row()?).await?;
    if role.name != old_name {
        store::tenants::rename_role_grants(
            conn,
            project,
            &TenantId::from(role.tenant_id.as_str()),
            &old_name,
            &role.name,
        )
        .await?;
    }
    Ok(role)
}

async fn delete_in(conn: &mut Conn, ctx: &Ctx, r: &RoleRef) -> ApiResult<()> {
    let project = ctx.scope();
    let role = find_role(conn, project, &r.id, &r.name, &r.tenant_id).await?;
    store::tenants::delete_role(conn, project, &role.id).await?;
    store::tenants::delete_role_grants(conn, project, &TenantId::from(role.tenant_id), &role.name).await
}

fn dedup(names: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for n in names {
        if !n.is_empty() && !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

/// An audit event about a role (`data.role_id`, `data.role_name`; a tenant role is in its
/// tenant's `tenants`).
fn role_event(action: &str, id: &str, name: &str, tenant_id: &str) -> audit::Event {
    let mut e = audit::Event::new(action, "").data("role_id", id).data("role_name", name);
    if !tenant_id.is_empty() {
        e.tenants = vec![tenant_id.to_owned()];
    }
    e
}

/// An audit event about a permission; Descope names it in `data.permission_id`.
fn permission_event(action: &str, id: &str, name: &str) -> audit::Event {
    audit::Event::new(action, "").data("permission_id", id).data("permission_name", name)
}

/// `POST /v1/mgmt/role/create`: the permissions must exist, and a tenant role's tenant too.
pub async fn create_role(db: &Db, ctx: &Ctx, new: NewRole) -> ApiResult<Role> {
    Ok(create_roles(db, ctx, vec![new]).await?.remove(0))
}

/// `POST /v1/mgmt/role/create/batch`: all or nothing.
pub async fn create_roles(db: &Db, ctx: &Ctx, news: Vec<NewRole>) -> ApiResult<Vec<Role>> {
    write_roles(db, ctx, news.into_iter().map(RoleWrite::Create).collect()).await
}

/// `POST /v1/mgmt/role/update`: renaming renames the users' grants.
pub async fn update_role(db: &Db, ctx: &Ctx, u: RoleUpdate) -> ApiResult<Role> {
    Ok(update_roles(db, ctx, vec![u]).await?.remove(0))
}

/// `POST /v1/mgmt/role/update/batch`: all or nothing.
pub async fn update_roles(db: &Db, ctx: &Ctx, updates: Vec<RoleUpdate>) -> ApiResult<Vec<Role>> {
    write_roles(db, ctx, updates.into_iter().map(RoleWrite::Update).collect()).await
}

/// One role written by a create or update batch.
enum RoleWrite {
    Create(NewRole),
    Update(RoleUpdate),
}

/// Applies a batch of role writes in one transaction, all or nothing, each audited.
async fn write_roles(db: &Db, ctx: &Ctx, writes: Vec<RoleWrite>) -> ApiResult<Vec<Role>> {
    if writes.is_empty() {
        return Err(ApiError::missing("roles"));
    }
    let mut tx = store::begin_immediate(db).await?;
    let mut out = Vec::with_capacity(writes.len());
    for write in writes {
        let (role, action) = match write {
            RoleWrite::Create(new) => (create_in(&mut tx, ctx, new).await?, audit::ROLE_CREATED),
            RoleWrite::Update(u) => (update_in(&mut tx, ctx, u).await?, audit::ROLE_MODIFIED),
        };
        audit::record(&mut tx, ctx, &role_event(action, &role.id, &role.name, &role.tenant_id)).await?;
        out.push(role);
    }
    tx.commit().await?;
    Ok(out)
}

/// `POST /v1/mgmt/role/delete` and `/delete/batch`: removes the roles and their grants.
pub async fn delete_roles(db: &Db, ctx: &Ctx, refs: Vec<RoleRef>) -> ApiResult<()> {
    if refs.is_empty() {
        return Err(ApiError::missing("roleNames"));
    }
    let mut tx = store::begin_immediate(db).await?;
    for r in &refs {
        delete_in(&mut tx, ctx, r).await?;
        audit::record(&mut tx, ctx, &role_event(audit::ROLE_DELETED, &r.id, &r.name, &r.tenant_id)).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// `GET /v1/mgmt/role/all`: project and tenant roles.
pub async fn list_roles(db: &Db, ctx: &Ctx) -> ApiResult<Vec<Role>> {
    let mut conn = db.acquire().await?;
    roles_of(&mut conn, ctx.scope()).await
}

impl RoleFilter {
    fn matches(&self, r: &Role) -> bool {
        let tenant_ok = self.tenant_ids.is_empty()
            || self.tenant_ids.contains(&r.tenant_id)
            || (self.include_project_roles && r.tenant_id.is_empty());
        let like = self.role_name_like.to_lowercase();
        tenant_ok
            && (self.role_names.is_empty() || self.role_names.contains(&r.name))
            && (like.is_empty() || r.name.to_lowercase().contains(&like))
            && (self.permission_names.is_empty()
                || self.permission_names.iter().any(|p| r.permission_names.contains(p)))
            && (self.role_ids.is_empty() || self.role_ids.contains(&r.id))
    }
}

/// `POST /v1/mgmt/role/search`.
pub async fn search_roles(db: &Db, ctx: &Ctx, filter: &RoleFilter) -> ApiResult<Vec<Role>> {
    Ok(list_roles(db, ctx).await?.into_iter().filter(|r| filter.matches(r)).collect())
}

/// Rewrites the permission names of every role holding `old`: renamed to `new`, or removed
/// when `new` is `None`.
async fn rewrite_role_permissions(
    conn: &mut Conn,
    scope: &Scope,
    old: &str,
    new: Option<&str>,
) -> ApiResult<()> {
    for mut role in roles_of(conn, scope).await? {
        if !role.permission_names.iter().any(|p| p == old) {
            continue;
        }
        let names = std::mem::take(&mut role.permission_names);
        role.permission_names = dedup(
            names
                .into_iter()
                .filter_map(|p| if p == old { new.map(str::to_owned) } else { Some(p) })
                .collect(),
        );
        store::tenants::update_role(conn, scope, &role.id, &role.to_row()?).await?;
    }
    Ok(())
}

async fn find_permission(conn: &mut Conn, scope: &Scope, id: &str, name: &str) -> ApiResult<Permission> {
    let all = permissions_of(conn, scope).await?;
    let found = if !id.is_empty() {
        all.into_iter().find(|p| p.id == id)
    } else if !name.is_empty() {
        all.into_iter().find(|p| p.name == name)
    } else {
        return Err(ApiError::missing("name"));
    };
    found.ok_or_else(|| permission_not_found(if id.is_empty() { name } else { id }))
}

/// `POST /v1/mgmt/permission/create` and `/create/batch`: all or nothing.
pub async fn create_permissions(db: &Db, ctx: &Ctx, news: Vec<(String, String)>) -> ApiResult<()> {
    if news.is_empty() {
        return Err(ApiError::missing("permissions"));
    }
    let mut tx = store::begin_immediate(db).await?;
    for (name, description) in news {
        if name.trim().is_empty() {
            return Err(ApiError::missing("name"));
        }
        let event = audit::Event::new(audit::PERMISSION_CREATED, "").data("permission_name", name.clone());
        let row = PermissionRow { name, description, created_ms: ctx.now.millis() };
        store::tenants::insert_permission_record(&mut tx, ctx.scope(), &row).await?;
        audit::record(&mut tx, ctx, &event).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// `POST /v1/mgmt/permission/update` and `/update/batch`: renaming renames the permission in
/// every role holding it.
pub async fn update_permissions(db: &Db, ctx: &Ctx, updates: Vec<PermissionUpdate>) -> ApiResult<()> {
    if updates.is_empty() {
        return Err(ApiError::missing("permissions"));
    }
    let project = ctx.scope();
    let mut tx = store::begin_immediate(db).await?;
    for u in updates {
        let p = find_permission(&mut tx, project, &u.id, &u.name).await?;
        let name = if u.new_name.trim().is_empty() { p.name.clone() } else { u.new_name };
        if name != p.name {
            check_not_system(&p.name, "renamed")?;
        }
        store::tenants::update_permission(&mut tx, project, &p.id, &name, &u.description).await?;
        if name != p.name {
            rewrite_role_permissions(&mut tx, project, &p.name, Some(&name)).await?;
        }
        audit::record(&mut tx, ctx, &permission_event(audit::PERMISSION_MODIFIED, &p.id, &name)).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// `POST /v1/mgmt/permission/delete` and `/delete/batch` (by names and/or IDs): the roles
/// holding a deleted permission lose it.
pub async fn delete_permissions(db: &Db, ctx: &Ctx, names: Vec<String>, ids: Vec<String>) -> ApiResult<()> {
    if names.is_empty() && ids.is_empty() {
        return Err(ApiError::missing("name"));
    }
    let project = ctx.scope();
    let mut tx = store::begin_immediate(db).await?;
    let refs = names
        .iter()
        .map(|n| (String::new(), n.clone()))
        .chain(ids.iter().map(|i| (i.clone(), String::new())));
    for (id, name) in refs {
        let p = find_permission(&mut tx, project, &id, &name).await?;
        check_not_system(&p.name, "deleted")?;
        store::tenants::delete_permission(&mut tx, project, &p.id).await?;
        rewrite_role_permissions(&mut tx, project, &p.name, None).await?;
        audit::record(&mut tx, ctx, &permission_event(audit::PERMISSION_DELETED, &p.id, &p.name)).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// `GET /v1/mgmt/permission/all`.
pub async fn list_permissions(db: &Db, ctx: &Ctx) -> ApiResult<Vec<Permission>> {
    let mut conn = db.acquire().await?;
    permissions_of(&mut conn, ctx.scope()).await
}
