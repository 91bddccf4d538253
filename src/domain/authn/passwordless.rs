//! One engine for OTP, magic links, enchanted links and NOTP (STYLE.md D3): start creates a
//! pending secret and delivers it to the outbox; verify consumes it and signs the user in
//! (creating them on sign-up, or changing their address on update). The secrets live in the
//! pending-secret engine ([`crate::domain::pending`]); this module decides their shape per
//! method, who may start a flow, what is delivered, and what finishing one does.
//!
//! Enchanted links and NOTP are *polled* flows: following the link (enchanted link verify,
//! NOTP approval) only marks the secret verified; the session goes to whoever polls the
//! pending reference, exactly once, before the secret expires.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::crypto;
use crate::domain::authn::password::sign_up_user;
use crate::domain::authn::require_login_id_and_code;
use crate::domain::identity::profile::{UserProfile, UserTraits};
use crate::domain::identity::users::{self, NewUser, User};
use crate::domain::messaging::channel::{AddressKind, ChannelKind};
use crate::domain::messaging::outbox::OutboxNotifier;
use crate::domain::messaging::outbox::{self, Outgoing};
use crate::domain::pending::{self, CodeCheck, CodeHolder, Entry, Handles, Kind, Refusal};
use crate::domain::sessions::{self, AuthInfo, Claims};
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::store::Db;
use crate::store::{self, Conn};

/// The form of the secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// A 6-digit code, verified with the login ID.
    Otp,
    /// A URL token in the `t` query parameter of a link.
    MagicLink,
    /// A link (token in `t`) whose verification releases a session polled by `pendingRef`;
    /// the browser that follows it gets no session.
    EnchantedLink,
    /// WhatsApp approval ("NOTP"): a message whose approval link releases a session polled
    /// by `pendingRef`.
    Notp,
}

impl Method {
    /// The kind of pending secret the method keeps.
    fn kind(self) -> Kind {
        match self {
            Method::Otp => Kind::Otp,
            Method::MagicLink => Kind::MagicLink,
            Method::EnchantedLink => Kind::EnchantedLink,
            Method::Notp => Kind::Notp,
        }
    }

    fn as_str(self) -> &'static str {
        self.kind().as_str()
    }

    fn ttl_secs(self, ctx: &Ctx) -> i64 {
        match self {
            Method::Otp | Method::Notp => ctx.project.settings.otp_ttl_secs,
            Method::MagicLink | Method::EnchantedLink => ctx.project.settings.magic_link_ttl_secs,
        }
    }

    /// The error a poll of a polled flow answers while its link was not followed yet.
    fn still_pending(self) -> ApiError {
        match self {
            Method::Notp => ApiError::new(ErrorKind::NotpPending, "Waiting for the WhatsApp approval"),
            Method::Otp | Method::MagicLink | Method::EnchantedLink => ApiError::new(
                ErrorKind::EnchantedLinkPending,
                "Waiting for the enchanted link to be verified",
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Purpose {
    SignUp,
    SignIn,
    SignUpOrIn,
    /// Change the address of the signed-in user.
    Update,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::SignUp => "signup",
            Purpose::SignIn => "signin",
            Purpose::SignUpOrIn => "signup-in",
            Purpose::Update => "update",
        }
    }

    fn parse(s: &str) -> Purpose {
        match s {
            "signup" => Purpose::SignUp,
            "signup-in" => Purpose::SignUpOrIn,
            "update" => Purpose::Update,
            _ => Purpose::SignIn,
        }
    }
}

/// Descope's `loginOptions`, as far as the passwordless flows use them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LoginOptions {
    pub stepup: bool,
    pub mfa: bool,
    pub custom_claims: Map<String, Value>,
    pub revoke_other_sessions: bool,
    pub tenant_id: String,
}

/// The profile given at sign-up (`user` of a sign-up body, kept with the pending secret).
pub type SignUpDetails = crate::domain::identity::profile::UserProfile;

/// A request to start a flow.
#[derive(Debug, Clone, Default)]
pub struct StartRequest {
    pub login_id: String,
    /// The address given explicitly (sign-up `email`/`phone`, or the new address on update).
    pub address: Option<String>,
    pub user: SignUpDetails,
    pub redirect_url: Option<String>,
    pub options: LoginOptions,
    /// The verified refresh token of the caller (update, step-up, MFA).
    pub session: Option<Claims>,
    pub add_to_login_ids: bool,
}

