#include "latefuse/logistic.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <new>
#include <numeric>

#include "latefuse/distributions.hpp"
#include "latefuse/error.hpp"
#include "latefuse/linalg.hpp"
#include "latefuse/ridge_rotation.hpp"

namespace latefuse {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

// R's binomial()$linkinv (logit_linkinv in family.c): eta beyond ±(-log eps) maps to eps / 1 - eps.
double linkinv(double eta) {
  const double thresh = -std::log(kEps);
  const double e = eta < -thresh ? kEps : (eta > thresh ? 1 / kEps : std::exp(eta));
  return e / (1 + e);
}

double devianceOf(const Eigen::VectorXd& y, const Eigen::VectorXd& mu, const Eigen::VectorXd& w) {
  double d = 0;
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    // 0/1 outcome: only one of the two terms is non-zero (R's binomial dev.resids, y log(y/mu) = 0 at y = 0).
    d += -2 * w(i) * (y(i) == 1 ? std::log(mu(i)) : std::log(1 - mu(i)));
  }
  return d;
}

// Wald z, two-sided p and odds ratios with their limits from coef and se.
void fillWaldColumns(LogisticFit& f, double zq) {
  const Eigen::Index p = f.coef.size();
  f.z.resize(p);
  f.pValue.resize(p);
  f.oddsRatio.resize(p);
  f.orLower.resize(p);
  f.orUpper.resize(p);
  for (Eigen::Index j = 0; j < p; ++j) {
    const double b = f.coef(j);
    f.z(j) = b / f.se(j);
    f.pValue(j) = 2 * normalUpper(std::fabs(f.z(j)));
    f.oddsRatio(j) = std::exp(b);
    f.orLower(j) = std::exp(b - zq * f.se(j));
    f.orUpper(j) = std::exp(b + zq * f.se(j));
  }
}

// Ridge logistic with more covariates than rows on the rotated design (ridge_rotation.hpp): the
// penalised objective depends on the covariates only through x beta and penalises beta
// isotropically, so the fit on Z (same ridge, same intercept and offset) gives theta and
// beta = x' U Lambda^(-1/2) theta. The same IRLS with the same convergence rule runs in r <= n
// dimensions. Kept: coef, the exact model SEs (diag of (X'WX + Lambda)^-1; the intercept's from the
// rotated fit, which has the same intercept), the fitted values. Not kept: the p x p var (empty).
LogisticFit fitLogisticRotated(const Eigen::VectorXd& y, const Eigen::MatrixXd& x, const Eigen::VectorXd& weights,
                               const LogisticOptions& o) {
  const Eigen::Index k = x.cols();
  const Eigen::MatrixXd xT = x.transpose();
  const RidgeRotation rotation = rotateRidgeDesign(xT);
  LogisticOptions ro = o;
  ro.names.clear();
  LogisticFit f = fitLogistic(y, rotation.z, weights, ro);
  const Eigen::Index r = rotation.z.cols(), first = o.intercept ? 1 : 0;
  const Eigen::VectorXd theta = f.coef.tail(r);
  const Eigen::VectorXd beta = rotateBack(rotation, xT, theta);
  const Eigen::VectorXd varBeta = rotatedVarianceDiagonal(rotation, xT, f.var.bottomRightCorner(r, r), o.ridge);
  Eigen::VectorXd coef(first + k), se(first + k);
  if (o.intercept) {
    coef(0) = f.coef(0);
    se(0) = f.se(0);
  }
  coef.tail(k) = beta;
  se.tail(k) = varBeta.cwiseSqrt();
  f.coef = coef;
  f.se = se;
  f.p = first + k;
  f.var.resize(0, 0);
  f.names.clear();
  if (o.intercept) f.names.push_back("(Intercept)");
  for (Eigen::Index j = 0; j < k; ++j) f.names.push_back(o.names.empty() ? "x" + std::to_string(j + 1) : o.names[static_cast<size_t>(j)]);
  fillWaldColumns(f, normalQuantile(1 - (1 - o.confLevel) / 2));
  return f;
}

}  // namespace

