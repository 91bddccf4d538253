//! Outbound apps: third-party services (Google, Slack, …) that users connect to, and the
//! tokens Descope keeps for them. Descope API group `outboundAppsManagement`.
//!
//! An app is a JSON document (`outbound_apps`) kept as sent, with the client secret apart and
//! never returned. No request ever leaves the machine: the provider is faked. Tokens arrive
//! by upload (OAuth tokens and API keys, per user or per tenant) or by [`connect`], whose URL
//! is an emulator page posing as the provider ([`approve`]); fetching a token whose access
//! token expired (or with `forceRefresh`) mints a new access token when there is a refresh
//! token, as a provider would.

use super::fields::{str_of, strings_of};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::crypto;
use crate::domain::pending::{self, Kind, Refusal};
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids::{TenantId, UserId};
use crate::store::{self, outbound::AppRow, outbound::TokenRow, Conn, Db};

/// How long the access token a connect or a refresh mints lives, in seconds.
const ACCESS_TOKEN_SECS: i64 = 3600;
/// How long a connect waits for the person at the provider's page, in seconds.
const CONNECT_SECS: i64 = 600;

const ACCESS_TYPES: &[&str] = &["offline", "online"];
const PROMPTS: &[&str] = &["none", "login", "consent", "select_account"];
const STRING_FIELDS: &[&str] = &[
    "id",
    "name",
    "description",
    "logo",
    "clientId",
    "clientSecret",
    "discoveryUrl",
    "authorizationUrl",
    "tokenUrl",
    "revocationUrl",
    "defaultRedirectUrl",
    "callbackDomain",
    "accessType",
    "appType",
    "dcrUrl",
    "tenantId",
    "templateId",
];
const BOOL_FIELDS: &[&str] = &["pkce", "useDcr"];
const URL_FIELDS: &[&str] =
    &["discoveryUrl", "authorizationUrl", "tokenUrl", "revocationUrl", "defaultRedirectUrl", "dcrUrl"];
/// The fields of the template overrides (and of a template-made app besides its IDs).
const OVERRIDE_FIELDS: &[&str] = &[
    "name",
    "description",
    "logo",
    "discoveryUrl",
    "authorizationUrl",
    "authorizationUrlParams",
    "tokenUrl",
    "tokenUrlParams",
    "revocationUrl",
    "defaultScopes",
    "defaultRedirectUrl",
    "callbackDomain",
    "pkce",
    "accessType",
    "prompt",
    "useDcr",
    "dcrUrl",
];

fn app_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("Outbound application {id} not found"))
}

fn is_url_params(v: &Value) -> bool {
    v.as_array().is_some_and(|a| {
        a.iter().all(|p| {
            p.as_object().is_some_and(|o| {
                // `key` (node, Go, the OpenAPI) or `name` (Python).
                (o.get("key").is_some_and(Value::is_string) || o.get("name").is_some_and(Value::is_string))
                    && o.get("value").is_none_or(Value::is_string)
            })
        })
    })
}

/// Checks the fields of an app document: types, enumerations and URLs.
fn validate(body: &Map<String, Value>) -> ApiResult<()> {
    for (key, value) in body {
        let k = key.as_str();
        let ok = if STRING_FIELDS.contains(&k) {
            value.is_string()
        } else if BOOL_FIELDS.contains(&k) {
            value.is_boolean()
        } else {
            match k {
                "defaultScopes" | "prompt" => {
                    value.as_array().is_some_and(|a| a.iter().all(Value::is_string))
                }
                "authorizationUrlParams" | "tokenUrlParams" => is_url_params(value),
                _ => true,
            }
        };
        if !ok {
            return Err(ApiError::invalid(format!("Invalid value of {key}")));
        }
    }
    if str_of(body, "name").trim().is_empty() {
        return Err(ApiError::missing("name"));
    }
    let access_type = str_of(body, "accessType");
    if !access_type.is_empty() && !ACCESS_TYPES.contains(&access_type.as_str()) {
        return Err(ApiError::invalid("accessType must be offline or online"));
    }
    for p in strings_of(body, "prompt") {
        if !PROMPTS.contains(&p.as_str()) {
            return Err(ApiError::invalid(format!(
                "prompt {p:?} must be none, login, consent or select_account"
            )));
        }
    }
    for key in URL_FIELDS {
        let u = str_of(body, key);
        if !u.is_empty() && url::Url::parse(&u).is_err() {
            return Err(ApiError::invalid(format!("{key}: {u} is not an absolute URL")));
        }
    }
    Ok(())
}

/// The stored document: the fields as sent, with the ID and the defaults of the fields
/// every app shows; never the client secret.
fn document(id: &str, body: &Map<String, Value>) -> Map<String, Value> {
    let mut doc: Map<String, Value> = body
        .iter()
        .filter(|(k, _)| k.as_str() != "clientSecret")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    doc.insert("id".into(), json!(id));
    for key in ["description", "logo", "clientId"] {
        doc.entry(key).or_insert(json!(""));
    }
    doc
}

