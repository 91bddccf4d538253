-- Pending sessions of the polling flows (enchanted link, NOTP), recovery codes and security
-- question answers.

-- A polled flow is found by its `pending_ref`; `verified_ms` is set when the link is
-- followed (enchanted link verify, NOTP approval), and `consumed_ms` when the session is
-- handed out.
ALTER TABLE codes ADD COLUMN pending_ref TEXT;
ALTER TABLE codes ADD COLUMN verified_ms INTEGER;
CREATE UNIQUE INDEX codes_pending_ref ON codes(project_id, pending_ref) WHERE pending_ref IS NOT NULL;

-- Recovery codes: SHA-256 hashes only (the codes are random and shown once); each is used
-- at most once.
CREATE TABLE recovery_codes (
    project_id  TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    code_hash   TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    used_ms     INTEGER,
    FOREIGN KEY (project_id, user_id) REFERENCES users(project_id, id) ON DELETE CASCADE
);
CREATE INDEX recovery_codes_user ON recovery_codes(project_id, user_id);

-- Security question answers, hashed like passwords (normalised: trimmed, lower case).
CREATE TABLE security_answers (
    project_id   TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    question_id  TEXT NOT NULL,
    position     INTEGER NOT NULL,
    answer_hash  TEXT NOT NULL,
    set_ms       INTEGER NOT NULL,
    PRIMARY KEY (project_id, user_id, question_id),
    FOREIGN KEY (project_id, user_id) REFERENCES users(project_id, id) ON DELETE CASCADE
);
