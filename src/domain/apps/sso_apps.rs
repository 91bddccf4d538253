//! SSO applications (Descope as an IdP for other apps): OIDC, SAML and WS-Fed apps kept as
//! JSON documents (`sso_apps`), the OIDC ones backed by a client of the registry
//! ([`super::registry`]). Every project has the OIDC app `descope-default-oidc`, which is
//! implied (client ID = project ID) and can be neither changed nor deleted.
//!
//! An app's body is kept as sent: `id, name, description, enabled, logo` at the top, every
//! other field in its type's settings (`oidcSettings`, `samlSettings`, `wsfedSettings`), with
//! the computed fields (issuer, discovery URL, client ID; IdP URLs) added on load.

use super::fields::{flag, str_of, strings_of};
use serde_json::{json, Map, Value};

use super::registry::{self, ClientKind, DEFAULT_APP_ID};
use crate::crypto;
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::store::{self, apps::ClientRow, apps::SsoAppRow, Conn, Db};

/// The kinds of SSO app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppType {
    Oidc,
    Saml,
    Wsfed,
}

impl AppType {
    pub fn as_str(self) -> &'static str {
        match self {
            AppType::Oidc => "oidc",
            AppType::Saml => "saml",
            AppType::Wsfed => "wsfed",
        }
    }

    fn settings_key(self) -> &'static str {
        match self {
            AppType::Oidc => "oidcSettings",
            AppType::Saml => "samlSettings",
            AppType::Wsfed => "wsfedSettings",
        }
    }

    fn parse(s: &str) -> AppType {
        match s {
            "saml" => AppType::Saml,
            "wsfed" => AppType::Wsfed,
            _ => AppType::Oidc,
        }
    }
}

const TOP_LEVEL: &[&str] = &["id", "name", "description", "enabled", "logo"];
/// Create-only fields that are not kept in the settings.
const CREATE_ONLY: &[&str] = &["clientId", "clientSecret"];

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("SSO application {id} not found"))
}

/// Checks the fields every type needs and those of its type.
fn validate(kind: AppType, body: &Map<String, Value>) -> ApiResult<()> {
    if str_of(body, "name").trim().is_empty() {
        return Err(ApiError::missing("name"));
    }
    for (key, value) in body {
        let ok = match key.as_str() {
            "id" | "name" | "description" | "logo" | "loginPageUrl" | "clientId" | "clientSecret"
            | "clientType" | "defaultAudience" | "metadataUrl" | "entityId" | "acsUrl" | "certificate"
            | "realm" | "replyUrl" => value.is_string(),
            "enabled" | "forceAuthentication" | "forcePkce" | "useMetadataInfo" => value.is_boolean(),
            "approvedRedirectUrls" | "acsAllowedCallbacks" | "replyAllowedCallbacks" => {
                value.as_array().is_some_and(|a| a.iter().all(Value::is_string))
            }
            _ => true,
        };
        if !ok {
            return Err(ApiError::invalid(format!("Invalid value of {key}")));
        }
    }
    let ct = str_of(body, "clientType");
    if kind == AppType::Oidc && !matches!(ct.as_str(), "" | "confidential" | "public") {
        return Err(ApiError::invalid("clientType must be confidential or public"));
    }
    for url in strings_of(body, "approvedRedirectUrls") {
        if url::Url::parse(&url).is_err() {
            return Err(ApiError::invalid(format!("approvedRedirectUrls: {url} is not an absolute URL")));
        }
    }
    Ok(())
}

/// The stored document of an app: top-level fields and the type's settings.
fn document(kind: AppType, id: &str, body: &Map<String, Value>) -> Map<String, Value> {
    let mut doc = Map::new();
    let mut settings = Map::new();
    for (k, v) in body {
        if TOP_LEVEL.contains(&k.as_str()) {
            doc.insert(k.clone(), v.clone());
        } else if !CREATE_ONLY.contains(&k.as_str()) {
            settings.insert(k.clone(), v.clone());
        }
    }
    doc.insert("id".into(), json!(id));
    doc.entry("description").or_insert(json!(""));
    doc.entry("logo").or_insert(json!(""));
    doc.entry("enabled").or_insert(json!(true));
    doc.insert(kind.settings_key().into(), Value::Object(settings));
    doc
}

