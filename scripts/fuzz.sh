#!/usr/bin/env bash
# Fuzzes what reads hostile bytes, each target for a bounded time (default 60 s):
#   sync_message  our bounded reader of Automerge sync messages, then Automerge itself
#   hub_request   the hub's request handler over an in-memory store
#   wire          request/response framing (zlib, postcard)
#   bundle        a bundle's contents read into a hub store as from an enrolled phone
#   csv_import    a census spreadsheet
# cargo-fuzz (libFuzzer, coverage-guided) on the stable toolchain, without a sanitizer
# (those need nightly; the code is `unsafe`-free, so what is sought is panics, aborts,
# runaway memory and time). Seeds, including the attacks of the trust issue's table, come
# from tests/bin/fuzz_seeds.rs. A finding stops the run with exit ≠ 0 and leaves the input
# in fuzz/artifacts/<target>/: make it a regression test.
#   bash scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
secs="${1:-60}"
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --version 0.13.2 --locked
bash scripts/build.sh -q
"$CARGO_TARGET_DIR/debug/fuzz-seeds" fuzz/corpus
# Instrumented builds live apart from the project's (other flags: a shared directory would
# rebuild everything twice).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR}-fuzz"
# cargo-fuzz sets its own flags; the project's lint wrapper is not for instrumented builds.
unset RUSTC_WORKSPACE_WRAPPER RUSTFLAGS
cd fuzz
cargo fuzz build -s none
for target in sync_message hub_request wire bundle csv_import; do
  echo "== fuzz $target (${secs} s)"
  cargo fuzz run -s none "$target" "corpus/$target" -- \
    -max_total_time="$secs" -rss_limit_mb=1024 -timeout=10 -print_final_stats=1 2>&1 |
    grep -E "^(Done|stat::number_of_executed_units|stat::peak_rss_mb)|ERROR|panicked|deadly|SUMMARY" || true
  # libFuzzer exits non-zero on a finding; the pipe above hides it, the artifacts do not.
  if compgen -G "artifacts/$target/*" >/dev/null; then
    echo "fuzz $target: finding(s) in fuzz/artifacts/$target" >&2
    exit 1
  fi
done
echo "fuzz: no finding"
