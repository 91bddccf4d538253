//! Apps (to come): Descope as an authorization server. One client registry behind federated
//! apps, inbound (third-party) apps, SSO apps and MCP servers, and the OAuth 2.0 / OIDC
//! authorization server they share (codes, device codes and consents use
//! [`crate::domain::pending`]).