/// Stores a new app made of `body` (validated): its document.
async fn insert(db: &Db, ctx: &Ctx, body: Map<String, Value>) -> ApiResult<Value> {
    validate(&body)?;
    let id = Some(str_of(&body, "id"))
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| format!("OA{}", crypto::random_alnum(27)));
    let name = str_of(&body, "name");
    let mut tx = db.begin().await?;
    if store::outbound::get_app(&mut tx, ctx.scope(), &id).await?.is_some() {
        return Err(ApiError::new(
            ErrorKind::AlreadyExists,
            format!("An outbound application with ID {id} already exists"),
        ));
    }
    if store::outbound::app_by_name(&mut tx, ctx.scope(), &name).await?.is_some() {
        return Err(ApiError::new(
            ErrorKind::AlreadyExists,
            format!("An outbound application named {name} already exists"),
        ));
    }
    let doc = document(&id, &body);
    let row = AppRow {
        id,
        name,
        body: store::json_text(&doc)?,
        client_secret: str_of(&body, "clientSecret"),
        created_ms: ctx.now.millis(),
    };
    store::outbound::put_app(&mut tx, ctx.scope(), &row).await?;
    tx.commit().await?;
    Ok(Value::Object(doc))
}

/// `POST /v1/mgmt/outbound/app/create` (flat body): the new app.
pub async fn create(db: &Db, ctx: &Ctx, body: Map<String, Value>) -> ApiResult<Value> {
    insert(db, ctx, body).await
}

/// `POST /v1/mgmt/outbound/app/create/bytemplate`: an app from the template's library entry.
/// The emulator has no library: any template ID is accepted and the app is made of the
/// overrides (named after the template when they name nothing).
pub async fn create_by_template(db: &Db, ctx: &Ctx, body: Map<String, Value>) -> ApiResult<Value> {
    let overrides = match body.get("overrides") {
        None => Map::new(),
        Some(Value::Object(o)) => o.clone(),
        Some(_) => return Err(ApiError::invalid("Invalid value of overrides")),
    };
    let mut app = Map::new();
    for (k, v) in overrides {
        if OVERRIDE_FIELDS.contains(&k.as_str()) {
            app.insert(k, v);
        }
    }
    for key in ["id", "clientId", "clientSecret", "tenantId", "templateId"] {
        if let Some(v) = body.get(key) {
            if !v.is_string() {
                return Err(ApiError::invalid(format!("Invalid value of {key}")));
            }
            if v.as_str() != Some("") {
                app.insert(key.into(), v.clone());
            }
        }
    }
    if str_of(&app, "name").trim().is_empty() {
        let template = str_of(&app, "templateId");
        let name = if template.is_empty() { "Outbound app".to_owned() } else { template };
        app.insert("name".into(), json!(unique_name(db, ctx, &name).await?));
    }
    insert(db, ctx, app).await
}

/// `POST /v1/mgmt/outbound/app/create/bydcrpreset`: an app registered dynamically at the
/// provider of a preset. The emulator registers nothing: the app is named after the preset
/// and uses dynamic registration.
pub async fn create_by_dcr_preset(db: &Db, ctx: &Ctx, body: Map<String, Value>) -> ApiResult<Value> {
    let preset = match body.get("dcrPresetId") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::String(_)) | None => return Err(ApiError::missing("dcrPresetId")),
        Some(_) => return Err(ApiError::invalid("Invalid value of dcrPresetId")),
    };
    let mut app = Map::new();
    app.insert("name".into(), json!(unique_name(db, ctx, &preset).await?));
    app.insert("templateId".into(), json!(preset));
    app.insert("useDcr".into(), json!(true));
    match body.get("tenantId") {
        Some(Value::String(t)) if !t.is_empty() => {
            app.insert("tenantId".into(), json!(t));
        }
        Some(Value::String(_)) | None => {}
        Some(_) => return Err(ApiError::invalid("Invalid value of tenantId")),
    }
    insert(db, ctx, app).await
}

/// `name`, or `name (2)`, `name (3)` … when it is taken.
async fn unique_name(db: &Db, ctx: &Ctx, name: &str) -> ApiResult<String> {
    let mut conn = db.acquire().await?;
    let mut candidate = name.to_owned();
    let mut n = 1;
    while store::outbound::app_by_name(&mut conn, ctx.scope(), &candidate).await?.is_some() {
        n += 1;
        candidate = format!("{name} ({n})");
    }
    Ok(candidate)
}

