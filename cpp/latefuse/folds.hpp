// K-fold assignment for cross-validation and cross-fitting, drawn with the one seeded generator
// (random.hpp), so the same seed gives the same folds natively and in WebAssembly.
//
// Plain folds are R's `sample(rep(1:K, length = n))` construction (cv.glmnet's default): the
// labels 0, 1, ..., K-1, 0, 1, ... are laid out and shuffled (Fisher–Yates, Random::shuffle), so
// fold sizes differ by at most one. Event-stratified folds shuffle the events and the censored rows
// separately and deal fold labels to them cyclically — events first, the censored rows continuing
// the cycle where the events stopped, the cycle's label order itself shuffled — so each fold gets
// floor(E/K) or ceil(E/K) of the E events and sizes still differ by at most one; with E >= K every
// fold then has an event, which a partial-likelihood deviance needs.
// Labels are 0-based.
#pragma once
#include <Eigen/Dense>
#include <cstdint>

namespace latefuse {

// Throws InputError unless 2 <= folds <= n.
Eigen::VectorXi assignFolds(Eigen::Index n, int folds, uint64_t seed);

// `event` holds 0/1 per row. Throws InputError unless 2 <= folds <= n.
Eigen::VectorXi assignFoldsStratified(const Eigen::VectorXd& event, int folds, uint64_t seed);

// Checks caller-supplied labels: one per row, each in [0, folds), every fold non-empty; returns the
// number of folds (max label + 1). Throws InputError naming the first bad row.
int checkFolds(const Eigen::VectorXi& foldId, Eigen::Index n);

}  // namespace latefuse
