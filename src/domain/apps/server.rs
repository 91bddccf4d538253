//! The authorization server (Descope as an OAuth 2.0 / OIDC provider), parameterised by the
//! project, the client and so its issuer: authorize (code + PKCE S256), the sign-in page's
//! and hosted flows' `finish-authorize`, the token endpoint (authorization code, rotating
//! refresh tokens, client credentials), userinfo, revocation and logout.
//!
//! Who signs in at authorize, first that applies: an identity queued with
//! `POST /emulator/v1/projects/{P}/signin/next`, `login_hint` naming a user, a session JWT
//! of the project (the `DS` cookie or `Bearer <P>:<jwt>`), else the emulator's sign-in page.
//! Consent is granted at once (federated and SSO apps ask none).
//!
//! Tokens: the access token is an ordinary Descope session JWT and the refresh token its
//! refresh JWT, so every SDK validates them; the ID token is signed with the project's key,
//! issued by the client's issuer, with claims by scope and the project's scope→claim mappings.

use aws_lc_rs::digest;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::net::IpAddr;

use super::agentic::{self, Grantee, Target};
use super::registry::{self, Client, ClientKind};
use crate::domain::federation::idp::append_query;
use crate::domain::identity::accesskeys::{self, ExchangeOptions};
use crate::domain::identity::users::{self, User};
use crate::domain::pending::{self, Handles, Kind, Refusal};
use crate::domain::sessions::{self, Claims, SignInOptions, TokenKind, DRN_REFRESH, DRN_SESSION};
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::store::{self, apps::OAuthRefreshRow, Conn, Db};

/// How long an authorization code lives (seconds of emulator time).
pub const CODE_LIFETIME_SECS: i64 = 300;
/// How long an authorize request waits at the sign-in page.
pub const STATE_LIFETIME_SECS: i64 = 600;
/// The `idp_queue` target of identities queued for the authorization server.
pub const SIGNIN_QUEUE: &str = "signin";

/// The scopes every client may ask for.
pub const STANDARD_SCOPES: &[&str] = &[
    "openid",
    "profile",
    "email",
    "phone",
    "offline_access",
    "roles",
    "descope.claims",
    "descope.custom_claims",
];

/// An authorize request (query or form parameters).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthorizeRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub response_type: String,
    pub scope: String,
    pub state: String,
    pub nonce: String,
    pub code_challenge: String,
    pub code_challenge_method: String,
    pub prompt: String,
    pub login_hint: String,
    /// Inbound apps: the tenant the consent is given for.
    pub tenant: String,
    /// RFC 8707 resource indicators.
    pub resource: Vec<String>,
    /// The MCP server of an agentic path (`/oauth2/v1/apps/agentic/{P}/{id}/…`).
    pub mcp_server: String,
}

/// A user the sign-in page offers.
#[derive(Debug, Clone)]
pub struct KnownUser {
    pub login_id: String,
    pub name: String,
}

/// What authorize answers.
#[derive(Debug, Clone)]
pub enum AuthorizeOutcome {
    /// Back to the client: `code` and `state`, or `error`.
    Redirect(String),
    /// Nobody to sign in: the sign-in page, which finishes with `state_id`.
    SignIn { state_id: String, users: Vec<KnownUser>, client_id: String },
}

/// An authorize request waiting at the sign-in page.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Waiting {
    app_id: String,
    req: AuthorizeRequest,
}

/// What an authorization code is bound to.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct CodeGrant {
    client_id: String,
    app_id: String,
    redirect_uri: String,
    code_challenge: String,
    nonce: String,
    scope: String,
    user_id: String,
    auth_time: i64,
    amr: Vec<String>,
    /// The access tokens' `aud` (empty = the client's own).
    audience: Vec<String>,
    /// The RFC 8707 resources of the request.
    resources: Vec<String>,
}

fn invalid_request(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorKind::InvalidRequest, message)
}

fn invalid_grant(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorKind::InvalidGrant, message)
}

fn invalid_client(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorKind::InvalidClient, message)
}

/// The scopes of a space-separated list, without repeats.
pub fn scopes_of(scope: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in scope.split_whitespace() {
        if !out.iter().any(|o| o == s) {
            out.push(s.to_owned());
        }
    }
    out
}

/// The client and redirect URI of an authorize request, checked before anything may
/// redirect: a problem with either is answered here (400), never at the redirect URI.
async fn client_and_redirect(
    conn: &mut Conn,
    ctx: &Ctx,
    app_id: Option<&str>,
    req: &mut AuthorizeRequest,
) -> ApiResult<Client> {
    if req.client_id.is_empty() {
        return Err(invalid_request("Missing client_id"));
    }
    let client = registry::find(conn, ctx, &req.client_id, app_id)
        .await?
        .ok_or_else(|| invalid_request(format!("Unknown client_id {}", req.client_id)))?;
    if req.redirect_uri.is_empty() {
        match client.redirect_uris.as_slice() {
            [only] => req.redirect_uri = only.clone(),
            _ => return Err(invalid_request("Missing redirect_uri")),
        }
    }
    if url::Url::parse(&req.redirect_uri).is_err() || req.redirect_uri.contains('#') {
        return Err(invalid_request("redirect_uri must be an absolute URL without a fragment"));
    }
    if !client.accepts_redirect(&req.redirect_uri) {
        return Err(invalid_request("redirect_uri is not registered for this client"));
    }
    Ok(client)
}

/// The redirect back to the client with an error.
fn error_redirect(req: &AuthorizeRequest, error: &str, description: &str) -> String {
    let mut pairs = vec![("error", error), ("error_description", description)];
    if !req.state.is_empty() {
        pairs.push(("state", &req.state));
    }
    append_query(&req.redirect_uri, &pairs)
}

/// Checks the request's other parameters: the error to redirect with, if any.
async fn check_request(
    conn: &mut Conn,
    ctx: &Ctx,
    client: &Client,
    req: &AuthorizeRequest,
) -> ApiResult<Option<(&'static str, String)>> {
    if req.response_type != "code" {
        return Ok(Some(("unsupported_response_type", "Only response_type=code is supported".into())));
    }
    if !client.allows_grant("authorization_code") {
        return Ok(Some((
            "unauthorized_client",
            "The client may not use the authorization code grant".into(),
        )));
    }
    let method = req.code_challenge_method.as_str();
    if req.code_challenge.is_empty() {
        if !method.is_empty() {
            return Ok(Some(("invalid_request", "code_challenge_method without code_challenge".into())));
        }
        if client.public || client.force_pkce {
            return Ok(Some(("invalid_request", "This client must use PKCE (code_challenge, S256)".into())));
        }
    } else {
        if method != "S256" {
            return Ok(Some(("invalid_request", "Only code_challenge_method=S256 is supported".into())));
        }
        let ok = (43..=128).contains(&req.code_challenge.len())
            && req.code_challenge.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
        if !ok {
            return Ok(Some(("invalid_request", "code_challenge is not a valid S256 challenge".into())));
        }
    }
    if !client.is_default() {
        let mapped: Vec<String> =
            store::apps::mappings(conn, ctx.scope()).await?.into_iter().map(|m| m.scope).collect();
        let allowed = |s: &str| {
            STANDARD_SCOPES.contains(&s)
                || client.scopes.iter().any(|c| c == s)
                || mapped.iter().any(|m| m == s)
        };
        if let Some(bad) = scopes_of(&req.scope).into_iter().find(|s| !allowed(s)) {
            return Ok(Some(("invalid_scope", format!("Scope {bad} is not allowed for this client"))));
        }
    }
    Ok(None)
}

