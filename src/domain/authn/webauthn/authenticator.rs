//! The emulator's software authenticator (`/emulator/v1/projects/{p}/authenticators`): a
//! real authenticator whose keys live in the project, so that tests in any language can
//! register and use passkeys with no crypto of their own, and the relying party's
//! verification runs for real.
//!
//! Modelled on Chromium's virtual authenticator: options `hasResidentKey` (discoverable
//! credentials, default true), `isUserVerified` (UV flag, default true) and the COSE `alg`
//! of its keys (ES256 by default; RS256 and EdDSA too). It answers `create` with attestation
//! `none` and `get` with a signature over `authData || SHA-256(clientDataJSON)`, counting
//! signatures per credential. Like a browser it takes the options that the start calls
//! return (with or without the `publicKey` wrapper, as a JSON string or object); unlike a
//! browser it does not check the origin against the rpId, so tests can produce responses that
//! the relying party must refuse.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::PublicKeyComponents;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};
use base64::Engine;
use ciborium::value::Value as Cbor;
use serde_json::{json, Value};

use super::cose::{
    self, b64url, decode_b64, sha256, AttestedCredential, AuthData, FLAG_AT, FLAG_UP, FLAG_UV,
};
use crate::crypto;
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::store::authenticators::{AuthenticatorRow, SoftCredentialRow};
use crate::store::{self, Conn, Db};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The options of a new authenticator; `None` takes the default.
#[derive(Debug, Clone, Default)]
pub struct NewAuthenticator {
    pub has_resident_key: Option<bool>,
    pub is_user_verified: Option<bool>,
    pub alg: Option<i64>,
}

/// A credential as `GET …/credentials` lists it.
pub use crate::store::authenticators::SoftCredentialRow as Credential;

/// Creates an authenticator; returns its ID.
pub async fn create(db: &Db, ctx: &Ctx, new: NewAuthenticator) -> ApiResult<String> {
    let alg = new.alg.unwrap_or(cose::ES256);
    if ![cose::ES256, cose::RS256, cose::EDDSA].contains(&alg) {
        return Err(ApiError::invalid(format!(
            "alg {alg} is not supported (-7 ES256, -257 RS256, -8 EdDSA)"
        )));
    }
    let row = AuthenticatorRow {
        id: format!("AUTH{}", crypto::random_alnum(24)),
        has_resident_key: new.has_resident_key.unwrap_or(true),
        is_user_verified: new.is_user_verified.unwrap_or(true),
        alg,
        created_ms: ctx.now.millis(),
    };
    let mut tx = store::begin_immediate(db).await?;
    store::authenticators::insert(&mut tx, ctx.scope(), &row).await?;
    tx.commit().await?;
    Ok(row.id)
}

async fn require(conn: &mut Conn, ctx: &Ctx, id: &str) -> ApiResult<AuthenticatorRow> {
    store::authenticators::get(conn, ctx.scope(), id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Authenticator {id} not found")))
}

/// The credentials an authenticator holds, oldest first.
pub async fn credentials(db: &Db, ctx: &Ctx, id: &str) -> ApiResult<Vec<Credential>> {
    let mut conn = db.acquire().await?;
    require(&mut conn, ctx, id).await?;
    store::authenticators::credentials(&mut conn, ctx.scope(), id).await
}

/// Removes an authenticator and its credentials (the passkeys registered with them stay).
pub async fn delete(db: &Db, ctx: &Ctx, id: &str) -> ApiResult<()> {
    let mut tx = store::begin_immediate(db).await?;
    if !store::authenticators::delete(&mut tx, ctx.scope(), id).await? {
        return Err(ApiError::not_found(format!("Authenticator {id} not found")));
    }
    tx.commit().await?;
    Ok(())
}

/// The `publicKey` member of options given as a JSON string or object (or the bare
/// `publicKey` object itself).
fn public_key_options(options: &Value) -> ApiResult<serde_json::Map<String, Value>> {
    let value = match options {
        Value::Null => return Err(ApiError::missing("options")),
        Value::String(s) => serde_json::from_str::<Value>(s)
            .map_err(|e| ApiError::invalid(format!("options is not valid JSON: {e}")))?,
        other => other.clone(),
    };
    let Value::Object(mut obj) = value else {
        return Err(ApiError::invalid("options must be a JSON object"));
    };
    match obj.remove("publicKey") {
        Some(Value::Object(pk)) => Ok(pk),
        Some(_) => Err(ApiError::invalid("options.publicKey must be an object")),
        None => Ok(obj),
    }
}

fn text<'a>(obj: &'a serde_json::Map<String, Value>, key: &str) -> &'a str {
    obj.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// The origin to put in client data, and the rpId: the options' or the origin's host.
