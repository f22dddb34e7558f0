#!/usr/bin/env bash
# Check the GitHub Pages workflow (.github/workflows/pages.yml) before it reaches GitHub:
#   1. lint it against the workflow schema (@action-validator/cli from npm, pinned);
#   2. clone the committed HEAD into a fresh directory and run the workflow's `run:` commands there,
#      in the workflow's order (apt installs included; `sudo` dropped when already root), so a step
#      that needs something the workflow does not install fails here as it would on the runner.
# `uses:` steps (checkout, setup-node, Pages upload/deploy) are GitHub's and are skipped.
# Slow (a clean WASM build, then the browser tests): not part of scripts/test.sh.
# Usage: bash scripts/check-pages-workflow.sh [--lint-only] [--stop-before TEXT] [--keep]
#   --stop-before TEXT: stop at the first step whose name contains TEXT (e.g. "End-to-end")
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
workflow=.github/workflows/pages.yml
lint_only=false
keep=false
stop_before=""
while [ $# -gt 0 ]; do
  case "$1" in
    --lint-only) lint_only=true ;;
    --keep) keep=true ;;
    --stop-before) stop_before=${2:?--stop-before needs the text of a step name}; shift ;;
    *) echo "usage: bash scripts/check-pages-workflow.sh [--lint-only] [--stop-before TEXT] [--keep]" >&2; exit 2 ;;
  esac
  shift
done

echo "== lint $workflow"
npx --yes @action-validator/cli@0.6.0 "$workflow"
echo "lint: ok"
$lint_only && exit 0

clone=$(mktemp -d /tmp/latefuse-pages-XXXXXX)
$keep || trap 'rm -rf "$clone"' EXIT
git clone --quiet --no-hardlinks . "$clone"
echo "== clean clone of $(git rev-parse --short HEAD) in $clone"
sudo_prefix=""
[ "$(id -u)" -eq 0 ] || sudo_prefix="sudo "

steps=$(mktemp)
node scripts/pages-workflow-steps.js "$workflow" > "$steps"
n=0
while IFS= read -r -d '' record || [ -n "$record" ]; do
  n=$((n + 1))
  name=${record%%$'\n'*}
  script=${record#*$'\n'}
  if [ -n "$stop_before" ] && [[ "$name" == *"$stop_before"* ]]; then echo "== stopping before step $n: $name"; break; fi
  echo "== step $n: $name"
  if [[ "$script" == "# uses "* ]]; then echo "$script"; continue; fi
  [ -n "$sudo_prefix" ] || script=${script//sudo /}
  (cd "$clone" && CI=true bash -euo pipefail -c "$script") || { echo "step $n ($name) failed"; exit 1; }
done < "$steps"
rm -f "$steps"
echo "== the steps of $workflow run passed on a clean clone"
