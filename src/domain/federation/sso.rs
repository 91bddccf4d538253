//! Tenant SSO configurations (`ssoManagement` and the legacy `/v1/mgmt/sso/*` paths): the SAML
//! and OIDC settings of a tenant's identity provider, the attribute mapping (IdP attribute or
//! claim name per user field) and the groups-to-roles mapping that sign-in applies.
//!
//! A tenant has a default configuration (SSO ID `""`, also named by the alias
//! `default_ssoid`) and any number of named ones (`/v1/mgmt/sso/settings/new`). The default
//! configuration's auth type (`none`, `saml`, `oidc`) and SSO domains are the tenant's own
//! (`authType`, `domains` of the tenant object), so the tenant API and this one agree; a named
//! configuration keeps its own. A tenant without a stored row has the default configuration
//! with Descope's defaults.
//!
//! The IdP URLs are stored and shown, never contacted: sign-in goes through the emulator's own
//! fake IdP whatever they say.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::domain::identity::scim;
use crate::domain::identity::tenants::{self, Tenant};
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids::Scope;
use crate::store::{self, sso::SsoRow, Conn, Db};

/// The alias some Descope calls use for the default configuration (the groups API).
pub const DEFAULT_SSO_ID_ALIAS: &str = "default_ssoid";

/// The stored SSO ID of a requested one: the default configuration is `""`.
pub fn normalize_sso_id(sso_id: &str) -> &str {
    let s = sso_id.trim();
    if s == DEFAULT_SSO_ID_ALIAS {
        ""
    } else {
        s
    }
}

/// SAML attribute mapping (Descope's `UserMapping`): the IdP attribute name per user field.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct UserMapping {
    pub name: String,
    pub email: String,
    pub username: String,
    pub phone_number: String,
    pub group: String,
    pub given_name: String,
    pub middle_name: String,
    pub family_name: String,
    pub picture: String,
    pub verified_email: String,
    pub verified_phone: String,
    pub custom_attributes: Map<String, Value>,
}

impl UserMapping {
    /// Descope's SAML defaults: `name`, `email`, `phone`.
    pub fn saml_default() -> Self {
        UserMapping {
            name: "name".into(),
            email: "email".into(),
            phone_number: "phone".into(),
            ..UserMapping::default()
        }
    }
}

/// OIDC claim mapping (`userAttrMapping`): the claim name per user field.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct OidcMapping {
    pub login_id: String,
    pub username: String,
    pub name: String,
    pub email: String,
    pub phone_number: String,
    pub verified_email: String,
    pub verified_phone: String,
    pub picture: String,
    pub given_name: String,
    pub middle_name: String,
    pub family_name: String,
    pub group: String,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub custom_attributes: Map<String, Value>,
}

impl OidcMapping {
    /// Descope's OIDC defaults (the standard claims).
    pub fn oidc_default() -> Self {
        OidcMapping {
            login_id: "sub".into(),
            name: "name".into(),
            email: "email".into(),
            phone_number: "phone_number".into(),
            verified_email: "email_verified".into(),
            verified_phone: "phone_number_verified".into(),
            picture: "picture".into(),
            given_name: "given_name".into(),
            middle_name: "middle_name".into(),
            family_name: "family_name".into(),
            ..OidcMapping::default()
        }
    }
}

/// One groups-to-role rule: users asserting any of `groups` get `role_name` in the tenant.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct GroupMapping {
    pub role_name: String,
    pub groups: Vec<String>,
}

/// A configuration's SAML settings as stored.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct SamlConfig {
    pub idp_entity_id: String,
    pub idp_sso_url: String,
    pub idp_certificate: String,
    pub idp_additional_certificates: Vec<String>,
    pub idp_metadata_url: String,
    /// Overrides of the generated SP values ("SSO migration"); empty = generated.
    pub sp_entity_id: String,
    pub sp_acs_url: String,
    pub attribute_mapping: UserMapping,
    pub groups_mapping: Vec<GroupMapping>,
    pub default_sso_roles: Vec<String>,
    pub groups_priority: Vec<String>,
    pub fga_mappings: Map<String, Value>,
    pub config_fga_tenant_id_resource_prefix: String,
    pub config_fga_tenant_id_resource_suffix: String,
    pub subject_name_id_format: String,
    pub redirect_url: String,
    pub provider_id: String,
    pub scim_provider_id: String,
}

impl Default for SamlConfig {
    fn default() -> Self {
        SamlConfig {
            idp_entity_id: String::new(),
            idp_sso_url: String::new(),
            idp_certificate: String::new(),
            idp_additional_certificates: Vec::new(),
            idp_metadata_url: String::new(),
            sp_entity_id: String::new(),
            sp_acs_url: String::new(),
            attribute_mapping: UserMapping::saml_default(),
            groups_mapping: Vec::new(),
            default_sso_roles: Vec::new(),
            groups_priority: Vec::new(),
            fga_mappings: Map::new(),
            config_fga_tenant_id_resource_prefix: String::new(),
            config_fga_tenant_id_resource_suffix: String::new(),
            subject_name_id_format: String::new(),
            redirect_url: String::new(),
            provider_id: String::new(),
            scim_provider_id: String::new(),
        }
    }
}

