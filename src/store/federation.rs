//! Federated identities (`user_identities`), the fake providers' identity queue (`idp_queue`)
//! and their signing key (`idp_keys`); used by [`crate::domain::federation`].

use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use super::Conn;
use crate::error::ApiResult;
use crate::ids::{Scope, UserId};

/// A user's identity at a social provider or an SSO identity provider, as stored. Also the
/// snapshot's shape of it (camelCase).
#[derive(Debug, Clone, Default, FromRow, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct IdentityRow {
    /// `oauth` or `sso`.
    pub kind: String,
    /// The provider name (`oauth`) or the tenant ID (`sso`).
    pub issuer: String,
    /// The tenant's SSO configuration (`sso`); empty for the default one and for `oauth`.
    pub sso_id: String,
    /// The provider's stable subject for the person.
    pub subject: String,
    #[serde(skip)]
    pub user_id: String,
    pub email: String,
    /// JSON array of the group names the provider asserted last.
    pub groups: String,
    /// JSON object: the raw claims or attributes the provider asserted last.
    pub raw: String,
    pub created_ms: i64,
    pub modified_ms: i64,
}

row_columns! {
    IdentityRow => IDENTITY_COLUMNS, IDENTITY_PARAMS, bind_identity {
        kind, issuer, sso_id, subject, user_id, email, groups, raw, created_ms, modified_ms,
    }
}

/// Inserts an identity or, when one with the same (kind, issuer, ssoId, subject) exists,
/// replaces it (it may move to another user).
pub async fn upsert_identity(conn: &mut Conn, scope: &Scope, r: &IdentityRow) -> ApiResult<()> {
    let sql = format!(
        "INSERT INTO user_identities (project_id, {IDENTITY_COLUMNS}) VALUES (?, {IDENTITY_PARAMS}) \
         ON CONFLICT (project_id, kind, issuer, sso_id, subject) DO UPDATE SET user_id = excluded.user_id, \
         email = excluded.email, groups = excluded.groups, raw = excluded.raw, modified_ms = excluded.modified_ms"
    );
    bind_identity(sqlx::query(&sql).bind(scope), r).execute(conn).await?;
    Ok(())
}

pub async fn find_identity(
    conn: &mut Conn,
    scope: &Scope,
    kind: &str,
    issuer: &str,
    sso_id: &str,
    subject: &str,
) -> ApiResult<Option<IdentityRow>> {
    let sql = format!(
        "SELECT {IDENTITY_COLUMNS} FROM user_identities \
         WHERE project_id = ? AND kind = ? AND issuer = ? AND sso_id = ? AND subject = ?"
    );
    Ok(sqlx::query_as(&sql)
        .bind(scope)
        .bind(kind)
        .bind(issuer)
        .bind(sso_id)
        .bind(subject)
        .fetch_optional(conn)
        .await?)
}

/// The identities of one issuer (a provider, or a tenant with `sso_id` given or not),
/// most recently used first.
pub async fn identities_of_issuer(
    conn: &mut Conn,
    scope: &Scope,
    kind: &str,
    issuer: &str,
    sso_id: Option<&str>,
) -> ApiResult<Vec<IdentityRow>> {
    let sql = format!(
        "SELECT {IDENTITY_COLUMNS} FROM user_identities WHERE project_id = ? AND kind = ? AND issuer = ? \
         AND (? IS NULL OR sso_id = ?) ORDER BY modified_ms DESC, subject"
    );
    Ok(sqlx::query_as(&sql)
        .bind(scope)
        .bind(kind)
        .bind(issuer)
        .bind(sso_id)
        .bind(sso_id)
        .fetch_all(conn)
        .await?)
}

pub async fn identities_of_user(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &UserId,
) -> ApiResult<Vec<IdentityRow>> {
    let sql = format!(
        "SELECT {IDENTITY_COLUMNS} FROM user_identities WHERE project_id = ? AND user_id = ? \
         ORDER BY created_ms, kind, issuer, sso_id, subject"
    );
    Ok(sqlx::query_as(&sql).bind(scope).bind(user_id).fetch_all(conn).await?)
}

/// Deletes a user's identities of one kind and issuer; answers how many.
pub async fn delete_identities_of_user(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &UserId,
    kind: &str,
    issuer: &str,
) -> ApiResult<u64> {
    let r = sqlx::query(
        "DELETE FROM user_identities WHERE project_id = ? AND user_id = ? AND kind = ? AND issuer = ?",
    )
    .bind(scope)
    .bind(user_id)
    .bind(kind)
    .bind(issuer)
    .execute(conn)
    .await?;
    Ok(r.rows_affected())
}

/// Queues an identity (JSON) for the next sign-in at `target`.
pub async fn enqueue(
    conn: &mut Conn,
    scope: &Scope,
    target: &str,
    identity: &str,
    now_ms: i64,
) -> ApiResult<()> {
    sqlx::query("INSERT INTO idp_queue (project_id, target, identity, created_ms) VALUES (?, ?, ?, ?)")
        .bind(scope)
        .bind(target)
        .bind(identity)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(())
}

/// Takes the oldest identity queued for any of `targets` (most specific first is the
/// caller's business: the oldest of all of them wins), removing it.
pub async fn dequeue(conn: &mut Conn, scope: &Scope, targets: &[String]) -> ApiResult<Option<String>> {
    let mut q =
        sqlx::QueryBuilder::<sqlx::Sqlite>::new("SELECT seq, identity FROM idp_queue WHERE project_id = ");
    q.push_bind(scope).push(" AND target IN (");
    let mut sep = q.separated(", ");
    for t in targets {
        sep.push_bind(t);
    }
    q.push(") ORDER BY seq LIMIT 1");
    let row: Option<(i64, String)> = q.build_query_as().fetch_optional(&mut *conn).await?;
    let Some((seq, identity)) = row else { return Ok(None) };
    sqlx::query("DELETE FROM idp_queue WHERE project_id = ? AND seq = ?")
        .bind(scope)
        .bind(seq)
        .execute(conn)
        .await?;
    Ok(Some(identity))
}

/// The fake providers' signing key (PKCS#8 DER) of a project, if made.
pub async fn idp_key(conn: &mut Conn, scope: &Scope) -> ApiResult<Option<Vec<u8>>> {
    Ok(sqlx::query_scalar("SELECT pkcs8 FROM idp_keys WHERE project_id = ?")
        .bind(scope)
        .fetch_optional(conn)
        .await?)
}

/// Stores the fake providers' key unless one exists; answers the key in force.
pub async fn insert_idp_key(conn: &mut Conn, scope: &Scope, pkcs8: &[u8], now_ms: i64) -> ApiResult<Vec<u8>> {
    sqlx::query("INSERT OR IGNORE INTO idp_keys (project_id, pkcs8, created_ms) VALUES (?, ?, ?)")
        .bind(scope)
        .bind(pkcs8)
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    Ok(sqlx::query_scalar("SELECT pkcs8 FROM idp_keys WHERE project_id = ?")
        .bind(scope)
        .fetch_one(conn)
        .await?)
}
