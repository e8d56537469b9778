#!/usr/bin/env bash
# Builds the whole workspace once, in its one feature set: every library, binary, test
# and bench with the features all of them together ask for. The tests, the real-window
# run, the report render and scripts/run.sh all use these artifacts, so nothing is
# compiled twice with different features (that cost 36 minutes on a cold CI).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/prune-target.sh
cargo build --workspace --all-targets --locked "$@"
