#!/usr/bin/env bash
# Runs every cargo-fuzz target (crate/fuzz) for $1 seconds each: 5 is the smoke run in
# `make test`, `make fuzz` runs 300 (FUZZ_SECONDS=...). An optional list of targets after the
# seconds runs only those. Crashes, timeouts (> 10 s for one input) and leaks fail the run; the
# input is saved under crate/fuzz/artifacts/<target>/ and each one becomes a regression test.
#
# cargo-fuzz needs unstable rustc flags (-Zsanitizer=address). The machine has the stable
# toolchain only, so the build runs on it with RUSTC_BOOTSTRAP=1, which lets stable rustc take
# those flags; stable's rust-std ships the AddressSanitizer runtime. Nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/../crate"
seconds=${1:-5}
shift || true
export RUSTC_BOOTSTRAP=1
targets=${*:-$(cargo fuzz list)}
echo "==> cargo fuzz build ($(rustc --version | cut -d' ' -f1-2) with RUSTC_BOOTSTRAP=1, sanitizer: address)"
cargo fuzz build --release >/dev/null 2>&1 || cargo fuzz build --release
for target in $targets; do
  printf '==> fuzz %-16s %ss\n' "$target" "$seconds"
  log=$(mktemp /tmp/keysmith-fuzz-log.XXXXXX)
  # New inputs go to a scratch corpus; the committed seeds are read-only input.
  scratch=$(mktemp -d /tmp/keysmith-fuzz-corpus.XXXXXX)
  if ! cargo fuzz run --release "$target" "$scratch" "fuzz/corpus/$target" -- \
      -max_total_time="$seconds" -timeout=10 -print_final_stats=1 >"$log" 2>&1; then
    tail -40 "$log" >&2
    echo "fuzz: target $target FAILED (artifact under crate/fuzz/artifacts/$target/)" >&2
    rm -rf "$scratch" "$log"
    exit 1
  fi
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done)' "$log" || true
  grep -E 'INITED|cov:' "$log" | tail -1 || true
  rm -rf "$log" "$scratch"
done
