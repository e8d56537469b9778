#!/usr/bin/env bash
# The device-keystore test needs a Secret Service: a private D-Bus session with GNOME
# Keyring unlocked by a throwaway password (its keyring lives in a temporary HOME).
# Run by scripts/test.sh; by hand: bash scripts/keystore-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
if [ -z "${AYLLU_IN_KEYRING_SESSION:-}" ]; then
  export AYLLU_IN_KEYRING_SESSION=1
  exec dbus-run-session -- bash "$0" "$@"
fi
keyring_home=$(mktemp -d)
trap 'kill "${keyring_pid:-0}" 2>/dev/null || true; rm -rf "$keyring_home"' EXIT
export XDG_DATA_HOME="$keyring_home/data" XDG_RUNTIME_DIR="$keyring_home/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
# --unlock reads the new login keyring's password from stdin; --foreground keeps its pid.
printf 'ayllu-test-keyring' | gnome-keyring-daemon --foreground --unlock --components=secrets >"$keyring_home/log" 2>&1 &
keyring_pid=$!
# Ready when it owns the Secret Service's name on this session's bus (10 s at most).
owned() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"
}
for _ in $(seq 100); do owned && break; sleep 0.1; done
owned || { echo "GNOME Keyring did not start:"; cat "$keyring_home/log"; exit 1; }
# The same feature set as the main test run (no rebuild): only this test matches.
cargo test --workspace --locked keystore -- --ignored
