//! `SUPPORTED.md` (every Descope operation, built or not) and `src/api/operation_ids.tsv` (the
//! operation IDs the server embeds) are generated from the route tables and the vendored
//! operation list; these tests fail when a checked-in copy differs, so neither can drift.
//!
//! Regenerate both with `scripts/gen-supported.sh` (or
//! `UPDATE_SUPPORTED=1 cargo test --test it supported`).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use descope_emulator::api::descope_ops;
use descope_emulator::http::operations::normalize;

const OPERATIONS_TSV: &str = include_str!("data/operations.tsv");

struct SpecOp<'a> {
    method: &'a str,
    path: &'a str,
    id: &'a str,
    group: &'a str,
    summary: &'a str,
}

fn spec_ops() -> Vec<SpecOp<'static>> {
    OPERATIONS_TSV
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            SpecOp { method: f[0], path: f[1], id: f[2], group: f[6], summary: f[7] }
        })
        .collect()
}

/// The expected `src/api/operation_ids.tsv`.
fn operation_ids_tsv() -> String {
    let mut ops = spec_ops();
    ops.sort_by(|a, b| (a.path, a.method).cmp(&(b.path, b.method)));
    let mut out = String::from("method\tpath\toperationId\tgroup\n");
    for op in ops {
        let _ = writeln!(out, "{}\t{}\t{}\t{}", op.method, op.path, op.id, op.group);
    }
    out
}

/// A group name as a heading: `userManagement` → `User management`.
fn heading(group: &str) -> String {
    match group {
        "__NO_PUBLISH__" => return "Unpublished".into(),
        "OTP" | "NOTP" | "TOTP" | "SSO" | "SAML" | "OAuth" | "WebAuthn" | "FGA" => return group.into(),
        "fga" => return "FGA".into(),
        _ => {}
    }
    let mut out = String::new();
    for (i, c) in group.chars().enumerate() {
        if i == 0 {
            out.extend(c.to_uppercase());
        } else if c.is_uppercase() {
            out.push(' ');
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The expected `SUPPORTED.md`.
fn supported_md() -> String {
    let built: HashMap<String, bool> =
        descope_ops().iter().map(|op| (format!("{} {}", op.method, normalize(op.path)), op.built)).collect();
    let mut groups: BTreeMap<String, Vec<(SpecOp, bool)>> = BTreeMap::new();
    for op in spec_ops() {
        let is_built = built.get(&format!("{} {}", op.method, normalize(op.path))).copied().unwrap_or(false);
        groups.entry(heading(op.group)).or_default().push((op, is_built));
    }
    let total: usize = groups.values().map(Vec::len).sum();
    let done: usize = groups.values().flatten().filter(|(_, b)| *b).count();
    let mut out = String::new();
    out.push_str("# Supported Descope operations\n\n");
    out.push_str(
        "Generated from the emulator's route tables and Descope's operation list by\n\
         `scripts/gen-supported.sh`; a test fails when this file is out of date. Every operation is\n\
         routed: \"yes\" ones behave as Descope does, \"no\" ones answer 501 with a Descope error\n\
         body (`E011007`) naming the operation. `docs/COMPATIBILITY.md` lists where the emulator\n\
         guesses.\n\n",
    );
    let _ = writeln!(out, "**{done} of {total} operations built.**\n");
    out.push_str("| group | built | of |\n|---|---|---|\n");
    for (name, ops) in &groups {
        let n = ops.iter().filter(|(_, b)| *b).count();
        let _ = writeln!(out, "| [{name}](#{}) | {n} | {} |", anchor(name), ops.len());
    }
    for (name, mut ops) in groups {
        let _ = write!(
            out,
            "\n## {name}\n\n| operation | method | path | built | summary |\n|---|---|---|---|---|\n"
        );
        ops.sort_by(|a, b| (a.0.path, a.0.method).cmp(&(b.0.path, b.0.method)));
        for (op, is_built) in ops {
            let summary = if op.summary == "-" { "" } else { op.summary };
            let _ = writeln!(
                out,
                "| `{}` | {} | `{}` | {} | {} |",
                op.id,
                op.method,
                op.path,
                if is_built { "yes" } else { "no (501)" },
                summary.replace('|', "\\|")
            );
        }
    }
    out
}

/// GitHub's anchor of a heading.
fn anchor(heading: &str) -> String {
    heading.to_lowercase().replace(' ', "-")
}

/// Compares `path` (from the crate root) with `expected`, or writes it under `UPDATE_SUPPORTED`.
fn check(path: &str, expected: &str) {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("UPDATE_SUPPORTED").is_some() {
        std::fs::write(&full, expected).unwrap();
        return;
    }
    let actual = std::fs::read_to_string(&full).unwrap_or_default();
    assert!(
        actual == expected,
        "{path} is out of date: run scripts/gen-supported.sh (UPDATE_SUPPORTED=1 cargo test --test it supported)"
    );
}

#[test]
fn supported_md_is_up_to_date() {
    check("SUPPORTED.md", &supported_md());
}

#[test]
fn the_embedded_operation_ids_are_up_to_date() {
    check("src/api/operation_ids.tsv", &operation_ids_tsv());
}
