//! Credentials of a user managed through `/v1/mgmt/user/*`: passkeys (list, delete, import),
//! the TOTP seed, trusted devices and social-provider tokens.

use base64::Engine;

use crate::domain::federation::identities;
use crate::domain::identity::users::{self, User};
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::store;
pub use crate::store::passkeys::PasskeyRow;
use crate::store::Db;

/// A passkey to import: Descope's own export or Auth0's, already mapped to one shape.
#[derive(Debug, Clone, Default)]
pub struct ImportedPasskey {
    pub credential_id: String,
    pub rp_id: String,
    /// Base64 (standard or URL-safe, padded or not).
    pub public_key: String,
    pub aaguid: String,
    pub transports: Vec<String>,
}

impl ImportedPasskey {
    fn validate(&self, i: usize) -> ApiResult<()> {
        if self.credential_id.trim().is_empty() {
            return Err(ApiError::missing(&format!("devices[{i}].credentialId")));
        }
        if self.rp_id.trim().is_empty() {
            return Err(ApiError::missing(&format!("devices[{i}].rpId")));
        }
        if self.public_key.trim().is_empty() {
            return Err(ApiError::missing(&format!("devices[{i}].publicKey")));
        }
        let key = self.public_key.trim().trim_end_matches('=');
        let engines = [
            base64::engine::general_purpose::STANDARD_NO_PAD,
            base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ];
        if !engines.iter().any(|e| e.decode(key).is_ok_and(|b| !b.is_empty())) {
            return Err(ApiError::invalid(format!("devices[{i}].publicKey is not valid base64")));
        }
        Ok(())
    }
}

/// A trusted device of a user (`/v1/mgmt/user/trusteddevices/list`).
#[derive(Debug, Clone, Default)]
pub struct TrustedDevice {
    pub id: String,
    pub name: String,
    pub device_type: String,
    pub user_id: String,
    pub last_login_secs: i64,
    pub expiration_secs: i64,
    pub last_location: String,
}

/// The user a management call names by `loginId` (a login ID or a user ID).
async fn named(conn: &mut store::Conn, ctx: &Ctx, login_id: &str) -> ApiResult<User> {
    if login_id.trim().is_empty() {
        return Err(ApiError::missing("loginId"));
    }
    users::require_named(conn, ctx.scope(), login_id, "").await
}

/// `POST /v1/mgmt/user/passkeys/list`: the user's passkeys, oldest first.
pub async fn list_passkeys(db: &Db, ctx: &Ctx, login_id: &str) -> ApiResult<Vec<PasskeyRow>> {
    let mut conn = db.acquire().await?;
    let user = named(&mut conn, ctx, login_id).await?;
    store::passkeys::list_of_user(&mut conn, ctx.scope(), user.id()).await
}

/// `POST /v1/mgmt/user/passkeys/delete`: removes every passkey of the user.
pub async fn delete_all_passkeys(db: &Db, ctx: &Ctx, login_id: &str) -> ApiResult<()> {
    let mut tx = store::begin_immediate(db).await?;
    let user = named(&mut tx, ctx, login_id).await?;
    store::passkeys::delete_all_of_user(&mut tx, ctx.scope(), user.id()).await?;
    store::users::set_webauthn(&mut tx, ctx.scope(), user.id(), false, ctx.now.millis()).await?;
    tx.commit().await?;
    Ok(())
}

/// `POST /v1/mgmt/user/passkey/delete`: removes one passkey; an unknown credential is an error.
pub async fn delete_passkey(db: &Db, ctx: &Ctx, login_id: &str, credential_id: &str) -> ApiResult<()> {
    if credential_id.trim().is_empty() {
        return Err(ApiError::missing("credentialId"));
    }
    let mut tx = store::begin_immediate(db).await?;
    let user = named(&mut tx, ctx, login_id).await?;
    let project = ctx.scope();
    if !store::passkeys::delete(&mut tx, project, user.id(), credential_id).await? {
        return Err(ApiError::not_found(format!("Passkey {credential_id} not found for user {login_id}")));
    }
    let left = store::passkeys::list_of_user(&mut tx, project, user.id()).await?;
    store::users::set_webauthn(&mut tx, project, user.id(), !left.is_empty(), ctx.now.millis()).await?;
    tx.commit().await?;
    Ok(())
}

