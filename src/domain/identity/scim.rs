//! SCIM 2.0 provisioning (`/scim/v2/*`, RFC 7643/7644): an IdP (Okta, Entra ID) creates,
//! updates and removes a tenant's users and groups.
//!
//! The caller is an access key that is Tenant Admin of a tenant ([`authenticate`]); that
//! tenant is the only one a call sees and changes. A SCIM user is an ordinary user of the
//! tenant (`userName` is its first login ID) with its SCIM record beside it
//! (`store::scim`); every member of the tenant is visible. SCIM groups are the tenant's
//! external groups with `source` `scim`: through the groups mapping of the tenant's default
//! SSO configuration they grant tenant roles, computed by the same function as SSO sign-in
//! ([`sso::roles_for_groups`]) and recomputed whenever memberships, group names or the mapping
//! change ([`recompute_tenant`]).
//!
//! PUT and PATCH share one path: a PATCH applies its operations to the resource's SCIM JSON
//! ([`patch`]) and the result is stored as a PUT would store it, all in one transaction.

pub mod discovery;
pub mod filter;
pub mod patch;

use serde_json::{json, Map, Value};

use self::filter::{AttrDef, Filter, GROUP_ATTRS, USER_ATTRS};
use crate::crypto;
use crate::domain::federation::{sso, sso_login};
use crate::domain::identity::accesskeys;
use crate::domain::identity::profile::{UserProfile, UserTraits};
use crate::domain::identity::users::{self, NewUser, User, STATUS_DISABLED, STATUS_ENABLED};
use crate::domain::{audit, Ctx};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::store::scim::{MemberRow, ScimGroupRow, ScimUserRow};
use crate::store::{self, Conn, Db};

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// The role an access key needs in a tenant to provision it.
pub const TENANT_ADMIN: &str = "Tenant Admin";
/// `count` when a list names none.
pub const DEFAULT_COUNT: usize = 100;
/// The most resources a list answers at once (ServiceProviderConfig `filter.maxResults`).
pub const MAX_RESULTS: usize = 200;

/// A SCIM call: the project (with the public URL its resources' locations start with) and the
/// tenant it provisions.
#[derive(Debug, Clone)]
pub struct Scim {
    pub ctx: Ctx,
    pub tenant_id: String,
}

impl Scim {
    fn location(&self, kind: &str, id: &str) -> String {
        format!("{}/scim/v2/{kind}/{id}", self.ctx.project.public_url)
    }

    /// The `Location` of a user.
    pub fn user_location(&self, id: &str) -> String {
        self.location("Users", id)
    }

    /// The `Location` of a group.
    pub fn group_location(&self, id: &str) -> String {
        self.location("Groups", id)
    }
}

/// Verifies a SCIM bearer's access key (known, active, not expired: 401 otherwise) and picks
/// the tenant it provisions: the first of its tenants where it is Tenant Admin (403 if none).
pub async fn authenticate(db: &Db, ctx: Ctx, cleartext: &str) -> ApiResult<Scim> {
    let mut conn = db.acquire().await?;
    let key = accesskeys::verify_cleartext(&mut conn, &ctx, cleartext).await?;
    let tenant =
        key.key_tenants.iter().find(|t| t.role_names.iter().any(|r| r == TENANT_ADMIN)).ok_or_else(|| {
            ApiError::new(ErrorKind::ScimForbidden, "The access key is not a Tenant Admin of any tenant")
        })?;
    if store::tenants::get_tenant(
        &mut conn,
        ctx.scope(),
        &crate::ids::TenantId::from(tenant.tenant_id.as_str()),
    )
    .await?
    .is_none()
    {
        return Err(ApiError::new(ErrorKind::ScimForbidden, "The tenant of the access key no longer exists"));
    }
    Ok(Scim { tenant_id: tenant.tenant_id.clone(), ctx })
}

// --- times

/// Milliseconds since the epoch as RFC 3339 UTC (`2026-01-02T03:04:05Z`).
pub fn format_rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// An RFC 3339 instant (`2026-01-02T03:04:05[.123](Z|+01:00)`) as milliseconds since the epoch.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d, h, mi, sec) =
        (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut rest = &s[19..];
    let mut ms = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let f = &frac[..digits];
        ms = format!("{:0<3}", &f[..f.len().min(3)]).parse::<i64>().ok()?;
        rest = &frac[digits..];
    }
    let offset_secs = match rest {
        "Z" | "z" => 0,
        o if o.len() == 6 && (o.starts_with('+') || o.starts_with('-')) && &o[3..4] == ":" => {
            let v = o[1..3].parse::<i64>().ok()? * 3600 + o[4..6].parse::<i64>().ok()? * 60;
            if o.starts_with('-') {
                -v
            } else {
                v
            }
        }
        _ => return None,
    };
    // days_from_civil
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + h * 3600 + mi * 60 + sec - offset_secs) * 1000 + ms)
}

// --- request checks

