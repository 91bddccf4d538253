//! Pending secrets (the `codes` table): single-use, expiring secrets of every flow that
//! starts and finishes, used by [`crate::domain::pending`].
//!
//! The table and some columns keep the names of the first migration, which is never edited:
//! `method` holds the kind, `purpose` the caller's intent and `login_id` the subject.

use sqlx::FromRow;

use super::Conn;
use crate::error::ApiResult;
use crate::ids::Scope;

/// A pending secret as stored.
#[derive(Debug, Clone, FromRow)]
pub struct PendingRow {
    pub id: i64,
    /// What the secret is for (`otp`, `magiclink`, ...).
    #[sqlx(rename = "method")]
    pub kind: String,
    /// The channel it was delivered over; code lookups are narrowed to it.
    pub channel: String,
    /// What finishing it does, in the caller's words (`signup`, `signin`, ...).
    #[sqlx(rename = "purpose")]
    pub intent: String,
    /// Whom it is for; empty until named when the flow starts anonymously (NOTP).
    #[sqlx(rename = "login_id")]
    pub subject: String,
    /// A short code, checked together with the subject.
    pub code: Option<String>,
    /// A token unique in the project.
    pub token: Option<String>,
    /// The caller's payload, JSON.
    pub payload: String,
    /// Wrong codes counted against it.
    pub attempts: i64,
    pub expires_ms: i64,
    pub consumed_ms: Option<i64>,
    pub created_ms: i64,
    /// The reference a polled flow (enchanted link, NOTP) is fetched by.
    pub pending_ref: Option<String>,
    /// When the link of a polled flow was followed.
    pub verified_ms: Option<i64>,
}

const COLUMNS: &str = "id, method, channel, purpose, login_id, code, token, payload, attempts, expires_ms, \
     consumed_ms, created_ms, pending_ref, verified_ms";

/// Stores a new secret (its `id`, `attempts`, `consumed_ms` and `verified_ms` are ignored);
/// returns its ID.
pub async fn insert(conn: &mut Conn, scope: &Scope, r: &PendingRow) -> ApiResult<i64> {
    let result = sqlx::query(
        "INSERT INTO codes (project_id, method, channel, purpose, login_id, code, token, payload, attempts, expires_ms, \
         created_ms, pending_ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
    )
    .bind(scope)
    .bind(&r.kind)
    .bind(&r.channel)
    .bind(&r.intent)
    .bind(&r.subject)
    .bind(&r.code)
    .bind(&r.token)
    .bind(&r.payload)
    .bind(r.expires_ms)
    .bind(r.created_ms)
    .bind(&r.pending_ref)
    .execute(conn)
    .await?;
    Ok(result.last_insert_rowid())
}

/// Live (unconsumed, unexpired) secrets of a subject for a kind and channel, newest first.
pub async fn live_for_subject(
    conn: &mut Conn,
    scope: &Scope,
    kind: &str,
    channel: &str,
    subject: &str,
    now_ms: i64,
) -> ApiResult<Vec<PendingRow>> {
    Ok(sqlx::query_as::<_, PendingRow>(&format!(
        "SELECT {COLUMNS} FROM codes WHERE project_id = ? AND login_id = ? AND method = ? AND channel = ? \
         AND consumed_ms IS NULL AND expires_ms > ? ORDER BY id DESC"
    ))
    .bind(scope)
    .bind(subject)
    .bind(kind)
    .bind(channel)
    .bind(now_ms)
    .fetch_all(conn)
    .await?)
}

/// The secret of a kind with this token, whatever its state.
pub async fn get_by_token(
    conn: &mut Conn,
    scope: &Scope,
    kind: &str,
    token: &str,
) -> ApiResult<Option<PendingRow>> {
    Ok(sqlx::query_as::<_, PendingRow>(&format!(
        "SELECT {COLUMNS} FROM codes WHERE project_id = ? AND token = ? AND method = ?"
    ))
    .bind(scope)
    .bind(token)
    .bind(kind)
    .fetch_optional(conn)
    .await?)
}

/// The secret of a kind with this pending reference, whatever its state.
pub async fn get_by_pending_ref(
    conn: &mut Conn,
    scope: &Scope,
    kind: &str,
    pending_ref: &str,
) -> ApiResult<Option<PendingRow>> {
    Ok(sqlx::query_as::<_, PendingRow>(&format!(
        "SELECT {COLUMNS} FROM codes WHERE project_id = ? AND pending_ref = ? AND method = ?"
    ))
    .bind(scope)
    .bind(pending_ref)
    .bind(kind)
    .fetch_optional(conn)
    .await?)
}

/// Marks the link of a polled flow followed, naming the subject (which a flow started
/// without one learns only now); false when it was already followed.
pub async fn mark_verified(
    conn: &mut Conn,
    scope: &Scope,
    id: i64,
    subject: &str,
    now_ms: i64,
) -> ApiResult<bool> {
    let r = sqlx::query(
        "UPDATE codes SET verified_ms = ?, login_id = ? WHERE project_id = ? AND id = ? AND verified_ms IS NULL",
    )
    .bind(now_ms)
    .bind(subject)
    .bind(scope)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Marks a secret used; false when it was already used. The condition is in the `UPDATE`
/// itself so that, of two consumers, exactly one sees true whatever their transactions.
pub async fn consume(conn: &mut Conn, scope: &Scope, id: i64, now_ms: i64) -> ApiResult<bool> {
    let r = sqlx::query(
        "UPDATE codes SET consumed_ms = ? WHERE project_id = ? AND id = ? AND consumed_ms IS NULL",
    )
    .bind(now_ms)
    .bind(scope)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Counts a failed attempt against each of the given secrets.
pub async fn add_attempt(conn: &mut Conn, scope: &Scope, ids: &[i64]) -> ApiResult<()> {
    for id in ids {
        sqlx::query("UPDATE codes SET attempts = attempts + 1 WHERE project_id = ? AND id = ?")
            .bind(scope)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
