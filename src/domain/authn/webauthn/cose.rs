//! The binary formats of WebAuthn: lenient base64, CBOR values (through `ciborium`),
//! COSE public keys (RFC 9053: ES256, RS256, EdDSA) and the authenticator data layout
//! (WebAuthn Level 2, 6.1). Signatures are checked with `aws-lc-rs`.

use aws_lc_rs::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
use base64::Engine;
use ciborium::value::{Integer, Value};

/// COSE algorithm identifiers the emulator verifies and signs with.
pub const ES256: i64 = -7;
pub const EDDSA: i64 = -8;
pub const RS256: i64 = -257;

/// Why binary input was refused; the caller turns it into a Descope error.
pub type Refused = String;

/// Base64url without padding, as WebAuthn JSON carries binary values.
pub fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64url or standard base64, padded or not (whitespace ignored).
pub fn decode_b64(text: &str) -> Option<Vec<u8>> {
    let cleaned: String = text
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cleaned.trim_end_matches('=')).ok()
}

/// SHA-256.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// Decodes one CBOR item from the front of `bytes`, giving it and how many bytes it took.
pub fn cbor_prefix(bytes: &[u8]) -> Result<(Value, usize), Refused> {
    let mut rest = bytes;
    let value: Value = ciborium::de::from_reader(&mut rest).map_err(|e| format!("malformed CBOR: {e}"))?;
    Ok((value, bytes.len() - rest.len()))
}

/// Decodes a whole buffer as one CBOR item.
pub fn cbor(bytes: &[u8]) -> Result<Value, Refused> {
    cbor_prefix(bytes).map(|(v, _)| v)
}

/// Encodes a CBOR value.
pub fn to_cbor(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = ciborium::ser::into_writer(value, &mut out);
    out
}

/// The member of a CBOR map with a text key.
pub fn text_member<'a>(map: &'a Value, key: &str) -> Option<&'a Value> {
    map.as_map()?.iter().find(|(k, _)| k.as_text() == Some(key)).map(|(_, v)| v)
}

/// The member of a CBOR map with an integer key.
fn int_member(map: &[(Value, Value)], key: i64) -> Option<&Value> {
    map.iter().find(|(k, _)| k.as_integer().map(i128::from) == Some(key as i128)).map(|(_, v)| v)
}

fn int_of(v: &Value) -> Option<i64> {
    v.as_integer().and_then(|i| i64::try_from(i128::from(i)).ok())
}

/// A credential public key, decoded from COSE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// P-256 point, uncompressed (`04 || x || y`).
    Es256(Vec<u8>),
    Ed25519(Vec<u8>),
    /// Modulus and exponent, big-endian.
    Rs256 {
        n: Vec<u8>,
        e: Vec<u8>,
    },
}

impl PublicKey {
    /// The COSE algorithm.
    pub fn alg(&self) -> i64 {
        match self {
            PublicKey::Es256(_) => ES256,
            PublicKey::Ed25519(_) => EDDSA,
            PublicKey::Rs256 { .. } => RS256,
        }
    }

    /// Decodes a COSE_Key (RFC 9052 7) of a supported algorithm.
    pub fn from_cose(value: &Value) -> Result<PublicKey, Refused> {
        let map = value.as_map().ok_or("the credential public key is not a COSE map")?;
        let kty = int_member(map, 1).and_then(int_of).ok_or("the COSE key has no kty")?;
        let alg = int_member(map, 3).and_then(int_of);
        let bytes = |label: i64| -> Result<Vec<u8>, Refused> {
            int_member(map, label)
                .and_then(Value::as_bytes)
                .cloned()
                .ok_or_else(|| format!("the COSE key has no parameter {label}"))
        };
        let crv = int_member(map, -1).and_then(int_of);
        match (kty, alg) {
            // EC2, P-256
            (2, Some(ES256) | None) => {
                if crv != Some(1) {
                    return Err("only the P-256 curve is supported for EC2 keys".into());
                }
                let (x, y) = (bytes(-2)?, bytes(-3)?);
                if x.len() != 32 || y.len() != 32 {
                    return Err("a P-256 coordinate is not 32 bytes".into());
                }
                let mut point = vec![4u8];
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                Ok(PublicKey::Es256(point))
            }
            // OKP, Ed25519
            (1, Some(EDDSA) | None) => {
                if crv != Some(6) {
                    return Err("only the Ed25519 curve is supported for OKP keys".into());
                }
                let x = bytes(-2)?;
                if x.len() != 32 {
                    return Err("an Ed25519 key is not 32 bytes".into());
                }
                Ok(PublicKey::Ed25519(x))
            }
            // RSA
            (3, Some(RS256) | None) => Ok(PublicKey::Rs256 { n: bytes(-1)?, e: bytes(-2)? }),
            (kty, alg) => Err(format!(
                "unsupported COSE key (kty {kty}, alg {}); supported: ES256, RS256, EdDSA",
                alg.map_or("none".to_owned(), |a| a.to_string())
            )),
        }
    }

