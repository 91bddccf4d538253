//! Descope API group `passwordManagement`: the password policy of the project, or with a
//! `tenantId` the tenant's own (stored on the tenant; sign-up and sign-in enforce the
//! project's, see docs/COMPATIBILITY.md).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::domain::authn::password::{self, PasswordSettings};
use crate::dto::common::Empty;
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, DescopeQuery, MgmtAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        GET "/v1/mgmt/password/settings" => get_settings,
        POST "/v1/mgmt/password/settings" => configure,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct TenantQuery {
    tenant_id: String,
}

/// `GetPasswordSettingsResponse`: the policy plus the tenant asked about.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SettingsResponse {
    #[serde(flatten)]
    settings: PasswordSettings,
    tenant_id: String,
}

/// `ConfigurePasswordSettingsRequest`: only the given fields change.
#[derive(Debug, Default, Deserialize)]
#[serde(transparent)]
struct ConfigureBody(Map<String, Value>);

/// GET /v1/mgmt/password/settings
/// The project's password policy, or with `tenantId` the tenant's (the project's until the
/// tenant has its own).
async fn get_settings(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<TenantQuery>,
) -> ApiResult<Json<SettingsResponse>> {
    let settings = if q.tenant_id.is_empty() {
        password::policy(&ctx)
    } else {
        password::tenant_policy(&s.db, &ctx, &q.tenant_id).await?
    };
    Ok(Json(SettingsResponse { settings, tenant_id: q.tenant_id }))
}

/// POST /v1/mgmt/password/settings
/// Changes the given fields of the project's password policy, or with a `tenantId` of that
/// tenant's own.
async fn configure(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(mut b): DescopeJson<ConfigureBody>,
) -> ApiResult<Json<Empty>> {
    match b.0.remove("tenantId") {
        Some(Value::String(tenant_id)) if !tenant_id.is_empty() => {
            password::configure_tenant(&s.db, &ctx, &tenant_id, b.0).await?;
        }
        _ => {
            password::configure(&s.db, &s.projects, &ctx, b.0).await?;
        }
    }
    Ok(Json(Empty {}))
}
