//! The audit trail: [`record`] appends one event inside the caller's transaction (sign-ups in
//! `users::create`, sign-ins, logouts, management writes of users, tenants, roles,
//! permissions, access and management keys, impersonation, `POST /v1/mgmt/audit/event`);
//! [`record_detached`] writes failures (wrong code or password, refused refresh) in a short
//! transaction of their own. [`search`] answers `POST /v1/mgmt/audit/search` and
//! [`analytics`] `POST /v1/mgmt/analytics/search`.

use serde_json::{Map, Value};

use crate::clock::UnixTime;
use crate::domain::identity::users::{self, User};
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids::Scope;
use crate::store::Db;
use crate::store::{self, audit::AuditRow, Conn};

/// `action` of a successful sign-in, as Descope names it.
pub const LOGIN_SUCCEED: &str = "LoginSucceed";
/// A failed sign-in (wrong code or password); Descope types it `warn` and puts the reason in
/// `data.error_message` (docs.descope.com/audit-trails-and-integrations/audit-events).
pub const LOGIN_FAILED: &str = "LoginFailed";
/// A user created, by sign-up or management (Descope's audit-events list); for
/// self-registration the actor is the user.
pub const USER_CREATED: &str = "UserCreated";
pub const USER_DELETED: &str = "UserDeleted";
pub const USER_MODIFIED: &str = "UserModified";
// Not in Descope's published list (which has `UserRefresh` only in verbose mode): the names
// below are the emulator's guesses, in Descope's naming style.
/// `POST /v1/auth/logout`, `/logoutall` and `POST /v1/mgmt/user/logout` (guess).
pub const LOGOUT: &str = "Logout";
/// A refresh with an invalid, expired or logged-out refresh JWT (guess).
pub const REFRESH_FAILED: &str = "RefreshFailed";
/// Tenant and role writes (guesses, after Descope's `PermissionCreated`/`Modified`/`Deleted`).
pub const TENANT_CREATED: &str = "TenantCreated";
pub const TENANT_MODIFIED: &str = "TenantModified";
pub const TENANT_DELETED: &str = "TenantDeleted";
pub const ROLE_CREATED: &str = "RoleCreated";
pub const ROLE_MODIFIED: &str = "RoleModified";
pub const ROLE_DELETED: &str = "RoleDeleted";
/// Permission writes, as Descope names them; `data.permission_id` names the permission.
pub const PERMISSION_CREATED: &str = "PermissionCreated";
pub const PERMISSION_MODIFIED: &str = "PermissionModified";
pub const PERMISSION_DELETED: &str = "PermissionDeleted";

/// One audit event before it is stored; empty fields are stored empty.
#[derive(Debug, Clone, Default)]
pub struct Event {
    pub action: String,
    /// `info`, `warn` or `error`; empty means `info`.
    pub kind: String,
    pub user_id: String,
    pub actor_id: String,
    pub method: String,
    pub device: String,
    pub geo: String,
    pub remote_address: String,
    /// Login IDs of the user concerned.
    pub external_ids: Vec<String>,
    pub tenants: Vec<String>,
    pub data: Map<String, Value>,
}

impl Event {
    /// An `info` event with an action, done by an actor.
    pub fn new(action: &str, actor_id: &str) -> Self {
        Event { action: action.into(), actor_id: actor_id.into(), ..Event::default() }
    }

    /// An event about a user: their ID, login IDs (`externalIds`) and tenants; the actor is
    /// the user.
    pub fn for_user(action: &str, user: &User) -> Self {
        Event {
            action: action.into(),
            user_id: user.id().to_string(),
            actor_id: user.id().to_string(),
            external_ids: user.login_ids.clone(),
            tenants: user.tenants.iter().map(|t| t.tenant_id.clone()).collect(),
            ..Event::default()
        }
    }

    /// Sets `method`.
    pub fn method(mut self, method: &str) -> Self {
        self.method = method.to_owned();
        self
    }

    /// Adds one `data` entry.
    pub fn data(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.data.insert(key.to_owned(), value.into());
        self
    }
}

/// A stored event, as search returns it.
#[derive(Debug, Clone)]
pub struct Record {
    pub occurred_ms: i64,
    pub event: Event,
}

