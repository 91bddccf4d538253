//! OAuth social sign-in (Google, GitHub, ... or any custom provider name) through the
//! emulator's fake providers: the redirect flow ([`start`], then the provider's page, then
//! [`exchange`]), the native flow ([`native_start`], [`native_finish`]) and Google One Tap
//! ([`one_tap_exchange`], [`one_tap_code`]), all ending in [`sign_in_identity`].
//!
//! The fake providers sign ID tokens (native and one-tap sign-in) with one RSA key per
//! project ([`provider_key`]); an ID token signed by any other key, or not signed, is refused.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::identities::{self, LinkedIdentity};
use super::idp::{self, Approved, Flow, Identity, Mode, PriorSession, Start, Target};
use crate::crypto::{KeyPool, SigningKey};
use crate::domain::authn::passwordless::LoginOptions;
use crate::domain::identity::profile::{UserProfile, UserTraits};
use crate::domain::identity::users::{self, NewUser, User};
use crate::domain::sessions::{self, AuthInfo, Issued, Prior};
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::store::{self, Conn, Db};

/// The providers the SDKs name (core-js `OAuthProviders`); any other name is a custom provider.
pub const PROVIDERS: [&str; 9] =
    ["apple", "discord", "facebook", "github", "gitlab", "google", "linkedin", "microsoft", "slack"];

/// `amr` of a social sign-in (go-sdk `AuthFactorOAuth`).
pub const AMR: &str = "oauth";

/// How long an ID token minted by a fake provider lives.
const ID_TOKEN_TTL_SECS: i64 = 3600;

/// Checks a provider name: a known provider or a custom one of letters, digits, `-`, `_`, `.`.
pub fn check_provider(provider: &str) -> ApiResult<()> {
    if provider.is_empty() {
        return Err(ApiError::missing("provider"));
    }
    let ok = provider.len() <= 64
        && provider.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !ok {
        return Err(ApiError::invalid(format!("Unknown OAuth provider {provider:?}")));
    }
    Ok(())
}

/// The client ID the project has at a fake provider: what native start and one-tap answer
/// and what the provider's ID tokens are issued to (`aud`).
pub fn client_id(ctx: &Ctx, provider: &str) -> String {
    format!("emulator-{provider}-{}", ctx.project_id())
}

/// The `iss` of a fake provider's ID tokens.
pub fn provider_issuer(ctx: &Ctx, provider: &str) -> String {
    format!("{}/emulator/v1/projects/{}/idp/oauth/{provider}", ctx.project.public_url, ctx.project_id())
}

/// A social sign-in to start.
#[derive(Debug, Clone, Default)]
pub struct StartRequest {
    pub provider: String,
    pub mode: Mode,
    pub redirect_url: String,
    pub login_hint: String,
    pub options: LoginOptions,
    /// The caller's session (step-up, MFA; required for [`Mode::Update`]).
    pub prior: Option<PriorSession>,
    pub extra: Map<String, Value>,
}

/// `POST /v1/auth/oauth/authorize[/signin|/signup|/update]`: the URL of the provider's page.
pub async fn start(db: &Db, ctx: &Ctx, req: StartRequest) -> ApiResult<String> {
    check_provider(&req.provider)?;
    sessions::check_step_up(&req.options, req.prior.is_some())?;
    if req.mode == Mode::Update && req.prior.is_none() {
        return Err(ApiError::unauthorized(
            "Linking a provider requires the refresh JWT in the Authorization bearer",
        ));
    }
    let start = Start {
        target: Target::OAuth { provider: req.provider },
        mode: req.mode,
        redirect_url: req.redirect_url,
        login_options: req.options,
        login_hint: req.login_hint,
        prior: req.prior,
        extra: req.extra,
    };
    idp::begin(db, ctx, start).await
}

/// `POST /v1/auth/oauth/exchange`: the code of a social (or one-tap) approval signs the user in.
pub async fn exchange(db: &Db, ctx: &Ctx, code: &str) -> ApiResult<AuthInfo> {
    let mut tx = db.begin().await?;
    let approved = idp::take_code(&mut tx, ctx, code, Flow::OAuth).await?;
    let issued = sign_in_identity(&mut tx, ctx, &approved.start, approved.identity).await?;
    tx.commit().await?;
    issued.sign(ctx).await
}