/// The default OAuth grant type of an OIDC configuration.
pub const DEFAULT_GRANT_TYPE: &str = "authorization_code";

/// A configuration's OIDC settings as stored (the client secret is kept, never shown).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct OidcConfig {
    pub name: String,
    pub client_id: String,
    pub client_secret: String,
    pub redirect_url: String,
    pub auth_url: String,
    pub token_url: String,
    pub user_data_url: String,
    pub scope: Vec<String>,
    #[serde(rename = "JWKsUrl")]
    pub jwks_url: String,
    pub user_attr_mapping: OidcMapping,
    pub manage_provider_tokens: bool,
    pub callback_domain: String,
    pub prompt: Vec<String>,
    pub grant_type: String,
    pub issuer: String,
    pub groups_mapping: Vec<GroupMapping>,
    pub default_sso_roles: Vec<String>,
    pub groups_priority: Vec<String>,
    pub fga_mappings: Map<String, Value>,
    pub provider_id: String,
    pub scim_provider_id: String,
}

impl Default for OidcConfig {
    fn default() -> Self {
        OidcConfig {
            name: String::new(),
            client_id: String::new(),
            client_secret: String::new(),
            redirect_url: String::new(),
            auth_url: String::new(),
            token_url: String::new(),
            user_data_url: String::new(),
            scope: Vec::new(),
            jwks_url: String::new(),
            user_attr_mapping: OidcMapping::oidc_default(),
            manage_provider_tokens: false,
            callback_domain: String::new(),
            prompt: Vec::new(),
            grant_type: DEFAULT_GRANT_TYPE.into(),
            issuer: String::new(),
            groups_mapping: Vec::new(),
            default_sso_roles: Vec::new(),
            groups_priority: Vec::new(),
            fga_mappings: Map::new(),
            provider_id: String::new(),
            scim_provider_id: String::new(),
        }
    }
}

/// The `config` column of a configuration.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct SsoConfig {
    /// Named configurations only (the default one's is the tenant's).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub auth_type: String,
    /// Named configurations only (the default one's are the tenant's).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub domains: Vec<String>,
    pub saml: SamlConfig,
    pub oidc: OidcConfig,
}

/// A role a groups mapping names, with its ID (`""` once the role is deleted).
#[derive(Debug, Clone, PartialEq)]
pub struct MappedRole {
    pub id: String,
    pub name: String,
    pub groups: Vec<String>,
}

/// A configuration as the API shows it: stored settings plus what the emulator derives.
#[derive(Debug, Clone)]
pub struct SsoView {
    pub tenant: Tenant,
    /// `""` for the default configuration.
    pub sso_id: String,
    pub display_name: String,
    /// `none`, `saml` or `oidc`.
    pub auth_type: String,
    pub domains: Vec<String>,
    pub config: SsoConfig,
    pub sp_entity_id: String,
    pub sp_acs_url: String,
    pub saml_groups: Vec<MappedRole>,
    pub oidc_groups: Vec<MappedRole>,
}

/// A configuration being changed: its settings and, for the default one, the tenant's auth
/// type and domains.
#[derive(Debug, Clone)]
pub struct Editing {
    pub config: SsoConfig,
    pub auth_type: String,
    pub domains: Vec<String>,
}

/// The roles a mapping may name: the project's and the tenant's own, `(tenant, name, id)`.
pub struct KnownRoles(Vec<(String, String, String)>);

impl KnownRoles {
    async fn load(conn: &mut Conn, scope: &Scope) -> ApiResult<Self> {
        Ok(KnownRoles(
            store::tenants::list_role_records(conn, scope)
                .await?
                .into_iter()
                .map(|r| (r.row.tenant_id, r.row.name, r.id))
                .collect(),
        ))
    }

    /// The ID of a role by name, the tenant's own before the project's.
    pub fn id_of(&self, tenant_id: &str, name: &str) -> Option<&str> {
        let find =
            |t: &str| self.0.iter().find(|(rt, rn, _)| rt == t && rn == name).map(|(_, _, id)| id.as_str());
        find(tenant_id).or_else(|| find(""))
    }

    fn check(&self, tenant_id: &str, names: &[String]) -> ApiResult<()> {
        for n in names {
            if self.id_of(tenant_id, n).is_none() {
                return Err(ApiError::invalid(format!("Role {n} does not exist")));
            }
        }
        Ok(())
    }

    fn resolve(&self, tenant_id: &str, mappings: &[GroupMapping]) -> Vec<MappedRole> {
        mappings
            .iter()
            .map(|m| MappedRole {
                id: self.id_of(tenant_id, &m.role_name).unwrap_or_default().to_owned(),
                name: m.role_name.clone(),
                groups: m.groups.clone(),
            })
            .collect()
    }
}

