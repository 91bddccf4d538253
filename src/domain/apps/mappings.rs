//! The project's scope→claim mappings (`/v1/mgmt/scopeClaimMapping/*`): for a scope, claims
//! (static values or `{{user.<field>}}` templates) the authorization server adds to ID tokens
//! when the scope is granted.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::store::{self, apps::MappingRow, Db};

/// One mapping as the API shows it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Mapping {
    pub scope: String,
    pub claims: Map<String, Value>,
    pub description: String,
}

/// Every mapping, in the order set.
pub async fn get(db: &Db, ctx: &Ctx) -> ApiResult<Vec<Mapping>> {
    let mut conn = db.acquire().await?;
    Ok(store::apps::mappings(&mut conn, ctx.scope())
        .await?
        .into_iter()
        .map(|r| Mapping {
            scope: r.scope,
            claims: store::from_json_text(&r.claims),
            description: r.description,
        })
        .collect())
}

/// Replaces every mapping.
pub async fn set(db: &Db, ctx: &Ctx, mappings: Vec<Mapping>) -> ApiResult<()> {
    let mut rows: Vec<MappingRow> = Vec::new();
    for m in mappings {
        if m.scope.trim().is_empty() || m.scope.contains(char::is_whitespace) {
            return Err(ApiError::invalid("Every mapping needs a scope without spaces"));
        }
        if rows.iter().any(|r| r.scope == m.scope) {
            return Err(ApiError::invalid(format!("Scope {} is mapped twice", m.scope)));
        }
        rows.push(MappingRow {
            scope: m.scope,
            claims: store::json_text(&m.claims)?,
            description: m.description,
        });
    }
    let mut tx = store::begin_immediate(db).await?;
    store::apps::set_mappings(&mut tx, ctx.scope(), &rows).await?;
    tx.commit().await
}

/// Deletes every mapping.
pub async fn delete(db: &Db, ctx: &Ctx) -> ApiResult<()> {
    set(db, ctx, Vec::new()).await
}
