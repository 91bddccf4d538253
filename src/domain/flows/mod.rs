//! Flows: the project configuration the hosted flows run from, and their runner
//! ([`engine`], [`screens`]: what `<descope-wc>` drives). Flow documents, the theme and
//! localization overrides are stored as JSON documents (`config_documents`), flows in the v2
//! export shape (`{flowId, metadata, contents, screens, references}`) exactly as they were
//! imported; the v1 shapes of python-sdk and node-sdk (`{flow: {id, name, description, dsl,
//! disabled, etag}, screens}` and `{theme: {id, cssTemplate}}`) are converted to and from it.
//!
//! Every project starts with the built-in flows ([`builtin`]): they are listed and exported
//! until the project imports its own version or deletes them (a stored row without a
//! document hides one).

pub mod builtin;
pub mod engine;
pub mod interpreter;
pub mod render;
pub mod screens;

pub use engine::{Engine, Outcome, StartOptions, Step, BUILT_IN};
pub use screens::Screen;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};

use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids::Scope;
use crate::store::{self, config_documents::DocumentRow, Conn, Db};

/// `config_documents.kind` of each document.
pub const FLOW: &str = "flow";
pub const THEME: &str = "theme";
pub const FLOW_LOCALIZATION: &str = "flow_localization";
pub const MESSAGING_LOCALIZATION: &str = "messaging_localization";

/// The longest flow ID accepted (unconfirmed limit).
const MAX_FLOW_ID: usize = 100;

/// A flow as `flow/list` shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FlowSummary {
    pub id: String,
    pub name: String,
    pub description: String,
    pub disabled: bool,
    pub version: i64,
    pub etag: String,
    pub modified_time: String,
}

/// A widget as `widget/list` shows it: a flow whose metadata says `widget`.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Widget {
    pub widget_id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub disabled: bool,
}

/// A stored flow: its ID, document text and version.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFlow {
    pub id: String,
    /// The v2 document, as JSON text.
    pub document: String,
    pub version: i64,
    pub modified_ms: i64,
}

impl StoredFlow {
    fn value(&self) -> Value {
        serde_json::from_str(&self.document).unwrap_or(Value::Null)
    }

    fn summary(&self) -> FlowSummary {
        let doc = self.value();
        let meta = doc.get("metadata").cloned().unwrap_or(Value::Null);
        FlowSummary {
            id: self.id.clone(),
            name: str_of(&meta, "name"),
            description: str_of(&meta, "description"),
            disabled: meta.get("disabled").and_then(Value::as_bool).unwrap_or(false),
            version: self.version,
            etag: self.version.to_string(),
            modified_time: (self.modified_ms / 1000).to_string(),
        }
    }
}

fn str_of(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or_default().to_owned()
}

/// Checks a flow ID: non-empty, at most [`MAX_FLOW_ID`] characters, no `/` (it names a file
/// of a configuration export).
pub fn check_flow_id(id: &str) -> ApiResult<()> {
    if id.trim().is_empty() {
        return Err(ApiError::missing("flowId"));
    }
    if id.len() > MAX_FLOW_ID || id.contains('/') || id.chars().any(char::is_control) {
        return Err(ApiError::invalid(format!(
            "Invalid flow ID {id}: at most {MAX_FLOW_ID} characters, without '/'"
        )));
    }
    Ok(())
}

/// Checks a v2 flow document: an object whose `metadata` (if any) is an object, `screens` an
/// array of objects and `contents` an object.
pub fn check_flow_document(doc: &Value) -> ApiResult<()> {
    let Some(obj) = doc.as_object() else {
        return Err(ApiError::invalid("A flow must be a JSON object"));
    };
    for (key, want_object) in
        [("metadata", true), ("contents", true), ("references", true), ("screens", false)]
    {
        match obj.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::Object(_)) if want_object => {}
            Some(Value::Array(items)) if !want_object => {
                if items.iter().any(|s| !s.is_object()) {
                    return Err(ApiError::invalid("flow.screens must be an array of objects"));
                }
            }
            Some(_) => {
                let what = if want_object { "an object" } else { "an array" };
                return Err(ApiError::invalid(format!("flow.{key} must be {what}")));
            }
        }
    }
    if let Some(Value::Object(meta)) = obj.get("metadata") {
        for key in ["name", "description"] {
            if meta.get(key).is_some_and(|v| !v.is_string() && !v.is_null()) {
                return Err(ApiError::invalid(format!("flow.metadata.{key} must be a string")));
            }
        }
    }
    Ok(())
}

