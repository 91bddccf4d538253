//! The MCP tool catalogue `src/api/mcp/tools.json` and its generator.
//!
//! The catalogue is generated from Descope's OpenAPI document (`../shared/openapi`, beside the
//! repository, when present): the operations of the 165 tools of the hosted Descope management
//! MCP server (`data/mcp_tools.tsv`), each with name = `snake_case(operationId)`, its
//! description, and an input schema = the request-body schema (`$ref`s inlined) plus the path
//! and query parameters. These tests fail when the committed file drifts from the name list,
//! from the route tables or from the OpenAPI document.
//!
//! Regenerate with `scripts/gen-mcp-tools.sh` (or
//! `UPDATE_MCP_TOOLS=1 cargo test --test it mcp_catalogue`).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use descope_emulator::api::descope_ops;
use descope_emulator::api::mcp::catalogue;
use descope_emulator::http::operations::normalize;
use serde_json::{json, Map, Value};

const TOOL_LIST: &str = include_str!("data/mcp_tools.tsv");

/// `(name, method, path)` of the hosted server's tools.
fn tool_list() -> Vec<(&'static str, &'static str, &'static str)> {
    TOOL_LIST
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0], f[1], f[2])
        })
        .collect()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `ConfigureSSOOIDCSettings` → `configure_ssooidc_settings`: a word starts at an upper-case
/// letter after a lower-case letter or digit, or at the last capital of an acronym run that a
/// lower-case letter follows.
fn snake_case(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if (prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower))
                && !out.ends_with('_')
            {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// The name of an operation without an `operationId`: `get_v1_mgmt_fga_mappable_resources`.
fn method_path_name(method: &str, path: &str) -> String {
    let mut out = method.to_ascii_lowercase();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        out.push('_');
        out.extend(
            segment.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }),
        );
    }
    out
}

/// A schema with every `$ref` replaced by its target. OpenAPI-only keys (`example`, `x-...`)
/// are left out; a schema that refers to itself stops at a plain object.
fn inline(schema: &Value, components: &Map<String, Value>, stack: &mut Vec<String>) -> Value {
    match schema {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                let name = reference.rsplit('/').next().unwrap_or_default().to_owned();
                if stack.contains(&name) {
                    return json!({ "type": "object" });
                }
                let Some(target) = components.get(&name) else {
                    return json!({});
                };
                stack.push(name);
                let mut out = inline(target, components, stack);
                stack.pop();
                if let (Some(description), Value::Object(out)) = (map.get("description"), &mut out) {
                    out.insert("description".into(), description.clone());
                }
                return out;
            }
            let mut out = Map::new();
            for (key, value) in map {
                if key == "example" || key.starts_with("x-") {
                    continue;
                }
                let value = match key.as_str() {
                    "properties" => Value::Object(
                        value
                            .as_object()
                            .map(|props| {
                                props.iter().map(|(k, v)| (k.clone(), inline(v, components, stack))).collect()
                            })
                            .unwrap_or_default(),
                    ),
                    "items" | "additionalProperties" | "not" => inline(value, components, stack),
                    "allOf" | "anyOf" | "oneOf" => Value::Array(
                        value
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|v| inline(v, components, stack))
                            .collect(),
                    ),
                    _ => value.clone(),
                };
                out.insert(key.clone(), value);
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// The operation's description; its summary, or its method and path, when it has none.
fn description(op: &Value, method: &str, path: &str) -> String {
    [&op["description"], &op["summary"]]
        .into_iter()
        .filter_map(Value::as_str)
        .find(|d| !d.trim().is_empty())
        .map_or_else(
            || format!("{method} {path} (no description in Descope's OpenAPI document)"),
            str::to_owned,
        )
}

/// The catalogue generated from the OpenAPI document: a JSON array, one tool a line, sorted
/// by name.
fn generate(openapi: &Value) -> String {
    let wanted: BTreeMap<&str, (&str, &str)> = tool_list().into_iter().map(|(n, m, p)| (n, (m, p))).collect();
    let empty = Map::new();
    let components = openapi["components"]["schemas"].as_object().unwrap_or(&empty);
    let mut tools: BTreeMap<String, Value> = BTreeMap::new();
    for (path, item) in openapi["paths"].as_object().unwrap_or(&empty) {
        for (method, op) in item.as_object().unwrap_or(&empty) {
            let method = method.to_ascii_uppercase();
            let operation_id = op["operationId"].as_str();
            let name = operation_id.map_or_else(|| method_path_name(&method, path), snake_case);
            if wanted.get(name.as_str()) != Some(&(method.as_str(), path.as_str())) {
                continue;
            }
            let body = &op["requestBody"]["content"]["application/json"]["schema"];
            let mut schema = match inline(body, components, &mut Vec::new()) {
                Value::Object(map) => map,
                _ => Map::new(),
            };
            schema.insert("type".into(), json!("object"));
            let mut properties =
                schema.remove("properties").and_then(|p| p.as_object().cloned()).unwrap_or_default();
            let mut required: Vec<Value> =
                schema.remove("required").and_then(|r| r.as_array().cloned()).unwrap_or_default();
            let mut query = Vec::new();
            for param in op["parameters"].as_array().into_iter().flatten() {
                let (Some(pname), Some(place)) = (param["name"].as_str(), param["in"].as_str()) else {
                    continue;
                };
                let mut prop = match inline(&param["schema"], components, &mut Vec::new()) {
                    Value::Object(map) => map,
                    _ => Map::new(),
                };
                if let Some(description) = param["description"].as_str() {
                    prop.insert("description".into(), json!(description));
                }
                properties.insert(pname.to_owned(), Value::Object(prop));
                if place == "path" || param["required"] == json!(true) {
                    required.push(json!(pname));
                }
                if place == "query" {
                    query.push(json!(pname));
                }
            }
            schema.insert("properties".into(), Value::Object(properties));
            if !required.is_empty() {
                schema.insert("required".into(), Value::Array(required));
            }
            let mut tool = json!({
                "name": name,
                "method": method,
                "path": path,
                "operationId": operation_id,
                "description": description(op, &method, path),
                "inputSchema": schema,
            });
            if !query.is_empty() {
                tool["query"] = Value::Array(query);
            }
            tools.insert(name, tool);
        }
    }
    let lines: Vec<String> = tools.values().map(Value::to_string).collect();
    format!("[\n{}\n]\n", lines.join(",\n"))
}

fn openapi_path() -> PathBuf {
    root().join("../shared/openapi/descope-openapi.json")
}

#[test]
fn mcp_catalogue_names_match_the_hosted_server() {
    let expected: BTreeSet<&str> = tool_list().iter().map(|t| t.0).collect();
    assert_eq!(expected.len(), 165, "data/mcp_tools.tsv must name the 165 tools");
    let specs = catalogue::specs();
    let names: BTreeSet<&str> = specs.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, expected, "src/api/mcp/tools.json names differ from data/mcp_tools.tsv");
    assert_eq!(specs.len(), 165, "duplicate tool names in tools.json");
    let sorted: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
    let mut resorted = sorted.clone();
    resorted.sort_unstable();
    assert_eq!(sorted, resorted, "tools.json must be sorted by name");
    let list: HashSet<(&str, &str, &str)> = tool_list().into_iter().collect();
    for spec in specs {
        assert!(
            list.contains(&(spec.name.as_str(), spec.method.as_str(), spec.path.as_str())),
            "{} is {} {} in tools.json, not as data/mcp_tools.tsv says",
            spec.name,
            spec.method,
            spec.path
        );
        assert_eq!(spec.input_schema["type"], "object", "{}: input schema is not an object", spec.name);
        assert!(spec.input_schema["properties"].is_object(), "{}: no properties", spec.name);
        assert!(!spec.description.is_empty(), "{}: no description", spec.name);
    }
    // Three tools of the emulator's own after the Descope ones.
    let all: Vec<&str> = catalogue::tools().iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(all.len(), 168);
    assert_eq!(&all[165..], ["emulator_outbox_latest", "emulator_clock_advance", "emulator_project_reset"]);
}

