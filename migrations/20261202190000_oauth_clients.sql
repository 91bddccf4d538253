-- Descope as an authorization server: one client registry behind federated apps, OIDC SSO
-- apps and (later) inbound apps, MCP clients and dynamically registered clients.

-- A client of the authorization server. `kind` is federated_default | sso_oidc | inbound |
-- mcp_client | dcr; `app_id` the app it belongs to. The default app (`descope-default-oidc`,
-- client_id = the project ID) has no row: it is implied in every project.
CREATE TABLE oauth_clients (
    project_id         TEXT NOT NULL,
    client_id          TEXT NOT NULL,
    kind               TEXT NOT NULL,
    app_id             TEXT NOT NULL,
    public             INTEGER NOT NULL DEFAULT 0,
    redirect_uris      TEXT NOT NULL DEFAULT '[]',
    grant_types        TEXT NOT NULL DEFAULT '[]',
    scopes             TEXT NOT NULL DEFAULT '[]',
    default_audience   TEXT NOT NULL DEFAULT '',
    audience_whitelist TEXT NOT NULL DEFAULT '[]',
    force_pkce         INTEGER NOT NULL DEFAULT 0,
    settings           TEXT NOT NULL DEFAULT '{}',
    created_ms         INTEGER NOT NULL,
    PRIMARY KEY (project_id, client_id)
);
CREATE INDEX oauth_clients_client ON oauth_clients(client_id);
CREATE INDEX oauth_clients_app ON oauth_clients(project_id, app_id);

-- Client secrets. Kept in cleartext: the SDKs load an SSO app's secret back (`{cleartext}`).
CREATE TABLE oauth_client_secrets (
    project_id  TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    name        TEXT NOT NULL,
    secret      TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'active',
    expire_secs INTEGER NOT NULL DEFAULT 0,
    created_ms  INTEGER NOT NULL,
    PRIMARY KEY (project_id, client_id, name)
);

-- Refresh tokens the authorization server issued: each names its session (`jti` of the
-- `sessions` table), its family (the first token of a chain of rotations) and its client.
-- A used token presented again revokes its whole family.
CREATE TABLE oauth_refresh_tokens (
    project_id TEXT NOT NULL,
    jti        TEXT NOT NULL,
    family     TEXT NOT NULL,
    client_id  TEXT NOT NULL,
    scope      TEXT NOT NULL DEFAULT '',
    user_id    TEXT NOT NULL,
    auth_time  INTEGER NOT NULL DEFAULT 0,
    used_ms    INTEGER,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (project_id, jti)
);
CREATE INDEX oauth_refresh_tokens_family ON oauth_refresh_tokens(project_id, family);

-- SSO applications (Descope as an IdP): OIDC, SAML and WS-Fed apps as JSON documents.
CREATE TABLE sso_apps (
    project_id TEXT NOT NULL,
    id         TEXT NOT NULL,
    name       TEXT NOT NULL,
    app_type   TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '{}',
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
);
CREATE UNIQUE INDEX sso_apps_name ON sso_apps(project_id, name);

-- Scope to claim mappings, consulted when minting ID tokens: `{scope, claims, description}`.
CREATE TABLE scope_claim_mappings (
    project_id TEXT NOT NULL,
    position   INTEGER NOT NULL,
    scope      TEXT NOT NULL,
    claims     TEXT NOT NULL DEFAULT '{}',
    description TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (project_id, position)
);
