//! SCIM PATCH (RFC 7644 section 3.5.2) over a resource's SCIM JSON, with what Okta and Entra
//! ID send: `op` in any case, lower-case `operations`, no `path` with an object value (one
//! operation per member), value-filtered paths (`emails[type eq "work"].value`,
//! `members[value eq "U1"]`), member removal by path `members` with a value array.

use serde_json::{Map, Value};

use super::filter::{self, AttrDef, Filter, Literal, Op as CmpOp};
use super::{check_schemas, get_ci, PATCH_SCHEMA};
use crate::error::{ApiError, ApiResult, ErrorKind};

/// A PATCH operation kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Replace,
    Remove,
}

/// One operation of a PATCH body.
#[derive(Debug, Clone)]
pub struct Operation {
    pub op: Op,
    pub path: Option<String>,
    pub value: Option<Value>,
}

/// The operations of a PATCH body (`Operations`, or `operations`), checked for form.
pub fn operations(body: &Value) -> ApiResult<Vec<Operation>> {
    check_schemas(body, PATCH_SCHEMA)?;
    let ops = get_ci(body, "Operations")
        .ok_or_else(|| ApiError::bad_request("Operations is required"))?
        .as_array()
        .ok_or_else(|| ApiError::bad_request("Operations must be an array"))?;
    if ops.is_empty() {
        return Err(ApiError::bad_request("Operations is empty"));
    }
    let mut out = Vec::new();
    for o in ops {
        if !o.is_object() {
            return Err(ApiError::bad_request("Each operation must be an object"));
        }
        let op = match get_ci(o, "op").and_then(Value::as_str).map(str::to_ascii_lowercase).as_deref() {
            Some("add") => Op::Add,
            Some("replace") => Op::Replace,
            Some("remove") => Op::Remove,
            Some(other) => return Err(ApiError::bad_request(format!("Unknown PATCH op {other}"))),
            None => return Err(ApiError::bad_request("Each operation needs an op")),
        };
        let path = match get_ci(o, "path") {
            None => None,
            Some(Value::String(p)) if p.trim().is_empty() => None,
            Some(Value::String(p)) => Some(p.trim().to_owned()),
            Some(_) => return Err(path_error("path must be a string")),
        };
        out.push(Operation { op, path, value: get_ci(o, "value").cloned() });
    }
    Ok(out)
}

fn path_error(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorKind::ScimInvalidPath, message)
}

/// Where an operation applies.
#[derive(Debug)]
enum Target {
    /// `attr` or `attr.sub`.
    Attr { name: &'static str, sub: Option<&'static str>, multi: bool, complex: bool },
    /// `attr[filter]` or `attr[filter].sub`.
    Filtered { name: &'static str, filter: Filter, sub: Option<&'static str> },
    /// An extension schema's object, or one of its attributes.
    Extension { urn: String, attr: Option<String> },
}

fn core_prefix(path: &str, attrs: &[AttrDef]) -> Option<usize> {
    let schema =
        if attrs.iter().any(|a| a.name == "userName") { super::USER_SCHEMA } else { super::GROUP_SCHEMA };
    let lower = path.to_ascii_lowercase();
    lower.starts_with(&format!("{}:", schema.to_ascii_lowercase())).then_some(schema.len() + 1)
}

