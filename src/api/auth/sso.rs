//! Descope API groups `SAML`, `SSO`, `federatedApps`.
//!
//! Built: SSO sign-in through the emulator's fake identity provider. Python's `sso` and Go's
//! `SSO` call `/v1/auth/sso/*`, node's `sso` and `saml` (and the deprecated Python/Go `saml`)
//! call `/v1/auth/saml/*`: one handler serves both pairs. `start` answers the URL of the
//! tenant's fake IdP page (`api/emulator/idp.rs`), which redirects to the app with `code=`;
//! `exchange` signs in with it. The SAML IdP metadata (Descope as an IdP for SSO apps) is here;
//! the IdP's sign-in endpoints are in [`super::idp_apps`].

use axum::extract::{RawQuery, State};
use axum::Json;
use serde_json::Value;

use crate::api::auth::oauth::{prior_of, CodeBody, StartQuery, UrlResponse};
use crate::domain::authn::passwordless::LoginOptions;
use crate::domain::federation::sso_login::{self, StartRequest};
use crate::dto::auth::AuthResponse;
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, OptionalSessionAuth, ProjectAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/auth/saml/authorize" => authorize,
        POST "/v1/auth/saml/exchange" => exchange,
        POST "/v1/auth/sso/authorize" => authorize,
        POST "/v1/auth/sso/exchange" => exchange,
        GET "/v1/auth/saml/idp/metadata" => saml_idp_metadata,
    }
}

/// POST /v1/auth/sso/authorize, /v1/auth/saml/authorize
/// Starts an SSO sign-in at a tenant (by ID, or by an email's domain): the URL of its
/// identity provider's page.
async fn authorize(
    State(s): State<AppState>,
    auth: OptionalSessionAuth,
    RawQuery(query): RawQuery,
    DescopeJson(options): DescopeJson<LoginOptions>,
) -> ApiResult<Json<UrlResponse>> {
    let q = StartQuery::parse(query.as_deref())?;
    let req = StartRequest {
        tenant: q.get("tenant"),
        redirect_url: q.get("redirectUrl"),
        sso_id: q.get("ssoId"),
        prompt: q.get("prompt"),
        login_hint: q.get("loginHint"),
        force_authn: q.flag("forceAuthn"),
        initiated_email: q.get("initiatedEmail"),
        options,
        prior: auth.session.as_ref().map(|(c, _)| prior_of(c)),
    };
    let url = sso_login::start(&s.db, &auth.ctx, req).await?;
    Ok(Json(UrlResponse { url }))
}

/// POST /v1/auth/sso/exchange, /v1/auth/saml/exchange
/// Signs in with the code the identity provider's page redirected back with (once).
async fn exchange(
    State(s): State<AppState>,
    ProjectAuth(ctx): ProjectAuth,
    DescopeJson(body): DescopeJson<CodeBody>,
) -> ApiResult<AuthResponse> {
    let done = sso_login::exchange(&s.db, &ctx, &body.code).await?;
    Ok(AuthResponse::new(&ctx, &done.info)
        .with("idpResponse", done.idp_response)
        .with("tenantSSOID", Value::String(done.tenant_sso_id)))
}

/// `?projectId=` of the IdP metadata calls (no bearer: IdPs' metadata URLs are public).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MetadataQuery {
    project_id: String,
    /// The SSO app (`app` or `ssoAppId`): its own SSO URL and entity ID.
    app: String,
    sso_app_id: String,
}

/// The project a metadata call names, as an XML response of `render`.
pub async fn metadata_response(
    s: &AppState,
    q: MetadataQuery,
    render: fn(&crate::domain::projects::ProjectRuntime, &str) -> ApiResult<String>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let app = if q.app.trim().is_empty() { q.sso_app_id.trim() } else { q.app.trim() };
    let project = if q.project_id.trim().is_empty() {
        // `?app=` alone (the OpenAPI's form): the project holding the app.
        if app.is_empty() {
            return Err(crate::error::ApiError::missing("projectId"));
        }
        crate::api::auth::idp_apps::ctx_of(s, "", app).await?.project
    } else {
        s.projects
            .get(&s.db, &s.settings.public_url, q.project_id.trim())
            .await?
            .ok_or_else(|| crate::error::ApiError::not_found(format!("Project {} not found", q.project_id)))?
    };
    Ok(([(axum::http::header::CONTENT_TYPE, "application/xml")], render(&project, app)?).into_response())
}

/// GET /v1/auth/saml/idp/metadata
/// The project's SAML IdP metadata (XML).
async fn saml_idp_metadata(
    State(s): State<AppState>,
    crate::http::extract::DescopeQuery(q): crate::http::extract::DescopeQuery<MetadataQuery>,
) -> ApiResult<axum::response::Response> {
    metadata_response(&s, q, crate::domain::federation::idp_metadata::saml).await
}
