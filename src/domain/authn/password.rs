//! Passwords: the project policy, sign-up, sign-in with lockout and expiry, replace, update
//! after a reset link, and management's temporary/active passwords.
//!
//! The hash lives on the user row (`password_hash`, which drives the user object's
//! `password` flag); its state (temporary, set time, failed attempts, locks) and the history
//! of earlier hashes live in `store::credentials`. Hashing and verifying run on the blocking
//! pool and outside write transactions: argon2 is slow by design.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::crypto::PasswordHasher;
use crate::domain::authn::passwordless::{
    self, LoginOptions, Masked, Method, Purpose, SignUpDetails, StartRequest,
};
use crate::domain::identity::profile::UserProfile;
use crate::domain::identity::users::{self, NewUser, User};
use crate::domain::messaging::channel::{AddressKind, ChannelKind};
use crate::domain::messaging::outbox::OutboxNotifier;
use crate::domain::projects::Projects;
use crate::domain::sessions::{self, AuthInfo, Claims};
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::store::Db;
use crate::store::{self, credentials::PasswordRow, Conn, Tx};

/// The `amr` of a password sign-in.
pub const AMR_PASSWORD: &str = "pwd";
/// How many earlier hashes are kept for the reuse rule.
const HISTORY_KEPT: i64 = 50;
const WEEK_MS: i64 = 7 * 24 * 3600 * 1000;

/// The project's password policy, with the field names of `GetPasswordSettingsResponse`.
/// Defaults are Descope's: minimum length 8, every other rule off.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct PasswordSettings {
    pub enabled: bool,
    pub min_length: i64,
    pub lowercase: bool,
    pub uppercase: bool,
    pub number: bool,
    pub non_alphanumeric: bool,
    pub expiration: bool,
    pub expiration_weeks: i64,
    pub reuse: bool,
    pub reuse_amount: i64,
    /// Lock the password after `lock_attempts` failed sign-ins, until it is reset or set.
    pub lock: bool,
    pub lock_attempts: i64,
    /// Lock the password for `temp_lock_duration` minutes after every `temp_lock_attempts`
    /// failed sign-ins.
    pub temp_lock: bool,
    pub temp_lock_attempts: i64,
    pub temp_lock_duration: i64,
    /// Stored and reported; no strength estimator is applied.
    pub enable_password_strength: bool,
    pub password_strength_score: i64,
    pub any_letter: bool,
    pub disallowed_characters: String,
    pub disallow_email_match: bool,
}

impl Default for PasswordSettings {
    fn default() -> Self {
        PasswordSettings {
            enabled: true,
            min_length: 8,
            lowercase: false,
            uppercase: false,
            number: false,
            non_alphanumeric: false,
            expiration: false,
            expiration_weeks: 0,
            reuse: false,
            reuse_amount: 0,
            lock: false,
            lock_attempts: 0,
            temp_lock: false,
            temp_lock_attempts: 0,
            temp_lock_duration: 0,
            enable_password_strength: false,
            password_strength_score: 0,
            any_letter: false,
            disallowed_characters: String::new(),
            disallow_email_match: false,
        }
    }
}

impl PasswordSettings {
    /// Checks a new password against the policy; the error names the first broken rule.
    pub fn check(&self, password: &str, email: &str) -> ApiResult<()> {
        let broken = |rule: String| Err(ApiError::new(ErrorKind::PasswordPolicy, rule));
        if (password.chars().count() as i64) < self.min_length {
            return broken(format!("Password must be at least {} characters long", self.min_length));
        }
        let has = |f: fn(char) -> bool| password.chars().any(f);
        if self.lowercase && !has(|c| c.is_lowercase()) {
            return broken("Password must contain a lowercase letter".into());
        }
        if self.uppercase && !has(|c| c.is_uppercase()) {
            return broken("Password must contain an uppercase letter".into());
        }
        if self.number && !has(|c| c.is_numeric()) {
            return broken("Password must contain a number".into());
        }
        if self.non_alphanumeric && !has(|c| !c.is_alphanumeric()) {
            return broken("Password must contain a non-alphanumeric character".into());
        }
        if self.any_letter && !has(|c| c.is_alphabetic()) {
            return broken("Password must contain a letter".into());
        }
        if let Some(c) = password.chars().find(|c| self.disallowed_characters.contains(*c)) {
            return broken(format!("Password must not contain the character '{c}'"));
        }
        if self.disallow_email_match && !email.is_empty() {
            let lower = password.to_lowercase();
            let local = email.split('@').next().unwrap_or_default().to_lowercase();
            if lower.contains(&email.to_lowercase()) || (local.len() >= 3 && lower.contains(&local)) {
                return broken("Password must not contain the user's email".into());
            }
        }
        Ok(())
    }