    /// Decodes stored COSE bytes.
    pub fn from_cose_bytes(bytes: &[u8]) -> Result<PublicKey, Refused> {
        PublicKey::from_cose(&cbor(bytes)?)
    }

    /// The COSE_Key encoding.
    pub fn to_cose(&self) -> Value {
        let int = |i: i64| Value::Integer(Integer::from(i));
        let entries = match self {
            PublicKey::Es256(point) => vec![
                (int(1), int(2)),
                (int(3), int(ES256)),
                (int(-1), int(1)),
                (int(-2), Value::Bytes(point.get(1..33).unwrap_or_default().to_vec())),
                (int(-3), Value::Bytes(point.get(33..65).unwrap_or_default().to_vec())),
            ],
            PublicKey::Ed25519(x) => vec![
                (int(1), int(1)),
                (int(3), int(EDDSA)),
                (int(-1), int(6)),
                (int(-2), Value::Bytes(x.clone())),
            ],
            PublicKey::Rs256 { n, e } => vec![
                (int(1), int(3)),
                (int(3), int(RS256)),
                (int(-1), Value::Bytes(n.clone())),
                (int(-2), Value::Bytes(e.clone())),
            ],
        };
        Value::Map(entries)
    }

    pub fn to_cose_bytes(&self) -> Vec<u8> {
        to_cbor(&self.to_cose())
    }

    /// Checks `signature` over `message` (ES256 signatures are ASN.1 DER, as WebAuthn has them).
    pub fn verify(&self, message: &[u8], sig: &[u8]) -> bool {
        match self {
            PublicKey::Es256(point) => {
                UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_ASN1, point).verify(message, sig).is_ok()
            }
            PublicKey::Ed25519(x) => {
                UnparsedPublicKey::new(&signature::ED25519, x).verify(message, sig).is_ok()
            }
            PublicKey::Rs256 { n, e } => RsaPublicKeyComponents { n, e }
                .verify(&signature::RSA_PKCS1_2048_8192_SHA256, message, sig)
                .is_ok(),
        }
    }
}

/// A stored public key: COSE (what registration stores), else a SubjectPublicKeyInfo of an
/// import, verified with the algorithm named (`alg`) or every supported one.
pub fn verify_stored_key(stored: &[u8], alg: i64, message: &[u8], sig: &[u8]) -> bool {
    if let Ok(key) = PublicKey::from_cose_bytes(stored) {
        return key.verify(message, sig);
    }
    verify_spki(stored, alg, message, sig)
}

/// Checks a signature with a DER SubjectPublicKeyInfo (an attestation certificate's key, an
/// imported key): with `alg`, or each supported algorithm when `alg` is 0.
pub fn verify_spki(spki: &[u8], alg: i64, message: &[u8], sig: &[u8]) -> bool {
    let try_alg = |a: i64| match a {
        ES256 => {
            UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_ASN1, spki).verify(message, sig).is_ok()
        }
        RS256 => {
            UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, spki).verify(message, sig).is_ok()
        }
        EDDSA => {
            // The raw key is the last 32 bytes of an Ed25519 SubjectPublicKeyInfo.
            let raw = if spki.len() > 32 { &spki[spki.len() - 32..] } else { spki };
            UnparsedPublicKey::new(&signature::ED25519, raw).verify(message, sig).is_ok()
        }
        _ => false,
    };
    if alg != 0 {
        try_alg(alg)
    } else {
        [ES256, RS256, EDDSA].into_iter().any(try_alg)
    }
}

/// The SubjectPublicKeyInfo of a DER X.509 certificate (read, not validated: the
/// attestation chain is not checked).
pub fn certificate_spki(cert: &[u8]) -> Option<&[u8]> {
    let (certificate, _) = der_element(cert, 0x30)?;
    let (tbs, _) = der_element(certificate.content, 0x30)?;
    let mut rest = tbs.content;
    // version [0] is optional
    if rest.first() == Some(&0xa0) {
        rest = der_element(rest, 0xa0)?.1;
    }
    // serialNumber, signature, issuer, validity, subject
    for tag in [0x02, 0x30, 0x30, 0x30, 0x30] {
        rest = der_element(rest, tag)?.1;
    }
    let (spki, _) = der_element(rest, 0x30)?;
    Some(spki.whole)
}