/// `POST /v1/mgmt/outbound/app/update` (`{app}`): replaces every field of an app; a client
/// secret not given keeps the old one. The updated app.
pub async fn update(db: &Db, ctx: &Ctx, app: Map<String, Value>) -> ApiResult<Value> {
    let id = match app.get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::String(_)) | None => return Err(ApiError::missing("app.id")),
        Some(_) => return Err(ApiError::invalid("Invalid value of id")),
    };
    validate(&app)?;
    let name = str_of(&app, "name");
    let mut tx = db.begin().await?;
    let old = store::outbound::get_app(&mut tx, ctx.scope(), &id).await?.ok_or_else(|| app_not_found(&id))?;
    if store::outbound::app_by_name(&mut tx, ctx.scope(), &name).await?.is_some_and(|a| a.id != id) {
        return Err(ApiError::new(
            ErrorKind::AlreadyExists,
            format!("An outbound application named {name} already exists"),
        ));
    }
    let secret = Some(str_of(&app, "clientSecret")).filter(|s| !s.is_empty()).unwrap_or(old.client_secret);
    let doc = document(&id, &app);
    let row =
        AppRow { id, name, body: store::json_text(&doc)?, client_secret: secret, created_ms: old.created_ms };
    store::outbound::put_app(&mut tx, ctx.scope(), &row).await?;
    tx.commit().await?;
    Ok(Value::Object(doc))
}

/// `POST /v1/mgmt/outbound/app/delete`: deletes an app and its tokens.
pub async fn delete(db: &Db, ctx: &Ctx, id: &str) -> ApiResult<()> {
    if id.trim().is_empty() {
        return Err(ApiError::missing("id"));
    }
    let mut tx = db.begin().await?;
    if !store::outbound::delete_app(&mut tx, ctx.scope(), id).await? {
        return Err(app_not_found(id));
    }
    tx.commit().await?;
    Ok(())
}

fn app_document(row: &AppRow) -> Value {
    let mut doc: Map<String, Value> = store::from_json_text(&row.body);
    doc.insert("id".into(), json!(row.id));
    doc.insert("name".into(), json!(row.name));
    Value::Object(doc)
}

async fn require_app(conn: &mut Conn, ctx: &Ctx, id: &str) -> ApiResult<AppRow> {
    if id.trim().is_empty() {
        return Err(ApiError::missing("appId"));
    }
    store::outbound::get_app(conn, ctx.scope(), id).await?.ok_or_else(|| app_not_found(id))
}

/// `GET /v1/mgmt/outbound/app/{id}`.
pub async fn load(db: &Db, ctx: &Ctx, id: &str) -> ApiResult<Value> {
    let mut conn = db.acquire().await?;
    let row = store::outbound::get_app(&mut conn, ctx.scope(), id).await?.ok_or_else(|| app_not_found(id))?;
    Ok(app_document(&row))
}

/// `GET /v1/mgmt/outbound/apps`: every app, oldest first.
pub async fn load_all(db: &Db, ctx: &Ctx) -> ApiResult<Vec<Value>> {
    let mut conn = db.acquire().await?;
    Ok(store::outbound::all_apps(&mut conn, ctx.scope()).await?.iter().map(app_document).collect())
}

// --- Tokens -------------------------------------------------------------------------------

/// Whose token: a user's (in a tenant or not) or a tenant's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    User,
    Tenant,
}

/// An OAuth token to upload (one item of a batch, or a single upload).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TokenUpload {
    pub app_id: String,
    pub user_id: String,
    pub tenant_id: String,
    pub refresh_token: String,
    pub access_token: String,
    /// Epoch seconds, a number or a decimal string.
    pub access_token_expiry: Value,
    pub access_token_type: String,
    pub scopes: Vec<String>,
    pub external_identifier: String,
    pub id_token: String,
    pub granted_by: String,
    pub verify_refresh: bool,
}

/// An API key to upload.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ApiKeyUpload {
    pub app_id: String,
    pub user_id: String,
    pub tenant_id: String,
    pub api_key: String,
}

/// A failed item of a batch upload.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadFailure {
    pub app_id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub user_id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub tenant_id: String,
    pub error_code: String,
    pub reason: String,
}

fn parse_expiry(v: &Value) -> ApiResult<i64> {
    match v {
        Value::Null => Ok(0),
        Value::Number(n) => n
            .as_i64()
            .filter(|s| *s >= 0)
            .ok_or_else(|| ApiError::invalid("Invalid value of accessTokenExpiry")),
        Value::String(s) if s.is_empty() => Ok(0),
        Value::String(s) => s
            .parse::<i64>()
            .ok()
            .filter(|s| *s >= 0)
            .ok_or_else(|| ApiError::invalid("Invalid value of accessTokenExpiry")),
        _ => Err(ApiError::invalid("Invalid value of accessTokenExpiry")),
    }
}

