//! The client registry: every client of the authorization server, whatever app it belongs
//! to. The project's default OIDC app (`descope-default-oidc`) is implied: its client ID is
//! the project ID and its client secrets are the project's active access keys. Other clients
//! (OIDC SSO apps now; inbound apps, MCP clients and dynamically registered clients later)
//! are rows of `oauth_clients` with their secrets in `oauth_client_secrets`.

use serde::{Deserialize, Serialize};

use crate::crypto;
use crate::domain::identity::accesskeys;
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::store::{self, apps::ClientRow, apps::SecretRow, Conn};

/// The app every project has: Descope's federated OIDC app.
pub const DEFAULT_APP_ID: &str = "descope-default-oidc";

/// What a client belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientKind {
    /// The project's default OIDC app.
    FederatedDefault,
    /// An OIDC SSO app (`/v1/mgmt/sso/idp/app/oidc/*`).
    SsoOidc,
    /// An inbound (third-party) app.
    Inbound,
    /// A client of an MCP server.
    McpClient,
    /// A dynamically registered client (RFC 7591).
    Dcr,
}

impl ClientKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ClientKind::FederatedDefault => "federated_default",
            ClientKind::SsoOidc => "sso_oidc",
            ClientKind::Inbound => "inbound",
            ClientKind::McpClient => "mcp_client",
            ClientKind::Dcr => "dcr",
        }
    }

    fn parse(s: &str) -> ClientKind {
        match s {
            "sso_oidc" => ClientKind::SsoOidc,
            "inbound" => ClientKind::Inbound,
            "mcp_client" => ClientKind::McpClient,
            "dcr" => ClientKind::Dcr,
            _ => ClientKind::FederatedDefault,
        }
    }
}

/// Every grant the server has: the default app's.
pub const ALL_GRANTS: &[&str] = &[
    "authorization_code",
    "refresh_token",
    "client_credentials",
    "urn:ietf:params:oauth:grant-type:device_code",
];

/// A client of the authorization server.
#[derive(Debug, Clone)]
pub struct Client {
    pub kind: ClientKind,
    pub app_id: String,
    pub client_id: String,
    /// A public client has no secret and must use PKCE.
    pub public: bool,
    /// Exact redirect URIs; empty for the default app, which accepts any.
    pub redirect_uris: Vec<String>,
    /// The grants it may use.
    pub grant_types: Vec<String>,
    /// The scopes it may ask for; empty = any.
    pub scopes: Vec<String>,
    pub force_pkce: bool,
    /// The issuer of its ID tokens and discovery.
    pub issuer: String,
    /// Its access tokens' `aud`: `projectId`, `clientId` or "" (both).
    pub default_audience: String,
    /// More audiences its access tokens may name.
    pub audience_whitelist: Vec<String>,
    /// The MCP server (or `mcp` resource) of an MCP client; "" for others.
    pub mcp_server_id: String,
}

impl Client {
    /// The project's default app.
    pub fn default_app(ctx: &Ctx) -> Client {
        Client {
            kind: ClientKind::FederatedDefault,
            app_id: DEFAULT_APP_ID.to_owned(),
            client_id: ctx.project_id().to_string(),
            public: false,
            redirect_uris: Vec::new(),
            grant_types: ALL_GRANTS.iter().map(|s| s.to_string()).collect(),
            scopes: Vec::new(),
            force_pkce: false,
            issuer: ctx.project.issuer.clone(),
            default_audience: String::new(),
            audience_whitelist: Vec::new(),
            mcp_server_id: String::new(),
        }
    }

    fn from_row(ctx: &Ctx, r: ClientRow) -> Client {
        let kind = ClientKind::parse(&r.kind);
        let mcp_server_id = match kind {
            ClientKind::McpClient => super::agentic::server_of_settings(&r.settings),
            _ => String::new(),
        };
        let issuer = match kind {
            ClientKind::SsoOidc => app_issuer(ctx, &r.app_id),
            ClientKind::Inbound | ClientKind::Dcr => super::inbound::issuer(ctx),
            ClientKind::McpClient => super::agentic::issuer(ctx, &mcp_server_id),
            _ => ctx.project.issuer.clone(),
        };
        Client {
            kind,
            app_id: r.app_id,
            client_id: r.client_id,
            public: r.public,
            redirect_uris: store::from_json_text(&r.redirect_uris),
            grant_types: store::from_json_text(&r.grant_types),
            scopes: store::from_json_text(&r.scopes),
            force_pkce: r.force_pkce,
            issuer,
            default_audience: r.default_audience,
            audience_whitelist: store::from_json_text(&r.audience_whitelist),
            mcp_server_id,
        }
    }

