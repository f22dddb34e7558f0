#!/usr/bin/env bash
# README command 2: set up (apt + npm), build everything, run every suite — GoogleTest (ctest),
# Vitest in Node (the WASM module), browser tests (headless Chromium) — and end with one line
# "N passed, N failed" over all of them. Exit status is non-zero if anything failed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
set +e

mkdir -p build
status=0
bash scripts/build.sh native || status=1
bash scripts/build.sh wasm || status=1
bash scripts/build.sh web || status=1
if [ $status -ne 0 ]; then echo "build failed"; echo "0 passed, 1 failed"; exit 1; fi

total_pass=0
total_fail=0
summary=()

# 1. GoogleTest through ctest (one ctest test per GoogleTest case).
ctest --test-dir build/native --output-on-failure -j"$(nproc)" 2>&1 | tee build/ctest.log
line=$(grep -E "tests passed, [0-9]+ tests? failed out of [0-9]+" build/ctest.log | tail -1)
if [ -n "$line" ]; then
  ctotal=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
  cfail=$(sed -E 's/.*tests passed, ([0-9]+) tests? failed.*/\1/' <<<"$line")
else
  ctotal=0; cfail=1
fi
cpass=$((ctotal - cfail))
summary+=("ctest (GoogleTest, native): $cpass passed, $cfail failed")
total_pass=$((total_pass + cpass)); total_fail=$((total_fail + cfail))

# 2 and 3. Vitest suites: the WASM module in Node, then the built site in headless Chromium.
run_vitest() {
  local label=$1 config=$2 report=$3
  rm -f "$report"
  npx vitest run --config "$config" --reporter=default --reporter=json --outputFile.json="$report"
  if [ -f "$report" ]; then
    read -r p f < <(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));const bad=r.testResults.filter(t=>t.status==="failed"&&t.assertionResults.length===0).length;console.log(r.numPassedTests, r.numFailedTests+bad)' "$report")
  else
    p=0; f=1
  fi
  summary+=("$label: $p passed, $f failed")
  total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
}
run_vitest "vitest (WASM in Node)" tests/js/vitest.config.js build/vitest-node.json
run_vitest "browser (headless Chromium)" tests/e2e/vitest.config.js build/vitest-e2e.json

echo
echo "Test summary"
for s in "${summary[@]}"; do echo "  $s"; done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
