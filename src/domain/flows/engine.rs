//! Running hosted flows: the server side of `<descope-wc>` (`/v1/flow/start`,
//! `/v1/flow/next`).
//!
//! The built-in flows `sign-up-or-in`, `sign-in` and `sign-up` are small state machines over
//! the screens of [`screens`]: a first screen asking for an email (or phone), then a code, a
//! password or a "link sent" screen that polls, or a passkey ceremony in the browser
//! ([`passkey`]). Every step calls the same domain functions as the REST sign-in methods
//! ([`passwordless`], [`password`], WebAuthn), so a flow's codes and links land in the outbox
//! and its session is the one those methods issue.
//!
//! Executions live in `flow_executions` with an ID the web component can parse
//! (`<flowId>|#|<random>`, no `_`) and a step counter (the `stepId`); a wrong code or password
//! answers the same screen with `screen.state.errorText`, and only what the flow cannot
//! recover from (unknown flow or execution, a finished execution, a foreign interaction) is
//! an error.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::crypto;
use crate::crypto::PasswordHasher;
use crate::domain::authn::password::{self, SignUp};
use crate::domain::authn::passwordless::{self, LoginOptions, Method, Purpose, StartRequest};
use crate::domain::authn::webauthn::Started;
use crate::domain::identity::users;
use crate::domain::messaging::channel::ChannelKind;
use crate::domain::messaging::outbox::OutboxNotifier;
use crate::domain::sessions::{self, AuthInfo};
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::store::flows::ExecutionRow;
use crate::store::{self, Db};

pub use super::screens::Screen;

mod passkey;

/// How long an execution stays usable after it starts.
pub(super) const EXECUTION_TTL_MS: i64 = 60 * 60 * 1000;

/// The flows every project has.
pub const BUILT_IN: [&str; 3] = ["sign-up-or-in", "sign-in", "sign-up"];

/// The purpose of a built-in flow: who may go through it.
fn purpose_of(flow_id: &str) -> Option<Purpose> {
    match flow_id {
        "sign-up-or-in" => Some(Purpose::SignUpOrIn),
        "sign-in" => Some(Purpose::SignIn),
        "sign-up" => Some(Purpose::SignUp),
        _ => None,
    }
}

/// What the engine keeps of an execution between calls.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct State {
    screen: Screen,
    login_id: String,
    /// `email` or `sms`: where codes and links go.
    channel: String,
    masked: String,
    /// The base URL of magic links (the component's redirect URL or page location).
    redirect: String,
    /// The user a magic link of this execution signed in (opened in another tab), until the
    /// polling tab takes its session.
    link_user: Option<String>,
    /// The passkey ceremony the browser is running (the first screen's `usePasskey`).
    passkey: Option<passkey::Pending>,
}

/// The calls' common inputs.
pub struct Engine<'a> {
    pub db: &'a Db,
    pub outbox: &'a OutboxNotifier,
    pub hasher: &'a PasswordHasher,
    pub ctx: &'a Ctx,
}

/// What a flow call answers (`FlowResponse` of core-js), before the tokens become a
/// JWT response.
#[derive(Debug)]
pub struct Step {
    pub execution_id: String,
    pub step_id: String,
    pub outcome: Outcome,
}

#[derive(Debug)]
pub enum Outcome {
    /// Show a screen, with its state (`errorText`, the masked address, prefilled inputs).
    Screen { screen: Screen, state: Map<String, Value> },
    /// Keep polling: the magic link was not opened yet.
    Poll { screen: Screen },
    /// Run a WebAuthn ceremony in the browser (`webauthnCreate` or `webauthnGet`) and
    /// answer with `submit`.
    WebAuthn(Started),
    /// Signed in.
    Completed(Box<AuthInfo>),
    /// A screen of an imported flow ([`super::interpreter`]): its screen ID, the step's name
    /// and the screen state.
    Page { id: String, name: String, state: Map<String, Value> },
    /// Keep polling on an imported flow's screen.
    PagePoll { name: String },
}

/// The `start` options the engine uses.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StartOptions {
    pub redirect_url: String,
    pub location: String,
}

