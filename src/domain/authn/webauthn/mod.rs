//! WebAuthn (passkeys) as a relying party: sign-up, sign-in, sign-up-or-in and adding a
//! passkey (update), each a start that hands out a transaction and the browser's options,
//! and a finish that verifies the authenticator's response for real.
//!
//! A ceremony's transaction is a pending secret ([`Kind::WebAuthn`], the transaction ID is its
//! token): single-use and expiring by the emulator clock. It keeps the challenge, the origin
//! given at start and the rpId (the host of that origin). A finish that fails leaves it
//! unused, so nothing changes on bad input.
//!
//! Verification (WebAuthn Level 2, 7.1 and 7.2): client data type, challenge and origin;
//! rpIdHash; user presence (and verification when the options require it); registration
//! attestation `none` or `packed` (self or x5c, the chain not checked); assertion signature
//! over `authData || SHA-256(clientDataJSON)` with the stored COSE key (ES256, RS256,
//! EdDSA); signature counters that only grow (unless both are 0). Credentials live in the
//! user's passkeys (`user_passkeys`), so the management passkey calls see them.
//!
//! [`authenticator`] is the emulator's software authenticator, which makes such responses.

pub mod authenticator;
pub mod cose;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use self::cose::{b64url, decode_b64, sha256, AuthData, FLAG_UP, FLAG_UV};
use crate::domain::authn::password::{contact_of, sign_up_user};
use crate::domain::authn::passwordless::{LoginOptions, SignUpDetails};
use crate::domain::identity::users::{self, User};
use crate::domain::pending::{self, Entry, Handles, Kind, Refusal};
use crate::domain::sessions::{self, AuthInfo, Claims};
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::store::passkeys::PasskeyRow;
use crate::store::{self, Conn, Db};

/// The `amr` of a passkey sign-in, and its method name in the login history and audit.
pub const AMR_WEBAUTHN: &str = "webauthn";
/// How long a ceremony's transaction lives, in seconds of emulator time.
pub const TRANSACTION_TTL_SECS: i64 = 300;
/// The `timeout` of the options, in milliseconds.
const OPTIONS_TIMEOUT_MS: i64 = 60_000;
/// The channel column of the pending secret.
const CHANNEL: &str = "webauthn";

/// Which finish a transaction is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ceremony {
    /// Registration that creates the user (or signs an existing user without passkeys in).
    SignUp,
    SignIn,
    /// Registration of another passkey for the signed-in user.
    Update,
}

impl Ceremony {
    fn as_str(self) -> &'static str {
        match self {
            Ceremony::SignUp => "signup",
            Ceremony::SignIn => "signin",
            Ceremony::Update => "update",
        }
    }
}

/// What a transaction keeps until its finish.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Transaction {
    /// Base64url.
    challenge: String,
    /// The origin given at start, normalised (`scheme://host[:port]`).
    origin: String,
    rp_id: String,
    /// `required` makes the UV flag mandatory.
    user_verification: String,
    /// Registration: the base64url user handle given to the authenticator.
    user_handle: String,
    /// The existing user the ceremony is for (sign-in by login ID, update, sign-up-or-in of a
    /// user without passkeys); none for a new user or a discoverable sign-in.
    user_id: Option<String>,
    /// Sign-up: the profile of the new user.
    user: SignUpDetails,
    /// Sign-in: the credential IDs offered (base64url); empty for a discoverable sign-in.
    allowed: Vec<String>,
    options: LoginOptions,
    session_user_id: Option<String>,
    session_amr: Vec<String>,
    /// Update: answer with a session whose `amr` adds `webauthn` to the caller's.
    mfa: bool,
}

/// `passkeyOptions` of a start call: the few settings that change the options. Strings are
/// taken as WebAuthn spells them; Descope's integer enums are mapped by [`enum_name`].
#[derive(Debug, Clone, Default)]
pub struct PasskeyOptions {
    pub authenticator_selection: Map<String, Value>,
    pub attestation: Option<String>,
    pub user_verification: Option<String>,
    pub extensions: Option<Value>,
}

/// The WebAuthn name of a Descope `PasskeyOptions` enum given as an integer (unconfirmed
/// numbering: 0 is "unspecified", then the values in the order WebAuthn lists them).
fn enum_name(field: &str, v: &Value) -> Option<String> {
    if let Some(s) = v.as_str() {
        return Some(s.to_owned()).filter(|s| !s.is_empty());
    }
    let n = v.as_i64()?;
    let names: &[&str] = match field {
        "userVerification" => &["required", "preferred", "discouraged"],
        "residentKey" => &["discouraged", "preferred", "required"],
        "attestation" => &["none", "indirect", "direct", "enterprise"],
        "authenticatorAttachment" => &["platform", "cross-platform"],
        _ => return None,
    };
    usize::try_from(n).ok().and_then(|n| n.checked_sub(1)).and_then(|i| names.get(i)).map(|s| (*s).to_owned())
}

