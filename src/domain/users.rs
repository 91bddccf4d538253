//! Users: the aggregate of a user row with its login IDs and grants, creation and lookup.

use serde_json::{Map, Value};

use crate::clock::UnixTime;
use crate::crypto;
use crate::error::{ApiError, ApiResult, ErrorKind};
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
