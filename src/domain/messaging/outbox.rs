//! The outbox: messages the emulator would have sent, with their secrets pulled out, and a
//! notifier that wakes long-polling readers (`?wait=`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

use crate::crypto;
use crate::domain::messaging::channel::{ChannelKind, MessageContent, INVITE_KIND};
use crate::domain::Ctx;
use crate::error::ApiResult;
use crate::ids::Scope;
pub use crate::store::outbox::{MessageFilter, MessagePayload, MessageRow};
use crate::store::{self, Conn};

/// Wakes outbox readers when a message is written, per project: a reader waiting on one
/// project's outbox is not woken (and does not read the store again) for another project's
/// messages. Each data scope that has readers waiting has a counter in a watch channel, so a
/// reader that subscribes, checks the store and then waits never misses a message written in
/// between; the channel goes away with its last reader.
#[derive(Clone, Default)]
pub struct OutboxNotifier {
    inner: Arc<NotifierInner>,
}

#[derive(Default)]
struct NotifierInner {
    scopes: Mutex<HashMap<Scope, watch::Sender<u64>>>,
    closing: AtomicBool,
    /// Wakes the live streams (`outbox/stream`, `/emulator/v1/events`) at shutdown.
    shutdown: tokio::sync::Notify,
    /// How many times a reader was woken to read the store again.
    wakeups: AtomicU64,
}

impl OutboxNotifier {
    /// Wakes the readers of `scope`'s outbox. Call it after the commit of the message.
    pub fn notify(&self, scope: &Scope) {
        if let Some(tx) = self.inner.lock().get(scope) {
            tx.send_modify(|n| *n = n.wrapping_add(1));
        }
    }

    /// Starts watching `scope`'s outbox: a message notified after this call wakes
    /// [`Subscription::changed`].
    pub fn subscribe(&self, scope: &Scope) -> Subscription {
        let rx = self.inner.lock().entry(scope.clone()).or_insert_with(|| watch::channel(0).0).subscribe();
        Subscription { rx: Some(rx), scope: scope.clone(), inner: self.inner.clone() }
    }

    /// Ends every `wait` now and makes later ones return at once, so a graceful shutdown
    /// does not sit out a 30-second long-poll.
    pub fn close(&self) {
        self.inner.closing.store(true, Ordering::SeqCst);
        self.inner.shutdown.notify_waiters();
        for tx in self.inner.lock().values() {
            tx.send_modify(|n| *n = n.wrapping_add(1));
        }
    }

    /// True once [`OutboxNotifier::close`] was called (the server is shutting down).
    pub fn is_closing(&self) -> bool {
        self.inner.closing.load(Ordering::SeqCst)
    }

    /// Completes when the server starts shutting down ([`OutboxNotifier::close`]), so live
    /// streams end and do not hold the graceful shutdown.
    pub async fn closed(&self) {
        let woken = self.inner.shutdown.notified();
        if self.is_closing() {
            return;
        }
        woken.await;
    }

    /// How many times a waiting reader was woken to read the store again, over all projects
    /// (tests read it).
    pub fn wakeups(&self) -> u64 {
        self.inner.wakeups.load(Ordering::Relaxed)
    }

    /// How many projects have readers waiting.
    pub fn watched_scopes(&self) -> usize {
        self.inner.lock().len()
    }
}

impl NotifierInner {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Scope, watch::Sender<u64>>> {
        // The map stays consistent whatever a panicking holder did: take it back.
        self.scopes.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A reader's watch on one project's outbox (see [`OutboxNotifier::subscribe`]).
pub struct Subscription {
    rx: Option<watch::Receiver<u64>>,
    scope: Scope,
    inner: Arc<NotifierInner>,
}

impl Subscription {
    /// Marks every message notified so far as seen.
    pub fn mark_seen(&mut self) {
        if let Some(rx) = &mut self.rx {
            rx.borrow_and_update();
        }
    }

