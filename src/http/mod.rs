//! axum glue: builds the router from the API route tables, the fallbacks and the layers.
//! No route paths here except the fallbacks.

pub mod extract;
pub mod middleware;
pub mod route_table;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::Router;
use tower_http::trace::TraceLayer;

use crate::state::AppState;

/// The whole application: every route table, 404/405 fallbacks in the Descope error format,
/// CORS, the emulator header and request tracing.
pub fn router(state: AppState, max_body: usize) -> Router {
    let trace = TraceLayer::new_for_http().make_span_with(|req: &Request| {
        let path = req
            .extensions()
            .get::<MatchedPath>()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| req.uri().path().to_owned());
        tracing::debug_span!("request", method = %req.method(), path = %path)
    });
    crate::api::routes()
        .fallback(middleware::not_found)
        .method_not_allowed_fallback(middleware::method_not_allowed)
        .layer(DefaultBodyLimit::max(max_body))
        // CORS inside the header layer, so preflights answered by CORS carry the header too.
        .layer(axum::middleware::from_fn_with_state(state.cors.clone(), middleware::cors))
        // A panicking handler answers 500 with the Descope body instead of dropping the connection.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(middleware::panic_response))
        .layer(axum::middleware::from_fn(middleware::emulator_header_and_error_body))
        .layer(trace)
        .with_state(state)
}
