//! `/emulator/v1/projects/{projectId}/outbox`: the messages the emulator would have sent.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use std::time::Duration;

use crate::domain::messaging::outbox::{self, MessageFilter, MessagePayload, MessageRow};
use crate::domain::Ctx;
use crate::dto::common::Empty;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{DescopeQuery, EmulatorProject};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        GET "/emulator/v1/projects/{projectId}/outbox" => list,
        GET "/emulator/v1/projects/{projectId}/outbox/latest" => latest,
        DELETE "/emulator/v1/projects/{projectId}/outbox" => clear,
    }
}

/// Longest `wait` honoured, in seconds.
const MAX_WAIT_SECS: f64 = 30.0;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxQuery {
    login_id: Option<String>,
    to: Option<String>,
    channel: Option<String>,
    kind: Option<String>,
    limit: Option<i64>,
    wait: Option<f64>,
}

impl OutboxQuery {
    fn filter(&self, default_limit: i64) -> MessageFilter {
        let some = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        MessageFilter {
            login_id: some(&self.login_id),
            to: some(&self.to),
            channel: some(&self.channel),
            kind: some(&self.kind),
            limit: self.limit.filter(|l| *l > 0).unwrap_or(default_limit),
        }
    }

    /// `wait`, capped at 30 s; `NaN` (which `f64` parsing accepts) counts as no wait.
    fn wait(&self) -> Duration {
        let secs = self.wait.filter(|w| !w.is_nan()).unwrap_or(0.0).clamp(0.0, MAX_WAIT_SECS);
        Duration::from_secs_f64(secs)
    }
}

/// The outbox `Message` of EMULATOR_API.md.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub id: String,
    pub project_id: String,
    pub channel: String,
    pub to: String,
    pub login_id: String,
    pub kind: String,
    #[serde(flatten)]
    pub payload: MessagePayload,
    pub created_time: i64,
}

impl Message {
    /// The message as the API shows it: under the project's ID (rows carry its data scope).
    fn of(ctx: &Ctx, m: MessageRow) -> Self {
        Message {
            id: m.id,
            project_id: ctx.project_id().to_string(),
            channel: m.channel,
            to: m.to_addr,
            login_id: m.login_id,
            kind: m.kind,
            payload: m.payload,
            created_time: m.created_ms,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Messages {
    pub messages: Vec<Message>,
}

/// GET /emulator/v1/projects/{projectId}/outbox
/// Messages, newest first, filtered by `loginId`, `to`, `channel`, `kind`, `limit`; `wait`
/// holds the request until one matches.
async fn list(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    DescopeQuery(q): DescopeQuery<OutboxQuery>,
) -> ApiResult<Json<Messages>> {
    let rows = outbox::list(&s.db, &s.outbox, ctx.scope(), &q.filter(100), q.wait()).await?;
    Ok(Json(Messages { messages: rows.into_iter().map(|m| Message::of(&ctx, m)).collect() }))
}

/// GET /emulator/v1/projects/{projectId}/outbox/latest
/// The newest matching message, or 404.
async fn latest(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    DescopeQuery(q): DescopeQuery<OutboxQuery>,
) -> ApiResult<Json<Message>> {
    let rows = outbox::list(&s.db, &s.outbox, ctx.scope(), &q.filter(1), q.wait()).await?;
    rows.into_iter()
        .next()
        .map(|m| Json(Message::of(&ctx, m)))
        .ok_or_else(|| ApiError::not_found("No message matches"))
}

/// DELETE /emulator/v1/projects/{projectId}/outbox
/// Empties the outbox.
async fn clear(State(s): State<AppState>, EmulatorProject(ctx): EmulatorProject) -> ApiResult<Json<Empty>> {
    outbox::clear(&s.db, &ctx).await?;
    Ok(Json(Empty {}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait(w: Option<f64>) -> Duration {
        OutboxQuery { wait: w, ..OutboxQuery::default() }.wait()
    }

    #[test]
    fn wait_is_capped_at_30_seconds_and_never_negative() {
        assert_eq!(wait(None), Duration::ZERO);
        assert_eq!(wait(Some(2.5)), Duration::from_millis(2500));
        assert_eq!(wait(Some(1000.0)), Duration::from_secs(30));
        assert_eq!(wait(Some(f64::INFINITY)), Duration::from_secs(30));
        assert_eq!(wait(Some(-3.0)), Duration::ZERO);
        assert_eq!(wait(Some(f64::NEG_INFINITY)), Duration::ZERO);
        assert_eq!(wait(Some(f64::NAN)), Duration::ZERO);
    }
}
