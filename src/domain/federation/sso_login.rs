//! SSO sign-in (SAML or OIDC per tenant) through the emulator's fake identity provider:
//! [`start`] picks the tenant and its configuration and answers the provider page's URL;
//! [`exchange`] takes the code the page redirected back with, turns the identity the page
//! approved into the assertion a real IdP would send under the tenant's attribute (SAML) or
//! claim (OIDC) names, applies the tenant's mapping to it like Descope does (user fields,
//! groups to roles, default SSO roles), and signs the user in with `amr ["fed"]` in that
//! tenant. [`recalculate`] re-applies a changed groups mapping to the tenant's SSO users.

use serde_json::{json, Map, Value};

use super::identities::{self, LinkedIdentity};
use super::idp::{self, Flow, Identity, Mode, PriorSession, Start, Target};
use super::oidc_idp;
use super::sso::{self, SsoView};
use crate::domain::authn::passwordless::LoginOptions;
use crate::domain::identity::profile::{UserProfile, UserTraits};
use crate::domain::identity::scim;
use crate::domain::identity::users::{self, NewUser, User};
use crate::domain::sessions::{self, AuthInfo, Prior};
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids::{Scope, UserId};
use crate::store::{self, users::RoleGrant, Conn, Db};

/// `amr` of an SSO sign-in (go-sdk `AuthFactorSaml = "fed"`).
pub const AMR: &str = "fed";

/// An SSO sign-in to start (`/v1/auth/sso/authorize`, `/v1/auth/saml/authorize`).
#[derive(Debug, Clone, Default)]
pub struct StartRequest {
    /// A tenant ID, or an email whose domain picks the tenant by its SSO domains.
    pub tenant: String,
    pub redirect_url: String,
    pub sso_id: String,
    pub prompt: String,
    pub login_hint: String,
    pub force_authn: bool,
    /// The email the IdP must assert (node's `enforceInitiatedEmail`).
    pub initiated_email: String,
    pub options: LoginOptions,
    pub prior: Option<PriorSession>,
}

fn no_tenant(tenant: &str) -> ApiError {
    ApiError::invalid(format!("No tenant with SSO found for {tenant:?}"))
}

/// The configuration a start names: by tenant ID, else by the domain of an email among the
/// configured SSO domains (the requested `ssoId` first).
async fn resolve(conn: &mut Conn, ctx: &Ctx, tenant: &str, sso_id: &str) -> ApiResult<SsoView> {
    let scope = ctx.scope();
    if store::tenants::get_tenant(conn, scope, &crate::ids::TenantId::from(tenant)).await?.is_some() {
        return sso::load_in(conn, ctx, tenant, sso_id).await;
    }
    let Some((_, domain)) = tenant.rsplit_once('@') else {
        return Err(no_tenant(tenant));
    };
    let domain = domain.trim().to_ascii_lowercase();
    let wanted = sso::normalize_sso_id(sso_id);
    let mut found: Vec<SsoView> = sso::all_in(conn, ctx)
        .await?
        .into_iter()
        .filter(|v| v.is_configured() && v.domains.contains(&domain))
        .collect();
    found.sort_by_key(|v| v.sso_id != wanted);
    found.into_iter().next().ok_or_else(|| no_tenant(tenant))
}

