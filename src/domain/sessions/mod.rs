//! Session and refresh JWTs: issuing them with the claims the SDKs read (SDK_CONTRACT.md 4),
//! verifying them against the project's keys and the emulator clock, refresh, logout and
//! tenant selection.

pub mod forge;
pub mod templates;
pub mod tokens;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

use crate::crypto;
use crate::domain::audit::{self, Event};
use crate::domain::authn::passwordless::LoginOptions;
use crate::domain::identity::users::{self, User};
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids::{Scope, TenantId, UserId};
use crate::store::Db;
use crate::store::{self, Conn};

/// `drn` of session JWTs.
pub const DRN_SESSION: &str = "DS";
/// `drn` of refresh JWTs.
pub const DRN_REFRESH: &str = "DSR";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Session,
    Refresh,
}

impl TokenKind {
    fn drn(self) -> &'static str {
        match self {
            TokenKind::Session => DRN_SESSION,
            TokenKind::Refresh => DRN_REFRESH,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TenantClaims {
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub permissions: Vec<String>,
}

/// The claims of both token kinds. Session JWTs carry the grants; refresh JWTs carry a `jti`
/// naming their server-side record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
    pub drn: String,
    #[serde(default)]
    pub amr: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenants: Option<BTreeMap<String, TenantClaims>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dct: Option<String>,
    /// Custom claims (login options, JWT update), top-level as Descope puts them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn invalid(message: &str) -> ApiError {
    ApiError::new(ErrorKind::InvalidSessionToken, message)
}

/// Verifies a JWT of this project: signature with a key of *this* project, issuer, `drn`, and
/// expiry by the emulator clock. For refresh tokens, also that it was not logged out.
pub async fn verify(db: &Db, ctx: &Ctx, token: &str, kind: TokenKind) -> ApiResult<Claims> {
    let claims = verify_signature(ctx, token)?;
    if claims.drn != kind.drn() {
        return Err(invalid("Wrong token type"));
    }
    if claims.exp <= ctx.now.secs() {
        return Err(invalid("Token expired"));
    }
    if kind == TokenKind::Refresh {
        let jti = claims.jti.as_deref().ok_or_else(|| invalid("Refresh token has no ID"))?;
        let mut conn = db.acquire().await?;
        match store::sessions::get(&mut conn, ctx.scope(), jti).await? {
            Some(r) if r.revoked_ms.is_none() => {}
            Some(_) => {
                return Err(ApiError::new(ErrorKind::RefreshTokenRevoked, "Refresh token was logged out"))
            }
            None => {
                return Err(ApiError::new(ErrorKind::RefreshTokenRevoked, "Unknown or revoked refresh token"))
            }
        }
    }
    Ok(claims)
}

/// Checks signature and issuer only; expiry and revocation are the caller's business.
pub fn verify_signature(ctx: &Ctx, token: &str) -> ApiResult<Claims> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| invalid("Malformed token"))?;
    let kid = header.kid.ok_or_else(|| invalid("Token has no kid"))?;
    let key =
        ctx.project.live_key(&kid, ctx.now).ok_or_else(|| invalid("Token was not signed by this project"))?;
    let claims: Claims = key.decode_unchecked(token).map_err(|_| invalid("Invalid token signature"))?;
    // The key already ties the token to this project. The issuer's URL part follows the
    // public URL of the emulator that signed it, which a restart on another port (without
    // --public-url) changes: any `<url>/<projectId>` of this project is accepted.
    let iss = &claims.iss;
    let project = ctx.project_id().as_str();
    let ours = iss == project || iss.strip_suffix(project).is_some_and(|url| url.ends_with('/'));
    if !ours {
        return Err(invalid(&format!("Token issuer {iss} does not match project {project}")));
    }
    Ok(claims)
}

/// How a sign-in came about: the methods used (`amr`), an explicit tenant and custom claims.
#[derive(Debug, Clone, Default)]
pub struct SignInOptions {
    pub amr: Vec<String>,
    pub dct: Option<String>,
    pub custom_claims: Map<String, Value>,
    /// Login method for the user's history.
    pub method: String,
    /// Revoke the user's other refresh tokens.
    pub revoke_other_sessions: bool,
}

