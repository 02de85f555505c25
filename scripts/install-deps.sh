#!/usr/bin/env bash
# Installs everything ErrorShield needs on a fresh Debian bookworm machine (run as root).
# LLVM/Clang 22 comes from the security suite already in bookworm's apt sources; Boost 1.81 is
# libboost1.81-dev (the default libboost-dev is 1.74, too old for Beast's current API).
set -euo pipefail

PACKAGES=(
  clang-22 clang-tidy-22 clangd-22 libclang-22-dev llvm-22-dev llvm-22-tools
  cmake ninja-build ccache python3 python3-jsonschema
  libboost1.81-dev nlohmann-json3-dev
  libyaml-cpp-dev graphviz git python3-yaml
  chromium
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
