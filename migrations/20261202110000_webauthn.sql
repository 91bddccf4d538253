-- WebAuthn (passkeys): what verifying a registered credential needs, and the emulator's
-- software authenticators.

-- A passkey's public key is kept in `public_key` as base64url of its COSE key (imported
-- passkeys keep the base64 they came with). `alg` is the COSE algorithm (0 = not known,
-- read from the key), `sign_count` the last signature counter seen, `user_handle` the
-- base64url WebAuthn user handle given at registration.
ALTER TABLE user_passkeys ADD COLUMN alg INTEGER NOT NULL DEFAULT 0;
ALTER TABLE user_passkeys ADD COLUMN sign_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE user_passkeys ADD COLUMN user_handle TEXT NOT NULL DEFAULT '';
ALTER TABLE user_passkeys ADD COLUMN last_used_ms INTEGER;
CREATE INDEX user_passkeys_credential ON user_passkeys(project_id, credential_id);

-- Software authenticators (`/emulator/v1/projects/{p}/authenticators`): each holds its own
-- credentials, with their private keys (PKCS#8, base64) and signature counters.
CREATE TABLE soft_authenticators (
    project_id        TEXT NOT NULL,
    id                TEXT NOT NULL,
    has_resident_key  INTEGER NOT NULL DEFAULT 1,
    is_user_verified  INTEGER NOT NULL DEFAULT 1,
    alg               INTEGER NOT NULL DEFAULT -7,
    created_ms        INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
);

CREATE TABLE soft_authenticator_credentials (
    project_id        TEXT NOT NULL,
    authenticator_id  TEXT NOT NULL,
    credential_id     TEXT NOT NULL,
    rp_id             TEXT NOT NULL,
    user_handle       TEXT NOT NULL DEFAULT '',
    alg               INTEGER NOT NULL,
    private_key       TEXT NOT NULL,
    sign_count        INTEGER NOT NULL DEFAULT 0,
    created_ms        INTEGER NOT NULL,
    PRIMARY KEY (project_id, authenticator_id, credential_id),
    FOREIGN KEY (project_id, authenticator_id) REFERENCES soft_authenticators(project_id, id) ON DELETE CASCADE
);
