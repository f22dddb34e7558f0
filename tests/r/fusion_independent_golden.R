# An independent implementation of LateFuse's late-fusion pipeline (cpp/latefuse/fusion.hpp) in R,
# written from the pipeline's description and survival::coxph, never from LateFuse's outputs: it
# reads only the committed data files, the settings below and, for the cross-fitted cases, the
# committed fold of each training patient. tests/js/fuse_independent.test.js runs `latefuse fuse` /
# `latefuse score` on the same files and settings and compares every number;
# tests/cpp/test_fusion_independent.cpp does the same natively.
#
# The pipeline (fixed split from a committed column):
#  * patients: the rows of the outcome file; a patient HAS a modality when any of its cells is
#    present (a patient left out of a modality file has none); training = split "train".
#  * per modality m, on the training patients that have m:
#     a. imputation of missing cells: a column whose training values are all 0 or 1 by its training
#        mode (a tie gives 0), any other column by its training median;
#     b. optional outlier step (outlier_z > 0) on the columns that are NOT 0/1 only: after
#        imputation, z = (x - mean) / sd with the training mean and sample SD; |z| > outlier_z is
#        replaced by the training median of step a;
#     c. scaling with training parameters: z-score (mean, sample SD) or min-max ((x - min) / range);
#     d. submodel: coxph(Surv ~ ridge(Z, theta = n * penalizer, scale = TRUE)) with n the number of
#        training patients that have m — lifelines' CoxPHFitter(penalizer) (README "Conventions");
#        unimodal score = (z - fit$means)' beta; standardised with the mean and sample SD of the
#        training patients' scores.
#  * integrators: for every non-empty combination S of the modalities (singles included) that at
#    least min_pattern_size training patients have in full (the intersection: every training
#    patient with all of S, whatever else they have), a ridge Cox model with the integrator
#    penalizer on those patients' standardised scores of S's modalities (columns in modality
#    order); its score is (s - fit$means)' beta. The scores it is fitted on are in-sample (the
#    submodels' own, standardised as above) or cross-fitted (run_case: out-of-fold scores from
#    submodels refitted without each fold, standardised by their own mean and sample SD).
#  * every patient (training and test) is scored by the integrator of their own pattern P; when P
#    has none, by the integrator of the sub-combination of P with the most modalities, then the
#    most training patients, then the lowest bitmask (bit k = k-th modality); when no
#    sub-combination has one, by the standardised score of P's modality with the most training
#    patients (ties: the first).
#  * Harrell's C of the fused score on the test patients: survival::concordance(reverse = TRUE).
#
# Cases (tests/r/README.md has the table): the simulated study-shaped cohort tests/data/fusion_sim.csv
# (+ fusion_sim_split.csv), a hand-worked 15-patient cohort tests/data/fusion_tiny.csv, and pbc
# split into liver / blood / clinical with knock-outs (tests/r/fusion_independent_data.R), with
# minimum pattern sizes chosen on the training counts printed below: exactly the size of the
# 3-modality combination (it gets an integrator), one more (it falls back to the richest
# 2-modality combination), and large enough that a single modality has no integrator (its
# patients fall back to the submodel's standardised score).
#
# Run from the repository root:  Rscript tests/r/fusion_independent_golden.R
suppressPackageStartupMessages(library(survival))
source("tests/r/golden_json.R")

cox_control <- coxph.control(eps = 1e-14, iter.max = 200, toler.chol = 1e-15)

read_study <- function(outcome_file, time, event, split_file, modality_files) {
  d <- read.csv(outcome_file, check.names = FALSE, colClasses = c(id = "character"))
  if (!is.null(split_file)) d <- merge(d, read.csv(split_file, colClasses = c(id = "character")), by = "id", sort = FALSE)
  modalities <- list()
  for (f in modality_files) {
    part <- read.csv(f$file, check.names = FALSE, colClasses = c(id = "character"))
    cols <- f$columns
    modalities[[f$name]] <- cols
    if (f$file == outcome_file) next   # the outcome file holds these columns already
    d <- cbind(d, part[match(d$id, part$id), cols, drop = FALSE])
  }
  list(d = d, time = d[[time]], event = d[[event]], test = d$split == "test", modalities = modalities)
}

