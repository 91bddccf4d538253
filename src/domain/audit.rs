//! The audit trail: [`record`] appends one event inside the caller's transaction (sign-ins,
//! access-key and management-key writes, impersonation, `POST /v1/mgmt/audit/event`);
//! [`search`] answers `POST /v1/mgmt/audit/search`.

use serde_json::{Map, Value};

use super::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{self, audit::AuditRow, Conn};

/// `action` of a successful sign-in, as Descope names it.
pub const LOGIN_SUCCEED: &str = "LoginSucceed";

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
}

/// A stored event, as search returns it.
#[derive(Debug, Clone)]
pub struct Record {
    pub occurred_ms: i64,
    pub event: Event,
}

/// Appends an event (one INSERT, in the caller's transaction).
pub async fn record(conn: &mut Conn, ctx: &Ctx, e: &Event) -> ApiResult<()> {
    let row = AuditRow {
        occurred_ms: ctx.now.millis(),
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
    store::audit::insert(conn, ctx.project_id(), &row).await
}

/// `POST /v1/mgmt/audit/event`: an event the application reports itself.
pub async fn create_event(state: &AppState, ctx: &Ctx, e: Event) -> ApiResult<()> {
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
    let mut tx = store::begin_immediate(&state.db).await?;
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
pub async fn search(state: &AppState, ctx: &Ctx, q: &Search) -> ApiResult<(Vec<Record>, usize)> {
    let mut conn = state.db.acquire().await?;
    let rows = store::audit::list_between(&mut conn, ctx.project_id(), q.from_ms, q.to_ms).await?;
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