/// What is kept with the pending secret until it is verified (its payload).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Payload {
    address: String,
    user: SignUpDetails,
    options: LoginOptions,
    session_user_id: Option<String>,
    session_amr: Vec<String>,
    add_to_login_ids: bool,
    /// Set for a management embedded link, which touches no address on verification.
    embedded: Option<Embedded>,
}

/// The masked address a start call answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Masked {
    pub kind: AddressKind,
    pub value: String,
}

/// What a started flow answers with: the masked address and, for polled flows, the pending
/// reference (plus the enchanted link's number, or the NOTP deep link).
#[derive(Debug, Clone)]
pub struct Started {
    pub masked: Masked,
    pub pending_ref: Option<String>,
    /// Enchanted link: the number of the link to click, shown by the app.
    pub link_id: Option<String>,
    /// NOTP: the WhatsApp deep link the person opens (also as a QR code by the caller).
    pub redirect_url: Option<String>,
}

/// The secret of a new pending code, as generated.
#[derive(Debug, Clone, Default)]
pub struct Secret {
    pub code: Option<String>,
    pub token: Option<String>,
    pub link: Option<String>,
    pub pending_ref: Option<String>,
    pub link_id: Option<String>,
}

/// The WhatsApp number of the emulated NOTP deep links (a reserved fictional number).
const NOTP_WHATSAPP_NUMBER: &str = "15555550100";

fn user_address(user: &User, kind: AddressKind) -> &str {
    match kind {
        AddressKind::Email => &user.row.email,
        AddressKind::Phone => &user.row.phone,
    }
}

/// Decides which address a flow delivers to, after checking who the user is.
async fn resolve_address(
    conn: &mut Conn,
    ctx: &Ctx,
    channel: ChannelKind,
    purpose: Purpose,
    req: &StartRequest,
) -> ApiResult<(String, Option<User>)> {
    let kind = channel.address_kind();
    let explicit = req.address.clone().filter(|a| !a.is_empty()).or_else(|| {
        let from_user = match kind {
            AddressKind::Email => &req.user.email,
            AddressKind::Phone => &req.user.phone,
        };
        Some(from_user.clone()).filter(|a| !a.is_empty())
    });
    if purpose == Purpose::Update {
        let session =
            req.session.as_ref().ok_or_else(|| ApiError::unauthorized("A refresh token is required"))?;
        let user = users::find_by_id(conn, ctx.scope(), &session.sub)
            .await?
            .ok_or_else(|| ApiError::user_not_found(&req.login_id))?;
        let address = explicit.ok_or_else(|| ApiError::missing(kind.field()))?;
        kind.validate(&address)?;
        if req.add_to_login_ids {
            if let Some(other) = users::find_by_login_id(conn, ctx.scope(), &address).await? {
                if other.id() != user.id() {
                    return Err(ApiError::new(
                        ErrorKind::UserAlreadyExists,
                        format!("{address} is already used by another user"),
                    ));
                }
            }
        }
        return Ok((address, Some(user)));
    }
    let existing = users::find_by_login_id(conn, ctx.scope(), &req.login_id).await?;
    match (purpose, existing) {
        (Purpose::SignUp, Some(_)) => {
            Err(ApiError::new(ErrorKind::UserAlreadyExists, format!("User {} already exists", req.login_id)))
        }
        (Purpose::SignIn, None) => Err(ApiError::user_not_found(&req.login_id)),
        (_, Some(user)) => {
            user.ensure_can_sign_in()?;
            let address = user_address(&user, kind).to_owned();
            if address.is_empty() {
                return Err(ApiError::invalid(format!(
                    "User {} has no {} to send to",
                    req.login_id,
                    kind.field()
                )));
            }
            Ok((address, Some(user)))
        }
        (_, None) => {
            let address = explicit.unwrap_or_else(|| req.login_id.clone());
            kind.validate(&address)?;
            Ok((address, None))
        }
    }
}

/// What a pending secret is for: its method, channel, purpose, login ID and lifetime.
struct PendingCode<'a> {
    method: Method,
    channel: ChannelKind,
    purpose: Purpose,
    login_id: &'a str,
    ttl_secs: i64,
}

