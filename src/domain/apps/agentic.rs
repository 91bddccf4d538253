//! The agentic side of the authorization server: resources (OAuth resource servers named by a
//! URI, with scopes), resource policies (the scopes of a resource an inbound app may get), MCP
//! servers and their clients, and what they change at authorize and token (RFC 8707
//! `resource`, the agentic paths `/oauth2/v1/apps/agentic/{P}/{mcpServerId}/…`).
//!
//! Resources, policies and MCP servers are JSON documents ([`store::agentic`]). An MCP
//! server's clients are clients of the registry (kind `mcp_client`, app ID `TPA` + 27
//! characters like inbound apps, their document in `settings` with `mcpServerId`).
//! An "agentic server" is an MCP server (`MS…`) or an `mcp`-typed resource: both have
//! scopes, DCR settings and an authorization server of their own.
//! Times on the wire: resources and policies as decimal-second strings, clients as numbers.

use super::fields::{flag, str_of, strings_of};
use serde_json::{json, Map, Value};

use super::inbound::{self, Refused};
use super::registry::{self, Client, ClientKind};
use super::server::{scopes_of, STANDARD_SCOPES};
use crate::crypto;
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::store::{self, agentic::ObjectRow, apps::ClientRow, Conn, Db};

/// A known field and the check of its value's type.
type Field = (&'static str, fn(&Value) -> bool);

const SCOPE_LISTS: &[&str] = &["permissionsScopes", "attributesScopes", "connectionsScopes"];

fn is_strings(v: &Value) -> bool {
    v.is_null() || v.as_array().is_some_and(|a| a.iter().all(Value::is_string))
}

fn is_string(v: &Value) -> bool {
    v.is_null() || v.is_string()
}

fn is_bool(v: &Value) -> bool {
    v.is_null() || v.is_boolean()
}

/// `{permissionsScopes, attributesScopes, connectionsScopes}`, each a list of `{name, …}`.
fn is_scopes(v: &Value) -> bool {
    if v.is_null() {
        return true;
    }
    let Some(o) = v.as_object() else { return false };
    o.iter().all(|(k, list)| {
        !SCOPE_LISTS.contains(&k.as_str())
            || list.is_null()
            || list.as_array().is_some_and(|a| {
                a.iter().all(|s| {
                    s.as_object().is_some_and(|o| {
                        o.get("name").and_then(Value::as_str).is_some_and(|n| !n.trim().is_empty())
                            && o.get("description").is_none_or(is_string)
                            && o.get("optional").is_none_or(is_bool)
                            && o.get("values").is_none_or(is_strings)
                    })
                })
            })
    })
}

/// The scope names a `{permissionsScopes, …}` object defines.
fn scope_names(scopes: Option<&Value>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for list in SCOPE_LISTS {
        for s in scopes.and_then(|v| v.get(*list)).and_then(Value::as_array).into_iter().flatten() {
            if let Some(n) = s.get("name").and_then(Value::as_str) {
                if !out.iter().any(|o| o == n) {
                    out.push(n.to_owned());
                }
            }
        }
    }
    out
}

/// Checks every known field's type: `fields` maps a field to its checker.
fn check_types(body: &Map<String, Value>, fields: &[Field]) -> ApiResult<()> {
    for (key, value) in body {
        if let Some((_, ok)) = fields.iter().find(|(k, _)| k == key) {
            if !ok(value) {
                return Err(ApiError::invalid(format!("Invalid value of {key}")));
            }
        }
    }
    Ok(())
}

/// Only the known fields, without nulls.
fn known(body: &Map<String, Value>, fields: &[Field]) -> Map<String, Value> {
    body.iter()
        .filter(|(k, v)| !v.is_null() && fields.iter().any(|(f, _)| f == k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn is_object(v: &Value) -> bool {
    v.is_null() || v.is_object()
}

fn secs_string(ms: i64) -> String {
    (ms / 1000).to_string()
}

/// The document, version and times of an object.
fn doc_of(r: &ObjectRow) -> Map<String, Value> {
    store::from_json_text(&r.body)
}

fn next_version(old: &Map<String, Value>) -> String {
    let v = old.get("version").and_then(Value::as_str).and_then(|v| v.parse::<i64>().ok()).unwrap_or(1);
    (v + 1).to_string()
}

// ---------------------------------------------------------------------------------------
// Resources

const RESOURCE_FIELDS: &[Field] = &[
    ("name", is_string),
    ("description", is_string),
    ("uri", is_string),
    ("type", is_string),
    ("userAccess", is_string),
    ("clientAccess", is_string),
    ("scopes", is_scopes),
    ("dynamicRegistrationSettings", is_object),
];

fn resource_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("Resource {id} not found"))
}

/// Checks a resource's whole document.
fn validate_resource(doc: &Map<String, Value>) -> ApiResult<()> {
    check_types(doc, RESOURCE_FIELDS)?;
    if str_of(doc, "name").trim().is_empty() {
        return Err(ApiError::missing("name"));
    }
    let uri = str_of(doc, "uri");
    if uri.trim().is_empty() {
        return Err(ApiError::missing("uri"));
    }
    if uri.trim() != uri || uri.len() > 2048 {
        return Err(ApiError::invalid("uri must not have surrounding spaces"));
    }
    let kind = str_of(doc, "type");
    if !matches!(kind.as_str(), "api" | "mcp") {
        return Err(ApiError::invalid("type must be api or mcp"));
    }
    if let Some(drs) = doc.get("dynamicRegistrationSettings").and_then(Value::as_object) {
        if kind != "mcp" {
            return Err(ApiError::invalid("dynamicRegistrationSettings are for mcp resources only"));
        }
        check_types(
            drs,
            &[
                ("dynamicRegistration", is_object),
                ("cimdSettings", is_object),
                ("dynamicRegistrationTemplateId", is_string),
                ("useTemplate", is_bool),
                ("loginPageURL", is_string),
                ("skipConsentScreen", is_bool),
                ("forceAddAllAuthorizationInfo", is_bool),
                ("tags", is_strings),
                ("sessionSettings", is_object),
            ],
        )?;
        if flag(drs, "useTemplate") && str_of(drs, "dynamicRegistrationTemplateId").is_empty() {
            return Err(ApiError::invalid("useTemplate needs dynamicRegistrationTemplateId"));
        }
        if let Some(dr) = drs.get("dynamicRegistration").and_then(Value::as_object) {
            check_types(
                dr,
                &[("enabled", is_bool), ("disableApprovedScopesAsDefault", is_bool), ("flowId", is_string)],
            )?;
        }
    }
    Ok(())
}

fn resource_view(r: &ObjectRow) -> Value {
    let mut doc = doc_of(r);
    doc.insert("id".into(), json!(r.id));
    doc.entry("version").or_insert(json!("1"));
    doc.insert("createdTime".into(), json!(secs_string(r.created_ms)));
    doc.entry("modifiedTime").or_insert(json!(secs_string(r.created_ms)));
    for k in ["description", "userAccess", "clientAccess"] {
        doc.entry(k).or_insert(json!(""));
    }
    let scopes = doc.entry("scopes").or_insert(json!({}));
    if let Some(o) = scopes.as_object_mut() {
        for list in SCOPE_LISTS {
            o.entry(*list).or_insert(json!([]));
        }
    }
    Value::Object(doc)
}

/// Stores a resource document after checking it and the uniqueness of its URI.
async fn put_resource(
    conn: &mut Conn,
    ctx: &Ctx,
    id: &str,
    doc: &Map<String, Value>,
    created_ms: i64,
) -> ApiResult<ObjectRow> {
    validate_resource(doc)?;
    let uri = str_of(doc, "uri");
    if let Some(other) = store::agentic::by_lookup(conn, ctx.scope(), store::agentic::RESOURCE, &uri).await? {
        if other.id != id {
            return Err(ApiError::invalid(format!("A resource with URI {uri} already exists")));
        }
    }
    let row = ObjectRow {
        kind: store::agentic::RESOURCE.into(),
        id: id.to_owned(),
        lookup: uri,
        body: store::json_text(doc)?,
        created_ms,
    };
    store::agentic::put(conn, ctx.scope(), &row).await?;
    Ok(row)
}

/// `POST /v1/mgmt/resource/create`.
pub async fn create_resource(db: &Db, ctx: &Ctx, body: &Map<String, Value>) -> ApiResult<Value> {
    let mut doc = known(body, RESOURCE_FIELDS);
    doc.insert("version".into(), json!("1"));
    let id = format!("RS{}", crypto::random_alnum(27));
    let mut tx = store::begin_immediate(db).await?;
    let row = put_resource(&mut tx, ctx, &id, &doc, ctx.now.millis()).await?;
    tx.commit().await?;
    Ok(resource_view(&row))
}

/// `POST /v1/mgmt/resource/update {resource}`: the given fields replace the stored ones.
pub async fn update_resource(db: &Db, ctx: &Ctx, body: &Map<String, Value>) -> ApiResult<Value> {
    let id = str_of(body, "id");
    if id.is_empty() {
        return Err(ApiError::missing("resource.id"));
    }
    check_types(body, RESOURCE_FIELDS)?;
    let mut tx = store::begin_immediate(db).await?;
    let old = store::agentic::get(&mut tx, ctx.scope(), store::agentic::RESOURCE, &id)
        .await?
        .ok_or_else(|| resource_not_found(&id))?;
    let mut doc = doc_of(&old);
    let version = next_version(&doc);
    doc.extend(known(body, RESOURCE_FIELDS));
    doc.insert("version".into(), json!(version));
    doc.insert("modifiedTime".into(), json!(ctx.now.secs().to_string()));
    let row = put_resource(&mut tx, ctx, &id, &doc, old.created_ms).await?;
    tx.commit().await?;
    Ok(resource_view(&row))
}

/// `GET /v1/mgmt/resource/load?id=` and `…/load/uri?uri=`.
pub async fn load_resource(db: &Db, ctx: &Ctx, id: &str, uri: &str) -> ApiResult<Value> {
    let mut conn = db.acquire().await?;
    let row = if !id.is_empty() {
        store::agentic::get(&mut conn, ctx.scope(), store::agentic::RESOURCE, id).await?
    } else if !uri.is_empty() {
        store::agentic::by_lookup(&mut conn, ctx.scope(), store::agentic::RESOURCE, uri).await?
    } else {
        return Err(ApiError::missing("id"));
    };
    Ok(resource_view(&row.ok_or_else(|| resource_not_found(if id.is_empty() { uri } else { id }))?))
}

/// `GET /v1/mgmt/resources/load`.
pub async fn load_resources(db: &Db, ctx: &Ctx) -> ApiResult<Vec<Value>> {
    let mut conn = db.acquire().await?;
    Ok(store::agentic::all_of(&mut conn, ctx.scope(), store::agentic::RESOURCE)
        .await?
        .iter()
        .map(resource_view)
        .collect())
}

/// `POST /v1/mgmt/resource/delete {id}` and `…/delete/batch {ids}`: with their policies. All
/// or nothing.
pub async fn delete_resources(db: &Db, ctx: &Ctx, ids: &[String]) -> ApiResult<()> {
    if ids.is_empty() || ids.iter().any(|i| i.is_empty()) {
        return Err(ApiError::missing("id"));
    }
    let mut tx = store::begin_immediate(db).await?;
    for id in ids {
        if !store::agentic::delete(&mut tx, ctx.scope(), store::agentic::RESOURCE, id).await? {
            return Err(resource_not_found(id));
        }
        for p in store::agentic::all_of(&mut tx, ctx.scope(), store::agentic::POLICY).await? {
            if policy_key(&p.id).1 == id {
                store::agentic::delete(&mut tx, ctx.scope(), store::agentic::POLICY, &p.id).await?;
            }
        }
    }
    tx.commit().await
}

// ---------------------------------------------------------------------------------------
// Resource policies

const POLICY_FIELDS: &[Field] = &[
    ("thirdPartyApplicationId", is_string),
    ("resourceId", is_string),
    ("userAccessScopes", is_strings),
    ("clientAccessScopes", is_strings),
    ("allUserScopes", is_bool),
    ("allClientScopes", is_bool),
];

fn policy_id(app_id: &str, resource_id: &str) -> String {
    format!("{app_id} {resource_id}")
}

fn policy_key(id: &str) -> (&str, &str) {
    id.split_once(' ').unwrap_or((id, ""))
}

fn policy_view(r: &ObjectRow) -> Value {
    let mut doc = doc_of(r);
    let (app, resource) = policy_key(&r.id);
    doc.insert("thirdPartyApplicationId".into(), json!(app));
    doc.insert("resourceId".into(), json!(resource));
    doc.entry("version").or_insert(json!("1"));
    for k in ["userAccessScopes", "clientAccessScopes"] {
        doc.entry(k).or_insert(json!([]));
    }
    for k in ["allUserScopes", "allClientScopes"] {
        doc.entry(k).or_insert(json!(false));
    }
    doc.insert("createdTime".into(), json!(secs_string(r.created_ms)));
    doc.entry("modifiedTime").or_insert(json!(secs_string(r.created_ms)));
    Value::Object(doc)
}

/// Checks a policy (its app and resource exist; its scopes are the resource's) and stores it.
/// `creating`: it must not exist yet; else it must.
async fn put_policy(
    conn: &mut Conn,
    ctx: &Ctx,
    body: &Map<String, Value>,
    creating: bool,
) -> ApiResult<Value> {
    check_types(body, POLICY_FIELDS)?;
    let app_id = str_of(body, "thirdPartyApplicationId");
    let resource_id = str_of(body, "resourceId");
    if app_id.is_empty() {
        return Err(ApiError::missing("thirdPartyApplicationId"));
    }
    if resource_id.is_empty() {
        return Err(ApiError::missing("resourceId"));
    }
    if app_id.contains(' ') || resource_id.contains(' ') {
        return Err(ApiError::invalid("IDs have no spaces"));
    }
    let app = store::apps::client_of_app(conn, ctx.scope(), &app_id).await?;
    if app.is_none_or(|c| c.kind != ClientKind::Inbound.as_str()) {
        return Err(ApiError::not_found(format!("Inbound application {app_id} not found")));
    }
    let resource = store::agentic::get(conn, ctx.scope(), store::agentic::RESOURCE, &resource_id)
        .await?
        .ok_or_else(|| resource_not_found(&resource_id))?;
    let defined = scope_names(doc_of(&resource).get("scopes"));
    for list in ["userAccessScopes", "clientAccessScopes"] {
        if let Some(bad) = strings_of(body, list).into_iter().find(|s| !defined.contains(s)) {
            return Err(ApiError::invalid(format!(
                "{list}: scope {bad} is not defined on resource {resource_id}"
            )));
        }
    }
    let id = policy_id(&app_id, &resource_id);
    let old = store::agentic::get(conn, ctx.scope(), store::agentic::POLICY, &id).await?;
    let mut doc = known(body, POLICY_FIELDS);
    doc.remove("thirdPartyApplicationId");
    doc.remove("resourceId");
    let created_ms = match (&old, creating) {
        (Some(_), true) => {
            return Err(ApiError::invalid(format!(
                "A policy of application {app_id} on resource {resource_id} already exists"
            )))
        }
        (None, false) => {
            return Err(ApiError::not_found(format!(
                "No policy of application {app_id} on resource {resource_id}"
            )))
        }
        (Some(old), false) => {
            doc.insert("version".into(), json!(next_version(&doc_of(old))));
            doc.insert("modifiedTime".into(), json!(ctx.now.secs().to_string()));
            old.created_ms
        }
        (None, true) => {
            doc.insert("version".into(), json!("1"));
            ctx.now.millis()
        }
    };
    let row = ObjectRow {
        kind: store::agentic::POLICY.into(),
        id,
        lookup: String::new(),
        body: store::json_text(&doc)?,
        created_ms,
    };
    store::agentic::put(conn, ctx.scope(), &row).await?;
    Ok(policy_view(&row))
}

/// `POST /v1/mgmt/resourcepolicy/create` (`creating`) and `…/update`; `…/create/batch` with
/// several (all or nothing).
pub async fn put_policies(
    db: &Db,
    ctx: &Ctx,
    bodies: &[Map<String, Value>],
    creating: bool,
) -> ApiResult<Vec<Value>> {
    if bodies.is_empty() {
        return Err(ApiError::missing("policies"));
    }
    let mut tx = store::begin_immediate(db).await?;
    let mut out = Vec::new();
    for b in bodies {
        out.push(put_policy(&mut tx, ctx, b, creating).await?);
    }
    tx.commit().await?;
    Ok(out)
}

/// `POST /v1/mgmt/resourcepolicy/delete` and `…/delete/batch`: `(appId, resourceId)` pairs.
pub async fn delete_policies(db: &Db, ctx: &Ctx, keys: &[(String, String)]) -> ApiResult<()> {
    if keys.is_empty() {
        return Err(ApiError::missing("policies"));
    }
    let mut tx = store::begin_immediate(db).await?;
    for (app, resource) in keys {
        if app.is_empty() {
            return Err(ApiError::missing("thirdPartyApplicationId"));
        }
        if resource.is_empty() {
            return Err(ApiError::missing("resourceId"));
        }
        if !store::agentic::delete(&mut tx, ctx.scope(), store::agentic::POLICY, &policy_id(app, resource))
            .await?
        {
            return Err(ApiError::not_found(format!(
                "No policy of application {app} on resource {resource}"
            )));
        }
    }
    tx.commit().await
}

/// Deletes the policies of an app (the app is being deleted).
pub async fn delete_policies_of_app(conn: &mut Conn, ctx: &Ctx, app_id: &str) -> ApiResult<()> {
    for p in store::agentic::all_of(conn, ctx.scope(), store::agentic::POLICY).await? {
        if policy_key(&p.id).0 == app_id {
            store::agentic::delete(conn, ctx.scope(), store::agentic::POLICY, &p.id).await?;
        }
    }
    Ok(())
}

/// `GET /v1/mgmt/resourcepolicy/app/load?thirdPartyApplicationId=`.
pub async fn app_policies(db: &Db, ctx: &Ctx, app_id: &str) -> ApiResult<Vec<Value>> {
    if app_id.is_empty() {
        return Err(ApiError::missing("thirdPartyApplicationId"));
    }
    let mut conn = db.acquire().await?;
    Ok(store::agentic::all_of(&mut conn, ctx.scope(), store::agentic::POLICY)
        .await?
        .iter()
        .filter(|p| policy_key(&p.id).0 == app_id)
        .map(policy_view)
        .collect())
}

// ---------------------------------------------------------------------------------------
// MCP servers

const SERVER_FIELDS: &[Field] = &[
    ("name", is_string),
    ("description", is_string),
    ("dynamicRegistration", is_object),
    ("audienceWhitelist", is_strings),
    ("approvedScopes", is_scopes),
    ("approvedCallbackUrls", is_strings),
    ("loginPageURL", is_string),
    ("sessionSettings", is_object),
    ("tags", is_strings),
    ("logo", is_string),
    ("cimdSettings", is_object),
    ("skipConsentScreen", is_bool),
    ("consentFlowId", is_string),
    ("consentFlowHostingURL", is_string),
    ("forceAddAllAuthorizationInfo", is_bool),
];

fn server_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("MCP server {id} not found"))
}

