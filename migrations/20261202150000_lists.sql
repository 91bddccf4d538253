-- Project lists (`/v1/mgmt/list/*`): named lists of texts, IPs (addresses or CIDR ranges) or a
-- JSON object, for flows to consult. `data` is the JSON of the list's data: an array of
-- strings for `texts` and `ips`, an object for `json`. Names are unique within a project.
CREATE TABLE lists (
    project_id  TEXT NOT NULL,
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    type        TEXT NOT NULL,
    data        TEXT NOT NULL DEFAULT '[]',
    created_ms  INTEGER NOT NULL,
    PRIMARY KEY (project_id, id),
    UNIQUE (project_id, name)
);
