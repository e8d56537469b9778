#!/usr/bin/env bash
# A facility-sized run on loopback, each side its own process: the hub (`link-sync serve`),
# phone A uploading N households, phone B pulling them all, phone C (one community, a
# quarter of the census up to 500 households) pulling its part, 10 edits, then a check that
# the hub and both phones hold exactly A's households. Per step: seconds, exchanges and the
# phone's peak RSS; then the hub's peak RSS and the stores' size per household.
# Requests carry the app's default budget (1 MB of messages), not the 2G link's 64 KB.
# Usage: bash bench/facility.sh [--households N] [--bin DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
households=10000 bin=""
while [ $# -gt 0 ]; do
  case "$1" in
    --households) households=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    *) echo "unknown argument $1"; exit 2 ;;
  esac
done
if [ -z "$bin" ]; then
  source scripts/env.sh
  cargo build --release -q -p ayllu-bench --bin link-sync
  bin="$CARGO_TARGET_DIR/release"
fi
work=$(mktemp -d)
hub_pid=""
cleanup() {
  [ -n "$hub_pid" ] && kill "$hub_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
"$bin/link-sync" prepare "$work" "$households"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin/link-sync" serve "$work" "127.0.0.1:$port" >"$work/fp" &
hub_pid=$!
for _ in $(seq 100); do [ -s "$work/fp" ] && break; sleep 0.1; done
fp=$(cat "$work/fp")
echo "| step | seconds | exchanges | phone peak RSS |"
echo "|---|---|---|---|"
for step in upload pull scoped edit verify; do
  out=$(AYLLU_BENCH_BUDGET=1048576 "$bin/link-sync" "$step" "$work" "https://127.0.0.1:$port" "$fp")
  python3 - "$out" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
print(f"| {r['step']} | {r['seconds']:.2f} | {r['exchanges']} | {r['peak_rss_kb']/1024:.0f} MB |")
PY
done
hub_rss=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$hub_pid/status")
kill "$hub_pid"; wait "$hub_pid" 2>/dev/null || true; hub_pid=""
"$bin/link-sync" close "$work"
size() { du -cb "$work/$1".sqlite3* | tail -1 | cut -f1; }
python3 - "$households" "$hub_rss" "$(size hub)" "$(size b)" "$(size c)" <<'PY'
import sys
n, rss, hub, b, c = (int(x) for x in sys.argv[1:])
scoped = min(n // 4, 500)
print()
print(f"{n} households; hub peak RSS {rss/1024:.0f} MB; store per household: hub {hub/n/1000:.1f} KB, "
      f"phone B {b/n/1000:.1f} KB, phone C {c/scoped/1000:.1f} KB ({scoped} households); "
      "nothing lost or duplicated (verify).")
PY
