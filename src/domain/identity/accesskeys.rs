//! Access keys: management (create, load, search, update, activate/deactivate, delete, rotate,
//! import) and the exchange of a key for a session JWT. Only a SHA-256 of the cleartext is
//! stored; the cleartext is shown once, at create or rotate.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::net::IpAddr;

use crate::crypto;
use crate::domain::projects::Projects;
use crate::domain::sessions::{Claims, DRN_SESSION};
use crate::domain::{audit, identity::users, sessions::tokens, Ctx};
use crate::error::{ApiError, ApiResult, ErrorKind, ResultExt};
use crate::ids::{TenantId, UserId};
use crate::store::Db;
use crate::store::{self, accesskeys::AccessKeyRow, Conn};

pub const STATUS_ACTIVE: &str = "active";
pub const STATUS_INACTIVE: &str = "inactive";
pub const STATUS_EXPIRED: &str = "expired";

/// A tenant of a key with its roles (stored as JSON on the key).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct KeyTenant {
    pub tenant_id: String,
    pub role_names: Vec<String>,
    /// Filled in when the key is loaded.
    #[serde(skip)]
    pub tenant_name: String,
}

/// An access key as management shows it.
#[derive(Debug, Clone)]
pub struct AccessKey {
    pub id: String,
    pub name: String,
    /// `active`, `inactive` or `expired` (by the emulator clock).
    pub status: String,
    pub created_secs: i64,
    pub expire_secs: i64,
    pub created_by: String,
    pub client_id: String,
    pub bound_user_id: String,
    pub role_names: Vec<String>,
    pub key_tenants: Vec<KeyTenant>,
    pub custom_claims: Map<String, Value>,
    pub description: String,
    pub permitted_ips: Vec<String>,
    pub custom_attributes: Map<String, Value>,
}

fn is_expired(row: &AccessKeyRow, ctx: &Ctx) -> bool {
    row.expire_secs > 0 && row.expire_secs <= ctx.now.secs()
}

async fn assemble(conn: &mut Conn, ctx: &Ctx, row: AccessKeyRow) -> ApiResult<AccessKey> {
    let mut key_tenants: Vec<KeyTenant> = store::from_json_text(&row.key_tenants);
    for t in &mut key_tenants {
        if let Some(tenant) =
            store::tenants::get_tenant(conn, ctx.scope(), &TenantId::from(t.tenant_id.as_str())).await?
        {
            t.tenant_name = tenant.name;
        }
    }
    let status = if row.status == STATUS_ACTIVE && is_expired(&row, ctx) {
        STATUS_EXPIRED.to_owned()
    } else {
        row.status.clone()
    };
    Ok(AccessKey {
        id: row.id,
        name: row.name,
        status,
        created_secs: row.created_ms / 1000,
        expire_secs: row.expire_secs,
        created_by: row.created_by,
        client_id: row.client_id,
        bound_user_id: row.bound_user_id,
        role_names: store::from_json_text(&row.role_names),
        key_tenants,
        custom_claims: store::from_json_text(&row.custom_claims),
        description: row.description,
        permitted_ips: store::from_json_text(&row.permitted_ips),
        custom_attributes: store::from_json_text(&row.custom_attributes),
    })
}

/// SHA-256 of a cleartext, hex-encoded.
fn hash_secret(cleartext: &str) -> String {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, cleartext.as_bytes());
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// A new cleartext: letters and digits only (the bearer is split on `:`).
fn new_cleartext() -> String {
    crypto::random_alnum(64)
}

/// The fields of create and import.
#[derive(Debug, Clone, Default)]
pub struct NewAccessKey {
    pub name: String,
    /// Unix seconds; 0 = never.
    pub expire_time: i64,
    pub role_names: Vec<String>,
    pub key_tenants: Vec<(String, Vec<String>)>,
    pub user_id: String,
    pub custom_claims: Map<String, Value>,
    pub description: String,
    pub permitted_ips: Vec<String>,
    pub custom_attributes: Map<String, Value>,
    /// Import only: the existing cleartext to keep.
    pub cleartext: Option<String>,
}

