//! The application state: built once in `run()`, cheap to clone, no globals.

use crate::store::Db;
use axum::extract::FromRef;
use std::sync::Arc;

use crate::clock::{Clock, UnixTime};
use crate::config::{AllowedHosts, CorsOrigins};
use crate::crypto::{KeyPool, PasswordHasher};
use crate::domain::messaging::outbox::OutboxNotifier;
use crate::domain::projects::Projects;

/// Settings fixed at start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Base of links and of the JWT issuer, without a trailing slash.
    pub public_url: String,
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub db: Db,
    pub clock: Clock,
    pub projects: Projects,
    pub outbox: OutboxNotifier,
    pub hasher: PasswordHasher,
    pub cors: CorsOrigins,
    /// The `Host` names served (see [`AllowedHosts`]); by default, the public URL's host
    /// besides the names always served.
    pub hosts: AllowedHosts,
    pub settings: Arc<Settings>,
    /// Fault rules and request logs, per project, in memory.
    pub powers: crate::domain::superpowers::Superpowers,
}

impl AppState {
    pub fn new(
        db: Db,
        key_pool: KeyPool,
        hasher: PasswordHasher,
        cors: CorsOrigins,
        public_url: &str,
    ) -> Self {
        AppState {
            db,
            clock: Clock::default(),
            projects: Projects::new(key_pool),
            outbox: OutboxNotifier::default(),
            hasher,
            cors,
            hosts: AllowedHosts::parse("", public_url),
            settings: Arc::new(Settings { public_url: public_url.trim_end_matches('/').to_owned() }),
            powers: Default::default(),
        }
    }

    pub fn now(&self) -> UnixTime {
        self.clock.now()
    }
}
