#!/usr/bin/env bash
# Runs every check and test. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
rustup component add rustfmt clippy >/dev/null 2>&1 || true

echo "== UI: types and build"
(cd ui && npm run --silent check && npm run --silent build)
echo "== format"
cargo fmt --all -- --check
echo "== lint"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== build (once: one feature set for everything below)"
bash scripts/build.sh
echo "== tests"
cargo test --workspace --locked
echo "== the real window (Xvfb + tauri-driver + WebKitWebDriver)"
bash tests/e2e/run.sh
echo "== the printable report (headless Chromium: PNG and A4 PDF)"
bash tests/report/render.sh
echo "== fuzzing what reads hostile bytes (60 s a target)"
bash scripts/fuzz.sh 60