fn not_found(id: &str) -> ApiError {
    ApiError::new(ErrorKind::NotFound, format!("Flow {id} not found"))
}

/// Every flow of the project, the built-in ones it kept included, by ID.
pub async fn all_flows(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<StoredFlow>> {
    let rows = store::config_documents::list_kind(conn, scope, FLOW).await?;
    let mut out: Vec<StoredFlow> = builtin::FLOWS
        .iter()
        .filter(|b| !rows.iter().any(|r| r.key == b.id))
        .map(|b| StoredFlow { id: b.id.to_owned(), document: b.document(), version: 1, modified_ms: 0 })
        .collect();
    out.extend(rows.into_iter().filter_map(|r| {
        r.document.map(|document| StoredFlow {
            id: r.key,
            document,
            version: r.version,
            modified_ms: r.modified_ms,
        })
    }));
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// One flow, or `None`.
pub async fn find_flow(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<Option<StoredFlow>> {
    match store::config_documents::get(conn, scope, FLOW, id).await? {
        Some(r) => Ok(r.document.map(|document| StoredFlow {
            id: r.key,
            document,
            version: r.version,
            modified_ms: r.modified_ms,
        })),
        None => Ok(builtin::find(id).map(|b| StoredFlow {
            id: b.id.to_owned(),
            document: b.document(),
            version: 1,
            modified_ms: 0,
        })),
    }
}

/// Why the emulator cannot run a flow from the management API (`flow/run`, `flow/async/run`):
/// a flow with screens needs a person (the web component runs it), and the actions of a
/// screenless management flow (connectors, scriptlets, HTTP calls) reach services the emulator
/// never calls. Unknown flows are 404; otherwise the Descope error naming the reason, since no
/// flow the emulator holds can run without a person.
pub async fn check_runnable(db: &Db, ctx: &Ctx, flow_id: &str) -> ApiResult<()> {
    if flow_id.trim().is_empty() {
        return Err(ApiError::missing("flowId"));
    }
    check_flow_id(flow_id)?;
    let mut conn = db.acquire().await?;
    let flow = find_flow(&mut conn, ctx.scope(), flow_id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Flow {flow_id} not found")))?;
    let doc: Value = serde_json::from_str(&flow.document).unwrap_or(Value::Null);
    let screens = doc.get("screens").and_then(Value::as_array).map_or(0, Vec::len);
    let reason = if screens > 0 || builtin::find(flow_id).is_some() {
        format!("Flow {flow_id} has screens: it runs in the web component (/v1/flow/start), not from the management API")
    } else {
        format!(
            "Flow {flow_id} cannot run in the emulator: management flows run actions (connectors, \
             scriptlets, HTTP requests) that would leave the machine"
        )
    };
    Err(ApiError::new(ErrorKind::FlowCannotRun, reason))
}

/// Stores a flow document (JSON text) under `id`, replacing any.
pub async fn put_flow(conn: &mut Conn, ctx: &Ctx, id: &str, document: String) -> ApiResult<StoredFlow> {
    let version = match store::config_documents::get(conn, ctx.scope(), FLOW, id).await? {
        Some(r) => r.version + 1,
        None if builtin::find(id).is_some() => 2,
        None => 1,
    };
    let row = DocumentRow {
        kind: FLOW.into(),
        key: id.to_owned(),
        document: Some(document),
        version,
        modified_ms: ctx.now.millis(),
    };
    store::config_documents::put(conn, ctx.scope(), &row).await?;
    Ok(StoredFlow {
        id: row.key,
        document: row.document.unwrap_or_default(),
        version,
        modified_ms: row.modified_ms,
    })
}

/// Removes a flow: its row, or a marker hiding the built-in one. Its localization goes too.
pub async fn remove_flow(conn: &mut Conn, ctx: &Ctx, id: &str) -> ApiResult<()> {
    store::config_documents::delete(conn, ctx.scope(), FLOW_LOCALIZATION, id).await?;
    if builtin::find(id).is_some() {
        let row = DocumentRow {
            kind: FLOW.into(),
            key: id.to_owned(),
            document: None,
            version: 0,
            modified_ms: ctx.now.millis(),
        };
        store::config_documents::put(conn, ctx.scope(), &row).await
    } else {
        store::config_documents::delete(conn, ctx.scope(), FLOW, id).await.map(drop)
    }
}

/// `flow/list`: the project's flows, only those of `ids` when any are given.
pub async fn list(db: &Db, ctx: &Ctx, ids: &[String]) -> ApiResult<Vec<FlowSummary>> {
    let flows = all_flows(&mut *db.acquire().await?, ctx.scope()).await?;
    Ok(flows.iter().filter(|f| ids.is_empty() || ids.contains(&f.id)).map(StoredFlow::summary).collect())
}

/// `widget/list`: the flows marked as widgets.
pub async fn widgets(db: &Db, ctx: &Ctx) -> ApiResult<Vec<Widget>> {
    let flows = all_flows(&mut *db.acquire().await?, ctx.scope()).await?;
    Ok(flows
        .iter()
        .filter_map(|f| {
            let doc = f.value();
            let meta = doc.get("metadata")?;
            if meta.get("widget").and_then(Value::as_bool) != Some(true) {
                return None;
            }
            Some(Widget {
                widget_id: f.id.clone(),
                name: str_of(meta, "name"),
                kind: str_of(meta, "widgetType"),
                disabled: meta.get("disabled").and_then(Value::as_bool).unwrap_or(false),
            })
        })
        .collect())
}

/// `flow/delete`: removes the flows; IDs the project does not have are skipped.
pub async fn delete(db: &Db, ctx: &Ctx, ids: &[String]) -> ApiResult<()> {
    if ids.is_empty() {
        return Err(ApiError::missing("ids"));
    }
    let mut tx = db.begin().await?;
    for id in ids {
        if find_flow(&mut tx, ctx.scope(), id).await?.is_some() {
            remove_flow(&mut tx, ctx, id).await?;
        }
    }
    tx.commit().await
}

/// `/v2/mgmt/flow/export`: the stored document text of a flow.
pub async fn export_v2(db: &Db, ctx: &Ctx, id: &str) -> ApiResult<Box<RawValue>> {
    check_flow_id(id)?;
    let flow = find_flow(&mut *db.acquire().await?, ctx.scope(), id).await?.ok_or_else(|| not_found(id))?;
    RawValue::from_string(flow.document).map_err(ApiError::internal)
}

/// `/v2/mgmt/flow/import`: stores `document` (JSON text of an object) as flow `id`, or the
/// document's own `flowId` when `id` is empty. The text is kept as given unless its `flowId`
/// differs from `id`, which is then written into it.
pub async fn import_v2(db: &Db, ctx: &Ctx, id: &str, document: &str) -> ApiResult<()> {
    let mut doc: Value = serde_json::from_str(document)
        .map_err(|e| ApiError::invalid(format!("flow is not valid JSON: {e}")))?;
    check_flow_document(&doc)?;
    let inner = str_of(&doc, "flowId");
    let id = if id.is_empty() { inner.clone() } else { id.to_owned() };
    check_flow_id(&id)?;
    let text = if inner == id {
        document.to_owned()
    } else {
        doc["flowId"] = Value::String(id.clone());
        store::json_text(&doc)?
    };
    let mut tx = db.begin().await?;
    put_flow(&mut tx, ctx, &id, text).await?;
    tx.commit().await
}

/// The v1 shape of a flow (python-sdk and node-sdk `flow/export|import`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FlowV1 {
    pub id: String,
    pub name: String,
    pub description: String,
    pub dsl: Value,
    pub disabled: bool,
    pub etag: String,
}

/// `{flow, screens}` of the v1 export and import.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FlowV1Response {
    pub flow: FlowV1,
    pub screens: Vec<Value>,
}

fn v1_of(flow: &StoredFlow) -> FlowV1Response {
    let doc = flow.value();
    let meta = doc.get("metadata").cloned().unwrap_or(Value::Null);
    let screens = doc
        .get("screens")
        .and_then(Value::as_array)
        .map(|screens| {
            screens
                .iter()
                .map(|s| {
                    let mut out = Map::new();
                    out.insert("id".into(), Value::String(str_of(s, "screenId")));
                    out.insert("flowId".into(), Value::String(flow.id.clone()));
                    out.insert("inputs".into(), s.get("inputs").cloned().unwrap_or_else(|| json!([])));
                    out.insert(
                        "interactions".into(),
                        s.get("interactions").cloned().unwrap_or_else(|| json!([])),
                    );
                    out.insert(
                        "htmlTemplate".into(),
                        s.get("contents").cloned().unwrap_or_else(|| json!({})),
                    );
                    Value::Object(out)
                })
                .collect()
        })
        .unwrap_or_default();
    FlowV1Response {
        flow: FlowV1 {
            id: flow.id.clone(),
            name: str_of(&meta, "name"),
            description: str_of(&meta, "description"),
            dsl: doc.get("contents").cloned().unwrap_or_else(|| json!({})),
            disabled: meta.get("disabled").and_then(Value::as_bool).unwrap_or(false),
            etag: flow.version.to_string(),
        },
        screens,
    }
}

/// `/v1/mgmt/flow/export`.
pub async fn export_v1(db: &Db, ctx: &Ctx, id: &str) -> ApiResult<FlowV1Response> {
    check_flow_id(id)?;
    let flow = find_flow(&mut *db.acquire().await?, ctx.scope(), id).await?.ok_or_else(|| not_found(id))?;
    Ok(v1_of(&flow))
}

/// `/v1/mgmt/flow/import`: the v1 flow and screens, stored as a v2 document.
pub async fn import_v1(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    flow: Value,
    screens: Value,
) -> ApiResult<FlowV1Response> {
    let flow: Map<String, Value> = match flow {
        Value::Object(m) => m,
        Value::Null => Map::new(),
        _ => return Err(ApiError::invalid("flow must be a JSON object")),
    };
    let id = if id.is_empty() { flow.get("id").and_then(Value::as_str).unwrap_or_default() } else { id };
    check_flow_id(id)?;
    let v1: FlowV1 = serde_json::from_value(Value::Object(flow.clone()))
        .map_err(|e| ApiError::invalid(format!("flow is not valid: {e}")))?;
    let screens = match screens {
        Value::Null => Vec::new(),
        Value::Array(items) => items,
        _ => return Err(ApiError::invalid("screens must be an array")),
    };
    let mut v2_screens = Vec::with_capacity(screens.len());
    for s in screens {
        let Value::Object(s) = s else {
            return Err(ApiError::invalid("screens must be an array of objects"));
        };
        let mut out = Map::new();
        out.insert("screenId".into(), s.get("id").cloned().unwrap_or_else(|| json!("")));
        out.insert("interactions".into(), s.get("interactions").cloned().unwrap_or_else(|| json!([])));
        if let Some(inputs) = s.get("inputs") {
            out.insert("inputs".into(), inputs.clone());
        }
        out.insert("contents".into(), s.get("htmlTemplate").cloned().unwrap_or_else(|| json!({})));
        v2_screens.push(Value::Object(out));
    }
    let contents = match v1.dsl {
        Value::Null => json!({}),
        Value::Object(m) => Value::Object(m),
        _ => return Err(ApiError::invalid("flow.dsl must be an object")),
    };
    let doc = json!({
        "flowId": id,
        "metadata": {"name": v1.name, "description": v1.description, "disabled": v1.disabled},
        "contents": contents,
        "screens": v2_screens,
        "references": {},
    });
    let mut tx = db.begin().await?;
    let stored = put_flow(&mut tx, ctx, id, store::json_text(&doc)?).await?;
    tx.commit().await?;
    Ok(v1_of(&stored))
}

/// The theme a project has before it imports one.
pub fn default_theme() -> Value {
    json!({"styles": {}, "componentsVersion": "", "references": {}})
}

/// Checks a v2 theme: an object whose `styles` (if any) is an object.
pub fn check_theme(theme: &Value) -> ApiResult<()> {
    let Some(obj) = theme.as_object() else {
        return Err(ApiError::invalid("theme must be a JSON object"));
    };
    match obj.get("styles") {
        None | Some(Value::Null) | Some(Value::Object(_)) => Ok(()),
        Some(_) => Err(ApiError::invalid("theme.styles must be a JSON object")),
    }
}

/// The project's theme document (v2 shape).
pub async fn theme(conn: &mut Conn, scope: &Scope) -> ApiResult<Value> {
    Ok(store::config_documents::get(conn, scope, THEME, "")
        .await?
        .and_then(|r| r.document)
        .and_then(|d| serde_json::from_str(&d).ok())
        .unwrap_or_else(default_theme))
}

/// Replaces the project's theme.
pub async fn put_theme(conn: &mut Conn, ctx: &Ctx, theme: &Value) -> ApiResult<()> {
    check_theme(theme)?;
    let version =
        store::config_documents::get(conn, ctx.scope(), THEME, "").await?.map_or(1, |r| r.version + 1);
    let row = DocumentRow {
        kind: THEME.into(),
        key: String::new(),
        document: Some(store::json_text(theme)?),
        version,
        modified_ms: ctx.now.millis(),
    };
    store::config_documents::put(conn, ctx.scope(), &row).await
}

/// `/v2/mgmt/theme/export`.
pub async fn export_theme_v2(db: &Db, ctx: &Ctx) -> ApiResult<Value> {
    theme(&mut *db.acquire().await?, ctx.scope()).await
}

/// `/v2/mgmt/theme/import`.
pub async fn import_theme_v2(db: &Db, ctx: &Ctx, theme: Value) -> ApiResult<()> {
    if theme.is_null() {
        return Err(ApiError::missing("theme"));
    }
    let mut tx = db.begin().await?;
    put_theme(&mut tx, ctx, &theme).await?;
    tx.commit().await
}

/// The v1 shape of the theme: `{id, cssTemplate}` (`cssTemplate` is the v2 `styles`).
fn theme_v1_of(theme: &Value) -> Value {
    json!({
        "id": theme.get("id").cloned().unwrap_or_else(|| json!("")),
        "cssTemplate": theme.get("styles").cloned().unwrap_or_else(|| json!({})),
    })
}

/// `/v1/mgmt/theme/export`.
pub async fn export_theme_v1(db: &Db, ctx: &Ctx) -> ApiResult<Value> {
    Ok(theme_v1_of(&export_theme_v2(db, ctx).await?))
}

/// `/v1/mgmt/theme/import`: `{id, cssTemplate}`, stored in the v2 shape.
pub async fn import_theme_v1(db: &Db, ctx: &Ctx, given: Value) -> ApiResult<Value> {
    let Value::Object(t) = given else {
        return Err(ApiError::invalid("theme must be a JSON object"));
    };
    let styles = match t.get("cssTemplate") {
        None | Some(Value::Null) => json!({}),
        Some(Value::Object(m)) => Value::Object(m.clone()),
        Some(_) => return Err(ApiError::invalid("theme.cssTemplate must be a JSON object")),
    };
    let mut tx = db.begin().await?;
    let mut doc = theme(&mut tx, ctx.scope()).await?;
    doc["styles"] = styles;
    if let Some(id) = t.get("id").filter(|v| v.is_string()) {
        doc["id"] = id.clone();
    }
    put_theme(&mut tx, ctx, &doc).await?;
    tx.commit().await?;
    Ok(theme_v1_of(&doc))
}

/// Checks localization `languages`: an object of objects (language → key → text).
pub fn check_languages(languages: &Value) -> ApiResult<()> {
    match languages {
        Value::Null => Ok(()),
        Value::Object(m) if m.values().all(Value::is_object) => Ok(()),
        _ => Err(ApiError::invalid("overrides.languages must map each language to an object of texts")),
    }
}

/// Localization overrides as the API shows them.
fn overrides_of(row: Option<&DocumentRow>, flow_id: Option<&str>) -> Value {
    let languages = row
        .and_then(|r| r.document.as_deref())
        .and_then(|d| serde_json::from_str::<Value>(d).ok())
        .unwrap_or_else(|| json!({}));
    let mut out = json!({
        "id": row.map(|r| format!("{}:{}", r.kind, r.key)).unwrap_or_default(),
        "version": row.map_or(0, |r| r.version),
        "modifiedTime": row.map_or(0, |r| r.modified_ms / 1000).to_string(),
        "languages": languages,
    });
    if let Some(f) = flow_id {
        out["flowId"] = json!(f);
    }
    out
}

/// The stored languages of one localization document (`{}` when none).
pub async fn languages(conn: &mut Conn, scope: &Scope, kind: &str, key: &str) -> ApiResult<Option<Value>> {
    Ok(store::config_documents::get(conn, scope, kind, key)
        .await?
        .and_then(|r| r.document)
        .and_then(|d| serde_json::from_str(&d).ok()))
}

/// Replaces one localization document.
pub async fn put_languages(
    conn: &mut Conn,
    ctx: &Ctx,
    kind: &str,
    key: &str,
    languages: &Value,
) -> ApiResult<DocumentRow> {
    check_languages(languages)?;
    let languages = if languages.is_null() { json!({}) } else { languages.clone() };
    let version =
        store::config_documents::get(conn, ctx.scope(), kind, key).await?.map_or(1, |r| r.version + 1);
    let row = DocumentRow {
        kind: kind.into(),
        key: key.into(),
        document: Some(store::json_text(&languages)?),
        version,
        modified_ms: ctx.now.millis(),
    };
    store::config_documents::put(conn, ctx.scope(), &row).await?;
    Ok(row)
}

/// `localization/flow/export`: the overrides of an existing flow.
pub async fn export_flow_localization(db: &Db, ctx: &Ctx, flow_id: &str) -> ApiResult<Value> {
    check_flow_id(flow_id)?;
    let mut conn = db.acquire().await?;
    if find_flow(&mut conn, ctx.scope(), flow_id).await?.is_none() {
        return Err(not_found(flow_id));
    }
    let row = store::config_documents::get(&mut conn, ctx.scope(), FLOW_LOCALIZATION, flow_id).await?;
    Ok(overrides_of(row.as_ref(), Some(flow_id)))
}

/// `localization/flow/import`: replaces an existing flow's overrides.
pub async fn import_flow_localization(
    db: &Db,
    ctx: &Ctx,
    flow_id: &str,
    languages: &Value,
) -> ApiResult<Value> {
    check_flow_id(flow_id)?;
    let mut tx = db.begin().await?;
    if find_flow(&mut tx, ctx.scope(), flow_id).await?.is_none() {
        return Err(not_found(flow_id));
    }
    let row = put_languages(&mut tx, ctx, FLOW_LOCALIZATION, flow_id, languages).await?;
    tx.commit().await?;
    Ok(overrides_of(Some(&row), Some(flow_id)))
}

/// `localization/messaging/export`.
pub async fn export_messaging_localization(db: &Db, ctx: &Ctx) -> ApiResult<Value> {
    let row =
        store::config_documents::get(&mut *db.acquire().await?, ctx.scope(), MESSAGING_LOCALIZATION, "")
            .await?;
    Ok(overrides_of(row.as_ref(), None))
}

/// `localization/messaging/import`.
pub async fn import_messaging_localization(db: &Db, ctx: &Ctx, languages: &Value) -> ApiResult<Value> {
    let mut tx = db.begin().await?;
    let row = put_languages(&mut tx, ctx, MESSAGING_LOCALIZATION, "", languages).await?;
    tx.commit().await?;
    Ok(overrides_of(Some(&row), None))
}