/// Checks a URL setting: empty, or an absolute http(s) URL.
pub fn check_url(field: &str, value: &str) -> ApiResult<()> {
    if value.is_empty() {
        return Ok(());
    }
    match url::Url::parse(value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty()) => {
            Ok(())
        }
        _ => Err(ApiError::invalid(format!("Invalid {field}: {value} is not an http(s) URL"))),
    }
}

/// Checks a certificate setting. Descope accepts free text here (its own end-to-end tests
/// store `"my certificate"`), so only text in PEM armour is checked: it must be a complete
/// `CERTIFICATE` block whose body is base64 of a DER sequence.
pub fn check_certificate(field: &str, value: &str) -> ApiResult<()> {
    use base64::Engine;
    if !value.contains("-----BEGIN") {
        return Ok(());
    }
    let bad = || ApiError::invalid(format!("Invalid {field}: not a PEM certificate"));
    let begin = "-----BEGIN CERTIFICATE-----";
    let end = "-----END CERTIFICATE-----";
    let start = value.find(begin).ok_or_else(bad)? + begin.len();
    let stop = value[start..].find(end).ok_or_else(bad)? + start;
    let body: String = value[start..stop].chars().filter(|c| !c.is_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD.decode(body).map_err(|_| bad())?;
    if der.len() < 16 || der[0] != 0x30 {
        return Err(bad());
    }
    Ok(())
}

/// SSO domains as stored: trimmed, lower case, no empties, no repeats.
fn clean_domains(domains: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for d in domains {
        let d = d.trim().to_ascii_lowercase();
        if !d.is_empty() && !out.contains(&d) {
            out.push(d);
        }
    }
    out
}

fn sso_not_found(tenant_id: &str, sso_id: &str) -> ApiError {
    ApiError::new(ErrorKind::NotFound, format!("SSO configuration {sso_id} of tenant {tenant_id} not found"))
}

async fn require_tenant(conn: &mut Conn, scope: &Scope, tenant_id: &str) -> ApiResult<Tenant> {
    if tenant_id.trim().is_empty() {
        return Err(ApiError::missing("tenantId"));
    }
    tenants::require(conn, scope, tenant_id.trim()).await
}

/// The stored row of a configuration: the default one may have none yet, a named one must.
async fn row_of(conn: &mut Conn, scope: &Scope, tenant_id: &str, sso_id: &str) -> ApiResult<Option<SsoRow>> {
    let row = store::sso::get(conn, scope, tenant_id, sso_id).await?;
    if row.is_none() && !sso_id.is_empty() {
        return Err(sso_not_found(tenant_id, sso_id));
    }
    Ok(row)
}

fn view(ctx: &Ctx, tenant: &Tenant, row: Option<SsoRow>, roles: &KnownRoles) -> SsoView {
    let (sso_id, display_name, config) = match row {
        Some(r) => (r.sso_id, r.display_name, store::from_json_text::<SsoConfig>(&r.config)),
        None => (String::new(), String::new(), SsoConfig::default()),
    };
    let (auth_type, domains) = if sso_id.is_empty() {
        (tenant.extras.auth_type.clone(), tenant.extras.domains.clone())
    } else {
        let a = if config.auth_type.is_empty() { "none".to_owned() } else { config.auth_type.clone() };
        (a, config.domains.clone())
    };
    let project = ctx.project_id().as_str();
    let sp_entity_id = if !config.saml.sp_entity_id.is_empty() {
        config.saml.sp_entity_id.clone()
    } else if sso_id.is_empty() {
        format!("{project}-{}", tenant.id)
    } else {
        format!("{project}-{}-{sso_id}", tenant.id)
    };
    let sp_acs_url = if !config.saml.sp_acs_url.is_empty() {
        config.saml.sp_acs_url.clone()
    } else {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("projectId", project).append_pair("tenantId", &tenant.id);
        if !sso_id.is_empty() {
            q.append_pair("ssoId", &sso_id);
        }
        format!("{}/v1/auth/saml/acs?{}", ctx.project.public_url, q.finish())
    };
    SsoView {
        saml_groups: roles.resolve(&tenant.id, &config.saml.groups_mapping),
        oidc_groups: roles.resolve(&tenant.id, &config.oidc.groups_mapping),
        tenant: tenant.clone(),
        sso_id,
        display_name,
        auth_type,
        domains,
        config,
        sp_entity_id,
        sp_acs_url,
    }
}

/// `GET /v2/mgmt/sso/settings` (and the legacy v1 GET): one configuration of a tenant.
pub async fn load(db: &Db, ctx: &Ctx, tenant_id: &str, sso_id: &str) -> ApiResult<SsoView> {
    let mut conn = db.acquire().await?;
    load_in(&mut conn, ctx, tenant_id, sso_id).await
}

/// [`load`] on a connection the caller holds.
pub async fn load_in(conn: &mut Conn, ctx: &Ctx, tenant_id: &str, sso_id: &str) -> ApiResult<SsoView> {
    let scope = ctx.scope();
    let tenant = require_tenant(conn, scope, tenant_id).await?;
    let sso_id = normalize_sso_id(sso_id);
    let row = row_of(conn, scope, &tenant.id, sso_id).await?;
    let roles = KnownRoles::load(conn, scope).await?;
    Ok(view(ctx, &tenant, row, &roles))
}

/// `GET /v2/mgmt/sso/settings/all`: the default configuration, then the named ones.
pub async fn load_all(db: &Db, ctx: &Ctx, tenant_id: &str) -> ApiResult<Vec<SsoView>> {
    let mut conn = db.acquire().await?;
    let scope = ctx.scope();
    let tenant = require_tenant(&mut conn, scope, tenant_id).await?;
    let roles = KnownRoles::load(&mut conn, scope).await?;
    let rows = store::sso::list_of_tenant(&mut conn, scope, &tenant.id).await?;
    let mut out = Vec::new();
    if !rows.iter().any(|r| r.sso_id.is_empty()) {
        out.push(view(ctx, &tenant, None, &roles));
    }
    out.extend(rows.into_iter().map(|r| view(ctx, &tenant, Some(r), &roles)));
    Ok(out)
}

/// Every configuration of the project with its tenant (sign-in routing by email domain).
pub async fn all_in(conn: &mut Conn, ctx: &Ctx) -> ApiResult<Vec<SsoView>> {
    let scope = ctx.scope();
    let roles = KnownRoles::load(conn, scope).await?;
    let mut out = Vec::new();
    for t in store::tenants::list_tenants(conn, scope).await?.into_iter().map(Tenant::from_row) {
        let rows = store::sso::list_of_tenant(conn, scope, &t.id).await?;
        if !rows.iter().any(|r| r.sso_id.is_empty()) {
            out.push(view(ctx, &t, None, &roles));
        }
        out.extend(rows.into_iter().map(|r| view(ctx, &t, Some(r), &roles)));
    }
    Ok(out)
}

/// `POST /v1/mgmt/sso/settings/new`: a new named configuration (the given SSO ID or a new one).
pub async fn create_named(
    db: &Db,
    ctx: &Ctx,
    tenant_id: &str,
    sso_id: &str,
    display_name: &str,
) -> ApiResult<SsoView> {
    let mut tx = store::begin_immediate(db).await?;
    let scope = ctx.scope();
    let tenant = require_tenant(&mut tx, scope, tenant_id).await?;
    let sso_id = match normalize_sso_id(sso_id) {
        "" => format!("SSO{}", crate::crypto::random_alnum(24)),
        s => s.to_owned(),
    };
    if store::sso::get(&mut tx, scope, &tenant.id, &sso_id).await?.is_some() {
        return Err(ApiError::new(
            ErrorKind::AlreadyExists,
            format!("SSO configuration {sso_id} already exists"),
        ));
    }
    let row = SsoRow {
        tenant_id: tenant.id.clone(),
        sso_id: sso_id.clone(),
        display_name: display_name.trim().to_owned(),
        config: store::json_text(&SsoConfig { auth_type: "none".into(), ..SsoConfig::default() })?,
        created_ms: ctx.now.millis(),
    };
    store::sso::upsert(&mut tx, scope, &row).await?;
    let v = load_in(&mut tx, ctx, &tenant.id, &sso_id).await?;
    tx.commit().await?;
    Ok(v)
}

/// `DELETE /v1/mgmt/sso/settings`: removes a named configuration, or resets the default one
/// (settings to their defaults, auth type `none`, no SSO domains).
pub async fn delete(db: &Db, ctx: &Ctx, tenant_id: &str, sso_id: &str) -> ApiResult<()> {
    let mut tx = store::begin_immediate(db).await?;
    let scope = ctx.scope();
    let mut tenant = require_tenant(&mut tx, scope, tenant_id).await?;
    let sso_id = normalize_sso_id(sso_id);
    let existed = store::sso::delete(&mut tx, scope, &tenant.id, sso_id).await?;
    if sso_id.is_empty() {
        tenant.extras.auth_type = "none".into();
        tenant.extras.domains = Vec::new();
        store::tenants::update_tenant(&mut tx, scope, &tenant.to_row()?).await?;
        // SCIM groups map to roles through the default configuration.
        scim::recompute_tenant(&mut tx, ctx, &tenant.id).await?;
    } else if !existed {
        return Err(sso_not_found(&tenant.id, sso_id));
    }
    tx.commit().await?;
    Ok(())
}

/// Applies a change to one configuration of a tenant in a transaction: `change` gets the
/// configuration and the roles a mapping may name.
pub async fn modify(
    db: &Db,
    ctx: &Ctx,
    tenant_id: &str,
    sso_id: &str,
    change: impl FnOnce(&mut Editing, &KnownRoles, &str) -> ApiResult<()>,
) -> ApiResult<()> {
    let mut tx = store::begin_immediate(db).await?;
    let scope = ctx.scope();
    let mut tenant = require_tenant(&mut tx, scope, tenant_id).await?;
    let sso_id = normalize_sso_id(sso_id);
    let row = row_of(&mut tx, scope, &tenant.id, sso_id).await?;
    let roles = KnownRoles::load(&mut tx, scope).await?;
    let (display_name, created_ms, config) = match &row {
        Some(r) => (r.display_name.clone(), r.created_ms, store::from_json_text::<SsoConfig>(&r.config)),
        None => (String::new(), ctx.now.millis(), SsoConfig::default()),
    };
    let mut editing = if sso_id.is_empty() {
        Editing { auth_type: tenant.extras.auth_type.clone(), domains: tenant.extras.domains.clone(), config }
    } else {
        Editing { auth_type: config.auth_type.clone(), domains: config.domains.clone(), config }
    };
    change(&mut editing, &roles, &tenant.id)?;
    let Editing { mut config, auth_type, domains } = editing;
    let domains = clean_domains(domains);
    if sso_id.is_empty() {
        config.auth_type = String::new();
        config.domains = Vec::new();
        tenant.extras.auth_type = if auth_type.is_empty() { "none".into() } else { auth_type };
        tenant.extras.domains = domains;
        store::tenants::update_tenant(&mut tx, scope, &tenant.to_row()?).await?;
    } else {
        config.auth_type = auth_type;
        config.domains = domains;
    }
    let row = SsoRow {
        tenant_id: tenant.id.clone(),
        sso_id: sso_id.to_owned(),
        display_name,
        config: store::json_text(&config)?,
        created_ms,
    };
    store::sso::upsert(&mut tx, scope, &row).await?;
    if sso_id.is_empty() {
        // SCIM groups map to roles through the default configuration.
        scim::recompute_tenant(&mut tx, ctx, &tenant.id).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Role mappings as requested (`[{groups, roleName}]`), checked against the known roles.
pub fn role_mappings(
    roles: &KnownRoles,
    tenant_id: &str,
    requested: Vec<(Vec<String>, String)>,
) -> ApiResult<Vec<GroupMapping>> {
    let mut out = Vec::new();
    for (groups, role_name) in requested {
        let role_name = role_name.trim().to_owned();
        if role_name.is_empty() {
            return Err(ApiError::missing("roleMappings.roleName"));
        }
        roles.check(tenant_id, std::slice::from_ref(&role_name))?;
        out.push(GroupMapping { role_name, groups: groups.into_iter().filter(|g| !g.is_empty()).collect() });
    }
    Ok(out)
}

/// The default SSO roles of a request: absent or `[]` keeps the stored ones, unless
/// `replace` is set; names are checked.
pub fn default_roles(
    roles: &KnownRoles,
    tenant_id: &str,
    stored: &mut Vec<String>,
    requested: Option<Vec<String>>,
    replace: bool,
) -> ApiResult<()> {
    match requested {
        Some(r) if !r.is_empty() => {
            roles.check(tenant_id, &r)?;
            *stored = r;
        }
        _ if replace => stored.clear(),
        _ => {}
    }
    Ok(())
}

/// The roles an SSO user gets from the groups the IdP asserted: every mapping whose groups
/// meet them, in mapping order; none matched → the default SSO roles.
pub fn roles_for_groups(mappings: &[MappedRole], default_roles: &[String], groups: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in mappings {
        if m.groups.iter().any(|g| groups.contains(g)) && !out.contains(&m.name) {
            out.push(m.name.clone());
        }
    }
    if out.is_empty() {
        out = default_roles.to_vec();
    }
    out
}

impl SsoView {
    /// The groups mapping and default SSO roles of the configuration's protocol.
    pub fn mapping(&self) -> (&[MappedRole], &[String]) {
        if self.auth_type == "oidc" {
            (&self.oidc_groups, &self.config.oidc.default_sso_roles)
        } else {
            (&self.saml_groups, &self.config.saml.default_sso_roles)
        }
    }

    /// Whether the configuration is set up for sign-in (SAML or OIDC).
    pub fn is_configured(&self) -> bool {
        matches!(self.auth_type.as_str(), "saml" | "oidc")
    }
}

// --- configuring

/// One `{groups, roleName}` of a request's `roleMappings`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RoleMappingInput {
    pub groups: Vec<String>,
    pub role_name: String,
}

fn requested_mappings(m: Vec<RoleMappingInput>) -> Vec<(Vec<String>, String)> {
    m.into_iter().map(|r| (r.groups, r.role_name)).collect()
}

/// The `settings` of `/v1/mgmt/sso/saml` and `/saml/metadata` (read as sent; `null` = not
/// given). The SP signing and encryption keys, `disableSignRequest` and `usePkce` are accepted
/// and ignored.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SamlInput {
    pub idp_url: Option<String>,
    pub entity_id: Option<String>,
    pub idp_cert: Option<String>,
    pub idp_additional_certs: Option<Vec<String>>,
    pub idp_metadata_url: Option<String>,
    #[serde(rename = "spACSUrl")]
    pub sp_acs_url: Option<String>,
    pub sp_entity_id: Option<String>,
    pub attribute_mapping: Option<UserMapping>,
    pub role_mappings: Option<Vec<RoleMappingInput>>,
    #[serde(rename = "defaultSSORoles")]
    pub default_sso_roles: Option<Vec<String>>,
    #[serde(rename = "replaceDefaultSSORoles")]
    pub replace_default_sso_roles: Option<bool>,
    pub groups_priority: Option<Vec<String>>,
    pub fga_mappings: Option<Map<String, Value>>,
    #[serde(rename = "configFGATenantIDResourcePrefix")]
    pub config_fga_tenant_id_resource_prefix: Option<String>,
    #[serde(rename = "configFGATenantIDResourceSuffix")]
    pub config_fga_tenant_id_resource_suffix: Option<String>,
    pub subject_name_id_format: Option<String>,
}

/// The `settings` of `/v1/mgmt/sso/oidc` (read as sent).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OidcInput {
    pub name: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub redirect_url: Option<String>,
    pub auth_url: Option<String>,
    pub token_url: Option<String>,
    pub user_data_url: Option<String>,
    pub scope: Option<Vec<String>>,
    #[serde(rename = "JWKsUrl")]
    pub jwks_url: Option<String>,
    pub user_attr_mapping: Option<OidcMapping>,
    /// node's name before it renames it (accepted as well).
    pub attribute_mapping: Option<OidcMapping>,
    pub manage_provider_tokens: Option<bool>,
    pub callback_domain: Option<String>,
    pub prompt: Option<Vec<String>>,
    pub grant_type: Option<String>,
    pub issuer: Option<String>,
    pub role_mappings: Option<Vec<RoleMappingInput>>,
    #[serde(rename = "defaultSSORoles")]
    pub default_sso_roles: Option<Vec<String>>,
    #[serde(rename = "replaceDefaultSSORoles")]
    pub replace_default_sso_roles: Option<bool>,
    pub groups_priority: Option<Vec<String>>,
    pub fga_mappings: Option<Map<String, Value>>,
}

