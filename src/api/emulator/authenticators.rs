//! `/emulator/v1/projects/{projectId}/authenticators`: the software authenticator of
//! EMULATOR_API.md, which answers WebAuthn options with real credentials and assertions.

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;

use crate::domain::authn::webauthn::authenticator::{self, Credential, NewAuthenticator};
use crate::dto::common::Empty;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{DescopeJson, EmulatorProject};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/emulator/v1/projects/{projectId}/authenticators" => create,
        POST "/emulator/v1/projects/{projectId}/authenticators/{authenticatorId}/create" => make_credential,
        POST "/emulator/v1/projects/{projectId}/authenticators/{authenticatorId}/get" => get_assertion,
        GET "/emulator/v1/projects/{projectId}/authenticators/{authenticatorId}/credentials" => credentials,
        DELETE "/emulator/v1/projects/{projectId}/authenticators/{authenticatorId}" => delete,
    }
}

/// `{hasResidentKey, isUserVerified, alg}`, each optional.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct CreateBody {
    has_resident_key: Option<bool>,
    is_user_verified: Option<bool>,
    alg: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Created {
    authenticator_id: String,
}

/// `{options, origin}`: the options a start call returned (string or object).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CeremonyBody {
    options: Value,
    origin: String,
}

#[derive(Debug, Serialize)]
struct CeremonyResponse {
    response: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CredentialView {
    id: String,
    rp_id: String,
    user_handle: String,
    sign_count: i64,
}

impl From<Credential> for CredentialView {
    fn from(c: Credential) -> Self {
        CredentialView { id: c.credential_id, rp_id: c.rp_id, user_handle: c.user_handle, sign_count: c.sign_count }
    }
}

#[derive(Debug, Serialize)]
struct Credentials {
    credentials: Vec<CredentialView>,
}

fn authenticator_id(params: &HashMap<String, String>) -> ApiResult<&str> {
    params
        .get("authenticatorId")
        .map(String::as_str)
        .filter(|id| !id.is_empty())
        .ok_or_else(|| ApiError::missing("authenticatorId"))
}

/// POST /emulator/v1/projects/{projectId}/authenticators
/// A new software authenticator.
async fn create(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    DescopeJson(body): DescopeJson<CreateBody>,
) -> ApiResult<Json<Created>> {
    let new = NewAuthenticator {
        has_resident_key: body.has_resident_key,
        is_user_verified: body.is_user_verified,
        alg: body.alg,
    };
    Ok(Json(Created { authenticator_id: authenticator::create(&s.db, &ctx, new).await? }))
}

/// POST /emulator/v1/projects/{projectId}/authenticators/{authenticatorId}/create
/// Makes a credential for creation options; answers the `response` for the finish call.
async fn make_credential(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    Path(params): Path<HashMap<String, String>>,
    DescopeJson(body): DescopeJson<CeremonyBody>,
) -> ApiResult<Json<CeremonyResponse>> {
    let id = authenticator_id(&params)?;
    let response = authenticator::make_credential(&s.db, &ctx, id, &body.options, &body.origin).await?;
    Ok(Json(CeremonyResponse { response }))
}

/// POST /emulator/v1/projects/{projectId}/authenticators/{authenticatorId}/get
/// Signs an assertion for request options; answers the `response` for the finish call.
async fn get_assertion(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    Path(params): Path<HashMap<String, String>>,
    DescopeJson(body): DescopeJson<CeremonyBody>,
) -> ApiResult<Json<CeremonyResponse>> {
    let id = authenticator_id(&params)?;
    let response = authenticator::get_assertion(&s.db, &ctx, id, &body.options, &body.origin).await?;
    Ok(Json(CeremonyResponse { response }))
}

/// GET /emulator/v1/projects/{projectId}/authenticators/{authenticatorId}/credentials
/// The credentials the authenticator holds.
async fn credentials(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    Path(params): Path<HashMap<String, String>>,
) -> ApiResult<Json<Credentials>> {
    let rows = authenticator::credentials(&s.db, &ctx, authenticator_id(&params)?).await?;
    Ok(Json(Credentials { credentials: rows.into_iter().map(CredentialView::from).collect() }))
}

/// DELETE /emulator/v1/projects/{projectId}/authenticators/{authenticatorId}
/// Removes the authenticator and its keys.
async fn delete(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    Path(params): Path<HashMap<String, String>>,
) -> ApiResult<Json<Empty>> {
    authenticator::delete(&s.db, &ctx, authenticator_id(&params)?).await?;
    Ok(Json(Empty {}))
}
