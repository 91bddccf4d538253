//! Descope API groups `MagicLink`, `__NO_PUBLISH__`, `embeddedLink`, `testUserManagement`, `userManagement`.
//!
//! Built: create (and create test user), load, delete, delete all test users and logout.
//! Every other operation here is routed but not built yet: it answers 501 with the Descope
//! error body naming it. Request bodies accept every SDK spelling (SDK_CONTRACT.md 9.3):
//! `displayName` or `name`, `ssoAppIDs` or `ssoAppIds`, `additionalLoginIds` or
//! `additionalIdentifiers`.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::domain::users::{self, ManagedUser};
use crate::dto::common::{null_as_default, Empty};
use crate::dto::user::UserEnvelope;
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, DescopeQuery, MgmtAuth, Validate};
use crate::http::route_table::not_implemented;
use crate::state::AppState;

crate::route_table! {
    pub OPS;
    GET "/v1/mgmt/user" => load,
    POST "/v1/mgmt/user/create" => create,
    POST "/v1/mgmt/user/create/batch" => not_implemented,
    POST "/v1/mgmt/user/create/test" => create_test,
    POST "/v1/mgmt/user/customattribute/create" => not_implemented,
    POST "/v1/mgmt/user/customattribute/delete" => not_implemented,
    GET "/v1/mgmt/user/customattributes" => not_implemented,
    POST "/v1/mgmt/user/delete" => delete,
    POST "/v1/mgmt/user/delete/batch" => not_implemented,
    POST "/v1/mgmt/user/history" => not_implemented,
    POST "/v1/mgmt/user/logout" => logout,
    POST "/v1/mgmt/user/passkey/delete" => not_implemented,
    POST "/v1/mgmt/user/passkeys/delete" => not_implemented,
    POST "/v1/mgmt/user/passkeys/import" => not_implemented,
    POST "/v1/mgmt/user/passkeys/list" => not_implemented,
    POST "/v1/mgmt/user/password/expire" => expire_password,
    POST "/v1/mgmt/user/password/set/active" => set_password::<false>,
    POST "/v1/mgmt/user/password/set/temporary" => set_password::<true>,
    PATCH "/v1/mgmt/user/patch" => not_implemented,
    PATCH "/v1/mgmt/user/patch/batch" => not_implemented,
    GET "/v1/mgmt/user/provider/token" => not_implemented,
    POST "/v1/mgmt/user/search" => not_implemented,
    POST "/v1/mgmt/user/signin/embeddedlink" => not_implemented,
    POST "/v1/mgmt/user/signup/embeddedlink" => not_implemented,
    DELETE "/v1/mgmt/user/test/delete/all" => delete_all_test_users,
    POST "/v1/mgmt/user/totp/delete" => not_implemented,
    POST "/v1/mgmt/user/trusteddevices/list" => not_implemented,
    POST "/v1/mgmt/user/trusteddevices/remove" => not_implemented,
    POST "/v1/mgmt/user/update" => not_implemented,
    POST "/v1/mgmt/user/update/customAttribute" => not_implemented,
    POST "/v1/mgmt/user/update/email" => not_implemented,
    POST "/v1/mgmt/user/update/impersonationConsent" => not_implemented,
    POST "/v1/mgmt/user/update/loginid" => not_implemented,
    POST "/v1/mgmt/user/update/name" => not_implemented,
    POST "/v1/mgmt/user/update/phone" => not_implemented,
    POST "/v1/mgmt/user/update/picture" => not_implemented,
    POST "/v1/mgmt/user/update/recovery/email" => not_implemented,
    POST "/v1/mgmt/user/update/recovery/phone" => not_implemented,
    POST "/v1/mgmt/user/update/role/add" => not_implemented,
    POST "/v1/mgmt/user/update/role/remove" => not_implemented,
    POST "/v1/mgmt/user/update/role/set" => not_implemented,
    POST "/v1/mgmt/user/update/ssoapp/add" => not_implemented,
    POST "/v1/mgmt/user/update/ssoapp/remove" => not_implemented,
    POST "/v1/mgmt/user/update/ssoapp/set" => not_implemented,
    POST "/v1/mgmt/user/update/status" => not_implemented,
    POST "/v1/mgmt/user/update/tenant/add" => not_implemented,
    POST "/v1/mgmt/user/update/tenant/remove" => not_implemented,
    POST "/v1/mgmt/users/load" => not_implemented,
    POST "/v2/mgmt/user/history" => not_implemented,
    POST "/v2/mgmt/user/search" => not_implemented,
    POST "/v2/mgmt/user/search/test" => not_implemented,
    POST "/v2/mgmt/user/update/role/add" => not_implemented,
}

/// `{tenantId, roleNames}` in a create body.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserTenantBody {
    #[serde(default, deserialize_with = "null_as_default")]
    tenant_id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    role_names: Vec<String>,
}

