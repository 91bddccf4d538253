//! The graph evaluation shared by FGA `check` and the legacy `authz` queries.
//!
//! A [`Graph`] holds a project's stored tuples in memory with an index by object and one by
//! target; an [`Eval`] answers questions over a [`Model`] and a graph, with memoisation for
//! the one request, a visited set against cycles and a depth bound.
//!
//! Legacy tuples have untyped targets: their target type is `""` (or `ns#rd` for a target
//! set), and a legacy query asks with target type `""`.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::Arc;

use super::cel::{self, EvalError, Value};
use super::model::{CondExpr, Def, DefKind, Expr, Model};

/// How deep a check may recurse before it answers false.
pub const MAX_DEPTH: usize = 32;

/// How many objects `who` and `what` explore at most.
const MAX_EXPLORE: usize = 20_000;

/// A stored tuple.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tuple {
    pub resource_type: String,
    pub resource: String,
    pub relation: String,
    pub target_type: String,
    pub target: String,
}

/// A project's tuples, indexed both ways; tuples are added and removed in place as writes
/// commit, so a write does not cost a rebuild.
#[derive(Debug, Default)]
pub struct Graph {
    /// Every tuple, in key order (the order the store lists them).
    all: BTreeSet<Arc<Tuple>>,
    by_obj: HashMap<(String, String), Vec<Arc<Tuple>>>,
    by_target: HashMap<(String, String), Vec<Arc<Tuple>>>,
}

impl Graph {
    pub fn new(tuples: Vec<Tuple>) -> Graph {
        let mut g = Graph::default();
        for t in tuples {
            g.insert(t);
        }
        g
    }

    /// Adds a tuple; `false` when it was there already.
    pub fn insert(&mut self, t: Tuple) -> bool {
        if self.all.contains(&t) {
            return false;
        }
        let t = Arc::new(t);
        self.by_obj.entry((t.resource_type.clone(), t.resource.clone())).or_default().push(t.clone());
        self.by_target.entry((t.target_type.clone(), t.target.clone())).or_default().push(t.clone());
        self.all.insert(t);
        true
    }

    /// Removes a tuple; `false` when it was not there.
    pub fn remove(&mut self, t: &Tuple) -> bool {
        if !self.all.remove(t) {
            return false;
        }
        fn drop_from(
            index: &mut HashMap<(String, String), Vec<Arc<Tuple>>>,
            key: (String, String),
            t: &Tuple,
        ) {
            if let Some(list) = index.get_mut(&key) {
                list.retain(|x| x.as_ref() != t);
                if list.is_empty() {
                    index.remove(&key);
                }
            }
        }
        drop_from(&mut self.by_obj, (t.resource_type.clone(), t.resource.clone()), t);
        drop_from(&mut self.by_target, (t.target_type.clone(), t.target.clone()), t);
        true
    }

    pub fn contains(&self, t: &Tuple) -> bool {
        self.all.contains(t)
    }

    /// Every tuple, in key order.
    pub fn tuples(&self) -> impl Iterator<Item = &Tuple> + '_ {
        self.all.iter().map(|t| t.as_ref())
    }

    pub fn len(&self) -> usize {
        self.all.len()
    }

    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    /// The tuples whose object is `(ty, id)`.
    pub fn of_object<'a>(&'a self, ty: &str, id: &str) -> impl Iterator<Item = &'a Tuple> + 'a {
        self.by_obj.get(&(ty.to_owned(), id.to_owned())).into_iter().flatten().map(|t| t.as_ref())
    }

    /// The tuples whose target is `(tt, t)`.
    pub fn of_target<'a>(&'a self, tt: &str, t: &str) -> impl Iterator<Item = &'a Tuple> + 'a {
        self.by_target.get(&(tt.to_owned(), t.to_owned())).into_iter().flatten().map(|t| t.as_ref())
    }
}

type Key = (String, String, String, String, String);

/// What a check found besides the answer.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Info {
    /// The very tuple asked about is stored.
    pub direct: bool,
    /// A condition was evaluated on the way.
    pub conditional: bool,
    /// Context variables a condition needed and did not get.
    pub missing_context: BTreeSet<String>,
    /// A condition that failed to evaluate.
    pub conditional_err: Option<String>,
    /// The depth bound stopped the search somewhere.
    pub depth_exceeded: bool,
}

