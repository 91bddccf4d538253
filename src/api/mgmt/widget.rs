//! Descope API group `flowManagement`: widgets, the flows whose metadata marks them
//! (`metadata.widget`).

use axum::extract::State;
use axum::Json;
use serde::Serialize;

use crate::domain::flows::{self, Widget};
use crate::error::ApiResult;
use crate::http::extract::MgmtAuth;
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        GET "/v1/mgmt/widget/list" => list,
    }
}

#[derive(Debug, Serialize)]
struct WidgetsResponse {
    widgets: Vec<Widget>,
}

/// GET /v1/mgmt/widget/list
async fn list(State(s): State<AppState>, MgmtAuth(ctx): MgmtAuth) -> ApiResult<Json<WidgetsResponse>> {
    Ok(Json(WidgetsResponse { widgets: flows::widgets(&s.db, &ctx).await? }))
}