/// Checks a body's `schemas`: missing is `invalidSyntax`, without `want` `invalidValue`.
pub fn check_schemas(body: &Value, want: &str) -> ApiResult<()> {
    let Some(schemas) = get_ci(body, "schemas") else {
        return Err(ApiError::bad_request(format!("schemas is required and must hold {want}")));
    };
    let ok = schemas
        .as_array()
        .is_some_and(|a| a.iter().any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(want))));
    if !ok {
        return Err(ApiError::invalid(format!("schemas must hold {want}")));
    }
    Ok(())
}

/// A member of a JSON object by name, case-insensitively (SCIM attribute names are).
pub fn get_ci<'v>(v: &'v Value, name: &str) -> Option<&'v Value> {
    let o = v.as_object()?;
    o.get(name)
        .or_else(|| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v))
        .filter(|v| !v.is_null())
}

fn string_at(v: &Value, name: &str) -> ApiResult<Option<String>> {
    match get_ci(v, name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
        Some(_) => Err(ApiError::invalid(format!("{name} must be a string"))),
    }
}

/// A SCIM boolean: `true`/`false`, or the strings `"True"`/`"False"` Entra sends.
pub fn scim_bool(v: &Value, name: &str) -> ApiResult<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(ApiError::invalid(format!("{name} must be a boolean"))),
    }
}

/// A multi-valued attribute (`emails`, `phoneNumbers`): objects with a string `value`.
fn multi_at(v: &Value, name: &str) -> ApiResult<Vec<Value>> {
    let items = match get_ci(v, name) {
        None => return Ok(Vec::new()),
        Some(Value::Array(a)) => a.clone(),
        Some(o @ Value::Object(_)) => vec![o.clone()],
        Some(_) => return Err(ApiError::invalid(format!("{name} must be an array"))),
    };
    let mut out = Vec::new();
    for item in items {
        let Value::Object(o) = &item else {
            return Err(ApiError::invalid(format!("{name} must hold objects")));
        };
        let mut clean = Map::new();
        for (k, val) in o {
            if val.is_null() {
                continue;
            }
            let key = ["value", "type", "primary", "display"].into_iter().find(|n| n.eq_ignore_ascii_case(k));
            match key {
                Some("primary") => {
                    clean.insert("primary".into(), Value::Bool(scim_bool(val, "primary")?));
                }
                Some(k) => {
                    let s = val
                        .as_str()
                        .ok_or_else(|| ApiError::invalid(format!("{name}.{k} must be a string")))?;
                    clean.insert(k.into(), Value::String(s.trim().to_owned()));
                }
                None => {
                    clean.insert(k.clone(), val.clone());
                }
            }
        }
        if clean.get("value").and_then(Value::as_str).is_none_or(str::is_empty) {
            continue;
        }
        out.push(Value::Object(clean));
    }
    Ok(out)
}