/// Checks who a token is for: the app, the user and the tenant exist.
async fn check_holder(
    conn: &mut Conn,
    ctx: &Ctx,
    holder: Holder,
    app_id: &str,
    user_id: &str,
    tenant_id: &str,
) -> ApiResult<()> {
    require_app(conn, ctx, app_id).await?;
    match holder {
        Holder::User => {
            if user_id.trim().is_empty() {
                return Err(ApiError::missing("userId"));
            }
            if store::users::get_by_id(conn, ctx.scope(), &UserId::new(user_id)).await?.is_none() {
                return Err(ApiError::mgmt_user_not_found(user_id));
            }
        }
        Holder::Tenant => {
            if tenant_id.trim().is_empty() {
                return Err(ApiError::missing("tenantId"));
            }
        }
    }
    if !tenant_id.is_empty()
        && store::tenants::get_tenant(conn, ctx.scope(), &TenantId::new(tenant_id)).await?.is_none()
    {
        return Err(ApiError::not_found(format!("Tenant {tenant_id} not found")));
    }
    Ok(())
}

/// The row of an uploaded OAuth token, checked.
async fn upload_row(conn: &mut Conn, ctx: &Ctx, holder: Holder, t: &TokenUpload) -> ApiResult<TokenRow> {
    let user_id = if holder == Holder::User { t.user_id.clone() } else { String::new() };
    check_holder(conn, ctx, holder, &t.app_id, &user_id, &t.tenant_id).await?;
    if t.access_token.is_empty() && t.refresh_token.is_empty() {
        return Err(ApiError::new(
            ErrorKind::MissingArguments,
            "One of refreshToken or accessToken is required",
        ));
    }
    if t.verify_refresh && t.refresh_token.is_empty() {
        return Err(ApiError::invalid("verifyRefresh needs a refreshToken"));
    }
    let mut expiry = parse_expiry(&t.access_token_expiry)?;
    let mut access_token = t.access_token.clone();
    if access_token.is_empty() {
        // Only a refresh token: the provider is asked for an access token at once.
        access_token = new_access_token();
        expiry = ctx.now.secs() + ACCESS_TOKEN_SECS;
    }
    let mut row = new_row(ctx, &t.app_id, &user_id, &t.tenant_id, &t.external_identifier);
    row.access_token = access_token;
    row.access_token_type =
        if t.access_token_type.is_empty() { "Bearer".into() } else { t.access_token_type.clone() };
    row.access_token_expiry = expiry;
    row.refresh_token = t.refresh_token.clone();
    row.id_token = t.id_token.clone();
    row.scopes = store::json_text(&t.scopes)?;
    row.granted_by = t.granted_by.clone();
    keep_id_of_replaced(conn, ctx, &mut row).await?;
    Ok(row)
}

/// A token replacing the one of the same holder keeps its ID and creation time.
async fn keep_id_of_replaced(conn: &mut Conn, ctx: &Ctx, row: &mut TokenRow) -> ApiResult<()> {
    let old =
        store::outbound::tokens_of(conn, ctx.scope(), &row.app_id, &row.user_id, &row.tenant_id).await?;
    if let Some(old) = old.into_iter().find(|o| o.external_identifier == row.external_identifier) {
        row.id = old.id;
        row.created_secs = old.created_secs;
    }
    Ok(())
}

fn new_row(ctx: &Ctx, app_id: &str, user_id: &str, tenant_id: &str, external_identifier: &str) -> TokenRow {
    TokenRow {
        id: format!("OAT{}", crypto::random_alnum(27)),
        app_id: app_id.to_owned(),
        user_id: user_id.to_owned(),
        tenant_id: tenant_id.to_owned(),
        external_identifier: external_identifier.to_owned(),
        kind: "oauth".into(),
        scopes: "[]".into(),
        token_sub: user_id.to_owned(),
        created_secs: ctx.now.secs(),
        modified_ms: ctx.now.millis(),
        ..TokenRow::default()
    }
}

fn new_access_token() -> String {
    format!("emu-at-{}", crypto::random_alnum(40))
}

fn new_refresh_token() -> String {
    format!("emu-rt-{}", crypto::random_alnum(40))
}

/// `POST /v1/mgmt/outbound/app/{user,tenant}/oauthtoken/upload`: stores (replaces) a token.
pub async fn upload(db: &Db, ctx: &Ctx, holder: Holder, t: TokenUpload) -> ApiResult<()> {
    let mut tx = db.begin().await?;
    let row = upload_row(&mut tx, ctx, holder, &t).await?;
    store::outbound::put_token(&mut tx, ctx.scope(), &row).await?;
    tx.commit().await?;
    Ok(())
}

