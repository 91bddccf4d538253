-- Project configuration documents (`/v1/mgmt/flow/*`, `/v2/mgmt/flow/*`, `/v*/mgmt/theme/*`,
-- `/v1/mgmt/localization/*`): flows, the theme and localization overrides, each stored as
-- the JSON text it was given. `kind` is `flow`, `theme`, `flow_localization` or
-- `messaging_localization`; `key` the flow ID (empty for the project-wide ones). A row with
-- a NULL `document` hides a built-in flow the project deleted.
CREATE TABLE config_documents (
    project_id  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    key         TEXT NOT NULL,
    document    TEXT,
    version     INTEGER NOT NULL DEFAULT 1,
    modified_ms INTEGER NOT NULL,
    PRIMARY KEY (project_id, kind, key)
);

-- Asynchronous project clones (`/v1/mgmt/project/clone/async`): the outcome of each, kept for
-- polling by process ID.
CREATE TABLE clone_processes (
    project_id       TEXT NOT NULL,
    id               TEXT NOT NULL,
    clone_project_id TEXT NOT NULL DEFAULT '',
    clone_name       TEXT NOT NULL DEFAULT '',
    error            TEXT NOT NULL DEFAULT '',
    created_ms       INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
);
