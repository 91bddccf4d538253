//! Tenants: create, update, patch, delete (with cascade), load, search, default roles and the
//! tenant session settings.
//!
//! The tenant row keeps its name, self-provisioning domains and custom attributes in columns;
//! everything else Descope keeps on a tenant ([`TenantExtras`]: enforce-SSO, disabled, parent,
//! default roles, auth type, domains, session settings) lives in the `settings` JSON column.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::crypto;
use crate::domain::{audit, Ctx};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids::{Scope, TenantId};
use crate::store::Db;
use crate::store::{self, tenants::TenantRow, Conn};

/// The `settings` column of a tenant.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct TenantExtras {
    #[serde(flatten)]
    pub policy: TenantPolicy,
    /// `none` until SSO is configured.
    pub auth_type: String,
    pub domains: Vec<String>,
    pub session: SessionSettings,
    /// The tenant's own password policy (`/v1/mgmt/password/settings` with a `tenantId`);
    /// absent until one is set, and then the project's applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<crate::domain::authn::password::PasswordSettings>,
}

/// The tenant settings that both the `settings` column and the tenant object keep flat, in
/// this order: SSO enforcement, disabling, the parent and role inheritance, federated apps and
/// default roles. Flattened (`#[serde(flatten)]`) into [`TenantExtras`] and `dto::tenant::Tenant`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct TenantPolicy {
    #[serde(rename = "enforceSSO")]
    pub enforce_sso: bool,
    #[serde(rename = "enforceSSOExclusions")]
    pub enforce_sso_exclusions: Vec<String>,
    pub disabled: bool,
    pub parent: String,
    pub role_inheritance: String,
    pub federated_app_ids: Vec<String>,
    pub default_roles: Vec<String>,
}

/// A tenant's own session settings (`tenantSessionManagement`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionSettings {
    pub enabled: bool,
    pub refresh_token_expiration: i64,
    pub refresh_token_expiration_unit: String,
    pub session_token_expiration: i64,
    pub session_token_expiration_unit: String,
    pub stepup_token_expiration: i64,
    pub stepup_token_expiration_unit: String,
    pub enable_inactivity: bool,
    pub inactivity_time: i64,
    pub inactivity_time_unit: String,
    #[serde(rename = "JITDisabled")]
    pub jit_disabled: bool,
    pub sso_setup_suite_settings: Map<String, Value>,
}

/// A tenant as the management API shows it.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: String,
    pub name: String,
    pub self_provisioning_domains: Vec<String>,
    pub custom_attributes: Map<String, Value>,
    pub extras: TenantExtras,
    pub created_ms: i64,
}

impl Tenant {
    pub(crate) fn from_row(row: TenantRow) -> Self {
        let mut extras: TenantExtras = store::from_json_text(&row.settings);
        if extras.auth_type.is_empty() {
            extras.auth_type = "none".into();
        }
        Tenant {
            self_provisioning_domains: store::from_json_text(&row.self_provisioning_domains),
            custom_attributes: store::from_json_text(&row.custom_attributes),
            id: row.id,
            name: row.name,
            extras,
            created_ms: row.created_ms,
        }
    }

    pub(crate) fn to_row(&self) -> ApiResult<TenantRow> {
        Ok(TenantRow {
            id: self.id.clone(),
            name: self.name.clone(),
            self_provisioning_domains: store::json_text(&self.self_provisioning_domains)?,
            custom_attributes: store::json_text(&self.custom_attributes)?,
            settings: store::json_text(&self.extras)?,
            created_ms: self.created_ms,
        })
    }
}

/// The body of create and update (`/v1/mgmt/tenant/create|update`).
#[derive(Debug, Clone, Default)]
pub struct TenantInput {
    /// Empty: generate one (create) / missing (update).
    pub id: String,
    pub name: String,
    pub self_provisioning_domains: Vec<String>,
    pub custom_attributes: Map<String, Value>,
    pub enforce_sso: bool,
    pub enforce_sso_exclusions: Vec<String>,
    pub disabled: bool,
    /// Create only.
    pub parent: String,
    pub role_inheritance: String,
    pub federated_app_ids: Vec<String>,
}

/// The body of `PATCH /v1/mgmt/tenant/patch` (read as sent): only given fields change.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TenantPatch {
    pub id: String,
    pub name: Option<String>,
    pub self_provisioning_domains: Option<Vec<String>>,
    pub custom_attributes: Option<Map<String, Value>>,
    #[serde(rename = "enforceSSO")]
    pub enforce_sso: Option<bool>,
    #[serde(rename = "enforceSSOExclusions")]
    pub enforce_sso_exclusions: Option<Vec<String>>,
    pub disabled: Option<bool>,
    pub role_inheritance: Option<String>,
    pub federated_app_ids: Option<Vec<String>>,
}

