//! A small subset of CEL for FGA conditions: literals (int, double, string, bool, lists),
//! variables, `! -` (unary), `* / %`, `+ -`, `< <= > >= == !=`, `in`, `&&`, `||`, the
//! ternary `?:`, and parentheses. No maintained pure-Rust CEL crate was light enough to take
//! in for this (see docs/COMPATIBILITY.md); what falls outside this subset is refused when the
//! schema is saved.

use std::collections::HashMap;

/// A runtime value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(i64),
    Double(f64),
    Str(String),
    Bool(bool),
    List(Vec<Value>),
}

impl Value {
    /// A JSON context value as a CEL value (`None` for null and objects).
    pub fn from_json(v: &serde_json::Value) -> Option<Value> {
        Some(match v {
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Double(n.as_f64()?),
            },
            serde_json::Value::String(s) => Value::Str(s.clone()),
            serde_json::Value::Array(a) => Value::List(a.iter().filter_map(Value::from_json).collect()),
            _ => return None,
        })
    }
}

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Ast {
    Lit(Value),
    Var(String),
    List(Vec<Ast>),
    Unary(char, Box<Ast>),
    Bin(&'static str, Box<Ast>, Box<Ast>),
    Cond(Box<Ast>, Box<Ast>, Box<Ast>),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(Value),
    Str(String),
    Ident(String),
    Op(&'static str),
}

const OPS: &[&str] = &[
    "&&", "||", "<=", ">=", "==", "!=", "<", ">", "+", "-", "*", "/", "%", "!", "(", ")", "[", "]", ",", "?",
    ":",
];

fn lex(s: &str) -> Result<Vec<Tok>, String> {
    let b: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    'outer: while i < b.len() {
        let c = b[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '"' || c == '\'' {
            let mut j = i + 1;
            let mut text = String::new();
            while j < b.len() && b[j] != c {
                if b[j] == '\\' && j + 1 < b.len() {
                    j += 1;
                }
                text.push(b[j]);
                j += 1;
            }
            if j >= b.len() {
                return Err("unterminated string".into());
            }
            out.push(Tok::Str(text));
            i = j + 1;
            continue;
        }
        if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == '.') {
                i += 1;
            }
            let t: String = b[start..i].iter().collect();
            let v = if t.contains('.') {
                Value::Double(t.parse().map_err(|_| format!("bad number {t}"))?)
            } else {
                Value::Int(t.parse().map_err(|_| format!("bad number {t}"))?)
            };
            out.push(Tok::Num(v));
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == '_') {
                i += 1;
            }
            out.push(Tok::Ident(b[start..i].iter().collect()));
            continue;
        }
        for op in OPS {
            let n = op.len();
            if i + n <= b.len() && b[i..i + n].iter().collect::<String>() == *op {
                out.push(Tok::Op(op));
                i += n;
                continue 'outer;
            }
        }
        return Err(format!("unsupported character `{c}`"));
    }
    Ok(out)
}

/// Parses an expression of the subset.
pub fn parse(s: &str) -> Result<Ast, String> {
    let toks = lex(s)?;
    let mut p = P { t: toks, i: 0 };
    let e = p.ternary()?;
    if p.i != p.t.len() {
        return Err("unexpected text after the expression".into());
    }
    Ok(e)
}

struct P {
    t: Vec<Tok>,
    i: usize,
}

impl P {
    fn is_op(&self, op: &str) -> bool {
        matches!(self.t.get(self.i), Some(Tok::Op(o)) if *o == op)
    }

    fn eat(&mut self, op: &str) -> bool {
        let yes = self.is_op(op);
        if yes {
            self.i += 1;
        }
        yes
    }

    fn ternary(&mut self) -> Result<Ast, String> {
        let c = self.bin(0)?;
        if self.eat("?") {
            let a = self.ternary()?;
            if !self.eat(":") {
                return Err("expected `:`".into());
            }
            let b = self.ternary()?;
            return Ok(Ast::Cond(Box::new(c), Box::new(a), Box::new(b)));
        }
        Ok(c)
    }

    fn bin(&mut self, level: usize) -> Result<Ast, String> {
        const LEVELS: &[&[&str]] =
            &[&["||"], &["&&"], &["==", "!=", "<", "<=", ">", ">=", "in"], &["+", "-"], &["*", "/", "%"]];
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut l = self.bin(level + 1)?;
        loop {
            let op = match self.t.get(self.i) {
                Some(Tok::Op(o)) if LEVELS[level].contains(o) => *o,
                Some(Tok::Ident(w)) if w == "in" && LEVELS[level].contains(&"in") => "in",
                _ => return Ok(l),
            };
            self.i += 1;
            let r = self.bin(level + 1)?;
            l = Ast::Bin(op, Box::new(l), Box::new(r));
        }
    }

