//! Users: the aggregate of a user row with its login IDs and grants, creation and lookup.

use serde_json::{Map, Value};

use crate::clock::UnixTime;
use crate::crypto;
use crate::crypto::PasswordHasher;
use crate::domain::identity::invite::{self, InviteOptions};
use crate::domain::identity::profile::{UserProfile, UserTraits};
use crate::domain::messaging::channel::AddressKind;
use crate::domain::messaging::outbox::OutboxNotifier;
use crate::domain::{audit, sessions, Ctx};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids::{Scope, TenantId, UserId};
use crate::store::Db;
use crate::store::{self, users::RoleGrant, users::UserRow, Conn};

/// A user with everything the user object and the JWT need.
#[derive(Debug, Clone)]
pub struct User {
    pub row: UserRow,
    pub login_ids: Vec<String>,
    /// Project-level role names.
    pub roles: Vec<String>,
    pub tenants: Vec<UserTenant>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserTenant {
    pub tenant_id: String,
    pub tenant_name: String,
    pub roles: Vec<String>,
}

pub const STATUS_ENABLED: &str = "enabled";
pub const STATUS_DISABLED: &str = "disabled";
pub const STATUS_INVITED: &str = "invited";
pub const STATUS_EXPIRED: &str = "expired";

impl User {
    pub fn id(&self) -> &UserId {
        &self.row.id
    }

    /// The user's custom attributes (free-form values).
    pub fn custom_attributes(&self) -> Map<String, Value> {
        store::from_json_text(&self.row.custom_attributes)
    }

    /// The social providers the user signed in with, by name.
    pub fn oauth(&self) -> Map<String, Value> {
        store::from_json_text(&self.row.oauth)
    }

    /// The SSO apps the user may use.
    pub fn sso_app_ids(&self) -> Vec<String> {
        store::from_json_text(&self.row.sso_app_ids)
    }

    /// Refuses users that may not sign in or refresh.
    pub fn ensure_can_sign_in(&self) -> ApiResult<()> {
        if self.row.status == STATUS_DISABLED {
            return Err(ApiError::new(ErrorKind::UserDisabled, format!("User {} is disabled", self.id())));
        }
        Ok(())
    }
}

/// Everything needed to create a user.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub login_ids: Vec<String>,
    pub profile: UserProfile,
    pub traits: UserTraits,
    pub roles: Vec<String>,
    /// (tenant ID, role names in it)
    pub tenants: Vec<(String, Vec<String>)>,
    pub password_hash: Option<String>,
    /// How the user came about, for the `UserCreated` audit event (`otp`, `password`, `mgmt`…).
    pub method: String,
}

/// A new user ID as Descope forms them: `U2` and 26 letters and digits.
pub fn new_user_id() -> String {
    format!("U2{}", crypto::random_alnum(26))
}

/// Loads the login IDs and grants of a user row.
pub async fn assemble(conn: &mut Conn, scope: &Scope, row: UserRow) -> ApiResult<User> {
    let login_ids = store::users::login_ids(conn, scope, &row.id).await?;
    let grants = store::users::role_grants(conn, scope, &row.id).await?;
    let memberships = store::users::tenants(conn, scope, &row.id).await?;
    Ok(User::from_parts(row, login_ids, grants, memberships))
}

impl User {
    fn from_parts(
        row: UserRow,
        login_ids: Vec<String>,
        grants: Vec<RoleGrant>,
        memberships: Vec<store::users::TenantMembership>,
    ) -> User {
        let roles = grants.iter().filter(|g| g.tenant_id.is_empty()).map(|g| g.role_name.clone()).collect();
        let tenants = memberships
            .into_iter()
            .map(|m| UserTenant {
                roles: grants
                    .iter()
                    .filter(|g| g.tenant_id == m.tenant_id)
                    .map(|g| g.role_name.clone())
                    .collect(),
                tenant_id: m.tenant_id,
                tenant_name: m.tenant_name,
            })
            .collect();
        User { row, login_ids, roles, tenants }
    }
}

fn from_stored(u: store::users::UserWithGrants) -> User {
    let (row, login_ids, grants, memberships) = u.into_parts();
    User::from_parts(row, login_ids, grants, memberships)
}

pub async fn find_by_login_id(conn: &mut Conn, scope: &Scope, login_id: &str) -> ApiResult<Option<User>> {
    Ok(store::users::get_with_grants_by_login_id(conn, scope, login_id).await?.map(from_stored))
}

/// The user a sign-in names: it must exist ([`ApiError::user_not_found`]) and may sign in.
pub async fn require_for_sign_in(conn: &mut Conn, scope: &Scope, login_id: &str) -> ApiResult<User> {
    let user =
        find_by_login_id(conn, scope, login_id).await?.ok_or_else(|| ApiError::user_not_found(login_id))?;
    user.ensure_can_sign_in()?;
    Ok(user)
}

pub async fn find_by_id(conn: &mut Conn, scope: &Scope, user_id: &str) -> ApiResult<Option<User>> {
    Ok(store::users::get_with_grants_by_id(conn, scope, &UserId::from(user_id)).await?.map(from_stored))
}

