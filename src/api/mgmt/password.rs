//! Descope API group `passwordManagement`: the project's password policy.
//!
//! The policy is project-wide; a `tenantId` is accepted and echoed, but tenants have no
//! policy of their own in the emulator.

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
/// The password policy.
async fn get_settings(
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<TenantQuery>,
) -> ApiResult<Json<SettingsResponse>> {
    Ok(Json(SettingsResponse { settings: password::policy(&ctx), tenant_id: q.tenant_id }))
}

/// POST /v1/mgmt/password/settings
/// Changes the given fields of the password policy.
async fn configure(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<ConfigureBody>,
) -> ApiResult<Json<Empty>> {
    password::configure(&s.db, &s.projects, &ctx, b.0).await?;
    Ok(Json(Empty {}))
}