/// `POST /v1/mgmt/outbound/app/{user,tenant}/oauthtoken/batch/upload`: all or nothing; the
/// failures (empty when every token was stored).
pub async fn batch_upload(
    db: &Db,
    ctx: &Ctx,
    holder: Holder,
    tokens: Vec<Value>,
) -> ApiResult<Vec<UploadFailure>> {
    if tokens.is_empty() {
        return Err(ApiError::missing("tokens"));
    }
    let mut tx = db.begin().await?;
    let mut failures = Vec::new();
    let mut rows = Vec::new();
    for item in tokens {
        let parsed: Result<TokenUpload, ApiError> = match item {
            Value::Object(_) => serde_json::from_value(item.clone())
                .map_err(|e| ApiError::bad_request(format!("Token is not valid: {e}"))),
            _ => Err(ApiError::bad_request("A token must be a JSON object")),
        };
        let outcome = match parsed {
            Ok(t) if t.verify_refresh => {
                Err((t, ApiError::invalid("verifyRefresh is not supported in batch uploads")))
            }
            Ok(t) => match upload_row(&mut tx, ctx, holder, &t).await {
                Ok(row) => Ok(row),
                Err(e) => Err((t, e)),
            },
            Err(e) => {
                let t = TokenUpload {
                    app_id: item.get("appId").and_then(Value::as_str).unwrap_or_default().into(),
                    user_id: item.get("userId").and_then(Value::as_str).unwrap_or_default().into(),
                    tenant_id: item.get("tenantId").and_then(Value::as_str).unwrap_or_default().into(),
                    ..TokenUpload::default()
                };
                Err((t, e))
            }
        };
        match outcome {
            Ok(row) => {
                if rows.iter().any(|r: &TokenRow| {
                    (&r.app_id, &r.user_id, &r.tenant_id, &r.external_identifier)
                        == (&row.app_id, &row.user_id, &row.tenant_id, &row.external_identifier)
                }) {
                    failures.push(UploadFailure {
                        app_id: row.app_id.clone(),
                        user_id: row.user_id.clone(),
                        tenant_id: row.tenant_id.clone(),
                        error_code: ErrorKind::InvalidArguments.code().into(),
                        reason: "The batch has this token twice".into(),
                    });
                } else {
                    rows.push(row);
                }
            }
            Err((t, e)) => failures.push(UploadFailure {
                app_id: t.app_id,
                user_id: if holder == Holder::User { t.user_id } else { String::new() },
                tenant_id: t.tenant_id,
                error_code: e.kind.code().into(),
                reason: e.message,
            }),
        }
    }
    if failures.is_empty() {
        for row in &rows {
            store::outbound::put_token(&mut tx, ctx.scope(), row).await?;
        }
        tx.commit().await?;
    }
    Ok(failures)
}

/// `POST /v1/mgmt/outbound/app/{user,tenant}/apikey/upload`: stores (replaces) an API key.
pub async fn upload_api_key(db: &Db, ctx: &Ctx, holder: Holder, k: ApiKeyUpload) -> ApiResult<()> {
    let user_id = if holder == Holder::User { k.user_id.clone() } else { String::new() };
    let mut tx = db.begin().await?;
    check_holder(&mut tx, ctx, holder, &k.app_id, &user_id, &k.tenant_id).await?;
    if k.api_key.is_empty() {
        return Err(ApiError::missing("apiKey"));
    }
    let mut row = new_row(ctx, &k.app_id, &user_id, &k.tenant_id, "");
    row.kind = "apikey".into();
    row.access_token = k.api_key;
    row.access_token_type = "apikey".into();
    keep_id_of_replaced(&mut tx, ctx, &mut row).await?;
    store::outbound::put_token(&mut tx, ctx.scope(), &row).await?;
    tx.commit().await?;
    Ok(())
}

/// What a fetch asks for.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FetchRequest {
    pub app_id: String,
    pub user_id: String,
    pub tenant_id: String,
    pub scopes: Vec<String>,
    pub external_identifier: String,
    pub options: FetchOptions,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FetchOptions {
    pub with_refresh_token: bool,
    pub force_refresh: bool,
}

fn no_token(app_id: &str) -> ApiError {
    ApiError::not_found(format!("No token found for outbound application {app_id}"))
}

/// Whether a token can be used now: an API key, an access token that has not expired, or a
/// refresh token to get a new one with.
fn is_valid(row: &TokenRow, now_secs: i64) -> bool {
    row.kind == "apikey"
        || !row.refresh_token.is_empty()
        || row.access_token_expiry == 0
        || row.access_token_expiry > now_secs
}

/// Who fetches a token.
#[derive(Debug, Clone)]
pub enum Fetcher {
    /// A management key: any token.
    Management,
    /// An inbound app's access token: it needs the scope [`FETCH_SCOPE`], and then gets the
    /// tokens of its user (`sub`) and of the tenants in its claims.
    AppToken { sub: String, scopes: Vec<String>, tenants: Vec<String> },
}

/// The scope an inbound app's access token needs to fetch outbound tokens.
pub const FETCH_SCOPE: &str = "outbound.token.fetch";