/// Management lookups accept a login ID or a user ID in `loginId` (Go's `Load` sends a user
/// ID there), so try login IDs first, then user IDs.
pub async fn find_by_login_or_user_id(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<Option<User>> {
    if let Some(u) = find_by_login_id(conn, scope, id).await? {
        return Ok(Some(u));
    }
    find_by_id(conn, scope, id).await
}

/// Creates a user with its login IDs and grants, inside the caller's transaction, and records
/// `UserCreated`: every way a user comes about (sign-up by any method, management) ends here.
pub async fn create(conn: &mut Conn, scope: &Scope, now: UnixTime, new: NewUser) -> ApiResult<User> {
    let mut login_ids: Vec<String> = Vec::new();
    for l in new.login_ids.into_iter().map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()) {
        if !login_ids.contains(&l) {
            login_ids.push(l);
        }
    }
    if login_ids.is_empty() {
        return Err(ApiError::missing("loginId"));
    }
    let row = UserRow {
        id: UserId::from(new_user_id()),
        email: new.profile.email,
        phone: new.profile.phone,
        name: new.profile.name,
        given_name: new.profile.given_name,
        middle_name: new.profile.middle_name,
        family_name: new.profile.family_name,
        picture: new.traits.picture,
        verified_email: new.traits.verified_email,
        verified_phone: new.traits.verified_phone,
        status: if new.traits.status.is_empty() { STATUS_ENABLED.to_owned() } else { new.traits.status },
        test: new.traits.test,
        custom_attributes: store::json_text(&new.traits.custom_attributes)?,
        sso_app_ids: store::json_text(&new.traits.sso_app_ids)?,
        oauth: "{}".into(),
        password_hash: new.password_hash,
        totp_secret: None,
        webauthn: false,
        saml: false,
        scim: false,
        first_seen: true,
        created_ms: now.millis(),
        modified_ms: now.millis(),
        ..UserRow::default()
    };
    store::users::insert(conn, scope, &row).await?;
    for (i, l) in login_ids.iter().enumerate() {
        store::users::insert_login_id(conn, scope, &row.id, l, i as i64).await?;
    }
    // A new user has no grants to replace, and without tenants (whose names the user object
    // shows) it is known without reading it back: every statement is a round trip.
    let tenant_ids: Vec<String> = new.tenants.iter().map(|(t, _)| t.clone()).collect();
    if !tenant_ids.is_empty() {
        store::users::set_tenants(conn, scope, &row.id, &tenant_ids).await?;
    }
    let mut grants: Vec<RoleGrant> =
        new.roles.into_iter().map(|r| RoleGrant { tenant_id: String::new(), role_name: r }).collect();
    for (t, roles) in new.tenants {
        grants.extend(roles.into_iter().map(|r| RoleGrant { tenant_id: t.clone(), role_name: r }));
    }
    // As they read back: ordered, each once.
    grants.sort_by(|a, b| (&a.tenant_id, &a.role_name).cmp(&(&b.tenant_id, &b.role_name)));
    grants.dedup();
    if !grants.is_empty() {
        store::users::set_role_grants(conn, scope, &row.id, &grants).await?;
    }
    let user = if tenant_ids.is_empty() {
        User::from_parts(row, login_ids, grants, Vec::new())
    } else {
        assemble(conn, scope, row).await?
    };
    audit::record_at(
        conn,
        scope,
        now,
        &audit::Event::for_user(audit::USER_CREATED, &user).method(&new.method),
    )
    .await?;
    Ok(user)
}

/// Deletes a user; their refresh tokens and history go with them (cascade).
pub async fn delete(conn: &mut Conn, scope: &Scope, user_id: &str) -> ApiResult<bool> {
    store::users::delete(conn, scope, &UserId::from(user_id)).await
}

/// A user created through the management API (`/v1/mgmt/user/create`, `/create/test`), before
/// the defaults Descope derives from the login ID are applied.
#[derive(Debug, Clone, Default)]
pub struct ManagedUser {
    pub login_id: String,
    pub additional_login_ids: Vec<String>,
    pub email: String,
    pub phone: String,
    pub name: String,
    pub given_name: String,
    pub middle_name: String,
    pub family_name: String,
    pub picture: String,
    /// `None` when not given: derived from the login ID.
    pub verified_email: Option<bool>,
    pub verified_phone: Option<bool>,
    /// Empty when not given.
    pub status: String,
    /// Create the user `invited` and send them an invitation ([`invite::send`]).
    pub invite: bool,
    pub invite_options: InviteOptions,
    pub test: bool,
    pub custom_attributes: Map<String, Value>,
    pub sso_app_ids: Vec<String>,
    pub roles: Vec<String>,
    /// (tenant ID, role names in it)
    pub tenants: Vec<(String, Vec<String>)>,
    /// Cleartext; empty when not given.
    pub password: String,
}

