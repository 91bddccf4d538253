//! The pending-secret engine: single-use, expiring secrets bound to a project and a purpose.
//!
//! Every flow that starts in one request and finishes in another keeps its secret here: the
//! passwordless methods today (OTP codes, magic and enchanted links, NOTP, and the password
//! reset and management links built on them); OAuth states and authorization codes, SAML
//! relay states, WebAuthn challenges, device codes and flow executions are new [`Kind`]s of
//! the same thing. A secret has
//!
//! - a [`Kind`]: what it is for; lookups never cross kinds;
//! - its lookup [`Handles`]: a short code checked together with the subject, a token unique
//!   in the project, and/or a pending reference a polled flow is fetched by;
//! - a payload owned by the caller (any serde type), kept until the secret is used;
//! - a lifetime judged by the emulator clock (`now` passed in, never the system clock);
//! - a count of wrong codes, which voids it at the caller's maximum;
//! - single use: it is consumed exactly once, by an `UPDATE` guarded on "not consumed yet"
//!   whose row count decides, so two consumers never both win;
//! - for polled flows, two steps: [`mark_verified`] when the person follows the link, then
//!   [`take_verified`] once by whoever polls the pending reference.
//!
//! Every function works on the caller's transaction (`&mut Conn`; the domain function
//! that calls it begins and commits) and the project's data scope ([`crate::domain::Ctx::scope`]),
//! which every query filters on. The engine answers with outcomes ([`Refusal`],
//! [`CodeCheck`]); each flow turns them into its own Descope errors.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::clock::UnixTime;
use crate::crypto;
use crate::error::ApiResult;
use crate::ids::Scope;
use crate::store::{self, pending::PendingRow, Conn};

/// What a pending secret is for. Flows that come later add a variant (and its name, stored
/// with the secret).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A one-time code sent by email, SMS, voice or WhatsApp.
    Otp,
    /// A magic link (also password reset, embedded and test-user links).
    MagicLink,
    /// An enchanted link: followed in one browser, its session polled by another.
    EnchantedLink,
    /// A WhatsApp approval, its session polled.
    Notp,
    /// A sign-in started at a fake identity provider (OAuth social or SSO): the `state` of
    /// the provider's page, until the person there approves or refuses.
    IdpState,
    /// The code a fake identity provider's approval redirects back with, exchanged once.
    IdpCode,
    /// An authorization code of the emulator's own OIDC identity providers.
    IdpGrant,
    /// A WebAuthn ceremony (registration or assertion): its transaction ID is the token.
    WebAuthn,
    /// An authorization code of the emulator's authorization server (Descope as an OIDC
    /// provider): the code is the token.
    AuthzCode,
    /// An authorize request waiting for someone to sign in: its `state_id` is the token.
    AuthzState,
    /// A device authorization (RFC 8628): the user code is the token, the device code the
    /// pending reference the device polls.
    DeviceCode,
    /// An outbound app connect waiting at the fake provider's page: the `state` is the token.
    OutboundConnect,
    /// A SAML or WS-Fed IdP request (Descope as an IdP for an SSO app) waiting for someone
    /// to sign in: its `state_id` is the token.
    SsoAppState,
}

impl Kind {
    /// The name stored with the secret (and shown as the outbox kind and sign-in method).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Otp => "otp",
            Kind::MagicLink => "magiclink",
            Kind::EnchantedLink => "enchantedlink",
            Kind::Notp => "notp",
            Kind::IdpState => "idp_state",
            Kind::IdpCode => "idp_code",
            Kind::IdpGrant => "idp_grant",
            Kind::WebAuthn => "webauthn",
            Kind::AuthzCode => "authz_code",
            Kind::AuthzState => "authz_state",
            Kind::DeviceCode => "device_code",
            Kind::OutboundConnect => "outbound_connect",
            Kind::SsoAppState => "sso_app_state",
        }
    }
}

/// How a secret can be found again. Any combination: an enchanted link has a token (in the
/// link) and a pending reference (polled); a NOTP flow also keeps the code of its deep link.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Handles {
    /// A short code, found by the subject and checked against the given code.
    pub code: Option<String>,
    /// A token unique in the project.
    pub token: Option<String>,
    /// The reference a polled flow is fetched by.
    pub pending_ref: Option<String>,
}

/// A short numeric code (OTP).
pub fn new_code(digits: usize) -> String {
    crypto::random_digits(digits)
}

/// A link token: long enough that it can't be guessed.
pub fn new_token() -> String {
    crypto::random_alnum(64)
}

/// A pending reference of a polled flow.
pub fn new_pending_ref() -> String {
    crypto::random_alnum(32)
}

