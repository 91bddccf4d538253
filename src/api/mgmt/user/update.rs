//! Descope API group `userManagement`: the small updates `/v1/mgmt/user/update/*` (and
//! `/v2/mgmt/user/update/role/add`). Each request type converts into a
//! [`UserPatch`](crate::domain::identity::users::UserPatch), and one generic handler, [`update`], serves
//! them all, `POST /v1/mgmt/user/update` and `PATCH /v1/mgmt/user/patch` too.
//!
//! Every call names the user in `loginId`, which may hold a user ID, and answers `{"user"}`.

use std::marker::PhantomData;

use axum::extract::State;
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use crate::domain::identity::users::{self, ListOp, UserFields, UserPatch};
use crate::dto::common::check_duration;
use crate::dto::user::{NamesUser, UserEnvelope};
use crate::dto::Validate;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{DescopeJson, MgmtAuth, ValidJson};
use crate::state::AppState;

/// POST /v1/mgmt/user/update/{email,phone,loginid,name,picture,customAttribute,status,…}
/// Applies one change to one user (also `/v1/mgmt/user/update` and `PATCH /v1/mgmt/user/patch`).
pub async fn update<R>(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(req): DescopeJson<R>,
) -> ApiResult<Json<UserEnvelope>>
where
    R: DeserializeOwned + NamesUser + Into<UserPatch> + Send + 'static,
{
    let login_id = req.login_id().to_owned();
    let user = users::patch(&s.db, &ctx, &login_id, req.into()).await?;
    Ok(Json((&user).into()))
}

/// [`update`] for the request types with checks of their own ([`Validate`]): `customAttribute`,
/// `status` and `impersonationConsent`.
pub async fn update_checked<R>(
    state: State<AppState>,
    auth: MgmtAuth,
    ValidJson(req): ValidJson<R>,
) -> ApiResult<Json<UserEnvelope>>
where
    R: DeserializeOwned + Validate + NamesUser + Into<UserPatch> + Send + 'static,
{
    update(state, auth, DescopeJson(req)).await
}

/// Implements [`NamesUser`] for request types with a `login_id` field.
macro_rules! names_user {
    ($($t:ident),* $(,)?) => {$(
        impl NamesUser for $t {
            fn login_id(&self) -> &str {
                &self.login_id
            }
        }
    )*};
}

/// `{loginId, email, verified, failOnConflict}`: sets the email and whether it is verified.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UpdateUserEmailRequest {
    login_id: String,
    email: String,
    verified: bool,
}

impl From<UpdateUserEmailRequest> for UserPatch {
    fn from(r: UpdateUserEmailRequest) -> Self {
        UserFields { email: Some(r.email), verified_email: Some(r.verified), ..UserFields::default() }.into()
    }
}

/// `{loginId, phone, verified, failOnConflict}`: sets the phone and whether it is verified.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UpdateUserPhoneRequest {
    login_id: String,
    phone: String,
    verified: bool,
}

impl From<UpdateUserPhoneRequest> for UserPatch {
    fn from(r: UpdateUserPhoneRequest) -> Self {
        UserFields { phone: Some(r.phone), verified_phone: Some(r.verified), ..UserFields::default() }.into()
    }
}

/// `{loginId, recoveryEmail, verified}`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UpdateUserRecoveryEmailRequest {
    login_id: String,
    recovery_email: String,
    verified: bool,
}

impl From<UpdateUserRecoveryEmailRequest> for UserPatch {
    fn from(r: UpdateUserRecoveryEmailRequest) -> Self {
        UserFields {
            recovery_email: Some(r.recovery_email),
            verified_recovery_email: Some(r.verified),
            ..UserFields::default()
        }
        .into()
    }
}

/// `{loginId, recoveryPhone, verified}`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UpdateUserRecoveryPhoneRequest {
    login_id: String,
    recovery_phone: String,
    verified: bool,
}

impl From<UpdateUserRecoveryPhoneRequest> for UserPatch {
    fn from(r: UpdateUserRecoveryPhoneRequest) -> Self {
        UserFields {
            recovery_phone: Some(r.recovery_phone),
            verified_recovery_phone: Some(r.verified),
            ..UserFields::default()
        }
        .into()
    }
}

/// `{loginId, newLoginId}`: replaces the named login ID; an empty `newLoginId` removes it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UpdateUserLoginIdRequest {
    login_id: String,
    new_login_id: String,
}

impl From<UpdateUserLoginIdRequest> for UserPatch {
    fn from(r: UpdateUserLoginIdRequest) -> Self {
        UserPatch::LoginId { new_login_id: r.new_login_id }
    }
}

/// `{loginId, displayName|name, givenName, middleName, familyName}`: the names given (an
/// empty one removes that name); Go sends the display name alone, or the three others alone.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UpdateUserDisplayNameRequest {
    login_id: String,
    display_name: Option<String>,
    name: Option<String>,
    given_name: Option<String>,
    middle_name: Option<String>,
    family_name: Option<String>,
}

impl From<UpdateUserDisplayNameRequest> for UserPatch {
    fn from(r: UpdateUserDisplayNameRequest) -> Self {
        UserFields {
            name: r.display_name.or(r.name),
            given_name: r.given_name,
            middle_name: r.middle_name,
            family_name: r.family_name,
            ..UserFields::default()
        }
        .into()
    }
}

/// `{loginId, picture}`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UpdateUserPictureRequest {
    login_id: String,
    picture: String,
}

