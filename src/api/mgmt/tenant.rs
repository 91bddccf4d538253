//! Descope API groups `__NO_PUBLISH__`, `tenantAdminLinkManagement`, `tenantManagement`, `tenantSessionManagement`.
//!
//! Built: create, update, patch (`PATCH /v1/mgmt/tenant/patch`, Python), delete (with
//! cascade), load (flat tenant, SDK_CONTRACT.md 9.1), load all, search, default roles and the
//! tenant session settings, and the SSO admin links (`adminlinks/sso/*`: a link
//! `<public-url>/sso-setup?t=<token>` per tenant and SSO ID with an expiry; an email given
//! gets it through the outbox). `sso-user-remove` (`RemoveSSOSuffixFromExternalId`
//! `{tenantId}` → `{}`) removes the SSO association (the tenant's suffix on external IDs) of
//! the tenant's SSO users: their links to the tenant's identity providers (missing tenant →
//! 400, unknown → not found); the users and their memberships stay.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::domain::identity::admin_links;
use crate::domain::identity::tenants::{self, SettingsPatch, TenantFilter, TenantInput, TenantPatch};
use crate::dto::common::Empty;
use crate::dto::tenant::{Tenant, TenantId, TenantSettings, TenantsEnvelope};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{DescopeJson, DescopeQuery, MgmtAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        GET "/v1/mgmt/tenant" => load,
        GET "/v1/mgmt/tenant/all" => load_all,
        POST "/v1/mgmt/tenant/create" => create,
        POST "/v1/mgmt/tenant/adminlinks/sso/authenticated" => admin_link_authenticated,
        POST "/v1/mgmt/tenant/adminlinks/sso/generate" => admin_link_generate,
        POST "/v1/mgmt/tenant/adminlinks/sso/revoke" => admin_link_revoke,
        POST "/v1/mgmt/tenant/adminlinks/sso/send" => admin_link_send,
        POST "/v1/mgmt/tenant/delete" => delete,
        PATCH "/v1/mgmt/tenant/patch" => patch,
        POST "/v1/mgmt/tenant/search" => search,
        GET "/v1/mgmt/tenant/settings" => load_settings,
        POST "/v1/mgmt/tenant/settings" => configure_settings,
        POST "/v1/mgmt/tenant/sso-user-remove" => sso_user_remove,
        POST "/v1/mgmt/tenant/update" => update,
        POST "/v1/mgmt/tenant/updateDefaultRoles" => update_default_roles,
        POST "/v2/mgmt/tenant/adminlinks/sso/generate" => admin_link_generate,
    }
}

/// The body of create and update. Go sends `parent` on create (its struct tag says
/// `parentId`; both are read).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct TenantBody {
    id: String,
    name: String,
    self_provisioning_domains: Vec<String>,
    custom_attributes: Map<String, Value>,
    #[serde(rename = "enforceSSO")]
    enforce_sso: bool,
    #[serde(rename = "enforceSSOExclusions")]
    enforce_sso_exclusions: Vec<String>,
    disabled: bool,
    parent: String,
    parent_id: String,
    role_inheritance: String,
    federated_app_ids: Vec<String>,
}

impl From<TenantBody> for TenantInput {
    fn from(b: TenantBody) -> Self {
        TenantInput {
            id: b.id,
            name: b.name,
            self_provisioning_domains: b.self_provisioning_domains,
            custom_attributes: b.custom_attributes,
            enforce_sso: b.enforce_sso,
            enforce_sso_exclusions: b.enforce_sso_exclusions,
            disabled: b.disabled,
            parent: if b.parent.is_empty() { b.parent_id } else { b.parent },
            role_inheritance: b.role_inheritance,
            federated_app_ids: b.federated_app_ids,
        }
    }
}

/// POST /v1/mgmt/tenant/create
/// Creates a tenant; the ID is the given one or a new `T…` ID.
async fn create(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<TenantBody>,
) -> ApiResult<Json<TenantId>> {
    let id = tenants::create(&s.db, &ctx, body.into()).await?;
    Ok(Json(TenantId { id }))
}

