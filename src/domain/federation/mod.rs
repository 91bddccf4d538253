//! Federation (to come): sign-in through other identity providers: OAuth social providers,
//! enterprise SSO (SAML, OIDC), passkeys (WebAuthn) and the emulator's fake providers. Their
//! transactions (OAuth db, SAML relay db, WebAuthn challenges) use
//! [`crate::domain::pending`].
pub mod sso;
