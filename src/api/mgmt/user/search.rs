//! Descope API group `userManagement`: user search (`SearchUsersRequest` → `UsersResponse`).
//!
//! Every filter is applied in SQL (`store::users::search_ids`). Filter times are Unix ms
//! (numbers, or strings as the OpenAPI types them); `limit: 0` means 100 and `page` counts
//! from 0. Test users are hidden unless `withTestUser` or `testUsersOnly`; `/search/test`
//! returns only test users. `tenantRoleIds`/`tenantRoleNames` match a user that satisfies any
//! one of their tenant entries (unconfirmed against Descope). `includeSubTenants`,
//! `selectedColumns` and `ssoOnly` are accepted and ignored.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::domain::identity::search::{self, TenantRoles, TestUsers, UserQuery};
use crate::dto::user::User;
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, MgmtAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/mgmt/user/search" => search::<false>,
        POST "/v2/mgmt/user/search" => search::<false>,
        POST "/v2/mgmt/user/search/test" => search::<true>,
    }
}

/// A Unix-ms filter time: a number, a numeric string, or null/""/0 for "not given".
fn millis<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Int(i64),
        Float(f64),
        Text(String),
    }
    Ok(match Option::<Raw>::deserialize(d)? {
        None => 0,
        Some(Raw::Int(i)) => i,
        Some(Raw::Float(f)) => f as i64,
        Some(Raw::Text(s)) if s.trim().is_empty() => 0,
        Some(Raw::Text(s)) => {
            s.trim().parse().map_err(|_| serde::de::Error::custom(format!("not a Unix ms time: {s}")))?
        }
    })
}

/// `SortField`
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct SortField {
    field: String,
    desc: bool,
}

/// `StringArray`: role IDs or names in one tenant, any of them or all (`and`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RoleList {
    values: Vec<String>,
    and: bool,
}

/// `SearchUsersRequest`, with the SDK spellings.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct SearchUsersRequest {
    login_id: String,
    tenant_ids: Vec<String>,
    role_names: Vec<String>,
    limit: i64,
    page: i64,
    offset: i64,
    test_users_only: bool,
    with_test_user: bool,
    statuses: Vec<String>,
    emails: Vec<String>,
    phones: Vec<String>,
    custom_attributes: Map<String, Value>,
    sso_app_ids: Vec<String>,
    login_ids: Vec<String>,
    user_ids: Vec<String>,
    text: String,
    sort: Vec<SortField>,
    #[serde(deserialize_with = "millis")]
    from_created_time: i64,
    #[serde(deserialize_with = "millis")]
    to_created_time: i64,
    #[serde(deserialize_with = "millis")]
    from_modified_time: i64,
    #[serde(deserialize_with = "millis")]
    to_modified_time: i64,
    tenant_role_ids: BTreeMap<String, Option<RoleList>>,
    tenant_role_names: BTreeMap<String, Option<RoleList>>,
    verified_email: Option<bool>,
    verified_phone: Option<bool>,
    password: bool,
    totp: bool,
    webauthn: bool,
    scim: bool,
    scim_only: bool,
}

fn non_empty(values: Vec<String>) -> Vec<String> {
    values.into_iter().filter(|v| !v.is_empty()).collect()
}

fn tenant_roles(map: BTreeMap<String, Option<RoleList>>) -> Vec<TenantRoles> {
    map.into_iter()
        .filter(|(t, _)| !t.is_empty())
        .map(|(tenant_id, l)| {
            let l = l.unwrap_or_default();
            TenantRoles { tenant_id, values: non_empty(l.values), all: l.and }
        })
        .collect()
}

impl SearchUsersRequest {
    fn into_query(self, test_only: bool) -> ApiResult<UserQuery> {
        let (limit, offset) = search::paging(self.limit, self.page, self.offset)?;
        let mut login_ids = non_empty(self.login_ids);
        if !self.login_id.is_empty() {
            login_ids.push(self.login_id);
        }
        let custom_attributes = self
            .custom_attributes
            .iter()
            .map(|(k, v)| Ok((k.clone(), search::attr_values(k, v)?)))
            .collect::<ApiResult<Vec<_>>>()?;
        let sort = self
            .sort
            .iter()
            .filter(|s| !s.field.is_empty())
            .map(|s| Ok((search::sort_column(&s.field)?, s.desc)))
            .collect::<ApiResult<Vec<_>>>()?;
        let time = |ms: i64| Some(ms).filter(|&t| t > 0);
        Ok(UserQuery {
            test: if test_only || self.test_users_only {
                TestUsers::Only
            } else if self.with_test_user {
                TestUsers::Include
            } else {
                TestUsers::Exclude
            },
            tenant_ids: non_empty(self.tenant_ids),
            role_names: non_empty(self.role_names),
            statuses: non_empty(self.statuses),
            emails: non_empty(self.emails),
            phones: non_empty(self.phones),
            sso_app_ids: non_empty(self.sso_app_ids),
            login_ids,
            user_ids: non_empty(self.user_ids),
            custom_attributes,
            text: self.text.trim().to_owned(),
            created_from: time(self.from_created_time),
            created_to: time(self.to_created_time),
            modified_from: time(self.from_modified_time),
            modified_to: time(self.to_modified_time),
            tenant_role_ids: tenant_roles(self.tenant_role_ids),
            tenant_role_names: tenant_roles(self.tenant_role_names),
            verified_email: self.verified_email,
            verified_phone: self.verified_phone,
            with_password: self.password,
            with_totp: self.totp,
            with_webauthn: self.webauthn,
            scim_only: self.scim || self.scim_only,
            sort,
            limit,
            offset,
        })
    }
}

/// `UsersResponse`: one page and the number of all matches.
#[derive(Debug, Serialize)]
struct UsersResponse {
    users: Vec<User>,
    total: i64,
}

/// POST /v2/mgmt/user/search, /v2/mgmt/user/search/test (test users only), /v1/mgmt/user/search
/// Searches the project's users; `total` counts every match, not just the page.
async fn search<const TEST_ONLY: bool>(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<SearchUsersRequest>,
) -> ApiResult<Json<UsersResponse>> {
    let (users, total) = search::search(&s.db, &ctx, &body.into_query(TEST_ONLY)?).await?;
    Ok(Json(UsersResponse { users: users.iter().map(User::from).collect(), total }))
}