/// The caller's session that a new factor adds to (step-up, MFA, address update).
#[derive(Debug, Clone, Copy)]
pub struct Prior<'a> {
    pub user_id: &'a str,
    pub amr: &'a [String],
}

impl<'a> From<&'a Claims> for Prior<'a> {
    fn from(c: &'a Claims) -> Self {
        Prior { user_id: &c.sub, amr: &c.amr }
    }
}

/// `stepup` and `mfa` need the caller's refresh JWT in the bearer (SDK_CONTRACT.md 6); the
/// SDKs check this on the client too, but a bare HTTP caller gets 401 here.
pub fn check_step_up(options: &LoginOptions, has_session: bool) -> ApiResult<()> {
    if (options.stepup || options.mfa) && !has_session {
        return Err(ApiError::unauthorized(
            "stepup and mfa require the refresh JWT in the Authorization bearer",
        ));
    }
    Ok(())
}

/// The sign-in options of one authentication factor, shared by every method (OTP, links,
/// NOTP, password, TOTP, recovery codes, security questions). With `stepup`/`mfa` (or
/// `extend`, e.g. an address update) the new `amr` lists the factors of the caller's session
/// followed by this one, `mfa` is added under `mfa` when two or more factors were used, and
/// the user signing in (`user_id`) must be the caller. `customClaims` land top-level in the session JWT,
/// `revokeOtherSessions` revokes the user's other refresh tokens.
pub fn factor_options(
    factor: &str,
    method: &str,
    options: LoginOptions,
    prior: Option<Prior<'_>>,
    extend: bool,
    user_id: &str,
) -> ApiResult<SignInOptions> {
    check_step_up(&options, prior.is_some())?;
    let prior = prior.filter(|_| extend || options.stepup || options.mfa);
    if prior.is_some_and(|p| p.user_id != user_id) {
        return Err(ApiError::unauthorized("The refresh JWT in the bearer belongs to another user"));
    }
    let mut amr: Vec<String> = prior.map(|p| p.amr.to_vec()).unwrap_or_default();
    if !amr.iter().any(|a| a == factor) {
        amr.push(factor.to_owned());
    }
    let factors = amr.iter().filter(|a| *a != "mfa").count();
    if options.mfa && factors > 1 && !amr.iter().any(|a| a == "mfa") {
        amr.push("mfa".to_owned());
    }
    Ok(SignInOptions {
        amr,
        dct: Some(options.tenant_id).filter(|t| !t.is_empty()),
        custom_claims: options.custom_claims,
        method: method.to_owned(),
        revoke_other_sessions: options.revoke_other_sessions,
    })
}

/// What a successful sign-in, refresh or tenant selection yields.
#[derive(Debug, Clone)]
pub struct AuthInfo {
    pub session_jwt: String,
    pub session_exp: i64,
    pub refresh_jwt: String,
    pub refresh_exp: i64,
    pub first_seen: bool,
    pub user: User,
}

/// Project permissions and per-tenant grants of a set of project roles and tenant roles
/// (users and access keys alike).
pub async fn grants(
    conn: &mut Conn,
    scope: &Scope,
    roles: &[String],
    tenants: &[(String, Vec<String>)],
) -> ApiResult<(Vec<String>, BTreeMap<String, TenantClaims>)> {
    let permissions = store::users::permissions_of_roles(conn, scope, &TenantId::from(""), roles).await?;
    let mut out = BTreeMap::new();
    for (tenant_id, tenant_roles) in tenants {
        let perms = store::users::permissions_of_roles(
            conn,
            scope,
            &TenantId::from(tenant_id.as_str()),
            tenant_roles,
        )
        .await?;
        out.insert(tenant_id.clone(), TenantClaims { roles: tenant_roles.clone(), permissions: perms });
    }
    Ok((permissions, out))
}

/// A user's tenants with their role names in each, as [`grants`] takes them.
pub fn tenant_roles(user: &User) -> Vec<(String, Vec<String>)> {
    user.tenants.iter().map(|t| (t.tenant_id.clone(), t.roles.clone())).collect()
}

