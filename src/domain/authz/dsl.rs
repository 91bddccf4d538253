//! The Descope FGA schema DSL: a parser to the [`Model`] and a printer back.
//!
//! ```text
//! model AuthZ 1.0
//! constraint …                       (kept as written)
//! condition Name(param type, …) { <CEL expression> }
//! type Name
//!   relation name: Type | Type#relation [with Cond & !Other]
//!   permission name: expr [with Cond]
//! ```
//! Permission expressions: names on the same type, arrows `rel.name`, parentheses, `|`
//! union, `&` intersection, `-` exclusion; `&` and `-` bind tighter than `|`, and operators
//! of one level associate to the left. Errors name the line and the reason.

use super::model::{CondExpr, Condition, Def, DefKind, Expr, Model, Param, TypeDef, TypeRef};

/// The first line every schema starts with.
pub const HEADER: &str = "model AuthZ 1.0";

/// CEL parameter types the DSL accepts.
const PARAM_TYPES: &[&str] =
    &["int", "string", "bool", "double", "list", "ipaddress", "timestamp", "duration", "map"];

/// Parses a schema; the error names the line (1-based) and the reason.
pub fn parse(text: &str) -> Result<Model, String> {
    let mut model = Model::default();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    // (line, type index, def index) of each definition, for the checks after parsing.
    let mut def_lines: Vec<(usize, usize, usize)> = Vec::new();
    let mut seen_header = false;
    while i < lines.len() {
        let no = i + 1;
        let line = lines[i].trim();
        i += 1;
        if line.is_empty() {
            continue;
        }
        if !seen_header {
            if line.split_whitespace().collect::<Vec<_>>() != ["model", "AuthZ", "1.0"] {
                return Err(format!("line {no}: the schema must start with `{HEADER}`"));
            }
            seen_header = true;
            continue;
        }
        let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        match word {
            "constraint" => model.constraints.push(rest.to_owned()),
            "condition" => {
                let mut full = rest.to_owned();
                while !full.contains('}') && i < lines.len() {
                    full.push('\n');
                    full.push_str(lines[i]);
                    i += 1;
                }
                let c = parse_condition(&full).map_err(|e| format!("line {no}: {e}"))?;
                if model.condition(&c.name).is_some() {
                    return Err(format!("line {no}: condition {} is defined twice", c.name));
                }
                model.conditions.push(c);
            }
            "type" => {
                if !is_name(rest) {
                    return Err(format!("line {no}: `{rest}` is not a valid type name"));
                }
                if model.ty(rest).is_some() {
                    return Err(format!("line {no}: type {rest} is defined twice"));
                }
                model.types.push(TypeDef { name: rest.to_owned(), defs: Vec::new() });
            }
            "relation" | "permission" => {
                let Some(t) = model.types.len().checked_sub(1) else {
                    return Err(format!("line {no}: {word} outside of a type"));
                };
                let kind = if word == "relation" { DefKind::Relation } else { DefKind::Permission };
                let def = parse_def(kind, rest).map_err(|e| format!("line {no}: {e}"))?;
                let ty = &mut model.types[t];
                if ty.defs.iter().any(|d| d.name == def.name) {
                    return Err(format!("line {no}: {} is defined twice on type {}", def.name, ty.name));
                }
                ty.defs.push(def);
                def_lines.push((no, t, ty.defs.len() - 1));
            }
            "model" => return Err(format!("line {no}: `model` may only appear on the first line")),
            other => return Err(format!("line {no}: unexpected `{other}`")),
        }
    }
    if !seen_header {
        return Err(format!("line 1: the schema must start with `{HEADER}`"));
    }
    for (no, t, d) in def_lines {
        check_def(&model, t, d).map_err(|e| format!("line {no}: {e}"))?;
    }
    Ok(model)
}

