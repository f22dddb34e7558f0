#include "latefuse/rank_correlation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <utility>

#include "latefuse/distributions.hpp"
#include "latefuse/error.hpp"

namespace latefuse {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void checkPair(const Eigen::VectorXd& x, const Eigen::VectorXd& y, const char* what) {
  if (x.size() != y.size())
    throw InputError(std::string(what) + ": x has " + std::to_string(x.size()) + " values but y has " +
                     std::to_string(y.size()) + "; give paired values");
  for (Eigen::Index i = 0; i < x.size(); ++i)
    if (!std::isfinite(x(i)) || !std::isfinite(y(i)))
      throw InputError(std::string(what) + ": row " + std::to_string(i + 1) +
                       " is missing or not finite; drop incomplete rows first");
  if (x.size() < 2)
    throw ModelError(std::string(what) + ": needs at least 2 complete pairs, got " + std::to_string(x.size()));
}

// Sums over tie groups of size t in a sorted sequence: t(t-1), t(t-1)(2t+5), t(t-1)(t-2).
struct TieSums {
  double pairs2 = 0, v = 0, triple = 0;  // sum t(t-1), sum t(t-1)(2t+5), sum t(t-1)(t-2)
  int64_t halfPairs = 0;                 // sum t(t-1)/2, exact
  void add(int64_t t) {
    if (t < 2) return;
    const double d = static_cast<double>(t);
    pairs2 += d * (d - 1);
    v += d * (d - 1) * (2 * d + 5);
    triple += d * (d - 1) * (d - 2);
    halfPairs += t * (t - 1) / 2;
  }
};

// Number of exchanges a stable merge sort performs to sort y (pairs i < j with y_i > y_j).
int64_t mergeSortSwaps(std::vector<double>& y) {
  const size_t n = y.size();
  std::vector<double> buf(n);
  int64_t swaps = 0;
  for (size_t width = 1; width < n; width *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      const size_t mid = std::min(lo + width, n), hi = std::min(lo + 2 * width, n);
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) {
        if (y[i] <= y[j]) buf[k++] = y[i++];
        else {
          swaps += static_cast<int64_t>(mid - i);
          buf[k++] = y[j++];
        }
      }
      while (i < mid) buf[k++] = y[i++];
      while (j < hi) buf[k++] = y[j++];
    }
    std::swap(y, buf);
  }
  return swaps;
}

}  // namespace

Eigen::VectorXd averageRanks(const Eigen::VectorXd& x) {
  const Eigen::Index n = x.size();
  std::vector<Eigen::Index> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) { return x(a) < x(b); });
  Eigen::VectorXd r(n);
  for (size_t k = 0; k < order.size();) {
    size_t e = k;
    while (e < order.size() && x(order[e]) == x(order[k])) ++e;
    const double avg = (static_cast<double>(k + 1) + static_cast<double>(e)) / 2;  // mean of ranks k+1..e
    for (size_t m = k; m < e; ++m) r(order[m]) = avg;
    k = e;
  }
  return r;
}

RankCorrelation kendallTau(const Eigen::VectorXd& x, const Eigen::VectorXd& y) {
  checkPair(x, y, "Kendall's tau");
  const size_t n = static_cast<size_t>(x.size());
  std::vector<std::pair<double, double>> xy(n);
  for (size_t i = 0; i < n; ++i) xy[i] = {x(static_cast<Eigen::Index>(i)), y(static_cast<Eigen::Index>(i))};
  std::sort(xy.begin(), xy.end());
  TieSums xt, yt;
  int64_t jointHalfPairs = 0;
  for (size_t k = 0; k < n;) {
    size_t e = k;
    while (e < n && xy[e].first == xy[k].first) ++e;
    xt.add(static_cast<int64_t>(e - k));
    for (size_t a = k; a < e;) {  // joint ties inside the x group (already sorted by y)
      size_t b = a;
      while (b < e && xy[b].second == xy[a].second) ++b;
      const int64_t t = static_cast<int64_t>(b - a);
      jointHalfPairs += t * (t - 1) / 2;
      a = b;
    }
    k = e;
  }
  std::vector<double> ys(n);
  for (size_t i = 0; i < n; ++i) ys[i] = xy[i].second;
  const int64_t swaps = mergeSortSwaps(ys);
  for (size_t k = 0; k < n;) {
    size_t e = k;
    while (e < n && ys[e] == ys[k]) ++e;
    yt.add(static_cast<int64_t>(e - k));
    k = e;
  }
  const int64_t nn = static_cast<int64_t>(n);
  const int64_t n0 = nn * (nn - 1) / 2;
  const int64_t n1 = xt.halfPairs, n2 = yt.halfPairs, n3 = jointHalfPairs;
  RankCorrelation out;
  out.n = static_cast<Eigen::Index>(n);
  if (n0 == n1) throw ModelError("Kendall's tau: x is constant; tau-b is undefined");
  if (n0 == n2) throw ModelError("Kendall's tau: y is constant; tau-b is undefined");
  const double numerator = static_cast<double>(n0 - n1 - n2 + n3 - 2 * swaps);
  out.estimate = numerator / std::sqrt(static_cast<double>(n0 - n1) * static_cast<double>(n0 - n2));

  // R cor.test(method = "kendall", exact = FALSE, continuity = FALSE), in R's order of operations.
  const double dn = static_cast<double>(n);
  const double T0 = dn * (dn - 1) / 2, T1 = xt.pairs2 / 2, T2 = yt.pairs2 / 2;
  const double S = out.estimate * std::sqrt((T0 - T1) * (T0 - T2));
  const double v0 = dn * (dn - 1) * (2 * dn + 5);
  const double v1 = xt.pairs2 * yt.pairs2;
  const double v2 = xt.triple * yt.triple;
  const double varS = (v0 - xt.v - yt.v) / 18 + v1 / (2 * dn * (dn - 1)) + v2 / (9 * dn * (dn - 1) * (dn - 2));
  if (n < 3 || !(varS > 0)) {
    out.statistic = kNaN;
    out.p = kNaN;
    out.warnings.push_back("Kendall's tau: the p-value needs at least 3 complete pairs (n = " + std::to_string(n) + ")");
    return out;
  }
  out.statistic = S / std::sqrt(varS);
  out.p = 2 * std::min(normalCdf(out.statistic), normalUpper(out.statistic));
  return out;
}

