# Golden values for late fusion with a BINARY outcome (cpp/latefuse/fusion.hpp, Cohort::outcome
# Binary), reproduced step by step in R from the committed data set tests/data/sim_binary.csv (made
# by `latefuse simulate --outcome binary`, see tests/data/README.md).
#
# The pipeline, with in-sample integrator inputs (FusionOptions::crossFit = false), z-score scaling,
# no outlier step, no selection, minimum pattern size 20, holdout split: test = every third row
# (rows 3, 6, 9, ...; 1-based), the rest training:
#  * per modality m, on the training patients that have m (any cell present): impute missing cells
#    by the column's training median (the data have none), z-score each column with its training
#    mean and sample SD, fit the logistic submodel; score = Z beta (no intercept), standardised with
#    the mean and sample SD of the training scores;
#  * per combination S of modalities (every non-empty subset, single modalities included) that
#    >= 20 training patients have in full, with both outcomes among them: an integrator, logistic on
#    the standardised scores of S's modalities of ALL those patients (the intersection);
#  * a test patient is scored by their pattern's integrator (log-odds, intercept included), else by
#    the fallback of fusion.hpp (the integrator of the sub-combination with the most modalities, then
#    most training patients, then lowest bitmask; else the standardised score of the modality whose
#    submodel had the most training patients);
#  * the probability of a test patient: 1 / (1 + exp(-log-odds)) of whichever model scored them
#    (for one modality: intercept + Z beta of its submodel);
#  * AUC of the fused score on the test patients (Mann-Whitney, ties 1/2).
# Two cases:
#  * "glm": penalizer 0 — every model is plain glm(family = binomial) (epsilon 1e-14);
#  * "ridge": penalizer 0.1 for submodels and integrators — LateFuse's ridge = n * penalizer on the
#    covariates as given, i.e. glmnet(alpha = 0, lambda = 0.1, standardize = FALSE, thresh = 1e-14).
#
# Run from the repository root:  Rscript tests/r/fusion_binary_golden.R
suppressPackageStartupMessages(library(glmnet))
source("tests/r/golden_json.R")

d <- read.csv("tests/data/sim_binary.csv", check.names = FALSE)
n <- nrow(d)
y <- d$y
feature_cols <- setdiff(names(d), c("id", "y"))
modalities <- unique(sub("_[0-9]+$", "", feature_cols))
M <- length(modalities)
cols_of <- lapply(modalities, function(m) feature_cols[sub("_[0-9]+$", "", feature_cols) == m])
present <- sapply(seq_len(M), function(m) rowSums(!is.na(d[, cols_of[[m]], drop = FALSE])) > 0)
mask <- as.vector(present %*% (2^(seq_len(M) - 1)))
is_test <- seq_len(n) %% 3 == 0
train <- which(!is_test)
test <- which(is_test)
min_pattern <- 20

fit_logistic <- function(x, yy, penalizer) {
  x <- as.matrix(x)
  if (penalizer == 0) {
    f <- glm(yy ~ x, family = binomial, control = glm.control(epsilon = 1e-14, maxit = 100))
    return(unname(coef(f)))
  }
  # glmnet needs two columns: a one-covariate model gets an all-zero column, whose coefficient is 0
  # and which leaves the penalised likelihood of the other unchanged.
  one <- ncol(x) == 1
  if (one) x <- cbind(x, 0)
  f <- glmnet(x, yy, family = "binomial", alpha = 0, lambda = penalizer, standardize = FALSE, thresh = 1e-14, maxit = 1e7)
  b <- unname(as.vector(f$beta))
  c(unname(f$a0), if (one) b[1] else b)
}

