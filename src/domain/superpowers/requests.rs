//! The request log: the last [`LOG_SIZE`] Descope API requests of each project, kept as they
//! came in (bodies cut at [`MAX_BODY`] bytes) and redacted when read.

use axum::body::Bytes;
use serde::Serialize;
use serde_json::{Map, Value};
use std::sync::Arc;

use super::Superpowers;

/// Requests kept per project.
pub const LOG_SIZE: usize = 1_000;
/// Bytes of a request or response body kept.
pub const MAX_BODY: usize = 16 * 1024;
/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// One request as it was recorded.
#[derive(Debug, Clone)]
pub struct LoggedRequest {
    /// Emulator time, Unix milliseconds.
    pub time_ms: i64,
    pub method: String,
    /// The path without the query.
    pub path: String,
    pub operation_id: Option<String>,
    pub status: u16,
    pub latency_ms: u64,
    pub request_headers: Vec<(String, String)>,
    pub request_body: Body,
    pub response_body: Body,
    /// The fault rule that answered or delayed it.
    pub fault: Option<String>,
}

/// A body as recorded: its first [`MAX_BODY`] bytes, its content type and full length.
#[derive(Debug, Clone, Default)]
pub struct Body {
    pub bytes: Bytes,
    pub content_type: String,
    pub len: usize,
    /// A streamed body the log did not read.
    pub streamed: bool,
}

impl Body {
    pub fn new(bytes: &Bytes, content_type: &str) -> Body {
        Body {
            bytes: bytes.slice(..bytes.len().min(MAX_BODY)),
            content_type: content_type.to_owned(),
            len: bytes.len(),
            streamed: false,
        }
    }

    pub fn streamed(content_type: &str) -> Body {
        Body { content_type: content_type.to_owned(), streamed: true, ..Body::default() }
    }

    /// The body as the log shows it: JSON and form bodies with secrets redacted, other text
    /// as a string, anything else described.
    pub fn render(&self) -> Value {
        if self.streamed {
            return Value::String(format!("[streamed {}]", self.content_type));
        }
        if self.len == 0 {
            return Value::Null;
        }
        let truncated = self.len > self.bytes.len();
        if !truncated {
            if let Ok(mut json) = serde_json::from_slice::<Value>(&self.bytes) {
                redact(&mut json);
                return json;
            }
        }
        if self.content_type.starts_with("application/x-www-form-urlencoded") && !truncated {
            let mut form = Map::new();
            for (k, v) in url::form_urlencoded::parse(&self.bytes) {
                let v = if is_secret_name(&k) { REDACTED.to_owned() } else { v.into_owned() };
                form.insert(k.into_owned(), Value::String(v));
            }
            return Value::Object(form);
        }
        if self.content_type.starts_with("text/html") || self.content_type.starts_with("text/plain") {
            if let Ok(text) = std::str::from_utf8(&self.bytes) {
                let mut text = text.chars().take(2048).collect::<String>();
                if truncated || text.len() < self.bytes.len() {
                    text.push_str("...");
                }
                return Value::String(text);
            }
        }
        Value::String(format!("[{} bytes of {}]", self.len, self.content_type))
    }
}

/// A request as `GET .../requests` shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestView {
    pub time: i64,
    pub method: String,
    pub path: String,
    pub operation_id: Option<String>,
    pub status: u16,
    pub latency_ms: u64,
    pub request_headers: Map<String, Value>,
    pub request_body: Value,
    pub response_body: Value,
    pub fault: Option<String>,
}

impl LoggedRequest {
    pub fn view(&self) -> RequestView {
        let request_headers = self
            .request_headers
            .iter()
            .map(|(name, value)| (name.clone(), Value::String(redact_header(name, value))))
            .collect();
        RequestView {
            time: self.time_ms,
            method: self.method.clone(),
            path: self.path.clone(),
            operation_id: self.operation_id.clone(),
            status: self.status,
            latency_ms: self.latency_ms,
            request_headers,
            request_body: self.request_body.render(),
            response_body: self.response_body.render(),
            fault: self.fault.clone(),
        }
    }
}

