#!/usr/bin/env bash
# Installs what building and testing Keysmith needs, idempotently: each step checks first and
# does nothing when its tool is already there at the right version.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '==> %s\n' "$*"; }

# Debian's Chromium and its matching driver (one apt call, so their versions agree). No test
# tool may download a browser of its own here.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  step "installing chromium and chromium-driver (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver >/dev/null
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    step "adding rustup component $component"
    rustup component add "$component"
  fi
done

# The CLI must match the wasm-bindgen crate exactly ("schema versions must exactly match").
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  step "installing wasm-bindgen-cli $want (was: ${have:-none}; takes ~5 minutes on 2 cores)"
  # Not --locked: the registry here lacks a crate version that the CLI's own lockfile pins.
  cargo install wasm-bindgen-cli --version "$want"
fi

# cargo-fuzz, for the fuzz targets in crate/fuzz (scripts/fuzz.sh runs them on the stable
# toolchain with RUSTC_BOOTSTRAP=1; no nightly needed).
if [ "$(cargo fuzz --version 2>/dev/null | awk '{print $2}')" != "0.13.2" ]; then
  step "installing cargo-fuzz 0.13.2 (about 75 s on 2 cores)"
  cargo install --locked cargo-fuzz --version 0.13.2 --quiet
fi

# cargo-deny, for the supply-chain gate (scripts/supply-chain.sh, deny.toml). Pinned; building
# it took 5.4 minutes on the 2-core development machine while other builds ran.
if [ "$(cargo deny --version 2>/dev/null | awk '{print $2}')" != "0.20.2" ]; then
  step "installing cargo-deny 0.20.2 (about 5 minutes on 2 cores)"
  cargo install --locked cargo-deny --version 0.20.2 --quiet
fi

# npm dev dependencies (typescript, esbuild, binaryen's wasm-opt, playwright-core, ...).
if [ ! -f node_modules/.keysmith-stamp ] || [ package-lock.json -nt node_modules/.keysmith-stamp ]; then
  step "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules/.keysmith-stamp
fi

# moto, the AWS emulator the end-to-end tests and the demo run against.
if [ ! -f .venv/.keysmith-stamp ] || [ tests/requirements.txt -nt .venv/.keysmith-stamp ]; then
  step "python venv with moto (tests/requirements.txt)"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r tests/requirements.txt
  touch .venv/.keysmith-stamp
fi
