//! Running imported flows: the v2 documents of the flow-management API
//! (`{flowId, metadata, contents: {startTask, tasks}, screens}`), walked as Descope runs them.
//!
//! A flow is a graph of tasks. Each task has a `type` (`screen`, `automated` with an
//! `action`, `condition`, `flow`) and `next.rules`: `{interactionId, taskId}` edges. A screen
//! waits for the person (the clicked button's ID is the interaction); an action runs and
//! follows its `success` edge; a condition picks the first branch whose atomic conditions
//! all hold (or `ELSE`); the `logged-in` action ends the flow with the session. The actions
//! the emulator runs map onto the same domain functions as the REST methods and the built-in
//! flows (email/SMS OTP, magic link, password); everything else is refused when the flow
//! starts, naming the step, so a run never stops half-way on something unknown.
//!
//! What is guessed (only the shapes seen in public exports are known) is listed in
//! docs/COMPATIBILITY.md.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::engine::{self, Engine, Outcome, StartOptions, Step, EXECUTION_TTL_MS};
use super::render;
use crate::crypto;
use crate::domain::authn::password::{self, SignUp};
use crate::domain::authn::passwordless::{self, LoginOptions, Method, Purpose, StartRequest};
use crate::domain::identity::users;
use crate::domain::messaging::channel::ChannelKind;
use crate::domain::sessions::{self, AuthInfo};
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::store::flows::ExecutionRow;
use crate::store::{self, Db};

/// The most tasks one call runs before it must reach a screen or the end (a loop of
/// conditions and actions without a screen would never stop).
const MAX_TASKS_PER_CALL: usize = 50;

/// The marker of an imported flow's execution state.
const RUNNER: &str = "imported";

/// An imported flow, checked: every task reachable from the start is one the emulator runs.
#[derive(Debug, Clone)]
pub struct Graph {
    pub flow_id: String,
    start: String,
    tasks: BTreeMap<String, Task>,
}

#[derive(Debug, Clone)]
struct Task {
    id: String,
    name: String,
    /// The screen a screen task shows.
    screen: String,
    kind: Kind,
    /// `next.rules`: interaction → task, in order (an interaction may have several targets).
    rules: Vec<(String, String)>,
    /// `arguments.<key>.value`.
    args: Map<String, Value>,
}

#[derive(Debug, Clone)]
enum Kind {
    /// The `start` pseudo-task: only edges.
    Start,
    Screen,
    Action(Action),
    Condition(Vec<Branch>),
}

#[derive(Debug, Clone, Copy)]
enum Action {
    SendOtp(Purpose, ChannelKind),
    VerifyOtp(ChannelKind),
    SendLink(Purpose, ChannelKind),
    VerifyLink,
    PasswordSignIn,
    PasswordSignUp,
    LoggedIn,
}

#[derive(Debug, Clone)]
struct Branch {
    interaction: String,
    atoms: Vec<Atom>,
}

#[derive(Debug, Clone)]
struct Atom {
    operator: String,
    /// A dotted path into the context (`form.email`, `user.verifiedEmail`, …).
    target: String,
    predicate: Value,
}

/// Condition operators the emulator evaluates.
const OPERATORS: &[&str] = &[
    "is-true",
    "is-false",
    "empty",
    "is-empty",
    "not-empty",
    "equal",
    "not-equal",
    "contains",
    "not-contains",
    "greater-than",
    "greater-than-or-equal",
    "less-than",
    "less-than-or-equal",
];

fn action_of(name: &str) -> Option<Action> {
    let purpose_channel = |rest: &str, infix: &str| -> Option<(Purpose, ChannelKind)> {
        let (purpose, channel) = rest.split_once(infix)?;
        let purpose = match purpose {
            "sign-in" => Purpose::SignIn,
            "sign-up" => Purpose::SignUp,
            "sign-up-or-in" => Purpose::SignUpOrIn,
            _ => return None,
        };
        let channel = match channel {
            "email" => ChannelKind::Email,
            "sms" => ChannelKind::Sms,
            _ => return None,
        };
        Some((purpose, channel))
    };
    Some(match name {
        "verify-code-otp-email" => Action::VerifyOtp(ChannelKind::Email),
        "verify-code-otp-sms" => Action::VerifyOtp(ChannelKind::Sms),
        "verify-magic-link" => Action::VerifyLink,
        "password-sign-in" | "password-sign-in-v2" => Action::PasswordSignIn,
        "password-sign-up" | "password-sign-up-v2" => Action::PasswordSignUp,
        "logged-in" => Action::LoggedIn,
        n => {
            if let Some((p, c)) = purpose_channel(n, "-otp-") {
                Action::SendOtp(p, c)
            } else if let Some((p, c)) = purpose_channel(n, "-magic-link-") {
                Action::SendLink(p, c)
            } else {
                return None;
            }
        }
    })
}