async fn check_tenants(conn: &mut Conn, ctx: &Ctx, tenants: &[KeyTenant]) -> ApiResult<()> {
    for t in tenants {
        if t.tenant_id.is_empty() {
            return Err(ApiError::missing("keyTenants.tenantId"));
        }
        if store::tenants::get_tenant(conn, ctx.scope(), &TenantId::from(t.tenant_id.as_str()))
            .await?
            .is_none()
        {
            return Err(ApiError::invalid(format!("Unknown tenant {}", t.tenant_id)));
        }
    }
    Ok(())
}

fn check_ips(ips: &[String]) -> ApiResult<()> {
    match ips.iter().find(|ip| parse_ip_rule(ip).is_none()) {
        Some(bad) => Err(ApiError::invalid(format!("Invalid permitted IP or CIDR: {bad}"))),
        None => Ok(()),
    }
}

fn key_tenants(pairs: Vec<(String, Vec<String>)>) -> Vec<KeyTenant> {
    pairs
        .into_iter()
        .map(|(tenant_id, role_names)| KeyTenant { tenant_id, role_names, tenant_name: String::new() })
        .collect()
}

fn key_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("Access key {id} not found"))
}

async fn insert_new(conn: &mut Conn, ctx: &Ctx, new: NewAccessKey) -> ApiResult<(AccessKey, String)> {
    if new.name.trim().is_empty() {
        return Err(ApiError::missing("name"));
    }
    if new.expire_time < 0 {
        return Err(ApiError::invalid("expireTime must be Unix seconds or 0"));
    }
    let tenants = key_tenants(new.key_tenants);
    check_tenants(conn, ctx, &tenants).await?;
    check_ips(&new.permitted_ips)?;
    if !new.user_id.is_empty()
        && store::users::get_by_id(conn, ctx.scope(), &UserId::from(new.user_id.as_str())).await?.is_none()
    {
        return Err(ApiError::mgmt_user_not_found(&new.user_id));
    }
    let cleartext = match new.cleartext.filter(|c| !c.is_empty()) {
        Some(c) if c.contains(':') => return Err(ApiError::invalid("An access key cannot contain ':'")),
        Some(c) => c,
        None => new_cleartext(),
    };
    let id = format!("K2{}", crypto::random_alnum(26));
    let row = AccessKeyRow {
        client_id: id.clone(),
        id: id.clone(),
        name: new.name,
        secret_hash: hash_secret(&cleartext),
        status: STATUS_ACTIVE.into(),
        created_ms: ctx.now.millis(),
        expire_secs: new.expire_time,
        created_by: String::new(),
        bound_user_id: new.user_id,
        role_names: store::json_text(&new.role_names)?,
        key_tenants: store::json_text(&tenants)?,
        custom_claims: store::json_text(&tokens::custom_only(new.custom_claims))?,
        description: new.description,
        permitted_ips: store::json_text(&new.permitted_ips)?,
        custom_attributes: store::json_text(&new.custom_attributes)?,
    };
    store::accesskeys::insert(conn, ctx.scope(), &row).await.on_unique(|| {
        ApiError::new(ErrorKind::AlreadyExists, "An access key with this secret already exists")
    })?;
    audit::record(conn, ctx, &audit::Event::new("AccessKeyCreated", &id)).await?;
    Ok((assemble(conn, ctx, row).await?, cleartext))
}

/// `POST /v1/mgmt/accesskey/create`: the key and its cleartext (shown only here).
pub async fn create(db: &Db, ctx: &Ctx, new: NewAccessKey) -> ApiResult<(AccessKey, String)> {
    let mut tx = store::begin_immediate(db).await?;
    let out = insert_new(&mut tx, ctx, new).await?;
    tx.commit().await?;
    Ok(out)
}