/// The `dct` (selected tenant) of new tokens: the tenant explicitly selected, else the
/// user's one tenant when they belong to exactly one: "If there's just one tenant associated
/// with the user, the tenant does not have to be selected because the dct is automatically
/// set to that one tenant" (docs.descope.com/screens/inputs/tenantselect-component).
pub fn effective_dct(user: &User, selected: Option<&str>) -> Option<String> {
    match (selected.filter(|t| !t.is_empty()), user.tenants.as_slice()) {
        (Some(t), _) => Some(t.to_owned()),
        (None, [only]) => Some(only.tenant_id.clone()),
        (None, _) => None,
    }
}

/// Records a refresh token so logout can revoke it; returns its `jti`.
pub(crate) async fn record_refresh(conn: &mut Conn, ctx: &Ctx, user_id: &str, exp: i64) -> ApiResult<String> {
    let jti = crypto::random_alnum(24);
    store::sessions::insert(
        conn,
        ctx.scope(),
        &store::sessions::RefreshRow {
            jti: jti.clone(),
            user_id: user_id.to_owned(),
            issued_ms: ctx.now.millis(),
            expires_ms: exp * 1000,
            revoked_ms: None,
        },
    )
    .await?;
    Ok(jti)
}

/// The claims of a session JWT for a user with their current grants, shaped by the
/// project's user JWT template when it has one.
pub(crate) async fn session_claims(
    conn: &mut Conn,
    ctx: &Ctx,
    user: &User,
    amr: &[String],
    dct: Option<&str>,
    custom: &Map<String, Value>,
) -> ApiResult<Claims> {
    let (permissions, tenants) = grants(conn, ctx.scope(), &user.roles, &tenant_roles(user)).await?;
    let iat = ctx.now.secs();
    let mut claims = Claims {
        sub: user.id().to_string(),
        iss: ctx.project.issuer.clone(),
        iat,
        exp: iat + ctx.project.settings.session_token_ttl_secs,
        drn: DRN_SESSION.into(),
        amr: amr.to_vec(),
        jti: None,
        roles: Some(user.roles.clone()),
        permissions: Some(permissions),
        tenants: Some(tenants),
        dct: dct.map(str::to_owned),
        extra: custom.clone(),
    };
    templates::shape_user_session(conn, ctx, user, &mut claims).await?;
    Ok(claims)
}

/// The claims of a new refresh JWT, recorded so logout can revoke it. `extra` (custom
/// claims, `act`) rides along so that refresh can put it into every later session JWT.
/// It lives `ttl_secs`, or the project's refresh lifetime when that is not positive.
pub(crate) async fn refresh_claims(
    conn: &mut Conn,
    ctx: &Ctx,
    user: &User,
    amr: &[String],
    dct: Option<&str>,
    extra: &Map<String, Value>,
    ttl_secs: i64,
) -> ApiResult<Claims> {
    let iat = ctx.now.secs();
    let exp = iat + if ttl_secs > 0 { ttl_secs } else { ctx.project.settings.refresh_token_ttl_secs };
    let jti = record_refresh(conn, ctx, user.id().as_str(), exp).await?;
    Ok(Claims {
        sub: user.id().to_string(),
        iss: ctx.project.issuer.clone(),
        iat,
        exp,
        drn: DRN_REFRESH.into(),
        amr: amr.to_vec(),
        jti: Some(jti),
        roles: None,
        permissions: None,
        tenants: None,
        dct: dct.map(str::to_owned),
        extra: extra.clone(),
    })
}

/// Signs claims with the project's key, all in one hand-off to the blocking pool. Every token
/// the emulator issues is signed here, after its transaction has committed: an RS256
/// signature costs most of a millisecond of CPU, and made on the async workers or inside a
/// write transaction it would hold up other requests (and SQLite's write lock, the one
/// connection of `sqlite::memory:`), so that tokens could only be signed one after another.
pub async fn sign_all(ctx: &Ctx, claims: Vec<Claims>) -> ApiResult<Vec<String>> {
    let signer = ctx.project.signing.clone();
    tokio::task::spawn_blocking(move || claims.iter().map(|c| signer.sign(c)).collect())
        .await
        .map_err(ApiError::internal)?
}

/// [`sign_all`] of one token.
pub async fn sign_one(ctx: &Ctx, claims: Claims) -> ApiResult<String> {
    sign_all(ctx, vec![claims]).await?.pop().ok_or_else(|| ApiError::internal("no token signed"))
}

