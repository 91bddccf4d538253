//! User search (`/v2/mgmt/user/search`, `/search/test`, `/v1/mgmt/user/search`) and the login
//! history of users (`/v1|v2/mgmt/user/history`).

use serde_json::Value;

use crate::domain::identity::users::{self, User};
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::store;
use crate::store::users::LoginRow;
pub use crate::store::users::{AttrValue, SortColumn, TenantRoles, TestUsers, UserQuery};
use crate::store::Db;

/// The page size when a search gives none (`limit: 0`).
pub const DEFAULT_LIMIT: i64 = 100;

/// A `sort[].field` of a search. Descope's list is `id, modifiedTime, createdTime, externalId,
/// displayName, tenant, phoneNumber, email, status`; the SDK spellings of the user object are
/// accepted too.
pub fn sort_column(field: &str) -> ApiResult<SortColumn> {
    Ok(match field {
        "id" | "userId" => SortColumn::Id,
        "createdTime" => SortColumn::CreatedTime,
        "modifiedTime" => SortColumn::ModifiedTime,
        "externalId" | "loginId" | "loginIds" => SortColumn::LoginId,
        "displayName" | "name" => SortColumn::Name,
        "email" => SortColumn::Email,
        "phoneNumber" | "phone" => SortColumn::Phone,
        "status" => SortColumn::Status,
        "tenant" | "tenants" => SortColumn::Tenant,
        other => return Err(ApiError::invalid(format!("Invalid sort field: {other}"))),
    })
}

/// The values one `customAttributes` entry matches: a scalar, or a list of scalars (any of
/// them).
pub fn attr_values(name: &str, value: &Value) -> ApiResult<Vec<AttrValue>> {
    fn scalar(name: &str, v: &Value) -> ApiResult<AttrValue> {
        match v {
            Value::String(s) => Ok(AttrValue::Text(s.clone())),
            Value::Bool(b) => Ok(AttrValue::Bool(*b)),
            Value::Number(n) => n
                .as_f64()
                .map(AttrValue::Number)
                .ok_or_else(|| ApiError::invalid(format!("Invalid value for custom attribute {name}"))),
            _ => Err(ApiError::invalid(format!("Invalid value for custom attribute {name}"))),
        }
    }
    match value {
        Value::Array(items) => items.iter().map(|v| scalar(name, v)).collect(),
        v => Ok(vec![scalar(name, v)?]),
    }
}

/// `(limit, offset)` of a search: `limit` 0 is [`DEFAULT_LIMIT`], `page` counts from 0, and a
/// positive `offset` wins over the page.
pub fn paging(limit: i64, page: i64, offset: i64) -> ApiResult<(i64, i64)> {
    if limit < 0 {
        return Err(ApiError::invalid("limit must not be negative"));
    }
    if page < 0 {
        return Err(ApiError::invalid("page must not be negative"));
    }
    let limit = if limit == 0 { DEFAULT_LIMIT } else { limit };
    let offset = if offset > 0 { offset } else { page.saturating_mul(limit) };
    Ok((limit, offset))
}

/// Runs a search: one page of users, in order, and how many match in all.
pub async fn search(db: &Db, ctx: &Ctx, q: &UserQuery) -> ApiResult<(Vec<User>, i64)> {
    let mut tx = db.begin().await?;
    let (ids, total) = store::users::search_ids(&mut tx, ctx.scope(), q).await?;
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(u) = users::find_by_id(&mut tx, ctx.scope(), &id).await? {
            found.push(u);
        }
    }
    tx.commit().await?;
    Ok((found, total))
}

/// The logins of the given users, newest first; unknown user IDs have none.
pub async fn history(db: &Db, ctx: &Ctx, user_ids: &[String]) -> ApiResult<Vec<Login>> {
    let ids: Vec<String> = user_ids.iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
    if ids.is_empty() {
        return Err(ApiError::missing("userIds"));
    }
    let mut conn = db.acquire().await?;
    let rows = store::users::login_history_of_users(&mut conn, ctx.scope(), &ids).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// One sign-in of a user, as the login history shows it (serialised as is by
/// `dto::user::LoginRecord`).
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Login {
    pub user_id: String,
    /// Unix seconds.
    pub login_time: i64,
    pub city: String,
    pub country: String,
    pub ip: String,
    pub selected_tenant: String,
}

impl From<LoginRow> for Login {
    fn from(l: LoginRow) -> Self {
        Login {
            user_id: l.user_id,
            login_time: l.login_ms / 1000,
            city: l.city,
            country: l.country,
            ip: l.ip,
            selected_tenant: l.selected_tenant,
        }
    }
}
