-- User search (sort and time filters over 10k users) and the passkeys of a user.

CREATE INDEX users_created ON users(project_id, created_ms, id);
CREATE INDEX users_modified ON users(project_id, modified_ms);
CREATE INDEX user_tenants_tenant ON user_tenants(project_id, tenant_id);

-- Passkeys (WebAuthn credentials) of a user: imported through the management API
-- (`/v1/mgmt/user/passkeys/import`); registration through WebAuthn writes here too.
CREATE TABLE user_passkeys (
    project_id     TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    credential_id  TEXT NOT NULL,
    rp_id          TEXT NOT NULL DEFAULT '',
    kind           TEXT NOT NULL DEFAULT 'passkey',
    display_name   TEXT NOT NULL DEFAULT '',
    public_key     TEXT NOT NULL DEFAULT '',
    aaguid         TEXT NOT NULL DEFAULT '',
    transports     TEXT NOT NULL DEFAULT '[]',
    created_ms     INTEGER NOT NULL,
    PRIMARY KEY (project_id, user_id, credential_id),
    FOREIGN KEY (project_id, user_id) REFERENCES users(project_id, id) ON DELETE CASCADE
);
