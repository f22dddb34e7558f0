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

# rotterdam: real data (R survival's rotterdam), recurrence-free survival in days; externally
# validated on GBSG. Data preparation (RFS outcome, GBSG size bins, empty chemo): prepare-rotterdam.js.
node models/prepare-rotterdam.js > /dev/null
latefuse fuse --data models/data/rotterdam-rfs.csv --id pid --time rfs_time --event rfs_event \
  --modality pathology=size,grade,nodes --modality receptors=pgr,er --modality clinical=age,meno \
  --modality treatment=hormon,chemo --test-fraction 0.3 --seed 2024 --horizons 1096,1826,3652 --time-unit days \
  --feature-info models/data/rotterdam-features.csv \
  --model-out models/rotterdam.latefuse.json --report-out models/rotterdam.report.json > /dev/null
# Internal test split: the test patients of the report (scored by the saved model), for calibration.
latefuse score --model models/rotterdam.latefuse.json --data models/data/rotterdam-rfs.csv --id pid \
  --out models/data/rotterdam-predictions.csv > /dev/null
node models/join-outcome.js models/data/rotterdam-predictions.csv models/data/rotterdam-rfs.csv pid rfs_time rfs_event \
  models/data/rotterdam-test-predictions.csv models/rotterdam.report.json
rm models/data/rotterdam-predictions.csv
latefuse evaluate --data models/data/rotterdam-test-predictions.csv --time rfs_time --event rfs_event --score fused_lp \
  --bootstrap 1000 --permutations 0 --seed 2024 --tau 1826 --horizons 1096,1826 \
  --predicted-survival surv_1826 --calibration-horizon 1826 --calibration-groups 5 > models/rotterdam.test-validation.json
# External validation on GBSG.
latefuse score --model models/rotterdam.latefuse.json --data models/data/gbsg-validation.csv --id pid \
  --out models/data/gbsg-predictions.csv > models/rotterdam.gbsg-score.json
node models/join-outcome.js models/data/gbsg-predictions.csv models/data/gbsg-validation.csv pid rfstime status \
  models/data/gbsg-predictions.csv
# --attach-to adds these numbers to the model file's "validation" section (cohort GBSG); the file is
# otherwise unchanged, so the model as fitted is the file without that section (modelWithoutValidation).
latefuse evaluate --data models/data/gbsg-predictions.csv --time rfstime --event status --score fused_lp \
  --bootstrap 1000 --permutations 0 --seed 2024 --tau 1826 --horizons 1096,1826 \
  --predicted-survival surv_1826 --calibration-horizon 1826 --calibration-groups 5 \
  --attach-to models/rotterdam.latefuse.json --cohort GBSG \
  --cohort-description 'German Breast Cancer Study Group trial (R survival gbsg), 686 node-positive patients; size binned as Rotterdam, no chemotherapy column (imputed); recurrence-free survival in days' \
  > models/rotterdam.gbsg-validation.json

# The web app bundles the two prepared files (web/app/public/data/README.md); keep its copies current.
cp models/data/rotterdam-rfs.csv models/data/gbsg-validation.csv models/data/rotterdam-features.csv web/app/public/data/