/// The filters of `/v1/mgmt/tenant/search` (read as sent); empty filters match everything.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TenantFilter {
    #[serde(rename = "tenantIds")]
    pub ids: Vec<String>,
    #[serde(rename = "tenantNames")]
    pub names: Vec<String>,
    #[serde(rename = "tenantSelfProvisioningDomains")]
    pub self_provisioning_domains: Vec<String>,
    pub custom_attributes: Map<String, Value>,
    pub auth_type: String,
}

/// The body of `POST /v1/mgmt/tenant/settings`: only given fields change (Go sends them all).
#[derive(Debug, Clone, Default)]
pub struct SettingsPatch {
    pub self_provisioning_domains: Option<Vec<String>>,
    pub domains: Option<Vec<String>>,
    pub auth_type: Option<String>,
    pub enforce_sso: Option<bool>,
    pub enforce_sso_exclusions: Option<Vec<String>>,
    pub federated_app_ids: Option<Vec<String>>,
    /// Session-settings keys as sent (`enabled`, `refreshTokenExpiration`, ...), non-null only.
    pub session: Map<String, Value>,
}

/// A new tenant ID as Descope forms them: `T` and 27 letters and digits.
pub fn new_tenant_id() -> String {
    format!("T{}", crypto::random_alnum(27))
}

pub fn tenant_not_found(id: &str) -> ApiError {
    ApiError::new(ErrorKind::NotFound, format!("Tenant {id} not found"))
}

