# Golden file for the input-class tests (docs/inputs.md): what R's survival package answers for
# the awkward inputs whose correct answer is a number, not an error.
#
# Run from the repository root:   Rscript tests/r/inputs_golden.R
# Writes tests/golden/inputs.json (versions recorded in it and in tests/r/README.md).
#
# all_events: tests/data/lung.csv with its status column replaced by 1 for every patient (every
# patient had the event, coded 0/1). R's Surv() reads an all-1 status as 0/1 coding (1/2 coding
# only when the values are exactly 1 and 2), so every patient is an event.
suppressPackageStartupMessages(library(survival))
if (!file.exists("tests/data/lung.csv")) stop("run from the repository root: Rscript tests/r/inputs_golden.R")
source("tests/r/golden_json.R")

lung <- read.csv("tests/data/lung.csv")
lung$status <- 1

km <- survfit(Surv(time, status) ~ 1, data = lung, conf.type = "log")
km_table <- summary(km)$table
at <- summary(km, times = c(180, 365))

fit <- coxph(Surv(time, status) ~ age + sex, data = lung, ties = "efron")

out <- c(golden_versions("survival"), list(
  all_events = list(
    data = "tests/data/lung.csv, status set to 1 for every row",
    km = list(
      n = unname(km_table["records"]),
      events = unname(km_table["events"]),
      median = unname(km_table["median"]),
      median_lower = unname(km_table["0.95LCL"]),
      median_upper = unname(km_table["0.95UCL"]),
      times = at$time,
      surv = at$surv
    ),
    cox_age_sex = list(
      n = fit$n,
      events = fit$nevent,
      coef = unname(coef(fit)),
      se = unname(sqrt(diag(vcov(fit)))),
      loglik = fit$loglik
    )
  )
))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/golden/inputs.json")
