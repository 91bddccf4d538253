//! SCIM filters (RFC 7644 section 3.4.2.2): parsed against the attributes of a resource type,
//! then evaluated over the resource's SCIM JSON.
//!
//! Operators `eq ne co sw ew gt ge lt le pr`, `and`, `or`, `not(...)`, parentheses, value
//! paths (`emails[type eq "work"]`, optionally followed by a sub-attribute comparison,
//! `emails[type eq "work"].value eq "x"`), sub-attributes (`name.givenName`, `emails.value`,
//! `meta.created`) and URN-qualified names. A multi-valued attribute compared without a
//! sub-attribute compares its `value`s (`members eq "U1"`). Strings compare case-insensitively
//! except the case-exact attributes (`id`, `externalId`, member and group `value`s); the
//! `meta` times compare as instants. An unknown attribute or a syntax error is
//! `invalidFilter`.

use serde_json::Value;

use crate::error::{ApiError, ApiResult, ErrorKind};

/// The kind of an attribute, which decides how it compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A case-insensitive string.
    Str,
    /// A case-exact string.
    Exact,
    Bool,
    /// An RFC 3339 instant.
    Date,
    /// A complex attribute (only `pr` applies to it).
    Complex,
}

/// One attribute of a resource type: its name, kind, whether multi-valued, and its
/// sub-attributes.
#[derive(Debug)]
pub struct AttrDef {
    pub name: &'static str,
    pub kind: Kind,
    pub multi: bool,
    pub subs: &'static [(&'static str, Kind)],
}

const MULTI_SUBS: &[(&str, Kind)] =
    &[("value", Kind::Str), ("type", Kind::Str), ("primary", Kind::Bool), ("display", Kind::Str)];
const REF_SUBS: &[(&str, Kind)] =
    &[("value", Kind::Exact), ("display", Kind::Str), ("type", Kind::Str), ("$ref", Kind::Exact)];
const META_SUBS: &[(&str, Kind)] = &[
    ("created", Kind::Date),
    ("lastModified", Kind::Date),
    ("resourceType", Kind::Str),
    ("location", Kind::Exact),
];

const fn simple(name: &'static str, kind: Kind) -> AttrDef {
    AttrDef { name, kind, multi: false, subs: &[] }
}

/// The attributes of a SCIM user.
pub const USER_ATTRS: &[AttrDef] = &[
    simple("id", Kind::Exact),
    simple("externalId", Kind::Exact),
    simple("userName", Kind::Str),
    simple("displayName", Kind::Str),
    simple("active", Kind::Bool),
    AttrDef {
        name: "name",
        kind: Kind::Complex,
        multi: false,
        subs: &[
            ("formatted", Kind::Str),
            ("givenName", Kind::Str),
            ("middleName", Kind::Str),
            ("familyName", Kind::Str),
        ],
    },
    AttrDef { name: "emails", kind: Kind::Complex, multi: true, subs: MULTI_SUBS },
    AttrDef { name: "phoneNumbers", kind: Kind::Complex, multi: true, subs: MULTI_SUBS },
    AttrDef { name: "groups", kind: Kind::Complex, multi: true, subs: REF_SUBS },
    AttrDef { name: "meta", kind: Kind::Complex, multi: false, subs: META_SUBS },
];

/// The attributes of a SCIM group.
pub const GROUP_ATTRS: &[AttrDef] = &[
    simple("id", Kind::Exact),
    simple("externalId", Kind::Exact),
    simple("displayName", Kind::Str),
    AttrDef { name: "members", kind: Kind::Complex, multi: true, subs: REF_SUBS },
    AttrDef { name: "meta", kind: Kind::Complex, multi: false, subs: META_SUBS },
];

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
    Pr,
}

/// A comparison value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Str(String),
    Bool(bool),
    Num(f64),
    Null,
}