/// Tokens decided inside a transaction, signed by [`Issued::sign`] after it commits.
#[derive(Debug)]
#[must_use = "sign the tokens once the transaction has committed"]
pub struct Issued {
    session: Claims,
    refresh: RefreshToken,
    first_seen: bool,
    user: User,
}

#[derive(Debug)]
enum RefreshToken {
    New(Box<Claims>),
    /// The caller's refresh JWT, kept as it is (refresh without rotation).
    Kept(String, i64),
}

impl Issued {
    /// Changes the session JWT before it is signed: its issuer and extra claims (an
    /// authorization server's access tokens).
    /// The session JWT's claims, for a caller that narrows its grants (inbound apps' scopes).
    pub fn session_claims_mut(&mut self) -> &mut Claims {
        &mut self.session
    }

    pub fn shape_session(&mut self, iss: Option<String>, extra: Map<String, Value>) {
        if let Some(iss) = iss {
            self.session.iss = iss;
        }
        self.session.extra.extend(extra);
    }

    /// The `jti` of the new refresh JWT (none when the caller's is kept).
    pub fn refresh_jti(&self) -> Option<&str> {
        match &self.refresh {
            RefreshToken::New(claims) => claims.jti.as_deref(),
            RefreshToken::Kept(..) => None,
        }
    }

    /// Signs the session JWT and, unless the caller's one is kept, the refresh JWT.
    pub async fn sign(self, ctx: &Ctx) -> ApiResult<AuthInfo> {
        let session_exp = self.session.exp;
        let (claims, kept, refresh_exp) = match self.refresh {
            RefreshToken::New(refresh) => {
                let exp = refresh.exp;
                (vec![self.session, *refresh], None, exp)
            }
            RefreshToken::Kept(token, exp) => (vec![self.session], Some(token), exp),
        };
        let mut jwts = sign_all(ctx, claims).await?.into_iter();
        let mut next = || jwts.next().ok_or_else(|| ApiError::internal("a token was not signed"));
        let session_jwt = next()?;
        let refresh_jwt = match kept {
            Some(token) => token,
            None => next()?,
        };
        Ok(AuthInfo {
            session_jwt,
            session_exp,
            refresh_jwt,
            refresh_exp,
            first_seen: self.first_seen,
            user: self.user,
        })
    }
}

/// Session and refresh claims for a user, the refresh token recorded.
async fn issue(
    conn: &mut Conn,
    ctx: &Ctx,
    user: User,
    amr: &[String],
    dct: Option<&str>,
    extra: &Map<String, Value>,
    first_seen: bool,
) -> ApiResult<Issued> {
    let dct = effective_dct(&user, dct);
    let dct = dct.as_deref();
    let session = session_claims(conn, ctx, &user, amr, dct, extra).await?;
    let refresh = RefreshToken::New(Box::new(refresh_claims(conn, ctx, &user, amr, dct, extra, 0).await?));
    Ok(Issued { session, refresh, first_seen, user })
}

/// New session and refresh claims for a user who signed in earlier (the authorization
/// server's refresh-token rotation): no login is recorded. Inside the caller's transaction.
pub async fn reissue(
    conn: &mut Conn,
    ctx: &Ctx,
    user: User,
    amr: &[String],
    dct: Option<&str>,
    extra: &Map<String, Value>,
) -> ApiResult<Issued> {
    user.ensure_can_sign_in()?;
    issue(conn, ctx, user, amr, dct, extra, false).await
}