/// A secret to store with [`create`].
#[derive(Debug, Clone)]
pub struct New<'a, P> {
    pub kind: Kind,
    /// The channel it is delivered over (`email`, `sms`, ...); codes are only checked
    /// against secrets sent over the same channel.
    pub channel: &'a str,
    /// What finishing it does, in the caller's words (`signup`, `signin`, ...); the engine
    /// only keeps it.
    pub intent: &'a str,
    /// Whom it is for (a login ID); empty when it is named at verification.
    pub subject: &'a str,
    pub handles: Handles,
    pub payload: &'a P,
    /// How long it lives, in seconds of emulator time.
    pub lifetime_secs: i64,
}

/// A stored secret, with its payload decoded.
#[derive(Debug, Clone)]
pub struct Entry<P> {
    id: i64,
    pub kind: Kind,
    pub channel: String,
    pub intent: String,
    /// Whom it is for; a polled flow started without one has it from [`mark_verified`] on.
    pub subject: String,
    pub payload: P,
    /// Wrong codes counted against it.
    pub attempts: i64,
    pub expires: UnixTime,
    pub consumed: Option<UnixTime>,
    pub verified: Option<UnixTime>,
}

impl<P: DeserializeOwned + Default> Entry<P> {
    fn from_row(kind: Kind, row: PendingRow) -> Entry<P> {
        Entry {
            id: row.id,
            kind,
            channel: row.channel,
            intent: row.intent,
            subject: row.subject,
            // A payload that no longer decodes (written by an older version) reads as the
            // default, as every JSON column does.
            payload: store::from_json_text(&row.payload),
            attempts: row.attempts,
            expires: UnixTime(row.expires_ms),
            consumed: row.consumed_ms.map(UnixTime),
            verified: row.verified_ms.map(UnixTime),
        }
    }
}

impl<P> Entry<P> {
    /// Whether its lifetime is over at `now` (it lives until just before `expires`).
    pub fn is_expired(&self, now: UnixTime) -> bool {
        self.expires <= now
    }
}

/// Why a secret can't be used. Each operation names the refusals it answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No secret of this kind has the handle (in this project).
    Unknown,
    /// It was consumed already (or, for [`find_by_token`] and [`mark_verified`], verified).
    Used,
    /// Its lifetime is over.
    Expired,
    /// A polled flow whose link was not followed yet.
    NotVerified,
}

/// Stores a new secret, living `lifetime_secs` from `now`.
pub async fn create<P: Serialize>(
    conn: &mut Conn,
    scope: &Scope,
    now: UnixTime,
    new: New<'_, P>,
) -> ApiResult<()> {
    let row = PendingRow {
        id: 0,
        kind: new.kind.as_str().to_owned(),
        channel: new.channel.to_owned(),
        intent: new.intent.to_owned(),
        subject: new.subject.to_owned(),
        code: new.handles.code,
        token: new.handles.token,
        payload: store::json_text(new.payload)?,
        attempts: 0,
        expires_ms: now.plus_secs(new.lifetime_secs).millis(),
        consumed_ms: None,
        created_ms: now.millis(),
        pending_ref: new.handles.pending_ref,
        verified_ms: None,
    };
    store::pending::insert(conn, scope, &row).await?;
    Ok(())
}

/// The secrets a code is checked against: a subject's, of one kind, sent over one channel.
#[derive(Debug, Clone, Copy)]
pub struct CodeHolder<'a> {
    pub kind: Kind,
    pub channel: &'a str,
    pub subject: &'a str,
}

/// The outcome of [`check_code`].
#[derive(Debug, Clone)]
pub enum CodeCheck<P> {
    /// The code matched a live secret, which is now consumed.
    Accepted(Entry<P>),
    /// No live secret has the code; the attempt was counted against each live one.
    /// `exhausted`: there were live secrets and this attempt used up the last of them.
    Rejected { exhausted: bool },
}

/// Checks a code against the holder's live secrets and consumes the one it matches. A
/// wrong code counts an attempt against every live secret of the holder, since any of them
/// could have been the one meant; a secret with `max_attempts` wrong codes (at least 1) is
/// void. Commit the transaction on [`CodeCheck::Rejected`] too, or the attempt is not counted.
pub async fn check_code<P: DeserializeOwned + Default>(
    conn: &mut Conn,
    scope: &Scope,
    now: UnixTime,
    holder: CodeHolder<'_>,
    code: &str,
    max_attempts: i64,
) -> ApiResult<CodeCheck<P>> {
    let max = max_attempts.max(1);
    let kind = holder.kind.as_str();
    let mut live: Vec<PendingRow> =
        store::pending::live_for_subject(conn, scope, kind, holder.channel, holder.subject, now.millis())
            .await?
            .into_iter()
            .filter(|r| r.attempts < max)
            .collect();
    let matching =
        live.iter().position(|r| r.code.as_deref().is_some_and(|c| crypto::secrets_equal(c, code)));
    let Some(i) = matching else {
        let ids: Vec<i64> = live.iter().map(|r| r.id).collect();
        store::pending::add_attempt(conn, scope, &ids).await?;
        let exhausted = !live.is_empty() && live.iter().all(|r| r.attempts + 1 >= max);
        return Ok(CodeCheck::Rejected { exhausted });
    };
    let row = live.swap_remove(i);
    if !store::pending::consume(conn, scope, row.id, now.millis()).await? {
        // Consumed by another request since it was read: as good as no match.
        return Ok(CodeCheck::Rejected { exhausted: false });
    }
    Ok(CodeCheck::Accepted(Entry::from_row(holder.kind, row)))
}