impl Engine<'_> {
    /// `POST /v1/flow/start`: a new execution on the flow's first screen (or, when the
    /// component sends the first interaction along, its outcome).
    pub async fn start(
        &self,
        flow_id: &str,
        options: StartOptions,
        interaction_id: &str,
        input: &Map<String, Value>,
    ) -> ApiResult<Step> {
        if let Some(graph) = super::interpreter::imported(self.db, self.ctx, flow_id).await? {
            return super::interpreter::start(self, graph, options, interaction_id, input).await;
        }
        if purpose_of(flow_id).is_none() {
            return Err(ApiError::new(ErrorKind::FlowNotFound, format!("Flow {flow_id} not found")));
        }
        let id = format!("{flow_id}|#|{}", crypto::random_alnum(24));
        let redirect = Some(options.redirect_url).filter(|u| !u.is_empty()).unwrap_or(options.location);
        let state =
            State { screen: Screen::First, redirect: strip_flow_params(&redirect), ..State::default() };
        let now = self.ctx.now.millis();
        let mut row = ExecutionRow {
            id,
            flow_id: flow_id.to_owned(),
            step: 1,
            status: "running".into(),
            state: serde_json::to_string(&state).map_err(|e| ApiError::internal(e.to_string()))?,
            created_ms: now,
            expires_ms: now + EXECUTION_TTL_MS,
        };
        let mut tx = store::begin_immediate(self.db).await?;
        store::flows::purge_expired(&mut tx, self.ctx.scope(), now).await?;
        store::flows::insert(&mut tx, self.ctx.scope(), &row).await?;
        tx.commit().await?;
        if interaction_id.is_empty() {
            return Ok(screen_step(&row, Screen::First, Map::new()));
        }
        self.interact(&mut row, state, interaction_id, input).await
    }

    /// `POST /v1/flow/next`: the interaction (`interactionId`, the clicked button's ID, or
    /// `polling`/`submit`) on the execution's current screen.
    pub async fn next(
        &self,
        execution_id: &str,
        step_id: &str,
        interaction_id: &str,
        input: &Map<String, Value>,
    ) -> ApiResult<Step> {
        for (value, field) in
            [(execution_id, "executionId"), (step_id, "stepId"), (interaction_id, "interactionId")]
        {
            if value.is_empty() {
                return Err(ApiError::missing(field));
            }
        }
        let mut conn = self.db.acquire().await?;
        let row = store::flows::get(&mut conn, self.ctx.scope(), execution_id).await?;
        drop(conn);
        let unknown = || ApiError::new(ErrorKind::FlowExecutionNotFound, "Unknown or expired flow execution");
        let mut row = row.filter(|r| r.expires_ms >= self.ctx.now.millis()).ok_or_else(unknown)?;
        if row.status != "running" {
            return Err(ApiError::new(ErrorKind::FlowExecutionFinished, "The flow already completed"));
        }
        // A step from the execution's future was never handed out.
        match step_id.parse::<i64>() {
            Ok(step) if step >= 1 && step <= row.step => {}
            _ => return Err(unknown()),
        }
        if super::interpreter::owns(&row.state) {
            return super::interpreter::next(self, row, interaction_id, input).await;
        }
        let state: State = serde_json::from_str(&row.state).map_err(|e| ApiError::internal(e.to_string()))?;
        self.interact(&mut row, state, interaction_id, input).await
    }

    async fn interact(
        &self,
        row: &mut ExecutionRow,
        mut state: State,
        interaction: &str,
        input: &Map<String, Value>,
    ) -> ApiResult<Step> {
        let purpose = purpose_of(&row.flow_id).ok_or_else(|| ApiError::internal("unknown stored flow"))?;
        let text = |key: &str| input.get(key).and_then(Value::as_str).unwrap_or_default().trim().to_owned();
        let outcome = match (state.screen, interaction) {
            (Screen::First, "usePhone") => self.show(row, &mut state, Screen::FirstPhone),
            (Screen::FirstPhone, "useEmail") => self.show(row, &mut state, Screen::First),
            (Screen::First | Screen::FirstPhone, "sendCode" | "sendLink" | "usePassword") => {
                let (login_id, channel) = match (text("email"), phone_number(&text("phone"))) {
                    (email, _) if !email.is_empty() => (email, ChannelKind::Email),
                    (_, phone) if !phone.is_empty() => (phone, ChannelKind::Sms),
                    _ if state.screen == Screen::FirstPhone => {
                        return self.retry(row, &state, "Enter your phone number")
                    }
                    _ => return self.retry(row, &state, "Enter your email address"),
                };
                state.login_id = login_id;
                state.channel = channel.as_str().to_owned();
                match interaction {
                    "sendCode" => self.send(row, &mut state, purpose, Method::Otp).await?,
                    "sendLink" => self.send(row, &mut state, purpose, Method::MagicLink).await?,
                    _ => self.password_screen(row, &mut state, purpose).await?,
                }
            }
            (Screen::First, "usePasskey") => self.passkey_start(row, &mut state, purpose, input).await?,
            (Screen::First, "submit") if state.passkey.is_some() => {
                self.passkey_finish(&mut state, input).await?
            }
            (Screen::Code, "verifyCode") => {
                let code = text("code");
                if code.is_empty() {
                    return self.retry(row, &state, "Enter the code");
                }
                match passwordless::verify_code(self.db, self.ctx, channel(&state)?, &state.login_id, &code)
                    .await
                {
                    Ok(info) => Outcome::Completed(Box::new(info)),
                    Err(e) if e.kind.status().is_client_error() => {
                        return self.retry(row, &state, &e.message)
                    }
                    Err(e) => return Err(e),
                }
            }
            (Screen::Code, "resend") => self.send(row, &mut state, purpose, Method::Otp).await?,
            (Screen::Password, "signIn") => {
                let secret = text("password");
                let result = password::sign_in(
                    self.db,
                    self.hasher,
                    self.ctx,
                    &state.login_id,
                    &secret,
                    LoginOptions::default(),
                    None,
                )
                .await;
                finish_or_retry(&state, result)?
            }
            (Screen::NewPassword, "signUp") => {
                let secret =
                    Some(text("newPassword")).filter(|p| !p.is_empty()).unwrap_or_else(|| text("password"));
                let mut user = crate::domain::identity::profile::UserProfile::default();
                match channel(&state)? {
                    ChannelKind::Sms => user.phone.clone_from(&state.login_id),
                    _ => user.email.clone_from(&state.login_id),
                }
                let req = SignUp {
                    login_id: state.login_id.clone(),
                    password: secret,
                    user,
                    options: LoginOptions::default(),
                };
                let result = password::sign_up(self.db, self.hasher, self.ctx, req).await;
                finish_or_retry(&state, result)?
            }
            (Screen::LinkSent, "polling") => match state.link_user.take() {
                Some(user_id) => Outcome::Completed(Box::new(self.sign_in_again(&user_id).await?)),
                // Nothing changed: no write, so a link opened meanwhile is never overwritten.
                None => {
                    return Ok(Step {
                        execution_id: row.id.clone(),
                        step_id: row.step.to_string(),
                        outcome: Outcome::Poll { screen: Screen::LinkSent },
                    })
                }
            },
            (Screen::LinkSent, "submit") => {
                let token = text("token");
                let info = passwordless::verify_token(self.db, self.ctx, &token).await?;
                // The tab still polling completes too, with a session of its own.
                state.link_user = Some(info.user.id().to_string());
                self.save(row, &state).await?;
                return Ok(Step {
                    execution_id: row.id.clone(),
                    step_id: row.step.to_string(),
                    outcome: Outcome::Completed(Box::new(info)),
                });
            }
            (Screen::Code | Screen::Password | Screen::NewPassword | Screen::LinkSent, "back") => {
                self.show(row, &mut state, Screen::First)
            }
            (screen, other) => {
                return Err(ApiError::new(
                    ErrorKind::FlowInteractionInvalid,
                    format!("The screen {} has no interaction {other}", screen.id()),
                ))
            }
        };
        let completed = matches!(outcome, Outcome::Completed(_));
        if completed {
            row.status = "completed".into();
        }
        self.save(row, &state).await?;
        Ok(Step { execution_id: row.id.clone(), step_id: row.step.to_string(), outcome })
    }

    /// Sends a code or a magic link and moves to the screen that waits for it; a refused
    /// start (unknown user on sign-in, existing user on sign-up, bad address) stays on the
    /// screen with the reason.
    async fn send(
        &self,
        row: &mut ExecutionRow,
        state: &mut State,
        purpose: Purpose,
        method: Method,
    ) -> ApiResult<Outcome> {
        let next_screen = if method == Method::Otp { Screen::Code } else { Screen::LinkSent };
        let next_step = if state.screen == next_screen { row.step } else { row.step + 1 };
        let redirect_url = (method == Method::MagicLink).then(|| {
            let base = if state.redirect.is_empty() {
                self.ctx.project.public_url.clone()
            } else {
                state.redirect.clone()
            };
            let sep = if base.contains('?') { '&' } else { '?' };
            format!(
                "{base}{sep}descope-login-flow={}_{next_step}",
                percent_encoding::utf8_percent_encode(&row.id, QUERY)
            )
        });
        let req = StartRequest { login_id: state.login_id.clone(), redirect_url, ..StartRequest::default() };
        let started =
            passwordless::start(self.db, self.outbox, self.ctx, method, channel(state)?, purpose, req, None)
                .await;
        match started {
            Ok(started) => {
                state.masked = started.masked.value;
                state.screen = next_screen;
                row.step = next_step;
                Ok(Outcome::Screen { screen: next_screen, state: address_state(state) })
            }
            Err(e) if e.kind.status().is_client_error() => Ok(error_outcome(state, &e.message)),
            Err(e) => Err(e),
        }
    }

    /// Another screen, with no state of its own.
    fn show(&self, row: &mut ExecutionRow, state: &mut State, screen: Screen) -> Outcome {
        state.screen = screen;
        row.step += 1;
        Outcome::Screen { screen, state: Map::new() }
    }

    /// The password screen: sign-in for a user who exists, sign-up otherwise (as the flow allows).
    async fn password_screen(
        &self,
        row: &mut ExecutionRow,
        state: &mut State,
        purpose: Purpose,
    ) -> ApiResult<Outcome> {
        let mut conn = self.db.acquire().await?;
        let exists = users::find_by_login_id(&mut conn, self.ctx.scope(), &state.login_id).await?.is_some();
        drop(conn);
        let screen = match (purpose, exists) {
            (Purpose::SignUp, true) => {
                return Ok(error_outcome(state, &format!("User {} already exists", state.login_id)))
            }
            (Purpose::SignIn, false) => {
                return Ok(error_outcome(state, &format!("User {} not found", state.login_id)))
            }
            (_, true) => Screen::Password,
            (_, false) => Screen::NewPassword,
        };
        state.screen = screen;
        row.step += 1;
        Ok(Outcome::Screen { screen, state: address_state(state) })
    }

    /// The current screen again, with `errorText`.
    fn retry(&self, row: &ExecutionRow, state: &State, message: &str) -> ApiResult<Step> {
        Ok(Step {
            execution_id: row.id.clone(),
            step_id: row.step.to_string(),
            outcome: error_outcome(state, message),
        })
    }

    /// A new session for the user a magic link of this execution signed in.
    async fn sign_in_again(&self, user_id: &str) -> ApiResult<AuthInfo> {
        let mut tx = store::begin_immediate(self.db).await?;
        let user = users::find_by_id(&mut tx, self.ctx.scope(), user_id)
            .await?
            .ok_or_else(|| ApiError::user_not_found(user_id))?;
        let opts =
            sessions::factor_options("email", "magiclink", LoginOptions::default(), None, false, user_id)?;
        let issued = sessions::sign_in(&mut tx, self.ctx, user, opts).await?;
        tx.commit().await?;
        issued.sign(self.ctx).await
    }

    async fn save(&self, row: &mut ExecutionRow, state: &State) -> ApiResult<()> {
        row.state = serde_json::to_string(state).map_err(|e| ApiError::internal(e.to_string()))?;
        let mut tx = store::begin_immediate(self.db).await?;
        store::flows::update(&mut tx, self.ctx.scope(), row).await?;
        tx.commit().await
    }
}