/// The client row of an OIDC app.
fn client_row(
    ctx: &Ctx,
    app_id: &str,
    client_id: &str,
    body: &Map<String, Value>,
    created_ms: i64,
) -> ApiResult<ClientRow> {
    let grants: Vec<&str> = [
        ("authorization_code", "authorizationCodeDisabled"),
        ("refresh_token", "refreshTokenDisabled"),
        ("client_credentials", "clientCredentialsDisabled"),
        ("urn:ietf:params:oauth:grant-type:device_code", "deviceCodeDisabled"),
    ]
    .into_iter()
    .filter(|(_, disabled)| !flag(body, disabled))
    .map(|(g, _)| g)
    .collect();
    Ok(ClientRow {
        client_id: client_id.to_owned(),
        kind: ClientKind::SsoOidc.as_str().into(),
        app_id: app_id.to_owned(),
        public: str_of(body, "clientType") == "public",
        redirect_uris: store::json_text(&strings_of(body, "approvedRedirectUrls"))?,
        grant_types: store::json_text(&grants)?,
        scopes: "[]".into(),
        default_audience: str_of(body, "defaultAudience"),
        audience_whitelist: "[]".into(),
        force_pkce: flag(body, "forcePkce"),
        settings: "{}".into(),
        created_ms: if created_ms > 0 { created_ms } else { ctx.now.millis() },
    })
}