fn validate_server(doc: &Map<String, Value>) -> ApiResult<()> {
    check_types(doc, SERVER_FIELDS)?;
    if str_of(doc, "name").trim().is_empty() {
        return Err(ApiError::missing("name"));
    }
    if let Some(dr) = doc.get("dynamicRegistration").and_then(Value::as_object) {
        check_types(
            dr,
            &[("enabled", is_bool), ("disableApprovedScopesAsDefault", is_bool), ("flowId", is_string)],
        )?;
    }
    for url in strings_of(doc, "approvedCallbackUrls") {
        if url::Url::parse(&url).is_err() {
            return Err(ApiError::invalid(format!("approvedCallbackUrls: {url} is not an absolute URL")));
        }
    }
    Ok(())
}

fn server_view(r: &ObjectRow) -> Value {
    let mut doc = doc_of(r);
    doc.insert("id".into(), json!(r.id));
    for k in ["description", "loginPageURL", "logo"] {
        doc.entry(k).or_insert(json!(""));
    }
    for k in ["audienceWhitelist", "approvedCallbackUrls", "tags"] {
        doc.entry(k).or_insert(json!([]));
    }
    for k in ["skipConsentScreen", "forceAddAllAuthorizationInfo"] {
        doc.entry(k).or_insert(json!(false));
    }
    let dr = doc.entry("dynamicRegistration").or_insert(json!({}));
    if let Some(o) = dr.as_object_mut() {
        o.entry("enabled").or_insert(json!(true));
        o.entry("disableApprovedScopesAsDefault").or_insert(json!(false));
        o.entry("flowId").or_insert(json!(""));
    }
    let cimd = doc.entry("cimdSettings").or_insert(json!({}));
    if let Some(o) = cimd.as_object_mut() {
        o.entry("enabled").or_insert(json!(false));
    }
    let scopes = doc.entry("approvedScopes").or_insert(json!({}));
    if let Some(o) = scopes.as_object_mut() {
        for list in SCOPE_LISTS {
            o.entry(*list).or_insert(json!([]));
        }
    }
    Value::Object(doc)
}

