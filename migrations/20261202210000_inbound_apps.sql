-- Inbound (third-party) apps: their clients are rows of `oauth_clients` (kind `inbound`, the
-- management document in `settings`). Here: the consents users granted them, and the
-- templates of dynamically registered clients.

-- A user's consent to an inbound app (per tenant, '' = none): the scopes granted so far.
CREATE TABLE inbound_consents (
    project_id    TEXT NOT NULL,
    id            TEXT NOT NULL,
    app_id        TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    tenant_id     TEXT NOT NULL DEFAULT '',
    scopes        TEXT NOT NULL DEFAULT '[]',
    granted_by    TEXT NOT NULL DEFAULT '',
    created_secs  INTEGER NOT NULL,
    modified_secs INTEGER NOT NULL,
    expire_secs   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, id)
);
CREATE UNIQUE INDEX inbound_consents_who ON inbound_consents(project_id, app_id, user_id, tenant_id);

-- Dynamic client registration templates, as JSON documents.
CREATE TABLE dcr_templates (
    project_id TEXT NOT NULL,
    id         TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '{}',
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
);
