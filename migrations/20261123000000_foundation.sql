-- The foundation schema. Every table is scoped by project and cascades on project delete.

CREATE TABLE projects (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    is_default  INTEGER NOT NULL DEFAULT 0,
    settings    TEXT NOT NULL DEFAULT '{}',
    created_ms  INTEGER NOT NULL
);

CREATE TABLE signing_keys (
    project_id  TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    kid         TEXT NOT NULL,
    pkcs8       BLOB NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1,
    created_ms  INTEGER NOT NULL,
    PRIMARY KEY (project_id, kid)
);

CREATE TABLE management_keys (
    project_id  TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    id          TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    secret      TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'active',
    created_ms  INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
);

CREATE TABLE users (
    project_id         TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    id                 TEXT NOT NULL,
    email              TEXT NOT NULL DEFAULT '',
    phone              TEXT NOT NULL DEFAULT '',
    name               TEXT NOT NULL DEFAULT '',
    given_name         TEXT NOT NULL DEFAULT '',
    middle_name        TEXT NOT NULL DEFAULT '',
    family_name        TEXT NOT NULL DEFAULT '',
    picture            TEXT NOT NULL DEFAULT '',
    verified_email     INTEGER NOT NULL DEFAULT 0,
    verified_phone     INTEGER NOT NULL DEFAULT 0,
    status             TEXT NOT NULL DEFAULT 'enabled',
    test               INTEGER NOT NULL DEFAULT 0,
    custom_attributes  TEXT NOT NULL DEFAULT '{}',
    sso_app_ids        TEXT NOT NULL DEFAULT '[]',
    oauth              TEXT NOT NULL DEFAULT '{}',
    password_hash      TEXT,
    totp_secret        TEXT,
    webauthn           INTEGER NOT NULL DEFAULT 0,
    saml               INTEGER NOT NULL DEFAULT 0,
    scim               INTEGER NOT NULL DEFAULT 0,
    first_seen         INTEGER NOT NULL DEFAULT 1,
    created_ms         INTEGER NOT NULL,
    modified_ms        INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
);
CREATE INDEX users_email ON users(project_id, email);
CREATE INDEX users_phone ON users(project_id, phone);

CREATE TABLE user_login_ids (
    project_id  TEXT NOT NULL,
    login_id    TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    position    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, login_id),
    FOREIGN KEY (project_id, user_id) REFERENCES users(project_id, id) ON DELETE CASCADE
);
CREATE INDEX user_login_ids_user ON user_login_ids(project_id, user_id);

CREATE TABLE tenants (
    project_id                 TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    id                         TEXT NOT NULL,
    name                       TEXT NOT NULL,
    self_provisioning_domains  TEXT NOT NULL DEFAULT '[]',
    custom_attributes          TEXT NOT NULL DEFAULT '{}',
    settings                   TEXT NOT NULL DEFAULT '{}',
    created_ms                 INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
);

CREATE TABLE permissions (
    project_id   TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    created_ms   INTEGER NOT NULL,
    PRIMARY KEY (project_id, name)
);

-- tenant_id '' is a project-level role
CREATE TABLE roles (
    project_id        TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    tenant_id         TEXT NOT NULL DEFAULT '',
    name              TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    permission_names  TEXT NOT NULL DEFAULT '[]',
    is_default        INTEGER NOT NULL DEFAULT 0,
    private           INTEGER NOT NULL DEFAULT 0,
    created_ms        INTEGER NOT NULL,
    PRIMARY KEY (project_id, tenant_id, name)
);

CREATE TABLE user_tenants (
    project_id  TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    tenant_id   TEXT NOT NULL,
    PRIMARY KEY (project_id, user_id, tenant_id),
    FOREIGN KEY (project_id, user_id) REFERENCES users(project_id, id) ON DELETE CASCADE,
    FOREIGN KEY (project_id, tenant_id) REFERENCES tenants(project_id, id) ON DELETE CASCADE
);

-- tenant_id '' is a project-level grant
CREATE TABLE user_roles (
    project_id  TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    tenant_id   TEXT NOT NULL DEFAULT '',
    role_name   TEXT NOT NULL,
    PRIMARY KEY (project_id, user_id, tenant_id, role_name),
    FOREIGN KEY (project_id, user_id) REFERENCES users(project_id, id) ON DELETE CASCADE
);

-- Pending one-time secrets of every passwordless method: OTP codes, magic-link tokens, ...
CREATE TABLE codes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id   TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    method       TEXT NOT NULL,
    channel      TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    login_id     TEXT NOT NULL,
    code         TEXT,
    token        TEXT,
    payload      TEXT NOT NULL DEFAULT '{}',
    attempts     INTEGER NOT NULL DEFAULT 0,
    expires_ms   INTEGER NOT NULL,
    consumed_ms  INTEGER,
    created_ms   INTEGER NOT NULL
);
CREATE INDEX codes_pending ON codes(project_id, login_id, method, channel) WHERE consumed_ms IS NULL;
CREATE UNIQUE INDEX codes_token ON codes(project_id, token) WHERE token IS NOT NULL;

-- Every refresh token issued; logout revokes one, logoutall all of a user's.
CREATE TABLE refresh_tokens (
    project_id  TEXT NOT NULL,
    jti         TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    issued_ms   INTEGER NOT NULL,
    expires_ms  INTEGER NOT NULL,
    revoked_ms  INTEGER,
    PRIMARY KEY (project_id, jti),
    FOREIGN KEY (project_id, user_id) REFERENCES users(project_id, id) ON DELETE CASCADE
);
CREATE INDEX refresh_tokens_user ON refresh_tokens(project_id, user_id);

CREATE TABLE login_history (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id       TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    login_ms         INTEGER NOT NULL,
    method           TEXT NOT NULL DEFAULT '',
    ip               TEXT NOT NULL DEFAULT '',
    city             TEXT NOT NULL DEFAULT '',
    country          TEXT NOT NULL DEFAULT '',
    selected_tenant  TEXT NOT NULL DEFAULT '',
    FOREIGN KEY (project_id, user_id) REFERENCES users(project_id, id) ON DELETE CASCADE
);
CREATE INDEX login_history_user ON login_history(project_id, user_id, login_ms);

CREATE TABLE outbox (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    project_id   TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    channel      TEXT NOT NULL,
    to_addr      TEXT NOT NULL,
    login_id     TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL,
    code         TEXT,
    link         TEXT,
    token        TEXT,
    subject      TEXT,
    body         TEXT NOT NULL,
    created_ms   INTEGER NOT NULL
);
CREATE INDEX outbox_project ON outbox(project_id, seq);
CREATE INDEX outbox_login ON outbox(project_id, login_id, seq);
