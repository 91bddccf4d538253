-- Outbound apps (third-party services users connect to) and the tokens kept for them.

-- An outbound app: its management document in `body` (never the client secret, which is
-- kept apart and never returned).
CREATE TABLE outbound_apps (
    project_id    TEXT NOT NULL,
    id            TEXT NOT NULL,
    name          TEXT NOT NULL,
    body          TEXT NOT NULL DEFAULT '{}',
    client_secret TEXT NOT NULL DEFAULT '',
    created_ms    INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
);
CREATE UNIQUE INDEX outbound_apps_name ON outbound_apps(project_id, name);

-- A token of an outbound app: a user's (`user_id` set, `tenant_id` optional) or a tenant's
-- (`user_id` empty). `kind` is `oauth` or `apikey`. Times in Unix seconds, 0 = none.
CREATE TABLE outbound_tokens (
    project_id          TEXT NOT NULL,
    id                  TEXT NOT NULL,
    app_id              TEXT NOT NULL,
    user_id             TEXT NOT NULL DEFAULT '',
    tenant_id           TEXT NOT NULL DEFAULT '',
    external_identifier TEXT NOT NULL DEFAULT '',
    kind                TEXT NOT NULL DEFAULT 'oauth',
    access_token        TEXT NOT NULL DEFAULT '',
    access_token_type   TEXT NOT NULL DEFAULT '',
    access_token_expiry INTEGER NOT NULL DEFAULT 0,
    refresh_token       TEXT NOT NULL DEFAULT '',
    id_token            TEXT NOT NULL DEFAULT '',
    scopes              TEXT NOT NULL DEFAULT '[]',
    granted_by          TEXT NOT NULL DEFAULT '',
    token_sub           TEXT NOT NULL DEFAULT '',
    last_refresh_secs   INTEGER NOT NULL DEFAULT 0,
    last_refresh_error  TEXT NOT NULL DEFAULT '',
    created_secs        INTEGER NOT NULL,
    modified_ms         INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
);
CREATE UNIQUE INDEX outbound_tokens_who
    ON outbound_tokens(project_id, app_id, user_id, tenant_id, external_identifier);