impl PasskeyOptions {
    /// Reads `passkeyOptions` leniently: unknown members and wrong types are ignored.
    pub fn from_value(v: &Value) -> PasskeyOptions {
        let mut out = PasskeyOptions::default();
        let Some(obj) = v.as_object() else { return out };
        if let Some(sel) = obj.get("authenticatorSelection").and_then(Value::as_object) {
            for (k, v) in sel {
                match k.as_str() {
                    "requireResidentKey" => {
                        let on = v.as_bool().or_else(|| v.as_i64().map(|n| n == 1)).unwrap_or(false);
                        out.authenticator_selection.insert(k.clone(), Value::Bool(on));
                    }
                    "residentKey" | "userVerification" | "authenticatorAttachment" => {
                        if let Some(name) = enum_name(k, v) {
                            out.authenticator_selection.insert(k.clone(), Value::String(name));
                        }
                    }
                    _ => {}
                }
            }
        }
        out.attestation = obj.get("attestation").and_then(|v| enum_name("attestation", v));
        out.user_verification = obj.get("userVerification").and_then(|v| enum_name("userVerification", v));
        out.extensions = obj
            .get("extensionsJSON")
            .and_then(Value::as_str)
            .and_then(|s| serde_json::from_str::<Value>(s).ok())
            .filter(Value::is_object);
        out
    }
}

/// A start call.
#[derive(Debug, Clone, Default)]
pub struct StartRequest {
    pub login_id: String,
    pub origin: String,
    pub user: SignUpDetails,
    pub options: LoginOptions,
    pub passkey_options: PasskeyOptions,
    /// The caller's verified refresh token (update, step-up, MFA).
    pub session: Option<Claims>,
    /// Update: answer the finish with a session.
    pub mfa: bool,
}

/// What a start answers: `{transactionId, options, create}`.
#[derive(Debug, Clone)]
pub struct Started {
    pub transaction_id: String,
    /// The options as a JSON string with the `publicKey` wrapper.
    pub options: String,
    /// True when the client finishes with sign-up (registration), false for sign-in.
    pub create: bool,
}

fn verification_failed(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorKind::WebAuthnVerificationFailed, message)
}

/// The normalised origin (`scheme://host[:port]`) and rpId (its host) of an origin.
fn origin_and_rp_id(origin: &str) -> ApiResult<(String, String)> {
    let url = url::Url::parse(origin.trim())
        .map_err(|_| ApiError::invalid(format!("origin {origin} is not a valid URL")))?;
    let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(|| {
        ApiError::invalid(format!("origin {origin} has no host to serve as the WebAuthn rpId"))
    })?;
    Ok((url.origin().ascii_serialization(), host.trim_matches(['[', ']']).to_owned()))
}

/// The origin of a start call (required: it fixes the rpId) and its rpId.
fn start_origin(given: &str) -> ApiResult<(String, String)> {
    if given.trim().is_empty() {
        return Err(ApiError::missing("origin"));
    }
    origin_and_rp_id(given)
}

fn new_challenge() -> String {
    let mut bytes = [0u8; 32];
    crate::crypto::random_bytes(&mut bytes);
    b64url(&bytes)
}

fn new_user_handle() -> String {
    let mut bytes = [0u8; 16];
    crate::crypto::random_bytes(&mut bytes);
    b64url(&bytes)
}

/// The user handle of an existing user: the one their passkeys were registered with, else
/// their user ID.
fn user_handle_of(user: &User, passkeys: &[PasskeyRow]) -> String {
    passkeys
        .iter()
        .map(|p| p.user_handle.as_str())
        .find(|h| !h.is_empty())
        .map_or_else(|| b64url(user.id().as_str().as_bytes()), str::to_owned)
}

/// The user's passkeys usable with `rp_id` (an import without an rpId counts for any).
async fn passkeys_for(conn: &mut Conn, ctx: &Ctx, user: &User, rp_id: &str) -> ApiResult<Vec<PasskeyRow>> {
    Ok(store::passkeys::list_of_user(conn, ctx.scope(), user.id())
        .await?
        .into_iter()
        .filter(|p| p.rp_id.is_empty() || p.rp_id == rp_id)
        .collect())
}

/// A credential descriptor of the options: the ID re-encoded as base64url.
fn descriptor(credential_id: &str) -> Value {
    let id = decode_b64(credential_id).map_or_else(|| credential_id.to_owned(), |b| b64url(&b));
    json!({"type": "public-key", "id": id})
}