/// Whether `s` is a name: letters, digits, `_`, not starting with a digit.
fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn parse_condition(s: &str) -> Result<Condition, String> {
    let open = s.find('(').ok_or("a condition needs a parameter list `(name type, …)`")?;
    let close = s.find(')').ok_or("unclosed parameter list")?;
    let name = s[..open].trim();
    if !is_name(name) {
        return Err(format!("`{name}` is not a valid condition name"));
    }
    let mut params = Vec::new();
    for p in s[open + 1..close].split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let mut words = p.split_whitespace();
        let (Some(pn), Some(pt), None) = (words.next(), words.next(), words.next()) else {
            return Err(format!("parameter `{p}` must be `name type`"));
        };
        if !is_name(pn) {
            return Err(format!("`{pn}` is not a valid parameter name"));
        }
        if !PARAM_TYPES.contains(&pt) {
            return Err(format!("unknown parameter type `{pt}`"));
        }
        params.push(Param { name: pn.to_owned(), ty: pt.to_owned() });
    }
    let after = &s[close + 1..];
    let (b_open, b_close) = match (after.find('{'), after.rfind('}')) {
        (Some(o), Some(c)) if o < c => (o, c),
        _ => return Err("a condition needs a body `{ … }`".into()),
    };
    if !after[b_close + 1..].trim().is_empty() || !after[..b_open].trim().is_empty() {
        return Err("unexpected text around the condition body".into());
    }
    let expression = after[b_open + 1..b_close].trim().to_owned();
    super::cel::parse(&expression).map_err(|e| format!("invalid condition expression: {e}"))?;
    Ok(Condition { name: name.to_owned(), params, expression })
}

fn parse_def(kind: DefKind, s: &str) -> Result<Def, String> {
    let (name, body) = s.split_once(':').ok_or("expected `name: …`")?;
    let name = name.trim();
    if !is_name(name) {
        return Err(format!("`{name}` is not a valid name"));
    }
    let (body, cond) = match split_with(body) {
        Some((b, c)) => (b, Some(parse_cond_expr(c)?)),
        None => (body, None),
    };
    let mut def = Def {
        name: name.to_owned(),
        kind,
        targets: Vec::new(),
        any_target: false,
        expr: None,
        condition: cond,
    };
    match kind {
        DefKind::Relation => {
            for t in body.split('|').map(str::trim) {
                let (ty, rel) = match t.split_once('#') {
                    Some((a, b)) => (a.trim(), Some(b.trim())),
                    None => (t, None),
                };
                if !is_name(ty) || rel.is_some_and(|r| !is_name(r)) {
                    return Err(format!("`{t}` is not a type or `type#relation`"));
                }
                let r = TypeRef { ty: ty.to_owned(), rel: rel.map(str::to_owned) };
                if def.targets.contains(&r) {
                    return Err(format!("target type {t} is listed twice"));
                }
                def.targets.push(r);
            }
        }
        DefKind::Permission => {
            let toks = tokenize(body)?;
            let mut p = ExprParser { toks, pos: 0 };
            let e = p.union()?;
            if p.pos != p.toks.len() {
                return Err(format!("unexpected `{}`", p.toks[p.pos]));
            }
            def.expr = Some(e);
        }
    }
    Ok(def)
}

/// Splits `body with cond` at the word `with`.
fn split_with(s: &str) -> Option<(&str, &str)> {
    let idx = s.find(" with ")?;
    Some((&s[..idx], &s[idx + 6..]))
}

fn tokenize(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if "()|&-.!".contains(c) {
            out.push(c.to_string());
            i += 1;
        } else if c.is_ascii_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(chars[start..i].iter().collect());
        } else {
            return Err(format!("unexpected character `{c}`"));
        }
    }
    if out.is_empty() {
        return Err("empty expression".into());
    }
    Ok(out)
}

struct ExprParser {
    toks: Vec<String>,
    pos: usize,
}

impl ExprParser {
    fn peek(&self) -> Option<&str> {
        self.toks.get(self.pos).map(String::as_str)
    }