fn parse_target(path: &str, attrs: &[AttrDef]) -> ApiResult<Target> {
    let path = match core_prefix(path, attrs) {
        Some(n) => &path[n..],
        None if path.to_ascii_lowercase().starts_with("urn:") => {
            // `urn:…:User` (the extension object) or `urn:…:User:attr`.
            let (head, last) = path.rsplit_once(':').ok_or_else(|| path_error("Invalid path"))?;
            return Ok(if last.chars().next().is_some_and(char::is_uppercase) {
                Target::Extension { urn: path.to_owned(), attr: None }
            } else {
                Target::Extension { urn: head.to_owned(), attr: Some(last.to_owned()) }
            });
        }
        None => path,
    };
    let unknown = || path_error(format!("Unknown attribute path {path}"));
    if let Some((name, rest)) = path.split_once('[') {
        let (inner, after) = rest.rsplit_once(']').ok_or_else(|| path_error("Unbalanced [ in path"))?;
        let def = filter::find_attr(attrs, name).filter(|d| d.multi).ok_or_else(unknown)?;
        let filter = filter::parse(&format!("{}[{inner}]", def.name), attrs)
            .map_err(|e| path_error(format!("Invalid filter in path: {}", e.message)))?;
        let Filter::Elem { inner, .. } = filter else { return Err(unknown()) };
        let sub = match after.strip_prefix('.') {
            Some(s) => Some(
                def.subs
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(s))
                    .map(|(n, _)| *n)
                    .ok_or_else(unknown)?,
            ),
            None if after.is_empty() => None,
            None => return Err(unknown()),
        };
        return Ok(Target::Filtered { name: def.name, filter: *inner, sub });
    }
    let (name, sub) = match path.split_once('.') {
        Some((n, s)) => (n, Some(s)),
        None => (path, None),
    };
    let def = filter::find_attr(attrs, name).ok_or_else(unknown)?;
    let sub = match sub {
        Some(s) => Some(
            def.subs.iter().find(|(n, _)| n.eq_ignore_ascii_case(s)).map(|(n, _)| *n).ok_or_else(unknown)?,
        ),
        None => None,
    };
    Ok(Target::Attr { name: def.name, sub, multi: def.multi, complex: def.kind == filter::Kind::Complex })
}

/// Applies the operations to a resource's JSON. `read_only` attributes are skipped when an
/// object value names them and refused (`mutability`) when a path does.
pub fn apply(doc: &mut Value, ops: &[Operation], attrs: &[AttrDef], read_only: &[&str]) -> ApiResult<()> {
    for o in ops {
        match &o.path {
            None => {
                if o.op == Op::Remove {
                    return Err(ApiError::new(ErrorKind::ScimNoTarget, "remove needs a path"));
                }
                let Some(Value::Object(members)) = &o.value else {
                    return Err(ApiError::invalid("An operation without a path needs an object value"));
                };
                for (k, v) in members {
                    let key = match core_prefix(k, attrs) {
                        Some(n) => &k[n..],
                        None => k.as_str(),
                    };
                    if read_only.iter().any(|r| r.eq_ignore_ascii_case(key)) {
                        continue;
                    }
                    let target = parse_target(key, attrs)?;
                    apply_one(doc, o.op, target, Some(v))?;
                }
            }
            Some(path) => {
                let target = parse_target(path, attrs)?;
                if let Target::Attr { name, .. } | Target::Filtered { name, .. } = &target {
                    if read_only.contains(name) {
                        return Err(ApiError::new(ErrorKind::ScimMutability, format!("{name} is read-only")));
                    }
                }
                if o.op != Op::Remove && o.value.is_none() {
                    return Err(ApiError::invalid(format!("{path}: a value is required")));
                }
                apply_one(doc, o.op, target, o.value.as_ref())?;
            }
        }
    }
    Ok(())
}

fn as_items(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.clone(),
        Value::Null => Vec::new(),
        v => vec![v.clone()],
    }
}

fn item_value(v: &Value) -> Option<&Value> {
    match v {
        Value::Object(_) => get_ci(v, "value"),
        v => Some(v),
    }
}

fn obj(doc: &mut Value) -> ApiResult<&mut Map<String, Value>> {
    doc.as_object_mut().ok_or_else(|| ApiError::internal("a SCIM resource is an object"))
}

