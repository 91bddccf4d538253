//! Projects: creation with a pre-generated key, the per-project runtime cache (parsed signing
//! keys, management keys, settings) and the project settings that drive lifetimes.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::clock::UnixTime;
use crate::crypto::{self, KeyPool, SigningKey};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids::{ProjectId, Scope};
use crate::store::{self, projects::ProjectRow};

pub mod config;
mod creation;
pub mod manage;

/// Per-project settings (lifetimes, redirect defaults). Stored as JSON on the project and
/// carried in snapshots and fixtures; every field has Descope's default.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ProjectSettings {
    /// Session JWT lifetime (Descope default: 10 minutes).
    pub session_token_ttl_secs: i64,
    /// Refresh JWT lifetime (Descope default: 4 weeks).
    pub refresh_token_ttl_secs: i64,
    /// One-time code lifetime.
    pub otp_ttl_secs: i64,
    /// Wrong codes allowed before a pending code is voided.
    pub otp_max_attempts: i64,
    /// Magic link lifetime.
    pub magic_link_ttl_secs: i64,
    /// Where magic links point when a request gives no redirect URL; empty means the
    /// emulator's own verification page.
    pub magic_link_redirect_url: String,
    /// `cookieDomain` in JWT responses.
    pub cookie_domain: String,
    /// Send the refresh JWT only as a `DSR` cookie, not in the body.
    pub refresh_token_in_cookie: bool,
    /// Issue a new refresh JWT on every refresh.
    pub rotate_refresh_tokens: bool,
    /// Password policy (`/v1/mgmt/password/settings`).
    pub password: crate::domain::authn::password::PasswordSettings,
    /// User invitations, as Descope's project settings name them (terraform-provider-descope
    /// `invite_settings`): the URL invitations link to when a request gives none
    /// (`inviteUrl`), whether the link carries a magic-link token (`inviteMagicLink`, "Add a
    /// Magic Link token to the invitation"), that token's lifetime (`inviteExpirationTime`),
    /// and whether invitations go by email (`inviteSendEmail`) and by text message
    /// (`inviteSendSms`) when a request does not say (`sendMail`, `sendSMS`).
    pub invite_url: String,
    pub invite_magic_link: bool,
    pub invite_expiration_secs: i64,
    pub invite_send_email: bool,
    pub invite_send_sms: bool,
    /// Free-text tags of the project (`/v1/mgmt/project/update/tags`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The project's environment (`production` or empty), set when it is cloned.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub environment: String,
}

impl ProjectSettings {
    /// Checks settings given from outside (snapshots, fixtures): lifetimes within
    /// [`MAX_DURATION_SECS`](crate::clock::MAX_DURATION_SECS), so expiries can be computed,
    /// and the password policy.
    pub fn check(&self) -> ApiResult<()> {
        let lifetimes = [
            ("sessionTokenTtlSecs", self.session_token_ttl_secs),
            ("refreshTokenTtlSecs", self.refresh_token_ttl_secs),
            ("otpTtlSecs", self.otp_ttl_secs),
            ("magicLinkTtlSecs", self.magic_link_ttl_secs),
        ];
        for (name, secs) in lifetimes {
            if !(0..=crate::clock::MAX_DURATION_SECS).contains(&secs) {
                return Err(ApiError::invalid(format!(
                    "settings.{name} must be between 0 and {} seconds",
                    crate::clock::MAX_DURATION_SECS
                )));
            }
        }
        self.password.validate()
    }
}

impl Default for ProjectSettings {
    fn default() -> Self {
        ProjectSettings {
            session_token_ttl_secs: 600,
            refresh_token_ttl_secs: 4 * 7 * 24 * 3600,
            otp_ttl_secs: 180,
            otp_max_attempts: 5,
            magic_link_ttl_secs: 600,
            magic_link_redirect_url: String::new(),
            cookie_domain: String::new(),
            refresh_token_in_cookie: false,
            rotate_refresh_tokens: false,
            password: crate::domain::authn::password::PasswordSettings::default(),
            invite_url: String::new(),
            invite_magic_link: false,
            invite_expiration_secs: 7 * 24 * 3600,
            invite_send_email: true,
            invite_send_sms: false,
            tags: Vec::new(),
            environment: String::new(),
        }
    }
}

