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

mod db;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::ConnectOptions;
use std::str::FromStr;
use std::time::Duration;

use crate::error::ApiResult;

pub use db::{Db, DbConn, Tx};
pub use sqlx::SqliteConnection as Conn;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// Connections to a database file: readers run side by side (WAL), writers take turns.
const FILE_CONNECTIONS: usize = 8;

/// Opens the database and brings its schema up to date: WAL, foreign keys, a busy timeout.
/// `sqlite::memory:` gets one connection, which holds the data for as long as it lives.
pub async fn connect(url: &str) -> anyhow::Result<Db> {
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        .synchronous(SqliteSynchronous::Normal)
        .pragma("temp_store", "memory");
    let options = if in_memory { options } else { options.journal_mode(SqliteJournalMode::Wal) };
    let mut first = options.connect().await?;
    MIGRATOR.run(&mut first).await?;
    let mut connections = vec![first];
    if !in_memory {
        for _ in 1..FILE_CONNECTIONS {
            connections.push(options.connect().await?);
        }
    }
    Ok(Db::new(connections, !in_memory))
}

/// Starts a write transaction (see [`Db::begin_immediate`]).
pub async fn begin_immediate(db: &Db) -> ApiResult<Tx> {
    db.begin_immediate().await
}

/// Encodes a value for a JSON `TEXT` column.
pub fn json_text<T: serde::Serialize>(v: &T) -> ApiResult<String> {
    Ok(serde_json::to_string(v)?)
}

/// Decodes a JSON `TEXT` column, falling back to the type's default for damaged data.
pub fn from_json_text<T: serde::de::DeserializeOwned + Default>(s: &str) -> T {
    serde_json::from_str(s).unwrap_or_default()
}