/// Starts an SSO sign-in: the URL of the tenant's (fake) identity provider.
pub async fn start(db: &Db, ctx: &Ctx, req: StartRequest) -> ApiResult<String> {
    let tenant = req.tenant.trim();
    if tenant.is_empty() {
        return Err(ApiError::missing("tenant"));
    }
    sessions::check_step_up(&req.options, req.prior.is_some())?;
    let view = {
        let mut conn = db.acquire().await?;
        resolve(&mut conn, ctx, tenant, &req.sso_id).await?
    };
    if !view.is_configured() {
        return Err(ApiError::invalid(format!("SSO is not configured for tenant {}", view.tenant.id)));
    }
    let configured = if view.auth_type == "oidc" {
        &view.config.oidc.redirect_url
    } else {
        &view.config.saml.redirect_url
    };
    let redirect_url = [&req.redirect_url, configured, &ctx.project.settings.magic_link_redirect_url]
        .into_iter()
        .find(|u| !u.is_empty())
        .cloned()
        .unwrap_or_default();
    let mut extra = Map::new();
    if !req.initiated_email.trim().is_empty() {
        extra.insert("initiatedEmail".into(), Value::String(req.initiated_email.trim().to_owned()));
    }
    if req.force_authn {
        extra.insert("forceAuthn".into(), Value::Bool(true));
    }
    if !req.prompt.is_empty() {
        extra.insert("prompt".into(), Value::String(req.prompt));
    }
    let start = Start {
        target: Target::Sso { tenant_id: view.tenant.id.clone(), sso_id: view.sso_id.clone() },
        mode: Mode::SignUpOrIn,
        redirect_url,
        login_options: req.options,
        login_hint: req.login_hint,
        prior: req.prior,
        extra,
    };
    // An OIDC configuration whose authorization URL is one of the project's own OIDC
    // providers signs in through it for real; any other goes through the fake IdP page.
    let own =
        if view.auth_type == "oidc" { oidc_idp::own_idp(ctx, &view.config.oidc.auth_url) } else { None };
    match own {
        Some(idp) => {
            let o = &view.config.oidc;
            let rp = oidc_idp::RelyingParty { idp, client_id: o.client_id.clone(), scope: o.scope.clone() };
            oidc_idp::begin(db, ctx, start, rp).await
        }
        None => idp::begin(db, ctx, start).await,
    }
}

/// `Start.extra` member naming the emulator OIDC provider a sign-in went through
/// ([`oidc_idp::begin`]); its identity's attributes are then the ID token's claims.
const OIDC_IDP: &str = "oidcIdp";

/// What an SSO sign-in yields besides the tokens.
#[derive(Debug, Clone)]
pub struct SsoSignedIn {
    pub info: AuthInfo,
    /// `{idpGroups, idpSAMLAttributes | idpOIDCClaims}`.
    pub idp_response: Value,
    /// The configuration's SSO ID (`""` for the default one).
    pub tenant_sso_id: String,
}

/// The user fields an assertion maps to.
#[derive(Debug, Clone, Default)]
struct Mapped {
    email: String,
    verified_email: bool,
    name: String,
    given_name: String,
    middle_name: String,
    family_name: String,
    picture: String,
    phone: String,
    groups: Vec<String>,
    custom_attributes: Map<String, Value>,
}

/// The (first) string value of an assertion member.
fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => text(a.first()),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// Every string value of an assertion member (a list, or one value).
fn texts(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a.iter().map(|x| text(Some(x))).filter(|s| !s.is_empty()).collect(),
        Some(Value::String(s)) => {
            s.split(',').map(|g| g.trim().to_owned()).filter(|g| !g.is_empty()).collect()
        }
        _ => Vec::new(),
    }
}

fn truthy(v: Option<&Value>) -> Option<bool> {
    match v {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        other => Some(matches!(text(other).to_ascii_lowercase().as_str(), "true" | "1" | "yes")),
    }
}

/// The attribute or claim that carries groups: the mapping's, else `groups`.
fn group_name(mapped: &str) -> &str {
    if mapped.is_empty() {
        "groups"
    } else {
        mapped
    }
}

