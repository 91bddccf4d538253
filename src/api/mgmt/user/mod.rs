//! Descope API groups `MagicLink`, `__NO_PUBLISH__`, `embeddedLink`, `testUserManagement`, `userManagement`.
//!
//! Built: create (and create test user), load, delete, delete all test users and logout; the
//! batch forms of create, patch, delete and load; update, patch and the `/update/*` family
//! (in [`update`]); custom attribute declarations (in [`customattribute`]). Request bodies
//! accept every SDK spelling (SDK_CONTRACT.md 9.3): `displayName` or `name`, `ssoAppIDs` or
//! `ssoAppIds`, `additionalLoginIds` or `additionalIdentifiers`.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use crate::domain::identity::users;
use crate::dto::common::Empty;
use crate::dto::user::{
    CreateUserRequest, CreateUsersRequest, CreateUsersResponse, PatchUserRequest, PatchUsersRequest,
    PatchUsersResponse, UserEnvelope, UsersEnvelope,
};
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, DescopeQuery, MgmtAuth};
use crate::state::AppState;

pub mod customattribute;
pub mod update;

crate::route_table! {
    pub GROUP;
    built {
        GET "/v1/mgmt/user" => load,
        POST "/v1/mgmt/user/create" => create,
        POST "/v1/mgmt/user/create/batch" => create_batch,
        POST "/v1/mgmt/user/create/test" => create_test,
        POST "/v1/mgmt/user/customattribute/create" => customattribute::create,
        POST "/v1/mgmt/user/customattribute/delete" => customattribute::delete,
        GET "/v1/mgmt/user/customattributes" => customattribute::list,
        POST "/v1/mgmt/user/delete" => delete,
        POST "/v1/mgmt/user/delete/batch" => delete_batch,
        POST "/v1/mgmt/user/logout" => logout,
        POST "/v1/mgmt/user/password/expire" => expire_password,
        POST "/v1/mgmt/user/password/set/active" => set_password::<false>,
        POST "/v1/mgmt/user/password/set/temporary" => set_password::<true>,
        PATCH "/v1/mgmt/user/patch" => update::update::<PatchUserRequest>,
        PATCH "/v1/mgmt/user/patch/batch" => patch_batch,
        DELETE "/v1/mgmt/user/test/delete/all" => delete_all_test_users,
        POST "/v1/mgmt/user/update" => update::update::<CreateUserRequest>,
        POST "/v1/mgmt/user/update/customAttribute" => update::update_checked::<update::UpdateUserCustomAttributeRequest>,
        POST "/v1/mgmt/user/update/email" => update::update::<update::UpdateUserEmailRequest>,
        POST "/v1/mgmt/user/update/impersonationConsent" => update::update_checked::<update::UpdateUserImpersonationConsentRequest>,
        POST "/v1/mgmt/user/update/loginid" => update::update::<update::UpdateUserLoginIdRequest>,
        POST "/v1/mgmt/user/update/name" => update::update::<update::UpdateUserDisplayNameRequest>,
        POST "/v1/mgmt/user/update/phone" => update::update::<update::UpdateUserPhoneRequest>,
        POST "/v1/mgmt/user/update/picture" => update::update::<update::UpdateUserPictureRequest>,
        POST "/v1/mgmt/user/update/recovery/email" => update::update::<update::UpdateUserRecoveryEmailRequest>,
        POST "/v1/mgmt/user/update/recovery/phone" => update::update::<update::UpdateUserRecoveryPhoneRequest>,
        POST "/v1/mgmt/user/update/role/add" => update::update::<update::UpdateUserRolesRequest<update::Add>>,
        POST "/v1/mgmt/user/update/role/remove" => update::update::<update::UpdateUserRolesRequest<update::Remove>>,
        POST "/v1/mgmt/user/update/role/set" => update::update::<update::UpdateUserRolesRequest<update::Set>>,
        POST "/v1/mgmt/user/update/ssoapp/add" => update::update::<update::UpdateUserSsoAppsRequest<update::Add>>,
        POST "/v1/mgmt/user/update/ssoapp/remove" => update::update::<update::UpdateUserSsoAppsRequest<update::Remove>>,
        POST "/v1/mgmt/user/update/ssoapp/set" => update::update::<update::UpdateUserSsoAppsRequest<update::Set>>,
        POST "/v1/mgmt/user/update/status" => update::update_checked::<update::UpdateUserStatusRequest>,
        POST "/v1/mgmt/user/update/tenant/add" => update::update::<update::UpdateUserTenantRequest<update::Add>>,
        POST "/v1/mgmt/user/update/tenant/remove" => update::update::<update::UpdateUserTenantRequest<update::Remove>>,
        POST "/v1/mgmt/users/load" => load_users,
        POST "/v2/mgmt/user/update/role/add" => update::update::<update::UpdateUserRolesRequest<update::Add>>,
    }
    modules { embeddedlink, history, passkeys, provider, search, totp, trusteddevices }
}

