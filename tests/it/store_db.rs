//! The connection pool of `store::Db`: transactions end as they should, connections come back.

use descope_emulator::store;
use std::future::Future;
use std::time::Duration;

/// How long any one wait on the pool may take before the test fails instead of hanging.
const POOL_WAIT: Duration = Duration::from_secs(20);

/// Awaits `fut`, failing the test with `what` if it is not done within [`POOL_WAIT`]: a
/// connection that never comes back must fail the test, not hang it.
#[track_caller]
fn within<F: Future>(what: &'static str, fut: F) -> impl Future<Output = F::Output> {
    let caller = std::panic::Location::caller();
    async move {
        tokio::time::timeout(POOL_WAIT, fut).await.unwrap_or_else(|_| {
            panic!("{what} did not finish within {POOL_WAIT:?} ({caller}): the pool is stuck")
        })
    }
}

async fn acquire(db: &store::Db) -> store::DbConn {
    within("acquire", db.acquire()).await.unwrap()
}

async fn begin(db: &store::Db) -> store::Tx {
    within("begin_immediate", db.begin_immediate()).await.unwrap()
}

async fn commit(tx: store::Tx) {
    within("commit", tx.commit()).await.unwrap();
}

async fn count(db: &store::Db) -> i64 {
    let mut conn = acquire(db).await;
    within("count", sqlx::query_scalar("SELECT COUNT(*) FROM t").fetch_one(&mut *conn)).await.unwrap()
}

async fn insert(tx: &mut store::Tx, v: i64) {
    within("insert", sqlx::query("INSERT INTO t (v) VALUES (?)").bind(v).execute(&mut **tx)).await.unwrap();
}

async fn create_table(db: &store::Db) {
    let mut conn = acquire(db).await;
    within("create table", sqlx::query("CREATE TABLE t (v INTEGER)").execute(&mut *conn)).await.unwrap();
}

#[tokio::test]
async fn a_dropped_transaction_is_rolled_back_and_the_connection_reused() {
    let db = within("connect", store::connect("sqlite::memory:")).await.unwrap();
    create_table(&db).await;
    let mut tx = begin(&db).await;
    insert(&mut tx, 1).await;
    commit(tx).await;

    let mut tx = begin(&db).await;
    insert(&mut tx, 2).await;
    drop(tx);
    assert_eq!(count(&db).await, 1, "the dropped transaction's row is gone");

    // The one connection of the in-memory database is free again, and outside a transaction.
    let mut tx = begin(&db).await;
    insert(&mut tx, 3).await;
    commit(tx).await;
    assert_eq!(count(&db).await, 2);
}

#[tokio::test]
async fn waiters_get_the_connection_in_turn() {
    let db = within("connect", store::connect("sqlite::memory:")).await.unwrap();
    create_table(&db).await;
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                let mut tx = begin(&db).await;
                insert(&mut tx, i).await;
                tokio::task::yield_now().await;
                if i % 2 == 0 {
                    commit(tx).await;
                }
            })
        })
        .collect();
    for t in tasks {
        // Each task bounds its own waits; this bounds the whole task too (a waiter that never
        // wakes, or a panic in it, fails here with its message).
        within("a waiter's task", t).await.unwrap();
    }
    assert_eq!(count(&db).await, 10, "only the committed half is kept");
}

#[tokio::test]
async fn a_file_database_gets_several_connections_that_see_each_others_writes() {
    let dir = std::env::temp_dir().join(format!("descope-emulator-db-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("t.db").display());
    let db = within("connect", store::connect(&url)).await.unwrap();
    create_table(&db).await;
    let held = acquire(&db).await;
    let mut tx = begin(&db).await;
    insert(&mut tx, 7).await;
    commit(tx).await;
    assert_eq!(count(&db).await, 1);
    drop(held);
    drop(db);
    std::fs::remove_dir_all(&dir).ok();
}

/// The schema a fresh in-memory database starts from (`src/store/empty-schema.sqlite`) is
/// the one the migrations make. After changing a migration, remake it with
/// `UPDATE_SCHEMA_IMAGE=1 cargo test --test it empty_schema_image`.
#[tokio::test]
async fn the_empty_schema_image_matches_the_migrations() {
    let built = store::empty_schema_image().await.unwrap();
    if std::env::var_os("UPDATE_SCHEMA_IMAGE").is_some() {
        std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/src/store/empty-schema.sqlite"), &built)
            .unwrap();
        return;
    }
    let schema = |image: Vec<u8>| async move {
        let mut conn: sqlx::SqliteConnection = sqlx::ConnectOptions::connect(
            &"sqlite::memory:".parse::<sqlx::sqlite::SqliteConnectOptions>().unwrap(),
        )
        .await
        .unwrap();
        conn.deserialize(None, sqlx::sqlite::SqliteOwnedBuf::try_from(&image[..]).unwrap(), true)
            .await
            .unwrap();
        let rows: Vec<(String, String, Option<String>)> =
            sqlx::query_as("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
                .fetch_all(&mut conn)
                .await
                .unwrap();
        let version: i64 = sqlx::query_scalar("PRAGMA user_version").fetch_one(&mut conn).await.unwrap();
        (rows, version)
    };
    let (expected, digest) = schema(built).await;
    assert_eq!(digest, i64::from(store::schema_digest()));
    let (found, found_digest) = schema(store::EMPTY_SCHEMA_IMAGE.to_vec()).await;
    assert!(
        found == expected && found_digest == digest,
        "src/store/empty-schema.sqlite is out of date: run UPDATE_SCHEMA_IMAGE=1 cargo test --test it empty_schema_image"
    );
}

#[tokio::test]
async fn a_fresh_in_memory_database_has_the_whole_schema() {
    let db = within("connect", store::connect("sqlite::memory:")).await.unwrap();
    let mut conn = acquire(&db).await;
    let tables = store::projects::data_tables(&mut conn).await.unwrap();
    assert!(tables.contains(&"users".to_owned()) && tables.len() > 15, "{tables:?}");
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(&mut *conn).await.unwrap();
    assert_eq!(fk, 1, "foreign keys are on");
}