/// `POST /v1/mgmt/mcp/server/create`.
pub async fn create_server(db: &Db, ctx: &Ctx, body: &Map<String, Value>) -> ApiResult<Value> {
    validate_server(body)?;
    let row = ObjectRow {
        kind: store::agentic::MCP_SERVER.into(),
        id: format!("MS{}", crypto::random_alnum(27)),
        lookup: String::new(),
        body: store::json_text(&known(body, SERVER_FIELDS))?,
        created_ms: ctx.now.millis(),
    };
    let mut tx = store::begin_immediate(db).await?;
    store::agentic::put(&mut tx, ctx.scope(), &row).await?;
    tx.commit().await?;
    Ok(server_view(&row))
}

/// `POST /v1/mgmt/mcp/server/update {server}`: the given fields replace the stored ones.
pub async fn update_server(db: &Db, ctx: &Ctx, body: &Map<String, Value>) -> ApiResult<Value> {
    let id = str_of(body, "id");
    if id.is_empty() {
        return Err(ApiError::missing("server.id"));
    }
    check_types(body, SERVER_FIELDS)?;
    let mut tx = store::begin_immediate(db).await?;
    let old = store::agentic::get(&mut tx, ctx.scope(), store::agentic::MCP_SERVER, &id)
        .await?
        .ok_or_else(|| server_not_found(&id))?;
    let mut doc = doc_of(&old);
    doc.extend(known(body, SERVER_FIELDS));
    validate_server(&doc)?;
    let row = ObjectRow { body: store::json_text(&doc)?, ..old };
    store::agentic::put(&mut tx, ctx.scope(), &row).await?;
    tx.commit().await?;
    Ok(server_view(&row))
}

