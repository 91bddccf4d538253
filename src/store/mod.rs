//! All SQL lives here. Functions take a connection; transactions are opened by the caller
//! (the domain) with [`begin_immediate`] and passed down.

/// Declares a list of a row struct's columns once (the fields are named after their columns,
/// as `FromRow` reads them): `$names` is the list for SQL (`"a, b"`), `$params` a `?` for each
/// (`"?, ?"`), and `$bind` binds the fields in that order. An INSERT names
/// `(…, $names) VALUES (…, $params)`, an UPDATE `SET ($names) = ($params)` (a row value).
/// `$params` are anonymous: a statement that uses them must not also use numbered ones (`?1`),
/// as sqlx then binds the anonymous ones to the wrong values.
macro_rules! row_columns {
    (
        $(#[$doc:meta])*
        $row:ty => $names:ident, $params:ident, $bind:ident { $first:ident $(, $field:ident)* $(,)? }
    ) => {
        $(#[$doc])*
        const $names: &str = concat!(stringify!($first) $(, ", ", stringify!($field))*);
        const $params: &str = concat!(row_columns!(@param $first) $(, ", ", row_columns!(@param $field))*);
        fn $bind<'q>(q: $crate::store::Query<'q>, row: &'q $row) -> $crate::store::Query<'q> {
            q.bind(&row.$first)$(.bind(&row.$field))*
        }
    };
    (@param $field:ident) => {
        "?"
    };
}

pub mod accesskeys;
pub mod admin_links;
pub mod agentic;
pub mod apps;
pub mod audit;
pub mod authenticators;
pub mod config_documents;
pub mod credentials;
pub mod custom_attributes;
pub mod descopers;
pub mod federation;
pub mod fga;
pub mod flows;
pub mod inbound;
pub mod jwt_templates;
pub mod lists;
pub mod outbound;
pub mod outbox;
pub mod passkeys;
pub mod pending;
pub mod projects;
pub mod recovery;
pub mod scim;
pub mod sessions;
pub mod snapshot;
pub mod sso;
pub mod tenants;
pub mod users;

mod db;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::ConnectOptions;
use std::str::FromStr;
use std::time::Duration;

use crate::error::ApiResult;
use crate::ids::{Scope, UserId};

pub use db::{Db, DbConn, Tx};
pub use sqlx::SqliteConnection as Conn;

/// A statement whose parameters are being bound.
pub type Query<'q> = sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>;

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
    if in_memory {
        load_empty_schema(&mut first).await?;
    } else {
        MIGRATOR.run(&mut first).await?;
    }
    let mut connections = vec![first];
    if !in_memory {
        for _ in 1..FILE_CONNECTIONS {
            connections.push(options.connect().await?);
        }
    }
    Ok(Db::new(connections, !in_memory))
}

/// An empty database with the whole schema, as [`empty_schema_image`] makes it: a fresh
/// in-memory database starts as a copy of it, which takes a fraction of a millisecond where
/// running the migrations takes ~10 ms of CPU (the start-up target is 20 ms in all).
/// `tests/it/store_db.rs` fails when it is out of date and says how to remake it.
pub static EMPTY_SCHEMA_IMAGE: &[u8] = include_bytes!("empty-schema.sqlite");

/// A short digest of the migrations' SQL, kept in the image's `user_version`, so that an
/// image that does not match the migrations is never used.
pub fn schema_digest() -> u32 {
    let mut h = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    for m in MIGRATOR.iter() {
        h.update(m.sql.as_bytes());
        h.update(&[0]);
    }
    let d = h.finish();
    let d = d.as_ref();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]]) & 0x7fff_ffff
}

/// The `user_version` in an SQLite file image (big-endian, at byte 60 of the header).
fn image_user_version(image: &[u8]) -> Option<u32> {
    image.get(60..64).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// Gives a new in-memory database its schema: a copy of [`EMPTY_SCHEMA_IMAGE`] when that
/// matches the migrations, else the migrations themselves.
async fn load_empty_schema(conn: &mut Conn) -> anyhow::Result<()> {
    if image_user_version(EMPTY_SCHEMA_IMAGE) == Some(schema_digest()) {
        let buf = sqlx::sqlite::SqliteOwnedBuf::try_from(EMPTY_SCHEMA_IMAGE)?;
        conn.deserialize(None, buf, false).await?;
    } else {
        tracing::debug!("the empty-schema image is out of date: running the migrations");
        run_migrations_in_one_batch(conn).await?;
    }
    Ok(())
}

/// Runs every migration on a new, empty database that nothing else opens: in one transaction
/// and one round trip, with no migration bookkeeping.
async fn run_migrations_in_one_batch(conn: &mut Conn) -> anyhow::Result<()> {
    let schema: Vec<&str> = MIGRATOR.iter().map(|m| m.sql.as_ref()).collect();
    sqlx::raw_sql(&format!("BEGIN;\n{}\n;COMMIT;", schema.join("\n;\n"))).execute(&mut *conn).await?;
    Ok(())
}

/// Builds the bytes of [`EMPTY_SCHEMA_IMAGE`] from the migrations.
pub async fn empty_schema_image() -> anyhow::Result<Vec<u8>> {
    use sqlx::ConnectOptions as _;
    let mut conn = SqliteConnectOptions::from_str("sqlite::memory:")?.connect().await?;
    run_migrations_in_one_batch(&mut conn).await?;
    sqlx::raw_sql(&format!("PRAGMA user_version = {}; VACUUM;", schema_digest())).execute(&mut conn).await?;
    Ok(conn.serialize(None).await?.to_vec())
}

/// Starts a write transaction (see [`Db::begin_immediate`]).
pub async fn begin_immediate(db: &Db) -> ApiResult<Tx> {
    db.begin_immediate().await
}

/// Every row of a scope that `sql` selects; its one parameter is the scope.
async fn rows_of_scope<R>(conn: &mut Conn, sql: &str, scope: &Scope) -> ApiResult<Vec<R>>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
{
    Ok(sqlx::query_as::<_, R>(sql).bind(scope).fetch_all(conn).await?)
}

/// Every row of one user that `sql` selects; its parameters are the scope and the user.
async fn rows_of_user<R>(conn: &mut Conn, sql: &str, scope: &Scope, user_id: &UserId) -> ApiResult<Vec<R>>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
{
    Ok(sqlx::query_as::<_, R>(sql).bind(scope).bind(user_id).fetch_all(conn).await?)
}

/// Encodes a value for a JSON `TEXT` column.
pub fn json_text<T: serde::Serialize>(v: &T) -> ApiResult<String> {
    Ok(serde_json::to_string(v)?)
}

/// Decodes a JSON `TEXT` column, falling back to the type's default for damaged data.
pub fn from_json_text<T: serde::de::DeserializeOwned + Default>(s: &str) -> T {
    serde_json::from_str(s).unwrap_or_default()
}
