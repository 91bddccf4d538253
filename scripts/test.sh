#!/usr/bin/env bash
# The project's one test command: `bash scripts/test.sh` from anywhere in the repo.
#
#   1. Rust: cargo fmt --check, cargo clippy -D warnings, the Dockerfile check
#      (scripts/check-dockerfile.sh), cargo test                      (skipped with SKIP_RUST=1)
#   2. builds the emulator binary
#   3. installs the SDK suites: a Python venv in target/sdk-venv (reused while its
#      requirements are unchanged) and `npm ci` in tests/sdk/node; for the browser suite,
#      Chromium (Debian package `chromium`) and `npm ci` in tests/browser
#   4. starts the emulator on a free loopback port with an in-memory database, and runs the
#      official Descope SDKs against it: pytest (tests/sdk/python), node --test (tests/sdk/node)
#      then the browser suite (tests/browser): puppeteer-core drives the system's headless
#      Chromium against the same emulator (installed with apt-get when missing and we are root;
#      with no Chromium the step FAILS when CI=true and is SKIPPED elsewhere)
#   5. stops the emulator; runs the robustness suite (tests/robustness: fuzzing of every built
#      operation, kill -9 durability on a database file, 64 parallel projects, HTTP-layer limits),
#      which starts emulators of its own from the same binary
#   6. prints a summary, exits non-zero if any step failed
#
# Needs: the Rust toolchain, python3 (3.9+) with venv and pip, node 20+ with npm; Chromium (or
# root and apt-get, to install it).
# Logs of the emulator and the runners are kept in target/sdk-logs/ (the robustness suite's
# emulators and fuzz findings in target/sdk-logs/robustness/, the browser suite's screenshots in
# target/sdk-logs/browser/).
# Environment: SKIP_RUST=1 skips step 1; PYTHON picks the interpreter for the venv (default python3);
# CHROMIUM_PATH picks the browser (default: `chromium` on PATH); CI=true makes a missing Chromium a failure.

# Functions run through step() look unreachable to shellcheck.
# shellcheck disable=SC2317
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
VENV="$ROOT/target/sdk-venv"
LOGS="$ROOT/target/sdk-logs"
PY_DIR="$ROOT/tests/sdk/python"
NODE_DIR="$ROOT/tests/sdk/node"
BROWSER_DIR="$ROOT/tests/browser"
BIN="$ROOT/target/debug/descope-emulator"
PYTHON=${PYTHON:-python3}
RUNNER_TIMEOUT=${RUNNER_TIMEOUT:-900}

mkdir -p "$LOGS"

# The SDKs read these; a stray value would point them elsewhere (DESCOPE_PUBLIC_KEY would even
# stop the key fetch), and the emulator reads its own DESCOPE_EMULATOR_* settings.
for var in $(compgen -v DESCOPE_); do
  unset "$var"
done
# Never send loopback traffic through a proxy (httpx honours *_proxy variables).
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"
export no_proxy="$NO_PROXY"
export PYTHONDONTWRITEBYTECODE=1

STEPS=()     # "name|PASS" or "name|FAIL (...)" or "name|SKIP (...)"
FAILED=0
EMU_PID=""

section() { printf '\n==> %s\n' "$*"; }

record() { # name rc [note]
  if [ "$2" -eq 0 ]; then
    STEPS+=("$1|PASS")
  else
    STEPS+=("$1|FAIL (exit $2)${3:+ $3}")
    FAILED=1
  fi
}

skip() { STEPS+=("$1|SKIP ($2)"); }

step() { # name command...: runs the command with no stdin and records its result
  local name=$1 rc
  shift
  section "$name: $*"
  "$@" </dev/null
  rc=$?
  record "$name" "$rc"
  return "$rc"
}

stop_emulator() {
  if [ -n "$EMU_PID" ] && kill -0 "$EMU_PID" 2>/dev/null; then
    kill "$EMU_PID" 2>/dev/null
    for _ in $(seq 1 50); do
      kill -0 "$EMU_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$EMU_PID" 2>/dev/null
    wait "$EMU_PID" 2>/dev/null
  fi
  EMU_PID=""
}
trap stop_emulator EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- 1. Rust
CARGO_TEST_LOG="$LOGS/cargo-test.log"
rm -f "$CARGO_TEST_LOG"
if [ "${SKIP_RUST:-0}" = "1" ]; then
  skip "cargo fmt" "SKIP_RUST=1"
  skip "cargo clippy" "SKIP_RUST=1"
  skip "dockerfile" "SKIP_RUST=1"
  skip "cargo test" "SKIP_RUST=1"
