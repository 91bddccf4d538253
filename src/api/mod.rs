//! One module per Descope API group; the module path mirrors the URL path.

pub mod auth;
pub mod emulator;
pub mod fedcm;
pub mod keys;
pub mod mgmt;
pub mod oidc;
pub mod scim;

use crate::http::route_table::Op;
use crate::state::AppState;

/// Every Descope operation the emulator routes (implemented or answering 501).
pub fn descope_ops() -> Vec<&'static Op> {
    auth::ops()
        .chain(mgmt::ops())
        .chain([fedcm::OPS, keys::OPS, oidc::OPS, scim::OPS].into_iter().flatten())
        .collect()
}

/// Every route, Descope's and the emulator's own.
pub fn all_ops() -> Vec<&'static Op> {
    let mut ops = descope_ops();
    ops.extend(emulator::ops());
    ops
}

/// The whole application: every group's routes inside the shared layers of [`crate::http`].
pub fn router(state: AppState, max_body: usize) -> axum::Router {
    crate::http::with_layers(routes(), state, max_body)
}

fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .merge(auth::routes())
        .merge(mgmt::routes())
        .merge(fedcm::routes())
        .merge(keys::routes())
        .merge(oidc::routes())
        .merge(scim::routes())
        .merge(emulator::routes())
}
