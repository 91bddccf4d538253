//! Descope API group `scimManagement`: SCIM 2.0 provisioning (RFC 7643/7644) for IdPs such
//! as Okta and Entra ID, with `Authorization: Bearer <projectId>:<accessKey>` of a Tenant
//! Admin access key (the domain, `domain::identity::scim`, verifies it and picks the tenant).
//!
//! Bodies are read as JSON whatever their Content-Type (`application/scim+json` or
//! `application/json`); answers are `application/scim+json`, with RFC status codes (201 and
//! `Location` on create, 204 on delete and group PATCH). Errors answer in the format of RFC
//! 7644 section 3.12 (the `Scim` error surface). `POST /scim/v2/Users`, `GET /scim/v2/Schemas`
//! and the single ResourceType and Schema reads are not in Descope's API list; IdPs call them.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use crate::domain::identity::scim::{self, discovery, ListQuery, Scim};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{DescopeJson, DescopeQuery, ScimAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    surface Scim;
    built {
        GET "/scim/v2/Groups" => search_groups,
        POST "/scim/v2/Groups" => create_group,
        DELETE "/scim/v2/Groups/{groupId}" => delete_group,
        GET "/scim/v2/Groups/{groupId}" => load_group,
        PATCH "/scim/v2/Groups/{groupId}" => patch_group,
        PUT "/scim/v2/Groups/{groupId}" => update_group,
        GET "/scim/v2/ResourceTypes" => resource_types,
        GET "/scim/v2/ResourceTypes/{id}" => resource_type,
        GET "/scim/v2/Schemas" => schemas,
        GET "/scim/v2/Schemas/{id}" => schema,
        GET "/scim/v2/ServiceProviderConfig" => service_provider_config,
        GET "/scim/v2/Users" => search_users,
        POST "/scim/v2/Users" => create_user,
        DELETE "/scim/v2/Users/{userId}" => delete_user,
        GET "/scim/v2/Users/{userId}" => load_user,
        PATCH "/scim/v2/Users/{userId}" => patch_user,
        PUT "/scim/v2/Users/{userId}" => update_user,
    }
}

/// A SCIM answer: status, `application/scim+json` body (none for 204), `Location` on create.
struct ScimReply {
    status: StatusCode,
    body: Option<Value>,
    location: Option<String>,
}

impl ScimReply {
    fn ok(body: Value) -> Self {
        ScimReply { status: StatusCode::OK, body: Some(body), location: None }
    }

    fn created(body: Value, location: String) -> Self {
        ScimReply { status: StatusCode::CREATED, body: Some(body), location: Some(location) }
    }

    fn no_content() -> Self {
        ScimReply { status: StatusCode::NO_CONTENT, body: None, location: None }
    }
}

impl IntoResponse for ScimReply {
    fn into_response(self) -> Response {
        let mut response = match self.body {
            Some(body) => (self.status, body.to_string()).into_response(),
            None => self.status.into_response(),
        };
        if self.status != StatusCode::NO_CONTENT {
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/scim+json"));
        }
        if let Some(l) = self.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
            response.headers_mut().insert(header::LOCATION, l);
        }
        response
    }
}

async fn scim_of(s: &AppState, auth: ScimAuth) -> ApiResult<Scim> {
    scim::authenticate(&s.db, auth.ctx, &auth.access_key).await
}

/// `?filter=&startIndex=&count=&attributes=&excludedAttributes=` (numbers as text, so a bad
/// one is a SCIM `invalidValue`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ListParams {
    filter: Option<String>,
    start_index: Option<String>,
    count: Option<String>,
    attributes: Option<String>,
    excluded_attributes: Option<String>,
}

fn number(name: &str, v: Option<String>) -> ApiResult<Option<i64>> {
    v.filter(|v| !v.trim().is_empty())
        .map(|v| v.trim().parse::<i64>().map_err(|_| ApiError::invalid(format!("{name} must be an integer"))))
        .transpose()
}

fn names(v: Option<String>) -> Vec<String> {
    v.unwrap_or_default().split(',').map(|a| a.trim().to_owned()).filter(|a| !a.is_empty()).collect()
}

impl ListParams {
    fn query(self) -> ApiResult<ListQuery> {
        Ok(ListQuery {
            filter: self.filter,
            start_index: number("startIndex", self.start_index)?,
            count: number("count", self.count)?,
            attributes: names(self.attributes),
            excluded_attributes: names(self.excluded_attributes),
        })
    }
}

/// GET /scim/v2/Users
async fn search_users(
    State(s): State<AppState>,
    auth: ScimAuth,
    DescopeQuery(q): DescopeQuery<ListParams>,
) -> ApiResult<ScimReply> {
    let sc = scim_of(&s, auth).await?;
    Ok(ScimReply::ok(scim::list_users(&s.db, &sc, &q.query()?).await?))
}

/// POST /scim/v2/Users
async fn create_user(State(s): State<AppState>, auth: ScimAuth, DescopeJson(body): DescopeJson<Value>) -> ApiResult<ScimReply> {
    let sc = scim_of(&s, auth).await?;
    let (id, user) = scim::create_user(&s.db, &sc, &body).await?;
    Ok(ScimReply::created(user, sc.user_location(&id)))
}

/// GET /scim/v2/Users/{userId}
async fn load_user(State(s): State<AppState>, auth: ScimAuth, Path(id): Path<String>) -> ApiResult<ScimReply> {
    let sc = scim_of(&s, auth).await?;
    Ok(ScimReply::ok(scim::load_user(&s.db, &sc, &id).await?))
}

