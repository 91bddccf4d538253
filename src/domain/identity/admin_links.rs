//! Tenant admin links: SSO setup links handed to a tenant's administrator
//! (`/v1|v2/mgmt/tenant/adminlinks/sso/*`). A link is `<public-url>/sso-setup?t=<token>`,
//! valid for its expiry unless revoked; given an email, it is also mailed (outbox kind
//! `adminlink`).

use crate::crypto;
use crate::domain::identity::tenants;
use crate::domain::messaging::channel::ChannelKind;
use crate::domain::messaging::outbox::{self, Outgoing};
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::store::admin_links::{self as store, AdminLinkRow};
use crate::store::{Conn, Db};

/// The outbox kind of a mailed admin link.
pub const ADMIN_LINK_KIND: &str = "adminlink";
/// How long a link lives when the caller gives no expiry (guess: one day).
pub const DEFAULT_EXPIRE_SECS: i64 = 24 * 60 * 60;
/// The longest expiry accepted (guess: 30 days).
pub const MAX_EXPIRE_SECS: i64 = 30 * 24 * 60 * 60;

/// What a generate call asks for.
#[derive(Debug, Default, Clone)]
pub struct LinkRequest {
    pub tenant_id: String,
    pub sso_id: String,
    /// Seconds; 0 = the default.
    pub expire_secs: i64,
    pub email: String,
    pub actor_id: String,
}

/// The state of a link token as the setup page sees it.
#[derive(Debug, Clone)]
pub enum LinkState {
    Valid(AdminLinkRow),
    Expired(AdminLinkRow),
    Revoked(AdminLinkRow),
    Unknown,
}

/// The URL of a link token.
pub fn link_url(public_url: &str, token: &str) -> String {
    format!("{}/sso-setup?t={token}", public_url.trim_end_matches('/'))
}

fn check_email(email: &str) -> ApiResult<()> {
    if !email.is_empty() && !email.contains('@') {
        return Err(ApiError::invalid("email is not a valid email address"));
    }
    Ok(())
}

async fn create(
    conn: &mut Conn,
    ctx: &Ctx,
    public_url: &str,
    req: &LinkRequest,
) -> ApiResult<(String, bool)> {
    if req.expire_secs < 0 || req.expire_secs > MAX_EXPIRE_SECS {
        return Err(ApiError::invalid(format!("expireTime must be between 0 and {MAX_EXPIRE_SECS} seconds")));
    }
    let secs = if req.expire_secs == 0 { DEFAULT_EXPIRE_SECS } else { req.expire_secs };
    let row = AdminLinkRow {
        token: crypto::random_alnum(40),
        tenant_id: req.tenant_id.clone(),
        sso_id: req.sso_id.clone(),
        email: req.email.clone(),
        actor_id: req.actor_id.clone(),
        created_ms: ctx.now.millis(),
        expires_ms: ctx.now.plus_secs(secs).millis(),
        revoked: false,
    };
    store::insert(conn, ctx.scope(), &row).await?;
    let url = link_url(public_url, &row.token);
    let mailed = mail(conn, ctx, &req.email, &url).await?;
    Ok((url, mailed))
}

async fn mail(conn: &mut Conn, ctx: &Ctx, email: &str, url: &str) -> ApiResult<bool> {
    if email.is_empty() {
        return Ok(false);
    }
    outbox::write(
        conn,
        ctx,
        Outgoing {
            channel: ChannelKind::Email,
            to: email,
            login_id: email,
            kind: ADMIN_LINK_KIND,
            code: None,
            link: Some(url),
            token: None,
        },
    )
    .await?;
    Ok(true)
}

async fn require_tenant(conn: &mut Conn, ctx: &Ctx, tenant_id: &str) -> ApiResult<()> {
    if tenant_id.trim().is_empty() {
        return Err(ApiError::missing("tenantId"));
    }
    tenants::require(conn, ctx.scope(), tenant_id).await.map(|_| ())
}

/// `generate` (v1 and v2): a new link; answers it and whether a message was written (the
/// caller wakes outbox readers).
pub async fn generate(db: &Db, ctx: &Ctx, public_url: &str, req: &LinkRequest) -> ApiResult<(String, bool)> {
    check_email(&req.email)?;
    let mut tx = db.begin().await?;
    require_tenant(&mut tx, ctx, &req.tenant_id).await?;
    let out = create(&mut tx, ctx, public_url, req).await?;
    tx.commit().await?;
    Ok(out)
}

/// `send`: mails the newest live link of the tenant's configuration to `email`, making one
/// (default expiry) when there is none.
pub async fn send(
    db: &Db,
    ctx: &Ctx,
    public_url: &str,
    tenant_id: &str,
    sso_id: &str,
    email: &str,
) -> ApiResult<()> {
    if email.trim().is_empty() {
        return Err(ApiError::missing("email"));
    }
    check_email(email)?;
    let mut tx = db.begin().await?;
    require_tenant(&mut tx, ctx, tenant_id).await?;
    match store::latest_live(&mut tx, ctx.scope(), tenant_id, sso_id, ctx.now.millis()).await? {
        Some(row) => {
            mail(&mut tx, ctx, email, &link_url(public_url, &row.token)).await?;
        }
        None => {
            let req = LinkRequest {
                tenant_id: tenant_id.to_owned(),
                sso_id: sso_id.to_owned(),
                email: email.to_owned(),
                ..LinkRequest::default()
            };
            create(&mut tx, ctx, public_url, &req).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// `authenticated`: the newest live link of the tenant's configuration, made (default
/// expiry) when there is none.
pub async fn authenticated(
    db: &Db,
    ctx: &Ctx,
    public_url: &str,
    tenant_id: &str,
    sso_id: &str,
) -> ApiResult<String> {
    let mut tx = db.begin().await?;
    require_tenant(&mut tx, ctx, tenant_id).await?;
    let url = match store::latest_live(&mut tx, ctx.scope(), tenant_id, sso_id, ctx.now.millis()).await? {
        Some(row) => link_url(public_url, &row.token),
        None => {
            let req = LinkRequest {
                tenant_id: tenant_id.to_owned(),
                sso_id: sso_id.to_owned(),
                ..LinkRequest::default()
            };
            create(&mut tx, ctx, public_url, &req).await?.0
        }
    };
    tx.commit().await?;
    Ok(url)
}

/// `revoke`: voids the live links of the tenant (of one configuration when `sso_id` is
/// given); answers how many.
pub async fn revoke(db: &Db, ctx: &Ctx, tenant_id: &str, sso_id: Option<&str>) -> ApiResult<u64> {
    let mut tx = db.begin().await?;
    require_tenant(&mut tx, ctx, tenant_id).await?;
    let n = store::revoke(&mut tx, ctx.scope(), tenant_id, sso_id).await?;
    tx.commit().await?;
    Ok(n)
}

/// The project a link token belongs to (the setup page's URL carries only the token).
pub async fn project_of(db: &Db, token: &str) -> ApiResult<Option<String>> {
    if token.is_empty() || token.len() > 128 {
        return Ok(None);
    }
    let mut conn = db.acquire().await?;
    store::project_of(&mut conn, token).await
}

/// What a link token is worth now.
pub async fn inspect(db: &Db, ctx: &Ctx, token: &str) -> ApiResult<LinkState> {
    let mut conn = db.acquire().await?;
    Ok(match store::get(&mut conn, ctx.scope(), token).await? {
        None => LinkState::Unknown,
        Some(row) if row.revoked => LinkState::Revoked(row),
        Some(row) if row.expires_ms <= ctx.now.millis() => LinkState::Expired(row),
        Some(row) => LinkState::Valid(row),
    })
}