/// What a request needs to know about its project, loaded once and cached.
#[derive(Clone)]
pub struct ProjectRuntime {
    pub id: ProjectId,
    /// Where the project's data lives (see [`crate::domain::Ctx::scope`]).
    pub scope: Scope,
    pub name: String,
    pub settings: ProjectSettings,
    /// The key new tokens are signed with.
    pub signing: Arc<SigningKey>,
    /// Every key whose tokens still validate (the active one included), for JWKS and checks;
    /// rotated-out ones only until their time in [`ProjectRuntime::retire_ms`].
    pub keys: Vec<Arc<SigningKey>>,
    /// kid → emulator time (Unix ms) a rotated-out key stops being valid.
    pub retire_ms: HashMap<String, i64>,
    /// The key most recently rotated out, valid or not (for forged tokens).
    pub previous: Option<Arc<SigningKey>>,
    management_secrets: Vec<String>,
    /// `iss` of this project's JWTs: `<public-url>/<projectId>`.
    pub issuer: String,
    /// Base of the links the emulator writes, without a trailing slash.
    pub public_url: String,
}

impl std::fmt::Debug for ProjectRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProjectRuntime").field("id", &self.id).finish_non_exhaustive()
    }
}

impl ProjectRuntime {
    pub fn key(&self, kid: &str) -> Option<&Arc<SigningKey>> {
        self.keys.iter().find(|k| k.kid == kid)
    }

    /// The keys valid at `now`: in the JWKS, and verifying tokens.
    pub fn live_keys(&self, now: UnixTime) -> impl Iterator<Item = &Arc<SigningKey>> {
        self.keys.iter().filter(move |k| self.retire_ms.get(&k.kid).is_none_or(|r| *r > now.millis()))
    }

    /// The key `kid` if it is valid at `now`.
    pub fn live_key(&self, kid: &str, now: UnixTime) -> Option<&Arc<SigningKey>> {
        self.live_keys(now).find(|k| k.kid == kid)
    }

    pub fn management_key_matches(&self, secret: &str) -> bool {
        self.management_secrets.iter().any(|s| crypto::secrets_equal(s, secret))
    }
}

/// The cache of project runtimes plus the pool of pre-generated signing keys.
#[derive(Clone)]
pub struct Projects {
    cache: Arc<RwLock<HashMap<String, Arc<ProjectRuntime>>>>,
    key_pool: KeyPool,
    /// Seeds of deterministic runs, and the seeded projects' generators.
    seeds: crate::determinism::Seeds,
    creations: Arc<creation::CreationQueue>,
    /// Creations, deletions, resets and replaced contents, for the console's live view.
    events: tokio::sync::broadcast::Sender<ProjectEvent>,
}

/// How many project events a slow watcher may fall behind before it skips to the newest.
const EVENT_BACKLOG: usize = 64;

/// A change to the set of projects or to a project's contents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectEvent {
    /// `created`, `deleted`, `reset` or `replaced` (a snapshot was loaded).
    pub kind: &'static str,
    pub project_id: String,
}

/// A new project as `POST /emulator/v1/projects` returns it.
#[derive(Debug, Clone)]
pub struct CreatedProject {
    pub id: String,
    pub name: String,
    pub management_key: String,
}