/// Appends an event (one INSERT, in the caller's transaction).
pub async fn record(conn: &mut Conn, ctx: &Ctx, e: &Event) -> ApiResult<()> {
    record_at(conn, ctx.scope(), ctx.now, e).await
}

/// [`record`] for callers that have the project and time but no [`Ctx`].
pub async fn record_at(conn: &mut Conn, scope: &Scope, now: UnixTime, e: &Event) -> ApiResult<()> {
    let row = AuditRow {
        occurred_ms: now.millis(),
        action: e.action.clone(),
        kind: if e.kind.is_empty() { "info".into() } else { e.kind.clone() },
        user_id: e.user_id.clone(),
        actor_id: e.actor_id.clone(),
        method: e.method.clone(),
        device: e.device.clone(),
        geo: e.geo.clone(),
        remote_address: e.remote_address.clone(),
        external_ids: store::json_text(&e.external_ids)?,
        tenants: store::json_text(&e.tenants)?,
        data: store::json_text(&e.data)?,
    };
    store::audit::insert(conn, scope, &row).await
}

/// Records an event in a short transaction of its own, for failures whose main transaction
/// does not commit (wrong code or password, refused refresh).
pub async fn record_detached(db: &Db, ctx: &Ctx, e: &Event) -> ApiResult<()> {
    let mut tx = store::begin_immediate(db).await?;
    record(&mut tx, ctx, e).await?;
    tx.commit().await?;
    Ok(())
}

/// Records `LoginFailed` for the user `login_id` names (when one exists) if `result` is a
/// refused sign-in, and gives `result` back unchanged. Internal errors are not sign-in
/// failures and are not recorded.
pub async fn on_login_failure<T>(
    db: &Db,
    ctx: &Ctx,
    login_id: &str,
    method: &str,
    result: ApiResult<T>,
) -> ApiResult<T> {
    let Err(err) = &result else { return result };
    if err.kind == ErrorKind::Internal {
        return result;
    }
    let mut event =
        Event::new(LOGIN_FAILED, login_id.trim()).method(method).data("error_message", err.message.clone());
    event.kind = "warn".into();
    event.external_ids = vec![login_id.trim().to_owned()];
    {
        let mut conn = db.acquire().await?;
        if let Some(user) = users::find_by_login_or_user_id(&mut conn, ctx.scope(), login_id.trim()).await? {
            event.user_id = user.id().to_string();
            event.external_ids = user.login_ids.clone();
            event.tenants = user.tenants.iter().map(|t| t.tenant_id.clone()).collect();
        }
    }
    record_detached(db, ctx, &event).await?;
    result
}

/// `POST /v1/mgmt/audit/event`: an event the application reports itself.
pub async fn create_event(db: &Db, ctx: &Ctx, e: Event) -> ApiResult<()> {
    if e.action.is_empty() {
        return Err(ApiError::missing("action"));
    }
    if !["info", "warn", "error"].contains(&e.kind.as_str()) {
        return Err(ApiError::invalid(format!("Invalid audit type '{}': info, warn or error", e.kind)));
    }
    if e.actor_id.is_empty() {
        return Err(ApiError::missing("actorId"));
    }
    if e.tenants.iter().all(String::is_empty) {
        return Err(ApiError::missing("tenantId"));
    }
    let mut tx = store::begin_immediate(db).await?;
    record(&mut tx, ctx, &e).await?;
    tx.commit().await?;
    Ok(())
}

/// The filters of `POST /v1/mgmt/audit/search`; empty lists do not filter.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub user_ids: Vec<String>,
    pub actions: Vec<String>,
    pub excluded_actions: Vec<String>,
    pub devices: Vec<String>,
    pub methods: Vec<String>,
    pub geos: Vec<String>,
    pub remote_addresses: Vec<String>,
    pub external_ids: Vec<String>,
    pub tenants: Vec<String>,
    pub actor_ids: Vec<String>,
    pub no_tenants: bool,
    pub text: String,
    /// Unix ms; `None` (or ≤ 0 on the wire) is no bound.
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    /// Page size (0 means 100) and page number from 0.
    pub size: i64,
    pub page: i64,
}