/// `PublicKeyCredentialCreationOptions` wrapped in `publicKey`.
fn creation_options(
    ctx: &Ctx,
    t: &Transaction,
    login_id: &str,
    exclude: &[PasskeyRow],
    po: &PasskeyOptions,
) -> String {
    let display = if t.user.name.is_empty() { login_id } else { t.user.name.as_str() };
    let mut selection = json!({
        "residentKey": "preferred",
        "requireResidentKey": false,
        "userVerification": "preferred",
    });
    if let Some(sel) = selection.as_object_mut() {
        sel.extend(po.authenticator_selection.clone());
    }
    let mut public_key = json!({
        "rp": {"name": ctx.project.name, "id": t.rp_id},
        "user": {"name": login_id, "displayName": display, "id": t.user_handle},
        "challenge": t.challenge,
        "pubKeyCredParams": [
            {"type": "public-key", "alg": cose::ES256},
            {"type": "public-key", "alg": cose::RS256},
            {"type": "public-key", "alg": cose::EDDSA},
        ],
        "timeout": OPTIONS_TIMEOUT_MS,
        "excludeCredentials": exclude.iter().map(|p| descriptor(&p.credential_id)).collect::<Vec<_>>(),
        "authenticatorSelection": selection,
        "attestation": po.attestation.clone().unwrap_or_else(|| "none".into()),
    });
    if let (Some(ext), Some(obj)) = (&po.extensions, public_key.as_object_mut()) {
        obj.insert("extensions".into(), ext.clone());
    }
    json!({"publicKey": public_key}).to_string()
}

/// `PublicKeyCredentialRequestOptions` wrapped in `publicKey`.
fn request_options(t: &Transaction, po: &PasskeyOptions) -> String {
    let mut public_key = json!({
        "challenge": t.challenge,
        "timeout": OPTIONS_TIMEOUT_MS,
        "rpId": t.rp_id,
        "allowCredentials": t.allowed.iter().map(|id| descriptor(id)).collect::<Vec<_>>(),
        "userVerification": t.user_verification,
    });
    if let (Some(ext), Some(obj)) = (&po.extensions, public_key.as_object_mut()) {
        obj.insert("extensions".into(), ext.clone());
    }
    json!({"publicKey": public_key}).to_string()
}

/// Stores a transaction and answers the start call.
async fn store_transaction(
    conn: &mut Conn,
    ctx: &Ctx,
    ceremony: Ceremony,
    login_id: &str,
    t: &Transaction,
    options: String,
) -> ApiResult<Started> {
    let transaction_id = pending::new_token();
    pending::create(
        conn,
        ctx.scope(),
        ctx.now,
        pending::New {
            kind: Kind::WebAuthn,
            channel: CHANNEL,
            intent: ceremony.as_str(),
            subject: login_id,
            handles: Handles { token: Some(transaction_id.clone()), ..Handles::default() },
            payload: t,
            lifetime_secs: TRANSACTION_TTL_SECS,
        },
    )
    .await?;
    Ok(Started { transaction_id, options, create: ceremony != Ceremony::SignIn })
}

/// A transaction for the given request, before its ceremony-specific parts.
fn base_transaction(req: &StartRequest, origin: String, rp_id: String) -> Transaction {
    let selection_uv =
        req.passkey_options.authenticator_selection.get("userVerification").and_then(Value::as_str);
    Transaction {
        challenge: new_challenge(),
        origin,
        rp_id,
        user_verification: req
            .passkey_options
            .user_verification
            .clone()
            .or(selection_uv.map(str::to_owned))
            .unwrap_or_else(|| "preferred".into()),
        user: req.user.clone(),
        options: req.options.clone(),
        session_user_id: req.session.as_ref().map(|s| s.sub.clone()),
        session_amr: req.session.as_ref().map(|s| s.amr.clone()).unwrap_or_default(),
        mfa: req.mfa,
        ..Transaction::default()
    }
}

/// Registration options for `login_id`: a new user (`user` none) or an existing one.
async fn start_registration(
    conn: &mut Conn,
    ctx: &Ctx,
    ceremony: Ceremony,
    req: &StartRequest,
    login_id: &str,
    user: Option<&User>,
) -> ApiResult<Started> {
    let (origin, rp_id) = start_origin(&req.origin)?;
    let mut t = base_transaction(req, origin, rp_id);
    let exclude = match user {
        Some(u) => {
            let all = store::passkeys::list_of_user(conn, ctx.scope(), u.id()).await?;
            t.user_handle = user_handle_of(u, &all);
            t.user_id = Some(u.id().to_string());
            if t.user.name.is_empty() {
                t.user.name.clone_from(&u.row.name);
            }
            all.into_iter().filter(|p| p.rp_id.is_empty() || p.rp_id == t.rp_id).collect()
        }
        None => {
            t.user_handle = new_user_handle();
            Vec::new()
        }
    };
    let options = creation_options(ctx, &t, login_id, &exclude, &req.passkey_options);
    store_transaction(conn, ctx, ceremony, login_id, &t, options).await
}

/// Sign-in options for `user` (by login ID), or for any discoverable credential.
async fn start_assertion(
    conn: &mut Conn,
    ctx: &Ctx,
    req: &StartRequest,
    login_id: &str,
    user: Option<&User>,
) -> ApiResult<Started> {
    let (origin, rp_id) = start_origin(&req.origin)?;
    let mut t = base_transaction(req, origin, rp_id);
    if let Some(u) = user {
        let passkeys = passkeys_for(conn, ctx, u, &t.rp_id).await?;
        if passkeys.is_empty() {
            return Err(ApiError::new(
                ErrorKind::WebAuthnNoCredentials,
                format!("User {login_id} has no passkey for {}", t.rp_id),
            ));
        }
        t.allowed = passkeys.iter().map(|p| p.credential_id.clone()).collect();
        t.user_id = Some(u.id().to_string());
    }
    let options = request_options(&t, &req.passkey_options);
    store_transaction(conn, ctx, Ceremony::SignIn, login_id, &t, options).await
}

