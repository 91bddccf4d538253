-- Executions of hosted flows (`/v1/flow/start`, `/v1/flow/next`): one row per run of a flow
-- by the web component. `state` is the engine's JSON (current screen, login ID, method, the
-- user a magic link signed in); `step` counts the screens shown, so a stale step is refused.
CREATE TABLE flow_executions (
    project_id TEXT NOT NULL,
    id TEXT NOT NULL,
    flow_id TEXT NOT NULL,
    step INTEGER NOT NULL,
    status TEXT NOT NULL,
    state TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
);
