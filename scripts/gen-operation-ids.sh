#!/usr/bin/env bash
# Regenerates src/api/operation_ids.tsv (method, path, operationId of every Descope operation)
# from the vendored operation list tests/it/data/operations.tsv. The server embeds the result
# to name operations in the request log and in fault rules; tests/it/supported.rs checks that
# the two files agree.
set -euo pipefail
cd "$(dirname "$0")/.."
{
  printf 'method\tpath\toperationId\tgroup\n'
  tail -n +2 tests/it/data/operations.tsv | awk -F'\t' '{print $1 "\t" $2 "\t" $3 "\t" $7}' | LC_ALL=C sort -t$'\t' -k2,2 -k1,1
} > src/api/operation_ids.tsv