fn origin_and_rp(origin: &str, rp_id: &str) -> ApiResult<(String, String)> {
    if origin.trim().is_empty() {
        return Err(ApiError::missing("origin"));
    }
    let url = url::Url::parse(origin.trim())
        .map_err(|_| ApiError::invalid(format!("origin {origin} is not a valid URL")))?;
    let rp = if rp_id.is_empty() {
        url.host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| ApiError::invalid("origin has no host"))?
            .to_owned()
    } else {
        rp_id.to_owned()
    };
    Ok((url.origin().ascii_serialization(), rp))
}

/// The challenge of the options (base64url, passed back as given).
fn challenge(pk: &serde_json::Map<String, Value>) -> ApiResult<String> {
    let c = text(pk, "challenge");
    if c.is_empty() {
        return Err(ApiError::missing("options.publicKey.challenge"));
    }
    decode_b64(c).ok_or_else(|| ApiError::invalid("options.publicKey.challenge is not base64url"))?;
    Ok(c.to_owned())
}

fn client_data(kind: &str, challenge: &str, origin: &str) -> Vec<u8> {
    json!({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": false})
        .to_string()
        .into_bytes()
}

/// The credential IDs of a descriptor list (`allowCredentials`, `excludeCredentials`).
fn descriptor_ids(pk: &serde_json::Map<String, Value>, key: &str) -> Vec<Vec<u8>> {
    pk.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter().filter_map(|d| d.get("id").and_then(Value::as_str)).filter_map(decode_b64).collect()
        })
        .unwrap_or_default()
}

fn flags(a: &AuthenticatorRow) -> u8 {
    FLAG_UP | if a.is_user_verified { FLAG_UV } else { 0 }
}

/// A new key pair of `alg`: its PKCS#8 and public key.
fn generate(alg: i64) -> ApiResult<(Vec<u8>, cose::PublicKey)> {
    let rng = SystemRandom::new();
    match alg {
        cose::EDDSA => {
            let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).map_err(ApiError::internal)?;
            let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).map_err(ApiError::internal)?;
            Ok((pkcs8.as_ref().to_vec(), cose::PublicKey::Ed25519(pair.public_key().as_ref().to_vec())))
        }
        cose::RS256 => {
            let pkcs8 = crypto::generate_rsa_pkcs8().map_err(ApiError::internal)?;
            let pair = RsaKeyPair::from_pkcs8(&pkcs8).map_err(ApiError::internal)?;
            let c = PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
            Ok((pkcs8, cose::PublicKey::Rs256 { n: c.n, e: c.e }))
        }
        _ => {
            let pkcs8 = EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
                .map_err(ApiError::internal)?;
            let pair = EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref())
                .map_err(ApiError::internal)?;
            Ok((pkcs8.as_ref().to_vec(), cose::PublicKey::Es256(pair.public_key().as_ref().to_vec())))
        }
    }
}

/// Signs `message` with a stored key of `alg`.
fn sign(alg: i64, pkcs8: &[u8], message: &[u8]) -> ApiResult<Vec<u8>> {
    let rng = SystemRandom::new();
    match alg {
        cose::EDDSA => {
            let pair = Ed25519KeyPair::from_pkcs8(pkcs8).map_err(ApiError::internal)?;
            Ok(pair.sign(message).as_ref().to_vec())
        }
        cose::RS256 => {
            let pair = RsaKeyPair::from_pkcs8(pkcs8).map_err(ApiError::internal)?;
            let mut sig = vec![0u8; pair.public_modulus_len()];
            pair.sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut sig).map_err(ApiError::internal)?;
            Ok(sig)
        }
        _ => {
            let pair = EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8)
                .map_err(ApiError::internal)?;
            Ok(pair.sign(&rng, message).map_err(ApiError::internal)?.as_ref().to_vec())
        }
    }
}

