# Golden-file generator: Cox model parity cases for tests/cpp/test_cox_golden.cpp.
#
# Run from the repository root:   Rscript tests/r/cox_golden.R
# Writes tests/golden/cox_golden.json (see tests/r/README.md for the versions that made it).
#
# Every case is SELF-CONTAINED: it carries the exact data R fitted (time, event 0/1, covariate
# columns, optional case weights, optional integer strata), the options, and R's results, so the
# C++ test never re-derives data from the CSV files. Rows with NA in any used column are dropped
# before fitting (as R's na.action does). Numbers are written with the shortest of 15 or 17 significant
# digits that reproduces the double exactly, so the C++ side sees bit-identical data.
suppressPackageStartupMessages(library(survival))

out_file <- "tests/golden/cox_golden.json"
if (!file.exists("tests/data/lung.csv")) stop("run from the repository root: Rscript tests/r/cox_golden.R")
source("tests/r/golden_json.R")

# ---- JSON helpers ------------------------------------------------------------------------------
# A numeric vector as a verbatim JSON array: %.15g when that round-trips, else %.17g; NA -> null.
num <- function(x) {
  x <- as.numeric(x)
  s <- rep("null", length(x))
  ok <- !is.na(x)
  if (any(!is.finite(x[ok]))) stop("non-finite value in golden output")
  s15 <- sprintf("%.15g", x[ok])
  s17 <- sprintf("%.17g", x[ok])
  s[ok] <- ifelse(as.numeric(s15) == x[ok], s15, s17)
  structure(paste0("[", paste(s, collapse = ","), "]"), class = "json")
}
# One number (scalar, not an array).
sc <- function(x) {
  x <- as.numeric(x)
  stopifnot(length(x) == 1)
  if (is.na(x)) return(structure("null", class = "json"))
  s <- sprintf("%.15g", x)
  if (as.numeric(s) != x) s <- sprintf("%.17g", x)
  structure(s, class = "json")
}
test_entry <- function(stat, df) list(stat = sc(stat), df = sc(df), p = sc(pchisq(stat, df, lower.tail = FALSE)))