    /// Checks a policy before it is stored (management API, snapshots).
    pub fn validate(&self) -> ApiResult<()> {
        let numbers = [
            ("minLength", self.min_length),
            ("expirationWeeks", self.expiration_weeks),
            ("reuseAmount", self.reuse_amount),
            ("lockAttempts", self.lock_attempts),
            ("tempLockAttempts", self.temp_lock_attempts),
            ("tempLockDuration", self.temp_lock_duration),
            ("passwordStrengthScore", self.password_strength_score),
        ];
        if let Some((name, _)) = numbers.iter().find(|(_, v)| *v < 0) {
            return Err(ApiError::invalid(format!("{name} must not be negative")));
        }
        // Durations, bounded so that the expiry arithmetic cannot overflow.
        let durations = [
            ("tempLockDuration", self.temp_lock_duration, 60, "minutes"),
            ("expirationWeeks", self.expiration_weeks, WEEK_MS / 1000, "weeks"),
        ];
        for (name, value, unit_secs, unit) in durations {
            let max = crate::clock::MAX_DURATION_SECS / unit_secs;
            if value > max {
                return Err(ApiError::invalid(format!("{name} must be at most {max} {unit}")));
            }
        }
        if self.min_length < 1 || self.min_length > 64 {
            return Err(ApiError::invalid("minLength must be between 1 and 64"));
        }
        Ok(())
    }
}

fn settings(ctx: &Ctx) -> &PasswordSettings {
    &ctx.project.settings.password
}

fn ensure_enabled(ctx: &Ctx) -> ApiResult<()> {
    if !settings(ctx).enabled {
        return Err(ApiError::new(ErrorKind::InvalidRequest, "Password authentication is disabled"));
    }
    Ok(())
}

fn require(value: &str, field: &str) -> ApiResult<()> {
    if value.is_empty() {
        return Err(ApiError::missing(field));
    }
    Ok(())
}

// ---- shared pieces of the flows

/// The email and phone of a user signing up: the given ones, else the login ID when it is
/// an email or a phone number. Shared with TOTP sign-up.
pub(crate) fn contact_of(login_id: &str, details: &SignUpDetails) -> ApiResult<(String, String)> {
    Ok((
        contact(AddressKind::Email, &details.email, login_id)?,
        contact(AddressKind::Phone, &details.phone, login_id)?,
    ))
}

/// The user a sign-up creates: its login ID, its email and phone (see [`contact_of`]), the
/// profile given and the method it signed up with. Shared with TOTP and the passwordless
/// flows.
pub(crate) fn sign_up_user(
    login_id: &str,
    (email, phone): (String, String),
    details: SignUpDetails,
    method: &str,
) -> NewUser {
    NewUser {
        login_ids: vec![login_id.to_owned()],
        profile: UserProfile { email, phone, ..details },
        method: method.to_owned(),
        ..NewUser::default()
    }
}

/// The given address of `kind` (which must be valid), else the login ID when it is one.
fn contact(kind: AddressKind, given: &str, login_id: &str) -> ApiResult<String> {
    if !given.is_empty() {
        kind.validate(given)?;
        Ok(given.to_owned())
    } else if kind.validate(login_id).is_ok() {
        Ok(login_id.to_owned())
    } else {
        Ok(String::new())
    }
}

/// The end of a factor's sign-in: signs `user` in within `tx` (options as
/// [`sessions::factor_options`] makes them), commits and signs the JWTs. Shared with TOTP.
pub(crate) async fn finish_sign_in(
    mut tx: Tx,
    ctx: &Ctx,
    factor: &str,
    method: &str,
    options: LoginOptions,
    session: Option<&Claims>,
    user: User,
) -> ApiResult<AuthInfo> {
    let opts = sessions::factor_options(
        factor,
        method,
        options,
        session.map(Into::into),
        false,
        user.id().as_str(),
    )?;
    let info = sessions::sign_in(&mut tx, ctx, user, opts).await?;
    tx.commit().await?;
    info.sign(ctx).await
}