run_case <- function(penalizer) {
  models <- list()
  train_std <- matrix(NA_real_, n, M)
  for (m in seq_len(M)) {
    rows <- train[present[train, m]]
    X <- as.matrix(d[rows, cols_of[[m]], drop = FALSE])
    med <- apply(X, 2, median, na.rm = TRUE)
    for (j in seq_len(ncol(X))) X[is.na(X[, j]), j] <- med[j]
    center <- colMeans(X)
    scale <- apply(X, 2, sd)
    Z <- sweep(sweep(X, 2, center), 2, scale, "/")
    coef <- fit_logistic(Z, y[rows], penalizer)
    score <- as.vector(Z %*% coef[-1])
    models[[m]] <- list(name = modalities[m], columns = cols_of[[m]], median = unname(med), center = unname(center),
                        scale = unname(scale), coef = coef, score_mean = mean(score), score_sd = sd(score),
                        patients = length(rows), cases = sum(y[rows]))
    train_std[rows, m] <- (score - mean(score)) / sd(score)
  }
  # integrators
  integrators <- list()
  for (pm in seq_len(2^M - 1)) {
    bits <- which(bitwAnd(pm, 2^(seq_len(M) - 1)) > 0)
    rows <- train[bitwAnd(mask[train], pm) == pm]
    if (length(rows) < min_pattern) next
    if (sum(y[rows]) == 0 || sum(y[rows]) == length(rows)) next
    coef <- fit_logistic(train_std[rows, bits, drop = FALSE], y[rows], penalizer)
    integrators[[length(integrators) + 1]] <- list(pattern = pm, modalities = modalities[bits], coef = coef, patients = length(rows))
  }
  # test scores
  std_score <- function(i, m) {
    mm <- models[[m]]
    x <- as.numeric(d[i, mm$columns])
    x[is.na(x)] <- mm$median[is.na(x)]
    z <- (x - mm$center) / mm$scale
    (sum(z * mm$coef[-1]) - mm$score_mean) / mm$score_sd
  }
  popcount <- function(v) sum(bitwAnd(v, 2^(0:30)) > 0)
  fused <- numeric(0); prob <- numeric(0); used <- integer(0)
  for (i in test) {
    pm <- mask[i]
    s <- rep(NA_real_, M)
    for (m in which(present[i, ])) s[m] <- std_score(i, m)
    k <- which(sapply(integrators, function(g) g$pattern) == pm)
    if (length(k) == 0) {
      best <- NA
      for (j in seq_along(integrators)) {
        g <- integrators[[j]]
        if (bitwAnd(g$pattern, bitwNot(pm)) != 0) next
        if (is.na(best)) { best <- j; next }
        b <- integrators[[best]]
        if (popcount(g$pattern) > popcount(b$pattern) ||
            (popcount(g$pattern) == popcount(b$pattern) && (g$patients > b$patients ||
             (g$patients == b$patients && g$pattern < b$pattern)))) best <- j
      }
      if (!is.na(best)) k <- best
    }
    if (length(k) == 1) {
      g <- integrators[[k]]
      bits <- which(bitwAnd(g$pattern, 2^(seq_len(M) - 1)) > 0)
      lp <- g$coef[1] + sum(g$coef[-1] * s[bits])
      fused <- c(fused, lp); prob <- c(prob, plogis(lp)); used <- c(used, g$pattern)
    } else {
      have <- which(present[i, ])
      m <- if (length(have) == 1) have else have[which.max(sapply(have, function(h) models[[h]]$patients))]
      fused <- c(fused, s[m])
      mm <- models[[m]]
      prob <- c(prob, plogis(mm$coef[1] + s[m] * mm$score_sd + mm$score_mean)); used <- c(used, 2^(m - 1))
    }
  }
  yt <- y[test]
  auc <- mean(outer(fused[yt == 1], fused[yt == 0], function(a, b) (a > b) + 0.5 * (a == b)))
  list(penalizer = penalizer, models = models, integrators = integrators,
       test_rows = test - 1, test_fused = fused, test_probability = prob, test_used_pattern = used, test_auc = auc,
       test_brier = mean((prob - yt)^2))
}

out <- c(list(
  description = "Binary late fusion reproduced in R (see tests/r/fusion_binary_golden.R)",
  data = "tests/data/sim_binary.csv",
  split = "test = every third row (1-based rows 3, 6, ...)",
  modalities = modalities,
  min_pattern_size = min_pattern
), golden_versions("glmnet"), list(
  cases = list(glm = run_case(0), ridge = run_case(0.1))
))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/golden/fusion_binary.json")
cat("wrote tests/golden/fusion_binary.json\n")
