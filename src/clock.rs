//! The emulator's one clock: real time plus an adjustable offset.
//!
//! Every issued-at, expiry and code lifetime is judged by this clock, so tests can move time
//! with `POST /emulator/v1/clock`. Handlers read it once and pass `now` down.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// The earliest and latest times the emulator handles, in Unix seconds: the years 1 to 9999,
/// far from where millisecond arithmetic on `i64` would overflow.
pub const EARLIEST_SECS: i64 = -62_135_596_800;
pub const LATEST_SECS: i64 = 253_402_300_799;

/// The longest duration, in seconds, a request may ask for (a token lifetime, a link timeout, a
/// lock): 100 years. Descope documents no limit; this one keeps expiries far from overflow.
pub const MAX_DURATION_SECS: i64 = 100 * 365 * 24 * 3600;

/// A point in emulator time, in Unix milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnixTime(pub i64);

impl UnixTime {
    pub fn millis(self) -> i64 {
        self.0
    }

    pub fn secs(self) -> i64 {
        self.0.div_euclid(1000)
    }

    pub fn plus_secs(self, secs: i64) -> UnixTime {
        UnixTime(self.0 + secs * 1000)
    }

    /// Real time, for records that no emulator rule judges (when a key was made).
    pub fn real_now() -> UnixTime {
        UnixTime(real_now_ms())
    }
}

#[derive(Debug, Clone)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
    /// The time a frozen clock shows, in Unix ms; [`NOT_FROZEN`] while it runs.
    frozen_ms: Arc<AtomicI64>,
    /// Counts the changes (advance, set, freeze, reset), for the console's live view.
    changes: Arc<tokio::sync::watch::Sender<u64>>,
}

const NOT_FROZEN: i64 = i64::MIN;

impl Default for Clock {
    fn default() -> Self {
        Clock {
            offset_ms: Arc::default(),
            frozen_ms: Arc::new(AtomicI64::new(NOT_FROZEN)),
            changes: Arc::new(tokio::sync::watch::channel(0).0),
        }
    }
}

fn real_now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default()
}

impl Clock {
    pub fn now(&self) -> UnixTime {
        match self.frozen_ms.load(Ordering::Relaxed) {
            NOT_FROZEN => UnixTime(real_now_ms() + self.offset_ms.load(Ordering::Relaxed)),
            frozen => UnixTime(frozen),
        }
    }

    pub fn offset_secs(&self) -> i64 {
        (self.now().millis() - real_now_ms()) / 1000
    }

    pub fn is_frozen(&self) -> bool {
        self.frozen_ms.load(Ordering::Relaxed) != NOT_FROZEN
    }

    /// Watches the clock: the receiver sees a new value after each change.
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changes.subscribe()
    }

    fn changed(&self) {
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
    }

    pub fn advance(&self, secs: i64) {
        if self.is_frozen() {
            self.frozen_ms.fetch_add(secs.saturating_mul(1000), Ordering::Relaxed);
        } else {
            self.offset_ms.fetch_add(secs.saturating_mul(1000), Ordering::Relaxed);
        }
        self.changed();
    }

    /// Sets emulator time to `unix_secs` (the past is allowed).
    pub fn set(&self, unix_secs: i64) {
        if self.is_frozen() {
            self.frozen_ms.store(unix_secs.saturating_mul(1000), Ordering::Relaxed);
        } else {
            let real = real_now_ms();
            self.offset_ms.store(unix_secs.saturating_mul(1000) - real, Ordering::Relaxed);
        }
        self.changed();
    }

    /// Stops the clock at its current time (deterministic runs), or lets it run on from the
    /// time it shows.
    pub fn freeze(&self, frozen: bool) {
        let now = self.now().millis();
        if frozen {
            self.frozen_ms.store(now, Ordering::Relaxed);
        } else if self.is_frozen() {
            self.offset_ms.store(now - real_now_ms(), Ordering::Relaxed);
            self.frozen_ms.store(NOT_FROZEN, Ordering::Relaxed);
        }
        self.changed();
    }

    pub fn reset(&self) {
        self.offset_ms.store(0, Ordering::Relaxed);
        self.frozen_ms.store(NOT_FROZEN, Ordering::Relaxed);
        self.changed();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_set_reset() {
        let c = Clock::default();
        let before = c.now().secs();
        c.advance(100);
        assert!(c.now().secs() >= before + 100);
        c.set(1_000_000);
        assert_eq!(c.now().secs(), 1_000_000);
        c.reset();
        assert_eq!(c.offset_secs(), 0);
    }
}
