#include "latefuse/multiple_testing.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "latefuse/error.hpp"

namespace latefuse {

PAdjustMethod parsePAdjustMethod(const std::string& name) {
  if (name == "BH" || name == "fdr") return PAdjustMethod::BH;
  if (name == "BY") return PAdjustMethod::BY;
  if (name == "holm") return PAdjustMethod::Holm;
  if (name == "hochberg") return PAdjustMethod::Hochberg;
  if (name == "bonferroni") return PAdjustMethod::Bonferroni;
  throw InputError("p-value adjustment method must be BH, fdr, BY, holm, hochberg or bonferroni; got '" + name + "'");
}

Eigen::VectorXd adjustPValues(const Eigen::VectorXd& p, PAdjustMethod method) {
  std::vector<Eigen::Index> present;
  for (Eigen::Index i = 0; i < p.size(); ++i) {
    if (std::isnan(p(i))) continue;
    if (!(p(i) >= 0 && p(i) <= 1))
      throw InputError("p-value adjustment: p-value " + std::to_string(i + 1) + " is " + std::to_string(p(i)) +
                       "; p-values must lie in [0, 1]");
    present.push_back(i);
  }
  Eigen::VectorXd out = p;
  const size_t m = present.size();
  if (m <= 1) return out;  // R: nothing to adjust
  const double n = static_cast<double>(m);
  std::vector<size_t> o(m);
  std::iota(o.begin(), o.end(), 0);
  auto pv = [&](size_t k) { return p(present[k]); };
  std::stable_sort(o.begin(), o.end(), [&](size_t a, size_t b) { return pv(a) < pv(b); });  // increasing
  std::vector<double> adj(m);
  switch (method) {
    case PAdjustMethod::Bonferroni:
      for (size_t k = 0; k < m; ++k) adj[k] = std::min(1.0, n * pv(k));
      break;
    case PAdjustMethod::Holm: {
      double run = 0;
      for (size_t r = 0; r < m; ++r) {  // r = 0-based rank, i = r + 1
        run = std::max(run, (n + 1 - static_cast<double>(r + 1)) * pv(o[r]));
        adj[o[r]] = std::min(1.0, run);
      }
      break;
    }
    case PAdjustMethod::Hochberg:
    case PAdjustMethod::BH:
    case PAdjustMethod::BY: {
      double q = 1;
      if (method == PAdjustMethod::BY) {
        q = 0;
        for (size_t k = 1; k <= m; ++k) q += 1.0 / static_cast<double>(k);
      }
      double run = std::numeric_limits<double>::infinity();
      for (size_t r = m; r-- > 0;) {  // from the largest p down (R: i <- lp:1, cummin)
        const double i = static_cast<double>(r + 1);
        double v;
        if (method == PAdjustMethod::Hochberg) v = (n + 1 - i) * pv(o[r]);
        else if (method == PAdjustMethod::BY) v = q * n / i * pv(o[r]);
        else v = n / i * pv(o[r]);
        run = std::min(run, v);
        adj[o[r]] = std::min(1.0, run);
      }
      break;
    }
  }
  for (size_t k = 0; k < m; ++k) out(present[k]) = adj[k];
  return out;
}

}  // namespace latefuse