/// The target of an authorize request ([`agentic::target`]); the client may then also name
/// the target's scopes. `Err` when the client may not use this server (never a redirect);
/// `Ok(Err(description))` an `invalid_target` to redirect with.
async fn resolve_target(
    conn: &mut Conn,
    ctx: &Ctx,
    client: &mut Client,
    req: &AuthorizeRequest,
) -> ApiResult<Result<Option<Target>, String>> {
    let requested = scopes_of(&req.scope);
    match agentic::target(conn, ctx, client, &req.mcp_server, &req.resource, &requested, Grantee::User)
        .await?
    {
        Ok(Some(t)) => {
            if client.kind == ClientKind::McpClient {
                client.scopes = t.allowed.clone();
            } else {
                for s in &t.allowed {
                    if !client.scopes.contains(s) {
                        client.scopes.push(s.clone());
                    }
                }
            }
            Ok(Ok(Some(t)))
        }
        Ok(None) => Ok(Ok(None)),
        Err((ErrorKind::InvalidTarget, description)) => Ok(Err(description)),
        Err((kind, description)) => Err(ApiError::new(kind, description)),
    }
}

/// `GET|POST /oauth2/v1/authorize` (and `/{ssoAppId}/oauth2/v1/authorize`): see the module.
/// `sessions` are the session JWTs the request carries (cookie, bearer).
pub async fn authorize(
    db: &Db,
    ctx: &Ctx,
    app_id: Option<&str>,
    mut req: AuthorizeRequest,
    session_jwts: &[String],
) -> ApiResult<AuthorizeOutcome> {
    let mut tx = db.begin().await?;
    let mut client = client_and_redirect(&mut tx, ctx, app_id, &mut req).await?;
    let target = match resolve_target(&mut tx, ctx, &mut client, &req).await? {
        Ok(t) => t,
        Err(description) => {
            return Ok(AuthorizeOutcome::Redirect(error_redirect(&req, "invalid_target", &description)))
        }
    };
    if let Some((error, description)) = check_request(&mut tx, ctx, &client, &req).await? {
        return Ok(AuthorizeOutcome::Redirect(error_redirect(&req, error, &description)));
    }
    let force_login = req.prompt.split_whitespace().any(|p| p == "login");
    let who = who_signs_in(&mut tx, db, ctx, &req.login_hint, force_login, session_jwts).await?;
    let url = match who {
        Some((user, amr, auth_time)) => {
            grant_code(&mut tx, ctx, &client, &req, target.as_ref(), &user, amr, auth_time).await?
        }
        None if req.prompt.split_whitespace().any(|p| p == "none") => {
            error_redirect(&req, "login_required", "Nobody is signed in")
        }
        None => {
            // The project rides in the state ID: finish-authorize has nothing else to go on.
            let state_id = format!("{}.{}", ctx.project_id(), pending::new_token());
            let waiting = Waiting { app_id: app_id.unwrap_or_default().to_owned(), req };
            pending::create(
                &mut tx,
                ctx.scope(),
                ctx.now,
                pending::New {
                    kind: Kind::AuthzState,
                    channel: "",
                    intent: "authorize",
                    subject: "",
                    handles: Handles { token: Some(state_id.clone()), ..Handles::default() },
                    payload: &waiting,
                    lifetime_secs: STATE_LIFETIME_SECS,
                },
            )
            .await?;
            let users = known_users(&mut tx, ctx).await?;
            tx.commit().await?;
            return Ok(AuthorizeOutcome::SignIn { state_id, users, client_id: client.client_id });
        }
    };
    tx.commit().await?;
    Ok(AuthorizeOutcome::Redirect(url))
}

/// Who is signed in: the user, the methods they signed in with (`amr`) and when.
pub type Who = (User, Vec<String>, i64);

/// Who signs in at an authorization server (OIDC authorize, SAML and WS-Fed IdP), first that
/// applies: an identity queued with `signin/next` (used up), the `login_hint` user, a session
/// JWT of the project (unless `force_login`). `None`: the sign-in page must ask.
pub async fn who_signs_in(
    conn: &mut Conn,
    db: &Db,
    ctx: &Ctx,
    login_hint: &str,
    force_login: bool,
    session_jwts: &[String],
) -> ApiResult<Option<Who>> {
    if let Some(queued) = store::federation::dequeue(conn, ctx.scope(), &[SIGNIN_QUEUE.to_owned()]).await? {
        let login_id: String = serde_json::from_str(&queued).unwrap_or_default();
        if let Some(user) = users::find_by_login_id(conn, ctx.scope(), &login_id).await? {
            return Ok(Some((user, vec!["emulator".into()], ctx.now.secs())));
        }
    }
    if !login_hint.is_empty() {
        if let Some(user) = users::find_by_login_id(conn, ctx.scope(), login_hint).await? {
            return Ok(Some((user, vec!["emulator".into()], ctx.now.secs())));
        }
    }
    if !force_login {
        return finisher_user(conn, db, ctx, &Finisher::Sessions(session_jwts.to_vec())).await;
    }
    Ok(None)
}

/// The user a finisher names: the login ID's user, or the first valid session's.
pub async fn finisher_user(conn: &mut Conn, db: &Db, ctx: &Ctx, who: &Finisher) -> ApiResult<Option<Who>> {
    Ok(match who {
        Finisher::LoginId(login_id) => users::find_by_login_id(conn, ctx.scope(), login_id.trim())
            .await?
            .map(|u| (u, vec!["emulator".to_owned()], ctx.now.secs())),
        Finisher::Sessions(jwts) => {
            let mut found = None;
            for jwt in jwts {
                let Ok(claims) = sessions::verify(db, ctx, jwt, TokenKind::Session).await else { continue };
                if let Some(user) = users::find_by_id(conn, ctx.scope(), &claims.sub).await? {
                    found = Some((user, claims.amr.clone(), claims.iat));
                    break;
                }
            }
            found
        }
    })
}

/// The users the sign-in page offers.
pub async fn known_users(conn: &mut Conn, ctx: &Ctx) -> ApiResult<Vec<KnownUser>> {
    Ok(store::apps::known_users(conn, ctx.scope(), 20)
        .await?
        .into_iter()
        .map(|(login_id, name)| KnownUser { login_id, name })
        .collect())
}

/// Issues a code for the user and answers the redirect carrying it.
#[allow(clippy::too_many_arguments)]
async fn grant_code(
    conn: &mut Conn,
    ctx: &Ctx,
    client: &Client,
    req: &AuthorizeRequest,
    target: Option<&Target>,
    user: &User,
    amr: Vec<String>,
    auth_time: i64,
) -> ApiResult<String> {
    if user.ensure_can_sign_in().is_err() {
        return Ok(error_redirect(req, "access_denied", "The user may not sign in"));
    }
    let scope = match target {
        Some(t) => t.scopes.join(" "),
        None => req.scope.clone(),
    };
    if client.is_inbound() {
        // Consent is auto-approved, but recorded (merged into the user's earlier one).
        super::inbound::record_consent(
            conn,
            ctx,
            &client.app_id,
            user.id().as_str(),
            &req.tenant,
            &scopes_of(&scope),
        )
        .await?;
    }
    let code = pending::new_token();
    let grant = CodeGrant {
        client_id: client.client_id.clone(),
        app_id: client.app_id.clone(),
        redirect_uri: req.redirect_uri.clone(),
        code_challenge: req.code_challenge.clone(),
        nonce: req.nonce.clone(),
        scope,
        user_id: user.id().to_string(),
        auth_time,
        amr,
        audience: target.map(|t| t.audience.clone()).unwrap_or_default(),
        resources: req.resource.clone(),
    };
    pending::create(
        conn,
        ctx.scope(),
        ctx.now,
        pending::New {
            kind: Kind::AuthzCode,
            channel: "",
            intent: "authorize",
            subject: user.id().as_str(),
            handles: Handles { token: Some(code.clone()), ..Handles::default() },
            payload: &grant,
            lifetime_secs: CODE_LIFETIME_SECS,
        },
    )
    .await?;
    let mut pairs = vec![("code", code.as_str())];
    if !req.state.is_empty() {
        pairs.push(("state", &req.state));
    }
    Ok(append_query(&req.redirect_uri, &pairs))
}

