#include "latefuse/logrank.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "latefuse/distributions.hpp"
#include "latefuse/error.hpp"
#include "latefuse/linalg.hpp"

namespace latefuse {

LogRankTest logRankTest(const SurvivalData& data, const Eigen::VectorXi& groups, double rho, bool fixTimes) {
  validateSurvivalData(data, "log-rank test");
  const Eigen::Index n = data.size();
  if (groups.size() != n)
    throw InputError("log-rank test: the group column has " + std::to_string(groups.size()) + " values but time has " +
                     std::to_string(n) + "; give one group per row");
  if (data.weighted())
    throw InputError("log-rank test: case weights are not supported (R's survdiff has none); drop the weights");
  if (!std::isfinite(rho)) throw InputError("log-rank test: rho must be a finite number");

  LogRankTest out;
  out.rho = rho;
  std::map<int, Eigen::Index> index;
  for (Eigen::Index i = 0; i < n; ++i) index.emplace(groups(i), 0);
  if (index.size() < 2)
    throw InputError("log-rank test: there is only one group; the test compares two or more groups");
  for (auto& kv : index) {
    kv.second = static_cast<Eigen::Index>(out.groups.size());
    out.groups.push_back(kv.first);
  }
  const Eigen::Index G = static_cast<Eigen::Index>(out.groups.size());
  out.n = Eigen::VectorXd::Zero(G);
  out.observed = Eigen::VectorXd::Zero(G);
  out.expected = Eigen::VectorXd::Zero(G);
  out.variance = Eigen::MatrixXd::Zero(G, G);
  std::vector<Eigen::Index> g(static_cast<size_t>(n));
  double totalEvents = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    g[static_cast<size_t>(i)] = index[groups(i)];
    out.n(g[static_cast<size_t>(i)]) += 1;
    totalEvents += data.event(i);
  }
  if (totalEvents == 0)
    throw ModelError("log-rank test: there are no events; the test needs at least one event");

  const Eigen::VectorXd time = fixTimes ? timefix(data.time) : data.time;
  const std::vector<Eigen::Index> order = sortByStratumTime(data, time);
  std::vector<double> risk(static_cast<size_t>(G));
  std::vector<double> deathsIn(static_cast<size_t>(G));
  size_t end = order.size();
  out.strata = 0;
  while (end > 0) {
    size_t start = end;
    const int s = data.stratum(order[end - 1]);
    while (start > 0 && data.stratum(order[start - 1]) == s) --start;
    ++out.strata;
    // Left-continuous pooled KM of the stratum at each distinct time (only needed when rho != 0).
    std::vector<double> kmBefore;  // per time group, ascending
    if (rho != 0) {
      double km = 1;
      const double m = static_cast<double>(end - start);
      for (size_t k = start; k < end;) {
        size_t e = k;
        double d = 0;
        while (e < end && time(order[e]) == time(order[k])) {
          d += data.event(order[e]);
          ++e;
        }
        kmBefore.push_back(km);
        const double atRisk = m - static_cast<double>(k - start);
        km *= (atRisk - d) / atRisk;
        k = e;
      }
    }
    std::fill(risk.begin(), risk.end(), 0.0);
    size_t hi = end;
    size_t groupIndex = kmBefore.size();
    while (hi > start) {
      size_t lo = hi;
      const double t = time(order[hi - 1]);
      while (lo > start && time(order[lo - 1]) == t) --lo;
      const double wt = rho == 0 ? 1.0 : std::pow(kmBefore[--groupIndex], rho);
      std::fill(deathsIn.begin(), deathsIn.end(), 0.0);
      double deaths = 0;
      for (size_t k = lo; k < hi; ++k) {
        const Eigen::Index i = order[k];
        const size_t gi = static_cast<size_t>(g[static_cast<size_t>(i)]);
        risk[gi] += 1;
        deathsIn[gi] += data.event(i);
        deaths += data.event(i);
      }
      const double nrisk = static_cast<double>(end - lo);
      if (deaths > 0) {
        for (Eigen::Index a = 0; a < G; ++a) {
          out.observed(a) += wt * deathsIn[static_cast<size_t>(a)];
          out.expected(a) += wt * deaths * risk[static_cast<size_t>(a)] / nrisk;
        }
        if (nrisk > 1) {
          const double w2 = wt * wt;
          for (Eigen::Index a = 0; a < G; ++a) {
            const double tmp = w2 * deaths * risk[static_cast<size_t>(a)] * (nrisk - deaths) / (nrisk * (nrisk - 1));
            out.variance(a, a) += tmp;
            for (Eigen::Index b = 0; b < G; ++b) out.variance(a, b) -= tmp * risk[static_cast<size_t>(b)] / nrisk;
          }
        }
      }
      hi = lo;
    }
    end = start;
  }
  // R survdiff: keep groups with E > 0, drop the first of them, solve.
  std::vector<Eigen::Index> keep;
  for (Eigen::Index a = 0; a < G; ++a)
    if (out.expected(a) > 0) keep.push_back(a);
  out.df = static_cast<int>(keep.size()) - 1;
  if (keep.size() < 2) {
    out.chisq = 0;
    out.p = 1;
    return out;
  }
  const Eigen::Index m = static_cast<Eigen::Index>(keep.size()) - 1;
  Eigen::VectorXd diff(m);
  Eigen::MatrixXd v(m, m);
  for (Eigen::Index a = 0; a < m; ++a) {
    const Eigen::Index ga = keep[static_cast<size_t>(a + 1)];
    diff(a) = out.observed(ga) - out.expected(ga);
    for (Eigen::Index b = 0; b < m; ++b) v(a, b) = out.variance(ga, keep[static_cast<size_t>(b + 1)]);
  }
  // Generalised inverse (R's solve would fail on a singular V; a redundant group then adds nothing).
  const Cholesky2 chol(v, 1e-9);
  out.chisq = diff.dot(chol.solve(diff));
  out.p = chiSquareUpper(out.chisq, out.df);
  return out;
}

}  // namespace latefuse