fn require_login_id(login_id: &str) -> ApiResult<&str> {
    let login_id = login_id.trim();
    if login_id.is_empty() {
        return Err(ApiError::missing("loginId"));
    }
    Ok(login_id)
}

/// `POST /v1/auth/webauthn/signup/start`: registration options for a new user.
pub async fn sign_up_start(db: &Db, ctx: &Ctx, req: StartRequest) -> ApiResult<Started> {
    let login_id = require_login_id(&req.login_id)?;
    sessions::check_step_up(&req.options, req.session.is_some())?;
    let mut tx = store::begin_immediate(db).await?;
    if users::find_by_login_id(&mut tx, ctx.scope(), login_id).await?.is_some() {
        return Err(ApiError::new(ErrorKind::UserAlreadyExists, format!("User {login_id} already exists")));
    }
    let started = start_registration(&mut tx, ctx, Ceremony::SignUp, &req, login_id, None).await?;
    tx.commit().await?;
    Ok(started)
}

/// `POST /v1/auth/webauthn/signin/start`: sign-in options for a user's passkeys, or, with an
/// empty login ID, for any discoverable credential. With `stepup`/`mfa` and no login ID, the
/// caller's own passkeys.
pub async fn sign_in_start(db: &Db, ctx: &Ctx, req: StartRequest) -> ApiResult<Started> {
    sessions::check_step_up(&req.options, req.session.is_some())?;
    let login_id = req.login_id.trim().to_owned();
    let mut tx = store::begin_immediate(db).await?;
    let user = if !login_id.is_empty() {
        Some(users::require_for_sign_in(&mut tx, ctx.scope(), &login_id).await?)
    } else if let Some(session) = req.session.as_ref().filter(|_| req.options.stepup || req.options.mfa) {
        Some(session_user(&mut tx, ctx, session).await?)
    } else {
        None
    };
    let started = start_assertion(&mut tx, ctx, &req, &login_id, user.as_ref()).await?;
    tx.commit().await?;
    Ok(started)
}

/// `POST /v1/auth/webauthn/signup-in/start`: sign-in options when the user has a passkey
/// (`create: false`), else registration options (`create: true`, finished by sign-up, which
/// creates the user or adds the passkey to the existing one).
pub async fn sign_up_or_in_start(db: &Db, ctx: &Ctx, req: StartRequest) -> ApiResult<Started> {
    let login_id = require_login_id(&req.login_id)?.to_owned();
    sessions::check_step_up(&req.options, req.session.is_some())?;
    let (_, rp_id) = start_origin(&req.origin)?;
    let mut tx = store::begin_immediate(db).await?;
    let user = users::find_by_login_id(&mut tx, ctx.scope(), &login_id).await?;
    if let Some(u) = &user {
        u.ensure_can_sign_in()?;
    }
    let has_passkey = match &user {
        Some(u) => !passkeys_for(&mut tx, ctx, u, &rp_id).await?.is_empty(),
        None => false,
    };
    let started = if has_passkey {
        start_assertion(&mut tx, ctx, &req, &login_id, user.as_ref()).await?
    } else {
        start_registration(&mut tx, ctx, Ceremony::SignUp, &req, &login_id, user.as_ref()).await?
    };
    tx.commit().await?;
    Ok(started)
}

/// The user of a verified refresh token.
async fn session_user(conn: &mut Conn, ctx: &Ctx, session: &Claims) -> ApiResult<User> {
    let user = users::find_by_id(conn, ctx.scope(), &session.sub).await?.ok_or_else(|| {
        ApiError::new(ErrorKind::InvalidSessionToken, "The user of this session no longer exists")
    })?;
    user.ensure_can_sign_in()?;
    Ok(user)
}

/// `POST /v1/auth/webauthn/update/start`: registration options for another passkey of the
/// signed-in user (`session`); its passkeys are excluded.
pub async fn update_start(db: &Db, ctx: &Ctx, req: StartRequest) -> ApiResult<Started> {
    let session = req.session.clone().ok_or_else(|| ApiError::unauthorized("A refresh token is required"))?;
    let mut tx = store::begin_immediate(db).await?;
    let user = session_user(&mut tx, ctx, &session).await?;
    let given = req.login_id.trim();
    if !given.is_empty() && !user.login_ids.iter().any(|l| l == given) {
        return Err(ApiError::invalid(format!("Login ID {given} is not the signed-in user's")));
    }
    let login_id = user.login_ids.first().cloned().unwrap_or_else(|| given.to_owned());
    let started = start_registration(&mut tx, ctx, Ceremony::Update, &req, &login_id, Some(&user)).await?;
    tx.commit().await?;
    Ok(started)
}