namespace {

LogisticFit fitLogisticUnguarded(const Eigen::VectorXd& y, const Eigen::MatrixXd& xIn, const Eigen::VectorXd& weightsIn,
                                 const LogisticOptions& o) {
  const Eigen::Index n = y.size();
  if (xIn.rows() != n)
    throw InputError("logistic regression: the outcome has " + std::to_string(n) + " values but the covariates have " +
                     std::to_string(xIn.rows()) + " rows");
  if (weightsIn.size() != 0 && weightsIn.size() != n)
    throw InputError("logistic regression: weights must have one value per row (" + std::to_string(n) + ")");
  if (o.offset.size() != 0 && o.offset.size() != n)
    throw InputError("logistic regression: the offset must have one value per row (" + std::to_string(n) + ")");
  if (!(o.ridge >= 0) || !std::isfinite(o.ridge))
    throw InputError("logistic regression: the ridge penalty must be a finite number >= 0");
  if (!o.names.empty() && static_cast<Eigen::Index>(o.names.size()) != xIn.cols())
    throw InputError("logistic regression: " + std::to_string(o.names.size()) + " names for " +
                     std::to_string(xIn.cols()) + " covariates");
  auto colName = [&](Eigen::Index j) {
    return o.names.empty() ? "covariate " + std::to_string(j + 1) : "covariate \"" + o.names[static_cast<size_t>(j)] + "\"";
  };
  for (Eigen::Index i = 0; i < n; ++i) {
    const std::string row = "row " + std::to_string(i + 1);
    if (!(y(i) == 0 || y(i) == 1)) throw InputError("logistic regression: the outcome must be 0 or 1 at " + row);
    if (weightsIn.size() && !(std::isfinite(weightsIn(i)) && weightsIn(i) > 0))
      throw InputError("logistic regression: weight must be a positive finite number at " + row);
    if (o.offset.size() && !std::isfinite(o.offset(i)))
      throw InputError("logistic regression: the offset is not a finite number at " + row);
    for (Eigen::Index j = 0; j < xIn.cols(); ++j)
      if (!std::isfinite(xIn(i, j)))
        throw InputError("logistic regression: " + colName(j) + " is missing or not finite at " + row +
                         "; drop incomplete rows first");
  }
  const Eigen::VectorXd w = weightsIn.size() ? weightsIn : Eigen::VectorXd::Ones(n);
  const Eigen::VectorXd offset = o.offset.size() ? o.offset : Eigen::VectorXd::Zero(n);

  LogisticFit f;
  f.n = n;
  f.ridge = o.ridge;
  for (Eigen::Index i = 0; i < n; ++i) (y(i) == 1 ? f.cases : f.controls) += w(i);
  if (n == 0) throw InputError("logistic regression: no rows");
  if (f.cases == 0 || f.controls == 0)
    throw ModelError(std::string("logistic regression: the outcome is always ") + (f.cases == 0 ? "0" : "1") +
                     "; a logistic model needs both outcomes");

  if (o.ridge > 0 && o.allowRotation && preferRidgeRotation(n, xIn.cols())) return fitLogisticRotated(y, xIn, weightsIn, o);
  const Eigen::Index k = xIn.cols(), p = k + (o.intercept ? 1 : 0);
  Eigen::MatrixXd X(n, p);
  if (o.intercept) X.col(0).setOnes();
  if (k) X.rightCols(k) = xIn;
  if (o.intercept) f.names.push_back("(Intercept)");
  for (Eigen::Index j = 0; j < k; ++j) f.names.push_back(o.names.empty() ? "x" + std::to_string(j + 1) : o.names[static_cast<size_t>(j)]);
  Eigen::VectorXd penalty = Eigen::VectorXd::Constant(p, o.ridge);
  if (o.intercept) penalty(0) = 0;
  f.p = p;

  Eigen::VectorXd mu(n), eta(n), beta = Eigen::VectorXd::Zero(p);
  for (Eigen::Index i = 0; i < n; ++i) {
    mu(i) = (w(i) * y(i) + 0.5) / (w(i) + 1);
    eta(i) = std::log(mu(i) / (1 - mu(i)));
  }
  double devOld = std::numeric_limits<double>::infinity();
  Eigen::MatrixXd info;
  for (int iter = 1; iter <= std::max(1, o.maxIter); ++iter) {
    Eigen::VectorXd W(n), z(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      const double v = mu(i) * (1 - mu(i));
      W(i) = w(i) * v;
      z(i) = eta(i) - offset(i) + (y(i) - mu(i)) / v;
    }
    info = X.transpose() * W.asDiagonal() * X;
    info.diagonal() += penalty;
    const Cholesky2 chol(info, 1e-11);
    if (chol.rank < p) {
      // At the start every weight is positive, so a singular X'WX means collinear columns. Later
      // it means the weights collapsed (fitted probabilities at 0 or 1: separation): stop there.
      if (iter > 1) break;
      const auto red = chol.redundant();
      for (Eigen::Index j = 0; j < p; ++j)
        if (red[static_cast<size_t>(j)])
          throw ModelError("logistic regression: " + (o.intercept && j == 0 ? std::string("the intercept") : colName(j - (o.intercept ? 1 : 0))) +
                           " is collinear with the other covariates (or constant); drop it or add a ridge penalty");
    }
    beta = chol.solve(X.transpose() * (W.array() * z.array()).matrix());
    eta = X * beta + offset;
    for (Eigen::Index i = 0; i < n; ++i) mu(i) = linkinv(eta(i));
    f.penalty = 0.5 * (penalty.array() * beta.array().square()).sum();
    const double devPen = devianceOf(y, mu, w) + 2 * f.penalty;
    f.iterations = iter;
    if (std::fabs(devPen - devOld) / (std::fabs(devPen) + 0.1) < o.eps) {
      f.converged = true;
      break;
    }
    devOld = devPen;
  }
  // Information at the estimate.
  {
    Eigen::VectorXd W(n);
    for (Eigen::Index i = 0; i < n; ++i) W(i) = w(i) * mu(i) * (1 - mu(i));
    info = X.transpose() * W.asDiagonal() * X;
    info.diagonal() += penalty;
  }
  const Cholesky2 chol(info, 1e-11);
  f.var = chol.inverse();
  f.coef = beta;
  f.se = f.var.diagonal().cwiseMax(0).cwiseSqrt();
  {
    const auto red = chol.redundant();  // information lost to separation: the SE is not defined
    for (Eigen::Index j = 0; j < p; ++j)
      if (red[static_cast<size_t>(j)]) f.se(j) = std::numeric_limits<double>::quiet_NaN();
  }
  const double zq = normalQuantile(1 - (1 - o.confLevel) / 2);
  fillWaldColumns(f, zq);
  f.deviance = devianceOf(y, mu, w);
  f.loglik = -f.deviance / 2;
  f.linearPredictor = eta;
  f.fitted = mu;
  if (!f.converged)
    f.warnings.push_back("logistic regression did not converge in " + std::to_string(o.maxIter) +
                         " iterations; the estimates are unreliable (often a sign of separation: try a ridge penalty)");
  if (o.ridge == 0 && !o.offset.size()) {
    // If the fitted linear predictor puts every case above every control, scaling beta up only
    // increases the likelihood: the maximum likelihood estimate does not exist (complete separation).
    double maxControl = -std::numeric_limits<double>::infinity(), minCase = std::numeric_limits<double>::infinity();
    for (Eigen::Index i = 0; i < n; ++i) {
      if (y(i) == 1) minCase = std::min(minCase, eta(i));
      else maxControl = std::max(maxControl, eta(i));
    }
    if (maxControl < minCase)
      f.warnings.push_back(
          "the covariates completely separate the outcomes (every y = 1 row has a higher linear "
          "predictor than every y = 0 row): the maximum likelihood estimates are infinite, so the "
          "coefficients, SEs and p-values are meaningless; add a ridge penalty or drop the separating covariate");
  }
  const double tiny = 10 * kEps;
  for (Eigen::Index i = 0; i < n; ++i) {
    if (mu(i) > 1 - tiny || mu(i) < tiny) {
      f.warnings.push_back(
          "fitted probabilities numerically 0 or 1 occurred: the covariates (almost) perfectly "
          "separate the outcomes, so some coefficients tend to infinity and their SEs and p-values "
          "are meaningless; add a ridge penalty or drop the separating covariate");
      break;
    }
  }
  return f;
}

}  // namespace

