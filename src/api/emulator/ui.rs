//! `GET /emulator/`: the console, a web page for a person (projects, outbox, clock, request
//! log, faults, JWTs and the data tabs), and its assets under `/emulator/console/`.
//!
//! The assets are plain ES modules embedded in the binary (no build step, nothing fetched from
//! elsewhere); each tab is one module under `console/tabs/`.

use axum::extract::Path;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, ApiResult};

crate::route_table! {
    pub GROUP;
    built {
        GET "/emulator/" => page,
        GET "/emulator" => page,
        GET "/emulator/magiclink" => page,
        GET "/emulator/console/{file}" => asset,
        GET "/emulator/console/tabs/{file}" => tab_asset,
    }
}

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// The console's files: path under `/emulator/console/`, content type, content.
pub const ASSETS: &[(&str, &str, &str)] = &[
    ("index.html", HTML, include_str!("console/index.html")),
    ("console.css", CSS, include_str!("console/console.css")),
    ("app.js", JS, include_str!("console/app.js")),
    ("lib.js", JS, include_str!("console/lib.js")),
    ("tabs/projects.js", JS, include_str!("console/tabs/projects.js")),
    ("tabs/outbox.js", JS, include_str!("console/tabs/outbox.js")),
    ("tabs/clock.js", JS, include_str!("console/tabs/clock.js")),
    ("tabs/jwt.js", JS, include_str!("console/tabs/jwt.js")),
    ("tabs/requests.js", JS, include_str!("console/tabs/requests.js")),
    ("tabs/faults.js", JS, include_str!("console/tabs/faults.js")),
    ("tabs/users.js", JS, include_str!("console/tabs/users.js")),
    ("tabs/tenants.js", JS, include_str!("console/tabs/tenants.js")),
    ("tabs/roles.js", JS, include_str!("console/tabs/roles.js")),
    ("tabs/accesskeys.js", JS, include_str!("console/tabs/accesskeys.js")),
    ("tabs/audit.js", JS, include_str!("console/tabs/audit.js")),
    ("tabs/common-data.js", JS, include_str!("console/tabs/common-data.js")),
    ("tabs/data.css", CSS, include_str!("console/tabs/data.css")),
];

fn serve(path: &str) -> ApiResult<Response> {
    let (_, content_type, body) = ASSETS
        .iter()
        .find(|(p, _, _)| *p == path)
        .ok_or_else(|| ApiError::not_found(format!("No console file {path}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        *body,
    )
        .into_response())
}

/// GET /emulator/
/// The console shell (`?projectId=P...` opens that project; `/emulator/magiclink?t=...`
/// shows the token of a magic link).
async fn page() -> ApiResult<Response> {
    serve("index.html")
}

/// GET /emulator/console/{file}
/// One of the console's files.
async fn asset(Path(file): Path<String>) -> ApiResult<Response> {
    serve(&file)
}

/// GET /emulator/console/tabs/{file}
/// One tab module of the console.
async fn tab_asset(Path(file): Path<String>) -> ApiResult<Response> {
    serve(&format!("tabs/{file}"))
}
