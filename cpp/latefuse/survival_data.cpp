#include "latefuse/survival_data.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "latefuse/error.hpp"

namespace latefuse {

void validateSurvivalData(const SurvivalData& data, const std::string& context) {
  const Eigen::Index n = data.size();
  if (data.event.size() != n)
    throw InputError(context + ": time has " + std::to_string(n) + " values but event has " +
                     std::to_string(data.event.size()) + "; give one event indicator per row");
  if (data.weight.size() != 0 && data.weight.size() != n)
    throw InputError(context + ": weights must have one value per row (" + std::to_string(n) + ")");
  if (data.strata.size() != 0 && data.strata.size() != n)
    throw InputError(context + ": strata must have one value per row (" + std::to_string(n) + ")");
  for (Eigen::Index i = 0; i < n; ++i) {
    const std::string row = "row " + std::to_string(i + 1);
    if (!std::isfinite(data.time(i)))
      throw InputError(context + ": time is not a finite number at " + row + "; remove the row or fix the value");
    if (data.time(i) < 0)
      throw InputError(context + ": time is negative (" + std::to_string(data.time(i)) + ") at " + row +
                       "; survival times must be >= 0");
    if (!(data.event(i) == 0 || data.event(i) == 1))
      throw InputError(context + ": event must be 0 (censored) or 1 (event) at " + row);
    if (data.weight.size() && !(std::isfinite(data.weight(i)) && data.weight(i) > 0))
      throw InputError(context + ": weight must be a positive finite number at " + row);
  }
}

Eigen::VectorXd timefix(const Eigen::VectorXd& time) {
  const Eigen::Index n = time.size();
  std::vector<Eigen::Index> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) { return time(a) < time(b); });
  Eigen::VectorXd out = time;
  const double tol = std::sqrt(std::numeric_limits<double>::epsilon());
  double anchor = n ? time(order[0]) : 0;
  for (size_t k = 0; k < order.size(); ++k) {
    const double t = time(order[k]);
    if (t - anchor <= tol * std::max(std::fabs(anchor), std::fabs(t)) && t != anchor) {
      out(order[k]) = anchor;  // merge into the earlier (smaller) time
    } else {
      anchor = t;
    }
  }
  return out;
}

std::vector<Eigen::Index> sortByStratumTime(const SurvivalData& data, const Eigen::VectorXd& time) {
  std::vector<Eigen::Index> order(static_cast<size_t>(data.size()));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) {
    const int sa = data.stratum(a), sb = data.stratum(b);
    if (sa != sb) return sa < sb;
    return time(a) < time(b);
  });
  return order;
}

}  // namespace latefuse
