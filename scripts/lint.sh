#!/usr/bin/env bash
# `npm run lint`: eslint over the hand-written JS (eslint.config.js), the type check of the JSDoc of
# web/lib and web/app (tsc with jsconfig.json: checkJs, no output), then the C++ layout check
# (scripts/clang-format-check.sh). Exit status non-zero if any fails.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
status=0
npx eslint . && echo "eslint: no problems" || status=1
npx tsc -p jsconfig.json && echo "tsc (web/lib and web/app, checkJs): no problems" || status=1
bash scripts/clang-format-check.sh || status=1
exit $status
