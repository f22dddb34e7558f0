# Sourced by the golden-file generators in this folder (run from the repository root): what every
# golden JSON is written with, defined once.
suppressPackageStartupMessages(library(jsonlite))

# R's version string, then "<package>_version" for each package the script computes with, in the
# order given, and last for jsonlite, which writes every golden: a named list to splice into the
# golden's top-level list with c(). tests/r/README.md repeats the versions.
golden_versions <- function(packages = character()) {
  packages <- c(packages, "jsonlite")
  c(list(R_version = R.version.string),
    setNames(lapply(packages, function(p) as.character(packageVersion(p))), paste0(packages, "_version")))
}

# A numeric vector that stays a JSON array under auto_unbox, even of length 1.
A <- function(x) I(as.numeric(x))

# jsonlite's digits = NA writes 15 significant digits: inputs rounded to them first are exactly the
# numbers R computes with and the file holds.
s15 <- function(x) signif(x, 15)