/// `POST /v1/mgmt/accesskey/import`: keys with their existing cleartexts.
pub async fn import(db: &Db, ctx: &Ctx, keys: Vec<NewAccessKey>) -> ApiResult<Vec<AccessKey>> {
    let mut tx = store::begin_immediate(db).await?;
    let mut out = Vec::with_capacity(keys.len());
    for k in keys {
        if k.cleartext.as_deref().unwrap_or_default().is_empty() {
            return Err(ApiError::missing("keys.cleartext"));
        }
        out.push(insert_new(&mut tx, ctx, k).await?.0);
    }
    tx.commit().await?;
    Ok(out)
}

async fn require(conn: &mut Conn, ctx: &Ctx, id: &str) -> ApiResult<AccessKeyRow> {
    if id.is_empty() {
        return Err(ApiError::missing("id"));
    }
    store::accesskeys::get(conn, ctx.scope(), id).await?.ok_or_else(|| key_not_found(id))
}

/// `GET /v1/mgmt/accesskey?id=`.
pub async fn load(db: &Db, ctx: &Ctx, id: &str) -> ApiResult<AccessKey> {
    let mut conn = db.acquire().await?;
    let row = require(&mut conn, ctx, id).await?;
    assemble(&mut conn, ctx, row).await
}

/// The filters of `POST /v1/mgmt/accesskey/search`; empty ones do not filter.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub tenant_ids: Vec<String>,
    pub bound_user_id: String,
    pub creating_user: String,
    pub custom_attributes: Map<String, Value>,
    pub text: String,
}

/// `POST /v1/mgmt/accesskey/search`.
pub async fn search(db: &Db, ctx: &Ctx, q: &Search) -> ApiResult<Vec<AccessKey>> {
    let mut conn = db.acquire().await?;
    let rows = store::accesskeys::list_all(&mut conn, ctx.scope()).await?;
    let text = q.text.to_lowercase();
    let mut out = Vec::new();
    for row in rows {
        let key = assemble(&mut conn, ctx, row).await?;
        let keep = (q.tenant_ids.is_empty()
            || key.key_tenants.iter().any(|t| q.tenant_ids.contains(&t.tenant_id)))
            && (q.bound_user_id.is_empty() || key.bound_user_id == q.bound_user_id)
            && (q.creating_user.is_empty() || key.created_by == q.creating_user)
            && q.custom_attributes.iter().all(|(k, v)| key.custom_attributes.get(k) == Some(v))
            && (text.is_empty()
                || key.name.to_lowercase().contains(&text)
                || key.id.to_lowercase().contains(&text)
                || key.description.to_lowercase().contains(&text));
        if keep {
            out.push(key);
        }
    }
    Ok(out)
}

/// `POST /v1/mgmt/accesskey/update`: `None` keeps a field, `Some` replaces it.
#[derive(Debug, Clone, Default)]
pub struct AccessKeyPatch {
    pub name: String,
    pub description: Option<String>,
    pub role_names: Option<Vec<String>>,
    pub key_tenants: Option<Vec<(String, Vec<String>)>>,
    pub custom_claims: Option<Map<String, Value>>,
    pub permitted_ips: Option<Vec<String>>,
    pub custom_attributes: Option<Map<String, Value>>,
}

pub async fn update(db: &Db, ctx: &Ctx, id: &str, patch: AccessKeyPatch) -> ApiResult<AccessKey> {
    if patch.name.trim().is_empty() {
        return Err(ApiError::missing("name"));
    }
    let mut tx = store::begin_immediate(db).await?;
    let mut row = require(&mut tx, ctx, id).await?;
    row.name = patch.name;
    if let Some(d) = patch.description {
        row.description = d;
    }
    if let Some(r) = patch.role_names {
        row.role_names = store::json_text(&r)?;
    }
    if let Some(t) = patch.key_tenants {
        let tenants = key_tenants(t);
        check_tenants(&mut tx, ctx, &tenants).await?;
        row.key_tenants = store::json_text(&tenants)?;
    }
    if let Some(c) = patch.custom_claims {
        row.custom_claims = store::json_text(&tokens::custom_only(c))?;
    }
    if let Some(ips) = patch.permitted_ips {
        check_ips(&ips)?;
        row.permitted_ips = store::json_text(&ips)?;
    }
    if let Some(a) = patch.custom_attributes {
        row.custom_attributes = store::json_text(&a)?;
    }
    store::accesskeys::update(&mut tx, ctx.scope(), &row).await?;
    audit::record(&mut tx, ctx, &audit::Event::new("AccessKeyModified", id)).await?;
    let key = assemble(&mut tx, ctx, row).await?;
    tx.commit().await?;
    Ok(key)
}

