//! `POST /emulator/v1/projects/{projectId}/signin/next`: queues who signs in at the next
//! authorize request of the project's authorization server that needs someone (Descope as an
//! OIDC provider), so that headless tests need no sign-in page.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use crate::domain::apps::server;
use crate::dto::common::Empty;
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, DescopeQuery, EmulatorProject};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/emulator/v1/projects/{projectId}/signin/next" => next,
        GET "/emulator/v1/projects/{projectId}/device" => device_page,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Next {
    login_id: String,
}

/// POST /emulator/v1/projects/{projectId}/signin/next
/// Queues an existing user (`{"loginId"}`) for the next sign-in at the authorization server;
/// used once, first in first out.
async fn next(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    DescopeJson(body): DescopeJson<Next>,
) -> ApiResult<Json<Empty>> {
    server::enqueue_signin(&s.db, &ctx, &body.login_id).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DeviceQuery {
    user_code: String,
    login_id: String,
    deny: String,
}

/// GET /emulator/v1/projects/{projectId}/device
/// The verification page of the device authorization grant: with `user_code` and `login_id`
/// it approves the device for that user, with `deny=1` it refuses; else a form asks.
async fn device_page(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    headers: HeaderMap,
    DescopeQuery(q): DescopeQuery<DeviceQuery>,
) -> ApiResult<Response> {
    let html = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    let deny = matches!(q.deny.as_str(), "1" | "true");
    if q.user_code.is_empty() || (q.login_id.is_empty() && !deny) {
        let esc = crate::api::oidc::esc;
        let body = format!(
            "<h1>Connect a device</h1><p class=\"sub\">Enter the code the device shows and who you are</p>\
             <form method=\"get\"><label for=\"user_code\">Code</label>\
             <input id=\"user_code\" type=\"text\" name=\"user_code\" required value=\"{}\">\
             <label for=\"login_id\">Login ID of a user of the project</label>\
             <input id=\"login_id\" type=\"text\" name=\"login_id\" required>\
             <button id=\"approve\" type=\"submit\">Approve</button></form>",
            esc(&q.user_code)
        );
        return Ok(Html(super::idp::frame_with("Connect a device", "Emulator sign-in", &body)).into_response());
    }
    let login_id = Some(q.login_id.as_str()).filter(|_| !deny);
    server::device_decide(&s.db, &ctx, &q.user_code, login_id).await?;
    Ok(if html {
        let text = if deny { "The device was refused." } else { "The device is connected; go back to it." };
        Html(super::idp::frame_with("Connect a device", "Emulator sign-in", &format!("<h1>{text}</h1>"))).into_response()
    } else {
        Json(json!({ "approved": !deny })).into_response()
    })
}
