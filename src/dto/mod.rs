//! Wire shapes shared by more than one endpoint (camelCase, Descope's field names).

pub mod accesskey;
pub mod auth;
pub mod common;
pub mod role;
pub mod sso;
pub mod tenant;
pub mod user;

use crate::error::ApiResult;

/// Checks of a request body beyond what serde checks (required fields, allowed values).
/// Implemented only by the bodies that have such checks; their handlers take them with
/// [`ValidJson`](crate::http::extract::ValidJson), which runs `validate` after parsing.
pub trait Validate {
    fn validate(&self) -> ApiResult<()>;
}
