//! Wire shapes shared by more than one endpoint (camelCase, Descope's field names).

pub mod auth;
pub mod common;
pub mod user;
