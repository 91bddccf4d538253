//! `bench_fga`: FGA `check` latency over a 5-level folder hierarchy with 100,000 stored
//! relations (docs/PERFORMANCE.md, "FGA check"). `bash scripts/bench.sh` runs it after the
//! side-by-side benchmark; `target/release/bench_fga` runs it alone.
//!
//! In-process, over the domain function the HTTP handler calls (`fga::check_loaded` on the
//! scope's cached model and graph): what a `POST /v1/mgmt/fga/check` costs besides HTTP, JSON
//! and the one indexed read of the scope's revision token.

#![allow(clippy::print_stdout, reason = "a command-line tool that prints its report")]

use std::time::Instant;

use descope_emulator::domain::authz::engine::{Graph, Tuple};
use descope_emulator::domain::authz::fga::{self, Loaded, RelationRow};

const SCHEMA: &str = "model AuthZ 1.0
type user
type folder
  relation parent: folder
  relation owner: user
  relation editor: user
  relation viewer: user
  permission can_edit: editor | owner | parent.can_edit
  permission can_view: viewer | can_edit | parent.can_view
";

/// Trees of 5 levels with fan-out 8 (4,681 folders each).
const TREES: usize = 16;
const FANOUT: usize = 8;
const LEVELS: u32 = 5;
const TOTAL: usize = 100_000;
const CHECKS: usize = 20_000;

fn tuple(rt: &str, r: String, rel: &str, tt: &str, t: String) -> Tuple {
    Tuple { resource_type: rt.into(), resource: r, relation: rel.into(), target_type: tt.into(), target: t }
}

/// A small deterministic generator (xorshift), so every run builds the same graph.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn main() -> anyhow::Result<()> {
    let model = fga::parse_dsl(SCHEMA).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let mut tuples = Vec::with_capacity(TOTAL);
    let mut leaves = Vec::new();
    for tree in 0..TREES {
        tuples.push(tuple("folder", format!("t{tree}"), "owner", "user", format!("owner{tree}")));
        let mut level = vec![format!("t{tree}")];
        for _ in 1..LEVELS {
            let mut next = Vec::with_capacity(level.len() * FANOUT);
            for parent in &level {
                for i in 0..FANOUT {
                    let id = format!("{parent}.{i}");
                    tuples.push(tuple("folder", id.clone(), "parent", "folder", parent.clone()));
                    next.push(id);
                }
            }
            level = next;
        }
        leaves.extend(level);
    }
    let folders: Vec<String> = tuples.iter().map(|t| t.resource.clone()).collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    while tuples.len() < TOTAL {
        let f = folders[rng.below(folders.len())].clone();
        let rel = ["viewer", "editor"][rng.below(2)];
        tuples.push(tuple("folder", f, rel, "user", format!("u{}", rng.below(5_000))));
    }
    tuples.sort();
    tuples.dedup();
    let stored = tuples.len();
    let started = Instant::now();
    let loaded = Loaded::new(model, Graph::new(tuples.clone()));
    let build = started.elapsed();

    let mut times = Vec::with_capacity(CHECKS);
    let mut allowed = 0;
    let empty = serde_json::Map::new();
    for i in 0..CHECKS {
        let leaf = leaves[rng.below(leaves.len())].clone();
        let tree = leaf.split('.').next().unwrap_or("t0").trim_start_matches('t').to_owned();
        // half the checks are the owner of the tree (true, 5 hops up), half a random user
        let target = if i % 2 == 0 { format!("owner{tree}") } else { format!("u{}", rng.below(5_000)) };
        let q = RelationRow {
            resource_type: "folder".into(),
            resource: leaf,
            relation: "can_view".into(),
            target_type: "user".into(),
            target,
        };
        let t = Instant::now();
        let a = fga::check_loaded(&loaded, vec![q], &empty).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        times.push(t.elapsed());
        allowed += usize::from(a[0].allowed);
    }
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];

    // A tuple write applies its delta to the cached graph in place: the cost of that, per tuple.
    let mut graph = Graph::new(tuples);
    const WRITES: usize = 2_000;
    let started = Instant::now();
    for i in 0..WRITES {
        let t = tuple("folder", leaves[i % leaves.len()].clone(), "viewer", "user", format!("w{i}"));
        graph.insert(t.clone());
        graph.remove(&t);
    }
    let write = started.elapsed() / (2 * WRITES as u32);
    println!(
        "FGA check, 5-level folder hierarchy ({TREES} trees, fan-out {FANOUT}), {stored} stored relations"
    );
    println!(
        "  graph build (first check after a restart or schema change): {:.1} ms",
        build.as_secs_f64() * 1e3
    );
    println!("  tuple write applied to the cached graph: {:.1} µs per tuple", write.as_secs_f64() * 1e6);
    println!(
        "  check p50 {:.1} µs, p99 {:.1} µs over {CHECKS} checks ({allowed} allowed)",
        pct(0.50).as_secs_f64() * 1e6,
        pct(0.99).as_secs_f64() * 1e6
    );
    Ok(())
}
