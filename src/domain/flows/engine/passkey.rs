//! Passkeys in the built-in flows: the first screen's `usePasskey` button answers
//! `webauthnCreate` (a new user) or `webauthnGet` (an existing one) with the options of the
//! same WebAuthn start as `/v1/auth/webauthn/*`; the component runs the ceremony with the
//! browser's own WebAuthn API and calls `next` with `submit` and `{transactionId, response}`
//! (or `failure`), which the matching finish verifies. Refusals and a cancelled ceremony go
//! back to the first screen with `errorText`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{error_outcome, finish_or_retry, Engine, Outcome, State};
use crate::domain::authn::passwordless::Purpose;
use crate::domain::authn::webauthn::{self, StartRequest};
use crate::domain::identity::users;
use crate::domain::messaging::channel::ChannelKind;
use crate::error::ApiResult;
use crate::store::flows::ExecutionRow;

/// The ceremony an execution waits for.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct Pending {
    transaction_id: String,
    /// Registration (sign-up finish) rather than an assertion (sign-in finish).
    create: bool,
}

fn text(input: &Map<String, Value>, key: &str) -> String {
    input.get(key).and_then(Value::as_str).unwrap_or_default().trim().to_owned()
}

impl Engine<'_> {
    /// `usePasskey`: registration options for a new login ID, sign-in options for an existing
    /// one (as the flow allows), for the page's `origin` (which the component sends along).
    pub(super) async fn passkey_start(
        &self,
        row: &mut ExecutionRow,
        state: &mut State,
        purpose: Purpose,
        input: &Map<String, Value>,
    ) -> ApiResult<Outcome> {
        let email = text(input, "email");
        if email.is_empty() {
            return Ok(error_outcome(state, "Enter your email address"));
        }
        state.login_id = email;
        state.channel = ChannelKind::Email.as_str().to_owned();
        let exists = {
            let mut conn = self.db.acquire().await?;
            users::find_by_login_id(&mut conn, self.ctx.scope(), &state.login_id).await?.is_some()
        };
        let req = StartRequest {
            login_id: state.login_id.clone(),
            origin: text(input, "origin"),
            ..StartRequest::default()
        };
        let started = match (purpose, exists) {
            (Purpose::SignUp, _) | (Purpose::SignUpOrIn, false) => {
                webauthn::sign_up_start(self.db, self.ctx, req).await
            }
            _ => webauthn::sign_in_start(self.db, self.ctx, req).await,
        };
        match started {
            Ok(started) => {
                state.passkey =
                    Some(Pending { transaction_id: started.transaction_id.clone(), create: started.create });
                row.step += 1;
                Ok(Outcome::WebAuthn(started))
            }
            Err(e) if e.kind.status().is_client_error() => Ok(error_outcome(state, &e.message)),
            Err(e) => Err(e),
        }
    }

    /// `submit` after a ceremony: the browser's credential verified by the finish of the
    /// transaction this execution started, or the reason it failed on the first screen.
    pub(super) async fn passkey_finish(
        &self,
        state: &mut State,
        input: &Map<String, Value>,
    ) -> ApiResult<Outcome> {
        let Some(pending) = state.passkey.take() else {
            return Ok(error_outcome(state, "No passkey request is waiting"));
        };
        if text(input, "transactionId") != pending.transaction_id {
            return Ok(error_outcome(state, "The passkey answer is for another request"));
        }
        let response = input.get("response").filter(|r| match r {
            Value::String(s) => !s.trim().is_empty(),
            other => other.is_object(),
        });
        let Some(response) = response else {
            let failure = text(input, "failure");
            let detail = Some(text(input, "failureMessage")).filter(|m| !m.is_empty()).unwrap_or(failure);
            let what = if pending.create { "created" } else { "used" };
            let message = if detail.is_empty() {
                format!("The passkey was not {what}")
            } else {
                format!("The passkey was not {what}: {detail}")
            };
            return Ok(error_outcome(state, &message));
        };
        let result = if pending.create {
            webauthn::sign_up_finish(self.db, self.ctx, &pending.transaction_id, response).await
        } else {
            webauthn::sign_in_finish(self.db, self.ctx, &pending.transaction_id, response).await
        };
        finish_or_retry(state, result)
    }
}