fn str_at<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// The refusal of a flow that uses something the emulator does not run.
fn cannot_run(flow_id: &str, why: String) -> ApiError {
    ApiError::new(ErrorKind::FlowCannotRun, format!("Flow {flow_id} cannot run in the emulator: {why}"))
}

fn describe(id: &str, task: &Value) -> String {
    let name = str_at(task, "name");
    if name.is_empty() {
        format!("step {id}")
    } else {
        format!("step {id} ({name})")
    }
}

impl Graph {
    /// Reads and checks a flow document: `None` when it has no task graph (a built-in flow's
    /// minimal document), the Descope error naming the first unsupported step otherwise.
    pub fn parse(flow_id: &str, doc: &Value) -> ApiResult<Option<Graph>> {
        let Some(tasks) = doc.pointer("/contents/tasks").and_then(Value::as_object) else {
            return Ok(None);
        };
        let start = match doc.pointer("/contents/startTask").and_then(Value::as_str) {
            Some(s) if tasks.contains_key(s) => s.to_owned(),
            _ if tasks.contains_key("start") => "start".to_owned(),
            _ => return Err(cannot_run(flow_id, "it has no start step (contents.startTask)".into())),
        };
        let screen_ids: HashSet<&str> = doc
            .get("screens")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|s| str_at(s, "screenId"))
            .collect();
        let mut graph = Graph { flow_id: flow_id.to_owned(), start: start.clone(), tasks: BTreeMap::new() };
        // Only what the flow can reach is checked: a console flow often keeps unused steps.
        let mut todo = vec![start];
        let mut seen = HashSet::new();
        while let Some(id) = todo.pop() {
            if !seen.insert(id.clone()) {
                continue;
            }
            let Some(raw) = tasks.get(&id) else {
                return Err(cannot_run(
                    flow_id,
                    format!("a rule leads to step {id}, which the flow does not have"),
                ));
            };
            let task = Self::task(flow_id, &id, raw, &screen_ids)?;
            todo.extend(task.rules.iter().map(|(_, to)| to.clone()));
            graph.tasks.insert(id, task);
        }
        Ok(Some(graph))
    }

    fn task(flow_id: &str, id: &str, raw: &Value, screens: &HashSet<&str>) -> ApiResult<Task> {
        let kind_name = str_at(raw, "type");
        let kind = match kind_name {
            "" if id == "start" => Kind::Start,
            "screen" => {
                let screen = str_at(raw, "screenId");
                if !screens.contains(screen) && !raw.get("htmlTemplate").is_some_and(Value::is_object) {
                    return Err(cannot_run(
                        flow_id,
                        format!(
                            "{} shows screen {screen:?}, which the flow does not have",
                            describe(id, raw)
                        ),
                    ));
                }
                Kind::Screen
            }
            "automated" | "action" => {
                let action = str_at(raw, "action");
                Kind::Action(action_of(action).ok_or_else(|| {
                    cannot_run(
                        flow_id,
                        format!(
                            "{} runs the action {action:?}, which the emulator does not support",
                            describe(id, raw)
                        ),
                    )
                })?)
            }
            "condition" => Kind::Condition(Self::branches(flow_id, id, raw)?),
            other => {
                let what = if other == "flow" {
                    let sub =
                        raw.pointer("/arguments/flowId/value").and_then(Value::as_str).unwrap_or_default();
                    format!("runs the flow {sub:?} inside it (sub-flows are not supported)")
                } else {
                    format!("is a step of type {other:?}, which the emulator does not support")
                };
                return Err(cannot_run(flow_id, format!("{} {what}", describe(id, raw))));
            }
        };
        let rules = raw
            .pointer("/next/rules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| {
                let to = str_at(r, "taskId");
                (!to.is_empty()).then(|| (str_at(r, "interactionId").to_owned(), to.to_owned()))
            })
            .collect();
        let args = raw
            .get("arguments")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter().map(|(k, v)| (k.clone(), v.get("value").cloned().unwrap_or(Value::Null))).collect()
            })
            .unwrap_or_default();
        let (name, screen) = (str_at(raw, "name").to_owned(), str_at(raw, "screenId").to_owned());
        Ok(Task { id: id.to_owned(), name, screen, kind, rules, args })
    }

    fn branches(flow_id: &str, id: &str, raw: &Value) -> ApiResult<Vec<Branch>> {
        let mut out = Vec::new();
        for c in raw.get("conditions").and_then(Value::as_array).into_iter().flatten() {
            let mut atoms = Vec::new();
            for a in c.get("atomicConditions").and_then(Value::as_array).into_iter().flatten() {
                let operator = str_at(a, "operator");
                let target_type = a.pointer("/target/type").and_then(Value::as_str).unwrap_or("context");
                if !OPERATORS.contains(&operator) || !matches!(target_type, "context" | "form") {
                    return Err(cannot_run(
                        flow_id,
                        format!(
                            "{} has a condition ({operator:?} on a {target_type:?} value) the emulator does not evaluate",
                            describe(id, raw)
                        ),
                    ));
                }
                let mut target =
                    a.pointer("/target/value").and_then(Value::as_str).unwrap_or_default().to_owned();
                if target_type == "form" {
                    target = format!("form.{target}");
                }
                atoms.push(Atom {
                    operator: operator.to_owned(),
                    target,
                    predicate: a.pointer("/predicate/value").cloned().unwrap_or(Value::Null),
                });
            }
            out.push(Branch { interaction: str_at(c, "interactionId").to_owned(), atoms });
        }
        Ok(out)
    }

    fn get(&self, id: &str) -> ApiResult<&Task> {
        self.tasks.get(id).ok_or_else(|| {
            ApiError::new(ErrorKind::FlowExecutionNotFound, "The flow changed: its step is gone")
        })
    }

    /// The targets of the task's edges for an interaction.
    fn targets(&self, task: &Task, interaction: &str) -> Vec<&Task> {
        task.rules.iter().filter(|(i, _)| i == interaction).filter_map(|(_, to)| self.tasks.get(to)).collect()
    }

    /// The one task an edge leads to; an action's outcome without an edge is a flow the
    /// emulator cannot go on with.
    fn follow(&self, task: &Task, interaction: &str) -> ApiResult<&Task> {
        self.targets(task, interaction).into_iter().next().ok_or_else(|| {
            cannot_run(
                &self.flow_id,
                format!("step {} ({}) has no next step for {interaction:?}", task.id, task.name),
            )
        })
    }
}

