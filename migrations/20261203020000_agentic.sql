-- The agentic side of the authorization server: resources (OAuth resource servers, by URI),
-- resource policies (which scopes of a resource an inbound app may get) and MCP servers, as
-- JSON documents. MCP server clients are rows of `oauth_clients` (kind `mcp_client`).

-- `kind` is resource | policy | mcp_server. `lookup` is a resource's URI ('' otherwise);
-- a policy's `id` is `<appId> <resourceId>`.
CREATE TABLE agentic_objects (
    project_id TEXT NOT NULL,
    kind       TEXT NOT NULL,
    id         TEXT NOT NULL,
    lookup     TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL DEFAULT '{}',
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (project_id, kind, id)
);
CREATE UNIQUE INDEX agentic_objects_lookup ON agentic_objects(project_id, kind, lookup) WHERE lookup <> '';

-- The audiences (`aud`) a refresh token's access tokens carry (RFC 8707 resources, MCP servers).
ALTER TABLE oauth_refresh_tokens ADD COLUMN audience TEXT NOT NULL DEFAULT '[]';
