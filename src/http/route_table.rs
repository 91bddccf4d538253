//! The `route_table!` macro: each API module declares its routes once, as data.
//!
//! The macro expands to `pub fn routes() -> Router<AppState>` and a `const OPS: &[Op]` with the
//! same rows, which the route-coverage test compares with Descope's operation list.

/// One routed operation: HTTP method, literal Descope path and the handler serving it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Op {
    pub method: &'static str,
    pub path: &'static str,
    pub handler: &'static str,
}

impl Op {
    /// True when the operation answers 501 (routed, not built yet).
    pub fn is_implemented(&self) -> bool {
        !self.handler.contains("not_implemented")
    }
}

/// `route_table! { pub OPS; [surface OAuth;] GET "/path" => handler, ... }`. The optional
/// `surface` names the [`ErrorSurface`](crate::error::ErrorSurface) the group's errors answer in;
/// without it they answer with the Descope body.
#[macro_export]
macro_rules! route_table {
    (@table $vis:vis $ops:ident; [$($surface:ident)?];
        $( $method:ident $path:literal => $handler:expr ),* $(,)?) => {
        $vis const $ops: &[$crate::http::route_table::Op] = &[
            $( $crate::http::route_table::Op {
                method: stringify!($method),
                path: $path,
                handler: stringify!($handler),
            }, )*
        ];

        /// The routes of this module, one per row of the table above.
        $vis fn routes() -> axum::Router<$crate::state::AppState> {
            let routes = axum::Router::new()
            $( .route($path, axum::routing::on(axum::routing::MethodFilter::$method, $handler)) )*;
            $( let routes = routes.route_layer($crate::error::ErrorSurface::$surface.layer()); )?
            routes
        }
    };
    ($vis:vis $ops:ident; surface $surface:ident; $($rows:tt)*) => {
        $crate::route_table!(@table $vis $ops; [$surface]; $($rows)*);
    };
    ($vis:vis $ops:ident; $($rows:tt)*) => {
        $crate::route_table!(@table $vis $ops; []; $($rows)*);
    };
}

/// Handler of every Descope operation that is routed but not built yet: 501 with the Descope
/// error body naming the operation, whatever the group's error surface (the surfaces leave
/// [`ErrorKind::NotImplemented`](crate::error::ErrorKind::NotImplemented) answers alone).
pub async fn not_implemented(
    method: axum::http::Method,
    path: axum::extract::MatchedPath,
) -> crate::error::ApiError {
    crate::error::ApiError::not_implemented(&format!("{method} {}", path.as_str()))
}
