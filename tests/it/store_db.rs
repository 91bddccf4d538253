//! The connection pool of `store::Db`: transactions end as they should, connections come back.

use descope_emulator::store;

async fn count(db: &store::Db) -> i64 {
    let mut conn = db.acquire().await.unwrap();
    sqlx::query_scalar("SELECT COUNT(*) FROM t").fetch_one(&mut *conn).await.unwrap()
}

async fn insert(tx: &mut store::Tx, v: i64) {
    sqlx::query("INSERT INTO t (v) VALUES (?)").bind(v).execute(&mut **tx).await.unwrap();
}

#[tokio::test]
async fn a_dropped_transaction_is_rolled_back_and_the_connection_reused() {
    let db = store::connect("sqlite::memory:").await.unwrap();
    {
        let mut conn = db.acquire().await.unwrap();
        sqlx::query("CREATE TABLE t (v INTEGER)").execute(&mut *conn).await.unwrap();
    }
    let mut tx = db.begin_immediate().await.unwrap();
    insert(&mut tx, 1).await;
    tx.commit().await.unwrap();

    let mut tx = db.begin_immediate().await.unwrap();
    insert(&mut tx, 2).await;
    drop(tx);
    assert_eq!(count(&db).await, 1, "the dropped transaction's row is gone");

    // The one connection of the in-memory database is free again, and outside a transaction.
    let mut tx = db.begin_immediate().await.unwrap();
    insert(&mut tx, 3).await;
    tx.commit().await.unwrap();
    assert_eq!(count(&db).await, 2);
}

#[tokio::test]
async fn waiters_get_the_connection_in_turn() {
    let db = store::connect("sqlite::memory:").await.unwrap();
    {
        let mut conn = db.acquire().await.unwrap();
        sqlx::query("CREATE TABLE t (v INTEGER)").execute(&mut *conn).await.unwrap();
    }
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                let mut tx = db.begin_immediate().await.unwrap();
                insert(&mut tx, i).await;
                tokio::task::yield_now().await;
                if i % 2 == 0 {
                    tx.commit().await.unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(count(&db).await, 10, "only the committed half is kept");
}

#[tokio::test]
async fn a_file_database_gets_several_connections_that_see_each_others_writes() {
    let dir = std::env::temp_dir().join(format!("descope-emulator-db-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("t.db").display());
    let db = store::connect(&url).await.unwrap();
    {
        let mut conn = db.acquire().await.unwrap();
        sqlx::query("CREATE TABLE t (v INTEGER)").execute(&mut *conn).await.unwrap();
    }
    let held = db.acquire().await.unwrap();
    let mut tx = db.begin_immediate().await.unwrap();
    insert(&mut tx, 7).await;
    tx.commit().await.unwrap();
    assert_eq!(count(&db).await, 1);
    drop(held);
    drop(db);
    std::fs::remove_dir_all(&dir).ok();
}
