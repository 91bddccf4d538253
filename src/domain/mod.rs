//! The rules of the emulator. No axum types here: functions take the state, a [`Ctx`] with
//! the project and the time read once at the edge, and plain values.

pub mod accesskeys;
pub mod audit;
pub mod channel;
pub mod custom_attributes;
pub mod outbox;
pub mod password;
pub mod passwordless;
pub mod projects;
pub mod recovery;
pub mod roles;
pub mod sessions;
pub mod tenants;
pub mod tokens;
pub mod totp;
pub mod user_credentials;
pub mod user_search;
pub mod users;

use std::sync::Arc;

use crate::clock::UnixTime;
use projects::ProjectRuntime;

/// The project a request acts on and the emulator time it was received at.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub project: Arc<ProjectRuntime>,
    pub now: UnixTime,
}

impl Ctx {
    /// The project's public ID: what the API shows, and what its configuration (keys,
    /// settings) is stored under.
    pub fn project_id(&self) -> &str {
        &self.project.id
    }

    /// The `project_id` of the project's data rows (users, tenants, codes, ...): the
    /// project's ID until a reset moves its data to a new, empty scope.
    pub fn scope(&self) -> &str {
        &self.project.scope
    }
}
