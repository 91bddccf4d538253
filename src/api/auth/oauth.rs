//! Descope API group `OAuth`: social sign-in through the emulator's fake providers
//! (redirect flow, native flow, Google One Tap).
//!
//! `start` answers the URL of the fake provider's page (`api/emulator/idp.rs`); the page
//! redirects to the app's `redirectURL` with `code=`, which `exchange` signs in with.

use axum::extract::{Path, RawQuery, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::domain::authn::passwordless::LoginOptions;
use crate::domain::federation::idp::{Mode, PriorSession};
use crate::domain::federation::oauth::{self, NativeFinish, NativeStarted, StartRequest};
use crate::domain::sessions::Claims;
use crate::dto::auth::AuthResponse;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{DescopeJson, OptionalSessionAuth, ProjectAuth, SessionAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/auth/oauth/authorize" => authorize::<SignUpOrIn>,
        POST "/v1/auth/oauth/authorize/signin" => authorize::<SignIn>,
        POST "/v1/auth/oauth/authorize/signup" => authorize::<SignUp>,
        POST "/v1/auth/oauth/authorize/update" => authorize_update,
        POST "/v1/auth/oauth/exchange" => exchange,
        POST "/v1/auth/oauth/native/finish" => native_finish,
        POST "/v1/auth/oauth/native/start" => native_start,
        GET "/v1/auth/onetap/clientid/{provider}" => one_tap_client_id,
        POST "/v1/auth/onetap/idtoken/exchange" => one_tap_exchange,
        POST "/v1/auth/onetap/idtoken/verify" => one_tap_verify,
    }
}

/// The query parameters of a start call, names matched case-insensitively: the SDKs send
/// `redirectURL`, the OpenAPI says `redirectUrl`.
pub struct StartQuery(Vec<(String, String)>);

impl StartQuery {
    pub fn parse(raw: Option<&str>) -> ApiResult<Self> {
        serde_urlencoded::from_str(raw.unwrap_or(""))
            .map(StartQuery)
            .map_err(|e| ApiError::bad_request(format!("Invalid query: {e}")))
    }

    /// The value of a parameter (any case), empty when absent.
    pub fn get(&self, name: &str) -> String {
        self.0.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    /// A boolean parameter: `true`/`1`.
    pub fn flag(&self, name: &str) -> bool {
        matches!(self.get(name).to_ascii_lowercase().as_str(), "true" | "1")
    }
}

/// The caller's session as a federated sign-in keeps it.
pub fn prior_of(claims: &Claims) -> PriorSession {
    PriorSession { user_id: claims.sub.clone(), amr: claims.amr.clone() }
}

/// `OAuthRedirectResponse`
#[derive(Debug, Serialize)]
pub struct UrlResponse {
    pub url: String,
}

async fn start(
    s: &AppState,
    ctx: &crate::domain::Ctx,
    mode: Mode,
    prior: Option<PriorSession>,
    query: Option<String>,
    options: LoginOptions,
) -> ApiResult<Json<UrlResponse>> {
    let q = StartQuery::parse(query.as_deref())?;
    let mut extra = Map::new();
    if q.flag("allowAllMerge") {
        extra.insert("allowAllMerge".into(), Value::Bool(true));
    }
    let req = StartRequest {
        provider: q.get("provider"),
        mode,
        redirect_url: q.get("redirectUrl"),
        login_hint: q.get("loginHint"),
        options,
        prior,
        extra,
    };
    let url = oauth::start(&s.db, ctx, req).await?;
    Ok(Json(UrlResponse { url }))
}

/// What an `authorize` route starts: sign-up-or-in, sign-in only, or sign-up only.
trait StartMode {
    const MODE: Mode;
}

struct SignUpOrIn;
struct SignIn;
struct SignUp;

impl StartMode for SignUpOrIn {
    const MODE: Mode = Mode::SignUpOrIn;
}

impl StartMode for SignIn {
    const MODE: Mode = Mode::SignIn;
}

impl StartMode for SignUp {
    const MODE: Mode = Mode::SignUp;
}

/// POST /v1/auth/oauth/authorize, /authorize/signin, /authorize/signup
/// Starts a social sign-up-or-in (sign-in of an existing user, sign-up of a new one): the
/// URL of the provider's page.
async fn authorize<M: StartMode>(
    State(s): State<AppState>,
    auth: OptionalSessionAuth,
    RawQuery(query): RawQuery,
    DescopeJson(options): DescopeJson<LoginOptions>,
) -> ApiResult<Json<UrlResponse>> {
    let prior = auth.session.as_ref().map(|(c, _)| prior_of(c));
    start(&s, &auth.ctx, M::MODE, prior, query, options).await
}

/// POST /v1/auth/oauth/authorize/update
/// Starts linking a provider to the signed-in user (refresh JWT in the bearer).
async fn authorize_update(
    State(s): State<AppState>,
    auth: SessionAuth,
    RawQuery(query): RawQuery,
    DescopeJson(options): DescopeJson<LoginOptions>,
) -> ApiResult<Json<UrlResponse>> {
    let prior = Some(prior_of(&auth.claims));
    start(&s, &auth.ctx, Mode::Update, prior, query, options).await
}

/// `{"code"}` of the exchange calls.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CodeBody {
    pub code: String,
}

