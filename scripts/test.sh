#!/usr/bin/env bash
# README command 2: set up (apt + npm), build everything, run every suite — GoogleTest (ctest),
# Vitest in Node (the WASM module), browser tests (headless Chromium), lint (eslint, clang-format) —
# and end with one line "N passed, N failed, N skipped" over all of them. Exit status is non-zero if
# anything failed; a skipped test is counted, never hidden (a missing prerequisite fails instead).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
set +e

mkdir -p build
status=0
bash scripts/build.sh native || status=1
bash scripts/build.sh wasm || status=1
bash scripts/build.sh web || status=1
if [ $status -ne 0 ]; then echo "build failed"; echo "0 passed, 1 failed, 0 skipped"; exit 1; fi

total_pass=0
total_fail=0
total_skip=0
summary=()
# count LABEL PASSED FAILED SKIPPED: one suite's figures into the summary and the totals.
count() {
  summary+=("$1: $2 passed, $3 failed, $4 skipped")
  total_pass=$((total_pass + $2)); total_fail=$((total_fail + $3)); total_skip=$((total_skip + $4))
}

# 1. GoogleTest through ctest (one ctest test per GoogleTest case).
ctest --test-dir build/native --output-on-failure -j"$(nproc)" 2>&1 | tee build/ctest.log
line=$(grep -E "tests passed, [0-9]+ tests? failed out of [0-9]+" build/ctest.log | tail -1)
if [ -n "$line" ]; then
  ctotal=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
  cfail=$(sed -E 's/.*tests passed, ([0-9]+) tests? failed.*/\1/' <<<"$line")
else
  ctotal=0; cfail=1
fi
# ctest counts a GTEST_SKIP as passed and lists it under "The following tests did not run".
cskip=$(grep -cE '\(Skipped\)$' build/ctest.log || true)
cpass=$((ctotal - cfail - cskip))
count "ctest (GoogleTest, native)" "$cpass" "$cfail" "$cskip"

# 2 and 3. Vitest suites: the WASM module in Node, then the built site in headless Chromium.
run_vitest() {
  local label=$1 config=$2 report=$3
  rm -f "$report"
  npx vitest run --config "$config" --reporter=default --reporter=json --outputFile.json="$report"
  if [ -f "$report" ]; then
    read -r p f k < <(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));const bad=r.testResults.filter(t=>t.status==="failed"&&t.assertionResults.length===0).length;console.log(r.numPassedTests, r.numFailedTests+bad, r.numPendingTests+r.numTodoTests)' "$report")
  else
    p=0; f=1; k=0
  fi
  count "$label" "$p" "$f" "$k"
}
run_vitest "vitest (WASM in Node)" tests/js/vitest.config.js build/vitest-node.json
run_vitest "browser (headless Chromium)" tests/e2e/vitest.config.js build/vitest-e2e.json


# 4. Lint: eslint, the web/lib type check and the clang-format check, one check each.
npx eslint . && lint_js=0 || lint_js=1
count "eslint" $((1 - lint_js)) "$lint_js" 0
npx tsc -p jsconfig.json && lint_ts=0 || lint_ts=1
count "tsc (web/lib checkJs)" $((1 - lint_ts)) "$lint_ts" 0
bash scripts/clang-format-check.sh && lint_cpp=0 || lint_cpp=1
count "clang-format" $((1 - lint_cpp)) "$lint_cpp" 0

echo
echo "Test summary"
for s in "${summary[@]}"; do echo "  $s"; done
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
