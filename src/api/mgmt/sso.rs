//! Descope API groups `internal`, `ssoAppsManagement`, `ssoManagement`.
//!
//! Built: the tenant SSO settings (`ssoManagement`): SAML (by hand or metadata URL), OIDC,
//! named configurations, load (one or all), delete, redirect URLs, recalculating the
//! groups-to-roles mapping, and the internal provider-IDs call; plus the legacy paths the
//! Python SDK 2.16.1 and node's deprecated calls use (`GET|POST /v1/mgmt/sso/settings`,
//! `/v1/mgmt/sso/metadata`, `/v1/mgmt/sso/mapping`), which are not in the OpenAPI.
//! Also the SSO applications (Descope as an IdP, `/v1/mgmt/sso/idp/*`, group
//! `ssoAppsManagement`): OIDC, SAML and WS-Fed apps, and the SDK-only secret and rotate calls
//! of OIDC apps ([`crate::domain::apps::sso_apps`]).

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use serde_json::{Map, Value};

use crate::domain::apps::sso_apps::{self, AppType};
use crate::domain::federation::sso::{
    self, LegacySaml, OidcInput, ProviderIds, RoleMappingInput, SamlInput, SamlSource, UserMapping,
};
use crate::dto::common::Empty;
use crate::dto::sso::{AllSsoSettings, LegacySsoSettings, SsoSettings};
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, DescopeQuery, MgmtAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        GET "/v1/mgmt/sso/settings" => legacy_load,
        POST "/v1/mgmt/sso/settings" => legacy_configure,
        POST "/v1/mgmt/sso/metadata" => legacy_metadata,
        POST "/v1/mgmt/sso/mapping" => legacy_mapping,
        POST "/v1/mgmt/sso/oidc" => configure_oidc,
        POST "/v1/mgmt/sso/provider-ids" => provider_ids,
        POST "/v1/mgmt/sso/recalculate-mappings" => recalculate_mappings,
        POST "/v1/mgmt/sso/redirect" => configure_redirect,
        POST "/v1/mgmt/sso/saml" => configure_saml,
        POST "/v1/mgmt/sso/saml/metadata" => configure_saml_metadata,
        DELETE "/v1/mgmt/sso/settings" => delete_settings,
        POST "/v1/mgmt/sso/settings/new" => new_settings,
        GET "/v2/mgmt/sso/settings" => load,
        GET "/v2/mgmt/sso/settings/all" => load_all,
        POST "/v1/mgmt/sso/idp/app/delete" => app_delete,
        GET "/v1/mgmt/sso/idp/app/load" => app_load,
        POST "/v1/mgmt/sso/idp/app/oidc/create" => app_oidc_create,
        POST "/v1/mgmt/sso/idp/app/oidc/update" => app_oidc_update,
        POST "/v1/mgmt/sso/idp/app/saml/create" => app_saml_create,
        POST "/v1/mgmt/sso/idp/app/saml/update" => app_saml_update,
        POST "/v1/mgmt/sso/idp/app/wsfed/create" => app_wsfed_create,
        POST "/v1/mgmt/sso/idp/app/wsfed/update" => app_wsfed_update,
        GET "/v1/mgmt/sso/idp/apps/load" => app_load_all,
        GET "/v1/mgmt/sso/idp/app/secret" => app_secret,
        POST "/v1/mgmt/sso/idp/app/rotate" => app_rotate,
    }
}

/// `?tenantId=[&ssoId=]`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct TenantQuery {
    tenant_id: String,
    sso_id: String,
}

/// GET /v2/mgmt/sso/settings
/// One configuration of a tenant (the default one without `ssoId`).
async fn load(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<TenantQuery>,
) -> ApiResult<Json<SsoSettings>> {
    let v = sso::load(&s.db, &ctx, &q.tenant_id, &q.sso_id).await?;
    Ok(Json((&v).into()))
}

