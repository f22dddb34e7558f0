#include "latefuse/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "latefuse/cox.hpp"
#include "latefuse/distributions.hpp"
#include "latefuse/error.hpp"

namespace latefuse {

Eigen::VectorXd quantileType7(const Eigen::VectorXd& x, const Eigen::VectorXd& probs) {
  std::vector<double> s(x.data(), x.data() + x.size());
  std::sort(s.begin(), s.end());
  const double n = static_cast<double>(s.size());
  Eigen::VectorXd q(probs.size());
  for (Eigen::Index k = 0; k < probs.size(); ++k) {
    // R: index <- 1 + (n - 1) * probs; lo <- floor(index); hi <- ceiling(index);
    //    qs <- x[lo]; h <- index - lo; qs <- (1 - h) * qs + h * x[hi] where index > lo and x[hi] != qs
    const double index = 1 + std::max(n - 1, 0.0) * probs(k);
    const double lo = std::floor(index), hi = std::ceil(index);
    double qs = s[static_cast<size_t>(lo) - 1];
    const double xhi = s[static_cast<size_t>(hi) - 1];
    if (index > lo && xhi != qs) {
      const double h = index - lo;
      qs = (1 - h) * qs + h * xhi;
    }
    q(k) = qs;
  }
  return q;
}

SurvivalCalibration survivalCalibration(const SurvivalData& data, const Eigen::VectorXd& predictedSurvival,
                                        double horizon, const CalibrationOptions& options) {
  validateSurvivalData(data, "calibration");
  const Eigen::Index n = data.size();
  if (predictedSurvival.size() != n)
    throw InputError("calibration: " + std::to_string(predictedSurvival.size()) + " predictions for " + std::to_string(n) +
                     " subjects; give one predicted survival probability per row");
  if (n == 0) throw InputError("calibration: no rows");
  for (Eigen::Index i = 0; i < n; ++i)
    if (!(predictedSurvival(i) >= 0 && predictedSurvival(i) <= 1))
      throw InputError("calibration: the predicted survival at row " + std::to_string(i + 1) + " is not a probability in [0, 1]");
  if (options.groups < 1) throw InputError("calibration: the number of groups must be at least 1");
  const double last = data.time.maxCoeff();
  if (!(horizon > 0) || !std::isfinite(horizon) || horizon > last) {
    std::ostringstream s;
    s << "calibration: the horizon " << horizon << " must be a positive time no later than the last observed time " << last;
    throw InputError(s.str());
  }

  SurvivalCalibration out;
  out.horizon = horizon;
  // Risk groups at R's type-7 quantile breaks (cut, include.lowest = TRUE, right-closed).
  const Eigen::VectorXd risk = (1 - predictedSurvival.array()).matrix();
  Eigen::VectorXd probs(options.groups + 1);
  const double by = 1.0 / options.groups;  // R seq(0, 1, length.out = G + 1): from + k * by, exact ends
  for (int k = 0; k <= options.groups; ++k) probs(k) = k == options.groups ? 1.0 : static_cast<double>(k) * by;
  const Eigen::VectorXd q = quantileType7(risk, probs);
  std::vector<double> breaks(q.data(), q.data() + q.size());
  breaks.erase(std::unique(breaks.begin(), breaks.end()), breaks.end());
  const size_t nGroups = breaks.size() < 2 ? 1 : breaks.size() - 1;
  Eigen::VectorXi group(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    if (breaks.size() < 2) {
      group(i) = 0;
      continue;
    }
    // interval k: (b_k, b_{k+1}], the first one closed on the left too
    const auto it = std::lower_bound(breaks.begin() + 1, breaks.end(), risk(i));
    group(i) = static_cast<int>(std::min<size_t>(static_cast<size_t>(it - breaks.begin()) - 1, nGroups - 1));
  }
  for (size_t g = 0; g < nGroups; ++g) {
    std::vector<Eigen::Index> rows;
    for (Eigen::Index i = 0; i < n; ++i)
      if (group(i) == static_cast<int>(g)) rows.push_back(i);
    if (rows.empty()) continue;
    SurvivalData sub;
    const Eigen::Index m = static_cast<Eigen::Index>(rows.size());
    sub.time.resize(m);
    sub.event.resize(m);
    if (data.weighted()) sub.weight.resize(m);
    CalibrationGroup cg;
    double sumW = 0, sumPred = 0;
    for (Eigen::Index k = 0; k < m; ++k) {
      const Eigen::Index i = rows[static_cast<size_t>(k)];
      sub.time(k) = data.time(i);
      sub.event(k) = data.event(i);
      if (data.weighted()) sub.weight(k) = data.weight(i);
      sumW += data.w(i);
      sumPred += data.w(i) * predictedSurvival(i);
      cg.events += data.w(i) * data.event(i);
    }
    cg.n = m;
    cg.predicted = sumPred / sumW;
    cg.riskLow = breaks.size() < 2 ? risk.minCoeff() : breaks[g];
    cg.riskHigh = breaks.size() < 2 ? risk.maxCoeff() : breaks[g + 1];
    const KaplanMeierCurve km = kaplanMeier(sub, options.km);
    const KaplanMeierAt at = kaplanMeierAt(km, Eigen::VectorXd::Constant(1, horizon));
    cg.observed = at.surv(0);
    cg.lower = at.lower(0);
    cg.upper = at.upper(0);
    cg.nRisk = at.nRisk(0);
    out.groups.push_back(cg);
  }

  // Calibration slope: Cox regression on the linear predictor.
  Eigen::VectorXd lp = options.linearPredictor;
  if (lp.size() == 0) {
    lp.resize(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      const double s = predictedSurvival(i);
      if (!(s > 0 && s < 1))
        throw InputError("calibration: the predicted survival at row " + std::to_string(i + 1) +
                         " is 0 or 1, so log(-log S) is infinite; give the linear predictor explicitly");
      lp(i) = std::log(-std::log(s));
    }
  } else if (lp.size() != n) {
    throw InputError("calibration: the linear predictor has " + std::to_string(lp.size()) + " values for " +
                     std::to_string(n) + " subjects");
  }
  CoxOptions co;
  co.columnNames = {"lp"};
  SurvivalData unstratified = data;
  unstratified.strata.resize(0);
  const CoxFit fit = fitCox(unstratified, lp, co);
  out.slope = fit.coef(0);
  out.slopeSe = fit.se(0);
  const double z = normalQuantile(1 - (1 - options.km.confLevel) / 2);
  out.slopeLower = out.slope - z * out.slopeSe;
  out.slopeUpper = out.slope + z * out.slopeSe;
  return out;
}

}  // namespace latefuse
