-- Tenant admin links (`/v*/mgmt/tenant/adminlinks/sso/*`): the SSO setup links handed to a
-- tenant's administrator. A link is valid until `expires_ms` unless revoked.
CREATE TABLE admin_links (
    project_id    TEXT NOT NULL,
    token         TEXT NOT NULL,
    tenant_id     TEXT NOT NULL,
    sso_id        TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    actor_id      TEXT NOT NULL DEFAULT '',
    created_ms    INTEGER NOT NULL,
    expires_ms    INTEGER NOT NULL,
    revoked       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, token),
    FOREIGN KEY (project_id, tenant_id) REFERENCES tenants(project_id, id) ON DELETE CASCADE
);
CREATE INDEX admin_links_tenant ON admin_links (project_id, tenant_id, sso_id);

-- Descopers (`/v1/mgmt/descoper*`): console users, kept per project. `attributes` and `rbac`
-- are JSON objects as the API shows them.
CREATE TABLE descopers (
    project_id    TEXT NOT NULL,
    id            TEXT NOT NULL,
    login_id      TEXT NOT NULL,
    attributes    TEXT NOT NULL DEFAULT '{}',
    rbac          TEXT NOT NULL DEFAULT '{}',
    status        TEXT NOT NULL DEFAULT 'invited',
    created_ms    INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
);
CREATE UNIQUE INDEX descopers_login ON descopers (project_id, login_id);