LogisticFit fitLogistic(const Eigen::VectorXd& y, const Eigen::MatrixXd& x, const Eigen::VectorXd& weights,
                        const LogisticOptions& o) {
  try {
    return fitLogisticUnguarded(y, x, weights, o);
  } catch (const std::bad_alloc&) {
    // A ModelError (not an internal error), so that callers add the modality and the CLI exits 2.
    throw ModelError("logistic regression: out of memory for " + std::to_string(x.cols()) + " covariates and " +
                     std::to_string(x.rows()) + " rows; use fewer covariates (feature screening or a smaller feature set)");
  }
}

BinaryAuc binaryAuc(const Eigen::VectorXd& y, const Eigen::VectorXd& score, double confLevel) {
  const Eigen::Index n = y.size();
  if (score.size() != n)
    throw InputError("AUC: the outcome has " + std::to_string(n) + " values but the score has " + std::to_string(score.size()));
  std::vector<double> cases, controls;
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!(y(i) == 0 || y(i) == 1)) throw InputError("AUC: the outcome must be 0 or 1 at row " + std::to_string(i + 1));
    if (!std::isfinite(score(i))) throw InputError("AUC: the score is not a finite number at row " + std::to_string(i + 1));
    (y(i) == 1 ? cases : controls).push_back(score(i));
  }
  if (cases.empty() || controls.empty())
    throw ModelError("AUC: needs at least one case (y = 1) and one control (y = 0)");
  BinaryAuc out;
  out.cases = static_cast<Eigen::Index>(cases.size());
  out.controls = static_cast<Eigen::Index>(controls.size());
  const double m = static_cast<double>(cases.size()), c = static_cast<double>(controls.size());
  std::vector<double> sortedControls = controls, sortedCases = cases;
  std::sort(sortedControls.begin(), sortedControls.end());
  std::sort(sortedCases.begin(), sortedCases.end());
  // psi(case, control) = 1 if case > control, 1/2 if equal: counts by binary search.
  auto placement = [](const std::vector<double>& sorted, double v) {
    const auto lo = std::lower_bound(sorted.begin(), sorted.end(), v);
    const auto hi = std::upper_bound(lo, sorted.end(), v);
    return static_cast<double>(lo - sorted.begin()) + 0.5 * static_cast<double>(hi - lo);
  };
  std::vector<double> v10(cases.size()), v01(controls.size());
  double sum10 = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    v10[i] = placement(sortedControls, cases[i]) / c;
    sum10 += v10[i];
  }
  for (size_t j = 0; j < controls.size(); ++j) {
    // cases above control_j plus half the ties = m - (cases below) - ties/2
    const auto lo = std::lower_bound(sortedCases.begin(), sortedCases.end(), controls[j]);
    const auto hi = std::upper_bound(lo, sortedCases.end(), controls[j]);
    const double above = static_cast<double>(sortedCases.end() - hi), ties = static_cast<double>(hi - lo);
    v01[j] = (above + 0.5 * ties) / m;
  }
  out.auc = sum10 / m;
  auto variance = [](const std::vector<double>& v) {
    if (v.size() < 2) return 0.0;
    double mean = 0;
    for (double a : v) mean += a;
    mean /= static_cast<double>(v.size());
    double s = 0;
    for (double a : v) s += (a - mean) * (a - mean);
    return s / static_cast<double>(v.size() - 1);
  };
  out.se = std::sqrt(variance(v10) / m + variance(v01) / c);
  const double z = normalQuantile(1 - (1 - confLevel) / 2);
  out.lower = std::max(0.0, out.auc - z * out.se);
  out.upper = std::min(1.0, out.auc + z * out.se);
  return out;
}