/// Which SAML call: manual settings or an IdP metadata URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SamlSource {
    Manual,
    Metadata,
}

impl SamlInput {
    fn check(&self, source: SamlSource) -> ApiResult<()> {
        check_url("idpUrl", self.idp_url.as_deref().unwrap_or_default())?;
        check_url("idpMetadataUrl", self.idp_metadata_url.as_deref().unwrap_or_default())?;
        check_url("spACSUrl", self.sp_acs_url.as_deref().unwrap_or_default())?;
        check_certificate("idpCert", self.idp_cert.as_deref().unwrap_or_default())?;
        for c in self.idp_additional_certs.iter().flatten() {
            check_certificate("idpAdditionalCerts", c)?;
        }
        if source == SamlSource::Metadata && self.idp_metadata_url.as_deref().unwrap_or_default().is_empty() {
            return Err(ApiError::missing("settings.idpMetadataUrl"));
        }
        Ok(())
    }
}

/// `POST /v1/mgmt/sso/saml` and `/saml/metadata`: replaces the configuration's SAML settings
/// and makes it a SAML configuration. A metadata URL is stored, never fetched. `redirect_url`
/// `None` keeps the stored one; `domains` `None` or `[]` clears them.
pub async fn configure_saml(
    db: &Db,
    ctx: &Ctx,
    target: (&str, &str),
    input: SamlInput,
    source: SamlSource,
    redirect_url: Option<String>,
    domains: Option<Vec<String>>,
) -> ApiResult<()> {
    input.check(source)?;
    if let Some(r) = &redirect_url {
        check_url("redirectUrl", r)?;
    }
    modify(db, ctx, target.0, target.1, |e, roles, tenant_id| {
        let s = &mut e.config.saml;
        match source {
            SamlSource::Manual => {
                s.idp_sso_url = input.idp_url.unwrap_or_default();
                s.idp_entity_id = input.entity_id.unwrap_or_default();
                s.idp_certificate = input.idp_cert.unwrap_or_default();
                s.idp_additional_certificates = input.idp_additional_certs.unwrap_or_default();
                s.idp_metadata_url = String::new();
            }
            SamlSource::Metadata => {
                s.idp_metadata_url = input.idp_metadata_url.unwrap_or_default();
                if let Some(id) = input.entity_id.filter(|v| !v.is_empty()) {
                    s.idp_entity_id = id;
                }
            }
        }
        if let Some(v) = input.sp_acs_url {
            s.sp_acs_url = v;
        }
        if let Some(v) = input.sp_entity_id {
            s.sp_entity_id = v;
        }
        if let Some(m) = input.attribute_mapping {
            s.attribute_mapping = m;
        }
        if let Some(m) = input.role_mappings {
            s.groups_mapping = role_mappings(roles, tenant_id, requested_mappings(m))?;
        }
        default_roles(
            roles,
            tenant_id,
            &mut s.default_sso_roles,
            input.default_sso_roles,
            input.replace_default_sso_roles.unwrap_or(false),
        )?;
        if let Some(v) = input.groups_priority {
            s.groups_priority = v;
        }
        if let Some(v) = input.fga_mappings {
            s.fga_mappings = v;
        }
        if let Some(v) = input.config_fga_tenant_id_resource_prefix {
            s.config_fga_tenant_id_resource_prefix = v;
        }
        if let Some(v) = input.config_fga_tenant_id_resource_suffix {
            s.config_fga_tenant_id_resource_suffix = v;
        }
        if let Some(v) = input.subject_name_id_format {
            s.subject_name_id_format = v;
        }
        if let Some(r) = redirect_url {
            s.redirect_url = r;
        }
        e.domains = domains.unwrap_or_default();
        e.auth_type = "saml".into();
        Ok(())
    })
    .await
}