/// The assertion the IdP sends for an identity, under the configuration's names: SAML
/// attributes are lists of strings, OIDC claims plain values. The identity's own raw
/// attributes are added as they are.
pub fn assertion(view: &SsoView, identity: &Identity) -> Map<String, Value> {
    let mut raw = Map::new();
    let oidc = view.auth_type == "oidc";
    let mut put = |name: &str, value: Value| {
        if !name.is_empty() && value.as_str() != Some("") {
            raw.insert(name.to_owned(), if oidc || value.is_array() { value } else { json!([value]) });
        }
    };
    if oidc {
        let m = &view.config.oidc.user_attr_mapping;
        put(&m.login_id, json!(identity.sub));
        put(&m.verified_email, json!(identity.email_verified));
    }
    let m = view.field_names();
    put(m.email, json!(identity.email));
    put(m.name, json!(identity.name));
    put(m.given_name, json!(identity.given_name));
    put(m.middle_name, json!(identity.middle_name));
    put(m.family_name, json!(identity.family_name));
    put(m.picture, json!(identity.picture));
    put(m.phone, json!(identity.phone));
    put(group_name(m.group), json!(identity.groups));
    for (k, v) in &identity.attributes {
        let v = if oidc || v.is_array() { v.clone() } else { json!([v]) };
        raw.insert(k.clone(), v);
    }
    raw
}

/// The IdP attribute (SAML) or claim (OIDC) names a configuration maps each user field from:
/// SAML's `attributeMapping` and OIDC's `userAttrMapping` name the same fields, so one
/// function applies either.
struct FieldNames<'a> {
    email: &'a str,
    verified_email: &'a str,
    name: &'a str,
    given_name: &'a str,
    middle_name: &'a str,
    family_name: &'a str,
    picture: &'a str,
    phone: &'a str,
    group: &'a str,
    custom: &'a Map<String, Value>,
}

impl SsoView {
    fn field_names(&self) -> FieldNames<'_> {
        macro_rules! names {
            ($a:expr) => {
                FieldNames {
                    email: &$a.email,
                    verified_email: &$a.verified_email,
                    name: &$a.name,
                    given_name: &$a.given_name,
                    middle_name: &$a.middle_name,
                    family_name: &$a.family_name,
                    picture: &$a.picture,
                    phone: &$a.phone_number,
                    group: &$a.group,
                    custom: &$a.custom_attributes,
                }
            };
        }
        if self.auth_type == "oidc" {
            names!(self.config.oidc.user_attr_mapping)
        } else {
            names!(self.config.saml.attribute_mapping)
        }
    }
}

/// Applies the configuration's mapping to an assertion. The email falls back to the
/// identity's (the SAML NameID / OIDC subject email) when the mapping names no email; the
/// email counts as verified unless the mapped verified-email member says otherwise.
fn apply_mapping(view: &SsoView, raw: &Map<String, Value>, identity: &Identity) -> Mapped {
    let get = |name: &str| if name.is_empty() { String::new() } else { text(raw.get(name)) };
    let a = view.field_names();
    let verified =
        if a.verified_email.is_empty() { true } else { truthy(raw.get(a.verified_email)).unwrap_or(true) };
    let mut m = Mapped {
        email: get(a.email),
        verified_email: verified,
        name: get(a.name),
        given_name: get(a.given_name),
        middle_name: get(a.middle_name),
        family_name: get(a.family_name),
        picture: get(a.picture),
        phone: get(a.phone),
        groups: texts(raw.get(group_name(a.group))),
        custom_attributes: Map::new(),
    };
    let custom = a.custom;
    for (descope_name, idp_name) in custom {
        if let Some(v) = idp_name.as_str().and_then(|n| raw.get(n)) {
            let v = match v {
                Value::Array(a) if a.len() == 1 => a[0].clone(),
                v => v.clone(),
            };
            m.custom_attributes.insert(descope_name.clone(), v);
        }
    }
    if m.email.is_empty() {
        m.email = identity.email.clone();
    }
    m.email = m.email.trim().to_owned();
    m
}

