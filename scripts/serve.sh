#!/usr/bin/env bash
# README command 1: set up (apt + npm), build, and serve the app on http://127.0.0.1:8080/ with the
# built-in demo loaded. PORT=NNNN to change the port.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
bash scripts/build.sh wasm
bash scripts/build.sh web
exec node scripts/serve.js