    fn unary(&mut self) -> Result<Ast, String> {
        if self.eat("!") {
            return Ok(Ast::Unary('!', Box::new(self.unary()?)));
        }
        if self.eat("-") {
            return Ok(Ast::Unary('-', Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Ast, String> {
        let t = self.t.get(self.i).cloned().ok_or("the expression ends too early")?;
        self.i += 1;
        match t {
            Tok::Num(v) => Ok(Ast::Lit(v)),
            Tok::Str(s) => Ok(Ast::Lit(Value::Str(s))),
            Tok::Ident(w) => Ok(match w.as_str() {
                "true" => Ast::Lit(Value::Bool(true)),
                "false" => Ast::Lit(Value::Bool(false)),
                _ => {
                    if self.is_op("(") {
                        return Err(format!("function calls ({w}) are not supported"));
                    }
                    Ast::Var(w)
                }
            }),
            Tok::Op("(") => {
                let e = self.ternary()?;
                if !self.eat(")") {
                    return Err("missing `)`".into());
                }
                Ok(e)
            }
            Tok::Op("[") => {
                let mut items = Vec::new();
                if !self.eat("]") {
                    loop {
                        items.push(self.ternary()?);
                        if self.eat("]") {
                            break;
                        }
                        if !self.eat(",") {
                            return Err("expected `,` or `]`".into());
                        }
                    }
                }
                Ok(Ast::List(items))
            }
            Tok::Op(o) => Err(format!("unexpected `{o}`")),
        }
    }
}

/// Why an evaluation failed.
#[derive(Debug, Clone, PartialEq)]
pub enum EvalError {
    Missing(String),
    Other(String),
}

/// Evaluates an expression over variables.
pub fn eval(a: &Ast, vars: &HashMap<String, Value>) -> Result<Value, EvalError> {
    use Value::*;
    let bad = |m: &str| Err(EvalError::Other(m.to_owned()));
    match a {
        Ast::Lit(v) => Ok(v.clone()),
        Ast::Var(n) => vars.get(n).cloned().ok_or_else(|| EvalError::Missing(n.clone())),
        Ast::List(items) => Ok(List(items.iter().map(|x| eval(x, vars)).collect::<Result<_, _>>()?)),
        Ast::Unary(op, x) => match (op, eval(x, vars)?) {
            ('!', Bool(b)) => Ok(Bool(!b)),
            ('-', Int(i)) => Ok(Int(i.checked_neg().ok_or(EvalError::Other("overflow".into()))?)),
            ('-', Double(d)) => Ok(Double(-d)),
            _ => bad("no such overload"),
        },
        Ast::Cond(c, x, y) => match eval(c, vars)? {
            Bool(true) => eval(x, vars),
            Bool(false) => eval(y, vars),
            _ => bad("condition is not a bool"),
        },
        Ast::Bin("&&", l, r) => match eval(l, vars)? {
            Bool(false) => Ok(Bool(false)),
            Bool(true) => match eval(r, vars)? {
                Bool(b) => Ok(Bool(b)),
                _ => bad("no such overload"),
            },
            _ => bad("no such overload"),
        },
        Ast::Bin("||", l, r) => match eval(l, vars)? {
            Bool(true) => Ok(Bool(true)),
            Bool(false) => match eval(r, vars)? {
                Bool(b) => Ok(Bool(b)),
                _ => bad("no such overload"),
            },
            _ => bad("no such overload"),
        },
        Ast::Bin(op, l, r) => {
            let (l, r) = (eval(l, vars)?, eval(r, vars)?);
            binary(op, l, r).ok_or_else(|| EvalError::Other(format!("no such overload for `{op}`")))
        }
    }
}

fn binary(op: &str, l: Value, r: Value) -> Option<Value> {
    use std::cmp::Ordering;
    use Value::*;
    if op == "in" {
        return match r {
            List(items) => Some(Bool(items.contains(&l))),
            _ => None,
        };
    }
    let ord = match (&l, &r) {
        (Int(a), Int(b)) => Some(a.cmp(b)),
        (Double(a), Double(b)) => a.partial_cmp(b),
        (Int(a), Double(b)) => (*a as f64).partial_cmp(b),
        (Double(a), Int(b)) => a.partial_cmp(&(*b as f64)),
        (Str(a), Str(b)) => Some(a.cmp(b)),
        (Bool(a), Bool(b)) => Some(a.cmp(b)),
        _ => None,
    };
    match op {
        "==" => Some(Bool(ord == Some(Ordering::Equal) || (ord.is_none() && l == r))),
        "!=" => Some(Bool(!(ord == Some(Ordering::Equal) || (ord.is_none() && l == r)))),
        "<" => ord.map(|o| Bool(o == Ordering::Less)),
        "<=" => ord.map(|o| Bool(o != Ordering::Greater)),
        ">" => ord.map(|o| Bool(o == Ordering::Greater)),
        ">=" => ord.map(|o| Bool(o != Ordering::Less)),
        _ => match (l, r) {
            (Int(a), Int(b)) => match op {
                "+" => a.checked_add(b).map(Int),
                "-" => a.checked_sub(b).map(Int),
                "*" => a.checked_mul(b).map(Int),
                "/" => a.checked_div(b).map(Int),
                "%" => a.checked_rem(b).map(Int),
                _ => None,
            },
            (Double(a), Double(b)) => match op {
                "+" => Some(Double(a + b)),
                "-" => Some(Double(a - b)),
                "*" => Some(Double(a * b)),
                "/" => Some(Double(a / b)),
                _ => None,
            },
            (Str(a), Str(b)) if op == "+" => Some(Str(a + &b)),
            (List(mut a), List(b)) if op == "+" => {
                a.extend(b);
                Some(List(a))
            }
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(s: &str, vars: &[(&str, Value)]) -> Result<Value, EvalError> {
        let vars = vars.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        eval(&parse(s).unwrap(), &vars)
    }

    #[test]
    fn evaluates_the_subset() {
        let v = [("now", Value::Int(10)), ("begin", Value::Int(8)), ("end", Value::Int(17))];
        assert_eq!(run("now >= begin && now <= end", &v), Ok(Value::Bool(true)));
        assert_eq!(run("1 + 2 * 3 == 7", &[]), Ok(Value::Bool(true)));
        assert_eq!(run("'a' in ['a', 'b'] && !(2.5 < 1)", &[]), Ok(Value::Bool(true)));
        assert_eq!(run("x > 1", &[]), Err(EvalError::Missing("x".into())));
        assert!(matches!(run("'a' < 1", &[]), Err(EvalError::Other(_))));
        assert!(parse("size(x) > 1").is_err());
    }
}