/// PUT /scim/v2/Users/{userId}
async fn update_user(
    State(s): State<AppState>,
    auth: ScimAuth,
    Path(id): Path<String>,
    DescopeJson(body): DescopeJson<Value>,
) -> ApiResult<ScimReply> {
    let sc = scim_of(&s, auth).await?;
    Ok(ScimReply::ok(scim::replace_user(&s.db, &sc, &id, &body).await?))
}

/// PATCH /scim/v2/Users/{userId}
async fn patch_user(
    State(s): State<AppState>,
    auth: ScimAuth,
    Path(id): Path<String>,
    DescopeJson(body): DescopeJson<Value>,
) -> ApiResult<ScimReply> {
    let sc = scim_of(&s, auth).await?;
    Ok(ScimReply::ok(scim::patch_user(&s.db, &sc, &id, &body).await?))
}

/// DELETE /scim/v2/Users/{userId}
async fn delete_user(State(s): State<AppState>, auth: ScimAuth, Path(id): Path<String>) -> ApiResult<ScimReply> {
    let sc = scim_of(&s, auth).await?;
    scim::delete_user(&s.db, &sc, &id).await?;
    Ok(ScimReply::no_content())
}

/// GET /scim/v2/Groups
async fn search_groups(
    State(s): State<AppState>,
    auth: ScimAuth,
    DescopeQuery(q): DescopeQuery<ListParams>,
) -> ApiResult<ScimReply> {
    let sc = scim_of(&s, auth).await?;
    Ok(ScimReply::ok(scim::list_groups(&s.db, &sc, &q.query()?).await?))
}

/// POST /scim/v2/Groups
async fn create_group(State(s): State<AppState>, auth: ScimAuth, DescopeJson(body): DescopeJson<Value>) -> ApiResult<ScimReply> {
    let sc = scim_of(&s, auth).await?;
    let (id, group) = scim::create_group(&s.db, &sc, &body).await?;
    Ok(ScimReply::created(group, sc.group_location(&id)))
}

/// GET /scim/v2/Groups/{groupId}
async fn load_group(State(s): State<AppState>, auth: ScimAuth, Path(id): Path<String>) -> ApiResult<ScimReply> {
    let sc = scim_of(&s, auth).await?;
    Ok(ScimReply::ok(scim::load_group(&s.db, &sc, &id).await?))
}

/// PUT /scim/v2/Groups/{groupId}
async fn update_group(
    State(s): State<AppState>,
    auth: ScimAuth,
    Path(id): Path<String>,
    DescopeJson(body): DescopeJson<Value>,
) -> ApiResult<ScimReply> {
    let sc = scim_of(&s, auth).await?;
    Ok(ScimReply::ok(scim::replace_group(&s.db, &sc, &id, &body).await?))
}

/// PATCH /scim/v2/Groups/{groupId}
async fn patch_group(
    State(s): State<AppState>,
    auth: ScimAuth,
    Path(id): Path<String>,
    DescopeJson(body): DescopeJson<Value>,
) -> ApiResult<ScimReply> {
    let sc = scim_of(&s, auth).await?;
    scim::patch_group(&s.db, &sc, &id, &body).await?;
    Ok(ScimReply::no_content())
}

/// DELETE /scim/v2/Groups/{groupId}
async fn delete_group(State(s): State<AppState>, auth: ScimAuth, Path(id): Path<String>) -> ApiResult<ScimReply> {
    let sc = scim_of(&s, auth).await?;
    scim::delete_group(&s.db, &sc, &id).await?;
    Ok(ScimReply::no_content())
}

/// GET /scim/v2/ServiceProviderConfig
async fn service_provider_config(State(s): State<AppState>, auth: ScimAuth) -> ApiResult<ScimReply> {
    let sc = scim_of(&s, auth).await?;
    Ok(ScimReply::ok(discovery::service_provider_config(&sc)))
}

/// GET /scim/v2/ResourceTypes
async fn resource_types(State(s): State<AppState>, auth: ScimAuth) -> ApiResult<ScimReply> {
    let sc = scim_of(&s, auth).await?;
    Ok(ScimReply::ok(discovery::resource_types_list(&sc)))
}

/// GET /scim/v2/ResourceTypes/{id}
async fn resource_type(State(s): State<AppState>, auth: ScimAuth, Path(id): Path<String>) -> ApiResult<ScimReply> {
    let sc = scim_of(&s, auth).await?;
    discovery::resource_types(&sc)
        .into_iter()
        .find(|r| r["id"].as_str().is_some_and(|r| r.eq_ignore_ascii_case(&id)))
        .map(ScimReply::ok)
        .ok_or_else(|| ApiError::not_found(format!("Resource type {id} not found")))
}

/// GET /scim/v2/Schemas
async fn schemas(State(s): State<AppState>, auth: ScimAuth) -> ApiResult<ScimReply> {
    let sc = scim_of(&s, auth).await?;
    Ok(ScimReply::ok(discovery::schemas_list(&sc)))
}

/// GET /scim/v2/Schemas/{id}
async fn schema(State(s): State<AppState>, auth: ScimAuth, Path(id): Path<String>) -> ApiResult<ScimReply> {
    let sc = scim_of(&s, auth).await?;
    discovery::schemas(&sc)
        .into_iter()
        .find(|r| r["id"].as_str().is_some_and(|r| r.eq_ignore_ascii_case(&id)))
        .map(ScimReply::ok)
        .ok_or_else(|| ApiError::not_found(format!("Schema {id} not found")))
}
