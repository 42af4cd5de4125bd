#!/usr/bin/env bash
# Runs every cargo-fuzz target for $1 seconds each (default 5: the smoke run in `make test`;
# `make fuzz` runs them for 5 minutes each). Crashes are saved under crate/fuzz/artifacts/ and
# fail the run; each one found becomes a regression test.
set -euo pipefail
cd "$(dirname "$0")/../crate"
seconds=${1:-5}
if ! rustup toolchain list | grep -q '^nightly'; then
  echo "fuzz: SKIPPED, no nightly toolchain on this machine (cargo fuzz needs one)" >&2
  exit 0
fi
targets=$(cargo +nightly fuzz list)
echo "==> cargo fuzz build (nightly, sanitizer: address)"
cargo +nightly fuzz build --release >/dev/null
for target in $targets; do
  printf '==> fuzz %-16s %ss\n' "$target" "$seconds"
  log=$(mktemp)
  # New inputs go to a scratch corpus; the committed seeds are read-only input.
  scratch=$(mktemp -d)
  if ! cargo +nightly fuzz run --release "$target" "$scratch" "fuzz/corpus/$target" -- -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
    tail -40 "$log" >&2
    echo "fuzz: target $target FAILED (artifact under crate/fuzz/artifacts/$target/)" >&2
    exit 1
  fi
  grep -E '^(stat::number_of_executed_units|Done)' "$log" || true
  rm -rf "$log" "$scratch"
done
