#!/usr/bin/env bash
# Checks the Dockerfile without a container engine (CI has none): every path it COPYs from
# the build context exists and is not excluded by .dockerignore, and its dependency-caching
# stage (stub sources against the real Cargo.toml and Cargo.lock) compiles. Reuses target/
# for the dependencies, so it takes seconds after the project's own build.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
fail() { echo "check-dockerfile: $*" >&2; exit 1; }

# 1. COPY sources (not --from=) exist in the context.
while read -r src; do
  [ -e "$ROOT/$src" ] || fail "COPY names $src, which is not in the repository"
  while read -r pattern; do
    case "$pattern" in '' | '#'*) continue ;; esac
    case "$src" in $pattern | $pattern/*) fail "COPY names $src, which .dockerignore excludes ($pattern)" ;; esac
  done <.dockerignore
done < <(grep -E '^COPY ' Dockerfile | grep -v -- '--from=' | awk '{for (i = 2; i < NF; i++) print $i}')

# 2. The caching stage: the stubs the Dockerfile writes, built against the real manifests.
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp Cargo.toml Cargo.lock "$stage/"
run=$(grep -A8 '^COPY Cargo.toml Cargo.lock' Dockerfile | sed -n '/^RUN /,/rm -rf src/p')
stubs=$(grep -oE "(mkdir -p [^ ]+|> src/[a-z/]+\.rs|touch src/[a-z/]+\.rs)" <<<"$run")
# The stage's own cargo arguments, checked instead of built (no --release: same manifests).
read -r -a cargo_args <<<"$(grep -oE 'cargo build [^&\\]*' <<<"$run" | head -n 1 | sed 's/^cargo build//; s/--release//')"
(
  cd "$stage"
  while read -r step; do
    case "$step" in
      mkdir*) mkdir -p "${step#mkdir -p }" ;;
      ">"*) echo 'fn main() {}' >"${step#> }" ;;
      touch*) touch "${step#touch }" ;;
    esac
  done <<<"$stubs"
  CARGO_TARGET_DIR="$ROOT/target" cargo check --quiet "${cargo_args[@]}"
) || fail "the dependency-caching stage does not build against Cargo.toml"
echo "check-dockerfile: ok"
