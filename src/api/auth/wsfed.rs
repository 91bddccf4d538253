//! Descope API groups `WSFed`, `federatedApps`.
//!
//! The project's WS-Fed IdP metadata (`?projectId=`, `?app=`); the IdP's sign-in endpoints
//! are in [`super::idp_apps`].

use axum::extract::State;

use crate::api::auth::sso::{metadata_response, MetadataQuery};
use crate::error::ApiResult;
use crate::http::extract::DescopeQuery;
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        GET "/v1/auth/wsfed/idp/metadata" => metadata,
    }
}

/// GET /v1/auth/wsfed/idp/metadata
/// The project's WS-Fed IdP metadata (XML).
async fn metadata(State(s): State<AppState>, DescopeQuery(q): DescopeQuery<MetadataQuery>) -> ApiResult<axum::response::Response> {
    metadata_response(&s, q, crate::domain::federation::idp_metadata::wsfed).await
}