/// The credential state of a user; a password set at creation (management) has none yet.
async fn credential(conn: &mut Conn, ctx: &Ctx, user: &User) -> ApiResult<PasswordRow> {
    Ok(store::credentials::get_password(conn, ctx.scope(), user.id()).await?.unwrap_or_else(|| PasswordRow {
        user_id: user.id().to_string(),
        set_ms: user.row.created_ms,
        ..PasswordRow::default()
    }))
}

fn ensure_not_locked(cred: &PasswordRow, ctx: &Ctx) -> ApiResult<()> {
    if cred.locked {
        return Err(ApiError::new(
            ErrorKind::PasswordLocked,
            "Too many failed sign-ins: the password is locked until it is reset",
        ));
    }
    if let Some(until) = cred.locked_until_ms.filter(|u| *u > ctx.now.millis()) {
        let secs = (until - ctx.now.millis() + 999) / 1000;
        return Err(ApiError::new(
            ErrorKind::PasswordLocked,
            format!("Too many failed sign-ins: the password is locked for {secs} more seconds"),
        ));
    }
    Ok(())
}

fn ensure_not_expired(cred: &PasswordRow, ctx: &Ctx) -> ApiResult<()> {
    let s = settings(ctx);
    let message = if cred.temporary {
        "The password is temporary and must be replaced"
    } else if cred.expired {
        "The password expired and must be replaced"
    } else if s.expiration
        && s.expiration_weeks > 0
        && cred.set_ms + s.expiration_weeks * WEEK_MS <= ctx.now.millis()
    {
        "The password is older than the project allows and must be replaced"
    } else {
        return Ok(());
    };
    Err(ApiError::new(ErrorKind::PasswordExpired, message))
}

/// Counts a failed sign-in and applies the lock rules.
fn register_failure(cred: &mut PasswordRow, ctx: &Ctx) {
    let s = settings(ctx);
    cred.failed_attempts += 1;
    if s.lock && s.lock_attempts > 0 && cred.failed_attempts >= s.lock_attempts {
        cred.locked = true;
    } else if s.temp_lock && s.temp_lock_attempts > 0 && cred.failed_attempts % s.temp_lock_attempts == 0 {
        cred.locked_until_ms = Some(ctx.now.plus_secs(s.temp_lock_duration * 60).millis());
    }
}

/// Loads a user for a password check: exists, may sign in, has a password, is not locked.
async fn user_with_password(db: &Db, ctx: &Ctx, login_id: &str) -> ApiResult<(User, String, PasswordRow)> {
    let mut conn = db.acquire().await?;
    let user = users::require_for_sign_in(&mut conn, ctx.scope(), login_id).await?;
    let hash = user
        .row
        .password_hash
        .clone()
        .ok_or_else(|| ApiError::new(ErrorKind::InvalidCredentials, "The user has no password"))?;
    let cred = credential(&mut conn, ctx, &user).await?;
    ensure_not_locked(&cred, ctx)?;
    Ok((user, hash, cred))
}

/// Applies the outcome of a password check (`ok`, verified before the write transaction:
/// argon2 is slow). A wrong one is counted and may lock the password (the caller commits it
/// before answering); a right one clears the count. `read` is the credential as read before
/// the check: a right password with nothing to clear needs no second read.
async fn record_check(
    tx: &mut Conn,
    ctx: &Ctx,
    user: &User,
    ok: bool,
    read: PasswordRow,
) -> ApiResult<Option<PasswordRow>> {
    if ok && read.failed_attempts == 0 && read.locked_until_ms.is_none() {
        return Ok(Some(read));
    }
    let mut cred = credential(tx, ctx, user).await?;
    ensure_not_locked(&cred, ctx)?;
    if !ok {
        register_failure(&mut cred, ctx);
        store::credentials::upsert_password(tx, ctx.scope(), &cred).await?;
        return Ok(None);
    }
    if cred.failed_attempts != 0 || cred.locked_until_ms.is_some() {
        cred.failed_attempts = 0;
        cred.locked_until_ms = None;
        store::credentials::upsert_password(tx, ctx.scope(), &cred).await?;
    }
    Ok(Some(cred))
}

fn wrong_password() -> ApiError {
    ApiError::new(ErrorKind::InvalidCredentials, "Wrong login ID or password")
}