/// Stores a pending secret with what its verification needs, in the caller's transaction.
async fn store_pending(
    conn: &mut Conn,
    ctx: &Ctx,
    what: PendingCode<'_>,
    handles: Handles,
    payload: &Payload,
) -> ApiResult<()> {
    pending::create(
        conn,
        ctx.scope(),
        ctx.now,
        pending::New {
            kind: what.method.kind(),
            channel: what.channel.as_str(),
            intent: what.purpose.as_str(),
            subject: what.login_id,
            handles,
            payload,
            lifetime_secs: what.ttl_secs,
        },
    )
    .await
}

impl Secret {
    /// How the stored secret is found again.
    fn handles(&self) -> Handles {
        Handles { code: self.code.clone(), token: self.token.clone(), pending_ref: self.pending_ref.clone() }
    }
}

fn link_with_token(base: &str, token: &str) -> String {
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}t={token}")
}

fn redirect_base(ctx: &Ctx, requested: Option<&str>) -> String {
    match requested.filter(|u| !u.is_empty()) {
        Some(u) => u.to_owned(),
        None if !ctx.project.settings.magic_link_redirect_url.is_empty() => {
            ctx.project.settings.magic_link_redirect_url.clone()
        }
        None => format!("{}/emulator/magiclink", ctx.project.public_url),
    }
}

/// A new pending secret: a code, or a link token (with a pending reference when polled).
fn new_secret(ctx: &Ctx, method: Method, redirect: Option<&str>) -> Secret {
    let token = pending::new_token;
    match method {
        Method::Otp => Secret { code: Some(pending::new_code(6)), ..Secret::default() },
        Method::MagicLink => {
            let token = token();
            let link = link_with_token(&redirect_base(ctx, redirect), &token);
            Secret { token: Some(token), link: Some(link), ..Secret::default() }
        }
        Method::EnchantedLink => {
            let token = token();
            let link = link_with_token(&redirect_base(ctx, redirect), &token);
            Secret {
                token: Some(token),
                link: Some(link),
                pending_ref: Some(pending::new_pending_ref()),
                link_id: Some(format!("{}", 10 + crypto::random_digits(2).parse::<u32>().unwrap_or(0) % 90)),
                ..Secret::default()
            }
        }
        Method::Notp => {
            let token = token();
            let base =
                format!("{}/emulator/v1/projects/{}/notp/approve", ctx.project.public_url, ctx.project_id());
            Secret {
                code: Some(pending::new_code(6)),
                link: Some(link_with_token(&base, &token)),
                token: Some(token),
                pending_ref: Some(pending::new_pending_ref()),
                link_id: None,
            }
        }
    }
}

/// The WhatsApp deep link of a NOTP flow: a chat with the (emulated) Descope number, with
/// the code as the text to send.
fn notp_deep_link(code: &str) -> String {
    format!("https://wa.me/{NOTP_WHATSAPP_NUMBER}?text=My%20authentication%20code%20is%20{code}")
}

