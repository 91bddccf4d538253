-- Declared user custom attributes (`/v1/mgmt/user/customattribute/*`), and the user fields the
-- small update calls set that the foundation schema lacks (recovery addresses, impersonation
-- consent).

CREATE TABLE custom_attributes (
    project_id        TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name              TEXT NOT NULL,
    display_name      TEXT NOT NULL DEFAULT '',
    -- Descope's numeric type: 1 text, 2 number, 3 boolean, 4 single select, 5 multi select, 6 date
    type              INTEGER NOT NULL DEFAULT 1,
    options           TEXT NOT NULL DEFAULT '[]',
    default_value     TEXT NOT NULL DEFAULT 'null',
    view_permissions  TEXT NOT NULL DEFAULT '[]',
    edit_permissions  TEXT NOT NULL DEFAULT '[]',
    created_ms        INTEGER NOT NULL,
    PRIMARY KEY (project_id, name)
);

ALTER TABLE users ADD COLUMN recovery_email TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN verified_recovery_email INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN recovery_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN verified_recovery_phone INTEGER NOT NULL DEFAULT 0;
-- Unix seconds until which the user consents to impersonation; 0 = no consent given
ALTER TABLE users ADD COLUMN consent_expiration INTEGER NOT NULL DEFAULT 0;