impl ManagedUser {
    /// Applies Descope's defaults and checks the fields, giving the row to insert (without the
    /// password hash).
    fn into_new_user(self) -> ApiResult<NewUser> {
        let login_id = self.login_id.trim().to_owned();
        if login_id.is_empty() {
            return Err(ApiError::missing("loginId"));
        }
        let login_is_email = AddressKind::Email.validate(&login_id).is_ok();
        let login_is_phone = AddressKind::Phone.validate(&login_id).is_ok();
        // descope-compat: a login ID that is an email becomes the (verified) email when none is
        // given, as seen against Descope (python-sdk tests/e2e/management/test_user.py).
        let (email, verified_email) = if self.email.is_empty() && login_is_email {
            (login_id.clone(), self.verified_email.unwrap_or(true))
        } else {
            (self.email, self.verified_email.unwrap_or(false))
        };
        let phone = if self.phone.is_empty() && login_is_phone { login_id.clone() } else { self.phone };
        if !email.is_empty() {
            AddressKind::Email.validate(&email)?;
        }
        if !phone.is_empty() {
            AddressKind::Phone.validate(&phone)?;
        }
        let status = if self.invite {
            STATUS_INVITED.to_owned()
        } else if self.status.is_empty() {
            STATUS_ENABLED.to_owned()
        } else if [STATUS_ENABLED, STATUS_DISABLED, STATUS_INVITED, STATUS_EXPIRED]
            .contains(&self.status.as_str())
        {
            self.status
        } else {
            return Err(ApiError::invalid(format!("Invalid status: {}", self.status)));
        };
        if self.tenants.iter().any(|(t, _)| t.is_empty()) {
            return Err(ApiError::missing("userTenants.tenantId"));
        }
        let mut login_ids = vec![login_id];
        login_ids.extend(self.additional_login_ids);
        Ok(NewUser {
            login_ids,
            profile: UserProfile {
                email,
                phone,
                name: self.name,
                given_name: self.given_name,
                middle_name: self.middle_name,
                family_name: self.family_name,
            },
            traits: UserTraits {
                picture: self.picture,
                verified_email,
                verified_phone: self.verified_phone.unwrap_or(false),
                status,
                test: self.test,
                custom_attributes: self.custom_attributes,
                sso_app_ids: self.sso_app_ids,
            },
            roles: self.roles,
            tenants: self.tenants,
            password_hash: None,
            method: String::new(),
        })
    }
}

/// `POST /v1/mgmt/user/create` and `/create/test`: creates a user, and invites them when
/// asked; a taken login ID is Descope's user-already-exists error, an unknown tenant a 400.
pub async fn create_managed(
    db: &Db,
    hasher: &PasswordHasher,
    notifier: &OutboxNotifier,
    ctx: &Ctx,
    req: ManagedUser,
) -> ApiResult<User> {
    let password = req.password.clone();
    let invitation = req.invite.then(|| req.invite_options.clone());
    let mut new = req.into_new_user()?;
    if !password.is_empty() {
        new.password_hash = Some(hasher.hash_off_thread(&password).await?);
    }
    let mut tx = store::begin_immediate(db).await?;
    let user = create_checked(&mut tx, ctx, new).await?;
    let sent = match &invitation {
        Some(options) => invite::send(&mut tx, ctx, &user, options).await?,
        None => 0,
    };
    tx.commit().await?;
    if sent > 0 {
        notifier.notify(ctx.scope());
    }
    Ok(user)
}

/// Finds the user a management call names: `login_id` is matched against login IDs, then user
/// IDs (Go's `Load` sends a user ID there); `user_id` against user IDs. Empty values are
/// ignored, and naming neither is a missing argument.
async fn find_named(
    conn: &mut Conn,
    scope: &Scope,
    login_id: &str,
    user_id: &str,
) -> ApiResult<Option<User>> {
    match (login_id.trim(), user_id.trim()) {
        ("", "") => Err(ApiError::missing("loginId or userId")),
        ("", user_id) => find_by_id(conn, scope, user_id).await,
        (login_id, _) => find_by_login_or_user_id(conn, scope, login_id).await,
    }
}

/// The user a management call names, or the management user-not-found error.
pub(crate) async fn require_named(
    conn: &mut Conn,
    scope: &Scope,
    login_id: &str,
    user_id: &str,
) -> ApiResult<User> {
    find_named(conn, scope, login_id, user_id)
        .await?
        .ok_or_else(|| ApiError::mgmt_user_not_found(if login_id.is_empty() { user_id } else { login_id }))
}

/// `GET /v1/mgmt/user`: loads a user by login ID or user ID.
pub async fn load(db: &Db, ctx: &Ctx, login_id: &str, user_id: &str) -> ApiResult<User> {
    let mut conn = db.acquire().await?;
    require_named(&mut conn, ctx.scope(), login_id, user_id).await
}

