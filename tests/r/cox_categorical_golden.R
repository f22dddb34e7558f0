# Golden file for a text covariate in the single Cox model (`latefuse cox`, the page's "One Cox
# model"): one-hot encoded as late fusion encodes it — reference = the most frequent level among
# the patients fitted (ties: first in sorted order), dummies "<column>=<level>" for the others in
# sorted order. R's coxph with the factor releveled to that reference is the same model.
#
# Run from the repository root:   Rscript tests/r/cox_categorical_golden.R
# Writes tests/golden/cox_categorical.json (versions recorded in it and in tests/r/README.md).
suppressPackageStartupMessages(library(survival))
if (!file.exists("tests/data/veteran.csv")) stop("run from the repository root: Rscript tests/r/cox_categorical_golden.R")
source("tests/r/golden_json.R")

vet <- read.csv("tests/data/veteran.csv", stringsAsFactors = FALSE)
counts <- table(vet$celltype)
levels_sorted <- sort(unique(vet$celltype), method = "radix")
reference <- levels_sorted[which.max(as.integer(counts[levels_sorted]))]
vet$celltype <- relevel(factor(vet$celltype, levels = levels_sorted), ref = reference)

fit <- coxph(Surv(time, status) ~ trt + celltype + karno, data = vet, ties = "efron")
s <- summary(fit)
names_ours <- c("trt", paste0("celltype=", setdiff(levels_sorted, reference)), "karno")

out <- c(golden_versions("survival"), list(
  veteran_trt_celltype_karno = list(
    reference = reference,
    levels = levels_sorted,
    covariates = names_ours,
    coef = unname(coef(fit)),
    se = unname(sqrt(diag(vcov(fit)))),
    hr = unname(exp(coef(fit))),
    p = unname(s$coefficients[, "Pr(>|z|)"]),
    loglik = unname(fit$loglik),
    concordance = unname(fit$concordance["concordance"])
  )
))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "tests/golden/cox_categorical.json")
