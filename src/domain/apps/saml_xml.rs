//! The XML of Descope as a SAML / WS-Fed identity provider: SAML 2.0 Responses and Assertions,
//! WS-Trust `RequestSecurityTokenResponse`s, and the XML-DSig enveloped signature of the
//! assertion.
//!
//! Every element is written from a fixed template by [`El`], which already writes exclusive
//! XML canonicalisation (exc-c14n) form: no XML declaration, attributes sorted, namespace
//! declarations first, explicit end tags, c14n escaping, no whitespace between elements, and
//! every namespace declared on the element that uses it. So the bytes written for the
//! assertion are the bytes its digest covers; only `SignedInfo` is written twice, once with
//! its `xmlns:ds` for the signature (as exc-c14n renders it alone) and once inside the
//! `Signature` element that declares it. Incoming XML (AuthnRequests) is only searched for a
//! few attributes, never canonicalised.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use std::io::Read;

use crate::crypto::SigningKey;
use crate::error::{ApiError, ApiResult};

pub const NS_SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
pub const NS_SAMLP: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
pub const NS_DS: &str = "http://www.w3.org/2000/09/xmldsig#";
pub const NS_WST: &str = "http://schemas.xmlsoap.org/ws/2005/02/trust";
pub const NS_WSP: &str = "http://schemas.xmlsoap.org/ws/2004/09/policy";
pub const NS_WSA: &str = "http://www.w3.org/2005/08/addressing";
pub const STATUS_SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
pub const STATUS_REQUESTER: &str = "urn:oasis:names:tc:SAML:2.0:status:Requester";
pub const STATUS_RESPONDER: &str = "urn:oasis:names:tc:SAML:2.0:status:Responder";
pub const NAMEID_UNSPECIFIED: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";
const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const SHA256_DIGEST: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const RSA_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";

/// Drops the characters XML 1.0 can't carry at all.
fn xml_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().filter(|&c| matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}'))
}

/// Text content as exc-c14n writes it.
pub fn esc_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in xml_chars(s) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
    out
}

/// An attribute value as exc-c14n writes it.
pub fn esc_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in xml_chars(s) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
    out
}

/// An element in canonical form. Attributes are unqualified (so they sort by name).
#[derive(Debug, Default)]
pub struct El {
    name: String,
    ns: Vec<(String, String)>,
    attrs: Vec<(String, String)>,
    body: String,
}

impl El {
    pub fn new(name: &str) -> Self {
        El { name: name.to_owned(), ..El::default() }
    }

    /// Declares `xmlns:prefix` (or the default namespace with "").
    pub fn ns(mut self, prefix: &str, uri: &str) -> Self {
        self.ns.push((prefix.to_owned(), uri.to_owned()));
        self
    }

    pub fn attr(mut self, name: &str, value: &str) -> Self {
        self.attrs.push((name.to_owned(), value.to_owned()));
        self
    }

    /// An attribute only when the value is not empty.
    pub fn attr_opt(self, name: &str, value: &str) -> Self {
        if value.is_empty() {
            self
        } else {
            self.attr(name, value)
        }
    }

    pub fn text(mut self, text: &str) -> Self {
        self.body.push_str(&esc_text(text));
        self
    }

    pub fn child(mut self, child: El) -> Self {
        self.body.push_str(&child.render());
        self
    }

    /// Already rendered (canonical) XML.
    pub fn raw(mut self, xml: &str) -> Self {
        self.body.push_str(xml);
        self
    }

