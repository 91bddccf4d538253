//! The authorization server's tables: the client registry (`oauth_clients`,
//! `oauth_client_secrets`), the refresh tokens it issued (`oauth_refresh_tokens`), SSO apps
//! (`sso_apps`) and scope to claim mappings (`scope_claim_mappings`).

use sqlx::FromRow;

use super::Conn;
use crate::error::ApiResult;
use crate::ids::Scope;

/// A client as stored (JSON columns as text).
#[derive(Debug, Clone, Default, FromRow, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ClientRow {
    pub client_id: String,
    pub kind: String,
    pub app_id: String,
    pub public: bool,
    pub redirect_uris: String,
    pub grant_types: String,
    pub scopes: String,
    pub default_audience: String,
    pub audience_whitelist: String,
    pub force_pkce: bool,
    pub settings: String,
    pub created_ms: i64,
}

const CLIENT_COLS: &str = "client_id, kind, app_id, public, redirect_uris, grant_types, scopes, \
     default_audience, audience_whitelist, force_pkce, settings, created_ms";

/// The data scopes holding a client ID (every project's, current or left by a reset).
pub async fn scopes_of_client(conn: &mut Conn, client_id: &str) -> ApiResult<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT project_id FROM oauth_clients WHERE client_id = ?")
        .bind(client_id)
        .fetch_all(conn)
        .await?)
}

pub async fn get_client(conn: &mut Conn, scope: &Scope, client_id: &str) -> ApiResult<Option<ClientRow>> {
    Ok(sqlx::query_as::<_, ClientRow>(&format!(
        "SELECT {CLIENT_COLS} FROM oauth_clients WHERE project_id = ? AND client_id = ?"
    ))
    .bind(scope)
    .bind(client_id)
    .fetch_optional(conn)
    .await?)
}

pub async fn client_of_app(conn: &mut Conn, scope: &Scope, app_id: &str) -> ApiResult<Option<ClientRow>> {
    Ok(sqlx::query_as::<_, ClientRow>(&format!(
        "SELECT {CLIENT_COLS} FROM oauth_clients WHERE project_id = ? AND app_id = ? LIMIT 1"
    ))
    .bind(scope)
    .bind(app_id)
    .fetch_optional(conn)
    .await?)
}

