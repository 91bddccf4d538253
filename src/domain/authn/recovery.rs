//! Recovery codes and security questions: factors of a user who already has a session
//! (generate and set up need the refresh JWT), usable later to sign in.
//!
//! Recovery codes: generating makes 10 random codes, shown once, stored as SHA-256 hashes;
//! a new set voids the old one; each code signs in once (Descope docs, "Recovery Codes").
//! Security questions: answers are normalised (trimmed, lower case) and hashed like
//! passwords; verifying needs every configured question answered right.
//! `amr` values `recovery` and `secq` are unconfirmed (no SDK or document names them).

use crate::crypto;
use crate::crypto::PasswordHasher;
use crate::domain::authn::passwordless::LoginOptions;
use crate::domain::authn::SignInAttempt;
use crate::domain::identity::users::{self, User};
use crate::domain::sessions::{self, AuthInfo, Claims, Prior};
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::store::Db;
use crate::store::{self, Conn};

/// How many recovery codes a set has.
pub const RECOVERY_CODE_COUNT: usize = 10;
/// The `amr` of a recovery-code sign-in (unconfirmed).
pub const AMR_RECOVERY: &str = "recovery";
/// The `amr` of a security-questions verification (unconfirmed).
pub const AMR_SECURITY_QUESTIONS: &str = "secq";

/// Well-known question IDs and their text; other IDs are shown as their ID.
const QUESTIONS: &[(&str, &str)] = &[
    ("pet", "What was the name of your first pet?"),
    ("city", "In what city were you born?"),
    ("school", "What was the name of your first school?"),
    ("mother", "What is your mother's maiden name?"),
    ("car", "What was the make of your first car?"),
];

fn sha256_hex(s: &str) -> String {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, s.as_bytes());
    data_encoding::HEXLOWER.encode(d.as_ref())
}

fn new_recovery_code() -> String {
    let raw = crypto::random_alnum(10).to_lowercase();
    format!("{}-{}", &raw[..5], &raw[5..])
}

fn normalise_code(code: &str) -> String {
    code.trim().to_lowercase()
}

/// The signed-in user, checking that `login_id` (when given) is one of theirs.
async fn session_user(conn: &mut Conn, ctx: &Ctx, claims: &Claims, login_id: &str) -> ApiResult<User> {
    let user = users::find_by_id(conn, ctx.scope(), &claims.sub).await?.ok_or_else(|| {
        ApiError::new(ErrorKind::InvalidSessionToken, "The user of this session no longer exists")
    })?;
    user.ensure_can_sign_in()?;
    if !login_id.is_empty() && !user.login_ids.iter().any(|l| l == login_id) && user.id() != login_id {
        return Err(ApiError::invalid(format!("Login ID {login_id} is not the signed-in user's")));
    }
    Ok(user)
}

/// `POST /v1/auth/recovery-codes`: a new set of codes for the signed-in user (the old set is
/// void); the only time the codes are shown.
pub async fn generate_codes(db: &Db, ctx: &Ctx, claims: &Claims, login_id: &str) -> ApiResult<Vec<String>> {
    let mut tx = store::begin_immediate(db).await?;
    let user = session_user(&mut tx, ctx, claims, login_id).await?;
    let codes: Vec<String> = (0..RECOVERY_CODE_COUNT).map(|_| new_recovery_code()).collect();
    let hashes: Vec<String> = codes.iter().map(|c| sha256_hex(c)).collect();
    store::recovery::replace_codes(&mut tx, ctx.scope(), user.id(), &hashes, ctx.now.millis()).await?;
    tx.commit().await?;
    Ok(codes)
}

/// `POST /v1/auth/recovery-codes/signin`: signs in with an unused code, which is then used.
pub async fn sign_in_with_code(db: &Db, ctx: &Ctx, attempt: SignInAttempt<'_>) -> ApiResult<AuthInfo> {
    let SignInAttempt { login_id, code, options, session } = attempt;
    if login_id.is_empty() {
        return Err(ApiError::missing("loginId"));
    }
    if code.trim().is_empty() {
        return Err(ApiError::missing("code"));
    }
    let result = async {
        let mut tx = store::begin_immediate(db).await?;
        let user = users::require_for_sign_in(&mut tx, ctx.scope(), login_id).await?;
        let opts = sessions::factor_options(
            AMR_RECOVERY,
            "recovery",
            options,
            session.map(Prior::from),
            false,
            user.id().as_str(),
        )?;
        let hash = sha256_hex(&normalise_code(code));
        if !store::recovery::use_code(&mut tx, ctx.scope(), user.id(), &hash, ctx.now.millis()).await? {
            return Err(ApiError::new(ErrorKind::InvalidOneTimeCode, "Wrong or used recovery code"));
        }
        let info = sessions::sign_in(&mut tx, ctx, user, opts).await?;
        tx.commit().await?;
        info.sign(ctx).await
    }
    .await;
    crate::domain::audit::on_login_failure(db, ctx, login_id, "recovery", result).await
}

