#!/usr/bin/env bash
# One command: the sync benchmark, Ayllu against PouchDB ↔ express-pouchdb.
# Usage: bash bench/run.sh [--households N] [--seed S]
#        bash bench/run.sh --field   every field-conditions run of issue #15 (loopback at 2,000
#        and 10,000 against the peer, a facility of 10,000 in separate processes, the 2G-like
#        link with and without cuts, 40 and 200 phones at once, 100 crash rounds), then
#        docs/benchmarks.md's generated section and docs/charts/*.svg (about 45 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
command -v node >/dev/null || { echo "Node.js is needed for the peer stack (apt-get install nodejs npm)"; exit 1; }
(cd bench/peer && npm ci --no-audit --no-fund --silent)
cargo build --release -q -p ayllu-bench
bin="$CARGO_TARGET_DIR/release"
if [ "${1:-}" != "--field" ]; then
  exec "$bin/sync-bench" --peer bench/peer "$@"
fi
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
echo "$(date -u +%Y-%m-%d), $(nproc) cores, commit $(git rev-parse --short HEAD)" >"$results/meta.txt"
run() { echo "== $1" >&2; shift; "$@"; }
run "loopback, 2,000" "$bin/sync-bench" --peer bench/peer --households 2000 >"$results/loopback-2000.md"
run "loopback, 10,000" "$bin/sync-bench" --peer bench/peer --households 10000 >"$results/loopback-10000.md"
run "facility, 10,000" bash bench/facility.sh --households 10000 --bin "$bin" >"$results/facility-10000.md"
run "2G-like link" bash bench/link.sh --households 2000 --bin "$bin" >"$results/link-2000.md"
run "2G-like link with cuts" bash bench/link.sh --households 2000 --cuts --no-peer --bin "$bin" >"$results/link-2000-cuts.md"
run "40 phones" "$bin/phones-at-once" --phones 40 --households 50 >"$results/phones-40.txt"
run "200 phones" "$bin/phones-at-once" --phones 200 --households 10 >"$results/phones-200.txt"
run "crash loop" bash bench/crash-loop.sh 100 2>&1 | grep '^crash loop' >"$results/crash-loop.txt"
python3 bench/field_report.py "$results" docs
echo "docs/benchmarks.md and docs/charts/ written" >&2
