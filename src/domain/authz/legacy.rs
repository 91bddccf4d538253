//! The legacy `authz` API (`/v1/mgmt/authz/*`): its JSON schema to the [`Model`] and back,
//! and its operations over the same tuples as FGA.
//!
//! A namespace is a type; a relation definition without a complex definition is a relation
//! that takes any target; one with a complex definition (a `Node` tree) also takes tuples
//! and is evaluated through the tree: `child` wraps one expression, `union`/`intersect`
//! combine the children, `sub` is the first child minus the others. Expressions: `self` (the
//! definition's own tuples), `targetSet` (the target holds `targetRelationDefinition` on the
//! same resource), `relationRight` (follow `(this, relationDefinition, X)` and test on `X`),
//! `relationLeft` (follow `(X, relationDefinition, this)` and test on `X`).
//!
//! Legacy targets are untyped: stored with target type `''`, or `ns#rd` for a target set.
//! A `query` target (users matching a search) is resolved when the relation is created: one
//! tuple per matching user ID.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::engine::Eval;
use super::fga::{self, RelationRow};
use super::model::{Def, DefKind, Expr, Model, TypeDef};
use crate::domain::identity::search::attr_values;
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::store::{self, fga as st, users::TestUsers, users::UserQuery, Conn, Db};

// ---------- schema JSON <-> model ----------

