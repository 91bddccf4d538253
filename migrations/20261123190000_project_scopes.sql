-- Reset in constant time. A project's data (users, tenants, codes, ... every table with a
-- project_id other than projects, signing_keys and management_keys) lives under a data
-- scope: the project's own ID at first, later a hidden row of this table (scope_of = the
-- project) that reset replaces with a new, empty one. The old scope's rows are then deleted
-- in the background, a chunk at a time.
ALTER TABLE projects ADD COLUMN data_scope TEXT;
ALTER TABLE projects ADD COLUMN scope_of TEXT REFERENCES projects(id) ON DELETE CASCADE;
CREATE INDEX projects_scope_of ON projects(scope_of);
