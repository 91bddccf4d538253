//! Inbound (third-party) apps: clients of the registry ([`super::registry`], kind `inbound`)
//! whose management document is kept in the client's `settings` as sent, the consents users
//! grant them at authorize, dynamically registered (RFC 7591) public clients and the
//! registration templates.
//!
//! IDs: an app ID is `TPA` + 27 characters; its client ID the standard (padded) base64 of
//! `<projectId>:<appId>`, so a token request names its project by itself.
//! Times on the wire are Unix seconds.

use super::fields::{flag, str_of, strings_of};
use base64::engine::general_purpose::STANDARD as B64_STD;
use base64::Engine;
use serde_json::{json, Map, Value};

use super::registry::{self, ClientKind};
use crate::crypto;
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::store::{
    self, apps::ClientRow, apps::SecretRow, inbound::ConsentRow, inbound::TemplateRow, Conn, Db,
};

/// Fields computed on load, never stored from a request.
const COMPUTED: &[&str] = &["id", "clientId", "clientSecret", "dynamic", "status", "app", "createdTime"];
/// The scope lists of an app.
const SCOPE_LISTS: &[&str] = &["permissionsScopes", "attributesScopes", "connectionsScopes"];

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("Inbound application {id} not found"))
}

/// A new app ID: `TPA` + 27 characters.
pub fn new_app_id() -> String {
    format!("TPA{}", crypto::random_alnum(27))
}

/// The client ID of an app: standard padded base64 of `<projectId>:<appId>`.
pub fn client_id_of(ctx: &Ctx, app_id: &str) -> String {
    B64_STD.encode(format!("{}:{app_id}", ctx.project_id()))
}

/// The project ID a client ID of this form names (unverified).
pub fn project_of_client_id(client_id: &str) -> Option<String> {
    let bytes = B64_STD.decode(client_id).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (p, app) = text.split_once(':')?;
    (!app.is_empty()).then(|| p.to_owned())
}

/// The issuer of inbound apps' tokens: `<public-url>/v1/apps/<P>`.
pub fn issuer(ctx: &Ctx) -> String {
    format!("{}/v1/apps/{}", ctx.project.public_url.trim_end_matches('/'), ctx.project_id())
}

/// Checks the types of the fields it reads.
fn validate(body: &Map<String, Value>, creating: bool) -> ApiResult<()> {
    if creating && str_of(body, "name").trim().is_empty() {
        return Err(ApiError::missing("name"));
    }
    for (key, value) in body {
        let ok = match key.as_str() {
            "id" | "name" | "description" | "logo" | "logoUrl" | "loginPageUrl" | "consentFlowId"
            | "clientId" | "clientSecret" | "defaultAudience" => value.is_string() || value.is_null(),
            "nonConfidentialClient"
            | "forcePkce"
            | "forceAddAllAuthorizationInfo"
            | "skipConsentScreen"
            | "useResources" => value.is_boolean() || value.is_null(),
            "approvedCallbackUrls" | "audienceWhitelist" | "allowedTenants" => {
                value.is_null() || value.as_array().is_some_and(|a| a.iter().all(Value::is_string))
            }
            "permissionsScopes" | "attributesScopes" | "connectionsScopes" => {
                value.is_null()
                    || value.as_array().is_some_and(|a| {
                        a.iter().all(|s| {
                            s.as_object().is_some_and(|o| o.get("name").is_some_and(Value::is_string))
                        })
                    })
            }
            "jwtBearerSettings" | "sessionSettings" | "customAttributes" | "cibaSettings" | "jarSettings" => {
                value.is_null() || value.is_object()
            }
            _ => true,
        };
        if !ok {
            return Err(ApiError::invalid(format!("Invalid value of {key}")));
        }
    }
    let da = str_of(body, "defaultAudience");
    if !matches!(da.as_str(), "" | "projectId" | "clientId") {
        return Err(ApiError::invalid("defaultAudience must be projectId, clientId or empty"));
    }
    for url in strings_of(body, "approvedCallbackUrls") {
        if url::Url::parse(&url).is_err() {
            return Err(ApiError::invalid(format!("approvedCallbackUrls: {url} is not an absolute URL")));
        }
    }
    Ok(())
}

