//! Descope API groups `jwtTemplates`, `userManagement`.
//!
//! Built: `jwt/update` (merge custom claims into a JWT of this project and re-sign it).
//! JWT templates are routed but not built yet: they answer 501 with the Descope error body.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::domain::sessions::tokens;
use crate::dto::accesskey::lenient_i64;
use crate::dto::common::check_duration;
use crate::dto::Validate;
use crate::error::ApiResult;
use crate::http::extract::{MgmtAuth, ValidJson};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/mgmt/jwt/update" => update,
    }
    unbuilt {
        POST "/v1/mgmt/jwt/templates/create",
        POST "/v1/mgmt/jwt/templates/delete",
        POST "/v1/mgmt/jwt/templates/library/apply",
        POST "/v1/mgmt/jwt/templates/library/list",
        POST "/v1/mgmt/jwt/templates/library/load",
        POST "/v1/mgmt/jwt/templates/list",
        POST "/v1/mgmt/jwt/templates/load",
        POST "/v1/mgmt/jwt/templates/update",
        POST "/v1/mgmt/jwt/templates/validate",
    }
}

/// `managementv1.JWTResponse`: `{"jwt"}` of JWT update and the impersonation calls.
#[derive(Debug, Clone, Serialize)]
pub struct JwtEnvelope {
    pub jwt: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct UpdateBody {
    jwt: String,
    custom_claims: Map<String, Value>,
    #[serde(deserialize_with = "lenient_i64")]
    refresh_duration: i64,
}

impl Validate for UpdateBody {
    fn validate(&self) -> ApiResult<()> {
        check_duration("refreshDuration", self.refresh_duration)
    }
}

/// POST /v1/mgmt/jwt/update
/// Merges custom claims into a JWT of this project and re-signs it.
async fn update(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    ValidJson(b): ValidJson<UpdateBody>,
) -> ApiResult<Json<JwtEnvelope>> {
    let jwt = tokens::update_jwt(&s.db, &ctx, &b.jwt, b.custom_claims, b.refresh_duration).await?;
    Ok(Json(JwtEnvelope { jwt }))
}
