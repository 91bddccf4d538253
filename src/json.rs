//! Lenient JSON input: the SDKs send `null`, `""`, `[]` or nothing for "not given"
//! (SDK_CONTRACT.md 2), and all of them must mean the same. Instead of a `null`-tolerant
//! deserializer on every field, request JSON is normalised once, before serde sees it:
//! [`drop_nulls`] removes the members whose value is `null`, so a `#[serde(default)]` field
//! given `null` gets its default exactly as if it were left out.
//!
//! Which `null`s are "not given" and which are data is decided by the member's name, not by
//! the target type. Going by type (dropping members only where serde asks for a struct) would
//! be exact, but serde asks `#[serde(flatten)]` structs for a *map* and then feeds the
//! flattened fields from a buffer, so their `null`s would never be dropped; the shared
//! [`UserProfile`](crate::domain::identity::profile::UserProfile) is flattened into several
//! bodies. So the rule is, at every level of the request:
//!
//! - an object's members are field names: its `null` members are dropped, and the values of
//!   the others normalised in turn (also inside arrays);
//! - except the value of a member named in [`FREE_FORM`]: JSON the caller owns (custom
//!   attributes, custom claims, audit data ...), typed `Value` or `Map<String, Value>`,
//!   kept exactly as sent, `null`s included (the member itself is still dropped when it is
//!   `null`, which makes it the empty default);
//! - and the value of a member named in [`KEYED_MAPS`]: a map keyed by data (a tenant ID)
//!   whose `null` values mean something (`{"T1": null}` filters on membership of T1); its
//!   members are kept and their values normalised.
//!
//! A new field of type `Value`, `Map<String, Value>` or `Map<_, Option<_>>` must be added to
//! these lists; `tests/it/json_nulls.rs` pins the rule.

use serde::de::DeserializeOwned;
use serde_json::Value;

/// Members whose value is free-form JSON, left exactly as sent.
pub const FREE_FORM: &[&str] =
    &["attributeValue", "customAttributes", "customClaims", "data", "defaultValue", "ssoSetupSuiteSettings"];

/// Members whose value is a map keyed by data, where a `null` value is kept.
pub const KEYED_MAPS: &[&str] = &["tenantRoleIds", "tenantRoleNames"];

/// Drops the `null` members of every object that holds field names (see the module doc).
pub fn drop_nulls(value: Value) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members
                .into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| {
                    let v = if FREE_FORM.contains(&k.as_str()) {
                        v
                    } else if KEYED_MAPS.contains(&k.as_str()) {
                        keyed_map(v)
                    } else {
                        drop_nulls(v)
                    };
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(drop_nulls).collect()),
        other => other,
    }
}

fn keyed_map(value: Value) -> Value {
    match value {
        Value::Object(entries) => {
            Value::Object(entries.into_iter().map(|(k, v)| (k, drop_nulls(v))).collect())
        }
        other => drop_nulls(other),
    }
}

/// Parses JSON text leniently: `null` members dropped as in [`drop_nulls`]. For input read
/// outside a request body (fixture files, the bare-array history body).
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> serde_json::Result<T> {
    serde_json::from_value(drop_nulls(serde_json::from_slice(bytes)?))
}

/// Deserializes a number, a numeric string, `""` or null (0): request times that the
/// OpenAPI types as strings and the SDKs send as numbers.
pub fn lenient_i64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    match <Option<serde_json::Value> as serde::Deserialize>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => Ok(0),
        Some(serde_json::Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .ok_or_else(|| serde::de::Error::custom("not an integer")),
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => Ok(0),
        Some(serde_json::Value::String(s)) => {
            s.trim().parse().map_err(|_| serde::de::Error::custom("not a number"))
        }
        Some(_) => Err(serde::de::Error::custom("expected a number")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::drop_nulls;

    #[test]
    fn nulls_are_dropped_from_shapes_at_every_level() {
        let body = json!({"a": null, "b": {"c": null, "d": 1}, "e": [{"f": null}, null]});
        assert_eq!(drop_nulls(body), json!({"b": {"d": 1}, "e": [{}, null]}));
    }

    #[test]
    fn free_form_values_keep_their_nulls() {
        let body = json!({
            "customAttributes": {"a": null, "b": {"c": null}},
            "user": {"customClaims": {"x": [null]}, "name": null},
            "customClaims": null,
        });
        let want = json!({
            "customAttributes": {"a": null, "b": {"c": null}},
            "user": {"customClaims": {"x": [null]}},
        });
        assert_eq!(drop_nulls(body), want);
    }

    #[test]
    fn keyed_maps_keep_null_values_and_normalise_the_others() {
        let body = json!({"tenantRoleNames": {"T1": null, "T2": {"values": null, "and": true}}});
        assert_eq!(drop_nulls(body), json!({"tenantRoleNames": {"T1": null, "T2": {"and": true}}}));
    }
}
