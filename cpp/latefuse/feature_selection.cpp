#include "latefuse/feature_selection.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "latefuse/distributions.hpp"
#include "latefuse/error.hpp"
#include "latefuse/logistic.hpp"

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
    case FeatureStatus::ElasticNetZero: return "elastic_net_zero";
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

namespace {

// Steps 1-5 with the outcome-specific parts passed in: univariate(j) fits column j alone;
// forwardP(rows, cols) gives the p of the last column in the forward model on those rows.
template <typename Univariate, typename ForwardP>
FeatureScreen screenWith(Eigen::Index n, const Eigen::MatrixXd& x, const std::vector<std::string>& names, const ScreeningOptions& o,
                         Univariate univariate, ForwardP forwardModelP) {
  const Eigen::Index p = x.cols();
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
      s.univariate[static_cast<size_t>(j)] = univariate(j);
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
        Eigen::MatrixXd xs(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(cols.size()));
        for (size_t r = 0; r < rows.size(); ++r)
          for (size_t c = 0; c < cols.size(); ++c) xs(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = x(rows[r], cols[c]);
        bool converged = true;
        pj = forwardModelP(rows, xs, converged);
        if (!converged) s.warnings.push_back("forward model with " + label(s.names, j) + " did not converge");
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

}  // namespace

FeatureScreen screenFeatures(const SurvivalData& data, const Eigen::MatrixXd& x, const std::vector<std::string>& names,
                             const ScreeningOptions& o) {
  validateSurvivalData(data, "feature screening");
  const Eigen::Index n = data.size();
  if (x.rows() != n)
    throw InputError("feature screening: the features have " + std::to_string(x.rows()) + " rows but there are " +
                     std::to_string(n) + " subjects");
  if (data.event.sum() == 0)
    throw ModelError("feature screening: there are no events among the " + std::to_string(n) +
                     " subjects, so no feature can be related to survival");
  return screenWith(
      n, x, names, o, [&](Eigen::Index j) { return univariateCox(data, x.col(j), o.test, o.ties); },
      [&](const std::vector<Eigen::Index>& rows, const Eigen::MatrixXd& xs, bool& converged) {
        const SurvivalData d = subsetData(data, rows);
        CoxOptions co;
        co.ties = o.ties;
        co.penalizer = o.forwardPenalizer;
        const CoxFit fit = fitCox(d, xs, co);
        converged = fit.converged;
        return summarizeCoefficients(fit, false).back().p;
      });
}

UnivariateCox univariateLogistic(const Eigen::VectorXd& y, const Eigen::VectorXd& column, UnivariateTest test) {
  if (column.size() != y.size())
    throw InputError("univariate logistic: the column has " + std::to_string(column.size()) + " values but there are " +
                     std::to_string(y.size()) + " subjects");
  std::vector<Eigen::Index> rows;
  for (Eigen::Index i = 0; i < column.size(); ++i)
    if (std::isfinite(column(i))) rows.push_back(i);
  if (rows.size() < 2) throw InputError("univariate logistic: fewer than 2 subjects have a value");
  Eigen::VectorXd ys(static_cast<Eigen::Index>(rows.size()));
  Eigen::MatrixXd x(static_cast<Eigen::Index>(rows.size()), 1);
  for (size_t k = 0; k < rows.size(); ++k) {
    ys(static_cast<Eigen::Index>(k)) = y(rows[k]);
    x(static_cast<Eigen::Index>(k), 0) = column(rows[k]);
  }
  const LogisticFit fit = fitLogistic(ys, x);  // ModelError: one outcome class, constant column
  if (!fit.converged || !fit.warnings.empty())
    throw ModelError("univariate logistic: " + (fit.warnings.empty() ? std::string("no convergence") : fit.warnings.front()));
  UnivariateCox u;
  u.coef = fit.coef(1);
  u.se = fit.se(1);
  u.hr = fit.oddsRatio(1);
  u.z = fit.z(1);
  if (test == UnivariateTest::Wald) {
    u.p = fit.pValue(1);
  } else {
    const double pbar = fit.cases / static_cast<double>(ys.size());
    const double null = fit.cases * std::log(pbar) + fit.controls * std::log(1 - pbar);
    u.p = chiSquareUpper(std::max(0.0, 2 * (fit.loglik - null)), 1);
  }
  u.n = static_cast<int>(ys.size());
  u.events = static_cast<int>(fit.cases);
  if (!std::isfinite(u.p)) throw ModelError("univariate logistic: the p-value is not finite (the fit diverged)");
  return u;
}

FeatureScreen screenFeaturesBinary(const Eigen::VectorXd& y, const Eigen::MatrixXd& x, const std::vector<std::string>& names,
                                   const ScreeningOptions& o) {
  const Eigen::Index n = y.size();
  if (x.rows() != n)
    throw InputError("feature screening: the features have " + std::to_string(x.rows()) + " rows but there are " +
                     std::to_string(n) + " subjects");
  for (Eigen::Index i = 0; i < n; ++i)
    if (!(y(i) == 0 || y(i) == 1)) throw InputError("feature screening: the outcome must be 0 or 1 at row " + std::to_string(i + 1));
  const double cases = y.sum();
  if (cases == 0 || cases == static_cast<double>(n))
    throw ModelError(std::string("feature screening: the outcome is ") + (cases == 0 ? "0" : "1") + " for all " + std::to_string(n) +
                     " subjects, so no feature can be related to it");
  return screenWith(
      n, x, names, o, [&](Eigen::Index j) { return univariateLogistic(y, x.col(j), o.test); },
      [&](const std::vector<Eigen::Index>& rows, const Eigen::MatrixXd& xs, bool& converged) {
        Eigen::VectorXd ys(static_cast<Eigen::Index>(rows.size()));
        for (size_t k = 0; k < rows.size(); ++k) ys(static_cast<Eigen::Index>(k)) = y(rows[k]);
        LogisticOptions lo;
        lo.ridge = static_cast<double>(rows.size()) * o.forwardPenalizer;
        const LogisticFit fit = fitLogistic(ys, xs, {}, lo);
        converged = fit.converged;
        return fit.pValue(fit.pValue.size() - 1);
      });
}

const char* lambdaRuleName(LambdaRule rule) { return rule == LambdaRule::Min ? "min" : "1se"; }

ElasticNetSelection elasticNetSelection(const SurvivalData& data, const Eigen::MatrixXd& x, const ElasticNetSelectionOptions& o,
                                        uint64_t seed, const Eigen::VectorXi& foldId, const std::vector<std::string>& names) {
  if (!(o.alpha > 0 && o.alpha <= 1)) throw InputError("elastic-net selection: alpha must be in (0, 1] (1 = lasso)");
  if (o.folds < 2) throw InputError("elastic-net selection: the cross-validation needs at least 2 folds");
  if (x.rows() != data.size())
    throw InputError("elastic-net selection: the features have " + std::to_string(x.rows()) + " rows but there are " +
                     std::to_string(data.size()) + " subjects");
  ElasticNetOptions eo;
  eo.alpha = o.alpha;
  eo.standardize = true;
  eo.columnNames = names;
  ElasticNetCvOptions cv;
  cv.folds = o.folds;
  cv.seed = seed;
  cv.stratified = true;
  cv.rule = o.rule;
  if (foldId.size()) cv.foldId = foldId;
  else if (o.folds > data.size())
    throw InputError("elastic-net selection: " + std::to_string(o.folds) + " folds need at least that many patients");
  const ElasticNetCv fit = cvElasticNetCox(data, x, eo, cv);
  ElasticNetSelection s;
  s.used = true;
  s.lambda = fit.lambdaChosen;
  s.lambdaMin = fit.lambdaMin;
  s.lambda1se = fit.lambda1se;
  s.coef = fit.coefficients();
  s.warnings = fit.warnings;
  for (const auto& w : fit.fit.warnings) s.warnings.push_back(w);
  for (Eigen::Index j = 0; j < s.coef.size(); ++j)
    if (s.coef(j) != 0) s.selected.push_back(static_cast<int>(j));
  if (s.selected.empty()) {
    const Eigen::MatrixXd& b = fit.fit.beta;
    for (Eigen::Index k = 0; k < b.cols() && s.selected.empty(); ++k) {
      Eigen::Index best = -1;
      for (Eigen::Index j = 0; j < b.rows(); ++j)
        if (b(j, k) != 0 && (best < 0 || std::fabs(b(j, k)) > std::fabs(b(best, k)))) best = j;
      if (best >= 0) s.selected.push_back(static_cast<int>(best));
    }
    if (s.selected.empty()) throw ModelError("elastic-net selection: no column enters the elastic-net path at any lambda");
    s.fallback = true;
    s.warnings.push_back("no coefficient is non-zero at lambda_" + std::string(lambdaRuleName(o.rule)) + " = " +
                         std::to_string(s.lambda) + "; kept " + label(names, s.selected.front()) +
                         ", the first column to enter the elastic-net path");
  }
  return s;
}

}  // namespace latefuse