/// `POST /v1/mgmt/user/passkeys/import`: adds passkeys to the user (an imported credential ID
/// that exists is replaced). Every device is checked before any is stored.
pub async fn import_passkeys(
    db: &Db,
    ctx: &Ctx,
    login_id: &str,
    devices: Vec<ImportedPasskey>,
) -> ApiResult<()> {
    if devices.is_empty() {
        return Err(ApiError::missing("devices"));
    }
    for (i, d) in devices.iter().enumerate() {
        d.validate(i)?;
    }
    let mut tx = store::begin_immediate(db).await?;
    let user = named(&mut tx, ctx, login_id).await?;
    for d in devices {
        let row = PasskeyRow {
            user_id: user.id().to_string(),
            credential_id: d.credential_id.trim().to_owned(),
            rp_id: d.rp_id.trim().to_owned(),
            kind: "passkey".to_owned(),
            display_name: String::new(),
            public_key: d.public_key.trim().to_owned(),
            aaguid: d.aaguid,
            transports: store::json_text(&d.transports)?,
            created_ms: ctx.now.millis(),
            ..PasskeyRow::default()
        };
        store::passkeys::upsert(&mut tx, ctx.scope(), &row).await?;
    }
    store::users::set_webauthn(&mut tx, ctx.scope(), user.id(), true, ctx.now.millis()).await?;
    tx.commit().await?;
    Ok(())
}

/// `POST /v1/mgmt/user/totp/delete`: removes the user's TOTP seed.
pub async fn remove_totp(db: &Db, ctx: &Ctx, login_id: &str) -> ApiResult<User> {
    let mut tx = store::begin_immediate(db).await?;
    let user = named(&mut tx, ctx, login_id).await?;
    store::users::clear_totp(&mut tx, ctx.scope(), user.id(), ctx.now.millis()).await?;
    let user = users::require_named(&mut tx, ctx.scope(), "", user.id().as_str()).await?;
    tx.commit().await?;
    Ok(user)
}

/// `POST /v1/mgmt/user/trusteddevices/list`: the trusted devices of the named users (login IDs
/// or user IDs). The emulator records none yet, so every known user has an empty list.
pub async fn list_trusted_devices(
    db: &Db,
    ctx: &Ctx,
    identifiers: &[String],
) -> ApiResult<Vec<TrustedDevice>> {
    if identifiers.is_empty() {
        return Err(ApiError::missing("identifiers"));
    }
    let mut conn = db.acquire().await?;
    for (i, id) in identifiers.iter().enumerate() {
        if id.trim().is_empty() {
            return Err(ApiError::invalid(format!("identifiers[{i}] is empty")));
        }
        users::require_named(&mut conn, ctx.scope(), id, "").await?;
    }
    Ok(Vec::new())
}

/// `POST /v1/mgmt/user/trusteddevices/remove`: removes trusted devices of a user; a device the
/// user does not have is an error (and the emulator records none yet).
pub async fn remove_trusted_devices(
    db: &Db,
    ctx: &Ctx,
    identifier: &str,
    device_ids: &[String],
) -> ApiResult<()> {
    if identifier.trim().is_empty() {
        return Err(ApiError::missing("identifier"));
    }
    if device_ids.is_empty() {
        return Err(ApiError::missing("deviceIds"));
    }
    if let Some(i) = device_ids.iter().position(|d| d.trim().is_empty()) {
        return Err(ApiError::invalid(format!("deviceIds[{i}] is empty")));
    }
    let mut conn = db.acquire().await?;
    users::require_named(&mut conn, ctx.scope(), identifier, "").await?;
    Err(ApiError::not_found(format!("Trusted device {} not found for user {identifier}", device_ids[0])))
}

/// A user's token at a social provider (`UserProviderTokenResponse`).
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderToken {
    pub provider: String,
    pub provider_user_id: String,
    pub access_token: String,
    /// Unix seconds.
    pub expiration: i64,
    pub scopes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// `GET /v1/mgmt/user/provider/token`: the user's token from a social provider they signed
/// in with. The fake providers grant an opaque access token for an hour from the last sign-in
/// (derived from the sign-in, so it reads the same until the next one); a user who never
/// signed in with that provider gets the not-found error.
pub async fn provider_token(
    db: &Db,
    ctx: &Ctx,
    login_id: &str,
    provider: &str,
    with_refresh_token: bool,
) -> ApiResult<ProviderToken> {
    if provider.trim().is_empty() {
        return Err(ApiError::missing("provider"));
    }
    let mut conn = db.acquire().await?;
    let user = named(&mut conn, ctx, login_id).await?;
    let linked = identities::of_user(&mut conn, ctx.scope(), user.id()).await?;
    let identity = linked
        .into_iter()
        .filter(|l| l.kind == identities::OAUTH && l.issuer == provider)
        .max_by_key(|l| l.modified_ms)
        .ok_or_else(|| ApiError::not_found(format!("No {provider} token for user {login_id}")))?;
    let token = |kind: &str| {
        let input =
            format!("{kind}:{}:{provider}:{}:{}", ctx.scope(), identity.subject, identity.modified_ms);
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, input.as_bytes());
        format!("emu_{kind}_{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref()))
    };
    Ok(ProviderToken {
        provider: provider.to_owned(),
        provider_user_id: identity.subject.clone(),
        access_token: token("at"),
        expiration: identity.modified_ms / 1000 + 3600,
        scopes: vec!["openid".into(), "email".into(), "profile".into()],
        refresh_token: with_refresh_token.then(|| token("rt")),
    })
}
