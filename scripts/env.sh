# Sourced by the scripts: one build directory outside the clone, reused between clones
# (CI clones afresh each run; a cold build of everything takes minutes).
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ayllu/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# Each clone is a new path, so incremental caches only pile up in the shared directory.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
# Lints run inside the one build (scripts/build.sh) instead of a separate `cargo clippy`,
# which re-checked every dependency from scratch (minutes on a cold machine): cargo runs
# the workspace's own crates through clippy-driver (dependencies through plain rustc, their
# lints capped by cargo), and any warning, rustc's or clippy's, stops the build.
if [ -z "${RUSTC_WORKSPACE_WRAPPER+x}" ]; then
  RUSTC_WORKSPACE_WRAPPER="$(rustup which clippy-driver 2>/dev/null || command -v clippy-driver || true)"
  export RUSTC_WORKSPACE_WRAPPER
fi
export RUSTFLAGS="${RUSTFLAGS:--D warnings}"
