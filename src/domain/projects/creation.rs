//! Group commit for project creation: creations that arrive together are written in one
//! transaction.
//!
//! A burst of test suites starting at once creates many projects at the same moment. Each
//! creation alone is a handful of statements, but they queue for SQLite's one writer (and,
//! with `sqlite::memory:`, its one connection), each statement a round trip to the
//! connection's thread. Here the first creation to find no write in progress writes whatever
//! is waiting, its own included; the others wait for its answer or take the next turn, so a
//! burst of a hundred costs a few transactions rather than a hundred.

use std::collections::HashSet;
use std::sync::Mutex;
use tokio::sync::oneshot;

use crate::error::{ApiError, ApiResult};
use crate::ids::ProjectId;
use crate::ids::Scope;
use crate::store::{self, projects::ManagementKeyRow, projects::ProjectRow, tenants::ScopeSeed};

/// A project to create with its first management key and the rows every project starts with.
pub(super) struct NewProject {
    pub row: ProjectRow,
    pub key: ManagementKeyRow,
    pub seed: ScopeSeed,
}

/// What a creation comes to: created, or the ID was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    Created,
    Exists,
}

struct Waiting {
    project: NewProject,
    done: oneshot::Sender<Result<Outcome, ApiError>>,
}

#[derive(Default)]
pub(super) struct CreationQueue {
    waiting: Mutex<Vec<Waiting>>,
    /// Held by the creation that is writing a batch.
    writer: tokio::sync::Mutex<()>,
}

impl CreationQueue {
    /// Creates the project, in a batch with any others waiting.
    pub async fn create(&self, db: &store::Db, project: NewProject) -> ApiResult<Outcome> {
        let (done, mut answer) = oneshot::channel();
        self.waiting.lock().map_err(ApiError::internal)?.push(Waiting { project, done });
        let turn = tokio::select! {
            biased;
            written = &mut answer => return written.map_err(ApiError::internal)?,
            turn = self.writer.lock() => turn,
        };
        // Our turn to write: everything waiting, ours too unless the last writer took it.
        let batch = std::mem::take(&mut *self.waiting.lock().map_err(ApiError::internal)?);
        if !batch.is_empty() {
            write_batch(db, batch).await;
        }
        drop(turn);
        answer.await.map_err(ApiError::internal)?
    }
}

/// Writes a batch in one transaction and answers every creation in it.
async fn write_batch(db: &store::Db, batch: Vec<Waiting>) {
    let mut seen = HashSet::new();
    let (fresh, repeated): (Vec<_>, Vec<_>) =
        batch.into_iter().partition(|w| seen.insert(w.project.row.id.clone()));
    for w in repeated {
        let _ = w.done.send(Ok(Outcome::Exists));
    }
    match insert_all(db, &fresh).await {
        Ok(created) => {
            for w in fresh {
                let outcome =
                    if created.contains(&w.project.row.id) { Outcome::Created } else { Outcome::Exists };
                let _ = w.done.send(Ok(outcome));
            }
        }
        Err(e) => {
            for w in fresh {
                let _ = w.done.send(Err(e.clone()));
            }
        }
    }
}

/// Inserts the projects whose IDs are free, and their keys; returns the IDs inserted.
async fn insert_all(db: &store::Db, batch: &[Waiting]) -> ApiResult<HashSet<ProjectId>> {
    let rows: Vec<&ProjectRow> = batch.iter().map(|w| &w.project.row).collect();
    let mut tx = store::begin_immediate(db).await?;
    let created: HashSet<ProjectId> =
        store::projects::insert_new(&mut tx, &rows).await?.into_iter().collect();
    let keys: Vec<(&ProjectId, &ManagementKeyRow)> = batch
        .iter()
        .filter(|w| created.contains(&w.project.row.id))
        .map(|w| (&w.project.row.id, &w.project.key))
        .collect();
    store::projects::insert_management_keys(&mut tx, &keys).await?;
    let seeded: Vec<(Scope, &ScopeSeed)> = batch
        .iter()
        .filter(|w| created.contains(&w.project.row.id))
        .map(|w| (Scope::new(w.project.row.id.as_str()), &w.project.seed))
        .collect();
    store::tenants::insert_seeds(&mut tx, &seeded).await?;
    tx.commit().await?;
    Ok(created)
}
