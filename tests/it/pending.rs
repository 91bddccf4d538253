//! The pending-secret engine (`domain::pending`) on its own: creation, expiry by the time
//! passed in, attempts, single use under concurrency, the polled two steps, project scopes.

use descope_emulator::clock::UnixTime;
use descope_emulator::domain::pending::{self, CodeCheck, CodeHolder, Entry, Handles, Kind, New, Refusal};
use descope_emulator::ids::{ProjectId, Scope};
use descope_emulator::store::{self, projects::ProjectRow, Db};
use serde_json::{json, Value};
use std::sync::Arc;
use tokio::sync::Barrier;

/// Far from the real clock on purpose: the engine must judge only by the `now` it is given.
const T0: UnixTime = UnixTime(1_000_000_000);

/// A database with projects `P2a`, `P2b`, ... (their data scopes are their IDs).
async fn db_with_projects(url: &str, count: usize) -> (Db, Vec<Scope>) {
    let db = store::connect(url).await.unwrap();
    let mut ids = Vec::new();
    let mut conn = db.acquire().await.unwrap();
    for i in 0..count {
        let id = format!("P2{}", (b'a' + i as u8) as char);
        let row = ProjectRow {
            id: ProjectId::new(id.clone()),
            name: id.clone(),
            is_default: false,
            settings: "{}".into(),
            created_ms: T0.millis(),
            data_scope: None,
        };
        store::projects::insert(&mut conn, &row).await.unwrap();
        ids.push(Scope::new(id));
    }
    drop(conn);
    (db, ids)
}

async fn memory_db(count: usize) -> (Db, Vec<Scope>) {
    db_with_projects("sqlite::memory:", count).await
}

fn token(t: &str) -> Handles {
    Handles { token: Some(t.into()), ..Handles::default() }
}

fn code(c: &str) -> Handles {
    Handles { code: Some(c.into()), ..Handles::default() }
}

/// Stores a secret of `kind` for `alice` over email, living 60 s from `T0`.
async fn create(db: &Db, scope: &Scope, kind: Kind, handles: Handles, payload: Value) {
    let mut tx = db.begin_immediate().await.unwrap();
    let new = New {
        kind,
        channel: "email",
        intent: "signin",
        subject: "alice",
        handles,
        payload: &payload,
        lifetime_secs: 60,
    };
    pending::create(&mut tx, scope, T0, new).await.unwrap();
    tx.commit().await.unwrap();
}

async fn consume_token(
    db: &Db,
    scope: &Scope,
    now: UnixTime,
    kind: Kind,
    t: &str,
) -> Result<Entry<Value>, Refusal> {
    let mut tx = db.begin_immediate().await.unwrap();
    let r = pending::consume_token(&mut tx, scope, now, kind, t).await.unwrap();
    tx.commit().await.unwrap();
    r
}

async fn check_code(
    db: &Db,
    scope: &Scope,
    now: UnixTime,
    subject: &str,
    c: &str,
    max: i64,
) -> CodeCheck<Value> {
    let mut tx = db.begin_immediate().await.unwrap();
    let holder = CodeHolder { kind: Kind::Otp, channel: "email", subject };
    let r = pending::check_code(&mut tx, scope, now, holder, c, max).await.unwrap();
    tx.commit().await.unwrap();
    r
}

async fn take(db: &Db, scope: &Scope, now: UnixTime, kind: Kind, r: &str) -> Result<Entry<Value>, Refusal> {
    let mut tx = db.begin_immediate().await.unwrap();
    let out = pending::take_verified(&mut tx, scope, now, kind, r).await.unwrap();
    tx.commit().await.unwrap();
    out
}