/// The user a provider's identity is: the one it was linked to, else (merging by verified
/// email) the user whose login ID is its email, else a new user; then the sign-in.
pub async fn sign_in_identity(
    conn: &mut Conn,
    ctx: &Ctx,
    start: &Start,
    identity: Identity,
) -> ApiResult<Issued> {
    let provider = start.target.issuer().to_owned();
    let scope = ctx.scope();
    let linked = identities::find(conn, scope, identities::OAUTH, &provider, "", &identity.sub).await?;
    let mut user = match &linked {
        Some(l) => users::find_by_id(conn, scope, &l.user_id).await?,
        None => None,
    };
    if start.mode == Mode::Update {
        let prior =
            start.prior.as_ref().ok_or_else(|| ApiError::unauthorized("No signed-in user to link to"))?;
        if user.as_ref().is_some_and(|u| u.id().as_str() != prior.user_id) {
            return Err(ApiError::new(
                ErrorKind::UserAlreadyExists,
                format!("This {provider} account is linked to another user"),
            ));
        }
        user = users::find_by_id(conn, scope, &prior.user_id).await?;
        if user.is_none() {
            return Err(ApiError::new(
                ErrorKind::InvalidSessionToken,
                "The user of this session no longer exists",
            ));
        }
    }
    if user.is_none() && !identity.email.is_empty() {
        if let Some(existing) = user_of_email(conn, ctx, &identity.email).await? {
            if !identity.email_verified {
                return Err(ApiError::new(
                    ErrorKind::UserAlreadyExists,
                    format!(
                        "A user with login ID {} exists and the provider did not verify the email",
                        identity.email
                    ),
                ));
            }
            user = Some(existing);
        }
    }
    let user = match (user, start.mode) {
        (Some(_), Mode::SignUp) => {
            return Err(ApiError::new(
                ErrorKind::UserAlreadyExists,
                format!("The {provider} user already exists"),
            ))
        }
        (Some(u), _) => update_user(conn, ctx, u, &provider, &identity).await?,
        (None, Mode::SignIn) => return Err(ApiError::user_not_found(&login_id_of(&provider, &identity))),
        (None, _) => create_user(conn, ctx, &provider, &identity).await?,
    };
    identities::link(
        conn,
        scope,
        &LinkedIdentity {
            user_id: user.id().to_string(),
            kind: identities::OAUTH.into(),
            issuer: provider.clone(),
            sso_id: String::new(),
            subject: identity.sub.clone(),
            email: identity.email.clone(),
            groups: Vec::new(),
            raw: serde_json::to_value(&identity)?,
            created_ms: linked.map(|l| l.created_ms).unwrap_or_default(),
            modified_ms: 0,
        },
        ctx.now.millis(),
    )
    .await?;
    let prior = start.prior.as_ref().map(|p| Prior { user_id: &p.user_id, amr: &p.amr });
    let opts = sessions::factor_options(
        AMR,
        AMR,
        start.login_options.clone(),
        prior,
        start.mode == Mode::Update,
        user.id().as_str(),
    )?;
    sessions::sign_in(conn, ctx, user, opts).await
}

/// The user whose login ID is a provider's email: as the provider spelled it, else in lower
/// case (emails are case-insensitive and providers do not all lower-case them, so
/// `Ann@Example.com` at the provider is the user who signed up as `ann@example.com`).
async fn user_of_email(conn: &mut Conn, ctx: &Ctx, email: &str) -> ApiResult<Option<User>> {
    if let Some(user) = users::find_by_login_id(conn, ctx.scope(), email).await? {
        return Ok(Some(user));
    }
    let lower = email.to_lowercase();
    if lower == email {
        return Ok(None);
    }
    users::find_by_login_id(conn, ctx.scope(), &lower).await
}

/// A new user's login ID: the email, else the provider's subject under the provider's name.
fn login_id_of(provider: &str, identity: &Identity) -> String {
    if identity.email.is_empty() {
        format!("{provider}-{}", identity.sub)
    } else {
        identity.email.clone()
    }
}