/// The credential JSON of a finish call (`response`): a JSON string, or the object itself.
#[derive(Debug, Clone)]
struct CredentialJson {
    /// Raw credential ID, from `rawId` or `id`.
    id: Option<Vec<u8>>,
    response: Map<String, Value>,
    /// `transports` of a registration, wherever the client put them.
    transports: Vec<String>,
}

impl CredentialJson {
    fn parse(response: &Value) -> ApiResult<CredentialJson> {
        let obj = match response {
            Value::Null => return Err(ApiError::missing("response")),
            Value::String(s) if s.trim().is_empty() => return Err(ApiError::missing("response")),
            Value::String(s) => serde_json::from_str::<Value>(s)
                .map_err(|e| ApiError::invalid(format!("response is not valid JSON: {e}")))?,
            other => other.clone(),
        };
        let Value::Object(mut obj) = obj else {
            return Err(ApiError::invalid("response must be a JSON object"));
        };
        let id_of = |field: &str| -> ApiResult<Option<Vec<u8>>> {
            match obj.get(field) {
                None => Ok(None),
                Some(Value::String(s)) if s.is_empty() => Ok(None),
                Some(Value::String(s)) => decode_b64(s)
                    .map(Some)
                    .ok_or_else(|| ApiError::invalid(format!("response.{field} is not valid base64url"))),
                Some(_) => Err(ApiError::invalid(format!("response.{field} must be a string"))),
            }
        };
        let (raw_id, id) = (id_of("rawId")?, id_of("id")?);
        if let (Some(a), Some(b)) = (&raw_id, &id) {
            if a != b {
                return Err(ApiError::invalid("response.id and response.rawId differ"));
            }
        }
        let inner = match obj.remove("response") {
            Some(Value::Object(m)) => m,
            Some(Value::String(s)) => match serde_json::from_str::<Value>(&s) {
                Ok(Value::Object(m)) => m,
                _ => return Err(ApiError::invalid("response.response must be a JSON object")),
            },
            None => return Err(ApiError::missing("response.response")),
            Some(_) => return Err(ApiError::invalid("response.response must be a JSON object")),
        };
        let names = |v: Option<&Value>| -> Vec<String> {
            v.and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default()
        };
        let mut transports = names(inner.get("transports"));
        if transports.is_empty() {
            transports = names(obj.get("transports"));
        }
        Ok(CredentialJson { id: raw_id.or(id), response: inner, transports })
    }

    /// A base64url member of the inner `response`, decoded.
    fn bytes(&self, field: &str) -> ApiResult<Vec<u8>> {
        match self.response.get(field) {
            None | Some(Value::Null) => Err(ApiError::missing(&format!("response.response.{field}"))),
            Some(Value::String(s)) => decode_b64(s).ok_or_else(|| {
                ApiError::invalid(format!("response.response.{field} is not valid base64url"))
            }),
            Some(_) => Err(ApiError::invalid(format!("response.response.{field} must be a string"))),
        }
    }

    /// An optional base64url member (`userHandle`).
    fn optional_bytes(&self, field: &str) -> ApiResult<Option<Vec<u8>>> {
        match self.response.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            _ => self.bytes(field).map(Some),
        }
    }
}

/// Checks `clientDataJSON`: its type, the transaction's challenge and origin.
fn check_client_data(bytes: &[u8], expected_type: &str, t: &Transaction) -> ApiResult<()> {
    let data: Value = serde_json::from_slice(bytes)
        .map_err(|_| ApiError::invalid("response.response.clientDataJSON is not valid JSON"))?;
    let field = |name: &str| data.get(name).and_then(Value::as_str).unwrap_or_default();
    if field("type") != expected_type {
        return Err(verification_failed(format!(
            "clientDataJSON type is {:?}, expected {expected_type}",
            field("type")
        )));
    }
    let challenge = decode_b64(field("challenge"));
    if challenge.is_none() || challenge != decode_b64(&t.challenge) {
        return Err(verification_failed("clientDataJSON challenge does not match the transaction"));
    }
    let origin = origin_and_rp_id(field("origin")).map(|(o, _)| o).unwrap_or_default();
    if origin != t.origin {
        return Err(verification_failed(format!(
            "clientDataJSON origin {:?} does not match the origin of the start call ({})",
            field("origin"),
            t.origin
        )));
    }
    Ok(())
}

/// Checks the rpIdHash and the user presence and verification flags.
fn check_auth_data(auth: &AuthData, t: &Transaction) -> ApiResult<()> {
    if auth.rp_id_hash != sha256(t.rp_id.as_bytes()) {
        return Err(verification_failed(format!("authenticator data is not for rpId {}", t.rp_id)));
    }
    if auth.flags & FLAG_UP == 0 {
        return Err(verification_failed("the user was not present (UP flag not set)"));
    }
    if t.user_verification == "required" && auth.flags & FLAG_UV == 0 {
        return Err(verification_failed("user verification is required (UV flag not set)"));
    }
    Ok(())
}

