#!/usr/bin/env bash
# One command: the sync benchmark, Ayllu against PouchDB ↔ express-pouchdb.
# Usage: bash bench/run.sh [--households N] [--seed S]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
command -v node >/dev/null || { echo "Node.js is needed for the peer stack (apt-get install nodejs npm)"; exit 1; }
(cd bench/peer && npm ci --no-audit --no-fund --silent)
cargo build --release -q -p ayllu-bench
"$CARGO_TARGET_DIR/release/sync-bench" --peer bench/peer "$@"
