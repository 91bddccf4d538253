//! Descope API group `userManagement`: login history of users (`UserAuthHistory`).
//!
//! descope-compat: the SDKs (Go, Python, Node) send `/v1/mgmt/user/history` a bare JSON array
//! of user IDs and read a bare array back; the OpenAPI's `UsersAuthHistoryRequest`
//! (`{userIds}`) is accepted too, and `/v2` answers `{usersAuthHistory}` as the OpenAPI says.

use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::domain::identity::search;
use crate::dto::user::LoginRecord;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::MgmtAuth;
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/mgmt/user/history" => history_v1,
        POST "/v2/mgmt/user/history" => history_v2,
    }
}

/// A bare array of user IDs (the SDKs) or `{userIds}` (the OpenAPI).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum HistoryRequest {
    Ids(Vec<String>),
    Object {
        #[serde(default, rename = "userIds")]
        user_ids: Vec<String>,
    },
}

fn user_ids(body: &[u8]) -> ApiResult<Vec<String>> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) { b"{}" } else { body };
    match crate::json::from_slice::<HistoryRequest>(body) {
        Ok(HistoryRequest::Ids(ids) | HistoryRequest::Object { user_ids: ids }) => Ok(ids),
        Err(e) => Err(ApiError::bad_request(format!(
            "Request body must be an array of user IDs or {{\"userIds\": [...]}}: {e}"
        ))),
    }
}

/// POST /v1/mgmt/user/history
/// The logins of the given users, newest first, as a bare array.
async fn history_v1(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    body: Bytes,
) -> ApiResult<Json<Vec<LoginRecord>>> {
    let rows = search::history(&s.db, &ctx, &user_ids(&body)?).await?;
    Ok(Json(rows.into_iter().map(LoginRecord::from).collect()))
}

/// `UsersAuthHistoryResponse`
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct UsersAuthHistoryResponse {
    users_auth_history: Vec<LoginRecord>,
}

/// POST /v2/mgmt/user/history
/// The logins of the given users, newest first, as `{usersAuthHistory}`.
async fn history_v2(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    body: Bytes,
) -> ApiResult<Json<UsersAuthHistoryResponse>> {
    let rows = search::history(&s.db, &ctx, &user_ids(&body)?).await?;
    Ok(Json(UsersAuthHistoryResponse {
        users_auth_history: rows.into_iter().map(LoginRecord::from).collect(),
    }))
}