/// `POST /v1/mgmt/mcp/server/load {id}`.
pub async fn load_server(db: &Db, ctx: &Ctx, id: &str) -> ApiResult<Value> {
    if id.is_empty() {
        return Err(ApiError::missing("id"));
    }
    let mut conn = db.acquire().await?;
    let row = store::agentic::get(&mut conn, ctx.scope(), store::agentic::MCP_SERVER, id)
        .await?
        .ok_or_else(|| server_not_found(id))?;
    Ok(server_view(&row))
}

/// `POST /v1/mgmt/mcp/servers/all`.
pub async fn load_servers(db: &Db, ctx: &Ctx) -> ApiResult<Vec<Value>> {
    let mut conn = db.acquire().await?;
    Ok(store::agentic::all_of(&mut conn, ctx.scope(), store::agentic::MCP_SERVER)
        .await?
        .iter()
        .map(server_view)
        .collect())
}

/// `POST /v1/mgmt/mcp/server/delete {id}` and `…/servers/delete {ids}`: with their clients
/// (whose refresh tokens stop working). All or nothing.
pub async fn delete_servers(db: &Db, ctx: &Ctx, ids: &[String]) -> ApiResult<()> {
    if ids.is_empty() || ids.iter().any(|i| i.is_empty()) {
        return Err(ApiError::missing("id"));
    }
    let mut tx = store::begin_immediate(db).await?;
    for id in ids {
        if !store::agentic::delete(&mut tx, ctx.scope(), store::agentic::MCP_SERVER, id).await? {
            return Err(server_not_found(id));
        }
        for c in clients_of_server(&mut tx, ctx, id).await? {
            delete_client_row(&mut tx, ctx, &c).await?;
        }
    }
    tx.commit().await
}

