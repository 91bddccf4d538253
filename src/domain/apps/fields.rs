//! Reading the members of the JSON documents apps are stored and sent as: absent or
//! mistyped members read as empty.

use serde_json::{Map, Value};

/// A string member, or `""`.
pub(super) fn str_of(body: &Map<String, Value>, key: &str) -> String {
    body.get(key).and_then(Value::as_str).unwrap_or_default().to_owned()
}

/// The strings of an array member (other items skipped), or none.
pub(super) fn strings_of(body: &Map<String, Value>, key: &str) -> Vec<String> {
    body.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// A boolean member, or `false`.
pub(super) fn flag(body: &Map<String, Value>, key: &str) -> bool {
    body.get(key).and_then(Value::as_bool).unwrap_or(false)
}
