//! The database handle: a few SQLite connections handed out without round trips.
//!
//! sqlx runs every SQLite connection on a worker thread of its own and every statement is a
//! round trip to it. sqlx's own pool adds one more per use: it pings each connection as it
//! comes back, from a task spawned for the purpose. A thread hand-off is cheap on bare metal,
//! but costs ~50 µs on a small virtual machine (a plain channel ping-pong between two
//! threads measures 100 µs per round trip on the CI machine), and with `sqlite::memory:` all
//! requests share one connection, so such costs add up in series. This pool hands out
//! connections from a list behind a semaphore and takes them back synchronously; a
//! connection dropped mid-transaction has a rollback queued on its worker before anyone else
//! can use it (the worker runs commands in order).

use sqlx::sqlite::SqliteTransactionManager;
use sqlx::{SqliteConnection, TransactionManager};
use std::borrow::Cow;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::{ApiError, ApiResult};

/// The database: cheap to clone.
#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

struct Inner {
    idle: Mutex<Vec<SqliteConnection>>,
    permits: Arc<Semaphore>,
    /// Connections in use or asked for, so background work can wait for a quiet moment.
    in_use: AtomicUsize,
    /// When a connection was last given back (microseconds since `epoch`).
    last_release_us: AtomicU64,
    epoch: std::time::Instant,
    /// How write transactions begin: `BEGIN IMMEDIATE` where several connections share a
    /// file (so two writers never deadlock upgrading read locks), a plain `BEGIN` for the one
    /// connection of an in-memory database (one round trip less).
    begin_write: Option<&'static str>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("connections", &self.inner.permits.available_permits()).finish()
    }
}

impl Db {
    /// Wraps open connections. `shared_file` says whether they share a database file.
    pub fn new(connections: Vec<SqliteConnection>, shared_file: bool) -> Db {
        let permits = Arc::new(Semaphore::new(connections.len()));
        Db {
            inner: Arc::new(Inner {
                idle: Mutex::new(connections),
                permits,
                in_use: AtomicUsize::new(0),
                last_release_us: AtomicU64::new(0),
                epoch: std::time::Instant::now(),
                begin_write: shared_file.then_some("BEGIN IMMEDIATE"),
            }),
        }
    }

    /// A connection for reads (or for a transaction the caller begins).
    pub async fn acquire(&self) -> ApiResult<DbConn> {
        let in_use = InUse::new(&self.inner);
        let permit = self.inner.permits.clone().acquire_owned().await.map_err(ApiError::internal)?;
        let conn = self
            .inner
            .idle
            .lock()
            .map_err(ApiError::internal)?
            .pop()
            .ok_or_else(|| ApiError::internal("database pool out of step with its permits"))?;
        Ok(DbConn { conn: Some(conn), db: self.inner.clone(), _permit: permit, _in_use: in_use })
    }

    /// Waits until the database has been unused for a moment (no connection out, none given
    /// back in the last [`QUIET`]), or `at_most` has passed: background work (purging a
    /// reset's old data) calls it between chunks, so requests, and bursts of them, go first.
    pub async fn until_idle(&self, at_most: Duration) {
        let deadline = tokio::time::Instant::now() + at_most;
        while !self.inner.is_quiet() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    /// A write transaction.
    pub async fn begin_immediate(&self) -> ApiResult<Tx> {
        self.begin_with(self.inner.begin_write).await
    }

    /// A deferred transaction, for consistent reads.
    pub async fn begin(&self) -> ApiResult<Tx> {
        self.begin_with(None).await
    }

    async fn begin_with(&self, statement: Option<&'static str>) -> ApiResult<Tx> {
        let mut conn = self.acquire().await?;
        SqliteTransactionManager::begin(&mut conn, statement.map(Cow::Borrowed)).await?;
        Ok(Tx { conn, open: true })
    }
}

/// How long the database must have been unused for [`Db::until_idle`].
const QUIET: Duration = Duration::from_millis(2);

impl Inner {
    fn now_us(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    fn is_quiet(&self) -> bool {
        self.in_use.load(Ordering::Acquire) == 0
            && self.now_us().saturating_sub(self.last_release_us.load(Ordering::Acquire))
                >= QUIET.as_micros() as u64
    }
}

/// Counts one use of the database from the moment a connection is asked for until it is back.
struct InUse(Arc<Inner>);

impl InUse {
    fn new(inner: &Arc<Inner>) -> Self {
        inner.in_use.fetch_add(1, Ordering::AcqRel);
        InUse(inner.clone())
    }
}

impl Drop for InUse {
    fn drop(&mut self) {
        self.0.last_release_us.store(self.0.now_us(), Ordering::Release);
        self.0.in_use.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A connection taken from [`Db`]; it goes back when dropped.
pub struct DbConn {
    conn: Option<SqliteConnection>,
    db: Arc<Inner>,
    // Released after `drop` has put the connection back.
    _permit: OwnedSemaphorePermit,
    _in_use: InUse,
}

impl Deref for DbConn {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        self.conn.as_ref().unwrap_or_else(|| unreachable!("a DbConn holds its connection until dropped"))
    }
}

impl DerefMut for DbConn {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        self.conn.as_mut().unwrap_or_else(|| unreachable!("a DbConn holds its connection until dropped"))
    }
}

impl Drop for DbConn {
    fn drop(&mut self) {
        if let (Some(conn), Ok(mut idle)) = (self.conn.take(), self.db.idle.lock()) {
            idle.push(conn);
        }
    }
}

/// A transaction on a connection of [`Db`]: [`Tx::commit`] ends it; dropped without, it is
/// rolled back (queued on the connection's worker before the connection is handed out again).
pub struct Tx {
    conn: DbConn,
    open: bool,
}

impl Tx {
    pub async fn commit(mut self) -> ApiResult<()> {
        SqliteTransactionManager::commit(&mut self.conn).await?;
        self.open = false;
        Ok(())
    }
}

impl Deref for Tx {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        &self.conn
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.conn
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        if self.open {
            SqliteTransactionManager::start_rollback(&mut self.conn);
        }
    }
}