/// The primary (else first) value of a multi-valued attribute.
fn primary_value(items: &[Value]) -> String {
    items
        .iter()
        .find(|i| i.get("primary") == Some(&Value::Bool(true)))
        .or_else(|| items.first())
        .and_then(|i| i.get("value"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

// --- users

/// A user as a PUT (or a PATCH's result) gives it.
#[derive(Debug, Clone, Default)]
struct UserInput {
    user_name: String,
    external_id: String,
    display_name: String,
    given_name: String,
    middle_name: String,
    family_name: String,
    emails: Vec<Value>,
    phone_numbers: Vec<Value>,
    active: Option<bool>,
    /// Extension attributes by schema URN.
    attributes: Map<String, Value>,
}

fn parse_user(v: &Value) -> ApiResult<UserInput> {
    if !v.is_object() {
        return Err(ApiError::bad_request("A user must be a JSON object"));
    }
    let user_name =
        string_at(v, "userName")?.filter(|s| !s.is_empty()).ok_or_else(|| ApiError::missing("userName"))?;
    let name = match get_ci(v, "name") {
        None => Value::Object(Map::new()),
        Some(n @ Value::Object(_)) => n.clone(),
        Some(_) => return Err(ApiError::invalid("name must be an object")),
    };
    let active = get_ci(v, "active").map(|a| scim_bool(a, "active")).transpose()?;
    let mut attributes = Map::new();
    for (k, val) in v.as_object().into_iter().flatten() {
        if k.to_ascii_lowercase().starts_with("urn:") && !val.is_null() {
            if !val.is_object() {
                return Err(ApiError::invalid(format!("{k} must be an object")));
            }
            attributes.insert(k.clone(), val.clone());
        }
    }
    Ok(UserInput {
        user_name,
        external_id: string_at(v, "externalId")?.unwrap_or_default(),
        display_name: string_at(v, "displayName")?.unwrap_or_default(),
        given_name: string_at(&name, "givenName")?.unwrap_or_default(),
        middle_name: string_at(&name, "middleName")?.unwrap_or_default(),
        family_name: string_at(&name, "familyName")?.unwrap_or_default(),
        emails: multi_at(v, "emails")?,
        phone_numbers: multi_at(v, "phoneNumbers")?,
        active,
        attributes,
    })
}

/// The tenant's SCIM groups and memberships, read once per call.
struct Groups {
    groups: Vec<ScimGroupRow>,
    members: Vec<MemberRow>,
}

impl Groups {
    async fn load(conn: &mut Conn, s: &Scim) -> ApiResult<Self> {
        let scope = s.ctx.scope();
        Ok(Groups {
            groups: store::scim::list_groups(conn, scope, Some(&s.tenant_id)).await?,
            members: store::scim::all_members(conn, scope, Some(&s.tenant_id)).await?,
        })
    }

    fn of_user(&self, user_id: &str) -> Vec<&ScimGroupRow> {
        self.groups
            .iter()
            .filter(|g| self.members.iter().any(|m| m.group_id == g.id && m.user_id == user_id))
            .collect()
    }
}

fn user_json(s: &Scim, user: &User, rec: &ScimUserRow, groups: &Groups) -> Value {
    let row = &user.row;
    let mut emails: Vec<Value> = store::from_json_text(&rec.emails);
    sync_primary(&mut emails, &row.email, "work");
    let mut phones: Vec<Value> = store::from_json_text(&rec.phone_numbers);
    sync_primary(&mut phones, &row.phone, "mobile");
    let id = user.id().as_str();
    let mut schemas = vec![Value::String(USER_SCHEMA.into())];
    let mut out = json!({
        "schemas": [],
        "id": id,
        "externalId": rec.external_id,
        "userName": user.login_ids.first().cloned().unwrap_or_default(),
        "displayName": row.name,
        "name": {"givenName": row.given_name, "middleName": row.middle_name, "familyName": row.family_name},
        "emails": emails,
        "phoneNumbers": phones,
        "active": row.status != STATUS_DISABLED,
        "groups": groups.of_user(id).iter().map(|g| json!({
            "value": g.id, "display": g.display_name, "$ref": s.group_location(&g.id),
        })).collect::<Vec<_>>(),
        "meta": {
            "resourceType": "User",
            "created": format_rfc3339(row.created_ms),
            "lastModified": format_rfc3339(row.modified_ms),
            "location": s.user_location(id),
        },
    });
    let attributes: Map<String, Value> = store::from_json_text(&rec.attributes);
    for (urn, v) in attributes {
        schemas.push(Value::String(urn.clone()));
        out[urn.as_str()] = v;
    }
    out["schemas"] = Value::Array(schemas);
    out
}

/// Keeps the primary value of `emails`/`phoneNumbers` equal to the user's address (which
/// the management API may have changed), or makes one from the address.
fn sync_primary(items: &mut Vec<Value>, address: &str, kind: &str) {
    let idx = items
        .iter()
        .position(|i| i.get("primary") == Some(&Value::Bool(true)))
        .or(if items.is_empty() { None } else { Some(0) });
    match idx {
        Some(i) if !address.is_empty() => items[i]["value"] = Value::String(address.to_owned()),
        Some(i) => {
            items.remove(i);
        }
        None if !address.is_empty() => {
            items.push(json!({"value": address, "type": kind, "primary": true}));
        }
        None => {}
    }
}

/// A user of the tenant, or 404.
async fn require_user(conn: &mut Conn, s: &Scim, id: &str) -> ApiResult<User> {
    let not_found = || ApiError::not_found(format!("User {id} not found"));
    let user = users::find_by_id(conn, s.ctx.scope(), id).await?.ok_or_else(not_found)?;
    if !user.tenants.iter().any(|t| t.tenant_id == s.tenant_id) {
        return Err(not_found());
    }
    Ok(user)
}

async fn record_of(conn: &mut Conn, s: &Scim, user_id: &str) -> ApiResult<ScimUserRow> {
    Ok(store::scim::get_user(conn, s.ctx.scope(), &s.tenant_id, user_id).await?.unwrap_or_else(|| {
        ScimUserRow {
            tenant_id: s.tenant_id.clone(),
            user_id: user_id.to_owned(),
            emails: "[]".into(),
            phone_numbers: "[]".into(),
            attributes: "{}".into(),
            granted_roles: "[]".into(),
            ..ScimUserRow::default()
        }
    }))
}

async fn render_user(conn: &mut Conn, s: &Scim, id: &str) -> ApiResult<Value> {
    let user = require_user(conn, s, id).await?;
    let rec = record_of(conn, s, id).await?;
    let groups = Groups::load(conn, s).await?;
    Ok(user_json(s, &user, &rec, &groups))
}

/// Writes a user's SCIM fields (create and replace): profile, login ID, status, record.
async fn store_user(conn: &mut Conn, s: &Scim, mut user: User, input: UserInput) -> ApiResult<()> {
    let scope = s.ctx.scope();
    if user.login_ids.first() != Some(&input.user_name) {
        if let Some(other) = users::find_by_login_id(conn, scope, &input.user_name).await? {
            if other.id() != user.id() {
                return Err(ApiError::new(
                    ErrorKind::AlreadyExists,
                    format!("userName {} is taken", input.user_name),
                ));
            }
        }
        let mut ids: Vec<String> = vec![input.user_name.clone()];
        ids.extend(user.login_ids.iter().skip(1).filter(|l| **l != input.user_name).cloned());
        store::users::delete_login_ids(conn, scope, user.id()).await?;
        for (i, l) in ids.iter().enumerate() {
            store::users::insert_login_id(conn, scope, user.id(), l, i as i64).await?;
        }
    }
    let row = &mut user.row;
    let email = primary_value(&input.emails);
    if !email.eq_ignore_ascii_case(&row.email) {
        row.verified_email = !email.is_empty();
    }
    row.email = email;
    let phone = primary_value(&input.phone_numbers);
    if phone != row.phone {
        row.verified_phone = false;
    }
    row.phone = phone;
    row.given_name = input.given_name;
    row.middle_name = input.middle_name;
    row.family_name = input.family_name;
    row.name = if input.display_name.is_empty() {
        format!("{} {}", row.given_name, row.family_name).trim().to_owned()
    } else {
        input.display_name
    };
    if let Some(active) = input.active {
        row.status = if active { STATUS_ENABLED } else { STATUS_DISABLED }.into();
    }
    row.scim = true;
    row.modified_ms = s.ctx.now.millis();
    store::users::update(conn, scope, row).await?;
    let mut rec = record_of(conn, s, user.id().as_str()).await?;
    rec.external_id = input.external_id;
    rec.emails = store::json_text(&input.emails)?;
    rec.phone_numbers = store::json_text(&input.phone_numbers)?;
    rec.attributes = store::json_text(&input.attributes)?;
    store::scim::upsert_user(conn, scope, &rec).await?;
    audit::record(conn, &s.ctx, &audit::Event::for_user(audit::USER_MODIFIED, &user).method("scim")).await
}

/// `POST /scim/v2/Users`: a new user of the tenant. A `userName` that is a login ID of a user
/// of another tenant brings that user into this tenant; of a user of this tenant, 409.
pub async fn create_user(db: &Db, s: &Scim, body: &Value) -> ApiResult<(String, Value)> {
    check_schemas(body, USER_SCHEMA)?;
    let input = parse_user(body)?;
    let mut tx = store::begin_immediate(db).await?;
    let scope = s.ctx.scope();
    let user = match users::find_by_login_id(&mut tx, scope, &input.user_name).await? {
        Some(u) if u.tenants.iter().any(|t| t.tenant_id == s.tenant_id) => {
            return Err(ApiError::new(
                ErrorKind::AlreadyExists,
                format!("userName {} already exists", input.user_name),
            ));
        }
        Some(u) => {
            let mut ids: Vec<String> = u.tenants.iter().map(|t| t.tenant_id.clone()).collect();
            ids.push(s.tenant_id.clone());
            store::users::set_tenants(&mut tx, scope, u.id(), &ids).await?;
            users::find_by_id(&mut tx, scope, u.id().as_str())
                .await?
                .ok_or_else(|| ApiError::internal("user vanished"))?
        }
        None => {
            users::create(
                &mut tx,
                scope,
                s.ctx.now,
                NewUser {
                    login_ids: vec![input.user_name.clone()],
                    profile: UserProfile::default(),
                    traits: UserTraits::default(),
                    tenants: vec![(s.tenant_id.clone(), Vec::new())],
                    method: "scim".into(),
                    ..NewUser::default()
                },
            )
            .await?
        }
    };
    let id = user.id().to_string();
    let input = UserInput { active: Some(input.active.unwrap_or(true)), ..input };
    store_user(&mut tx, s, user, input).await?;
    let out = render_user(&mut tx, s, &id).await?;
    tx.commit().await?;
    Ok((id, out))
}

/// `GET /scim/v2/Users/{id}`.
pub async fn load_user(db: &Db, s: &Scim, id: &str) -> ApiResult<Value> {
    let mut conn = db.acquire().await?;
    render_user(&mut conn, s, id).await
}

/// `PUT /scim/v2/Users/{id}`: the SCIM fields are replaced (an absent `active` keeps the status).
pub async fn replace_user(db: &Db, s: &Scim, id: &str, body: &Value) -> ApiResult<Value> {
    check_schemas(body, USER_SCHEMA)?;
    let input = parse_user(body)?;
    let mut tx = store::begin_immediate(db).await?;
    let user = require_user(&mut tx, s, id).await?;
    store_user(&mut tx, s, user, input).await?;
    let out = render_user(&mut tx, s, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// `PATCH /scim/v2/Users/{id}`: the operations applied to the user's SCIM JSON, stored as a
/// replace.
pub async fn patch_user(db: &Db, s: &Scim, id: &str, body: &Value) -> ApiResult<Value> {
    let ops = patch::operations(body)?;
    let mut tx = store::begin_immediate(db).await?;
    let mut doc = render_user(&mut tx, s, id).await?;
    patch::apply(&mut doc, &ops, USER_ATTRS, &["id", "meta", "groups", "schemas"])?;
    let input = parse_user(&doc)?;
    let user = require_user(&mut tx, s, id).await?;
    store_user(&mut tx, s, user, input).await?;
    let out = render_user(&mut tx, s, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// `DELETE /scim/v2/Users/{id}`: the user leaves the tenant (its roles there, SCIM record
/// and group memberships go); a user left in no tenant is deleted.
pub async fn delete_user(db: &Db, s: &Scim, id: &str) -> ApiResult<()> {
    let mut tx = store::begin_immediate(db).await?;
    let scope = s.ctx.scope();
    let user = require_user(&mut tx, s, id).await?;
    store::scim::delete_user(&mut tx, scope, &s.tenant_id, id).await?;
    let rest: Vec<String> =
        user.tenants.iter().map(|t| t.tenant_id.clone()).filter(|t| *t != s.tenant_id).collect();
    if rest.is_empty() {
        users::delete(&mut tx, scope, id).await?;
        audit::record(&mut tx, &s.ctx, &audit::Event::for_user(audit::USER_DELETED, &user).method("scim"))
            .await?;
    } else {
        let grants: Vec<store::users::RoleGrant> = store::users::role_grants(&mut tx, scope, user.id())
            .await?
            .into_iter()
            .filter(|g| g.tenant_id != s.tenant_id)
            .collect();
        store::users::set_tenants(&mut tx, scope, user.id(), &rest).await?;
        store::users::set_role_grants(&mut tx, scope, user.id(), &grants).await?;
        audit::record(&mut tx, &s.ctx, &audit::Event::for_user(audit::USER_MODIFIED, &user).method("scim"))
            .await?;
    }
    tx.commit().await
}

/// A page of a list: 1-based `start_index` (below 1 is 1), `count` (`None`: the default; 0:
/// totals only).
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub filter: Option<String>,
    pub start_index: Option<i64>,
    pub count: Option<i64>,
    pub excluded_attributes: Vec<String>,
    pub attributes: Vec<String>,
}

fn list_response(all: Vec<Value>, q: &ListQuery, filter: Option<&Filter>) -> Value {
    let matched: Vec<Value> =
        all.into_iter().filter(|v| filter.is_none_or(|f| filter::matches(f, v))).collect();
    let start = q.start_index.unwrap_or(1).max(1) as usize;
    let count = q.count.map(|c| c.max(0) as usize).unwrap_or(DEFAULT_COUNT).min(MAX_RESULTS);
    let page: Vec<Value> = matched
        .iter()
        .skip(start - 1)
        .take(count)
        .map(|v| project(v.clone(), &q.attributes, &q.excluded_attributes))
        .collect();
    json!({
        "schemas": [LIST_SCHEMA],
        "totalResults": matched.len(),
        "startIndex": start,
        "itemsPerPage": page.len(),
        "Resources": page,
    })
}

/// Applies `attributes` / `excludedAttributes` (top-level names); `id` and `schemas` stay.
pub fn project(mut v: Value, attributes: &[String], excluded: &[String]) -> Value {
    if let Value::Object(o) = &mut v {
        let keep = |k: &str| {
            matches!(k, "id" | "schemas")
                || ((attributes.is_empty()
                    || attributes.iter().any(|a| {
                        filter::strip_urn(a).split('.').next().is_some_and(|a| a.eq_ignore_ascii_case(k))
                    }))
                    && !excluded.iter().any(|a| filter::strip_urn(a).eq_ignore_ascii_case(k)))
        };
        o.retain(|k, _| keep(k));
    }
    v
}

fn parse_filter(q: &ListQuery, attrs: &[AttrDef]) -> ApiResult<Option<Filter>> {
    q.filter.as_deref().filter(|f| !f.trim().is_empty()).map(|f| filter::parse(f, attrs)).transpose()
}

/// `GET /scim/v2/Users`: the tenant's users, oldest first, filtered and paged.
pub async fn list_users(db: &Db, s: &Scim, q: &ListQuery) -> ApiResult<Value> {
    let filter = parse_filter(q, USER_ATTRS)?;
    let mut conn = db.acquire().await?;
    let groups = Groups::load(&mut conn, s).await?;
    let mut all = Vec::new();
    for id in store::scim::tenant_user_ids(&mut conn, s.ctx.scope(), &s.tenant_id).await? {
        let Some(user) = users::find_by_id(&mut conn, s.ctx.scope(), &id).await? else { continue };
        let rec = record_of(&mut conn, s, &id).await?;
        all.push(user_json(s, &user, &rec, &groups));
    }
    Ok(list_response(all, q, filter.as_ref()))
}

// --- groups

#[derive(Debug, Clone, Default)]
struct GroupInput {
    id: Option<String>,
    display_name: String,
    external_id: String,
    /// `None`: not given.
    members: Option<Vec<String>>,
}

fn parse_group(v: &Value) -> ApiResult<GroupInput> {
    if !v.is_object() {
        return Err(ApiError::bad_request("A group must be a JSON object"));
    }
    let display_name = string_at(v, "displayName")?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::missing("displayName"))?;
    let members = match get_ci(v, "members") {
        None => None,
        Some(Value::Array(a)) => {
            let mut ids = Vec::new();
            for m in a {
                let id = get_ci(m, "value")
                    .and_then(Value::as_str)
                    .ok_or_else(|| ApiError::invalid("members must hold objects with a string value"))?;
                if !ids.iter().any(|x| x == id) {
                    ids.push(id.to_owned());
                }
            }
            Some(ids)
        }
        Some(_) => return Err(ApiError::invalid("members must be an array")),
    };
    Ok(GroupInput {
        id: string_at(v, "id")?.filter(|s| !s.is_empty()),
        display_name,
        external_id: string_at(v, "externalId")?.unwrap_or_default(),
        members,
    })
}

async fn require_group(conn: &mut Conn, s: &Scim, id: &str) -> ApiResult<ScimGroupRow> {
    store::scim::get_group(conn, s.ctx.scope(), &s.tenant_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Group {id} not found")))
}

fn group_json(s: &Scim, g: &ScimGroupRow, members: &[(String, String)]) -> Value {
    json!({
        "schemas": [GROUP_SCHEMA],
        "id": g.id,
        "externalId": g.external_id,
        "displayName": g.display_name,
        "members": members.iter().map(|(id, display)| json!({
            "value": id, "display": display, "$ref": s.user_location(id),
        })).collect::<Vec<_>>(),
        "meta": {
            "resourceType": "Group",
            "created": format_rfc3339(g.created_ms),
            "lastModified": format_rfc3339(g.modified_ms),
            "location": s.group_location(&g.id),
        },
    })
}

/// The members of a group that are users of the tenant, with their display names.
async fn members_of(conn: &mut Conn, s: &Scim, group_id: &str) -> ApiResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    for id in store::scim::members(conn, s.ctx.scope(), &s.tenant_id, group_id).await? {
        if let Some(u) = users::find_by_id(conn, s.ctx.scope(), &id).await? {
            if u.tenants.iter().any(|t| t.tenant_id == s.tenant_id) {
                out.push((id, display_of(&u)));
            }
        }
    }
    Ok(out)
}

fn display_of(u: &User) -> String {
    if u.row.name.is_empty() {
        u.login_ids.first().cloned().unwrap_or_default()
    } else {
        u.row.name.clone()
    }
}

async fn render_group(conn: &mut Conn, s: &Scim, id: &str) -> ApiResult<Value> {
    let g = require_group(conn, s, id).await?;
    let members = members_of(conn, s, id).await?;
    Ok(group_json(s, &g, &members))
}

/// The given member IDs that are users of the tenant (others are ignored), each once.
async fn known_members(conn: &mut Conn, s: &Scim, ids: &[String]) -> ApiResult<Vec<String>> {
    let tenant_users = store::scim::tenant_user_ids(conn, s.ctx.scope(), &s.tenant_id).await?;
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        if tenant_users.contains(id) && !out.contains(id) {
            out.push(id.clone());
        }
    }
    Ok(out)
}

async fn check_name_free(conn: &mut Conn, s: &Scim, name: &str, except: Option<&str>) -> ApiResult<()> {
    if let Some(g) = store::scim::group_named(conn, s.ctx.scope(), &s.tenant_id, name).await? {
        if Some(g.id.as_str()) != except {
            return Err(ApiError::new(
                ErrorKind::AlreadyExists,
                format!("A group named {name} already exists"),
            ));
        }
    }
    Ok(())
}

/// `POST /scim/v2/Groups`: a new group (a supplied `id` is kept).
pub async fn create_group(db: &Db, s: &Scim, body: &Value) -> ApiResult<(String, Value)> {
    check_schemas(body, GROUP_SCHEMA)?;
    let input = parse_group(body)?;
    let mut tx = store::begin_immediate(db).await?;
    let scope = s.ctx.scope();
    check_name_free(&mut tx, s, &input.display_name, None).await?;
    let id = input.id.unwrap_or_else(|| format!("G2{}", crypto::random_alnum(26)));
    if store::scim::get_group(&mut tx, scope, &s.tenant_id, &id).await?.is_some() {
        return Err(ApiError::new(ErrorKind::AlreadyExists, format!("Group {id} already exists")));
    }
    let now = s.ctx.now.millis();
    let row = ScimGroupRow {
        tenant_id: s.tenant_id.clone(),
        id: id.clone(),
        display_name: input.display_name,
        external_id: input.external_id,
        created_ms: now,
        modified_ms: now,
    };
    store::scim::insert_group(&mut tx, scope, &row).await?;
    let members = known_members(&mut tx, s, &input.members.unwrap_or_default()).await?;
    store::scim::set_members(&mut tx, scope, &s.tenant_id, &id, &members).await?;
    recompute(&mut tx, &s.ctx, &s.tenant_id, &members).await?;
    let out = render_group(&mut tx, s, &id).await?;
    tx.commit().await?;
    Ok((id, out))
}

/// `GET /scim/v2/Groups/{id}`.
pub async fn load_group(db: &Db, s: &Scim, id: &str) -> ApiResult<Value> {
    let mut conn = db.acquire().await?;
    render_group(&mut conn, s, id).await
}

async fn store_group(conn: &mut Conn, s: &Scim, mut row: ScimGroupRow, input: GroupInput) -> ApiResult<()> {
    let scope = s.ctx.scope();
    check_name_free(conn, s, &input.display_name, Some(&row.id)).await?;
    let before = store::scim::members(conn, scope, &s.tenant_id, &row.id).await?;
    let after = known_members(conn, s, &input.members.unwrap_or_default()).await?;
    row.display_name = input.display_name;
    row.external_id = input.external_id;
    row.modified_ms = s.ctx.now.millis();
    store::scim::update_group(conn, scope, &row).await?;
    store::scim::set_members(conn, scope, &s.tenant_id, &row.id, &after).await?;
    let mut touched = before;
    touched.extend(after);
    recompute(conn, &s.ctx, &s.tenant_id, &touched).await
}

/// `PUT /scim/v2/Groups/{id}`: name, external ID and members replaced (no `members`: none).
pub async fn replace_group(db: &Db, s: &Scim, id: &str, body: &Value) -> ApiResult<Value> {
    check_schemas(body, GROUP_SCHEMA)?;
    let input = parse_group(body)?;
    let mut tx = store::begin_immediate(db).await?;
    let row = require_group(&mut tx, s, id).await?;
    store_group(&mut tx, s, row, input).await?;
    let out = render_group(&mut tx, s, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// `PATCH /scim/v2/Groups/{id}`.
pub async fn patch_group(db: &Db, s: &Scim, id: &str, body: &Value) -> ApiResult<()> {
    let ops = patch::operations(body)?;
    let mut tx = store::begin_immediate(db).await?;
    let row = require_group(&mut tx, s, id).await?;
    let mut doc = render_group(&mut tx, s, id).await?;
    patch::apply(&mut doc, &ops, GROUP_ATTRS, &["id", "meta", "schemas"])?;
    let mut input = parse_group(&doc)?;
    input.members.get_or_insert_with(Vec::new);
    store_group(&mut tx, s, row, input).await?;
    tx.commit().await
}

/// `DELETE /scim/v2/Groups/{id}`: the group goes, and with it the roles it granted.
pub async fn delete_group(db: &Db, s: &Scim, id: &str) -> ApiResult<()> {
    let mut tx = store::begin_immediate(db).await?;
    let scope = s.ctx.scope();
    require_group(&mut tx, s, id).await?;
    let members = store::scim::members(&mut tx, scope, &s.tenant_id, id).await?;
    store::scim::delete_group(&mut tx, scope, &s.tenant_id, id).await?;
    recompute(&mut tx, &s.ctx, &s.tenant_id, &members).await?;
    tx.commit().await
}

/// `GET /scim/v2/Groups`.
pub async fn list_groups(db: &Db, s: &Scim, q: &ListQuery) -> ApiResult<Value> {
    let filter = parse_filter(q, GROUP_ATTRS)?;
    let mut conn = db.acquire().await?;
    let mut all = Vec::new();
    for g in store::scim::list_groups(&mut conn, s.ctx.scope(), Some(&s.tenant_id)).await? {
        let members = members_of(&mut conn, s, &g.id).await?;
        all.push(group_json(s, &g, &members));
    }
    Ok(list_response(all, q, filter.as_ref()))
}

// --- groups to roles

/// Recomputes the tenant roles the tenant's SCIM groups grant to these users: the roles of
/// the default SSO configuration's groups mapping whose groups name (by display name) a group
/// the user is in, through [`sso::roles_for_groups`] (no default SSO roles). Roles granted
/// before and no longer due are taken back; roles the user has otherwise stay.
pub async fn recompute(conn: &mut Conn, ctx: &Ctx, tenant_id: &str, user_ids: &[String]) -> ApiResult<()> {
    if user_ids.is_empty() {
        return Ok(());
    }
    let scope = ctx.scope();
    let view = sso::load_in(conn, ctx, tenant_id, "").await?;
    let (mappings, _) = view.mapping();
    let groups = store::scim::list_groups(conn, scope, Some(tenant_id)).await?;
    let memberships = store::scim::all_members(conn, scope, Some(tenant_id)).await?;
    let mut done: Vec<&String> = Vec::new();
    for uid in user_ids {
        if done.contains(&uid) {
            continue;
        }
        done.push(uid);
        let Some(user) = users::find_by_id(conn, scope, uid).await? else { continue };
        let Some(current) = user.tenants.iter().find(|t| t.tenant_id == tenant_id).map(|t| t.roles.clone())
        else {
            continue;
        };
        let names: Vec<String> = groups
            .iter()
            .filter(|g| memberships.iter().any(|m| m.group_id == g.id && &m.user_id == uid))
            .map(|g| g.display_name.clone())
            .collect();
        let due = sso::roles_for_groups(mappings, &[], &names);
        let mut rec =
            store::scim::get_user(conn, scope, tenant_id, uid).await?.unwrap_or_else(|| ScimUserRow {
                tenant_id: tenant_id.to_owned(),
                user_id: uid.clone(),
                emails: "[]".into(),
                phone_numbers: "[]".into(),
                attributes: "{}".into(),
                granted_roles: "[]".into(),
                ..ScimUserRow::default()
            });
        let granted_before: Vec<String> = store::from_json_text(&rec.granted_roles);
        let own: Vec<String> = current.iter().filter(|r| !granted_before.contains(r)).cloned().collect();
        let granted: Vec<String> = due.iter().filter(|r| !own.contains(r)).cloned().collect();
        let mut roles = own;
        roles.extend(granted.iter().cloned());
        let (mut sorted, mut before) = (roles.clone(), current.clone());
        sorted.sort();
        before.sort();
        if sorted != before {
            sso_login::set_tenant_roles(conn, scope, &user, tenant_id, &roles).await?;
        }
        if granted != granted_before {
            rec.granted_roles = store::json_text(&granted)?;
            store::scim::upsert_user(conn, scope, &rec).await?;
        }
    }
    Ok(())
}

/// [`recompute`] for every user of the tenant's SCIM groups or holding roles they granted:
/// after the default SSO configuration's mapping changed.
pub async fn recompute_tenant(conn: &mut Conn, ctx: &Ctx, tenant_id: &str) -> ApiResult<()> {
    let scope = ctx.scope();
    let mut ids: Vec<String> = store::scim::all_members(conn, scope, Some(tenant_id))
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    ids.extend(
        store::scim::list_users(conn, scope)
            .await?
            .into_iter()
            .filter(|r| r.tenant_id == tenant_id && r.granted_roles != "[]")
            .map(|r| r.user_id),
    );
    recompute(conn, ctx, tenant_id, &ids).await
}

/// The tenant's SCIM groups as `/v1/mgmt/group/*` shows them (`source` `scim`, default SSO
/// configuration).
pub async fn external_groups(
    conn: &mut Conn,
    ctx: &Ctx,
    tenant_id: &str,
) -> ApiResult<Vec<sso_login::Group>> {
    let scope = ctx.scope();
    let memberships = store::scim::all_members(conn, scope, Some(tenant_id)).await?;
    let mut out = Vec::new();
    for g in store::scim::list_groups(conn, scope, Some(tenant_id)).await? {
        let mut members = Vec::new();
        for m in memberships.iter().filter(|m| m.group_id == g.id) {
            let Some(u) = users::find_by_id(conn, scope, &m.user_id).await? else { continue };
            if !u.tenants.iter().any(|t| t.tenant_id == tenant_id) {
                continue;
            }
            members.push(sso_login::GroupMember {
                login_id: u.login_ids.first().cloned().unwrap_or_default(),
                user_id: m.user_id.clone(),
                display: if u.row.name.is_empty() { u.row.email.clone() } else { u.row.name.clone() },
            });
        }
        out.push(sso_login::Group {
            id: g.id,
            display: g.display_name,
            source: "scim".into(),
            sso_id: String::new(),
            members,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trips() {
        for ms in [0_i64, 1_767_323_045_000, 951_782_400_000, 4_102_444_799_000] {
            assert_eq!(parse_rfc3339(&format_rfc3339(ms)), Some(ms), "{ms}");
        }
        assert_eq!(format_rfc3339(1_767_323_045_000), "2026-01-02T03:04:05Z");
        assert_eq!(parse_rfc3339("2026-01-02T04:04:05.5+01:00"), Some(1_767_323_045_500));
        assert_eq!(parse_rfc3339("2026-13-02T04:04:05Z"), None);
        assert_eq!(parse_rfc3339("yesterday"), None);
    }

    #[test]
    fn projection_keeps_id_and_schemas() {
        let v = json!({"schemas": [], "id": "G", "displayName": "x", "members": []});
        assert_eq!(
            project(v.clone(), &[], &["members".into()]),
            json!({"schemas": [], "id": "G", "displayName": "x"})
        );
        assert_eq!(
            project(v, &["displayName".into()], &[]),
            json!({"schemas": [], "id": "G", "displayName": "x"})
        );
    }
}