async fn create_user(conn: &mut Conn, ctx: &Ctx, provider: &str, identity: &Identity) -> ApiResult<User> {
    let mut user = users::create(
        conn,
        ctx.scope(),
        ctx.now,
        NewUser {
            login_ids: vec![login_id_of(provider, identity)],
            profile: UserProfile {
                name: identity.name.clone(),
                given_name: identity.given_name.clone(),
                middle_name: identity.middle_name.clone(),
                family_name: identity.family_name.clone(),
                email: identity.email.clone(),
                phone: String::new(),
            },
            traits: UserTraits {
                picture: identity.picture.clone(),
                verified_email: identity.email_verified && !identity.email.is_empty(),
                ..UserTraits::default()
            },
            method: AMR.into(),
            ..NewUser::default()
        },
    )
    .await?;
    set_provider_flag(&mut user, provider);
    user.row.modified_ms = ctx.now.millis();
    store::users::update(conn, ctx.scope(), &user.row).await?;
    Ok(user)
}

/// An existing user signing in through a provider: the provider's flag set, profile gaps
/// filled from the provider, the email verified when the provider verified the same email.
async fn update_user(
    conn: &mut Conn,
    ctx: &Ctx,
    mut user: User,
    provider: &str,
    identity: &Identity,
) -> ApiResult<User> {
    let row = &mut user.row;
    let fill = |field: &mut String, value: &str| {
        if field.is_empty() && !value.is_empty() {
            *field = value.to_owned();
        }
    };
    fill(&mut row.name, &identity.name);
    fill(&mut row.given_name, &identity.given_name);
    fill(&mut row.middle_name, &identity.middle_name);
    fill(&mut row.family_name, &identity.family_name);
    fill(&mut row.picture, &identity.picture);
    fill(&mut row.email, &identity.email);
    if identity.email_verified
        && !identity.email.is_empty()
        && row.email.eq_ignore_ascii_case(&identity.email)
    {
        row.verified_email = true;
    }
    set_provider_flag(&mut user, provider);
    user.row.modified_ms = ctx.now.millis();
    store::users::update(conn, ctx.scope(), &user.row).await?;
    Ok(user)
}

fn set_provider_flag(user: &mut User, provider: &str) {
    let mut oauth = user.oauth();
    oauth.insert(provider.to_owned(), Value::Bool(true));
    user.row.oauth = Value::Object(oauth).to_string();
}

/// `POST /v1/auth/oauth/native/start`'s answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NativeStarted {
    pub client_id: String,
    pub state_id: String,
    pub nonce: String,
    pub implicit: bool,
}

/// Starts a native sign-in: the app signs in at the provider itself (with the client ID and
/// nonce answered here) and finishes with the provider's ID token or code.
pub async fn native_start(
    db: &Db,
    ctx: &Ctx,
    provider: &str,
    options: LoginOptions,
    implicit: bool,
    prior: Option<PriorSession>,
) -> ApiResult<NativeStarted> {
    check_provider(provider)?;
    sessions::check_step_up(&options, prior.is_some())?;
    let nonce = crate::crypto::random_alnum(32);
    let mut extra = Map::new();
    extra.insert("native".into(), Value::Bool(true));
    extra.insert("nonce".into(), Value::String(nonce.clone()));
    let start = Start {
        target: Target::OAuth { provider: provider.to_owned() },
        login_options: options,
        prior,
        extra,
        ..Start::default()
    };
    let state_id = crate::domain::pending::new_token();
    let mut tx = db.begin().await?;
    idp::keep_state(&mut tx, ctx, &start, &state_id).await?;
    tx.commit().await?;
    Ok(NativeStarted { client_id: client_id(ctx, provider), state_id, nonce, implicit })
}

/// What the app brings back from a native sign-in.
#[derive(Debug, Clone, Default)]
pub struct NativeFinish {
    pub provider: String,
    pub state_id: String,
    /// Apple's first-login user blob, a JSON string: `{"name":{"firstName","lastName"},"email"}`.
    pub user: String,
    pub code: String,
    pub id_token: String,
}

