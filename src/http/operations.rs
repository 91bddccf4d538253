//! Which operation a request is: its route template (as the route tables write it) and, for a
//! Descope operation, its OpenAPI `operationId`, looked up from the method and the concrete
//! path. The request log and fault rules name operations this way.
//!
//! The operation IDs come from `src/api/operation_ids.tsv`, generated from the vendored
//! operation list by `scripts/gen-supported.sh` (checked by `tests/it/supported.rs`).

use std::collections::HashMap;
use std::sync::OnceLock;

/// `method \t path \t operationId \t group`, one Descope operation a line, after a header.
pub const OPERATION_IDS_TSV: &str = include_str!("../api/operation_ids.tsv");

/// One routed operation, as a request resolves to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    pub method: &'static str,
    /// The route template, `{param}` segments included.
    pub path: &'static str,
    /// The OpenAPI `operationId`, for Descope operations the vendored list names.
    pub operation_id: Option<&'static str>,
    /// Whether the route table marks it built.
    pub built: bool,
}

impl Operation {
    /// The emulator's own routes (`/emulator/...`): never faulted, never logged.
    pub fn is_emulator(&self) -> bool {
        self.path.starts_with("/emulator/") || self.path == "/emulator"
    }
}

struct Table {
    ops: Vec<Operation>,
    by_id: HashMap<String, usize>,
}

/// `(method, path with parameter names dropped)` → operationId of the vendored list.
fn operation_ids() -> HashMap<(String, String), &'static str> {
    OPERATION_IDS_TSV
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut f = line.split('\t');
            let (method, path, id) = (f.next()?, f.next()?, f.next()?);
            Some(((method.to_owned(), normalize(path)), id))
        })
        .collect()
}

/// The path with its parameter names dropped (`/v2/keys/{projectId}` → `/v2/keys/{}`).
pub fn normalize(path: &str) -> String {
    path.split('/').map(|s| if is_param(s) { "{}" } else { s }).collect::<Vec<_>>().join("/")
}

fn is_param(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let ids = operation_ids();
        let ops: Vec<Operation> = crate::api::all_ops()
            .into_iter()
            .map(|op| Operation {
                method: op.method,
                path: op.path,
                operation_id: ids.get(&(op.method.to_owned(), normalize(op.path))).copied(),
                built: op.built,
            })
            .collect();
        let by_id = ops
            .iter()
            .enumerate()
            .filter_map(|(i, op)| op.operation_id.map(|id| (id.to_ascii_lowercase(), i)))
            .collect();
        Table { ops, by_id }
    })
}

/// The operation whose `operationId` is `id` (case-insensitive).
pub fn by_operation_id(id: &str) -> Option<Operation> {
    let t = table();
    t.by_id.get(&id.to_ascii_lowercase()).map(|&i| t.ops[i])
}

/// The operation a request for `method` and `path` is routed to, as axum would pick it:
/// among the templates that match, literal segments win over parameters, left to right.
pub fn resolve(method: &str, path: &str) -> Option<Operation> {
    let segments: Vec<&str> = path.split('/').collect();
    let mut best: Option<(Vec<bool>, Operation)> = None;
    for op in table().ops.iter().filter(|op| op.method.eq_ignore_ascii_case(method)) {
        if let Some(score) = match_template(op.path, &segments) {
            if best.as_ref().is_none_or(|(s, _)| score > *s) {
                best = Some((score, *op));
            }
        }
    }
    best.map(|(_, op)| op)
}

/// Every operation routed at `path` (any method).
pub fn resolve_any_method(path: &str) -> Vec<Operation> {
    let mut methods: Vec<&'static str> = table().ops.iter().map(|op| op.method).collect();
    methods.sort_unstable();
    methods.dedup();
    methods.into_iter().filter_map(|m| resolve(m, path)).collect()
}

/// Which segments of `template` are literal, when it matches `segments`.
fn match_template(template: &str, segments: &[&str]) -> Option<Vec<bool>> {
    let parts: Vec<&str> = template.split('/').collect();
    if parts.len() != segments.len() {
        return None;
    }
    let mut score = Vec::with_capacity(parts.len());
    for (part, seg) in parts.iter().zip(segments) {
        if is_param(part) {
            if seg.is_empty() {
                return None;
            }
            score.push(false);
        } else if part == seg {
            score.push(true);
        } else {
            return None;
        }
    }
    Some(score)
}

/// The value of the template parameter `name` in the concrete path (`None` when the template
/// has no such parameter).
pub fn path_param<'a>(template: &str, path: &'a str, name: &str) -> Option<&'a str> {
    let wanted = format!("{{{name}}}");
    template.split('/').zip(path.split('/')).find(|(t, _)| *t == wanted).map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_templates_and_operation_ids() {
        let op = resolve("POST", "/v1/auth/otp/signin/email").unwrap();
        assert_eq!(op.path, "/v1/auth/otp/signin/email");
        assert!(op.operation_id.is_some());
        let keys = resolve("GET", "/v2/keys/P2abc").unwrap();
        assert_eq!(keys.path, "/v2/keys/{projectId}");
        assert_eq!(path_param(keys.path, "/v2/keys/P2abc", "projectId"), Some("P2abc"));
        assert_eq!(by_operation_id(keys.operation_id.unwrap()), Some(keys));
        assert!(resolve("GET", "/nothing/here").is_none());
        assert!(resolve("GET", "/emulator/v1/clock").unwrap().is_emulator());
    }
}