/// An authorization server of the agentic family: an MCP server or an `mcp` resource.
#[derive(Debug, Clone)]
pub struct AgenticServer {
    pub id: String,
    /// The resource's URI ("" for an MCP server, which has none).
    pub uri: String,
    /// The scopes it defines.
    pub scopes: Vec<String>,
    pub audience_whitelist: Vec<String>,
    pub dcr_enabled: bool,
    /// DCR clients get every scope when they ask for none.
    pub approved_as_default: bool,
    /// What a DCR client starts with (`forceAddAllAuthorizationInfo`, `tags`): the server's
    /// (or the resource's dynamic-registration settings').
    pub dcr_defaults: Map<String, Value>,
    /// The registration template a resource applies to DCR clients (`useTemplate`).
    pub template_id: Option<String>,
}

/// The DCR client fields a document (server, registration settings or template) sets.
fn dcr_fields(doc: &Map<String, Value>) -> Map<String, Value> {
    ["forceAddAllAuthorizationInfo", "tags"]
        .into_iter()
        .filter_map(|k| doc.get(k).filter(|v| !v.is_null()).map(|v| (k.to_owned(), v.clone())))
        .collect()
}

/// The agentic server of an ID: an MCP server, else an `mcp`-typed resource.
pub async fn find_server(conn: &mut Conn, ctx: &Ctx, id: &str) -> ApiResult<Option<AgenticServer>> {
    if id.is_empty() {
        return Ok(None);
    }
    let dr_of = |o: Option<&Value>| {
        let enabled = o.and_then(|d| d.get("enabled")).and_then(Value::as_bool).unwrap_or(true);
        let no_default =
            o.and_then(|d| d.get("disableApprovedScopesAsDefault")).and_then(Value::as_bool).unwrap_or(false);
        (enabled, !no_default)
    };
    if let Some(r) = store::agentic::get(conn, ctx.scope(), store::agentic::MCP_SERVER, id).await? {
        let doc = doc_of(&r);
        let (dcr_enabled, approved_as_default) = dr_of(doc.get("dynamicRegistration"));
        return Ok(Some(AgenticServer {
            id: r.id,
            uri: String::new(),
            scopes: scope_names(doc.get("approvedScopes")),
            audience_whitelist: strings_of(&doc, "audienceWhitelist"),
            dcr_enabled,
            approved_as_default,
            dcr_defaults: dcr_fields(&doc),
            template_id: None,
        }));
    }
    if let Some(r) = store::agentic::get(conn, ctx.scope(), store::agentic::RESOURCE, id).await? {
        let doc = doc_of(&r);
        if str_of(&doc, "type") != "mcp" {
            return Ok(None);
        }
        let drs = doc.get("dynamicRegistrationSettings");
        let (dcr_enabled, approved_as_default) = dr_of(drs.and_then(|d| d.get("dynamicRegistration")));
        let settings = drs.and_then(Value::as_object).cloned().unwrap_or_default();
        let template_id = Some(str_of(&settings, "dynamicRegistrationTemplateId"))
            .filter(|t| !t.is_empty() && flag(&settings, "useTemplate"));
        return Ok(Some(AgenticServer {
            id: r.id,
            uri: str_of(&doc, "uri"),
            scopes: scope_names(doc.get("scopes")),
            audience_whitelist: Vec::new(),
            dcr_enabled,
            approved_as_default,
            dcr_defaults: dcr_fields(&settings),
            template_id,
        }));
    }
    Ok(None)
}

// ---------------------------------------------------------------------------------------
// MCP server clients

const CLIENT_FIELDS: &[Field] = &[
    ("name", is_string),
    ("approvedCallbackUrls", is_strings),
    ("scopes", is_strings),
    ("tags", is_strings),
    ("logo", is_string),
    ("forceAddAllAuthorizationInfo", is_bool),
    ("allowedTenants", is_strings),
];

fn client_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("MCP server client {id} not found"))
}

/// The MCP server a client belongs to (its document's `mcpServerId`).
pub fn server_of_settings(settings: &str) -> String {
    let doc: Map<String, Value> = store::from_json_text(settings);
    str_of(&doc, "mcpServerId")
}

async fn clients_of_server(conn: &mut Conn, ctx: &Ctx, server_id: &str) -> ApiResult<Vec<ClientRow>> {
    Ok(store::apps::all_clients(conn, ctx.scope())
        .await?
        .into_iter()
        .filter(|c| c.kind == ClientKind::McpClient.as_str() && server_of_settings(&c.settings) == server_id)
        .collect())
}

async fn delete_client_row(conn: &mut Conn, ctx: &Ctx, c: &ClientRow) -> ApiResult<()> {
    for r in store::apps::all_refresh(conn, ctx.scope()).await? {
        if r.client_id == c.client_id {
            store::sessions::revoke(conn, ctx.scope(), &r.jti, ctx.now.millis()).await?;
        }
    }
    store::apps::delete_clients_of_app(conn, ctx.scope(), &c.app_id).await
}

/// The server of a management request: it must exist.
async fn require_server(conn: &mut Conn, ctx: &Ctx, server_id: &str) -> ApiResult<AgenticServer> {
    if server_id.is_empty() {
        return Err(ApiError::missing("mcpServerId"));
    }
    find_server(conn, ctx, server_id).await?.ok_or_else(|| server_not_found(server_id))
}

