//! Descope API group `flowManagement`: the project's theme, in the v2 shape
//! (`/v2/mgmt/theme/*`, go-sdk: `{styles, componentsVersion, references}`) and the v1 shape
//! python-sdk and node-sdk use (`/v1/mgmt/theme/*`: `{id, cssTemplate}`).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::flows;
use crate::dto::common::Empty;
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, MgmtAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/mgmt/theme/export" => export_v1,
        POST "/v1/mgmt/theme/import" => import_v1,
        POST "/v2/mgmt/theme/export" => export_v2,
        POST "/v2/mgmt/theme/import" => import_v2,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ThemeBody {
    theme: Value,
}

#[derive(Debug, Serialize)]
struct ThemeResponse {
    theme: Value,
}

/// POST /v2/mgmt/theme/export
async fn export_v2(State(s): State<AppState>, MgmtAuth(ctx): MgmtAuth) -> ApiResult<Json<ThemeResponse>> {
    Ok(Json(ThemeResponse { theme: flows::export_theme_v2(&s.db, &ctx).await? }))
}

/// POST /v2/mgmt/theme/import
async fn import_v2(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<ThemeBody>,
) -> ApiResult<Json<Empty>> {
    flows::import_theme_v2(&s.db, &ctx, body.theme).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/theme/export
async fn export_v1(State(s): State<AppState>, MgmtAuth(ctx): MgmtAuth) -> ApiResult<Json<ThemeResponse>> {
    Ok(Json(ThemeResponse { theme: flows::export_theme_v1(&s.db, &ctx).await? }))
}

/// POST /v1/mgmt/theme/import
async fn import_v1(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<ThemeBody>,
) -> ApiResult<Json<ThemeResponse>> {
    if body.theme.is_null() {
        return Err(crate::error::ApiError::missing("theme"));
    }
    Ok(Json(ThemeResponse { theme: flows::import_theme_v1(&s.db, &ctx, body.theme).await? }))
}
