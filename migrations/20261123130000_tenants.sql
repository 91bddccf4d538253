-- Roles and permissions get stable IDs (Go's UpdateWithID/DeleteWithID and the batch calls
-- name them by `id`). Tenant extras (enforceSSO, disabled, parent, default roles, session
-- settings ...) live in the existing tenants.settings JSON column.
ALTER TABLE roles ADD COLUMN id TEXT NOT NULL DEFAULT '';
ALTER TABLE permissions ADD COLUMN id TEXT NOT NULL DEFAULT '';
CREATE INDEX user_roles_role ON user_roles(project_id, role_name);