/// Starts a flow: checks the user, stores the pending secret and writes the message. A
/// polled flow (enchanted link, NOTP) answers with its pending reference. `outbox_kind` is
/// the outbox message's `kind` (e.g. `password-reset`, whose link is then verified like any
/// magic link); `None` means the method's own kind.
#[expect(clippy::too_many_arguments, reason = "the flow, its channel and purpose, and two services")]
pub async fn start(
    db: &Db,
    notifier: &OutboxNotifier,
    ctx: &Ctx,
    method: Method,
    channel: ChannelKind,
    purpose: Purpose,
    req: StartRequest,
    outbox_kind: Option<&str>,
) -> ApiResult<Started> {
    // NOTP sign-in may start without a login ID: Descope learns the phone number from the
    // WhatsApp message; here the person names the login ID when approving.
    let anonymous = method == Method::Notp && purpose != Purpose::Update && req.login_id.trim().is_empty();
    if req.login_id.trim().is_empty() && purpose != Purpose::Update && !anonymous {
        return Err(ApiError::missing("loginId"));
    }
    if anonymous && purpose == Purpose::SignUp {
        return Err(ApiError::missing("loginId"));
    }
    sessions::check_step_up(&req.options, req.session.is_some())?;
    let mut tx = store::begin_immediate(db).await?;
    let (address, user) = if anonymous {
        (String::new(), None)
    } else {
        resolve_address(&mut tx, ctx, channel, purpose, &req).await?
    };
    let login_id = match (&user, purpose) {
        (Some(u), Purpose::Update) => u.login_ids.first().cloned().unwrap_or_else(|| req.login_id.clone()),
        _ => req.login_id.clone(),
    };
    let secret = new_secret(ctx, method, req.redirect_url.as_deref());
    let payload = Payload {
        address: address.clone(),
        user: req.user,
        options: req.options,
        session_user_id: req.session.as_ref().map(|s| s.sub.clone()),
        session_amr: req.session.map(|s| s.amr).unwrap_or_default(),
        add_to_login_ids: req.add_to_login_ids,
        embedded: None,
    };
    store_pending(
        &mut tx,
        ctx,
        PendingCode { method, channel, purpose, login_id: &login_id, ttl_secs: method.ttl_secs(ctx) },
        secret.handles(),
        &payload,
    )
    .await?;
    // The message carries the secret the person acts on: the code, the link (with the
    // enchanted link's number as its `code`), or the NOTP approval link.
    let message_code = match method {
        Method::Otp => secret.code.as_deref(),
        Method::EnchantedLink => secret.link_id.as_deref(),
        Method::MagicLink | Method::Notp => None,
    };
    outbox::write(
        &mut tx,
        ctx,
        Outgoing {
            channel,
            to: &address,
            login_id: &login_id,
            kind: outbox_kind.unwrap_or(method.as_str()),
            code: message_code,
            link: secret.link.as_deref(),
            token: secret.token.as_deref(),
        },
    )
    .await?;
    tx.commit().await?;
    notifier.notify(ctx.scope());
    let kind = channel.address_kind();
    let redirect_url = match method {
        Method::Notp => secret.code.as_deref().map(notp_deep_link),
        Method::Otp | Method::MagicLink | Method::EnchantedLink => None,
    };
    Ok(Started {
        masked: Masked { kind, value: kind.mask(&address) },
        pending_ref: secret.pending_ref,
        link_id: secret.link_id,
        redirect_url,
    })
}

/// Creates a pending secret for a test user without sending anything; the secret is returned
/// (the one place a code appears in a response, as in Descope).
pub async fn generate_for_test_user(
    db: &Db,
    ctx: &Ctx,
    method: Method,
    channel: ChannelKind,
    login_id: &str,
    redirect_url: Option<&str>,
    options: LoginOptions,
) -> ApiResult<Secret> {
    let mut tx = store::begin_immediate(db).await?;
    let user = users::find_by_login_id(&mut tx, ctx.scope(), login_id)
        .await?
        .ok_or_else(|| ApiError::mgmt_user_not_found(login_id))?;
    if !user.row.test {
        return Err(ApiError::new(ErrorKind::NotTestUser, format!("User {login_id} is not a test user")));
    }
    let address = user_address(&user, channel.address_kind()).to_owned();
    if address.is_empty() {
        let field = channel.address_kind().field();
        return Err(ApiError::invalid(format!("User {login_id} has no {field} to deliver to")));
    }
    let secret = new_secret(ctx, method, redirect_url);
    // A management caller has no session to step up: `stepup`/`mfa` are ignored here
    // rather than failing the later verification.
    let options = LoginOptions { stepup: false, mfa: false, ..options };
    let payload = Payload { address, options, ..Payload::default() };
    store_pending(
        &mut tx,
        ctx,
        PendingCode { method, channel, purpose: Purpose::SignIn, login_id, ttl_secs: method.ttl_secs(ctx) },
        secret.handles(),
        &payload,
    )
    .await?;
    tx.commit().await?;
    Ok(secret)
}

/// Verifies a one-time code for a login ID. Wrong codes count against every live code of the
/// login; a code that reaches the project's attempt limit is voided.
pub async fn verify_code(
    db: &Db,
    ctx: &Ctx,
    channel: ChannelKind,
    login_id: &str,
    code: &str,
) -> ApiResult<AuthInfo> {
    require_login_id_and_code(login_id, code)?;
    let result = async {
        let mut tx = store::begin_immediate(db).await?;
        let holder = CodeHolder { kind: Kind::Otp, channel: channel.as_str(), subject: login_id };
        let max = ctx.project.settings.otp_max_attempts;
        let entry = match pending::check_code(&mut tx, ctx.scope(), ctx.now, holder, code, max).await? {
            CodeCheck::Accepted(entry) => entry,
            CodeCheck::Rejected { exhausted } => {
                // The wrong attempt must count even though the request fails.
                tx.commit().await?;
                return Err(if exhausted {
                    ApiError::new(ErrorKind::TooManyOtpAttempts, "Too many wrong codes; request a new one")
                } else {
                    ApiError::new(ErrorKind::InvalidOneTimeCode, "Wrong, expired or used code")
                });
            }
        };
        let info = complete(&mut tx, ctx, channel, entry).await?;
        tx.commit().await?;
        info.sign(ctx).await
    }
    .await;
    crate::domain::audit::on_login_failure(db, ctx, login_id, Method::Otp.as_str(), result).await
}