/// POST /v1/mgmt/user/create
/// Creates a user; with `invite`, sends them an invitation.
async fn create(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<CreateUserRequest>,
) -> ApiResult<Json<UserEnvelope>> {
    let user = users::create_managed(&s.db, &s.hasher, &s.outbox, &ctx, body.into_managed(false)).await?;
    Ok(Json((&user).into()))
}

/// POST /v1/mgmt/user/create/test
/// Creates a test user (`test: true`), for the test-user endpoints of `/v1/mgmt/tests/*`.
async fn create_test(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<CreateUserRequest>,
) -> ApiResult<Json<UserEnvelope>> {
    let user = users::create_managed(&s.db, &s.hasher, &s.outbox, &ctx, body.into_managed(true)).await?;
    Ok(Json((&user).into()))
}

/// `loginId` or `userId`, as a query (load) or a body (delete, logout). Go sends both, one
/// empty.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct UserRef {
    login_id: String,
    user_id: String,
}

/// GET /v1/mgmt/user
/// Loads a user by `loginId` (a login ID or a user ID) or `userId`.
async fn load(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<UserRef>,
) -> ApiResult<Json<UserEnvelope>> {
    let user = users::load(&s.db, &ctx, &q.login_id, &q.user_id).await?;
    Ok(Json((&user).into()))
}

/// POST /v1/mgmt/user/delete
/// Deletes a user and their sessions; an unknown user is not an error.
async fn delete(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<UserRef>,
) -> ApiResult<Json<Empty>> {
    users::delete_named(&s.db, &ctx, &body.login_id, &body.user_id).await?;
    Ok(Json(Empty {}))
}

/// DELETE /v1/mgmt/user/test/delete/all
/// Deletes every test user of the project.
async fn delete_all_test_users(State(s): State<AppState>, MgmtAuth(ctx): MgmtAuth) -> ApiResult<Json<Empty>> {
    users::delete_all_test_users(&s.db, &ctx).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/user/logout
/// Revokes every refresh token of a user.
async fn logout(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<UserRef>,
) -> ApiResult<Json<Empty>> {
    users::logout_named(&s.db, &ctx, &body.login_id, &body.user_id).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct SetPasswordBody {
    login_id: String,
    password: String,
}

/// POST /v1/mgmt/user/password/set/temporary, /v1/mgmt/user/password/set/active
/// Sets a user's password; a temporary one must be replaced before it signs in.
async fn set_password<const TEMPORARY: bool>(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<SetPasswordBody>,
) -> ApiResult<Json<Empty>> {
    crate::domain::authn::password::set_by_management(
        &s.db,
        &s.hasher,
        &ctx,
        &body.login_id,
        &body.password,
        TEMPORARY,
    )
    .await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/user/password/expire
/// Expires a user's password: sign-in fails until it is replaced or reset.
async fn expire_password(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<UserRef>,
) -> ApiResult<Json<Empty>> {
    crate::domain::authn::password::expire_by_management(&s.db, &ctx, &body.login_id).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/user/create/batch
/// Creates users one by one; the ones refused are listed in `failedUsers` with the reason.
async fn create_batch(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<CreateUsersRequest>,
) -> ApiResult<Json<CreateUsersResponse>> {
    let outcome = users::create_batch(&s.db, &s.hasher, &s.outbox, &ctx, body.into_managed()).await?;
    Ok(Json((&outcome).into()))
}

/// PATCH /v1/mgmt/user/patch/batch
/// Patches users one by one; the ones refused are listed in `failedUsers` with the reason.
async fn patch_batch(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<PatchUsersRequest>,
) -> ApiResult<Json<PatchUsersResponse>> {
    let outcome = users::patch_batch(&s.db, &ctx, body.into_changes()).await?;
    Ok(Json((&outcome).into()))
}

/// `{userIds, includeInvalidUsers}` of delete/batch and users/load.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct UserIdsBody {
    user_ids: Vec<String>,
    include_invalid_users: bool,
}

/// POST /v1/mgmt/user/delete/batch
/// Deletes users by user ID; unknown IDs are ignored.
async fn delete_batch(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<UserIdsBody>,
) -> ApiResult<Json<Empty>> {
    users::delete_batch(&s.db, &ctx, &body.user_ids).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/users/load
/// Loads users by user ID; disabled and expired ones only with `includeInvalidUsers`.
async fn load_users(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<UserIdsBody>,
) -> ApiResult<Json<UsersEnvelope>> {
    let found = users::load_many(&s.db, &ctx, &body.user_ids, body.include_invalid_users).await?;
    Ok(Json(found.as_slice().into()))
}