    fn union(&mut self) -> Result<Expr, String> {
        let mut items = vec![self.inter()?];
        while self.peek() == Some("|") {
            self.pos += 1;
            items.push(self.inter()?);
        }
        Ok(if items.len() == 1 { items.remove(0) } else { Expr::Union(items) })
    }

    fn inter(&mut self) -> Result<Expr, String> {
        let mut left = self.atom()?;
        loop {
            match self.peek() {
                Some("&") => {
                    self.pos += 1;
                    let right = self.atom()?;
                    left = match left {
                        Expr::Intersect(mut v) => {
                            v.push(right);
                            Expr::Intersect(v)
                        }
                        l => Expr::Intersect(vec![l, right]),
                    };
                }
                Some("-") => {
                    self.pos += 1;
                    let right = self.atom()?;
                    left = Expr::Exclude(Box::new(left), Box::new(right));
                }
                _ => return Ok(left),
            }
        }
    }

    fn atom(&mut self) -> Result<Expr, String> {
        let Some(t) = self.peek().map(str::to_owned) else {
            return Err("the expression ends too early".into());
        };
        self.pos += 1;
        if t == "(" {
            let e = self.union()?;
            if self.peek() != Some(")") {
                return Err("missing `)`".into());
            }
            self.pos += 1;
            return Ok(e);
        }
        if !is_name(&t) {
            return Err(format!("unexpected `{t}`"));
        }
        if self.peek() == Some(".") {
            self.pos += 1;
            let name = self.peek().filter(|n| is_name(n)).ok_or("expected a name after `.`")?.to_owned();
            self.pos += 1;
            return Ok(Expr::Arrow { rel: t, name, ty: None });
        }
        Ok(Expr::Name(t))
    }
}

fn parse_cond_expr(s: &str) -> Result<CondExpr, String> {
    let toks = tokenize(s)?;
    let mut pos = 0;
    let e = cond_or(&toks, &mut pos)?;
    if pos != toks.len() {
        return Err(format!("unexpected `{}` in the `with` expression", toks[pos]));
    }
    Ok(e)
}

fn cond_or(t: &[String], pos: &mut usize) -> Result<CondExpr, String> {
    let mut l = cond_and(t, pos)?;
    while t.get(*pos).map(String::as_str) == Some("|") {
        *pos += 1;
        l = CondExpr::Or(Box::new(l), Box::new(cond_and(t, pos)?));
    }
    Ok(l)
}

fn cond_and(t: &[String], pos: &mut usize) -> Result<CondExpr, String> {
    let mut l = cond_not(t, pos)?;
    while t.get(*pos).map(String::as_str) == Some("&") {
        *pos += 1;
        l = CondExpr::And(Box::new(l), Box::new(cond_not(t, pos)?));
    }
    Ok(l)
}

fn cond_not(t: &[String], pos: &mut usize) -> Result<CondExpr, String> {
    let tok = t.get(*pos).ok_or("the `with` expression ends too early")?.clone();
    *pos += 1;
    match tok.as_str() {
        "!" => Ok(CondExpr::Not(Box::new(cond_not(t, pos)?))),
        "(" => {
            let e = cond_or(t, pos)?;
            if t.get(*pos).map(String::as_str) != Some(")") {
                return Err("missing `)` in the `with` expression".into());
            }
            *pos += 1;
            Ok(e)
        }
        n if is_name(n) => Ok(CondExpr::Name(n.to_owned())),
        other => Err(format!("unexpected `{other}` in the `with` expression")),
    }
}

/// Checks that what a definition names exists.
fn check_def(m: &Model, t: usize, d: usize) -> Result<(), String> {
    let ty = &m.types[t];
    let def = &ty.defs[d];
    for r in &def.targets {
        let Some(target) = m.ty(&r.ty) else {
            return Err(format!("unknown type {}", r.ty));
        };
        if let Some(rel) = &r.rel {
            if !target.defs.iter().any(|x| &x.name == rel) {
                return Err(format!("type {} has no relation {rel}", r.ty));
            }
        }
    }
    if let Some(c) = &def.condition {
        check_cond(m, c)?;
    }
    if let Some(e) = &def.expr {
        check_expr(m, ty, e)?;
    }
    Ok(())
}