/// `activate`/`deactivate` (single and batch): every named key must exist.
pub async fn set_active(db: &Db, ctx: &Ctx, ids: &[String], active: bool) -> ApiResult<()> {
    if ids.is_empty() {
        return Err(ApiError::missing("ids"));
    }
    let mut tx = store::begin_immediate(db).await?;
    for id in ids {
        let mut row = require(&mut tx, ctx, id).await?;
        row.status = if active { STATUS_ACTIVE } else { STATUS_INACTIVE }.into();
        store::accesskeys::update(&mut tx, ctx.scope(), &row).await?;
        let action = if active { "AccessKeyActivated" } else { "AccessKeyDeactivated" };
        audit::record(&mut tx, ctx, &audit::Event::new(action, id)).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// `delete` (single and batch): every named key must exist.
pub async fn delete(db: &Db, ctx: &Ctx, ids: &[String]) -> ApiResult<()> {
    if ids.is_empty() {
        return Err(ApiError::missing("ids"));
    }
    let mut tx = store::begin_immediate(db).await?;
    for id in ids {
        if id.is_empty() {
            return Err(ApiError::missing("id"));
        }
        if !store::accesskeys::delete(&mut tx, ctx.scope(), id).await? {
            return Err(key_not_found(id));
        }
        audit::record(&mut tx, ctx, &audit::Event::new("AccessKeyDeleted", id)).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// `POST /v1/mgmt/accesskey/rotate`: a new cleartext; the old one stops working.
pub async fn rotate(db: &Db, ctx: &Ctx, id: &str) -> ApiResult<(AccessKey, String)> {
    let mut tx = store::begin_immediate(db).await?;
    let mut row = require(&mut tx, ctx, id).await?;
    let cleartext = new_cleartext();
    row.secret_hash = hash_secret(&cleartext);
    store::accesskeys::update(&mut tx, ctx.scope(), &row).await?;
    audit::record(&mut tx, ctx, &audit::Event::new("AccessKeyRotated", id)).await?;
    let key = assemble(&mut tx, ctx, row).await?;
    tx.commit().await?;
    Ok((key, cleartext))
}

/// An IP or CIDR rule: the network address and prefix length.
fn parse_ip_rule(rule: &str) -> Option<(IpAddr, u32)> {
    let rule = rule.trim();
    match rule.split_once('/') {
        Some((ip, bits)) => {
            let ip: IpAddr = ip.parse().ok()?;
            let bits: u32 = bits.parse().ok()?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            (bits <= max).then_some((ip, bits))
        }
        None => {
            let ip: IpAddr = rule.parse().ok()?;
            Some((ip, if ip.is_ipv4() { 32 } else { 128 }))
        }
    }
}

fn ip_permitted(rules: &[String], ip: IpAddr) -> bool {
    rules.iter().filter_map(|r| parse_ip_rule(r)).any(|(net, bits)| match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(a)) => {
            let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
            u32::from(n) & mask == u32::from(a) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(a)) => {
            let mask = if bits == 0 { 0 } else { u128::MAX << (128 - bits) };
            u128::from(n) & mask == u128::from(a) & mask
        }
        _ => false,
    })
}

/// Login options of an exchange.
#[derive(Debug, Clone, Default)]
pub struct ExchangeOptions {
    pub custom_claims: Map<String, Value>,
    pub selected_tenant: String,
}

/// Whether `cleartext` is an active, unexpired access key of the project: the client secret
/// of the project's default OIDC app (`descope-default-oidc`).
pub async fn is_active_key(conn: &mut Conn, ctx: &Ctx, cleartext: &str) -> ApiResult<bool> {
    let row = store::accesskeys::get_by_secret_hash(conn, ctx.scope(), &hash_secret(cleartext)).await?;
    Ok(row.is_some_and(|r| r.status == STATUS_ACTIVE && !is_expired(&r, ctx)))
}

/// The result of an exchange: a session JWT, no refresh token.
#[derive(Debug, Clone)]
pub struct Exchanged {
    pub key_id: String,
    pub session_jwt: String,
    pub expiration: i64,
}

fn invalid_key(message: &str) -> ApiError {
    ApiError::new(ErrorKind::InvalidAccessKey, message)
}

/// The key whose cleartext this is: known in the project, active and not expired by the
/// emulator clock, else [`ErrorKind::InvalidAccessKey`]. Every use of a key's cleartext (the
/// exchange, SCIM provisioning) checks it here.
pub async fn verify_cleartext(conn: &mut Conn, ctx: &Ctx, cleartext: &str) -> ApiResult<AccessKey> {
    let row = store::accesskeys::get_by_secret_hash(conn, ctx.scope(), &hash_secret(cleartext))
        .await?
        .ok_or_else(|| invalid_key("Unknown access key"))?;
    if row.status != STATUS_ACTIVE {
        return Err(invalid_key("Access key is not active"));
    }
    if is_expired(&row, ctx) {
        return Err(invalid_key("Access key expired"));
    }
    assemble(conn, ctx, row).await
}

/// `POST /v1/auth/accesskey/exchange`: checks the key (known, active, not expired by the
/// emulator clock, caller IP permitted) and signs a session JWT whose `sub` is the key ID.
/// The grants are the bound user's when the key is bound to one, else the key's own; the
/// key's custom claims are top-level and the login options' custom claims sit under `nsec`;
/// the project's key JWT template, when it has one, shapes the claims.
pub async fn exchange(
    db: &Db,
    ctx: &Ctx,
    cleartext: Option<&str>,
    client_ip: IpAddr,
    opts: ExchangeOptions,
) -> ApiResult<Exchanged> {
    let cleartext = cleartext
        .filter(|c| !c.is_empty())
        .ok_or_else(|| ApiError::new(ErrorKind::MissingAccessKey, "Missing access key"))?;
    let mut tx = store::begin_immediate(db).await?;
    let key = verify_cleartext(&mut tx, ctx, cleartext).await?;
    if !key.permitted_ips.is_empty() && !ip_permitted(&key.permitted_ips, client_ip) {
        return Err(invalid_key(&format!("Access key is not permitted from {client_ip}")));
    }
    let (roles, tenant_roles): (Vec<String>, Vec<(String, Vec<String>)>) = if key.bound_user_id.is_empty() {
        let t = key.key_tenants.iter().map(|t| (t.tenant_id.clone(), t.role_names.clone())).collect();
        (key.role_names.clone(), t)
    } else {
        let user = users::find_by_id(&mut tx, ctx.scope(), &key.bound_user_id)
            .await?
            .ok_or_else(|| invalid_key("The user of this access key no longer exists"))?;
        user.ensure_can_sign_in()?;
        let t = user.tenants.iter().map(|t| (t.tenant_id.clone(), t.roles.clone())).collect();
        (user.roles.clone(), t)
    };
    let (permissions, tenants) = tokens::grants(&mut tx, ctx.scope(), &roles, &tenant_roles).await?;
    let dct = Some(opts.selected_tenant).filter(|t| !t.is_empty());
    if let Some(t) = &dct {
        if !tenants.contains_key(t) {
            return Err(ApiError::new(
                ErrorKind::TenantNotAssociated,
                format!("Access key is not associated with tenant {t}"),
            ));
        }
    }
    let mut extra = tokens::custom_only(key.custom_claims.clone());
    if !opts.custom_claims.is_empty() {
        extra.insert("nsec".into(), Value::Object(opts.custom_claims));
    }
    let iat = ctx.now.secs();
    let mut exp = iat + ctx.project.settings.session_token_ttl_secs;
    if key.expire_secs > 0 {
        exp = exp.min(key.expire_secs);
    }
    let mut claims = Claims {
        sub: key.id.clone(),
        iss: ctx.project.issuer.clone(),
        iat,
        exp,
        drn: DRN_SESSION.into(),
        amr: Vec::new(),
        jti: None,
        roles: Some(roles),
        permissions: Some(permissions),
        tenants: Some(tenants),
        dct,
        extra,
    };
    crate::domain::sessions::templates::shape_key_session(&mut tx, ctx, &key, &mut claims).await?;
    let mut event = audit::Event::new(audit::LOGIN_SUCCEED, &key.id);
    event.method = "accesskey".into();
    event.user_id = key.bound_user_id.clone();
    event.remote_address = client_ip.to_string();
    event.tenants = key.key_tenants.iter().map(|t| t.tenant_id.clone()).collect();
    audit::record(&mut tx, ctx, &event).await?;
    tx.commit().await?;
    let session_jwt = crate::domain::sessions::sign_one(ctx, claims).await?;
    Ok(Exchanged { key_id: key.id, session_jwt, expiration: exp })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_rules_match_exact_addresses_and_cidrs() {
        let rules = vec!["10.0.0.0/8".to_owned(), "192.168.1.7".to_owned(), "::1".to_owned()];
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(ip_permitted(&rules, ip("10.200.3.4")));
        assert!(ip_permitted(&rules, ip("192.168.1.7")));
        assert!(!ip_permitted(&rules, ip("192.168.1.8")));
        assert!(ip_permitted(&rules, ip("::1")));
        assert!(!ip_permitted(&rules, ip("127.0.0.1")));
        assert!(parse_ip_rule("10.0.0.0/33").is_none());
        assert!(parse_ip_rule("nope").is_none());
    }
}

// --- Management keys (`/v1/mgmt/managementkey*`), kept in the `management_keys` table that
// `MgmtAuth` checks; every write drops the project's cached runtime so it applies at once.

/// A management key as `/v1/mgmt/managementkey*` shows it (never its secret).
#[derive(Debug, Clone)]
pub struct ManagementKeyInfo {
    pub id: String,
    pub name: String,
    pub description: String,
    pub status: String,
    pub created_secs: i64,
    pub expire_secs: i64,
    pub permitted_ips: Vec<String>,
}

impl From<store::projects::ManagementKeyDetailRow> for ManagementKeyInfo {
    fn from(r: store::projects::ManagementKeyDetailRow) -> Self {
        ManagementKeyInfo {
            id: r.id,
            name: r.name,
            description: r.description,
            status: r.status,
            created_secs: r.created_ms / 1000,
            expire_secs: r.expire_secs,
            permitted_ips: store::from_json_text(&r.permitted_ips),
        }
    }
}

fn mgmt_key_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("Management key {id} not found"))
}

