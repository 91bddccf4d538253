-- Password and TOTP credentials beyond the hash and secret kept on `users`.

-- The state of a user's password: temporary (set by management, must be replaced before
-- sign-in), when it was set (expiration policy), and failed sign-ins (lock policy).
CREATE TABLE password_credentials (
    project_id       TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    temporary        INTEGER NOT NULL DEFAULT 0,
    expired          INTEGER NOT NULL DEFAULT 0,
    set_ms           INTEGER NOT NULL,
    failed_attempts  INTEGER NOT NULL DEFAULT 0,
    locked           INTEGER NOT NULL DEFAULT 0,
    locked_until_ms  INTEGER,
    PRIMARY KEY (project_id, user_id),
    FOREIGN KEY (project_id, user_id) REFERENCES users(project_id, id) ON DELETE CASCADE
);

-- Hashes of earlier passwords, for the reuse policy.
CREATE TABLE password_history (
    project_id  TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    hash        TEXT NOT NULL,
    set_ms      INTEGER NOT NULL,
    FOREIGN KEY (project_id, user_id) REFERENCES users(project_id, id) ON DELETE CASCADE
);
CREATE INDEX password_history_user ON password_history(project_id, user_id, set_ms);
