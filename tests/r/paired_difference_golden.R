# Golden-file generator: the paired mean difference with its t interval (cpp/latefuse/
# paired_difference.hpp) for tests/js/paired_difference.test.js.
#
# Run from the repository root:   Rscript tests/r/paired_difference_golden.R
# Writes tests/golden/paired_difference.json: cases of paired C-indices over seeds (made here with a
# fixed seed, rounded to 6 decimals before R computes anything) with R's t.test(a, b, paired = TRUE)
# mean difference, SD, 95% (and one 90%) interval and p; and qt(p, df) values. R and package
# versions are recorded in the file.
source("tests/r/golden_json.R")
set.seed(42)
case <- function(name, a, b, conf = 0.95) {
  a <- round(a, 6); b <- round(b, 6)
  t <- t.test(a, b, paired = TRUE, conf.level = conf)
  list(name = name, a = a, b = b, conf_level = conf, n = length(a), mean = unname(t$estimate),
       sd = sd(a - b), lower = t$conf.int[1], upper = t$conf.int[2], p = t$p.value)
}
late <- 0.68 + rnorm(10, 0, 0.03)
cases <- list(
  case("ten_seeds_clear", late, late - 0.03 + rnorm(10, 0, 0.01)),
  case("ten_seeds_level", late, late + rnorm(10, 0, 0.02)),
  case("three_seeds", late[1:3], late[1:3] - c(0.01, -0.004, 0.02)),
  case("two_seeds_90", late[1:2], late[1:2] - c(0.02, 0.01), conf = 0.90),
  case("five_seeds_negative", late[1:5], late[1:5] + 0.01 + rnorm(5, 0, 0.005))
)
grid <- expand.grid(p = c(0.975, 0.995, 0.9, 0.6, 0.025), df = c(1, 2, 4, 9, 29, 200))
golden <- c(golden_versions(), list(
  cases = cases,
  qt = lapply(seq_len(nrow(grid)), function(i) list(p = grid$p[i], df = grid$df[i], q = qt(grid$p[i], grid$df[i])))
))
writeLines(toJSON(golden, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/golden/paired_difference.json")
cat("wrote tests/golden/paired_difference.json\n")
