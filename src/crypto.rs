//! RSA signing keys, JWKS, password hashing and random secrets.
//!
//! A project's private key is parsed once into an aws-lc-rs key pair and cached; signing a JWT
//! never re-parses it. Verification uses jsonwebtoken with decoding keys built once from the
//! public components.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{KeyPair, RsaKeyPair, RSA_PKCS1_SHA256};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use rand::distributions::Alphanumeric;
use rand::Rng;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::traits::PublicKeyParts;
use serde::{Deserialize, Serialize};
use std::sync::{mpsc, Arc, Mutex};

use crate::config::HashCost;
use crate::error::{ApiError, ApiResult};

/// A public key in the JWK shape the SDKs parse (`SDK_CONTRACT.md` section 3).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Jwk {
    pub kty: String,
    pub kid: String,
    pub alg: String,
    #[serde(rename = "use")]
    pub use_: String,
    pub n: String,
    pub e: String,
}

/// A parsed signing key: the key pair for signing, the JWK and the decoding key for verifying.
pub struct SigningKey {
    pub kid: String,
    pair: RsaKeyPair,
    pub jwk: Jwk,
    pub decoding: jsonwebtoken::DecodingKey,
    pkcs8: Vec<u8>,
    /// The self-signed X.509 certificate of the key (SAML / WS-Fed IdP), made once.
    cert: std::sync::OnceLock<Vec<u8>>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey").field("kid", &self.kid).finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct JwtHeader<'a> {
    alg: &'static str,
    kid: &'a str,
    typ: &'static str,
}

impl SigningKey {
    /// Parses a PKCS#8 DER RSA private key. The `kid` is the key's RFC 7638 thumbprint, so it
    /// is stable for the same key.
    pub fn from_pkcs8(pkcs8: &[u8]) -> anyhow::Result<Self> {
        let pair = RsaKeyPair::from_pkcs8(pkcs8).map_err(|e| anyhow::anyhow!("bad RSA key: {e}"))?;
        let public = rsa::RsaPublicKey::from_pkcs1_der(pair.public_key().as_ref())?;
        let n = B64.encode(public.n().to_bytes_be());
        let e = B64.encode(public.e().to_bytes_be());
        let thumbprint_input = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, thumbprint_input.as_bytes());
        let kid = B64.encode(digest.as_ref());
        let decoding = jsonwebtoken::DecodingKey::from_rsa_components(&n, &e)?;
        let jwk = Jwk { kty: "RSA".into(), kid: kid.clone(), alg: "RS256".into(), use_: "sig".into(), n, e };
        Ok(Self { kid, pair, jwk, decoding, pkcs8: pkcs8.to_vec(), cert: std::sync::OnceLock::new() })
    }

    pub fn pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }

    /// Signs `data` with RSASSA-PKCS1-v1_5: SHA-256, or SHA-1 for the SAML apps that ask for it.
    pub fn sign_bytes(&self, sha1: bool, data: &[u8]) -> ApiResult<Vec<u8>> {
        if sha1 {
            use rsa::pkcs8::DecodePrivateKey;
            // DigestInfo prefix of SHA-1 (RFC 8017 section 9.2, note 1).
            const SHA1_PREFIX: [u8; 15] =
                [0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14];
            let key = rsa::RsaPrivateKey::from_pkcs8_der(&self.pkcs8).map_err(ApiError::internal)?;
            let hashed = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, data);
            let scheme = rsa::Pkcs1v15Sign { hash_len: Some(20), prefix: Box::new(SHA1_PREFIX) };
            return key.sign(scheme, hashed.as_ref()).map_err(ApiError::internal);
        }
        let mut sig = vec![0u8; self.pair.public_modulus_len()];
        self.pair
            .sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), data, &mut sig)
            .map_err(ApiError::internal)?;
        Ok(sig)
    }

    /// A self-signed X.509 certificate (DER) of this key, as SAML and WS-Fed service providers
    /// expect an IdP's key. Fixed names and validity, serial from the public key, PKCS#1 v1.5
    /// signature: the same key always gives the same certificate.
    pub fn certificate_der(&self) -> ApiResult<Vec<u8>> {
        if let Some(der) = self.cert.get() {
            return Ok(der.clone());
        }
        let key = rcgen::KeyPair::from_pkcs8_der_and_sign_algo(
            &rustls_pki_types::PrivatePkcs8KeyDer::from(self.pkcs8.as_slice()),
            &rcgen::PKCS_RSA_SHA256,
        )
        .map_err(ApiError::internal)?;
        let mut params = rcgen::CertificateParams::default();
        let mut dn = rcgen::DistinguishedName::new();
        dn.push(rcgen::DnType::CommonName, "Descope emulator IdP");
        dn.push(rcgen::DnType::OrganizationName, "descope-emulator");
        params.distinguished_name = dn;
        params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        params.not_after = rcgen::date_time_ymd(2099, 12, 31);
        let der = params.self_signed(&key).map_err(ApiError::internal)?.der().to_vec();
        Ok(self.cert.get_or_init(|| der).clone())
    }

    /// Decodes an RS256 JWT signed by this key, checking the signature only: expiry, audience
    /// and issuer are the caller's to judge, expiry by the emulator clock (STYLE.md 2.4), not
    /// the system clock jsonwebtoken would use.
    pub fn decode_unchecked<C: serde::de::DeserializeOwned>(
        &self,
        token: &str,
    ) -> jsonwebtoken::errors::Result<C> {
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        jsonwebtoken::decode::<C>(token, &self.decoding, &validation).map(|data| data.claims)
    }

    /// Signs `claims` as an RS256 JWT with this key's `kid` in the header.
    pub fn sign<C: Serialize>(&self, claims: &C) -> ApiResult<String> {
        let header = serde_json::to_vec(&JwtHeader { alg: "RS256", kid: &self.kid, typ: "JWT" })?;
        let payload = serde_json::to_vec(claims)?;
        let mut token = String::with_capacity(1024);
        B64.encode_string(header, &mut token);
        token.push('.');
        B64.encode_string(payload, &mut token);
        let mut sig = vec![0u8; self.pair.public_modulus_len()];
        self.pair
            .sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), token.as_bytes(), &mut sig)
            .map_err(ApiError::internal)?;
        token.push('.');
        B64.encode_string(sig, &mut token);
        Ok(token)
    }
}