/// The stored flow to run for `flow_id`, when the project imported one with a task graph.
pub async fn imported(db: &Db, ctx: &Ctx, flow_id: &str) -> ApiResult<Option<Graph>> {
    let mut conn = db.acquire().await?;
    let Some(flow) = super::find_flow(&mut conn, ctx.scope(), flow_id).await? else { return Ok(None) };
    drop(conn);
    let doc: Value = serde_json::from_str(&flow.document).unwrap_or(Value::Null);
    Graph::parse(flow_id, &doc)
}

/// The screen of an imported flow by its ID, as HTML: the first flow of the project that
/// has it (screen IDs are unique per project in Descope).
pub async fn screen_html(db: &Db, ctx: &Ctx, screen_id: &str) -> ApiResult<Option<String>> {
    let mut conn = db.acquire().await?;
    let flows = super::all_flows(&mut conn, ctx.scope()).await?;
    drop(conn);
    for f in flows.iter().filter(|f| f.document.contains(screen_id)) {
        let doc: Value = serde_json::from_str(&f.document).unwrap_or(Value::Null);
        let screens = doc.get("screens").and_then(Value::as_array).into_iter().flatten();
        if let Some(s) = screens.clone().find(|s| str_at(s, "screenId") == screen_id) {
            return Ok(Some(render::screen_html(s.get("contents").unwrap_or(&Value::Null))));
        }
        let tasks =
            doc.pointer("/contents/tasks").and_then(Value::as_object).into_iter().flat_map(|m| m.values());
        if let Some(t) = tasks.clone().find(|t| str_at(t, "screenId") == screen_id) {
            return Ok(Some(render::screen_html(t.get("htmlTemplate").unwrap_or(&Value::Null))));
        }
    }
    Ok(None)
}

/// The IDs of the project's flows that run here (for `config.json`).
pub async fn flow_ids(db: &Db, ctx: &Ctx) -> ApiResult<Vec<(String, i64)>> {
    let mut conn = db.acquire().await?;
    Ok(super::all_flows(&mut conn, ctx.scope()).await?.into_iter().map(|f| (f.id, f.version)).collect())
}

/// What an imported flow's execution keeps between calls.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct State {
    runner: String,
    /// The screen task the person is on.
    task: String,
    /// Every input the screens submitted so far (`form.*` of conditions and templates).
    form: Map<String, Value>,
    login_id: String,
    channel: String,
    masked: String,
    redirect: String,
    /// The signed-in user and how (after a verify step, before `logged-in`).
    user_id: Option<String>,
    factor: String,
    method: String,
    first_seen: bool,
    /// The `verify-magic-link` step a sent link continues at.
    link_verify: Option<String>,
    /// The user a magic link of this execution signed in, until the polling tab continues.
    link_user: Option<String>,
}

/// Whether a stored execution state is an imported flow's.
pub fn owns(state: &str) -> bool {
    serde_json::from_str::<Value>(state)
        .is_ok_and(|v| v.get("runner").and_then(Value::as_str) == Some(RUNNER))
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(e)
}