/// Puts a user in a tenant with exactly these roles there (other tenants unchanged).
pub(crate) async fn set_tenant_roles(
    conn: &mut Conn,
    scope: &Scope,
    user: &User,
    tenant_id: &str,
    roles: &[String],
) -> ApiResult<()> {
    let mut tenant_ids: Vec<String> = user.tenants.iter().map(|t| t.tenant_id.clone()).collect();
    if !tenant_ids.iter().any(|t| t == tenant_id) {
        tenant_ids.push(tenant_id.to_owned());
    }
    let mut grants: Vec<RoleGrant> =
        user.roles.iter().map(|r| RoleGrant { tenant_id: String::new(), role_name: r.clone() }).collect();
    for t in user.tenants.iter().filter(|t| t.tenant_id != tenant_id) {
        grants.extend(
            t.roles.iter().map(|r| RoleGrant { tenant_id: t.tenant_id.clone(), role_name: r.clone() }),
        );
    }
    grants.extend(roles.iter().map(|r| RoleGrant { tenant_id: tenant_id.to_owned(), role_name: r.clone() }));
    store::users::set_tenants(conn, scope, user.id(), &tenant_ids).await?;
    store::users::set_role_grants(conn, scope, user.id(), &grants).await
}

async fn reload(conn: &mut Conn, scope: &Scope, id: &UserId) -> ApiResult<User> {
    users::find_by_id(conn, scope, id.as_str())
        .await?
        .ok_or_else(|| ApiError::new(ErrorKind::Internal, "The signed-in user vanished"))
}

/// `POST /v1/auth/sso/exchange` and `/v1/auth/saml/exchange`.
pub async fn exchange(db: &Db, ctx: &Ctx, code: &str) -> ApiResult<SsoSignedIn> {
    let mut tx = db.begin().await?;
    let approved = idp::take_code(&mut tx, ctx, code, Flow::Sso).await?;
    let Target::Sso { tenant_id, sso_id } = approved.start.target.clone() else {
        return Err(ApiError::new(ErrorKind::InvalidToken, "The exchange code is unknown"));
    };
    let view = sso::load_in(&mut tx, ctx, &tenant_id, &sso_id).await?;
    if !view.is_configured() {
        return Err(ApiError::invalid(format!("SSO is not configured for tenant {tenant_id}")));
    }
    let identity = approved.identity;
    if let Some(wanted) = approved.start.extra.get("initiatedEmail").and_then(Value::as_str) {
        if !wanted.eq_ignore_ascii_case(identity.email.trim()) {
            return Err(ApiError::new(
                ErrorKind::Unauthorized,
                format!("The identity provider asserted another user than {wanted}"),
            ));
        }
    }
    // A real OIDC loop brought the ID token's claims; the fake IdP page only an identity.
    let raw = if approved.start.extra.contains_key(OIDC_IDP) {
        identity.attributes.clone()
    } else {
        assertion(&view, &identity)
    };
    let mapped = apply_mapping(&view, &raw, &identity);
    let (mappings, default_roles) = view.mapping();
    let roles = sso::roles_for_groups(mappings, default_roles, &mapped.groups);
    let scope = ctx.scope();

    let linked =
        identities::find(&mut tx, scope, identities::SSO, &tenant_id, &view.sso_id, &identity.sub).await?;
    let mut user = match &linked {
        Some(l) => users::find_by_id(&mut tx, scope, &l.user_id).await?,
        None => None,
    };
    let login_id = if mapped.email.is_empty() {
        format!("sso-{tenant_id}-{}", identity.sub)
    } else {
        mapped.email.clone()
    };
    if user.is_none() {
        user = users::find_by_login_id(&mut tx, scope, &login_id).await?;
    }
    let mut user = match user {
        Some(u) => u,
        None => {
            users::create(
                &mut tx,
                scope,
                ctx.now,
                NewUser {
                    login_ids: vec![login_id],
                    profile: UserProfile { email: mapped.email.clone(), ..UserProfile::default() },
                    traits: UserTraits::default(),
                    method: "sso".into(),
                    ..NewUser::default()
                },
            )
            .await?
        }
    };
    // The IdP is the source of the profile: what it asserts replaces the user's.
    let row = &mut user.row;
    for (field, value) in [
        (&mut row.name, &mapped.name),
        (&mut row.given_name, &mapped.given_name),
        (&mut row.middle_name, &mapped.middle_name),
        (&mut row.family_name, &mapped.family_name),
        (&mut row.picture, &mapped.picture),
        (&mut row.phone, &mapped.phone),
    ] {
        if !value.is_empty() {
            *field = value.clone();
        }
    }
    if row.email.is_empty() {
        row.email = mapped.email.clone();
    }
    if mapped.verified_email && !mapped.email.is_empty() && row.email.eq_ignore_ascii_case(&mapped.email) {
        row.verified_email = true;
    }
    if !mapped.custom_attributes.is_empty() {
        let mut attrs = user.custom_attributes();
        attrs.extend(mapped.custom_attributes.clone());
        user.row.custom_attributes = Value::Object(attrs).to_string();
    }
    user.row.saml = true;
    user.row.modified_ms = ctx.now.millis();
    store::users::update(&mut tx, scope, &user.row).await?;
    set_tenant_roles(&mut tx, scope, &user, &tenant_id, &roles).await?;
    // The roles the tenant's SCIM groups grant come on top of the IdP's.
    scim::recompute(&mut tx, ctx, &tenant_id, &[user.id().to_string()]).await?;
    let raw_value = Value::Object(raw.clone());
    identities::link(
        &mut tx,
        scope,
        &LinkedIdentity {
            user_id: user.id().to_string(),
            kind: identities::SSO.into(),
            issuer: tenant_id.clone(),
            sso_id: view.sso_id.clone(),
            subject: identity.sub.clone(),
            email: mapped.email.clone(),
            groups: mapped.groups.clone(),
            raw: raw_value.clone(),
            created_ms: linked.map(|l| l.created_ms).unwrap_or_default(),
            modified_ms: 0,
        },
        ctx.now.millis(),
    )
    .await?;
    let user = reload(&mut tx, scope, user.id()).await?;
    let start = approved.start;
    let prior = start.prior.as_ref().map(|p| Prior { user_id: &p.user_id, amr: &p.amr });
    let mut opts =
        sessions::factor_options(AMR, "sso", start.login_options.clone(), prior, false, user.id().as_str())?;
    if opts.dct.is_none() {
        opts.dct = Some(tenant_id.clone());
    }
    let issued = sessions::sign_in(&mut tx, ctx, user, opts).await?;
    tx.commit().await?;
    let info = issued.sign(ctx).await?;
    let key = if view.auth_type == "oidc" { "idpOIDCClaims" } else { "idpSAMLAttributes" };
    let mut idp_response = Map::new();
    idp_response.insert("idpGroups".into(), json!(mapped.groups));
    idp_response.insert(key.into(), raw_value);
    Ok(SsoSignedIn { info, idp_response: Value::Object(idp_response), tenant_sso_id: view.sso_id })
}

