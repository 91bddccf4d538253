//! `/emulator/v1/*`: the emulator-only surface of EMULATOR_API.md (projects, outbox, clock,
//! health, software authenticators), the NOTP approval link (`notp.rs`) and the web page at `/emulator/`.

crate::route_table! {
    pub GROUP;
    modules { authenticators, clock, health, idp, notp, oidc_idp, outbox, projects, signin, ui }
}