/// A legacy schema as sent (`{name, namespaces}`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SchemaJson {
    pub name: String,
    pub namespaces: Vec<NamespaceJson>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct NamespaceJson {
    pub name: String,
    pub relation_definitions: Vec<RdJson>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RdJson {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complex_definition: Option<NodeJson>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct NodeJson {
    pub n_type: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<NodeJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expression: Option<ExprJson>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ExprJson {
    pub ne_type: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub relation_definition: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub relation_definition_namespace: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub target_relation_definition: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub target_relation_definition_namespace: String,
}

fn node_to_expr(ns: &str, n: &NodeJson) -> ApiResult<Expr> {
    let kids = || n.children.iter().map(|c| node_to_expr(ns, c)).collect::<ApiResult<Vec<_>>>();
    match n.n_type.as_str() {
        "child" | "" => {
            let e =
                n.expression.as_ref().ok_or_else(|| ApiError::invalid("A child node needs an expression"))?;
            leaf(ns, e)
        }
        "union" => Ok(Expr::Union(kids()?)),
        "intersect" => Ok(Expr::Intersect(kids()?)),
        "sub" => {
            let mut k = kids()?;
            if k.len() < 2 {
                return Err(ApiError::invalid("A sub node needs at least two children"));
            }
            let first = k.remove(0);
            let rest = if k.len() == 1 { k.remove(0) } else { Expr::Union(k) };
            Ok(Expr::Exclude(Box::new(first), Box::new(rest)))
        }
        other => Err(ApiError::invalid(format!("Unknown nType {other} (child, union, intersect, sub)"))),
    }
}

fn leaf(ns: &str, e: &ExprJson) -> ApiResult<Expr> {
    let need = |v: &str, what: &str| match v.is_empty() {
        true => Err(ApiError::missing(what)),
        false => Ok(v.to_owned()),
    };
    Ok(match e.ne_type.as_str() {
        "self" => Expr::This,
        "targetSet" => Expr::Name(need(&e.target_relation_definition, "targetRelationDefinition")?),
        "relationRight" => Expr::Arrow {
            rel: need(&e.relation_definition, "relationDefinition")?,
            name: need(&e.target_relation_definition, "targetRelationDefinition")?,
            ty: Some(if e.target_relation_definition_namespace.is_empty() {
                ns.to_owned()
            } else {
                e.target_relation_definition_namespace.clone()
            }),
        },
        "relationLeft" => Expr::Left {
            ty: if e.relation_definition_namespace.is_empty() {
                ns.to_owned()
            } else {
                e.relation_definition_namespace.clone()
            },
            rel: need(&e.relation_definition, "relationDefinition")?,
            name: need(&e.target_relation_definition, "targetRelationDefinition")?,
        },
        other => {
            return Err(ApiError::invalid(format!(
                "Unknown neType {other} (self, targetSet, relationLeft, relationRight)"
            )))
        }
    })
}

fn rd_to_def(ns: &str, rd: &RdJson) -> ApiResult<Def> {
    if rd.name.trim().is_empty() {
        return Err(ApiError::missing("relationDefinition.name"));
    }
    Ok(Def {
        name: rd.name.clone(),
        kind: DefKind::Relation,
        targets: Vec::new(),
        any_target: true,
        expr: rd.complex_definition.as_ref().map(|n| node_to_expr(ns, n)).transpose()?,
        condition: None,
    })
}

fn ns_to_type(ns: &NamespaceJson) -> ApiResult<TypeDef> {
    if ns.name.trim().is_empty() {
        return Err(ApiError::missing("namespace.name"));
    }
    let mut t = TypeDef { name: ns.name.clone(), defs: Vec::new() };
    for rd in &ns.relation_definitions {
        if t.defs.iter().any(|d| d.name == rd.name) {
            return Err(ApiError::invalid(format!("Relation definition {} is defined twice", rd.name)));
        }
        t.defs.push(rd_to_def(&ns.name, rd)?);
    }
    Ok(t)
}

/// A legacy schema as a model.
pub fn from_json(s: &SchemaJson) -> ApiResult<Model> {
    let mut m = Model { name: s.name.clone(), ..Default::default() };
    for ns in &s.namespaces {
        if m.ty(&ns.name).is_some() {
            return Err(ApiError::invalid(format!("Namespace {} is defined twice", ns.name)));
        }
        m.types.push(ns_to_type(ns)?);
    }
    Ok(m)
}

fn expr_to_node(ty: &str, m: &Model, e: &Expr) -> NodeJson {
    let child = |x: ExprJson| NodeJson { n_type: "child".into(), children: Vec::new(), expression: Some(x) };
    let group = |t: &str, v: Vec<NodeJson>| NodeJson { n_type: t.into(), children: v, expression: None };
    match e {
        Expr::This => child(ExprJson { ne_type: "self".into(), ..Default::default() }),
        Expr::Name(n) => child(ExprJson {
            ne_type: "targetSet".into(),
            target_relation_definition: n.clone(),
            target_relation_definition_namespace: ty.into(),
            ..Default::default()
        }),
        Expr::Arrow { rel, name, ty: via } => {
            let via = via.clone().unwrap_or_else(|| {
                m.def(ty, rel)
                    .and_then(|d| d.targets.iter().find(|t| t.rel.is_none()).map(|t| t.ty.clone()))
                    .unwrap_or_default()
            });
            child(ExprJson {
                ne_type: "relationRight".into(),
                relation_definition: rel.clone(),
                relation_definition_namespace: ty.into(),
                target_relation_definition: name.clone(),
                target_relation_definition_namespace: via,
            })
        }
        Expr::Left { ty: x, rel, name } => child(ExprJson {
            ne_type: "relationLeft".into(),
            relation_definition: rel.clone(),
            relation_definition_namespace: x.clone(),
            target_relation_definition: name.clone(),
            target_relation_definition_namespace: x.clone(),
        }),
        Expr::Union(v) => group("union", v.iter().map(|x| expr_to_node(ty, m, x)).collect()),
        Expr::Intersect(v) => group("intersect", v.iter().map(|x| expr_to_node(ty, m, x)).collect()),
        Expr::Exclude(a, b) => group("sub", vec![expr_to_node(ty, m, a), expr_to_node(ty, m, b)]),
    }
}

/// A model as a legacy schema, with the DSL's conditions (`{name, params, expression}`).
pub fn to_json(m: &Model) -> Value {
    let namespaces: Vec<NamespaceJson> = m
        .types
        .iter()
        .map(|t| NamespaceJson {
            name: t.name.clone(),
            relation_definitions: t
                .defs
                .iter()
                .map(|d| RdJson {
                    name: d.name.clone(),
                    complex_definition: d.expr.as_ref().map(|e| expr_to_node(&t.name, m, e)),
                })
                .collect(),
        })
        .collect();
    let mut v = json!({ "name": m.name, "namespaces": namespaces });
    if !m.conditions.is_empty() {
        v["conditions"] = serde_json::to_value(&m.conditions).unwrap_or(Value::Null);
    }
    v
}

// ---------- operations ----------

async fn current(conn: &mut Conn, ctx: &Ctx) -> ApiResult<(Model, String)> {
    let row = st::schema(conn, ctx.scope()).await?.unwrap_or_default();
    Ok((store::from_json_text(&row.model), row.dsl))
}

/// Saves a whole schema; without `upgrade`, namespaces it does not list stay.
pub async fn save_schema(db: &Db, ctx: &Ctx, s: &SchemaJson, upgrade: bool) -> ApiResult<()> {
    let mut next = from_json(s)?;
    let mut tx = store::begin_immediate(db).await?;
    let (old, _) = current(&mut tx, ctx).await?;
    if !upgrade {
        let kept: Vec<TypeDef> = old.types.iter().filter(|t| next.ty(&t.name).is_none()).cloned().collect();
        next.types.extend(kept);
        next.conditions = old.conditions.clone();
    }
    fga::save_model(&mut tx, ctx, next, String::new()).await?;
    tx.commit().await
}

/// The schema in the legacy shape.
pub async fn load_schema(db: &Db, ctx: &Ctx) -> ApiResult<Value> {
    let l = fga::loaded(db, ctx).await?;
    Ok(to_json(&l.model))
}

/// Changes the model with `f` and saves it (printed DSL: the FGA text no longer holds).
async fn edit(db: &Db, ctx: &Ctx, f: impl FnOnce(&mut Model) -> ApiResult<()>) -> ApiResult<()> {
    let mut tx = store::begin_immediate(db).await?;
    let (mut m, _) = current(&mut tx, ctx).await?;
    f(&mut m)?;
    fga::save_model(&mut tx, ctx, m, String::new()).await?;
    tx.commit().await
}

/// Saves a namespace (replacing `old_name`, or the one of its name).
pub async fn save_namespace(db: &Db, ctx: &Ctx, ns: &NamespaceJson, old_name: &str) -> ApiResult<()> {
    let t = ns_to_type(ns)?;
    edit(db, ctx, |m| {
        let replace = if old_name.is_empty() { ns.name.as_str() } else { old_name };
        match m.types.iter().position(|x| x.name == replace) {
            Some(i) => m.types[i] = t,
            None => m.types.push(t),
        }
        Ok(())
    })
    .await
}

pub async fn delete_namespace(db: &Db, ctx: &Ctx, name: &str) -> ApiResult<()> {
    if name.is_empty() {
        return Err(ApiError::missing("name"));
    }
    edit(db, ctx, |m| {
        let before = m.types.len();
        m.types.retain(|t| t.name != name);
        match m.types.len() == before {
            true => Err(ApiError::not_found(format!("Namespace {name} not found"))),
            false => Ok(()),
        }
    })
    .await
}

pub async fn save_relation_definition(
    db: &Db,
    ctx: &Ctx,
    rd: &RdJson,
    ns: &str,
    old_name: &str,
) -> ApiResult<()> {
    let def = rd_to_def(ns, rd)?;
    edit(db, ctx, |m| {
        let t = m
            .types
            .iter_mut()
            .find(|t| t.name == ns)
            .ok_or_else(|| ApiError::not_found(format!("Namespace {ns} not found")))?;
        let replace = if old_name.is_empty() { rd.name.as_str() } else { old_name };
        match t.defs.iter().position(|d| d.name == replace) {
            Some(i) => t.defs[i] = def,
            None => t.defs.push(def),
        }
        Ok(())
    })
    .await
}

pub async fn delete_relation_definition(db: &Db, ctx: &Ctx, name: &str, ns: &str) -> ApiResult<()> {
    edit(db, ctx, |m| {
        let t = m
            .types
            .iter_mut()
            .find(|t| t.name == ns)
            .ok_or_else(|| ApiError::not_found(format!("Namespace {ns} not found")))?;
        let before = t.defs.len();
        t.defs.retain(|d| d.name != name);
        match t.defs.len() == before {
            true => Err(ApiError::not_found(format!("Relation definition {name} not found in {ns}"))),
            false => Ok(()),
        }
    })
    .await
}

/// A user query target.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct UserQueryJson {
    pub tenants: Vec<String>,
    pub roles: Vec<String>,
    pub text: String,
    pub statuses: Vec<String>,
    /// go-sdk's spelling of `statuses`.
    pub user_status: Vec<String>,
    pub sso_only: bool,
    pub with_test_user: bool,
    pub custom_attributes: Map<String, Value>,
}

/// A legacy relation.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct RelationJson {
    pub resource: String,
    pub relation_definition: String,
    pub namespace: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub target: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub target_set_resource: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub target_set_relation_definition: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub target_set_relation_definition_namespace: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<UserQueryJson>,
}

/// A stored tuple in the legacy shape.
pub fn relation_of(r: &RelationRow) -> RelationJson {
    let mut out = RelationJson {
        resource: r.resource.clone(),
        relation_definition: r.relation.clone(),
        namespace: r.resource_type.clone(),
        ..Default::default()
    };
    match r.target_type.split_once('#') {
        Some((ns, rd)) => {
            out.target_set_resource = r.target.clone();
            out.target_set_relation_definition = rd.to_owned();
            out.target_set_relation_definition_namespace = ns.to_owned();
        }
        None => out.target = r.target.clone(),
    }
    out
}

/// The user IDs a query matches now.
async fn users_of(conn: &mut Conn, ctx: &Ctx, q: &UserQueryJson) -> ApiResult<Vec<String>> {
    let mut custom = Vec::new();
    for (k, v) in &q.custom_attributes {
        custom.push((k.clone(), attr_values(k, v)?));
    }
    let mut statuses = q.statuses.clone();
    statuses.extend(q.user_status.iter().cloned());
    let uq = UserQuery {
        test: if q.with_test_user { TestUsers::Include } else { TestUsers::Exclude },
        tenant_ids: q.tenants.clone(),
        role_names: q.roles.clone(),
        statuses,
        custom_attributes: custom,
        text: q.text.clone(),
        limit: 10_000,
        ..Default::default()
    };
    let (ids, _) = store::users::search_ids(conn, ctx.scope(), &uq).await?;
    Ok(ids.into_iter().map(|id| id.as_str().to_owned()).collect())
}

/// The tuples of legacy relations (query targets resolved now), validated: the namespace
/// and relation definition exist and take tuples.
async fn rows_of(
    conn: &mut Conn,
    ctx: &Ctx,
    model: &Model,
    rels: &[RelationJson],
) -> ApiResult<Vec<RelationRow>> {
    let mut out = Vec::new();
    for r in rels {
        for (what, v) in [
            ("resource", &r.resource),
            ("namespace", &r.namespace),
            ("relationDefinition", &r.relation_definition),
        ] {
            if v.trim().is_empty() {
                return Err(ApiError::missing(what));
            }
        }
        let def = model.def(&r.namespace, &r.relation_definition).ok_or_else(|| {
            ApiError::invalid(format!(
                "Unknown relation definition {}#{}",
                r.namespace, r.relation_definition
            ))
        })?;
        if !def.holds_tuples() {
            return Err(ApiError::invalid(format!(
                "{}#{} takes no relations",
                r.namespace, r.relation_definition
            )));
        }
        let base = |tt: String, t: String| RelationRow {
            resource_type: r.namespace.clone(),
            resource: r.resource.clone(),
            relation: r.relation_definition.clone(),
            target_type: tt,
            target: t,
        };
        if !r.target_set_resource.is_empty() {
            let tt = format!(
                "{}#{}",
                r.target_set_relation_definition_namespace, r.target_set_relation_definition
            );
            out.push(base(tt, r.target_set_resource.clone()));
        } else if !r.target.is_empty() {
            out.push(base(String::new(), r.target.clone()));
        } else if let Some(q) = &r.query {
            for id in users_of(conn, ctx, q).await? {
                out.push(base(String::new(), id));
            }
        } else {
            return Err(ApiError::missing("target"));
        }
    }
    Ok(out)
}

pub async fn create_relations(db: &Db, ctx: &Ctx, rels: &[RelationJson]) -> ApiResult<()> {
    let mut tx = store::begin_immediate(db).await?;
    let (model, _) = current(&mut tx, ctx).await?;
    let rows = rows_of(&mut tx, ctx, &model, rels).await?;
    let delta = fga::insert_rows(&mut tx, ctx, &rows).await?;
    tx.commit().await?;
    delta.apply();
    Ok(())
}

pub async fn delete_relations(db: &Db, ctx: &Ctx, rels: &[RelationJson]) -> ApiResult<()> {
    let mut tx = store::begin_immediate(db).await?;
    let (model, _) = current(&mut tx, ctx).await?;
    let rows = rows_of(&mut tx, ctx, &model, rels).await?;
    let delta = fga::delete_rows(&mut tx, ctx, &rows).await?;
    tx.commit().await?;
    delta.apply();
    Ok(())
}

/// Deletes the tuples whose resource (and, with `as_target`, whose target) is one of `ids`.
pub async fn delete_for_resources(db: &Db, ctx: &Ctx, ids: &[String], as_target: bool) -> ApiResult<()> {
    let mut tx = store::begin_immediate(db).await?;
    let all = st::relations(&mut tx, ctx.scope()).await?;
    let doomed: Vec<RelationRow> = all
        .into_iter()
        .filter(|r| ids.contains(&r.resource) || (as_target && ids.contains(&r.target)))
        .collect();
    let delta = fga::delete_rows(&mut tx, ctx, &doomed).await?;
    tx.commit().await?;
    delta.apply();
    Ok(())
}

/// `re/has`: whether each `(namespace, resource, relationDefinition, target)` holds.
pub async fn has(db: &Db, ctx: &Ctx, queries: &[RelationJson]) -> ApiResult<Vec<bool>> {
    let l = fga::loaded(db, ctx).await?;
    let graph = l.graph();
    let mut e = Eval::new(&l.model, &graph, &Map::new());
    Ok(queries
        .iter()
        .map(|q| e.check(&q.namespace, &q.resource, &q.relation_definition, "", &q.target).0)
        .collect())
}

/// `re/who`: the targets that hold the relation on the resource (derived included).
pub async fn who(
    db: &Db,
    ctx: &Ctx,
    ns: &str,
    resource: &str,
    rd: &str,
    context: &Map<String, Value>,
) -> ApiResult<Vec<String>> {
    let l = fga::loaded(db, ctx).await?;
    if l.model.def(ns, rd).is_none() {
        return Err(ApiError::invalid(format!("Unknown relation definition {ns}#{rd}")));
    }
    let graph = l.graph();
    let mut e = Eval::new(&l.model, &graph, context);
    let ids: BTreeSet<String> = e.who(ns, resource, rd).into_iter().map(|(_, t)| t).collect();
    Ok(ids.into_iter().collect())
}

/// `re/resource`: the stored tuples of a resource.
pub async fn resource_relations(
    db: &Db,
    ctx: &Ctx,
    resource: &str,
    ignore_target_sets: bool,
) -> ApiResult<Vec<RelationJson>> {
    let l = fga::loaded(db, ctx).await?;
    let graph = l.graph();
    let found = graph
        .tuples()
        .filter(|t| t.resource == resource && !(ignore_target_sets && t.target_type.contains('#')))
        .map(|t| relation_of(&row_of(t)))
        .collect();
    Ok(found)
}

/// `re/targets`: the stored tuples of targets.
pub async fn targets_relations(
    db: &Db,
    ctx: &Ctx,
    targets: &[String],
    include_target_sets: bool,
) -> ApiResult<Vec<RelationJson>> {
    let l = fga::loaded(db, ctx).await?;
    let graph = l.graph();
    let found = graph
        .tuples()
        .filter(|t| targets.contains(&t.target) && (include_target_sets || !t.target_type.contains('#')))
        .map(|t| relation_of(&row_of(t)))
        .collect();
    Ok(found)
}

fn row_of(t: &super::engine::Tuple) -> RelationRow {
    RelationRow {
        resource_type: t.resource_type.clone(),
        resource: t.resource.clone(),
        relation: t.relation.clone(),
        target_type: t.target_type.clone(),
        target: t.target.clone(),
    }
}

/// `re/targetall` / `re/targetwithrelation`: what the target holds, derived included.
pub async fn what(
    db: &Db,
    ctx: &Ctx,
    target: &str,
    only: Option<(&str, &str)>,
    context: &Map<String, Value>,
) -> ApiResult<Vec<RelationJson>> {
    let l = fga::loaded(db, ctx).await?;
    if let Some((ns, rd)) = only {
        if l.model.def(ns, rd).is_none() {
            return Err(ApiError::invalid(format!("Unknown relation definition {ns}#{rd}")));
        }
    }
    let graph = l.graph();
    let mut e = Eval::new(&l.model, &graph, context);
    Ok(e.what("", target, only)
        .into_iter()
        .map(|(ty, id, name)| RelationJson {
            resource: id,
            relation_definition: name,
            namespace: ty,
            target: target.to_owned(),
            ..Default::default()
        })
        .collect())
}

/// `getmodified`: the resources and targets written since `since_ms`, and whether the
/// schema changed.
pub async fn modified(db: &Db, ctx: &Ctx, since_ms: i64) -> ApiResult<(Vec<String>, Vec<String>, bool)> {
    let mut conn = db.acquire().await?;
    let rows = st::modified_since(&mut conn, ctx.scope(), since_ms).await?;
    let mut resources = BTreeSet::new();
    let mut targets = BTreeSet::new();
    let mut schema = false;
    for r in rows {
        schema |= r.schema != 0;
        if !r.resource.is_empty() {
            resources.insert(r.resource);
        }
        if !r.target.is_empty() {
            targets.insert(r.target);
        }
    }
    Ok((resources.into_iter().collect(), targets.into_iter().collect(), schema))
}