fn apply_one(doc: &mut Value, op: Op, target: Target, value: Option<&Value>) -> ApiResult<()> {
    let value = value.cloned().unwrap_or(Value::Null);
    let root = obj(doc)?;
    match target {
        Target::Extension { urn, attr } => {
            let entry = root.entry(urn.clone()).or_insert_with(|| Value::Object(Map::new()));
            match (op, attr) {
                (Op::Remove, None) => {
                    root.remove(&urn);
                }
                (Op::Remove, Some(a)) => {
                    if let Some(o) = entry.as_object_mut() {
                        o.remove(&a);
                    }
                }
                (_, None) => match (entry, value) {
                    (Value::Object(e), Value::Object(v)) if op == Op::Add => e.extend(v),
                    (e, v @ Value::Object(_)) => *e = v,
                    _ => return Err(ApiError::invalid(format!("{urn} must be an object"))),
                },
                (_, Some(a)) => {
                    if !entry.is_object() {
                        *entry = Value::Object(Map::new());
                    }
                    entry[a.as_str()] = value;
                }
            }
        }
        Target::Attr { name, sub: None, multi: true, .. } => match op {
            Op::Remove if value.is_null() => {
                root.insert(name.into(), Value::Array(Vec::new()));
            }
            Op::Remove => {
                let gone: Vec<Value> = as_items(&value).iter().filter_map(item_value).cloned().collect();
                if let Some(Value::Array(items)) = root.get_mut(name) {
                    items.retain(|i| !item_value(i).is_some_and(|v| gone.contains(v)));
                }
            }
            Op::Add => {
                let items = root.entry(name).or_insert_with(|| Value::Array(Vec::new()));
                if !items.is_array() {
                    *items = Value::Array(Vec::new());
                }
                let Value::Array(items) = items else { unreachable!() };
                for v in as_items(&value) {
                    if v.get("primary") == Some(&Value::Bool(true)) {
                        for i in items.iter_mut() {
                            if let Some(o) = i.as_object_mut() {
                                o.remove("primary");
                            }
                        }
                    }
                    let key = item_value(&v).cloned();
                    match items.iter_mut().find(|i| item_value(i).cloned() == key && key.is_some()) {
                        Some(existing) => *existing = v,
                        None => items.push(v),
                    }
                }
            }
            Op::Replace => {
                root.insert(name.into(), Value::Array(as_items(&value)));
            }
        },
        Target::Attr { name, sub: None, complex, .. } => match op {
            Op::Remove => {
                root.remove(name);
            }
            Op::Add if complex => {
                let entry = root.entry(name).or_insert_with(|| Value::Object(Map::new()));
                match (entry, value) {
                    (Value::Object(e), Value::Object(v)) => e.extend(v),
                    _ => return Err(ApiError::invalid(format!("{name} must be an object"))),
                }
            }
            _ => {
                root.insert(name.into(), value);
            }
        },
        Target::Attr { name, sub: Some(sub), multi, .. } => {
            let entry = root.entry(name).or_insert_with(|| {
                if multi {
                    Value::Array(Vec::new())
                } else {
                    Value::Object(Map::new())
                }
            });
            match entry {
                Value::Array(items) => {
                    if items.is_empty() && op != Op::Remove {
                        items.push(Value::Object(Map::new()));
                    }
                    for i in items.iter_mut().filter(|i| i.is_object()) {
                        set_sub(i, sub, op, &value);
                    }
                }
                e => {
                    if !e.is_object() {
                        *e = Value::Object(Map::new());
                    }
                    set_sub(e, sub, op, &value);
                }
            }
        }
        Target::Filtered { name, filter, sub } => {
            let items = root.entry(name).or_insert_with(|| Value::Array(Vec::new()));
            if !items.is_array() {
                *items = Value::Array(Vec::new());
            }
            let Value::Array(items) = items else { unreachable!() };
            if op == Op::Remove && sub.is_none() {
                items.retain(|i| !filter::matches(&filter, i));
                return Ok(());
            }
            if op != Op::Remove && !items.iter().any(|i| filter::matches(&filter, i)) {
                // `emails[type eq "work"].value` on a user without a work email: create it.
                match &filter {
                    Filter::Cmp { attr, sub: None, op: CmpOp::Eq, value: Literal::Str(v), .. } => {
                        let mut o = Map::new();
                        o.insert((*attr).into(), Value::String(v.clone()));
                        items.push(Value::Object(o));
                    }
                    _ => {
                        return Err(ApiError::new(
                            ErrorKind::ScimNoTarget,
                            format!("No {name} matches the path filter"),
                        ))
                    }
                }
            }
            for i in items.iter_mut().filter(|i| filter::matches(&filter, i)) {
                match sub {
                    Some(s) => set_sub(i, s, op, &value),
                    None => match (i.as_object_mut(), &value) {
                        (Some(o), Value::Object(v)) => o.extend(v.clone()),
                        _ => return Err(ApiError::invalid(format!("{name}: the value must be an object"))),
                    },
                }
            }
        }
    }
    Ok(())
}