/// Finds a live transaction of `ceremony` (not consumed yet: that happens once it verified).
async fn find_transaction(
    conn: &mut Conn,
    ctx: &Ctx,
    transaction_id: &str,
    ceremony: Ceremony,
) -> ApiResult<Entry<Transaction>> {
    if transaction_id.trim().is_empty() {
        return Err(ApiError::missing("transactionId"));
    }
    let entry: Entry<Transaction> =
        pending::find_by_token(conn, ctx.scope(), ctx.now, Kind::WebAuthn, transaction_id.trim())
            .await?
            .map_err(|refusal| {
                let why = match refusal {
                    Refusal::Unknown => "Unknown WebAuthn transaction",
                    Refusal::Used | Refusal::NotVerified => "The WebAuthn transaction was already used",
                    Refusal::Expired => "The WebAuthn transaction expired",
                };
                ApiError::new(ErrorKind::WebAuthnTransactionInvalid, why)
            })?;
    if entry.intent != ceremony.as_str() {
        return Err(ApiError::new(
            ErrorKind::WebAuthnTransactionInvalid,
            format!("The WebAuthn transaction is for {}, not {}", entry.intent, ceremony.as_str()),
        ));
    }
    Ok(entry)
}

/// Consumes a verified transaction, once.
async fn consume(conn: &mut Conn, ctx: &Ctx, entry: &Entry<Transaction>) -> ApiResult<()> {
    if !pending::consume(conn, ctx.scope(), ctx.now, entry).await? {
        return Err(ApiError::new(
            ErrorKind::WebAuthnTransactionInvalid,
            "The WebAuthn transaction was already used",
        ));
    }
    Ok(())
}

/// The project's passkey with this raw credential ID (stored base64url, or in another
/// base64 form by an import).
async fn find_passkey(conn: &mut Conn, ctx: &Ctx, raw_id: &[u8]) -> ApiResult<Option<PasskeyRow>> {
    let encoded = b64url(raw_id);
    if let Some(row) =
        store::passkeys::find_by_credential_id(conn, ctx.scope(), &encoded).await?.into_iter().next()
    {
        return Ok(Some(row));
    }
    Ok(store::passkeys::list_all(conn, ctx.scope())
        .await?
        .into_iter()
        .find(|p| decode_b64(&p.credential_id).as_deref() == Some(raw_id)))
}

/// A registration that verified: the new credential.
struct Registration {
    credential_id: Vec<u8>,
    public_key: cose::PublicKey,
    aaguid: [u8; 16],
    sign_count: u32,
}

/// Verifies a registration response (WebAuthn 7.1) against its transaction.
fn verify_registration(cred: &CredentialJson, t: &Transaction) -> ApiResult<Registration> {
    let client_data = cred.bytes("clientDataJSON")?;
    let attestation = cred.bytes("attestationObject")?;
    check_client_data(&client_data, "webauthn.create", t)?;
    let object = cose::cbor(&attestation)
        .map_err(|e| ApiError::invalid(format!("response.response.attestationObject: {e}")))?;
    let fmt = cose::text_member(&object, "fmt").and_then(|v| v.as_text()).unwrap_or_default().to_owned();
    let auth_bytes = cose::text_member(&object, "authData")
        .and_then(|v| v.as_bytes())
        .ok_or_else(|| ApiError::invalid("attestationObject has no authData"))?;
    let auth = AuthData::parse(auth_bytes).map_err(|e| ApiError::invalid(format!("authData: {e}")))?;
    check_auth_data(&auth, t)?;
    let attested =
        auth.attested.clone().ok_or_else(|| verification_failed("authData has no attested credential"))?;
    if cred.id.as_ref().is_some_and(|id| *id != attested.credential_id) {
        return Err(verification_failed("the credential ID differs from the one in authData"));
    }
    let statement = cose::text_member(&object, "attStmt");
    let signed = [auth_bytes, &sha256(&client_data)[..]].concat();
    match fmt.as_str() {
        "none" => {}
        "packed" => {
            let statement =
                statement.ok_or_else(|| verification_failed("packed attestation without attStmt"))?;
            let alg = cose::text_member(statement, "alg")
                .and_then(|v| v.as_integer())
                .and_then(|i| i64::try_from(i128::from(i)).ok())
                .ok_or_else(|| verification_failed("packed attestation without alg"))?;
            let sig = cose::text_member(statement, "sig")
                .and_then(|v| v.as_bytes())
                .ok_or_else(|| verification_failed("packed attestation without sig"))?;
            let leaf = cose::text_member(statement, "x5c")
                .and_then(|v| v.as_array())
                .and_then(|a| a.first())
                .and_then(|c| c.as_bytes());
            let verified = match leaf {
                Some(cert) => {
                    let spki = cose::certificate_spki(cert)
                        .ok_or_else(|| verification_failed("the attestation certificate cannot be read"))?;
                    cose::verify_spki(spki, alg, &signed, sig)
                }
                None => {
                    if alg != attested.public_key.alg() {
                        return Err(verification_failed(
                            "self attestation alg differs from the credential key",
                        ));
                    }
                    attested.public_key.verify(&signed, sig)
                }
            };
            if !verified {
                return Err(verification_failed("the attestation signature does not verify"));
            }
        }
        "" => return Err(ApiError::invalid("attestationObject has no fmt")),
        other => {
            return Err(verification_failed(format!(
                "attestation format {other} is not supported (none and packed are)"
            )))
        }
    }
    Ok(Registration {
        credential_id: attested.credential_id,
        public_key: attested.public_key,
        aaguid: attested.aaguid,
        sign_count: auth.sign_count,
    })
}

