//! Descope API group `AccessKeys`: exchanging an access key (bearer `P...:<cleartext>`) for a
//! session JWT, without a refresh token.
//!
//! The client IP for `permittedIps` is the first hop of `X-Forwarded-For`, else 127.0.0.1
//! (the emulator is reached locally).

use axum::extract::State;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::net::{IpAddr, Ipv4Addr};

use crate::domain::identity::accesskeys::{self, ExchangeOptions};
use crate::dto::accesskey::ExchangeAccessKeyResponse;
use crate::error::ApiResult;
use crate::http::extract::{bearer, DescopeJson, ProjectAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/auth/accesskey/exchange" => exchange,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct LoginOptionsBody {
    #[serde(alias = "custom_claims")]
    custom_claims: Map<String, Value>,
    #[serde(alias = "selected_tenant")]
    selected_tenant: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ExchangeBody {
    login_options: LoginOptionsBody,
}

/// The bearer's access key (`P...:<cleartext>`), if any.
struct AccessKeySecret(Option<String>);

impl axum::extract::FromRequestParts<AppState> for AccessKeySecret {
    type Rejection = crate::error::ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(AccessKeySecret(bearer(parts)?.secret))
    }
}

fn client_ip(headers: &HeaderMap) -> IpAddr {
    headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .and_then(|ip| ip.trim().parse().ok())
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
}

/// POST /v1/auth/accesskey/exchange
/// Exchanges an access key for a session JWT whose `sub` is the key ID.
async fn exchange(
    State(s): State<AppState>,
    ProjectAuth(ctx): ProjectAuth,
    AccessKeySecret(secret): AccessKeySecret,
    headers: HeaderMap,
    DescopeJson(b): DescopeJson<ExchangeBody>,
) -> ApiResult<Json<ExchangeAccessKeyResponse>> {
    let opts = ExchangeOptions {
        custom_claims: b.login_options.custom_claims,
        selected_tenant: b.login_options.selected_tenant,
    };
    let out = accesskeys::exchange(&s.db, &ctx, secret.as_deref(), client_ip(&headers), opts).await?;
    Ok(Json(out.into()))
}