/// The stored document: what was sent, without the computed fields.
fn document(body: &Map<String, Value>) -> Map<String, Value> {
    body.iter()
        .filter(|(k, v)| !COMPUTED.contains(&k.as_str()) && !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The scope names an app defines.
fn scope_names(doc: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    for list in SCOPE_LISTS {
        for s in doc.get(*list).and_then(Value::as_array).into_iter().flatten() {
            if let Some(n) = s.get("name").and_then(Value::as_str) {
                if !out.iter().any(|o: &String| o == n) {
                    out.push(n.to_owned());
                }
            }
        }
    }
    out
}

/// The registry row of an app: its document in `settings`.
fn client_row(
    client_id: &str,
    app_id: &str,
    public: bool,
    doc: &Map<String, Value>,
    created_ms: i64,
) -> ApiResult<ClientRow> {
    let mut grants = vec!["authorization_code", "refresh_token", registry::ALL_GRANTS[3]];
    if !public {
        grants.push("client_credentials");
        grants.push(super::server::CIBA_GRANT);
    }
    Ok(ClientRow {
        client_id: client_id.to_owned(),
        kind: ClientKind::Inbound.as_str().into(),
        app_id: app_id.to_owned(),
        public,
        redirect_uris: store::json_text(&strings_of(doc, "approvedCallbackUrls"))?,
        grant_types: store::json_text(&grants)?,
        scopes: store::json_text(&scope_names(doc))?,
        default_audience: str_of(doc, "defaultAudience"),
        audience_whitelist: store::json_text(&strings_of(doc, "audienceWhitelist"))?,
        force_pkce: flag(doc, "forcePkce"),
        settings: store::json_text(doc)?,
        created_ms,
    })
}

/// What create answers.
#[derive(Debug, Clone)]
pub struct Created {
    pub id: String,
    pub client_id: String,
    /// The secret's cleartext ("" for a public client).
    pub cleartext: String,
}

/// Stores a new app: `body` is the management document; `dynamic` for DCR clients.
async fn insert(conn: &mut Conn, ctx: &Ctx, body: &Map<String, Value>, dynamic: bool) -> ApiResult<Created> {
    let id = Some(str_of(body, "id")).filter(|s| !s.trim().is_empty()).unwrap_or_else(new_app_id);
    if store::apps::client_of_app(conn, ctx.scope(), &id).await?.is_some() {
        return Err(ApiError::invalid(format!("An inbound application with ID {id} already exists")));
    }
    let client_id =
        Some(str_of(body, "clientId")).filter(|s| !s.is_empty()).unwrap_or_else(|| client_id_of(ctx, &id));
    if !store::apps::scopes_of_client(conn, &client_id).await?.is_empty()
        || client_id == ctx.project_id().as_str()
    {
        return Err(ApiError::invalid(format!("Client ID {client_id} is taken")));
    }
    let public = dynamic || flag(body, "nonConfidentialClient");
    let mut doc = document(body);
    if dynamic {
        doc.insert("dynamic".into(), json!(true));
    }
    doc.insert("nonConfidentialClient".into(), json!(public));
    store::apps::put_client(conn, ctx.scope(), &client_row(&client_id, &id, public, &doc, ctx.now.millis())?)
        .await?;
    let cleartext = if public {
        String::new()
    } else {
        let secret =
            Some(str_of(body, "clientSecret")).filter(|s| !s.is_empty()).unwrap_or_else(registry::new_secret);
        registry::put_secret(conn, ctx, &client_id, "default", &secret, 0).await?;
        secret
    };
    Ok(Created { id, client_id, cleartext })
}

/// `POST /v1/mgmt/thirdparty/app/create`.
pub async fn create(db: &Db, ctx: &Ctx, body: Map<String, Value>) -> ApiResult<Created> {
    validate(&body, true)?;
    let mut tx = store::begin_immediate(db).await?;
    let created = insert(&mut tx, ctx, &body, false).await?;
    tx.commit().await?;
    Ok(created)
}

/// The client of an app, by app ID.
async fn client_of(conn: &mut Conn, ctx: &Ctx, id: &str) -> ApiResult<ClientRow> {
    if id.is_empty() {
        return Err(ApiError::missing("id"));
    }
    store::apps::client_of_app(conn, ctx.scope(), id)
        .await?
        .filter(|c| c.kind == ClientKind::Inbound.as_str())
        .ok_or_else(|| not_found(id))
}

/// Whether a value is a zero value (Go's patch sends every field): not given.
fn is_zero(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Number(n) => n.as_f64() == Some(0.0),
    }
}

/// `POST …/app/update` (every field replaced) and `…/app/patch` (given, non-zero fields).
pub async fn update(db: &Db, ctx: &Ctx, body: Map<String, Value>, patch: bool) -> ApiResult<()> {
    let id = str_of(&body, "id");
    validate(&body, !patch)?;
    let mut tx = store::begin_immediate(db).await?;
    let old = client_of(&mut tx, ctx, &id).await?;
    let old_doc: Map<String, Value> = store::from_json_text(&old.settings);
    let mut doc = if patch {
        let mut doc = old_doc.clone();
        for (k, v) in document(&body) {
            if !is_zero(&v) {
                doc.insert(k, v);
            }
        }
        doc
    } else {
        document(&body)
    };
    // Fixed at creation.
    for key in ["nonConfidentialClient", "dynamic"] {
        match old_doc.get(key) {
            Some(v) => doc.insert(key.into(), v.clone()),
            None => doc.remove(key),
        };
    }
    let row = client_row(&old.client_id, &id, old.public, &doc, old.created_ms)?;
    store::apps::put_client(&mut tx, ctx.scope(), &row).await?;
    tx.commit().await
}

/// Deletes apps with their secrets and consents; their refresh tokens stop working.
pub async fn delete(db: &Db, ctx: &Ctx, ids: &[String]) -> ApiResult<()> {
    if ids.is_empty() || ids.iter().any(|i| i.is_empty()) {
        return Err(ApiError::missing("id"));
    }
    let mut tx = store::begin_immediate(db).await?;
    for id in ids {
        let client = client_of(&mut tx, ctx, id).await?;
        for c in
            store::inbound::all_consents(&mut tx, ctx.scope()).await?.into_iter().filter(|c| &c.app_id == id)
        {
            store::inbound::delete_consent(&mut tx, ctx.scope(), &c.id).await?;
        }
        revoke_refresh(&mut tx, ctx, &client.client_id, None).await?;
        super::agentic::delete_policies_of_app(&mut tx, ctx, id).await?;
        store::apps::delete_clients_of_app(&mut tx, ctx.scope(), id).await?;
    }
    tx.commit().await
}

/// Revokes the refresh tokens a client holds (of one user, or all).
async fn revoke_refresh(conn: &mut Conn, ctx: &Ctx, client_id: &str, user_id: Option<&str>) -> ApiResult<()> {
    for r in store::apps::all_refresh(conn, ctx.scope()).await? {
        if r.client_id == client_id && user_id.is_none_or(|u| u == r.user_id) {
            store::sessions::revoke(conn, ctx.scope(), &r.jti, ctx.now.millis()).await?;
        }
    }
    Ok(())
}

/// The secret metadata of a client: `{id, name, status, expireTime, createdTime}`.
fn secret_meta(ctx: &Ctx, s: &SecretRow) -> Value {
    let status = if s.status != "active" {
        "disabled"
    } else if s.expire_secs > 0 && s.expire_secs <= ctx.now.secs() {
        "expired"
    } else {
        "active"
    };
    json!({
        "id": s.name,
        "name": s.name,
        "status": status,
        "expireTime": s.expire_secs,
        "createdTime": s.created_ms / 1000,
    })
}

async fn view(conn: &mut Conn, ctx: &Ctx, row: ClientRow) -> ApiResult<Map<String, Value>> {
    let mut doc: Map<String, Value> = store::from_json_text(&row.settings);
    doc.insert("id".into(), json!(row.app_id));
    doc.insert("clientId".into(), json!(row.client_id));
    doc.entry("name").or_insert(json!(""));
    doc.entry("description").or_insert(json!(""));
    doc.entry("logo").or_insert(json!(""));
    doc.entry("loginPageUrl").or_insert(json!(""));
    doc.entry("approvedCallbackUrls").or_insert(json!([]));
    for list in SCOPE_LISTS {
        doc.entry(*list).or_insert(json!([]));
    }
    doc.entry("dynamic").or_insert(json!(false));
    doc.entry("nonConfidentialClient").or_insert(json!(row.public));
    doc.entry("skipConsentScreen").or_insert(json!(false));
    doc.entry("useResources").or_insert(json!(false));
    doc.entry("defaultAudience").or_insert(json!(""));
    doc.insert("status".into(), json!("active"));
    doc.insert("createdTime".into(), json!(row.created_ms / 1000));
    let secrets = store::apps::secrets(conn, ctx.scope(), &row.client_id).await?;
    doc.insert("clientSecrets".into(), Value::Array(secrets.iter().map(|s| secret_meta(ctx, s)).collect()));
    Ok(doc)
}

/// `GET …/app/load?id=|clientId=`: the app, flat, with an `app` copy (the OpenAPI's shape).
pub async fn load(db: &Db, ctx: &Ctx, id: &str, client_id: &str) -> ApiResult<Map<String, Value>> {
    let mut conn = db.acquire().await?;
    let row = if id.is_empty() && !client_id.is_empty() {
        store::apps::get_client(&mut conn, ctx.scope(), client_id)
            .await?
            .filter(|c| c.kind == ClientKind::Inbound.as_str())
            .ok_or_else(|| not_found(client_id))?
    } else {
        client_of(&mut conn, ctx, id).await?
    };
    let doc = view(&mut conn, ctx, row).await?;
    let mut out = doc.clone();
    out.insert("app".into(), Value::Object(doc));
    Ok(out)
}

/// `GET …/apps/load` (and Go's `POST /v2/…/apps/load {page, limit}`): apps and their total.
pub async fn load_all(
    db: &Db,
    ctx: &Ctx,
    page: i64,
    limit: i64,
) -> ApiResult<(Vec<Map<String, Value>>, usize)> {
    let mut conn = db.acquire().await?;
    let rows: Vec<ClientRow> = store::apps::all_clients(&mut conn, ctx.scope())
        .await?
        .into_iter()
        .filter(|c| c.kind == ClientKind::Inbound.as_str())
        .collect();
    let total = rows.len();
    let (skip, take) =
        if limit > 0 { ((page.max(0) * limit) as usize, limit as usize) } else { (0, usize::MAX) };
    let mut out = Vec::new();
    for row in rows.into_iter().skip(skip).take(take) {
        out.push(view(&mut conn, ctx, row).await?);
    }
    Ok((out, total))
}

/// `GET …/app/secret?id=[&secretName=]`: a live secret's cleartext.
pub async fn secret(db: &Db, ctx: &Ctx, id: &str, name: &str) -> ApiResult<String> {
    let mut conn = db.acquire().await?;
    let client = client_of(&mut conn, ctx, id).await?;
    let live: Vec<SecretRow> = store::apps::secrets(&mut conn, ctx.scope(), &client.client_id)
        .await?
        .into_iter()
        .filter(|s| s.status == "active")
        .collect();
    if name.is_empty() && live.len() > 1 {
        return Err(ApiError::invalid("The application has several secrets: name one (secretName)"));
    }
    live.into_iter()
        .find(|s| name.is_empty() || s.name == name)
        .map(|s| s.secret)
        .ok_or_else(|| ApiError::not_found(format!("Inbound application {id} has no such secret")))
}

/// `POST …/app/rotate {id}`: a new secret replaces every secret of the app.
pub async fn rotate(db: &Db, ctx: &Ctx, id: &str) -> ApiResult<String> {
    let mut tx = store::begin_immediate(db).await?;
    let client = client_of(&mut tx, ctx, id).await?;
    let secret = registry::rotate_secret(&mut tx, ctx, &client.client_id, client.public).await?;
    tx.commit().await?;
    Ok(secret)
}

/// Go's `POST …/app/secret/add {id, name, expireTime}`: `(meta, cleartext)`.
pub async fn add_secret(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    name: &str,
    expire_secs: i64,
) -> ApiResult<(Value, String)> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ApiError::missing("name"));
    }
    let mut tx = store::begin_immediate(db).await?;
    let client = client_of(&mut tx, ctx, id).await?;
    if client.public {
        return Err(ApiError::invalid("A public client has no secret"));
    }
    let existing = store::apps::secrets(&mut tx, ctx.scope(), &client.client_id).await?;
    if existing.iter().any(|s| s.name == name && s.status == "active") {
        return Err(ApiError::invalid(format!("The application has a secret named {name} already")));
    }
    let secret = registry::new_secret();
    registry::put_secret(&mut tx, ctx, &client.client_id, name, &secret, expire_secs.max(0)).await?;
    let row = store::apps::secrets(&mut tx, ctx.scope(), &client.client_id)
        .await?
        .into_iter()
        .find(|s| s.name == name)
        .ok_or_else(|| ApiError::internal("the secret was not stored"))?;
    tx.commit().await?;
    Ok((secret_meta(ctx, &row), secret))
}