impl From<UpdateUserPictureRequest> for UserPatch {
    fn from(r: UpdateUserPictureRequest) -> Self {
        UserFields { picture: Some(r.picture), ..UserFields::default() }.into()
    }
}

/// `{loginId, attributeKey, attributeValue}`: sets one custom attribute.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UpdateUserCustomAttributeRequest {
    login_id: String,
    attribute_key: String,
    attribute_value: Value,
}

impl From<UpdateUserCustomAttributeRequest> for UserPatch {
    fn from(r: UpdateUserCustomAttributeRequest) -> Self {
        UserPatch::CustomAttribute { key: r.attribute_key, value: r.attribute_value }
    }
}

/// `{loginId, status}`: `enabled` or `disabled`; disabling revokes the user's sessions.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UpdateUserStatusRequest {
    login_id: String,
    status: String,
}

impl From<UpdateUserStatusRequest> for UserPatch {
    fn from(r: UpdateUserStatusRequest) -> Self {
        UserFields { status: Some(r.status), ..UserFields::default() }.into()
    }
}

/// `{loginId, impersonationConsent}`: seconds of consent from now; 0 withdraws it
/// (unconfirmed: the OpenAPI only says int32, the user object has `consentExpiration`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UpdateUserImpersonationConsentRequest {
    login_id: String,
    impersonation_consent: i64,
}

impl From<UpdateUserImpersonationConsentRequest> for UserPatch {
    fn from(r: UpdateUserImpersonationConsentRequest) -> Self {
        UserPatch::ImpersonationConsent { seconds: r.impersonation_consent }
    }
}

/// Which list change a `set`/`add`/`remove` route makes, as a type.
pub trait Op {
    const OP: ListOp;
}

#[derive(Debug)]
pub struct Set;
#[derive(Debug)]
pub struct Add;
#[derive(Debug)]
pub struct Remove;

impl Op for Set {
    const OP: ListOp = ListOp::Set;
}
impl Op for Add {
    const OP: ListOp = ListOp::Add;
}
impl Op for Remove {
    const OP: ListOp = ListOp::Remove;
}

/// `{loginId, roleNames, tenantId?}`: project-level roles, or roles in the tenant.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", bound = "")]
pub struct UpdateUserRolesRequest<O> {
    #[serde(default)]
    login_id: String,
    #[serde(default)]
    tenant_id: String,
    #[serde(default)]
    role_names: Vec<String>,
    #[serde(skip)]
    op: PhantomData<O>,
}

impl<O: Op> From<UpdateUserRolesRequest<O>> for UserPatch {
    fn from(r: UpdateUserRolesRequest<O>) -> Self {
        UserPatch::Roles { op: O::OP, tenant_id: r.tenant_id, roles: r.role_names }
    }
}

/// `{loginId, tenantId}`: joins or leaves a tenant (leaving drops its role grants).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", bound = "")]
pub struct UpdateUserTenantRequest<O> {
    #[serde(default)]
    login_id: String,
    #[serde(default)]
    tenant_id: String,
    #[serde(skip)]
    op: PhantomData<O>,
}

impl<O: Op> From<UpdateUserTenantRequest<O>> for UserPatch {
    fn from(r: UpdateUserTenantRequest<O>) -> Self {
        UserPatch::Tenant { op: O::OP, tenant_id: r.tenant_id }
    }
}

/// `{loginId, ssoAppIds}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", bound = "")]
pub struct UpdateUserSsoAppsRequest<O> {
    #[serde(default)]
    login_id: String,
    #[serde(default, alias = "ssoAppIDs")]
    sso_app_ids: Vec<String>,
    #[serde(skip)]
    op: PhantomData<O>,
}

impl<O: Op> From<UpdateUserSsoAppsRequest<O>> for UserPatch {
    fn from(r: UpdateUserSsoAppsRequest<O>) -> Self {
        UserPatch::SsoApps { op: O::OP, ids: r.sso_app_ids }
    }
}

names_user!(
    UpdateUserEmailRequest,
    UpdateUserPhoneRequest,
    UpdateUserRecoveryEmailRequest,
    UpdateUserRecoveryPhoneRequest,
    UpdateUserLoginIdRequest,
    UpdateUserDisplayNameRequest,
    UpdateUserPictureRequest,
    UpdateUserCustomAttributeRequest,
    UpdateUserStatusRequest,
    UpdateUserImpersonationConsentRequest,
);

impl Validate for UpdateUserCustomAttributeRequest {
    fn validate(&self) -> ApiResult<()> {
        if self.attribute_key.trim().is_empty() {
            return Err(ApiError::missing("attributeKey"));
        }
        Ok(())
    }
}

impl Validate for UpdateUserImpersonationConsentRequest {
    fn validate(&self) -> ApiResult<()> {
        check_duration("impersonationConsent", self.impersonation_consent)
    }
}

impl Validate for UpdateUserStatusRequest {
    fn validate(&self) -> ApiResult<()> {
        match self.status.as_str() {
            "" => Err(ApiError::missing("status")),
            users::STATUS_ENABLED | users::STATUS_DISABLED => Ok(()),
            s => Err(ApiError::invalid(format!("Invalid status: {s} (enabled or disabled)"))),
        }
    }
}

impl<O> NamesUser for UpdateUserRolesRequest<O> {
    fn login_id(&self) -> &str {
        &self.login_id
    }
}
impl<O> NamesUser for UpdateUserTenantRequest<O> {
    fn login_id(&self) -> &str {
        &self.login_id
    }
}
impl<O> NamesUser for UpdateUserSsoAppsRequest<O> {
    fn login_id(&self) -> &str {
        &self.login_id
    }
}