/// `POST /v1/mgmt/user/delete`: deletes a user with their sessions.
// descope-compat: deleting a user that does not exist succeeds, as in Descope.
pub async fn delete_named(db: &Db, ctx: &Ctx, login_id: &str, user_id: &str) -> ApiResult<()> {
    let mut tx = store::begin_immediate(db).await?;
    if let Some(user) = find_named(&mut tx, ctx.scope(), login_id, user_id).await? {
        delete(&mut tx, ctx.scope(), user.id().as_str()).await?;
        record_user_event(&mut tx, ctx, audit::USER_DELETED, &user).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// `DELETE /v1/mgmt/user/test/delete/all`: deletes every test user of the project, giving how
/// many were deleted.
pub async fn delete_all_test_users(db: &Db, ctx: &Ctx) -> ApiResult<u64> {
    let mut tx = store::begin_immediate(db).await?;
    let mut deleted = 0;
    for row in store::users::list_all(&mut tx, ctx.scope()).await?.into_iter().filter(|u| u.test) {
        let user = assemble(&mut tx, ctx.scope(), row).await?;
        if delete(&mut tx, ctx.scope(), user.id().as_str()).await? {
            record_user_event(&mut tx, ctx, audit::USER_DELETED, &user).await?;
            deleted += 1;
        }
    }
    tx.commit().await?;
    Ok(deleted)
}

/// `POST /v1/mgmt/user/logout`: revokes every refresh token of the user.
pub async fn logout_named(db: &Db, ctx: &Ctx, login_id: &str, user_id: &str) -> ApiResult<()> {
    let mut tx = store::begin_immediate(db).await?;
    let user = require_named(&mut tx, ctx.scope(), login_id, user_id).await?;
    sessions::revoke_user(&mut tx, ctx, user.id().as_str()).await?;
    record_user_event(&mut tx, ctx, audit::LOGOUT, &user).await?;
    tx.commit().await?;
    Ok(())
}

/// How a list-valued change applies to the current members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListOp {
    Set,
    Add,
    Remove,
}

impl ListOp {
    /// Applies the change to `list`, keeping its order and no duplicates.
    fn apply(self, list: &mut Vec<String>, items: Vec<String>) {
        let items = items.into_iter().map(|i| i.trim().to_owned()).filter(|i| !i.is_empty());
        match self {
            ListOp::Set => {
                list.clear();
                ListOp::Add.apply(list, items.collect());
            }
            ListOp::Add => {
                for i in items {
                    if !list.contains(&i) {
                        list.push(i);
                    }
                }
            }
            ListOp::Remove => {
                let items: Vec<String> = items.collect();
                list.retain(|x| !items.contains(x));
            }
        }
    }
}

/// The plain fields a management update may set; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct UserFields {
    pub email: Option<String>,
    pub verified_email: Option<bool>,
    pub phone: Option<String>,
    pub verified_phone: Option<bool>,
    pub name: Option<String>,
    pub given_name: Option<String>,
    pub middle_name: Option<String>,
    pub family_name: Option<String>,
    pub picture: Option<String>,
    pub status: Option<String>,
    pub custom_attributes: Option<Map<String, Value>>,
    /// Merge `custom_attributes` into the current ones (patch) instead of replacing them.
    pub merge_custom_attributes: bool,
    pub sso_app_ids: Option<Vec<String>>,
    /// Project-level role names.
    pub roles: Option<Vec<String>>,
    /// The user's tenants with their role names in each; replaces memberships and tenant grants.
    pub tenants: Option<Vec<(String, Vec<String>)>>,
    /// The login IDs after the one the request names.
    pub additional_login_ids: Option<Vec<String>>,
    pub recovery_email: Option<String>,
    pub verified_recovery_email: Option<bool>,
    pub recovery_phone: Option<String>,
    pub verified_recovery_phone: Option<bool>,
}

impl UserFields {
    /// `POST /v1/mgmt/user/update`: every field of the create body overrides the user's, empty
    /// ones included; only the verified flags and the status keep their value when not given.
    pub fn replacing(m: ManagedUser) -> Self {
        UserFields {
            email: Some(m.email),
            verified_email: m.verified_email,
            phone: Some(m.phone),
            verified_phone: m.verified_phone,
            name: Some(m.name),
            given_name: Some(m.given_name),
            middle_name: Some(m.middle_name),
            family_name: Some(m.family_name),
            picture: Some(m.picture),
            status: Some(m.status).filter(|s| !s.is_empty()),
            custom_attributes: Some(m.custom_attributes),
            merge_custom_attributes: false,
            sso_app_ids: Some(m.sso_app_ids),
            roles: Some(m.roles),
            tenants: Some(m.tenants),
            additional_login_ids: Some(m.additional_login_ids),
            ..UserFields::default()
        }
    }
}

/// One management change to one user (`/v1/mgmt/user/update`, `/patch` and every
/// `/update/*` call), applied by [`patch`].
#[derive(Debug, Clone)]
pub enum UserPatch {
    Fields(Box<UserFields>),
    CustomAttribute {
        key: String,
        value: Value,
    },
    /// Replaces the login ID the request names; empty removes it.
    LoginId {
        new_login_id: String,
    },
    /// Project-level roles when `tenant_id` is empty, else roles in that tenant.
    Roles {
        op: ListOp,
        tenant_id: String,
        roles: Vec<String>,
    },
    /// `Add` or `Remove` only; removing a tenant drops its role grants.
    Tenant {
        op: ListOp,
        tenant_id: String,
    },
    SsoApps {
        op: ListOp,
        ids: Vec<String>,
    },
    /// Seconds of consent from now; 0 or less withdraws it.
    ImpersonationConsent {
        seconds: i64,
    },
}

