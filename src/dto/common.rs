//! Small shared shapes.

use serde::{Deserialize, Serialize};

use crate::clock::MAX_DURATION_SECS;
use crate::error::{ApiError, ApiResult};

/// `{}`: every 2xx needs a JSON body (Node parses every response).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Empty {}

/// Checks a duration a request sets, in seconds (zero or less means the default): more than
/// [`MAX_DURATION_SECS`] is refused, since no expiry that far out can be computed.
pub fn check_duration(field: &str, secs: i64) -> ApiResult<()> {
    if secs > MAX_DURATION_SECS {
        return Err(ApiError::invalid(format!("{field} must be at most {MAX_DURATION_SECS} seconds")));
    }
    Ok(())
}