/// Who finishes a waiting authorize request.
#[derive(Debug, Clone)]
pub enum Finisher {
    /// A login ID chosen or typed at the sign-in page.
    LoginId(String),
    /// Session JWTs the request carries (a hosted flow that signed the person in).
    Sessions(Vec<String>),
}

/// `GET|POST /oauth2/v1/finish-authorize {state_id}`: finishes an authorize request that
/// waited at the sign-in page; the redirect back to the client.
pub async fn finish(db: &Db, ctx: &Ctx, state_id: &str, who: Finisher) -> ApiResult<String> {
    if state_id.is_empty() {
        return Err(invalid_request("Missing state_id"));
    }
    let mut tx = db.begin().await?;
    let entry =
        match pending::find_by_token::<Waiting>(&mut tx, ctx.scope(), ctx.now, Kind::AuthzState, state_id)
            .await?
        {
            Ok(e) => e,
            Err(Refusal::Expired) => return Err(invalid_request("The sign-in expired; start again")),
            Err(_) => return Err(invalid_request("Unknown or used state_id")),
        };
    let mut req = entry.payload.req.clone();
    let app_id = Some(entry.payload.app_id.as_str()).filter(|a| !a.is_empty());
    let mut client = client_and_redirect(&mut tx, ctx, app_id, &mut req).await?;
    let target = match resolve_target(&mut tx, ctx, &mut client, &req).await? {
        Ok(t) => t,
        Err(description) => return Ok(error_redirect(&req, "invalid_target", &description)),
    };
    let found = finisher_user(&mut tx, db, ctx, &who).await?;
    let Some((user, amr, auth_time)) = found else {
        return Err(match who {
            Finisher::LoginId(id) => {
                ApiError::not_found(format!("No user with login ID {id} in this project"))
            }
            Finisher::Sessions(_) => {
                ApiError::unauthorized("No session of this project to finish the sign-in with")
            }
        });
    };
    if !pending::consume(&mut tx, ctx.scope(), ctx.now, &entry).await? {
        return Err(invalid_request("Unknown or used state_id"));
    }
    let url = grant_code(&mut tx, ctx, &client, &req, target.as_ref(), &user, amr, auth_time).await?;
    tx.commit().await?;
    Ok(url)
}

/// A token request (form or JSON).
#[derive(Debug, Clone, Default)]
pub struct TokenRequest {
    pub grant_type: String,
    pub code: String,
    pub redirect_uri: String,
    pub code_verifier: String,
    pub refresh_token: String,
    pub scope: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub device_code: String,
    /// CIBA: the `auth_req_id` polled with.
    pub auth_req_id: String,
    /// RFC 8707 resource indicators.
    pub resource: Vec<String>,
    /// The MCP server of an agentic path.
    pub mcp_server: String,
}

/// The token endpoint's answer.
#[derive(Debug, Clone, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    pub expires_in: i64,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub scope: String,
}

/// `POST /oauth2/v1/token`.
pub async fn token(
    db: &Db,
    ctx: &Ctx,
    app_id: Option<&str>,
    req: TokenRequest,
    client_ip: IpAddr,
) -> ApiResult<TokenResponse> {
    let mut conn = db.acquire().await?;
    let client = registry::find(&mut conn, ctx, &req.client_id, app_id)
        .await?
        .ok_or_else(|| invalid_client(format!("Unknown client {}", req.client_id)))?;
    if (!req.mcp_server.is_empty() || client.kind == ClientKind::McpClient)
        && (client.kind != ClientKind::McpClient || client.mcp_server_id != req.mcp_server)
    {
        return Err(invalid_client(format!("The client is not a client of MCP server {}", req.mcp_server)));
    }
    let authenticated = match req.client_secret.as_deref() {
        Some(secret) => {
            if !registry::secret_matches(&mut conn, ctx, &client, secret).await? {
                return Err(invalid_client("Invalid client secret"));
            }
            true
        }
        None => false,
    };
    drop(conn);
    let grant = req.grant_type.as_str();
    if grant.is_empty() {
        return Err(invalid_request("Missing grant_type"));
    }
    if !matches!(
        grant,
        "authorization_code" | "refresh_token" | "client_credentials" | DEVICE_GRANT | CIBA_GRANT
    ) {
        return Err(ApiError::new(
            ErrorKind::UnsupportedGrantType,
            format!("Unsupported grant_type {grant}"),
        ));
    }
    if !client.allows_grant(grant) {
        return Err(ApiError::new(
            ErrorKind::UnauthorizedClient,
            format!("The client may not use the {grant} grant"),
        ));
    }
    match grant {
        "authorization_code" => exchange_code(db, ctx, &client, authenticated, &req).await,
        "refresh_token" => refresh(db, ctx, &client, authenticated, &req).await,
        DEVICE_GRANT => device_token(db, ctx, &client, &req).await,
        CIBA_GRANT => {
            if !authenticated {
                return Err(invalid_client("CIBA polling needs the client's secret"));
            }
            if req.auth_req_id.is_empty() {
                return Err(invalid_request("Missing auth_req_id"));
            }
            let polled = TokenRequest { device_code: req.auth_req_id.clone(), ..req.clone() };
            device_token(db, ctx, &client, &polled).await
        }
        _ => client_credentials(db, ctx, &client, authenticated, &req, client_ip).await,
    }
}

/// The PKCE S256 transform of a verifier.
pub fn s256(verifier: &str) -> String {
    B64.encode(digest::digest(&digest::SHA256, verifier.as_bytes()))
}

/// `at_hash`: the left half of the SHA-256 of the access token, base64url.
pub fn at_hash(access_token: &str) -> String {
    let d = digest::digest(&digest::SHA256, access_token.as_bytes());
    B64.encode(&d.as_ref()[..16])
}

async fn exchange_code(
    db: &Db,
    ctx: &Ctx,
    client: &Client,
    authenticated: bool,
    req: &TokenRequest,
) -> ApiResult<TokenResponse> {
    if req.code.is_empty() {
        return Err(invalid_request("Missing code"));
    }
    let mut tx = store::begin_immediate(db).await?;
    let entry =
        match pending::find_by_token::<CodeGrant>(&mut tx, ctx.scope(), ctx.now, Kind::AuthzCode, &req.code)
            .await?
        {
            Ok(e) => e,
            Err(Refusal::Expired) => return Err(invalid_grant("The authorization code expired")),
            Err(Refusal::Used) => return Err(invalid_grant("The authorization code was used already")),
            Err(_) => return Err(invalid_grant("Unknown authorization code")),
        };
    let grant = entry.payload.clone();
    if grant.client_id != client.client_id {
        return Err(invalid_grant("The authorization code was issued to another client"));
    }
    if !req.redirect_uri.is_empty() && req.redirect_uri != grant.redirect_uri {
        return Err(invalid_grant("redirect_uri does not match the one of the authorization request"));
    }
    if let Some(r) = req.resource.iter().find(|r| !grant.resources.contains(r)) {
        return Err(ApiError::new(
            ErrorKind::InvalidTarget,
            format!("{r} was not a resource of the authorization request"),
        ));
    }
    if grant.code_challenge.is_empty() {
        if !authenticated {
            return Err(invalid_client("Client authentication is required (or use PKCE)"));
        }
        if !req.code_verifier.is_empty() {
            return Err(invalid_grant("code_verifier sent for a code issued without code_challenge"));
        }
    } else if req.code_verifier.is_empty() {
        return Err(invalid_grant("Missing code_verifier"));
    } else if !crate::crypto::secrets_equal(&s256(&req.code_verifier), &grant.code_challenge) {
        return Err(invalid_grant("code_verifier does not match code_challenge"));
    }
    if !pending::consume(&mut tx, ctx.scope(), ctx.now, &entry).await? {
        return Err(invalid_grant("The authorization code was used already"));
    }
    let signed_in = SignedIn {
        user_id: grant.user_id.clone(),
        scope: grant.scope.clone(),
        nonce: grant.nonce.clone(),
        auth_time: grant.auth_time,
        amr: grant.amr.clone(),
        audience: grant.audience.clone(),
    };
    user_tokens(tx, ctx, client, signed_in).await
}