#[tokio::test]
async fn a_created_token_is_consumed_once_with_its_payload() {
    let (db, p) = memory_db(1).await;
    create(&db, &p[0], Kind::MagicLink, token("tok-1"), json!({"next": "/home"})).await;

    let entry = consume_token(&db, &p[0], T0, Kind::MagicLink, "tok-1").await.unwrap();
    assert_eq!(entry.kind, Kind::MagicLink);
    assert_eq!(
        (entry.channel.as_str(), entry.intent.as_str(), entry.subject.as_str()),
        ("email", "signin", "alice")
    );
    assert_eq!(entry.payload, json!({"next": "/home"}));
    assert_eq!(entry.expires, T0.plus_secs(60));

    assert_eq!(consume_token(&db, &p[0], T0, Kind::MagicLink, "tok-1").await.unwrap_err(), Refusal::Used);
    assert_eq!(consume_token(&db, &p[0], T0, Kind::MagicLink, "nope").await.unwrap_err(), Refusal::Unknown);
}

#[tokio::test]
async fn lookups_never_cross_kinds() {
    let (db, p) = memory_db(1).await;
    create(&db, &p[0], Kind::EnchantedLink, token("tok-1"), json!({})).await;
    assert_eq!(consume_token(&db, &p[0], T0, Kind::MagicLink, "tok-1").await.unwrap_err(), Refusal::Unknown);
    assert!(consume_token(&db, &p[0], T0, Kind::EnchantedLink, "tok-1").await.is_ok());
}

#[tokio::test]
async fn secrets_expire_by_the_time_given() {
    let (db, p) = memory_db(1).await;
    let last_moment = UnixTime(T0.plus_secs(60).millis() - 1);
    create(&db, &p[0], Kind::MagicLink, token("tok-1"), json!({})).await;
    create(&db, &p[0], Kind::MagicLink, token("tok-2"), json!({})).await;
    create(&db, &p[0], Kind::Otp, code("111111"), json!({})).await;
    create(&db, &p[0], Kind::Otp, code("222222"), json!({})).await;

    assert!(consume_token(&db, &p[0], last_moment, Kind::MagicLink, "tok-1").await.is_ok());
    let expired = T0.plus_secs(60);
    assert_eq!(
        consume_token(&db, &p[0], expired, Kind::MagicLink, "tok-2").await.unwrap_err(),
        Refusal::Expired
    );

    assert!(matches!(
        check_code(&db, &p[0], last_moment, "alice", "111111", 5).await,
        CodeCheck::Accepted(_)
    ));
    assert!(matches!(
        check_code(&db, &p[0], expired, "alice", "222222", 5).await,
        CodeCheck::Rejected { exhausted: false }
    ));
}

#[tokio::test]
async fn a_wrong_code_counts_an_attempt_and_the_maximum_voids_the_code() {
    let (db, p) = memory_db(1).await;
    create(&db, &p[0], Kind::Otp, code("123456"), json!({"n": 1})).await;

    assert!(matches!(
        check_code(&db, &p[0], T0, "alice", "000000", 3).await,
        CodeCheck::Rejected { exhausted: false }
    ));
    let CodeCheck::Accepted(entry) = check_code(&db, &p[0], T0, "alice", "123456", 3).await else {
        panic!("the right code is accepted after one wrong one");
    };
    assert_eq!(entry.attempts, 1, "the wrong code was counted");
    assert_eq!(entry.payload, json!({"n": 1}));
    assert!(
        matches!(check_code(&db, &p[0], T0, "alice", "123456", 3).await, CodeCheck::Rejected { .. }),
        "a code works once"
    );

    create(&db, &p[0], Kind::Otp, code("654321"), json!({})).await;
    for _ in 0..2 {
        assert!(matches!(
            check_code(&db, &p[0], T0, "alice", "000000", 3).await,
            CodeCheck::Rejected { exhausted: false }
        ));
    }
    assert!(matches!(
        check_code(&db, &p[0], T0, "alice", "000000", 3).await,
        CodeCheck::Rejected { exhausted: true }
    ));
    assert!(
        matches!(
            check_code(&db, &p[0], T0, "alice", "654321", 3).await,
            CodeCheck::Rejected { exhausted: false }
        ),
        "a code with the maximum of wrong attempts is void"
    );
}