impl Fetcher {
    fn may_fetch(&self, holder: Holder, user_id: &str, tenant_id: &str) -> ApiResult<()> {
        let Fetcher::AppToken { sub, scopes, tenants } = self else {
            return Ok(());
        };
        if !scopes.iter().any(|s| s == FETCH_SCOPE) {
            return Err(ApiError::new(
                ErrorKind::Unauthorized,
                format!("The access token was not granted the scope {FETCH_SCOPE}"),
            ));
        }
        let allowed = match holder {
            Holder::User => {
                user_id == sub && (tenant_id.is_empty() || tenants.iter().any(|t| t == tenant_id))
            }
            Holder::Tenant => tenants.iter().any(|t| t == tenant_id),
        };
        if !allowed {
            return Err(ApiError::new(ErrorKind::Unauthorized, "The access token may not fetch this token"));
        }
        Ok(())
    }
}

/// `POST /v1/mgmt/outbound/app/{user,tenant}/token[/latest]`: the holder's latest token
/// (with every scope asked for, when `scopes` is given), refreshed when it expired or when
/// asked to. `user_id` empty = the tenant's token.
pub async fn fetch(
    db: &Db,
    ctx: &Ctx,
    fetcher: &Fetcher,
    holder: Holder,
    req: FetchRequest,
    by_scopes: bool,
) -> ApiResult<Value> {
    let user_id = if holder == Holder::User { req.user_id.clone() } else { String::new() };
    if holder == Holder::User && user_id.trim().is_empty() {
        return Err(ApiError::missing("userId"));
    }
    if holder == Holder::Tenant && req.tenant_id.trim().is_empty() {
        return Err(ApiError::missing("tenantId"));
    }
    fetcher.may_fetch(holder, &user_id, &req.tenant_id)?;
    let mut tx = db.begin().await?;
    require_app(&mut tx, ctx, &req.app_id).await?;
    let now = ctx.now.secs();
    let found = store::outbound::tokens_of(&mut tx, ctx.scope(), &req.app_id, &user_id, &req.tenant_id)
        .await?
        .into_iter()
        .filter(|t| req.external_identifier.is_empty() || t.external_identifier == req.external_identifier)
        .filter(|t| {
            let have: Vec<String> = store::from_json_text(&t.scopes);
            !by_scopes || req.scopes.iter().all(|s| have.contains(s))
        })
        .find(|t| is_valid(t, now));
    let mut row = found.ok_or_else(|| no_token(&req.app_id))?;
    let expired = row.access_token_expiry > 0 && row.access_token_expiry <= now;
    if row.kind == "oauth" && (req.options.force_refresh || expired) {
        if row.refresh_token.is_empty() {
            return Err(ApiError::invalid("The token has no refresh token to refresh it with"));
        }
        row.access_token = new_access_token();
        row.access_token_expiry = now + ACCESS_TOKEN_SECS;
        row.last_refresh_secs = now;
        row.last_refresh_error = String::new();
        row.modified_ms = ctx.now.millis();
        store::outbound::put_token(&mut tx, ctx.scope(), &row).await?;
        tx.commit().await?;
    }
    Ok(token_json(&row, req.options.with_refresh_token))
}

/// A token as the API shows it: times as decimal strings of Unix seconds.
fn token_json(row: &TokenRow, with_refresh_token: bool) -> Value {
    let secs = |s: i64| if s > 0 { s.to_string() } else { String::new() };
    let scopes: Vec<String> = store::from_json_text(&row.scopes);
    let mut t = json!({
        "id": row.id,
        "appId": row.app_id,
        "userId": row.user_id,
        "tokenSub": row.token_sub,
        "accessToken": row.access_token,
        "accessTokenType": row.access_token_type,
        "accessTokenExpiry": secs(row.access_token_expiry),
        "hasRefreshToken": !row.refresh_token.is_empty(),
        "lastRefreshTime": secs(row.last_refresh_secs),
        "lastRefreshError": row.last_refresh_error,
        "scopes": scopes,
        "tenantId": row.tenant_id,
        "grantedBy": row.granted_by,
        "externalIdentifier": row.external_identifier,
    });
    if with_refresh_token && !row.refresh_token.is_empty() {
        t["refreshToken"] = json!(row.refresh_token);
    }
    t
}

/// `GET /v1/mgmt/outbound/apps-with-user-token`: the IDs of the apps the user holds a valid
/// token for (in `tenant_id` when given), sorted.
pub async fn apps_with_user_token(
    db: &Db,
    ctx: &Ctx,
    user_id: &str,
    tenant_id: &str,
) -> ApiResult<Vec<String>> {
    if user_id.trim().is_empty() {
        return Err(ApiError::missing("userId"));
    }
    let mut conn = db.acquire().await?;
    let now = ctx.now.secs();
    let mut ids: Vec<String> = store::outbound::tokens_of_user(&mut conn, ctx.scope(), user_id)
        .await?
        .into_iter()
        .filter(|t| tenant_id.is_empty() || t.tenant_id == tenant_id)
        .filter(|t| is_valid(t, now))
        .map(|t| t.app_id)
        .collect();
    ids.dedup();
    Ok(ids)
}