    pub fn render(mut self) -> String {
        self.ns.sort();
        self.attrs.sort();
        let mut out = format!("<{}", self.name);
        for (prefix, uri) in &self.ns {
            if prefix.is_empty() {
                out.push_str(&format!(" xmlns=\"{}\"", esc_attr(uri)));
            } else {
                out.push_str(&format!(" xmlns:{prefix}=\"{}\"", esc_attr(uri)));
            }
        }
        for (name, value) in &self.attrs {
            out.push_str(&format!(" {name}=\"{}\"", esc_attr(value)));
        }
        out.push('>');
        out.push_str(&self.body);
        out.push_str(&format!("</{}>", self.name));
        out
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` of Unix seconds (SAML `dateTime`, UTC).
pub fn xml_time(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem / 60 % 60, rem % 60)
}

/// A new XML ID (an NCName: never starts with a digit).
pub fn new_id() -> String {
    format!("_{}", crate::crypto::random_alnum(32).to_ascii_lowercase())
}

/// The signature algorithm of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigAlg {
    RsaSha256,
    RsaSha1,
}

/// The project key's certificate, base64 (the `X509Certificate` text and `idpCert`).
pub fn certificate_b64(key: &SigningKey) -> ApiResult<String> {
    Ok(B64.encode(key.certificate_der()?))
}

/// The certificate as PEM.
pub fn certificate_pem(key: &SigningKey) -> ApiResult<String> {
    let b64 = certificate_b64(key)?;
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(chunk));
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    Ok(pem)
}

/// The `SignedInfo` of a reference to `#id` with the given digest, without namespace
/// declarations (`ds` declared by the caller).
fn signed_info(id: &str, digest_b64: &str, alg: SigAlg, declare: bool) -> String {
    let method = match alg {
        SigAlg::RsaSha256 => RSA_SHA256,
        SigAlg::RsaSha1 => RSA_SHA1,
    };
    let mut el = El::new("ds:SignedInfo");
    if declare {
        el = el.ns("ds", NS_DS);
    }
    el.child(El::new("ds:CanonicalizationMethod").attr("Algorithm", EXC_C14N))
        .child(El::new("ds:SignatureMethod").attr("Algorithm", method))
        .child(
            El::new("ds:Reference")
                .attr("URI", &format!("#{id}"))
                .child(
                    El::new("ds:Transforms")
                        .child(El::new("ds:Transform").attr("Algorithm", ENVELOPED))
                        .child(El::new("ds:Transform").attr("Algorithm", EXC_C14N)),
                )
                .child(El::new("ds:DigestMethod").attr("Algorithm", SHA256_DIGEST))
                .child(El::new("ds:DigestValue").text(digest_b64)),
        )
        .render()
}

/// The enveloped `ds:Signature` over `canonical` (the element with ID `id`, as written,
/// without the signature).
pub fn signature(key: &SigningKey, id: &str, canonical: &str, alg: SigAlg) -> ApiResult<String> {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, canonical.as_bytes());
    let digest_b64 = B64.encode(digest.as_ref());
    let to_sign = signed_info(id, &digest_b64, alg, true);
    let value = key.sign_bytes(alg == SigAlg::RsaSha1, to_sign.as_bytes())?;
    Ok(El::new("ds:Signature")
        .ns("ds", NS_DS)
        .raw(&signed_info(id, &digest_b64, alg, false))
        .child(El::new("ds:SignatureValue").text(&B64.encode(value)))
        .child(
            El::new("ds:KeyInfo").child(
                El::new("ds:X509Data").child(El::new("ds:X509Certificate").text(&certificate_b64(key)?)),
            ),
        )
        .render())
}

/// One attribute of the assertion and its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub name: String,
    pub values: Vec<String>,
}

/// What a SAML 2.0 assertion states.
#[derive(Debug, Clone)]
pub struct Assertion {
    pub issuer: String,
    pub audience: String,
    /// Where the assertion goes (`Recipient`); empty for WS-Fed.
    pub recipient: String,
    pub in_response_to: String,
    pub name_id: String,
    pub name_id_format: String,
    pub attributes: Vec<Attribute>,
    pub now: i64,
    /// How long the assertion is valid, in seconds.
    pub lifetime: i64,
    pub session_index: String,
    /// When the user signed in.
    pub auth_time: i64,
}

/// The signed `saml:Assertion` (SAML 2.0), its signature after the `Issuer`.
pub fn signed_assertion(key: &SigningKey, a: &Assertion, alg: SigAlg) -> ApiResult<String> {
    let id = new_id();
    let head = El::new("saml:Issuer").text(&a.issuer).render();
    let confirmation = El::new("saml:SubjectConfirmationData")
        .attr("NotOnOrAfter", &xml_time(a.now + a.lifetime))
        .attr_opt("Recipient", &a.recipient)
        .attr_opt("InResponseTo", &a.in_response_to);
    let mut tail = El::new("saml:Subject")
        .child(El::new("saml:NameID").attr("Format", &a.name_id_format).text(&a.name_id))
        .child(
            El::new("saml:SubjectConfirmation")
                .attr("Method", "urn:oasis:names:tc:SAML:2.0:cm:bearer")
                .child(confirmation),
        )
        .render();
    tail.push_str(
        &El::new("saml:Conditions")
            .attr("NotBefore", &xml_time(a.now - 5))
            .attr("NotOnOrAfter", &xml_time(a.now + a.lifetime))
            .child(El::new("saml:AudienceRestriction").child(El::new("saml:Audience").text(&a.audience)))
            .render(),
    );
    tail.push_str(
        &El::new("saml:AuthnStatement")
            .attr("AuthnInstant", &xml_time(a.auth_time))
            .attr("SessionIndex", &a.session_index)
            .child(
                El::new("saml:AuthnContext").child(
                    El::new("saml:AuthnContextClassRef")
                        .text("urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified"),
                ),
            )
            .render(),
    );
    if !a.attributes.is_empty() {
        let mut statement = El::new("saml:AttributeStatement");
        for attr in &a.attributes {
            let mut el = El::new("saml:Attribute")
                .attr("Name", &attr.name)
                .attr("NameFormat", "urn:oasis:names:tc:SAML:2.0:attrname-format:basic");
            for v in &attr.values {
                el = el.child(El::new("saml:AttributeValue").text(v));
            }
            statement = statement.child(el);
        }
        tail.push_str(&statement.render());
    }
    let assertion = |sig: &str| {
        El::new("saml:Assertion")
            .ns("saml", NS_SAML)
            .attr("ID", &id)
            .attr("IssueInstant", &xml_time(a.now))
            .attr("Version", "2.0")
            .raw(&head)
            .raw(sig)
            .raw(&tail)
            .render()
    };
    let sig = signature(key, &id, &assertion(""), alg)?;
    Ok(assertion(&sig))
}

