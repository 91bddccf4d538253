//! `GET /emulator/v1/health`.

use axum::Json;
use serde::Serialize;

use crate::http::middleware::VERSION;

crate::route_table! {
    pub GROUP;
    built {
        GET "/emulator/v1/health" => health,
    }
}

#[derive(Debug, Serialize)]
pub struct Health {
    status: &'static str,
    version: &'static str,
}

/// GET /emulator/v1/health
/// Answers once the server can serve requests.
async fn health() -> Json<Health> {
    Json(Health { status: "ok", version: VERSION })
}
