//! `/emulator/v1/projects/{projectId}/outbox`: the messages the emulator would have sent.

use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::Json;
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast;

use crate::domain::messaging::outbox::{self, MessageFilter, MessagePayload, MessageRow, Subscription};
use crate::domain::projects::ProjectEvent;
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
        GET "/emulator/v1/projects/{projectId}/outbox/stream" => stream,
        DELETE "/emulator/v1/projects/{projectId}/outbox" => clear,
        DELETE "/emulator/v1/projects/{projectId}/outbox/{messageId}" => delete_one,
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
    q: Option<String>,
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
            q: some(&self.q),
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
/// Messages, newest first, filtered by `loginId`, `to`, `channel`, `kind`, `q` (text in the
/// subject, body, address, login ID or code), `limit`; `wait` holds the request until one
/// matches.
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

/// DELETE /emulator/v1/projects/{projectId}/outbox/{messageId}
/// Deletes one message (404 when the outbox has no such message).
async fn delete_one(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    Path(params): Path<HashMap<String, String>>,
) -> ApiResult<Json<Empty>> {
    let id = params.get("messageId").map(String::as_str).unwrap_or_default();
    outbox::delete(&s.db, &ctx, id).await?;
    Ok(Json(Empty {}))
}

/// How many messages one read of the live stream takes from the store.
const STREAM_BATCH: i64 = 50;

/// The live stream's position: the project it follows, the messages already sent, and
/// the ones read but not sent yet.
struct Follower {
    s: AppState,
    ctx: Ctx,
    watch: Subscription,
    projects: broadcast::Receiver<ProjectEvent>,
    position: i64,
    ready: VecDeque<Message>,
}

impl Follower {
    /// The next message to send, or `None` when the stream ends (the project was deleted or
    /// the server shuts down).
    async fn next_message(&mut self) -> Option<Message> {
        loop {
            if let Some(m) = self.ready.pop_front() {
                return Some(m);
            }
            if self.s.outbox.is_closing() {
                return None;
            }
            self.watch.mark_seen();
            // A store error ends the stream; the browser's EventSource reconnects.
            let rows = outbox::after(&self.s.db, self.ctx.scope(), self.position, STREAM_BATCH).await.ok()?;
            if let Some((last, _)) = rows.last() {
                self.position = *last;
                self.ready.extend(rows.into_iter().map(|(_, m)| Message::of(&self.ctx, m)));
                continue;
            }
            tokio::select! {
                () = self.watch.changed() => {}
                () = self.s.outbox.closed() => return None,
                event = self.projects.recv() => {
                    let mine = match &event {
                        Ok(e) => e.project_id == self.ctx.project_id().as_str(),
                        Err(broadcast::error::RecvError::Lagged(_)) => true,
                        Err(broadcast::error::RecvError::Closed) => return None,
                    };
                    if mine {
                        self.reload().await?;
                    }
                }
            }
        }
    }

    /// Follows the project into its new data scope after a reset; `None` once it is gone.
    async fn reload(&mut self) -> Option<()> {
        let id = self.ctx.project_id().to_string();
        let project = self.s.projects.get(&self.s.db, &self.s.settings.public_url, &id).await.ok()??;
        if project.scope != self.ctx.project.scope {
            self.watch = self.s.outbox.subscribe(&project.scope);
        }
        self.ctx = Ctx { project, now: self.ctx.now };
        Some(())
    }
}

/// GET /emulator/v1/projects/{projectId}/outbox/stream
/// Server-Sent Events: `event: message` with each message written from now on (the
/// `Message` of the list), keep-alive comments in between; ends when the project is deleted.
async fn stream(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    // Watch first, then read the position: a message written in between is not missed.
    let watch = s.outbox.subscribe(ctx.scope());
    let projects = s.projects.subscribe();
    let position = outbox::last_position(&s.db).await?;
    let follower = Follower { s, ctx, watch, projects, position, ready: VecDeque::new() };
    let events = futures_util::stream::unfold(follower, |mut f| async move {
        let m = f.next_message().await?;
        let event = Event::default().event("message").id(m.id.clone()).json_data(&m).ok()?;
        Some((Ok(event), f))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}

/// How often a live stream sends a comment while nothing happens (proxies close idle ones).
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

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