/// Refuses a new password that breaks the policy or was used recently.
async fn check_new_password(
    db: &Db,
    hasher: &PasswordHasher,
    ctx: &Ctx,
    user: Option<&User>,
    password: &str,
    email: &str,
) -> ApiResult<()> {
    let s = settings(ctx);
    s.check(password, email)?;
    let Some(user) = user.filter(|_| s.reuse && s.reuse_amount > 0) else {
        return Ok(());
    };
    let mut recent = {
        let mut conn = db.acquire().await?;
        store::credentials::recent_history(&mut conn, ctx.scope(), user.id(), s.reuse_amount).await?
    };
    if let Some(current) = &user.row.password_hash {
        if !recent.contains(current) {
            recent.push(current.clone());
        }
    }
    for old in &recent {
        if hasher.verify_off_thread(password, old).await? {
            return Err(ApiError::new(
                ErrorKind::PasswordPolicy,
                format!("Password must not be one of the last {} passwords", s.reuse_amount),
            ));
        }
    }
    Ok(())
}

/// Stores a new password hash for a user with a fresh credential state (unlocked).
async fn store_password(
    conn: &mut Conn,
    ctx: &Ctx,
    user: &mut User,
    hash: String,
    temporary: bool,
) -> ApiResult<()> {
    let project = ctx.scope();
    user.row.password_hash = Some(hash.clone());
    user.row.modified_ms = ctx.now.millis();
    store::users::update(conn, project, &user.row).await?;
    store::credentials::upsert_password(
        conn,
        project,
        &PasswordRow {
            user_id: user.id().to_string(),
            temporary,
            set_ms: ctx.now.millis(),
            ..PasswordRow::default()
        },
    )
    .await?;
    store::credentials::push_history(conn, project, user.id(), &hash, ctx.now.millis(), HISTORY_KEPT).await
}

/// Checks `new_password` against the policy and `user`'s history, hashes it and stores it
/// (active) on the user as read again in a new transaction, which the caller commits or
/// signs in with.
async fn set_new_password(
    db: &Db,
    hasher: &PasswordHasher,
    ctx: &Ctx,
    user: &User,
    login_id: &str,
    new_password: &str,
) -> ApiResult<(Tx, User)> {
    check_new_password(db, hasher, ctx, Some(user), new_password, &user.row.email).await?;
    let new_hash = hasher.hash_off_thread(new_password).await?;
    let mut tx = store::begin_immediate(db).await?;
    let mut user = users::find_by_id(&mut tx, ctx.scope(), user.id().as_str())
        .await?
        .ok_or_else(|| ApiError::user_not_found(login_id))?;
    store_password(&mut tx, ctx, &mut user, new_hash, false).await?;
    Ok((tx, user))
}

// ---- the operations

/// What `POST /v1/auth/password/signup` asks for.
#[derive(Debug, Clone, Default)]
pub struct SignUp {
    pub login_id: String,
    pub password: String,
    pub user: SignUpDetails,
    pub options: LoginOptions,
}

/// `POST /v1/auth/password/signup`: creates the user with a password and signs them in.
pub async fn sign_up(db: &Db, hasher: &PasswordHasher, ctx: &Ctx, req: SignUp) -> ApiResult<AuthInfo> {
    ensure_enabled(ctx)?;
    let login_id = req.login_id.trim().to_owned();
    require(&login_id, "loginId")?;
    require(&req.password, "password")?;
    let (email, phone) = contact_of(&login_id, &req.user)?;
    check_new_password(db, hasher, ctx, None, &req.password, &email).await?;
    let hash = hasher.hash_off_thread(&req.password).await?;
    let mut tx = store::begin_immediate(db).await?;
    if users::find_by_login_id(&mut tx, ctx.scope(), &login_id).await?.is_some() {
        return Err(ApiError::new(ErrorKind::UserAlreadyExists, format!("User {login_id} already exists")));
    }
    let new_user = sign_up_user(&login_id, (email, phone), req.user, "password");
    let mut user = users::create(&mut tx, ctx.scope(), ctx.now, new_user).await?;
    store_password(&mut tx, ctx, &mut user, hash, false).await?;
    finish_sign_in(tx, ctx, AMR_PASSWORD, "password", req.options, None, user).await
}

