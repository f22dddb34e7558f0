// Risk groups of a score: patients cut at cut-points on the score, and the cut of R's
// cut(score, unique(quantile(score, c(0, probs, 1), type = 7)), include.lowest = TRUE).
//
// Direction: a higher score is a higher risk; group 0 is the lowest risk. A patient whose score
// equals a cut-point goes to the lower group (R's right-closed intervals).
#pragma once
#include <Eigen/Dense>
#include <vector>

namespace latefuse {

// Group of each patient: the number of cut-points the score is strictly above (cuts increasing).
Eigen::VectorXi groupCodes(const Eigen::VectorXd& score, const std::vector<double>& cuts);

struct QuantileGroups {
  std::vector<double> cutpoints;  // the distinct inner quantiles, increasing (k - 1 for k groups)
  Eigen::VectorXi codes;          // 0..k-1 per patient
};

// R's cut at the type-7 quantiles `probs` (each in (0, 1), increasing) of the score itself, with
// include.lowest = TRUE. Tied quantiles merge groups, so there may be fewer than probs.size() + 1
// groups (one when every score is equal). Throws InputError for an empty or non-finite score or
// probabilities outside (0, 1).
QuantileGroups quantileGroups(const Eigen::VectorXd& score, const Eigen::VectorXd& probs);

}  // namespace latefuse