fn any_in(wanted: &[String], value: &str) -> bool {
    wanted.is_empty() || wanted.iter().any(|w| w == value)
}

impl Search {
    fn matches(&self, e: &Event) -> bool {
        let text = self.text.to_lowercase();
        any_in(&self.user_ids, &e.user_id)
            && any_in(&self.actions, &e.action)
            && !self.excluded_actions.contains(&e.action)
            && any_in(&self.devices, &e.device)
            && any_in(&self.methods, &e.method)
            && any_in(&self.geos, &e.geo)
            && any_in(&self.remote_addresses, &e.remote_address)
            && any_in(&self.actor_ids, &e.actor_id)
            && (self.external_ids.is_empty() || e.external_ids.iter().any(|x| self.external_ids.contains(x)))
            && (self.tenants.is_empty() || e.tenants.iter().any(|t| self.tenants.contains(t)))
            && (!self.no_tenants || e.tenants.is_empty())
            && (text.is_empty()
                || [&e.action, &e.user_id, &e.actor_id, &e.method, &e.device, &e.geo, &e.remote_address]
                    .iter()
                    .any(|f| f.to_lowercase().contains(&text))
                || e.external_ids.iter().any(|x| x.to_lowercase().contains(&text)))
    }
}

/// `POST /v1/mgmt/audit/search`: one page of matching events, newest first, and the number
/// of all matches.
pub async fn search(db: &Db, ctx: &Ctx, q: &Search) -> ApiResult<(Vec<Record>, usize)> {
    let mut conn = db.acquire().await?;
    let rows = store::audit::list_between(&mut conn, ctx.scope(), q.from_ms, q.to_ms).await?;
    drop(conn);
    let all: Vec<Record> = rows
        .into_iter()
        .map(|r| Record {
            occurred_ms: r.occurred_ms,
            event: Event {
                action: r.action,
                kind: r.kind,
                user_id: r.user_id,
                actor_id: r.actor_id,
                method: r.method,
                device: r.device,
                geo: r.geo,
                remote_address: r.remote_address,
                external_ids: store::from_json_text(&r.external_ids),
                tenants: store::from_json_text(&r.tenants),
                data: store::from_json_text(&r.data),
            },
        })
        .filter(|r| q.matches(&r.event))
        .collect();
    let total = all.len();
    let size = if q.size <= 0 { 100 } else { q.size } as usize;
    let page = q.page.max(0) as usize;
    let records = all.into_iter().skip(page.saturating_mul(size)).take(size).collect();
    Ok((records, total))
}

/// The filters and grouping of `POST /v1/mgmt/analytics/search`; empty lists do not filter.
#[derive(Debug, Clone, Default)]
pub struct AnalyticsQuery {
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub actions: Vec<String>,
    pub excluded_actions: Vec<String>,
    pub devices: Vec<String>,
    pub methods: Vec<String>,
    pub geos: Vec<String>,
    pub tenants: Vec<String>,
    pub group_by_action: bool,
    pub group_by_device: bool,
    pub group_by_method: bool,
    pub group_by_geo: bool,
    pub group_by_tenant: bool,
    pub group_by_referrer: bool,
    /// Time bucket: `minute`, `hour`, `day`, `week`, `month`, `year`; empty is one bucket.
    pub group_by_created: String,
}

/// One row of the analytics answer: the count of events sharing the grouped dimensions
/// (dimensions not grouped by are empty) and time bucket (its start, Unix ms).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Analytic {
    pub created_ms: Option<i64>,
    pub action: String,
    pub device: String,
    pub method: String,
    pub geo: String,
    pub tenant: String,
    pub referrer: String,
    pub cnt: u64,
}

/// Days since 1970-01-01 to (year, month) (Howard Hinnant's `civil_from_days`).
fn year_month(days: i64) -> (i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m)
}

