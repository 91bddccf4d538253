//! A real OpenID Connect identity provider inside the emulator (one per project and name,
//! `/emulator/v1/idp/oidc/{projectId}/{idpId}/…`), and the relying-party half that signs a
//! tenant's users in through it with real verification.
//!
//! The provider: discovery, `authorize` (the identity decided as on the fake providers' page:
//! query knobs, `login_hint`, a queued identity, or a person), `token` (authorization code →
//! RS256 ID token and access token, signed with the project's fake-provider key), `userinfo`
//! and `jwks`. It accepts any client: it is a stand-in for a company's IdP, not a registry.
//!
//! The relying party: a tenant whose OIDC SSO settings point their authorization URL at one
//! of these providers signs in through it as Descope would through a real one: start
//! redirects to the provider with a `state` and `nonce` and Descope's callback
//! (`/v1/oauth/callback`) as `redirect_uri`; the callback redeems the code (in-process: the
//! provider is this process) and verifies the ID token (signature against the provider's
//! JWKS, issuer, audience, nonce, expiry by the emulator clock) before it hands the app its
//! Descope code.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::idp::{self, Approved, Identity, PageOutcome, Start};
use super::oauth;
use crate::crypto::{KeyPool, SigningKey};
use crate::domain::pending::{self, Handles, Kind, Refusal};
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::store::{self, Db};

/// How long the provider's authorization codes live.
const CODE_LIFETIME_SECS: i64 = 5 * 60;
/// How long its tokens live.
const TOKEN_TTL_SECS: i64 = 3600;
/// The `aud` of its access tokens (verified by `userinfo`).
const USERINFO_AUDIENCE: &str = "userinfo";

/// Checks a provider name (a path segment the user chooses, e.g. `okta`).
pub fn check_idp_id(idp: &str) -> ApiResult<()> {
    let ok = !idp.is_empty()
        && idp.len() <= 64
        && idp.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(format!("Invalid identity provider name {idp:?}")))
    }
}

/// The provider's issuer, also the base of its endpoints.
pub fn issuer(ctx: &Ctx, idp: &str) -> String {
    format!("{}/emulator/v1/idp/oidc/{}/{idp}", ctx.project.public_url, ctx.project_id())
}

/// `/.well-known/openid-configuration`
pub fn discovery(ctx: &Ctx, idp: &str) -> ApiResult<Value> {
    check_idp_id(idp)?;
    let iss = issuer(ctx, idp);
    Ok(json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/authorize"),
        "token_endpoint": format!("{iss}/token"),
        "userinfo_endpoint": format!("{iss}/userinfo"),
        "jwks_uri": format!("{iss}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile", "groups"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "grant_types_supported": ["authorization_code"],
        "claims_supported": ["sub", "email", "email_verified", "name", "given_name", "family_name", "picture", "groups", "nonce"],
    }))
}

/// What an authorization code stands for until it is redeemed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Grant {
    idp: String,
    client_id: String,
    redirect_uri: String,
    nonce: String,
    scope: String,
    identity: Identity,
}

/// An authorization request (RFC 6749 4.1.1, OIDC Core 3.1.2.1) and the identity knobs.
#[derive(Debug, Clone, Default)]
pub struct AuthorizeRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub response_type: String,
    pub scope: String,
    pub state: String,
    pub nonce: String,
    pub login_hint: String,
    /// The query, for the identity knobs (`email`, `sub`, `groups`, `attr.X`, …).
    pub params: Vec<(String, String)>,
    pub deny: bool,
    pub interactive: bool,
}

/// What the provider's `authorize` answers.
#[derive(Debug, Clone)]
pub enum AuthorizeOutcome {
    Redirect(String),
    /// Ask the person (a browser without anything to go on).
    Ask {
        known: Vec<Identity>,
    },
}