double binaryBrier(const Eigen::VectorXd& y, const Eigen::VectorXd& prob, const Eigen::VectorXd& weights) {
  const Eigen::Index n = y.size();
  if (prob.size() != n || (weights.size() && weights.size() != n))
    throw InputError("Brier score: outcome, probabilities and weights must have the same length");
  if (n == 0) throw InputError("Brier score: no rows");
  double s = 0, sw = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!(prob(i) >= 0 && prob(i) <= 1))
      throw InputError("Brier score: predicted probability at row " + std::to_string(i + 1) + " is not in [0, 1]");
    const double wi = weights.size() ? weights(i) : 1.0;
    s += wi * (prob(i) - y(i)) * (prob(i) - y(i));
    sw += wi;
  }
  return s / sw;
}

LogisticCalibration logisticCalibration(const Eigen::VectorXd& y, const Eigen::VectorXd& lp, const Eigen::VectorXd& weights) {
  LogisticCalibration out;
  LogisticOptions slopeOpt;
  slopeOpt.names = {"lp"};
  const LogisticFit slope = fitLogistic(y, lp, weights, slopeOpt);
  out.slope = slope.coef(1);
  out.slopeSe = slope.se(1);
  LogisticOptions large;
  large.offset = lp;
  const LogisticFit inLarge = fitLogistic(y, Eigen::MatrixXd(y.size(), 0), weights, large);
  out.intercept = inLarge.coef(0);
  out.interceptSe = inLarge.se(0);
  return out;
}

}  // namespace latefuse
