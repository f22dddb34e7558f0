# Input files of the independent late-fusion check (tests/r/fusion_independent_golden.R,
# tests/js/fuse_independent.test.js): the pbc data set split into three modality files with some
# modalities knocked out, and a fixed train/test split for it and for the simulated cohort
# tests/data/fusion_sim.csv. Every random step is seeded; the outputs are committed, so this script
# only needs re-running when the design below changes (then regenerate the golden file too).
#
# pbc (tests/data/pbc.csv, all 418 patients; event = death, status 2; a transplant, status 1, is
# censored at the transplant time):
#  * tests/data/fusion_pbc_outcome.csv: id, time, death (0/1), split ("test"/"train");
#  * tests/data/fusion_pbc_liver.csv:    id, alk.phos, ast, copper, chol, trig
#  * tests/data/fusion_pbc_blood.csv:    id, bili, albumin, platelet, protime
#  * tests/data/fusion_pbc_clinical.csv: id, age, male (0/1), ascites, hepato, spiders, edema, stage
#    (ascites, hepato, spiders and male are 0/1 columns: mode imputation, no outlier step; edema
#    0 / 0.5 / 1 and stage 1-4 are ordinal codes and count as continuous).
# A patient lacks a modality when their row is left out of that modality's file. Rows 313-418 of
# pbc (the patients who were not in the randomised trial) have none of the liver columns, so they
# lack the liver modality naturally. Knock-outs, with set.seed(20261207) and one runif(3) per
# patient in pbc row order (u_liver, u_blood, u_clinical): liver is knocked out when u_liver < 0.15,
# blood when u_blood < 0.25, clinical when u_clinical < 0.10; a patient left without any modality
# keeps clinical. Missing cells of a modality a patient has stay missing (imputed by the engine).
# Split: set.seed(7); 140 of the 418 patients, sample(418, 140), are "test", the rest "train".
#
# Simulated cohort: tests/data/fusion_sim.csv is written by LateFuse's simulator (see
# tests/data/README.md); this script writes tests/data/fusion_sim_split.csv (id, split) with
# set.seed(11) and sample(n, round(0.3 * n)) test patients.
#
# Run from the repository root:  Rscript tests/r/fusion_independent_data.R
pbc <- read.csv("tests/data/pbc.csv")
n <- nrow(pbc)
ids <- pbc$id

set.seed(20261207)
u <- matrix(runif(3 * n), ncol = 3, byrow = TRUE)
has_liver_cells <- rowSums(!is.na(pbc[, c("alk.phos", "ast", "copper", "chol", "trig")])) > 0
liver <- has_liver_cells & u[, 1] >= 0.15
blood <- u[, 2] >= 0.25
clinical <- u[, 3] >= 0.10 | (!liver & !blood)

set.seed(7)
split <- rep("train", n)
split[sample(n, 140)] <- "test"

write_part <- function(df, file) {
  write.csv(df, file, row.names = FALSE, na = "", quote = FALSE)
  cat("wrote", file, nrow(df), "rows\n")
}
write_part(data.frame(id = ids, time = pbc$time, death = as.integer(pbc$status == 2), split = split),
           "tests/data/fusion_pbc_outcome.csv")
write_part(cbind(id = ids, pbc[, c("alk.phos", "ast", "copper", "chol", "trig")])[liver, ], "tests/data/fusion_pbc_liver.csv")
write_part(cbind(id = ids, pbc[, c("bili", "albumin", "platelet", "protime")])[blood, ], "tests/data/fusion_pbc_blood.csv")
write_part(data.frame(id = ids, age = pbc$age, male = as.integer(pbc$sex == "m"),
                      pbc[, c("ascites", "hepato", "spiders", "edema", "stage")])[clinical, ],
           "tests/data/fusion_pbc_clinical.csv")

sim <- read.csv("tests/data/fusion_sim.csv", check.names = FALSE)
set.seed(11)
sim_split <- rep("train", nrow(sim))
sim_split[sample(nrow(sim), round(0.3 * nrow(sim)))] <- "test"
write_part(data.frame(id = sim$id, split = sim_split), "tests/data/fusion_sim_split.csv")
