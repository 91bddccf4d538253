#!/usr/bin/env bash
# Regenerates SUPPORTED.md (every Descope operation, built or not) and
# src/api/operation_ids.tsv (the operation IDs the server embeds) from the route tables and
# the vendored operation list tests/it/data/operations.tsv. `cargo test` fails while either
# checked-in file is out of date (tests/it/supported.rs), so CI catches drift.
set -euo pipefail
cd "$(dirname "$0")/.."
UPDATE_SUPPORTED=1 cargo test --locked --test it supported -- --quiet
echo "SUPPORTED.md and src/api/operation_ids.tsv regenerated"
