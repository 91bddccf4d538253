//! `GET /v1/oauth/callback`: Descope's OAuth callback, the `redirect_uri` Descope registers at
//! identity providers (not in the OpenAPI). Here it finishes SSO sign-ins at the emulator's own
//! OIDC providers (`domain::federation::oidc_idp`): it redeems the provider's code, verifies the
//! ID token and redirects to the app's redirect URL with the Descope code.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use crate::domain::federation::idp::PageOutcome;
use crate::domain::federation::oidc_idp;
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::DescopeQuery;
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        GET "/v1/oauth/callback" => callback,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CallbackQuery {
    state: String,
    code: String,
    error: String,
    error_description: String,
}

/// GET /v1/oauth/callback
/// The identity provider came back with a code (or an error).
async fn callback(State(s): State<AppState>, DescopeQuery(q): DescopeQuery<CallbackQuery>) -> ApiResult<Response> {
    let (project_id, state) = oidc_idp::split_state(&q.state)?;
    let project = s
        .projects
        .get(&s.db, &s.settings.public_url, project_id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Project {project_id} not found")))?;
    let ctx = Ctx { project, now: s.now() };
    let error = (!q.error.is_empty()).then(|| (q.error.clone(), q.error_description.clone()));
    if error.is_none() && q.code.is_empty() {
        return Err(ApiError::missing("code"));
    }
    Ok(match oidc_idp::callback(&s.db, &ctx, s.projects.key_pool(), state, &q.code, error).await? {
        PageOutcome::Redirect(url) => Redirect::to(&url).into_response(),
        PageOutcome::Refused { error, description, .. } => {
            (StatusCode::FORBIDDEN, Json(json!({"error": error, "error_description": description}))).into_response()
        }
        PageOutcome::Code { code, .. } => Json(json!({ "code": code })).into_response(),
        PageOutcome::Ask { .. } => Html("<p>Nothing to ask.</p>".to_owned()).into_response(),
    })
}