/// Finishes a native sign-in with an ID token of the fake provider (its `nonce` the one of
/// the start, its `aud` the client ID) or a code the fake provider's page issued.
pub async fn native_finish(db: &Db, ctx: &Ctx, keys: &KeyPool, req: NativeFinish) -> ApiResult<AuthInfo> {
    check_provider(&req.provider)?;
    if req.state_id.is_empty() {
        return Err(ApiError::missing("stateId"));
    }
    if req.id_token.is_empty() && req.code.is_empty() {
        return Err(ApiError::missing("idToken or code"));
    }
    let key = provider_key(db, ctx, keys).await?;
    let mut tx = db.begin().await?;
    let start = idp::take_state(&mut tx, ctx, &req.state_id).await?;
    if start.target != (Target::OAuth { provider: req.provider.clone() })
        || start.extra.get("native").is_none()
    {
        return Err(ApiError::new(
            ErrorKind::InvalidToken,
            "The state is not a native sign-in at this provider",
        ));
    }
    let mut identity = if req.id_token.is_empty() {
        let approved: Approved = idp::take_code(&mut tx, ctx, &req.code, Flow::OAuth).await?;
        if approved.start.target != start.target {
            return Err(ApiError::new(ErrorKind::InvalidToken, "The code was issued for another provider"));
        }
        approved.identity
    } else {
        let nonce = start.extra.get("nonce").and_then(Value::as_str).unwrap_or_default();
        verify_id_token(ctx, &key, &req.provider, &req.id_token, Some(nonce))?
    };
    apply_apple_user(&mut identity, &req.user)?;
    let issued = sign_in_identity(&mut tx, ctx, &start, identity).await?;
    tx.commit().await?;
    issued.sign(ctx).await
}

/// Fills names (and a missing email) from Apple's first-login user blob.
fn apply_apple_user(identity: &mut Identity, user: &str) -> ApiResult<()> {
    if user.trim().is_empty() {
        return Ok(());
    }
    let blob: Value = serde_json::from_str(user)
        .map_err(|e| ApiError::invalid(format!("user is not a JSON object: {e}")))?;
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_owned();
    let name = blob.get("name");
    let given = text(name.and_then(|n| n.get("firstName")));
    let family = text(name.and_then(|n| n.get("lastName")));
    if identity.given_name.is_empty() {
        identity.given_name = given.clone();
    }
    if identity.family_name.is_empty() {
        identity.family_name = family.clone();
    }
    if identity.name.is_empty() {
        identity.name =
            [given, family].iter().filter(|s| !s.is_empty()).cloned().collect::<Vec<_>>().join(" ");
    }
    if identity.email.is_empty() {
        identity.email = text(blob.get("email"));
    }
    Ok(())
}

/// `POST /v1/auth/onetap/idtoken/exchange`: signs in with an ID token of the fake provider.
pub async fn one_tap_exchange(
    db: &Db,
    ctx: &Ctx,
    keys: &KeyPool,
    provider: &str,
    id_token: &str,
    nonce: &str,
    options: LoginOptions,
) -> ApiResult<AuthInfo> {
    let start = one_tap_start(provider, options)?;
    let identity = one_tap_identity(db, ctx, keys, provider, id_token, nonce).await?;
    let mut tx = db.begin().await?;
    let issued = sign_in_identity(&mut tx, ctx, &start, identity).await?;
    tx.commit().await?;
    issued.sign(ctx).await
}

/// `POST /v1/auth/onetap/idtoken/verify`: checks an ID token and answers a code that
/// `POST /v1/auth/oauth/exchange` signs in with.
pub async fn one_tap_code(
    db: &Db,
    ctx: &Ctx,
    keys: &KeyPool,
    provider: &str,
    id_token: &str,
    nonce: &str,
    options: LoginOptions,
) -> ApiResult<String> {
    let start = one_tap_start(provider, options)?;
    let identity = one_tap_identity(db, ctx, keys, provider, id_token, nonce).await?;
    let mut tx = db.begin().await?;
    let code = idp::issue_code(&mut tx, ctx, &Approved { start, identity }).await?;
    tx.commit().await?;
    Ok(code)
}

fn one_tap_start(provider: &str, options: LoginOptions) -> ApiResult<Start> {
    check_provider(provider)?;
    if options.stepup || options.mfa {
        return Err(ApiError::invalid("One Tap sign-in does not take stepup or mfa"));
    }
    Ok(Start {
        target: Target::OAuth { provider: provider.to_owned() },
        login_options: options,
        ..Start::default()
    })
}

async fn one_tap_identity(
    db: &Db,
    ctx: &Ctx,
    keys: &KeyPool,
    provider: &str,
    id_token: &str,
    nonce: &str,
) -> ApiResult<Identity> {
    if id_token.is_empty() {
        return Err(ApiError::missing("idToken"));
    }
    let key = provider_key(db, ctx, keys).await?;
    verify_id_token(ctx, &key, provider, id_token, Some(nonce).filter(|n| !n.is_empty()))
}