/// `authorize`: decides the identity and redirects back with a code (or `error=`).
pub async fn authorize(db: &Db, ctx: &Ctx, idp: &str, req: AuthorizeRequest) -> ApiResult<AuthorizeOutcome> {
    check_idp_id(idp)?;
    if req.client_id.is_empty() {
        return Err(ApiError::missing("client_id"));
    }
    if req.redirect_uri.is_empty() || url::Url::parse(&req.redirect_uri).is_err() {
        return Err(ApiError::invalid("redirect_uri must be an absolute URL"));
    }
    let back = |pairs: &[(&str, &str)]| {
        let mut all: Vec<(&str, &str)> = pairs.to_vec();
        if !req.state.is_empty() {
            all.push(("state", &req.state));
        }
        idp::append_query(&req.redirect_uri, &all)
    };
    if req.response_type != "code" {
        return Ok(AuthorizeOutcome::Redirect(back(&[
            ("error", "unsupported_response_type"),
            ("error_description", "Only the authorization code flow is supported"),
        ])));
    }
    if req.deny {
        return Ok(AuthorizeOutcome::Redirect(back(&[
            ("error", "access_denied"),
            ("error_description", "The user refused to sign in"),
        ])));
    }
    let target = format!("oidc:{idp}");
    let mut tx = db.begin().await?;
    let identity = match Identity::from_params(&req.params) {
        Some(i) => Some(i),
        None if req.login_hint.contains('@') => {
            Some(Identity { email: req.login_hint.clone(), ..Identity::default() })
        }
        None => store::federation::dequeue(&mut tx, ctx.scope(), &[target])
            .await?
            .map(|json| store::from_json_text::<Identity>(&json)),
    };
    let Some(identity) = identity else {
        if req.interactive {
            return Ok(AuthorizeOutcome::Ask { known: Vec::new() });
        }
        return Ok(AuthorizeOutcome::Redirect(back(&[
            ("error", "login_required"),
            (
                "error_description",
                "No identity: add email=... to the authorize URL, pass login_hint, or queue one",
            ),
        ])));
    };
    let grant = Grant {
        idp: idp.to_owned(),
        client_id: req.client_id.clone(),
        redirect_uri: req.redirect_uri.clone(),
        nonce: req.nonce.clone(),
        scope: req.scope.clone(),
        identity: identity.complete(&format!("oidc:{idp}")),
    };
    let code = pending::new_token();
    pending::create(
        &mut tx,
        ctx.scope(),
        ctx.now,
        pending::New {
            kind: Kind::IdpGrant,
            channel: "",
            intent: "oidc",
            subject: &grant.identity.email,
            handles: Handles { token: Some(code.clone()), ..Handles::default() },
            payload: &grant,
            lifetime_secs: CODE_LIFETIME_SECS,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(AuthorizeOutcome::Redirect(back(&[("code", &code)])))
}

/// The token endpoint's answer.
#[derive(Debug, Clone, Serialize)]
pub struct Tokens {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub id_token: String,
    pub scope: String,
}

/// A token request (`grant_type=authorization_code`).
#[derive(Debug, Clone, Default)]
pub struct TokenRequest {
    pub grant_type: String,
    pub code: String,
    pub redirect_uri: String,
    pub client_id: String,
}

/// `token` (grant `authorization_code`): redeems a code once, for the client and redirect URI
/// it was issued to; the tokens are signed with `key`, the provider's ([`oauth::provider_key`]).
pub async fn token(
    db: &Db,
    ctx: &Ctx,
    key: Arc<SigningKey>,
    idp: &str,
    req: &TokenRequest,
) -> ApiResult<Tokens> {
    let TokenRequest { grant_type, code, redirect_uri, client_id } = req;
    check_idp_id(idp)?;
    if grant_type != "authorization_code" {
        return Err(ApiError::new(ErrorKind::UnsupportedGrantType, "Only authorization_code is supported"));
    }
    if code.is_empty() {
        return Err(ApiError::new(ErrorKind::InvalidRequest, "Missing code"));
    }
    let mut tx = db.begin().await?;
    let grant =
        match pending::consume_token::<Grant>(&mut tx, ctx.scope(), ctx.now, Kind::IdpGrant, code).await? {
            Ok(entry) => entry.payload,
            Err(refusal) => {
                let why = match refusal {
                    Refusal::Expired => "expired",
                    Refusal::Used => "already used",
                    _ => "unknown",
                };
                return Err(ApiError::new(ErrorKind::InvalidGrant, format!("The code is {why}")));
            }
        };
    tx.commit().await?;
    if grant.idp != idp || &grant.client_id != client_id || &grant.redirect_uri != redirect_uri {
        return Err(ApiError::new(
            ErrorKind::InvalidGrant,
            "The code was issued to another client, provider or redirect_uri",
        ));
    }
    let iat = ctx.now.secs();
    let iss = issuer(ctx, idp);
    let mut id_claims = token_claims(&grant.identity, &iss, &grant.client_id, iat);
    if !grant.nonce.is_empty() {
        id_claims.insert("nonce".into(), json!(grant.nonce));
    }
    let access_claims = token_claims(&grant.identity, &iss, USERINFO_AUDIENCE, iat);
    let (id_token, access_token) = tokio::task::spawn_blocking(move || {
        Ok::<_, ApiError>((key.sign(&Value::Object(id_claims))?, key.sign(&Value::Object(access_claims))?))
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(Tokens {
        access_token,
        token_type: "Bearer",
        expires_in: TOKEN_TTL_SECS,
        id_token,
        scope: grant.scope,
    })
}

/// The claims of a token the provider issues to `aud` at `iat`: the identity's, then the
/// issuer, audience and times.
fn token_claims(identity: &Identity, iss: &str, aud: &str, iat: i64) -> Map<String, Value> {
    let mut c = claims_of(identity);
    c.insert("iss".into(), json!(iss));
    c.insert("aud".into(), json!(aud));
    c.insert("iat".into(), json!(iat));
    c.insert("exp".into(), json!(iat + TOKEN_TTL_SECS));
    c
}

/// The standard claims of an identity, then its raw attributes (which never override them).
fn claims_of(identity: &Identity) -> Map<String, Value> {
    let mut c = Map::new();
    c.insert("sub".into(), json!(identity.sub));
    let mut put = |k: &str, v: &str| {
        if !v.is_empty() {
            c.insert(k.into(), json!(v));
        }
    };
    put("email", &identity.email);
    put("name", &identity.name);
    put("given_name", &identity.given_name);
    put("middle_name", &identity.middle_name);
    put("family_name", &identity.family_name);
    put("picture", &identity.picture);
    put("phone_number", &identity.phone);
    if !identity.email.is_empty() {
        c.insert("email_verified".into(), json!(identity.email_verified));
    }
    if !identity.groups.is_empty() {
        c.insert("groups".into(), json!(identity.groups));
    }
    for (k, v) in &identity.attributes {
        c.entry(k.clone()).or_insert_with(|| v.clone());
    }
    c
}

/// Verifies a token the provider signed: signature (RS256, the provider's key), issuer,
/// audience and expiry by the emulator clock. Answers its claims.
fn verify(
    ctx: &Ctx,
    key: &SigningKey,
    idp: &str,
    token: &str,
    audience: &str,
) -> ApiResult<Map<String, Value>> {
    let refuse = |why: &str| ApiError::new(ErrorKind::InvalidToken, format!("The token is not valid: {why}"));
    let header = jsonwebtoken::decode_header(token).map_err(|_| refuse("malformed"))?;
    if header.alg != jsonwebtoken::Algorithm::RS256 {
        return Err(refuse("not RS256"));
    }
    let claims: Map<String, Value> = key.decode_unchecked(token).map_err(|_| refuse("bad signature"))?;
    let text = |k: &str| claims.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    if text("iss") != issuer(ctx, idp) {
        return Err(refuse("wrong issuer"));
    }
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => a == audience,
        Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(audience)),
        _ => false,
    };
    if !aud_ok {
        return Err(refuse("wrong audience"));
    }
    if claims.get("exp").and_then(Value::as_i64).unwrap_or(0) <= ctx.now.secs() {
        return Err(refuse("expired"));
    }
    Ok(claims)
}

/// `userinfo`: the claims of the access token's identity.
pub async fn userinfo(db: &Db, ctx: &Ctx, keys: &KeyPool, idp: &str, access_token: &str) -> ApiResult<Value> {
    check_idp_id(idp)?;
    if access_token.is_empty() {
        return Err(ApiError::new(ErrorKind::InvalidSessionToken, "Missing access token"));
    }
    let key = oauth::provider_key(db, ctx, keys).await?;
    let mut claims = verify(ctx, &key, idp, access_token, USERINFO_AUDIENCE)
        .map_err(|e| ApiError::new(ErrorKind::InvalidSessionToken, e.public_message().to_owned()))?;
    for k in ["iss", "aud", "iat", "exp"] {
        claims.remove(k);
    }
    Ok(Value::Object(claims))
}

/// The provider an SSO authorization URL names, when it is one of this project's own.
pub fn own_idp(ctx: &Ctx, auth_url: &str) -> Option<String> {
    let prefix = format!("{}/emulator/v1/idp/oidc/{}/", ctx.project.public_url, ctx.project_id());
    let idp = auth_url.strip_prefix(&prefix)?.strip_suffix("/authorize")?;
    check_idp_id(idp).ok().map(|_| idp.to_owned())
}

/// The relying party's settings for one provider: what a tenant's OIDC SSO settings say.
#[derive(Debug, Clone, Default)]
pub struct RelyingParty {
    pub idp: String,
    pub client_id: String,
    pub scope: Vec<String>,
}

/// Descope's OAuth callback, the `redirect_uri` of every relying-party sign-in.
pub fn callback_url(ctx: &Ctx) -> String {
    format!("{}/v1/oauth/callback", ctx.project.public_url)
}

/// Starts an SSO sign-in at one of the project's own OIDC providers: keeps the start with a
/// nonce and answers the provider's authorization URL. The `state` names the project, since
/// the callback is shared by all.
pub async fn begin(db: &Db, ctx: &Ctx, mut start: Start, rp: RelyingParty) -> ApiResult<String> {
    idp::check_redirect_url(&start.redirect_url)?;
    check_idp_id(&rp.idp)?;
    let nonce = crate::crypto::random_alnum(32);
    start.extra.insert("oidcIdp".into(), json!(rp.idp));
    start.extra.insert("oidcClientId".into(), json!(rp.client_id));
    start.extra.insert("nonce".into(), json!(nonce));
    let token = pending::new_token();
    let mut tx = db.begin().await?;
    idp::keep_state(&mut tx, ctx, &start, &token).await?;
    tx.commit().await?;
    let mut scope: Vec<String> = rp.scope.clone();
    for s in ["openid", "email", "profile"] {
        if !scope.iter().any(|x| x == s) {
            scope.push(s.to_owned());
        }
    }
    let state = format!("{}~{token}", ctx.project_id());
    let mut pairs = vec![
        ("response_type", "code".to_owned()),
        ("client_id", rp.client_id.clone()),
        ("redirect_uri", callback_url(ctx)),
        ("scope", scope.join(" ")),
        ("state", state),
        ("nonce", nonce),
    ];
    if !start.login_hint.is_empty() {
        pairs.push(("login_hint", start.login_hint.clone()));
    }
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Ok(idp::append_query(&format!("{}/authorize", issuer(ctx, &rp.idp)), &pairs))
}

/// The project a callback's `state` belongs to, and the state itself.
pub fn split_state(state: &str) -> ApiResult<(&str, &str)> {
    state
        .split_once('~')
        .filter(|(p, t)| !p.is_empty() && !t.is_empty())
        .ok_or_else(|| ApiError::new(ErrorKind::InvalidToken, "The sign-in state is unknown"))
}

/// `GET /v1/oauth/callback`: the provider came back. Redeems its code, verifies the ID token
/// and hands the app its Descope code (or the provider's error).
pub async fn callback(
    db: &Db,
    ctx: &Ctx,
    keys: &KeyPool,
    state: &str,
    code: &str,
    error: Option<(String, String)>,
) -> ApiResult<PageOutcome> {
    let mut tx = db.begin().await?;
    let start = idp::take_state(&mut tx, ctx, state).await?;
    tx.commit().await?;
    let text = |k: &str| start.extra.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    let (idp_id, client_id, nonce) = (text("oidcIdp"), text("oidcClientId"), text("nonce"));
    if idp_id.is_empty() {
        return Err(ApiError::new(ErrorKind::InvalidToken, "The sign-in state is not an OIDC sign-in"));
    }
    if let Some((error, description)) = error {
        if start.redirect_url.is_empty() {
            return Ok(PageOutcome::Refused { error, description, start });
        }
        let url =
            idp::append_query(&start.redirect_url, &[("error", &error), ("error_description", &description)]);
        return Ok(PageOutcome::Redirect(url));
    }
    let req = TokenRequest {
        grant_type: "authorization_code".into(),
        code: code.to_owned(),
        redirect_uri: callback_url(ctx),
        client_id: client_id.clone(),
    };
    let key = Arc::new(oauth::provider_key(db, ctx, keys).await?);
    let tokens = token(db, ctx, key.clone(), &idp_id, &req).await.map_err(|e| {
        ApiError::new(
            ErrorKind::InvalidToken,
            format!("The provider refused the code: {}", e.public_message()),
        )
    })?;
    let claims = verify(ctx, &key, &idp_id, &tokens.id_token, &client_id)?;
    if claims.get("nonce").and_then(Value::as_str) != Some(nonce.as_str()) {
        return Err(ApiError::new(ErrorKind::InvalidToken, "The ID token's nonce does not match"));
    }
    let identity = identity_of_claims(claims);
    let approved = Approved { start, identity };
    let mut tx = db.begin().await?;
    let code = idp::issue_code(&mut tx, ctx, &approved).await?;
    tx.commit().await?;
    let start = approved.start;
    Ok(if start.redirect_url.is_empty() {
        PageOutcome::Code { code, start }
    } else {
        PageOutcome::Redirect(idp::append_query(&start.redirect_url, &[("code", &code)]))
    })
}

/// The identity an ID token asserts: standard claims to profile fields, `groups` to groups,
/// every claim (the protocol ones removed) kept as raw attributes.
fn identity_of_claims(mut claims: Map<String, Value>) -> Identity {
    for k in ["iss", "aud", "iat", "exp", "nonce", "auth_time", "at_hash"] {
        claims.remove(k);
    }
    let text = |k: &str| claims.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    Identity {
        sub: text("sub"),
        email: text("email"),
        email_verified: claims.get("email_verified").and_then(Value::as_bool).unwrap_or(false),
        name: text("name"),
        given_name: text("given_name"),
        middle_name: text("middle_name"),
        family_name: text("family_name"),
        picture: text("picture"),
        phone: text("phone_number"),
        groups: claims
            .get("groups")
            .and_then(Value::as_array)
            .map(|g| g.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default(),
        attributes: claims,
    }
}