/// `POST /v1/mgmt/sso/oidc`: replaces the configuration's OIDC settings (a secret not given
/// keeps the stored one) and makes it an OIDC configuration.
pub async fn configure_oidc(
    db: &Db,
    ctx: &Ctx,
    target: (&str, &str),
    input: OidcInput,
    domains: Option<Vec<String>>,
) -> ApiResult<()> {
    for (field, v) in [
        ("redirectUrl", &input.redirect_url),
        ("authUrl", &input.auth_url),
        ("tokenUrl", &input.token_url),
        ("userDataUrl", &input.user_data_url),
        ("JWKsUrl", &input.jwks_url),
        ("issuer", &None),
    ] {
        check_url(field, v.as_deref().unwrap_or_default())?;
    }
    if let Some(g) = input.grant_type.as_deref().filter(|g| !g.is_empty()) {
        if !matches!(g, "authorization_code" | "implicit") {
            return Err(ApiError::invalid(format!("Invalid grantType: {g}")));
        }
    }
    modify(db, ctx, target.0, target.1, |e, roles, tenant_id| {
        let o = &mut e.config.oidc;
        let secret = std::mem::take(&mut o.client_secret);
        let kept = OidcConfig {
            groups_mapping: std::mem::take(&mut o.groups_mapping),
            default_sso_roles: std::mem::take(&mut o.default_sso_roles),
            provider_id: std::mem::take(&mut o.provider_id),
            scim_provider_id: std::mem::take(&mut o.scim_provider_id),
            ..OidcConfig::default()
        };
        *o = OidcConfig {
            name: input.name.unwrap_or_default(),
            client_id: input.client_id.unwrap_or_default(),
            client_secret: input.client_secret.filter(|s| !s.is_empty()).unwrap_or(secret),
            redirect_url: input.redirect_url.unwrap_or_default(),
            auth_url: input.auth_url.unwrap_or_default(),
            token_url: input.token_url.unwrap_or_default(),
            user_data_url: input.user_data_url.unwrap_or_default(),
            scope: input.scope.unwrap_or_default(),
            jwks_url: input.jwks_url.unwrap_or_default(),
            user_attr_mapping: input
                .user_attr_mapping
                .or(input.attribute_mapping)
                .unwrap_or_else(OidcMapping::oidc_default),
            manage_provider_tokens: input.manage_provider_tokens.unwrap_or(false),
            callback_domain: input.callback_domain.unwrap_or_default(),
            prompt: input.prompt.unwrap_or_default(),
            grant_type: input
                .grant_type
                .filter(|g| !g.is_empty())
                .unwrap_or_else(|| DEFAULT_GRANT_TYPE.into()),
            issuer: input.issuer.unwrap_or_default(),
            groups_priority: input.groups_priority.unwrap_or_default(),
            fga_mappings: input.fga_mappings.unwrap_or_default(),
            ..kept
        };
        if let Some(m) = input.role_mappings {
            o.groups_mapping = role_mappings(roles, tenant_id, requested_mappings(m))?;
        }
        default_roles(
            roles,
            tenant_id,
            &mut o.default_sso_roles,
            input.default_sso_roles,
            input.replace_default_sso_roles.unwrap_or(false),
        )?;
        e.domains = domains.unwrap_or_default();
        e.auth_type = "oidc".into();
        Ok(())
    })
    .await
}

