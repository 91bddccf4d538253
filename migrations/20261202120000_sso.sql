-- Tenant SSO configurations (`/v1/mgmt/sso/*`): one row per configuration of a tenant, the
-- default one with sso_id '' and the named ones (`/v1/mgmt/sso/settings/new`) with theirs.
-- `config` is the JSON of the SAML and OIDC settings, mappings and provider IDs. A tenant
-- without a row has the default configuration, unconfigured.
CREATE TABLE sso_settings (
    project_id    TEXT NOT NULL,
    tenant_id     TEXT NOT NULL,
    sso_id        TEXT NOT NULL,
    display_name  TEXT NOT NULL DEFAULT '',
    config        TEXT NOT NULL DEFAULT '{}',
    created_ms    INTEGER NOT NULL,
    PRIMARY KEY (project_id, tenant_id, sso_id),
    FOREIGN KEY (project_id, tenant_id) REFERENCES tenants(project_id, id) ON DELETE CASCADE
);