/// `POST …/authenticators/{id}/create`: makes a credential for creation options, answering
/// the JSON string a sign-up or update finish takes.
pub async fn make_credential(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    options: &Value,
    origin: &str,
) -> ApiResult<String> {
    let pk = public_key_options(options)?;
    let rp = pk.get("rp").and_then(Value::as_object);
    let (origin, rp_id) = origin_and_rp(origin, rp.map(|r| text(r, "id")).unwrap_or_default())?;
    let challenge = challenge(&pk)?;
    let user = pk.get("user").and_then(Value::as_object);
    let user_handle = user.map(|u| text(u, "id")).unwrap_or_default();
    if user_handle.is_empty() {
        return Err(ApiError::missing("options.publicKey.user.id"));
    }
    let user_handle = b64url(
        &decode_b64(user_handle)
            .ok_or_else(|| ApiError::invalid("options.publicKey.user.id is not base64url"))?,
    );
    let mut tx = store::begin_immediate(db).await?;
    let authenticator = require(&mut tx, ctx, id).await?;
    let params: Vec<i64> = pk
        .get("pubKeyCredParams")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|p| p.get("alg").and_then(Value::as_i64)).collect())
        .unwrap_or_default();
    if !params.is_empty() && !params.contains(&authenticator.alg) {
        return Err(ApiError::invalid(format!(
            "NotSupportedError: the authenticator's alg {} is not in pubKeyCredParams",
            authenticator.alg
        )));
    }
    let held = store::authenticators::credentials(&mut tx, ctx.scope(), id).await?;
    let excluded = descriptor_ids(&pk, "excludeCredentials");
    if held.iter().any(|c| {
        c.rp_id == rp_id && excluded.iter().any(|e| decode_b64(&c.credential_id).as_ref() == Some(e))
    }) {
        return Err(ApiError::invalid("InvalidStateError: the authenticator holds an excluded credential"));
    }
    let (pkcs8, public_key) = generate(authenticator.alg)?;
    let mut credential_id = [0u8; 32];
    crate::crypto::random_bytes(&mut credential_id);
    let auth = AuthData {
        rp_id_hash: sha256(rp_id.as_bytes()),
        flags: flags(&authenticator) | FLAG_AT,
        sign_count: 0,
        attested: Some(AttestedCredential {
            aaguid: [0u8; 16],
            credential_id: credential_id.to_vec(),
            public_key,
        }),
    };
    let auth_bytes = auth.encode();
    let attestation = cose::to_cbor(&Cbor::Map(vec![
        (Cbor::Text("fmt".into()), Cbor::Text("none".into())),
        (Cbor::Text("attStmt".into()), Cbor::Map(Vec::new())),
        (Cbor::Text("authData".into()), Cbor::Bytes(auth_bytes)),
    ]));
    let id_text = b64url(&credential_id);
    // A non-resident credential is still kept (a real one would wrap its key in the ID).
    store::authenticators::insert_credential(
        &mut tx,
        ctx.scope(),
        &SoftCredentialRow {
            authenticator_id: id.to_owned(),
            credential_id: id_text.clone(),
            rp_id,
            user_handle,
            alg: authenticator.alg,
            private_key: B64.encode(&pkcs8),
            sign_count: 0,
            created_ms: ctx.now.millis(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(json!({
        "id": id_text,
        "rawId": id_text,
        "type": "public-key",
        "authenticatorAttachment": "platform",
        "response": {
            "clientDataJSON": b64url(&client_data("webauthn.create", &challenge, &origin)),
            "attestationObject": b64url(&attestation),
            "transports": ["internal"],
        },
        "clientExtensionResults": {},
    })
    .to_string())
}

/// `POST …/authenticators/{id}/get`: signs an assertion for request options with a credential
/// in `allowCredentials`, or (when it is empty) the newest resident credential for the rpId.
pub async fn get_assertion(db: &Db, ctx: &Ctx, id: &str, options: &Value, origin: &str) -> ApiResult<String> {
    let pk = public_key_options(options)?;
    let (origin, rp_id) = origin_and_rp(origin, text(&pk, "rpId"))?;
    let challenge = challenge(&pk)?;
    let allowed = descriptor_ids(&pk, "allowCredentials");
    let mut tx = store::begin_immediate(db).await?;
    let authenticator = require(&mut tx, ctx, id).await?;
    let held = store::authenticators::credentials(&mut tx, ctx.scope(), id).await?;
    let mut for_rp = held.into_iter().filter(|c| c.rp_id == rp_id);
    let chosen = if allowed.is_empty() {
        if !authenticator.has_resident_key {
            return Err(ApiError::invalid(
                "NotAllowedError: the authenticator has no resident keys, and allowCredentials is empty",
            ));
        }
        for_rp.next_back()
    } else {
        for_rp.rfind(|c| decode_b64(&c.credential_id).is_some_and(|i| allowed.contains(&i)))
    };
    let credential = chosen.ok_or_else(|| {
        ApiError::invalid(format!("NotAllowedError: the authenticator has no credential for {rp_id}"))
    })?;
    let count = credential.sign_count + 1;
    let auth_bytes = AuthData {
        rp_id_hash: sha256(rp_id.as_bytes()),
        flags: flags(&authenticator),
        sign_count: u32::try_from(count).unwrap_or(u32::MAX),
        attested: None,
    }
    .encode();
    let client = client_data("webauthn.get", &challenge, &origin);
    let pkcs8 = B64.decode(&credential.private_key).map_err(ApiError::internal)?;
    let signature = sign(credential.alg, &pkcs8, &[&auth_bytes[..], &sha256(&client)[..]].concat())?;
    store::authenticators::set_sign_count(&mut tx, ctx.scope(), id, &credential.credential_id, count).await?;
    tx.commit().await?;
    Ok(json!({
        "id": credential.credential_id,
        "rawId": credential.credential_id,
        "type": "public-key",
        "authenticatorAttachment": "platform",
        "response": {
            "clientDataJSON": b64url(&client),
            "authenticatorData": b64url(&auth_bytes),
            "signature": b64url(&signature),
            "userHandle": credential.user_handle,
        },
        "clientExtensionResults": {},
    })
    .to_string())
}
