#!/usr/bin/env bash
# Builds the core for the browser: cargo (wasm32) -> wasm-bindgen (--target web) -> wasm-opt.
# Output: build/pkg/keysmith_core.{js,d.ts} and keysmith_core_bg.wasm (optimised).
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=build/pkg
WASM=target/wasm32-unknown-unknown/release/keysmith_core.wasm

echo "==> cargo build (wasm32-unknown-unknown, release)"
cargo build --quiet --target wasm32-unknown-unknown --release -p keysmith-core

echo "==> wasm-bindgen --target web"
rm -rf "$OUT.tmp" && mkdir -p "$OUT.tmp"
wasm-bindgen --target web --out-dir "$OUT.tmp" --out-name keysmith_core "$WASM"

echo "==> wasm-opt -Oz (npm binaryen)"
node_modules/.bin/wasm-opt -Oz \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-reference-types --enable-multivalue --enable-mutable-globals \
  "$OUT.tmp/keysmith_core_bg.wasm" -o "$OUT.tmp/keysmith_core_bg.opt.wasm"
mv "$OUT.tmp/keysmith_core_bg.opt.wasm" "$OUT.tmp/keysmith_core_bg.wasm"
rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"

raw=$(stat -c %s "$OUT/keysmith_core_bg.wasm")
gz=$(gzip -9 -c "$OUT/keysmith_core_bg.wasm" | wc -c)
echo "core wasm: ${raw} bytes raw, ${gz} bytes gzipped (-9)"