impl From<UserFields> for UserPatch {
    fn from(f: UserFields) -> Self {
        UserPatch::Fields(Box::new(f))
    }
}

fn check_status(status: &str) -> ApiResult<()> {
    if [STATUS_ENABLED, STATUS_DISABLED, STATUS_INVITED, STATUS_EXPIRED].contains(&status) {
        Ok(())
    } else {
        Err(ApiError::invalid(format!("Invalid status: {status}")))
    }
}

fn check_address(kind: AddressKind, value: &Option<String>) -> ApiResult<()> {
    match value.as_deref() {
        Some(v) if !v.is_empty() => kind.validate(v),
        _ => Ok(()),
    }
}

async fn check_roles(conn: &mut Conn, scope: &Scope, tenant_id: &str, roles: &[String]) -> ApiResult<()> {
    for r in roles.iter().filter(|r| !r.trim().is_empty()) {
        if !store::users::role_exists(conn, scope, &TenantId::from(tenant_id), r.trim()).await? {
            return Err(ApiError::invalid(format!("Role {r} does not exist")));
        }
    }
    Ok(())
}

async fn check_tenant(conn: &mut Conn, scope: &Scope, tenant_id: &str) -> ApiResult<()> {
    if tenant_id.trim().is_empty() {
        return Err(ApiError::missing("tenantId"));
    }
    if store::tenants::get_tenant(conn, scope, &TenantId::from(tenant_id)).await?.is_none() {
        return Err(ApiError::invalid(format!("Tenant {tenant_id} does not exist")));
    }
    Ok(())
}

/// A user being changed: its row, login IDs, tenant memberships and role grants.
struct Draft {
    row: UserRow,
    login_ids: Vec<String>,
    tenant_ids: Vec<String>,
    grants: Vec<RoleGrant>,
}

impl Draft {
    fn roles_in(&self, tenant_id: &str) -> Vec<String> {
        self.grants.iter().filter(|g| g.tenant_id == tenant_id).map(|g| g.role_name.clone()).collect()
    }

    fn set_roles_in(&mut self, tenant_id: &str, roles: Vec<String>) {
        self.grants.retain(|g| g.tenant_id != tenant_id);
        self.grants
            .extend(roles.into_iter().map(|r| RoleGrant { tenant_id: tenant_id.to_owned(), role_name: r }));
    }

    fn join_tenant(&mut self, tenant_id: &str) {
        if !self.tenant_ids.iter().any(|t| t == tenant_id) {
            self.tenant_ids.push(tenant_id.to_owned());
        }
    }

    /// The login ID a request named (a login ID or the user ID, then the first login ID).
    fn named_login_id(&self, named: &str) -> Option<String> {
        if self.login_ids.iter().any(|l| l == named) {
            Some(named.to_owned())
        } else {
            self.login_ids.first().cloned()
        }
    }

    fn apply_fields(&mut self, named: &str, f: UserFields) -> ApiResult<()> {
        let r = &mut self.row;
        let set = |target: &mut String, v: Option<String>| {
            if let Some(v) = v {
                *target = v.trim().to_owned();
            }
        };
        set(&mut r.email, f.email);
        set(&mut r.phone, f.phone);
        set(&mut r.name, f.name);
        set(&mut r.given_name, f.given_name);
        set(&mut r.middle_name, f.middle_name);
        set(&mut r.family_name, f.family_name);
        set(&mut r.picture, f.picture);
        set(&mut r.status, f.status);
        set(&mut r.recovery_email, f.recovery_email);
        set(&mut r.recovery_phone, f.recovery_phone);
        r.verified_email = f.verified_email.unwrap_or(r.verified_email);
        r.verified_phone = f.verified_phone.unwrap_or(r.verified_phone);
        r.verified_recovery_email = f.verified_recovery_email.unwrap_or(r.verified_recovery_email);
        r.verified_recovery_phone = f.verified_recovery_phone.unwrap_or(r.verified_recovery_phone);
        if let Some(attrs) = f.custom_attributes {
            let mut current: Map<String, Value> = if f.merge_custom_attributes {
                store::from_json_text(&r.custom_attributes)
            } else {
                Map::new()
            };
            current.extend(attrs);
            r.custom_attributes = store::json_text(&current)?;
        }
        if let Some(ids) = f.sso_app_ids {
            let mut apps = Vec::new();
            ListOp::Set.apply(&mut apps, ids);
            r.sso_app_ids = store::json_text(&apps)?;
        }
        if let Some(roles) = f.roles {
            self.set_roles_in("", roles);
        }
        if let Some(tenants) = f.tenants {
            self.tenant_ids.clear();
            self.grants.retain(|g| g.tenant_id.is_empty());
            for (t, roles) in tenants {
                self.join_tenant(&t);
                let mut all = self.roles_in(&t);
                ListOp::Add.apply(&mut all, roles);
                self.set_roles_in(&t, all);
            }
        }
        if let Some(additional) = f.additional_login_ids {
            let mut ids: Vec<String> = self.named_login_id(named).into_iter().collect();
            ListOp::Add.apply(&mut ids, additional);
            self.login_ids = ids;
        }
        Ok(())
    }

