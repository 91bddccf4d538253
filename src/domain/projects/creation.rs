//! Group commit for project creation: creations that arrive together are written in one
//! transaction.
//!
//! A burst of test suites starting at once creates many projects at the same moment. Each
//! creation alone is a handful of statements, but they queue for SQLite's one writer (and,
//! with `sqlite::memory:`, its one connection), each statement a round trip to the
//! connection's thread. Here the first creation to find no write in progress writes whatever
//! is waiting, its own included; the others wait for its answer or take the next turn, so a
//! burst of a hundred costs a few transactions rather than a hundred.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

use crate::error::{ApiError, ApiResult};
use crate::ids::{ProjectId, Scope};
use crate::store::{self, projects::ManagementKeyRow, projects::ProjectRow, tenants::ScopeSeed};

/// A project to create with its first management key and the rows every project starts with.
pub(super) struct NewProject {
    /// The caller chose the ID (it may be taken); otherwise it was generated.
    pub given_id: bool,
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
    waiting: Mutex<VecDeque<Waiting>>,
    /// Held by the creation that is writing a batch.
    writer: Arc<tokio::sync::Mutex<()>>,
}

impl CreationQueue {
    /// Creates the project, in a batch with any others waiting.
    pub async fn create(&self, db: &store::Db, project: NewProject) -> ApiResult<Outcome> {
        let (done, mut answer) = oneshot::channel();
        self.waiting.lock().map_err(ApiError::internal)?.push_back(Waiting { project, done });
        loop {
            let turn = tokio::select! {
                biased;
                written = &mut answer => return written.map_err(ApiError::internal)?,
                turn = self.writer.clone().lock_owned() => turn,
            };
            // Our turn to write: the oldest waiting creations, ours among them unless an
            // earlier writer took it or it is further back than one batch.
            let batch: Vec<Waiting> = {
                let mut waiting = self.waiting.lock().map_err(ApiError::internal)?;
                let n = waiting.len().min(MAX_BATCH);
                waiting.drain(..n).collect()
            };
            // In a task of its own: if this creation's client hangs up, its request is dropped,
            // but the batch is still written and every creation in it answered.
            let db = db.clone();
            let writing = tokio::spawn(async move {
                if !batch.is_empty() {
                    write_batch(&db, batch).await;
                }
                drop(turn);
            });
            writing.await.map_err(ApiError::internal)?;
        }
    }
}

/// Creations per transaction: a burst is answered a batch at a time, so the first answers go
/// out while later creations are still being written.
const MAX_BATCH: usize = 25;

/// Writes a batch in one transaction and answers every creation in it.
async fn write_batch(db: &store::Db, batch: Vec<Waiting>) {
    let mut seen = HashSet::new();
    let (fresh, repeated): (Vec<_>, Vec<_>) =
        batch.into_iter().partition(|w| seen.insert(w.project.row.id.clone()));
    for w in repeated {
        let _ = w.done.send(Ok(Outcome::Exists));
    }
    let began = std::time::Instant::now();
    let written = insert_all(db, &fresh).await;
    tracing::debug!(
        projects = fresh.len(),
        elapsed_us = began.elapsed().as_micros() as u64,
        "project batch written"
    );
    match written {
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

/// Inserts the projects whose IDs are free, their keys and seeds, in one transaction; returns
/// the IDs inserted. One round trip to the connection when every ID was generated, two when
/// some were given (they are checked first, inside the transaction).
async fn insert_all(db: &store::Db, batch: &[Waiting]) -> ApiResult<HashSet<ProjectId>> {
    const BEGIN: &str = "BEGIN IMMEDIATE";
    let mut conn = db.acquire().await?;
    let given: Vec<&ProjectId> =
        batch.iter().filter(|w| w.project.given_id).map(|w| &w.project.row.id).collect();
    let (taken, began) = if given.is_empty() {
        (HashSet::new(), false)
    } else {
        match store::projects::taken_ids(&mut conn, BEGIN, &given).await {
            Ok(ids) => (ids.into_iter().collect(), true),
            Err(e) => return Err(rolled_back(&mut conn, e).await),
        }
    };
    let fresh: Vec<&NewProject> =
        batch.iter().map(|w| &w.project).filter(|p| !taken.contains(&p.row.id)).collect();
    let rows: Vec<(&ProjectRow, &ManagementKeyRow)> = fresh.iter().map(|p| (&p.row, &p.key)).collect();
    let seeds: Vec<(Scope, &ScopeSeed)> =
        fresh.iter().map(|p| (Scope::new(p.row.id.as_str()), &p.seed)).collect();
    let mut sql = if began { String::new() } else { format!("{BEGIN}; ") };
    if !fresh.is_empty() {
        sql.push_str(&store::projects::new_projects_statements(rows.len()));
        let seeding = store::tenants::seeds_statements(&seeds);
        if !seeding.is_empty() {
            sql.push_str("; ");
            sql.push_str(&seeding);
        }
        sql.push_str("; ");
    }
    sql.push_str("COMMIT");
    let q = store::tenants::bind_seeds(store::projects::bind_new_projects(sqlx::query(&sql), &rows), &seeds);
    if let Err(e) = q.execute(&mut *conn).await {
        return Err(rolled_back(&mut conn, e.into()).await);
    }
    Ok(fresh.iter().map(|p| p.row.id.clone()).collect())
}

/// Ends a transaction a failed statement left open (no error if none is), and passes the error
/// on to every creation of the batch.
async fn rolled_back(conn: &mut store::Conn, e: ApiError) -> ApiError {
    let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
    e
}
