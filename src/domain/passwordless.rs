//! One engine for OTP and magic links (STYLE.md D3): start creates a pending secret and
//! delivers it to the outbox; verify consumes it and signs the user in (creating them on
//! sign-up, or changing their address on update).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::channel::{AddressKind, ChannelKind};
use super::outbox::{self, Outgoing};
use super::sessions::{self, AuthInfo, Claims, SignInOptions};
use super::users::{self, NewUser, User};
use super::Ctx;
use crate::crypto;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::json::null_as_default;
use crate::state::AppState;
use crate::store::{self, codes::CodeRow, Conn};

/// The form of the secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// A 6-digit code, verified with the login ID.
    Otp,
    /// A URL token in the `t` query parameter of a link.
    MagicLink,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Otp => "otp",
            Method::MagicLink => "magiclink",
        }
    }

    fn ttl_secs(self, ctx: &Ctx) -> i64 {
        match self {
            Method::Otp => ctx.project.settings.otp_ttl_secs,
            Method::MagicLink => ctx.project.settings.magic_link_ttl_secs,
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
#[serde(rename_all = "camelCase")]
pub struct LoginOptions {
    #[serde(default, deserialize_with = "null_as_default")]
    pub stepup: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    pub mfa: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    pub custom_claims: Map<String, Value>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub revoke_other_sessions: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    pub tenant_id: String,
}

/// Name fields given at sign-up.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignUpDetails {
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub given_name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub middle_name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub family_name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub email: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub phone: String,
}

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

/// What is kept with the pending secret until it is verified.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Pending {
    address: String,
    user: SignUpDetails,
    options: LoginOptions,
    session_user_id: Option<String>,
    session_amr: Vec<String>,
    add_to_login_ids: bool,
}

