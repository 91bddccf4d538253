//! All SQL lives here. Functions take a connection; transactions are opened by the caller
//! (the domain) with [`begin_immediate`] and passed down.

pub mod accesskeys;
pub mod audit;
pub mod codes;
pub mod credentials;
pub mod custom_attributes;
pub mod outbox;
pub mod passkeys;
pub mod projects;
pub mod recovery;
pub mod sessions;
pub mod snapshot;
pub mod tenants;
pub mod users;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::time::Duration;

use crate::error::ApiResult;

pub type Tx = Transaction<'static, Sqlite>;
pub use sqlx::SqliteConnection as Conn;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// Opens the pool: WAL, foreign keys, a busy timeout. `sqlite::memory:` gets one connection
/// that is never closed, so the data lives as long as the pool.
pub async fn connect(url: &str) -> anyhow::Result<SqlitePool> {
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        .synchronous(SqliteSynchronous::Normal)
        .pragma("temp_store", "memory");
    let options = if in_memory { options } else { options.journal_mode(SqliteJournalMode::Wal) };
    let pool = SqlitePoolOptions::new()
        .max_connections(if in_memory { 1 } else { 8 })
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .acquire_timeout(Duration::from_secs(30))
        .test_before_acquire(false)
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// Starts a write transaction that takes SQLite's write lock at once, so two writers never
/// deadlock upgrading read locks.
pub async fn begin_immediate(pool: &SqlitePool) -> ApiResult<Tx> {
    Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
}

/// Encodes a value for a JSON `TEXT` column.
pub fn json_text<T: serde::Serialize>(v: &T) -> ApiResult<String> {
    Ok(serde_json::to_string(v)?)
}

/// Decodes a JSON `TEXT` column, falling back to the type's default for damaged data.
pub fn from_json_text<T: serde::de::DeserializeOwned + Default>(s: &str) -> T {
    serde_json::from_str(s).unwrap_or_default()
}