/// One request's evaluation.
pub struct Eval<'a> {
    model: &'a Model,
    graph: &'a Graph,
    context: HashMap<String, Value>,
    memo: HashMap<Key, bool>,
    visiting: HashSet<Key>,
    /// How many times an in-progress question was met again (its answer then is not final).
    cycle_hits: u64,
    info: Info,
}

impl<'a> Eval<'a> {
    pub fn new(
        model: &'a Model,
        graph: &'a Graph,
        context: &serde_json::Map<String, serde_json::Value>,
    ) -> Self {
        let context = context.iter().filter_map(|(k, v)| Some((k.clone(), Value::from_json(v)?))).collect();
        Eval {
            model,
            graph,
            context,
            memo: HashMap::new(),
            visiting: HashSet::new(),
            cycle_hits: 0,
            info: Info::default(),
        }
    }

    /// Checks one tuple and returns the answer with what was found on the way.
    pub fn check(&mut self, ty: &str, id: &str, name: &str, tt: &str, t: &str) -> (bool, Info) {
        self.info = Info::default();
        let allowed = self.has(ty, id, name, tt, t, 0);
        let mut info = std::mem::take(&mut self.info);
        info.direct = self.graph.contains(&Tuple {
            resource_type: ty.into(),
            resource: id.into(),
            relation: name.into(),
            target_type: tt.into(),
            target: t.into(),
        });
        (allowed, info)
    }

