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
         AND (?4 IS NULL OR channel = ?4) AND (?5 IS NULL OR kind = ?5) ORDER BY seq DESC LIMIT ?6",
    )
    .bind(scope)
    .bind(&f.login_id)
    .bind(&f.to)
    .bind(&f.channel)
    .bind(&f.kind)
    .bind(f.limit)
    .fetch_all(conn)
    .await?)
}

pub async fn clear(conn: &mut Conn, scope: &Scope) -> ApiResult<u64> {
    let r = sqlx::query("DELETE FROM outbox WHERE project_id = ?").bind(scope).execute(conn).await?;
    Ok(r.rows_affected())
}