/// A parsed filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    /// `attr[.sub] op value` (or `pr`). Inside a value path, `attr` is the element's member.
    Cmp {
        attr: &'static str,
        sub: Option<&'static str>,
        kind: Kind,
        op: Op,
        value: Literal,
    },
    /// `attr[inner]` or `attr[inner].sub op value` (`then`): some element matches both.
    Elem {
        attr: &'static str,
        inner: Box<Filter>,
        then: Option<Box<Filter>>,
    },
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorKind::ScimInvalidFilter, message)
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    BracketOpen,
    BracketClose,
    /// `.sub` right after `]`.
    SubAttr(String),
    Word(String),
    Str(String),
}

fn tokenize(s: &str) -> ApiResult<Vec<Tok>> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push(Tok::Open);
                i += 1;
            }
            ')' => {
                out.push(Tok::Close);
                i += 1;
            }
            '[' => {
                out.push(Tok::BracketOpen);
                i += 1;
            }
            ']' => {
                out.push(Tok::BracketClose);
                i += 1;
                if chars.get(i) == Some(&'.') {
                    let start = i + 1;
                    i = start;
                    while i < chars.len()
                        && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
                    {
                        i += 1;
                    }
                    if i == start {
                        return Err(invalid("A sub-attribute name must follow ']'."));
                    }
                    out.push(Tok::SubAttr(chars[start..i].iter().collect()));
                }
            }
            '"' => {
                let start = i;
                i += 1;
                let mut escaped = false;
                while i < chars.len() {
                    match chars[i] {
                        '\\' if !escaped => escaped = true,
                        '"' if !escaped => break,
                        _ => escaped = false,
                    }
                    i += 1;
                }
                if i >= chars.len() {
                    return Err(invalid("Unterminated string in filter"));
                }
                let raw: String = chars[start..=i].iter().collect();
                let value: String =
                    serde_json::from_str(&raw).map_err(|_| invalid("Invalid string in filter"))?;
                out.push(Tok::Str(value));
                i += 1;
            }
            _ => {
                let start = i;
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !matches!(chars[i], '(' | ')' | '[' | ']' | '"')
                {
                    i += 1;
                }
                out.push(Tok::Word(chars[start..i].iter().collect()));
            }
        }
    }
    Ok(out)
}

struct Parser<'a> {
    toks: Vec<Tok>,
    pos: usize,
    attrs: &'a [AttrDef],
    /// Parentheses and `not` open now: bounded, so a hostile filter cannot exhaust the stack.
    depth: usize,
}

/// The most tokens a filter may have.
const MAX_TOKENS: usize = 1000;
/// The deepest parentheses and `not` may nest.
const MAX_DEPTH: usize = 32;

/// Parses a filter against a resource type's attributes.
pub fn parse(filter: &str, attrs: &[AttrDef]) -> ApiResult<Filter> {
    if filter.trim().is_empty() {
        return Err(invalid("The filter is empty"));
    }
    let toks = tokenize(filter)?;
    if toks.len() > MAX_TOKENS {
        return Err(invalid(format!("The filter is too long (at most {MAX_TOKENS} tokens)")));
    }
    let mut p = Parser { toks, pos: 0, attrs, depth: 0 };
    let f = p.expr(None)?;
    if p.pos != p.toks.len() {
        return Err(invalid(format!("Unexpected {:?} in filter", p.toks[p.pos])));
    }
    Ok(f)
}

fn keyword(t: Option<&Tok>, k: &str) -> bool {
    matches!(t, Some(Tok::Word(w)) if w.eq_ignore_ascii_case(k))
}

fn op_of(w: &str) -> Option<Op> {
    Some(match w.to_ascii_lowercase().as_str() {
        "eq" => Op::Eq,
        "ne" => Op::Ne,
        "co" => Op::Co,
        "sw" => Op::Sw,
        "ew" => Op::Ew,
        "gt" => Op::Gt,
        "ge" => Op::Ge,
        "lt" => Op::Lt,
        "le" => Op::Le,
        "pr" => Op::Pr,
        _ => return None,
    })
}