    fn has(&mut self, ty: &str, id: &str, name: &str, tt: &str, t: &str, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            self.info.depth_exceeded = true;
            return false;
        }
        let key: Key = (ty.into(), id.into(), name.into(), tt.into(), t.into());
        if let Some(v) = self.memo.get(&key) {
            return *v;
        }
        if !self.visiting.insert(key.clone()) {
            self.cycle_hits += 1;
            return false;
        }
        let hits = self.cycle_hits;
        let model = self.model;
        let v = match model.def(ty, name) {
            None => false,
            Some(def) => match &def.expr {
                None => self.direct(ty, id, def, tt, t, depth),
                Some(e) => self.expr(ty, id, def, e, tt, t, depth),
            },
        };
        self.visiting.remove(&key);
        if v || hits == self.cycle_hits {
            self.memo.insert(key, v);
        }
        v
    }

    /// The definition's stored tuples, through target sets.
    fn direct(&mut self, ty: &str, id: &str, def: &Def, tt: &str, t: &str, depth: usize) -> bool {
        let graph = self.graph;
        for tu in graph.of_object(ty, id).filter(|x| x.relation == def.name) {
            let hit = if tu.target_type == tt && tu.target == t {
                true
            } else if let Some((g, r)) = tu.target_type.split_once('#') {
                self.has(g, &tu.target, r, tt, t, depth + 1)
            } else {
                false
            };
            if hit && self.condition_holds(def) {
                return true;
            }
        }
        false
    }

    #[allow(clippy::too_many_arguments)]
    fn expr(&mut self, ty: &str, id: &str, def: &Def, e: &Expr, tt: &str, t: &str, depth: usize) -> bool {
        match e {
            Expr::This => self.direct(ty, id, def, tt, t, depth),
            Expr::Name(n) => self.has(ty, id, n, tt, t, depth + 1) && self.condition_holds(def),
            Expr::Arrow { rel, name, ty: via } => {
                let graph = self.graph;
                for tu in graph.of_object(ty, id).filter(|x| &x.relation == rel) {
                    let uty = match (via, tu.target_type.as_str()) {
                        (_, tt) if tt.contains('#') => continue,
                        (Some(v), _) => v.as_str(),
                        (None, "") => continue,
                        (None, tt) => tt,
                    };
                    if self.has(uty, &tu.target, name, tt, t, depth + 1) && self.condition_holds(def) {
                        return true;
                    }
                }
                false
            }
            Expr::Left { ty: xty, rel, name } => {
                let graph = self.graph;
                let froms: Vec<&Tuple> = graph
                    .of_target("", id)
                    .chain(graph.of_target(ty, id))
                    .filter(|x| &x.resource_type == xty && &x.relation == rel)
                    .collect();
                for tu in froms {
                    if self.has(xty, &tu.resource, name, tt, t, depth + 1) && self.condition_holds(def) {
                        return true;
                    }
                }
                false
            }
            Expr::Union(v) => v.iter().any(|x| self.expr(ty, id, def, x, tt, t, depth)),
            Expr::Intersect(v) => v.iter().all(|x| self.expr(ty, id, def, x, tt, t, depth)),
            Expr::Exclude(a, b) => {
                self.expr(ty, id, def, a, tt, t, depth) && !self.expr(ty, id, def, b, tt, t, depth)
            }
        }
    }

    /// Whether a definition's `with` condition holds over the context (true without one).
    fn condition_holds(&mut self, def: &Def) -> bool {
        match &def.condition {
            None => true,
            Some(c) => {
                self.info.conditional = true;
                self.cond(c)
            }
        }
    }

    fn cond(&mut self, c: &CondExpr) -> bool {
        match c {
            CondExpr::Not(a) => !self.cond(a),
            CondExpr::And(a, b) => {
                let (x, y) = (self.cond(a), self.cond(b));
                x && y
            }
            CondExpr::Or(a, b) => {
                let (x, y) = (self.cond(a), self.cond(b));
                x || y
            }
            CondExpr::Name(n) => {
                let Some(cd) = self.model.condition(n) else { return false };
                let missing: Vec<&str> = cd
                    .params
                    .iter()
                    .map(|p| p.name.as_str())
                    .filter(|p| !self.context.contains_key(*p))
                    .collect();
                if !missing.is_empty() {
                    self.info.missing_context.extend(missing.into_iter().map(str::to_owned));
                    return false;
                }
                let ast = match cel::parse(&cd.expression) {
                    Ok(a) => a,
                    Err(e) => {
                        self.info.conditional_err = Some(e);
                        return false;
                    }
                };
                match cel::eval(&ast, &self.context) {
                    Ok(Value::Bool(b)) => b,
                    Ok(_) => {
                        self.info.conditional_err = Some(format!("condition {n} is not a bool"));
                        false
                    }
                    Err(EvalError::Missing(v)) => {
                        self.info.missing_context.insert(v);
                        false
                    }
                    Err(EvalError::Other(e)) => {
                        self.info.conditional_err = Some(e);
                        false
                    }
                }
            }
        }
    }

    /// Every plain target `(type, id)` that has `name` on `(ty, id)`, sorted. `legacy`
    /// limits it to untyped targets.
    pub fn who(&mut self, ty: &str, id: &str, name: &str) -> Vec<(String, String)> {
        let mut candidates = BTreeSet::new();
        for obj in self.explore(ty, id) {
            for tu in self.graph.of_object(&obj.0, &obj.1) {
                if !tu.target_type.contains('#') {
                    candidates.insert((tu.target_type.clone(), tu.target.clone()));
                }
            }
        }
        candidates.into_iter().filter(|(tt, t)| self.has(ty, id, name, tt, t, 0)).collect()
    }

    /// Every `(type, id, name)` that target `(tt, t)` has, stored or derived, sorted;
    /// `only` limits it to one type and name.
    pub fn what(&mut self, tt: &str, t: &str, only: Option<(&str, &str)>) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        let base = tt.split('#').next().unwrap_or("").to_owned();
        let mut objs: Vec<(String, String)> = self.explore(&base, t).into_iter().collect();
        objs.sort();
        let model = self.model;
        for (oty, oid) in objs {
            let Some(tdef) = model.ty(&oty) else { continue };
            for d in &tdef.defs {
                if only.is_some_and(|(a, b)| a != oty || b != d.name) {
                    continue;
                }
                if self.has(&oty, &oid, &d.name, tt, t, 0) {
                    out.push((oty.clone(), oid.clone(), d.name.clone()));
                }
            }
        }
        out
    }

    /// The objects reachable from `(ty, id)` through tuples in either direction (bounded).
    fn explore(&self, ty: &str, id: &str) -> HashSet<(String, String)> {
        let mut seen: HashSet<(String, String)> = HashSet::new();
        let mut queue = VecDeque::from([(ty.to_owned(), id.to_owned())]);
        while let Some((oty, oid)) = queue.pop_front() {
            if seen.len() >= MAX_EXPLORE || !seen.insert((oty.clone(), oid.clone())) {
                continue;
            }
            for tu in self.graph.of_object(&oty, &oid) {
                let base = tu.target_type.split('#').next().unwrap_or("");
                queue.push_back((base.to_owned(), tu.target.clone()));
                if base.is_empty() {
                    for tdef in &self.model.types {
                        queue.push_back((tdef.name.clone(), tu.target.clone()));
                    }
                }
            }
            let mut back: Vec<&Tuple> =
                self.graph.of_target(&oty, &oid).chain(self.graph.of_target("", &oid)).collect();
            if let Some(tdef) = self.model.ty(&oty) {
                for d in tdef.defs.iter().filter(|d| d.kind == DefKind::Relation || d.any_target) {
                    back.extend(self.graph.of_target(&format!("{oty}#{}", d.name), &oid));
                }
            }
            for tu in back {
                queue.push_back((tu.resource_type.clone(), tu.resource.clone()));
            }
        }
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::authz::dsl;

    fn t(a: &str, b: &str, c: &str, d: &str, e: &str) -> Tuple {
        Tuple {
            resource_type: a.into(),
            resource: b.into(),
            relation: c.into(),
            target_type: d.into(),
            target: e.into(),
        }
    }

    #[test]
    fn cycles_terminate_and_target_sets_resolve() {
        let m =
            dsl::parse("model AuthZ 1.0\ntype user\ntype group\n  relation member: user | group#member\n")
                .unwrap();
        let g = Graph::new(vec![
            t("group", "a", "member", "group#member", "b"),
            t("group", "b", "member", "group#member", "a"),
            t("group", "a", "member", "group#member", "a"),
            t("group", "b", "member", "user", "u"),
        ]);
        let mut e = Eval::new(&m, &g, &Default::default());
        assert!(e.check("group", "a", "member", "user", "u").0);
        assert!(!e.check("group", "a", "member", "user", "v").0);
        assert!(e.check("group", "b", "member", "group#member", "a").0);
        assert_eq!(e.who("group", "a", "member"), vec![("user".into(), "u".into())]);
    }

    #[test]
    fn tuples_come_and_go_in_place() {
        let m = dsl::parse("model AuthZ 1.0\ntype user\ntype doc\n  relation viewer: user\n").unwrap();
        let mut g = Graph::new(vec![t("doc", "d", "viewer", "user", "a")]);
        assert!(!g.insert(t("doc", "d", "viewer", "user", "a")));
        assert!(g.insert(t("doc", "d", "viewer", "user", "b")));
        assert!(Eval::new(&m, &g, &Default::default()).check("doc", "d", "viewer", "user", "b").0);
        assert!(g.remove(&t("doc", "d", "viewer", "user", "a")));
        assert!(!g.remove(&t("doc", "d", "viewer", "user", "a")));
        assert!(!Eval::new(&m, &g, &Default::default()).check("doc", "d", "viewer", "user", "a").0);
        assert_eq!(g.len(), 1);
        assert_eq!(g.of_target("user", "a").count(), 0);
        assert_eq!(g.of_object("doc", "d").count(), 1);
    }

    #[test]
    fn depth_bound_answers_false() {
        let m = dsl::parse("model AuthZ 1.0\ntype user\ntype f\n  relation parent: f\n  relation owner: user\n  permission own: owner | parent.own\n").unwrap();
        let mut tuples = vec![t("f", "0", "owner", "user", "root")];
        for i in 1..=40 {
            tuples.push(t("f", &i.to_string(), "parent", "f", &(i - 1).to_string()));
        }
        let g = Graph::new(tuples);
        let mut e = Eval::new(&m, &g, &Default::default());
        assert!(e.check("f", "10", "own", "user", "root").0);
        let mut e = Eval::new(&m, &g, &Default::default());
        let (ok, info) = e.check("f", "40", "own", "user", "root");
        assert!(!ok && info.depth_exceeded);
    }
}
