//! The one internal model of an authorization schema that both front-ends compile to: the
//! FGA DSL ([`super::dsl`]) and the legacy `authz` JSON schema ([`super::legacy`]).
//!
//! A schema is a list of types; each type has definitions (relations and permissions). A
//! relation holds stored tuples, restricted to the target types it lists (or any target for
//! legacy relation definitions), optionally under a condition. A permission is an expression
//! over the type's definitions; a legacy relation definition with a complex definition is both:
//! it holds tuples and is evaluated through its expression (where `This` is its own tuples).

use serde::{Deserialize, Serialize};

/// A whole schema.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// The legacy schema name (`name` of `authz/schema/save`), empty for DSL schemas.
    #[serde(default)]
    pub name: String,
    pub types: Vec<TypeDef>,
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// `constraint` lines of the DSL, kept as written.
    #[serde(default)]
    pub constraints: Vec<String>,
}

/// One type (a legacy namespace).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TypeDef {
    pub name: String,
    pub defs: Vec<Def>,
}

/// Whether a definition came as a relation or as a permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DefKind {
    Relation,
    Permission,
}

/// A relation or a permission of a type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Def {
    pub name: String,
    pub kind: DefKind,
    /// The target types a relation's tuples may have; `any_target` lifts the restriction.
    #[serde(default)]
    pub targets: Vec<TypeRef>,
    #[serde(default)]
    pub any_target: bool,
    /// How a permission (or a legacy definition with a complex definition) is evaluated;
    /// `None` for a plain relation: its own tuples.
    #[serde(default)]
    pub expr: Option<Expr>,
    /// `with` condition: the definition's tuples count only when it holds over the context.
    #[serde(default)]
    pub condition: Option<CondExpr>,
}

impl Def {
    /// Whether tuples may be stored under this definition.
    pub fn holds_tuples(&self) -> bool {
        self.kind == DefKind::Relation || self.any_target
    }

    /// Whether `target_type` (plain or `T#rel`) is an allowed target.
    pub fn allows(&self, target_type: &str) -> bool {
        self.any_target || self.targets.iter().any(|t| t.key() == target_type)
    }
}

/// An allowed target: a type, or a target set `Type#relation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeRef {
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rel: Option<String>,
}

impl TypeRef {
    /// How the target type is written in a tuple: `Type` or `Type#relation`.
    pub fn key(&self) -> String {
        match &self.rel {
            Some(r) => format!("{}#{}", self.ty, r),
            None => self.ty.clone(),
        }
    }
}

/// A permission expression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Expr {
    /// The definition's own stored tuples (legacy `self`).
    This,
    /// Another definition of the same object (DSL name, legacy `targetSet`).
    Name(String),
    /// `rel.name`: some target of the object's `rel` tuples has `name`. `ty`, when given
    /// (legacy `relationRight`), is the type of those targets; otherwise the tuple's own type.
    Arrow {
        rel: String,
        name: String,
        ty: Option<String>,
    },
    /// Legacy `relationLeft`: some object `X` of type `ty` with a tuple `(X, rel, this)` has `name`.
    Left {
        ty: String,
        rel: String,
        name: String,
    },
    Union(Vec<Expr>),
    Intersect(Vec<Expr>),
    /// The first minus the second.
    Exclude(Box<Expr>, Box<Expr>),
}

/// A `with` expression over condition names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CondExpr {
    Name(String),
    Not(Box<CondExpr>),
    And(Box<CondExpr>, Box<CondExpr>),
    Or(Box<CondExpr>, Box<CondExpr>),
}

/// A named CEL condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    pub name: String,
    pub params: Vec<Param>,
    pub expression: String,
}

/// A condition parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Param {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
}

impl Model {
    pub fn ty(&self, name: &str) -> Option<&TypeDef> {
        self.types.iter().find(|t| t.name == name)
    }

    pub fn def(&self, ty: &str, name: &str) -> Option<&Def> {
        self.ty(ty)?.defs.iter().find(|d| d.name == name)
    }

    pub fn condition(&self, name: &str) -> Option<&Condition> {
        self.conditions.iter().find(|c| c.name == name)
    }

    /// The `Type#relation` names and the type names of `self` whose tuples `next` would not
    /// keep: dropped types, dropped relations, relations whose target types changed.
    pub fn deletes_towards(&self, next: &Model) -> (Vec<String>, Vec<String>) {
        let mut relations = Vec::new();
        let mut types = Vec::new();
        for t in &self.types {
            let Some(nt) = next.ty(&t.name) else {
                types.push(t.name.clone());
                continue;
            };
            for d in t.defs.iter().filter(|d| d.holds_tuples()) {
                let kept = nt.defs.iter().find(|n| n.name == d.name).is_some_and(|n| {
                    n.holds_tuples() && n.any_target == d.any_target && same_set(&n.targets, &d.targets)
                });
                if !kept {
                    relations.push(format!("{}#{}", t.name, d.name));
                }
            }
        }
        (relations, types)
    }
}

fn same_set(a: &[TypeRef], b: &[TypeRef]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}