    fn apply(&mut self, ctx: &Ctx, named: &str, patch: UserPatch) -> ApiResult<()> {
        match patch {
            UserPatch::Fields(f) => self.apply_fields(named, *f)?,
            UserPatch::CustomAttribute { key, value } => {
                let mut attrs: Map<String, Value> = store::from_json_text(&self.row.custom_attributes);
                attrs.insert(key, value);
                self.row.custom_attributes = store::json_text(&attrs)?;
            }
            UserPatch::LoginId { new_login_id } => {
                let old = self.named_login_id(named).unwrap_or_default();
                let new_login_id = new_login_id.trim().to_owned();
                if new_login_id.is_empty() && self.login_ids.len() <= 1 {
                    return Err(ApiError::invalid("A user must keep at least one login ID"));
                }
                let renamed = self
                    .login_ids
                    .iter()
                    .map(|l| if *l == old { new_login_id.clone() } else { l.clone() })
                    .collect();
                ListOp::Set.apply(&mut self.login_ids, renamed);
            }
            UserPatch::Roles { op, tenant_id, roles } => {
                let tenant_id = tenant_id.trim().to_owned();
                // descope-compat (unconfirmed): adding or setting tenant roles associates the
                // user with that tenant when they are not in it yet.
                if !tenant_id.is_empty() && op != ListOp::Remove {
                    self.join_tenant(&tenant_id);
                }
                let mut current = self.roles_in(&tenant_id);
                op.apply(&mut current, roles);
                self.set_roles_in(&tenant_id, current);
            }
            UserPatch::Tenant { op, tenant_id } => {
                let tenant_id = tenant_id.trim().to_owned();
                if op == ListOp::Remove {
                    self.tenant_ids.retain(|t| *t != tenant_id);
                } else {
                    self.join_tenant(&tenant_id);
                }
            }
            UserPatch::SsoApps { op, ids } => {
                let mut apps: Vec<String> = store::from_json_text(&self.row.sso_app_ids);
                op.apply(&mut apps, ids);
                self.row.sso_app_ids = store::json_text(&apps)?;
            }
            UserPatch::ImpersonationConsent { seconds } => {
                self.row.consent_expiration = if seconds > 0 { ctx.now.secs() + seconds } else { 0 };
            }
        }
        let tenant_ids = &self.tenant_ids;
        self.grants.retain(|g| g.tenant_id.is_empty() || tenant_ids.contains(&g.tenant_id));
        Ok(())
    }
}

/// Refuses what a change may not carry before anything is written: unknown roles and
/// tenants, malformed addresses and statuses, undeclared custom attributes.
async fn check_patch(conn: &mut Conn, scope: &Scope, patch: &UserPatch) -> ApiResult<()> {
    match patch {
        UserPatch::Fields(f) => {
            check_address(AddressKind::Email, &f.email)?;
            check_address(AddressKind::Phone, &f.phone)?;
            check_address(AddressKind::Email, &f.recovery_email)?;
            check_address(AddressKind::Phone, &f.recovery_phone)?;
            if let Some(s) = &f.status {
                check_status(s)?;
            }
            if let Some(roles) = &f.roles {
                check_roles(conn, scope, "", roles).await?;
            }
            for (t, roles) in f.tenants.iter().flatten() {
                check_tenant(conn, scope, t).await?;
                check_roles(conn, scope, t, roles).await?;
            }
            if let Some(attrs) = &f.custom_attributes {
                crate::domain::identity::custom_attributes::validate_values(conn, scope, attrs).await?;
            }
        }
        UserPatch::CustomAttribute { key, value } => {
            if key.trim().is_empty() {
                return Err(ApiError::missing("attributeKey"));
            }
            let one = Map::from_iter([(key.clone(), value.clone())]);
            crate::domain::identity::custom_attributes::validate_values(conn, scope, &one).await?;
        }
        UserPatch::Roles { op, tenant_id, roles } => {
            if !tenant_id.trim().is_empty() {
                check_tenant(conn, scope, tenant_id.trim()).await?;
            }
            if *op != ListOp::Remove {
                check_roles(conn, scope, tenant_id.trim(), roles).await?;
            }
        }
        UserPatch::Tenant { tenant_id, .. } => check_tenant(conn, scope, tenant_id).await?,
        UserPatch::LoginId { .. } | UserPatch::SsoApps { .. } | UserPatch::ImpersonationConsent { .. } => {}
    }
    Ok(())
}

