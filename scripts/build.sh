#!/usr/bin/env bash
# Builds the whole workspace once, in its one feature set: every library, binary, test
# and bench with the features all of them together ask for. The tests, the real-window
# run, the report render and scripts/run.sh all use these artifacts, so nothing is
# compiled twice with different features (that cost 36 minutes on a cold CI).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
# Our own crates are rebuilt for every clone (a new path, new artifact names): what earlier
# clones left is removed after a day, or the shared directory fills the disk.
find "$CARGO_TARGET_DIR/debug/deps" "$CARGO_TARGET_DIR/debug/.fingerprint" -maxdepth 1 \
  -name '*ayllu*' -mmin +1440 -exec rm -rf {} + 2>/dev/null || true
cargo build --workspace --all-targets --locked "$@"