/// Re-applies a configuration's groups mapping to the users who signed in through it, from
/// the groups their IdP asserted last; the new roles show in their next tokens.
pub async fn recalculate(conn: &mut Conn, ctx: &Ctx, view: &SsoView) -> ApiResult<()> {
    let scope = ctx.scope();
    let (mappings, default_roles) = view.mapping();
    for l in identities::of_issuer(conn, scope, identities::SSO, &view.tenant.id, Some(&view.sso_id)).await? {
        if let Some(user) = users::find_by_id(conn, scope, &l.user_id).await? {
            let roles = sso::roles_for_groups(mappings, default_roles, &l.groups);
            set_tenant_roles(conn, scope, &user, &view.tenant.id, &roles).await?;
            scim::recompute(conn, ctx, &view.tenant.id, std::slice::from_ref(&l.user_id)).await?;
        }
    }
    Ok(())
}

/// `POST /v1/mgmt/tenant/sso-user-remove`: ends the SSO association of the tenant's SSO
/// users (their links to the tenant's identity providers); the users and their tenant
/// membership stay. Answers how many links there were.
pub async fn remove_sso_users(db: &Db, ctx: &Ctx, tenant_id: &str) -> ApiResult<u64> {
    let tenant_id = tenant_id.trim();
    if tenant_id.is_empty() {
        return Err(ApiError::missing("tenantId"));
    }
    let mut tx = store::begin_immediate(db).await?;
    let scope = ctx.scope();
    crate::domain::identity::tenants::require(&mut tx, scope, tenant_id).await?;
    let mut n = 0;
    for l in identities::of_issuer(&mut tx, scope, identities::SSO, tenant_id, None).await? {
        n += identities::unlink_user(
            &mut tx,
            scope,
            &UserId::from(l.user_id.as_str()),
            identities::SSO,
            tenant_id,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n)
}

/// One external group of a tenant (`/v1/mgmt/group/*`): SSO groups users brought in, and the
/// groups SCIM provisioned.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub id: String,
    pub display: String,
    /// `jit`: brought in at SSO sign-in; `scim`: provisioned over SCIM.
    pub source: String,
    pub sso_id: String,
    pub members: Vec<GroupMember>,
}