/// GET /v2/mgmt/sso/settings/all
/// Every configuration of a tenant, the default one first.
async fn load_all(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<TenantQuery>,
) -> ApiResult<Json<AllSsoSettings>> {
    let all = sso::load_all(&s.db, &ctx, &q.tenant_id).await?;
    Ok(Json(AllSsoSettings { sso_settings: all.iter().map(SsoSettings::from).collect() }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct NewSettingsBody {
    tenant_id: String,
    sso_id: String,
    display_name: String,
}

/// POST /v1/mgmt/sso/settings/new
/// A new named configuration of a tenant.
async fn new_settings(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<NewSettingsBody>,
) -> ApiResult<Json<SsoSettings>> {
    let v = sso::create_named(&s.db, &ctx, &b.tenant_id, &b.sso_id, &b.display_name).await?;
    Ok(Json((&v).into()))
}

/// DELETE /v1/mgmt/sso/settings
/// Removes a named configuration, or resets the default one.
async fn delete_settings(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<TenantQuery>,
) -> ApiResult<Json<Empty>> {
    sso::delete(&s.db, &ctx, &q.tenant_id, &q.sso_id).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct SamlBody {
    tenant_id: String,
    sso_id: String,
    settings: SamlInput,
    redirect_url: Option<String>,
    domains: Option<Vec<String>>,
}

/// POST /v1/mgmt/sso/saml
/// The tenant's SAML settings, by hand.
async fn configure_saml(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<SamlBody>,
) -> ApiResult<Json<Empty>> {
    let target = (b.tenant_id.as_str(), b.sso_id.as_str());
    sso::configure_saml(&s.db, &ctx, target, b.settings, SamlSource::Manual, b.redirect_url, b.domains).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/sso/saml/metadata
/// The tenant's SAML settings, by IdP metadata URL (stored, not fetched).
async fn configure_saml_metadata(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<SamlBody>,
) -> ApiResult<Json<Empty>> {
    let target = (b.tenant_id.as_str(), b.sso_id.as_str());
    sso::configure_saml(&s.db, &ctx, target, b.settings, SamlSource::Metadata, b.redirect_url, b.domains).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct OidcBody {
    tenant_id: String,
    sso_id: String,
    settings: OidcInput,
    domains: Option<Vec<String>>,
}

/// POST /v1/mgmt/sso/oidc
/// The tenant's OIDC settings.
async fn configure_oidc(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<OidcBody>,
) -> ApiResult<Json<Empty>> {
    sso::configure_oidc(&s.db, &ctx, (&b.tenant_id, &b.sso_id), b.settings, b.domains).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RedirectBody {
    tenant_id: String,
    sso_id: String,
    saml_redirect_url: Option<String>,
    oauth_redirect_url: Option<String>,
}

/// POST /v1/mgmt/sso/redirect
/// The redirect URLs after SSO sign-in.
async fn configure_redirect(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<RedirectBody>,
) -> ApiResult<Json<Empty>> {
    let target = (b.tenant_id.as_str(), b.sso_id.as_str());
    sso::configure_redirect(&s.db, &ctx, target, b.saml_redirect_url, b.oauth_redirect_url).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RecalculateBody {
    tenant_id: String,
    sso_id: String,
}

/// POST /v1/mgmt/sso/recalculate-mappings
/// Re-applies the groups-to-roles mapping to the tenant's SSO users.
async fn recalculate_mappings(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<RecalculateBody>,
) -> ApiResult<Json<Empty>> {
    sso::recalculate_mappings(&s.db, &ctx, &b.tenant_id, &b.sso_id).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ProviderIdsBody {
    tenant_id: String,
    sso_id: String,
    #[serde(flatten)]
    ids: ProviderIds,
}

/// POST /v1/mgmt/sso/provider-ids
/// Stores the provider IDs of a configuration (internal operation).
async fn provider_ids(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<ProviderIdsBody>,
) -> ApiResult<Json<Empty>> {
    sso::set_provider_ids(&s.db, &ctx, (&b.tenant_id, &b.sso_id), b.ids).await?;
    Ok(Json(Empty {}))
}

/// GET /v1/mgmt/sso/settings (legacy)
/// The default configuration as the legacy flat object.
async fn legacy_load(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<TenantQuery>,
) -> ApiResult<Json<LegacySsoSettings>> {
    let v = sso::load(&s.db, &ctx, &q.tenant_id, "").await?;
    Ok(Json((&v).into()))
}

/// `{tenantId, idpURL, entityId, idpCert, redirectURL, domains}` (`idpUrl`, `redirectUrl`
/// accepted too).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct LegacyConfigureBody {
    tenant_id: String,
    #[serde(rename = "idpURL", alias = "idpUrl")]
    idp_url: String,
    entity_id: String,
    idp_cert: String,
    #[serde(rename = "redirectURL", alias = "redirectUrl")]
    redirect_url: Option<String>,
    domains: Option<Vec<String>>,
}

/// POST /v1/mgmt/sso/settings (legacy)
/// SAML settings of the default configuration, by hand.
async fn legacy_configure(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<LegacyConfigureBody>,
) -> ApiResult<Json<Empty>> {
    let saml = LegacySaml::Manual { idp_url: b.idp_url, entity_id: b.entity_id, idp_cert: b.idp_cert };
    sso::legacy_configure(&s.db, &ctx, &b.tenant_id, saml, b.redirect_url, b.domains).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct LegacyMetadataBody {
    tenant_id: String,
    #[serde(rename = "idpMetadataURL", alias = "idpMetadataUrl")]
    idp_metadata_url: String,
    #[serde(rename = "redirectURL", alias = "redirectUrl")]
    redirect_url: Option<String>,
    domains: Option<Vec<String>>,
}

/// POST /v1/mgmt/sso/metadata (legacy)
/// SAML settings of the default configuration, by IdP metadata URL.
async fn legacy_metadata(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<LegacyMetadataBody>,
) -> ApiResult<Json<Empty>> {
    let saml = LegacySaml::Metadata { idp_metadata_url: b.idp_metadata_url };
    sso::legacy_configure(&s.db, &ctx, &b.tenant_id, saml, b.redirect_url, b.domains).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct LegacyMappingBody {
    tenant_id: String,
    role_mappings: Option<Vec<RoleMappingInput>>,
    attribute_mapping: Option<UserMapping>,
    #[serde(rename = "defaultSSORoles")]
    default_sso_roles: Option<Vec<String>>,
}

/// POST /v1/mgmt/sso/mapping (legacy)
/// Groups-to-roles and attribute mapping of the default configuration.
async fn legacy_mapping(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<LegacyMappingBody>,
) -> ApiResult<Json<Empty>> {
    sso::legacy_mapping(&s.db, &ctx, &b.tenant_id, b.role_mappings, b.attribute_mapping, b.default_sso_roles)
        .await?;
    Ok(Json(Empty {}))
}

// --- SSO applications (Descope as an IdP).

#[derive(Debug, serde::Serialize)]
struct AppId {
    id: String,
}

async fn app_create(s: &AppState, ctx: &crate::domain::Ctx, kind: AppType, body: Map<String, Value>) -> ApiResult<Json<AppId>> {
    Ok(Json(AppId { id: sso_apps::create(&s.db, ctx, kind, body).await? }))
}

/// POST /v1/mgmt/sso/idp/app/oidc/create
/// Creates an OIDC SSO app (with its client ID and secret): `{id}`.
async fn app_oidc_create(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<Map<String, Value>>,
) -> ApiResult<Json<AppId>> {
    app_create(&s, &ctx, AppType::Oidc, body).await
}

/// POST /v1/mgmt/sso/idp/app/saml/create
/// Creates a SAML SSO app: `{id}`.
async fn app_saml_create(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<Map<String, Value>>,
) -> ApiResult<Json<AppId>> {
    app_create(&s, &ctx, AppType::Saml, body).await
}

/// POST /v1/mgmt/sso/idp/app/wsfed/create
/// Creates a WS-Fed SSO app: `{id}`.
async fn app_wsfed_create(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<Map<String, Value>>,
) -> ApiResult<Json<AppId>> {
    app_create(&s, &ctx, AppType::Wsfed, body).await
}

/// POST /v1/mgmt/sso/idp/app/oidc/update
/// Replaces an OIDC SSO app's fields.
async fn app_oidc_update(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<Map<String, Value>>,
) -> ApiResult<Json<Empty>> {
    sso_apps::update(&s.db, &ctx, AppType::Oidc, body).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/sso/idp/app/saml/update
/// Replaces a SAML SSO app's fields.
async fn app_saml_update(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<Map<String, Value>>,
) -> ApiResult<Json<Empty>> {
    sso_apps::update(&s.db, &ctx, AppType::Saml, body).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/sso/idp/app/wsfed/update
/// Replaces a WS-Fed SSO app's fields.
async fn app_wsfed_update(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<Map<String, Value>>,
) -> ApiResult<Json<Empty>> {
    sso_apps::update(&s.db, &ctx, AppType::Wsfed, body).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AppIdBody {
    id: String,
    secret_name: String,
}

/// POST /v1/mgmt/sso/idp/app/delete
/// Deletes an SSO app (not `descope-default-oidc`).
async fn app_delete(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<AppIdBody>,
) -> ApiResult<Json<Empty>> {
    sso_apps::delete(&s.db, &ctx, &b.id).await?;
    Ok(Json(Empty {}))
}

/// GET /v1/mgmt/sso/idp/app/load
/// One SSO app, flat, with an `app` copy.
async fn app_load(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<AppIdBody>,
) -> ApiResult<Json<Map<String, Value>>> {
    let mut app = sso_apps::load(&s.db, &ctx, &s.settings.public_url, &q.id).await?;
    let copy = Value::Object(app.clone());
    app.insert("app".into(), copy);
    Ok(Json(app))
}

/// GET /v1/mgmt/sso/idp/apps/load
/// Every SSO app of the project: `{apps}`.
async fn app_load_all(State(s): State<AppState>, MgmtAuth(ctx): MgmtAuth) -> ApiResult<Json<Value>> {
    let apps = sso_apps::load_all(&s.db, &ctx, &s.settings.public_url).await?;
    Ok(Json(serde_json::json!({ "apps": apps })))
}

#[derive(Debug, serde::Serialize)]
struct Cleartext {
    cleartext: String,
}

/// GET /v1/mgmt/sso/idp/app/secret
/// The cleartext secret of an OIDC SSO app (SDK-only route).
async fn app_secret(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<AppIdBody>,
) -> ApiResult<Json<Cleartext>> {
    Ok(Json(Cleartext { cleartext: sso_apps::secret(&s.db, &ctx, &q.id, &q.secret_name).await? }))
}

/// POST /v1/mgmt/sso/idp/app/rotate
/// A new secret for an OIDC SSO app (SDK-only route): `{cleartext}`.
async fn app_rotate(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<AppIdBody>,
) -> ApiResult<Json<Cleartext>> {
    Ok(Json(Cleartext { cleartext: sso_apps::rotate(&s.db, &ctx, &b.id).await? }))
}
