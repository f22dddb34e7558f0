// Harrell's concordance for right-censored data, O(n log n), with R survival's counting
// (concordance3.c / concordancefit, timewt = "n"):
//   a pair (i, j) is comparable when i has an event and T_j > T_i, or T_j == T_i and j is
//   censored (a subject censored at t is still at risk at t). Two events at the same time are not
//   comparable: they are counted in tiedTime (tied.y) or, if their scores are also equal, in
//   tiedTimeScore (tied.xy).
//   C = (concordant + tiedScore / 2) / (concordant + discordant + tiedScore).
// Direction: with `higherIsRisk` (the default, R's reverse = TRUE for a Cox linear predictor) a
// pair is concordant when the subject who fails first has the HIGHER score; otherwise when it has
// the LOWER score (the score predicts survival, lifelines' convention).
// Weights multiply pair counts as w_i * w_j; with strata, pairs are formed within strata only.
#pragma once
#include <Eigen/Dense>

#include "latefuse/survival_data.hpp"

namespace latefuse {

struct Concordance {
  double c = 0;
  double concordant = 0, discordant = 0, tiedScore = 0, tiedTime = 0, tiedTimeScore = 0;
  double comparable() const { return concordant + discordant + tiedScore; }
};

Concordance harrellConcordance(const SurvivalData& data, const Eigen::VectorXd& score, bool higherIsRisk = true);

// The same with the subjects already sorted: `order` and `time` as sortSurvival(data, true) gives
// them (a Cox fit has sorted them for itself).
Concordance harrellConcordance(const SurvivalData& data, const Eigen::VectorXd& score, bool higherIsRisk,
                               const std::vector<Eigen::Index>& order, const Eigen::VectorXd& time);

}  // namespace latefuse