/// A `samlp:Response` carrying `assertion` (empty for an error status).
pub fn response(
    issuer: &str,
    destination: &str,
    in_response_to: &str,
    now: i64,
    status: &str,
    message: &str,
    assertion: &str,
) -> String {
    let mut status_el = El::new("samlp:Status").child(El::new("samlp:StatusCode").attr("Value", status));
    if !message.is_empty() {
        status_el = status_el.child(El::new("samlp:StatusMessage").text(message));
    }
    El::new("samlp:Response")
        .ns("samlp", NS_SAMLP)
        .ns("saml", NS_SAML)
        .attr("Destination", destination)
        .attr("ID", &new_id())
        .attr_opt("InResponseTo", in_response_to)
        .attr("IssueInstant", &xml_time(now))
        .attr("Version", "2.0")
        .child(El::new("saml:Issuer").text(issuer))
        .child(status_el)
        .raw(assertion)
        .render()
}

/// The WS-Trust `RequestSecurityTokenResponse` (wresult) carrying a SAML 2.0 assertion.
pub fn wsfed_result(realm: &str, now: i64, lifetime: i64, assertion: &str) -> String {
    El::new("t:RequestSecurityTokenResponse")
        .ns("t", NS_WST)
        .child(
            El::new("t:Lifetime")
                .ns(
                    "wsu",
                    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
                )
                .child(El::new("wsu:Created").text(&xml_time(now)))
                .child(El::new("wsu:Expires").text(&xml_time(now + lifetime))),
        )
        .child(El::new("wsp:AppliesTo").ns("wsp", NS_WSP).child(
            El::new("wsa:EndpointReference").ns("wsa", NS_WSA).child(El::new("wsa:Address").text(realm)),
        ))
        .child(El::new("t:RequestedSecurityToken").raw(assertion))
        .child(El::new("t:TokenType").text("urn:oasis:names:tc:SAML:2.0:assertion"))
        .child(El::new("t:RequestType").text("http://schemas.xmlsoap.org/ws/2005/02/trust/Issue"))
        .child(El::new("t:KeyType").text("http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey"))
        .render()
}

/// What the IdP reads from an AuthnRequest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthnRequest {
    pub id: String,
    pub acs_url: String,
    pub issuer: String,
    pub force_authn: bool,
}

/// The largest AuthnRequest taken, inflated.
const MAX_REQUEST: u64 = 64 * 1024;

fn bad(message: &str) -> ApiError {
    ApiError::bad_request(format!("Invalid SAMLRequest: {message}"))
}

/// Decodes a `SAMLRequest`: base64 (POST binding) or base64 of raw DEFLATE (Redirect).
pub fn decode_request(value: &str, deflated: bool) -> ApiResult<String> {
    let compact: String = value.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let bytes = B64.decode(compact.as_bytes()).map_err(|_| bad("not base64"))?;
    let xml = if deflated {
        let mut out = Vec::new();
        let reader = flate2::read::DeflateDecoder::new(bytes.as_slice());
        match reader.take(MAX_REQUEST + 1).read_to_end(&mut out) {
            Ok(_) if out.len() as u64 <= MAX_REQUEST => out,
            // Some SPs send the Redirect binding's request without compression.
            _ if bytes.first() == Some(&b'<') => bytes,
            _ => return Err(bad("not DEFLATE-compressed")),
        }
    } else {
        bytes
    };
    String::from_utf8(xml).map_err(|_| bad("not UTF-8"))
}