/// (year, month) to days since 1970-01-01 of its first day (`days_from_civil`).
fn first_day(y: i64, m: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The start (Unix ms, UTC) of the bucket `ms` falls in; weeks start on Monday.
fn bucket_start(unit: &str, ms: i64) -> ApiResult<i64> {
    const DAY: i64 = 86_400_000;
    let days = ms.div_euclid(DAY);
    Ok(match unit {
        "minute" => ms - ms.rem_euclid(60_000),
        "hour" => ms - ms.rem_euclid(3_600_000),
        "day" => days * DAY,
        // 1970-01-01 was a Thursday: shift by 3 days so weeks start on Monday.
        "week" => ((days + 3).div_euclid(7) * 7 - 3) * DAY,
        "month" => {
            let (y, m) = year_month(days);
            first_day(y, m) * DAY
        }
        "year" => first_day(year_month(days).0, 1) * DAY,
        other => {
            return Err(ApiError::invalid(format!(
                "Invalid groupByCreated '{other}': minute, hour, day, week, month or year"
            )))
        }
    })
}

/// `POST /v1/mgmt/analytics/search`: counts of the matching audit events, grouped by the
/// requested dimensions and time bucket, oldest bucket first.
pub async fn analytics(db: &Db, ctx: &Ctx, q: &AnalyticsQuery) -> ApiResult<Vec<Analytic>> {
    let unit = q.group_by_created.trim().to_lowercase();
    if !unit.is_empty() {
        bucket_start(&unit, 0)?;
    }
    let search = Search {
        actions: q.actions.clone(),
        excluded_actions: q.excluded_actions.clone(),
        devices: q.devices.clone(),
        methods: q.methods.clone(),
        geos: q.geos.clone(),
        tenants: q.tenants.clone(),
        ..Search::default()
    };
    let mut conn = db.acquire().await?;
    let rows = store::audit::list_between(&mut conn, ctx.scope(), q.from_ms, q.to_ms).await?;
    drop(conn);
    let mut counts: std::collections::BTreeMap<Analytic, u64> = std::collections::BTreeMap::new();
    let pick = |on: bool, v: &str| if on { v.to_owned() } else { String::new() };
    for r in rows {
        let tenants: Vec<String> = store::from_json_text(&r.tenants);
        let event = Event {
            action: r.action,
            device: r.device,
            method: r.method,
            geo: r.geo,
            tenants: tenants.clone(),
            ..Event::default()
        };
        if !search.matches(&event) {
            continue;
        }
        let created_ms = if unit.is_empty() { None } else { Some(bucket_start(&unit, r.occurred_ms)?) };
        // Grouped by tenant, an event counts once for each of its tenants (the filtered ones
        // when a tenant filter is given).
        let tenant_keys: Vec<String> = if !q.group_by_tenant || tenants.is_empty() {
            vec![String::new()]
        } else {
            tenants.into_iter().filter(|t| q.tenants.is_empty() || q.tenants.contains(t)).collect()
        };
        for tenant in tenant_keys {
            let key = Analytic {
                created_ms,
                action: pick(q.group_by_action, &event.action),
                device: pick(q.group_by_device, &event.device),
                method: pick(q.group_by_method, &event.method),
                geo: pick(q.group_by_geo, &event.geo),
                tenant,
                // The emulator records no referrer; grouping by it yields one empty group.
                referrer: String::new(),
                cnt: 0,
            };
            *counts.entry(key).or_default() += 1;
        }
    }
    Ok(counts.into_iter().map(|(k, cnt)| Analytic { cnt, ..k }).collect())
}

#[cfg(test)]
mod tests {
    use super::bucket_start;

    #[test]
    fn buckets() {
        // 2024-03-15T13:45:30.123Z
        let t = 1_710_510_330_123;
        assert_eq!(bucket_start("hour", t).unwrap(), 1_710_507_600_000);
        assert_eq!(bucket_start("day", t).unwrap(), 1_710_460_800_000);
        // Monday 2024-03-11
        assert_eq!(bucket_start("week", t).unwrap(), 1_710_115_200_000);
        // 2024-03-01
        assert_eq!(bucket_start("month", t).unwrap(), 1_709_251_200_000);
        // 2024-01-01
        assert_eq!(bucket_start("year", t).unwrap(), 1_704_067_200_000);
        assert!(bucket_start("fortnight", t).is_err());
    }
}
