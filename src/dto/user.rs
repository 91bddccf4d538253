//! The Descope user object (`ResponseUser`), emitted with every field at its empty default,
//! its envelopes, and the request bodies several user endpoints share (create, update, patch
//! and their batch forms). Request bodies accept every SDK spelling (SDK_CONTRACT.md 9.3):
//! `displayName` or `name`, `ssoAppIDs` or `ssoAppIds`, `additionalLoginIds` or
//! `additionalIdentifiers`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::domain::identity::custom_attributes::{
    AttributeOption, AttributeType, CustomAttribute as DomainAttribute,
};
use crate::domain::identity::invite::InviteOptions;
use crate::domain::identity::profile::UserProfile;
use crate::domain::identity::search::Login;
use crate::domain::identity::users::{BatchOutcome, ManagedUser, User as DomainUser, UserFields, UserPatch};
use crate::error::ApiResult;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserTenant {
    pub tenant_id: String,
    pub tenant_name: String,
    pub role_names: Vec<String>,
    pub permissions: Vec<String>,
}

/// `ResponseUser`, spelled as core-js does (`TOTP`, `SAML`, `SCIM`, `OAuth`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub user_id: String,
    pub login_ids: Vec<String>,
    pub external_ids: Vec<String>,
    #[serde(flatten)]
    pub profile: UserProfile,
    pub verified_email: bool,
    pub verified_phone: bool,
    pub role_names: Vec<String>,
    pub user_tenants: Vec<UserTenant>,
    pub status: String,
    pub picture: String,
    pub test: bool,
    pub custom_attributes: Map<String, Value>,
    pub created_time: i64,
    #[serde(rename = "TOTP")]
    pub totp: bool,
    #[serde(rename = "SAML")]
    pub saml: bool,
    #[serde(rename = "SCIM")]
    pub scim: bool,
    #[serde(rename = "OAuth")]
    pub oauth: Map<String, Value>,
    pub webauthn: bool,
    pub password: bool,
    pub sso_app_ids: Vec<String>,
    pub editable: bool,
    pub permissions: Vec<String>,
    pub recovery_email: String,
    pub verified_recovery_email: bool,
    pub recovery_phone: String,
    pub verified_recovery_phone: bool,
    /// Unix seconds until which the user consents to impersonation; 0 when not given.
    pub consent_expiration: i64,
}

impl From<&DomainUser> for User {
    fn from(u: &DomainUser) -> Self {
        let r = &u.row;
        User {
            user_id: r.id.to_string(),
            login_ids: u.login_ids.clone(),
            external_ids: u.login_ids.clone(),
            profile: UserProfile {
                name: r.name.clone(),
                given_name: r.given_name.clone(),
                middle_name: r.middle_name.clone(),
                family_name: r.family_name.clone(),
                email: r.email.clone(),
                phone: r.phone.clone(),
            },
            verified_email: r.verified_email,
            verified_phone: r.verified_phone,
            role_names: u.roles.clone(),
            user_tenants: u
                .tenants
                .iter()
                .map(|t| UserTenant {
                    tenant_id: t.tenant_id.clone(),
                    tenant_name: t.tenant_name.clone(),
                    role_names: t.roles.clone(),
                    permissions: Vec::new(),
                })
                .collect(),
            status: r.status.clone(),
            picture: r.picture.clone(),
            test: r.test,
            custom_attributes: u.custom_attributes(),
            created_time: r.created_ms / 1000,
            totp: r.totp_secret.is_some(),
            saml: r.saml,
            scim: r.scim,
            oauth: u.oauth(),
            webauthn: r.webauthn,
            password: r.password_hash.is_some(),
            sso_app_ids: u.sso_app_ids(),
            editable: true,
            permissions: Vec::new(),
            recovery_email: r.recovery_email.clone(),
            verified_recovery_email: r.verified_recovery_email,
            recovery_phone: r.recovery_phone.clone(),
            verified_recovery_phone: r.verified_recovery_phone,
            consent_expiration: r.consent_expiration,
        }
    }
}

/// `{"user": ...}`
#[derive(Debug, Clone, Serialize)]
pub struct UserEnvelope {
    pub user: User,
}

impl From<&DomainUser> for UserEnvelope {
    fn from(u: &DomainUser) -> Self {
        UserEnvelope { user: u.into() }
    }
}

