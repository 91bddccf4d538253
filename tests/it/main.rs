//! The one integration-test binary (STYLE.md 2.11): in-process tests over `tower::oneshot`.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code panics on failure by design")]

mod harness;

mod auth_enchantedlink;
mod auth_magiclink;
mod auth_notp;
mod auth_oauth;
mod auth_otp;
mod auth_password;
mod auth_recovery;
mod auth_session;
mod auth_sso;
mod auth_stepup;
mod auth_totp;
mod auth_webauthn;
mod connection;
mod emulator;
mod error_surfaces;
mod errors;
mod federation;
mod fuzz_regressions;
mod json_nulls;
mod mgmt_accesskey;
mod mgmt_adminlinks;
mod mgmt_audit;
mod mgmt_audit_everywhere;
mod mgmt_descopers;
mod mgmt_jwt;
mod mgmt_lists;
mod mgmt_role;
mod mgmt_sso;
mod mgmt_tenant;
mod mgmt_user;
mod mgmt_user_search;
mod mgmt_user_update;
mod oidc_provider;
mod outbox_wait;
mod pending;
mod route_coverage;
mod server;
mod snapshot_full;
mod snapshots_wire;
mod sso_apps;
mod store_db;
