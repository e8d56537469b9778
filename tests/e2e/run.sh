#!/usr/bin/env bash
# The real-window end-to-end run: builds the UI and the app, starts Xvfb and tauri-driver,
# runs tests/e2e/app_e2e.py, and leaves the screenshots in docs/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/env.sh

(cd ui && npm run --silent build)
bash scripts/build.sh
export AYLLU_APP="$CARGO_TARGET_DIR/debug/ayllu-app"
export AYLLU_CLI="$CARGO_TARGET_DIR/debug/ayllu"
export SHOTS="${SHOTS:-docs/screenshots}"

display=":$((90 + RANDOM % 9))"
Xvfb "$display" -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
export DISPLAY="$display"
port=$((4500 + RANDOM % 400))
tauri-driver --port "$port" --native-port $((port + 1)) >/tmp/ayllu-tauri-driver.log 2>&1 &
driver=$!
trap 'kill $driver $xvfb 2>/dev/null || true' EXIT
export WEBDRIVER_URL="http://127.0.0.1:$port"
for _ in $(seq 50); do
  curl -fs "$WEBDRIVER_URL/status" >/dev/null 2>&1 && break
  sleep 0.2
done
python3 tests/e2e/app_e2e.py "$@"