/// POST /v1/mgmt/tenant/update
/// Replaces the tenant's fields with the body's.
async fn update(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<TenantBody>,
) -> ApiResult<Json<Empty>> {
    tenants::update(&s.db, &ctx, body.into()).await?;
    Ok(Json(Empty {}))
}

/// PATCH /v1/mgmt/tenant/patch
/// Changes only the given fields of a tenant (python-sdk).
async fn patch(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(p): DescopeJson<TenantPatch>,
) -> ApiResult<Json<Empty>> {
    tenants::patch(&s.db, &ctx, p).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct DeleteBody {
    id: String,
    cascade: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RemoveSsoSuffixFromExternalIdRequest {
    tenant_id: String,
}

/// POST /v1/mgmt/tenant/sso-user-remove
/// Removes the SSO association of the tenant's SSO users.
async fn sso_user_remove(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<RemoveSsoSuffixFromExternalIdRequest>,
) -> ApiResult<Json<Empty>> {
    crate::domain::federation::sso_login::remove_sso_users(&s.db, &ctx, &b.tenant_id).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/tenant/delete
/// Deletes a tenant; with `cascade`, also the users that belong to it only.
async fn delete(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<DeleteBody>,
) -> ApiResult<Json<Empty>> {
    tenants::delete(&s.db, &ctx, &b.id, b.cascade).await?;
    Ok(Json(Empty {}))
}

/// `?id=` (the settings load also accepts the older `tenantId`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct IdQuery {
    id: String,
    tenant_id: String,
}

impl IdQuery {
    fn id(&self) -> &str {
        if self.id.is_empty() {
            &self.tenant_id
        } else {
            &self.id
        }
    }
}

/// GET /v1/mgmt/tenant
/// Loads a tenant, flat.
async fn load(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<IdQuery>,
) -> ApiResult<Json<Tenant>> {
    let t = tenants::load(&s.db, &ctx, q.id()).await?;
    Ok(Json((&t).into()))
}

/// GET /v1/mgmt/tenant/all
/// Every tenant of the project.
async fn load_all(State(s): State<AppState>, MgmtAuth(ctx): MgmtAuth) -> ApiResult<Json<TenantsEnvelope>> {
    Ok(Json(TenantsEnvelope::of(&tenants::list(&s.db, &ctx).await?)))
}

/// POST /v1/mgmt/tenant/search
/// The tenants matching every given filter.
async fn search(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(filter): DescopeJson<TenantFilter>,
) -> ApiResult<Json<TenantsEnvelope>> {
    Ok(Json(TenantsEnvelope::of(&tenants::search(&s.db, &ctx, &filter).await?)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct DefaultRolesBody {
    id: String,
    default_roles: Vec<String>,
}

/// POST /v1/mgmt/tenant/updateDefaultRoles
/// Sets the roles new users of the tenant get.
async fn update_default_roles(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<DefaultRolesBody>,
) -> ApiResult<Json<Empty>> {
    tenants::update_default_roles(&s.db, &ctx, &b.id, b.default_roles).await?;
    Ok(Json(Empty {}))
}

/// GET /v1/mgmt/tenant/settings
/// The tenant's domains and session settings.
async fn load_settings(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<IdQuery>,
) -> ApiResult<Json<TenantSettings>> {
    let t = tenants::load_settings(&s.db, &ctx, q.id()).await?;
    Ok(Json((&t).into()))
}

/// The body of the settings update: the tenant-level fields are read here, every other
/// non-null key is a session setting (Python leaves out what is not given; Go sends all).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SettingsBody {
    #[serde(default)]
    tenant_id: String,
    #[serde(default)]
    id: String,
    self_provisioning_domains: Option<Vec<String>>,
    domains: Option<Vec<String>>,
    auth_type: Option<String>,
    #[serde(rename = "enforceSSO")]
    enforce_sso: Option<bool>,
    #[serde(rename = "enforceSSOExclusions")]
    enforce_sso_exclusions: Option<Vec<String>>,
    federated_app_ids: Option<Vec<String>>,
    #[serde(flatten)]
    session: Map<String, Value>,
}

/// POST /v1/mgmt/tenant/settings
/// Updates the tenant's domains and session settings.
async fn configure_settings(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<SettingsBody>,
) -> ApiResult<Json<Empty>> {
    let id = if b.tenant_id.is_empty() { b.id } else { b.tenant_id };
    let p = SettingsPatch {
        self_provisioning_domains: b.self_provisioning_domains,
        domains: b.domains,
        auth_type: b.auth_type,
        enforce_sso: b.enforce_sso,
        enforce_sso_exclusions: b.enforce_sso_exclusions,
        federated_app_ids: b.federated_app_ids,
        session: b.session,
    };
    tenants::configure_settings(&s.db, &ctx, &id, p).await?;
    Ok(Json(Empty {}))
}

/// The body of the admin link calls. `expireTime` is seconds, a number (Go, Node, Python) or
/// a string (the OpenAPI).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AdminLinkBody {
    tenant_id: String,
    sso_id: Option<String>,
    expire_time: Value,
    email: String,
    actor_id: String,
}

impl AdminLinkBody {
    fn sso_id(&self) -> &str {
        self.sso_id.as_deref().unwrap_or_default()
    }

    fn expire_secs(&self) -> ApiResult<i64> {
        let bad = || ApiError::invalid("expireTime must be a number of seconds");
        match &self.expire_time {
            Value::Null => Ok(0),
            Value::Number(n) => n.as_i64().or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64)).ok_or_else(bad),
            Value::String(s) if s.trim().is_empty() => Ok(0),
            Value::String(s) => s.trim().parse::<i64>().map_err(|_| bad()),
            _ => Err(bad()),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct AdminLinkResponse {
    #[serde(rename = "adminSSOConfigurationLink")]
    admin_sso_configuration_link: String,
}

/// POST /v2/mgmt/tenant/adminlinks/sso/generate (and the deprecated v1 path)
/// A new SSO setup link for the tenant (and SSO ID); mailed when `email` is given.
async fn admin_link_generate(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<AdminLinkBody>,
) -> ApiResult<Json<AdminLinkResponse>> {
    let req = admin_links::LinkRequest {
        tenant_id: b.tenant_id.clone(),
        sso_id: b.sso_id().to_owned(),
        expire_secs: b.expire_secs()?,
        email: b.email.trim().to_owned(),
        actor_id: b.actor_id.clone(),
    };
    let (link, mailed) = admin_links::generate(&s.db, &ctx, &s.settings.public_url, &req).await?;
    if mailed {
        s.outbox.notify(ctx.scope());
    }
    Ok(Json(AdminLinkResponse { admin_sso_configuration_link: link }))
}

/// POST /v1/mgmt/tenant/adminlinks/sso/revoke
/// Voids the live links of the tenant (of one SSO ID when given).
async fn admin_link_revoke(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<AdminLinkBody>,
) -> ApiResult<Json<Empty>> {
    admin_links::revoke(&s.db, &ctx, &b.tenant_id, b.sso_id.as_deref()).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/tenant/adminlinks/sso/send
/// Mails the tenant's live link (a new one when there is none) to `email`.
async fn admin_link_send(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<AdminLinkBody>,
) -> ApiResult<Json<Empty>> {
    admin_links::send(&s.db, &ctx, &s.settings.public_url, &b.tenant_id, b.sso_id(), b.email.trim()).await?;
    s.outbox.notify(ctx.scope());
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/tenant/adminlinks/sso/authenticated
/// The tenant's live link (a new one when there is none).
async fn admin_link_authenticated(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<AdminLinkBody>,
) -> ApiResult<Json<AdminLinkResponse>> {
    let link = admin_links::authenticated(&s.db, &ctx, &s.settings.public_url, &b.tenant_id, b.sso_id()).await?;
    Ok(Json(AdminLinkResponse { admin_sso_configuration_link: link }))
}