/// `DELETE /v1/mgmt/outbound/user/tokens`: the user tokens of an app, of a user, or both.
pub async fn delete_user_tokens(db: &Db, ctx: &Ctx, app_id: &str, user_id: &str) -> ApiResult<()> {
    if app_id.is_empty() && user_id.is_empty() {
        return Err(ApiError::new(ErrorKind::MissingArguments, "One of appId or userId is required"));
    }
    let mut tx = db.begin().await?;
    store::outbound::delete_user_tokens(&mut tx, ctx.scope(), app_id, user_id).await?;
    tx.commit().await?;
    Ok(())
}

/// `DELETE /v1/mgmt/outbound/token`: one token by its ID.
pub async fn delete_token(db: &Db, ctx: &Ctx, id: &str) -> ApiResult<()> {
    if id.is_empty() {
        return Err(ApiError::missing("id"));
    }
    let mut tx = db.begin().await?;
    if !store::outbound::delete_token(&mut tx, ctx.scope(), id).await? {
        return Err(ApiError::not_found(format!("Outbound application token {id} not found")));
    }
    tx.commit().await?;
    Ok(())
}

// --- Connect: the fake provider ------------------------------------------------------------

/// What connect asks for.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConnectRequest {
    pub app_id: String,
    pub tenant_id: String,
    pub tenant_level: bool,
    pub options: ConnectOptions,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConnectOptions {
    pub redirect_url: String,
    pub scopes: Vec<String>,
    pub prompt: Vec<String>,
    pub login_hint: String,
    pub resources: Vec<String>,
    pub external_identifier: String,
    pub tenant_id: String,
    pub tenant_level: bool,
}

/// A connect waiting at the provider's page (the pending secret's payload).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Waiting {
    pub app_id: String,
    pub user_id: String,
    pub tenant_id: String,
    pub scopes: Vec<String>,
    pub redirect_url: String,
    pub external_identifier: String,
    pub offline: bool,
}

/// Whether `redirect` may be sent to after connecting to `app`: the app's default redirect
/// URL, or a URL on its callback domain (or a subdomain); any absolute URL when the app
/// names neither.
fn redirect_allowed(app: &Map<String, Value>, redirect: &str) -> bool {
    let Ok(url) = url::Url::parse(redirect) else {
        return false;
    };
    if !matches!(url.scheme(), "http" | "https") && url.host_str().is_none() {
        return false;
    }
    let default = str_of(app, "defaultRedirectUrl");
    let domain = str_of(app, "callbackDomain");
    if default.is_empty() && domain.is_empty() {
        return true;
    }
    if !default.is_empty() && redirect == default {
        return true;
    }
    let domain =
        domain.trim().trim_start_matches("https://").trim_start_matches("http://").trim_end_matches('/');
    let host = url.host_str().unwrap_or_default();
    let host_port = match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_owned(),
    };
    !domain.is_empty() && (host == domain || host_port == domain || host.ends_with(&format!(".{domain}")))
}

/// `POST /v1/mgmt/outbound/app/connect` and `POST /v1/outbound/oauth/connect`, by the
/// signed-in `user_id`: the URL of the provider's page (an emulator page).
pub async fn connect(db: &Db, ctx: &Ctx, user_id: &str, req: ConnectRequest) -> ApiResult<String> {
    let mut tx = db.begin().await?;
    let row = require_app(&mut tx, ctx, &req.app_id).await?;
    let app: Map<String, Value> = store::from_json_text(&row.body);
    let o = &req.options;
    let redirect =
        if o.redirect_url.is_empty() { str_of(&app, "defaultRedirectUrl") } else { o.redirect_url.clone() };
    if !redirect.is_empty() && !redirect_allowed(&app, &redirect) {
        return Err(ApiError::invalid(format!(
            "redirectUrl {redirect} is neither the app's default redirect URL nor on its callback domain"
        )));
    }
    let tenant_id = if req.tenant_id.is_empty() { o.tenant_id.clone() } else { req.tenant_id.clone() };
    let tenant_level = req.tenant_level || o.tenant_level;
    if tenant_level && tenant_id.is_empty() {
        return Err(ApiError::missing("tenantId"));
    }
    if !tenant_id.is_empty()
        && store::tenants::get_tenant(&mut tx, ctx.scope(), &TenantId::new(&tenant_id)).await?.is_none()
    {
        return Err(ApiError::not_found(format!("Tenant {tenant_id} not found")));
    }
    let mut scopes: Vec<String> = Vec::new();
    for s in o.scopes.iter().chain(strings_of(&app, "defaultScopes").iter()) {
        if !s.is_empty() && !scopes.contains(s) {
            scopes.push(s.clone());
        }
    }
    let waiting = Waiting {
        app_id: row.id.clone(),
        user_id: if tenant_level { String::new() } else { user_id.to_owned() },
        tenant_id,
        scopes: scopes.clone(),
        redirect_url: redirect.clone(),
        external_identifier: o.external_identifier.clone(),
        offline: str_of(&app, "accessType") == "offline",
    };
    let state = pending::new_token();
    pending::create(
        &mut tx,
        ctx.scope(),
        ctx.now,
        pending::New {
            kind: Kind::OutboundConnect,
            channel: "",
            intent: "connect",
            subject: user_id,
            handles: pending::Handles { token: Some(state.clone()), ..Default::default() },
            payload: &waiting,
            lifetime_secs: CONNECT_SECS,
        },
    )
    .await?;
    tx.commit().await?;
    let mut page = url::Url::parse(&format!(
        "{}/emulator/v1/idp/{}/outbound/{}/authorize",
        ctx.project.public_url,
        ctx.project_id(),
        row.id
    ))
    .map_err(ApiError::internal)?;
    {
        let mut q = page.query_pairs_mut();
        q.append_pair("response_type", "code");
        q.append_pair("client_id", &str_of(&app, "clientId"));
        q.append_pair("scope", &scopes.join(" "));
        q.append_pair("state", &state);
        if !o.login_hint.is_empty() {
            q.append_pair("login_hint", &o.login_hint);
        }
        if !o.prompt.is_empty() {
            q.append_pair("prompt", &o.prompt.join(" "));
        }
    }
    Ok(page.into())
}