#[test]
fn mcp_catalogue_tools_are_routes_of_the_emulator() {
    let routes: HashSet<String> =
        descope_ops().iter().map(|op| format!("{} {}", op.method, normalize(op.path))).collect();
    let missing: Vec<String> = catalogue::specs()
        .iter()
        .map(|s| format!("{} {}", s.method, normalize(&s.path)))
        .filter(|key| !routes.contains(key))
        .collect();
    assert!(missing.is_empty(), "MCP tools without a route: {missing:?}");
}

#[test]
fn mcp_catalogue_naming_rule() {
    assert_eq!(snake_case("ConfigureSSOOIDCSettings"), "configure_ssooidc_settings");
    assert_eq!(snake_case("GenerateOTPForTestUser"), "generate_otp_for_test_user");
    assert_eq!(snake_case("DeleteOutboundAppTokenByID"), "delete_outbound_app_token_by_id");
    assert_eq!(snake_case("RemoveSSOSuffixFromExternalId"), "remove_sso_suffix_from_external_id");
    assert_eq!(
        method_path_name("GET", "/v1/mgmt/fga/mappable/resources"),
        "get_v1_mgmt_fga_mappable_resources"
    );
}

/// Regenerates the catalogue from `../shared/openapi` when it is present and compares it
/// with the committed file (`UPDATE_MCP_TOOLS=1` writes it instead).
#[test]
fn mcp_catalogue_is_generated_from_the_openapi_document() {
    let source = openapi_path();
    if !source.exists() {
        eprintln!("{} not found: the catalogue is not regenerated", source.display());
        return;
    }
    let openapi: Value = serde_json::from_slice(&std::fs::read(&source).unwrap()).unwrap();
    let generated = generate(&openapi);
    let target = root().join("src/api/mcp/tools.json");
    if std::env::var_os("UPDATE_MCP_TOOLS").is_some() {
        std::fs::write(&target, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(Path::new(&target)).unwrap();
    assert!(committed == generated, "src/api/mcp/tools.json is out of date: run scripts/gen-mcp-tools.sh");
}