/// Generates a new RSA-2048 private key as PKCS#8 DER. Takes tens of milliseconds: never call
/// it on a request path; take keys from a [`KeyPool`].
pub fn generate_rsa_pkcs8() -> anyhow::Result<Vec<u8>> {
    let pair = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
        .map_err(|e| anyhow::anyhow!("RSA key generation failed: {e}"))?;
    let der = pair.as_der().map_err(|e| anyhow::anyhow!("RSA key encoding failed: {e}"))?;
    Ok(der.as_ref().to_vec())
}

/// Keys generated ahead of need by a background thread, so that creating a project does not
/// wait for RSA key generation. A thread (not a task) so that one pool can serve many tokio
/// runtimes, as the test suite does. The thread starts filling the pool only after a short
/// delay, so start-up is not slowed by key generation, or at once when a key is asked for.
#[derive(Clone)]
pub struct KeyPool {
    rx: Arc<Mutex<mpsc::Receiver<Vec<u8>>>>,
    wake: mpsc::SyncSender<()>,
}

/// How long after start the pool begins generating keys unless one is asked for earlier.
const KEY_POOL_START_DELAY: std::time::Duration = std::time::Duration::from_millis(300);

impl KeyPool {
    pub fn new(size: usize) -> Self {
        let (tx, rx) = mpsc::sync_channel::<Vec<u8>>(size.max(1));
        let (wake, woken) = mpsc::sync_channel::<()>(1);
        let spawned = std::thread::Builder::new().name("key-pool".into()).spawn(move || {
            let _ = woken.recv_timeout(KEY_POOL_START_DELAY);
            loop {
                match generate_rsa_pkcs8() {
                    Ok(key) => {
                        if tx.send(key).is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "key pool: generation failed");
                        return;
                    }
                }
            }
        });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "key pool: cannot start thread");
        }
        Self { rx: Arc::new(Mutex::new(rx)), wake }
    }

    /// Takes a pre-generated key; when the pool is empty, generates one on the blocking pool
    /// (so a burst uses every core, not just the pool's thread) and wakes the pool's thread
    /// to refill.
    pub async fn take(&self) -> ApiResult<Vec<u8>> {
        if let Ok(rx) = self.rx.try_lock() {
            if let Ok(key) = rx.try_recv() {
                return Ok(key);
            }
        }
        // Make sure the generator is not still waiting out its start delay.
        let _ = self.wake.try_send(());
        tokio::task::spawn_blocking(|| generate_rsa_pkcs8().map_err(ApiError::internal))
            .await
            .map_err(ApiError::internal)?
    }
}

/// Password hashing with argon2id; the cost is chosen at start (`--password-hash`).
#[derive(Clone)]
pub struct PasswordHasher {
    argon: Arc<argon2::Argon2<'static>>,
    cheap: bool,
}

/// Memory cost (KiB) up to which a hash is cheap enough (well under a millisecond) to
/// compute on an async worker thread rather than hand it to the blocking pool: on a small
/// virtual machine a hand-off between threads costs more than such a hash.
const CHEAP_HASH_KIB: u32 = 1024;