/// A header value as the log shows it: credentials replaced; a bearer keeps its project ID.
pub fn redact_header(name: &str, value: &str) -> String {
    match name.to_ascii_lowercase().as_str() {
        "authorization" | "proxy-authorization" => {
            let (scheme, token) = value.split_once(' ').unwrap_or(("", value));
            match token.split_once(':') {
                Some((project, _)) if project.starts_with('P') && !project.contains('.') => {
                    format!("{scheme} {project}:{REDACTED}").trim_start().to_owned()
                }
                _ if scheme.is_empty() => REDACTED.to_owned(),
                _ => format!("{scheme} {REDACTED}"),
            }
        }
        "cookie" | "set-cookie" | "x-descope-management-key" => REDACTED.to_owned(),
        _ => value.to_owned(),
    }
}

/// True for JSON members and form fields that carry secrets: passwords, codes, tokens, JWTs,
/// keys, client secrets, cleartext (compared case-insensitively, `_` and `-` ignored).
pub fn is_secret_name(name: &str) -> bool {
    let n: String = name.chars().filter(|c| *c != '_' && *c != '-').collect::<String>().to_ascii_lowercase();
    const EXACT: &[&str] =
        &["code", "key", "otp", "t", "pass", "cleartext", "assertion", "codeverifier", "secret", "token"];
    const SUFFIXES: &[&str] = &["password", "secret", "token", "jwt", "jwts", "cleartext", "key", "cookie"];
    EXACT.contains(&n.as_str()) || SUFFIXES.iter().any(|s| n.ends_with(s)) || n.starts_with("password")
}

/// Replaces every secret member of a JSON value, at any depth, with [`REDACTED`].
pub fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if is_secret_name(k) && !v.is_null() && !matches!(v, Value::Bool(_)) {
                    *v = Value::String(REDACTED.to_owned());
                } else {
                    redact(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

impl Superpowers {
    /// Records a request of a project, dropping the oldest beyond [`LOG_SIZE`].
    pub fn record(&self, project_id: &str, entry: LoggedRequest) {
        let mut all = self.lock();
        let p = all.entry(project_id.to_owned()).or_default();
        if p.log.len() >= LOG_SIZE {
            p.log.pop_front();
        }
        p.log.push_back(Arc::new(entry));
    }

    /// A project's last `limit` requests, newest first.
    pub fn requests(&self, project_id: &str, limit: usize) -> Vec<Arc<LoggedRequest>> {
        self.lock()
            .get(project_id)
            .map(|p| p.log.iter().rev().take(limit).cloned().collect())
            .unwrap_or_default()
    }

    pub fn clear_requests(&self, project_id: &str) {
        if let Some(p) = self.lock().get_mut(project_id) {
            p.log.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_redacted_at_any_depth() {
        let mut v = json!({
            "loginId": "a@b.c", "code": "123456", "errorCode": "E011001",
            "user": {"password": "x", "newPassword": "y", "name": "n"},
            "sessionJwt": "j", "list": [{"refreshJwt": "r", "cleartext": "c"}],
            "managementKey": "k", "keyId": "kid", "verifiedEmail": true
        });
        redact(&mut v);
        assert_eq!(v["loginId"], "a@b.c");
        assert_eq!(v["code"], REDACTED);
        assert_eq!(v["errorCode"], "E011001");
        assert_eq!(v["user"]["password"], REDACTED);
        assert_eq!(v["user"]["newPassword"], REDACTED);
        assert_eq!(v["user"]["name"], "n");
        assert_eq!(v["sessionJwt"], REDACTED);
        assert_eq!(v["list"][0]["refreshJwt"], REDACTED);
        assert_eq!(v["list"][0]["cleartext"], REDACTED);
        assert_eq!(v["managementKey"], REDACTED);
        assert_eq!(v["keyId"], "kid");
        assert_eq!(v["verifiedEmail"], true);
    }

    #[test]
    fn bearer_keeps_only_the_project() {
        assert_eq!(redact_header("Authorization", "Bearer P2abc:K2secret"), "Bearer P2abc:[redacted]");
        assert_eq!(redact_header("authorization", "Bearer eyJhbGciOi"), "Bearer [redacted]");
        assert_eq!(redact_header("cookie", "DS=x"), REDACTED);
        assert_eq!(redact_header("content-type", "application/json"), "application/json");
    }
}
