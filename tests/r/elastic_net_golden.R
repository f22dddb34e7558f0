# Golden-file generator: elastic-net Cox (R glmnet, family = "cox") parity cases for
# tests/cpp/test_elastic_net.cpp.
#
# Run from the repository root:   Rscript tests/r/elastic_net_golden.R
# Writes tests/golden/elastic_net.json (versions recorded inside and in tests/r/README.md).
#
# glmnet 4.1's Fortran coxnet does not reproduce Breslow's partial likelihood when event times are
# tied, so the lung times are jittered: time + U(0, 0.01) with set.seed(2), rounded to 6 decimals
# (so that the JSON, written with 15 significant digits, holds the exact doubles R fitted). Every
# case is self-contained: it carries the data (time, event 0/1, covariate columns, weights), the
# options and glmnet's answer. glmnet is run with thresh = 1e-14 so that its answer is exact to far
# below the 1e-5 parity tolerance (the default 1e-7 leaves ~1e-4 in the coefficients).
suppressPackageStartupMessages({
  library(survival)
  library(glmnet)
})

out_file <- "tests/golden/elastic_net.json"
if (!file.exists("tests/data/lung.csv")) stop("run from the repository root: Rscript tests/r/elastic_net_golden.R")
source("tests/r/golden_json.R")

lung <- read.csv("tests/data/lung.csv")
covs <- c("age", "sex", "ph.ecog", "ph.karno", "pat.karno", "meal.cal", "wt.loss")
d <- lung[stats::complete.cases(lung[, c("time", "status", covs)]), c("time", "status", covs)]
set.seed(2)
d$time <- round(d$time + runif(nrow(d), 0, 0.01), 6)
d$event <- as.numeric(d$status == 2)
stopifnot(!any(duplicated(d$time)))
x_lung <- as.matrix(d[, covs])
y_lung <- Surv(d$time, d$event)

# A p > n data set: the first 80 jittered lung rows, their 7 covariates and 120 N(0, 1) noise
# columns (rounded to 6 decimals), so the default lambda.min.ratio is 1e-2.
set.seed(11)
noise <- matrix(round(rnorm(80 * 120), 6), 80, 120, dimnames = list(NULL, sprintf("noise%03d", 1:120)))
x_wide <- cbind(x_lung[1:80, ], noise)
y_wide <- y_lung[1:80]
time_wide <- d$time[1:80]
event_wide <- d$event[1:80]

set.seed(5)
w_lung <- round(runif(nrow(d), 0.5, 2), 4)

columns <- function(x) lapply(seq_len(ncol(x)), function(j) unname(x[, j]))

path_case <- function(name, description, time, event, x, alpha = 1, standardize = TRUE,
                      lambda = NULL, weights = NULL, penalty_factor = NULL, thresh = 1e-14,
                      lambda_min_ratio = NULL) {
  args <- list(x = x, y = Surv(time, event), family = "cox", alpha = alpha,
               standardize = standardize, thresh = thresh, maxit = 1e7)
  if (!is.null(lambda_min_ratio)) args$lambda.min.ratio <- lambda_min_ratio
  if (!is.null(lambda)) args$lambda <- lambda
  if (!is.null(weights)) args$weights <- weights
  if (!is.null(penalty_factor)) args$penalty.factor <- penalty_factor
  fit <- do.call(glmnet, args)
  beta <- as.matrix(fit$beta)
  list(
    name = name, description = description, kind = "path",
    time = time, event = event, names = colnames(x), x = columns(x),
    weights = if (is.null(weights)) NULL else weights,
    penalty_factor = if (is.null(penalty_factor)) NULL else penalty_factor,
    alpha = alpha, standardize = standardize, thresh = thresh,
    lambda_min_ratio = if (is.null(lambda_min_ratio)) 0 else lambda_min_ratio,
    user_lambda = !is.null(lambda),
    lambda = fit$lambda,
    beta = lapply(seq_len(ncol(beta)), function(k) unname(beta[, k])),  # one coefficient vector per lambda
    dev_ratio = fit$dev.ratio,
    null_deviance = fit$nulldev,
    df = fit$df
  )
}