/// A secret looked up by a handle (`row`, if any): [`Refusal::Unknown`] without one,
/// [`Refusal::Used`] when `used` says so, or [`Refusal::Expired`], in that order.
fn screen<P: DeserializeOwned + Default>(
    kind: Kind,
    row: Option<PendingRow>,
    now: UnixTime,
    used: fn(&Entry<P>) -> bool,
) -> Result<Entry<P>, Refusal> {
    let entry = Entry::from_row(kind, row.ok_or(Refusal::Unknown)?);
    if used(&entry) {
        return Err(Refusal::Used);
    }
    if entry.is_expired(now) {
        return Err(Refusal::Expired);
    }
    Ok(entry)
}

/// Consumes a secret that passed [`screen`]: [`Refusal::Used`] when someone else consumed it
/// first.
async fn consume_screened<P>(
    conn: &mut Conn,
    scope: &Scope,
    now: UnixTime,
    entry: Entry<P>,
) -> ApiResult<Result<Entry<P>, Refusal>> {
    Ok(if consume(conn, scope, now, &entry).await? { Ok(entry) } else { Err(Refusal::Used) })
}

/// Consumes a single-use token (a magic link): [`Refusal::Unknown`], [`Refusal::Used`] or
/// [`Refusal::Expired`], in that order, else the secret, now consumed.
pub async fn consume_token<P: DeserializeOwned + Default>(
    conn: &mut Conn,
    scope: &Scope,
    now: UnixTime,
    kind: Kind,
    token: &str,
) -> ApiResult<Result<Entry<P>, Refusal>> {
    let row = store::pending::get_by_token(conn, scope, kind.as_str(), token).await?;
    match screen(kind, row, now, |e| e.consumed.is_some()) {
        Ok(entry) => consume_screened(conn, scope, now, entry).await,
        Err(refusal) => Ok(Err(refusal)),
    }
}

/// Finds a live secret by its token, without using it: the first step of a polled flow
/// (the caller checks the person, then [`mark_verified`]), or of any flow that checks more
/// before it [`consume`]s. [`Refusal::Unknown`], [`Refusal::Used`] (consumed or verified
/// already) or [`Refusal::Expired`], in that order.
pub async fn find_by_token<P: DeserializeOwned + Default>(
    conn: &mut Conn,
    scope: &Scope,
    now: UnixTime,
    kind: Kind,
    token: &str,
) -> ApiResult<Result<Entry<P>, Refusal>> {
    let row = store::pending::get_by_token(conn, scope, kind.as_str(), token).await?;
    Ok(screen(kind, row, now, |e| e.consumed.is_some() || e.verified.is_some()))
}

/// Marks a polled flow's secret verified, once, naming its subject (a flow started without
/// one learns it now): [`Refusal::Used`] when it was verified already.
pub async fn mark_verified<P>(
    conn: &mut Conn,
    scope: &Scope,
    now: UnixTime,
    entry: &Entry<P>,
    subject: &str,
) -> ApiResult<Result<(), Refusal>> {
    if store::pending::mark_verified(conn, scope, entry.id, subject, now.millis()).await? {
        Ok(Ok(()))
    } else {
        Ok(Err(Refusal::Used))
    }
}

/// The second step of a polled flow: takes the verified secret of a pending reference,
/// exactly once. [`Refusal::Unknown`], [`Refusal::Used`] (taken already),
/// [`Refusal::Expired`] or [`Refusal::NotVerified`], in that order, else the secret, now
/// consumed.
pub async fn take_verified<P: DeserializeOwned + Default>(
    conn: &mut Conn,
    scope: &Scope,
    now: UnixTime,
    kind: Kind,
    pending_ref: &str,
) -> ApiResult<Result<Entry<P>, Refusal>> {
    let row = store::pending::get_by_pending_ref(conn, scope, kind.as_str(), pending_ref).await?;
    match screen(kind, row, now, |e| e.consumed.is_some()) {
        Ok(entry) if entry.verified.is_none() => Ok(Err(Refusal::NotVerified)),
        Ok(entry) => consume_screened(conn, scope, now, entry).await,
        Err(refusal) => Ok(Err(refusal)),
    }
}

/// Consumes a secret found earlier; false when someone else consumed it first. The
/// operations above call it; a flow that checks more between finding and using a secret
/// can too.
pub async fn consume<P>(conn: &mut Conn, scope: &Scope, now: UnixTime, entry: &Entry<P>) -> ApiResult<bool> {
    store::pending::consume(conn, scope, entry.id, now.millis()).await
}