#[tokio::test]
async fn codes_are_checked_per_subject_and_channel() {
    let (db, p) = memory_db(1).await;
    create(&db, &p[0], Kind::Otp, code("123456"), json!({})).await;
    assert!(matches!(check_code(&db, &p[0], T0, "bob", "123456", 5).await, CodeCheck::Rejected { .. }));
    let mut tx = db.begin_immediate().await.unwrap();
    let sms = CodeHolder { kind: Kind::Otp, channel: "sms", subject: "alice" };
    let r: CodeCheck<Value> = pending::check_code(&mut tx, &p[0], T0, sms, "123456", 5).await.unwrap();
    tx.commit().await.unwrap();
    assert!(matches!(r, CodeCheck::Rejected { .. }));
    let CodeCheck::Accepted(entry) = check_code(&db, &p[0], T0, "alice", "123456", 5).await else {
        panic!("the code works for its own subject and channel");
    };
    assert_eq!(entry.attempts, 0, "wrong guesses of other holders did not count against it");
}

#[tokio::test]
async fn a_polled_secret_is_verified_once_then_taken_once() {
    let (db, p) = memory_db(1).await;
    let handles =
        Handles { token: Some("link".into()), pending_ref: Some("ref".into()), ..Handles::default() };
    let mut tx = db.begin_immediate().await.unwrap();
    let new = New {
        kind: Kind::Notp,
        channel: "whatsapp",
        intent: "signin",
        subject: "",
        handles,
        payload: &json!({"k": "v"}),
        lifetime_secs: 60,
    };
    pending::create(&mut tx, &p[0], T0, new).await.unwrap();
    tx.commit().await.unwrap();

    assert_eq!(take(&db, &p[0], T0, Kind::Notp, "ref").await.unwrap_err(), Refusal::NotVerified);

    let mut tx = db.begin_immediate().await.unwrap();
    let entry: Entry<Value> =
        pending::find_by_token(&mut tx, &p[0], T0, Kind::Notp, "link").await.unwrap().unwrap();
    assert_eq!(entry.subject, "", "not named yet");
    pending::mark_verified(&mut tx, &p[0], T0, &entry, "+15555550123").await.unwrap().unwrap();
    assert_eq!(
        pending::mark_verified(&mut tx, &p[0], T0, &entry, "+15555550123").await.unwrap(),
        Err(Refusal::Used),
        "verified once"
    );
    let again = pending::find_by_token::<Value>(&mut tx, &p[0], T0, Kind::Notp, "link").await.unwrap();
    assert_eq!(again.unwrap_err(), Refusal::Used);
    tx.commit().await.unwrap();

    let taken = take(&db, &p[0], T0, Kind::Notp, "ref").await.unwrap();
    assert_eq!(taken.subject, "+15555550123", "named at verification");
    assert_eq!(taken.payload, json!({"k": "v"}));
    assert_eq!(take(&db, &p[0], T0, Kind::Notp, "ref").await.unwrap_err(), Refusal::Used, "taken once");
    assert_eq!(take(&db, &p[0], T0, Kind::EnchantedLink, "ref").await.unwrap_err(), Refusal::Unknown);
}

#[tokio::test]
async fn a_verified_secret_expires_before_it_is_taken() {
    let (db, p) = memory_db(1).await;
    let handles =
        Handles { token: Some("link".into()), pending_ref: Some("ref".into()), ..Handles::default() };
    create(&db, &p[0], Kind::EnchantedLink, handles, json!({})).await;
    let mut tx = db.begin_immediate().await.unwrap();
    let entry: Entry<Value> =
        pending::find_by_token(&mut tx, &p[0], T0, Kind::EnchantedLink, "link").await.unwrap().unwrap();
    pending::mark_verified(&mut tx, &p[0], T0, &entry, "alice").await.unwrap().unwrap();
    tx.commit().await.unwrap();
    let later = T0.plus_secs(60);
    assert_eq!(take(&db, &p[0], later, Kind::EnchantedLink, "ref").await.unwrap_err(), Refusal::Expired);
    let mut tx = db.begin_immediate().await.unwrap();
    let r =
        pending::find_by_token::<Value>(&mut tx, &p[0], later, Kind::EnchantedLink, "link").await.unwrap();
    assert_eq!(r.unwrap_err(), Refusal::Used, "a followed link stays used, expired or not");
}