/// Who a grant signs in, and how.
struct SignedIn {
    user_id: String,
    scope: String,
    nonce: String,
    auth_time: i64,
    amr: Vec<String>,
    /// The access tokens' `aud` (empty = the client's own).
    audience: Vec<String>,
}

/// Signs a user in for a client (a code or device grant): session and refresh JWTs, a new
/// refresh-token family, and the ID token when `openid` was granted. Commits `tx`.
async fn user_tokens(mut tx: store::Tx, ctx: &Ctx, client: &Client, s: SignedIn) -> ApiResult<TokenResponse> {
    let user = users::find_by_id(&mut tx, ctx.scope(), &s.user_id)
        .await?
        .ok_or_else(|| invalid_grant("The user of this grant no longer exists"))?;
    let opts = SignInOptions { amr: s.amr.clone(), method: "oidc".into(), ..SignInOptions::default() };
    let mut issued = sessions::sign_in(&mut tx, ctx, user, opts).await?;
    shape_access(&mut tx, ctx, client, &s.scope, &s.audience, &mut issued).await?;
    let jti = issued.refresh_jti().unwrap_or_default().to_owned();
    store::apps::insert_refresh(
        &mut tx,
        ctx.scope(),
        &OAuthRefreshRow {
            jti: jti.clone(),
            family: jti.clone(),
            client_id: client.client_id.clone(),
            scope: s.scope.clone(),
            user_id: s.user_id.clone(),
            auth_time: s.auth_time,
            used_ms: None,
            created_ms: ctx.now.millis(),
            audience: store::json_text(&s.audience)?,
        },
    )
    .await?;
    let id_claims = if scopes_of(&s.scope).iter().any(|x| x == "openid") {
        Some(
            id_token_claims(&mut tx, ctx, client, &s.user_id, &s.scope, &s.nonce, s.auth_time, &s.amr, &jti)
                .await?,
        )
    } else {
        None
    };
    tx.commit().await?;
    let info = issued.sign(ctx).await?;
    respond(ctx, info.session_jwt, info.session_exp, Some(info.refresh_jwt), id_claims, s.scope).await
}

/// The `aud` of an inbound app's access tokens, by its `defaultAudience`.
fn inbound_audience(ctx: &Ctx, client: &Client) -> Vec<String> {
    let mut aud = match client.default_audience.as_str() {
        "projectId" => vec![ctx.project_id().to_string()],
        "clientId" => vec![client.client_id.clone()],
        _ => vec![ctx.project_id().to_string(), client.client_id.clone()],
    };
    for a in &client.audience_whitelist {
        if !aud.contains(a) {
            aud.push(a.clone());
        }
    }
    aud
}

/// The claims an inbound app's access token adds: `scope` (space-separated), `aud` (the
/// target's `audience`, else by the client), `azp`.
fn inbound_claims(ctx: &Ctx, client: &Client, scope: &str, audience: &[String]) -> Map<String, Value> {
    let mut extra = Map::new();
    extra.insert("scope".into(), json!(scopes_of(scope).join(" ")));
    let aud = if audience.is_empty() { inbound_audience(ctx, client) } else { audience.to_vec() };
    extra.insert("aud".into(), json!(aud));
    extra.insert("azp".into(), json!(client.client_id));
    extra
}

/// An inbound app's (or MCP client's) access token: its issuer (`<public-url>/v1/apps/<P>`,
/// also for MCP clients) and claims, and only the roles (with their permissions) that the
/// granted permission scopes map, unless the app has `forceAddAllAuthorizationInfo`.
async fn shape_access(
    conn: &mut Conn,
    ctx: &Ctx,
    client: &Client,
    scope: &str,
    audience: &[String],
    issued: &mut sessions::Issued,
) -> ApiResult<()> {
    if !client.is_inbound() {
        return Ok(());
    }
    issued.shape_session(Some(super::inbound::issuer(ctx)), inbound_claims(ctx, client, scope, audience));
    let settings: Map<String, Value> =
        match store::apps::get_client(conn, ctx.scope(), &client.client_id).await? {
            Some(row) => store::from_json_text(&row.settings),
            None => Map::new(),
        };
    if settings.get("forceAddAllAuthorizationInfo").and_then(Value::as_bool) == Some(true) {
        return Ok(());
    }
    let granted = scopes_of(scope);
    let mut allowed: Vec<String> = Vec::new();
    for s in settings.get("permissionsScopes").and_then(Value::as_array).into_iter().flatten() {
        let name = s.get("name").and_then(Value::as_str).unwrap_or_default();
        if !granted.iter().any(|g| g == name) {
            continue;
        }
        for v in s.get("values").and_then(Value::as_array).into_iter().flatten() {
            if let Some(role) = v.as_str() {
                allowed.push(role.to_owned());
            }
        }
    }
    let claims = issued.session_claims_mut();
    let roles: Vec<String> =
        claims.roles.clone().unwrap_or_default().into_iter().filter(|r| allowed.contains(r)).collect();
    let tenants: Vec<(String, Vec<String>)> = claims
        .tenants
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|(t, c)| (t, c.roles.into_iter().filter(|r| allowed.contains(r)).collect()))
        .collect();
    let (permissions, tenant_claims) = sessions::grants(conn, ctx.scope(), &roles, &tenants).await?;
    claims.roles = Some(roles);
    claims.permissions = Some(permissions);
    claims.tenants = Some(tenant_claims);
    Ok(())
}

/// The answer of a grant that issued user tokens: the ID token gets `at_hash` and is signed.
async fn respond(
    ctx: &Ctx,
    access_token: String,
    access_exp: i64,
    refresh_token: Option<String>,
    id_claims: Option<Map<String, Value>>,
    scope: String,
) -> ApiResult<TokenResponse> {
    let id_token = match id_claims {
        Some(mut claims) => {
            claims.insert("at_hash".into(), json!(at_hash(&access_token)));
            let signer = ctx.project.signing.clone();
            Some(
                tokio::task::spawn_blocking(move || signer.sign(&Value::Object(claims)))
                    .await
                    .map_err(ApiError::internal)??,
            )
        }
        None => None,
    };
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        refresh_token,
        id_token,
        expires_in: (access_exp - ctx.now.secs()).max(0),
        scope,
    })
}

