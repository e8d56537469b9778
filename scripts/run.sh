#!/usr/bin/env bash
# Runs Ayllu. For now, the census demo on the command line: creates a data folder,
# registers a household with an 18-month-old child, records a visit, prints the household.
# Usage: bash scripts/run.sh [DATA_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
data="${1:-${AYLLU_DATA:-$HOME/ayllu-demo}}"
cargo build -q -p ayllu-cli
"$CARGO_TARGET_DIR/debug/ayllu" --data "$data" demo
echo "Datos en / data in: $data  —  try: $CARGO_TARGET_DIR/debug/ayllu --data $data household search chaska" >&2