/// An AAGUID as a UUID string.
fn uuid(b: &[u8; 16]) -> String {
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// The user a sign-up finish is for: the existing one of a sign-up-or-in, else a new user.
async fn sign_up_user_of(conn: &mut Conn, ctx: &Ctx, entry: &Entry<Transaction>) -> ApiResult<User> {
    let t = &entry.payload;
    let login_id = entry.subject.as_str();
    if let Some(id) = &t.user_id {
        let user = users::find_by_id(conn, ctx.scope(), id)
            .await?
            .ok_or_else(|| ApiError::user_not_found(login_id))?;
        user.ensure_can_sign_in()?;
        return Ok(user);
    }
    if users::find_by_login_id(conn, ctx.scope(), login_id).await?.is_some() {
        return Err(ApiError::new(ErrorKind::UserAlreadyExists, format!("User {login_id} already exists")));
    }
    let contact = contact_of(login_id, &t.user)?;
    users::create(conn, ctx.scope(), ctx.now, sign_up_user(login_id, contact, t.user.clone(), AMR_WEBAUTHN))
        .await
}

/// Verifies a registration and stores the credential for the transaction's user; returns
/// the user (with `webauthn` set) and the transaction.
async fn register(
    conn: &mut Conn,
    ctx: &Ctx,
    ceremony: Ceremony,
    transaction_id: &str,
    response: &Value,
) -> ApiResult<(User, Entry<Transaction>)> {
    let cred = CredentialJson::parse(response)?;
    let entry = find_transaction(conn, ctx, transaction_id, ceremony).await?;
    let reg = verify_registration(&cred, &entry.payload)?;
    if find_passkey(conn, ctx, &reg.credential_id).await?.is_some() {
        return Err(ApiError::new(
            ErrorKind::WebAuthnCredentialExists,
            "This credential is already registered",
        ));
    }
    consume(conn, ctx, &entry).await?;
    let mut user = match ceremony {
        Ceremony::Update => {
            let id = entry.payload.user_id.as_deref().unwrap_or_default();
            let user = users::find_by_id(conn, ctx.scope(), id)
                .await?
                .ok_or_else(|| ApiError::user_not_found(&entry.subject))?;
            user.ensure_can_sign_in()?;
            user
        }
        Ceremony::SignUp | Ceremony::SignIn => sign_up_user_of(conn, ctx, &entry).await?,
    };
    let row = PasskeyRow {
        user_id: user.id().to_string(),
        credential_id: b64url(&reg.credential_id),
        rp_id: entry.payload.rp_id.clone(),
        kind: "passkey".into(),
        display_name: String::new(),
        public_key: b64url(&reg.public_key.to_cose_bytes()),
        aaguid: uuid(&reg.aaguid),
        transports: store::json_text(&cred.transports)?,
        created_ms: ctx.now.millis(),
        alg: reg.public_key.alg(),
        sign_count: i64::from(reg.sign_count),
        user_handle: entry.payload.user_handle.clone(),
        last_used_ms: None,
    };
    store::passkeys::upsert(conn, ctx.scope(), &row).await?;
    store::users::set_webauthn(conn, ctx.scope(), user.id(), true, ctx.now.millis()).await?;
    user.row.webauthn = true;
    user.row.modified_ms = ctx.now.millis();
    Ok((user, entry))
}

/// The caller's session kept with a transaction.
fn prior(t: &Transaction) -> Option<sessions::Prior<'_>> {
    t.session_user_id.as_deref().map(|user_id| sessions::Prior { user_id, amr: &t.session_amr })
}

/// `POST /v1/auth/webauthn/signup/finish`: verifies the registration, creates the user (or
/// takes the existing one of a sign-up-or-in) with the passkey and signs them in.
pub async fn sign_up_finish(
    db: &Db,
    ctx: &Ctx,
    transaction_id: &str,
    response: &Value,
) -> ApiResult<AuthInfo> {
    let mut tx = store::begin_immediate(db).await?;
    let (user, entry) = register(&mut tx, ctx, Ceremony::SignUp, transaction_id, response).await?;
    let t = entry.payload;
    let opts = sessions::factor_options(
        AMR_WEBAUTHN,
        AMR_WEBAUTHN,
        t.options.clone(),
        prior(&t),
        false,
        user.id().as_str(),
    )?;
    let issued = sessions::sign_in(&mut tx, ctx, user, opts).await?;
    tx.commit().await?;
    issued.sign(ctx).await
}

