//! The one integration-test binary (STYLE.md 2.11): in-process tests over `tower::oneshot`.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code panics on failure by design")]

mod harness;

mod auth_magiclink;
mod auth_otp;
mod auth_password;
mod auth_session;
mod auth_totp;
mod emulator;
mod errors;
mod mgmt_accesskey;
mod mgmt_audit;
mod mgmt_jwt;
mod mgmt_role;
mod mgmt_tenant;
mod mgmt_user;
mod route_coverage;
mod server;
