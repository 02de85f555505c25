#!/usr/bin/env bash
# Installs everything ErrorShield needs on a fresh Debian bookworm machine (run as root).
# LLVM/Clang 22 comes from the security suite already in bookworm's apt sources; Boost 1.81 is
# libboost1.81-dev (the default libboost-dev is 1.74, too old for Beast's current API).
set -euo pipefail

PACKAGES=(
  clang-22 clang-tidy-22 clangd-22 libclang-22-dev llvm-22-dev llvm-22-tools
  cmake ninja-build ccache python3 python3-jsonschema
  libboost1.81-dev nlohmann-json3-dev
  libyaml-cpp-dev graphviz git python3-yaml libhiredis-dev redis-server pkg-config
  chromium libclang-rt-22-dev
)

# Node.js runs the browser test client (playwright-core driving Debian's chromium). A machine may
# already have a newer Node.js with its own npm; Debian's nodejs + npm only when there is none.
command -v npm > /dev/null || PACKAGES+=(nodejs npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
else
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm packages of the test clients, at the versions their lock files pin.
BROWSER_TEST="$(dirname "$0")/../reference-server/tests/browser"
if [ ! -d "$BROWSER_TEST/node_modules/playwright-core" ]; then
  echo "install-deps: npm ci in reference-server/tests/browser"
  npm ci --prefix "$BROWSER_TEST" --no-audit --no-fund --loglevel=error
fi
