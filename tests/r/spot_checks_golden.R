# Golden-file generator: R's full-precision numbers for checks that used to assert only that a field
# exists or that a value lies within a loose tolerance (tests/js/cli.test.js, tests/js/stats.test.js,
# tests/cpp/test_cox_degenerate.cpp, tests/cpp/test_feature_selection.cpp).
#
# Run from the repository root:   Rscript tests/r/spot_checks_golden.R
# Writes tests/golden/spot_checks.json (R and package versions recorded in the file and in
# tests/r/README.md). Reads only tests/data/lung.csv.
suppressPackageStartupMessages(library(survival))

out_file <- "tests/golden/spot_checks.json"
if (!file.exists("tests/data/lung.csv")) stop("run from the repository root: Rscript tests/r/spot_checks_golden.R")
source("tests/r/golden_json.R")
lung <- read.csv("tests/data/lung.csv")
lung$event <- as.integer(lung$status == 2)

# `latefuse cox --covariates age,sex,ph.ecog --robust`: every field of the output. With robust = TRUE,
# summary.coxph's z, p and HR interval use the robust SE (Lin & Wei 1989).
fit <- coxph(Surv(time, event) ~ age + sex + ph.ecog, data = lung, robust = TRUE)
s <- summary(fit)
rse <- sqrt(diag(fit$var))
z <- qnorm(0.975)
cox_lung_robust <- list(
  coef = A(coef(fit)), se = A(sqrt(diag(fit$naive.var))), robust_se = A(rse),
  hr = A(exp(coef(fit))), hr_lower = A(s$conf.int[, "lower .95"]), hr_upper = A(s$conf.int[, "upper .95"]),
  z = A(s$coefficients[, "z"]), p = A(s$coefficients[, "Pr(>|z|)"]),
  iterations = fit$iter,
  score_test = list(statistic = unname(fit$score), df = 3, p = pchisq(unname(fit$score), 3, lower.tail = FALSE)),
  wald_test_model = list(statistic = as.numeric(t(coef(fit)) %*% solve(fit$naive.var) %*% coef(fit)), df = 3),
  robust_score_test = list(statistic = unname(s$robscore["test"]), p = unname(s$robscore["pvalue"])),
  wald_test_robust = list(statistic = as.numeric(t(coef(fit)) %*% solve(fit$var) %*% coef(fit)), df = 3)
)
for (w in c("wald_test_model", "wald_test_robust"))
  cox_lung_robust[[w]]$p <- pchisq(cox_lung_robust[[w]]$statistic, 3, lower.tail = FALSE)

# `latefuse concordance --score ph.ecog` (higher score = higher risk: reverse = TRUE).
cc <- concordance(Surv(time, event) ~ ph.ecog, data = lung, reverse = TRUE)
concordance_ecog <- list(n = cc$n, c = unname(cc$concordance), concordant = unname(cc$count["concordant"]),
                         discordant = unname(cc$count["discordant"]), tied_x = unname(cc$count["tied.x"]),
                         tied_y = unname(cc$count["tied.y"]), tied_xy = unname(cc$count["tied.xy"]))

# Univariate Cox of age on lung's 228 rows (feature screening): Wald and likelihood-ratio p.
u <- coxph(Surv(time, event) ~ age, data = lung)
us <- summary(u)
univariate_age <- list(n = u$n, coef = unname(coef(u)), se = unname(sqrt(diag(u$var))),
                       wald_p = unname(us$coefficients[, "Pr(>|z|)"]),
                       lr_statistic = unname(us$logtest["test"]), lr_p = unname(us$logtest["pvalue"]))

# Monotone likelihood: g = 1 for the first 10 of 20 subjects, who all fail first; z = sin(i).
# R stops when the log-likelihood converges (coefficient "may be infinite"); the other coefficient is
# estimated at that point.
i <- 1:20
sep <- data.frame(time = i, event = ifelse(i <= 10, 1, ifelse((i - 1) %% 2 == 0, 1, 0)),
                  g = ifelse(i <= 10, 1, 0), z = sin(i))
sf <- suppressWarnings(coxph(Surv(time, event) ~ g + z, data = sep, robust = TRUE))
separation <- list(coef = A(coef(sf)), se = A(sqrt(diag(sf$naive.var))), iterations = sf$iter,
                   loglik = A(sf$loglik))

golden <- c(golden_versions("survival"), list(
  cox_lung_robust = cox_lung_robust,
  concordance_ecog = concordance_ecog,
  univariate_age = univariate_age,
  separation = separation
))
write_json(golden, out_file, digits = NA, auto_unbox = TRUE, na = "null", null = "null", pretty = TRUE)
cat("wrote", out_file, "\n")