/// `POST /v1/flow/start` of an imported flow.
pub async fn start(
    engine: &Engine<'_>,
    graph: Graph,
    options: StartOptions,
    interaction_id: &str,
    input: &Map<String, Value>,
) -> ApiResult<Step> {
    let redirect = Some(options.redirect_url).filter(|u| !u.is_empty()).unwrap_or(options.location);
    let mut state =
        State { runner: RUNNER.into(), redirect: engine::strip_flow_params(&redirect), ..State::default() };
    let now = engine.ctx.now.millis();
    let mut row = ExecutionRow {
        id: format!("{}|#|{}", graph.flow_id, crypto::random_alnum(24)),
        flow_id: graph.flow_id.clone(),
        step: 0,
        status: "running".into(),
        state: String::new(),
        created_ms: now,
        expires_ms: now + EXECUTION_TTL_MS,
    };
    let run = Run { engine, graph: &graph };
    let start = graph.get(&graph.start)?;
    let first = match start.kind {
        Kind::Start => graph.follow(start, "")?,
        _ => start,
    };
    let outcome = run.walk(&mut row, &mut state, first, None).await?;
    row.state = serde_json::to_string(&state).map_err(internal)?;
    let mut tx = store::begin_immediate(engine.db).await?;
    store::flows::purge_expired(&mut tx, engine.ctx.scope(), now).await?;
    store::flows::insert(&mut tx, engine.ctx.scope(), &row).await?;
    tx.commit().await?;
    let step = run.finish(&mut row, &state, outcome).await?;
    if interaction_id.is_empty() || !matches!(step.outcome, Outcome::Page { .. }) {
        return Ok(step);
    }
    run.interact(&mut row, state, interaction_id, input).await
}

/// `POST /v1/flow/next` of an imported flow's execution (already checked: running, a known step).
pub async fn next(
    engine: &Engine<'_>,
    mut row: ExecutionRow,
    interaction_id: &str,
    input: &Map<String, Value>,
) -> ApiResult<Step> {
    let state: State = serde_json::from_str(&row.state).map_err(internal)?;
    let graph = imported(engine.db, engine.ctx, &row.flow_id).await?.ok_or_else(|| {
        ApiError::new(ErrorKind::FlowExecutionNotFound, "The flow of this execution is gone")
    })?;
    Run { engine, graph: &graph }.interact(&mut row, state, interaction_id, input).await
}

struct Run<'a, 'e> {
    engine: &'a Engine<'e>,
    graph: &'a Graph,
}

/// Where a walk through the graph stopped.
enum Stop {
    /// On a screen (with an error on it when an action was refused).
    Screen {
        error: Option<String>,
    },
    Poll,
    Done(Box<AuthInfo>),
}

impl Run<'_, '_> {
    async fn interact(
        &self,
        row: &mut ExecutionRow,
        mut state: State,
        interaction: &str,
        input: &Map<String, Value>,
    ) -> ApiResult<Step> {
        for (k, v) in input {
            if !matches!(k.as_str(), "origin" | "token" | "fpData" | "exchangeCode" | "exchangeError") {
                state.form.insert(k.clone(), v.clone());
            }
        }
        let outcome = match interaction {
            "polling" => match state.link_user.take() {
                Some(user_id) => {
                    let verify = state.link_verify.clone().unwrap_or_default();
                    let info = self.sign_in_again(&user_id, &state).await?;
                    let at = self.graph.get(&verify)?;
                    self.walk_from(row, &mut state, at, "success", Some(info)).await?
                }
                None => Stop::Poll,
            },
            "submit" if input.get("token").is_some_and(Value::is_string) => {
                let verify = state.link_verify.clone().ok_or_else(|| {
                    ApiError::new(ErrorKind::FlowInteractionInvalid, "This execution sent no magic link")
                })?;
                let token = input.get("token").and_then(Value::as_str).unwrap_or_default();
                let info = passwordless::verify_token(self.engine.db, self.engine.ctx, token).await?;
                // The polling tab continues too, with a session of its own.
                state.link_user = Some(info.user.id().to_string());
                let at = self.graph.get(&verify)?;
                let outcome = self.walk_from(row, &mut state, at, "success", Some(Box::new(info))).await?;
                match outcome {
                    Stop::Done(info) => {
                        self.save(row, &state).await?;
                        return Ok(step(row, Outcome::Completed(info)));
                    }
                    other => other,
                }
            }
            _ => {
                let screen = self.graph.get(&state.task)?;
                let target = self.graph.targets(screen, interaction).into_iter().next().ok_or_else(|| {
                    ApiError::new(
                        ErrorKind::FlowInteractionInvalid,
                        format!("The screen {} has no interaction {interaction}", screen.name),
                    )
                })?;
                self.walk(row, &mut state, target, None).await?
            }
        };
        self.finish(row, &state, outcome).await
    }