/// `POST /v1/auth/webauthn/update/finish`: verifies the registration and adds the passkey to
/// the signed-in user. With `mfa` at start, also a session whose `amr` adds `webauthn` (and
/// `mfa`) to the caller's.
pub async fn update_finish(
    db: &Db,
    ctx: &Ctx,
    transaction_id: &str,
    response: &Value,
) -> ApiResult<Option<AuthInfo>> {
    let mut tx = store::begin_immediate(db).await?;
    let (user, entry) = register(&mut tx, ctx, Ceremony::Update, transaction_id, response).await?;
    let t = entry.payload;
    if !t.mfa {
        tx.commit().await?;
        return Ok(None);
    }
    let options = LoginOptions { mfa: true, ..t.options.clone() };
    let opts =
        sessions::factor_options(AMR_WEBAUTHN, AMR_WEBAUTHN, options, prior(&t), true, user.id().as_str())?;
    let issued = sessions::sign_in(&mut tx, ctx, user, opts).await?;
    tx.commit().await?;
    Ok(Some(issued.sign(ctx).await?))
}

/// `POST /v1/auth/webauthn/signin/finish`: verifies the assertion with the stored key and
/// signs the credential's user in.
pub async fn sign_in_finish(
    db: &Db,
    ctx: &Ctx,
    transaction_id: &str,
    response: &Value,
) -> ApiResult<AuthInfo> {
    let mut login_id = String::new();
    let result = async {
        let cred = CredentialJson::parse(response)?;
        let mut tx = store::begin_immediate(db).await?;
        let entry = find_transaction(&mut tx, ctx, transaction_id, Ceremony::SignIn).await?;
        login_id.clone_from(&entry.subject);
        let t = &entry.payload;
        let client_data = cred.bytes("clientDataJSON")?;
        let auth_bytes = cred.bytes("authenticatorData")?;
        let signature = cred.bytes("signature")?;
        let user_handle = cred.optional_bytes("userHandle")?;
        check_client_data(&client_data, "webauthn.get", t)?;
        let raw_id = cred.id.clone().ok_or_else(|| ApiError::missing("response.id"))?;
        let not_found = || ApiError::new(ErrorKind::WebAuthnCredentialNotFound, "Unknown credential");
        let passkey = find_passkey(&mut tx, ctx, &raw_id).await?.ok_or_else(not_found)?;
        let allowed =
            t.allowed.is_empty() || t.allowed.iter().any(|a| decode_b64(a).as_deref() == Some(&raw_id[..]));
        if !allowed || t.user_id.as_ref().is_some_and(|u| *u != passkey.user_id) {
            return Err(ApiError::new(
                ErrorKind::WebAuthnCredentialNotFound,
                "The credential is not one of the user's passkeys",
            ));
        }
        if let (Some(given), Some(stored)) =
            (&user_handle, decode_b64(&passkey.user_handle).filter(|h| !h.is_empty()))
        {
            if *given != stored {
                return Err(verification_failed("userHandle does not match the credential's user"));
            }
        }
        if !passkey.rp_id.is_empty() && passkey.rp_id != t.rp_id {
            return Err(verification_failed(format!(
                "the credential is registered for rpId {}",
                passkey.rp_id
            )));
        }
        let auth =
            AuthData::parse(&auth_bytes).map_err(|e| ApiError::invalid(format!("authenticatorData: {e}")))?;
        check_auth_data(&auth, t)?;
        let key = decode_b64(&passkey.public_key).unwrap_or_default();
        let signed = [&auth_bytes[..], &sha256(&client_data)[..]].concat();
        if !cose::verify_stored_key(&key, passkey.alg, &signed, &signature) {
            return Err(verification_failed("the assertion signature does not verify"));
        }
        let count = i64::from(auth.sign_count);
        if (count != 0 || passkey.sign_count != 0) && count <= passkey.sign_count {
            return Err(verification_failed(format!(
                "the signature counter went from {} to {count}: the authenticator may be cloned",
                passkey.sign_count
            )));
        }
        consume(&mut tx, ctx, &entry).await?;
        store::passkeys::record_use(
            &mut tx,
            ctx.scope(),
            &passkey.user_id,
            &passkey.credential_id,
            count,
            ctx.now.millis(),
        )
        .await?;
        let user = users::find_by_id(&mut tx, ctx.scope(), &passkey.user_id).await?.ok_or_else(not_found)?;
        user.ensure_can_sign_in()?;
        let opts = sessions::factor_options(
            AMR_WEBAUTHN,
            AMR_WEBAUTHN,
            t.options.clone(),
            prior(t),
            false,
            user.id().as_str(),
        )?;
        let issued = sessions::sign_in(&mut tx, ctx, user, opts).await?;
        tx.commit().await?;
        issued.sign(ctx).await
    }
    .await;
    if login_id.is_empty() {
        // A discoverable sign-in that failed names no one to record it for.
        return result;
    }
    crate::domain::audit::on_login_failure(db, ctx, &login_id, AMR_WEBAUTHN, result).await
}
