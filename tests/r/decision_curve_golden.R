# Golden-file generator: decision curve analysis (net benefit) for tests/cpp/test_decision_curve.cpp
# and tests/js/decision_curve.test.js.
#
# Run from the repository root:   Rscript tests/r/decision_curve_golden.R
# Writes tests/golden/decision_curve.json (R and package versions recorded in the file and in
# tests/r/README.md).
#
# The formula is transcribed here from the papers, with the Kaplan-Meier estimate taken from
# survival::survfit — never from LateFuse's output:
#  * survival at horizon t (Vickers, Cronin, Elkin & Gonen, BMC Med Inform Decis Mak 2008):
#      x = #{risk >= p_t} / n,  S_x = survfit(Surv(time, event) ~ 1) of those patients at t,
#      NB = (1 - S_x) x - S_x x p_t / (1 - p_t);  no patient at or above p_t: NB = 0;
#      S_x undefined (NA) when their follow-up ends before t with S > 0 (no extrapolation);
#      treat all: the same with every patient (x = 1).
#  * binary (Vickers & Elkin, Med Decis Making 2006): NB = TP/n - FP/n p_t / (1 - p_t);
#      treat all = prevalence - (1 - prevalence) p_t / (1 - p_t).
# Thresholds are (1:99) / 100, the same doubles as LateFuse's k / 100.0. Every case carries its own
# data; risks are rounded to 15 significant digits BEFORE anything is computed (write_json with
# digits = NA writes 15), so the file holds exactly the numbers R used.
suppressPackageStartupMessages(library(survival))

out_file <- "tests/golden/decision_curve.json"
if (!file.exists("tests/data/lung.csv")) stop("run from the repository root: Rscript tests/r/decision_curve_golden.R")
source("tests/r/golden_json.R")

thresholds <- (1:99) / 100

km_at <- function(time, event, t) {
  fit <- survfit(Surv(time, event) ~ 1)
  last <- length(fit$time)
  if (fit$time[last] < t && fit$surv[last] > 0) return(NA_real_)  # undefined beyond the follow-up
  summary(fit, times = t, extend = TRUE)$surv
}

survival_case <- function(name, time, event, risk, horizon) {
  risk <- s15(risk)
  n <- length(time)
  nb <- sapply(thresholds, function(p) {
    pos <- risk >= p
    if (!any(pos)) return(0)
    x <- sum(pos) / n
    s <- km_at(time[pos], event[pos], horizon)
    (1 - s) * x - s * x * p / (1 - p)
  })
  s_all <- km_at(time, event, horizon)
  treat_all <- (1 - s_all) - s_all * thresholds / (1 - thresholds)
  list(name = name, outcome_type = "survival", horizon = horizon,
       data = list(time = A(time), event = A(event), risk = A(risk)),
       thresholds = A(thresholds), net_benefit = A(nb), treat_all = A(treat_all),
       treated = A(sapply(thresholds, function(p) sum(risk >= p))))
}

binary_case <- function(name, y, probability) {
  probability <- s15(probability)
  n <- length(y)
  nb <- sapply(thresholds, function(p) {
    pos <- probability >= p
    sum(pos & y == 1) / n - sum(pos & y == 0) / n * p / (1 - p)
  })
  prev <- mean(y == 1)
  list(name = name, outcome_type = "binary",
       data = list(outcome = A(y), probability = A(probability)),
       thresholds = A(thresholds), net_benefit = A(nb), treat_all = A(prev - (1 - prev) * thresholds / (1 - thresholds)),
       treated = A(sapply(thresholds, function(p) sum(probability >= p))))
}

cases <- list()

# lung: Cox risk of death by one year from age, sex and ph.ecog (227 complete cases).
lung <- read.csv("tests/data/lung.csv")
lung <- lung[complete.cases(lung[, c("time", "status", "age", "sex", "ph.ecog")]), ]
lung$event <- as.integer(lung$status == 2)
fit <- coxph(Surv(time, event) ~ age + sex + ph.ecog, data = lung)
risk365 <- 1 - c(summary(survfit(fit, newdata = lung), times = 365)$surv)
cases[[length(cases) + 1]] <- survival_case("lung_cox_365", lung$time, lung$event, risk365, 365)

# lung at 900 days: a late horizon (few patients still followed); at the top thresholds nobody is
# treated and NB = 0.
risk900 <- 1 - c(summary(survfit(fit, newdata = lung), times = 900)$surv)
cases[[length(cases) + 1]] <- survival_case("lung_cox_900", lung$time, lung$event, risk900, 900)

# Tied risks that equal grid thresholds exactly (0.2, 0.4, 0.6 from ph.ecog): risk >= p_t includes
# the patients whose risk equals p_t.
tied <- c(0.2, 0.4, 0.6, 0.6)[lung$ph.ecog + 1]
cases[[length(cases) + 1]] <- survival_case("lung_tied_thresholds", lung$time, lung$event, tied, 365)

# gbsg: recurrence-free survival at 5 years (1825 days), Cox on the clinical covariates. The
# follow-up of the few highest-risk patients ends before 1825 days with S > 0, so the net benefit is
# undefined (null) at a few high thresholds.
gbsg <- read.csv("tests/data/gbsg.csv")
gfit <- coxph(Surv(rfstime, status) ~ age + meno + size + grade + nodes + pgr + er + hormon, data = gbsg)
grisk <- 1 - c(summary(survfit(gfit, newdata = gbsg), times = 1825)$surv)
cases[[length(cases) + 1]] <- survival_case("gbsg_cox_1825", gbsg$rfstime, gbsg$status, grisk, 1825)

# Binary: death within a year among lung patients followed for a year or who died before it.
lb <- lung[lung$time >= 365 | lung$event == 1, ]
lb$y <- as.integer(lb$time < 365 & lb$event == 1)
gl <- glm(y ~ age + sex + ph.ecog, family = binomial, data = lb, control = glm.control(epsilon = 1e-14))
cases[[length(cases) + 1]] <- binary_case("lung_death_1y_glm", lb$y, fitted(gl))

golden <- c(golden_versions("survival"), list(
  cases = cases
))
write_json(golden, out_file, digits = NA, auto_unbox = TRUE, pretty = FALSE, na = "null")
cat("wrote", out_file, "with", length(cases), "cases\n")
for (cs in cases) cat(sprintf("  %-22s n = %4d  NA net benefit at %d thresholds\n", cs$name,
                              length(cs$data[[1]]), sum(is.na(cs$net_benefit))))