/// `POST /v1/auth/password/signin`: checks the password (lock and expiry rules) and signs
/// the user in. With `stepup`/`mfa`, `session` is the caller's refresh token.
pub async fn sign_in(
    db: &Db,
    hasher: &PasswordHasher,
    ctx: &Ctx,
    login_id: &str,
    password: &str,
    options: LoginOptions,
    session: Option<&Claims>,
) -> ApiResult<AuthInfo> {
    ensure_enabled(ctx)?;
    require(login_id, "loginId")?;
    require(password, "password")?;
    let result = async {
        let (user, hash, read) = user_with_password(db, ctx, login_id).await?;
        let ok = hasher.verify_off_thread(password, &hash).await?;
        let mut tx = store::begin_immediate(db).await?;
        let Some(cred) = record_check(&mut tx, ctx, &user, ok, read).await? else {
            tx.commit().await?;
            return Err(wrong_password());
        };
        // Commit the cleared failure count even when the password is temporary or expired.
        if let Err(e) = ensure_not_expired(&cred, ctx) {
            tx.commit().await?;
            return Err(e);
        }
        finish_sign_in(tx, ctx, AMR_PASSWORD, "password", options, session, user).await
    }
    .await;
    crate::domain::audit::on_login_failure(db, ctx, login_id, "password", result).await
}

/// `POST /v1/auth/password/replace`: the old password (temporary or expired ones too) for a
/// new one, then a sign-in.
pub async fn replace(
    db: &Db,
    hasher: &PasswordHasher,
    ctx: &Ctx,
    login_id: &str,
    old_password: &str,
    new_password: &str,
) -> ApiResult<AuthInfo> {
    ensure_enabled(ctx)?;
    require(login_id, "loginId")?;
    require(old_password, "oldPassword")?;
    require(new_password, "newPassword")?;
    let (user, old_hash, read) = user_with_password(db, ctx, login_id).await?;
    {
        let ok = hasher.verify_off_thread(old_password, &old_hash).await?;
        let mut tx = store::begin_immediate(db).await?;
        let checked = record_check(&mut tx, ctx, &user, ok, read).await?;
        tx.commit().await?;
        if checked.is_none() {
            return Err(wrong_password());
        }
    }
    let (tx, user) = set_new_password(db, hasher, ctx, &user, login_id, new_password).await?;
    finish_sign_in(tx, ctx, AMR_PASSWORD, "password", LoginOptions::default(), None, user).await
}

/// `POST /v1/auth/password/update`: sets a new (active) password for the signed-in user,
/// e.g. after the reset link; unlocks the password.
pub async fn update(
    db: &Db,
    hasher: &PasswordHasher,
    ctx: &Ctx,
    claims: &Claims,
    login_id: &str,
    new_password: &str,
) -> ApiResult<()> {
    ensure_enabled(ctx)?;
    require(new_password, "newPassword")?;
    let user = {
        let mut conn = db.acquire().await?;
        users::find_by_id(&mut conn, ctx.scope(), &claims.sub).await?.ok_or_else(|| {
            ApiError::new(ErrorKind::InvalidSessionToken, "The user of this session no longer exists")
        })?
    };
    user.ensure_can_sign_in()?;
    if !login_id.is_empty() && !user.login_ids.iter().any(|l| l == login_id) {
        return Err(ApiError::invalid(format!("Login ID {login_id} is not the signed-in user's")));
    }
    let (tx, _) = set_new_password(db, hasher, ctx, &user, login_id, new_password).await?;
    tx.commit().await?;
    Ok(())
}

/// `POST /v1/auth/password/reset`: sends a reset link by email (outbox kind
/// `password-reset`). Verifying it through `/v1/auth/magiclink/verify` signs the user in, and
/// the refresh JWT then sets the new password with [`update`].
pub async fn send_reset(
    db: &Db,
    notifier: &OutboxNotifier,
    ctx: &Ctx,
    login_id: &str,
    redirect_url: &str,
) -> ApiResult<Masked> {
    ensure_enabled(ctx)?;
    require(login_id, "loginId")?;
    let request = StartRequest {
        login_id: login_id.to_owned(),
        redirect_url: Some(redirect_url.to_owned()).filter(|u| !u.is_empty()),
        ..StartRequest::default()
    };
    passwordless::start(
        db,
        notifier,
        ctx,
        Method::MagicLink,
        ChannelKind::Email,
        Purpose::SignIn,
        request,
        Some("password-reset"),
    )
    .await
    .map(|started| started.masked)
}