else
  step "cargo fmt" cargo fmt --all --check
  step "cargo clippy" cargo clippy --all-targets --locked -- -D warnings
  # No container engine in CI: the Dockerfile's context and caching stage, checked as a script
  # (reuses the dependencies clippy just checked).
  step "dockerfile" bash scripts/check-dockerfile.sh
  section "cargo test: cargo test --locked"
  cargo test --locked </dev/null 2>&1 | tee "$CARGO_TEST_LOG"
  record "cargo test" "${PIPESTATUS[0]}"
fi

# ---------------------------------------------------------------- 2. build
BUILD_OK=0
step "cargo build" cargo build --locked --bin descope-emulator && BUILD_OK=1

# ---------------------------------------------------------------- 3. SDK suites' dependencies
PY_OK=0
setup_python() {
  if ! "$VENV/bin/python" -c 'import sys' 2>/dev/null; then
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV" || return 1
  fi
  local stamp="$VENV/.sdk-requirements.sha256" want
  want=$(cat "$PY_DIR/requirements.txt" "$PY_DIR/requirements-nodeps.txt" | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "reusing $VENV (requirements unchanged)"
    return 0
  fi
  local pip=("$VENV/bin/python" -m pip --disable-pip-version-check --no-input)
  "${pip[@]}" install -q -r "$PY_DIR/requirements.txt" || return 1
  # descope's metadata asks for a certifi newer than the registry serves: see requirements.txt.
  "${pip[@]}" install -q --no-deps -r "$PY_DIR/requirements-nodeps.txt" || return 1
  "$VENV/bin/python" -m pip --disable-pip-version-check freeze --all | sed "s/^/  /"
  echo "$want" >"$stamp"
}
step "python venv" setup_python && PY_OK=1

NODE_OK=0
# shellcheck disable=SC2016 # $1 is for the inner shell
step "npm ci" bash -c 'cd "$1" && npm ci --no-audit --no-fund' _ "$NODE_DIR" && NODE_OK=1

# The browser suite's Chromium: $CHROMIUM_PATH, or one on PATH, or Debian's package installed
# now (as root; the package lists are refreshed only if the install fails without).
find_chromium() {
  if [ -n "${CHROMIUM_PATH:-}" ]; then
    [ -x "$CHROMIUM_PATH" ] && echo "$CHROMIUM_PATH"
    return
  fi
  command -v chromium || command -v chromium-browser || command -v google-chrome-stable || command -v google-chrome
}
install_chromium() {
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium)
  "${apt[@]}" && return 0
  echo "apt-get install failed; refreshing the package lists and trying again" >&2
  env DEBIAN_FRONTEND=noninteractive apt-get update -q && "${apt[@]}"
}
setup_chromium() {
  local found
  found=$(find_chromium)
  if [ -z "$found" ] && [ -z "${CHROMIUM_PATH:-}" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    section "chromium: apt-get install -y --no-install-recommends chromium"
    install_chromium
    found=$(find_chromium)
  fi
  if [ -z "$found" ]; then
    echo "no Chromium: install the Debian package chromium (as root) or set CHROMIUM_PATH" >&2
    return 1
  fi
  export CHROMIUM_PATH=$found
  echo "Chromium: $CHROMIUM_PATH ($("$CHROMIUM_PATH" --version 2>/dev/null | head -n 1))"
}
CHROMIUM_OK=0
BROWSER_NODE_OK=0
BROWSER_SKIP=""
section "chromium: the browser suite's browser"
setup_chromium </dev/null && CHROMIUM_OK=1
if [ "$CHROMIUM_OK" = 1 ]; then
  record "chromium" 0
  # shellcheck disable=SC2016 # $1 is for the inner shell
  step "npm ci (browser)" bash -c 'cd "$1" && npm ci --no-audit --no-fund' _ "$BROWSER_DIR" && BROWSER_NODE_OK=1
elif [ "${CI:-}" = "true" ]; then
  record "chromium" 1 "(no Chromium and CI=true)"
else
  BROWSER_SKIP="no Chromium; as root: apt-get install chromium"
  skip "chromium" "$BROWSER_SKIP"
fi

# ---------------------------------------------------------------- 4. emulator + SDK tests
EMU_OUT="$LOGS/emulator.stdout.log"
EMU_ERR="$LOGS/emulator.stderr.log"
EMU_OK=0
start_emulator() {
  : >"$EMU_OUT"
  : >"$EMU_ERR"
  "$BIN" --listen 127.0.0.1:0 --database sqlite::memory: >"$EMU_OUT" 2>"$EMU_ERR" </dev/null &
  EMU_PID=$!
  local line="" _
  for _ in $(seq 1 600); do # up to 60 s
    line=$(grep -m1 -o 'descope-emulator listening on http://[^[:space:]]*' "$EMU_OUT" 2>/dev/null)
    [ -n "$line" ] && break
    if ! kill -0 "$EMU_PID" 2>/dev/null; then
      wait "$EMU_PID"
      echo "the emulator exited (status $?) before it printed its address" >&2
      EMU_PID=""
      break
    fi
    sleep 0.1
  done
  if [ -z "$line" ]; then
    echo "no 'descope-emulator listening on http://HOST:PORT' line on the emulator's stdout" >&2
    tail -n 30 "$EMU_OUT" "$EMU_ERR" >&2
    return 1
  fi
  local port=${line##*:}
  port=${port%%/*}
  case $port in '' | *[!0-9]*)
    echo "cannot read the port from: $line" >&2
    return 1
    ;;
  esac
  export DESCOPE_EMULATOR_URL="http://127.0.0.1:$port"
  echo "$line (pid $EMU_PID); DESCOPE_EMULATOR_URL=$DESCOPE_EMULATOR_URL"
}

PYTEST_LOG="$LOGS/pytest.log"
NODE_LOG="$LOGS/node-test.log"
BROWSER_LOG="$LOGS/browser-test.log"
rm -f "$PYTEST_LOG" "$NODE_LOG" "$BROWSER_LOG"
rm -rf "$LOGS/browser"
if [ "$BUILD_OK" = 1 ]; then
  step "start emulator" start_emulator && EMU_OK=1
else
  skip "start emulator" "the build failed"
fi

if [ "$EMU_OK" = 1 ] && [ "$PY_OK" = 1 ]; then
  section "python SDK tests: pytest tests/sdk/python"
  (cd "$PY_DIR" && timeout "$RUNNER_TIMEOUT" "$VENV/bin/python" -m pytest) </dev/null 2>&1 | tee "$PYTEST_LOG"
  rc=${PIPESTATUS[0]}
  [ "$rc" -eq 124 ] && note="(timed out after ${RUNNER_TIMEOUT}s)" || note=""
  record "python SDK tests" "$rc" "$note"
else
  skip "python SDK tests" "no emulator or no venv"
fi

if [ "$EMU_OK" = 1 ] && [ "$NODE_OK" = 1 ]; then
  # One file at a time: a test that moves the emulator's (process-wide) clock must not overlap others.
  section "node SDK tests: node --test --test-concurrency=1 tests/sdk/node/test/"
  (cd "$NODE_DIR" && timeout "$RUNNER_TIMEOUT" node --test --test-concurrency=1 test/) </dev/null 2>&1 | tee "$NODE_LOG"
  rc=${PIPESTATUS[0]}
  [ "$rc" -eq 124 ] && note="(timed out after ${RUNNER_TIMEOUT}s)" || note=""
  record "node SDK tests" "$rc" "$note"
else
  skip "node SDK tests" "no emulator or no node_modules"
fi

if [ -n "$BROWSER_SKIP" ]; then
  skip "browser" "$BROWSER_SKIP"
elif [ "$EMU_OK" = 1 ] && [ "$BROWSER_NODE_OK" = 1 ]; then
  # Screenshots in target/sdk-logs/browser/.
  section "browser tests: node --test --test-concurrency=1 tests/browser/test/"
  (cd "$BROWSER_DIR" && BROWSER_ARTIFACTS="$LOGS/browser" timeout "$RUNNER_TIMEOUT" \
    node --test --test-concurrency=1 test/) </dev/null 2>&1 | tee "$BROWSER_LOG"
  rc=${PIPESTATUS[0]}
  [ "$rc" -eq 124 ] && note="(timed out after ${RUNNER_TIMEOUT}s)" || note=""
  record "browser" "$rc" "$note"
elif [ "$CHROMIUM_OK" = 1 ]; then
  skip "browser" "no emulator or no node_modules"
else
  skip "browser" "no Chromium"
fi

if [ "$EMU_OK" = 1 ] && ! kill -0 "$EMU_PID" 2>/dev/null; then
  echo "the emulator died during the SDK and browser tests; last lines of its logs:" >&2
  tail -n 30 "$EMU_OUT" "$EMU_ERR" >&2
  record "emulator stayed up" 1
fi
stop_emulator

# ---------------------------------------------------------------- 5. robustness suite
ROBUSTNESS_LOG="$LOGS/robustness.log"
rm -f "$ROBUSTNESS_LOG"
if [ "$BUILD_OK" = 1 ] && [ "$PY_OK" = 1 ]; then
  section "robustness: pytest tests/robustness"
  (cd "$ROOT/tests/robustness" && ROBUSTNESS_BIN="$BIN" ROBUSTNESS_LOG_DIR="$LOGS/robustness" \
    timeout "$RUNNER_TIMEOUT" "$VENV/bin/python" -m pytest) </dev/null 2>&1 | tee "$ROBUSTNESS_LOG"
  rc=${PIPESTATUS[0]}
  [ "$rc" -eq 124 ] && note="(timed out after ${RUNNER_TIMEOUT}s)" || note=""
  record "robustness" "$rc" "$note"
else
  skip "robustness" "no build or no venv"
fi

# ---------------------------------------------------------------- 6. summary
count() { # file extended-regex-with-one-number-group... sums the first number of each match
  [ -f "$1" ] || { echo 0; return; }
  grep -oE "$2" "$1" | grep -oE '[0-9]+' | head -n 1000 | awk '{s+=$1} END {print s+0}'
}
# cargo: "test result: ok. 12 passed; 0 failed; ..."
cargo_pass=$(count "$CARGO_TEST_LOG" '[0-9]+ passed;')
cargo_fail=$(count "$CARGO_TEST_LOG" '[0-9]+ failed;')
# pytest's last line: "==== 28 passed, 1 failed, 2 errors in 3.1s ===="
pytest_counts() { # log: prints "passed failed"
  local last pass fail
  last=$(grep -E '^=+ .* in [0-9.]+s' "$1" 2>/dev/null | tail -n 1)
  pass=$(echo "$last" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || true)
  fail=$(echo "$last" | grep -oE '[0-9]+ (failed|errors?)' | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
  echo "${pass:-0} ${fail:-0}"
}
read -r py_pass py_fail <<<"$(pytest_counts "$PYTEST_LOG")"
read -r rob_pass rob_fail <<<"$(pytest_counts "$ROBUSTNESS_LOG")"
# node --test: "# pass 20" (TAP, when not on a terminal) or "ℹ pass 20" (spec reporter)
node_pass=$(count "$NODE_LOG" '^(# |ℹ )pass [0-9]+')
node_fail=$(( $(count "$NODE_LOG" '^(# |ℹ )fail [0-9]+') + $(count "$NODE_LOG" '^(# |ℹ )cancelled [0-9]+') ))
browser_pass=$(count "$BROWSER_LOG" '^(# |ℹ )pass [0-9]+')
browser_fail=$(( $(count "$BROWSER_LOG" '^(# |ℹ )fail [0-9]+') + $(count "$BROWSER_LOG" '^(# |ℹ )cancelled [0-9]+') ))

section "summary"
for s in "${STEPS[@]}"; do
  printf '  %-20s %s\n' "${s%%|*}" "${s#*|}"
done
if [ -f "$CARGO_TEST_LOG" ]; then
  printf '  %-20s %s passed, %s failed\n' "tests: cargo" "$cargo_pass" "$cargo_fail"
fi
printf '  %-20s %s passed, %s failed\n' "tests: python SDK" "$py_pass" "$py_fail"
printf '  %-20s %s passed, %s failed\n' "tests: node SDK" "$node_pass" "$node_fail"
printf '  %-20s %s passed, %s failed\n' "tests: browser" "$browser_pass" "$browser_fail"
printf '  %-20s %s passed, %s failed\n' "tests: robustness" "$rob_pass" "$rob_fail"
echo "  logs: ${LOGS#"$ROOT"/}/"
total_pass=$((cargo_pass + py_pass + node_pass + browser_pass + rob_pass))
total_fail=$((cargo_fail + py_fail + node_fail + browser_fail + rob_fail))
echo
echo "total: $total_pass passed, $total_fail failed"
if [ "$FAILED" -ne 0 ]; then
  echo "RESULT: FAILED"
  exit 1
fi
echo "RESULT: OK"
exit 0