/// The body of `/v1/mgmt/user/create` and `/create/test`. Fields the emulator does not act on
/// (`inviteUrl`, `sendMail`, `sendSMS`, `templateId`, `locale`, ...) are ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateUserBody {
    #[serde(default, deserialize_with = "null_as_default")]
    login_id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    email: String,
    #[serde(default, deserialize_with = "null_as_default")]
    phone: String,
    #[serde(default, deserialize_with = "null_as_default")]
    display_name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    given_name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    middle_name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    family_name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    picture: String,
    #[serde(default, deserialize_with = "null_as_default")]
    role_names: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    user_tenants: Vec<UserTenantBody>,
    #[serde(default, deserialize_with = "null_as_default")]
    custom_attributes: Map<String, Value>,
    #[serde(default, deserialize_with = "null_as_default")]
    additional_login_ids: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    additional_identifiers: Vec<String>,
    /// Python and Go spell it `ssoAppIDs`.
    #[serde(default, rename = "ssoAppIDs", deserialize_with = "null_as_default")]
    sso_app_ids_caps: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    sso_app_ids: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    invite: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    test: bool,
    #[serde(default)]
    verified_email: Option<bool>,
    #[serde(default)]
    verified_phone: Option<bool>,
    #[serde(default, deserialize_with = "null_as_default")]
    status: String,
    #[serde(default, deserialize_with = "null_as_default")]
    password: String,
}

impl Validate for CreateUserBody {}

impl CreateUserBody {
    fn into_managed(self, test: bool) -> ManagedUser {
        let mut additional = self.additional_login_ids;
        additional.extend(self.additional_identifiers);
        let mut sso_app_ids: Vec<String> = Vec::new();
        for a in self.sso_app_ids_caps.into_iter().chain(self.sso_app_ids) {
            if !a.is_empty() && !sso_app_ids.contains(&a) {
                sso_app_ids.push(a);
            }
        }
        ManagedUser {
            login_id: self.login_id,
            additional_login_ids: additional,
            email: self.email,
            phone: self.phone,
            name: if self.display_name.is_empty() { self.name } else { self.display_name },
            given_name: self.given_name,
            middle_name: self.middle_name,
            family_name: self.family_name,
            picture: self.picture,
            verified_email: self.verified_email,
            verified_phone: self.verified_phone,
            status: self.status,
            invite: self.invite,
            test: test || self.test,
            custom_attributes: self.custom_attributes,
            sso_app_ids,
            roles: self.role_names,
            tenants: self.user_tenants.into_iter().map(|t| (t.tenant_id, t.role_names)).collect(),
            password: self.password,
        }
    }
}

/// POST /v1/mgmt/user/create
/// Creates a user.
async fn create(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<CreateUserBody>,
) -> ApiResult<Json<UserEnvelope>> {
    let user = users::create_managed(&s, &ctx, body.into_managed(false)).await?;
    Ok(Json((&user).into()))
}

/// POST /v1/mgmt/user/create/test
/// Creates a test user (`test: true`), for the test-user endpoints of `/v1/mgmt/tests/*`.
async fn create_test(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<CreateUserBody>,
) -> ApiResult<Json<UserEnvelope>> {
    let user = users::create_managed(&s, &ctx, body.into_managed(true)).await?;
    Ok(Json((&user).into()))
}

/// `loginId` or `userId`, as a query (load) or a body (delete, logout). Go sends both, one
/// empty.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserRef {
    #[serde(default, deserialize_with = "null_as_default")]
    login_id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    user_id: String,
}

impl Validate for UserRef {}

/// GET /v1/mgmt/user
/// Loads a user by `loginId` (a login ID or a user ID) or `userId`.
async fn load(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<UserRef>,
) -> ApiResult<Json<UserEnvelope>> {
    let user = users::load(&s, &ctx, &q.login_id, &q.user_id).await?;
    Ok(Json((&user).into()))
}

/// POST /v1/mgmt/user/delete
/// Deletes a user and their sessions; an unknown user is not an error.
async fn delete(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<UserRef>,
) -> ApiResult<Json<Empty>> {
    users::delete_named(&s, &ctx, &body.login_id, &body.user_id).await?;
    Ok(Json(Empty {}))
}

/// DELETE /v1/mgmt/user/test/delete/all
/// Deletes every test user of the project.
async fn delete_all_test_users(State(s): State<AppState>, MgmtAuth(ctx): MgmtAuth) -> ApiResult<Json<Empty>> {
    users::delete_all_test_users(&s, &ctx).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/user/logout
/// Revokes every refresh token of a user.
async fn logout(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<UserRef>,
) -> ApiResult<Json<Empty>> {
    users::logout_named(&s, &ctx, &body.login_id, &body.user_id).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SetPasswordBody {
    #[serde(default, deserialize_with = "null_as_default")]
    login_id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    password: String,
}

impl Validate for SetPasswordBody {}

/// POST /v1/mgmt/user/password/set/temporary, /v1/mgmt/user/password/set/active
/// Sets a user's password; a temporary one must be replaced before it signs in.
async fn set_password<const TEMPORARY: bool>(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<SetPasswordBody>,
) -> ApiResult<Json<Empty>> {
    crate::domain::password::set_by_management(&s, &ctx, &body.login_id, &body.password, TEMPORARY).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/user/password/expire
/// Expires a user's password: sign-in fails until it is replaced or reset.
async fn expire_password(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<UserRef>,
) -> ApiResult<Json<Empty>> {
    crate::domain::password::expire_by_management(&s, &ctx, &body.login_id).await?;
    Ok(Json(Empty {}))
}