/// The error of a link token the engine refused.
fn token_refused(refusal: Refusal) -> ApiError {
    match refusal {
        Refusal::Unknown => ApiError::new(ErrorKind::InvalidToken, "Unknown token"),
        Refusal::Used | Refusal::NotVerified => {
            ApiError::new(ErrorKind::InvalidToken, "Token was already used")
        }
        Refusal::Expired => ApiError::new(ErrorKind::InvalidToken, "Token expired"),
    }
}

/// The channel a secret was delivered over, as stored with it.
fn channel_of(entry: &Entry<Payload>) -> ApiResult<ChannelKind> {
    ChannelKind::parse(&entry.channel).ok_or_else(|| ApiError::internal("bad channel in code row"))
}

/// Verifies a magic-link token (`POST /v1/auth/magiclink/verify`).
pub async fn verify_token(db: &Db, ctx: &Ctx, token: &str) -> ApiResult<AuthInfo> {
    if token.is_empty() {
        return Err(ApiError::missing("token"));
    }
    let mut tx = store::begin_immediate(db).await?;
    let entry = pending::consume_token(&mut tx, ctx.scope(), ctx.now, Kind::MagicLink, token)
        .await?
        .map_err(token_refused)?;
    let channel = channel_of(&entry)?;
    let info = complete(&mut tx, ctx, channel, entry).await?;
    tx.commit().await?;
    info.sign(ctx).await
}

/// Follows the link of a polled flow (`POST /v1/auth/enchantedlink/verify`, the NOTP
/// approval): marks it verified, once, so the next poll gets the session. `login_id` names
/// the user of a NOTP flow started without one.
pub async fn verify_link(
    db: &Db,
    ctx: &Ctx,
    method: Method,
    token: &str,
    login_id: Option<&str>,
) -> ApiResult<()> {
    if token.is_empty() {
        return Err(ApiError::missing("token"));
    }
    let mut tx = store::begin_immediate(db).await?;
    let entry: Entry<Payload> = pending::find_by_token(&mut tx, ctx.scope(), ctx.now, method.kind(), token)
        .await?
        .map_err(token_refused)?;
    let login_id = match (entry.subject.as_str(), login_id.filter(|l| !l.is_empty())) {
        ("", Some(given)) => given.to_owned(),
        ("", None) => return Err(ApiError::missing("loginId")),
        (own, _) => own.to_owned(),
    };
    let purpose = Purpose::parse(&entry.intent);
    if purpose == Purpose::SignIn {
        let user = users::find_by_login_id(&mut tx, ctx.scope(), &login_id)
            .await?
            .ok_or_else(|| ApiError::user_not_found(&login_id))?;
        user.ensure_can_sign_in()?;
    }
    pending::mark_verified(&mut tx, ctx.scope(), ctx.now, &entry, &login_id).await?.map_err(token_refused)?;
    tx.commit().await?;
    Ok(())
}

/// Polls a polled flow (`/pending-session`): the method's pending error until the link is
/// followed, then the session, exactly once; unknown, handed-out and expired references fail.
pub async fn poll(db: &Db, ctx: &Ctx, method: Method, pending_ref: &str) -> ApiResult<AuthInfo> {
    if pending_ref.is_empty() {
        return Err(ApiError::missing("pendingRef"));
    }
    let mut tx = store::begin_immediate(db).await?;
    let entry = pending::take_verified(&mut tx, ctx.scope(), ctx.now, method.kind(), pending_ref)
        .await?
        .map_err(|refusal| match refusal {
            Refusal::Unknown => ApiError::new(ErrorKind::InvalidToken, "Unknown pendingRef"),
            Refusal::Used => ApiError::new(
                ErrorKind::InvalidToken,
                "The session of this pendingRef was already handed out",
            ),
            Refusal::Expired => ApiError::new(ErrorKind::InvalidToken, "pendingRef expired"),
            Refusal::NotVerified => method.still_pending(),
        })?;
    let channel = channel_of(&entry)?;
    let info = complete(&mut tx, ctx, channel, entry).await?;
    tx.commit().await?;
    info.sign(ctx).await
}

