//! Users: the aggregate of a user row with its login IDs and grants, creation and lookup.

use serde_json::{Map, Value};

use super::channel::AddressKind;
use super::{sessions, Ctx};
use crate::clock::UnixTime;
use crate::crypto;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::state::AppState;
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
    pub fn id(&self) -> &str {
        &self.row.id
    }

    pub fn custom_attributes(&self) -> Map<String, Value> {
        store::from_json_text(&self.row.custom_attributes)
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
    pub custom_attributes: Map<String, Value>,
    pub sso_app_ids: Vec<String>,
    pub roles: Vec<String>,
    /// (tenant ID, role names in it)
    pub tenants: Vec<(String, Vec<String>)>,
    pub password_hash: Option<String>,
}

/// A new user ID as Descope forms them: `U2` and 26 letters and digits.
pub fn new_user_id() -> String {
    format!("U2{}", crypto::random_alnum(26))
}

/// Loads the login IDs and grants of a user row.
pub async fn assemble(conn: &mut Conn, project: &str, row: UserRow) -> ApiResult<User> {
    let login_ids = store::users::login_ids(conn, project, &row.id).await?;
    let grants = store::users::role_grants(conn, project, &row.id).await?;
    let memberships = store::users::tenants(conn, project, &row.id).await?;
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
    Ok(User { row, login_ids, roles, tenants })
}

pub async fn find_by_login_id(conn: &mut Conn, project: &str, login_id: &str) -> ApiResult<Option<User>> {
    match store::users::get_by_login_id(conn, project, login_id).await? {
        Some(row) => Ok(Some(assemble(conn, project, row).await?)),
        None => Ok(None),
    }
}

pub async fn find_by_id(conn: &mut Conn, project: &str, user_id: &str) -> ApiResult<Option<User>> {
    match store::users::get_by_id(conn, project, user_id).await? {
        Some(row) => Ok(Some(assemble(conn, project, row).await?)),
        None => Ok(None),
    }
}

/// Management lookups accept a login ID or a user ID in `loginId` (Go's `Load` sends a user
/// ID there), so try login IDs first, then user IDs.
pub async fn find_by_login_or_user_id(conn: &mut Conn, project: &str, id: &str) -> ApiResult<Option<User>> {
    if let Some(u) = find_by_login_id(conn, project, id).await? {
        return Ok(Some(u));
    }
    find_by_id(conn, project, id).await
}

/// Creates a user with its login IDs and grants, inside the caller's transaction.
pub async fn create(conn: &mut Conn, project: &str, now: UnixTime, new: NewUser) -> ApiResult<User> {
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
        id: new_user_id(),
        email: new.email,
        phone: new.phone,
        name: new.name,
        given_name: new.given_name,
        middle_name: new.middle_name,
        family_name: new.family_name,
        picture: new.picture,
        verified_email: new.verified_email,
        verified_phone: new.verified_phone,
        status: if new.status.is_empty() { STATUS_ENABLED.to_owned() } else { new.status },
        test: new.test,
        custom_attributes: store::json_text(&new.custom_attributes)?,
        sso_app_ids: store::json_text(&new.sso_app_ids)?,
        oauth: "{}".into(),
        password_hash: new.password_hash,
        totp_secret: None,
        webauthn: false,
        saml: false,
        scim: false,
        first_seen: true,
        created_ms: now.millis(),
        modified_ms: now.millis(),
    };
    store::users::insert(conn, project, &row).await?;
    for (i, l) in login_ids.iter().enumerate() {
        store::users::insert_login_id(conn, project, &row.id, l, i as i64).await?;
    }
    let tenant_ids: Vec<String> = new.tenants.iter().map(|(t, _)| t.clone()).collect();
    store::users::set_tenants(conn, project, &row.id, &tenant_ids).await?;
    let mut grants: Vec<RoleGrant> =
        new.roles.into_iter().map(|r| RoleGrant { tenant_id: String::new(), role_name: r }).collect();
    for (t, roles) in new.tenants {
        grants.extend(roles.into_iter().map(|r| RoleGrant { tenant_id: t.clone(), role_name: r }));
    }
    store::users::set_role_grants(conn, project, &row.id, &grants).await?;
    assemble(conn, project, row).await
}

