//! Tenant SSO settings as the management API shows them (`LoadSSOSettingsResponse`, the
//! legacy flat settings object).

use serde::Serialize;
use serde_json::{Map, Value};

use crate::domain::federation::sso::{MappedRole, OidcMapping, SsoView, UserMapping};
use crate::dto::tenant::Tenant;

/// `{role: {id, name}, groups}` (node reads `role.name`: never a null role).
#[derive(Debug, Clone, Serialize)]
pub struct GroupsMapping {
    pub role: RoleRef,
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoleRef {
    pub id: String,
    pub name: String,
}

fn groups_mapping(m: &[MappedRole]) -> Vec<GroupsMapping> {
    m.iter()
        .map(|r| GroupsMapping {
            role: RoleRef { id: r.id.clone(), name: r.name.clone() },
            groups: r.groups.clone(),
        })
        .collect()
}

/// `saml` of a configuration.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SamlSettings {
    pub idp_entity_id: String,
    #[serde(rename = "idpSSOUrl")]
    pub idp_sso_url: String,
    pub idp_certificate: String,
    pub idp_additional_certificates: Vec<String>,
    pub idp_metadata_url: String,
    pub sp_entity_id: String,
    #[serde(rename = "spACSUrl")]
    pub sp_acs_url: String,
    pub sp_certificate: String,
    pub attribute_mapping: UserMapping,
    pub groups_mapping: Vec<GroupsMapping>,
    #[serde(rename = "defaultSSORoles")]
    pub default_sso_roles: Vec<String>,
    pub groups_priority: Vec<String>,
    pub fga_mappings: Map<String, Value>,
    #[serde(rename = "configFGATenantIDResourcePrefix")]
    pub config_fga_tenant_id_resource_prefix: String,
    #[serde(rename = "configFGATenantIDResourceSuffix")]
    pub config_fga_tenant_id_resource_suffix: String,
    pub subject_name_id_format: String,
    pub redirect_url: String,
    #[serde(rename = "providerID")]
    pub provider_id: String,
    #[serde(rename = "scimProviderID")]
    pub scim_provider_id: String,
    /// Unix seconds; 0 = never tested.
    pub last_success_test_time: i64,
}

/// `oidc` of a configuration; `clientSecret` is always `""` (write-only).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OidcSettings {
    pub name: String,
    pub client_id: String,
    pub client_secret: String,
    pub redirect_url: String,
    pub auth_url: String,
    pub token_url: String,
    pub user_data_url: String,
    pub scope: Vec<String>,
    #[serde(rename = "JWKsUrl")]
    pub jwks_url: String,
    pub user_attr_mapping: OidcMapping,
    pub manage_provider_tokens: bool,
    pub callback_domain: String,
    pub prompt: Vec<String>,
    pub grant_type: String,
    pub issuer: String,
    pub groups_mapping: Vec<GroupsMapping>,
    #[serde(rename = "defaultSSORoles")]
    pub default_sso_roles: Vec<String>,
    pub groups_priority: Vec<String>,
    pub fga_mappings: Map<String, Value>,
    #[serde(rename = "providerID")]
    pub provider_id: String,
    #[serde(rename = "scimProviderID")]
    pub scim_provider_id: String,
    pub last_success_test_time: i64,
}

/// `LoadSSOSettingsResponse`: both `saml` and `oidc` always, with defaults.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SsoSettings {
    pub tenant: Tenant,
    pub saml: SamlSettings,
    pub oidc: OidcSettings,
    pub sso_id: String,
    pub display_name: String,
}

