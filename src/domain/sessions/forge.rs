//! Tokens made to order for negative tests of an app's validation (emulator-only): a user's
//! session or refresh JWT with chosen claims, lifetime, issuer and audience, signed by the
//! project's current key, its rotated-out key, a key of no project, or not at all
//! (`alg: none`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use serde_json::{Map, Value};
use std::sync::Arc;

use super::{refresh_claims, session_claims, TokenKind};
use crate::crypto::{KeyPool, SigningKey};
use crate::domain::identity::users;
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::store::{self, Db};

/// Which key signs a forged token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyChoice {
    /// The project's signing key: the token validates (unless its claims say otherwise).
    Current,
    /// The key the last rotation retired (its tokens validate until the grace period ends).
    Previous,
    /// A key of no project, the same for the whole process.
    Foreign,
}

/// What `POST /emulator/v1/projects/{id}/tokens` asks for, checked.
#[derive(Debug, Clone)]
pub struct ForgeRequest {
    pub login_id: String,
    pub user_id: String,
    pub kind: TokenKind,
    /// Set over the usual claims, top-level (may replace them).
    pub claims: Map<String, Value>,
    /// Lifetime from now (emulator clock); negative: already expired.
    pub ttl_seconds: Option<i64>,
    pub issuer: Option<String>,
    pub audience: Option<Value>,
    pub key: KeyChoice,
    /// `alg: none`, no signature.
    pub unsigned: bool,
}

/// The process-wide foreign key, generated on first use.
static FOREIGN: tokio::sync::OnceCell<Arc<SigningKey>> = tokio::sync::OnceCell::const_new();

async fn foreign_key(pool: &KeyPool) -> ApiResult<Arc<SigningKey>> {
    FOREIGN
        .get_or_try_init(|| async {
            let pkcs8 = pool.take().await?;
            Ok::<_, ApiError>(Arc::new(SigningKey::from_pkcs8(&pkcs8).map_err(ApiError::internal)?))
        })
        .await
        .cloned()
}

/// Makes the token.
pub async fn forge(db: &Db, ctx: &Ctx, pool: &KeyPool, req: ForgeRequest) -> ApiResult<String> {
    if let Some(ttl) = req.ttl_seconds {
        if ttl.abs() > crate::clock::MAX_DURATION_SECS {
            return Err(ApiError::invalid(format!(
                "ttlSeconds must be between -{0} and {0}",
                crate::clock::MAX_DURATION_SECS
            )));
        }
    }
    let key =
        match req.key {
            KeyChoice::Current => Some(ctx.project.signing.clone()),
            KeyChoice::Previous => Some(ctx.project.previous.clone().ok_or_else(|| {
                ApiError::invalid("The project has no rotated-out key; rotate its key first")
            })?),
            KeyChoice::Foreign => Some(foreign_key(pool).await?),
        };
    let mut tx = store::begin_immediate(db).await?;
    let user = match (req.login_id.is_empty(), req.user_id.is_empty()) {
        (false, _) => users::find_by_login_id(&mut tx, ctx.scope(), &req.login_id)
            .await?
            .ok_or_else(|| ApiError::mgmt_user_not_found(&req.login_id))?,
        (true, false) => users::find_by_id(&mut tx, ctx.scope(), &req.user_id)
            .await?
            .ok_or_else(|| ApiError::mgmt_user_not_found(&req.user_id))?,
        (true, true) => return Err(ApiError::missing("loginId")),
    };
    let claims = match req.kind {
        TokenKind::Session => session_claims(&mut tx, ctx, &user, &[], None, &Map::new()).await?,
        TokenKind::Refresh => {
            let ttl = req.ttl_seconds.filter(|t| *t > 0).unwrap_or(0);
            refresh_claims(&mut tx, ctx, &user, &[], None, &Map::new(), ttl).await?
        }
    };
    tx.commit().await?;
    let mut payload = match serde_json::to_value(&claims)? {
        Value::Object(m) => m,
        _ => return Err(ApiError::internal("claims are not an object")),
    };
    if let Some(ttl) = req.ttl_seconds {
        payload.insert("exp".into(), Value::from(claims.iat.saturating_add(ttl)));
    }
    if let Some(iss) = req.issuer {
        payload.insert("iss".into(), Value::String(iss));
    }
    if let Some(aud) = req.audience {
        payload.insert("aud".into(), aud);
    }
    payload.extend(req.claims);
    let payload = Value::Object(payload);
    if req.unsigned {
        let header = serde_json::to_vec(&serde_json::json!({"alg": "none", "typ": "JWT"}))?;
        return Ok(format!("{}.{}.", B64.encode(header), B64.encode(serde_json::to_vec(&payload)?)));
    }
    let key = key.ok_or_else(|| ApiError::internal("no key"))?;
    tokio::task::spawn_blocking(move || key.sign(&payload)).await.map_err(ApiError::internal)?
}