async fn refresh(
    db: &Db,
    ctx: &Ctx,
    client: &Client,
    authenticated: bool,
    req: &TokenRequest,
) -> ApiResult<TokenResponse> {
    if req.refresh_token.is_empty() {
        return Err(invalid_request("Missing refresh_token"));
    }
    if !authenticated && !client.public && !client.is_default() {
        return Err(invalid_client("Client authentication is required"));
    }
    let claims = sessions::verify_signature(ctx, &req.refresh_token)
        .map_err(|_| invalid_grant("Invalid refresh token"))?;
    if claims.drn != DRN_REFRESH {
        return Err(invalid_grant("Not a refresh token"));
    }
    if claims.exp <= ctx.now.secs() {
        return Err(invalid_grant("The refresh token expired"));
    }
    let jti = claims.jti.clone().unwrap_or_default();
    let mut tx = store::begin_immediate(db).await?;
    let row = store::apps::get_refresh(&mut tx, ctx.scope(), &jti)
        .await?
        .ok_or_else(|| invalid_grant("This refresh token was not issued by the authorization server"))?;
    if row.client_id != client.client_id {
        return Err(invalid_grant("The refresh token was issued to another client"));
    }
    if !store::apps::mark_refresh_used(&mut tx, ctx.scope(), &jti, ctx.now.millis()).await? {
        // Reuse of a rotated token: whoever holds the family may be an attacker; end it all.
        revoke_family(&mut tx, ctx, &row.family).await?;
        tx.commit().await?;
        return Err(invalid_grant("The refresh token was used already; its sessions are revoked"));
    }
    match store::sessions::get(&mut tx, ctx.scope(), &jti).await? {
        Some(s) if s.revoked_ms.is_none() => {}
        _ => return Err(invalid_grant("The refresh token was revoked")),
    }
    let scope = if req.scope.trim().is_empty() {
        row.scope.clone()
    } else {
        let granted = scopes_of(&row.scope);
        if let Some(bad) = scopes_of(&req.scope).into_iter().find(|s| !granted.contains(s)) {
            return Err(ApiError::new(ErrorKind::InvalidScope, format!("Scope {bad} was not granted")));
        }
        req.scope.clone()
    };
    store::sessions::revoke(&mut tx, ctx.scope(), &jti, ctx.now.millis()).await?;
    let user = users::find_by_id(&mut tx, ctx.scope(), &row.user_id)
        .await?
        .ok_or_else(|| invalid_grant("The user of this refresh token no longer exists"))?;
    let mut issued = sessions::reissue(&mut tx, ctx, user, &claims.amr, claims.dct.as_deref(), &claims.extra)
        .await
        .map_err(|e| invalid_grant(e.message))?;
    let audience: Vec<String> = store::from_json_text(&row.audience);
    shape_access(&mut tx, ctx, client, &scope, &audience, &mut issued).await?;
    let new_jti = issued.refresh_jti().unwrap_or_default().to_owned();
    store::apps::insert_refresh(
        &mut tx,
        ctx.scope(),
        &OAuthRefreshRow {
            jti: new_jti.clone(),
            family: row.family.clone(),
            client_id: client.client_id.clone(),
            scope: row.scope.clone(),
            user_id: row.user_id.clone(),
            auth_time: row.auth_time,
            used_ms: None,
            created_ms: ctx.now.millis(),
            audience: row.audience.clone(),
        },
    )
    .await?;
    let id_claims = if scopes_of(&scope).iter().any(|s| s == "openid") {
        Some(
            id_token_claims(
                &mut tx,
                ctx,
                client,
                &row.user_id,
                &scope,
                "",
                row.auth_time,
                &claims.amr,
                &new_jti,
            )
            .await?,
        )
    } else {
        None
    };
    tx.commit().await?;
    let info = issued.sign(ctx).await?;
    respond(ctx, info.session_jwt, info.session_exp, Some(info.refresh_jwt), id_claims, scope).await
}

/// Revokes every session of a refresh-token family.
async fn revoke_family(conn: &mut Conn, ctx: &Ctx, family: &str) -> ApiResult<()> {
    for jti in store::apps::family_jtis(conn, ctx.scope(), family).await? {
        store::sessions::revoke(conn, ctx.scope(), &jti, ctx.now.millis()).await?;
    }
    Ok(())
}

async fn client_credentials(
    db: &Db,
    ctx: &Ctx,
    client: &Client,
    authenticated: bool,
    req: &TokenRequest,
    client_ip: IpAddr,
) -> ApiResult<TokenResponse> {
    if !authenticated {
        return Err(invalid_client("client_credentials needs the client's secret"));
    }
    if client.is_default() {
        let secret = req.client_secret.as_deref();
        let ex = accesskeys::exchange(db, ctx, secret, client_ip, ExchangeOptions::default())
            .await
            .map_err(|e| invalid_client(e.message))?;
        return Ok(TokenResponse {
            access_token: ex.session_jwt,
            token_type: "Bearer",
            refresh_token: None,
            id_token: None,
            expires_in: (ex.expiration - ctx.now.secs()).max(0),
            scope: req.scope.clone(),
        });
    }
    let iat = ctx.now.secs();
    let exp = iat + ctx.project.settings.session_token_ttl_secs;
    let mut scope = req.scope.clone();
    let mut audience = Vec::new();
    {
        let mut conn = db.acquire().await?;
        let requested = scopes_of(&req.scope);
        match agentic::target(
            &mut conn,
            ctx,
            client,
            &req.mcp_server,
            &req.resource,
            &requested,
            Grantee::Client,
        )
        .await?
        {
            Ok(Some(t)) => {
                scope = t.scopes.join(" ");
                audience = t.audience;
            }
            Ok(None) => {}
            Err((kind, description)) => return Err(ApiError::new(kind, description)),
        }
    }
    let (sub, iss, extra) = if client.is_inbound() {
        (client.app_id.clone(), super::inbound::issuer(ctx), inbound_claims(ctx, client, &scope, &audience))
    } else {
        (client.client_id.clone(), ctx.project.issuer.clone(), Map::new())
    };
    let claims = Claims {
        sub,
        iss,
        iat,
        exp,
        drn: DRN_SESSION.into(),
        amr: Vec::new(),
        jti: None,
        roles: Some(Vec::new()),
        permissions: Some(Vec::new()),
        tenants: Some(Default::default()),
        dct: None,
        extra,
    };
    let access_token = sessions::sign_one(ctx, claims).await?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        refresh_token: None,
        id_token: None,
        expires_in: exp - iat,
        scope,
    })
}

/// The claims of a user that a scope releases (ID token and userinfo).
async fn user_claims(
    conn: &mut Conn,
    ctx: &Ctx,
    user: &User,
    scopes: &[String],
    all: bool,
) -> ApiResult<Map<String, Value>> {
    let has = |s: &str| all || scopes.iter().any(|x| x == s);
    let r = &user.row;
    let mut c = Map::new();
    let mut put = |k: &str, v: &str| {
        if !v.is_empty() {
            c.insert(k.into(), json!(v));
        }
    };
    if has("email") {
        put("email", &r.email);
    }
    if has("profile") {
        put("name", &r.name);
        put("given_name", &r.given_name);
        put("middle_name", &r.middle_name);
        put("family_name", &r.family_name);
        put("picture", &r.picture);
    }
    if has("phone") {
        put("phone_number", &r.phone);
    }
    if has("email") && !r.email.is_empty() {
        c.insert("email_verified".into(), json!(r.verified_email));
    }
    if has("phone") && !r.phone.is_empty() {
        c.insert("phone_number_verified".into(), json!(r.verified_phone));
    }
    if has("roles") || has("descope.claims") {
        let (permissions, tenants) =
            sessions::grants(conn, ctx.scope(), &user.roles, &sessions::tenant_roles(user)).await?;
        c.insert("roles".into(), json!(user.roles));
        c.insert("permissions".into(), json!(permissions));
        c.insert("tenants".into(), serde_json::to_value(tenants)?);
    }
    if has("descope.custom_claims") {
        for (k, v) in user.custom_attributes() {
            c.entry(k).or_insert(v);
        }
    }
    // The project's scope→claim mappings: static values or `{{user.<field>}}` templates.
    for m in store::apps::mappings(conn, ctx.scope()).await? {
        if !scopes.contains(&m.scope) {
            continue;
        }
        let claims: Map<String, Value> = store::from_json_text(&m.claims);
        for (k, v) in claims {
            let value = match v.as_str() {
                Some(t) => render_template(t, user),
                None => v,
            };
            c.insert(k, value);
        }
    }
    Ok(c)
}

