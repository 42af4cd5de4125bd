#!/usr/bin/env bash
# Supply-chain gate (issue #9, item 8), part of `make test`:
#   1. cargo deny: licences, bans and sources of the Rust core's graph (deny.toml); offline.
#   2. the lockfiles are committed and current (cargo refuses to change Cargo.lock).
#   3. npm audit of the runtime npm dependencies, when the registry answers: high or critical
#      advisories fail; an unreachable registry is reported and does not fail the build.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> cargo deny check licenses bans sources (offline)"
cargo deny --offline --log-level error check --hide-inclusion-graph licenses bans sources

echo "==> lockfiles committed and current"
for lock in Cargo.lock package-lock.json crate/fuzz/Cargo.lock; do
  if ! git ls-files --error-unmatch "$lock" >/dev/null 2>&1; then
    echo "supply-chain: $lock is not committed" >&2
    exit 1
  fi
done
cargo metadata --locked --offline --format-version 1 >/dev/null
node -e '
  const lock = require("./package-lock.json"), pkg = require("./package.json");
  const root = lock.packages[""];
  for (const field of ["dependencies", "devDependencies"]) {
    if (JSON.stringify(root[field] ?? {}) !== JSON.stringify(pkg[field] ?? {})) {
      console.error(`supply-chain: package-lock.json is stale (${field}); run npm install`);
      process.exit(1);
    }
  }
  const runtime = Object.keys(pkg.dependencies ?? {});
  console.log(`npm runtime dependencies: ${runtime.length === 0 ? "none (the extension bundles only its own code)" : runtime.join(", ")}`);
'

echo "==> npm audit --omit=dev"
set +e
report=$(timeout 60 npm audit --omit=dev --json 2>/dev/null)
set -e
if ! grep -q '"auditReportVersion"' <<<"$report"; then
  echo "supply-chain: npm audit SKIPPED, the registry did not answer" >&2
  exit 0
fi
node -e '
  const report = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const v = report.metadata.vulnerabilities;
  console.log(`npm audit (runtime): ${v.critical} critical, ${v.high} high, ${v.moderate} moderate, ${v.low} low`);
  if (v.critical + v.high > 0) {
    for (const [name, info] of Object.entries(report.vulnerabilities)) {
      console.error(`  ${name}: ${info.severity} ${JSON.stringify(info.via.map((x) => x.title ?? x))}`);
    }
    process.exit(1);
  }
' <<<"$report"