/// `POST /v1/mgmt/sso/redirect`: the redirect URLs after SAML and OIDC sign-in; a URL not
/// given keeps the stored one.
pub async fn configure_redirect(
    db: &Db,
    ctx: &Ctx,
    target: (&str, &str),
    saml: Option<String>,
    oidc: Option<String>,
) -> ApiResult<()> {
    check_url("samlRedirectUrl", saml.as_deref().unwrap_or_default())?;
    check_url("oauthRedirectUrl", oidc.as_deref().unwrap_or_default())?;
    modify(db, ctx, target.0, target.1, |e, _, _| {
        if let Some(v) = saml {
            e.config.saml.redirect_url = v;
        }
        if let Some(v) = oidc {
            e.config.oidc.redirect_url = v;
        }
        Ok(())
    })
    .await
}

/// The body of `POST /v1/mgmt/sso/provider-ids` (internal): the IDs Descope's console gives
/// the SAML/OIDC (and SCIM) providers of a configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProviderIds {
    pub saml_provider_id: Option<String>,
    pub saml_scim_provider_id: Option<String>,
    pub oidc_provider_id: Option<String>,
    pub oidc_scim_provider_id: Option<String>,
}

/// `POST /v1/mgmt/sso/provider-ids`: stores the given provider IDs (shown as `providerID`,
/// `scimProviderID`).
pub async fn set_provider_ids(db: &Db, ctx: &Ctx, target: (&str, &str), ids: ProviderIds) -> ApiResult<()> {
    modify(db, ctx, target.0, target.1, |e, _, _| {
        let (s, o) = (&mut e.config.saml, &mut e.config.oidc);
        for (slot, v) in [
            (&mut s.provider_id, ids.saml_provider_id),
            (&mut s.scim_provider_id, ids.saml_scim_provider_id),
            (&mut o.provider_id, ids.oidc_provider_id),
            (&mut o.scim_provider_id, ids.oidc_scim_provider_id),
        ] {
            if let Some(v) = v {
                *slot = v;
            }
        }
        Ok(())
    })
    .await
}