/// Deletes a user; their refresh tokens and history go with them (cascade).
pub async fn delete(conn: &mut Conn, project: &str, user_id: &str) -> ApiResult<bool> {
    store::users::delete(conn, project, user_id).await
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
    pub invite: bool,
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
            email,
            phone,
            name: self.name,
            given_name: self.given_name,
            middle_name: self.middle_name,
            family_name: self.family_name,
            picture: self.picture,
            verified_email,
            verified_phone: self.verified_phone.unwrap_or(false),
            status,
            test: self.test,
            custom_attributes: self.custom_attributes,
            sso_app_ids: self.sso_app_ids,
            roles: self.roles,
            tenants: self.tenants,
            password_hash: None,
        })
    }
}

/// `POST /v1/mgmt/user/create` and `/create/test`: creates a user; a taken login ID is
/// Descope's user-already-exists error, an unknown tenant a 400.
pub async fn create_managed(state: &AppState, ctx: &Ctx, req: ManagedUser) -> ApiResult<User> {
    let password = req.password.clone();
    let mut new = req.into_new_user()?;
    if !password.is_empty() {
        new.password_hash = Some(state.hasher.hash(&password)?);
    }
    let mut tx = store::begin_immediate(&state.db).await?;
    let user = create(&mut tx, ctx.project_id(), ctx.now, new).await?;
    tx.commit().await?;
    Ok(user)
}

/// Finds the user a management call names: `login_id` is matched against login IDs, then user
/// IDs (Go's `Load` sends a user ID there); `user_id` against user IDs. Empty values are
/// ignored, and naming neither is a missing argument.
async fn find_named(
    conn: &mut Conn,
    project: &str,
    login_id: &str,
    user_id: &str,
) -> ApiResult<Option<User>> {
    match (login_id.trim(), user_id.trim()) {
        ("", "") => Err(ApiError::missing("loginId or userId")),
        ("", user_id) => find_by_id(conn, project, user_id).await,
        (login_id, _) => find_by_login_or_user_id(conn, project, login_id).await,
    }
}

/// The user a management call names, or the management user-not-found error.
async fn require_named(conn: &mut Conn, project: &str, login_id: &str, user_id: &str) -> ApiResult<User> {
    find_named(conn, project, login_id, user_id)
        .await?
        .ok_or_else(|| ApiError::mgmt_user_not_found(if login_id.is_empty() { user_id } else { login_id }))
}

/// `GET /v1/mgmt/user`: loads a user by login ID or user ID.
pub async fn load(state: &AppState, ctx: &Ctx, login_id: &str, user_id: &str) -> ApiResult<User> {
    let mut conn = state.db.acquire().await?;
    require_named(&mut conn, ctx.project_id(), login_id, user_id).await
}

/// `POST /v1/mgmt/user/delete`: deletes a user with their sessions.
// descope-compat: deleting a user that does not exist succeeds, as in Descope.
pub async fn delete_named(state: &AppState, ctx: &Ctx, login_id: &str, user_id: &str) -> ApiResult<()> {
    let mut tx = store::begin_immediate(&state.db).await?;
    if let Some(user) = find_named(&mut tx, ctx.project_id(), login_id, user_id).await? {
        delete(&mut tx, ctx.project_id(), user.id()).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// `DELETE /v1/mgmt/user/test/delete/all`: deletes every test user of the project, giving how
/// many were deleted.
pub async fn delete_all_test_users(state: &AppState, ctx: &Ctx) -> ApiResult<u64> {
    let mut tx = store::begin_immediate(&state.db).await?;
    let mut deleted = 0;
    for row in store::users::list_all(&mut tx, ctx.project_id()).await?.into_iter().filter(|u| u.test) {
        if delete(&mut tx, ctx.project_id(), &row.id).await? {
            deleted += 1;
        }
    }
    tx.commit().await?;
    Ok(deleted)
}

/// `POST /v1/mgmt/user/logout`: revokes every refresh token of the user.
pub async fn logout_named(state: &AppState, ctx: &Ctx, login_id: &str, user_id: &str) -> ApiResult<()> {
    let mut tx = store::begin_immediate(&state.db).await?;
    let user = require_named(&mut tx, ctx.project_id(), login_id, user_id).await?;
    sessions::revoke_user(&mut tx, ctx, user.id()).await?;
    tx.commit().await?;
    Ok(())
}
