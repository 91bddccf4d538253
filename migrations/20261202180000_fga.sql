-- FGA / ReBAC and legacy authz (`/v1/mgmt/fga/*`, `/v1/mgmt/authz/*`): one schema per project
-- and its tuples. `model` is the JSON of the internal model both APIs compile to, `dsl` the
-- text saved through the FGA API (printed from the model for legacy saves), `version` a new
-- UUID per schema change, `revision` a new random token per change to the schema or the tuples
-- (the in-memory graph cache compares it).
CREATE TABLE fga_schemas (
    project_id  TEXT NOT NULL PRIMARY KEY,
    dsl         TEXT NOT NULL DEFAULT '',
    model       TEXT NOT NULL DEFAULT '{}',
    version     TEXT NOT NULL DEFAULT '',
    modified_ms INTEGER NOT NULL DEFAULT 0,
    revision    TEXT NOT NULL DEFAULT ''
);

-- Tuples. `target_type` is a type, a target set `type#relation`, or '' for an untyped legacy target.
CREATE TABLE fga_relations (
    project_id    TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource      TEXT NOT NULL,
    relation      TEXT NOT NULL,
    target_type   TEXT NOT NULL,
    target        TEXT NOT NULL,
    created_ms    INTEGER NOT NULL,
    PRIMARY KEY (project_id, resource_type, resource, relation, target_type, target)
);
CREATE INDEX fga_relations_by_target ON fga_relations (project_id, target_type, target);

-- Display names of resources.
CREATE TABLE fga_resources (
    project_id    TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource      TEXT NOT NULL,
    display_name  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (project_id, resource_type, resource)
);

-- What changed when, for `authz/getmodified`: a resource or target touched by a write.
CREATE TABLE fga_modified (
    project_id TEXT NOT NULL,
    at_ms      INTEGER NOT NULL,
    resource   TEXT NOT NULL DEFAULT '',
    target     TEXT NOT NULL DEFAULT '',
    schema     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX fga_modified_by_time ON fga_modified (project_id, at_ms);

-- Backups: a copy of the schema and the tuples (`data`, JSON).
CREATE TABLE fga_backups (
    project_id  TEXT NOT NULL,
    id          TEXT NOT NULL,
    status      TEXT NOT NULL,
    tuple_count INTEGER NOT NULL,
    created_ms  INTEGER NOT NULL,
    data        TEXT NOT NULL,
    PRIMARY KEY (project_id, id)
);
