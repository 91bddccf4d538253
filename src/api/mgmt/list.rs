//! Descope API group `lists`: project lists of texts, IPs or JSON.
//!
//! Built: create, update (full replace), delete, load by ID or name, load all, import (upsert
//! by ID), add/remove/check of IPs and texts, clear. Loads by ID and name answer both the
//! path form (Node, Go) and the query form of python-sdk (`GET /v1/mgmt/list?id=`,
//! `GET /v1/mgmt/list/name?name=`). `text/check` takes `text` or python-sdk's
//! `{texts, matchAll}`.

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::domain::identity::lists::{self, Items, List};
use crate::dto::common::Empty;
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, DescopeQuery, MgmtAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/mgmt/list" => create,
        GET "/v1/mgmt/list" => load_query,
        GET "/v1/mgmt/list/all" => load_all,
        POST "/v1/mgmt/list/clear" => clear,
        POST "/v1/mgmt/list/delete" => delete,
        POST "/v1/mgmt/list/import" => import,
        POST "/v1/mgmt/list/ip/add" => add_ips,
        POST "/v1/mgmt/list/ip/check" => check_ip,
        POST "/v1/mgmt/list/ip/remove" => remove_ips,
        GET "/v1/mgmt/list/name" => load_by_name_query,
        GET "/v1/mgmt/list/name/{name}" => load_by_name,
        POST "/v1/mgmt/list/text/add" => add_texts,
        POST "/v1/mgmt/list/text/check" => check_text,
        POST "/v1/mgmt/list/text/remove" => remove_texts,
        POST "/v1/mgmt/list/update" => update,
        GET "/v1/mgmt/list/{id}" => load,
    }
}

#[derive(Debug, Serialize)]
struct ListEnvelope {
    list: List,
}

#[derive(Debug, Serialize)]
struct ListsEnvelope {
    lists: Vec<List>,
}

#[derive(Debug, Serialize)]
struct Exists {
    exists: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IdBody {
    id: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NameQuery {
    name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ImportBody {
    lists: Vec<List>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IpsBody {
    id: String,
    ips: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IpCheckBody {
    id: String,
    ip: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TextsBody {
    id: String,
    texts: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct TextCheckBody {
    id: String,
    text: String,
    texts: Vec<String>,
    match_all: bool,
}

/// POST /v1/mgmt/list
/// Creates a list.
async fn create(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<List>,
) -> ApiResult<Json<ListEnvelope>> {
    Ok(Json(ListEnvelope { list: lists::create(&s.db, &ctx, body).await? }))
}

/// POST /v1/mgmt/list/update
/// Replaces a list's name, description, type and data.
async fn update(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<List>,
) -> ApiResult<Json<ListEnvelope>> {
    Ok(Json(ListEnvelope { list: lists::update(&s.db, &ctx, body).await? }))
}

/// POST /v1/mgmt/list/delete
async fn delete(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<IdBody>,
) -> ApiResult<Json<Empty>> {
    lists::delete(&s.db, &ctx, &b.id).await?;
    Ok(Json(Empty {}))
}

/// GET /v1/mgmt/list/{id}
async fn load(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<ListEnvelope>> {
    Ok(Json(ListEnvelope { list: lists::load(&s.db, &ctx, &id).await? }))
}

/// GET /v1/mgmt/list?id= (python-sdk)
async fn load_query(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<IdBody>,
) -> ApiResult<Json<ListEnvelope>> {
    Ok(Json(ListEnvelope { list: lists::load(&s.db, &ctx, &q.id).await? }))
}

/// GET /v1/mgmt/list/name/{name}
async fn load_by_name(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    Path(name): Path<String>,
) -> ApiResult<Json<ListEnvelope>> {
    Ok(Json(ListEnvelope { list: lists::load_by_name(&s.db, &ctx, &name).await? }))
}

/// GET /v1/mgmt/list/name?name= (python-sdk)
async fn load_by_name_query(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeQuery(q): DescopeQuery<NameQuery>,
) -> ApiResult<Json<ListEnvelope>> {
    Ok(Json(ListEnvelope { list: lists::load_by_name(&s.db, &ctx, &q.name).await? }))
}

/// GET /v1/mgmt/list/all
async fn load_all(State(s): State<AppState>, MgmtAuth(ctx): MgmtAuth) -> ApiResult<Json<ListsEnvelope>> {
    Ok(Json(ListsEnvelope { lists: lists::load_all(&s.db, &ctx).await? }))
}

/// POST /v1/mgmt/list/import
/// Creates or replaces lists by ID.
async fn import(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<ImportBody>,
) -> ApiResult<Json<Empty>> {
    lists::import(&s.db, &ctx, b.lists).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/list/ip/add
async fn add_ips(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<IpsBody>,
) -> ApiResult<Json<Empty>> {
    lists::change_items(&s.db, &ctx, &b.id, Items::Ips, true, b.ips).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/list/ip/remove
async fn remove_ips(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<IpsBody>,
) -> ApiResult<Json<Empty>> {
    lists::change_items(&s.db, &ctx, &b.id, Items::Ips, false, b.ips).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/list/ip/check
/// Whether the IP is in the list (an entry or inside one of its CIDR ranges).
async fn check_ip(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<IpCheckBody>,
) -> ApiResult<Json<Exists>> {
    Ok(Json(Exists { exists: lists::check_ip(&s.db, &ctx, &b.id, &b.ip).await? }))
}

/// POST /v1/mgmt/list/text/add
async fn add_texts(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<TextsBody>,
) -> ApiResult<Json<Empty>> {
    lists::change_items(&s.db, &ctx, &b.id, Items::Texts, true, b.texts).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/list/text/remove
async fn remove_texts(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<TextsBody>,
) -> ApiResult<Json<Empty>> {
    lists::change_items(&s.db, &ctx, &b.id, Items::Texts, false, b.texts).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/list/text/check
/// `{id, text}`, or python-sdk's `{id, texts, matchAll}` (any of them, or all).
async fn check_text(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<TextCheckBody>,
) -> ApiResult<Json<Exists>> {
    let mut texts = b.texts;
    if !b.text.is_empty() {
        texts.insert(0, b.text);
    }
    Ok(Json(Exists { exists: lists::check_texts(&s.db, &ctx, &b.id, &texts, b.match_all).await? }))
}

/// POST /v1/mgmt/list/clear
/// Empties a list's data.
async fn clear(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(b): DescopeJson<IdBody>,
) -> ApiResult<Json<Empty>> {
    lists::clear(&s.db, &ctx, &b.id).await?;
    Ok(Json(Empty {}))
}
