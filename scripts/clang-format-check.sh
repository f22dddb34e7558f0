#!/usr/bin/env bash
# The C++ layout check of `npm run lint`: clang-format (.clang-format at the root) over cpp/,
# tests/cpp and tests/tools. Prints how many lines of which files it would change and fails if any.
#   bash scripts/clang-format-check.sh         check
#   bash scripts/clang-format-check.sh --fix   rewrite the files in place
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v clang-format >/dev/null || { echo "clang-format is missing: apt-get install clang-format" >&2; exit 1; }
mapfile -t files < <(git ls-files 'cpp/*.cpp' 'cpp/*.hpp' 'tests/cpp/*.cpp' 'tests/cpp/*.hpp' 'tests/tools/*.cpp' 'tests/tools/*.hpp')
if [ "${1:-}" = "--fix" ]; then
  clang-format -i --style=file "${files[@]}"
  echo "clang-format: rewrote ${#files[@]} files"
  exit 0
fi
changed=0
bad=0
for f in "${files[@]}"; do
  n=$(clang-format --style=file "$f" | diff "$f" - | grep -c '^<' || true)
  if [ "$n" -gt 0 ]; then
    echo "  $f: $n lines"
    changed=$((changed + n)); bad=$((bad + 1))
  fi
done
if [ "$bad" -gt 0 ]; then
  echo "clang-format: $changed lines in $bad of ${#files[@]} files differ; run bash scripts/clang-format-check.sh --fix" >&2
  exit 1
fi
echo "clang-format: ${#files[@]} files formatted"