/// Applies one change to a user inside the caller's transaction, records it in the audit
/// trail and gives the user as it is now. Disabling a user revokes their sessions.
async fn apply_patch(
    conn: &mut Conn,
    ctx: &Ctx,
    user: User,
    named: &str,
    patch: UserPatch,
) -> ApiResult<User> {
    let project = ctx.scope();
    check_patch(conn, project, &patch).await?;
    let was_disabled = user.row.status == STATUS_DISABLED;
    let grants = store::users::role_grants(conn, project, user.id()).await?;
    let mut d = Draft {
        tenant_ids: user.tenants.iter().map(|t| t.tenant_id.clone()).collect(),
        login_ids: user.login_ids,
        row: user.row,
        grants,
    };
    let old_login_ids = d.login_ids.clone();
    let old_tenant_ids = d.tenant_ids.clone();
    d.apply(ctx, named, patch)?;
    d.row.modified_ms = ctx.now.millis();
    store::users::update(conn, project, &d.row).await?;
    if d.login_ids != old_login_ids {
        store::users::delete_login_ids(conn, project, &d.row.id).await?;
        for (i, l) in d.login_ids.iter().enumerate() {
            store::users::insert_login_id(conn, project, &d.row.id, l, i as i64).await?;
        }
    }
    if d.tenant_ids != old_tenant_ids {
        store::users::set_tenants(conn, project, &d.row.id, &d.tenant_ids).await?;
    }
    store::users::set_role_grants(conn, project, &d.row.id, &d.grants).await?;
    if d.row.status == STATUS_DISABLED && !was_disabled {
        sessions::revoke_user(conn, ctx, d.row.id.as_str()).await?;
    }
    let user = assemble(conn, project, d.row).await?;
    record_user_event(conn, ctx, "UserModified", &user).await?;
    Ok(user)
}

async fn record_user_event(conn: &mut Conn, ctx: &Ctx, action: &str, user: &User) -> ApiResult<()> {
    let mut event = audit::Event::new(action, user.id().as_str());
    event.user_id = user.id().to_string();
    event.external_ids = user.login_ids.clone();
    event.tenants = user.tenants.iter().map(|t| t.tenant_id.clone()).collect();
    audit::record(conn, ctx, &event).await
}

/// `POST /v1/mgmt/user/update`, `PATCH /v1/mgmt/user/patch` and every `/update/*` call:
/// applies one change to the user `login_id` names (a login ID or a user ID), in one
/// transaction.
pub async fn patch(db: &Db, ctx: &Ctx, login_id: &str, change: UserPatch) -> ApiResult<User> {
    let mut tx = store::begin_immediate(db).await?;
    let user = require_named(&mut tx, ctx.scope(), login_id, "").await?;
    let user = apply_patch(&mut tx, ctx, user, login_id.trim(), change).await?;
    tx.commit().await?;
    Ok(user)
}

/// What a batch call did with each entry.
#[derive(Debug, Default)]
pub struct BatchOutcome {
    pub done: Vec<User>,
    /// The failure message and the user as far as it is known.
    pub failed: Vec<(String, User)>,
}

impl ManagedUser {
    /// The user object a failed batch entry is reported with: what the request said.
    fn preview(&self) -> User {
        let mut login_ids = vec![self.login_id.clone()];
        login_ids.extend(self.additional_login_ids.iter().cloned());
        User {
            row: UserRow {
                email: self.email.clone(),
                phone: self.phone.clone(),
                name: self.name.clone(),
                given_name: self.given_name.clone(),
                middle_name: self.middle_name.clone(),
                family_name: self.family_name.clone(),
                picture: self.picture.clone(),
                status: self.status.clone(),
                test: self.test,
                custom_attributes: store::json_text(&self.custom_attributes).unwrap_or_else(|_| "{}".into()),
                sso_app_ids: store::json_text(&self.sso_app_ids).unwrap_or_else(|_| "[]".into()),
                oauth: "{}".into(),
                ..UserRow::default()
            },
            login_ids,
            roles: self.roles.clone(),
            tenants: Vec::new(),
        }
    }
}

/// Ends a batch entry's savepoint: kept when the entry succeeded, rolled back when it was
/// refused. Internal errors fail the whole call.
async fn settle<T>(sp: sqlx::Transaction<'_, sqlx::Sqlite>, result: ApiResult<T>) -> ApiResult<ApiResult<T>> {
    match result {
        Ok(v) => {
            sp.commit().await?;
            Ok(Ok(v))
        }
        Err(e) if e.kind == ErrorKind::Internal => Err(e),
        Err(e) => {
            sp.rollback().await?;
            Ok(Err(e))
        }
    }
}