/// The fake providers' signing key of the project, made on first use.
pub async fn provider_key(db: &Db, ctx: &Ctx, keys: &KeyPool) -> ApiResult<SigningKey> {
    let stored = {
        let mut conn = db.acquire().await?;
        store::federation::idp_key(&mut conn, ctx.scope()).await?
    };
    let pkcs8 = match stored {
        Some(k) => k,
        None => {
            let fresh = keys.take().await?;
            let mut tx = db.begin().await?;
            let k = store::federation::insert_idp_key(&mut tx, ctx.scope(), &fresh, ctx.now.millis()).await?;
            tx.commit().await?;
            k
        }
    };
    SigningKey::from_pkcs8(&pkcs8).map_err(ApiError::internal)
}

/// The claims of a fake provider's ID token.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct IdTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub nonce: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub email: String,
    pub email_verified: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub given_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub family_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub picture: String,
}

/// What `POST /emulator/v1/projects/{p}/idp/oauth/{provider}/id-token` mints a token for.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MintRequest {
    #[serde(flatten)]
    pub identity: Identity,
    pub nonce: String,
    /// Default: the project's client ID at the provider.
    pub aud: String,
    /// Lifetime; default one hour; negative: already expired.
    pub ttl_seconds: Option<i64>,
}

/// Mints an ID token of a fake provider (for native and one-tap sign-in in tests).
pub async fn mint_id_token(
    db: &Db,
    ctx: &Ctx,
    keys: &KeyPool,
    provider: &str,
    req: MintRequest,
) -> ApiResult<String> {
    check_provider(provider)?;
    if !req.identity.is_named() {
        return Err(ApiError::missing("email"));
    }
    let identity = req.identity.complete(provider);
    let key = provider_key(db, ctx, keys).await?;
    let iat = ctx.now.secs();
    let claims = IdTokenClaims {
        iss: provider_issuer(ctx, provider),
        sub: identity.sub,
        aud: if req.aud.is_empty() { client_id(ctx, provider) } else { req.aud },
        iat,
        exp: iat
            + req
                .ttl_seconds
                .unwrap_or(ID_TOKEN_TTL_SECS)
                .clamp(-crate::clock::MAX_DURATION_SECS, crate::clock::MAX_DURATION_SECS),
        nonce: req.nonce,
        email: identity.email,
        email_verified: identity.email_verified,
        name: identity.name,
        given_name: identity.given_name,
        family_name: identity.family_name,
        picture: identity.picture,
    };
    tokio::task::spawn_blocking(move || key.sign(&claims)).await.map_err(ApiError::internal)?
}

/// Verifies an ID token of the fake provider: its signature (the project's fake-provider key,
/// RS256), issuer, audience (the client ID), expiry by the emulator clock, and `nonce` when
/// one is expected. Answers the identity it asserts.
pub fn verify_id_token(
    ctx: &Ctx,
    key: &SigningKey,
    provider: &str,
    token: &str,
    nonce: Option<&str>,
) -> ApiResult<Identity> {
    let refuse =
        |why: &str| ApiError::new(ErrorKind::InvalidToken, format!("The ID token is not valid: {why}"));
    let header = jsonwebtoken::decode_header(token).map_err(|_| refuse("malformed"))?;
    if header.alg != jsonwebtoken::Algorithm::RS256 {
        return Err(refuse("not signed with RS256"));
    }
    let claims: IdTokenClaims =
        key.decode_unchecked(token).map_err(|_| refuse("not signed by this project's fake provider"))?;
    if claims.iss != provider_issuer(ctx, provider) {
        return Err(refuse("issued by another provider"));
    }
    if claims.aud != client_id(ctx, provider) {
        return Err(refuse("issued to another client"));
    }
    if claims.exp <= ctx.now.secs() {
        return Err(refuse("expired"));
    }
    if let Some(n) = nonce {
        if claims.nonce != n {
            return Err(refuse("nonce mismatch"));
        }
    }
    if claims.sub.is_empty() {
        return Err(refuse("no subject"));
    }
    Ok(Identity {
        sub: claims.sub,
        email: claims.email,
        email_verified: claims.email_verified,
        name: claims.name,
        given_name: claims.given_name,
        family_name: claims.family_name,
        picture: claims.picture,
        ..Identity::default()
    })
}