/// One login of a user (`UserAuthHistory`): `me/history` and the management history. The
/// domain record has exactly the wire fields (`userId`, `loginTime` in Unix seconds, `city`,
/// `country`, `ip`, `selectedTenant`).
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct LoginRecord(pub Login);

impl From<Login> for LoginRecord {
    fn from(l: Login) -> Self {
        LoginRecord(l)
    }
}

/// `{"users": [...], "total": N}`
#[derive(Debug, Clone, Serialize)]
pub struct UsersEnvelope {
    pub users: Vec<User>,
    pub total: usize,
}

impl From<&[DomainUser]> for UsersEnvelope {
    fn from(us: &[DomainUser]) -> Self {
        UsersEnvelope { users: us.iter().map(User::from).collect(), total: us.len() }
    }
}

/// A management request that names one user in `loginId` (a login ID, or a user ID as Go
/// sends).
pub trait NamesUser {
    fn login_id(&self) -> &str;
}

/// Merges the SDK spellings of one list, dropping empties and duplicates.
fn merged(lists: impl IntoIterator<Item = Vec<String>>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in lists.into_iter().flatten() {
        if !a.is_empty() && !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

/// `{tenantId, roleNames}` in a user body (`AssociatedTenant`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserTenantRequest {
    pub tenant_id: String,
    pub role_names: Vec<String>,
}

/// The body of `/v1/mgmt/user/create`, `/create/test`, `/update` and of each entry of
/// `/create/batch` (`CreateUserRequest`, `UpdateUserRequest`, `CreateUsers`). With `invite`,
/// `inviteUrl`, `sendMail` and `sendSMS` say how the invitation goes. Fields the emulator does
/// not act on (`templateId`, `templateOptions`, `locale`, `hashedPassword`, `seed`, ...) are
/// ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateUserRequest {
    pub login_id: String,
    /// `name` is the display name for Go; Python and Node send `displayName`.
    #[serde(flatten)]
    pub profile: UserProfile,
    pub display_name: String,
    pub picture: String,
    pub role_names: Vec<String>,
    pub user_tenants: Vec<UserTenantRequest>,
    pub custom_attributes: Map<String, Value>,
    pub additional_login_ids: Vec<String>,
    pub additional_identifiers: Vec<String>,
    /// Python and Go spell it `ssoAppIDs`.
    #[serde(rename = "ssoAppIDs")]
    pub sso_app_ids_caps: Vec<String>,
    pub sso_app_ids: Vec<String>,
    pub invite: bool,
    #[serde(flatten)]
    pub invite_options: InviteRequest,
    pub test: bool,
    pub verified_email: Option<bool>,
    pub verified_phone: Option<bool>,
    pub status: String,
    pub password: String,
}

impl NamesUser for CreateUserRequest {
    fn login_id(&self) -> &str {
        &self.login_id
    }
}

impl CreateUserRequest {
    /// The user to create; `test` marks a test user whatever the body says.
    pub fn into_managed(self, test: bool) -> ManagedUser {
        ManagedUser {
            login_id: self.login_id,
            additional_login_ids: merged([self.additional_login_ids, self.additional_identifiers]),
            email: self.profile.email,
            phone: self.profile.phone,
            name: if self.display_name.is_empty() { self.profile.name } else { self.display_name },
            given_name: self.profile.given_name,
            middle_name: self.profile.middle_name,
            family_name: self.profile.family_name,
            picture: self.picture,
            verified_email: self.verified_email,
            verified_phone: self.verified_phone,
            status: self.status,
            invite: self.invite,
            invite_options: self.invite_options.into(),
            test: test || self.test,
            custom_attributes: self.custom_attributes,
            sso_app_ids: merged([self.sso_app_ids_caps, self.sso_app_ids]),
            roles: self.role_names,
            tenants: self.user_tenants.into_iter().map(|t| (t.tenant_id, t.role_names)).collect(),
            password: self.password,
        }
    }
}

/// `POST /v1/mgmt/user/update` replaces the whole user with this body.
impl From<CreateUserRequest> for UserPatch {
    fn from(r: CreateUserRequest) -> Self {
        UserFields::replacing(r.into_managed(false)).into()
    }
}

/// How an invitation goes (`inviteUrl`, `sendMail`, `sendSMS`): in a create body, and at the
/// top of a batch create body for all its users.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InviteRequest {
    pub invite_url: String,
    pub send_mail: Option<bool>,
    #[serde(rename = "sendSMS")]
    pub send_sms: Option<bool>,
}