/// `GET /v1/auth/password/policy` and `GET /v1/mgmt/password/settings`.
pub fn policy(ctx: &Ctx) -> PasswordSettings {
    settings(ctx).clone()
}

/// `GET /v1/mgmt/password/settings` with a `tenantId`: the tenant's own policy, else the
/// project's.
pub async fn tenant_policy(db: &Db, ctx: &Ctx, tenant_id: &str) -> ApiResult<PasswordSettings> {
    let own = crate::domain::identity::tenants::password_settings(db, ctx, tenant_id).await?;
    Ok(own.unwrap_or_else(|| policy(ctx)))
}

/// `base` with the given fields changed (unknown fields and `null`s are ignored), checked.
fn changed(base: &PasswordSettings, changes: Map<String, Value>) -> ApiResult<PasswordSettings> {
    let mut merged = match serde_json::to_value(base)? {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    for (key, value) in changes {
        if !value.is_null() && merged.contains_key(&key) {
            merged.insert(key, value);
        }
    }
    let new: PasswordSettings = serde_path_to_error::deserialize(Value::Object(merged))
        .map_err(|e| ApiError::bad_request(format!("Field {} is not valid: {}", e.path(), e.inner())))?;
    new.validate()?;
    Ok(new)
}

/// `POST /v1/mgmt/password/settings` with a `tenantId`: changes the given fields of the
/// tenant's own policy, which starts as a copy of the project's; the project's stays.
pub async fn configure_tenant(
    db: &Db,
    ctx: &Ctx,
    tenant_id: &str,
    changes: Map<String, Value>,
) -> ApiResult<PasswordSettings> {
    let new = changed(&tenant_policy(db, ctx, tenant_id).await?, changes)?;
    crate::domain::identity::tenants::set_password_settings(db, ctx, tenant_id, new.clone()).await?;
    Ok(new)
}

/// `POST /v1/mgmt/password/settings`: changes the given fields of the policy (the rest stay).
pub async fn configure(
    db: &Db,
    registry: &Projects,
    ctx: &Ctx,
    changes: Map<String, Value>,
) -> ApiResult<PasswordSettings> {
    let new = changed(settings(ctx), changes)?;
    let mut tx = store::begin_immediate(db).await?;
    let row = store::projects::get(&mut tx, ctx.project_id())
        .await?
        .ok_or_else(|| ApiError::new(ErrorKind::ProjectNotFound, "Unknown project"))?;
    let mut all: crate::domain::projects::ProjectSettings = store::from_json_text(&row.settings);
    all.password = new.clone();
    store::projects::update(&mut tx, &row.id, &row.name, row.is_default, &store::json_text(&all)?).await?;
    tx.commit().await?;
    registry.invalidate(ctx.project_id().as_str());
    Ok(new)
}

/// `POST /v1/mgmt/user/password/set/{temporary|active}`: sets a user's password without the
/// policy. A temporary one must be replaced before it signs in (E062909); both unlock.
pub async fn set_by_management(
    db: &Db,
    hasher: &PasswordHasher,
    ctx: &Ctx,
    login_id: &str,
    password: &str,
    temporary: bool,
) -> ApiResult<()> {
    require(login_id, "loginId")?;
    require(password, "password")?;
    let new_hash = hasher.hash_off_thread(password).await?;
    let mut tx = store::begin_immediate(db).await?;
    let mut user = users::find_by_login_or_user_id(&mut tx, ctx.scope(), login_id)
        .await?
        .ok_or_else(|| ApiError::mgmt_user_not_found(login_id))?;
    store_password(&mut tx, ctx, &mut user, new_hash, temporary).await?;
    tx.commit().await?;
    Ok(())
}

/// `POST /v1/mgmt/user/password/expire`: the user must replace or reset the password before
/// signing in with it.
pub async fn expire_by_management(db: &Db, ctx: &Ctx, login_id: &str) -> ApiResult<()> {
    require(login_id, "loginId")?;
    let mut tx = store::begin_immediate(db).await?;
    let user = users::find_by_login_or_user_id(&mut tx, ctx.scope(), login_id)
        .await?
        .ok_or_else(|| ApiError::mgmt_user_not_found(login_id))?;
    if user.row.password_hash.is_some() {
        let mut cred = credential(&mut tx, ctx, &user).await?;
        cred.expired = true;
        store::credentials::upsert_password(&mut tx, ctx.scope(), &cred).await?;
    }
    tx.commit().await?;
    Ok(())
}
