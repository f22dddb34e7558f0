# Golden values for the elastic-net selection inside late fusion (feature_selection.hpp,
# elasticNetSelection; fusion.hpp step 1d), from R glmnet's cv.glmnet(family = "cox").
#
# Data: one modality (genomic) of tests/data/sim_survival.csv (made by `latefuse simulate`, see
# tests/data/README.md): the patients that have it, without the patients whose time is tied with
# another's (glmnet 4.1 handles tied event times differently from the Breslow rule of
# elastic_net.hpp), columns z-scored with their mean and sample SD as fusion's preprocessing does.
# A fixed foldid = 1, 2, ..., K, 1, 2, ... (rows in file order). cv.glmnet is given the full-data
# lambda sequence (glmnet's default path, standardize = TRUE), grouped deviance; the selection is
# the set of non-zero coefficients at lambda.min and at lambda.1se.
#
# Run from the repository root:  Rscript tests/r/fusion_elastic_net_golden.R
suppressPackageStartupMessages({
  library(glmnet)
  library(survival)
})
source("tests/r/golden_json.R")

d <- read.csv("tests/data/sim_survival.csv", check.names = FALSE)
cols <- grep("^genomic_", names(d), value = TRUE)
have <- rowSums(!is.na(d[, cols])) > 0
d <- d[have, ]
tied <- d$time %in% d$time[duplicated(d$time)]
d <- d[!tied, ]
X <- as.matrix(d[, cols])
stopifnot(!anyNA(X))
Z <- sweep(sweep(X, 2, colMeans(X)), 2, apply(X, 2, sd), "/")
y <- Surv(d$time, d$status <- d$event)
K <- 5
foldid <- ((seq_len(nrow(Z)) - 1) %% K) + 1

case <- function(alpha) {
  lmr <- ifelse(nrow(Z) < ncol(Z), 0.01, 1e-4)
  full <- glmnet(Z, y, family = "cox", alpha = alpha, standardize = TRUE, thresh = 1e-14, maxit = 1e7, lambda.min.ratio = lmr)
  cv <- cv.glmnet(Z, y, family = "cox", alpha = alpha, standardize = TRUE, lambda = full$lambda, foldid = foldid,
                  grouped = TRUE, thresh = 1e-14, maxit = 1e7)
  nz <- function(s) unname(which(as.vector(coef(cv, s = s)) != 0) - 1)
  list(alpha = alpha, lambda = full$lambda, lambda_min = cv$lambda.min, lambda_1se = cv$lambda.1se,
       selected_min = I(nz("lambda.min")), selected_1se = I(nz("lambda.1se")), cvm = unname(cv$cvm))
}

out <- c(list(
  description = "cv.glmnet(family = 'cox') selection on one modality (see tests/r/fusion_elastic_net_golden.R)",
  data = "tests/data/sim_survival.csv, modality genomic, tied times removed, z-scored"
), golden_versions(c("glmnet", "survival")), list(
  ids = d$id,
  columns = cols,
  time = d$time,
  event = d$event,
  x = lapply(seq_len(nrow(Z)), function(i) unname(Z[i, ])),
  foldid = foldid - 1,
  cases = list(lasso = case(1), enet05 = case(0.5))
))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/golden/fusion_elastic_net.json")
cat("wrote tests/golden/fusion_elastic_net.json\n")
