-- SCIM 2.0 provisioning (`/scim/v2/*`). A SCIM user is an ordinary user in a tenant; what SCIM
-- keeps beside the user row is its SCIM record per tenant: the IdP's `externalId`, the
-- `emails` and `phoneNumbers` arrays as the IdP sent them (JSON), extension attributes (JSON
-- object by schema URN) and the tenant roles the tenant's SCIM groups granted (JSON array),
-- so that a recomputation can take back exactly those.
CREATE TABLE scim_users (
    project_id     TEXT NOT NULL,
    tenant_id      TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    external_id    TEXT NOT NULL DEFAULT '',
    emails         TEXT NOT NULL DEFAULT '[]',
    phone_numbers  TEXT NOT NULL DEFAULT '[]',
    attributes     TEXT NOT NULL DEFAULT '{}',
    granted_roles  TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (project_id, tenant_id, user_id),
    FOREIGN KEY (project_id, user_id) REFERENCES users(project_id, id) ON DELETE CASCADE,
    FOREIGN KEY (project_id, tenant_id) REFERENCES tenants(project_id, id) ON DELETE CASCADE
);

-- SCIM groups of a tenant (the tenant's external groups with `source` `scim`) and their
-- members, users of the tenant.
CREATE TABLE scim_groups (
    project_id     TEXT NOT NULL,
    tenant_id      TEXT NOT NULL,
    id             TEXT NOT NULL,
    display_name   TEXT NOT NULL,
    external_id    TEXT NOT NULL DEFAULT '',
    created_ms     INTEGER NOT NULL,
    modified_ms    INTEGER NOT NULL,
    PRIMARY KEY (project_id, tenant_id, id),
    FOREIGN KEY (project_id, tenant_id) REFERENCES tenants(project_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX scim_groups_name ON scim_groups (project_id, tenant_id, display_name COLLATE NOCASE);

CREATE TABLE scim_group_members (
    project_id     TEXT NOT NULL,
    tenant_id      TEXT NOT NULL,
    group_id       TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    position       INTEGER NOT NULL,
    PRIMARY KEY (project_id, tenant_id, group_id, user_id),
    FOREIGN KEY (project_id, tenant_id, group_id) REFERENCES scim_groups(project_id, tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (project_id, user_id) REFERENCES users(project_id, id) ON DELETE CASCADE
);
CREATE INDEX scim_group_members_user ON scim_group_members (project_id, user_id);
