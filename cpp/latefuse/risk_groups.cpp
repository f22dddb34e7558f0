#include "latefuse/risk_groups.hpp"

#include <cmath>
#include <string>

#include "latefuse/calibration.hpp"
#include "latefuse/error.hpp"

namespace latefuse {

Eigen::VectorXi groupCodes(const Eigen::VectorXd& score, const std::vector<double>& cuts) {
  Eigen::VectorXi g(score.size());
  for (Eigen::Index i = 0; i < score.size(); ++i) {
    int k = 0;
    for (double c : cuts)
      if (score(i) > c) ++k;
    g(i) = k;
  }
  return g;
}

QuantileGroups quantileGroups(const Eigen::VectorXd& score, const Eigen::VectorXd& probs) {
  if (score.size() == 0) throw InputError("risk groups: no score to cut; give at least one patient");
  for (Eigen::Index i = 0; i < score.size(); ++i)
    if (!std::isfinite(score(i)))
      throw InputError("risk groups: the score of patient " + std::to_string(i + 1) + " is not a finite number; leave the patient out");
  for (Eigen::Index k = 0; k < probs.size(); ++k)
    if (!(probs(k) > 0 && probs(k) < 1) || (k > 0 && !(probs(k) > probs(k - 1))))
      throw InputError("risk groups: the probabilities of the cut must lie strictly between 0 and 1, increasing");
  // The outer breaks of R's cut (the minimum and maximum) only bound the first and last groups;
  // an inner quantile equal to one of them, or to the one before, adds no group.
  Eigen::VectorXd all(probs.size() + 2);
  all << 0, probs, 1;
  const Eigen::VectorXd q = quantileType7(score, all);
  QuantileGroups out;
  for (Eigen::Index k = 1; k + 1 < q.size(); ++k) {
    const double previous = out.cutpoints.empty() ? q(0) : out.cutpoints.back();
    if (q(k) != previous && q(k) != q(q.size() - 1)) out.cutpoints.push_back(q(k));
  }
  out.codes = groupCodes(score, out.cutpoints);
  return out;
}

}  // namespace latefuse