/// The tenant with this ID, or Descope's not-found error.
pub async fn require(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<Tenant> {
    if id.trim().is_empty() {
        return Err(ApiError::missing("id"));
    }
    store::tenants::get_tenant(conn, scope, &TenantId::from(id))
        .await?
        .map(Tenant::from_row)
        .ok_or_else(|| tenant_not_found(id))
}

/// Refuses a name another tenant has (names are unique per project, case-insensitively).
async fn ensure_name_free(conn: &mut Conn, scope: &Scope, name: &str, own_id: &str) -> ApiResult<()> {
    if name.trim().is_empty() {
        return Err(ApiError::missing("name"));
    }
    match store::tenants::get_tenant_by_name(conn, scope, name).await? {
        Some(t) if t.id != own_id => {
            Err(ApiError::new(ErrorKind::AlreadyExists, format!("Tenant name {name} is already in use")))
        }
        _ => Ok(()),
    }
}

fn check_role_inheritance(v: &str) -> ApiResult<()> {
    if ["", "none", "userOnly"].contains(&v) {
        Ok(())
    } else {
        Err(ApiError::invalid(format!("Invalid roleInheritance: {v}")))
    }
}

/// An audit event about a tenant: in its `tenants`, with `data.tenant_id`.
fn tenant_event(action: &str, id: &str) -> audit::Event {
    let mut e = audit::Event::new(action, "").data("tenant_id", id);
    e.tenants = vec![id.to_owned()];
    e
}

/// `POST /v1/mgmt/tenant/create`: gives the new tenant's ID (the given one, or a new one).
pub async fn create(db: &Db, ctx: &Ctx, input: TenantInput) -> ApiResult<String> {
    check_role_inheritance(&input.role_inheritance)?;
    let id = if input.id.trim().is_empty() { new_tenant_id() } else { input.id.trim().to_owned() };
    let mut tx = store::begin_immediate(db).await?;
    let project = ctx.scope();
    ensure_name_free(&mut tx, project, &input.name, &id).await?;
    if store::tenants::get_tenant(&mut tx, project, &TenantId::from(id.as_str())).await?.is_some() {
        return Err(ApiError::new(ErrorKind::AlreadyExists, format!("Tenant {id} already exists")));
    }
    if !input.parent.is_empty() {
        require(&mut tx, project, &input.parent).await?;
    }
    let tenant = Tenant {
        id: id.clone(),
        name: input.name,
        self_provisioning_domains: input.self_provisioning_domains,
        custom_attributes: input.custom_attributes,
        extras: TenantExtras {
            policy: TenantPolicy {
                enforce_sso: input.enforce_sso,
                enforce_sso_exclusions: input.enforce_sso_exclusions,
                disabled: input.disabled,
                parent: input.parent,
                role_inheritance: input.role_inheritance,
                federated_app_ids: input.federated_app_ids,
                default_roles: Vec::new(),
            },
            auth_type: "none".into(),
            ..TenantExtras::default()
        },
        created_ms: ctx.now.millis(),
    };
    store::tenants::insert_tenant(&mut tx, project, &tenant.to_row()?).await?;
    audit::record(&mut tx, ctx, &tenant_event(audit::TENANT_CREATED, &id)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Applies a change to one tenant in a transaction.
async fn modify(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    change: impl FnOnce(&mut Tenant) -> ApiResult<()>,
) -> ApiResult<()> {
    let mut tx = store::begin_immediate(db).await?;
    let project = ctx.scope();
    let mut tenant = require(&mut tx, project, id).await?;
    change(&mut tenant)?;
    ensure_name_free(&mut tx, project, &tenant.name, &tenant.id).await?;
    store::tenants::update_tenant(&mut tx, project, &tenant.to_row()?).await?;
    audit::record(&mut tx, ctx, &tenant_event(audit::TENANT_MODIFIED, id)).await?;
    tx.commit().await?;
    Ok(())
}

/// `POST /v1/mgmt/tenant/update`: every field of the body replaces the tenant's (the parent,
/// default roles and session settings stay).
pub async fn update(db: &Db, ctx: &Ctx, input: TenantInput) -> ApiResult<()> {
    check_role_inheritance(&input.role_inheritance)?;
    let id = input.id.clone();
    modify(db, ctx, &id, |t| {
        t.name = input.name;
        t.self_provisioning_domains = input.self_provisioning_domains;
        t.custom_attributes = input.custom_attributes;
        t.extras.policy.enforce_sso = input.enforce_sso;
        t.extras.policy.enforce_sso_exclusions = input.enforce_sso_exclusions;
        t.extras.policy.disabled = input.disabled;
        t.extras.policy.role_inheritance = input.role_inheritance;
        t.extras.policy.federated_app_ids = input.federated_app_ids;
        Ok(())
    })
    .await
}

/// `PATCH /v1/mgmt/tenant/patch`: only the given fields change.
pub async fn patch(db: &Db, ctx: &Ctx, p: TenantPatch) -> ApiResult<()> {
    if let Some(r) = &p.role_inheritance {
        check_role_inheritance(r)?;
    }
    let id = p.id.clone();
    modify(db, ctx, &id, |t| {
        if let Some(v) = p.name {
            t.name = v;
        }
        if let Some(v) = p.self_provisioning_domains {
            t.self_provisioning_domains = v;
        }
        if let Some(v) = p.custom_attributes {
            t.custom_attributes = v;
        }
        if let Some(v) = p.enforce_sso {
            t.extras.policy.enforce_sso = v;
        }
        if let Some(v) = p.enforce_sso_exclusions {
            t.extras.policy.enforce_sso_exclusions = v;
        }
        if let Some(v) = p.disabled {
            t.extras.policy.disabled = v;
        }
        if let Some(v) = p.role_inheritance {
            t.extras.policy.role_inheritance = v;
        }
        if let Some(v) = p.federated_app_ids {
            t.extras.policy.federated_app_ids = v;
        }
        Ok(())
    })
    .await
}

/// `POST /v1/mgmt/tenant/delete`: removes the tenant, its roles, and its memberships and role
/// grants from its users. With `cascade`, users that belong to this tenant only are deleted
/// too (go-sdk `Delete`: "delete all users/keys associated only with this tenant").
pub async fn delete(db: &Db, ctx: &Ctx, id: &str, cascade: bool) -> ApiResult<()> {
    let mut tx = store::begin_immediate(db).await?;
    let project = ctx.scope();
    require(&mut tx, project, id).await?;
    let only_here = if cascade {
        store::tenants::users_only_in_tenant(&mut tx, project, &TenantId::from(id)).await?
    } else {
        Vec::new()
    };
    store::tenants::delete_tenant(&mut tx, project, &TenantId::from(id)).await?;
    for user_id in only_here {
        crate::domain::identity::users::delete(&mut tx, project, &user_id).await?;
    }
    audit::record(&mut tx, ctx, &tenant_event(audit::TENANT_DELETED, id).data("cascade", cascade)).await?;
    tx.commit().await?;
    Ok(())
}

/// `GET /v1/mgmt/tenant?id=`.
pub async fn load(db: &Db, ctx: &Ctx, id: &str) -> ApiResult<Tenant> {
    let mut conn = db.acquire().await?;
    require(&mut conn, ctx.scope(), id).await
}

/// A tenant's own password policy: `None` when it has none, or when there is no such tenant
/// (the project's policy then answers, as it did before tenants could have one).
pub async fn password_settings(
    db: &Db,
    ctx: &Ctx,
    id: &str,
) -> ApiResult<Option<crate::domain::authn::password::PasswordSettings>> {
    let mut conn = db.acquire().await?;
    let row = store::tenants::get_tenant(&mut conn, ctx.scope(), &TenantId::from(id)).await?;
    Ok(row.and_then(|r| Tenant::from_row(r).extras.password))
}

/// Stores a tenant's own password policy (the project's is unchanged).
pub async fn set_password_settings(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    settings: crate::domain::authn::password::PasswordSettings,
) -> ApiResult<()> {
    modify(db, ctx, id, |t| {
        t.extras.password = Some(settings);
        Ok(())
    })
    .await
}

/// `GET /v1/mgmt/tenant/all`.
pub async fn list(db: &Db, ctx: &Ctx) -> ApiResult<Vec<Tenant>> {
    let mut conn = db.acquire().await?;
    Ok(store::tenants::list_tenants(&mut conn, ctx.scope())
        .await?
        .into_iter()
        .map(Tenant::from_row)
        .collect())
}

/// A search value matches an attribute when equal, or (for an array) when it holds it.
fn attribute_matches(have: Option<&Value>, want: &Value) -> bool {
    match (have, want) {
        (Some(h), Value::Array(options)) => options.contains(h) || h == want,
        (Some(h), w) => h == w,
        (None, _) => false,
    }
}

impl TenantFilter {
    fn matches(&self, t: &Tenant) -> bool {
        (self.ids.is_empty() || self.ids.contains(&t.id))
            && (self.names.is_empty() || self.names.iter().any(|n| n.eq_ignore_ascii_case(&t.name)))
            && (self.self_provisioning_domains.is_empty()
                || self.self_provisioning_domains.iter().any(|d| t.self_provisioning_domains.contains(d)))
            && self.custom_attributes.iter().all(|(k, v)| attribute_matches(t.custom_attributes.get(k), v))
            && (self.auth_type.is_empty() || self.auth_type == t.extras.auth_type)
    }
}

/// `POST /v1/mgmt/tenant/search`.
pub async fn search(db: &Db, ctx: &Ctx, filter: &TenantFilter) -> ApiResult<Vec<Tenant>> {
    Ok(list(db, ctx).await?.into_iter().filter(|t| filter.matches(t)).collect())
}

/// `POST /v1/mgmt/tenant/updateDefaultRoles`: the project roles new users of this tenant get.
pub async fn update_default_roles(db: &Db, ctx: &Ctx, id: &str, roles: Vec<String>) -> ApiResult<()> {
    let known: Vec<(String, String)> = {
        let mut conn = db.acquire().await?;
        store::tenants::list_roles(&mut conn, ctx.scope())
            .await?
            .into_iter()
            .map(|r| (r.tenant_id, r.name))
            .collect()
    };
    for r in &roles {
        if !known.iter().any(|(t, n)| n == r && (t.is_empty() || t == id)) {
            return Err(ApiError::invalid(format!("Role {r} does not exist")));
        }
    }
    modify(db, ctx, id, |t| {
        t.extras.policy.default_roles = roles;
        Ok(())
    })
    .await
}

/// `GET /v1/mgmt/tenant/settings?id=`.
pub async fn load_settings(db: &Db, ctx: &Ctx, id: &str) -> ApiResult<Tenant> {
    load(db, ctx, id).await
}

/// `POST /v1/mgmt/tenant/settings`: merges the given settings into the tenant's.
pub async fn configure_settings(db: &Db, ctx: &Ctx, id: &str, p: SettingsPatch) -> ApiResult<()> {
    if let Some(a) = &p.auth_type {
        if !["", "none", "saml", "oidc"].contains(&a.as_str()) {
            return Err(ApiError::invalid(format!("Invalid authType: {a}")));
        }
    }
    modify(db, ctx, id, |t| {
        if let Some(v) = p.self_provisioning_domains {
            t.self_provisioning_domains = v;
        }
        if let Some(v) = p.domains {
            t.extras.domains = v;
        }
        if let Some(v) = p.auth_type.filter(|a| !a.is_empty()) {
            t.extras.auth_type = v;
        }
        if let Some(v) = p.enforce_sso {
            t.extras.policy.enforce_sso = v;
        }
        if let Some(v) = p.enforce_sso_exclusions {
            t.extras.policy.enforce_sso_exclusions = v;
        }
        if let Some(v) = p.federated_app_ids {
            t.extras.policy.federated_app_ids = v;
        }
        let mut session = serde_json::to_value(&t.extras.session).map_err(ApiError::internal)?;
        if let Some(obj) = session.as_object_mut() {
            for (k, v) in p.session {
                if obj.contains_key(&k) && !v.is_null() {
                    obj.insert(k, v);
                }
            }
        }
        t.extras.session = serde_json::from_value(session)
            .map_err(|e| ApiError::invalid(format!("Invalid session settings: {e}")))?;
        Ok(())
    })
    .await
}
