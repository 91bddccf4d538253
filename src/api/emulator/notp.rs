//! `GET /emulator/v1/projects/{projectId}/notp/approve?t=<token>[&loginId=...]`: the person's
//! "Approve" in WhatsApp for a NOTP sign-in. The outbox message of a NOTP flow (channel
//! `whatsapp`, kind `notp`) links here; following the link lets the next
//! `POST /v1/auth/notp/pending-session` hand out the session. `loginId` is needed only when
//! the flow started without one. Answers `{"approved": true}`, or the Descope error body
//! (unknown, used or expired token; unknown user).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::domain::authn::passwordless::{self, Method};
use crate::error::ApiResult;
use crate::http::extract::{DescopeQuery, EmulatorProject};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        GET "/emulator/v1/projects/{projectId}/notp/approve" => approve,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApproveQuery {
    #[serde(default)]
    t: String,
    #[serde(default)]
    login_id: Option<String>,
}

#[derive(Debug, Serialize)]
struct Approved {
    approved: bool,
}

/// GET /emulator/v1/projects/{projectId}/notp/approve
/// Approves a pending NOTP sign-in, once.
async fn approve(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    DescopeQuery(q): DescopeQuery<ApproveQuery>,
) -> ApiResult<Json<Approved>> {
    passwordless::verify_link(&s.db, &ctx, Method::Notp, &q.t, q.login_id.as_deref()).await?;
    Ok(Json(Approved { approved: true }))
}
