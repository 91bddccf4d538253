//! A real OIDC identity provider inside the emulator (federated.md's "mode 2"), for apps
//! and tests that want a genuine OIDC loop rather than the built-in shortcut:
//! `/emulator/v1/idp/oidc/{projectId}/{idpId}/` serves discovery, `authorize` (headless like
//! the fake IdP page: `email=`, `name=`, `groups=`, `attr.X=`, `deny=1`, or `login_hint`),
//! `token` (authorization code → RS256 ID token and access token), `userinfo` and `jwks`.
//!
//! A tenant whose OIDC SSO settings name such an `authorize` URL as `authUrl` signs in through
//! it for real: SSO start redirects there, the IdP redirects to the emulator's callback, which
//! redeems the code at the token endpoint (in-process), verifies the ID token (signature
//! against the IdP's keys, `iss`, `aud` = the configured client ID, `nonce`, `exp` by the
//! emulator clock) and applies the tenant's claim mapping to its claims.
//!
//! The IdP keeps no client registry: any client ID is accepted, and the token endpoint checks
//! that the code was issued to that client and redirect URI, not a client secret. Its keys
//! are the project's fake-provider key ([`super::oauth::provider_key`]).

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::idp::{append_query, Identity};
use crate::crypto::SigningKey;
use crate::domain::pending::{self, Handles, Kind, Refusal};
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::store::Db;

/// How long an authorization code waits for its redemption.
const CODE_LIFETIME_SECS: i64 = 5 * 60;
/// How long ID and access tokens live.
const TOKEN_TTL_SECS: i64 = 3600;

/// The issuer of an IdP: `<public-url>/emulator/v1/idp/oidc/<projectId>/<idpId>`.
pub fn issuer(ctx: &Ctx, idp_id: &str) -> String {
    format!("{}/emulator/v1/idp/oidc/{}/{idp_id}", ctx.project.public_url, ctx.project_id())
}

/// The IdP an `authUrl` names when it is one of this project's: its ID.
pub fn idp_of_auth_url(ctx: &Ctx, auth_url: &str) -> Option<String> {
    let prefix = format!("{}/emulator/v1/idp/oidc/{}/", ctx.project.public_url, ctx.project_id());
    let rest = auth_url.strip_prefix(&prefix)?;
    let (idp_id, tail) = rest.split_once('/')?;
    let tail = tail.split('?').next().unwrap_or_default();
    (tail == "authorize" && !idp_id.is_empty()).then(|| idp_id.to_owned())
}

/// Checks an IdP ID from a path.
pub fn check_idp_id(idp_id: &str) -> ApiResult<()> {
    let ok = !idp_id.is_empty()
        && idp_id.len() <= 64
        && idp_id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(format!("Invalid identity provider ID {idp_id:?}")))
    }
}

/// `/.well-known/openid-configuration`.
pub fn discovery(ctx: &Ctx, idp_id: &str) -> Value {
    let iss = issuer(ctx, idp_id);
    json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/authorize"),
        "token_endpoint": format!("{iss}/token"),
        "userinfo_endpoint": format!("{iss}/userinfo"),
        "jwks_uri": format!("{iss}/jwks"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile", "phone", "groups"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic", "none"],
        "claims_supported": ["sub", "email", "email_verified", "name", "given_name", "middle_name",
            "family_name", "picture", "phone_number", "groups", "nonce"],
    })
}

/// An authorization code's grant, kept until it is redeemed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Grant {
    idp_id: String,
    client_id: String,
    redirect_uri: String,
    nonce: String,
    scope: String,
    identity: Identity,
}

/// What `authorize` was asked.
#[derive(Debug, Clone, Default)]
pub struct AuthorizeRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub state: String,
    pub nonce: String,
    pub scope: String,
    pub login_hint: String,
    /// Every query parameter (the identity knobs among them).
    pub params: Vec<(String, String)>,
    pub deny: bool,
}

