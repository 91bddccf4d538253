//! Descope API group `userManagement`: a user's token from a social (OAuth) provider.
//!
//! The emulator keeps no provider tokens (no real OAuth provider is involved), so a known user
//! gets the not-found error (404, unconfirmed code) that Descope gives when the user has no
//! token for that provider; an unknown user is the management user-not-found error.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use crate::domain::identity::credentials;
use crate::dto::common::Empty;
use crate::error::ApiResult;
use crate::http::extract::{DescopeQuery, MgmtAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        GET "/v1/mgmt/user/provider/token" => token,
    }
}

/// `?loginId=&provider=&withRefreshToken=&forceRefresh=` (the flags are not used).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ProviderTokenQuery {
    login_id: String,
    provider: String,
}

/// GET /v1/mgmt/user/provider/token
/// The user's provider token; never available in the emulator.
async fn token(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<ProviderTokenQuery>,
) -> ApiResult<Json<Empty>> {
    credentials::provider_token(&s.db, &ctx, &q.login_id, &q.provider).await?;
    Ok(Json(Empty {}))
}
