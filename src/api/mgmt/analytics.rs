//! Descope API group `auditManagement`: analytics, the audit trail summarised.
//!
//! `POST /v1/mgmt/analytics/search` counts the audit events matching the filters, grouped by
//! the `groupBy*` dimensions and by `groupByCreated` time buckets. `from`/`to` are Unix ms,
//! as strings (OpenAPI) or numbers; values ≤ 0 mean no bound. Each `Analytic` carries its
//! `cnt` and bucket start (`created`) as strings of integers, like the OpenAPI's `Analytic`;
//! dimensions not grouped by are empty strings. Guesses: the `groupByCreated` values
//! (`minute`, `hour`, `day`, `week`, `month`, `year`; empty means one bucket, `created` empty)
//! and UTC buckets with Monday weeks. The emulator records no referrer, so `referrer` is empty.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::domain::audit::{self, Analytic, AnalyticsQuery};
use crate::dto::accesskey::lenient_i64;
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, MgmtAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/mgmt/analytics/search" => search,
    }
}

/// `SearchAnalyticsRequest`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct SearchAnalyticsRequest {
    #[serde(deserialize_with = "lenient_i64")]
    from: i64,
    #[serde(deserialize_with = "lenient_i64")]
    to: i64,
    actions: Vec<String>,
    excluded_actions: Vec<String>,
    devices: Vec<String>,
    methods: Vec<String>,
    geos: Vec<String>,
    tenants: Vec<String>,
    group_by_action: bool,
    group_by_device: bool,
    group_by_method: bool,
    group_by_geo: bool,
    group_by_tenant: bool,
    group_by_referrer: bool,
    group_by_created: String,
}

/// `Analytic`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct AnalyticDto {
    project_id: String,
    action: String,
    /// Start of the time bucket, Unix ms as a string; empty without `groupByCreated`.
    created: String,
    device: String,
    method: String,
    geo: String,
    tenant: String,
    /// The count, as a string (OpenAPI).
    cnt: String,
    referrer: String,
}

/// `SearchAnalyticsResponse`.
#[derive(Debug, Clone, Serialize)]
struct SearchAnalyticsResponse {
    analytics: Vec<AnalyticDto>,
}

fn analytic(project_id: &str, a: Analytic) -> AnalyticDto {
    AnalyticDto {
        project_id: project_id.to_owned(),
        action: a.action,
        created: a.created_ms.map(|c| c.to_string()).unwrap_or_default(),
        device: a.device,
        method: a.method,
        geo: a.geo,
        tenant: a.tenant,
        cnt: a.cnt.to_string(),
        referrer: a.referrer,
    }
}

/// POST /v1/mgmt/analytics/search
/// Counts of the matching audit events by the requested dimensions and time buckets.
async fn search(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<SearchAnalyticsRequest>,
) -> ApiResult<Json<SearchAnalyticsResponse>> {
    let q = AnalyticsQuery {
        from_ms: Some(b.from).filter(|f| *f > 0),
        to_ms: Some(b.to).filter(|t| *t > 0),
        actions: b.actions,
        excluded_actions: b.excluded_actions,
        devices: b.devices,
        methods: b.methods,
        geos: b.geos,
        tenants: b.tenants,
        group_by_action: b.group_by_action,
        group_by_device: b.group_by_device,
        group_by_method: b.group_by_method,
        group_by_geo: b.group_by_geo,
        group_by_tenant: b.group_by_tenant,
        group_by_referrer: b.group_by_referrer,
        group_by_created: b.group_by_created,
    };
    let rows = audit::analytics(&s.db, &ctx, &q).await?;
    let analytics = rows.into_iter().map(|a| analytic(ctx.project_id().as_str(), a)).collect();
    Ok(Json(SearchAnalyticsResponse { analytics }))
}
