//! Descope API groups `sessionGetKeys` and `sessionWellKnown`: public keys (JWKS) and OpenID
//! discovery, plus the emulator's `/.well-known/jwks.json` for the default project.
//!
//! descope-compat: `/v1/keys/{projectId}` answers a bare array of JWKs, as the SDKs that used
//! it parsed it; the OpenAPI's single-object schema is a reconstruction.

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::crypto::Jwk;
use crate::domain::projects::ProjectRuntime;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::http::extract::DescopeQuery;
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        GET "/.well-known/jwks.json" => default_jwks,
        GET "/.well-known/oauth-authorization-server/{projectId}" => openid_configuration,
        GET "/.well-known/project-configuration/{projectId}" => project_configuration,
        GET "/v1/apps/{projectId}/.well-known/oauth-authorization-server" => inbound_apps_configuration,
        GET "/v1/apps/{projectId}/.well-known/openid-configuration" => inbound_apps_configuration,
        GET "/v1/keys/{projectId}" => keys_v1,
        GET "/v2/keys/{projectId}" => jwks,
        GET "/{projectId}/.well-known/jwks.json" => jwks,
        GET "/{projectId}/.well-known/oauth-authorization-server" => openid_configuration,
        GET "/{projectId}/.well-known/openid-configuration" => openid_configuration,
        GET "/{projectId}/{ssoAppId}/.well-known/openid-configuration" => sso_app_configuration,
        GET "/v1/apps/agentic/{projectId}/{mcpServerId}/.well-known/oauth-authorization-server" => agentic_configuration,
        GET "/v1/apps/agentic/{projectId}/{mcpServerId}/.well-known/openid-configuration" => agentic_configuration,
    }
}

/// `{"keys": [...]}`: nothing else at the top level (Go decodes it as a map of arrays).
#[derive(Debug, Serialize, Deserialize)]
pub struct JwksResponse {
    pub keys: Vec<Jwk>,
}

impl JwksResponse {
    /// The project's keys valid at `now` (a rotated-out key leaves after its grace period).
    pub fn of(p: &ProjectRuntime, now: crate::clock::UnixTime) -> Self {
        JwksResponse { keys: p.live_keys(now).map(|k| k.jwk.clone()).collect() }
    }
}

#[derive(Debug, Deserialize)]
pub struct ProjectPath {
    #[serde(rename = "projectId")]
    project_id: String,
}

async fn project(s: &AppState, id: &str) -> ApiResult<std::sync::Arc<ProjectRuntime>> {
    s.projects
        .get(&s.db, &s.settings.public_url, id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorKind::ProjectNotFound, format!("Unknown project ID {id}")))
}

/// GET /v2/keys/{projectId}
/// The project's public signing keys, as the SDKs fetch them.
async fn jwks(State(s): State<AppState>, Path(p): Path<ProjectPath>) -> ApiResult<Json<JwksResponse>> {
    Ok(Json(JwksResponse::of(&*project(&s, &p.project_id).await?, s.now())))
}

