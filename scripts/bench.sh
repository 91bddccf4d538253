#!/usr/bin/env bash
# The side-by-side benchmark: descope-emulator against the Firebase Auth Emulator (issue 6).
#
#   bash scripts/bench.sh              # 5 runs; writes docs/PERFORMANCE.md
#   RUNS=7 bash scripts/bench.sh       # more runs
#   QUICK=1 bash scripts/bench.sh      # a 1-run smoke test of the harness with small sizes;
#                                      # writes target/bench/PERFORMANCE-quick.md, not docs/
#   bash scripts/bench.sh --no-firebase  # ours alone; any other flag goes to the bench binary
#                                        # (target/release/bench --help)
#
#   1. builds the release binaries: the emulator and the load client `bench` (src/bin/bench.rs)
#   2. installs the pinned firebase-tools in benches/firebase/ (`npm ci`, skipped while
#      node_modules matches package-lock.json)
#   3. runs target/release/bench: every run starts both emulators fresh on loopback and drives
#      each workload against one, then the other, alternating who goes first; the figures go
#      between the bench markers of docs/PERFORMANCE.md (the rest of that file is kept), the raw
#      per-run numbers to target/bench/results.json and the servers' logs to target/bench/
#   4. runs target/release/bench_fga: FGA check p50/p99 over 100,000 relations, in-process, and
#      benches/fga_http.py: the same over HTTP against the release emulator (printed only)
#
# Needs: the Rust toolchain, Node 20+ with npm. The Firebase Auth Emulator is plain Node (no
# Java). Without npm, or if the install fails, it measures descope-emulator alone and the
# report says why. A full run takes about 2 minutes per run on 2 cores; run it on an otherwise
# idle machine.
set -euo pipefail

cd "$(dirname "$0")/.." || exit 2
RUNS=${RUNS:-5}
FIREBASE_DIR=benches/firebase

# The emulator reads DESCOPE_EMULATOR_*; a stray value would change what is measured.
for var in $(compgen -v DESCOPE_EMULATOR_); do
  unset "$var"
done
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"

echo "== building (release)"
cargo build --release --locked --bin descope-emulator --bin bench --bin bench_fga

args=(--runs "$RUNS" --firebase-dir "$FIREBASE_DIR" --command "bash scripts/bench.sh")
if [[ -n "${QUICK:-}" ]]; then
  args=(--runs 1 --quick --firebase-dir "$FIREBASE_DIR" --command "QUICK=1 bash scripts/bench.sh")
  out=target/bench/PERFORMANCE-quick.md
else
  out=docs/PERFORMANCE.md
fi

skip_firebase=""
for a in "$@"; do
  [[ "$a" == "--no-firebase" ]] && skip_firebase=1
done
if [[ -z "$skip_firebase" ]]; then
  echo "== installing firebase-tools in $FIREBASE_DIR"
  if ! command -v npm >/dev/null 2>&1; then
    args+=(--no-firebase --no-firebase-reason "npm is not installed on this machine")
  elif [[ -x "$FIREBASE_DIR/node_modules/.bin/firebase" \
        && "$FIREBASE_DIR/node_modules/.package-lock.json" -nt "$FIREBASE_DIR/package-lock.json" ]]; then
    echo "   node_modules is up to date"
  elif ! (cd "$FIREBASE_DIR" && npm ci --no-audit --no-fund --loglevel=error); then
    args+=(--no-firebase --no-firebase-reason "\`npm ci\` of firebase-tools failed on this machine")
  fi
fi

mkdir -p target/bench
echo "== running the benchmark"
target/release/bench "${args[@]}" --out "$out" --json target/bench/results.json "$@"
echo "== FGA check latency (in-process; see docs/PERFORMANCE.md, FGA check)"
target/release/bench_fga
echo "== FGA check latency over HTTP"
python3 benches/fga_http.py target/release/descope-emulator
