//! The rules of the emulator, by bounded context. No axum types here: functions take a
//! [`Ctx`] (the project and the time read once at the edge), the services they use, and
//! plain values.
//!
//! - [`identity`]: users, tenants, roles, access keys, custom attributes, search
//! - [`authn`]: authentication methods (passwordless, password, TOTP, recovery)
//! - [`pending`]: single-use expiring secrets shared by every method that starts and finishes
//! - [`sessions`]: session and refresh JWTs, refresh, logout, management-issued tokens
//! - [`messaging`]: delivery channels and the outbox
//! - [`projects`]: projects, their keys and settings, reset
//! - [`audit`]: the audit trail and analytics
//! - [`federation`], [`authz`], [`apps`], [`flows`]: rooms for the second half of Descope

pub mod apps;
pub mod audit;
pub mod authn;
pub mod authz;
pub mod federation;
pub mod flows;
pub mod identity;
pub mod messaging;
pub mod pending;
pub mod projects;
pub mod sessions;
pub mod superpowers;

use std::sync::Arc;

use crate::clock::UnixTime;
use crate::ids::{ProjectId, Scope};
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
    pub fn project_id(&self) -> &ProjectId {
        &self.project.id
    }

    /// The `project_id` of the project's data rows (users, tenants, codes, ...): the
    /// project's ID until a reset moves its data to a new, empty scope.
    pub fn scope(&self) -> &Scope {
        &self.project.scope
    }
}
