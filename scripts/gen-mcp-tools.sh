#!/usr/bin/env bash
# Regenerates src/api/mcp/tools.json, the /mcp tool catalogue, from Descope's OpenAPI document
# (../shared/openapi/descope-openapi.json beside the repository) and the list of the hosted
# management MCP server's 165 tools (tests/it/data/mcp_tools.tsv). The generator is the test
# tests/it/mcp_catalogue.rs, which fails while the committed file is out of date.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f ../shared/openapi/descope-openapi.json ]; then
  echo "../shared/openapi/descope-openapi.json not found" >&2
  exit 1
fi
UPDATE_MCP_TOOLS=1 cargo test --locked --test it mcp_catalogue_is_generated -- --quiet
echo "src/api/mcp/tools.json regenerated"
