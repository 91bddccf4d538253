//! `/emulator/v1/*`: the emulator-only surface of EMULATOR_API.md (projects, outbox, clock,
//! health, software authenticators, faults, the request log, key rotation and forged tokens,
//! the console's live events),
//! the NOTP approval link (`notp.rs`), the SSO setup page of tenant
//! admin links (`sso_setup.rs`, `/sso-setup`) and the web page at `/emulator/`.

crate::route_table! {
    pub GROUP;
    modules { authenticators, clock, demo, events, faults, health, idp, notp, oidc_idp, outbound_idp, outbox, projects, requests, signin, sso_setup, tokens, ui }
}
