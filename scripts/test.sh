#!/usr/bin/env bash
# Runs every check and test. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
# Each step says how long it took (docs/benchmarks.md keeps the totals).
step() { echo "== $* (at ${SECONDS} s)"; }

step "UI: types and build"
(cd ui && npm run --silent check && npm run --silent build)
step "format"
cargo fmt --all -- --check
step "vendor/automerge is crates.io's 0.12.0 plus our one patch"
bash scripts/check-vendor.sh
step "build and lint (once: one feature set for everything below; clippy -D warnings)"
bash scripts/build.sh
step "tests"
cargo test --workspace --locked
step "the device keystore (GNOME Keyring on a private D-Bus session)"
bash scripts/keystore-test.sh
step "phones at once: 40, then 200, against one hub (short form; bench/ has the full one)"
"$CARGO_TARGET_DIR/debug/phones-at-once" --phones 40 --households 5
"$CARGO_TARGET_DIR/debug/phones-at-once" --phones 200 --households 5
step "a 2G-like link (64 kbit/s, 3 % loss; then cut 5 s in every 10; short form of bench/link.sh)"
(cd bench/peer && npm ci --no-audit --no-fund --silent)  # the peer stack, side by side
bash bench/link.sh --households 40 --bin "$CARGO_TARGET_DIR/debug"
bash bench/link.sh --households 60 --cuts --cut-every 10 --no-peer --bin "$CARGO_TARGET_DIR/debug"
step "the real window (Xvfb + tauri-driver + WebKitWebDriver)"
bash tests/e2e/run.sh
step "the printable report (headless Chromium: PNG and A4 PDF)"
bash tests/report/render.sh
# Long runs are by hand (`bash scripts/fuzz.sh 600`); CI replays the corpus and fuzzes a little.
step "fuzzing what reads hostile bytes (15 s a target)"
bash scripts/fuzz.sh 15
step "done"