/// `authorize`: approves at once (headless) and answers where to redirect: the client's
/// redirect URI with `code` and `state`, or `error=access_denied` when refused.
pub async fn authorize(db: &Db, ctx: &Ctx, idp_id: &str, req: AuthorizeRequest) -> ApiResult<String> {
    check_idp_id(idp_id)?;
    if req.client_id.is_empty() {
        return Err(ApiError::missing("client_id"));
    }
    if url::Url::parse(&req.redirect_uri).is_err() {
        return Err(ApiError::invalid("redirect_uri must be an absolute URL"));
    }
    if req.deny {
        return Ok(append_query(
            &req.redirect_uri,
            &[("error", "access_denied"), ("error_description", "The user refused"), ("state", &req.state)],
        ));
    }
    let identity = match Identity::from_params(&req.params) {
        Some(i) => i,
        None if req.login_hint.contains('@') => {
            Identity { email: req.login_hint.clone(), ..Identity::default() }
        }
        None => return Err(ApiError::missing("email (or login_hint) for the identity provider")),
    };
    let identity = identity.complete(&issuer(ctx, idp_id));
    let code = pending::new_token();
    let grant = Grant {
        idp_id: idp_id.to_owned(),
        client_id: req.client_id,
        redirect_uri: req.redirect_uri.clone(),
        nonce: req.nonce,
        scope: req.scope,
        identity,
    };
    let mut tx = db.begin().await?;
    pending::create(
        &mut tx,
        ctx.scope(),
        ctx.now,
        pending::New {
            kind: Kind::OidcIdpCode,
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
    Ok(append_query(&req.redirect_uri, &[("code", &code), ("state", &req.state)]))
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

fn invalid_grant(why: &str) -> ApiError {
    ApiError::new(ErrorKind::InvalidGrant, format!("The authorization code {why}"))
}

/// The claims an identity is asserted with (standard OIDC names; raw attributes added).
fn identity_claims(identity: &Identity) -> Map<String, Value> {
    let mut c = Map::new();
    let mut put = |k: &str, v: &str| {
        if !v.is_empty() {
            c.insert(k.to_owned(), Value::String(v.to_owned()));
        }
    };
    put("email", &identity.email);
    put("name", &identity.name);
    put("given_name", &identity.given_name);
    put("middle_name", &identity.middle_name);
    put("family_name", &identity.family_name);
    put("picture", &identity.picture);
    put("phone_number", &identity.phone);
    c.insert("sub".into(), Value::String(identity.sub.clone()));
    c.insert("email_verified".into(), Value::Bool(identity.email_verified));
    if !identity.groups.is_empty() {
        c.insert("groups".into(), json!(identity.groups));
    }
    for (k, v) in &identity.attributes {
        c.entry(k.clone()).or_insert_with(|| v.clone());
    }
    c
}

/// `token` (grant type `authorization_code`): redeems a code once for an ID token and an
/// access token, both RS256 JWTs of the IdP's key.
pub async fn token(
    db: &Db,
    ctx: &Ctx,
    key: &SigningKey,
    idp_id: &str,
    code: &str,
    client_id: &str,
    redirect_uri: &str,
) -> ApiResult<Tokens> {
    check_idp_id(idp_id)?;
    if code.is_empty() {
        return Err(ApiError::missing("code"));
    }
    let mut tx = db.begin().await?;
    let grant = match pending::consume_token::<Grant>(&mut tx, ctx.scope(), ctx.now, Kind::OidcIdpCode, code)
        .await?
    {
        Ok(entry) => entry.payload,
        Err(Refusal::Expired) => return Err(invalid_grant("has expired")),
        Err(Refusal::Used) => return Err(invalid_grant("was used already")),
        Err(_) => return Err(invalid_grant("is unknown")),
    };
    tx.commit().await?;
    if grant.idp_id != idp_id
        || (!client_id.is_empty() && client_id != grant.client_id)
        || (!redirect_uri.is_empty() && redirect_uri != grant.redirect_uri)
    {
        return Err(invalid_grant("was issued to another client or redirect URI"));
    }
    let iss = issuer(ctx, idp_id);
    let now = ctx.now.secs();
    let mut id = identity_claims(&grant.identity);
    for (k, v) in [
        ("iss", json!(iss)),
        ("aud", json!(grant.client_id)),
        ("iat", json!(now)),
        ("exp", json!(now + TOKEN_TTL_SECS)),
    ] {
        id.insert(k.into(), v);
    }
    if !grant.nonce.is_empty() {
        id.insert("nonce".into(), json!(grant.nonce));
    }
    let access = json!({
        "iss": iss, "sub": grant.identity.sub, "aud": format!("{iss}/userinfo"), "iat": now,
        "exp": now + TOKEN_TTL_SECS, "token_use": "access", "claims": identity_claims(&grant.identity),
    });
    Ok(Tokens {
        access_token: key.sign(&access)?,
        token_type: "Bearer",
        expires_in: TOKEN_TTL_SECS,
        id_token: key.sign(&Value::Object(id))?,
        scope: grant.scope,
    })
}

/// Decodes a JWT of the IdP's key, checking `iss` and `exp` (by the emulator clock).
fn decode(ctx: &Ctx, key: &SigningKey, idp_id: &str, token: &str) -> ApiResult<Map<String, Value>> {
    let refuse = |why: &str| ApiError::new(ErrorKind::InvalidToken, format!("The token is not valid: {why}"));
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &key.decoding, &validation)
        .map_err(|_| refuse("not signed by this identity provider"))?
        .claims;
    if claims.get("iss").and_then(Value::as_str) != Some(issuer(ctx, idp_id).as_str()) {
        return Err(refuse("issued by another identity provider"));
    }
    if claims.get("exp").and_then(Value::as_i64).unwrap_or_default() <= ctx.now.secs() {
        return Err(refuse("expired"));
    }
    Ok(claims)
}

/// `userinfo`: the claims of an access token.
pub fn userinfo(ctx: &Ctx, key: &SigningKey, idp_id: &str, access_token: &str) -> ApiResult<Value> {
    let claims = decode(ctx, key, idp_id, access_token)?;
    if claims.get("token_use").and_then(Value::as_str) != Some("access") {
        return Err(ApiError::new(ErrorKind::InvalidToken, "Not an access token"));
    }
    Ok(claims.get("claims").cloned().unwrap_or_else(|| json!({})))
}

/// Verifies an ID token as the relying party (the emulator's SSO): signature, issuer,
/// expiry, audience and nonce; answers its claims.
pub fn verify_id_token(
    ctx: &Ctx,
    key: &SigningKey,
    idp_id: &str,
    client_id: &str,
    nonce: &str,
    id_token: &str,
) -> ApiResult<Map<String, Value>> {
    let claims = decode(ctx, key, idp_id, id_token)?;
    let refuse =
        |why: &str| ApiError::new(ErrorKind::InvalidToken, format!("The ID token is not valid: {why}"));
    if claims.get("aud").and_then(Value::as_str) != Some(client_id) {
        return Err(refuse("issued to another client"));
    }
    if claims.get("nonce").and_then(Value::as_str).unwrap_or_default() != nonce {
        return Err(refuse("nonce mismatch"));
    }
    if claims.get("sub").and_then(Value::as_str).unwrap_or_default().is_empty() {
        return Err(refuse("no subject"));
    }
    Ok(claims)
}