/// A mapping value: `{{user.email}}`, `{{user.customAttributes.x}}`, ... or a static value.
fn render_template(t: &str, user: &User) -> Value {
    let Some(path) = t.trim().strip_prefix("{{").and_then(|x| x.strip_suffix("}}")) else {
        return json!(t);
    };
    let path = path.trim();
    let path = path.strip_prefix("user.").unwrap_or(path);
    let r = &user.row;
    match path {
        "email" => json!(r.email),
        "name" => json!(r.name),
        "givenName" | "given_name" => json!(r.given_name),
        "familyName" | "family_name" => json!(r.family_name),
        "middleName" | "middle_name" => json!(r.middle_name),
        "phone" => json!(r.phone),
        "picture" => json!(r.picture),
        "userId" | "id" => json!(r.id.as_str()),
        "loginId" | "loginIds" => json!(user.login_ids.first().cloned().unwrap_or_default()),
        "roles" => json!(user.roles),
        other => match other.strip_prefix("customAttributes.") {
            Some(name) => user.custom_attributes().get(name).cloned().unwrap_or(Value::Null),
            None => Value::Null,
        },
    }
}

/// The claims of an ID token (without `at_hash`, added once the access token is signed).
#[allow(clippy::too_many_arguments)]
async fn id_token_claims(
    conn: &mut Conn,
    ctx: &Ctx,
    client: &Client,
    user_id: &str,
    scope: &str,
    nonce: &str,
    auth_time: i64,
    amr: &[String],
    sid: &str,
) -> ApiResult<Map<String, Value>> {
    let user = users::find_by_id(conn, ctx.scope(), user_id)
        .await?
        .ok_or_else(|| invalid_grant("The user no longer exists"))?;
    let scopes = scopes_of(scope);
    let mut c = user_claims(conn, ctx, &user, &scopes, false).await?;
    let iat = ctx.now.secs();
    for (k, v) in [
        ("iss", json!(client.issuer)),
        ("sub", json!(user_id)),
        ("aud", json!(client.client_id)),
        ("azp", json!(client.client_id)),
        ("iat", json!(iat)),
        ("exp", json!(iat + ctx.project.settings.session_token_ttl_secs)),
        ("auth_time", json!(auth_time)),
        ("amr", json!(amr)),
        ("sid", json!(sid)),
    ] {
        c.insert(k.into(), v);
    }
    if !nonce.is_empty() {
        c.insert("nonce".into(), json!(nonce));
    }
    Ok(c)
}

/// `GET|POST /oauth2/v1/userinfo`: the current claims of the access token's user, flat.
pub async fn userinfo(db: &Db, ctx: &Ctx, access_token: &str) -> ApiResult<Map<String, Value>> {
    let claims = sessions::verify(db, ctx, access_token, TokenKind::Session).await?;
    let mut conn = db.acquire().await?;
    let mut out = Map::new();
    out.insert("sub".into(), json!(claims.sub));
    let Some(user) = users::find_by_id(&mut conn, ctx.scope(), &claims.sub).await? else {
        return Ok(out);
    };
    user.ensure_can_sign_in()
        .map_err(|_| ApiError::new(ErrorKind::InvalidSessionToken, "The user may not sign in"))?;
    out.extend(user_claims(&mut conn, ctx, &user, &[], true).await?);
    Ok(out)
}

/// Decodes a JWT signed with one of the project's keys (any issuer, any expiry).
fn decode_own(ctx: &Ctx, token: &str) -> Option<Map<String, Value>> {
    let header = jsonwebtoken::decode_header(token).ok()?;
    let key = ctx.project.key(header.kid.as_deref()?)?;
    key.decode_unchecked::<Map<String, Value>>(token).ok()
}

/// The project a JWT names in its issuer (`<url>/<P>` or `<url>/<P>/<app>`), unverified: only
/// to pick the project whose keys then verify it.
pub fn project_of_token(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = B64.decode(payload.trim_end_matches('=')).ok()?;
    let claims: Map<String, Value> = serde_json::from_slice(&bytes).ok()?;
    let iss = claims.get("iss")?.as_str()?;
    iss.trim_end_matches('/')
        .rsplit('/')
        .take(2)
        .find(|seg| crate::domain::projects::is_valid_project_id(seg))
        .map(str::to_owned)
}

/// `POST /oauth2/v1/revoke` (RFC 7009): a refresh token ends its session (and its family); an
/// access token or an unknown token is accepted and ignored.
pub async fn revoke(db: &Db, ctx: &Ctx, token: &str) -> ApiResult<()> {
    let Some(claims) = decode_own(ctx, token) else { return Ok(()) };
    if claims.get("drn").and_then(Value::as_str) != Some(DRN_REFRESH) {
        return Ok(());
    }
    let Some(jti) = claims.get("jti").and_then(Value::as_str) else { return Ok(()) };
    end_session(db, ctx, jti).await
}

async fn end_session(db: &Db, ctx: &Ctx, jti: &str) -> ApiResult<()> {
    let mut tx = store::begin_immediate(db).await?;
    match store::apps::get_refresh(&mut tx, ctx.scope(), jti).await? {
        Some(row) => revoke_family(&mut tx, ctx, &row.family).await?,
        None => store::sessions::revoke(&mut tx, ctx.scope(), jti, ctx.now.millis()).await?,
    }
    tx.commit().await
}

/// `GET|POST /oauth2/v1/logout`: ends the session an ID token (`id_token_hint`) was issued with.
pub async fn logout(db: &Db, ctx: &Ctx, id_token_hint: &str) -> ApiResult<()> {
    if id_token_hint.is_empty() {
        return Ok(());
    }
    let claims = decode_own(ctx, id_token_hint).ok_or_else(|| invalid_request("Invalid id_token_hint"))?;
    if let Some(sid) = claims.get("sid").and_then(Value::as_str) {
        end_session(db, ctx, sid).await?;
    }
    Ok(())
}

/// The grant type of the device authorization grant (RFC 8628).
pub const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// How long a device code lives.
pub const DEVICE_LIFETIME_SECS: i64 = 600;
/// The polling interval the device is told.
pub const DEVICE_INTERVAL_SECS: i64 = 5;
/// The subject of a refused device authorization.
const DENIED: &str = "-";

/// What a device authorization is for.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct DeviceGrant {
    client_id: String,
    scope: String,
}

/// The device authorization response (RFC 8628 3.2).
#[derive(Debug, Clone, Serialize)]
pub struct DeviceStart {
    pub device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: String,
    pub expires_in: i64,
    pub interval: i64,
}

/// A user code as typed: letters and digits only, upper case.
fn normalize_user_code(code: &str) -> String {
    code.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
}