/// `POST /v1/mgmt/sso/idp/app/{oidc,saml,wsfed}/create`: the new app's ID.
pub async fn create(db: &Db, ctx: &Ctx, kind: AppType, body: Map<String, Value>) -> ApiResult<String> {
    validate(kind, &body)?;
    let id = Some(str_of(&body, "id"))
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| crypto::random_alnum(27));
    let name = str_of(&body, "name");
    let mut tx = store::begin_immediate(db).await?;
    if id == DEFAULT_APP_ID || store::apps::get_sso_app(&mut tx, ctx.scope(), &id).await?.is_some() {
        return Err(ApiError::invalid(format!("An SSO application with ID {id} already exists")));
    }
    if store::apps::sso_app_by_name(&mut tx, ctx.scope(), &name).await?.is_some() {
        return Err(ApiError::invalid(format!("An SSO application named {name} already exists")));
    }
    let doc = document(kind, &id, &body);
    store::apps::put_sso_app(
        &mut tx,
        ctx.scope(),
        &SsoAppRow {
            id: id.clone(),
            name,
            app_type: kind.as_str().into(),
            body: store::json_text(&doc)?,
            created_ms: ctx.now.millis(),
        },
    )
    .await?;
    if kind == AppType::Oidc {
        let client_id =
            Some(str_of(&body, "clientId")).filter(|s| !s.is_empty()).unwrap_or_else(registry::new_client_id);
        if !store::apps::scopes_of_client(&mut tx, &client_id).await?.is_empty()
            || client_id == ctx.project_id().as_str()
        {
            return Err(ApiError::invalid(format!("Client ID {client_id} is taken")));
        }
        store::apps::put_client(&mut tx, ctx.scope(), &client_row(ctx, &id, &client_id, &body, 0)?).await?;
        let secret = Some(str_of(&body, "clientSecret"))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(registry::new_secret);
        registry::put_secret(&mut tx, ctx, &client_id, "default", &secret, 0).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// `POST /v1/mgmt/sso/idp/app/{oidc,saml,wsfed}/update`: replaces the app's fields.
pub async fn update(db: &Db, ctx: &Ctx, kind: AppType, body: Map<String, Value>) -> ApiResult<()> {
    let id = str_of(&body, "id");
    if id.is_empty() {
        return Err(ApiError::missing("id"));
    }
    validate(kind, &body)?;
    if id == DEFAULT_APP_ID {
        return Err(ApiError::invalid("The default OIDC application can't be changed"));
    }
    let name = str_of(&body, "name");
    let mut tx = store::begin_immediate(db).await?;
    let row = store::apps::get_sso_app(&mut tx, ctx.scope(), &id).await?.ok_or_else(|| not_found(&id))?;
    if AppType::parse(&row.app_type) != kind {
        return Err(ApiError::invalid(format!(
            "SSO application {id} is not a {} application",
            kind.as_str()
        )));
    }
    if store::apps::sso_app_by_name(&mut tx, ctx.scope(), &name).await?.is_some_and(|o| o.id != id) {
        return Err(ApiError::invalid(format!("An SSO application named {name} already exists")));
    }
    let doc = document(kind, &id, &body);
    store::apps::put_sso_app(
        &mut tx,
        ctx.scope(),
        &SsoAppRow {
            id: id.clone(),
            name,
            app_type: row.app_type,
            body: store::json_text(&doc)?,
            created_ms: row.created_ms,
        },
    )
    .await?;
    if kind == AppType::Oidc {
        if let Some(old) = store::apps::client_of_app(&mut tx, ctx.scope(), &id).await? {
            store::apps::put_client(
                &mut tx,
                ctx.scope(),
                &client_row(ctx, &id, &old.client_id, &body, old.created_ms)?,
            )
            .await?;
        }
    }
    tx.commit().await
}

/// `POST /v1/mgmt/sso/idp/app/delete {id}`.
pub async fn delete(db: &Db, ctx: &Ctx, id: &str) -> ApiResult<()> {
    if id.is_empty() {
        return Err(ApiError::missing("id"));
    }
    if id == DEFAULT_APP_ID {
        return Err(ApiError::invalid("The default OIDC application can't be deleted"));
    }
    let mut tx = store::begin_immediate(db).await?;
    if !store::apps::delete_sso_app(&mut tx, ctx.scope(), id).await? {
        return Err(not_found(id));
    }
    store::apps::delete_clients_of_app(&mut tx, ctx.scope(), id).await?;
    tx.commit().await
}

/// The default app as loads show it.
fn default_app(ctx: &Ctx, base: &str) -> Map<String, Value> {
    let mut doc = Map::new();
    doc.insert("id".into(), json!(DEFAULT_APP_ID));
    doc.insert("name".into(), json!("OIDC Default Application"));
    doc.insert("description".into(), json!(""));
    doc.insert("enabled".into(), json!(true));
    doc.insert("logo".into(), json!(""));
    doc.insert("oidcSettings".into(), json!({}));
    computed(ctx, base, AppType::Oidc, &mut doc, ctx.project_id().as_str());
    doc
}

/// Adds the computed fields and `appType`.
fn computed(ctx: &Ctx, base: &str, kind: AppType, doc: &mut Map<String, Value>, client_id: &str) {
    let id = doc.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
    let p = ctx.project_id().as_str();
    doc.insert("appType".into(), json!(kind.as_str()));
    let key = kind.settings_key();
    let mut settings = doc.get(key).and_then(Value::as_object).cloned().unwrap_or_default();
    match kind {
        AppType::Oidc => {
            let issuer = if id == DEFAULT_APP_ID {
                ctx.project.issuer.clone()
            } else {
                registry::app_issuer(ctx, &id)
            };
            let discovery = if id == DEFAULT_APP_ID {
                format!("{base}/{p}/.well-known/openid-configuration")
            } else {
                format!("{base}/{p}/{id}/.well-known/openid-configuration")
            };
            settings.insert("issuer".into(), json!(issuer));
            settings.insert("discoveryUrl".into(), json!(discovery));
            settings.insert("clientId".into(), json!(client_id));
            settings.entry("loginPageUrl").or_insert(json!(""));
            settings.entry("forceAuthentication").or_insert(json!(false));
        }
        AppType::Saml | AppType::Wsfed => {
            let (family, entity) = if kind == AppType::Saml { ("saml", "saml") } else { ("wsfed", "wsfed") };
            // The certificate the IdP signs with (PEM), from the project's signing key.
            let cert = super::saml_xml::certificate_pem(&ctx.project.signing).unwrap_or_default();
            settings.insert("idpCert".into(), json!(cert));
            settings.insert(
                "idpMetadataUrl".into(),
                json!(format!("{base}/v1/auth/{family}/idp/metadata?projectId={p}&ssoAppId={id}")),
            );
            settings.insert("idpEntityId".into(), json!(format!("{base}/{p}/{entity}/{id}")));
            settings.insert("idpSsoUrl".into(), json!(format!("{base}/v1/auth/{family}/idp/sso?app={id}")));
            settings.insert(
                "idpInitiatedUrl".into(),
                json!(format!("{base}/v1/auth/{family}/idp/initiate?app={id}")),
            );
            settings
                .insert("idpLogoutUrl".into(), json!(format!("{base}/v1/auth/{family}/idp/logout?app={id}")));
        }
    }
    doc.insert(key.into(), Value::Object(settings));
}

async fn view(conn: &mut Conn, ctx: &Ctx, base: &str, row: SsoAppRow) -> ApiResult<Map<String, Value>> {
    let kind = AppType::parse(&row.app_type);
    let mut doc: Map<String, Value> = store::from_json_text(&row.body);
    doc.insert("name".into(), json!(row.name));
    let client_id = match kind {
        AppType::Oidc => store::apps::client_of_app(conn, ctx.scope(), &row.id)
            .await?
            .map(|c| c.client_id)
            .unwrap_or_default(),
        _ => String::new(),
    };
    computed(ctx, base, kind, &mut doc, &client_id);
    Ok(doc)
}

/// `GET /v1/mgmt/sso/idp/app/load?id=`.
pub async fn load(db: &Db, ctx: &Ctx, base: &str, id: &str) -> ApiResult<Map<String, Value>> {
    if id.is_empty() {
        return Err(ApiError::missing("id"));
    }
    if id == DEFAULT_APP_ID {
        return Ok(default_app(ctx, base));
    }
    let mut conn = db.acquire().await?;
    let row = store::apps::get_sso_app(&mut conn, ctx.scope(), id).await?.ok_or_else(|| not_found(id))?;
    view(&mut conn, ctx, base, row).await
}

/// `GET /v1/mgmt/sso/idp/apps/load`: the default app first, then in creation order.
pub async fn load_all(db: &Db, ctx: &Ctx, base: &str) -> ApiResult<Vec<Map<String, Value>>> {
    let mut conn = db.acquire().await?;
    let mut out = vec![default_app(ctx, base)];
    for row in store::apps::all_sso_apps(&mut conn, ctx.scope()).await? {
        out.push(view(&mut conn, ctx, base, row).await?);
    }
    Ok(out)
}

/// The client of an OIDC app (not the default one).
async fn oidc_client(conn: &mut Conn, ctx: &Ctx, id: &str) -> ApiResult<ClientRow> {
    if id.is_empty() {
        return Err(ApiError::missing("id"));
    }
    if id == DEFAULT_APP_ID {
        return Err(ApiError::invalid(
            "The default OIDC application's secrets are the project's access keys",
        ));
    }
    store::apps::client_of_app(conn, ctx.scope(), id).await?.ok_or_else(|| not_found(id))
}

/// Fails unless `id` is an OIDC app of the project (the default one included).
pub async fn require_oidc_app(db: &Db, ctx: &Ctx, id: &str) -> ApiResult<()> {
    if id == DEFAULT_APP_ID {
        return Ok(());
    }
    let mut conn = db.acquire().await?;
    oidc_client(&mut conn, ctx, id).await.map(|_| ())
}

/// `GET /v1/mgmt/sso/idp/app/secret?id=[&secretName=]`: the cleartext of an OIDC app's secret.
pub async fn secret(db: &Db, ctx: &Ctx, id: &str, name: &str) -> ApiResult<String> {
    let mut conn = db.acquire().await?;
    let client = oidc_client(&mut conn, ctx, id).await?;
    let secrets = store::apps::secrets(&mut conn, ctx.scope(), &client.client_id).await?;
    secrets
        .into_iter()
        .filter(|s| s.status == "active")
        .find(|s| name.is_empty() || s.name == name)
        .map(|s| s.secret)
        .ok_or_else(|| ApiError::not_found(format!("SSO application {id} has no such secret")))
}

/// `POST /v1/mgmt/sso/idp/app/rotate {id}`: a new secret replaces the app's secret.
pub async fn rotate(db: &Db, ctx: &Ctx, id: &str) -> ApiResult<String> {
    let mut tx = store::begin_immediate(db).await?;
    let client = oidc_client(&mut tx, ctx, id).await?;
    let secret = registry::new_secret();
    for old in store::apps::secrets(&mut tx, ctx.scope(), &client.client_id).await? {
        store::apps::put_secret(
            &mut tx,
            ctx.scope(),
            &store::apps::SecretRow { status: "revoked".into(), ..old },
        )
        .await?;
    }
    registry::put_secret(&mut tx, ctx, &client.client_id, "default", &secret, 0).await?;
    tx.commit().await?;
    Ok(secret)
}