/// Go's `POST …/app/secret/revoke {id, name}`: the app's secrets left.
pub async fn revoke_secret(db: &Db, ctx: &Ctx, id: &str, name: &str) -> ApiResult<Vec<Value>> {
    if name.is_empty() {
        return Err(ApiError::missing("name"));
    }
    let mut tx = store::begin_immediate(db).await?;
    let client = client_of(&mut tx, ctx, id).await?;
    let secrets = store::apps::secrets(&mut tx, ctx.scope(), &client.client_id).await?;
    let found =
        secrets.iter().find(|s| s.name == name).cloned().ok_or_else(|| {
            ApiError::not_found(format!("Inbound application {id} has no secret named {name}"))
        })?;
    store::apps::put_secret(&mut tx, ctx.scope(), &SecretRow { status: "revoked".into(), ..found }).await?;
    let out = store::apps::secrets(&mut tx, ctx.scope(), &client.client_id)
        .await?
        .iter()
        .filter(|s| s.status == "active")
        .map(|s| secret_meta(ctx, s))
        .collect();
    tx.commit().await?;
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Consents

/// A consent on the wire.
pub fn consent_view(c: &ConsentRow) -> Value {
    json!({
        "id": c.id,
        "appId": c.app_id,
        "userId": c.user_id,
        "scopes": store::from_json_text::<Vec<String>>(&c.scopes),
        "grantedBy": c.granted_by,
        "createdTime": c.created_secs,
        "modifiedTime": c.modified_secs,
        "expireTime": c.expire_secs,
        "tenantId": c.tenant_id,
    })
}

/// Records (or merges into) the consent a user gave an app at authorize, granting `scopes`.
pub async fn record_consent(
    conn: &mut Conn,
    ctx: &Ctx,
    app_id: &str,
    user_id: &str,
    tenant_id: &str,
    scopes: &[String],
) -> ApiResult<()> {
    let now = ctx.now.secs();
    let row = match store::inbound::find_consent(conn, ctx.scope(), app_id, user_id, tenant_id).await? {
        Some(mut c) => {
            let mut have: Vec<String> = store::from_json_text(&c.scopes);
            for s in scopes {
                if !have.contains(s) {
                    have.push(s.clone());
                }
            }
            c.scopes = store::json_text(&have)?;
            c.modified_secs = now;
            c.granted_by = user_id.to_owned();
            c
        }
        None => ConsentRow {
            id: crypto::random_alnum(27),
            app_id: app_id.to_owned(),
            user_id: user_id.to_owned(),
            tenant_id: tenant_id.to_owned(),
            scopes: store::json_text(&scopes)?,
            granted_by: user_id.to_owned(),
            created_secs: now,
            modified_secs: now,
            expire_secs: 0,
        },
    };
    store::inbound::put_consent(conn, ctx.scope(), &row).await
}

/// What consents a search or delete names; empty fields match any.
#[derive(Debug, Clone, Default)]
pub struct ConsentFilter {
    pub consent_ids: Vec<String>,
    pub app_id: String,
    pub user_ids: Vec<String>,
    pub tenant_id: String,
}

impl ConsentFilter {
    fn is_empty(&self) -> bool {
        self.consent_ids.is_empty()
            && self.app_id.is_empty()
            && self.user_ids.is_empty()
            && self.tenant_id.is_empty()
    }

    fn matches(&self, c: &ConsentRow) -> bool {
        (self.consent_ids.is_empty() || self.consent_ids.contains(&c.id))
            && (self.app_id.is_empty() || self.app_id == c.app_id)
            && (self.user_ids.is_empty() || self.user_ids.contains(&c.user_id))
            && (self.tenant_id.is_empty() || self.tenant_id == c.tenant_id)
    }
}

/// `POST /v1/mgmt/thirdparty/consents/search`: a page (0-based) of the matching consents and
/// their total.
pub async fn search_consents(
    db: &Db,
    ctx: &Ctx,
    filter: &ConsentFilter,
    page: i64,
    limit: i64,
) -> ApiResult<(Vec<Value>, usize)> {
    if page < 0 || limit < 0 {
        return Err(ApiError::invalid("page and limit must not be negative"));
    }
    let mut conn = db.acquire().await?;
    let all: Vec<ConsentRow> = store::inbound::all_consents(&mut conn, ctx.scope())
        .await?
        .into_iter()
        .filter(|c| filter.matches(c))
        .collect();
    let total = all.len();
    let (skip, take) = if limit > 0 { ((page * limit) as usize, limit as usize) } else { (0, usize::MAX) };
    Ok((all.iter().skip(skip).take(take).map(consent_view).collect(), total))
}

/// `POST …/consents/delete` and `…/consents/delete/tenant`: deletes the matching consents and
/// revokes the refresh tokens they backed.
pub async fn delete_consents(db: &Db, ctx: &Ctx, filter: &ConsentFilter) -> ApiResult<()> {
    if filter.is_empty() {
        return Err(ApiError::missing("consentIds, appId, userIds or tenantId"));
    }
    let mut tx = store::begin_immediate(db).await?;
    for c in
        store::inbound::all_consents(&mut tx, ctx.scope()).await?.into_iter().filter(|c| filter.matches(c))
    {
        store::inbound::delete_consent(&mut tx, ctx.scope(), &c.id).await?;
        if let Some(client) = store::apps::client_of_app(&mut tx, ctx.scope(), &c.app_id).await? {
            revoke_refresh(&mut tx, ctx, &client.client_id, Some(&c.user_id)).await?;
        }
    }
    tx.commit().await
}

// ---------------------------------------------------------------------------------------
// Dynamic client registration (RFC 7591)

/// A registration refused: `(error, description)` per RFC 7591 section 3.2.2.
pub type Refused = (&'static str, String);

/// A checked RFC 7591 registration request.
#[derive(Debug, Clone, Default)]
pub struct Registration {
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub grant_types: Vec<String>,
    pub scope: String,
    pub logo_uri: String,
    pub client_uri: String,
    pub login_page_url: String,
}

/// Checks an RFC 7591 registration request (public clients only).
pub fn parse_registration(req: &Map<String, Value>) -> Result<Registration, Refused> {
    let text = |k: &str| req.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    let list = |k: &str| -> Option<Vec<String>> {
        match req.get(k) {
            None | Some(Value::Null) => Some(Vec::new()),
            Some(Value::Array(a)) => a.iter().map(|v| v.as_str().map(str::to_owned)).collect(),
            _ => None,
        }
    };
    let Some(redirect_uris) = list("redirect_uris") else {
        return Err(("invalid_client_metadata", "redirect_uris must be an array of URLs".into()));
    };
    if redirect_uris.is_empty() {
        return Err(("invalid_redirect_uri", "redirect_uris needs at least one URL".into()));
    }
    if let Some(bad) = redirect_uris.iter().find(|u| url::Url::parse(u).is_err() || u.contains('#')) {
        return Err(("invalid_redirect_uri", format!("{bad} is not an absolute URL without a fragment")));
    }
    let method = text("token_endpoint_auth_method");
    if !matches!(method.as_str(), "" | "none") {
        return Err((
            "invalid_client_metadata",
            "Only public clients (token_endpoint_auth_method none) can be registered".into(),
        ));
    }
    let (Some(grant_types), Some(response_types)) = (list("grant_types"), list("response_types")) else {
        return Err(("invalid_client_metadata", "grant_types and response_types must be arrays".into()));
    };
    if let Some(g) =
        grant_types.iter().find(|g| !matches!(g.as_str(), "authorization_code" | "refresh_token"))
    {
        return Err(("invalid_client_metadata", format!("Unsupported grant type {g}")));
    }
    if let Some(r) = response_types.iter().find(|r| r.as_str() != "code") {
        return Err(("invalid_client_metadata", format!("Unsupported response type {r}")));
    }
    for k in ["client_name", "scope", "logo_uri", "client_uri", "login_page_url"] {
        if req.get(k).is_some_and(|v| !v.is_string() && !v.is_null()) {
            return Err(("invalid_client_metadata", format!("{k} must be a string")));
        }
    }
    let name =
        Some(text("client_name")).filter(|n| !n.trim().is_empty()).unwrap_or_else(|| "Dynamic client".into());
    Ok(Registration {
        name,
        redirect_uris,
        grant_types,
        scope: text("scope"),
        logo_uri: text("logo_uri"),
        client_uri: text("client_uri"),
        login_page_url: text("login_page_url"),
    })
}

/// The RFC 7591 answer for a registered public client.
pub fn registration_answer(ctx: &Ctx, client_id: &str, r: &Registration) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("client_id".into(), json!(client_id));
    out.insert("client_id_issued_at".into(), json!(ctx.now.secs()));
    out.insert("client_secret_expires_at".into(), json!(0));
    out.insert("client_name".into(), json!(r.name));
    out.insert("redirect_uris".into(), json!(r.redirect_uris));
    out.insert("token_endpoint_auth_method".into(), json!("none"));
    let grants =
        if r.grant_types.is_empty() { vec!["authorization_code".to_owned()] } else { r.grant_types.clone() };
    out.insert("grant_types".into(), json!(grants));
    out.insert("response_types".into(), json!(["code"]));
    if !r.scope.is_empty() {
        out.insert("scope".into(), json!(r.scope));
    }
    for (k, v) in [("logo_uri", &r.logo_uri), ("client_uri", &r.client_uri)] {
        if !v.is_empty() {
            out.insert(k.into(), json!(v));
        }
    }
    out
}

/// `POST /v1/mgmt/inboundapp/app/{projectId}/register`: a public client; the RFC 7591 answer.
pub async fn register(
    db: &Db,
    ctx: &Ctx,
    req: &Map<String, Value>,
) -> ApiResult<Result<Map<String, Value>, Refused>> {
    let r = match parse_registration(req) {
        Ok(r) => r,
        Err(refused) => return Ok(Err(refused)),
    };
    let mut body = Map::new();
    body.insert("name".into(), json!(r.name));
    body.insert("logo".into(), json!(r.logo_uri));
    body.insert("approvedCallbackUrls".into(), json!(r.redirect_uris));
    let perms: Vec<Value> = crate::domain::apps::server::scopes_of(&r.scope)
        .into_iter()
        .filter(|s| !crate::domain::apps::server::STANDARD_SCOPES.contains(&s.as_str()))
        .map(|s| json!({"name": s, "description": "", "optional": false, "values": []}))
        .collect();
    body.insert("permissionsScopes".into(), Value::Array(perms));
    if !r.login_page_url.is_empty() {
        body.insert("loginPageUrl".into(), json!(r.login_page_url));
    }
    let mut tx = store::begin_immediate(db).await?;
    let created = insert(&mut tx, ctx, &body, true).await?;
    tx.commit().await?;
    Ok(Ok(registration_answer(ctx, &created.client_id, &r)))
}

// ---------------------------------------------------------------------------------------
// Registration templates

const TEMPLATE_FIELDS: &[&str] = &[
    "name",
    "description",
    "loginPageURL",
    "sessionSettings",
    "skipConsentScreen",
    "forceAddAllAuthorizationInfo",
    "tags",
];

fn template_view(r: &TemplateRow) -> Value {
    let mut doc: Map<String, Value> = store::from_json_text(&r.body);
    doc.insert("id".into(), json!(r.id));
    doc.entry("version").or_insert(json!(1));
    doc.insert("createdTime".into(), json!((r.created_ms / 1000).to_string()));
    doc.entry("modifiedTime").or_insert(json!((r.created_ms / 1000).to_string()));
    Value::Object(doc)
}

fn template_doc(t: &Map<String, Value>) -> ApiResult<Map<String, Value>> {
    if str_of(t, "name").trim().is_empty() {
        return Err(ApiError::missing("name"));
    }
    for (k, v) in t {
        let ok = match k.as_str() {
            "name" | "description" | "loginPageURL" => v.is_string() || v.is_null(),
            "skipConsentScreen" | "forceAddAllAuthorizationInfo" => v.is_boolean() || v.is_null(),
            "tags" => v.is_null() || v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
            "sessionSettings" => v.is_null() || v.is_object(),
            _ => true,
        };
        if !ok {
            return Err(ApiError::invalid(format!("Invalid value of {k}")));
        }
    }
    Ok(t.iter()
        .filter(|(k, v)| TEMPLATE_FIELDS.contains(&k.as_str()) && !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect())
}

/// `POST …/dynamic-registration-template/create`.
pub async fn create_template(db: &Db, ctx: &Ctx, t: &Map<String, Value>) -> ApiResult<Value> {
    let doc = template_doc(t)?;
    let row = TemplateRow {
        id: format!("DRT{}", crypto::random_alnum(27)),
        body: store::json_text(&doc)?,
        created_ms: ctx.now.millis(),
    };
    let mut tx = store::begin_immediate(db).await?;
    store::inbound::put_template(&mut tx, ctx.scope(), &row).await?;
    tx.commit().await?;
    Ok(template_view(&row))
}

/// `POST …/dynamic-registration-template/update {template}`: replaces its fields.
pub async fn update_template(db: &Db, ctx: &Ctx, t: &Map<String, Value>) -> ApiResult<Value> {
    let id = str_of(t, "id");
    if id.is_empty() {
        return Err(ApiError::missing("template.id"));
    }
    let mut doc = template_doc(t)?;
    let mut tx = store::begin_immediate(db).await?;
    let old = store::inbound::get_template(&mut tx, ctx.scope(), &id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Registration template {id} not found")))?;
    let old_doc: Map<String, Value> = store::from_json_text(&old.body);
    let version = old_doc.get("version").and_then(Value::as_i64).unwrap_or(1);
    doc.insert("version".into(), json!(version + 1));
    doc.insert("modifiedTime".into(), json!(ctx.now.secs().to_string()));
    let row = TemplateRow { id, body: store::json_text(&doc)?, created_ms: old.created_ms };
    store::inbound::put_template(&mut tx, ctx.scope(), &row).await?;
    tx.commit().await?;
    Ok(template_view(&row))
}

/// `GET …/dynamic-registration-template/load?id=`.
pub async fn load_template(db: &Db, ctx: &Ctx, id: &str) -> ApiResult<Value> {
    if id.is_empty() {
        return Err(ApiError::missing("id"));
    }
    let mut conn = db.acquire().await?;
    let row = store::inbound::get_template(&mut conn, ctx.scope(), id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Registration template {id} not found")))?;
    Ok(template_view(&row))
}

/// `GET …/dynamic-registration-templates/load`.
pub async fn load_templates(db: &Db, ctx: &Ctx) -> ApiResult<Vec<Value>> {
    let mut conn = db.acquire().await?;
    Ok(store::inbound::all_templates(&mut conn, ctx.scope()).await?.iter().map(template_view).collect())
}

/// `POST …-template/delete {id}` and `…-templates/delete {ids}`.
pub async fn delete_templates(db: &Db, ctx: &Ctx, ids: &[String]) -> ApiResult<()> {
    if ids.is_empty() || ids.iter().any(|i| i.is_empty()) {
        return Err(ApiError::missing("id"));
    }
    let mut tx = store::begin_immediate(db).await?;
    for id in ids {
        if !store::inbound::delete_template(&mut tx, ctx.scope(), id).await? {
            return Err(ApiError::not_found(format!("Registration template {id} not found")));
        }
    }
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_id_names_its_project() {
        let encoded = B64_STD.encode("P2abc:TPA123");
        assert_eq!(project_of_client_id(&encoded).as_deref(), Some("P2abc"));
        assert_eq!(project_of_client_id("not base64!"), None);
    }

    #[test]
    fn zero_values_are_not_given() {
        assert!(is_zero(&json!("")));
        assert!(is_zero(&json!([])));
        assert!(is_zero(&json!(false)));
        assert!(!is_zero(&json!("x")));
    }
}