/// A client of a server, by app ID or client ID.
async fn client_of(
    conn: &mut Conn,
    ctx: &Ctx,
    server_id: &str,
    id: &str,
    client_id: &str,
) -> ApiResult<ClientRow> {
    require_server(conn, ctx, server_id).await?;
    let row = if !id.is_empty() {
        store::apps::client_of_app(conn, ctx.scope(), id).await?
    } else if !client_id.is_empty() {
        store::apps::get_client(conn, ctx.scope(), client_id).await?
    } else {
        return Err(ApiError::missing("id"));
    };
    let shown = if id.is_empty() { client_id } else { id };
    row.filter(|c| c.kind == ClientKind::McpClient.as_str() && server_of_settings(&c.settings) == server_id)
        .ok_or_else(|| client_not_found(shown))
}

/// Checks a client document against its server.
fn validate_client(doc: &Map<String, Value>, server: &AgenticServer) -> ApiResult<()> {
    check_types(doc, CLIENT_FIELDS)?;
    if str_of(doc, "name").trim().is_empty() {
        return Err(ApiError::missing("name"));
    }
    for url in strings_of(doc, "approvedCallbackUrls") {
        if url::Url::parse(&url).is_err() || url.contains('#') {
            return Err(ApiError::invalid(format!(
                "approvedCallbackUrls: {url} is not an absolute URL without a fragment"
            )));
        }
    }
    if let Some(bad) = strings_of(doc, "scopes").into_iter().find(|s| !server.scopes.contains(s)) {
        return Err(ApiError::invalid(format!("Scope {bad} is not defined on MCP server {}", server.id)));
    }
    Ok(())
}

fn client_row(
    client_id: &str,
    app_id: &str,
    public: bool,
    doc: &Map<String, Value>,
    created_ms: i64,
) -> ApiResult<ClientRow> {
    let mut grants = vec!["authorization_code", "refresh_token"];
    if !public {
        grants.push("client_credentials");
    }
    Ok(ClientRow {
        client_id: client_id.to_owned(),
        kind: ClientKind::McpClient.as_str().into(),
        app_id: app_id.to_owned(),
        public,
        redirect_uris: store::json_text(&strings_of(doc, "approvedCallbackUrls"))?,
        grant_types: store::json_text(&grants)?,
        scopes: store::json_text(&strings_of(doc, "scopes"))?,
        default_audience: String::new(),
        audience_whitelist: "[]".into(),
        force_pkce: false,
        settings: store::json_text(doc)?,
        created_ms,
    })
}

/// What creating a client answers.
#[derive(Debug, Clone)]
pub struct CreatedClient {
    pub id: String,
    pub client_id: String,
    /// "" for a public (dynamically registered) client.
    pub cleartext: String,
}

async fn insert_client(
    conn: &mut Conn,
    ctx: &Ctx,
    server: &AgenticServer,
    fields: &Map<String, Value>,
    registration: &str,
) -> ApiResult<CreatedClient> {
    let mut doc = known(fields, CLIENT_FIELDS);
    validate_client(&doc, server)?;
    doc.insert("mcpServerId".into(), json!(server.id));
    doc.insert("registrationType".into(), json!(registration));
    let id = inbound::new_app_id();
    let client_id = inbound::client_id_of(ctx, &id);
    let public = registration != "manual";
    store::apps::put_client(conn, ctx.scope(), &client_row(&client_id, &id, public, &doc, ctx.now.millis())?)
        .await?;
    let cleartext = if public {
        String::new()
    } else {
        let secret = registry::new_secret();
        registry::put_secret(conn, ctx, &client_id, "default", &secret, 0).await?;
        secret
    };
    Ok(CreatedClient { id, client_id, cleartext })
}

/// `POST /v1/mgmt/mcp/server/client/create`: a confidential client with a secret, shown once.
pub async fn create_client(db: &Db, ctx: &Ctx, body: &Map<String, Value>) -> ApiResult<CreatedClient> {
    let mut tx = store::begin_immediate(db).await?;
    let server = require_server(&mut tx, ctx, &str_of(body, "mcpServerId")).await?;
    let created = insert_client(&mut tx, ctx, &server, body, "manual").await?;
    tx.commit().await?;
    Ok(created)
}

fn client_view(r: &ClientRow) -> Value {
    let mut doc: Map<String, Value> = store::from_json_text(&r.settings);
    doc.insert("id".into(), json!(r.app_id));
    doc.insert("clientId".into(), json!(r.client_id));
    doc.entry("logo").or_insert(json!(""));
    for k in ["approvedCallbackUrls", "scopes", "tags", "allowedTenants"] {
        doc.entry(k).or_insert(json!([]));
    }
    doc.entry("forceAddAllAuthorizationInfo").or_insert(json!(false));
    doc.entry("registrationType").or_insert(json!("manual"));
    doc.insert("status".into(), json!("active"));
    doc.insert("createdTime".into(), json!(r.created_ms / 1000));
    Value::Object(doc)
}

/// `POST /v1/mgmt/mcp/server/client/update {id, mcpServerId, …}`: the given fields replace
/// the stored ones.
pub async fn update_client(db: &Db, ctx: &Ctx, body: &Map<String, Value>) -> ApiResult<Value> {
    check_types(body, CLIENT_FIELDS)?;
    let server_id = str_of(body, "mcpServerId");
    let mut tx = store::begin_immediate(db).await?;
    let old = client_of(&mut tx, ctx, &server_id, &str_of(body, "id"), "").await?;
    let server = require_server(&mut tx, ctx, &server_id).await?;
    let mut doc: Map<String, Value> = store::from_json_text(&old.settings);
    doc.extend(known(body, CLIENT_FIELDS));
    validate_client(&doc, &server)?;
    let row = client_row(&old.client_id, &old.app_id, old.public, &doc, old.created_ms)?;
    store::apps::put_client(&mut tx, ctx.scope(), &row).await?;
    tx.commit().await?;
    Ok(client_view(&row))
}

