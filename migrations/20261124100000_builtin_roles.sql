-- Descope's built-in permissions (Impersonate, User Admin, SSO Admin) and the Tenant Admin role
-- that holds them exist in every project. New data scopes get them when they are made
-- (domain::identity::roles::seed); this gives them to the projects made before, in their
-- current data scope, where a permission or project role of that name is not there yet.
-- created_ms 0 lists them first, as in a project that had them from the start.
CREATE TEMP TABLE builtin_permissions (name TEXT NOT NULL, description TEXT NOT NULL, position INTEGER NOT NULL);
INSERT INTO builtin_permissions VALUES
    ('Impersonate', 'Act on behalf of another user', 0),
    ('User Admin', 'Read and modify user data', 1),
    ('SSO Admin', 'Read and modify SSO configurations', 2);

INSERT INTO permissions (project_id, name, description, created_ms)
SELECT COALESCE(p.data_scope, p.id), b.name, b.description, 0
FROM projects p CROSS JOIN builtin_permissions b
WHERE p.scope_of IS NULL
  AND NOT EXISTS (SELECT 1 FROM permissions x WHERE x.project_id = COALESCE(p.data_scope, p.id) AND x.name = b.name)
ORDER BY p.id, b.position;

INSERT INTO roles (project_id, tenant_id, name, description, permission_names, is_default, private, created_ms)
SELECT COALESCE(p.data_scope, p.id), '', 'Tenant Admin', '', '["Impersonate","User Admin","SSO Admin"]', 0, 0, 0
FROM projects p
WHERE p.scope_of IS NULL
  AND NOT EXISTS (SELECT 1 FROM roles x WHERE x.project_id = COALESCE(p.data_scope, p.id) AND x.tenant_id = '' AND x.name = 'Tenant Admin');

DROP TABLE builtin_permissions;