impl From<InviteRequest> for InviteOptions {
    fn from(r: InviteRequest) -> Self {
        InviteOptions { invite_url: r.invite_url, send_mail: r.send_mail, send_sms: r.send_sms }
    }
}

/// `POST /v1/mgmt/user/create/batch` (`CreateUsersRequest`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateUsersRequest {
    pub users: Vec<CreateUserRequest>,
    pub invite: bool,
    #[serde(flatten)]
    pub invite_options: InviteRequest,
}

impl CreateUsersRequest {
    /// The users to create; the batch's `invite` and invitation options apply to each (a
    /// user's own options, which no SDK sends, win).
    pub fn into_managed(self) -> Vec<ManagedUser> {
        let invite = self.invite;
        let batch_options = InviteOptions::from(self.invite_options);
        self.users
            .into_iter()
            .map(|u| {
                let mut m = u.into_managed(false);
                m.invite |= invite;
                if m.invite_options == InviteOptions::default() {
                    m.invite_options = batch_options.clone();
                }
                m
            })
            .collect()
    }
}

/// The body of `PATCH /v1/mgmt/user/patch` and each entry of `/patch/batch`
/// (`PatchUserRequest`): only the fields given (not null) change.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PatchUserRequest {
    pub login_id: String,
    pub email: Option<String>,
    pub verified_email: Option<bool>,
    pub phone: Option<String>,
    pub verified_phone: Option<bool>,
    /// Python and Node send `displayName`, Go `name`.
    pub display_name: Option<String>,
    pub name: Option<String>,
    pub given_name: Option<String>,
    pub middle_name: Option<String>,
    pub family_name: Option<String>,
    pub picture: Option<String>,
    pub status: Option<String>,
    pub role_names: Option<Vec<String>>,
    pub user_tenants: Option<Vec<UserTenantRequest>>,
    pub custom_attributes: Option<Map<String, Value>>,
    pub sso_app_ids: Option<Vec<String>>,
    #[serde(rename = "ssoAppIDs")]
    pub sso_app_ids_caps: Option<Vec<String>>,
    /// Go sends `additionalLoginIds`, Node `additionalIdentifiers`.
    pub additional_login_ids: Option<Vec<String>>,
    pub additional_identifiers: Option<Vec<String>>,
    pub recovery_email: Option<String>,
    pub verified_recovery_email: Option<bool>,
    pub recovery_phone: Option<String>,
    pub verified_recovery_phone: Option<bool>,
}

impl NamesUser for PatchUserRequest {
    fn login_id(&self) -> &str {
        &self.login_id
    }
}

/// Either spelling of a list, merged; `None` when neither was given.
fn either(a: Option<Vec<String>>, b: Option<Vec<String>>) -> Option<Vec<String>> {
    match (a, b) {
        (None, None) => None,
        (a, b) => Some(merged([a.unwrap_or_default(), b.unwrap_or_default()])),
    }
}

impl From<PatchUserRequest> for UserPatch {
    fn from(r: PatchUserRequest) -> Self {
        UserFields {
            email: r.email,
            verified_email: r.verified_email,
            phone: r.phone,
            verified_phone: r.verified_phone,
            name: r.display_name.or(r.name),
            given_name: r.given_name,
            middle_name: r.middle_name,
            family_name: r.family_name,
            picture: r.picture,
            status: r.status.filter(|s| !s.is_empty()),
            custom_attributes: r.custom_attributes,
            // descope-compat (unconfirmed): patch changes only the attributes it names.
            merge_custom_attributes: true,
            sso_app_ids: either(r.sso_app_ids, r.sso_app_ids_caps),
            roles: r.role_names,
            tenants: r.user_tenants.map(|ts| ts.into_iter().map(|t| (t.tenant_id, t.role_names)).collect()),
            additional_login_ids: either(r.additional_login_ids, r.additional_identifiers),
            recovery_email: r.recovery_email,
            verified_recovery_email: r.verified_recovery_email,
            recovery_phone: r.recovery_phone,
            verified_recovery_phone: r.verified_recovery_phone,
        }
        .into()
    }
}

/// `PATCH /v1/mgmt/user/patch/batch` (`PatchUserBatchRequest`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PatchUsersRequest {
    pub users: Vec<PatchUserRequest>,
}

impl PatchUsersRequest {
    pub fn into_changes(self) -> Vec<(String, UserPatch)> {
        self.users.into_iter().map(|u| (u.login_id.clone(), u.into())).collect()
    }
}