/// `POST /v1/mgmt/mcp/server/client/load {id | clientId, mcpServerId}`.
pub async fn load_client(db: &Db, ctx: &Ctx, server_id: &str, id: &str, client_id: &str) -> ApiResult<Value> {
    let mut conn = db.acquire().await?;
    Ok(client_view(&client_of(&mut conn, ctx, server_id, id, client_id).await?))
}

/// `POST /v1/mgmt/mcp/server/client/delete` and `…/clients/delete`: all or nothing.
pub async fn delete_clients(db: &Db, ctx: &Ctx, server_id: &str, ids: &[String]) -> ApiResult<()> {
    if ids.is_empty() || ids.iter().any(|i| i.is_empty()) {
        return Err(ApiError::missing("id"));
    }
    let mut tx = store::begin_immediate(db).await?;
    for id in ids {
        let c = client_of(&mut tx, ctx, server_id, id, "").await?;
        delete_client_row(&mut tx, ctx, &c).await?;
    }
    tx.commit().await
}

/// What a client search matches; empty fields match any.
#[derive(Debug, Clone, Default)]
pub struct ClientFilter {
    pub server_id: String,
    pub text: String,
    pub name: String,
    pub client_id: String,
    pub status: String,
    pub registration: String,
    pub tag: String,
}

/// `POST /v1/mgmt/mcp/server/clients/search`: a page (0-based) of the matches and their total.
pub async fn search_clients(
    db: &Db,
    ctx: &Ctx,
    f: &ClientFilter,
    page: i64,
    limit: i64,
) -> ApiResult<(Vec<Value>, usize)> {
    if page < 0 || limit < 0 {
        return Err(ApiError::invalid("page and limit must not be negative"));
    }
    let mut conn = db.acquire().await?;
    if !f.server_id.is_empty() {
        require_server(&mut conn, ctx, &f.server_id).await?;
    }
    let text = f.text.to_lowercase();
    let all: Vec<Value> = store::apps::all_clients(&mut conn, ctx.scope())
        .await?
        .iter()
        .filter(|c| c.kind == ClientKind::McpClient.as_str())
        .map(client_view)
        .filter(|v| {
            let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
            (f.server_id.is_empty() || s("mcpServerId") == f.server_id)
                && (f.name.is_empty() || s("name") == f.name)
                && (f.client_id.is_empty() || s("clientId") == f.client_id)
                && (f.status.is_empty() || s("status") == f.status)
                && (f.registration.is_empty() || s("registrationType") == f.registration)
                && (f.tag.is_empty()
                    || v.get("tags")
                        .and_then(Value::as_array)
                        .is_some_and(|t| t.iter().any(|x| x == &json!(f.tag))))
                && (text.is_empty()
                    || s("name").to_lowercase().contains(&text)
                    || s("id").to_lowercase().contains(&text)
                    || s("clientId").to_lowercase().contains(&text))
        })
        .collect();
    let total = all.len();
    let (skip, take) = if limit > 0 { ((page * limit) as usize, limit as usize) } else { (0, usize::MAX) };
    Ok((all.into_iter().skip(skip).take(take).collect(), total))
}

/// `POST /v1/mgmt/mcp/server/client/secret {id, mcpServerId}`: the live secret's cleartext.
pub async fn client_secret(db: &Db, ctx: &Ctx, server_id: &str, id: &str) -> ApiResult<String> {
    let mut conn = db.acquire().await?;
    let c = client_of(&mut conn, ctx, server_id, id, "").await?;
    store::apps::secrets(&mut conn, ctx.scope(), &c.client_id)
        .await?
        .into_iter()
        .find(|s| s.status == "active")
        .map(|s| s.secret)
        .ok_or_else(|| ApiError::invalid("A public client has no secret"))
}

/// `POST /v1/mgmt/mcp/server/client/secret/rotate {id, mcpServerId}`: a new secret replaces
/// the old one.
pub async fn rotate_client_secret(db: &Db, ctx: &Ctx, server_id: &str, id: &str) -> ApiResult<String> {
    let mut tx = store::begin_immediate(db).await?;
    let c = client_of(&mut tx, ctx, server_id, id, "").await?;
    let secret = registry::rotate_secret(&mut tx, ctx, &c.client_id, c.public).await?;
    tx.commit().await?;
    Ok(secret)
}

/// `POST /v1/mgmt/mcp/client/{P}/{mcpServerId}/register` (RFC 7591): a public client of the
/// server. Requested scopes the server does not define are dropped; none requested gets all
/// of them unless `disableApprovedScopesAsDefault`. `Ok(None)`: no such server.
pub async fn register(
    db: &Db,
    ctx: &Ctx,
    server_id: &str,
    req: &Map<String, Value>,
) -> ApiResult<Option<Result<Map<String, Value>, Refused>>> {
    let dcr = match inbound::parse_registration(req) {
        Ok(d) => d,
        Err(refused) => return Ok(Some(Err(refused))),
    };
    let mut tx = store::begin_immediate(db).await?;
    let Some(server) = find_server(&mut tx, ctx, server_id).await? else { return Ok(None) };
    if !server.dcr_enabled {
        return Ok(Some(Err((
            "invalid_client_metadata",
            format!("Dynamic client registration is disabled for MCP server {server_id}"),
        ))));
    }
    let requested = scopes_of(&dcr.scope);
    let scopes: Vec<String> = if requested.is_empty() && server.approved_as_default {
        server.scopes.clone()
    } else {
        requested.into_iter().filter(|s| server.scopes.contains(s)).collect()
    };
    // The server's defaults, then its registration template's (which must exist).
    let mut fields = server.dcr_defaults.clone();
    if let Some(template_id) = &server.template_id {
        let Some(t) = store::inbound::get_template(&mut tx, ctx.scope(), template_id).await? else {
            return Ok(Some(Err((
                "invalid_client_metadata",
                format!("The registration template {template_id} of {server_id} does not exist"),
            ))));
        };
        fields.extend(dcr_fields(&store::from_json_text(&t.body)));
    }
    fields.insert("name".into(), json!(dcr.name));
    fields.insert("logo".into(), json!(dcr.logo_uri));
    fields.insert("approvedCallbackUrls".into(), json!(dcr.redirect_uris));
    fields.insert("scopes".into(), json!(scopes));
    let created = insert_client(&mut tx, ctx, &server, &fields, "dcr").await?;
    tx.commit().await?;
    let mut answer = inbound::registration_answer(ctx, &created.client_id, &dcr);
    let mut granted: Vec<String> =
        scopes_of(&dcr.scope).into_iter().filter(|s| STANDARD_SCOPES.contains(&s.as_str())).collect();
    granted.extend(scopes);
    if granted.is_empty() {
        answer.remove("scope");
    } else {
        answer.insert("scope".into(), json!(granted.join(" ")));
    }
    Ok(Some(Ok(answer)))
}

