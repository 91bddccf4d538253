//! `GET|POST /emulator/v1/clock`: the one emulator clock (advance, set into the past or
//! future, reset).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::dto::Validate;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::ValidJson;

crate::route_table! {
    pub GROUP;
    built {
        GET "/emulator/v1/clock" => get_clock,
        POST "/emulator/v1/clock" => set_clock,
    }
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ClockResponse {
    pub now: i64,
    pub offset_seconds: i64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub frozen: bool,
}

impl From<&Clock> for ClockResponse {
    fn from(c: &Clock) -> Self {
        ClockResponse { now: c.now().secs(), offset_seconds: c.offset_secs(), frozen: c.is_frozen() }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ClockRequest {
    advance_seconds: Option<i64>,
    set: Option<i64>,
    reset: bool,
    /// Stops (`true`) or restarts (`false`) the clock; alone or with `set`.
    frozen: Option<bool>,
}

/// The times the clock may show.
const EARLIEST: i64 = crate::clock::EARLIEST_SECS;
const LATEST: i64 = crate::clock::LATEST_SECS;

impl Validate for ClockRequest {
    fn validate(&self) -> ApiResult<()> {
        let given = [self.advance_seconds.is_some(), self.set.is_some(), self.reset];
        let count = given.iter().filter(|g| **g).count();
        if count > 1 || (count == 0 && self.frozen.is_none()) {
            return Err(ApiError::invalid("Give exactly one of advanceSeconds, set or reset: true (or frozen)"));
        }
        if self.set.is_some_and(|at| !(EARLIEST..=LATEST).contains(&at)) {
            return Err(ApiError::invalid("set must be Unix seconds between the years 1 and 9999"));
        }
        if self.advance_seconds.is_some_and(|n| n.unsigned_abs() > LATEST.abs_diff(EARLIEST)) {
            return Err(ApiError::invalid("advanceSeconds would move the clock out of the years 1 to 9999"));
        }
        Ok(())
    }
}

/// GET /emulator/v1/clock
/// The emulator's current time and its offset from real time.
async fn get_clock(State(clock): State<Clock>) -> Json<ClockResponse> {
    Json((&clock).into())
}

/// POST /emulator/v1/clock
/// Moves the clock: `{"advanceSeconds": n}`, `{"set": unixSeconds}` or `{"reset": true}`.
async fn set_clock(
    State(clock): State<Clock>,
    ValidJson(req): ValidJson<ClockRequest>,
) -> ApiResult<Json<ClockResponse>> {
    if let Some(secs) = req.advance_seconds {
        let target = clock.now().secs().saturating_add(secs);
        if !(EARLIEST..=LATEST).contains(&target) {
            return Err(ApiError::invalid("advanceSeconds would move the clock out of the years 1 to 9999"));
        }
        clock.advance(secs);
    } else if let Some(at) = req.set {
        // Frozen at the time set, not at the time before it.
        if req.frozen == Some(true) {
            clock.freeze(true);
        }
        clock.set(at);
    } else if req.reset {
        clock.reset();
    }
    if let Some(frozen) = req.frozen {
        clock.freeze(frozen);
    }
    Ok(Json((&clock).into()))
}
