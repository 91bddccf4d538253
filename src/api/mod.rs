//! One module per Descope API group; the module path mirrors the URL path.

pub mod mcp;

use crate::http::route_table::Op;
use crate::state::AppState;

// Descope's API and the emulator's own are two tables, so the coverage test can compare the
// first with Descope's operation list.
crate::route_table! {
    DESCOPE;
    modules { auth, fedcm, flow, keys, mgmt, oidc, scim }
}

crate::route_table! {
    EMULATOR;
    modules { emulator }
}

/// Every Descope operation the emulator routes (implemented or answering 501).
pub fn descope_ops() -> Vec<&'static Op> {
    DESCOPE.ops()
}

/// Every route, Descope's and the emulator's own.
pub fn all_ops() -> Vec<&'static Op> {
    let mut ops = DESCOPE.ops();
    ops.extend(EMULATOR.ops());
    ops
}

/// The whole application: every group's routes inside the shared layers of [`crate::http`],
/// and `/mcp`, whose tool calls go to the same application without `/mcp`.
pub fn router(state: AppState, max_body: usize) -> axum::Router {
    let routes = || DESCOPE.router().merge(EMULATOR.router());
    let rest = crate::http::with_layers(routes(), state.clone(), max_body);
    let mcp = mcp::service(state.clone(), rest, max_body);
    crate::http::with_layers(routes().route_service(mcp::PATH, mcp), state, max_body)
}