// ---------------------------------------------------------------------------------------
// Effects on issuance

/// What a grant is for: its scopes and the audiences of its access tokens.
#[derive(Debug, Clone, Default)]
pub struct Target {
    /// The scopes granted (a subset of those requested).
    pub scopes: Vec<String>,
    /// The access tokens' `aud`.
    pub audience: Vec<String>,
    /// More scope names the request may name without `invalid_scope` (resource scopes).
    pub allowed: Vec<String>,
}

/// A refusal at authorize or token: `(error, description)`.
pub type TargetRefusal = (ErrorKind, String);

fn target_error(message: impl Into<String>) -> TargetRefusal {
    (ErrorKind::InvalidTarget, message.into())
}

fn push_unique(list: &mut Vec<String>, v: &str) {
    if !list.iter().any(|x| x == v) {
        list.push(v.to_owned());
    }
}

/// Who is asking: a user (authorize, code, refresh) or the client itself (client credentials).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grantee {
    User,
    Client,
}

/// The target of a request of `client`: on an agentic path (`mcp_server`), the MCP server's
/// scopes and audience; else, for inbound apps with RFC 8707 `resources`, the resources'
/// scopes the app's policies allow. `Ok(Ok(None))`: nothing changes.
pub async fn target(
    conn: &mut Conn,
    ctx: &Ctx,
    client: &Client,
    mcp_server: &str,
    resources: &[String],
    requested: &[String],
    grantee: Grantee,
) -> ApiResult<Result<Option<Target>, TargetRefusal>> {
    let standard = |s: &str| STANDARD_SCOPES.contains(&s);
    if !mcp_server.is_empty() || client.kind == ClientKind::McpClient {
        if client.kind != ClientKind::McpClient || client.mcp_server_id != mcp_server {
            return Ok(Err((
                ErrorKind::InvalidClient,
                format!("The client is not a client of MCP server {mcp_server}"),
            )));
        }
        let Some(server) = find_server(conn, ctx, mcp_server).await? else {
            return Ok(Err((ErrorKind::InvalidClient, format!("Unknown MCP server {mcp_server}"))));
        };
        let mut audience = Vec::new();
        for r in resources {
            let ok = if server.uri.is_empty() {
                url::Url::parse(r).is_ok() && !r.contains('#')
            } else {
                r == &server.uri
            };
            if !ok {
                return Ok(Err(target_error(format!("{r} is not the resource of MCP server {mcp_server}"))));
            }
            push_unique(&mut audience, r);
        }
        if !server.uri.is_empty() {
            push_unique(&mut audience, &server.uri);
        }
        push_unique(&mut audience, ctx.project_id().as_str());
        for a in &server.audience_whitelist {
            push_unique(&mut audience, a);
        }
        let allowed: Vec<String> = server
            .scopes
            .iter()
            .filter(|s| client.scopes.is_empty() || client.scopes.contains(s))
            .cloned()
            .collect();
        let scopes = requested.iter().filter(|s| standard(s) || allowed.contains(s)).cloned().collect();
        return Ok(Ok(Some(Target { scopes, audience, allowed })));
    }
    if resources.is_empty() || !client.is_inbound() {
        return Ok(Ok(None));
    }
    let mut audience = Vec::new();
    let mut defined = Vec::new();
    let mut granted: Vec<String> = Vec::new();
    for uri in resources {
        let Some(row) = store::agentic::by_lookup(conn, ctx.scope(), store::agentic::RESOURCE, uri).await?
        else {
            return Ok(Err(target_error(format!("Unknown resource {uri}"))));
        };
        let resource_scopes = scope_names(doc_of(&row).get("scopes"));
        let policy = store::agentic::get(
            conn,
            ctx.scope(),
            store::agentic::POLICY,
            &policy_id(&client.app_id, &row.id),
        )
        .await?
        .map(|p| doc_of(&p));
        let Some(policy) = policy else {
            return Ok(Err(target_error(format!("The application has no policy for resource {uri}"))));
        };
        let (all, listed) = match grantee {
            Grantee::User => ("allUserScopes", "userAccessScopes"),
            Grantee::Client => ("allClientScopes", "clientAccessScopes"),
        };
        let allowed: Vec<String> =
            if flag(&policy, all) { resource_scopes.clone() } else { strings_of(&policy, listed) };
        for s in &resource_scopes {
            push_unique(&mut defined, s);
        }
        for s in allowed {
            push_unique(&mut granted, &s);
        }
        push_unique(&mut audience, uri);
    }
    push_unique(&mut audience, ctx.project_id().as_str());
    for a in &client.audience_whitelist {
        push_unique(&mut audience, a);
    }
    let scopes = requested
        .iter()
        .filter(|s| standard(s) || granted.contains(s) || (client.scopes.contains(s) && !defined.contains(s)))
        .cloned()
        .collect();
    Ok(Ok(Some(Target { scopes, audience, allowed: defined })))
}

/// The issuer of an agentic server's discovery and ID tokens:
/// `<public-url>/v1/apps/agentic/<P>/<id>`.
pub fn issuer(ctx: &Ctx, server_id: &str) -> String {
    format!(
        "{}/v1/apps/agentic/{}/{server_id}",
        ctx.project.public_url.trim_end_matches('/'),
        ctx.project_id()
    )
}