#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupMember {
    pub login_id: String,
    pub user_id: String,
    pub display: String,
}

/// The tenant's SCIM groups (default configuration), then the groups the tenant's SSO users'
/// IdPs asserted at their last sign-in, by name, with their members; `sso_id` `None` for
/// every configuration.
pub async fn groups(db: &Db, ctx: &Ctx, tenant_id: &str, sso_id: Option<&str>) -> ApiResult<Vec<Group>> {
    let tenant_id = tenant_id.trim();
    if tenant_id.is_empty() {
        return Err(ApiError::missing("tenantId"));
    }
    let mut conn = db.acquire().await?;
    let scope = ctx.scope();
    crate::domain::identity::tenants::require(&mut conn, scope, tenant_id).await?;
    let sso_id = sso_id.map(sso::normalize_sso_id);
    let mut out: Vec<Group> = Vec::new();
    if sso_id.is_none_or(str::is_empty) {
        out = crate::domain::identity::scim::external_groups(&mut conn, ctx, tenant_id).await?;
    }
    for l in identities::of_issuer(&mut conn, scope, identities::SSO, tenant_id, sso_id).await? {
        let Some(user) = users::find_by_id(&mut conn, scope, &l.user_id).await? else { continue };
        let member = GroupMember {
            login_id: user.login_ids.first().cloned().unwrap_or_default(),
            user_id: user.id().to_string(),
            display: if user.row.name.is_empty() { user.row.email.clone() } else { user.row.name.clone() },
        };
        for g in &l.groups {
            match out.iter_mut().find(|x| &x.id == g && x.sso_id == l.sso_id && x.source == "jit") {
                Some(group) => {
                    if !group.members.iter().any(|m| m.user_id == member.user_id) {
                        group.members.push(member.clone());
                    }
                }
                None => out.push(Group {
                    id: g.clone(),
                    display: g.clone(),
                    source: "jit".into(),
                    sso_id: l.sso_id.clone(),
                    members: vec![member.clone()],
                }),
            }
        }
    }
    out.sort_by(|a, b| (&a.sso_id, &a.display).cmp(&(&b.sso_id, &b.display)));
    Ok(out)
}

/// The project a refresh JWT says it is of (`iss` = `<public-url>/<projectId>`), read without
/// verifying it: the IdP logout has no bearer, only the session cookies.
pub fn project_of_token(token: &str) -> Option<String> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let bytes =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    let iss = claims.get("iss")?.as_str()?;
    iss.rsplit('/').next().filter(|p| !p.is_empty()).map(str::to_owned)
}

/// `GET|POST /v1/auth/idp/sso/logout`: ends the session of a refresh JWT (revokes it) when it
/// is a valid one of the project; anything else is already logged out.
pub async fn idp_logout(db: &Db, ctx: &Ctx, token: &str) -> ApiResult<()> {
    match sessions::verify(db, ctx, token, sessions::TokenKind::Refresh).await {
        Ok(claims) => sessions::logout(db, ctx, &claims, false).await,
        Err(e) if e.kind.status().is_client_error() => Ok(()),
        Err(e) => Err(e),
    }
}