# The cross-fitting folds of the training patients (id, fold 1..K), as LateFuse draws them
# (tests/data/README.md); the test checks that report.json's cross_fitting gives the same. Checked here
# to be stratified on the event: every fold holds floor(E / K) or ceil(E / K) of the E training
# events, and fold sizes differ by at most one.
with_folds <- function(study, file) {
  f <- read.csv(file, colClasses = c(id = "character"))
  study$fold <- f$fold[match(study$d$id, f$id)]
  train <- !study$test
  stopifnot(!anyNA(study$fold[train]), all(is.na(study$fold[!train])))
  K <- max(f$fold)
  E <- sum(study$event[train])
  per_fold_events <- tabulate(study$fold[train & study$event == 1], K)
  sizes <- tabulate(study$fold[train], K)
  stopifnot(all(per_fold_events %in% c(floor(E / K), ceiling(E / K))), max(sizes) - min(sizes) <= 1)
  study$fold_file <- file
  study
}

ridge_cox <- function(time, event, X, penalizer, ties) {
  X <- as.matrix(X)
  n <- nrow(X)
  fit <- coxph(Surv(time, event) ~ ridge(X, theta = n * penalizer, scale = TRUE), ties = ties, control = cox_control)
  list(coef = unname(coef(fit)), means = unname(fit$means), loglik = fit$loglik[2], iter = fit$iter[2], n = n,
       events = sum(event))
}

is_zero_one <- function(v) all(v %in% c(0, 1))
mode01 <- function(v) if (sum(v == 1) > sum(v == 0)) 1 else 0

# Steps a-d for modality m on the given training rows: returns the fitted parameters (summary)
# and score(rows), the unstandardised unimodal score (z - fit$means)' beta of any rows with m.
fit_modality <- function(study, m, rows, settings) {
  cols <- study$modalities[[m]]
  raw <- as.matrix(study$d[, cols, drop = FALSE])
  X <- raw[rows, , drop = FALSE]
  binary <- apply(X, 2, function(v) is_zero_one(v[!is.na(v)]))
  impute <- sapply(seq_along(cols), function(j) {
    v <- X[!is.na(X[, j]), j]
    if (binary[j]) mode01(v) else median(v)
  })
  impute_all <- function(A) {
    for (j in seq_along(cols)) A[is.na(A[, j]), j] <- impute[j]
    A
  }
  X <- impute_all(X)
  outlier <- NULL
  if (settings$outlier_z > 0) {
    o_sd <- apply(X, 2, sd)
    o_sd[binary] <- 0   # the step is off on 0/1 columns
    outlier <- list(mean = colMeans(X), sd = o_sd, median = impute)
  }
  apply_outlier <- function(A) {
    if (is.null(outlier)) return(A)
    for (j in seq_along(cols)) {
      if (outlier$sd[j] == 0) next
      z <- (A[, j] - outlier$mean[j]) / outlier$sd[j]
      A[abs(z) > settings$outlier_z, j] <- outlier$median[j]
    }
    A
  }
  X <- apply_outlier(X)
  if (settings$scaling == "zscore") {
    center <- colMeans(X)
    scale <- apply(X, 2, sd)
  } else if (settings$scaling == "minmax") {
    center <- apply(X, 2, min)
    scale <- apply(X, 2, max) - center
  } else {
    center <- rep(0, length(cols))
    scale <- rep(1, length(cols))
  }
  stopifnot(all(scale > 0))
  preprocess <- function(A) sweep(sweep(apply_outlier(impute_all(A)), 2, center), 2, scale, "/")
  fit <- ridge_cox(study$time[rows], study$event[rows], preprocess(raw[rows, , drop = FALSE]), settings$penalizer, settings$ties)
  summary <- list(columns = cols, binary = unname(binary), impute = unname(impute), center = unname(center),
                  scale = unname(scale), coef = I(fit$coef), means = I(fit$means), loglik = fit$loglik,
                  patients = length(rows), events = fit$events)
  # With the outlier step: its parameters, and how many training cells it changed (the test checks
  # the case design with these counts).
  if (!is.null(outlier)) {
    summary$outlier_mean <- unname(outlier$mean)
    summary$outlier_sd <- unname(outlier$sd)
    Xi <- impute_all(raw[rows, , drop = FALSE])
    summary$outliers_replaced <- unname(colSums(Xi != apply_outlier(Xi)))
  }
  list(summary = summary,
       score = function(r) as.vector(sweep(preprocess(raw[r, , drop = FALSE]), 2, fit$means) %*% fit$coef))
}

