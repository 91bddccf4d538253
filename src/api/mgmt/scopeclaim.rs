//! The project's scope→claim mappings (SDK-only routes, not in the OpenAPI): get, set (replace
//! all) and delete; bodies may be empty. See [`crate::domain::apps::mappings`].

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::domain::apps::mappings::{self, Mapping};
use crate::dto::common::Empty;
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, MgmtAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/mgmt/scopeClaimMapping/delete" => delete,
        POST "/v1/mgmt/scopeClaimMapping/get" => get,
        POST "/v1/mgmt/scopeClaimMapping/set" => set,
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct Mappings {
    mappings: Vec<Mapping>,
}

/// POST /v1/mgmt/scopeClaimMapping/get
/// Every mapping: `{mappings: [{scope, claims, description}]}`.
async fn get(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(_): DescopeJson<Empty>,
) -> ApiResult<Json<Mappings>> {
    Ok(Json(Mappings { mappings: mappings::get(&s.db, &ctx).await? }))
}

/// POST /v1/mgmt/scopeClaimMapping/set
/// Replaces every mapping.
async fn set(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<Mappings>,
) -> ApiResult<Json<Empty>> {
    mappings::set(&s.db, &ctx, b.mappings).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/scopeClaimMapping/delete
/// Deletes every mapping.
async fn delete(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(_): DescopeJson<Empty>,
) -> ApiResult<Json<Empty>> {
    mappings::delete(&s.db, &ctx).await?;
    Ok(Json(Empty {}))
}
