//! Fault rules: the next matching requests of a project answer an error status (after an
//! optional delay), or are only delayed, before any handler runs.

use serde::Serialize;

use super::Superpowers;
use crate::error::{ApiError, ApiResult};

/// Longest delay a rule may ask for.
pub const MAX_DELAY_MS: u64 = 120_000;
/// Most rules a project may hold at once.
pub const MAX_RULES: usize = 1_000;

/// What a rule matches: one route (method and template), or one template under any method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `None`: every method routed at `path`.
    pub method: Option<String>,
    /// The route template, `{param}` segments included.
    pub path: String,
}

/// A checked rule, as `POST .../faults` gives it.
#[derive(Debug, Clone)]
pub struct FaultRule {
    /// The `match` string as given (an operationId or `METHOD /path`).
    pub matcher: String,
    pub targets: Vec<Target>,
    pub status: Option<u16>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub delay_ms: u64,
    /// `0` = until cleared.
    pub times: u64,
    pub probability: f64,
    pub retry_after_seconds: Option<u64>,
}

impl FaultRule {
    /// Checks the numbers of a rule: status 400–599, delay 0–[`MAX_DELAY_MS`], times ≥ 0,
    /// probability in [0, 1].
    pub fn check(&self) -> ApiResult<()> {
        if let Some(status) = self.status {
            if !(400..=599).contains(&status) {
                return Err(ApiError::invalid(format!("status must be between 400 and 599, not {status}")));
            }
        }
        if self.delay_ms > MAX_DELAY_MS {
            return Err(ApiError::invalid(format!("delayMs must be between 0 and {MAX_DELAY_MS}")));
        }
        if !(0.0..=1.0).contains(&self.probability) {
            return Err(ApiError::invalid("probability must be between 0 and 1"));
        }
        if self.status.is_none() && self.delay_ms == 0 {
            return Err(ApiError::invalid("A fault needs a status, a delayMs, or both"));
        }
        if let Some(code) = &self.error_code {
            if code.len() > 64 {
                return Err(ApiError::invalid("errorCode is too long"));
            }
        }
        Ok(())
    }

    /// The error code the answer carries: the rule's, else Descope's for the status.
    pub fn code(&self) -> String {
        if let Some(code) = &self.error_code {
            return code.clone();
        }
        match self.status {
            Some(429) => "E130429".into(),
            Some(401 | 403) => "E011101".into(),
            Some(s) if s >= 500 => "E010001".into(),
            _ => "E011001".into(),
        }
    }

    /// `errorDescription` of the answer.
    pub fn description(&self) -> String {
        match self.status {
            Some(429) => "https://docs.descope.com/rate-limit".into(),
            Some(s) => axum::http::StatusCode::from_u16(s)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Error")
                .to_owned(),
            None => String::new(),
        }
    }

    /// `errorMessage` of the answer.
    pub fn message(&self) -> String {
        match (&self.error_message, self.status) {
            (Some(m), _) => m.clone(),
            (None, Some(429)) => "API rate limit exceeded.".into(),
            (None, _) => "Fault injected by descope-emulator".into(),
        }
    }

    fn matches(&self, method: &str, template: &str) -> bool {
        self.targets
            .iter()
            .any(|t| t.path == template && t.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method)))
    }
}

/// A rule held by a project, as `GET .../faults` lists it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    pub id: String,
    #[serde(rename = "match")]
    pub matcher: String,
    pub status: Option<u16>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub delay_ms: u64,
    pub times: u64,
    /// Answers left; `null` for a rule that holds until cleared.
    pub remaining: Option<u64>,
    pub probability: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
    #[serde(skip)]
    pub rule: FaultRule,
}

impl Fault {
    pub fn rule(&self) -> &FaultRule {
        &self.rule
    }
}

impl Superpowers {
    /// Adds a rule to a project; its ID.
    pub fn add_fault(&self, project_id: &str, rule: FaultRule) -> ApiResult<String> {
        rule.check()?;
        let mut all = self.lock();
        let p = all.entry(project_id.to_owned()).or_default();
        if p.faults.len() >= MAX_RULES {
            return Err(ApiError::invalid(format!("A project holds at most {MAX_RULES} fault rules")));
        }
        p.fault_count += 1;
        let id = format!("F{}", p.fault_count);
        p.faults.push(Fault {
            id: id.clone(),
            matcher: rule.matcher.clone(),
            status: rule.status,
            error_code: rule.error_code.clone(),
            error_message: rule.error_message.clone(),
            delay_ms: rule.delay_ms,
            times: rule.times,
            remaining: (rule.times > 0).then_some(rule.times),
            probability: rule.probability,
            retry_after_seconds: rule.retry_after_seconds,
            rule,
        });
        Ok(id)
    }

    /// A project's rules, oldest first.
    pub fn faults(&self, project_id: &str) -> Vec<Fault> {
        self.lock().get(project_id).map(|p| p.faults.clone()).unwrap_or_default()
    }

    pub fn clear_faults(&self, project_id: &str) {
        if let Some(p) = self.lock().get_mut(project_id) {
            p.faults.clear();
        }
    }

    /// Removes one rule; false when the project has no such rule.
    pub fn remove_fault(&self, project_id: &str, id: &str) -> bool {
        let mut all = self.lock();
        let Some(p) = all.get_mut(project_id) else { return false };
        let before = p.faults.len();
        p.faults.retain(|f| f.id != id);
        p.faults.len() != before
    }

    /// The rule that applies to this request, if any: the oldest matching rule whose
    /// probability draw succeeds. Counts the answer against its `times`; a rule with none
    /// left is removed.
    pub fn take_fault(&self, project_id: &str, method: &str, template: &str) -> Option<Fault> {
        let mut all = self.lock();
        let p = all.get_mut(project_id)?;
        let index = p.faults.iter().position(|f| {
            let rule = f.rule();
            rule.matches(method, template)
                && (rule.probability >= 1.0 || crate::crypto::random_unit() < rule.probability)
        })?;
        let fault = &mut p.faults[index];
        if let Some(left) = fault.remaining.as_mut() {
            *left -= 1;
        }
        let taken = fault.clone();
        if taken.remaining == Some(0) {
            p.faults.remove(index);
        }
        Some(taken)
    }
}