fn check_cond(m: &Model, c: &CondExpr) -> Result<(), String> {
    match c {
        CondExpr::Name(n) if m.condition(n).is_none() => Err(format!("unknown condition {n}")),
        CondExpr::Name(_) => Ok(()),
        CondExpr::Not(a) => check_cond(m, a),
        CondExpr::And(a, b) | CondExpr::Or(a, b) => check_cond(m, a).and_then(|_| check_cond(m, b)),
    }
}

fn check_expr(m: &Model, ty: &TypeDef, e: &Expr) -> Result<(), String> {
    match e {
        Expr::This | Expr::Left { .. } => Ok(()),
        Expr::Name(n) => match ty.defs.iter().any(|d| &d.name == n) {
            true => Ok(()),
            false => Err(format!("type {} has no relation or permission {n}", ty.name)),
        },
        Expr::Arrow { rel, name, .. } => {
            let Some(r) = ty.defs.iter().find(|d| &d.name == rel && d.kind == DefKind::Relation) else {
                return Err(format!("type {} has no relation {rel} (in `{rel}.{name}`)", ty.name));
            };
            let found = r
                .targets
                .iter()
                .filter(|t| t.rel.is_none())
                .filter_map(|t| m.ty(&t.ty))
                .any(|t| t.defs.iter().any(|d| &d.name == name));
            match found {
                true => Ok(()),
                false => {
                    Err(format!("no target type of {}.{rel} has a relation or permission {name}", ty.name))
                }
            }
        }
        Expr::Union(v) | Expr::Intersect(v) => v.iter().try_for_each(|x| check_expr(m, ty, x)),
        Expr::Exclude(a, b) => check_expr(m, ty, a).and_then(|_| check_expr(m, ty, b)),
    }
}

/// Prints a model as DSL (used for schemas saved through the legacy API).
pub fn print(m: &Model) -> String {
    let mut out = String::from(HEADER);
    out.push('\n');
    for c in &m.constraints {
        out.push_str(&format!("constraint {c}\n"));
    }
    for c in &m.conditions {
        let params: Vec<String> = c.params.iter().map(|p| format!("{} {}", p.name, p.ty)).collect();
        out.push_str(&format!("condition {}({}) {{ {} }}\n", c.name, params.join(", "), c.expression));
    }
    for t in &m.types {
        out.push_str(&format!("type {}\n", t.name));
        for d in &t.defs {
            let with = d.condition.as_ref().map(|c| format!(" with {}", print_cond(c))).unwrap_or_default();
            match (&d.expr, d.kind) {
                (Some(e), _) => {
                    out.push_str(&format!("  permission {}: {}{with}\n", d.name, print_expr(e, 0)))
                }
                (None, _) => {
                    let ts: Vec<String> = d.targets.iter().map(TypeRef::key).collect();
                    let ts = if d.any_target && ts.is_empty() { "any".to_owned() } else { ts.join(" | ") };
                    out.push_str(&format!("  relation {}: {ts}{with}\n", d.name));
                }
            }
        }
    }
    out
}

/// Prints an expression; `level` 1 means inside `&`/`-` (unions need parentheses there).
fn print_expr(e: &Expr, level: u8) -> String {
    match e {
        Expr::This => "this".into(),
        Expr::Name(n) => n.clone(),
        Expr::Arrow { rel, name, .. } => format!("{rel}.{name}"),
        Expr::Left { ty, rel, name } => format!("{ty}#{rel}.{name}"),
        Expr::Union(v) => {
            let s = v.iter().map(|x| print_expr(x, 0)).collect::<Vec<_>>().join(" | ");
            if level > 0 {
                format!("({s})")
            } else {
                s
            }
        }
        Expr::Intersect(v) => {
            let s = v.iter().map(|x| print_expr(x, 2)).collect::<Vec<_>>().join(" & ");
            if level > 1 {
                format!("({s})")
            } else {
                s
            }
        }
        Expr::Exclude(a, b) => {
            let s = format!("{} - {}", print_expr(a, 1), print_expr(b, 2));
            if level > 1 {
                format!("({s})")
            } else {
                s
            }
        }
    }
}