    /// Waits for a message notified after the last [`Subscription::mark_seen`].
    pub async fn changed(&mut self) {
        // The sender stays in the map while this receiver lives, so `changed` fails only if
        // the map was dropped: then nothing can wake it.
        let alive = match &mut self.rx {
            Some(rx) => rx.changed().await.is_ok(),
            None => false,
        };
        if !alive {
            std::future::pending::<()>().await;
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        drop(self.rx.take());
        let mut scopes = self.inner.lock();
        if scopes.get(&self.scope).is_some_and(|tx| tx.receiver_count() == 0) {
            scopes.remove(&self.scope);
        }
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

/// Writes a message inside the caller's transaction. Call [`OutboxNotifier::notify`] with
/// the context's scope after the commit.
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
    let mut watch = (!wait.is_zero()).then(|| notifier.subscribe(scope));
    loop {
        if let Some(w) = &mut watch {
            w.mark_seen();
        }
        let rows = {
            let mut conn = db.acquire().await?;
            store::outbox::list(&mut conn, scope, filter).await?
        };
        let Some(w) = watch.as_mut() else {
            return Ok(rows);
        };
        if !rows.is_empty() || notifier.is_closing() || tokio::time::Instant::now() >= deadline {
            return Ok(rows);
        }
        if tokio::time::timeout_at(deadline, w.changed()).await.is_err() {
            // One last look, for a writer that did not notify.
            let mut conn = db.acquire().await?;
            return store::outbox::list(&mut conn, scope, filter).await;
        }
        notifier.inner.wakeups.fetch_add(1, Ordering::Relaxed);
    }
}

/// Deletes one message of the project's outbox; 404 when it has none with that ID.
pub async fn delete(db: &crate::store::Db, ctx: &Ctx, id: &str) -> ApiResult<()> {
    let mut tx = db.begin_immediate().await?;
    let deleted = store::outbox::delete(&mut tx, ctx.scope(), id).await?;
    tx.commit().await?;
    if !deleted {
        return Err(crate::error::ApiError::not_found(format!("No message {id} in the outbox")));
    }
    Ok(())
}

/// The position of the newest message of any project: messages written later come after it
/// (see [`after`]).
pub async fn last_position(db: &crate::store::Db) -> ApiResult<i64> {
    let mut conn = db.acquire().await?;
    store::outbox::last_seq(&mut conn).await
}

/// The project's messages written after `position`, oldest first, at most `limit`, with
/// their positions.
pub async fn after(
    db: &crate::store::Db,
    scope: &Scope,
    position: i64,
    limit: i64,
) -> ApiResult<Vec<(i64, MessageRow)>> {
    let mut conn = db.acquire().await?;
    store::outbox::list_after(&mut conn, scope, position, limit).await
}

/// Empties the project's outbox.
pub async fn clear(db: &crate::store::Db, ctx: &Ctx) -> ApiResult<()> {
    let mut tx = db.begin_immediate().await?;
    store::outbox::clear(&mut tx, ctx.scope()).await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    async fn woken(sub: &mut Subscription) -> bool {
        tokio::time::timeout(Duration::from_millis(50), sub.changed()).await.is_ok()
    }

    #[tokio::test]
    async fn a_message_between_the_check_and_the_wait_is_not_missed() {
        let notifier = OutboxNotifier::default();
        let (a, b) = (Scope::from("PA".to_owned()), Scope::from("PB".to_owned()));
        let mut sub = notifier.subscribe(&a);
        sub.mark_seen();
        // ... the reader checks the store here; a message is committed and notified ...
        notifier.notify(&a);
        assert!(woken(&mut sub).await);
        sub.mark_seen();
        assert!(!woken(&mut sub).await);
        notifier.notify(&b);
        assert!(!woken(&mut sub).await, "woken by another project's message");
        notifier.close();
        assert!(woken(&mut sub).await, "not woken by close()");
        assert!(notifier.is_closing());
    }

    #[test]
    fn a_project_is_watched_while_it_has_readers() {
        let notifier = OutboxNotifier::default();
        let a = Scope::from("PA".to_owned());
        let first = notifier.subscribe(&a);
        let second = notifier.subscribe(&a);
        assert_eq!(notifier.watched_scopes(), 1);
        drop(first);
        assert_eq!(notifier.watched_scopes(), 1);
        drop(second);
        assert_eq!(notifier.watched_scopes(), 0);
        // Nobody to wake: a no-op.
        notifier.notify(&a);
        assert_eq!(notifier.watched_scopes(), 0);
    }
}
