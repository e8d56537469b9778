# Sourced by the scripts: one build directory outside the clone, reused between clones
# (CI clones afresh each run; a cold build of everything takes minutes).
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ayllu/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
