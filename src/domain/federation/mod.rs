//! Federation: sign-in through other identity providers, all of them fakes served by the
//! emulator itself so that nothing leaves the machine.
//!
//! - [`idp`]: the fake providers' page, the identities it asserts and the single-use code of
//!   an approval (start and finish joined by [`crate::domain::pending`]);
//! - [`identities`]: which provider subject is which user;
//! - [`oauth`]: social sign-in (redirect, native, One Tap) and the fake providers' ID tokens;
//! - [`sso`]: tenant SSO configurations (SAML, OIDC) and their mappings, and SSO sign-in.
//! - [`oidc_idp`]: real OpenID Connect providers inside the emulator, and the relying party
//!   that signs a tenant's users in through them with real token verification.

pub mod identities;
pub mod idp;
pub mod idp_metadata;
pub mod oauth;
pub mod oidc_idp;
pub mod sso;
pub mod sso_login;