    /// Whether it is an inbound app (or a dynamically registered client, or an MCP server's
    /// client: they get the same tokens and consents).
    pub fn is_inbound(&self) -> bool {
        matches!(self.kind, ClientKind::Inbound | ClientKind::Dcr | ClientKind::McpClient)
    }

    pub fn is_default(&self) -> bool {
        self.kind == ClientKind::FederatedDefault
    }

    /// Whether it may use a grant type.
    pub fn allows_grant(&self, grant: &str) -> bool {
        self.grant_types.iter().any(|g| g == grant)
    }

    /// Whether a redirect URI is one of its own (exact match; the default app takes any).
    pub fn accepts_redirect(&self, uri: &str) -> bool {
        self.is_default() || self.redirect_uris.iter().any(|u| u == uri)
    }
}

/// The issuer of an OIDC SSO app: `<public-url>/<P>/<appId>`.
pub fn app_issuer(ctx: &Ctx, app_id: &str) -> String {
    format!("{}/{app_id}", ctx.project.issuer)
}

/// The projects whose registry (current or left by a reset) holds a client ID, as the
/// project IDs their data scopes start with; the caller resolves each and checks the scope.
pub async fn projects_of_client(conn: &mut Conn, client_id: &str) -> ApiResult<Vec<(String, String)>> {
    let scopes = store::apps::scopes_of_client(conn, client_id).await?;
    Ok(scopes
        .into_iter()
        .map(|scope| (scope.split('.').next().unwrap_or_default().to_owned(), scope))
        .collect())
}

/// Finds a client of the project. `app_id` is the SSO app of the path (`/{ssoAppId}/oauth2/...`):
/// the client must belong to it. Without one, the project ID names the default app.
pub async fn find(
    conn: &mut Conn,
    ctx: &Ctx,
    client_id: &str,
    app_id: Option<&str>,
) -> ApiResult<Option<Client>> {
    let app_id = app_id.filter(|a| !a.is_empty());
    if client_id == ctx.project_id().as_str() && app_id.is_none_or(|a| a == DEFAULT_APP_ID) {
        return Ok(Some(Client::default_app(ctx)));
    }
    let Some(row) = store::apps::get_client(conn, ctx.scope(), client_id).await? else {
        return Ok(None);
    };
    let client = Client::from_row(ctx, row);
    if app_id.is_some_and(|a| a != client.app_id) {
        return Ok(None);
    }
    Ok(Some(client))
}

/// Whether `secret` is a live secret of the client: an active access key of the project for
/// the default app, else one of the client's active, unexpired secrets.
pub async fn secret_matches(conn: &mut Conn, ctx: &Ctx, client: &Client, secret: &str) -> ApiResult<bool> {
    if client.is_default() {
        return accesskeys::is_active_key(conn, ctx, secret).await;
    }
    let now = ctx.now.secs();
    Ok(store::apps::secrets(conn, ctx.scope(), &client.client_id).await?.iter().any(|s| {
        s.status == "active"
            && (s.expire_secs <= 0 || s.expire_secs > now)
            && crypto::secrets_equal(&s.secret, secret)
    }))
}

/// A new client secret (cleartext).
pub fn new_secret() -> String {
    crypto::random_alnum(48)
}

/// A new client ID.
pub fn new_client_id() -> String {
    crypto::random_alnum(32)
}

/// Rotates a confidential client's secret: every secret it has is revoked and a new
/// `default` one (answered in cleartext) replaces them.
pub async fn rotate_secret(conn: &mut Conn, ctx: &Ctx, client_id: &str, public: bool) -> ApiResult<String> {
    if public {
        return Err(ApiError::invalid("A public client has no secret"));
    }
    for old in store::apps::secrets(conn, ctx.scope(), client_id).await? {
        store::apps::put_secret(conn, ctx.scope(), &SecretRow { status: "revoked".into(), ..old }).await?;
    }
    let secret = new_secret();
    put_secret(conn, ctx, client_id, "default", &secret, 0).await?;
    Ok(secret)
}

/// Stores a client secret under `name`, replacing one of that name.
pub async fn put_secret(
    conn: &mut Conn,
    ctx: &Ctx,
    client_id: &str,
    name: &str,
    secret: &str,
    expire_secs: i64,
) -> ApiResult<()> {
    store::apps::put_secret(
        conn,
        ctx.scope(),
        &SecretRow {
            client_id: client_id.to_owned(),
            name: name.to_owned(),
            secret: secret.to_owned(),
            status: "active".into(),
            expire_secs,
            created_ms: ctx.now.millis(),
        },
    )
    .await
}