/// `POST /oauth2/v1/device`: a device code and a user code. An identity queued with
/// `signin/next` approves it at once; otherwise a person approves it at the emulator's
/// verification page.
pub async fn device_authorize(
    db: &Db,
    ctx: &Ctx,
    app_id: Option<&str>,
    client_id: &str,
    client_secret: Option<&str>,
    scope: &str,
) -> ApiResult<DeviceStart> {
    let mut tx = store::begin_immediate(db).await?;
    let client = registry::find(&mut tx, ctx, client_id, app_id)
        .await?
        .ok_or_else(|| invalid_client(format!("Unknown client {client_id}")))?;
    if let Some(secret) = client_secret {
        if !registry::secret_matches(&mut tx, ctx, &client, secret).await? {
            return Err(invalid_client("Invalid client secret"));
        }
    }
    if !client.allows_grant("authorization_code") {
        return Err(ApiError::new(ErrorKind::UnauthorizedClient, "The client may not sign users in"));
    }
    let raw = crate::crypto::random_alnum(8).to_ascii_uppercase();
    let user_code = format!("{}-{}", &raw[..4], &raw[4..]);
    let device_code = pending::new_token();
    let grant = DeviceGrant { client_id: client.client_id.clone(), scope: scope.to_owned() };
    pending::create(
        &mut tx,
        ctx.scope(),
        ctx.now,
        pending::New {
            kind: Kind::DeviceCode,
            channel: "",
            intent: "device",
            subject: "",
            handles: Handles { token: Some(raw.clone()), pending_ref: Some(device_code.clone()), code: None },
            payload: &grant,
            lifetime_secs: DEVICE_LIFETIME_SECS,
        },
    )
    .await?;
    if let Some(queued) = store::federation::dequeue(&mut tx, ctx.scope(), &[SIGNIN_QUEUE.to_owned()]).await?
    {
        let login_id: String = serde_json::from_str(&queued).unwrap_or_default();
        if let Some(user) = users::find_by_login_id(&mut tx, ctx.scope(), &login_id).await? {
            if let Ok(entry) =
                pending::find_by_token::<DeviceGrant>(&mut tx, ctx.scope(), ctx.now, Kind::DeviceCode, &raw)
                    .await?
            {
                let _ =
                    pending::mark_verified(&mut tx, ctx.scope(), ctx.now, &entry, user.id().as_str()).await?;
            }
        }
    }
    tx.commit().await?;
    let base =
        ctx.project.issuer.strip_suffix(ctx.project_id().as_str()).unwrap_or_default().trim_end_matches('/');
    let verification_uri = format!("{base}/emulator/v1/projects/{}/device", ctx.project_id());
    let verification_uri_complete = append_query(&verification_uri, &[("user_code", &user_code)]);
    Ok(DeviceStart {
        device_code,
        user_code,
        verification_uri,
        verification_uri_complete,
        expires_in: DEVICE_LIFETIME_SECS,
        interval: DEVICE_INTERVAL_SECS,
    })
}

/// The emulator's verification page approves (`login_id`) or refuses a user code.
pub async fn device_decide(db: &Db, ctx: &Ctx, user_code: &str, login_id: Option<&str>) -> ApiResult<()> {
    let code = normalize_user_code(user_code);
    if code.is_empty() {
        return Err(ApiError::missing("user_code"));
    }
    let mut tx = store::begin_immediate(db).await?;
    let entry =
        match pending::find_by_token::<DeviceGrant>(&mut tx, ctx.scope(), ctx.now, Kind::DeviceCode, &code)
            .await?
        {
            Ok(e) => e,
            Err(Refusal::Unknown) => {
                return Err(ApiError::not_found(format!("Unknown user code {user_code}")))
            }
            Err(Refusal::Expired) => return Err(ApiError::invalid("The user code expired")),
            Err(_) => return Err(ApiError::invalid("The user code was used already")),
        };
    let subject = match login_id {
        Some(id) => users::find_by_login_id(&mut tx, ctx.scope(), id.trim())
            .await?
            .ok_or_else(|| ApiError::not_found(format!("No user with login ID {id} in this project")))?
            .id()
            .to_string(),
        None => DENIED.to_owned(),
    };
    if pending::mark_verified(&mut tx, ctx.scope(), ctx.now, &entry, &subject).await?.is_err() {
        return Err(ApiError::invalid("The user code was used already"));
    }
    tx.commit().await
}

/// The device grant: polled until the person decided (RFC 8628 3.4, 3.5).
async fn device_token(db: &Db, ctx: &Ctx, client: &Client, req: &TokenRequest) -> ApiResult<TokenResponse> {
    if req.device_code.is_empty() {
        return Err(invalid_request("Missing device_code"));
    }
    let mut tx = store::begin_immediate(db).await?;
    let entry = match pending::take_verified::<DeviceGrant>(
        &mut tx,
        ctx.scope(),
        ctx.now,
        Kind::DeviceCode,
        &req.device_code,
    )
    .await?
    {
        Ok(e) => e,
        Err(Refusal::NotVerified) => {
            return Err(ApiError::new(
                ErrorKind::AuthorizationPending,
                "The user has not approved the device yet",
            ))
        }
        Err(Refusal::Expired) => {
            return Err(ApiError::new(ErrorKind::ExpiredToken, "The device code expired"))
        }
        Err(Refusal::Used) => return Err(invalid_grant("The device code was used already")),
        Err(Refusal::Unknown) => return Err(invalid_grant("Unknown device code")),
    };
    if entry.payload.client_id != client.client_id {
        return Err(invalid_grant("The device code was issued to another client"));
    }
    if entry.subject == DENIED {
        tx.commit().await?;
        return Err(ApiError::new(ErrorKind::DeviceAccessDenied, "The user refused the device"));
    }
    let signed_in = SignedIn {
        user_id: entry.subject.clone(),
        scope: entry.payload.scope.clone(),
        nonce: String::new(),
        auth_time: entry.verified.map(|t| t.secs()).unwrap_or_else(|| ctx.now.secs()),
        amr: vec!["emulator".into()],
        audience: Vec::new(),
    };
    user_tokens(tx, ctx, client, signed_in).await
}

/// The grant type of CIBA polling (OpenID CIBA Core 10.1).
pub const CIBA_GRANT: &str = "urn:openid:params:grant-type:ciba";

/// The CIBA authentication request's answer (OpenID CIBA Core 7.3).
#[derive(Debug, Clone, Serialize)]
pub struct CibaStart {
    pub auth_req_id: String,
    pub expires_in: i64,
    pub interval: i64,
}

/// `POST /oauth2/v1/apps/bc-authorize` (CIBA, poll mode): the identity queued with
/// `signin/next`, else the user `login_hint` names, approves at once; the client polls the
/// token endpoint with `auth_req_id`.
pub async fn ciba_authorize(
    db: &Db,
    ctx: &Ctx,
    client_id: &str,
    client_secret: Option<&str>,
    scope: &str,
    login_hint: &str,
    requested_expiry: i64,
) -> ApiResult<CibaStart> {
    let mut tx = store::begin_immediate(db).await?;
    let client = registry::find(&mut tx, ctx, client_id, None)
        .await?
        .ok_or_else(|| invalid_client(format!("Unknown client {client_id}")))?;
    let Some(secret) = client_secret else {
        return Err(invalid_client("CIBA needs the client's secret"));
    };
    if !registry::secret_matches(&mut tx, ctx, &client, secret).await? {
        return Err(invalid_client("Invalid client secret"));
    }
    if !client.allows_grant(CIBA_GRANT) {
        return Err(ApiError::new(ErrorKind::UnauthorizedClient, "The client may not use CIBA"));
    }
    if !scopes_of(scope).iter().any(|s| s == "openid") {
        return Err(invalid_request("CIBA requests need the openid scope"));
    }
    let mut user = None;
    if let Some(queued) = store::federation::dequeue(&mut tx, ctx.scope(), &[SIGNIN_QUEUE.to_owned()]).await?
    {
        let login_id: String = serde_json::from_str(&queued).unwrap_or_default();
        user = users::find_by_login_id(&mut tx, ctx.scope(), &login_id).await?;
    }
    if user.is_none() && !login_hint.is_empty() {
        user = users::find_by_login_id(&mut tx, ctx.scope(), login_hint).await?;
    }
    let user = user.ok_or_else(|| {
        ApiError::new(ErrorKind::UnknownUserId, "No queued identity and no user named by login_hint")
    })?;
    let lifetime =
        if requested_expiry > 0 { requested_expiry.min(DEVICE_LIFETIME_SECS) } else { DEVICE_LIFETIME_SECS };
    let handle = pending::new_token();
    let auth_req_id = pending::new_token();
    let grant = DeviceGrant { client_id: client.client_id.clone(), scope: scope.to_owned() };
    pending::create(
        &mut tx,
        ctx.scope(),
        ctx.now,
        pending::New {
            kind: Kind::DeviceCode,
            channel: "",
            intent: "ciba",
            subject: "",
            handles: Handles {
                token: Some(handle.clone()),
                pending_ref: Some(auth_req_id.clone()),
                code: None,
            },
            payload: &grant,
            lifetime_secs: lifetime,
        },
    )
    .await?;
    if let Ok(entry) =
        pending::find_by_token::<DeviceGrant>(&mut tx, ctx.scope(), ctx.now, Kind::DeviceCode, &handle)
            .await?
    {
        let _ = pending::mark_verified(&mut tx, ctx.scope(), ctx.now, &entry, user.id().as_str()).await?;
    }
    tx.commit().await?;
    Ok(CibaStart { auth_req_id, expires_in: lifetime, interval: DEVICE_INTERVAL_SECS })
}

