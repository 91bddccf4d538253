//! Descope API group `auditManagement`: search the audit trail and report an event.
//!
//! `from`/`to` are Unix ms; values ≤ 0 mean no bound (Go sends its zero time). `occurred` is a
//! string of Unix ms (Go parses it as one).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::domain::audit::{self, Event, Record, Search};
use crate::dto::accesskey::lenient_i64;
use crate::dto::common::Empty;
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, MgmtAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/mgmt/audit/event" => create_event,
        POST "/v1/mgmt/audit/search" => search,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct SearchBody {
    user_ids: Vec<String>,
    actions: Vec<String>,
    excluded_actions: Vec<String>,
    devices: Vec<String>,
    methods: Vec<String>,
    geos: Vec<String>,
    remote_addresses: Vec<String>,
    external_ids: Vec<String>,
    tenants: Vec<String>,
    actor_ids: Vec<String>,
    no_tenants: bool,
    text: String,
    #[serde(deserialize_with = "lenient_i64")]
    from: i64,
    #[serde(deserialize_with = "lenient_i64")]
    to: i64,
    #[serde(deserialize_with = "lenient_i64")]
    size: i64,
    #[serde(deserialize_with = "lenient_i64")]
    page: i64,
}

/// `Audit`: one record of the search answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct AuditRecord {
    project_id: String,
    user_id: String,
    action: String,
    /// Unix ms as a string.
    occurred: String,
    device: String,
    method: String,
    geo: String,
    remote_address: String,
    external_ids: Vec<String>,
    tenants: Vec<String>,
    data: Map<String, Value>,
    #[serde(rename = "type")]
    kind: String,
    actor_id: String,
}

#[derive(Debug, Clone, Serialize)]
struct SearchAuditResponse {
    audits: Vec<AuditRecord>,
    total: usize,
}

fn record(project_id: &str, r: Record) -> AuditRecord {
    let e = r.event;
    AuditRecord {
        project_id: project_id.to_owned(),
        user_id: e.user_id,
        action: e.action,
        occurred: r.occurred_ms.to_string(),
        device: e.device,
        method: e.method,
        geo: e.geo,
        remote_address: e.remote_address,
        external_ids: e.external_ids,
        tenants: e.tenants,
        data: e.data,
        kind: e.kind,
        actor_id: e.actor_id,
    }
}

/// POST /v1/mgmt/audit/search
/// Audit events matching every given filter, newest first, with the count of all matches.
async fn search(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<SearchBody>,
) -> ApiResult<Json<SearchAuditResponse>> {
    let q = Search {
        user_ids: b.user_ids,
        actions: b.actions,
        excluded_actions: b.excluded_actions,
        devices: b.devices,
        methods: b.methods,
        geos: b.geos,
        remote_addresses: b.remote_addresses,
        external_ids: b.external_ids,
        tenants: b.tenants,
        actor_ids: b.actor_ids,
        no_tenants: b.no_tenants,
        text: b.text,
        from_ms: Some(b.from).filter(|f| *f > 0),
        to_ms: Some(b.to).filter(|t| *t > 0),
        size: b.size,
        page: b.page,
    };
    let (records, total) = audit::search(&s.db, &ctx, &q).await?;
    let audits = records.into_iter().map(|r| record(ctx.project_id().as_str(), r)).collect();
    Ok(Json(SearchAuditResponse { audits, total }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct CreateEventBody {
    action: String,
    #[serde(rename = "type")]
    kind: String,
    actor_id: String,
    tenant_id: String,
    user_id: String,
    data: Map<String, Value>,
}

/// POST /v1/mgmt/audit/event
/// Records an event the application reports (`type` info, warn or error).
async fn create_event(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<CreateEventBody>,
) -> ApiResult<Json<Empty>> {
    let event = Event {
        action: b.action,
        kind: b.kind,
        actor_id: b.actor_id,
        user_id: b.user_id,
        tenants: vec![b.tenant_id],
        data: b.data,
        ..Event::default()
    };
    audit::create_event(&s.db, &ctx, event).await?;
    Ok(Json(Empty {}))
}
