//! Descope API group `userManagement`: removing a user's TOTP seed.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use crate::domain::identity::credentials;
use crate::dto::user::UserEnvelope;
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, MgmtAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/mgmt/user/totp/delete" => delete,
    }
}

/// `RemoveUserTOTPRequest`
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RemoveUserTotpRequest {
    login_id: String,
}

/// POST /v1/mgmt/user/totp/delete
/// Removes the user's TOTP seed; answers with the user (`TOTP: false`).
async fn delete(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<RemoveUserTotpRequest>,
) -> ApiResult<Json<UserEnvelope>> {
    let user = credentials::remove_totp(&s.db, &ctx, &body.login_id).await?;
    Ok(Json((&user).into()))
}