/// What the provider's page does.
#[derive(Debug, Clone)]
pub enum PageOutcome {
    /// Send the browser here (the connect's redirect URL, with `error=` when refused).
    Redirect(String),
    /// Approved or refused, with no redirect URL to go back to.
    Done { approved: bool, app_name: String },
    /// Ask the person (nothing decided yet).
    Ask { app_name: String, scopes: Vec<String> },
}

/// The provider's page for `state`: refuses (`deny`), asks the person (`ask`) or approves,
/// storing a new token for the connecting user (or tenant).
pub async fn page(
    db: &Db,
    ctx: &Ctx,
    app_id: &str,
    state: &str,
    deny: bool,
    ask: bool,
) -> ApiResult<PageOutcome> {
    if state.is_empty() {
        return Err(ApiError::missing("state"));
    }
    let mut tx = db.begin().await?;
    let found: Result<pending::Entry<Waiting>, Refusal> =
        pending::find_by_token(&mut tx, ctx.scope(), ctx.now, Kind::OutboundConnect, state).await?;
    let entry = match found {
        Ok(e) if e.payload.app_id == app_id => e,
        Ok(_) | Err(Refusal::Unknown) => {
            return Err(ApiError::new(ErrorKind::InvalidToken, "Unknown connect state"))
        }
        Err(Refusal::Expired) => return Err(ApiError::new(ErrorKind::InvalidToken, "The connect expired")),
        Err(_) => return Err(ApiError::new(ErrorKind::InvalidToken, "The connect was used already")),
    };
    let w = entry.payload.clone();
    let app = store::outbound::get_app(&mut tx, ctx.scope(), &w.app_id)
        .await?
        .ok_or_else(|| app_not_found(&w.app_id))?;
    if ask && !deny {
        return Ok(PageOutcome::Ask { app_name: app.name, scopes: w.scopes });
    }
    if !pending::consume(&mut tx, ctx.scope(), ctx.now, &entry).await? {
        return Err(ApiError::new(ErrorKind::InvalidToken, "The connect was used already"));
    }
    if !deny {
        let mut row = new_row(ctx, &w.app_id, &w.user_id, &w.tenant_id, &w.external_identifier);
        row.access_token = new_access_token();
        row.access_token_type = "Bearer".into();
        row.access_token_expiry = ctx.now.secs() + ACCESS_TOKEN_SECS;
        if w.offline {
            row.refresh_token = new_refresh_token();
        }
        row.scopes = store::json_text(&w.scopes)?;
        row.granted_by = entry.subject.clone();
        row.token_sub = entry.subject.clone();
        keep_id_of_replaced(&mut tx, ctx, &mut row).await?;
        store::outbound::put_token(&mut tx, ctx.scope(), &row).await?;
    }
    tx.commit().await?;
    if w.redirect_url.is_empty() {
        return Ok(PageOutcome::Done { approved: !deny, app_name: app.name });
    }
    if !deny {
        return Ok(PageOutcome::Redirect(w.redirect_url));
    }
    let mut url = url::Url::parse(&w.redirect_url).map_err(ApiError::internal)?;
    url.query_pairs_mut()
        .append_pair("error", "access_denied")
        .append_pair("error_description", "The user refused to connect the application");
    Ok(PageOutcome::Redirect(url.into()))
}