cv_case <- function(name, description, time, event, x, foldid, alpha = 1, grouped = TRUE, standardize = TRUE,
                    lambda_min_ratio = ifelse(nrow(x) < ncol(x), 0.01, 1e-4)) {
  y <- Surv(time, event)
  # cv.glmnet is given the full-data lambda sequence: each fold is then fitted on exactly these
  # lambdas (no path interpolation), which is what LateFuse does. With lambda = NULL, glmnet 4.1
  # fits every fold on its own default path and interpolates coefficients linearly in lambda.
  full <- glmnet(x, y, family = "cox", alpha = alpha, standardize = standardize, thresh = 1e-14, maxit = 1e7,
                 lambda.min.ratio = lambda_min_ratio)
  cv <- cv.glmnet(x, y, family = "cox", alpha = alpha, standardize = standardize, lambda = full$lambda,
                  foldid = foldid, grouped = grouped, type.measure = "deviance", thresh = 1e-14, maxit = 1e7)
  list(
    name = name, description = description, kind = "cv",
    time = time, event = event, names = colnames(x), x = columns(x),
    alpha = alpha, standardize = standardize, grouped = grouped, foldid = foldid,
    lambda_min_ratio = lambda_min_ratio,
    lambda = cv$lambda, cvm = cv$cvm, cvsd = cv$cvsd,
    lambda_min = cv$lambda.min, lambda_1se = cv$lambda.1se,
    index_min = cv$index[1, 1], index_1se = cv$index[2, 1]
  )
}

cases <- list(
  path_case("lung_lasso_std", "jittered lung, alpha = 1, standardize, default path",
            d$time, d$event, x_lung),
  path_case("lung_enet_raw", "jittered lung, alpha = 0.5, standardize = FALSE, default path",
            d$time, d$event, x_lung, alpha = 0.5, standardize = FALSE),
  path_case("lung_ridge_user", "jittered lung, alpha = 0 (ridge), user lambdas",
            d$time, d$event, x_lung, alpha = 0, lambda = c(0.5, 0.1, 0.02, 0.004)),
  path_case("lung_enet_weights", "jittered lung, alpha = 0.8, case weights U(0.5, 2)",
            d$time, d$event, x_lung, alpha = 0.8, weights = w_lung),
  path_case("lung_lasso_pf", "jittered lung, alpha = 1, penalty.factor (age unpenalised, sex x2)",
            d$time, d$event, x_lung, penalty_factor = c(0, 2, 1, 1, 1, 1, 1)),
  path_case("lung_lasso_default_thresh", "jittered lung, alpha = 1, glmnet's default thresh 1e-7",
            d$time, d$event, x_lung, thresh = 1e-7),
  # p > n: the default path (ratio 1e-2) runs into the near-saturated tail where coordinate descent
  # needs millions of passes at thresh 1e-14, so the parity cases stop at lambda_max * 0.1 (lasso) or
  # lambda_max * 0.05 (elastic net); the
  # default ratio is checked on the lambda sequence alone (wide_default_lambda, default thresh).
  path_case("wide_lasso", "80 jittered lung rows, 7 covariates + 120 noise columns (p > n), alpha = 1",
            time_wide, event_wide, x_wide, lambda_min_ratio = 0.1),
  path_case("wide_enet", "p > n, alpha = 0.3",
            time_wide, event_wide, x_wide, alpha = 0.3, lambda_min_ratio = 0.05)
)
wide_default <- glmnet(x_wide, y_wide, family = "cox")
cases <- c(cases, list(list(
  name = "wide_default_lambda", description = "p > n, glmnet defaults: the lambda sequence (ratio 1e-2) only",
  kind = "lambda", time = time_wide, event = event_wide, names = colnames(x_wide), x = columns(x_wide),
  alpha = 1, standardize = TRUE, lambda = wide_default$lambda)))

set.seed(3)
foldid_lung <- sample(rep(1:5, length = nrow(d)))
set.seed(4)
foldid_wide <- sample(rep(1:4, length = 80))
cases <- c(cases, list(
  cv_case("cv_lung_grouped", "5-fold CV, grouped deviance", d$time, d$event, x_lung, foldid_lung),
  cv_case("cv_lung_ungrouped", "5-fold CV, ungrouped deviance", d$time, d$event, x_lung, foldid_lung, grouped = FALSE),
  cv_case("cv_wide_enet", "4-fold CV on p > n, alpha = 0.5, grouped, lambda.min.ratio 0.05", time_wide, event_wide, x_wide,
          foldid_wide, alpha = 0.5, lambda_min_ratio = 0.05)
))

golden <- c(list(generator = "tests/r/elastic_net_golden.R"), golden_versions(c("glmnet", "survival")), list(
  notes = paste("lung complete cases over", paste(covs, collapse = ", "),
                "; time jittered by U(0, 0.01) (set.seed(2)) and rounded to 6 decimals; event = status == 2."),
  cases = cases
))
write_json(golden, out_file, digits = NA, auto_unbox = TRUE, null = "null", pretty = FALSE)
cat("wrote", out_file, "with", length(cases), "cases;", R.version.string, "glmnet", as.character(packageVersion("glmnet")), "\n")