/// A project ID as Descope forms them: `P` and 27 letters and digits.
pub fn is_valid_project_id(id: &str) -> bool {
    id.len() >= 2 && id.len() < 32 && id.starts_with('P') && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

impl Projects {
    pub fn new(key_pool: KeyPool) -> Self {
        Projects {
            cache: Arc::default(),
            key_pool,
            creations: Arc::default(),
            seeds: Default::default(),
            events: tokio::sync::broadcast::channel(EVENT_BACKLOG).0,
        }
    }

    /// Watches project changes (bounded: a receiver that falls behind skips ahead).
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<ProjectEvent> {
        self.events.subscribe()
    }

    /// Tells the watchers that project `id` changed (`kind` as in [`ProjectEvent`]).
    pub fn notify(&self, kind: &'static str, id: &str) {
        // Nobody watching is fine.
        let _ = self.events.send(ProjectEvent { kind, project_id: id.to_owned() });
    }

    pub fn key_pool(&self) -> &KeyPool {
        &self.key_pool
    }

    pub fn seeds(&self) -> &crate::determinism::Seeds {
        &self.seeds
    }

    /// A new signing key for a project: from its seeded generator in a deterministic run,
    /// else from the pool.
    async fn new_key(&self, id: &str) -> ApiResult<Vec<u8>> {
        let Some(rng) = self.seeds.rng_of(id) else {
            return self.key_pool.take().await;
        };
        let mut seed = [0u8; 32];
        rand::RngCore::fill_bytes(&mut *rng.lock().unwrap_or_else(|e| e.into_inner()), &mut seed);
        tokio::task::spawn_blocking(move || crate::determinism::rsa_pkcs8_from_seed(seed))
            .await
            .map_err(ApiError::internal)?
            .map_err(ApiError::internal)
    }

    /// The runtime of a project, loading and parsing it on first use.
    pub async fn get(
        &self,
        db: &crate::store::Db,
        public_url: &str,
        id: &str,
    ) -> ApiResult<Option<Arc<ProjectRuntime>>> {
        if let Some(p) = self.cache.read().map_err(ApiError::internal)?.get(id) {
            return Ok(Some(p.clone()));
        }
        let mut conn = db.acquire().await?;
        let Some(row) = store::projects::get(&mut conn, &ProjectId::from(id)).await? else {
            return Ok(None);
        };
        let mut key_rows = store::projects::signing_keys(&mut conn, &row.id).await?;
        let mgmt = store::projects::management_keys(&mut conn, &row.id).await?;
        drop(conn);
        if key_rows.is_empty() {
            key_rows = self.attach_key(db, &row.id).await?;
        }
        let mut keys = Vec::with_capacity(key_rows.len());
        let mut active = None;
        let mut retire_ms = HashMap::new();
        let mut previous: Option<(i64, Arc<SigningKey>)> = None;
        for k in &key_rows {
            let parsed = Arc::new(SigningKey::from_pkcs8(&k.pkcs8).map_err(ApiError::internal)?);
            if k.active {
                active = Some(parsed.clone());
            } else if let Some(at) = k.retire_ms {
                retire_ms.insert(parsed.kid.clone(), at);
                if previous.as_ref().is_none_or(|(p, _)| at >= *p) {
                    previous = Some((at, parsed.clone()));
                }
            }
            keys.push(parsed);
        }
        let signing = active
            .or_else(|| keys.last().cloned())
            .ok_or_else(|| ApiError::internal(format!("project {id} has no signing key")))?;
        let runtime = Arc::new(ProjectRuntime {
            issuer: format!("{public_url}/{id}"),
            public_url: public_url.to_owned(),
            scope: row.scope(),
            id: row.id,
            name: row.name,
            settings: store::from_json_text(&row.settings),
            signing,
            keys,
            retire_ms,
            previous: previous.map(|(_, k)| k),
            management_secrets: mgmt.into_iter().filter(|m| m.status == "active").map(|m| m.secret).collect(),
        });
        self.cache.write().map_err(ApiError::internal)?.insert(id.to_owned(), runtime.clone());
        Ok(Some(runtime))
    }

    /// Gives a project without a signing key one from the pool; when two requests race,
    /// the first key stored wins and both use it.
    async fn attach_key(
        &self,
        db: &crate::store::Db,
        id: &ProjectId,
    ) -> ApiResult<Vec<store::projects::SigningKeyRow>> {
        let pkcs8 = self.new_key(id.as_str()).await?;
        let kid = SigningKey::from_pkcs8(&pkcs8).map_err(ApiError::internal)?.kid;
        let created_ms = UnixTime::real_now().millis();
        let mut tx = store::begin_immediate(db).await?;
        let row = store::projects::SigningKeyRow { kid, pkcs8, active: true, created_ms, retire_ms: None };
        store::projects::insert_first_signing_key(&mut tx, id, &row).await?;
        let rows = store::projects::signing_keys(&mut tx, id).await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// Rotates a project's signing key: a new key (from the pool) signs from now on; the
    /// current one stays valid for `grace_secs` of emulator time. Returns the new and the
    /// previous `kid`.
    pub async fn rotate_key(
        &self,
        db: &crate::store::Db,
        now: UnixTime,
        project: &ProjectRuntime,
        grace_secs: i64,
    ) -> ApiResult<(String, String)> {
        let pkcs8 = self.new_key(project.id.as_str()).await?;
        let kid = SigningKey::from_pkcs8(&pkcs8).map_err(ApiError::internal)?.kid;
        // Rows order by creation: after every existing key, whatever the clock says.
        let created_ms = UnixTime::real_now().millis().max(now.millis());
        let row = store::projects::SigningKeyRow {
            kid: kid.clone(),
            pkcs8,
            active: true,
            created_ms,
            retire_ms: None,
        };
        let retire = now.millis().saturating_add(grace_secs.saturating_mul(1000));
        let mut tx = store::begin_immediate(db).await?;
        store::projects::rotate_signing_key(&mut tx, &project.id, &row, retire, now.millis()).await?;
        tx.commit().await?;
        self.invalidate(project.id.as_str());
        Ok((kid, project.signing.kid.clone()))
    }

    /// Like [`Projects::get`], with an unknown project as an error.
    pub async fn require(
        &self,
        db: &crate::store::Db,
        public_url: &str,
        id: &str,
    ) -> ApiResult<Arc<ProjectRuntime>> {
        self.get(db, public_url, id)
            .await?
            .ok_or_else(|| ApiError::new(ErrorKind::ProjectNotFound, format!("Unknown project ID {id}")))
    }

    /// Drops a project's cached runtime after its keys, settings or existence changed.
    pub fn invalidate(&self, id: &str) {
        if let Ok(mut cache) = self.cache.write() {
            cache.remove(id);
        }
    }

    /// Creates a project with one management key. Its signing key comes from the pool when
    /// the project is first used ([`Projects::get`]), so creating many projects at once does
    /// not wait for RSA key generation (~100 ms of CPU a key), and projects that never sign
    /// a token (management-only tests) never take one.
    pub async fn create(
        &self,
        db: &crate::store::Db,
        now: UnixTime,
        id: Option<String>,
        name: Option<String>,
    ) -> ApiResult<CreatedProject> {
        self.create_seeded(db, now, id, name, None).await
    }

    /// [`Projects::create`], deterministic with `seed` (else with the `--seed`, if any).
    pub async fn create_seeded(
        &self,
        db: &crate::store::Db,
        now: UnixTime,
        id: Option<String>,
        name: Option<String>,
        seed: Option<u64>,
    ) -> ApiResult<CreatedProject> {
        let given_id = id.as_deref().is_some_and(|s| !s.is_empty());
        let id = match id.filter(|s| !s.is_empty()) {
            Some(id) if is_valid_project_id(&id) => id,
            Some(id) => {
                return Err(ApiError::invalid(format!(
                    "Invalid project ID {id}: a P followed by letters and digits, shorter than 32 characters"
                )))
            }
            None => self.seeds.with_process_rng(|| format!("P2{}", crypto::random_alnum(26))),
        };
        if let Some(seed) = seed {
            self.seeds.set_project(&id, seed);
        }
        let created = self.seeds.with_project_rng(&id, || self.new_project(now, id.clone(), name, given_id));
        let (project, id, name, management_key) = created?;
        if self.creations.create(db, project).await? == creation::Outcome::Exists {
            if seed.is_some() {
                self.seeds.restart(id.as_str(), true);
            }
            return Err(already_exists(id.as_str()));
        }
        self.notify("created", id.as_str());
        Ok(CreatedProject { id: id.into_string(), name, management_key })
    }

    /// The rows of a new project, with its management key.
    fn new_project(
        &self,
        now: UnixTime,
        id: String,
        name: Option<String>,
        given_id: bool,
    ) -> ApiResult<(creation::NewProject, ProjectId, String, String)> {
        let id = ProjectId::new(id);
        let name = name.filter(|s| !s.is_empty()).unwrap_or_else(|| format!("Project {id}"));
        let management_key = new_management_key();
        let project = creation::NewProject {
            given_id,
            row: ProjectRow {
                id: id.clone(),
                name: name.clone(),
                is_default: false,
                settings: store::json_text(&ProjectSettings::default())?,
                created_ms: now.millis(),
                data_scope: None,
            },
            key: store::projects::ManagementKeyRow {
                id: format!("MK{}", crypto::random_alnum(20)),
                name: "default".into(),
                secret: management_key.clone(),
                status: "active".into(),
                created_ms: now.millis(),
            },
            seed: crate::domain::identity::roles::seed(now),
        };
        Ok((project, id, name, management_key))
    }

    /// Every project, oldest first, with its oldest active management key.
    pub async fn list(&self, db: &crate::store::Db) -> ApiResult<Vec<store::projects::ProjectListing>> {
        let mut conn = db.acquire().await?;
        store::projects::list(&mut conn).await
    }

    /// One project as [`Projects::list`] shows it.
    pub async fn listing(
        &self,
        db: &crate::store::Db,
        id: &ProjectId,
    ) -> ApiResult<Option<store::projects::ProjectListing>> {
        let mut conn = db.acquire().await?;
        store::projects::listing(&mut conn, id).await
    }

    /// The ID of the default project, if there is one.
    pub async fn default_id(&self, db: &crate::store::Db) -> ApiResult<Option<String>> {
        let mut conn = db.acquire().await?;
        Ok(store::projects::get_default(&mut conn).await?.map(|p| p.id.into_string()))
    }

    pub async fn delete(&self, db: &crate::store::Db, id: &str) -> ApiResult<()> {
        let mut tx = store::begin_immediate(db).await?;
        let deleted = store::projects::delete(&mut tx, &ProjectId::from(id)).await?;
        tx.commit().await?;
        self.invalidate(id);
        if !deleted {
            return Err(ApiError::not_found(format!("Project {id} not found")));
        }
        self.notify("deleted", id);
        Ok(())
    }

    /// Empties a project in constant time: its data moves to a new scope that holds only what
    /// every project starts with (the built-in roles and permissions), and the old scope's
    /// rows are deleted in the background ([`purge_scope`]).
    pub async fn reset(
        &self,
        db: &crate::store::Db,
        now: UnixTime,
        project: &ProjectRuntime,
    ) -> ApiResult<()> {
        let scope = new_scope_id(&project.id);
        let seed = crate::domain::identity::roles::seed(now);
        store::projects::move_to_new_scope(
            &mut *db.acquire().await?,
            &project.id,
            &scope,
            now.millis(),
            &seed,
        )
        .await?;
        // The cached runtime moves along rather than being read again.
        if let Ok(mut cache) = self.cache.write() {
            let moved = ProjectRuntime { scope, ..project.clone() };
            cache.insert(project.id.to_string(), Arc::new(moved));
        }
        spawn_purge(db.clone(), vec![project.scope.clone()]);
        self.notify("reset", project.id.as_str());
        Ok(())
    }
}

/// A new data scope of a project: its ID, a dot (never in a project ID) and random letters.
pub fn new_scope_id(project_id: &ProjectId) -> Scope {
    Scope::new(format!("{project_id}.{}", crypto::random_alnum(10)))
}

/// Deletes the rows of scopes no project uses any more, in the background.
pub fn spawn_purge(db: crate::store::Db, scopes: Vec<Scope>) {
    if scopes.is_empty() {
        return;
    }
    tokio::spawn(async move {
        for scope in scopes {
            if let Err(e) = purge_scope(&db, &scope).await {
                tracing::warn!(scope = %scope, error = %e.message, "purging an old data scope failed");
            }
        }
    });
}

/// Rows deleted per transaction while purging: small enough that a request arriving during
/// a chunk waits well under a millisecond.
const PURGE_CHUNK: i64 = 100;
/// How long the purge lets requests go first before it deletes its next chunk anyway.
const PURGE_YIELD: std::time::Duration = std::time::Duration::from_millis(20);

/// Deletes every row of a data scope, a chunk per transaction, then its hidden row.
pub async fn purge_scope(db: &crate::store::Db, scope: &Scope) -> ApiResult<()> {
    let tables = store::projects::data_tables(&mut *db.acquire().await?).await?;
    for table in &tables {
        loop {
            db.until_idle(PURGE_YIELD).await;
            let mut tx = store::begin_immediate(db).await?;
            let deleted = store::projects::purge_chunk(&mut tx, table, scope, PURGE_CHUNK).await?;
            tx.commit().await?;
            if deleted < PURGE_CHUNK as u64 {
                break;
            }
        }
    }
    let mut tx = store::begin_immediate(db).await?;
    store::projects::delete_scope(&mut tx, scope).await?;
    tx.commit().await
}

/// At start: purges scopes that a reset left behind when the emulator stopped mid-purge.
pub async fn purge_stale_scopes(db: &crate::store::Db) -> ApiResult<()> {
    let stale = store::projects::stale_scopes(&mut *db.acquire().await?).await?;
    spawn_purge(db.clone(), stale);
    Ok(())
}

fn already_exists(id: &str) -> ApiError {
    ApiError::new(ErrorKind::AlreadyExists, format!("Project {id} already exists"))
}

/// A management key secret: letters and digits only (the bearer is split on `:`).
pub fn new_management_key() -> String {
    format!("K2{}", crypto::random_alnum(40))
}