impl From<&SsoView> for SsoSettings {
    fn from(v: &SsoView) -> Self {
        let mut tenant = Tenant::from(&v.tenant);
        tenant.auth_type = v.auth_type.clone();
        tenant.domains = v.domains.clone();
        let s = &v.config.saml;
        let o = &v.config.oidc;
        SsoSettings {
            tenant,
            saml: SamlSettings {
                idp_entity_id: s.idp_entity_id.clone(),
                idp_sso_url: s.idp_sso_url.clone(),
                idp_certificate: s.idp_certificate.clone(),
                idp_additional_certificates: s.idp_additional_certificates.clone(),
                idp_metadata_url: s.idp_metadata_url.clone(),
                sp_entity_id: v.sp_entity_id.clone(),
                sp_acs_url: v.sp_acs_url.clone(),
                sp_certificate: String::new(),
                attribute_mapping: s.attribute_mapping.clone(),
                groups_mapping: groups_mapping(&v.saml_groups),
                default_sso_roles: s.default_sso_roles.clone(),
                groups_priority: s.groups_priority.clone(),
                fga_mappings: s.fga_mappings.clone(),
                config_fga_tenant_id_resource_prefix: s.config_fga_tenant_id_resource_prefix.clone(),
                config_fga_tenant_id_resource_suffix: s.config_fga_tenant_id_resource_suffix.clone(),
                subject_name_id_format: s.subject_name_id_format.clone(),
                redirect_url: s.redirect_url.clone(),
                provider_id: s.provider_id.clone(),
                scim_provider_id: s.scim_provider_id.clone(),
                last_success_test_time: 0,
            },
            oidc: OidcSettings {
                name: o.name.clone(),
                client_id: o.client_id.clone(),
                client_secret: String::new(),
                redirect_url: o.redirect_url.clone(),
                auth_url: o.auth_url.clone(),
                token_url: o.token_url.clone(),
                user_data_url: o.user_data_url.clone(),
                scope: o.scope.clone(),
                jwks_url: o.jwks_url.clone(),
                user_attr_mapping: o.user_attr_mapping.clone(),
                manage_provider_tokens: o.manage_provider_tokens,
                callback_domain: o.callback_domain.clone(),
                prompt: o.prompt.clone(),
                grant_type: o.grant_type.clone(),
                issuer: o.issuer.clone(),
                groups_mapping: groups_mapping(&v.oidc_groups),
                default_sso_roles: o.default_sso_roles.clone(),
                groups_priority: o.groups_priority.clone(),
                fga_mappings: o.fga_mappings.clone(),
                provider_id: o.provider_id.clone(),
                scim_provider_id: o.scim_provider_id.clone(),
                last_success_test_time: 0,
            },
            sso_id: v.sso_id.clone(),
            display_name: v.display_name.clone(),
        }
    }
}

/// `{"SSOSettings": [...]}` (capital key; node iterates it).
#[derive(Debug, Clone, Serialize)]
pub struct AllSsoSettings {
    #[serde(rename = "SSOSettings")]
    pub sso_settings: Vec<SsoSettings>,
}

/// The legacy flat object of `GET /v1/mgmt/sso/settings` (go `SSOSettingsResponse`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LegacySsoSettings {
    pub tenant_id: String,
    pub idp_entity_id: String,
    #[serde(rename = "idpSSOUrl")]
    pub idp_sso_url: String,
    pub idp_certificate: String,
    pub idp_metadata_url: String,
    pub sp_entity_id: String,
    #[serde(rename = "spACSUrl")]
    pub sp_acs_url: String,
    pub sp_certificate: String,
    pub user_mapping: UserMapping,
    pub groups_mapping: Vec<GroupsMapping>,
    pub redirect_url: String,
    pub domains: Vec<String>,
    /// The first of `domains`, or `""`.
    pub domain: String,
}

impl From<&SsoView> for LegacySsoSettings {
    fn from(v: &SsoView) -> Self {
        let s = &v.config.saml;
        LegacySsoSettings {
            tenant_id: v.tenant.id.clone(),
            idp_entity_id: s.idp_entity_id.clone(),
            idp_sso_url: s.idp_sso_url.clone(),
            idp_certificate: s.idp_certificate.clone(),
            idp_metadata_url: s.idp_metadata_url.clone(),
            sp_entity_id: v.sp_entity_id.clone(),
            sp_acs_url: v.sp_acs_url.clone(),
            sp_certificate: String::new(),
            user_mapping: s.attribute_mapping.clone(),
            groups_mapping: groups_mapping(&v.saml_groups),
            redirect_url: s.redirect_url.clone(),
            domain: v.domains.first().cloned().unwrap_or_default(),
            domains: v.domains.clone(),
        }
    }
}
