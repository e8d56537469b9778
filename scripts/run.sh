#!/usr/bin/env bash
# Launches the Ayllu app (installing its system packages and UI dependencies if missing).
# Data lives in the app's own folder unless AYLLU_DATA names another.
# Usage: bash scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
(cd ui && npm run --silent build)
bash scripts/build.sh -q
exec "$CARGO_TARGET_DIR/debug/ayllu-app"
