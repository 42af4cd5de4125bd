# Keysmith: the two commands are `make run` (the demo against local emulators) and
# `make test` (every gate). Both install what is missing first (scripts/setup.sh).

SHELL := /bin/bash
export CHROMEDRIVER ?= /usr/bin/chromedriver

.PHONY: setup wasm build run test lint fmt-check clippy typecheck test-native test-wasm test-js size fuzz fuzz-smoke supply-chain bench clean

setup:
	@bash scripts/setup.sh

wasm: setup
	@bash scripts/build-wasm.sh

# The shipped extension (dist/extension + zip) and the test build (dist/extension-test).
build: wasm
	@node extension/build.mjs
	@node extension/build.mjs --test-build

size: wasm
	@bash scripts/check-size.sh

run: build
	@node tests/demo/run.mjs

fmt-check: setup
	cargo fmt --all --check

clippy: setup
	cargo clippy --all-targets -- -D warnings
	cargo clippy --all-targets --target wasm32-unknown-unknown -- -D warnings

typecheck: wasm
	node_modules/.bin/tsc --noEmit -p extension

lint: fmt-check clippy typecheck

test-native: setup
	cargo test

test-wasm: setup
	cargo test --target wasm32-unknown-unknown

# The leak audit runs at every e2e browser's close; its report check runs after the whole suite.
test-js: build
	rm -rf test-results/leak-audit
	node --test tests/node/ tests/e2e/
	node tests/leak-audit-report.mjs

# Every fuzz target briefly (crashes fail the run); `make fuzz` for long runs (FUZZ_SECONDS
# per target, default 300; FUZZ_TARGETS to pick some). Runs on stable with RUSTC_BOOTSTRAP=1.
fuzz-smoke: setup
	@bash scripts/fuzz.sh 5

fuzz: setup
	@bash scripts/fuzz.sh $${FUZZ_SECONDS:-300} $${FUZZ_TARGETS:-}

# cargo deny (licences, bans, sources; offline), committed lockfiles, npm audit of runtime deps.
supply-chain: setup
	@bash scripts/supply-chain.sh

test: lint test-native test-wasm size supply-chain fuzz-smoke test-js

# Keysmith against its peers in headless Chromium (and natively); writes BENCHMARKS.md. Timings
# are noisy, so this is not part of `make test`. `node bench/run.mjs --quick` checks the harness.
bench: build
	@node bench/run.mjs

clean:
	rm -rf build dist test-results crate/fuzz/target crate/fuzz/artifacts
	cargo clean
