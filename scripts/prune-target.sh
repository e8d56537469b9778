#!/usr/bin/env bash
# Removes what earlier clones of this workspace left in the shared build directory.
# Every clone is a new path, so cargo names our crates' artifacts anew (a new hash) and the
# old ones (test binaries of ~250 MB each, the app library several times that) are never
# reused: left alone they filled the CI machine's disk. Dependencies are shared between
# clones and kept. Only our own crates' files untouched for an hour go: a build running in
# another checkout right now is not disturbed, and anything removed by mistake is rebuilt.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
target="$CARGO_TARGET_DIR/debug"
[ -d "$target" ] || exit 0
# The names cargo gives our packages and targets (hyphens become underscores in deps/).
mapfile -t names < <(cargo metadata --no-deps --format-version 1 --offline 2>/dev/null | python3 -c '
import json, sys
m = json.load(sys.stdin)
names = set()
for p in m["packages"]:
    names.add(p["name"])
    for t in p["targets"]:
        if t["name"] != "build-script-build":
            names.add(t["name"])
for n in sorted(names):
    print(n)
')
[ "${#names[@]}" -gt 0 ] || { echo "prune-target: no workspace metadata, nothing removed" >&2; exit 0; }
before=$(df -Pk "$target" | awk 'NR==2 {print $4}')
for n in "${names[@]}"; do
  u=${n//-/_}
  find "$target/deps" -maxdepth 1 \( -name "$u-*" -o -name "lib$u-*" \) -mmin +60 \
    -exec rm -rf {} + 2>/dev/null || true
  find "$target/.fingerprint" "$target/build" -maxdepth 1 -name "$n-*" -mmin +60 \
    -exec rm -rf {} + 2>/dev/null || true
done
after=$(df -Pk "$target" | awk 'NR==2 {print $4}')
echo "prune-target: $(( (after - before) / 1024 )) MB freed in $target"
