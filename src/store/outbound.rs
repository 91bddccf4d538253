//! Outbound apps' tables: the apps (`outbound_apps`, a JSON document each) and the tokens
//! kept for them (`outbound_tokens`).

use sqlx::FromRow;

use super::Conn;
use crate::error::ApiResult;
use crate::ids::Scope;

/// An outbound app as stored: its management document in `body`; the client secret apart.
#[derive(Debug, Clone, Default, FromRow, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AppRow {
    pub id: String,
    pub name: String,
    pub body: String,
    pub client_secret: String,
    pub created_ms: i64,
}

row_columns! {
    AppRow => APP_COLS, APP_PARAMS, bind_app { id, name, body, client_secret, created_ms }
}

/// A token as stored (`scopes` as JSON text; times in Unix seconds, 0 = none).
#[derive(Debug, Clone, Default, FromRow, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TokenRow {
    pub id: String,
    pub app_id: String,
    pub user_id: String,
    pub tenant_id: String,
    pub external_identifier: String,
    pub kind: String,
    pub access_token: String,
    pub access_token_type: String,
    pub access_token_expiry: i64,
    pub refresh_token: String,
    pub id_token: String,
    pub scopes: String,
    pub granted_by: String,
    pub token_sub: String,
    pub last_refresh_secs: i64,
    pub last_refresh_error: String,
    pub created_secs: i64,
    pub modified_ms: i64,
}

row_columns! {
    TokenRow => TOKEN_COLS, TOKEN_PARAMS, bind_token {
        id, app_id, user_id, tenant_id, external_identifier, kind, access_token, access_token_type,
        access_token_expiry, refresh_token, id_token, scopes, granted_by, token_sub,
        last_refresh_secs, last_refresh_error, created_secs, modified_ms,
    }
}

pub async fn all_apps(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<AppRow>> {
    let sql = format!("SELECT {APP_COLS} FROM outbound_apps WHERE project_id = ? ORDER BY created_ms, id");
    super::rows_of_scope(conn, &sql, scope).await
}

pub async fn get_app(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<Option<AppRow>> {
    let sql = format!("SELECT {APP_COLS} FROM outbound_apps WHERE project_id = ? AND id = ?");
    Ok(sqlx::query_as::<_, AppRow>(&sql).bind(scope).bind(id).fetch_optional(conn).await?)
}

pub async fn app_by_name(conn: &mut Conn, scope: &Scope, name: &str) -> ApiResult<Option<AppRow>> {
    let sql = format!("SELECT {APP_COLS} FROM outbound_apps WHERE project_id = ? AND name = ?");
    Ok(sqlx::query_as::<_, AppRow>(&sql).bind(scope).bind(name).fetch_optional(conn).await?)
}

/// Inserts an app or replaces the one with its ID.
pub async fn put_app(conn: &mut Conn, scope: &Scope, r: &AppRow) -> ApiResult<()> {
    let sql =
        format!("INSERT OR REPLACE INTO outbound_apps (project_id, {APP_COLS}) VALUES (?, {APP_PARAMS})");
    bind_app(sqlx::query(&sql).bind(scope), r).execute(conn).await?;
    Ok(())
}

/// Deletes an app and its tokens: whether there was one.
pub async fn delete_app(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<bool> {
    sqlx::query("DELETE FROM outbound_tokens WHERE project_id = ? AND app_id = ?")
        .bind(scope)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let r = sqlx::query("DELETE FROM outbound_apps WHERE project_id = ? AND id = ?")
        .bind(scope)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() > 0)
}

pub async fn all_tokens(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<TokenRow>> {
    let sql =
        format!("SELECT {TOKEN_COLS} FROM outbound_tokens WHERE project_id = ? ORDER BY created_secs, modified_ms, id");
    super::rows_of_scope(conn, &sql, scope).await
}

pub async fn get_token(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<Option<TokenRow>> {
    let sql = format!("SELECT {TOKEN_COLS} FROM outbound_tokens WHERE project_id = ? AND id = ?");
    Ok(sqlx::query_as::<_, TokenRow>(&sql).bind(scope).bind(id).fetch_optional(conn).await?)
}

/// The tokens of an app held by a user (`user_id` empty: by the tenant itself) in a tenant
/// (`''` = none), the most recently written first.
pub async fn tokens_of(
    conn: &mut Conn,
    scope: &Scope,
    app_id: &str,
    user_id: &str,
    tenant_id: &str,
) -> ApiResult<Vec<TokenRow>> {
    let sql = format!(
        "SELECT {TOKEN_COLS} FROM outbound_tokens WHERE project_id = ? AND app_id = ? AND user_id = ? \
         AND tenant_id = ? ORDER BY modified_ms DESC, id"
    );
    Ok(sqlx::query_as::<_, TokenRow>(&sql)
        .bind(scope)
        .bind(app_id)
        .bind(user_id)
        .bind(tenant_id)
        .fetch_all(conn)
        .await?)
}

/// Every token a user holds (of every app and tenant).
pub async fn tokens_of_user(conn: &mut Conn, scope: &Scope, user_id: &str) -> ApiResult<Vec<TokenRow>> {
    let sql = format!(
        "SELECT {TOKEN_COLS} FROM outbound_tokens WHERE project_id = ? AND user_id = ? ORDER BY app_id, id"
    );
    Ok(sqlx::query_as::<_, TokenRow>(&sql).bind(scope).bind(user_id).fetch_all(conn).await?)
}

/// Inserts a token, replacing the one with its ID or with its holder (app, user, tenant,
/// external identifier).
pub async fn put_token(conn: &mut Conn, scope: &Scope, r: &TokenRow) -> ApiResult<()> {
    let sql = format!(
        "INSERT OR REPLACE INTO outbound_tokens (project_id, {TOKEN_COLS}) VALUES (?, {TOKEN_PARAMS})"
    );
    bind_token(sqlx::query(&sql).bind(scope), r).execute(conn).await?;
    Ok(())
}

pub async fn delete_token(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<bool> {
    let r = sqlx::query("DELETE FROM outbound_tokens WHERE project_id = ? AND id = ?")
        .bind(scope)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() > 0)
}

/// Deletes the user tokens (not tenant tokens) of an app, of a user, or of a user for an app
/// (an empty filter matches all): how many.
pub async fn delete_user_tokens(
    conn: &mut Conn,
    scope: &Scope,
    app_id: &str,
    user_id: &str,
) -> ApiResult<u64> {
    let r = sqlx::query(
        "DELETE FROM outbound_tokens WHERE project_id = ? AND user_id <> '' \
         AND (? = '' OR app_id = ?) AND (? = '' OR user_id = ?)",
    )
    .bind(scope)
    .bind(app_id)
    .bind(app_id)
    .bind(user_id)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(r.rows_affected())
}