/// `PUT /v1/mgmt/managementkey`: a new active key; the cleartext is shown only here.
pub async fn create_management_key(
    db: &Db,
    registry: &Projects,
    ctx: &Ctx,
    name: String,
    description: String,
    expire_secs: i64,
    permitted_ips: Vec<String>,
) -> ApiResult<(ManagementKeyInfo, String)> {
    if name.trim().is_empty() {
        return Err(ApiError::missing("name"));
    }
    check_ips(&permitted_ips)?;
    let cleartext = crate::domain::projects::new_management_key();
    let row = store::projects::ManagementKeyDetailRow {
        id: format!("MK{}", crypto::random_alnum(20)),
        name,
        secret: cleartext.clone(),
        status: STATUS_ACTIVE.into(),
        created_ms: ctx.now.millis(),
        description,
        permitted_ips: store::json_text(&permitted_ips)?,
        expire_secs: expire_secs.max(0),
    };
    let mut tx = store::begin_immediate(db).await?;
    store::projects::insert_management_key_detail(&mut tx, ctx.project_id(), &row).await?;
    audit::record(&mut tx, ctx, &audit::Event::new("ManagementKeyCreated", &row.id)).await?;
    tx.commit().await?;
    registry.invalidate(ctx.project_id().as_str());
    Ok((row.into(), cleartext))
}

