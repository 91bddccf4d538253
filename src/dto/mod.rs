//! Wire shapes shared by more than one endpoint (camelCase, Descope's field names).

pub mod accesskey;
pub mod auth;
pub mod common;
pub mod role;
pub mod tenant;
pub mod user;