    /// Saves the state after a walk and answers the step.
    async fn finish(&self, row: &mut ExecutionRow, state: &State, stop: Stop) -> ApiResult<Step> {
        let outcome = match stop {
            Stop::Poll => {
                // Nothing changed: no write, so a link opened meanwhile is never overwritten.
                return Ok(step(row, Outcome::PagePoll { name: self.graph.get(&state.task)?.name.clone() }));
            }
            Stop::Done(info) => {
                row.status = "completed".into();
                Outcome::Completed(info)
            }
            Stop::Screen { error } => {
                let task = self.graph.get(&state.task)?;
                Outcome::Page {
                    id: task.screen.clone(),
                    name: task.name.clone(),
                    state: screen_state(state, error),
                }
            }
        };
        self.save(row, state).await?;
        Ok(step(row, outcome))
    }

    async fn walk_from(
        &self,
        row: &mut ExecutionRow,
        state: &mut State,
        from: &Task,
        interaction: &str,
        info: Option<Box<AuthInfo>>,
    ) -> ApiResult<Stop> {
        let next = self.graph.follow(from, interaction)?;
        self.walk(row, state, next, info).await
    }

    /// Runs tasks from `task` until a screen or the end. `info` is a session issued on the
    /// way (kept for `logged-in`, so it is not issued twice).
    async fn walk<'g>(
        &'g self,
        row: &mut ExecutionRow,
        state: &mut State,
        mut task: &'g Task,
        mut info: Option<Box<AuthInfo>>,
    ) -> ApiResult<Stop> {
        if let Some(i) = &info {
            state.user_id = Some(i.user.id().to_string());
            state.first_seen |= i.first_seen;
        }
        for _ in 0..MAX_TASKS_PER_CALL {
            let outcome = match &task.kind {
                Kind::Start => "",
                Kind::Screen => {
                    state.task = task.id.clone();
                    row.step += 1;
                    return Ok(Stop::Screen { error: None });
                }
                Kind::Condition(branches) => {
                    let context = self.context(state, info.as_deref()).await?;
                    let pick = branches
                        .iter()
                        .find(|b| b.interaction != "ELSE" && b.atoms.iter().all(|a| holds(a, &context)))
                        .map_or("ELSE", |b| b.interaction.as_str());
                    task = self.graph.follow(task, pick)?;
                    continue;
                }
                Kind::Action(Action::LoggedIn) => {
                    let info = match info.take() {
                        Some(info) => info,
                        None => match state.user_id.clone() {
                            Some(user_id) => self.sign_in_again(&user_id, state).await?,
                            None => {
                                return Err(cannot_run(
                                    &self.graph.flow_id,
                                    format!(
                                        "step {} ({}) ends the flow before anyone signed in",
                                        task.id, task.name
                                    ),
                                ))
                            }
                        },
                    };
                    return Ok(Stop::Done(info));
                }
                Kind::Action(action) => match self.act(row, state, task, *action).await? {
                    Ok(Some(signed_in)) => {
                        state.user_id = Some(signed_in.user.id().to_string());
                        state.first_seen = signed_in.first_seen;
                        info = Some(signed_in);
                        "success"
                    }
                    Ok(None) => "success",
                    Err(message) => return Ok(Stop::Screen { error: Some(message) }),
                },
            };
            if let Kind::Action(Action::SendLink(..)) = task.kind {
                // The link continues at the verify step; this tab goes to the screen.
                let verify = task.args.get("verifyStepId").and_then(Value::as_str).map(str::to_owned);
                let verify = verify.or_else(|| {
                    self.graph
                        .targets(task, "success")
                        .into_iter()
                        .find(|t| matches!(t.kind, Kind::Action(Action::VerifyLink)))
                        .map(|t| t.id.clone())
                });
                state.link_verify = verify;
                let screen =
                    self.graph.targets(task, "success").into_iter().find(|t| matches!(t.kind, Kind::Screen));
                task = match screen {
                    Some(s) => s,
                    None => self.graph.follow(task, outcome)?,
                };
                continue;
            }
            task = self.graph.follow(task, outcome)?;
        }
        Err(cannot_run(
            &self.graph.flow_id,
            format!("more than {MAX_TASKS_PER_CALL} steps ran without a screen (a loop?)"),
        ))
    }

    /// Runs an action: `Ok(Some(session))` when it signed someone in, `Ok(None)` when it
    /// succeeded otherwise, `Err(message)` when it was refused (shown on the screen).
    async fn act(
        &self,
        row: &ExecutionRow,
        state: &mut State,
        task: &Task,
        action: Action,
    ) -> ApiResult<Result<Option<Box<AuthInfo>>, String>> {
        let (db, ctx) = (self.engine.db, self.engine.ctx);
        let form = |k: &str| state.form.get(k).and_then(Value::as_str).unwrap_or_default().trim().to_owned();
        let result = match action {
            Action::SendOtp(purpose, channel) | Action::SendLink(purpose, channel) => {
                let login_id = login_id_of(&state.form, Some(channel));
                if login_id.is_empty() {
                    let what = if channel == ChannelKind::Sms { "phone number" } else { "email address" };
                    return Ok(Err(format!("Enter your {what}")));
                }
                state.login_id = login_id;
                state.channel = channel.as_str().to_owned();
                let method =
                    if matches!(action, Action::SendOtp(..)) { Method::Otp } else { Method::MagicLink };
                let redirect_url = (method == Method::MagicLink).then(|| {
                    let base = if state.redirect.is_empty() {
                        ctx.project.public_url.clone()
                    } else {
                        state.redirect.clone()
                    };
                    let sep = if base.contains('?') { '&' } else { '?' };
                    let exec = percent_encoding::utf8_percent_encode(&row.id, engine::QUERY);
                    // The link's screen is the next step shown.
                    format!("{base}{sep}descope-login-flow={exec}_{}", row.step + 1)
                });
                let req = StartRequest {
                    login_id: state.login_id.clone(),
                    redirect_url,
                    ..StartRequest::default()
                };
                passwordless::start(db, self.engine.outbox, ctx, method, channel, purpose, req, None)
                    .await
                    .map(|started| {
                        state.masked = started.masked.value;
                        None
                    })
            }
            Action::VerifyOtp(channel) => {
                let code = form("code");
                if code.is_empty() {
                    return Ok(Err("Enter the code".into()));
                }
                state.form.remove("code");
                state.factor = channel.as_str().to_owned();
                state.method = "otp".into();
                passwordless::verify_code(db, ctx, channel, &state.login_id, &code)
                    .await
                    .map(|i| Some(Box::new(i)))
            }
            Action::PasswordSignIn => {
                let login_id = login_id_of(&state.form, None);
                let secret = form("password");
                state.form.remove("password");
                state.login_id.clone_from(&login_id);
                state.factor = "pwd".into();
                state.method = "pwd".into();
                password::sign_in(
                    self.engine.db,
                    self.engine.hasher,
                    ctx,
                    &login_id,
                    &secret,
                    LoginOptions::default(),
                    None,
                )
                .await
                .map(|i| Some(Box::new(i)))
            }
            Action::PasswordSignUp => {
                let login_id = login_id_of(&state.form, None);
                let secret =
                    Some(form("newPassword")).filter(|p| !p.is_empty()).unwrap_or_else(|| form("password"));
                let mut user = crate::domain::identity::profile::UserProfile {
                    email: form("email"),
                    name: form("fullName"),
                    given_name: form("givenName"),
                    family_name: form("familyName"),
                    ..Default::default()
                };
                if user.email.is_empty() && login_id.contains('@') {
                    user.email.clone_from(&login_id);
                } else if login_id.starts_with('+') {
                    user.phone.clone_from(&login_id);
                }
                state.form.remove("password");
                state.form.remove("newPassword");
                state.login_id.clone_from(&login_id);
                state.factor = "pwd".into();
                state.method = "pwd".into();
                let req = SignUp { login_id, password: secret, user, options: LoginOptions::default() };
                password::sign_up(db, self.engine.hasher, ctx, req).await.map(|i| Some(Box::new(i)))
            }
            Action::VerifyLink => {
                // Reached by a walk, not by the link's return: the flow waits for the link.
                return Err(cannot_run(
                    &self.graph.flow_id,
                    format!("step {} ({}) verifies a magic link no screen waits for", task.id, task.name),
                ));
            }
            Action::LoggedIn => Ok(None),
        };
        match result {
            Ok(v) => Ok(Ok(v)),
            Err(e) if e.kind.status().is_client_error() => Ok(Err(e.message)),
            Err(e) => Err(e),
        }
    }

    /// What conditions read: `form`, the signed-in `user` and `authInfo`, the `unauthUser`
    /// the form's login ID names (before sign-in), `sentTo`.
    async fn context(&self, state: &State, info: Option<&AuthInfo>) -> ApiResult<Value> {
        let mut conn = self.engine.db.acquire().await?;
        let scope = self.engine.ctx.scope();
        let signed_in = match (info, &state.user_id) {
            (Some(i), _) => Some(i.user.clone()),
            (None, Some(id)) => users::find_by_id(&mut conn, scope, id).await?,
            (None, None) => None,
        };
        let login_id = login_id_of(&state.form, None);
        let unauth = if login_id.is_empty() {
            None
        } else {
            users::find_by_login_id(&mut conn, scope, &login_id).await?
        };
        let to_json =
            |u: &users::User| serde_json::to_value(crate::dto::user::User::from(u)).unwrap_or(Value::Null);
        let user = signed_in.as_ref().map_or(Value::Null, to_json);
        Ok(json!({
            "form": state.form,
            "user": user,
            "authInfo": {"firstSeen": state.first_seen || info.is_some_and(|i| i.first_seen), "user": user},
            "unauthUser": unauth.as_ref().map_or(Value::Null, to_json),
            "sentTo": sent_to(state),
        }))
    }

    /// A new session for a user signed in earlier in this execution.
    async fn sign_in_again(&self, user_id: &str, state: &State) -> ApiResult<Box<AuthInfo>> {
        let ctx = self.engine.ctx;
        let mut tx = store::begin_immediate(self.engine.db).await?;
        let user = users::find_by_id(&mut tx, ctx.scope(), user_id)
            .await?
            .ok_or_else(|| ApiError::user_not_found(user_id))?;
        let (factor, method) = if state.method.is_empty() {
            (state.channel.as_str(), "magiclink")
        } else {
            (state.factor.as_str(), state.method.as_str())
        };
        let opts = sessions::factor_options(factor, method, LoginOptions::default(), None, false, user_id)?;
        let issued = sessions::sign_in(&mut tx, ctx, user, opts).await?;
        tx.commit().await?;
        Ok(Box::new(issued.sign(ctx).await?))
    }

    async fn save(&self, row: &mut ExecutionRow, state: &State) -> ApiResult<()> {
        row.state = serde_json::to_string(state).map_err(internal)?;
        let mut tx = store::begin_immediate(self.engine.db).await?;
        store::flows::update(&mut tx, self.engine.ctx.scope(), row).await?;
        tx.commit().await
    }
}

