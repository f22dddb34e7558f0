#include "latefuse/feature_selection.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "latefuse/error.hpp"

namespace latefuse {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// R quantile(type = 7) of sorted values: h = (n - 1) p, linear interpolation between order stats.
double type7(const std::vector<double>& sorted, double prob) {
  const double h = (static_cast<double>(sorted.size()) - 1) * prob;
  const size_t lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

std::string label(const std::vector<std::string>& names, Eigen::Index j) {
  if (static_cast<size_t>(j) < names.size()) return "'" + names[static_cast<size_t>(j)] + "'";
  return "column " + std::to_string(j + 1);
}

// Subset of survival data and columns to the given rows.
SurvivalData subsetData(const SurvivalData& data, const std::vector<Eigen::Index>& rows) {
  SurvivalData d;
  const Eigen::Index m = static_cast<Eigen::Index>(rows.size());
  d.time.resize(m);
  d.event.resize(m);
  if (data.weighted()) d.weight.resize(m);
  for (Eigen::Index k = 0; k < m; ++k) {
    const Eigen::Index i = rows[static_cast<size_t>(k)];
    d.time(k) = data.time(i);
    d.event(k) = data.event(i);
    if (data.weighted()) d.weight(k) = data.weight(i);
  }
  return d;
}

}  // namespace

const char* featureStatusName(FeatureStatus status) {
  switch (status) {
    case FeatureStatus::LowVariability: return "low_variability";
    case FeatureStatus::NotTestable: return "not_testable";
    case FeatureStatus::NotSignificant: return "not_significant";
    case FeatureStatus::RejectedForward: return "rejected_forward";
    case FeatureStatus::Selected: return "selected";
    case FeatureStatus::SelectedByFallback: return "selected_by_fallback";
  }
  return "unknown";
}

double scaledIqr(const Eigen::VectorXd& column) {
  std::vector<double> v;
  for (Eigen::Index i = 0; i < column.size(); ++i)
    if (std::isfinite(column(i))) v.push_back(column(i));
  if (v.size() < 2) return kNaN;
  std::sort(v.begin(), v.end());
  const double lo = v.front(), range = v.back() - v.front();
  if (!(range > 0)) return kNaN;
  for (double& x : v) x = (x - lo) / range;
  return type7(v, 0.75) - type7(v, 0.25);
}

UnivariateCox univariateCox(const SurvivalData& data, const Eigen::VectorXd& column, UnivariateTest test, Ties ties) {
  if (column.size() != data.size())
    throw InputError("univariate Cox: the column has " + std::to_string(column.size()) + " values but there are " +
                     std::to_string(data.size()) + " subjects");
  std::vector<Eigen::Index> rows;
  for (Eigen::Index i = 0; i < column.size(); ++i)
    if (std::isfinite(column(i))) rows.push_back(i);
  if (rows.size() < 2) throw InputError("univariate Cox: fewer than 2 subjects have a value");
  const SurvivalData d = subsetData(data, rows);
  Eigen::MatrixXd x(static_cast<Eigen::Index>(rows.size()), 1);
  for (size_t k = 0; k < rows.size(); ++k) x(static_cast<Eigen::Index>(k), 0) = column(rows[k]);
  CoxOptions o;
  o.ties = ties;
  const CoxFit fit = fitCox(d, x, o);  // ModelError when no events
  if (fit.redundant[0]) throw ModelError("univariate Cox: the column is constant on the subjects that have it");
  const CoefficientRow row = summarizeCoefficients(fit, false)[0];
  UnivariateCox u;
  u.coef = row.coef;
  u.se = row.se;
  u.hr = row.hr;
  u.z = row.z;
  u.p = test == UnivariateTest::Wald ? row.p : fit.lrP;
  u.n = static_cast<int>(fit.n);
  u.events = fit.events;
  if (!std::isfinite(u.p)) throw ModelError("univariate Cox: the p-value is not finite (the fit diverged)");
  return u;
}

FeatureScreen screenFeatures(const SurvivalData& data, const Eigen::MatrixXd& x, const std::vector<std::string>& names,
                             const ScreeningOptions& o) {
  validateSurvivalData(data, "feature screening");
  const Eigen::Index n = data.size(), p = x.cols();
  if (x.rows() != n)
    throw InputError("feature screening: the features have " + std::to_string(x.rows()) + " rows but there are " +
                     std::to_string(n) + " subjects");
  if (!names.empty() && static_cast<Eigen::Index>(names.size()) != p)
    throw InputError("feature screening: " + std::to_string(names.size()) + " names for " + std::to_string(p) + " columns");
  if (!(o.minIqr >= 0 && o.minIqr < 1)) throw InputError("feature screening: the minimum IQR must be in [0, 1)");
  if (!(o.maxQ > 0 && o.maxQ <= 1)) throw InputError("feature screening: the q-value threshold must be in (0, 1]");
  if (!(o.forwardP > 0 && o.forwardP <= 1)) throw InputError("feature screening: the forward p threshold must be in (0, 1]");
  if (o.forwardPenalizer < 0) throw InputError("feature screening: the forward penalizer must be >= 0");
  if (o.minSelected < 0) throw InputError("feature screening: minSelected must be >= 0");
  if (data.event.sum() == 0)
    throw ModelError("feature screening: there are no events among the " + std::to_string(n) +
                     " subjects, so no feature can be related to survival");
  for (Eigen::Index j = 0; j < p; ++j)
    for (Eigen::Index i = 0; i < n; ++i)
      if (std::isinf(x(i, j)))
        throw InputError("feature screening: " + label(names, j) + " is infinite at row " + std::to_string(i + 1));

  FeatureScreen s;
  s.names = names;
  if (s.names.empty())
    for (Eigen::Index j = 0; j < p; ++j) s.names.push_back("column " + std::to_string(j + 1));
  s.iqr = Eigen::VectorXd::Constant(p, kNaN);
  s.univariate.assign(static_cast<size_t>(p), UnivariateCox{kNaN, kNaN, kNaN, kNaN, kNaN, 0, 0});
  s.p = Eigen::VectorXd::Constant(p, kNaN);
  s.q = Eigen::VectorXd::Constant(p, kNaN);
  s.forwardP = Eigen::VectorXd::Constant(p, kNaN);
  s.status.assign(static_cast<size_t>(p), FeatureStatus::NotSignificant);

  // 1. variability
  for (Eigen::Index j = 0; j < p; ++j) {
    s.iqr(j) = scaledIqr(x.col(j));
    if (o.iqrFilter && !(s.iqr(j) > o.minIqr)) s.status[static_cast<size_t>(j)] = FeatureStatus::LowVariability;
  }
  // 2. univariate Cox
  for (Eigen::Index j = 0; j < p; ++j) {
    if (s.status[static_cast<size_t>(j)] == FeatureStatus::LowVariability) continue;
    try {
      s.univariate[static_cast<size_t>(j)] = univariateCox(data, x.col(j), o.test, o.ties);
      s.p(j) = s.univariate[static_cast<size_t>(j)].p;
    } catch (const std::exception& e) {  // InputError / ModelError: this column only
      s.status[static_cast<size_t>(j)] = FeatureStatus::NotTestable;
      s.warnings.push_back(label(s.names, j) + " not testable: " + e.what());
    }
  }
  // 3. multiple testing over the tested columns (NaN = not tested stays NaN and is not counted)
  s.q = adjustPValues(s.p, o.adjust);
  std::vector<Eigen::Index> passing;
  for (Eigen::Index j = 0; j < p; ++j)
    if (std::isfinite(s.q(j)) && s.q(j) < o.maxQ) passing.push_back(j);
  auto byP = [&](Eigen::Index a, Eigen::Index b) { return s.p(a) < s.p(b) || (s.p(a) == s.p(b) && a < b); };
  std::stable_sort(passing.begin(), passing.end(), byP);

  // 4. forward pass
  if (!o.forward) {
    for (Eigen::Index j : passing) {
      s.status[static_cast<size_t>(j)] = FeatureStatus::Selected;
      s.selected.push_back(static_cast<int>(j));
    }
  } else {
    for (Eigen::Index j : passing) {
      std::vector<Eigen::Index> cols;
      for (int k : s.selected) cols.push_back(k);
      cols.push_back(j);
      std::vector<Eigen::Index> rows;
      for (Eigen::Index i = 0; i < n; ++i) {
        bool complete = true;
        for (Eigen::Index c : cols) complete = complete && std::isfinite(x(i, c));
        if (complete) rows.push_back(i);
      }
      double pj = kNaN;
      try {
        if (rows.size() < cols.size() + 2) throw ModelError("too few complete rows (" + std::to_string(rows.size()) + ")");
        const SurvivalData d = subsetData(data, rows);
        Eigen::MatrixXd xs(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(cols.size()));
        for (size_t r = 0; r < rows.size(); ++r)
          for (size_t c = 0; c < cols.size(); ++c) xs(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = x(rows[r], cols[c]);
        CoxOptions co;
        co.ties = o.ties;
        co.penalizer = o.forwardPenalizer;
        const CoxFit fit = fitCox(d, xs, co);
        const auto summary = summarizeCoefficients(fit, false);
        pj = summary.back().p;
        if (!fit.converged) s.warnings.push_back("forward model with " + label(s.names, j) + " did not converge");
      } catch (const std::exception& e) {
        s.warnings.push_back("forward model with " + label(s.names, j) + " could not be fitted: " + e.what());
      }
      s.forwardP(j) = pj;
      if (std::isfinite(pj) && pj < o.forwardP) {
        s.status[static_cast<size_t>(j)] = FeatureStatus::Selected;
        s.selected.push_back(static_cast<int>(j));
      } else {
        s.status[static_cast<size_t>(j)] = FeatureStatus::RejectedForward;
      }
    }
  }
  // 5. fallback to reach minSelected
  if (static_cast<int>(s.selected.size()) < o.minSelected) {
    std::vector<Eigen::Index> tested;
    for (Eigen::Index j = 0; j < p; ++j)
      if (std::isfinite(s.p(j)) && s.status[static_cast<size_t>(j)] != FeatureStatus::Selected) tested.push_back(j);
    std::stable_sort(tested.begin(), tested.end(), byP);
    for (Eigen::Index j : tested) {
      if (static_cast<int>(s.selected.size()) >= o.minSelected) break;
      s.status[static_cast<size_t>(j)] = FeatureStatus::SelectedByFallback;
      s.selected.push_back(static_cast<int>(j));
    }
    if (static_cast<int>(s.selected.size()) < o.minSelected)
      s.warnings.push_back("only " + std::to_string(s.selected.size()) + " testable feature(s), fewer than the " +
                           std::to_string(o.minSelected) + " requested");
  }
  return s;
}

}  // namespace latefuse