#[tokio::test]
async fn projects_never_see_each_others_secrets() {
    let (db, p) = memory_db(2).await;
    let (a, b) = (&p[0], &p[1]);
    create(&db, a, Kind::MagicLink, token("same"), json!({"of": "a"})).await;
    create(&db, b, Kind::MagicLink, token("same"), json!({"of": "b"})).await;
    create(&db, a, Kind::Otp, code("123456"), json!({})).await;
    let polled =
        Handles { token: Some("link".into()), pending_ref: Some("ref".into()), ..Handles::default() };
    create(&db, a, Kind::EnchantedLink, polled, json!({})).await;

    assert_eq!(consume_token(&db, b, T0, Kind::MagicLink, "same").await.unwrap().payload, json!({"of": "b"}));
    assert_eq!(consume_token(&db, a, T0, Kind::MagicLink, "same").await.unwrap().payload, json!({"of": "a"}));

    // Wrong and right guesses in B touch nothing of A's.
    for _ in 0..3 {
        assert!(matches!(
            check_code(&db, b, T0, "alice", "123456", 3).await,
            CodeCheck::Rejected { exhausted: false }
        ));
    }
    let CodeCheck::Accepted(entry) = check_code(&db, a, T0, "alice", "123456", 3).await else {
        panic!("A's code still works");
    };
    assert_eq!(entry.attempts, 0);

    assert_eq!(take(&db, b, T0, Kind::EnchantedLink, "ref").await.unwrap_err(), Refusal::Unknown);
    let mut tx = db.begin_immediate().await.unwrap();
    let r = pending::find_by_token::<Value>(&mut tx, b, T0, Kind::EnchantedLink, "link").await.unwrap();
    assert_eq!(r.unwrap_err(), Refusal::Unknown);
}

/// A file database, so that the consumers below really have connections of their own.
async fn file_db(tag: &str) -> (Db, Vec<Scope>, std::path::PathBuf) {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir =
        std::env::temp_dir().join(format!("descope-emulator-pending-{tag}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (db, p) = db_with_projects(&format!("sqlite://{}", dir.join("t.db").display()), 1).await;
    (db, p, dir)
}

#[tokio::test]
async fn of_two_concurrent_consumers_exactly_one_wins() {
    let (db, p, dir) = file_db("consume").await;
    create(&db, &p[0], Kind::MagicLink, token("race"), json!({})).await;

    // Both read the secret as live before either consumes it: only the guarded update decides.
    let barrier = Arc::new(Barrier::new(2));
    let tasks: Vec<_> = (0..2)
        .map(|_| {
            let (db, scope, barrier) = (db.clone(), p[0].clone(), barrier.clone());
            tokio::spawn(async move {
                let mut conn = db.acquire().await.unwrap();
                let entry: Entry<Value> =
                    pending::find_by_token(&mut conn, &scope, T0, Kind::MagicLink, "race")
                        .await
                        .unwrap()
                        .unwrap();
                barrier.wait().await;
                pending::consume(&mut conn, &scope, T0, &entry).await.unwrap()
            })
        })
        .collect();
    let mut wins = 0;
    for t in tasks {
        wins += usize::from(t.await.unwrap());
    }
    assert_eq!(wins, 1);

    // The same through whole transactions.
    create(&db, &p[0], Kind::MagicLink, token("race-2"), json!({})).await;
    let tasks: Vec<_> = (0..2)
        .map(|_| {
            let (db, scope) = (db.clone(), p[0].clone());
            tokio::spawn(async move { consume_token(&db, &scope, T0, Kind::MagicLink, "race-2").await })
        })
        .collect();
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.unwrap().map(|_| ()));
    }
    outcomes.sort_by_key(|o| o.is_err());
    assert_eq!(outcomes, [Ok(()), Err(Refusal::Used)]);

    drop(db);
    std::fs::remove_dir_all(&dir).ok();
}
