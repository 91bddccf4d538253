//! Descope API group `resourcePoliciesManagement`: which scopes of a resource an inbound app
//! may get, keyed by (`thirdPartyApplicationId`, `resourceId`)
//! ([`crate::domain::apps::agentic`]).

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::domain::apps::agentic;
use crate::dto::common::Empty;
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, DescopeQuery, MgmtAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        GET "/v1/mgmt/resourcepolicy/app/load" => load_by_app,
        POST "/v1/mgmt/resourcepolicy/create" => create,
        POST "/v1/mgmt/resourcepolicy/create/batch" => create_batch,
        POST "/v1/mgmt/resourcepolicy/delete" => delete,
        POST "/v1/mgmt/resourcepolicy/delete/batch" => delete_batch,
        POST "/v1/mgmt/resourcepolicy/update" => update,
    }
}

/// POST /v1/mgmt/resourcepolicy/create
/// A policy of an inbound app on a resource (both must exist; its scopes the resource's):
/// `{resourcePolicy}`.
async fn create(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let mut out = agentic::put_policies(&s.db, &ctx, &[body], true).await?;
    Ok(Json(json!({ "resourcePolicy": out.remove(0) })))
}

/// POST /v1/mgmt/resourcepolicy/update
/// Replaces a policy's scopes: `{resourcePolicy}`.
async fn update(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let mut out = agentic::put_policies(&s.db, &ctx, &[body], false).await?;
    Ok(Json(json!({ "resourcePolicy": out.remove(0) })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PoliciesBody {
    policies: Vec<Map<String, Value>>,
}

/// POST /v1/mgmt/resourcepolicy/create/batch
/// Several policies (all or none): `{resourcePolicies}`.
async fn create_batch(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<PoliciesBody>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "resourcePolicies": agentic::put_policies(&s.db, &ctx, &b.policies, true).await? })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct PolicyKey {
    resource_id: String,
    third_party_application_id: String,
}

/// POST /v1/mgmt/resourcepolicy/delete
/// Deletes the policy of an app on a resource.
async fn delete(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(k): DescopeJson<PolicyKey>,
) -> ApiResult<Json<Empty>> {
    agentic::delete_policies(&s.db, &ctx, &[(k.third_party_application_id, k.resource_id)]).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct KeysBody {
    policies: Vec<PolicyKey>,
}

/// POST /v1/mgmt/resourcepolicy/delete/batch
/// Deletes several policies (all or none).
async fn delete_batch(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<KeysBody>,
) -> ApiResult<Json<Empty>> {
    let keys: Vec<(String, String)> =
        b.policies.into_iter().map(|k| (k.third_party_application_id, k.resource_id)).collect();
    agentic::delete_policies(&s.db, &ctx, &keys).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct AppQuery {
    third_party_application_id: String,
}

/// GET /v1/mgmt/resourcepolicy/app/load
/// The policies of an app (`?thirdPartyApplicationId=`): `{resourcePolicies}`.
async fn load_by_app(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<AppQuery>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "resourcePolicies": agentic::app_policies(&s.db, &ctx, &q.third_party_application_id).await? })))
}