/// Applies a verified secret: creates the user on sign-up, marks the address verified or
/// changes it on update, then signs in.
async fn complete(
    conn: &mut Conn,
    ctx: &Ctx,
    channel: ChannelKind,
    mut entry: Entry<Payload>,
) -> ApiResult<sessions::Issued> {
    if let Some(embedded) = entry.payload.embedded.take() {
        return complete_embedded(conn, ctx, channel, entry, embedded).await;
    }
    let login_id = entry.subject.as_str();
    let method = entry.kind.as_str();
    let mut payload = entry.payload;
    let kind = channel.address_kind();
    if payload.address.is_empty() {
        // A NOTP flow started without a login ID: the user named at approval, reached at
        // their phone, or a new user whose login ID is the number.
        let known = users::find_by_login_id(conn, ctx.scope(), login_id).await?;
        payload.address = known
            .map(|u| user_address(&u, kind).to_owned())
            .filter(|a| !a.is_empty())
            .unwrap_or_else(|| login_id.to_owned());
    }
    let purpose = Purpose::parse(&entry.intent);
    let project = ctx.scope();
    let existing = match (&payload.session_user_id, purpose) {
        (Some(id), Purpose::Update) => users::find_by_id(conn, project, id).await?,
        _ => users::find_by_login_id(conn, project, login_id).await?,
    };
    let mut user = match (existing, purpose) {
        (Some(_), Purpose::SignUp) => {
            return Err(ApiError::new(
                ErrorKind::UserAlreadyExists,
                format!("User {login_id} already exists"),
            ))
        }
        (Some(u), _) => u,
        (None, Purpose::SignUp | Purpose::SignUpOrIn) => {
            let contact = match kind {
                AddressKind::Email => (payload.address.clone(), payload.user.phone.clone()),
                AddressKind::Phone => (payload.user.email.clone(), payload.address.clone()),
            };
            let mut new_user = sign_up_user(login_id, contact, payload.user.clone(), method);
            new_user.traits.verified_email = kind == AddressKind::Email;
            new_user.traits.verified_phone = kind == AddressKind::Phone;
            users::create(conn, project, ctx.now, new_user).await?
        }
        (None, _) => return Err(ApiError::user_not_found(login_id)),
    };
    let (address, verified) = match kind {
        AddressKind::Email => (&mut user.row.email, &mut user.row.verified_email),
        AddressKind::Phone => (&mut user.row.phone, &mut user.row.verified_phone),
    };
    // The address is now verified; written only when that changes something.
    if *address != payload.address || !*verified {
        address.clone_from(&payload.address);
        *verified = true;
        user.row.modified_ms = ctx.now.millis();
        store::users::update(conn, project, &user.row).await?;
    }
    if purpose == Purpose::Update && payload.add_to_login_ids && !user.login_ids.contains(&payload.address) {
        store::users::insert_login_id(
            conn,
            project,
            user.id(),
            &payload.address,
            user.login_ids.len() as i64,
        )
        .await?;
        user.login_ids.push(payload.address.clone());
    }
    let prior = payload
        .session_user_id
        .as_deref()
        .map(|user_id| sessions::Prior { user_id, amr: &payload.session_amr });
    let opts = sessions::factor_options(
        channel.amr(),
        method,
        payload.options.clone(),
        prior,
        purpose == Purpose::Update,
        user.id().as_str(),
    )?;
    sessions::sign_in(conn, ctx, user, opts).await
}

/// How a user created by a sign-up embedded link starts out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Embedded {
    pub email_verified: bool,
    pub phone_verified: bool,
}