/// Finishes any sign-in: checks the user may sign in, records the login, and decides a new
/// session and refresh JWT. Runs inside the caller's transaction; the caller signs the
/// tokens after it commits.
pub async fn sign_in(conn: &mut Conn, ctx: &Ctx, mut user: User, opts: SignInOptions) -> ApiResult<Issued> {
    user.ensure_can_sign_in()?;

    let first_seen = user.row.first_seen;
    if first_seen || user.row.status == users::STATUS_INVITED {
        user.row.first_seen = false;
        if user.row.status == users::STATUS_INVITED {
            user.row.status = users::STATUS_ENABLED.into();
        }
        store::users::update(conn, ctx.scope(), &user.row).await?;
    }
    store::users::insert_login(
        conn,
        ctx.scope(),
        &store::users::LoginRow {
            user_id: user.id().to_string(),
            login_ms: ctx.now.millis(),
            method: opts.method.clone(),
            ip: String::new(),
            city: String::new(),
            country: String::new(),
            selected_tenant: opts.dct.clone().unwrap_or_default(),
        },
    )
    .await?;
    crate::domain::audit::record(
        conn,
        ctx,
        &crate::domain::audit::Event {
            action: crate::domain::audit::LOGIN_SUCCEED.into(),
            user_id: user.id().to_string(),
            actor_id: user.login_ids.first().cloned().unwrap_or_default(),
            method: opts.method.clone(),
            external_ids: user.login_ids.clone(),
            tenants: user.tenants.iter().map(|t| t.tenant_id.clone()).collect(),
            ..crate::domain::audit::Event::default()
        },
    )
    .await?;
    if opts.revoke_other_sessions {
        store::sessions::revoke_all_of_user(conn, ctx.scope(), user.id(), None, ctx.now.millis()).await?;
    }
    issue(conn, ctx, user, &opts.amr, opts.dct.as_deref(), &opts.custom_claims, first_seen).await
}

/// Loads the (enabled) user a verified refresh token belongs to.
async fn session_user(conn: &mut Conn, ctx: &Ctx, claims: &Claims) -> ApiResult<User> {
    let user = users::find_by_id(conn, ctx.scope(), &claims.sub).await?.ok_or_else(|| {
        ApiError::new(ErrorKind::InvalidSessionToken, "The user of this session no longer exists")
    })?;
    user.ensure_can_sign_in()?;
    Ok(user)
}

/// `POST /v1/auth/refresh` with the refresh JWT of the bearer: verifies it, recording
/// `RefreshFailed` when it is refused, then refreshes.
pub async fn refresh_token(db: &Db, ctx: &Ctx, token: &str) -> ApiResult<AuthInfo> {
    let result = match verify(db, ctx, token, TokenKind::Refresh).await {
        Ok(claims) => refresh(db, ctx, &claims, token).await,
        Err(e) => Err(e),
    };
    if let Err(err) = &result {
        if err.kind != ErrorKind::Internal {
            record_refresh_failure(db, ctx, token, err).await?;
        }
    }
    result
}

/// `RefreshFailed` (type `warn`, reason in `data.error_message`) for the user the token names
/// when its signature holds, in a transaction of its own.
async fn record_refresh_failure(db: &Db, ctx: &Ctx, token: &str, err: &ApiError) -> ApiResult<()> {
    let mut event = Event::new(audit::REFRESH_FAILED, "");
    if let Ok(c) = verify_signature(ctx, token) {
        let mut conn = db.acquire().await?;
        event = match users::find_by_id(&mut conn, ctx.scope(), &c.sub).await? {
            Some(user) => Event::for_user(audit::REFRESH_FAILED, &user),
            None => Event { user_id: c.sub.clone(), actor_id: c.sub, ..event },
        };
    }
    event.kind = "warn".into();
    let event = event.data("error_message", err.message.clone());
    audit::record_detached(db, ctx, &event).await
}

/// A new session JWT with the user's current grants; the refresh JWT stays the same unless
/// the project rotates refresh tokens. Its `dct` is the refresh JWT's, or the user's one
/// tenant ([`effective_dct`]). The refresh JWT's extra claims (custom claims of the
/// sign-in, impersonation's `act`, step-up marks) are carried into the new session JWT: this
/// is the one place they survive a refresh.
pub async fn refresh(db: &Db, ctx: &Ctx, claims: &Claims, token: &str) -> ApiResult<AuthInfo> {
    let dct = claims.dct.as_deref();
    let issued = if ctx.project.settings.rotate_refresh_tokens {
        let mut tx = store::begin_immediate(db).await?;
        let user = session_user(&mut tx, ctx, claims).await?;
        if let Some(jti) = &claims.jti {
            store::sessions::revoke(&mut tx, ctx.scope(), jti, ctx.now.millis()).await?;
        }
        let issued = issue(&mut tx, ctx, user, &claims.amr, dct, &claims.extra, false).await?;
        tx.commit().await?;
        issued
    } else {
        // Nothing is written: reads on a plain connection, no transaction to begin and end.
        let mut conn = db.acquire().await?;
        let user = session_user(&mut conn, ctx, claims).await?;
        let dct = effective_dct(&user, dct);
        let session =
            session_claims(&mut conn, ctx, &user, &claims.amr, dct.as_deref(), &claims.extra).await?;
        let refresh = RefreshToken::Kept(token.to_owned(), claims.exp);
        Issued { session, refresh, first_seen: false, user }
    };
    issued.sign(ctx).await
}