# ---- one case ----------------------------------------------------------------------------------
# d: data.frame with columns time, event, the covariates, and optionally w (weights), strat (integer).
# newdata: data.frame of covariate rows (+ strat for stratified models); times: prediction times.
make_case <- function(name, description, d, covariates, ties = "efron", robust = FALSE,
                      weighted = FALSE, stratified = FALSE, ridge = NULL, newdata, times) {
  stopifnot(all(stats::complete.cases(d[, c("time", "event", covariates)])))
  rhs <- paste0("`", covariates, "`", collapse = ", ")
  if (is.null(ridge)) {
    rhs <- paste0("`", covariates, "`", collapse = " + ")
  } else {
    rhs <- sprintf("ridge(%s, theta = %.17g, scale = %s)", rhs, ridge$theta, if (ridge$scale) "TRUE" else "FALSE")
  }
  if (stratified) rhs <- paste("strata(strat) +", rhs)
  form <- as.formula(paste("Surv(time, event) ~", rhs))
  warns <- character(0)
  fit <- withCallingHandlers(
    coxph(form, data = d, ties = ties, robust = robust, weights = if (weighted) w else NULL,
          model = TRUE, x = TRUE),
    warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  ctrl <- coxph.control()
  coef <- unname(fit$coefficients)
  nabeta <- !is.na(coef)
  naive <- if (robust) fit$naive.var else fit$var
  res <- list(
    coef = num(coef),
    se = num(sqrt(diag(naive))),
    loglik = num(fit$loglik),
    means = num(unname(fit$means)),
    n = sc(fit$n), nevent = sc(fit$nevent)
  )
  if (robust) res$robust_se <- num(sqrt(diag(fit$var)))
  if (is.null(ridge)) {
    df <- sum(nabeta)
    res$iter <- sc(fit$iter)
    res$converged <- fit$iter < ctrl$iter.max
    res$lr <- test_entry(2 * diff(fit$loglik), df)
    res$score <- test_entry(fit$score, df)
    res$wald <- test_entry(coxph.wtest(naive[nabeta, nabeta], coef[nabeta], ctrl$toler.chol)$test, df)
    if (robust) {
      res$robust_wald <- test_entry(coxph.wtest(fit$var[nabeta, nabeta], coef[nabeta], ctrl$toler.chol)$test, df)
      res$robust_score <- test_entry(fit$rscore, df)
    }
  } else {
    # coxpenal.fit: iter = c(outer, inner Newton); penalty = c(at first outer iteration, final);
    # loglik[2] is the UNPENALISED log partial likelihood at the estimate. Its tests use the
    # effective df (sum(fit$df)); coxph reports no score test for penalised fits.
    res$iter <- sc(fit$iter[2])
    res$iter_outer <- sc(fit$iter[1])
    res$converged <- fit$iter[2] < ctrl$iter.max
    res$penalty <- sc(fit$penalty[2])
    res$df_effective <- num(fit$df)
    res$lr <- test_entry(2 * diff(fit$loglik), sum(fit$df))
    res$wald <- test_entry(fit$wald.test, sum(fit$df))
  }
  cc <- fit$concordance
  res$concordance <- list(concordant = sc(cc[["concordant"]]), discordant = sc(cc[["discordant"]]),
                          tied_x = sc(cc[["tied.x"]]), tied_y = sc(cc[["tied.y"]]),
                          tied_xy = sc(cc[["tied.xy"]]), C = sc(cc[["concordance"]]))
  res$warnings <- I(warns)
  # survfit.coxph predictions, one newdata row at a time (a stratified model then gives the curve of
  # that row's stratum). ctype defaults: 2 (Efron) / 1 (Breslow); stype 2: S = exp(-H).
  # On a robust fit survfit.coxph plugs fit$var -- which coxph has replaced by the SANDWICH -- into
  # the coefficient term of var(H) (the baseline term stays model-based). latefuse's predictSurvival
  # always uses the model-based variance (as tests/cpp/test_cox_reference.cpp expects), so the
  # golden predictions come from the fit with its model variance restored; R's default on the
  # robust object is kept as std_err_robust_var for reference only.
  fit_model_var <- fit
  if (robust) { fit_model_var$var <- fit$naive.var; fit_model_var$naive.var <- NULL }
  preds <- list()
  for (k in seq_len(nrow(newdata))) {
    nd <- newdata[k, , drop = FALSE]
    sf <- survfit(fit_model_var, newdata = nd, conf.type = "log", conf.int = 0.95)
    sm <- summary(sf, times = times)
    stopifnot(length(sm$surv) == length(times))
    p <- list(x = num(unlist(nd[1, covariates])), times = num(times),
              surv = num(sm$surv), std_err = num(sm$std.err), lower = num(sm$lower), upper = num(sm$upper),
              cumhaz = num(sm$cumhaz))
    if (robust) {
      smr <- summary(survfit(fit, newdata = nd, conf.type = "log", conf.int = 0.95), times = times)
      stopifnot(isTRUE(all.equal(smr$surv, sm$surv, tolerance = 1e-14)))
      p$std_err_robust_var <- num(smr$std.err)
    }
    if (stratified) p$stratum <- sc(nd$strat)
    preds[[k]] <- p
  }
  res$predictions <- preds

  data <- list(time = num(d$time), event = num(d$event),
               x = setNames(lapply(covariates, function(v) num(d[[v]])), covariates))
  if (weighted) data$weights <- num(d$w)
  if (stratified) data$strata <- num(d$strat)
  opts <- list(ties = ties, robust = robust)
  if (!is.null(ridge)) opts$ridge <- lapply(ridge, function(v) if (is.numeric(v)) sc(v) else v)
  cat(sprintf("%-28s n=%4d events=%4d iter=%s  coef: %s\n", name, fit$n, fit$nevent,
              paste(fit$iter, collapse = "/"), paste(signif(coef, 6), collapse = " ")))
  if (length(warns)) cat("   R warnings:", warns, sep = "\n   ")
  list(name = name, description = description, covariates = I(covariates), data = data,
       options = opts, r = res)
}

# ---- data --------------------------------------------------------------------------------------
rd <- function(f) read.csv(file.path("tests/data", f), stringsAsFactors = FALSE)
cases <- list()

# pbc, trial patients (rows 1-312); event = death (status 2), transplant (1) censored.
pbc <- rd("pbc.csv")[1:312, ]
pbc <- data.frame(time = pbc$time, event = as.integer(pbc$status == 2), age = pbc$age, edema = pbc$edema,
                  logbili = log(pbc$bili), albumin = pbc$albumin, protime = pbc$protime,
                  strat = as.integer(factor(pbc$sex, levels = c("f", "m"))))
pbc <- pbc[stats::complete.cases(pbc), ]
pcov <- c("age", "edema", "logbili", "albumin", "protime")
pnew <- data.frame(age = c(50, 60), edema = c(0, 0.5), logbili = c(0, log(3)), albumin = c(3.5, 3.0),
                   protime = c(10.5, 11.5), strat = c(1L, 2L))
ptimes <- c(1000, 2000, 3000)
cases[[length(cases) + 1]] <- make_case("pbc_efron", "pbc rows 1-312, death; Efron", pbc, pcov,
                                        newdata = pnew, times = ptimes)
cases[[length(cases) + 1]] <- make_case("pbc_efron_robust", "pbc rows 1-312, death; Efron, robust", pbc, pcov,
                                        robust = TRUE, newdata = pnew, times = ptimes)
cases[[length(cases) + 1]] <- make_case("pbc_breslow_robust", "pbc rows 1-312, death; Breslow, robust", pbc, pcov,
                                        ties = "breslow", robust = TRUE, newdata = pnew, times = ptimes)
cases[[length(cases) + 1]] <- make_case("pbc_strata_sex_efron_robust",
                                        "pbc rows 1-312, death; strata(sex) (f = 1, m = 2); Efron, robust",
                                        pbc, pcov, robust = TRUE, stratified = TRUE, newdata = pnew, times = ptimes)

# rotterdam: relapse (rtime / recur); size as dummies (reference "<=20").
rot <- rd("rotterdam.csv")
rot <- data.frame(time = rot$rtime, event = rot$recur, age = rot$age, meno = rot$meno, grade = rot$grade,
                  nodes = rot$nodes, pgr = rot$pgr, er = rot$er, hormon = rot$hormon, chemo = rot$chemo,
                  size20_50 = as.integer(rot$size == "20-50"), size_gt50 = as.integer(rot$size == ">50"))
rot <- rot[stats::complete.cases(rot), ]
rcov <- c("age", "meno", "grade", "nodes", "pgr", "er", "hormon", "chemo", "size20_50", "size_gt50")
rnew <- data.frame(age = c(55, 45), meno = c(1, 0), grade = c(3, 2), nodes = c(0, 4), pgr = c(40, 150),
                   er = c(50, 200), hormon = c(0, 1), chemo = c(0, 1), size20_50 = c(0, 1), size_gt50 = c(0, 0))
rtimes <- c(1000, 2500, 4000)
cases[[length(cases) + 1]] <- make_case("rotterdam_efron_robust", "rotterdam relapse; Efron, robust", rot, rcov,
                                        robust = TRUE, newdata = rnew, times = rtimes)
cases[[length(cases) + 1]] <- make_case("rotterdam_breslow", "rotterdam relapse; Breslow", rot, rcov,
                                        ties = "breslow", newdata = rnew, times = rtimes)

# gbsg: rfstime / status; deterministic case weights w = 1 + (row %% 3) / 2 (row = 1..n).
gb <- rd("gbsg.csv")
gb <- data.frame(time = gb$rfstime, event = gb$status, age = gb$age, meno = gb$meno, size = gb$size,
                 grade = gb$grade, nodes = gb$nodes, pgr = gb$pgr, er = gb$er, hormon = gb$hormon)
gb <- gb[stats::complete.cases(gb), ]
gb$w <- 1 + (seq_len(nrow(gb)) %% 3) / 2
gcov <- c("age", "meno", "size", "grade", "nodes", "pgr", "er", "hormon")
gnew <- data.frame(age = c(50, 65), meno = c(0, 1), size = c(25, 40), grade = c(2, 3), nodes = c(3, 10),
                   pgr = c(30, 5), er = c(40, 10), hormon = c(1, 0))
gtimes <- c(500, 1000, 2000)
cases[[length(cases) + 1]] <- make_case("gbsg_efron_weighted_robust",
                                        "gbsg; Efron, case weights w = 1 + (row %% 3)/2, robust", gb, gcov,
                                        robust = TRUE, weighted = TRUE, newdata = gnew, times = gtimes)
cases[[length(cases) + 1]] <- make_case("gbsg_ridge10_scaled", "gbsg; Efron, ridge(theta = 10, scale = TRUE)",
                                        gb, gcov, ridge = list(theta = 10, scale = TRUE),
                                        newdata = gnew, times = gtimes)
cases[[length(cases) + 1]] <- make_case("gbsg_ridge5_unscaled", "gbsg; Efron, ridge(theta = 5, scale = FALSE)",
                                        gb, gcov, ridge = list(theta = 5, scale = FALSE),
                                        newdata = gnew, times = gtimes)

# colon: death records only (etype 2); rx as dummies (reference "Obs"); strata(extent) (1..4).
co <- rd("colon.csv")
co <- co[co$etype == 2, ]
co <- data.frame(time = co$time, event = co$status, age = co$age, sex = co$sex, obstruct = co$obstruct,
                 nodes = co$nodes, rxLev = as.integer(co$rx == "Lev"), rxLev5FU = as.integer(co$rx == "Lev+5FU"),
                 strat = as.integer(co$extent))
co <- co[stats::complete.cases(co), ]
co$w <- 1 + (seq_len(nrow(co)) %% 3) / 2
ccov <- c("age", "sex", "obstruct", "nodes", "rxLev", "rxLev5FU")
cnew <- data.frame(age = c(60, 45), sex = c(1, 0), obstruct = c(0, 1), nodes = c(2, 6), rxLev = c(0, 0),
                   rxLev5FU = c(1, 0), strat = c(3L, 2L))
ctimes <- c(500, 1500, 2500)
cases[[length(cases) + 1]] <- make_case("colon_death_strata_extent_efron", "colon deaths; strata(extent); Efron",
                                        co, ccov, stratified = TRUE, newdata = cnew, times = ctimes)
cases[[length(cases) + 1]] <- make_case("colon_death_strata_weighted_robust",
                                        "colon deaths; strata(extent); Efron; case weights w = 1 + (row %% 3)/2; robust",
                                        co, ccov, stratified = TRUE, weighted = TRUE, robust = TRUE,
                                        newdata = cnew, times = ctimes)

# lung: the 227 complete cases of test_cox_reference.cpp; lifelines penalizer 0.5 = ridge(theta = n * 0.5,
# scale = TRUE), with strata(sex) (1 = male, 2 = female).
lu <- rd("lung.csv")
lu <- data.frame(time = lu$time, event = as.integer(lu$status == 2), age = lu$age, ph.ecog = lu$ph.ecog,
                 strat = as.integer(lu$sex))
lu <- lu[stats::complete.cases(lu), ]
stopifnot(nrow(lu) == 227)
lnew <- data.frame(age = c(60, 70), ph.ecog = c(1, 2), strat = c(2L, 1L))
lcase <- make_case("lung_strata_sex_ridge_lifelines05",
                   "lung 227 complete cases; strata(sex); ridge(age, ph.ecog, theta = 227 * 0.5, scale = TRUE) = lifelines penalizer 0.5",
                   lu, c("age", "ph.ecog"), stratified = TRUE, ridge = list(theta = nrow(lu) * 0.5, scale = TRUE),
                   newdata = lnew, times = c(180, 365))
lcase$options$ridge$lifelines_penalizer <- sc(0.5)
cases[[length(cases) + 1]] <- lcase

golden <- c(list(generator = "tests/r/cox_golden.R"), golden_versions("survival"), list(
  notes = paste(
    "se = sqrt(diag(naive (model) variance)); robust_se = sqrt(diag(sandwich)).",
    "loglik = [at init (beta = 0), at estimate], unpenalised. Tests: stat, df, p (chi-square upper tail).",
    "For ridge cases df is R's effective df and there is no score test; iter is the inner Newton count.",
    "predictions: survfit.coxph(conf.type = 'log') at x (covariate order) and times; std_err is se of S,",
    "always with the MODEL-based coefficient variance (for robust fits R's survfit default would plug in",
    "the sandwich; that std.err is given as std_err_robust_var, not compared);",
    "stratum is the integer stratum label of that row."),
  cases = cases))
dir.create(dirname(out_file), showWarnings = FALSE, recursive = TRUE)
write_json(golden, out_file, auto_unbox = TRUE, digits = NA, na = "null", json_verbatim = TRUE, pretty = FALSE)
cat("wrote", out_file, "with", length(cases), "cases;", R.version.string, "survival", as.character(packageVersion("survival")), "\n")
