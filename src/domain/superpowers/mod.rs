//! Tools for test authors that Descope itself does not have: fault rules ([`faults`]) and the
//! request log ([`requests`]), both per project and in memory (a restart, a project reset or
//! delete forgets them).

pub mod faults;
pub mod requests;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use faults::Fault;
use requests::LoggedRequest;

/// The in-memory state of every project's faults and request log. Cheap to clone.
#[derive(Clone, Default)]
pub struct Superpowers {
    projects: Arc<Mutex<HashMap<String, ProjectPowers>>>,
}

#[derive(Default)]
struct ProjectPowers {
    faults: Vec<Fault>,
    log: std::collections::VecDeque<Arc<LoggedRequest>>,
    /// Faults added so far, for their IDs.
    fault_count: u64,
}

impl Superpowers {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, ProjectPowers>> {
        // A panic while holding the lock leaves plain data behind: keep using it.
        self.projects.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets a project's faults and request log (project reset or delete).
    pub fn forget(&self, project_id: &str) {
        self.lock().remove(project_id);
    }

    /// True when the project has fault rules: the request path checks them only then.
    pub fn has_faults(&self, project_id: &str) -> bool {
        self.lock().get(project_id).is_some_and(|p| !p.faults.is_empty())
    }
}
