//! The outbox: every message the emulator would have sent.

use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use super::Conn;
use crate::error::ApiResult;
use crate::ids::Scope;

#[derive(Debug, Clone, Default, FromRow)]
pub struct MessageRow {
    pub id: String,
    pub project_id: String,
    pub channel: String,
    pub to_addr: String,
    pub login_id: String,
    pub kind: String,
    #[sqlx(flatten)]
    pub payload: MessagePayload,
    pub created_ms: i64,
}

/// What a message carries: the code, link or token it was sent for, and its subject and body.
/// The emulator API shows it as stored (flattened into its outbox `Message`).
#[derive(Debug, Clone, Default, FromRow, Serialize, Deserialize)]
pub struct MessagePayload {
    pub code: Option<String>,
    pub link: Option<String>,
    pub token: Option<String>,
    pub subject: Option<String>,
    pub body: String,
}

/// Filters of `GET /emulator/v1/projects/{id}/outbox`; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct MessageFilter {
    pub login_id: Option<String>,
    pub to: Option<String>,
    pub channel: Option<String>,
    pub kind: Option<String>,
    /// Text found (ASCII case-insensitively) in the subject, body, address, login ID or code.
    pub q: Option<String>,
    pub limit: i64,
}

pub async fn insert(conn: &mut Conn, m: &MessageRow) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO outbox (id, project_id, channel, to_addr, login_id, kind, code, link, token, subject, body, created_ms) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&m.id)
    .bind(&m.project_id)
    .bind(&m.channel)
    .bind(&m.to_addr)
    .bind(&m.login_id)
    .bind(&m.kind)
    .bind(&m.payload.code)
    .bind(&m.payload.link)
    .bind(&m.payload.token)
    .bind(&m.payload.subject)
    .bind(&m.payload.body)
    .bind(m.created_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Matching messages, newest first.
pub async fn list(conn: &mut Conn, scope: &Scope, f: &MessageFilter) -> ApiResult<Vec<MessageRow>> {
    Ok(sqlx::query_as::<_, MessageRow>(
        "SELECT id, project_id, channel, to_addr, login_id, kind, code, link, token, subject, body, created_ms \
         FROM outbox WHERE project_id = ?1 AND (?2 IS NULL OR login_id = ?2) AND (?3 IS NULL OR to_addr = ?3) \
         AND (?4 IS NULL OR channel = ?4) AND (?5 IS NULL OR kind = ?5) \
         AND (?7 IS NULL OR instr(lower(coalesce(subject, '') || char(10) || body || char(10) || to_addr \
             || char(10) || login_id || char(10) || coalesce(code, '')), lower(?7)) > 0) \
         ORDER BY seq DESC LIMIT ?6",
    )
    .bind(scope)
    .bind(&f.login_id)
    .bind(&f.to)
    .bind(&f.channel)
    .bind(&f.kind)
    .bind(f.limit)
    .bind(&f.q)
    .fetch_all(conn)
    .await?)
}

/// The newest sequence number of any message (0 when there is none); a message written later
/// has a greater one (the column is AUTOINCREMENT: never reused).
pub async fn last_seq(conn: &mut Conn) -> ApiResult<i64> {
    Ok(sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM outbox").fetch_one(conn).await?)
}

/// The project's messages written after sequence number `after`, oldest first, with their
/// sequence numbers.
pub async fn list_after(
    conn: &mut Conn,
    scope: &Scope,
    after: i64,
    limit: i64,
) -> ApiResult<Vec<(i64, MessageRow)>> {
    #[derive(FromRow)]
    struct Numbered {
        seq: i64,
        #[sqlx(flatten)]
        row: MessageRow,
    }
    let rows = sqlx::query_as::<_, Numbered>(
        "SELECT seq, id, project_id, channel, to_addr, login_id, kind, code, link, token, subject, body, created_ms \
         FROM outbox WHERE project_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
    )
    .bind(scope)
    .bind(after)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|n| (n.seq, n.row)).collect())
}

/// Deletes one message; false when the project has no message with that ID.
pub async fn delete(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<bool> {
    let r = sqlx::query("DELETE FROM outbox WHERE project_id = ? AND id = ?")
        .bind(scope)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() > 0)
}

pub async fn clear(conn: &mut Conn, scope: &Scope) -> ApiResult<u64> {
    let r = sqlx::query("DELETE FROM outbox WHERE project_id = ?").bind(scope).execute(conn).await?;
    Ok(r.rows_affected())
}
