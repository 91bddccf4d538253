//! Descope API groups `getFedCMConfig`, `getFedCMClientMetadata`: the project as a FedCM
//! identity provider (web-js `fedcm.launch()` / `isLoggedIn()` hand
//! `<base>/{projectId}/fedcm/config` to `navigator.credentials.get`, client ID = project ID).
//!
//! Besides the two documented calls, the endpoints the config names are served too (not in the
//! OpenAPI; shapes from the FedCM specification): the accounts list and the ID assertion read the
//! browser's `DSR` cookie (the project's refresh JWT) and answer the signed-in user and, as the
//! token web-js passes to `refresh`, that refresh JWT.

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::domain::identity::users;
use crate::domain::sessions::{self, TokenKind};
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{DescopeForm, DescopeQuery, EmulatorProject};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        GET "/fedcm/clientmetadata" => client_metadata,
        GET "/{projectId}/fedcm/config" => config,
        GET "/{projectId}/fedcm/accounts" => accounts,
        POST "/{projectId}/fedcm/assertion" => assertion,
        POST "/{projectId}/fedcm/disconnect" => disconnect,
    }
}

/// `FedCMConfigResponse`
#[derive(Debug, Serialize)]
struct FedCmConfig {
    accounts_endpoint: String,
    client_metadata_endpoint: String,
    id_assertion_endpoint: String,
    disconnect_endpoint: String,
    login_url: String,
    branding: Value,
}

/// GET /{projectId}/fedcm/config
/// The project's FedCM identity-provider configuration.
async fn config(EmulatorProject(ctx): EmulatorProject) -> ApiResult<Json<FedCmConfig>> {
    let base = &ctx.project.public_url;
    let p = ctx.project_id();
    Ok(Json(FedCmConfig {
        accounts_endpoint: format!("{base}/{p}/fedcm/accounts"),
        client_metadata_endpoint: format!("{base}/fedcm/clientmetadata"),
        id_assertion_endpoint: format!("{base}/{p}/fedcm/assertion"),
        disconnect_endpoint: format!("{base}/{p}/fedcm/disconnect"),
        login_url: format!("{base}/emulator/demo?projectId={p}"),
        branding: json!({ "background_color": "#1e1e2e", "color": "#ffffff", "icons": [] }),
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ClientMetadataQuery {
    client_id: String,
}

/// `FedCMClientMetadataResponse`
#[derive(Debug, Serialize)]
struct ClientMetadata {
    privacy_policy_url: String,
    terms_of_service_url: String,
}

/// GET /fedcm/clientmetadata
/// The relying party's policy links (the client is the project itself; none are configured).
async fn client_metadata(
    State(s): State<AppState>,
    DescopeQuery(q): DescopeQuery<ClientMetadataQuery>,
) -> ApiResult<Json<ClientMetadata>> {
    if q.client_id.is_empty() {
        return Err(ApiError::missing("client_id"));
    }
    s.projects
        .get(&s.db, &s.settings.public_url, &q.client_id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Project {} not found", q.client_id)))?;
    Ok(Json(ClientMetadata { privacy_policy_url: String::new(), terms_of_service_url: String::new() }))
}

/// The refresh JWT in the browser's `DSR` cookie.
fn refresh_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == "DSR")
        .map(|(_, value)| value.to_owned())
}

/// The signed-in user of the cookie, if any.
async fn cookie_user(s: &AppState, ctx: &Ctx, headers: &HeaderMap) -> ApiResult<(users::User, String)> {
    let token = refresh_cookie(headers).ok_or_else(|| ApiError::unauthorized("Not signed in (no DSR cookie)"))?;
    let claims = sessions::verify(&s.db, ctx, &token, TokenKind::Refresh).await?;
    let user = users::load(&s.db, ctx, "", &claims.sub).await?;
    Ok((user, token))
}

/// GET /{projectId}/fedcm/accounts
/// The signed-in account (FedCM accounts list).
async fn accounts(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    let (user, _) = cookie_user(&s, &ctx, &headers).await?;
    let r = &user.row;
    let name = if r.name.is_empty() { user.login_ids.first().cloned().unwrap_or_default() } else { r.name.clone() };
    Ok(Json(json!({ "accounts": [{
        "id": user.id().as_str(),
        "name": name,
        "email": if r.email.is_empty() { user.login_ids.first().cloned().unwrap_or_default() } else { r.email.clone() },
        "given_name": r.given_name,
        "picture": r.picture,
        "approved_clients": [ctx.project_id().as_str()],
    }]})))
}

/// The FedCM ID-assertion request (form-encoded).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AssertionForm {
    client_id: String,
    account_id: String,
}

/// POST /{projectId}/fedcm/assertion
/// `{"token": <refresh JWT>}` for the signed-in account, which web-js passes to refresh.
async fn assertion(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    headers: HeaderMap,
    DescopeForm(f): DescopeForm<AssertionForm>,
) -> ApiResult<Json<Value>> {
    if f.client_id != ctx.project_id().as_str() {
        return Err(ApiError::invalid("client_id is not this project"));
    }
    let (user, token) = cookie_user(&s, &ctx, &headers).await?;
    if !f.account_id.is_empty() && f.account_id != user.id().as_str() {
        return Err(ApiError::invalid("account_id is not the signed-in user"));
    }
    Ok(Json(json!({ "token": token })))
}

/// POST /{projectId}/fedcm/disconnect
/// Forgets the relying party's connection: there is nothing kept, so it answers the account.
async fn disconnect(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    let (user, _) = cookie_user(&s, &ctx, &headers).await?;
    Ok(Json(json!({ "account_id": user.id().as_str() })))
}
