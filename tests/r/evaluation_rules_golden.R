# Golden-file generator: the rules an evaluation applies around the statistics — the default
# horizons, R's cut of a score at its own quantiles (the risk groups), and the one-hot dummies of a
# categorical column at scoring time — for tests/cpp/test_evaluation_rules.cpp (horizons.hpp,
# risk_groups.hpp, categorical.hpp applyEncoding) and tests/js/evaluation_rules.test.js (the same
# through the WebAssembly module).
#
# Run from the repository root:   Rscript tests/r/evaluation_rules_golden.R
# Writes tests/golden/evaluation_rules.json (R and package versions recorded in the file and in
# tests/r/README.md).
#
# Default horizons: signif(quantile(event times, c(.25, .5, .75), type = 7), 3), kept when > 0,
# >= min(time), < max(time) and larger than the one kept before.
# Risk groups: cut(score, unique(quantile(score, c(0, probs, 1), type = 7)), include.lowest = TRUE),
# codes 0-based; the cut-points are the inner breaks. A constant score is one group (code 0).
# Dummies: model.matrix(~ f) with f = factor(cells, levels) and the reference level as the base
# (contr.treatment), NA rows kept (na.pass); a text that is not a level is scored as the reference.
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

out_file <- "tests/golden/evaluation_rules.json"
if (!file.exists("tests/data/lung.csv")) stop("run from the repository root: Rscript tests/r/evaluation_rules_golden.R")

A <- function(x) I(as.numeric(x))

horizon_case <- function(name, time, event) {
  keep <- !is.na(time) & !is.na(event)
  time <- time[keep]
  event <- event[keep]
  h <- numeric(0)
  if (!any(event == 1)) return(list(name = name, time = A(time), event = A(event), horizons = A(h)))
  q <- signif(quantile(time[event == 1], c(0.25, 0.5, 0.75), type = 7, names = FALSE), 3)
  for (t in q) if (t > 0 && t >= min(time) && t < max(time) && (length(h) == 0 || t > h[length(h)])) h <- c(h, t)
  list(name = name, time = A(time), event = A(event), horizons = A(h))
}

cut_case <- function(name, score, probs) {
  score <- score[!is.na(score)]
  breaks <- unique(quantile(score, c(0, probs, 1), type = 7, names = FALSE))
  codes <- if (length(breaks) == 1) rep(0L, length(score)) else as.integer(cut(score, breaks, include.lowest = TRUE)) - 1L
  list(name = name, score = A(score), probs = A(probs), cutpoints = A(breaks[-c(1, length(breaks))]), codes = I(codes))
}

encoding_case <- function(name, column, levels, reference, cells) {
  known <- !is.na(cells) & cells %in% levels
  f <- factor(ifelse(is.na(cells), NA, ifelse(known, cells, reference)), levels = levels)
  f <- relevel(f, ref = reference)
  mf <- model.frame(~f, data.frame(f = f), na.action = na.pass)
  mm <- model.matrix(~f, mf)
  others <- levels[levels != reference]
  values <- lapply(others, function(l) A(mm[, paste0("f", l)]))
  list(name = name, encoding = list(column = column, levels = I(levels), reference = reference),
       cells = I(cells), dummies = I(paste0(column, "=", others)), values = values,
       unseen = I(which(!is.na(cells) & !known) - 1L))
}

lung <- read.csv("tests/data/lung.csv")
gbsg <- read.csv("tests/data/gbsg.csv")
veteran <- read.csv("tests/data/veteran.csv")
colon <- read.csv("tests/data/colon.csv")
sim <- read.csv("tests/data/sim_survival.csv")
pbc <- read.csv("tests/data/pbc.csv")

horizons <- list(
  horizon_case("lung", lung$time, as.numeric(lung$status == 2)),
  horizon_case("gbsg", gbsg$rfstime, gbsg$status),
  horizon_case("veteran", veteran$time, veteran$status),
  horizon_case("colon", colon$time, colon$status),
  horizon_case("sim_survival", sim$time, sim$event),
  horizon_case("pbc_death", pbc$time, as.numeric(pbc$status == 2)),
  # Years: the quartiles have decimals, rounded to 3 significant digits.
  horizon_case("lung_years", lung$time / 365.25, as.numeric(lung$status == 2)),
  # Every event at the longest time: no quartile lies below it, no horizon.
  horizon_case("events_last", c(1, 2, 3, 10, 10), c(0, 0, 0, 1, 1)),
  horizon_case("no_events", c(1, 2, 3), c(0, 0, 0))
)

cuts <- list(
  cut_case("lung_age_median", lung$age, 0.5),
  cut_case("lung_age_tertiles", lung$age, c(1 / 3, 2 / 3)),
  # Few distinct values: tied quantiles merge groups.
  cut_case("lung_ecog_tertiles", lung$ph.ecog, c(1 / 3, 2 / 3)),
  cut_case("lung_ecog_median", lung$ph.ecog, 0.5),
  cut_case("veteran_karno_tertiles", veteran$karno, c(1 / 3, 2 / 3)),
  cut_case("gbsg_nodes_tertiles", gbsg$nodes, c(1 / 3, 2 / 3)),
  cut_case("pbc_bili_quartiles", pbc$bili, c(0.25, 0.5, 0.75)),
  cut_case("constant", c(2, 2, 2, 2), c(1 / 3, 2 / 3)),
  cut_case("binary_score", c(0, 1, 0, 0, 1, 0, 0), 0.5)
)

encodings <- list(
  encoding_case("veteran_celltype", "celltype", sort(unique(veteran$celltype)), "smallcell",
                c(veteran$celltype[1:12], NA, "giant", "unknown-type", veteran$celltype[20:24])),
  encoding_case("pbc_sex", "sex", c("f", "m"), "f", c(pbc$sex[1:10], NA, "x")),
  encoding_case("colon_rx", "rx", c("Lev", "Lev+5FU", "Obs"), "Obs", colon$rx[1:30])
)

out <- list(
  R_version = R.version.string,
  survival_version = as.character(packageVersion("survival")),
  jsonlite_version = as.character(packageVersion("jsonlite")),
  horizons = horizons,
  cuts = cuts,
  encodings = encodings
)
write_json(out, out_file, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null")
cat("wrote", out_file, "\n")
