//! Descope API group `SecurityQuestions`: answers a signed-in user sets up and later gives
//! to verify themselves. All three calls need the refresh JWT in the bearer.
//!
//! `setup {loginId, answers: [{id, answer}]}` → `{}` (answers stored hashed, compared trimmed
//! and case-insensitively); `GET verify` → `{questions: [{id, text}]}`;
//! `POST verify {loginId, answers, stepup}` → JWT response when every configured question
//! is answered right (with `stepup`, the factor is added to the session's `amr`).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::domain::authn::recovery::{self, SessionAnswers};
use crate::dto::auth::AuthResponse;
use crate::dto::common::Empty;
use crate::dto::Validate;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{SessionAuth, ValidJson};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/auth/security-questions/setup" => setup,
        GET "/v1/auth/security-questions/verify" => questions,
        POST "/v1/auth/security-questions/verify" => verify,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Answer {
    id: String,
    answer: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AnswersBody {
    login_id: String,
    answers: Vec<Answer>,
    stepup: bool,
}

impl Validate for AnswersBody {
    fn validate(&self) -> ApiResult<()> {
        if self.answers.is_empty() {
            return Err(ApiError::missing("answers"));
        }
        Ok(())
    }
}

impl AnswersBody {
    fn pairs(self) -> Vec<(String, String)> {
        self.answers.into_iter().map(|a| (a.id, a.answer)).collect()
    }
}

#[derive(Debug, Serialize)]
struct Question {
    id: String,
    text: String,
}

#[derive(Debug, Serialize)]
struct QuestionsResponse {
    questions: Vec<Question>,
}

/// POST /v1/auth/security-questions/setup
/// Sets (replaces) the answers of the user of the refresh JWT.
async fn setup(
    State(s): State<AppState>,
    auth: SessionAuth,
    ValidJson(b): ValidJson<AnswersBody>,
) -> ApiResult<Json<Empty>> {
    let login_id = b.login_id.clone();
    let given = SessionAnswers { claims: &auth.claims, login_id: &login_id, answers: b.pairs() };
    recovery::set_up_questions(&s.db, &s.hasher, &auth.ctx, given).await?;
    Ok(Json(Empty {}))
}

/// GET /v1/auth/security-questions/verify
/// The questions the user of the refresh JWT set up.
async fn questions(State(s): State<AppState>, auth: SessionAuth) -> ApiResult<Json<QuestionsResponse>> {
    let qs = recovery::questions(&s.db, &auth.ctx, &auth.claims).await?;
    Ok(Json(QuestionsResponse {
        questions: qs.into_iter().map(|q| Question { id: q.id, text: q.text }).collect(),
    }))
}

/// POST /v1/auth/security-questions/verify
/// Checks the answers and signs the user in again.
async fn verify(
    State(s): State<AppState>,
    auth: SessionAuth,
    ValidJson(b): ValidJson<AnswersBody>,
) -> ApiResult<AuthResponse> {
    let (login_id, stepup) = (b.login_id.clone(), b.stepup);
    let given = SessionAnswers { claims: &auth.claims, login_id: &login_id, answers: b.pairs() };
    let info = recovery::verify_questions(&s.db, &s.hasher, &auth.ctx, given, stepup).await?;
    Ok(AuthResponse::new(&auth.ctx, &info))
}
