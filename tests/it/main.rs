//! The one integration-test binary (STYLE.md 2.11): in-process tests over `tower::oneshot`.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code panics on failure by design")]

mod harness;

mod auth_magiclink;
mod auth_otp;
mod auth_session;
mod route_coverage;
