#!/usr/bin/env bash
# One phone and the hub over a 2G-like link: two network namespaces joined by a veth pair,
# each direction shaped to 64 kbit/s (tc tbf) with 3 % of packets dropped (nftables), and
# ~300 ms of round trip added by a userspace delay line in the hub's namespace (no netem on
# this kernel: `link-sync relay` holds every byte 150 ms each way). --cuts also takes the
# link down for 5 s every 30 s. Steps: upload N households, a fresh phone pulls
# them, 10 edited households; then a check that the hub and both phones hold exactly the
# same households, as saved. Prints a Markdown table (bytes from the qdiscs' counters).
# Usage: bash bench/link.sh [--households N] [--rate 64kbit] [--loss 3] [--rtt 300] [--cuts [--cut-every S]] [--bin DIR]
# Needs root (namespaces); without it, says so and skips.
set -euo pipefail
cd "$(dirname "$0")/.."
households=2000 rate=64kbit loss=3 rtt=300 cuts=0 every=30 bin=""
while [ $# -gt 0 ]; do
  case "$1" in
    --households) households=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --loss) loss=$2; shift 2 ;;
    --rtt) rtt=$2; shift 2 ;;
    --cuts) cuts=1; shift ;;
    --cut-every) every=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    --no-peer) peer=0; shift ;;
    *) echo "unknown argument $1"; exit 2 ;;
  esac
done
if [ -z "$bin" ]; then
  source scripts/env.sh
  cargo build --release -q -p ayllu-bench --bin link-sync
  bin="$CARGO_TARGET_DIR/release"
fi
# Names of this run only: two runs at once do not meet.
hub_ns=ayllu-2g-hub-$$ phone_ns=ayllu-2g-phone-$$ vh=vh$$ vp=vp$$
if ! ip netns add "$hub_ns" 2>/dev/null; then
  echo "link.sh: network namespaces cannot be made here (needs root and ip netns): skipped, nothing measured"
  exit 0
