#include "latefuse/paired_difference.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include "latefuse/distributions.hpp"
#include "latefuse/error.hpp"

namespace latefuse {

double studentTQuantile(double p, double df) {
  if (!(p > 0 && p < 1) || !(df > 0)) return std::numeric_limits<double>::quiet_NaN();
  if (p == 0.5) return 0;
  // Upper tail P(T > t) = studentTUpperTwoSided(t, df) / 2 for t >= 0; the quantile is symmetric.
  const double tail = p > 0.5 ? 1 - p : p;
  double lo = 0, hi = 1;
  while (studentTUpperTwoSided(hi, df) / 2 > tail && hi < 1e300) hi *= 2;
  for (int it = 0; it < 2000 && hi - lo > 0; ++it) {
    const double mid = lo + (hi - lo) / 2;
    if (mid == lo || mid == hi) break;
    if (studentTUpperTwoSided(mid, df) / 2 > tail) lo = mid;
    else hi = mid;
  }
  const double t = lo + (hi - lo) / 2;
  return p > 0.5 ? t : -t;
}

PairedDifference pairedMeanDifference(const Eigen::VectorXd& a, const Eigen::VectorXd& b, double confLevel) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  if (a.size() != b.size())
    throw InputError("paired difference: " + std::to_string(a.size()) + " and " + std::to_string(b.size()) + " values; give one pair per run");
  if (!(confLevel > 0 && confLevel < 1)) throw InputError("paired difference: the confidence level must be in (0, 1)");
  std::vector<double> d;
  for (Eigen::Index i = 0; i < a.size(); ++i)
    if (!std::isnan(a(i)) && !std::isnan(b(i))) d.push_back(a(i) - b(i));
  PairedDifference out;
  out.n = static_cast<int>(d.size());
  if (d.empty()) {
    out.mean = out.sd = out.lower = out.upper = out.p = kNaN;
    return out;
  }
  double sum = 0;
  for (double x : d) sum += x;
  out.mean = sum / static_cast<double>(d.size());
  if (d.size() < 2) {
    out.sd = out.lower = out.upper = out.p = kNaN;
    return out;
  }
  double ss = 0;
  for (double x : d) ss += (x - out.mean) * (x - out.mean);
  out.sd = std::sqrt(ss / static_cast<double>(d.size() - 1));
  const double df = static_cast<double>(d.size() - 1);
  const double se = out.sd / std::sqrt(static_cast<double>(d.size()));
  if (se == 0) {
    out.lower = out.upper = out.mean;
    out.p = kNaN;
    return out;
  }
  const double q = studentTQuantile(1 - (1 - confLevel) / 2, df);
  out.lower = out.mean - q * se;
  out.upper = out.mean + q * se;
  out.p = studentTUpperTwoSided(out.mean / se, df);
  return out;
}

}  // namespace latefuse
