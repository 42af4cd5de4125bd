#!/usr/bin/env bash
# Size budgets, checked on every `make test` (a size is deterministic, unlike a timing).
#  - signing-only core (what the foundation issue budgets): 110 KB gzipped
#  - shipped core with provider calls (XML decoding, fetch, STS/IAM) and the vault: 215 KB gzipped
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
check() {
  local wasm=$1 budget_kb=$2 what=$3 gz limit
  gz=$(gzip -9 -c "$wasm" | wc -c)
  limit=$((budget_kb * 1000))
  if [ "$gz" -gt "$limit" ]; then
    echo "size budget EXCEEDED: $what is $gz bytes gzipped, budget $limit (${budget_kb} KB)" >&2
    status=1
  else
    echo "size budget ok: $what $gz bytes gzipped <= $limit (${budget_kb} KB)"
  fi
}
check build/pkg-signing/keysmith_core_bg.wasm 110 "signing-only core"
# vault in; reduction tracked separately (was 120 KB before the vault: ~207 KB now).
check build/pkg/keysmith_core_bg.wasm 215 "shipped core"
exit $status
