//! The `route_table!` macro: each API module declares its routes once, as data.
//!
//! An invocation expands to one `const` [`Group`]: the module's own rows as [`Op`]s, a function
//! building their router, and the groups of its submodules. Rows come in two sections, so the
//! table itself says which operations are built: `built` rows name their handler, `unbuilt` rows
//! are routed to [`not_implemented`] (501 with the Descope error body naming the operation). A
//! third section, `modules`, declares submodules and nests their groups, so a parent module
//! names each child once. An optional `surface OAuth;` (or `Scim`) line after the name picks the
//! [`ErrorSurface`](crate::error::ErrorSurface) the group's errors answer in; without it they
//! answer with the Descope body. The route-coverage test reads the ops; [`crate::api::router`] merges
//! the routers.
//!
//! ```ignore
//! crate::route_table! {
//!     pub GROUP;
//!     built {
//!         GET "/v1/mgmt/tenant" => load,
//!     }
//!     unbuilt {
//!         POST "/v1/mgmt/tenant/adminlinks/sso/send",
//!     }
//!     modules { settings }
//! }
//! ```

use axum::Router;

use crate::state::AppState;

/// One routed operation: HTTP method, literal Descope path and the handler serving it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Op {
    /// HTTP method, as written in the table (`GET`, `POST`, ...).
    pub method: &'static str,
    /// The literal path, with `{param}` segments as axum routes them.
    pub path: &'static str,
    /// The handler expression, as written in the table (`not_implemented` for unbuilt rows).
    pub handler: &'static str,
    /// False for rows of the `unbuilt` section: routed, answering 501.
    pub built: bool,
}

impl Op {
    /// True when the operation is built, false when it answers 501 (routed, not built yet).
    pub fn is_implemented(&self) -> bool {
        self.built
    }
}

/// The routes of one API module and of the modules nested in it, as `route_table!` declares
/// them.
#[derive(Debug, Clone, Copy)]
pub struct Group {
    /// The module's own rows, built and unbuilt.
    pub ops: &'static [Op],
    /// Builds the router of the module's own rows (not of its nested modules).
    pub routes: fn() -> Router<AppState>,
    /// The groups of the nested modules.
    pub modules: &'static [Group],
}

impl Group {
    /// Every operation of this group and its nested groups, own rows first.
    pub fn ops(&self) -> Vec<&'static Op> {
        let mut out = Vec::new();
        self.collect_ops(&mut out);
        out
    }

    fn collect_ops(&self, out: &mut Vec<&'static Op>) {
        out.extend(self.ops);
        for module in self.modules {
            module.collect_ops(out);
        }
    }

    /// The router of this group and its nested groups.
    pub fn router(&self) -> Router<AppState> {
        self.modules.iter().fold((self.routes)(), |router, module| router.merge(module.router()))
    }
}

/// Declares a module's routes; see the [module documentation](self).
#[macro_export]
macro_rules! route_table {
    (
        $vis:vis $name:ident;
        $( surface $surface:ident; )?
        $( built { $( $method:ident $path:literal => $handler:expr ),* $(,)? } )?
        $( unbuilt { $( $u_method:ident $u_path:literal ),* $(,)? } )?
        $( modules { $( $module:ident ),* $(,)? } )?
    ) => {
        $($( pub mod $module; )*)?

        /// The routes of this module and its nested modules.
        $vis const $name: $crate::http::route_table::Group = $crate::http::route_table::Group {
            ops: &[
                $($( $crate::http::route_table::Op {
                    method: stringify!($method),
                    path: $path,
                    handler: stringify!($handler),
                    built: true,
                }, )*)?
                $($( $crate::http::route_table::Op {
                    method: stringify!($u_method),
                    path: $u_path,
                    handler: "not_implemented",
                    built: false,
                }, )*)?
            ],
            routes: {
                fn routes() -> axum::Router<$crate::state::AppState> {
                    let routes = axum::Router::new()
                    $($( .route(
                        $path,
                        axum::routing::on(axum::routing::MethodFilter::$method, $handler),
                    ) )*)?
                    $($( .route(
                        $u_path,
                        axum::routing::on(
                            axum::routing::MethodFilter::$u_method,
                            $crate::http::route_table::not_implemented,
                        ),
                    ) )*)?;
                    $( let routes = routes.route_layer($crate::error::ErrorSurface::$surface.layer()); )?
                    routes
                }
                routes
            },
            modules: &[ $($( $module::GROUP, )*)? ],
        };
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
