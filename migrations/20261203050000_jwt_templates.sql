-- JWT templates (`/v1/mgmt/jwt/templates/*`): per-project templates that shape the claims of
-- new session JWTs. `body` is the JSON of the template as the API shows it (without `id`);
-- `type` is `user` or `key`; `is_default` marks the one template of its type the project uses
-- (at most one per type). Names are unique within a project.
CREATE TABLE jwt_templates (
    project_id  TEXT NOT NULL,
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    type        TEXT NOT NULL,
    is_default  INTEGER NOT NULL DEFAULT 0,
    body        TEXT NOT NULL DEFAULT '{}',
    created_ms  INTEGER NOT NULL,
    PRIMARY KEY (project_id, id),
    UNIQUE (project_id, name)
);
CREATE INDEX jwt_templates_default ON jwt_templates (project_id, type, is_default);
