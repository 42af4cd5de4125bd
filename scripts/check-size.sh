#!/usr/bin/env bash
# Size budgets, checked on every `make test` (a size is deterministic, unlike a timing).
#  - signing-only core (what the foundation issue budgets): 110 KB gzipped
#  - shipped core with provider calls: 142 KB gzipped. 120 KB covered STS/IAM CreateAccessKey
#    (117 KB); issue 4's IAM, STS and EC2 calls, the retry loop and the XML well-formedness
#    pass measured 139.9 KB, so the budget is that plus about 2 KB.
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
check build/pkg/keysmith_core_bg.wasm 142 "shipped core"
exit $status