/// `{failure, user}`: a batch entry that was refused.
#[derive(Debug, Clone, Serialize)]
pub struct FailedUser {
    pub failure: String,
    pub user: User,
}

fn failed(outcome: &BatchOutcome) -> Vec<FailedUser> {
    outcome
        .failed
        .iter()
        .map(|(failure, u)| FailedUser { failure: failure.clone(), user: u.into() })
        .collect()
}

/// `CreateUsersResponse`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateUsersResponse {
    pub created_users: Vec<User>,
    pub failed_users: Vec<FailedUser>,
    pub additional_errors: Map<String, Value>,
}

impl From<&BatchOutcome> for CreateUsersResponse {
    fn from(o: &BatchOutcome) -> Self {
        CreateUsersResponse {
            created_users: o.done.iter().map(User::from).collect(),
            failed_users: failed(o),
            additional_errors: Map::new(),
        }
    }
}

/// `PatchUserBatchResponse`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PatchUsersResponse {
    pub patched_users: Vec<User>,
    pub failed_users: Vec<FailedUser>,
    pub additional_errors: Map<String, Value>,
}

impl From<&BatchOutcome> for PatchUsersResponse {
    fn from(o: &BatchOutcome) -> Self {
        PatchUsersResponse {
            patched_users: o.done.iter().map(User::from).collect(),
            failed_users: failed(o),
            additional_errors: Map::new(),
        }
    }
}

/// A custom attribute's type as sent: Descope's number (Go, Node) or a name (Python).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum AttributeTypeRequest {
    Number(i64),
    Name(String),
}

impl Default for AttributeTypeRequest {
    fn default() -> Self {
        AttributeTypeRequest::Number(0)
    }
}

/// An option as sent: `{value, label}` (Go, Node) or a plain string (Python).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum AttributeOptionRequest {
    Plain(String),
    Full(AttributeOption),
}

/// One entry of `POST /v1/mgmt/user/customattribute/create` (`CustomAttribute`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CustomAttributeRequest {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: AttributeTypeRequest,
    pub options: Vec<AttributeOptionRequest>,
    pub display_name: String,
    pub default_value: Value,
    pub view_permissions: Vec<String>,
    pub edit_permissions: Vec<String>,
}

impl CustomAttributeRequest {
    pub fn into_domain(self) -> ApiResult<DomainAttribute> {
        Ok(DomainAttribute {
            kind: match &self.kind {
                AttributeTypeRequest::Number(n) => AttributeType::from_number(*n)?,
                AttributeTypeRequest::Name(s) => AttributeType::from_name(s)?,
            },
            options: self
                .options
                .into_iter()
                .map(|o| match o {
                    AttributeOptionRequest::Plain(v) => AttributeOption { label: v.clone(), value: v },
                    AttributeOptionRequest::Full(o) => o,
                })
                .collect(),
            name: self.name,
            display_name: self.display_name,
            default_value: self.default_value,
            view_permissions: self.view_permissions,
            edit_permissions: self.edit_permissions,
        })
    }
}

/// A declared custom attribute (`CustomAttribute`); `type` is Descope's number.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomAttribute {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: i64,
    pub options: Vec<AttributeOption>,
    pub display_name: String,
    #[serde(skip_serializing_if = "Value::is_null")]
    pub default_value: Value,
    pub view_permissions: Vec<String>,
    pub edit_permissions: Vec<String>,
    pub editable: bool,
}

impl From<&DomainAttribute> for CustomAttribute {
    fn from(a: &DomainAttribute) -> Self {
        CustomAttribute {
            name: a.name.clone(),
            kind: a.kind as i64,
            options: a.options.clone(),
            display_name: a.display_name.clone(),
            default_value: a.default_value.clone(),
            view_permissions: a.view_permissions.clone(),
            edit_permissions: a.edit_permissions.clone(),
            editable: true,
        }
    }
}

/// `{"data": [...]}` (`CustomAttributesResponse`).
#[derive(Debug, Clone, Serialize)]
pub struct CustomAttributesEnvelope {
    pub data: Vec<CustomAttribute>,
}

impl From<&[DomainAttribute]> for CustomAttributesEnvelope {
    fn from(a: &[DomainAttribute]) -> Self {
        CustomAttributesEnvelope { data: a.iter().map(CustomAttribute::from).collect() }
    }
}
