#!/usr/bin/env bash
# The crash loop, full form: 100 rounds of kill -9 of the hub and of syncing phones during
# uploads, pulls and bundle reads (crates/ayllu-cli/tests/crash_loop.rs; the test run does
# 12). Usage: bash bench/crash-loop.sh [ROUNDS] (AYLLU_CRASH_SEED=N replays a run)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
AYLLU_CRASH_ROUNDS="${1:-100}" cargo test -p ayllu-cli --locked --test crash_loop -- --nocapture