fn print_cond(c: &CondExpr) -> String {
    match c {
        CondExpr::Name(n) => n.clone(),
        CondExpr::Not(a) => format!("!{}", print_cond(a)),
        CondExpr::And(a, b) => format!("({} & {})", print_cond(a), print_cond(b)),
        CondExpr::Or(a, b) => format!("({} | {})", print_cond(a), print_cond(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "model AuthZ 1.0\ntype user\ntype folder\n  relation parent: folder\n  relation owner: user\n  relation viewer: user\n  permission can_view: viewer | owner | parent.can_view\n";

    #[test]
    fn parses_and_prints_back_to_the_same_model() {
        let m = parse(A).unwrap();
        assert_eq!(m.types.len(), 2);
        let d = m.def("folder", "can_view").unwrap();
        assert_eq!(d.kind, DefKind::Permission);
        assert!(matches!(&d.expr, Some(Expr::Union(v)) if v.len() == 3));
        assert_eq!(parse(&print(&m)).unwrap(), m);
    }

    #[test]
    fn and_and_minus_bind_tighter_than_or_left_to_right() {
        let m = parse("model AuthZ 1.0\ntype user\ntype d\n  relation a: user\n  relation b: user\n  relation c: user\n  permission p: a | b & c - a\n").unwrap();
        let e = m.def("d", "p").unwrap().expr.clone().unwrap();
        let want = Expr::Union(vec![
            Expr::Name("a".into()),
            Expr::Exclude(
                Box::new(Expr::Intersect(vec![Expr::Name("b".into()), Expr::Name("c".into())])),
                Box::new(Expr::Name("a".into())),
            ),
        ]);
        assert_eq!(e, want);
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("model AuthZ 1.0\ntype user\ntype doc\n  relation owner: usr\n").unwrap_err();
        assert!(e.starts_with("line 4:") && e.contains("unknown type usr"), "{e}");
        let e = parse("model AuthZ 2.0\n").unwrap_err();
        assert!(e.starts_with("line 1:"), "{e}");
        let e = parse("model AuthZ 1.0\ntype doc\n  permission p: (a | \n").unwrap_err();
        assert!(e.starts_with("line 3:"), "{e}");
        let e = parse("model AuthZ 1.0\n  relation x: y\n").unwrap_err();
        assert!(e.starts_with("line 2:"), "{e}");
        let e = parse("model AuthZ 1.0\ntype doc\n  relation owner: doc\n  permission p: owner.nope\n")
            .unwrap_err();
        assert!(e.starts_with("line 4:"), "{e}");
    }

    #[test]
    fn changing_only_the_condition_keeps_tuples() {
        let a = parse("model AuthZ 1.0\ncondition C(x int) { x > 1 }\ntype U\ntype R\n  relation v: U\n  relation w: U\n").unwrap();
        let b = parse("model AuthZ 1.0\ncondition C(x int) { x > 1 }\ntype U\ntype R\n  relation v: U with C\n  relation w: U | R\n").unwrap();
        assert_eq!(a.deletes_towards(&b), (vec!["R#w".to_owned()], Vec::new()));
    }

    #[test]
    fn conditions_parse() {
        let m = parse("model AuthZ 1.0\ncondition Shift(now int, begin int, end int) {\n  now >= begin && now <= end\n}\ntype User\ntype R\n  relation viewer: User with Shift\n").unwrap();
        assert_eq!(m.conditions[0].params.len(), 3);
        assert_eq!(m.conditions[0].expression, "now >= begin && now <= end");
        assert!(parse("model AuthZ 1.0\ntype U\ntype R\n  relation v: U with Nope\n").is_err());
    }
}
