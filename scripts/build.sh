#!/usr/bin/env bash
# Build LateFuse: `bash scripts/build.sh [native|wasm|web|all]` (default all).
#   native: the core + GoogleTest suite + native tool (build/native)
#   wasm:   the ES6 WebAssembly module web/wasm/latefuse.{js,wasm} (build/wasm)
#   web:    the static site dist/ (Vite), which needs the wasm module
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
what="${1:-all}"
jobs="${LATEFUSE_JOBS:-$(nproc)}"

build_native() {
  cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build/native -j"$jobs"
}
build_wasm() {
  if [ ! -f build/wasm/CMakeCache.txt ]; then
    emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  cmake --build build/wasm -j"$jobs"
}
build_web() {
  npx vite build --config web/vite.config.js --logLevel warn
}

case "$what" in
  native) build_native ;;
  wasm) build_wasm ;;
  web) build_web ;;
  all) build_native; build_wasm; build_web ;;
  *) echo "usage: scripts/build.sh [native|wasm|web|all]" >&2; exit 2 ;;
esac
