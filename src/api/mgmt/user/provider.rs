//! Descope API group `userManagement`: a user's token from a social (OAuth) provider.
//!
//! The emulator's fake providers grant a user an opaque token at each social sign-in; a user who
//! never signed in with the provider gets the not-found error (404, unconfirmed code), an
//! unknown user the management user-not-found error.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use crate::domain::identity::credentials;
use crate::error::ApiResult;
use crate::http::extract::{DescopeQuery, MgmtAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        GET "/v1/mgmt/user/provider/token" => token,
    }
}

/// `?loginId=&provider=&withRefreshToken=&forceRefresh=` (`forceRefresh` is not used).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ProviderTokenQuery {
    login_id: String,
    provider: String,
    with_refresh_token: bool,
}

/// GET /v1/mgmt/user/provider/token
/// The user's token at a social provider they signed in with.
async fn token(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<ProviderTokenQuery>,
) -> ApiResult<Json<credentials::ProviderToken>> {
    Ok(Json(credentials::provider_token(&s.db, &ctx, &q.login_id, &q.provider, q.with_refresh_token).await?))
}
