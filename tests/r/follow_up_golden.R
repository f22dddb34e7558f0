# Golden-file generator: median follow-up by the reverse Kaplan-Meier method and missing cells per
# modality, for tests/cpp/test_follow_up.cpp (cpp/latefuse/follow_up.hpp).
#
# Run from the repository root:   Rscript tests/r/follow_up_golden.R
# Writes tests/golden/follow_up.json (R and package versions recorded in the file and in
# tests/r/README.md).
#
# Reverse Kaplan-Meier (Schemper & Smith, Control Clin Trials 1996): the Kaplan-Meier curve of the
# censoring times, survfit(Surv(time, 1 - event) ~ 1), and its median with quantile(fit, 0.5)
# (conf.type "log", 95%). Missing cells: for each modality (columns <modality>_*), the patients with
# at least one non-missing cell of it, their cells and how many of those are NA.
suppressPackageStartupMessages(library(survival))

out_file <- "tests/golden/follow_up.json"
if (!file.exists("tests/data/lung.csv")) stop("run from the repository root: Rscript tests/r/follow_up_golden.R")
source("tests/r/golden_json.R")

follow_up_case <- function(name, time, event) {
  keep <- !is.na(time) & !is.na(event)
  time <- time[keep]
  event <- event[keep]
  fit <- survfit(Surv(time, 1 - event) ~ 1)
  q <- quantile(fit, 0.5)
  list(name = name, data = list(time = A(time), event = A(event)),
       n = length(time), censored = sum(1 - event),
       median = unname(q$quantile), lower = unname(q$lower), upper = unname(q$upper))
}

lung <- read.csv("tests/data/lung.csv")
gbsg <- read.csv("tests/data/gbsg.csv")
veteran <- read.csv("tests/data/veteran.csv")
sim <- read.csv("tests/data/sim_survival.csv")
cases <- list(
  follow_up_case("lung", lung$time, as.numeric(lung$status == 2)),
  follow_up_case("gbsg", gbsg$rfstime, gbsg$status),
  # Nearly every patient dies: the censoring curve does not reach 0.5, the median is NA.
  follow_up_case("veteran", veteran$time, veteran$status),
  follow_up_case("sim_survival", sim$time, sim$event)
)

# Missing cells: lung's columns with NAs in two made-up modalities (performance: ph.ecog, ph.karno,
# pat.karno; nutrition: meal.cal, wt.loss); a patient has a modality when any of its cells is present.
groups <- list(performance = c("ph.ecog", "ph.karno", "pat.karno"), nutrition = c("meal.cal", "wt.loss"))
missing <- lapply(names(groups), function(m) {
  x <- as.matrix(lung[, groups[[m]], drop = FALSE])
  has <- rowSums(!is.na(x)) > 0
  list(modality = m, columns = I(groups[[m]]), patients = sum(has), cells = sum(has) * ncol(x), missing = sum(is.na(x[has, , drop = FALSE])))
})
missing_data <- lapply(unlist(groups), function(col) A(lung[[col]]))
names(missing_data) <- unlist(groups)

out <- c(golden_versions("survival"), list(
  cases = cases,
  missing_cells = list(data = missing_data, modalities = missing)
))
write_json(out, out_file, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null")
cat("wrote", out_file, "\n")
