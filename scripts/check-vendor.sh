#!/usr/bin/env bash
# The fork, carried in the open: vendor/automerge must be crates.io's automerge 0.12.0
# (checked by its SHA-256) without its tests and examples, plus vendor/automerge.patch, and
# nothing else (vendor/automerge/PATCHED.md says why). A stray edit in vendor/, or an
# upgrade that forgot the patch, fails here.
#   bash scripts/check-vendor.sh
set -euo pipefail
cd "$(dirname "$0")/.."
crate=automerge-0.12.0.crate
sha=2fb849130973a7808a167887f56b1e8bdc36b9b541542602dcb337f34aecf47b
cache="${XDG_CACHE_HOME:-$HOME/.cache}/ayllu/$crate"
if ! echo "$sha  $cache" | sha256sum -c --quiet >/dev/null 2>&1; then
  mkdir -p "$(dirname "$cache")"
  curl -sSfL --retry 3 -o "$cache.part" "https://static.crates.io/crates/automerge/$crate"
  mv "$cache.part" "$cache"
fi
echo "$sha  $cache" | sha256sum -c --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar xzf "$cache" -C "$work"
pristine="$work/automerge-0.12.0"
rm -rf "$pristine/tests" "$pristine/examples" "$pristine/Cargo.lock" "$pristine/Cargo.toml.orig" \
  "$pristine/.cargo_vcs_info.json"
(cd "$pristine" && git apply -p1 "$OLDPWD/vendor/automerge.patch")
if ! diff -r --exclude=PATCHED.md "$pristine" vendor/automerge; then
  echo "vendor/automerge is not automerge 0.12.0 + vendor/automerge.patch (see the diff above)" >&2
  exit 1
fi
echo "vendor/automerge = automerge 0.12.0 (crates.io, sha256 ${sha:0:12}…) + vendor/automerge.patch"