/// Characters escaped in the execution ID inside a link's query (`|` and `#`).
pub(super) const QUERY: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// A phone number as the phone field gives it (`+1-5551234567`, with spaces or parentheses)
/// in the form the REST methods take (`+15551234567`).
pub(super) fn phone_number(given: &str) -> String {
    given.chars().filter(|c| !matches!(c, '-' | ' ' | '(' | ')' | '.')).collect()
}

fn channel(state: &State) -> ApiResult<ChannelKind> {
    ChannelKind::parse(&state.channel).ok_or_else(|| ApiError::internal("flow execution without a channel"))
}

/// The state a screen after the first shows: where the code or link went, and the login ID.
fn address_state(state: &State) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("maskedAddress".into(), json!(state.masked));
    m.insert("loginId".into(), json!(state.login_id));
    let field = if state.channel == ChannelKind::Sms.as_str() { "phone" } else { "email" };
    m.insert("inputs".into(), json!({ field: state.login_id }));
    m
}

/// Signed in, or the current screen with the reason a sign-in was refused.
fn finish_or_retry(state: &State, result: ApiResult<AuthInfo>) -> ApiResult<Outcome> {
    match result {
        Ok(info) => Ok(Outcome::Completed(Box::new(info))),
        Err(e) if e.kind.status().is_client_error() => Ok(error_outcome(state, &e.message)),
        Err(e) => Err(e),
    }
}

/// The current screen with `errorText` (and `errorType`), as the component shows errors.
fn error_outcome(state: &State, message: &str) -> Outcome {
    let mut m = address_state(state);
    m.insert("errorText".into(), json!(message));
    m.insert("errorType".into(), json!("error"));
    Outcome::Screen { screen: state.screen, state: m }
}

fn screen_step(row: &ExecutionRow, screen: Screen, state: Map<String, Value>) -> Step {
    Step {
        execution_id: row.id.clone(),
        step_id: row.step.to_string(),
        outcome: Outcome::Screen { screen, state },
    }
}

/// The page URL without the flow's own return parameters (a reload after a magic link).
pub(super) fn strip_flow_params(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else { return url.to_owned() };
    let kept: Vec<(String, String)> = parsed
        .query_pairs()
        .filter(|(k, _)| !matches!(k.as_ref(), "descope-login-flow" | "t" | "code"))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        parsed.set_query(None);
    } else {
        parsed.query_pairs_mut().clear().extend_pairs(kept);
    }
    parsed.to_string()
}