/// `GET /v1/mgmt/managementkey?id=`.
pub async fn load_management_key(db: &Db, ctx: &Ctx, id: &str) -> ApiResult<ManagementKeyInfo> {
    if id.is_empty() {
        return Err(ApiError::missing("id"));
    }
    let mut conn = db.acquire().await?;
    store::projects::get_management_key_detail(&mut conn, ctx.project_id(), id)
        .await?
        .map(Into::into)
        .ok_or_else(|| mgmt_key_not_found(id))
}

/// `GET /v1/mgmt/managementkey/search`: every management key of the project.
pub async fn search_management_keys(db: &Db, ctx: &Ctx) -> ApiResult<Vec<ManagementKeyInfo>> {
    let mut conn = db.acquire().await?;
    Ok(store::projects::management_key_details(&mut conn, ctx.project_id())
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// `PATCH /v1/mgmt/managementkey`: given fields replace the old ones; `status` is `active`
/// or `inactive` (an inactive key stops authenticating at once).
#[derive(Debug, Clone, Default)]
pub struct ManagementKeyPatch {
    pub name: Option<String>,
    pub description: Option<String>,
    pub permitted_ips: Option<Vec<String>>,
    pub status: Option<String>,
}

pub async fn update_management_key(
    db: &Db,
    registry: &Projects,
    ctx: &Ctx,
    id: &str,
    patch: ManagementKeyPatch,
) -> ApiResult<ManagementKeyInfo> {
    if id.is_empty() {
        return Err(ApiError::missing("id"));
    }
    let mut tx = store::begin_immediate(db).await?;
    let mut row = store::projects::get_management_key_detail(&mut tx, ctx.project_id(), id)
        .await?
        .ok_or_else(|| mgmt_key_not_found(id))?;
    if let Some(n) = patch.name.filter(|n| !n.trim().is_empty()) {
        row.name = n;
    }
    if let Some(d) = patch.description {
        row.description = d;
    }
    if let Some(ips) = patch.permitted_ips {
        check_ips(&ips)?;
        row.permitted_ips = store::json_text(&ips)?;
    }
    if let Some(s) = patch.status.filter(|s| !s.is_empty()) {
        if s != STATUS_ACTIVE && s != STATUS_INACTIVE {
            return Err(ApiError::invalid(format!("Invalid status {s}: active or inactive")));
        }
        row.status = s;
    }
    store::projects::update_management_key_detail(&mut tx, ctx.project_id(), &row).await?;
    audit::record(&mut tx, ctx, &audit::Event::new("ManagementKeyModified", id)).await?;
    tx.commit().await?;
    registry.invalidate(ctx.project_id().as_str());
    Ok(row.into())
}

/// `POST /v1/mgmt/managementkey/delete`: deletes the named keys (unknown IDs are skipped),
/// giving how many were deleted. Deleting the key of the call itself is allowed.
pub async fn delete_management_keys(
    db: &Db,
    registry: &Projects,
    ctx: &Ctx,
    ids: &[String],
) -> ApiResult<i64> {
    if ids.is_empty() {
        return Err(ApiError::missing("ids"));
    }
    let mut tx = store::begin_immediate(db).await?;
    let mut total = 0;
    for id in ids {
        if store::projects::delete_management_key(&mut tx, ctx.project_id(), id).await? {
            total += 1;
            audit::record(&mut tx, ctx, &audit::Event::new("ManagementKeyDeleted", id)).await?;
        }
    }
    tx.commit().await?;
    registry.invalidate(ctx.project_id().as_str());
    Ok(total)
}
