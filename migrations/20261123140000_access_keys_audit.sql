-- Access keys (cleartext never stored: only its SHA-256), the audit trail, and the extra
-- fields of management keys.

CREATE TABLE access_keys (
    project_id        TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    id                TEXT NOT NULL,
    name              TEXT NOT NULL DEFAULT '',
    secret_hash       TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'active',
    created_ms        INTEGER NOT NULL,
    -- Unix seconds; 0 = never
    expire_secs       INTEGER NOT NULL DEFAULT 0,
    created_by        TEXT NOT NULL DEFAULT '',
    client_id         TEXT NOT NULL DEFAULT '',
    bound_user_id     TEXT NOT NULL DEFAULT '',
    role_names        TEXT NOT NULL DEFAULT '[]',
    key_tenants       TEXT NOT NULL DEFAULT '[]',
    custom_claims     TEXT NOT NULL DEFAULT '{}',
    description       TEXT NOT NULL DEFAULT '',
    permitted_ips     TEXT NOT NULL DEFAULT '[]',
    custom_attributes TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (project_id, id)
);

CREATE UNIQUE INDEX access_keys_secret ON access_keys(project_id, secret_hash);

CREATE TABLE audit_events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id      TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    occurred_ms     INTEGER NOT NULL,
    action          TEXT NOT NULL,
    type            TEXT NOT NULL DEFAULT 'info',
    user_id         TEXT NOT NULL DEFAULT '',
    actor_id        TEXT NOT NULL DEFAULT '',
    method          TEXT NOT NULL DEFAULT '',
    device          TEXT NOT NULL DEFAULT '',
    geo             TEXT NOT NULL DEFAULT '',
    remote_address  TEXT NOT NULL DEFAULT '',
    external_ids    TEXT NOT NULL DEFAULT '[]',
    tenants         TEXT NOT NULL DEFAULT '[]',
    data            TEXT NOT NULL DEFAULT '{}'
);

CREATE INDEX audit_events_time ON audit_events(project_id, occurred_ms);

ALTER TABLE management_keys ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE management_keys ADD COLUMN permitted_ips TEXT NOT NULL DEFAULT '[]';
ALTER TABLE management_keys ADD COLUMN expire_secs INTEGER NOT NULL DEFAULT 0;