run_case <- function(study, settings) {
  d <- study$d
  n <- nrow(d)
  mods <- names(study$modalities)
  M <- length(mods)
  present <- sapply(mods, function(m) rowSums(!is.na(d[, study$modalities[[m]], drop = FALSE])) > 0)
  mask <- as.vector(present %*% (2^(seq_len(M) - 1)))
  train <- which(!study$test & mask > 0)
  test <- which(study$test & mask > 0)
  stopifnot(all(mask > 0))
  scored <- sort(c(train, test))

  # --- submodels (on all training patients with the modality); std = standardised unimodal scores
  # of every patient with the modality
  models <- list()
  std <- matrix(NA_real_, n, M)
  for (m in seq_len(M)) {
    rows <- train[present[train, m]]
    f <- fit_modality(study, m, rows, settings)
    s <- f$score(rows)
    score_mean <- mean(s)
    score_sd <- sd(s)
    have <- scored[present[scored, m]]
    std[have, m] <- (f$score(have) - score_mean) / score_sd
    models[[m]] <- c(list(name = mods[m]), f$summary, list(score_mean = score_mean, score_sd = score_sd))
  }

  # --- integrator inputs of the training patients: the in-sample standardised scores, or the
  # cross-fitted ones: for each fold k of the given assignment, every modality's preprocessing and
  # submodel refitted on its training patients outside k and applied to those in k; each
  # modality's out-of-fold scores standardised by their own mean and sample SD over its training
  # patients (new patients keep the in-sample standardisation above).
  inputs <- std
  if (settings$integrator_inputs == "cross-fitted") {
    fold <- study$fold[train]
    stopifnot(!anyNA(fold))
    inputs[] <- NA_real_
    for (m in seq_len(M)) {
      oof <- rep(NA_real_, n)
      for (k in sort(unique(fold))) {
        out_rows <- train[fold == k & present[train, m]]
        if (length(out_rows) == 0) next
        f <- fit_modality(study, m, train[fold != k & present[train, m]], settings)
        oof[out_rows] <- f$score(out_rows)
      }
      rows <- train[present[train, m]]
      oof_sd <- sd(oof[rows])
      if (!(oof_sd > 0)) oof_sd <- 1
      inputs[rows, m] <- (oof[rows] - mean(oof[rows])) / oof_sd
    }
  }

  # --- integrators, one per combination with >= min_pattern_size training patients
  popcount <- function(v) sum(bitwAnd(v, 2^(0:(M - 1))) > 0)
  bits_of <- function(v) which(bitwAnd(v, 2^(seq_len(M) - 1)) > 0)
  integrators <- list()
  combination_patients <- integer(0)
  for (S in seq_len(2^M - 1)) {
    rows <- train[bitwAnd(mask[train], S) == S]
    combination_patients[S] <- length(rows)
    if (length(rows) < settings$min_pattern_size) next
    stopifnot(sum(study$event[rows]) > 0)
    bits <- bits_of(S)
    fit <- ridge_cox(study$time[rows], study$event[rows], inputs[rows, bits, drop = FALSE], settings$integrator_penalizer,
                     settings$ties)
    integrators[[length(integrators) + 1]] <- list(mask = S, pattern = I(mods[bits]), patients = length(rows),
                                                   events = fit$events, coef = I(fit$coef), means = I(fit$means),
                                                   loglik = fit$loglik)
  }

  resolve <- function(P) {
    best <- NULL
    for (g in integrators) {
      if (bitwAnd(g$mask, bitwNot(P)) != 0) next
      if (g$mask == P) return(g)
      if (is.null(best) || popcount(g$mask) > popcount(best$mask) ||
          (popcount(g$mask) == popcount(best$mask) && g$patients > best$patients)) best <- g
    }
    best   # integrators are in ascending bitmask order, so ties keep the lowest bitmask
  }

  # --- every patient's fused score
  fused <- rep(NA_real_, n)
  used <- rep(NA_character_, n)
  for (i in scored) {
    g <- resolve(mask[i])
    if (!is.null(g)) {
      bits <- bits_of(g$mask)
      fused[i] <- sum((std[i, bits] - g$means) * g$coef)
      used[i] <- paste(mods[bits], collapse = "+")
    } else {
      have <- bits_of(mask[i])
      m <- have[which.max(sapply(have, function(h) models[[h]]$patients))]
      fused[i] <- std[i, m]
      used[i] <- mods[m]
    }
  }

  tt <- test
  cc <- concordance(Surv(study$time[tt], study$event[tt]) ~ fused[tt], reverse = TRUE)
  pattern_names <- sapply(mask, function(v) paste(mods[bits_of(v)], collapse = "+"))
  training_patterns <- table(pattern_names[train])
  out <- list(
    settings = settings,
    modalities = mods,
    split = list(train = length(train), test = length(test), train_events = sum(study$event[train]),
                 test_events = sum(study$event[test])),
    training_patterns = as.list(training_patterns),
    combination_patients = setNames(as.list(combination_patients),
                                    sapply(seq_len(2^M - 1), function(S) paste(mods[bits_of(S)], collapse = "+"))),
    models = models,
    integrators = integrators,
    patients = list(
      id = d$id[scored], test = as.integer(study$test[scored]), pattern = unname(pattern_names[scored]),
      scored_by = used[scored], fused = fused[scored],
      unimodal = setNames(lapply(seq_len(M), function(m) std[scored, m]), mods)
    ),
    test_c = list(c = unname(cc$concordance), n = length(tt), events = sum(study$event[tt]),
                  concordant = unname(cc$count["concordant"]), discordant = unname(cc$count["discordant"]),
                  tied_risk = unname(cc$count["tied.x"]), tied_time = unname(cc$count["tied.y"]))
  )
  if (!is.null(study$fold)) out$folds <- list(file = study$fold_file, id = d$id[train], fold = study$fold[train])
  out
}

