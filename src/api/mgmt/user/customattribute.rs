//! Descope API group `userManagement`: the project's declared user custom attributes,
//! `/v1/mgmt/user/customattribute/*` and `GET /v1/mgmt/user/customattributes`. Each call
//! answers the full list as `{"data": [...]}`.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use crate::domain::identity::custom_attributes;
use crate::dto::user::{CustomAttributeRequest, CustomAttributesEnvelope};
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, MgmtAuth};
use crate::state::AppState;

/// GET /v1/mgmt/user/customattributes
/// Lists the declared custom attributes.
pub async fn list(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
) -> ApiResult<Json<CustomAttributesEnvelope>> {
    let all = custom_attributes::list(&s.db, &ctx).await?;
    Ok(Json(all.as_slice().into()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateCustomAttributesRequest {
    attributes: Vec<CustomAttributeRequest>,
}

/// POST /v1/mgmt/user/customattribute/create
/// Declares custom attributes (a declared name is replaced).
pub async fn create(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<CreateCustomAttributesRequest>,
) -> ApiResult<Json<CustomAttributesEnvelope>> {
    let attrs =
        body.attributes.into_iter().map(CustomAttributeRequest::into_domain).collect::<ApiResult<_>>()?;
    let all = custom_attributes::create(&s.db, &ctx, attrs).await?;
    Ok(Json(all.as_slice().into()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DeleteCustomAttributesRequest {
    names: Vec<String>,
}

/// POST /v1/mgmt/user/customattribute/delete
/// Removes declared custom attributes; users keep their values.
pub async fn delete(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<DeleteCustomAttributesRequest>,
) -> ApiResult<Json<CustomAttributesEnvelope>> {
    let all = custom_attributes::delete(&s.db, &ctx, &body.names).await?;
    Ok(Json(all.as_slice().into()))
}
