//! Descope API groups `WSFed`, `federatedApps`.
//!
//! Built: the project's WS-Fed IdP metadata (`?projectId=`). The WS-Fed IdP endpoints
//! (Descope as an IdP for SSO apps) answer 501.

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
    unbuilt {
        GET "/v1/auth/wsfed/idp/initiate",
        POST "/v1/auth/wsfed/idp/initiate",
        GET "/v1/auth/wsfed/idp/sso",
        POST "/v1/auth/wsfed/idp/sso",
        POST "/v1/auth/wsfed/idp/sso-finish",
    }
}

/// GET /v1/auth/wsfed/idp/metadata
/// The project's WS-Fed IdP metadata (XML).
async fn metadata(State(s): State<AppState>, DescopeQuery(q): DescopeQuery<MetadataQuery>) -> ApiResult<axum::response::Response> {
    metadata_response(&s, q, crate::domain::federation::idp_metadata::wsfed).await
}