/// The masked address a start call answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Masked {
    pub kind: AddressKind,
    pub value: String,
}

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
        let user = users::find_by_id(conn, ctx.project_id(), &session.sub)
            .await?
            .ok_or_else(|| ApiError::user_not_found(&req.login_id))?;
        let address = explicit.ok_or_else(|| ApiError::missing(kind.field()))?;
        kind.validate(&address)?;
        if req.add_to_login_ids {
            if let Some(other) = users::find_by_login_id(conn, ctx.project_id(), &address).await? {
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
    let existing = users::find_by_login_id(conn, ctx.project_id(), &req.login_id).await?;
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

fn link_with_token(base: &str, token: &str) -> String {
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}t={token}")
}

fn redirect_base(state: &AppState, ctx: &Ctx, requested: Option<&str>) -> String {
    match requested.filter(|u| !u.is_empty()) {
        Some(u) => u.to_owned(),
        None if !ctx.project.settings.magic_link_redirect_url.is_empty() => {
            ctx.project.settings.magic_link_redirect_url.clone()
        }
        None => format!("{}/emulator/magiclink", state.settings.public_url),
    }
}

/// The secret of a new pending code: `(code, token, link)`.
fn new_secret(
    state: &AppState,
    ctx: &Ctx,
    method: Method,
    redirect: Option<&str>,
) -> (Option<String>, Option<String>, Option<String>) {
    match method {
        Method::Otp => (Some(crypto::random_digits(6)), None, None),
        Method::MagicLink => {
            let token = crypto::random_alnum(64);
            let link = link_with_token(&redirect_base(state, ctx, redirect), &token);
            (None, Some(token), Some(link))
        }
    }
}

/// Starts a flow: checks the user, stores the pending secret and writes the message.
pub async fn start(
    state: &AppState,
    ctx: &Ctx,
    method: Method,
    channel: ChannelKind,
    purpose: Purpose,
    req: StartRequest,
) -> ApiResult<Masked> {
    start_as(state, ctx, method, channel, purpose, req, None).await
}

/// Like [`start`], with the outbox message's `kind` given (e.g. `password-reset`, whose
/// link is then verified like any magic link); `None` means the method's own kind.
pub async fn start_as(
    state: &AppState,
    ctx: &Ctx,
    method: Method,
    channel: ChannelKind,
    purpose: Purpose,
    req: StartRequest,
    outbox_kind: Option<&str>,
) -> ApiResult<Masked> {
    if req.login_id.trim().is_empty() && purpose != Purpose::Update {
        return Err(ApiError::missing("loginId"));
    }
    let mut tx = store::begin_immediate(&state.db).await?;
    let (address, user) = resolve_address(&mut tx, ctx, channel, purpose, &req).await?;
    let login_id = match (&user, purpose) {
        (Some(u), Purpose::Update) => u.login_ids.first().cloned().unwrap_or_else(|| req.login_id.clone()),
        _ => req.login_id.clone(),
    };
    let (code, token, link) = new_secret(state, ctx, method, req.redirect_url.as_deref());
    let pending = Pending {
        address: address.clone(),
        user: req.user,
        options: req.options,
        session_user_id: req.session.as_ref().map(|s| s.sub.clone()),
        session_amr: req.session.map(|s| s.amr).unwrap_or_default(),
        add_to_login_ids: req.add_to_login_ids,
    };
    store::codes::insert(
        &mut tx,
        ctx.project_id(),
        &CodeRow {
            id: 0,
            method: method.as_str().into(),
            channel: channel.as_str().into(),
            purpose: purpose.as_str().into(),
            login_id: login_id.clone(),
            code: code.clone(),
            token: token.clone(),
            payload: store::json_text(&pending)?,
            attempts: 0,
            expires_ms: ctx.now.plus_secs(method.ttl_secs(ctx)).millis(),
            consumed_ms: None,
            created_ms: ctx.now.millis(),
        },
    )
    .await?;
    outbox::write(
        &mut tx,
        ctx,
        Outgoing {
            channel,
            to: &address,
            login_id: &login_id,
            kind: outbox_kind.unwrap_or(method.as_str()),
            code: code.as_deref(),
            link: link.as_deref(),
            token: token.as_deref(),
        },
    )
    .await?;
    tx.commit().await?;
    state.outbox.notify();
    let kind = channel.address_kind();
    Ok(Masked { kind, value: kind.mask(&address) })
}

/// Creates a pending secret for a test user without sending anything; the secret is returned
/// (the one place a code appears in a response, as in Descope).
pub async fn generate_for_test_user(
    state: &AppState,
    ctx: &Ctx,
    method: Method,
    channel: ChannelKind,
    login_id: &str,
    redirect_url: Option<&str>,
    options: LoginOptions,
) -> ApiResult<(Option<String>, Option<String>)> {
    let mut tx = store::begin_immediate(&state.db).await?;
    let user = users::find_by_login_id(&mut tx, ctx.project_id(), login_id)
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
    let (code, token, link) = new_secret(state, ctx, method, redirect_url);
    let pending = Pending { address, options, ..Pending::default() };
    store::codes::insert(
        &mut tx,
        ctx.project_id(),
        &CodeRow {
            id: 0,
            method: method.as_str().into(),
            channel: channel.as_str().into(),
            purpose: Purpose::SignIn.as_str().into(),
            login_id: login_id.to_owned(),
            code: code.clone(),
            token,
            payload: store::json_text(&pending)?,
            attempts: 0,
            expires_ms: ctx.now.plus_secs(method.ttl_secs(ctx)).millis(),
            consumed_ms: None,
            created_ms: ctx.now.millis(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((code, link))
}

/// Verifies a one-time code for a login ID. Wrong codes count against every live code of the
/// login; a code that reaches the project's attempt limit is voided.
pub async fn verify_code(
    state: &AppState,
    ctx: &Ctx,
    channel: ChannelKind,
    login_id: &str,
    code: &str,
) -> ApiResult<AuthInfo> {
    if login_id.is_empty() {
        return Err(ApiError::missing("loginId"));
    }
    if code.is_empty() {
        return Err(ApiError::missing("code"));
    }
    let mut tx = store::begin_immediate(&state.db).await?;
    let max = ctx.project.settings.otp_max_attempts.max(1);
    let live: Vec<CodeRow> = store::codes::live_for_login(
        &mut tx,
        ctx.project_id(),
        login_id,
        Method::Otp.as_str(),
        channel.as_str(),
        ctx.now.millis(),
    )
    .await?
    .into_iter()
    .filter(|c| c.attempts < max)
    .collect();
    let matching = live.iter().find(|c| c.code.as_deref().is_some_and(|c| crypto::secrets_equal(c, code)));
    let Some(row) = matching.cloned() else {
        let ids: Vec<i64> = live.iter().map(|c| c.id).collect();
        store::codes::add_attempt(&mut tx, ctx.project_id(), &ids).await?;
        tx.commit().await?;
        let exhausted = !live.is_empty() && live.iter().all(|c| c.attempts + 1 >= max);
        return Err(if exhausted {
            ApiError::new(ErrorKind::TooManyOtpAttempts, "Too many wrong codes; request a new one")
        } else {
            ApiError::new(ErrorKind::InvalidOneTimeCode, "Wrong, expired or used code")
        });
    };
    store::codes::consume(&mut tx, ctx.project_id(), row.id, ctx.now.millis()).await?;
    let info = complete(&mut tx, ctx, channel, &row).await?;
    tx.commit().await?;
    Ok(info)
}

/// Verifies a magic-link token (`POST /v1/auth/magiclink/verify`).
pub async fn verify_token(state: &AppState, ctx: &Ctx, token: &str) -> ApiResult<AuthInfo> {
    if token.is_empty() {
        return Err(ApiError::missing("token"));
    }
    let mut tx = store::begin_immediate(&state.db).await?;
    let row = store::codes::get_by_token(&mut tx, ctx.project_id(), token)
        .await?
        .filter(|r| r.method == Method::MagicLink.as_str())
        .ok_or_else(|| ApiError::new(ErrorKind::InvalidToken, "Unknown token"))?;
    if row.consumed_ms.is_some() {
        return Err(ApiError::new(ErrorKind::InvalidToken, "Token was already used"));
    }
    if row.expires_ms <= ctx.now.millis() {
        return Err(ApiError::new(ErrorKind::InvalidToken, "Token expired"));
    }
    let channel =
        ChannelKind::parse(&row.channel).ok_or_else(|| ApiError::internal("bad channel in code row"))?;
    store::codes::consume(&mut tx, ctx.project_id(), row.id, ctx.now.millis()).await?;
    let info = complete(&mut tx, ctx, channel, &row).await?;
    tx.commit().await?;
    Ok(info)
}

/// Applies a verified secret: creates the user on sign-up, marks the address verified or
/// changes it on update, then signs in.
async fn complete(conn: &mut Conn, ctx: &Ctx, channel: ChannelKind, row: &CodeRow) -> ApiResult<AuthInfo> {
    let pending: Pending = store::from_json_text(&row.payload);
    let kind = channel.address_kind();
    let purpose = Purpose::parse(&row.purpose);
    let project = ctx.project_id();
    let existing = match (&pending.session_user_id, purpose) {
        (Some(id), Purpose::Update) => users::find_by_id(conn, project, id).await?,
        _ => users::find_by_login_id(conn, project, &row.login_id).await?,
    };
    let mut user = match (existing, purpose) {
        (Some(_), Purpose::SignUp) => {
            return Err(ApiError::new(
                ErrorKind::UserAlreadyExists,
                format!("User {} already exists", row.login_id),
            ))
        }
        (Some(u), _) => u,
        (None, Purpose::SignUp | Purpose::SignUpOrIn) => {
            let (email, phone) = match kind {
                AddressKind::Email => (pending.address.clone(), pending.user.phone.clone()),
                AddressKind::Phone => (pending.user.email.clone(), pending.address.clone()),
            };
            let d = pending.user.clone();
            users::create(
                conn,
                project,
                ctx.now,
                NewUser {
                    login_ids: vec![row.login_id.clone()],
                    email,
                    phone,
                    name: d.name,
                    given_name: d.given_name,
                    middle_name: d.middle_name,
                    family_name: d.family_name,
                    verified_email: kind == AddressKind::Email,
                    verified_phone: kind == AddressKind::Phone,
                    ..NewUser::default()
                },
            )
            .await?
        }
        (None, _) => return Err(ApiError::user_not_found(&row.login_id)),
    };
    match kind {
        AddressKind::Email => {
            user.row.email = pending.address.clone();
            user.row.verified_email = true;
        }
        AddressKind::Phone => {
            user.row.phone = pending.address.clone();
            user.row.verified_phone = true;
        }
    }
    user.row.modified_ms = ctx.now.millis();
    store::users::update(conn, project, &user.row).await?;
    if purpose == Purpose::Update && pending.add_to_login_ids && !user.login_ids.contains(&pending.address) {
        store::users::insert_login_id(
            conn,
            project,
            user.id(),
            &pending.address,
            user.login_ids.len() as i64,
        )
        .await?;
        user.login_ids.push(pending.address.clone());
    }
    let mut amr = if pending.options.stepup || pending.options.mfa || purpose == Purpose::Update {
        pending.session_amr.clone()
    } else {
        Vec::new()
    };
    if !amr.iter().any(|a| a == channel.amr()) {
        amr.push(channel.amr().to_owned());
    }
    if pending.options.mfa && amr.len() > 1 && !amr.iter().any(|a| a == "mfa") {
        amr.push("mfa".to_owned());
    }
    let dct = Some(pending.options.tenant_id.clone()).filter(|t| !t.is_empty());
    sessions::sign_in(
        conn,
        ctx,
        user,
        SignInOptions {
            amr,
            dct,
            custom_claims: pending.options.custom_claims,
            method: row.method.clone(),
            revoke_other_sessions: pending.options.revoke_other_sessions,
        },
    )
    .await
}