/// GET /v1/keys/{projectId}
/// The project's public signing keys as a bare array.
async fn keys_v1(State(s): State<AppState>, Path(p): Path<ProjectPath>) -> ApiResult<Json<Vec<Jwk>>> {
    Ok(Json(project(&s, &p.project_id).await?.live_keys(s.now()).map(|k| k.jwk.clone()).collect()))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DefaultJwksQuery {
    project_id: Option<String>,
}

/// GET /.well-known/jwks.json
/// The keys of the default project, or of `?projectId=`; the address for a generic JWT library.
async fn default_jwks(
    State(s): State<AppState>,
    DescopeQuery(q): DescopeQuery<DefaultJwksQuery>,
) -> ApiResult<Json<JwksResponse>> {
    let id = match q.project_id.filter(|p| !p.is_empty()) {
        Some(id) => id,
        None => s
            .projects
            .default_id(&s.db)
            .await?
            .ok_or_else(|| ApiError::not_found("No default project; pass ?projectId="))?,
    };
    Ok(Json(JwksResponse::of(&*project(&s, &id).await?, s.now())))
}

/// OpenID provider metadata (the fields the emulator serves; absent ones are omitted).
#[derive(Debug, Serialize, Deserialize)]
pub struct OpenIdConfiguration {
    pub issuer: String,
    pub jwks_uri: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub userinfo_endpoint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_session_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_authorization_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backchannel_authentication_endpoint: Option<String>,
    pub revocation_endpoint: String,
    pub response_types_supported: Vec<String>,
    pub subject_types_supported: Vec<String>,
    pub id_token_signing_alg_values_supported: Vec<String>,
    pub scopes_supported: Vec<String>,
    pub claims_supported: Vec<String>,
    pub code_challenge_methods_supported: Vec<String>,
    pub grant_types_supported: Vec<String>,
    pub token_endpoint_auth_methods_supported: Vec<String>,
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// Which authorization server a discovery document describes. Each has its own issuer, and
/// OIDC Discovery 4.3 wants the document's `issuer` to be the URL it was fetched from minus
/// the well-known suffix (RFC 8414 3.1 inserts the suffix after the host instead).
enum Issuer {
    /// Federated apps: issuer `<public-url>/<P>`, endpoints under `/oauth2/v1/`.
    Project,
    /// An OIDC SSO app: issuer `<public-url>/<P>/<ssoAppId>`, endpoints under
    /// `/<ssoAppId>/oauth2/v1/`.
    SsoApp(String),
    /// Inbound (third-party) apps: issuer `<public-url>/v1/apps/<P>`, endpoints under
    /// `/oauth2/v1/apps/<P>/`.
    InboundApps,
    /// An MCP server's (or `mcp` resource's): issuer `<public-url>/v1/apps/agentic/<P>/<id>`,
    /// authorize and token under `/oauth2/v1/apps/agentic/<P>/<id>/`, the rest as inbound
    /// apps; registration only while its dynamic registration is on.
    Agentic { server: String, registration: bool },
}

fn configuration(base: &str, project: &ProjectRuntime, family: Issuer) -> OpenIdConfiguration {
    let id = project.id.as_str();
    if let Issuer::Agentic { server, registration } = family {
        let mut c = configuration(base, project, Issuer::InboundApps);
        let at = format!("{base}/oauth2/v1/apps/agentic/{id}/{server}");
        c.issuer = format!("{base}/v1/apps/agentic/{id}/{server}");
        c.authorization_endpoint = format!("{at}/authorize");
        c.token_endpoint = format!("{at}/token");
        c.registration_endpoint = registration.then(|| format!("{base}/v1/mgmt/mcp/client/{id}/{server}/register"));
        c.backchannel_authentication_endpoint = None;
        return c;
    }
    let (issuer, endpoints, end_session) = match family {
        Issuer::Project => (project.issuer.clone(), format!("{base}/oauth2/v1"), true),
        Issuer::SsoApp(app) => (format!("{}/{app}", project.issuer), format!("{base}/{app}/oauth2/v1"), true),
        Issuer::InboundApps => {
            (format!("{base}/v1/apps/{id}"), format!("{base}/oauth2/v1/apps/{id}"), false)
        }
        Issuer::Agentic { .. } => unreachable!("answered above"),
    };
    let at = |op: &str| format!("{endpoints}/{op}");
    OpenIdConfiguration {
        issuer,
        jwks_uri: format!("{base}/{id}/.well-known/jwks.json"),
        authorization_endpoint: at("authorize"),
        token_endpoint: at("token"),
        userinfo_endpoint: at("userinfo"),
        end_session_endpoint: end_session.then(|| at("logout")),
        device_authorization_endpoint: end_session.then(|| at("device")),
        // Inbound apps register public clients dynamically (RFC 7591).
        registration_endpoint: (!end_session).then(|| format!("{base}/v1/mgmt/inboundapp/app/{id}/register")),
        // And CIBA (poll mode).
        backchannel_authentication_endpoint: (!end_session).then(|| at("bc-authorize")),
        revocation_endpoint: at("revoke"),
        response_types_supported: strings(&["code"]),
        subject_types_supported: strings(&["public"]),
        id_token_signing_alg_values_supported: strings(&["RS256"]),
        scopes_supported: strings(&[
            "openid",
            "profile",
            "email",
            "phone",
            "offline_access",
            "roles",
            "descope.claims",
            "descope.custom_claims",
        ]),
        claims_supported: strings(&[
            "iss",
            "sub",
            "aud",
            "azp",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "amr",
            "at_hash",
            "sid",
            "name",
            "given_name",
            "middle_name",
            "family_name",
            "email",
            "email_verified",
            "phone_number",
            "phone_number_verified",
            "picture",
            "roles",
            "permissions",
            "tenants",
        ]),
        code_challenge_methods_supported: strings(&["S256"]),
        grant_types_supported: if end_session {
            strings(&[
                "authorization_code",
                "refresh_token",
                "client_credentials",
                "urn:ietf:params:oauth:grant-type:device_code",
            ])
        } else {
            strings(&["authorization_code", "refresh_token", "client_credentials"])
        },
        token_endpoint_auth_methods_supported: strings(&["client_secret_basic", "client_secret_post", "none"]),
    }
}

/// GET /{projectId}/.well-known/openid-configuration
/// OpenID discovery: the issuer of the project's JWTs and where its keys are.
async fn openid_configuration(
    State(s): State<AppState>,
    Path(p): Path<ProjectPath>,
) -> ApiResult<Json<OpenIdConfiguration>> {
    let project = project(&s, &p.project_id).await?;
    Ok(Json(configuration(&s.settings.public_url, &project, Issuer::Project)))
}

/// GET /v1/apps/{projectId}/.well-known/openid-configuration
/// Discovery of the authorization server of the project's inbound apps.
async fn inbound_apps_configuration(
    State(s): State<AppState>,
    Path(p): Path<ProjectPath>,
) -> ApiResult<Json<OpenIdConfiguration>> {
    let project = project(&s, &p.project_id).await?;
    Ok(Json(configuration(&s.settings.public_url, &project, Issuer::InboundApps)))
}

#[derive(Debug, Deserialize)]
pub struct SsoAppPath {
    #[serde(rename = "projectId")]
    project_id: String,
    #[serde(rename = "ssoAppId")]
    sso_app_id: String,
}

/// GET /{projectId}/{ssoAppId}/.well-known/openid-configuration
/// Discovery of an OIDC SSO app's authorization server (its own issuer).
async fn sso_app_configuration(
    State(s): State<AppState>,
    Path(p): Path<SsoAppPath>,
) -> ApiResult<Json<OpenIdConfiguration>> {
    let project = project(&s, &p.project_id).await?;
    let ctx = crate::domain::Ctx { project: project.clone(), now: s.now() };
    crate::domain::apps::sso_apps::require_oidc_app(&s.db, &ctx, &p.sso_app_id).await?;
    Ok(Json(configuration(&s.settings.public_url, &project, Issuer::SsoApp(p.sso_app_id))))
}

#[derive(Debug, Deserialize)]
pub struct AgenticPath {
    #[serde(rename = "projectId")]
    project_id: String,
    #[serde(rename = "mcpServerId")]
    mcp_server_id: String,
}

/// GET /v1/apps/agentic/{projectId}/{mcpServerId}/.well-known/openid-configuration
/// Discovery of an MCP server's authorization server (also as `oauth-authorization-server`).
async fn agentic_configuration(
    State(s): State<AppState>,
    Path(p): Path<AgenticPath>,
) -> ApiResult<Json<OpenIdConfiguration>> {
    let project = project(&s, &p.project_id).await?;
    let ctx = crate::domain::Ctx { project: project.clone(), now: s.now() };
    let server = {
        let mut conn = s.db.acquire().await?;
        crate::domain::apps::agentic::find_server(&mut conn, &ctx, &p.mcp_server_id).await?
    };
    let server = server.ok_or_else(|| ApiError::not_found(format!("Unknown MCP server {}", p.mcp_server_id)))?;
    let family = Issuer::Agentic { server: server.id, registration: server.dcr_enabled };
    Ok(Json(configuration(&s.settings.public_url, &project, family)))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectConfiguration {
    allow_auth_hosting_iframe_embedding: bool,
}

/// GET /.well-known/project-configuration/{projectId}
/// Public project configuration for hosted pages.
async fn project_configuration(
    State(s): State<AppState>,
    Path(p): Path<ProjectPath>,
) -> ApiResult<Json<ProjectConfiguration>> {
    project(&s, &p.project_id).await?;
    Ok(Json(ProjectConfiguration { allow_auth_hosting_iframe_embedding: true }))
}