/// `POST /v1/mgmt/user/create/batch`: creates each user on its own (inviting the ones asked
/// to be); the ones that fail are reported with the reason instead of failing the call.
pub async fn create_batch(
    db: &Db,
    hasher: &PasswordHasher,
    notifier: &OutboxNotifier,
    ctx: &Ctx,
    reqs: Vec<ManagedUser>,
) -> ApiResult<BatchOutcome> {
    let mut prepared = Vec::with_capacity(reqs.len());
    for req in reqs {
        let preview = req.preview();
        let invitation = req.invite.then(|| req.invite_options.clone());
        let password = req.password.clone();
        let new = req.into_new_user().and_then(|mut new| {
            if !password.is_empty() {
                new.password_hash = Some(hasher.hash(&password)?);
            }
            Ok(new)
        });
        prepared.push((preview, new, invitation));
    }
    let mut out = BatchOutcome::default();
    let mut sent = 0;
    let mut tx = store::begin_immediate(db).await?;
    for (preview, new, invitation) in prepared {
        let result = match new {
            Err(e) => Err(e),
            Ok(new) => {
                let mut sp = sqlx::Acquire::begin(&mut *tx).await?;
                let result = async {
                    let user = create_checked(&mut sp, ctx, new).await?;
                    let messages = match &invitation {
                        Some(options) => invite::send(&mut sp, ctx, &user, options).await?,
                        None => 0,
                    };
                    Ok((user, messages))
                }
                .await;
                settle(sp, result).await?
            }
        };
        match result {
            Ok((user, messages)) => {
                sent += messages;
                out.done.push(user);
            }
            Err(e) => out.failed.push((e.message, preview)),
        }
    }
    tx.commit().await?;
    if sent > 0 {
        notifier.notify(ctx.scope());
    }
    Ok(out)
}

/// Creates a management user after checking its roles, tenants and custom attributes, and
/// records it in the audit trail.
async fn create_checked(conn: &mut Conn, ctx: &Ctx, new: NewUser) -> ApiResult<User> {
    let project = ctx.scope();
    check_roles(conn, project, "", &new.roles).await?;
    for (t, roles) in &new.tenants {
        check_tenant(conn, project, t).await?;
        check_roles(conn, project, t, roles).await?;
    }
    crate::domain::identity::custom_attributes::validate_values(conn, project, &new.traits.custom_attributes)
        .await?;
    create(conn, project, ctx.now, new).await
}

/// `PATCH /v1/mgmt/user/patch/batch`: patches each user on its own; unknown users and
/// refused changes are reported instead of failing the call.
pub async fn patch_batch(db: &Db, ctx: &Ctx, changes: Vec<(String, UserPatch)>) -> ApiResult<BatchOutcome> {
    let mut out = BatchOutcome::default();
    let mut tx = store::begin_immediate(db).await?;
    for (login_id, change) in changes {
        let login_id = login_id.trim().to_owned();
        let found = if login_id.is_empty() {
            None
        } else {
            find_by_login_or_user_id(&mut tx, ctx.scope(), &login_id).await?
        };
        let Some(user) = found else {
            let preview = ManagedUser { login_id: login_id.clone(), ..ManagedUser::default() }.preview();
            let err = if login_id.is_empty() {
                ApiError::missing("loginId")
            } else {
                ApiError::mgmt_user_not_found(&login_id)
            };
            out.failed.push((err.message, preview));
            continue;
        };
        let before = user.clone();
        let mut sp = sqlx::Acquire::begin(&mut *tx).await?;
        let result = apply_patch(&mut sp, ctx, user, &login_id, change).await;
        let result = settle(sp, result).await?;
        match result {
            Ok(user) => out.done.push(user),
            Err(e) => out.failed.push((e.message, before)),
        }
    }
    tx.commit().await?;
    Ok(out)
}

/// `POST /v1/mgmt/user/delete/batch`: deletes the users with these IDs; unknown IDs are
/// ignored, as single delete does.
pub async fn delete_batch(db: &Db, ctx: &Ctx, user_ids: &[String]) -> ApiResult<()> {
    if user_ids.iter().all(|u| u.trim().is_empty()) {
        return Err(ApiError::missing("userIds"));
    }
    let mut tx = store::begin_immediate(db).await?;
    for id in user_ids.iter().map(|u| u.trim()).filter(|u| !u.is_empty()) {
        if let Some(user) = find_by_id(&mut tx, ctx.scope(), id).await? {
            delete(&mut tx, ctx.scope(), user.id().as_str()).await?;
            record_user_event(&mut tx, ctx, audit::USER_DELETED, &user).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// `POST /v1/mgmt/users/load`: the users with these IDs, in the order asked; unknown IDs are
/// skipped, and disabled or expired users too unless `include_invalid`.
pub async fn load_many(
    db: &Db,
    ctx: &Ctx,
    user_ids: &[String],
    include_invalid: bool,
) -> ApiResult<Vec<User>> {
    if user_ids.iter().all(|u| u.trim().is_empty()) {
        return Err(ApiError::missing("userIds"));
    }
    let mut conn = db.acquire().await?;
    let mut users: Vec<User> = Vec::new();
    for id in user_ids.iter().map(|u| u.trim()).filter(|u| !u.is_empty()) {
        if let Some(u) = find_by_id(&mut conn, ctx.scope(), id).await? {
            let valid = ![STATUS_DISABLED, STATUS_EXPIRED].contains(&u.row.status.as_str());
            if (valid || include_invalid) && !users.iter().any(|x| x.id() == u.id()) {
                users.push(u);
            }
        }
    }
    Ok(users)
}
