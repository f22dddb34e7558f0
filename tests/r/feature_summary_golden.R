# Golden-file generator: the model file's "features" section (cpp/latefuse/feature_summary.hpp) for
# tests/js/features.test.js.
#
# Run from the repository root:   Rscript tests/r/feature_summary_golden.R
# Writes tests/golden/feature_summary.json: a small self-contained cohort (made here with a fixed
# seed: ids, time, event, a train/test split, two modalities with a continuous, a count, a binary,
# a categorical and a column with missing cells) and, per raw feature, what R finds on the TRAINING
# rows with a value: type (binary when every value is 0 or 1; categorical for the text column, with
# its levels in byte order), the number of patients with a value, min, max and
# quantile(type = 7, probs = c(0.01, 0.99)). Numbers are rounded to 4 decimals before anything is
# computed, so the file holds exactly the data R used. R and package versions are recorded in the file.
source("tests/r/golden_json.R")

set.seed(20261207)
n <- 150
id <- sprintf("P%03d", seq_len(n))
age <- round(rnorm(n, 61, 11), 1)
nodes <- rpois(n, 3)
er <- rbinom(n, 1, 0.6)
grade <- sample(c("III", "I", "II"), n, replace = TRUE, prob = c(0.4, 0.25, 0.35))
ki67 <- round(rlnorm(n, 2.5, 0.6), 4)
age[c(5, 17, 40)] <- NA
ki67[c(3, 9)] <- NA
grade[c(11)] <- NA
time <- round(rexp(n, 1 / 40) + 0.5, 2)
event <- rbinom(n, 1, 0.65)
test <- integer(n)
test[sample(n, 45)] <- 1L
train <- test == 0L

summarise <- function(name, modality, x) {
  v <- x[train & !is.na(x)]
  if (is.character(x)) {
    return(list(name = name, modality = modality, type = "categorical", patients = length(v),
                levels = sort(unique(x[!is.na(x)]), method = "radix")))
  }
  q <- quantile(v, c(0.01, 0.99), type = 7, names = FALSE)
  list(name = name, modality = modality, type = if (all(v %in% c(0, 1))) "binary" else "continuous",
       patients = length(v), min = min(v), max = max(v), p01 = q[1], p99 = q[2])
}

golden <- c(golden_versions(), list(
  seed = 20261207,
  cohort = list(id = id, time = time, event = event, test = test,
                age = age, er = er, grade = grade, nodes = nodes, ki67 = ki67),
  modalities = list(clinical = c("age", "er", "grade"), pathology = c("nodes", "ki67")),
  features = list(
    summarise("age", "clinical", age),
    summarise("er", "clinical", er),
    summarise("grade", "clinical", grade),
    summarise("nodes", "pathology", nodes),
    summarise("ki67", "pathology", ki67)
  )
))
writeLines(toJSON(golden, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE), "tests/golden/feature_summary.json")
cat("wrote tests/golden/feature_summary.json\n")
