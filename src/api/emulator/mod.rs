//! `/emulator/v1/*`: the emulator-only surface of EMULATOR_API.md (projects, outbox, clock,
//! health), the NOTP approval link (`notp.rs`) and the web page at `/emulator/`.

crate::route_table! {
    pub GROUP;
    modules { clock, health, idp, notp, oidc_idp, outbox, projects, ui }
}