sim_modalities <- c("radiomics", "histopathology", "genomic", "clinical")
sim_header <- names(read.csv("tests/data/fusion_sim.csv", check.names = FALSE, nrows = 1))
sim <- read_study("tests/data/fusion_sim.csv", "time", "event", "tests/data/fusion_sim_split.csv",
                  lapply(sim_modalities, function(m) list(name = m, file = "tests/data/fusion_sim.csv",
                                                          columns = grep(paste0("^", m, "_"), sim_header, value = TRUE))))

pbc <- read_study("tests/data/fusion_pbc_outcome.csv", "time", "death", NULL, list(
  list(name = "liver", file = "tests/data/fusion_pbc_liver.csv", columns = c("alk.phos", "ast", "copper", "chol", "trig")),
  list(name = "blood", file = "tests/data/fusion_pbc_blood.csv", columns = c("bili", "albumin", "platelet", "protime")),
  list(name = "clinical", file = "tests/data/fusion_pbc_clinical.csv",
       columns = c("age", "male", "ascites", "hepato", "spiders", "edema", "stage"))))

# A tiny cohort whose preprocessing is worked out by hand (tests/data/fusion_tiny.csv; the test
# asserts the same hand values): 11 training patients, lab = {a, b} for T01-T09, clin = {c, d} for
# T01-T08, T10, T11; 8 have both.
#  * a: training values 1 2 3 4 6 7 9 10 -> median (4 + 6) / 2 = 5 (imputed for T05);
#  * b: four 0s and four 1s -> a tie -> mode 0 (imputed for T06; a median would give 0.5);
#  * c: one 1 among nine -> mode 0 (T11); at Z = 2.5 its 1 has z = 2.85 and would be erased if the
#    outlier step touched 0/1 columns;
#  * d: 2 3 4 5 3 _ 100 4 2 5 -> median 4 (T06); after imputation mean 13.2, SD sqrt(8381.6 / 9), and
#    T07's 100 has z = 2.84 > 2.5 -> replaced by 4;
#  * min pattern 8: lab+clin (exactly 8) gets its integrator; 9: it does not, and S01 / S04 fall back
#    to clin (10 training patients) rather than lab (9).
tiny <- read_study("tests/data/fusion_tiny.csv", "time", "event", NULL, list(
  list(name = "lab", file = "tests/data/fusion_tiny.csv", columns = c("a", "b")),
  list(name = "clin", file = "tests/data/fusion_tiny.csv", columns = c("c", "d"))))