/// Decodes the five predefined entities and character references of an attribute value.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let Some(end) = after.find(';') else {
            out.push_str(after);
            return out;
        };
        let entity = &after[1..end];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e => {
                let code = if let Some(hex) = e.strip_prefix("#x").or_else(|| e.strip_prefix("#X")) {
                    u32::from_str_radix(hex, 16).ok()
                } else {
                    e.strip_prefix('#').and_then(|d| d.parse().ok())
                };
                code.and_then(char::from_u32)
            }
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The start tag (attributes text) of the first element with local name `local`, and
/// where the tag ends.
fn start_tag<'a>(xml: &'a str, local: &str) -> Option<(&'a str, usize)> {
    let mut from = 0;
    while let Some(i) = xml[from..].find('<') {
        let at = from + i + 1;
        let rest = &xml[at..];
        let name_end = rest.find(|c: char| c.is_whitespace() || c == '>' || c == '/').unwrap_or(rest.len());
        let name = &rest[..name_end];
        let local_name = name.rsplit(':').next().unwrap_or(name);
        if local_name == local {
            let end = rest.find('>')?;
            return Some((&rest[name_end..end], at + end + 1));
        }
        from = at;
    }
    None
}

/// The attributes of a start tag, by local name.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = tag;
    while let Some(eq) = rest.find('=') {
        let name = rest[..eq].trim().rsplit(|c: char| c.is_whitespace()).next().unwrap_or_default();
        let after = rest[eq + 1..].trim_start();
        let Some(quote) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else { break };
        let Some(close) = after[1..].find(quote) else { break };
        let local = name.rsplit(':').next().unwrap_or(name);
        out.push((local.to_owned(), unescape(&after[1..1 + close])));
        rest = &after[close + 2..];
    }
    out
}

/// Reads the ID, ACS URL, issuer and `ForceAuthn` of an AuthnRequest.
pub fn parse_authn_request(xml: &str) -> ApiResult<AuthnRequest> {
    let (tag, end) = start_tag(xml, "AuthnRequest").ok_or_else(|| bad("no AuthnRequest element"))?;
    let attrs = attributes(tag);
    let get = |n: &str| attrs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()).unwrap_or_default();
    let mut req = AuthnRequest {
        id: get("ID"),
        acs_url: get("AssertionConsumerServiceURL"),
        issuer: String::new(),
        force_authn: matches!(get("ForceAuthn").as_str(), "true" | "1"),
    };
    if req.id.is_empty() {
        return Err(bad("the AuthnRequest has no ID"));
    }
    if let Some((_, issuer_end)) = start_tag(&xml[end..], "Issuer") {
        let text_start = end + issuer_end;
        if let Some(close) = xml[text_start..].find('<') {
            req.issuer = unescape(xml[text_start..text_start + close].trim());
        }
    }
    Ok(req)
}

/// The auto-submitting page that POSTs `fields` to `action` (HTTP-POST binding).
pub fn post_form(action: &str, fields: &[(&str, &str)]) -> String {
    let esc = crate::api::oidc::esc;
    let mut inputs = String::new();
    for (name, value) in fields {
        if !value.is_empty() {
            inputs.push_str(&format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                esc(name),
                esc(value)
            ));
        }
    }
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Signing in</title></head>\
         <body onload=\"document.forms[0].submit()\"><form method=\"post\" action=\"{}\">{inputs}\
         <noscript><button type=\"submit\">Continue</button></noscript></form></body></html>",
        esc(action)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_are_canonical() {
        let xml = El::new("a:x").attr("b", "1\"<&\n").ns("a", "urn:a").attr("A", ">").text("<&>\r").render();
        assert_eq!(
            xml,
            "<a:x xmlns:a=\"urn:a\" A=\">\" b=\"1&quot;&lt;&amp;&#xA;\">&lt;&amp;&gt;&#xD;</a:x>"
        );
    }

    #[test]
    fn times_are_utc() {
        assert_eq!(xml_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(xml_time(1_800_000_000), "2027-01-15T08:00:00Z");
    }

    #[test]
    fn authn_requests_are_read() {
        let xml = "<?xml version=\"1.0\"?><samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" \
                   ID='_r1' AssertionConsumerServiceURL=\"https://sp.test/acs?a=1&amp;b=2\" ForceAuthn=\"true\">\
                   <saml:Issuer xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\"> https://sp.test </saml:Issuer>\
                   </samlp:AuthnRequest>";
        let r = parse_authn_request(xml).unwrap();
        assert_eq!(r.id, "_r1");
        assert_eq!(r.acs_url, "https://sp.test/acs?a=1&b=2");
        assert_eq!(r.issuer, "https://sp.test");
        assert!(r.force_authn);
        assert!(parse_authn_request("<x>").is_err());
        assert!(parse_authn_request("<AuthnRequest ID=\"").is_err());
    }
}