fn step(row: &ExecutionRow, outcome: Outcome) -> Step {
    Step { execution_id: row.id.clone(), step_id: row.step.to_string(), outcome }
}

/// The login ID the form gives: `loginId`, else the address of the channel (`email`,
/// `phone`), else `externalId` (a custom identifier).
fn login_id_of(form: &Map<String, Value>, channel: Option<ChannelKind>) -> String {
    let get = |k: &str| form.get(k).and_then(Value::as_str).unwrap_or_default().trim().to_owned();
    let phone = || engine::phone_number(&get("phone"));
    let keys: Vec<String> = match channel {
        Some(ChannelKind::Sms) => vec![get("loginId"), phone()],
        Some(_) => vec![get("loginId"), get("email")],
        None => vec![get("loginId"), get("email"), get("externalId"), phone()],
    };
    keys.into_iter().find(|k| !k.is_empty()).unwrap_or_default()
}

fn sent_to(state: &State) -> Value {
    if state.masked.is_empty() {
        return json!({});
    }
    let key = if state.channel == ChannelKind::Sms.as_str() { "maskedPhone" } else { "maskedEmail" };
    json!({ key: state.masked })
}

/// The screen's state: the form so far (prefilled), where a code or link went, the error.
fn screen_state(state: &State, error: Option<String>) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("inputs".into(), Value::Object(state.form.clone()));
    m.insert("form".into(), Value::Object(state.form.clone()));
    m.insert("sentTo".into(), sent_to(state));
    m.insert("maskedAddress".into(), json!(state.masked));
    m.insert("loginId".into(), json!(state.login_id));
    if let Some(e) = error {
        m.insert("errorText".into(), json!(e));
        m.insert("errorType".into(), json!("error"));
    }
    m
}

