//! `application/x-www-form-urlencoded` bodies (RFC 6749 appendix B: the OAuth token, revoke
//! and introspection endpoints), with errors as `ApiError` bad requests, which the OAuth
//! surface answers as `invalid_request`.

use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use super::extract::{field_error, read_body};
use crate::error::{ApiError, ApiResult};

/// A form body, parsed without insisting on the Content-Type (as `DescopeJson`), with errors
/// naming the offending field. An empty body is an empty form.
pub struct DescopeForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for DescopeForm<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_body(req, state).await?;
        Ok(DescopeForm(parse_form(&bytes)?))
    }
}

/// Parses a form body. A parameter sent twice is an error, as RFC 6749 section 3.2 wants.
pub fn parse_form<T: DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    let de = serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(bytes));
    serde_path_to_error::deserialize(de).map_err(field_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct TokenForm {
        grant_type: String,
        #[serde(default)]
        scope: Option<String>,
        #[serde(default)]
        expires_in: Option<u32>,
    }

    #[test]
    fn form_bodies_decode_plus_and_percent() {
        let form: TokenForm = parse_form(b"grant_type=client_credentials&scope=openid+email%20x").unwrap();
        assert_eq!(
            form,
            TokenForm {
                grant_type: "client_credentials".into(),
                scope: Some("openid email x".into()),
                expires_in: None
            }
        );
    }

    #[test]
    fn bad_forms_are_bad_requests_naming_the_problem() {
        let cases: &[(&[u8], &str)] = &[
            (b"", "missing field `grant_type`"),
            (b"scope=openid", "missing field `grant_type`"),
            (b"grant_type=a&grant_type=b", "duplicate field `grant_type`"),
            (b"grant_type=a&expires_in=soon", "expires_in"),
        ];
        for (body, needle) in cases {
            let err = parse_form::<TokenForm>(body).unwrap_err();
            assert_eq!(err.kind, ErrorKind::BadRequest, "{}", String::from_utf8_lossy(body));
            assert!(err.message.contains(needle), "{}: {}", String::from_utf8_lossy(body), err.message);
        }
    }
}