/// Strips a URN schema prefix (`urn:ietf:params:scim:schemas:core:2.0:User:userName`).
pub fn strip_urn(path: &str) -> &str {
    if path.to_ascii_lowercase().starts_with("urn:") {
        path.rsplit_once(':').map(|(_, a)| a).unwrap_or(path)
    } else {
        path
    }
}

/// The definition of a top-level attribute by name (case-insensitive).
pub fn find_attr<'a>(attrs: &'a [AttrDef], name: &str) -> Option<&'a AttrDef> {
    attrs.iter().find(|a| a.name.eq_ignore_ascii_case(name))
}

fn find_sub(def: &AttrDef, name: &str) -> Option<(&'static str, Kind)> {
    def.subs.iter().copied().find(|(n, _)| n.eq_ignore_ascii_case(name))
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn expr(&mut self, within: Option<&AttrDef>) -> ApiResult<Filter> {
        let mut left = self.term(within)?;
        while keyword(self.peek(), "or") {
            self.pos += 1;
            let right = self.term(within)?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn term(&mut self, within: Option<&AttrDef>) -> ApiResult<Filter> {
        let mut left = self.factor(within)?;
        while keyword(self.peek(), "and") {
            self.pos += 1;
            let right = self.factor(within)?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn parenthesised(&mut self, within: Option<&AttrDef>) -> ApiResult<Filter> {
        if self.next() != Some(Tok::Open) {
            return Err(invalid("Expected '(' in filter"));
        }
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(invalid(format!("The filter nests deeper than {MAX_DEPTH}")));
        }
        let f = self.expr(within)?;
        self.depth -= 1;
        if self.next() != Some(Tok::Close) {
            return Err(invalid("Expected ')' in filter"));
        }
        Ok(f)
    }

    fn factor(&mut self, within: Option<&AttrDef>) -> ApiResult<Filter> {
        match self.peek() {
            Some(Tok::Open) => self.parenthesised(within),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("not") => {
                self.pos += 1;
                Ok(Filter::Not(Box::new(self.parenthesised(within)?)))
            }
            Some(Tok::Word(_)) => self.attr_expr(within),
            other => Err(invalid(format!("Expected an attribute in filter, found {other:?}"))),
        }
    }

    /// Resolves `path` (within a value path: a sub-attribute of `within`).
    fn resolve(
        &self,
        path: &str,
        within: Option<&AttrDef>,
    ) -> ApiResult<(&'static str, Option<&'static str>, Kind, bool)> {
        let unknown = || invalid(format!("Unknown attribute {path} in filter"));
        let path = strip_urn(path);
        if let Some(def) = within {
            let (name, kind) = find_sub(def, path).ok_or_else(unknown)?;
            return Ok((name, None, kind, false));
        }
        let (head, sub) = match path.split_once('.') {
            Some((h, s)) => (h, Some(s)),
            None => (path, None),
        };
        let def = self.attrs.iter().find(|a| a.name.eq_ignore_ascii_case(head)).ok_or_else(unknown)?;
        match sub {
            Some(s) => {
                let (name, kind) = find_sub(def, s).ok_or_else(unknown)?;
                Ok((def.name, Some(name), kind, def.multi))
            }
            None if def.multi => {
                // A multi-valued attribute compares its values.
                let kind = find_sub(def, "value").map(|(_, k)| k).unwrap_or(Kind::Str);
                Ok((def.name, None, kind, true))
            }
            None => Ok((def.name, None, def.kind, false)),
        }
    }

    fn attr_expr(&mut self, within: Option<&AttrDef>) -> ApiResult<Filter> {
        let Some(Tok::Word(path)) = self.next() else { return Err(invalid("Expected an attribute")) };
        if self.peek() == Some(&Tok::BracketOpen) {
            if within.is_some() {
                return Err(invalid("Value paths cannot nest"));
            }
            self.pos += 1;
            let def = find_attr(self.attrs, strip_urn(&path))
                .filter(|d| !d.subs.is_empty())
                .ok_or_else(|| invalid(format!("Unknown attribute {path} in filter")))?;
            let inner = self.expr(Some(def))?;
            if self.next() != Some(Tok::BracketClose) {
                return Err(invalid("Expected ']' in filter"));
            }
            let then = match self.peek() {
                Some(Tok::SubAttr(sub)) => {
                    let sub = sub.clone();
                    self.pos += 1;
                    let (name, _, kind, _) = self.resolve(&sub, Some(def))?;
                    Some(Box::new(self.comparison(name, None, kind)?))
                }
                _ => None,
            };
            return Ok(Filter::Elem { attr: def.name, inner: Box::new(inner), then });
        }
        let (attr, sub, kind, _) = self.resolve(&path, within)?;
        self.comparison(attr, sub, kind)
    }

    fn comparison(&mut self, attr: &'static str, sub: Option<&'static str>, kind: Kind) -> ApiResult<Filter> {
        let op = match self.next() {
            Some(Tok::Word(w)) => op_of(&w).ok_or_else(|| invalid(format!("Unknown operator {w}")))?,
            other => return Err(invalid(format!("Expected an operator, found {other:?}"))),
        };
        if op == Op::Pr {
            return Ok(Filter::Cmp { attr, sub, kind, op, value: Literal::Null });
        }
        let value = match self.next() {
            Some(Tok::Str(s)) => Literal::Str(s),
            Some(Tok::Word(w)) if w == "true" || w == "false" => Literal::Bool(w == "true"),
            Some(Tok::Word(w)) if w == "null" => Literal::Null,
            Some(Tok::Word(w)) => Literal::Num(w.parse().map_err(|_| invalid(format!("Invalid value {w}")))?),
            other => return Err(invalid(format!("Expected a value, found {other:?}"))),
        };
        let ordering = matches!(op, Op::Gt | Op::Ge | Op::Lt | Op::Le);
        let substring = matches!(op, Op::Co | Op::Sw | Op::Ew);
        match kind {
            Kind::Complex => return Err(invalid(format!("{attr} is complex: name a sub-attribute"))),
            Kind::Bool if ordering || substring => {
                return Err(invalid(format!("{attr} is a boolean: only eq and ne apply")))
            }
            Kind::Date if substring => {
                return Err(invalid(format!("{attr} is a date: co, sw, ew do not apply")))
            }
            _ => {}
        }
        Ok(Filter::Cmp { attr, sub, kind, op, value })
    }
}

/// The values a path names in a resource (or a value-path element).
fn values<'v>(json: &'v Value, attr: &str, sub: Option<&str>) -> Vec<&'v Value> {
    let Some(v) = json.get(attr) else { return Vec::new() };
    match (v, sub) {
        (Value::Array(a), Some(s)) => a.iter().filter_map(|e| e.get(s)).collect(),
        (Value::Array(a), None) => a.iter().map(|e| e.get("value").unwrap_or(e)).collect(),
        (Value::Object(o), Some(s)) => o.get(s).into_iter().collect(),
        (v, _) => vec![v],
    }
}

fn present(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

fn compare_one(v: &Value, kind: Kind, op: Op, lit: &Literal) -> bool {
    use std::cmp::Ordering;
    let ord: Option<Ordering> = match (v, lit) {
        (Value::Bool(b), Literal::Bool(l)) => Some(b.cmp(l)),
        // `"True"`/`"False"` as IdPs sometimes write booleans.
        (Value::Bool(b), Literal::Str(s)) if kind == Kind::Bool => {
            s.parse::<bool>().ok().or_else(|| s.to_ascii_lowercase().parse().ok()).map(|l| b.cmp(&l))
        }
        (Value::Number(n), Literal::Num(l)) => n.as_f64().and_then(|n| n.partial_cmp(l)),
        (Value::String(s), Literal::Str(l)) => {
            if kind == Kind::Date {
                match (super::parse_rfc3339(s), super::parse_rfc3339(l)) {
                    (Some(a), Some(b)) if !matches!(op, Op::Co | Op::Sw | Op::Ew) => Some(a.cmp(&b)),
                    _ => None,
                }
            } else {
                let (a, b) = if kind == Kind::Exact {
                    (s.clone(), l.clone())
                } else {
                    (s.to_lowercase(), l.to_lowercase())
                };
                return match op {
                    Op::Eq => a == b,
                    Op::Ne => a != b,
                    Op::Co => a.contains(&b),
                    Op::Sw => a.starts_with(&b),
                    Op::Ew => a.ends_with(&b),
                    Op::Gt => a > b,
                    Op::Ge => a >= b,
                    Op::Lt => a < b,
                    Op::Le => a <= b,
                    Op::Pr => true,
                };
            }
        }
        _ => None,
    };
    let Some(ord) = ord else { return op == Op::Ne };
    match op {
        Op::Eq => ord == Ordering::Equal,
        Op::Ne => ord != Ordering::Equal,
        Op::Gt => ord == Ordering::Greater,
        Op::Ge => ord != Ordering::Less,
        Op::Lt => ord == Ordering::Less,
        Op::Le => ord != Ordering::Greater,
        Op::Co | Op::Sw | Op::Ew | Op::Pr => false,
    }
}

/// Whether a resource (its SCIM JSON) matches a filter.
pub fn matches(filter: &Filter, json: &Value) -> bool {
    match filter {
        Filter::And(a, b) => matches(a, json) && matches(b, json),
        Filter::Or(a, b) => matches(a, json) || matches(b, json),
        Filter::Not(f) => !matches(f, json),
        Filter::Cmp { attr, sub, kind, op, value } => {
            let vals = values(json, attr, *sub);
            match (op, value) {
                (Op::Pr, _) => vals.iter().any(|v| present(v)),
                (Op::Eq, Literal::Null) => !vals.iter().any(|v| present(v)),
                (Op::Ne, Literal::Null) => vals.iter().any(|v| present(v)),
                // `ne`: no value is equal.
                (Op::Ne, _) => !vals.iter().any(|v| compare_one(v, *kind, Op::Eq, value)),
                _ => vals.iter().any(|v| compare_one(v, *kind, *op, value)),
            }
        }
        Filter::Elem { attr, inner, then } => match json.get(*attr) {
            Some(Value::Array(items)) => {
                items.iter().any(|e| matches(inner, e) && then.as_ref().is_none_or(|t| matches(t, e)))
            }
            Some(e @ Value::Object(_)) => matches(inner, e) && then.as_ref().is_none_or(|t| matches(t, e)),
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user() -> Value {
        json!({
            "id": "U1", "externalId": "Ext-1", "userName": "Ann@Acme.com", "displayName": "Ann Lee",
            "active": true,
            "name": {"givenName": "Ann", "middleName": "", "familyName": "Lee"},
            "emails": [{"value": "ann@acme.com", "type": "work", "primary": true},
                       {"value": "ann@home.test", "type": "home", "primary": false}],
            "phoneNumbers": [],
            "groups": [{"value": "G1", "display": "Eng"}],
            "meta": {"created": "2026-01-02T03:04:05Z", "lastModified": "2026-02-01T00:00:00Z"}
        })
    }

    fn group() -> Value {
        json!({"id": "G1", "externalId": "", "displayName": "Engineering",
               "members": [{"value": "U1", "display": "Ann"}, {"value": "U2", "display": "Bob"}]})
    }

    #[test]
    fn user_filters_match_as_rfc_7644_says() {
        let table: &[(&str, bool)] = &[
            (r#"userName eq "ann@acme.com""#, true),
            (r#"USERNAME EQ "ANN@ACME.COM""#, true),
            (r#"externalId eq "ext-1""#, false),
            (r#"externalId eq "Ext-1""#, true),
            (r#"id eq "U1""#, true),
            (r#"id eq "u1""#, false),
            (r#"userName ne "ann@acme.com""#, false),
            (r#"userName co "acme""#, true),
            (r#"userName sw "ann@""#, true),
            (r#"userName ew ".org""#, false),
            ("displayName pr", true),
            ("phoneNumbers pr", false),
            ("name.middleName pr", false),
            ("active eq true", true),
            ("active eq false", false),
            (r#"active eq "True""#, true),
            (r#"name.givenName eq "ann""#, true),
            (r#"emails.value eq "ann@home.test""#, true),
            (r#"emails[type eq "work"].value eq "ann@acme.com""#, true),
            (r#"emails[type eq "home"].value eq "ann@acme.com""#, false),
            (r#"emails[type eq "work" and primary eq true]"#, true),
            (r#"emails[value co "home"]"#, true),
            (r#"meta.created gt "2026-01-01T00:00:00Z""#, true),
            (r#"meta.created ge "2026-01-02T03:04:05.000Z""#, true),
            (r#"meta.created lt "2026-01-02T03:04:05Z""#, false),
            (r#"meta.lastModified le "2026-02-01T01:00:00+01:00""#, true),
            (r#"userName gt "a""#, true),
            (r#"userName eq "x" or id eq "U1""#, true),
            (r#"userName eq "x" and id eq "U1""#, false),
            (r#"not (userName eq "x")"#, true),
            (r#"not(userName eq "ann@acme.com")"#, false),
            (r#"(userName eq "x" or active eq true) and id eq "U1""#, true),
            (r#"userName eq "x" or active eq true and id eq "U2""#, false),
            (r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "ann@acme.com""#, true),
            (r#"groups eq "G1""#, true),
            (r#"groups.display eq "eng""#, true),
        ];
        let u = user();
        for (f, want) in table {
            let parsed = parse(f, USER_ATTRS).unwrap_or_else(|e| panic!("{f}: {e:?}"));
            assert_eq!(matches(&parsed, &u), *want, "{f}");
        }
    }

    #[test]
    fn group_filters_match_entra_and_okta_forms() {
        let table: &[(&str, bool)] = &[
            (r#"displayName eq "engineering""#, true),
            (r#"id eq "G1" and members eq "U2""#, true),
            (r#"id eq "G1" and members eq "U3""#, false),
            (r#"members[value eq "U1"]"#, true),
            (r#"members.value eq "U2""#, true),
            (r#"members eq "u2""#, false),
            ("externalId pr", false),
        ];
        let g = group();
        for (f, want) in table {
            let parsed = parse(f, GROUP_ATTRS).unwrap_or_else(|e| panic!("{f}: {e:?}"));
            assert_eq!(matches(&parsed, &g), *want, "{f}");
        }
    }

    #[test]
    fn bad_filters_are_invalid_filter() {
        let deep = format!("{}userName eq \"x\"{}", "(".repeat(40), ")".repeat(40));
        let long = vec![r#"userName eq "x""#; 600].join(" and ");
        for f in [
            "",
            "userName",
            r#"userName eq"#,
            r#"userName zz "x""#,
            r#"nickName eq "x""#,
            r#"name eq "x""#,
            r#"userName eq "x" and"#,
            r#"(userName eq "x""#,
            r#"userName eq "x")"#,
            r#"emails[type eq "work""#,
            r#"emails[nope eq "x"]"#,
            r#"userName eq "unterminated"#,
            "active gt true",
            r#"meta.created co "2026""#,
            r#"not userName eq "x""#,
            r#"userName eq x"#,
            r#"members eq "U1""#,
            deep.as_str(),
            long.as_str(),
        ] {
            let err = parse(f, USER_ATTRS).expect_err(f);
            assert_eq!(err.kind, ErrorKind::ScimInvalidFilter, "{f}");
        }
    }
}