struct Der<'a> {
    whole: &'a [u8],
    content: &'a [u8],
}

/// One DER element of tag `tag` at the front of `input`, and what follows it.
fn der_element(input: &[u8], tag: u8) -> Option<(Der<'_>, &[u8])> {
    if *input.first()? != tag {
        return None;
    }
    let first = *input.get(1)?;
    let (len, header) = if first < 0x80 {
        (first as usize, 2)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 {
            return None;
        }
        let len = input.get(2..2 + n)?.iter().fold(0usize, |acc, b| (acc << 8) | *b as usize);
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    let whole = input.get(..end)?;
    Some((Der { whole, content: &whole[header..] }, &input[end..]))
}

/// Authenticator data flags.
pub const FLAG_UP: u8 = 0x01;
pub const FLAG_UV: u8 = 0x04;
pub const FLAG_AT: u8 = 0x40;
pub const FLAG_ED: u8 = 0x80;

/// Authenticator data (WebAuthn 6.1), with the attested credential when there is one.
#[derive(Debug, Clone)]
pub struct AuthData {
    pub rp_id_hash: [u8; 32],
    pub flags: u8,
    pub sign_count: u32,
    pub attested: Option<AttestedCredential>,
}

#[derive(Debug, Clone)]
pub struct AttestedCredential {
    pub aaguid: [u8; 16],
    pub credential_id: Vec<u8>,
    pub public_key: PublicKey,
}

impl AuthData {
    pub fn parse(bytes: &[u8]) -> Result<AuthData, Refused> {
        if bytes.len() < 37 {
            return Err("authenticator data is shorter than 37 bytes".into());
        }
        let mut rp_id_hash = [0u8; 32];
        rp_id_hash.copy_from_slice(&bytes[..32]);
        let flags = bytes[32];
        let sign_count = u32::from_be_bytes([bytes[33], bytes[34], bytes[35], bytes[36]]);
        let attested = if flags & FLAG_AT != 0 {
            let rest = &bytes[37..];
            if rest.len() < 18 {
                return Err("attested credential data is truncated".into());
            }
            let mut aaguid = [0u8; 16];
            aaguid.copy_from_slice(&rest[..16]);
            let len = u16::from_be_bytes([rest[16], rest[17]]) as usize;
            let credential_id = rest.get(18..18 + len).ok_or("the credential ID is truncated")?.to_vec();
            if credential_id.is_empty() {
                return Err("the credential ID is empty".into());
            }
            let (key, _) = cbor_prefix(&rest[18 + len..])?;
            Some(AttestedCredential { aaguid, credential_id, public_key: PublicKey::from_cose(&key)? })
        } else {
            None
        };
        Ok(AuthData { rp_id_hash, flags, sign_count, attested })
    }

    /// Encodes authenticator data (what the software authenticator signs).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.rp_id_hash.to_vec();
        out.push(self.flags);
        out.extend_from_slice(&self.sign_count.to_be_bytes());
        if let Some(a) = &self.attested {
            out.extend_from_slice(&a.aaguid);
            out.extend_from_slice(&(a.credential_id.len() as u16).to_be_bytes());
            out.extend_from_slice(&a.credential_id);
            out.extend_from_slice(&a.public_key.to_cose_bytes());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_base64() {
        assert_eq!(decode_b64("AQID"), Some(vec![1, 2, 3]));
        assert_eq!(decode_b64("-_8"), Some(vec![0xfb, 0xff]));
        assert_eq!(decode_b64("+/8="), Some(vec![0xfb, 0xff]));
        assert_eq!(decode_b64("!!"), None);
    }

    #[test]
    fn cose_round_trip() {
        let key = PublicKey::Es256([vec![4u8], vec![1u8; 32], vec![2u8; 32]].concat());
        assert_eq!(PublicKey::from_cose_bytes(&key.to_cose_bytes()).unwrap(), key);
        let key = PublicKey::Rs256 { n: vec![9; 256], e: vec![1, 0, 1] };
        assert_eq!(PublicKey::from_cose_bytes(&key.to_cose_bytes()).unwrap(), key);
        assert!(PublicKey::from_cose_bytes(&[0xff]).is_err());
    }

    #[test]
    fn truncated_auth_data_is_refused() {
        assert!(AuthData::parse(&[0u8; 10]).is_err());
        let mut data = vec![0u8; 37];
        data[32] = FLAG_AT;
        assert!(AuthData::parse(&data).is_err());
    }
}