/// A security question: its ID and text.
#[derive(Debug, Clone)]
pub struct Question {
    pub id: String,
    pub text: String,
}

fn question(id: &str) -> Question {
    let text = QUESTIONS.iter().find(|(q, _)| *q == id).map_or(id, |(_, t)| *t);
    Question { id: id.to_owned(), text: text.to_owned() }
}

fn normalise_answer(answer: &str) -> String {
    answer.trim().to_lowercase()
}

/// The signed-in user's answers to security questions, as a setup or verify request gives
/// them: the session, the login ID it names (may be empty) and (question ID, answer) pairs.
#[derive(Debug, Clone)]
pub struct SessionAnswers<'a> {
    pub claims: &'a Claims,
    pub login_id: &'a str,
    pub answers: Vec<(String, String)>,
}

/// `POST /v1/auth/security-questions/setup`: replaces the signed-in user's answers.
pub async fn set_up_questions(
    db: &Db,
    hasher: &PasswordHasher,
    ctx: &Ctx,
    given: SessionAnswers<'_>,
) -> ApiResult<()> {
    let SessionAnswers { claims, login_id, answers } = given;
    if answers.is_empty() {
        return Err(ApiError::missing("answers"));
    }
    let mut seen = std::collections::BTreeSet::new();
    for (id, answer) in &answers {
        if id.is_empty() {
            return Err(ApiError::missing("answers.id"));
        }
        if normalise_answer(answer).is_empty() {
            return Err(ApiError::missing("answers.answer"));
        }
        if !seen.insert(id.clone()) {
            return Err(ApiError::invalid(format!("Question {id} is answered twice")));
        }
    }
    let hasher = hasher.clone();
    let hashed = tokio::task::spawn_blocking(move || {
        answers
            .into_iter()
            .map(|(id, a)| Ok((id, hasher.hash(&normalise_answer(&a))?)))
            .collect::<ApiResult<Vec<_>>>()
    })
    .await
    .map_err(ApiError::internal)??;
    let mut tx = store::begin_immediate(db).await?;
    let user = session_user(&mut tx, ctx, claims, login_id).await?;
    store::recovery::replace_answers(&mut tx, ctx.scope(), user.id(), &hashed, ctx.now.millis()).await?;
    tx.commit().await?;
    Ok(())
}

/// `GET /v1/auth/security-questions/verify`: the signed-in user's questions.
pub async fn questions(db: &Db, ctx: &Ctx, claims: &Claims) -> ApiResult<Vec<Question>> {
    let mut conn = db.acquire().await?;
    let user = session_user(&mut conn, ctx, claims, "").await?;
    let rows = store::recovery::answers(&mut conn, ctx.scope(), user.id()).await?;
    Ok(rows.iter().map(|r| question(&r.question_id)).collect())
}

/// `POST /v1/auth/security-questions/verify`: checks every configured answer and signs the
/// user in again (with `stepup`, adding to the session's `amr`).
pub async fn verify_questions(
    db: &Db,
    hasher: &PasswordHasher,
    ctx: &Ctx,
    given: SessionAnswers<'_>,
    stepup: bool,
) -> ApiResult<AuthInfo> {
    let SessionAnswers { claims, login_id, answers } = given;
    let (user, rows) = {
        let mut conn = db.acquire().await?;
        let user = session_user(&mut conn, ctx, claims, login_id).await?;
        let rows = store::recovery::answers(&mut conn, ctx.scope(), user.id()).await?;
        (user, rows)
    };
    if rows.is_empty() {
        return Err(ApiError::invalid("The user has no security questions set up"));
    }
    let hasher = hasher.clone();
    let all_right = tokio::task::spawn_blocking(move || {
        rows.iter().all(|row| {
            answers
                .iter()
                .find(|(id, _)| *id == row.question_id)
                .is_some_and(|(_, a)| hasher.verify(&normalise_answer(a), &row.answer_hash))
        })
    })
    .await
    .map_err(ApiError::internal)?;
    if !all_right {
        return Err(ApiError::new(ErrorKind::InvalidCredentials, "Wrong answers to the security questions"));
    }
    let options = LoginOptions { stepup, ..LoginOptions::default() };
    let opts = sessions::factor_options(
        AMR_SECURITY_QUESTIONS,
        "securityQuestions",
        options,
        Some(Prior::from(claims)),
        false,
        user.id().as_str(),
    )?;
    let mut tx = store::begin_immediate(db).await?;
    let info = sessions::sign_in(&mut tx, ctx, user, opts).await?;
    tx.commit().await?;
    info.sign(ctx).await
}
