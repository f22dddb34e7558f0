#!/usr/bin/env bash
# Install what LateFuse needs on a fresh Debian 12 machine (only apt and npm are used) and nothing
# that is already there. Sourced by serve.sh, test.sh and build.sh; safe to run again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

# Debian packages: compilers and build tools, Eigen, JSON, GoogleTest, Emscripten (3.1.6), Chromium
# for the browser tests, clang with libFuzzer and the sanitizer runtimes for the fuzz targets
# (tests/fuzz), and Node.js/npm only when no node is installed.
packages=(cmake g++ make emscripten libeigen3-dev nlohmann-json3-dev googletest libgtest-dev chromium python3
  clang clang-format libfuzzer-14-dev libclang-rt-14-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm dependencies exactly as locked.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