fi
work=$(mktemp -d)
hub_pid="" cuts_pid="" relays=""
cleanup() {
  [ -n "$cuts_pid" ] && kill "$cuts_pid" 2>/dev/null || true
  for r in $relays; do kill "$r" 2>/dev/null || true; done
  [ -n "$hub_pid" ] && kill "$hub_pid" 2>/dev/null || true
  [ -n "${peer_server:-}" ] && kill "$peer_server" 2>/dev/null || true
  ip netns del "$hub_ns" 2>/dev/null || true
  ip netns del "$phone_ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$phone_ns"
ip link add "$vh" type veth peer name "$vp"
ip link set "$vh" netns "$hub_ns"
ip link set "$vp" netns "$phone_ns"
ip -n "$hub_ns" addr add 10.77.0.1/24 dev "$vh"
ip -n "$phone_ns" addr add 10.77.0.2/24 dev "$vp"
for ns in "$hub_ns" "$phone_ns"; do ip -n "$ns" link set lo up; done
ip -n "$hub_ns" link set "$vh" up
ip -n "$phone_ns" link set "$vp" up
# Each direction: 64 kbit/s out of its side of the pair, and 3 % of what arrives dropped.
ip netns exec "$hub_ns" tc qdisc add dev "$vh" root tbf rate "$rate" burst 4kb latency 2000ms
ip netns exec "$phone_ns" tc qdisc add dev "$vp" root tbf rate "$rate" burst 4kb latency 2000ms
for ns in "$hub_ns" "$phone_ns"; do
  ip netns exec "$ns" nft add table inet shape
  ip netns exec "$ns" nft add chain inet shape in '{ type filter hook input priority 0; }'
  ip netns exec "$ns" nft add rule inet shape in iifname != lo numgen random mod 100 '<' "$loss" drop
done

"$bin/link-sync" prepare "$work" "$households"
ip netns exec "$hub_ns" "$bin/link-sync" serve "$work" 10.77.0.1:8470 >"$work/fp" &
hub_pid=$!
for _ in $(seq 100); do [ -s "$work/fp" ] && break; sleep 0.1; done
fp=$(cat "$work/fp")
# The phone reaches the hub through the delay line (its port + 1).
ip netns exec "$hub_ns" "$bin/link-sync" relay 10.77.0.1:8471 10.77.0.1:8470 $((rtt / 2)) >/dev/null &
relays="$relays $!"
sleep 0.3
if [ "$cuts" = 1 ]; then
  ( while true; do sleep $((every - 5)); ip -n "$phone_ns" link set "$vp" down; sleep 5; ip -n "$phone_ns" link set "$vp" up; done ) &
  cuts_pid=$!
fi
sent() { ip netns exec "$1" tc -s qdisc show dev "$2" | sed -n 's/.*Sent \([0-9]*\) bytes.*/\1/p' | head -1; }
echo "| step | seconds | bytes up | bytes down | line-rate floor | tries | exchanges |"
echo "|---|---|---|---|---|---|---|"
rate_bps=$(echo "$rate" | sed 's/kbit/000/; s/mbit/000000/')
for step in upload pull scoped edit verify; do
  up0=$(sent "$phone_ns" "$vp") down0=$(sent "$hub_ns" "$vh")
  out=$(ip netns exec "$phone_ns" "$bin/link-sync" "$step" "$work" https://10.77.0.1:8471 "$fp")
  up=$(( $(sent "$phone_ns" "$vp") - up0 )) down=$(( $(sent "$hub_ns" "$vh") - down0 ))
  python3 - "$out" "$step" "$up" "$down" "$rate_bps" <<'PY'
import json, sys
r = json.loads(sys.argv[1]); up, down, bps = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
floor = max(up, down) * 8 / bps
print(f"| {sys.argv[2]} | {r['seconds']:.1f} | {up/1000:.1f} KB | {down/1000:.1f} KB | {floor:.1f} s ({r['seconds']/max(floor,0.001):.2f}×) | {r['tries']} | {r['exchanges']} |")
PY
done
echo
echo "$households households, $rate each way, $loss % loss, $rtt ms added round trip$([ "$cuts" = 1 ] && echo ", link cut 5 s every $every s"); nothing lost or duplicated (verify)."

# The peer stack over the same link: express-pouchdb in the hub's namespace, PouchDB in the
# phone's, the same households and edits (bench/peer, as bench/run.sh runs it).
if [ "${peer:-1}" = 1 ] && command -v node >/dev/null && [ -d bench/peer/node_modules ]; then
  PEER_HOST=10.77.0.1 PEER_UNTIL_KILLED=1 ip netns exec "$hub_ns" node bench/peer/server.js >"$work/peer-port" </dev/null &
  peer_server=$!
  for _ in $(seq 100); do [ -s "$work/peer-port" ] && break; sleep 0.1; done
  port=$(sed -n 's/^port //p' "$work/peer-port")
  # Through a delay line of its own, like Ayllu's.
  ip netns exec "$hub_ns" "$bin/link-sync" relay "10.77.0.1:$((port + 1))" "10.77.0.1:$port" $((rtt / 2)) >/dev/null &
  relays="$relays $!"
  sleep 0.3
  port=$((port + 1))
  coproc PEER { ip netns exec "$phone_ns" node bench/peer/client.js "http://10.77.0.1:$port" "$work/households.json" "$work/edits.json"; }
  echo
  echo "| PouchDB step | seconds | bytes up | bytes down | line-rate floor | docs |"
  echo "|---|---|---|---|---|---|"
  up0=$(sent "$phone_ns" "$vp") down0=$(sent "$hub_ns" "$vh")
  echo >&"${PEER[1]}"
  for _ in 1 2 3; do
    read -r line <&"${PEER[0]}"
    up=$(( $(sent "$phone_ns" "$vp") - up0 )) down=$(( $(sent "$hub_ns" "$vh") - down0 ))
    python3 - "$line" "$up" "$down" "$rate_bps" <<'PY'
import json, sys
r = json.loads(sys.argv[1]); up, down, bps = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
floor = max(up, down) * 8 / bps
print(f"| {r['scenario']} | {r['ms']/1000:.1f} | {up/1000:.1f} KB | {down/1000:.1f} KB | {floor:.1f} s ({r['ms']/1000/max(floor,0.001):.2f}×) | {r['docs']} |")
PY
    up0=$(sent "$phone_ns" "$vp") down0=$(sent "$hub_ns" "$vh")
    echo >&"${PEER[1]}" || true
  done
  kill "$peer_server" 2>/dev/null || true
elif [ "${peer:-1}" = 1 ]; then
  echo "(the peer stack: skipped — needs node and bench/peer/node_modules: (cd bench/peer && npm ci))"
fi
