//! Apps: Descope as an authorization server. One client registry ([`registry`]) behind
//! federated apps (the project's default OIDC app), OIDC SSO apps and, later, inbound
//! (third-party) apps, dynamically registered clients and MCP clients; one OAuth 2.0 / OIDC
//! authorization server ([`server`]) they share, parameterised by project, client and issuer
//! (codes and waiting sign-ins use [`crate::domain::pending`]); SSO app management
//! ([`sso_apps`]), Descope as a SAML / WS-Fed IdP for SSO apps ([`saml_idp`], its XML and
//! signatures in [`saml_xml`]) and the project's scope→claim mappings ([`mappings`]).
//! Descope API groups `federatedApps`, `ssoAppsManagement`.
//!
//! Errors of the OAuth routes answer in the format of RFC 6749 section 5.2 (the `OAuth` error
//! surface).

pub mod agentic;
mod fields;
pub mod inbound;
pub mod mappings;
pub mod outbound;
pub mod registry;
pub mod saml_idp;
pub mod saml_xml;
pub mod server;
pub mod sso_apps;
