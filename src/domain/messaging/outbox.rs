//! The outbox: messages the emulator would have sent, with their secrets pulled out, and a
//! notifier that wakes long-polling readers (`?wait=`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

use crate::crypto;
use crate::domain::messaging::channel::{ChannelKind, MessageContent, INVITE_KIND};
use crate::domain::Ctx;
use crate::error::ApiResult;
use crate::ids::Scope;
pub use crate::store::outbox::{MessageFilter, MessagePayload, MessageRow};
use crate::store::{self, Conn};

/// Wakes outbox readers when a message is written. A counter in a watch channel, so a
/// reader that checks the store and then waits never misses a message written in between.
#[derive(Clone)]
pub struct OutboxNotifier {
    tx: watch::Sender<u64>,
    closing: Arc<AtomicBool>,
}

impl Default for OutboxNotifier {
    fn default() -> Self {
        OutboxNotifier { tx: watch::channel(0).0, closing: Arc::default() }
    }
}

impl OutboxNotifier {
    pub fn notify(&self) {
        self.tx.send_modify(|n| *n = n.wrapping_add(1));
    }

    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.tx.subscribe()
    }

    /// Ends every `wait` now and makes later ones return at once, so a graceful shutdown
    /// does not sit out a 30-second long-poll.
    pub fn close(&self) {
        self.closing.store(true, Ordering::SeqCst);
        self.notify();
    }

    fn is_closing(&self) -> bool {
        self.closing.load(Ordering::SeqCst)
    }
}

/// A message to write: who it is for and the secret it carries.
pub struct Outgoing<'a> {
    pub channel: ChannelKind,
    pub to: &'a str,
    pub login_id: &'a str,
    pub kind: &'a str,
    pub code: Option<&'a str>,
    pub link: Option<&'a str>,
    pub token: Option<&'a str>,
}

/// Writes a message inside the caller's transaction. Call [`OutboxNotifier::notify`] after
/// the commit.
pub async fn write(conn: &mut Conn, ctx: &Ctx, m: Outgoing<'_>) -> ApiResult<()> {
    let content = match (m.code, m.link) {
        _ if m.kind == INVITE_KIND => MessageContent::Invite { project: &ctx.project.name, link: m.link },
        (Some(number), Some(link)) => MessageContent::NumberedLink(number, link),
        (Some(code), None) => MessageContent::Code(code),
        (None, Some(link)) => MessageContent::Link(link),
        (None, None) => MessageContent::Code(""),
    };
    let (subject, body) = m.channel.message(&content);
    let row = MessageRow {
        id: format!("M{}", crypto::random_alnum(27)),
        project_id: ctx.scope().to_string(),
        channel: m.channel.as_str().to_owned(),
        to_addr: m.to.to_owned(),
        login_id: m.login_id.to_owned(),
        kind: m.kind.to_owned(),
        payload: MessagePayload {
            code: m.code.map(str::to_owned),
            link: m.link.map(str::to_owned),
            token: m.token.map(str::to_owned),
            subject,
            body,
        },
        created_ms: ctx.now.millis(),
    };
    store::outbox::insert(conn, &row).await
}

/// Lists matching messages, newest first; with `wait`, holds until one matches or the wait
/// (real time, not the emulator clock) runs out.
pub async fn list(
    db: &crate::store::Db,
    notifier: &OutboxNotifier,
    scope: &Scope,
    filter: &MessageFilter,
    wait: Duration,
) -> ApiResult<Vec<MessageRow>> {
    let deadline = tokio::time::Instant::now() + wait;
    let mut rx = notifier.subscribe();
    loop {
        rx.borrow_and_update();
        let rows = {
            let mut conn = db.acquire().await?;
            store::outbox::list(&mut conn, scope, filter).await?
        };
        if !rows.is_empty() || notifier.is_closing() || tokio::time::Instant::now() >= deadline {
            return Ok(rows);
        }
        if tokio::time::timeout_at(deadline, rx.changed()).await.is_err() {
            let mut conn = db.acquire().await?;
            return store::outbox::list(&mut conn, scope, filter).await;
        }
    }
}

/// Empties the project's outbox.
pub async fn clear(db: &crate::store::Db, ctx: &Ctx) -> ApiResult<()> {
    let mut tx = db.begin_immediate().await?;
    store::outbox::clear(&mut tx, ctx.scope()).await?;
    tx.commit().await
}