fn set_sub(item: &mut Value, sub: &str, op: Op, value: &Value) {
    if let Some(o) = item.as_object_mut() {
        if op == Op::Remove {
            o.remove(sub);
        } else {
            o.insert(sub.into(), value.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::identity::scim::filter::{GROUP_ATTRS, USER_ATTRS};
    use serde_json::json;

    fn ops(v: Value) -> Vec<Operation> {
        operations(&json!({"schemas": [PATCH_SCHEMA], "Operations": v})).unwrap()
    }

    fn user() -> Value {
        json!({"id": "U1", "userName": "a@x.test", "active": true, "name": {"givenName": "A", "familyName": "B"},
               "emails": [{"value": "a@x.test", "type": "work", "primary": true}], "phoneNumbers": []})
    }

    #[test]
    fn okta_forms() {
        let mut u = user();
        apply(&mut u, &ops(json!([{"op": "replace", "value": {"active": false}}])), USER_ATTRS, &["id"])
            .unwrap();
        assert_eq!(u["active"], json!(false));
        let mut g = json!({"id": "G1", "displayName": "Eng", "members": [{"value": "U1"}, {"value": "U2"}]});
        apply(
            &mut g,
            &ops(json!([{"op": "remove", "path": "members[value eq \"U1\"]"}])),
            GROUP_ATTRS,
            &["id"],
        )
        .unwrap();
        assert_eq!(g["members"], json!([{"value": "U2"}]));
        apply(&mut g, &ops(json!([{"op": "add", "path": "members", "value": [{"value": "U3", "display": "c"}, {"value": "U2"}]}])), GROUP_ATTRS, &["id"]).unwrap();
        assert_eq!(g["members"], json!([{"value": "U2"}, {"value": "U3", "display": "c"}]));
        apply(
            &mut g,
            &ops(json!([{"op": "replace", "value": {"id": "G1", "displayName": "New"}}])),
            GROUP_ATTRS,
            &["id"],
        )
        .unwrap();
        assert_eq!(g["displayName"], "New");
    }

    #[test]
    fn entra_forms() {
        let mut u = user();
        let o = ops(json!([
            {"op": "Replace", "path": "active", "value": "False"},
            {"op": "Add", "path": "emails[type eq \"home\"].value", "value": "h@x.test"},
            {"op": "Replace", "path": "name.givenName", "value": "Z"},
            {"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "R&D"},
            {"op": "Replace", "path": "urn:ietf:params:scim:schemas:core:2.0:User:displayName", "value": "Zed"},
        ]));
        apply(&mut u, &o, USER_ATTRS, &["id"]).unwrap();
        assert_eq!(u["active"], "False");
        assert_eq!(u["emails"][1], json!({"type": "home", "value": "h@x.test"}));
        assert_eq!(u["name"]["givenName"], "Z");
        assert_eq!(u["displayName"], "Zed");
        assert_eq!(u["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"], "R&D");
        let mut g = json!({"id": "G1", "displayName": "Eng", "members": [{"value": "U1"}, {"value": "U2"}]});
        let o = operations(&json!({"schemas": [PATCH_SCHEMA], "operations": [
            {"op": "Remove", "path": "members", "value": [{"value": "U2"}]}]}))
        .unwrap();
        apply(&mut g, &o, GROUP_ATTRS, &["id"]).unwrap();
        assert_eq!(g["members"], json!([{"value": "U1"}]));
        apply(&mut g, &ops(json!([{"op": "remove", "path": "members"}])), GROUP_ATTRS, &["id"]).unwrap();
        assert_eq!(g["members"], json!([]));
    }

    #[test]
    fn bad_patches_are_refused_with_scim_types() {
        let kind = |body: Value| operations(&body).unwrap_err().kind;
        assert_eq!(kind(json!({"Operations": []})), ErrorKind::BadRequest);
        assert_eq!(kind(json!({"schemas": ["x"], "Operations": []})), ErrorKind::InvalidArguments);
        assert_eq!(
            kind(json!({"schemas": [PATCH_SCHEMA], "Operations": [{"op": "move"}]})),
            ErrorKind::BadRequest
        );
        let err = |o: Value| apply(&mut user(), &ops(o), USER_ATTRS, &["id", "meta"]).unwrap_err().kind;
        assert_eq!(
            err(json!([{"op": "replace", "path": "nickName", "value": "x"}])),
            ErrorKind::ScimInvalidPath
        );
        assert_eq!(
            err(json!([{"op": "replace", "path": "emails[type eq]", "value": "x"}])),
            ErrorKind::ScimInvalidPath
        );
        assert_eq!(err(json!([{"op": "replace", "path": "id", "value": "x"}])), ErrorKind::ScimMutability);
        assert_eq!(err(json!([{"op": "remove"}])), ErrorKind::ScimNoTarget);
        assert_eq!(err(json!([{"op": "replace", "value": "x"}])), ErrorKind::InvalidArguments);
    }
}
