//! axum glue: extractors, the route-table macro, and the layers and fallbacks every route
//! shares. No route paths and no business rules here; the router itself is assembled in
//! [`crate::api::router`].

pub mod auth;
pub mod client_auth;
pub mod extract;
pub mod form;
pub mod middleware;
pub mod route_table;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::Router;
use tower_http::trace::TraceLayer;

use crate::state::AppState;

/// Wraps the routes with what every route shares: 404/405 fallbacks in the Descope error
/// format, the body limit, CORS, the emulator header, the panic guard and request tracing.
pub fn with_layers(routes: Router<AppState>, state: AppState, max_body: usize) -> Router {
    let trace = TraceLayer::new_for_http().make_span_with(|req: &Request| {
        let path = req
            .extensions()
            .get::<MatchedPath>()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| req.uri().path().to_owned());
        tracing::debug_span!("request", method = %req.method(), path = %path)
    });
    routes
        .fallback(middleware::not_found)
        .method_not_allowed_fallback(middleware::method_not_allowed)
        .layer(DefaultBodyLimit::max(max_body))
        // CORS inside the header layer, so preflights answered by CORS carry the header too.
        .layer(axum::middleware::from_fn_with_state(state.cors.clone(), middleware::cors))
        // Host and origin checks before anything else runs (inside the header layer, so
        // refusals carry the emulator header too).
        .layer(axum::middleware::from_fn_with_state(
            (state.hosts.clone(), state.cors.clone()),
            middleware::guard,
        ))
        // A panicking handler answers 500 with the Descope body instead of dropping the connection.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(middleware::panic_response))
        .layer(axum::middleware::from_fn(middleware::emulator_header_and_error_body))
        .layer(trace)
        .with_state(state)
}
