#include "latefuse/follow_up.hpp"

#include <cmath>

#include "latefuse/kaplan_meier.hpp"

namespace latefuse {

FollowUp medianFollowUp(const SurvivalData& data, double confLevel) {
  SurvivalData reverse = data;
  reverse.event = (1.0 - data.event.array()).matrix();
  KaplanMeierOptions o;
  o.confLevel = confLevel;
  const KaplanMeierCurve curve = kaplanMeier(reverse, o);
  const SurvivalQuantile q = survivalQuantile(curve, 0.5);
  FollowUp f;
  f.median = q.quantile;
  f.lower = q.lower;
  f.upper = q.upper;
  f.n = curve.n;
  f.censored = curve.events;
  f.maxTime = data.time.size() ? data.time.maxCoeff() : std::nan("");
  return f;
}

std::vector<MissingCells> missingCellsByModality(const Eigen::MatrixXd& x, const std::vector<int>& columnModality,
                                                 const Eigen::MatrixXi& presence, const std::vector<int>& rows, int modalities) {
  std::vector<MissingCells> out(static_cast<size_t>(modalities));
  for (int r : rows) {
    for (int m = 0; m < modalities; ++m) {
      if (!presence(r, m)) continue;
      MissingCells& mc = out[static_cast<size_t>(m)];
      mc.patients += 1;
      for (size_t j = 0; j < columnModality.size(); ++j) {
        if (columnModality[j] != m) continue;
        mc.cells += 1;
        mc.missing += std::isnan(x(r, static_cast<Eigen::Index>(j))) ? 1 : 0;
      }
    }
  }
  return out;
}

}  // namespace latefuse
