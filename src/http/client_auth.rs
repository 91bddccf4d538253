//! OAuth client authentication (RFC 6749 section 2.3) for the token, revoke and introspection
//! endpoints: HTTP Basic (`client_secret_basic`), form fields (`client_secret_post`), or a
//! public client that sends only its `client_id` (`none`, with PKCE).
//!
//! The credentials come from the header and the form body together, so [`OAuthForm`] reads
//! both and hands the handler the parsed form and the client. A malformed or missing client
//! authentication is `invalid_client` (401; the OAuth surface adds `WWW-Authenticate: Basic`
//! when Basic was used); two methods at once is `invalid_request` (RFC 6749 section 5.2).
//! Whether the client exists and its secret matches is for the domain to decide.

use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap};
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::extract::read_body;
use super::form::parse_form;
use crate::error::{ApiError, ApiResult, ErrorKind};

/// How the client authenticated, named as in RFC 7591 `token_endpoint_auth_method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuthMethod {
    /// `Authorization: Basic base64(client_id:client_secret)`.
    ClientSecretBasic,
    /// `client_id` and `client_secret` form fields.
    ClientSecretPost,
    /// A public client: `client_id` alone.
    None,
}

/// The client of an OAuth request, not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCredentials {
    pub client_id: String,
    /// The secret; `None` for a public client (or an empty Basic password).
    pub secret: Option<String>,
    pub method: ClientAuthMethod,
}

/// The client fields a form may carry.
#[derive(Debug, Default, Deserialize)]
pub struct PostedClient {
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub client_secret: Option<String>,
}

/// A form body and the client that sent it.
pub struct OAuthForm<T> {
    pub form: T,
    pub client: ClientCredentials,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for OAuthForm<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // The header first: a malformed Basic header is `invalid_client` whatever the body holds.
        let basic = basic_credentials(req.headers())?;
        let bytes = read_body(req, state).await?;
        let form = parse_form::<T>(&bytes)?;
        let client = client_credentials(basic, parse_form::<PostedClient>(&bytes)?)?;
        Ok(OAuthForm { form, client })
    }
}

fn invalid_client(message: &str) -> ApiError {
    ApiError::new(ErrorKind::InvalidClient, message)
}

/// The `client_id` and password of an `Authorization: Basic` header, if the request has one;
/// other schemes are not client authentication and are left alone. Both parts are
/// form-urlencoded before base64 (RFC 6749 section 2.3.1).
pub fn basic_credentials(headers: &HeaderMap) -> ApiResult<Option<(String, String)>> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| invalid_client("Invalid Authorization header"))?.trim();
    let (scheme, encoded) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("basic") {
        return Ok(None);
    }
    // Padding is optional: some clients leave it off.
    const BASE64: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let malformed = || invalid_client("Malformed HTTP Basic client credentials");
    let decoded = BASE64.decode(encoded.trim()).map_err(|_| malformed())?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
    let (id, secret) = (form_decode(id).ok_or_else(malformed)?, form_decode(secret).ok_or_else(malformed)?);
    if id.is_empty() {
        return Err(invalid_client("Missing client_id in HTTP Basic client credentials"));
    }
    Ok(Some((id, secret)))
}

/// One form-urlencoded component: `+` is a space, then percent-decoding; `None` if not UTF-8.
fn form_decode(s: &str) -> Option<String> {
    let spaced = s.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced).decode_utf8().ok().map(|c| c.into_owned())
}

/// Combines the Basic credentials and the form's client fields into the request's client.
pub fn client_credentials(
    basic: Option<(String, String)>,
    posted: PostedClient,
) -> ApiResult<ClientCredentials> {
    let posted_id = posted.client_id.filter(|s| !s.is_empty());
    let posted_secret = posted.client_secret.filter(|s| !s.is_empty());
    match basic {
        Some((client_id, secret)) => {
            if posted_secret.is_some() {
                return Err(ApiError::new(
                    ErrorKind::InvalidRequest,
                    "The client authenticated with both HTTP Basic and client_secret; use one method",
                ));
            }
            // Sending client_id in the body as well is common; a different one is not.
            if posted_id.is_some_and(|id| id != client_id) {
                return Err(ApiError::new(
                    ErrorKind::InvalidRequest,
                    "client_id in the body does not match the HTTP Basic client credentials",
                ));
            }
            let secret = Some(secret).filter(|s| !s.is_empty());
            Ok(ClientCredentials { client_id, secret, method: ClientAuthMethod::ClientSecretBasic })
        }
        None => {
            let client_id = posted_id.ok_or_else(|| {
                invalid_client("Missing client authentication: send HTTP Basic credentials or client_id")
            })?;
            let method = if posted_secret.is_some() {
                ClientAuthMethod::ClientSecretPost
            } else {
                ClientAuthMethod::None
            };
            Ok(ClientCredentials { client_id, secret: posted_secret, method })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn basic(raw: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(raw).unwrap());
        h
    }

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        let h = basic(&format!("Basic {}", b64("my%20app:s3cr%3Dt+x")));
        assert_eq!(basic_credentials(&h).unwrap(), Some(("my app".into(), "s3cr=t x".into())));
        // Scheme is case-insensitive; padding optional.
        let h = basic(&format!("basic {}", b64("ab:c").trim_end_matches('=')));
        assert_eq!(basic_credentials(&h).unwrap(), Some(("ab".into(), "c".into())));
        assert_eq!(basic_credentials(&HeaderMap::new()).unwrap(), None);
        assert_eq!(basic_credentials(&basic("Bearer P123")).unwrap(), None);
    }

    #[test]
    fn malformed_basic_is_invalid_client() {
        for raw in [
            "Basic".to_owned(),
            "Basic !!!".to_owned(),
            format!("Basic {}", b64("no-colon")),
            format!("Basic {}", b64(":secret")),
            format!("Basic {}", b64("id%FF:x")),
        ] {
            let err = basic_credentials(&basic(&raw)).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidClient, "{raw}");
        }
    }

    fn posted(id: Option<&str>, secret: Option<&str>) -> PostedClient {
        PostedClient { client_id: id.map(Into::into), client_secret: secret.map(Into::into) }
    }

    #[test]
    fn one_method_per_request() {
        let basic = || Some(("app".to_owned(), "pw".to_owned()));
        let c = client_credentials(basic(), posted(None, None)).unwrap();
        assert_eq!(c.method, ClientAuthMethod::ClientSecretBasic);
        assert_eq!(c.secret.as_deref(), Some("pw"));
        let c = client_credentials(basic(), posted(Some("app"), None)).unwrap();
        assert_eq!(c.client_id, "app");
        let err = client_credentials(basic(), posted(Some("app"), Some("pw"))).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidRequest);
        let err = client_credentials(basic(), posted(Some("other"), None)).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidRequest);

        let c = client_credentials(None, posted(Some("app"), Some("pw"))).unwrap();
        assert_eq!(
            c,
            ClientCredentials {
                client_id: "app".into(),
                secret: Some("pw".into()),
                method: ClientAuthMethod::ClientSecretPost
            }
        );
        let c = client_credentials(None, posted(Some("app"), Some(""))).unwrap();
        assert_eq!((c.method, c.secret), (ClientAuthMethod::None, None));
        let err = client_credentials(None, posted(None, Some("pw"))).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidClient);
    }
}
