//! The identities users brought from social providers and SSO identity providers: which
//! provider subject is which user. A sign-in at a provider finds its user here first, so a
//! person keeps their account when their email changes at the provider.

use serde_json::Value;

use crate::error::ApiResult;
use crate::ids::{Scope, UserId};
use crate::store::{self, federation::IdentityRow, Conn};

/// `user_identities.kind` of social providers' identities.
pub const OAUTH: &str = "oauth";
/// `user_identities.kind` of SSO identity providers' identities.
pub const SSO: &str = "sso";

/// A user's identity at a provider.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinkedIdentity {
    pub user_id: String,
    /// [`OAUTH`] or [`SSO`].
    pub kind: String,
    /// The provider name, or the tenant ID.
    pub issuer: String,
    /// The tenant's SSO configuration; empty for the default one and for social providers.
    pub sso_id: String,
    pub subject: String,
    pub email: String,
    /// The groups the provider asserted at the last sign-in.
    pub groups: Vec<String>,
    /// The raw claims or attributes of the last sign-in.
    pub raw: Value,
    pub created_ms: i64,
    /// When it was last used to sign in (read only: [`link`] sets it).
    pub modified_ms: i64,
}

impl From<IdentityRow> for LinkedIdentity {
    fn from(r: IdentityRow) -> Self {
        LinkedIdentity {
            groups: store::from_json_text(&r.groups),
            raw: serde_json::from_str(&r.raw).unwrap_or(Value::Null),
            user_id: r.user_id,
            kind: r.kind,
            issuer: r.issuer,
            sso_id: r.sso_id,
            subject: r.subject,
            email: r.email,
            created_ms: r.created_ms,
            modified_ms: r.modified_ms,
        }
    }
}

pub async fn find(
    conn: &mut Conn,
    scope: &Scope,
    kind: &str,
    issuer: &str,
    sso_id: &str,
    subject: &str,
) -> ApiResult<Option<LinkedIdentity>> {
    Ok(store::federation::find_identity(conn, scope, kind, issuer, sso_id, subject).await?.map(Into::into))
}

/// Links an identity to its user (or moves it to another), keeping its first link time;
/// `now_ms` is when it was used.
pub async fn link(conn: &mut Conn, scope: &Scope, l: &LinkedIdentity, now_ms: i64) -> ApiResult<()> {
    let row = IdentityRow {
        kind: l.kind.clone(),
        issuer: l.issuer.clone(),
        sso_id: l.sso_id.clone(),
        subject: l.subject.clone(),
        user_id: l.user_id.clone(),
        email: l.email.clone(),
        groups: store::json_text(&l.groups)?,
        raw: if l.raw.is_null() { "{}".into() } else { l.raw.to_string() },
        created_ms: if l.created_ms > 0 { l.created_ms } else { now_ms },
        modified_ms: now_ms,
    };
    store::federation::upsert_identity(conn, scope, &row).await
}

/// The identities of a provider, or of a tenant (all its SSO configurations, or one).
pub async fn of_issuer(
    conn: &mut Conn,
    scope: &Scope,
    kind: &str,
    issuer: &str,
    sso_id: Option<&str>,
) -> ApiResult<Vec<LinkedIdentity>> {
    let rows = store::federation::identities_of_issuer(conn, scope, kind, issuer, sso_id).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn of_user(conn: &mut Conn, scope: &Scope, user_id: &UserId) -> ApiResult<Vec<LinkedIdentity>> {
    let rows = store::federation::identities_of_user(conn, scope, user_id).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Detaches a user's identities of one provider or tenant; answers how many there were.
pub async fn unlink_user(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &UserId,
    kind: &str,
    issuer: &str,
) -> ApiResult<u64> {
    store::federation::delete_identities_of_user(conn, scope, user_id, kind, issuer).await
}