/// Legacy `POST /v1/mgmt/sso/settings` and `/v1/mgmt/sso/metadata` (default configuration):
/// SAML by hand (`idp`: URL, entity ID, certificate) or by metadata URL.
pub enum LegacySaml {
    Manual { idp_url: String, entity_id: String, idp_cert: String },
    Metadata { idp_metadata_url: String },
}

/// The legacy SAML configure calls: `redirect_url` `None` keeps the stored one.
pub async fn legacy_configure(
    db: &Db,
    ctx: &Ctx,
    tenant_id: &str,
    saml: LegacySaml,
    redirect_url: Option<String>,
    domains: Option<Vec<String>>,
) -> ApiResult<()> {
    let input = match saml {
        LegacySaml::Manual { idp_url, entity_id, idp_cert } => (
            SamlSource::Manual,
            SamlInput {
                idp_url: Some(idp_url),
                entity_id: Some(entity_id),
                idp_cert: Some(idp_cert),
                ..SamlInput::default()
            },
        ),
        LegacySaml::Metadata { idp_metadata_url } => (
            SamlSource::Metadata,
            SamlInput { idp_metadata_url: Some(idp_metadata_url), ..SamlInput::default() },
        ),
    };
    configure_saml(db, ctx, (tenant_id, ""), input.1, input.0, redirect_url, domains).await
}

