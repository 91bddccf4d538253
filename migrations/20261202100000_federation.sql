-- Federated sign-in: the identities users brought from social providers and SSO identity
-- providers, the identities queued at the emulator's fake providers, and the fake providers'
-- signing key. All are project data (reset purges them, snapshots carry the identities).

-- A user's identity at a provider: `kind` 'oauth' (issuer = provider name) or 'sso'
-- (issuer = tenant ID, sso_id = the tenant's SSO configuration). One identity belongs to one
-- user; a user may have many.
CREATE TABLE user_identities (
    project_id  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    issuer      TEXT NOT NULL,
    sso_id      TEXT NOT NULL DEFAULT '',
    subject     TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    email       TEXT NOT NULL DEFAULT '',
    groups      TEXT NOT NULL DEFAULT '[]',
    raw         TEXT NOT NULL DEFAULT '{}',
    created_ms  INTEGER NOT NULL,
    modified_ms INTEGER NOT NULL,
    PRIMARY KEY (project_id, kind, issuer, sso_id, subject),
    FOREIGN KEY (project_id, user_id) REFERENCES users(project_id, id) ON DELETE CASCADE
);
CREATE INDEX user_identities_user ON user_identities(project_id, user_id);

-- Identities queued for the next sign-in at a fake provider (`target` 'oauth:<provider>' or
-- 'sso:<tenantId>:<ssoId>', ssoId possibly empty = any configuration), first in first out.
CREATE TABLE idp_queue (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id TEXT NOT NULL,
    target     TEXT NOT NULL,
    identity   TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE INDEX idp_queue_target ON idp_queue(project_id, target, seq);

-- The RSA key the fake providers sign ID tokens with (one per project, made on first use).
CREATE TABLE idp_keys (
    project_id TEXT NOT NULL PRIMARY KEY,
    pkcs8      BLOB NOT NULL,
    created_ms INTEGER NOT NULL
);