settings <- function(...) {
  s <- list(scaling = "zscore", outlier_z = 0, penalizer = 0.1, integrator_penalizer = 0.1, min_pattern_size = 20,
            ties = "efron", integrator_inputs = "in-sample")
  modifyList(s, list(...))
}

cases <- list(
  sim_defaults = list(data = "sim", run = function() run_case(sim, settings())),
  sim_no_complete_integrator = list(data = "sim", run = function() {
    # one more than the training patients with all four modalities: they fall back to a 3-modality integrator
    full <- sum(bitwAnd(as.vector(sapply(sim_modalities, function(m) rowSums(!is.na(sim$d[, sim$modalities[[m]], drop = FALSE])) > 0) %*% 2^(0:3))[!sim$test], 15) == 15)
    run_case(sim, settings(min_pattern_size = full + 1, penalizer = 0.5, integrator_penalizer = 0.5, ties = "breslow"))
  }),
  sim_cross_fitted = list(data = "sim", run = function() {
    run_case(with_folds(sim, "tests/data/fusion_sim_folds.csv"), settings(integrator_inputs = "cross-fitted", cross_fit_folds = 5))
  }),
  tiny_boundary = list(data = "tiny", run = function() {
    k <- run_case(tiny, settings(outlier_z = 2.5, min_pattern_size = 8))
    hand <- function(m, field) k$models[[m]][[field]]
    stopifnot(hand(1, "impute") == c(5, 0), abs(hand(1, "center") - c(47 / 9, 4 / 9)) < 1e-15, hand(2, "impute") == c(0, 4), hand(2, "outliers_replaced") == c(0, 1),
              hand(1, "outliers_replaced") == c(0, 0), abs(hand(2, "outlier_sd")[2] - sqrt(8381.6 / 9)) < 1e-12,
              abs(hand(2, "center") - c(0.1, 3.6)) < 1e-15)
    k
  }),
  tiny_below = list(data = "tiny", run = function() run_case(tiny, settings(outlier_z = 2.5, min_pattern_size = 9))),
  pbc_outlier_boundary = list(data = "pbc", run = function() run_case(pbc, settings(outlier_z = 2.5, min_pattern_size = 131))),
  pbc_fallback_two = list(data = "pbc", run = function() run_case(pbc, settings(outlier_z = 2.5, min_pattern_size = 132))),
  pbc_cross_fitted = list(data = "pbc", run = function() {
    run_case(with_folds(pbc, "tests/data/fusion_pbc_folds.csv"),
             settings(integrator_inputs = "cross-fitted", cross_fit_folds = 5, outlier_z = 2.5, min_pattern_size = 132))
  }),
  pbc_minmax_single_fallback = list(data = "pbc", run = function() {
    run_case(pbc, settings(scaling = "minmax", outlier_z = 5, penalizer = 0.5, integrator_penalizer = 0.5, min_pattern_size = 180))
  })
)

out <- c(list(
  description = "Late fusion (in-sample integrator inputs, fixed split) reproduced independently in R; see tests/r/fusion_independent_golden.R"
), golden_versions("survival"), list(
  data = list(
    sim = list(files = c("tests/data/fusion_sim.csv", "tests/data/fusion_sim_split.csv"), id = "id", time = "time",
               event = "event", split = "split", modalities = sim$modalities),
    tiny = list(files = I("tests/data/fusion_tiny.csv"), id = "id", time = "time", event = "event", split = "split",
                modalities = tiny$modalities),
    pbc = list(files = c("tests/data/fusion_pbc_outcome.csv", "tests/data/fusion_pbc_liver.csv", "tests/data/fusion_pbc_blood.csv",
                         "tests/data/fusion_pbc_clinical.csv"), id = "id", time = "time", event = "death", split = "split",
               modalities = pbc$modalities)
  ),
  cases = lapply(cases, function(k) c(list(data = k$data), k$run()))
))
for (name in names(out$cases)) {
  k <- out$cases[[name]]
  cat(sprintf("%-28s train %d test %d, %d integrators, test C %.6f; combinations: %s\n", name, k$split$train, k$split$test,
              length(k$integrators), k$test_c$c,
              paste(names(k$combination_patients), unlist(k$combination_patients), sep = " ", collapse = ", ")))
}
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"), "tests/golden/fusion_independent.json")
cat("wrote tests/golden/fusion_independent.json\n")
