//! `/emulator/v1/*`: the emulator-only surface of EMULATOR_API.md (projects, outbox, clock,
//! health), the NOTP approval link (`notp.rs`) and the web page at `/emulator/`.

pub mod clock;
pub mod health;
pub mod notp;
pub mod outbox;
pub mod projects;
pub mod ui;

use crate::http::route_table::Op;
use crate::state::AppState;

pub fn ops() -> impl Iterator<Item = &'static Op> {
    [clock::OPS, health::OPS, notp::OPS, outbox::OPS, projects::OPS, ui::OPS].into_iter().flatten()
}

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .merge(clock::routes())
        .merge(health::routes())
        .merge(notp::routes())
        .merge(outbox::routes())
        .merge(projects::routes())
        .merge(ui::routes())
}