/// Legacy `POST /v1/mgmt/sso/mapping`: the default configuration's SAML groups mapping,
/// attribute mapping (replaced whole; members not given are `""`) and default SSO roles.
pub async fn legacy_mapping(
    db: &Db,
    ctx: &Ctx,
    tenant_id: &str,
    mappings: Option<Vec<RoleMappingInput>>,
    attributes: Option<UserMapping>,
    default_sso_roles: Option<Vec<String>>,
) -> ApiResult<()> {
    modify(db, ctx, tenant_id, "", |e, roles, tid| {
        let s = &mut e.config.saml;
        if let Some(m) = mappings {
            s.groups_mapping = role_mappings(roles, tid, requested_mappings(m))?;
        }
        if let Some(a) = attributes {
            s.attribute_mapping = a;
        }
        default_roles(roles, tid, &mut s.default_sso_roles, default_sso_roles, false)
    })
    .await
}

/// `POST /v1/mgmt/sso/recalculate-mappings`: re-applies the configuration's groups-to-roles
/// mapping to the tenant's SSO users from the groups their IdP last asserted, and (default
/// configuration) to the tenant's SCIM group members.
pub async fn recalculate_mappings(db: &Db, ctx: &Ctx, tenant_id: &str, sso_id: &str) -> ApiResult<()> {
    let mut tx = store::begin_immediate(db).await?;
    let view = load_in(&mut tx, ctx, tenant_id, sso_id).await?;
    super::sso_login::recalculate(&mut tx, ctx, &view).await?;
    if view.sso_id.is_empty() {
        scim::recompute_tenant(&mut tx, ctx, &view.tenant.id).await?;
    }
    tx.commit().await?;
    Ok(())
}