RankCorrelation spearmanRho(const Eigen::VectorXd& x, const Eigen::VectorXd& y) {
  checkPair(x, y, "Spearman's rho");
  const Eigen::VectorXd rx = averageRanks(x), ry = averageRanks(y);
  const Eigen::Index n = x.size();
  double mx = 0, my = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    mx += rx(i);
    my += ry(i);
  }
  mx /= static_cast<double>(n);
  my /= static_cast<double>(n);
  double sxy = 0, sxx = 0, syy = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double a = rx(i) - mx, b = ry(i) - my;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  if (sxx == 0) throw ModelError("Spearman's rho: x is constant; rho is undefined");
  if (syy == 0) throw ModelError("Spearman's rho: y is constant; rho is undefined");
  RankCorrelation out;
  out.n = n;
  out.estimate = std::max(-1.0, std::min(1.0, sxy / std::sqrt(sxx * syy)));
  if (n < 3) {
    out.statistic = kNaN;
    out.p = kNaN;
    out.warnings.push_back("Spearman's rho: the p-value needs at least 3 complete pairs (n = " + std::to_string(n) + ")");
    return out;
  }
  // cor.test's pspearman (asymptotic t_{n-2}): r recomputed from q = (n^3 - n)(1 - rho)/6.
  const double dn = static_cast<double>(n);
  const double q = (dn * dn * dn - dn) * (1 - out.estimate) / 6;
  const double den = (dn * (dn * dn - 1)) / 6;
  const double r = 1 - q / den;
  out.statistic = r / std::sqrt((1 - r * r) / (dn - 2));
  out.p = std::min(1.0, studentTUpperTwoSided(out.statistic, dn - 2));
  return out;
}

CorrelationMatrix rankCorrelationMatrix(const Eigen::MatrixXd& columns, RankMethod method,
                                        const std::vector<std::string>& names) {
  const Eigen::Index p = columns.cols(), rows = columns.rows();
  if (p < 1) throw InputError("rank correlation matrix: give at least one column");
  if (!names.empty() && static_cast<Eigen::Index>(names.size()) != p)
    throw InputError("rank correlation matrix: " + std::to_string(names.size()) + " names for " + std::to_string(p) + " columns");
  auto name = [&](Eigen::Index j) { return names.empty() ? "column " + std::to_string(j + 1) : "\"" + names[static_cast<size_t>(j)] + "\""; };
  for (Eigen::Index j = 0; j < p; ++j)
    for (Eigen::Index i = 0; i < rows; ++i)
      if (std::isinf(columns(i, j)))
        throw InputError("rank correlation matrix: " + name(j) + " has an infinite value at row " + std::to_string(i + 1));
  CorrelationMatrix out;
  out.estimate = Eigen::MatrixXd::Constant(p, p, kNaN);
  out.p = Eigen::MatrixXd::Constant(p, p, kNaN);
  out.n = Eigen::MatrixXd::Zero(p, p);
  for (Eigen::Index a = 0; a < p; ++a) {
    double count = 0;
    for (Eigen::Index i = 0; i < rows; ++i)
      if (!std::isnan(columns(i, a))) ++count;
    out.n(a, a) = count;
    out.estimate(a, a) = 1;
    for (Eigen::Index b = a + 1; b < p; ++b) {
      std::vector<Eigen::Index> keep;
      for (Eigen::Index i = 0; i < rows; ++i)
        if (!std::isnan(columns(i, a)) && !std::isnan(columns(i, b))) keep.push_back(i);
      const Eigen::Index m = static_cast<Eigen::Index>(keep.size());
      out.n(a, b) = out.n(b, a) = static_cast<double>(m);
      Eigen::VectorXd x(m), y(m);
      for (Eigen::Index k = 0; k < m; ++k) {
        x(k) = columns(keep[static_cast<size_t>(k)], a);
        y(k) = columns(keep[static_cast<size_t>(k)], b);
      }
      try {
        const RankCorrelation r = method == RankMethod::Kendall ? kendallTau(x, y) : spearmanRho(x, y);
        out.estimate(a, b) = out.estimate(b, a) = r.estimate;
        out.p(a, b) = out.p(b, a) = r.p;
        for (const auto& w : r.warnings) out.warnings.push_back(name(a) + " vs " + name(b) + ": " + w);
      } catch (const ModelError& e) {
        out.warnings.push_back(name(a) + " vs " + name(b) + ": " + e.what());
      }
    }
  }
  return out;
}

}  // namespace latefuse