/// The value at a dotted path of the context.
fn lookup<'a>(context: &'a Value, path: &str) -> &'a Value {
    let step = |v: &'a Value, k: &str| match v {
        Value::Array(items) => k.parse::<usize>().ok().and_then(|i| items.get(i)),
        other => other.get(k),
    };
    path.split('.').try_fold(context, step).unwrap_or(&Value::Null)
}

/// A predicate with its `{{path}}` templates replaced from the context.
fn resolve(predicate: &Value, context: &Value) -> Value {
    let Some(s) = predicate.as_str() else { return predicate.clone() };
    let t = s.trim();
    if let Some(path) = t.strip_prefix("{{").and_then(|p| p.strip_suffix("}}")) {
        if !path.contains("{{") {
            return lookup(context, path.trim()).clone();
        }
    }
    Value::String(s.to_owned())
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn number_of(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

fn holds(atom: &Atom, context: &Value) -> bool {
    let value = lookup(context, &atom.target);
    let predicate = resolve(&atom.predicate, context);
    let compare = |f: fn(f64, f64) -> bool| match (number_of(value), number_of(&predicate)) {
        (Some(a), Some(b)) => f(a, b),
        _ => false,
    };
    let contains = || match value {
        Value::Array(items) => items.iter().any(|i| text_of(i) == text_of(&predicate)),
        other => text_of(other).contains(&text_of(&predicate)),
    };
    match atom.operator.as_str() {
        "is-true" => value == &Value::Bool(true) || text_of(value) == "true",
        "is-false" => value != &Value::Bool(true) && text_of(value) != "true",
        "empty" | "is-empty" => is_empty(value),
        "not-empty" => !is_empty(value),
        "equal" => text_of(value) == text_of(&predicate),
        "not-equal" => text_of(value) != text_of(&predicate),
        "contains" => contains(),
        "not-contains" => !contains(),
        "greater-than" => compare(|a, b| a > b),
        "greater-than-or-equal" => compare(|a, b| a >= b),
        "less-than" => compare(|a, b| a < b),
        "less-than-or-equal" => compare(|a, b| a <= b),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(tasks: Value) -> Value {
        json!({"flowId": "f", "contents": {"startTask": "start", "tasks": tasks},
               "screens": [{"screenId": "S1", "contents": {}}]})
    }

    #[test]
    fn a_document_without_tasks_is_no_graph() {
        assert!(Graph::parse("f", &json!({"contents": {"startTask": "welcome"}})).unwrap().is_none());
    }

    #[test]
    fn unsupported_steps_are_named_but_unreachable_ones_are_ignored() {
        let d = doc(json!({
            "start": {"id": "start", "next": {"rules": [{"taskId": "1"}]}},
            "1": {"id": "1", "type": "screen", "screenId": "S1", "name": "Welcome",
                  "next": {"rules": [{"interactionId": "b", "taskId": "2"}]}},
            "2": {"id": "2", "type": "automated", "action": "sign-in-otp-voice", "name": "Voice OTP"},
            "9": {"id": "9", "type": "automated", "action": "connector"},
        }));
        let e = Graph::parse("f", &d).unwrap_err();
        assert_eq!(e.kind, ErrorKind::FlowCannotRun);
        assert!(
            e.message.contains("step 2 (Voice OTP)") && e.message.contains("sign-in-otp-voice"),
            "{}",
            e.message
        );

        let mut d = d;
        d["contents"]["tasks"]["2"]["action"] = json!("sign-in-otp-email");
        let g = Graph::parse("f", &d).unwrap().unwrap();
        assert!(g.tasks.contains_key("2") && !g.tasks.contains_key("9"));
        assert!(matches!(
            g.tasks["2"].kind,
            Kind::Action(Action::SendOtp(Purpose::SignIn, ChannelKind::Email))
        ));
    }

    #[test]
    fn missing_screens_sub_flows_and_unknown_operators_are_refused() {
        let screen = doc(json!({"start": {"next": {"rules": [{"taskId": "1"}]}},
                                "1": {"type": "screen", "screenId": "NOPE"}}));
        assert!(Graph::parse("f", &screen).unwrap_err().message.contains("NOPE"));
        let sub = doc(json!({"start": {"next": {"rules": [{"taskId": "1"}]}},
                             "1": {"type": "flow", "name": "Sub", "arguments": {"flowId": {"value": "other"}}}}));
        assert!(Graph::parse("f", &sub).unwrap_err().message.contains("\"other\""));
        let cond = doc(json!({"start": {"next": {"rules": [{"taskId": "1"}]}},
                              "1": {"type": "condition", "conditions": [{"interactionId": "x",
                                    "atomicConditions": [{"operator": "regex", "target": {"type": "context", "value": "a"}}]}]}}));
        assert!(Graph::parse("f", &cond).unwrap_err().message.contains("regex"));
        let dangling = doc(json!({"start": {"next": {"rules": [{"taskId": "7"}]}}}));
        assert!(Graph::parse("f", &dangling).unwrap_err().message.contains("step 7"));
    }

    #[test]
    fn conditions_read_the_context() {
        let ctx = json!({"form": {"email": "a@b.c", "n": "3"}, "unauthUser": {"loginIds": ["a@b.c"]},
                         "authInfo": {"firstSeen": true}, "user": null});
        let atom = |op: &str, target: &str, predicate: Value| Atom {
            operator: op.into(),
            target: target.into(),
            predicate,
        };
        assert!(holds(&atom("not-empty", "unauthUser.loginIds", json!("")), &ctx));
        assert!(!holds(&atom("not-empty", "user.loginIds", json!("")), &ctx));
        assert!(holds(&atom("is-true", "authInfo.firstSeen", json!("")), &ctx));
        assert!(holds(&atom("equal", "form.email", json!("{{unauthUser.loginIds.0}}")), &ctx));
        assert!(!holds(&atom("not-equal", "form.email", json!("a@b.c")), &ctx));
        assert!(holds(&atom("contains", "unauthUser.loginIds", json!("{{form.email}}")), &ctx));
        assert!(holds(&atom("greater-than", "form.n", json!(2)), &ctx));
        assert!(holds(&atom("empty", "form.missing", json!("")), &ctx));
    }

    #[test]
    fn login_ids_come_from_the_form() {
        let form = json!({"email": " a@b.c ", "phone": "+1-555 0100"});
        let form = form.as_object().unwrap();
        assert_eq!(login_id_of(form, Some(ChannelKind::Email)), "a@b.c");
        assert_eq!(login_id_of(form, Some(ChannelKind::Sms)), "+15550100");
        assert_eq!(login_id_of(form, None), "a@b.c");
    }
}