/// A management embedded link (`/v1/mgmt/user/signin/embeddedlink`, `/signup/embeddedlink`): a
/// magic-link token handed to the caller instead of sent, verified with
/// `POST /v1/auth/magiclink/verify`. Sign-in needs an existing user; sign-up creates the user
/// from `user` on verification (or signs in an existing one). `timeout_secs` > 0 sets the
/// token's lifetime, else the project's magic-link lifetime applies.
#[expect(clippy::too_many_arguments, reason = "the embedded link's parts are all plain values")]
pub async fn generate_embedded_link(
    db: &Db,
    ctx: &Ctx,
    purpose: Purpose,
    login_id: &str,
    user: SignUpDetails,
    options: LoginOptions,
    embedded: Embedded,
    timeout_secs: i64,
) -> ApiResult<String> {
    let login_id = login_id.trim();
    if login_id.is_empty() {
        return Err(ApiError::missing("loginId"));
    }
    if timeout_secs < 0 {
        return Err(ApiError::invalid("timeout must not be negative"));
    }
    let mut tx = store::begin_immediate(db).await?;
    if purpose == Purpose::SignIn {
        let known = users::find_by_login_or_user_id(&mut tx, ctx.scope(), login_id)
            .await?
            .ok_or_else(|| ApiError::mgmt_user_not_found(login_id))?;
        known.ensure_can_sign_in()?;
    }
    let token = pending::new_token();
    let ttl = if timeout_secs > 0 { timeout_secs } else { Method::MagicLink.ttl_secs(ctx) };
    let payload = Payload { user, options, embedded: Some(embedded), ..Payload::default() };
    store_pending(
        &mut tx,
        ctx,
        PendingCode {
            method: Method::MagicLink,
            channel: ChannelKind::Email,
            purpose,
            login_id,
            ttl_secs: ttl,
        },
        Handles { token: Some(token.clone()), ..Handles::default() },
        &payload,
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// A magic-link token for an invitation ("Add a Magic Link token to the invitation"), stored
/// in the caller's transaction: verified with `POST /v1/auth/magiclink/verify`, it signs the
/// invited user in (enabling them) and marks the address it went to verified, as any magic
/// link does. Returns the token and the link: `base` with `t=<token>`, or the project's
/// magic-link page when there is no base.
pub async fn invite_token(
    conn: &mut Conn,
    ctx: &Ctx,
    channel: ChannelKind,
    login_id: &str,
    address: &str,
    base: Option<&str>,
) -> ApiResult<(String, String)> {
    let token = pending::new_token();
    let link = link_with_token(&redirect_base(ctx, base), &token);
    let payload = Payload { address: address.to_owned(), ..Payload::default() };
    store_pending(
        conn,
        ctx,
        PendingCode {
            method: Method::MagicLink,
            channel,
            purpose: Purpose::SignIn,
            login_id,
            ttl_secs: ctx.project.settings.invite_expiration_secs,
        },
        Handles { token: Some(token.clone()), ..Handles::default() },
        &payload,
    )
    .await?;
    Ok((token, link))
}

/// Signs in the user of a verified embedded link, creating them first on sign-up. Unlike
/// [`complete`], no address is changed or marked verified.
async fn complete_embedded(
    conn: &mut Conn,
    ctx: &Ctx,
    channel: ChannelKind,
    entry: Entry<Payload>,
    embedded: Embedded,
) -> ApiResult<sessions::Issued> {
    let login_id = entry.subject.as_str();
    let method = entry.kind.as_str();
    let payload = entry.payload;
    let project = ctx.scope();
    let user = match users::find_by_login_or_user_id(conn, project, login_id).await? {
        Some(u) => u,
        None if Purpose::parse(&entry.intent) == Purpose::SignIn => {
            return Err(ApiError::user_not_found(login_id))
        }
        None => {
            let d = payload.user;
            users::create(
                conn,
                project,
                ctx.now,
                NewUser {
                    login_ids: vec![login_id.to_owned()],
                    profile: UserProfile {
                        email: d.email,
                        phone: d.phone,
                        name: d.name,
                        given_name: d.given_name,
                        middle_name: d.middle_name,
                        family_name: d.family_name,
                    },
                    traits: UserTraits {
                        verified_email: embedded.email_verified,
                        verified_phone: embedded.phone_verified,
                        ..UserTraits::default()
                    },
                    method: method.to_owned(),
                    ..NewUser::default()
                },
            )
            .await?
        }
    };
    user.ensure_can_sign_in()?;
    let opts =
        sessions::factor_options(channel.amr(), method, payload.options, None, false, user.id().as_str())?;
    sessions::sign_in(conn, ctx, user, opts).await
}