/// `POST /emulator/v1/projects/{P}/signin/next {"loginId"}`: queues who signs in at the next
/// authorize request that needs someone (first in, first out, used once).
pub async fn enqueue_signin(db: &Db, ctx: &Ctx, login_id: &str) -> ApiResult<()> {
    if login_id.trim().is_empty() {
        return Err(ApiError::missing("loginId"));
    }
    let mut tx = db.begin().await?;
    if users::find_by_login_id(&mut tx, ctx.scope(), login_id).await?.is_none() {
        return Err(ApiError::not_found(format!("No user with login ID {login_id} in this project")));
    }
    let identity = serde_json::to_string(login_id)?;
    store::federation::enqueue(&mut tx, ctx.scope(), SIGNIN_QUEUE, &identity, ctx.now.millis()).await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_is_base64url_of_sha256() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gXk-kEjXk"),
            "JIR41DDhPj7MhvjRSfrWp1B4L4s-HZqJOIzA-517L3k"
        );
    }

    #[test]
    fn project_of_token_reads_the_issuer() {
        let payload = B64.encode(br#"{"iss":"http://h:1/P2abc/myapp"}"#);
        assert_eq!(project_of_token(&format!("x.{payload}.y")).as_deref(), Some("P2abc"));
        let payload = B64.encode(br#"{"iss":"http://h:1/P2abc"}"#);
        assert_eq!(project_of_token(&format!("x.{payload}.y")).as_deref(), Some("P2abc"));
        assert_eq!(project_of_token("nope"), None);
    }
}

/// An Entra ID external authentication method (EAM) request: an OIDC implicit `id_token`
/// request Entra sends with `response_mode=form_post` and the user's Entra token as
/// `id_token_hint`.
#[derive(Debug, Clone, Default)]
pub struct EntraMfaRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub response_type: String,
    pub scope: String,
    pub state: String,
    pub nonce: String,
    pub id_token_hint: String,
    /// The OIDC `claims` request (JSON): `id_token.acr.values`, `id_token.amr.values`.
    pub claims: String,
    pub login_hint: String,
}

/// Where the answer is posted and what (`id_token` and `state`, or `error`).
#[derive(Debug, Clone)]
pub struct FormPost {
    pub url: String,
    pub fields: Vec<(String, String)>,
}

/// The `acr` value an EAM answers when Entra names none.
pub const ENTRA_DEFAULT_ACR: &str = "possessionorinherence";

/// The claims of a JWT, without checking its signature (Entra's keys are out of reach).
fn unverified_claims(jwt: &str) -> Option<Map<String, Value>> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = B64.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The first requested value of an `id_token` claim in an OIDC `claims` request.
fn requested(claims: &Value, name: &str) -> Option<String> {
    let c = claims.get("id_token")?.get(name)?;
    c.get("values")
        .and_then(Value::as_array)
        .and_then(|v| v.first())
        .or_else(|| c.get("value"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// `POST /oauth2/v1/authorize/entramfa` (and `/{ssoAppId}/...`): Descope as an Entra ID
/// external authentication method. The user is the one the hint names (its
/// `preferred_username`/`upn`/`email` as a login ID, or `login_hint`), else the queued
/// identity or a session; the answer is a form POST of an ID token for the hint's subject
/// (`sub`, `oid`, `tid` copied) with the `acr` and one of the `amr` values Entra asked for.
pub async fn entra_mfa(
    db: &Db,
    ctx: &Ctx,
    app_id: Option<&str>,
    req: EntraMfaRequest,
    session_jwts: &[String],
) -> ApiResult<FormPost> {
    let mut areq = AuthorizeRequest {
        client_id: req.client_id.clone(),
        redirect_uri: req.redirect_uri.clone(),
        ..AuthorizeRequest::default()
    };
    let mut tx = db.begin().await?;
    let client = client_and_redirect(&mut tx, ctx, app_id, &mut areq).await?;
    let fail = |error: &str, description: &str| {
        let mut fields = vec![
            ("error".to_owned(), error.to_owned()),
            ("error_description".to_owned(), description.to_owned()),
        ];
        if !req.state.is_empty() {
            fields.push(("state".into(), req.state.clone()));
        }
        Ok(FormPost { url: areq.redirect_uri.clone(), fields })
    };
    if !req.response_type.split_whitespace().any(|t| t == "id_token") {
        return fail(
            "unsupported_response_type",
            "The external authentication method answers response_type=id_token",
        );
    }
    let Some(hint) = unverified_claims(&req.id_token_hint) else {
        return fail("invalid_request", "Missing or malformed id_token_hint");
    };
    let claim = |k: &str| hint.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    let sub = claim("sub");
    if sub.is_empty() {
        return fail("invalid_request", "The id_token_hint has no sub");
    }
    let asked: Value = if req.claims.trim().is_empty() {
        Value::Null
    } else {
        match serde_json::from_str(&req.claims) {
            Ok(v) => v,
            Err(_) => return fail("invalid_request", "claims must be a JSON object"),
        }
    };
    let named = [req.login_hint.clone(), claim("preferred_username"), claim("upn"), claim("email")];
    let mut who = None;
    for login_id in named.iter().filter(|l| !l.is_empty()) {
        who = who_signs_in(&mut tx, db, ctx, login_id, false, session_jwts).await?;
        if who.is_some() {
            break;
        }
    }
    if who.is_none() {
        who = who_signs_in(&mut tx, db, ctx, "", false, session_jwts).await?;
    }
    let Some((user, _, _)) = who else {
        return fail("access_denied", "No user of the project matches the id_token_hint");
    };
    if user.ensure_can_sign_in().is_err() {
        return fail("access_denied", "The user may not sign in");
    }
    let acr = requested(&asked, "acr").unwrap_or_else(|| ENTRA_DEFAULT_ACR.to_owned());
    let amr = requested(&asked, "amr").unwrap_or_else(|| "mfa".to_owned());
    let now = ctx.now.secs();
    let mut c = Map::new();
    for (k, v) in [
        ("iss", json!(client.issuer)),
        ("sub", json!(sub)),
        ("aud", json!(client.client_id)),
        ("iat", json!(now)),
        ("nbf", json!(now)),
        ("exp", json!(now + 300)),
        ("auth_time", json!(now)),
        ("acr", json!(acr)),
        ("amr", json!([amr])),
        ("tid", json!(claim("tid"))),
        ("oid", json!(claim("oid"))),
        ("descope_user_id", json!(user.id().as_str())),
    ] {
        c.insert(k.into(), v);
    }
    if !req.nonce.is_empty() {
        c.insert("nonce".into(), json!(req.nonce));
    }
    tx.commit().await?;
    let id_token = ctx.project.signing.sign(&c)?;
    let mut fields = vec![("id_token".to_owned(), id_token)];
    if !req.state.is_empty() {
        fields.push(("state".into(), req.state.clone()));
    }
    Ok(FormPost { url: areq.redirect_uri, fields })
}
