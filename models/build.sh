#!/usr/bin/env bash
# Rebuild the shipped models from their data with the `latefuse` command (run from the repository
# root after `npm run build`). Deterministic: the same LateFuse version and seeds give the same bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
latefuse() { node web/cli/latefuse.js "$@"; }

# hgsoc-synthetic: SYNTHETIC data shaped like the reference HGSOC study (for teaching only).
latefuse simulate --preset hgsoc --seed 2022 --out models/data/hgsoc-synthetic.csv > models/data/hgsoc-synthetic.summary.json
latefuse fuse --data models/data/hgsoc-synthetic.csv --id id --time time --event event \
  --modality 'radiomics=radiomics_*' --modality 'histopathology=histopathology_*' \
  --modality 'genomic=genomic_*' --modality 'clinical=clinical_*' \
  --test-fraction 0.3 --seed 2022 --bootstrap 1000 --permutations 1000 --time-unit months \
  --model-out models/hgsoc-synthetic.latefuse.json --report-out models/hgsoc-synthetic.report.json > /dev/null