pub async fn all_clients(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<ClientRow>> {
    Ok(sqlx::query_as::<_, ClientRow>(&format!(
        "SELECT {CLIENT_COLS} FROM oauth_clients WHERE project_id = ? ORDER BY created_ms, client_id"
    ))
    .bind(scope)
    .fetch_all(conn)
    .await?)
}

/// Inserts a client or replaces the one with its client ID.
pub async fn put_client(conn: &mut Conn, scope: &Scope, r: &ClientRow) -> ApiResult<()> {
    sqlx::query(&format!(
        "INSERT OR REPLACE INTO oauth_clients (project_id, {CLIENT_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ))
    .bind(scope)
    .bind(&r.client_id)
    .bind(&r.kind)
    .bind(&r.app_id)
    .bind(r.public)
    .bind(&r.redirect_uris)
    .bind(&r.grant_types)
    .bind(&r.scopes)
    .bind(&r.default_audience)
    .bind(&r.audience_whitelist)
    .bind(r.force_pkce)
    .bind(&r.settings)
    .bind(r.created_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes the clients of an app and their secrets.
pub async fn delete_clients_of_app(conn: &mut Conn, scope: &Scope, app_id: &str) -> ApiResult<()> {
    sqlx::query(
        "DELETE FROM oauth_client_secrets WHERE project_id = ? AND client_id IN \
         (SELECT client_id FROM oauth_clients WHERE project_id = ? AND app_id = ?)",
    )
    .bind(scope)
    .bind(scope)
    .bind(app_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM oauth_clients WHERE project_id = ? AND app_id = ?")
        .bind(scope)
        .bind(app_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A client secret as stored.
#[derive(Debug, Clone, Default, FromRow, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SecretRow {
    pub client_id: String,
    pub name: String,
    pub secret: String,
    pub status: String,
    pub expire_secs: i64,
    pub created_ms: i64,
}

pub async fn secrets(conn: &mut Conn, scope: &Scope, client_id: &str) -> ApiResult<Vec<SecretRow>> {
    Ok(sqlx::query_as::<_, SecretRow>(
        "SELECT client_id, name, secret, status, expire_secs, created_ms FROM oauth_client_secrets \
         WHERE project_id = ? AND client_id = ? ORDER BY created_ms, name",
    )
    .bind(scope)
    .bind(client_id)
    .fetch_all(conn)
    .await?)
}

pub async fn all_secrets(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<SecretRow>> {
    Ok(sqlx::query_as::<_, SecretRow>(
        "SELECT client_id, name, secret, status, expire_secs, created_ms FROM oauth_client_secrets \
         WHERE project_id = ? ORDER BY client_id, created_ms, name",
    )
    .bind(scope)
    .fetch_all(conn)
    .await?)
}

/// Inserts a secret or replaces the client's secret of that name.
pub async fn put_secret(conn: &mut Conn, scope: &Scope, r: &SecretRow) -> ApiResult<()> {
    sqlx::query(
        "INSERT OR REPLACE INTO oauth_client_secrets (project_id, client_id, name, secret, status, expire_secs, created_ms) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(scope)
    .bind(&r.client_id)
    .bind(&r.name)
    .bind(&r.secret)
    .bind(&r.status)
    .bind(r.expire_secs)
    .bind(r.created_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// A refresh token the authorization server issued.
#[derive(Debug, Clone, Default, FromRow, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OAuthRefreshRow {
    pub jti: String,
    pub family: String,
    pub client_id: String,
    pub scope: String,
    pub user_id: String,
    pub auth_time: i64,
    pub used_ms: Option<i64>,
    pub created_ms: i64,
    /// The `aud` of its access tokens (JSON array; empty = the client's own).
    pub audience: String,
}

const REFRESH_COLS: &str = "jti, family, client_id, scope, user_id, auth_time, used_ms, created_ms, audience";

pub async fn insert_refresh(conn: &mut Conn, scope: &Scope, r: &OAuthRefreshRow) -> ApiResult<()> {
    sqlx::query(&format!(
        "INSERT OR REPLACE INTO oauth_refresh_tokens (project_id, {REFRESH_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ))
    .bind(scope)
    .bind(&r.jti)
    .bind(&r.family)
    .bind(&r.client_id)
    .bind(&r.scope)
    .bind(&r.user_id)
    .bind(r.auth_time)
    .bind(r.used_ms)
    .bind(r.created_ms)
    .bind(&r.audience)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get_refresh(conn: &mut Conn, scope: &Scope, jti: &str) -> ApiResult<Option<OAuthRefreshRow>> {
    Ok(sqlx::query_as::<_, OAuthRefreshRow>(&format!(
        "SELECT {REFRESH_COLS} FROM oauth_refresh_tokens WHERE project_id = ? AND jti = ?"
    ))
    .bind(scope)
    .bind(jti)
    .fetch_optional(conn)
    .await?)
}

pub async fn all_refresh(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<OAuthRefreshRow>> {
    Ok(sqlx::query_as::<_, OAuthRefreshRow>(&format!(
        "SELECT {REFRESH_COLS} FROM oauth_refresh_tokens WHERE project_id = ? ORDER BY created_ms, jti"
    ))
    .bind(scope)
    .fetch_all(conn)
    .await?)
}

/// Marks a refresh token used, once: false when it was used already.
pub async fn mark_refresh_used(conn: &mut Conn, scope: &Scope, jti: &str, now_ms: i64) -> ApiResult<bool> {
    let r = sqlx::query(
        "UPDATE oauth_refresh_tokens SET used_ms = ? WHERE project_id = ? AND jti = ? AND used_ms IS NULL",
    )
    .bind(now_ms)
    .bind(scope)
    .bind(jti)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The session IDs (`jti`) of a family.
pub async fn family_jtis(conn: &mut Conn, scope: &Scope, family: &str) -> ApiResult<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT jti FROM oauth_refresh_tokens WHERE project_id = ? AND family = ?")
        .bind(scope)
        .bind(family)
        .fetch_all(conn)
        .await?)
}

/// An SSO application as stored: its management document in `body`.
#[derive(Debug, Clone, Default, FromRow, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SsoAppRow {
    pub id: String,
    pub name: String,
    pub app_type: String,
    pub body: String,
    pub created_ms: i64,
}

/// The data scopes holding an SSO app with this ID (any project).
pub async fn scopes_of_sso_app(conn: &mut Conn, id: &str) -> ApiResult<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT project_id FROM sso_apps WHERE id = ?").bind(id).fetch_all(conn).await?)
}

pub async fn get_sso_app(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<Option<SsoAppRow>> {
    Ok(sqlx::query_as::<_, SsoAppRow>(
        "SELECT id, name, app_type, body, created_ms FROM sso_apps WHERE project_id = ? AND id = ?",
    )
    .bind(scope)
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

pub async fn sso_app_by_name(conn: &mut Conn, scope: &Scope, name: &str) -> ApiResult<Option<SsoAppRow>> {
    Ok(sqlx::query_as::<_, SsoAppRow>(
        "SELECT id, name, app_type, body, created_ms FROM sso_apps WHERE project_id = ? AND name = ?",
    )
    .bind(scope)
    .bind(name)
    .fetch_optional(conn)
    .await?)
}

pub async fn all_sso_apps(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<SsoAppRow>> {
    Ok(sqlx::query_as::<_, SsoAppRow>(
        "SELECT id, name, app_type, body, created_ms FROM sso_apps WHERE project_id = ? ORDER BY created_ms, id",
    )
    .bind(scope)
    .fetch_all(conn)
    .await?)
}

pub async fn put_sso_app(conn: &mut Conn, scope: &Scope, r: &SsoAppRow) -> ApiResult<()> {
    sqlx::query(
        "INSERT OR REPLACE INTO sso_apps (project_id, id, name, app_type, body, created_ms) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(scope)
    .bind(&r.id)
    .bind(&r.name)
    .bind(&r.app_type)
    .bind(&r.body)
    .bind(r.created_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_sso_app(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<bool> {
    let r = sqlx::query("DELETE FROM sso_apps WHERE project_id = ? AND id = ?")
        .bind(scope)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() > 0)
}

/// A scope to claim mapping as stored (`claims` as JSON text).
#[derive(Debug, Clone, Default, FromRow, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MappingRow {
    pub scope: String,
    pub claims: String,
    pub description: String,
}

pub async fn mappings(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<MappingRow>> {
    Ok(sqlx::query_as::<_, MappingRow>(
        "SELECT scope, claims, description FROM scope_claim_mappings WHERE project_id = ? ORDER BY position",
    )
    .bind(scope)
    .fetch_all(conn)
    .await?)
}

/// Replaces every mapping of the project.
pub async fn set_mappings(conn: &mut Conn, scope: &Scope, rows: &[MappingRow]) -> ApiResult<()> {
    sqlx::query("DELETE FROM scope_claim_mappings WHERE project_id = ?")
        .bind(scope)
        .execute(&mut *conn)
        .await?;
    for (i, r) in rows.iter().enumerate() {
        sqlx::query(
            "INSERT INTO scope_claim_mappings (project_id, position, scope, claims, description) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(scope)
        .bind(i as i64)
        .bind(&r.scope)
        .bind(&r.claims)
        .bind(&r.description)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Up to `limit` users of the project for the sign-in page: a login ID and the name of each.
pub async fn known_users(conn: &mut Conn, scope: &Scope, limit: i64) -> ApiResult<Vec<(String, String)>> {
    Ok(sqlx::query_as::<_, (String, String)>(
        "SELECT l.login_id, u.name FROM users u JOIN user_login_ids l \
         ON l.project_id = u.project_id AND l.user_id = u.id \
         WHERE u.project_id = ? AND l.position = (SELECT MIN(position) FROM user_login_ids m \
           WHERE m.project_id = u.project_id AND m.user_id = u.id) \
         ORDER BY u.created_ms, u.id LIMIT ?",
    )
    .bind(scope)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}
