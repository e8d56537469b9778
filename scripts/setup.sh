#!/usr/bin/env bash
# Installs what building, running and testing Ayllu needs on a fresh Debian machine:
# compilers, the WebKitGTK libraries Tauri links, Xvfb and WebKitWebDriver for the
# real-window tests, Rust, Node packages for ui/, tauri-driver and selenium.
# Quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
pkgs=(build-essential pkg-config curl file libwebkit2gtk-4.1-dev libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev xvfb xauth webkit2gtk-driver chromium
  gnome-keyring dbus-daemon dbus-bin iproute2 nftables)
# (GNOME Keyring on a private D-Bus session: the device-keystore test, scripts/keystore-test.sh;
#  iproute2 and nftables: the 2G-like link between network namespaces, bench/link.sh.)
# (chromium renders the printable report to PNG and PDF in the tests.)
# Node may come from elsewhere than apt (nvm, a tarball); then apt's is not needed.
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || pkgs+=(nodejs npm)
need_apt=()
for pkg in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends ca-certificates "${need_apt[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  else
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c rustfmt,clippy
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
fi

# The build lints as it compiles (scripts/env.sh): clippy and rustfmt are part of it.
rustup component add rustfmt clippy >/dev/null 2>&1 || true

# UI dependencies, exactly as locked.
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi

# The real-window test tools.
if ! command -v tauri-driver >/dev/null 2>&1; then
  cargo install tauri-driver --version 2.1.0 --locked
fi
if ! python3 -c "import selenium" >/dev/null 2>&1; then
  python3 -m pip install --quiet "selenium==4.51.0" 2>/dev/null ||
    python3 -m pip install --quiet --break-system-packages "selenium==4.51.0"
fi