/// `POST /v1/auth/tenant/select`: new tokens whose `dct` is the chosen tenant.
pub async fn select_tenant(db: &Db, ctx: &Ctx, claims: &Claims, tenant: &str) -> ApiResult<AuthInfo> {
    let mut tx = store::begin_immediate(db).await?;
    let user = session_user(&mut tx, ctx, claims).await?;
    if !tenant.is_empty() && !user.tenants.iter().any(|t| t.tenant_id == tenant) {
        return Err(ApiError::new(
            ErrorKind::TenantNotAssociated,
            format!("User is not associated with tenant {tenant}"),
        ));
    }
    let dct = Some(tenant).filter(|t| !t.is_empty());
    if let Some(jti) = &claims.jti {
        store::sessions::revoke(&mut tx, ctx.scope(), jti, ctx.now.millis()).await?;
    }
    let issued = issue(&mut tx, ctx, user, &claims.amr, dct, &claims.extra, false).await?;
    tx.commit().await?;
    issued.sign(ctx).await
}

/// `POST /v1/auth/logout` (this refresh token) and `/logoutall` (all of the user's).
pub async fn logout(db: &Db, ctx: &Ctx, claims: &Claims, all: bool) -> ApiResult<()> {
    let mut tx = store::begin_immediate(db).await?;
    if all {
        store::sessions::revoke_all_of_user(
            &mut tx,
            ctx.scope(),
            &UserId::from(claims.sub.as_str()),
            None,
            ctx.now.millis(),
        )
        .await?;
    } else if let Some(jti) = &claims.jti {
        store::sessions::revoke(&mut tx, ctx.scope(), jti, ctx.now.millis()).await?;
    }
    if let Some(user) = users::find_by_id(&mut tx, ctx.scope(), &claims.sub).await? {
        let event = Event::for_user(audit::LOGOUT, &user).data("all", all);
        audit::record(&mut tx, ctx, &event).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// `GET /v1/auth/me`.
pub async fn me(db: &Db, ctx: &Ctx, claims: &Claims) -> ApiResult<User> {
    let mut conn = db.acquire().await?;
    session_user(&mut conn, ctx, claims).await
}

/// `GET /v1/auth/me/history`: the user's logins, newest first.
pub async fn history(
    db: &Db,
    ctx: &Ctx,
    claims: &Claims,
) -> ApiResult<Vec<crate::domain::identity::search::Login>> {
    let mut conn = db.acquire().await?;
    let user = session_user(&mut conn, ctx, claims).await?;
    let rows = store::users::login_history(&mut conn, ctx.scope(), user.id(), 100).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Revokes every session of a user (management logout, user disabled or deleted).
pub async fn revoke_user(conn: &mut Conn, ctx: &Ctx, user_id: &str) -> ApiResult<()> {
    store::sessions::revoke_all_of_user(conn, ctx.scope(), &UserId::from(user_id), None, ctx.now.millis())
        .await?;
    Ok(())
}

/// `POST /v1/auth/me/tenants`: the user's tenants; only the selected one (`dct`) when asked,
/// or the given IDs.
pub async fn my_tenants(
    db: &Db,
    ctx: &Ctx,
    claims: &Claims,
    only_selected: bool,
    ids: &[String],
) -> ApiResult<Vec<crate::domain::identity::tenants::Tenant>> {
    let mut conn = db.acquire().await?;
    let user = session_user(&mut conn, ctx, claims).await?;
    let wanted = |id: &str| {
        if only_selected {
            claims.dct.as_deref() == Some(id)
        } else {
            ids.is_empty() || ids.iter().any(|i| i == id)
        }
    };
    let mut out = Vec::new();
    for t in user.tenants.iter().filter(|t| wanted(&t.tenant_id)) {
        if let Some(row) =
            store::tenants::get_tenant(&mut conn, ctx.scope(), &TenantId::from(t.tenant_id.as_str())).await?
        {
            out.push(crate::domain::identity::tenants::Tenant::from_row(row));
        }
    }
    Ok(out)
}
