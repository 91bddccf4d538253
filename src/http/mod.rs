//! axum glue: extractors, the route-table macro, and the layers and fallbacks every route
//! shares. No route paths and no business rules here; the router itself is assembled in
//! [`crate::api::router`].

pub mod auth;
pub mod client_auth;
pub mod extract;
pub mod form;
pub mod middleware;
pub mod observe;
pub mod operations;
pub mod route_table;
pub mod server;

use axum::extract::{DefaultBodyLimit, Request};
use axum::Router;
use tower_http::trace::TraceLayer;

use crate::state::AppState;

/// Wraps the routes with what every route shares: 404/405 fallbacks in the Descope error
/// format, the edge middleware (the body read whole first, the Host and origin guard, CORS,
/// the emulator header and error body), the panic guard and request tracing.
///
/// The shared layers wrap the finished router once, as one service. Applied with
/// `Router::layer`, each would be boxed again around every route, and cost an allocation or
/// two per request and layer (memory that a long-poll holds for its whole wait).
pub fn with_layers(routes: Router<AppState>, state: AppState, max_body: usize) -> Router {
    let trace = TraceLayer::new_for_http().make_span_with(
        |req: &Request| tracing::debug_span!("request", method = %req.method(), path = %req.uri().path()),
    );
    let routes = routes
        .fallback(middleware::not_found)
        .method_not_allowed_fallback(middleware::method_not_allowed)
        .with_state(state.clone());
    let edge = middleware::Edge {
        max_body,
        hosts: state.hosts.clone(),
        cors: state.cors.clone(),
        app: state.clone(),
    };
    let shared = tower::ServiceBuilder::new()
        .layer(trace)
        // Body read first (keep-alive stays usable), Host and origin guard, CORS, and on every
        // answer the emulator header and the Descope error body.
        .layer(axum::middleware::from_fn_with_state(edge, middleware::edge))
        // A panicking handler answers 500 with the Descope body instead of dropping the connection.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(middleware::panic_response))
        .layer(DefaultBodyLimit::max(max_body))
        .service(routes);
    Router::new().fallback_service(shared)
}
