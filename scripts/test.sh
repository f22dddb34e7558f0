#!/usr/bin/env bash
# README command 2: set up (apt + npm), build everything, run every suite — GoogleTest (ctest),
# Vitest in Node (the WASM module), browser tests (headless Chromium), the GoogleTest suite again
# under ASan + UBSan, a short seeded fuzz run (LATEFUSE_FUZZ_SECONDS per target, default 20), lint
# (eslint, tsc, clang-format) — and end with one line "N passed, N failed, N skipped" over all of them. Exit status is non-zero if
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

# 4. The GoogleTest suite again under AddressSanitizer + UBSan (g++, its own build dir, -O1).
sanitized="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
if cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" \
     "-DCMAKE_CXX_FLAGS=$sanitized" >/dev/null && cmake --build build/asan -j"$(nproc)" --target latefuse_tests >/dev/null; then
  # allocator_may_return_null: a failed allocation returns null as malloc does outside ASan, so the
  # core's out-of-memory path (Eigen's bad_alloc -> a ModelError naming the size) is tested, not aborted.
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build/asan --output-on-failure -j"$(nproc)" 2>&1 | tee build/ctest-asan.log
  line=$(grep -E "tests passed, [0-9]+ tests? failed out of [0-9]+" build/ctest-asan.log | tail -1)
  if [ -n "$line" ]; then
    atotal=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
    afail=$(sed -E 's/.*tests passed, ([0-9]+) tests? failed.*/\1/' <<<"$line")
  else
    atotal=0; afail=1
  fi
else
  echo "ASan/UBSan build failed"; atotal=0; afail=1
fi
count "ctest (GoogleTest, ASan + UBSan)" "$((atotal - afail))" "$afail" 0

# 5. Fuzzing (tests/fuzz, docs/inputs.md): each libFuzzer target (clang, fuzzer + ASan + UBSan) for a
# short seeded run from its committed corpus, then the CLI mutation driver; one test per run.
fuzz_seconds="${LATEFUSE_FUZZ_SECONDS:-20}"
fuzz_pass=0; fuzz_fail=0
fuzz_targets=$(for f in tests/fuzz/fuzz_*.cpp; do basename "$f" .cpp; done)
if cmake -S . -B build/fuzz -DCMAKE_CXX_COMPILER=clang++ -DBUILD_TESTING=OFF -DLATEFUSE_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
     "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" \
     "-DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" >/dev/null &&
   cmake --build build/fuzz -j"$(nproc)" --target $fuzz_targets >/dev/null; then
  for target in tests/fuzz/fuzz_*.cpp; do
    name=$(basename "$target" .cpp)
    rm -rf "build/fuzz/found-$name"; mkdir -p "build/fuzz/found-$name"
    if (cd build/fuzz && "./$name" -seed=1 -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
          "found-$name" "../../tests/fuzz/corpus/$name" > "$name.log" 2>&1); then
      echo "fuzz $name: $(grep -E 'stat::number_of_executed_units' "build/fuzz/$name.log" | awk '{print $2}') runs, no finding"
      fuzz_pass=$((fuzz_pass + 1))
    else
      echo "fuzz $name: FINDING (build/fuzz/$name.log)"; tail -40 "build/fuzz/$name.log"
      fuzz_fail=$((fuzz_fail + 1))
    fi
  done
else
  echo "fuzz build failed"; fuzz_fail=$((fuzz_fail + 1))
fi
if node tests/fuzz/cli_mutate.mjs --seed 1 --seconds "$fuzz_seconds"; then fuzz_pass=$((fuzz_pass + 1)); else fuzz_fail=$((fuzz_fail + 1)); fi
count "fuzz (libFuzzer targets + CLI mutation, ${fuzz_seconds} s each)" "$fuzz_pass" "$fuzz_fail" 0

# 6. Lint: eslint, the web/lib type check and the clang-format check, one check each.
npx eslint . && lint_js=0 || lint_js=1
count "eslint" $((1 - lint_js)) "$lint_js" 0
npx tsc -p jsconfig.json && lint_ts=0 || lint_ts=1
count "tsc (web/lib and web/app checkJs)" $((1 - lint_ts)) "$lint_ts" 0
bash scripts/clang-format-check.sh && lint_cpp=0 || lint_cpp=1
count "clang-format" $((1 - lint_cpp)) "$lint_cpp" 0

echo
echo "Test summary"
for s in "${summary[@]}"; do echo "  $s"; done
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
