#!/usr/bin/env bash
# Builds the core for the browser: cargo (wasm32) -> wasm-bindgen (--target web) -> wasm-opt.
#   build/pkg/         the core the extension ships (keysmith_core.{js,d.ts}, keysmith_core_bg.wasm)
#   build/pkg-signing/ the signing-only core (no provider calls), which the size budget measures
set -euo pipefail
cd "$(dirname "$0")/.."

# $1: output folder, $2: cargo target dir, rest: cargo feature flags
build_variant() {
  local out=$1 target_dir=$2
  shift 2
  cargo build --quiet --target wasm32-unknown-unknown --release -p keysmith-core \
    --target-dir "$target_dir" "$@"
  rm -rf "$out.tmp" && mkdir -p "$out.tmp"
  wasm-bindgen --target web --out-dir "$out.tmp" --out-name keysmith_core \
    "$target_dir/wasm32-unknown-unknown/release/keysmith_core.wasm"
  # Debian's binaryen (108) silently breaks modules from current wasm-bindgen; npm's is used.
  # --converge repeats -Oz until it stops shrinking the module: 0.6 KB gzipped off the shipped
  # core (issue 8), for a few extra seconds of build.
  node_modules/.bin/wasm-opt -Oz --converge \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-reference-types --enable-multivalue --enable-mutable-globals \
    "$out.tmp/keysmith_core_bg.wasm" -o "$out.tmp/keysmith_core_bg.opt.wasm"
  mv "$out.tmp/keysmith_core_bg.opt.wasm" "$out.tmp/keysmith_core_bg.wasm"
  rm -rf "$out" && mv "$out.tmp" "$out"
  local raw gz
  raw=$(stat -c %s "$out/keysmith_core_bg.wasm")
  gz=$(gzip -9 -c "$out/keysmith_core_bg.wasm" | wc -c)
  printf '    %-20s %7d bytes raw, %7d bytes gzipped (-9)\n' "$out" "$raw" "$gz"
}

echo "==> core wasm (cargo release -> wasm-bindgen --target web -> wasm-opt -Oz)"
build_variant build/pkg target
build_variant build/pkg-signing target/signing-only --no-default-features