/// POST /v1/auth/oauth/exchange
/// Signs in with the code the provider's page redirected back with (once).
async fn exchange(
    State(s): State<AppState>,
    ProjectAuth(ctx): ProjectAuth,
    DescopeJson(body): DescopeJson<CodeBody>,
) -> ApiResult<AuthResponse> {
    let info = oauth::exchange(&s.db, &ctx, &body.code).await?;
    Ok(AuthResponse::new(&ctx, &info))
}

/// `OAuthNativeStartRequest`
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct NativeStartBody {
    provider: String,
    login_options: LoginOptions,
    implicit: bool,
}

/// POST /v1/auth/oauth/native/start
/// Starts a native sign-in: the client ID and nonce the app signs in at the provider with.
async fn native_start(
    State(s): State<AppState>,
    auth: OptionalSessionAuth,
    DescopeJson(body): DescopeJson<NativeStartBody>,
) -> ApiResult<Json<NativeStarted>> {
    let prior = auth.session.as_ref().map(|(c, _)| prior_of(c));
    let started =
        oauth::native_start(&s.db, &auth.ctx, &body.provider, body.login_options, body.implicit, prior).await?;
    Ok(Json(started))
}

/// `OAuthNativeFinishRequest`
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct NativeFinishBody {
    provider: String,
    state_id: String,
    user: String,
    code: String,
    id_token: String,
}

/// POST /v1/auth/oauth/native/finish
/// Signs in with the provider's ID token (or code) of a native sign-in.
async fn native_finish(
    State(s): State<AppState>,
    ProjectAuth(ctx): ProjectAuth,
    DescopeJson(b): DescopeJson<NativeFinishBody>,
) -> ApiResult<AuthResponse> {
    let req =
        NativeFinish { provider: b.provider, state_id: b.state_id, user: b.user, code: b.code, id_token: b.id_token };
    let info = oauth::native_finish(&s.db, &ctx, s.projects.key_pool(), req).await?;
    Ok(AuthResponse::new(&ctx, &info))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ClientIdResponse {
    client_id: String,
}

/// GET /v1/auth/onetap/clientid/{provider}
/// The client ID One Tap signs in with at the provider.
async fn one_tap_client_id(
    ProjectAuth(ctx): ProjectAuth,
    Path(provider): Path<String>,
) -> ApiResult<Json<ClientIdResponse>> {
    oauth::check_provider(&provider)?;
    Ok(Json(ClientIdResponse { client_id: oauth::client_id(&ctx, &provider) }))
}

/// `ExchangeOneTapIDTokenRequest`
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct OneTapBody {
    provider: String,
    id_token: String,
    nonce: String,
    login_options: LoginOptions,
}

/// POST /v1/auth/onetap/idtoken/exchange
/// Signs in with a One Tap ID token of the provider.
async fn one_tap_exchange(
    State(s): State<AppState>,
    ProjectAuth(ctx): ProjectAuth,
    DescopeJson(b): DescopeJson<OneTapBody>,
) -> ApiResult<AuthResponse> {
    let info = oauth::one_tap_exchange(
        &s.db,
        &ctx,
        s.projects.key_pool(),
        &b.provider,
        &b.id_token,
        &b.nonce,
        b.login_options,
    )
    .await?;
    Ok(AuthResponse::new(&ctx, &info))
}

#[derive(Debug, Serialize)]
struct CodeResponse {
    code: String,
}

/// POST /v1/auth/onetap/idtoken/verify
/// Checks a One Tap ID token and answers a code for `/v1/auth/oauth/exchange`.
async fn one_tap_verify(
    State(s): State<AppState>,
    ProjectAuth(ctx): ProjectAuth,
    DescopeJson(b): DescopeJson<OneTapBody>,
) -> ApiResult<Json<CodeResponse>> {
    let code =
        oauth::one_tap_code(&s.db, &ctx, s.projects.key_pool(), &b.provider, &b.id_token, &b.nonce, b.login_options)
            .await?;
    Ok(Json(CodeResponse { code }))
}