impl PasswordHasher {
    pub fn new(cost: HashCost) -> Self {
        let params: argon2::Params = match cost {
            // Cheap enough for thousands of sign-ins a second in tests; never for real secrets.
            HashCost::Fast => argon2::Params::new(64, 1, 1, None),
            // OWASP's recommended argon2id setting: 19 MiB, 2 iterations, 1 lane.
            HashCost::Production => argon2::Params::new(19 * 1024, 2, 1, None),
        }
        .unwrap_or_default();
        Self {
            cheap: params.m_cost() <= CHEAP_HASH_KIB && params.t_cost() <= 2,
            argon: Arc::new(argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)),
        }
    }

    /// True when hashing a new password is cheap (see [`CHEAP_HASH_KIB`]).
    pub fn hashes_cheaply(&self) -> bool {
        self.cheap
    }

    /// True when checking against `hash` is cheap: its own parameters decide (a hash stored
    /// under another `--password-hash` setting, or imported, keeps its cost).
    pub fn verifies_cheaply(hash: &str) -> bool {
        argon2::password_hash::PasswordHash::new(hash)
            .ok()
            .and_then(|h| argon2::Params::try_from(&h).ok())
            .is_some_and(|p| p.m_cost() <= CHEAP_HASH_KIB && p.t_cost() <= 2)
    }

    pub fn hash(&self, password: &str) -> ApiResult<String> {
        use argon2::password_hash::{PasswordHasher as _, SaltString};
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        self.argon
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(ApiError::internal)
    }

    /// [`Self::hash`] off the async threads when it is costly.
    pub async fn hash_off_thread(&self, password: &str) -> ApiResult<String> {
        if self.hashes_cheaply() {
            return self.hash(password);
        }
        let (hasher, password) = (self.clone(), password.to_owned());
        tokio::task::spawn_blocking(move || hasher.hash(&password)).await.map_err(ApiError::internal)?
    }

    /// [`Self::verify`] off the async threads when it is costly.
    pub async fn verify_off_thread(&self, password: &str, hash: &str) -> ApiResult<bool> {
        if Self::verifies_cheaply(hash) {
            return Ok(self.verify(password, hash));
        }
        let (hasher, password, hash) = (self.clone(), password.to_owned(), hash.to_owned());
        tokio::task::spawn_blocking(move || hasher.verify(&password, &hash)).await.map_err(ApiError::internal)
    }

    pub fn verify(&self, password: &str, hash: &str) -> bool {
        use argon2::password_hash::{PasswordHash, PasswordVerifier as _};
        PasswordHash::new(hash)
            .map(|parsed| self.argon.verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    }
}

/// A random string of letters and digits: IDs, tokens and keys (never contains `:`).
/// Seeded in deterministic runs ([`crate::determinism`]), like every random value below.
pub fn random_alnum(len: usize) -> String {
    crate::determinism::with_rng(|rng| rng.sample_iter(&Alphanumeric).take(len).map(char::from).collect())
}

/// A random numeric one-time code of `len` digits.
pub fn random_digits(len: usize) -> String {
    crate::determinism::with_rng(|rng| (0..len).map(|_| char::from(b'0' + rng.gen_range(0..10u8))).collect())
}

/// Random bytes (TOTP secrets, WebAuthn challenges and credential IDs).
pub fn random_bytes(buf: &mut [u8]) {
    crate::determinism::with_rng(|rng| rng.fill_bytes(buf))
}

/// A random number in [0, 1) (fault probabilities).
pub fn random_unit() -> f64 {
    crate::determinism::with_rng(|rng| rng.gen::<f64>())
}

/// Constant-time string comparison for secrets.
pub fn secrets_equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_verify_roundtrip() {
        let der = generate_rsa_pkcs8().unwrap();
        let key = SigningKey::from_pkcs8(&der).unwrap();
        let token = key.sign(&serde_json::json!({"sub": "U1", "exp": 1})).unwrap();
        let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        v.validate_exp = false;
        v.required_spec_claims.clear();
        let data = jsonwebtoken::decode::<serde_json::Value>(&token, &key.decoding, &v).unwrap();
        assert_eq!(data.claims["sub"], "U1");
        assert_eq!(data.header.kid.as_deref(), Some(key.kid.as_str()));
        // the same key parsed again has the same kid
        assert_eq!(SigningKey::from_pkcs8(&der).unwrap().kid, key.kid);
    }

    #[test]
    fn passwords() {
        let h = PasswordHasher::new(HashCost::Fast);
        let hash = h.hash("s3cret!").unwrap();
        assert!(h.verify("s3cret!", &hash));
        assert!(!h.verify("other", &hash));
    }
}
