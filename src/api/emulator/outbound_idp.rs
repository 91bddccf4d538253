//! The fake provider of outbound apps: `GET /emulator/v1/idp/{projectId}/outbound/{appId}/authorize?state=…`,
//! the page the `url` of an outbound app connect points at. Headless it approves at once:
//! the connecting user (or tenant) gets a new token and the browser is sent to the connect's
//! redirect URL (`302`); `deny=1` refuses (`error=access_denied` on the redirect URL). A
//! browser (`Accept: text/html`) without `auto=1` is asked first. With no redirect URL the
//! answer is `{"connected": true|false}` (or a page saying so).

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use serde_json::json;

use super::idp::{esc, frame_with};
use crate::domain::apps::outbound::{self, PageOutcome};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::EmulatorProject;
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        GET "/emulator/v1/idp/{projectId}/outbound/{appId}/authorize" => page,
    }
}

/// GET /emulator/v1/idp/{projectId}/outbound/{appId}/authorize
/// The provider's consent page: approves, refuses or asks the person.
async fn page(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    Path((_, app_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let params: Vec<(String, String)> = serde_urlencoded::from_str(query.as_deref().unwrap_or(""))
        .map_err(|e| ApiError::bad_request(format!("Invalid query: {e}")))?;
    let get = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let truthy = |name: &str| get(name).is_some_and(|v| !matches!(v.as_str(), "" | "0" | "false"));
    let wants_html =
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"));
    let state = get("state").unwrap_or_default();
    let ask = wants_html && !truthy("auto");
    Ok(match outbound::page(&s.db, &ctx, &app_id, &state, truthy("deny"), ask).await? {
        PageOutcome::Redirect(url) => Redirect::to(&url).into_response(),
        PageOutcome::Done { approved, app_name } if wants_html => {
            let body = if approved {
                format!("<h1>Connected</h1><p class=\"sub\">{} is connected. You can close this window.</p>", esc(&app_name))
            } else {
                format!("<h1>Not connected</h1><p class=\"sub\">You refused to connect {}.</p>", esc(&app_name))
            };
            Html(frame_with("Connected", "Fake outbound provider", &body)).into_response()
        }
        PageOutcome::Done { approved, .. } => {
            let status = if approved { StatusCode::OK } else { StatusCode::FORBIDDEN };
            (status, Json(json!({ "connected": approved }))).into_response()
        }
        PageOutcome::Ask { app_name, scopes } => {
            let base = format!("?{}", query.as_deref().unwrap_or(""));
            let list: String = scopes.iter().map(|s| format!("<li>{}</li>", esc(s))).collect();
            let body = format!(
                "<h1>Connect {name}</h1><p class=\"sub\">The app asks for access to your account{colon}</p>\
                 <ul>{list}</ul><form method=\"get\"><input type=\"hidden\" name=\"state\" value=\"{state}\">\
                 <input type=\"hidden\" name=\"auto\" value=\"1\"><button type=\"submit\">Allow</button></form>\
                 <a class=\"deny\" href=\"{deny}\">Deny</a>",
                name = esc(&app_name),
                colon = if scopes.is_empty() { "." } else { ":" },
                state = esc(&state),
                deny = esc(&format!("{base}&auto=1&deny=1")),
            );
            Html(frame_with(&format!("Connect {app_name}"), "Fake outbound provider", &body)).into_response()
        }
    })
}
