//! `GET /emulator/v1/events`: Server-Sent Events for the console, so its project list and
//! clock stay current without polling.

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use std::convert::Infallible;
use tokio::sync::{broadcast, watch};

use super::clock::ClockResponse;
use super::outbox::KEEP_ALIVE;
use crate::domain::projects::ProjectEvent;
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        GET "/emulator/v1/events" => events,
    }
}

/// What the stream waits on.
struct Watcher {
    s: AppState,
    projects: broadcast::Receiver<ProjectEvent>,
    clock: watch::Receiver<u64>,
}

impl Watcher {
    /// The next event, or `None` when the server shuts down.
    async fn next_event(&mut self) -> Option<Event> {
        tokio::select! {
            event = self.projects.recv() => match event {
                Ok(e) => Event::default().event("projects").json_data(&e).ok(),
                // Fell behind: "something changed" is all a reader needs to list again.
                Err(broadcast::error::RecvError::Lagged(_)) => Some(Event::default().event("projects").data("{}")),
                Err(broadcast::error::RecvError::Closed) => None,
            },
            changed = self.clock.changed() => {
                changed.ok()?;
                Event::default().event("clock").json_data(ClockResponse::from(&self.s.clock)).ok()
            }
            () = self.s.outbox.closed() => None,
        }
    }
}

/// GET /emulator/v1/events
/// `event: projects` (data `{"kind", "projectId"}`) when a project is created, deleted,
/// reset or replaced by a snapshot; `event: clock` (data as `GET /emulator/v1/clock`) when
/// the clock changes; keep-alive comments in between.
async fn events(State(s): State<AppState>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    // A new receiver has seen the current value: it wakes at the next change.
    let watcher = Watcher { projects: s.projects.subscribe(), clock: s.clock.subscribe(), s };
    let stream = futures_util::stream::unfold(watcher, |mut w| async move {
        let event = w.next_event().await?;
        Some((Ok(event), w))
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
}
