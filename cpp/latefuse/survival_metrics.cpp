#include "latefuse/survival_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>

#include "latefuse/error.hpp"
#include "latefuse/fenwick.hpp"

namespace latefuse {
namespace {

std::string fmt(double v) {
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}

void checkMetricData(const SurvivalData& d, const char* what, const char* role) {
  validateSurvivalData(d, std::string(what) + " (" + role + " data)");
  if (d.stratified())
    throw InputError(std::string(what) + ": strata are not supported; compute the metric per stratum");
  if (d.size() == 0) throw InputError(std::string(what) + ": the " + role + " data have no rows");
  bool anyEvent = false;
  for (Eigen::Index i = 0; i < d.size(); ++i) anyEvent = anyEvent || d.event(i) == 1;
  // sksurv check_y_survival: "all samples are censored"
  if (!anyEvent) throw ModelError(std::string(what) + ": all " + role + " samples are censored; the metric needs events");
}

void checkRisk(const Eigen::VectorXd& risk, Eigen::Index n, const char* what) {
  if (risk.size() != n)
    throw InputError(std::string(what) + ": the risk score has " + std::to_string(risk.size()) +
                     " values but the test data have " + std::to_string(n) + " rows");
  for (Eigen::Index i = 0; i < n; ++i)
    if (!std::isfinite(risk(i)))
      throw InputError(std::string(what) + ": the risk score is not a finite number at row " + std::to_string(i + 1));
}

// Distinct times with weighted counts: at risk (T >= t), events and censorings at t.
struct Counts {
  std::vector<double> time, atRisk, events, censored;
};
Counts countTimes(const SurvivalData& d) {
  const Eigen::Index n = d.size();
  std::vector<Eigen::Index> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) { return d.time(a) < d.time(b); });
  double total = 0;
  for (Eigen::Index i = 0; i < n; ++i) total += d.w(i);
  Counts c;
  double remaining = total;
  for (size_t k = 0; k < order.size();) {
    size_t e = k;
    double ev = 0, ce = 0;
    while (e < order.size() && d.time(order[e]) == d.time(order[k])) {
      (d.event(order[e]) == 1 ? ev : ce) += d.w(order[e]);
      ++e;
    }
    c.time.push_back(d.time(order[k]));
    c.atRisk.push_back(remaining);
    c.events.push_back(ev);
    c.censored.push_back(ce);
    remaining -= ev + ce;
    k = e;
  }
  return c;
}

// sksurv StepFunction lookup: value at the largest distinct time <= t (prefixed by (-inf, 1)).
double stepAt(const std::vector<double>& time, const std::vector<double>& prob, double t) {
  const auto it = std::upper_bound(time.begin(), time.end(), t);
  if (it == time.begin()) return 1.0;
  return prob[static_cast<size_t>(it - time.begin()) - 1];
}

}  // namespace

CensoringDistribution::CensoringDistribution(const SurvivalData& train) {
  const Counts c = countTimes(train);
  double g = 1;
  for (size_t k = 0; k < c.time.size(); ++k) {
    const double atRisk = c.atRisk[k] - c.events[k];  // events leave first
    if (c.censored[k] != 0) g *= 1 - c.censored[k] / atRisk;
    time_.push_back(c.time[k]);
    prob_.push_back(g);
  }
}

double CensoringDistribution::operator()(double t) const {
  if (!time_.empty() && t > time_.back()) {
    if (prob_.back() > 0)
      throw InputError("censoring distribution: time " + fmt(t) + " is beyond the largest training time " +
                       fmt(time_.back()) +
                       " (where the censoring survival is still > 0); restrict the test data "
                       "or the time points to the training follow-up");
    return 0;
  }
  return stepAt(time_, prob_, t);
}

double sksurvKaplanMeierAt(const SurvivalData& data, double t) {
  const Counts c = countTimes(data);
  std::vector<double> prob;
  double s = 1;
  for (size_t k = 0; k < c.time.size(); ++k) {
    if (c.events[k] != 0) s *= 1 - c.events[k] / c.atRisk[k];
    prob.push_back(s);
  }
  if (t > c.time.back()) {
    if (prob.back() > 0)
      throw InputError("Kaplan-Meier: time " + fmt(t) + " is beyond the largest observed time " + fmt(c.time.back()));
    return 0;
  }
  return stepAt(c.time, prob, t);
}

UnoConcordance unoConcordance(const SurvivalData& train, const SurvivalData& test, const Eigen::VectorXd& risk,
                              double tau, double tiedTol) {
  const char* what = "Uno's C";
  checkMetricData(train, what, "training");
  checkMetricData(test, what, "test");
  checkRisk(risk, test.size(), what);
  if (!(tau > 0)) throw InputError("Uno's C: tau must be a positive time (or +infinity for no truncation)");
  const CensoringDistribution G(train);
  const Eigen::Index n = test.size();
  // IPCW weight per event with T < tau (sksurv evaluates G only there).
  std::vector<double> w(static_cast<size_t>(n), 0.0);
  for (Eigen::Index i = 0; i < n; ++i) {
    if (test.event(i) != 1 || !(test.time(i) < tau)) continue;
    const double g = G(test.time(i));
    if (g == 0)
      throw ModelError("Uno's C: the censoring survival function is zero at time " + fmt(test.time(i)) +
                       " (test row " + std::to_string(i + 1) + "); lower tau below the last censoring time");
    w[static_cast<size_t>(i)] = 1 / (g * g);
  }
  // Sorted distinct risk values for the Fenwick positions.
  std::vector<double> sorted(risk.data(), risk.data() + n);
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  auto pos = [&](double r) { return static_cast<size_t>(std::lower_bound(sorted.begin(), sorted.end(), r) - sorted.begin()); };
  std::vector<Eigen::Index> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) { return test.time(a) < test.time(b); });

  UnoConcordance out;
  out.tau = tau;
  Fenwick tree(sorted.size());
  double inTree = 0, numerator = 0, denominator = 0;
  size_t hi = order.size();
  while (hi > 0) {
    size_t lo = hi;
    const double t = test.time(order[hi - 1]);
    while (lo > 0 && test.time(order[lo - 1]) == t) --lo;
    // A subject censored at t is comparable to the events at t.
    for (size_t k = lo; k < hi; ++k) {
      const Eigen::Index j = order[k];
      if (test.event(j) == 0) {
        tree.add(pos(risk(j)), test.w(j));
        inTree += test.w(j);
      }
    }
    for (size_t k = lo; k < hi; ++k) {
      const Eigen::Index i = order[k];
      if (test.event(i) != 1) continue;
      const double ri = risk(i);
      // sksurv: ties = |r_j - r_i| <= tol; concordant = r_j < r_i among the rest. In sorted order
      // the predicates fl(r_j - r_i) < -tol and fl(r_j - r_i) <= tol are monotone.
      const size_t a = static_cast<size_t>(std::partition_point(sorted.begin(), sorted.end(), [&](double s) { return s - ri < -tiedTol; }) - sorted.begin());
      const size_t b = static_cast<size_t>(std::partition_point(sorted.begin(), sorted.end(), [&](double s) { return s - ri <= tiedTol; }) - sorted.begin());
      const double con = tree.prefix(a), ties = tree.prefix(b) - con;
      const double mi = test.w(i);  // frequency weight of the event row
      const double wi = w[static_cast<size_t>(i)];
      numerator += mi * wi * (con + 0.5 * ties);
      denominator += mi * wi * inTree;
      out.concordant += mi * con;
      out.tiedRisk += mi * ties;
      out.discordant += mi * (inTree - con - ties);
    }
    for (size_t k = lo; k < hi; ++k) {
      const Eigen::Index i = order[k];
      if (test.event(i) == 1) {
        tree.add(pos(risk(i)), test.w(i));
        inTree += test.w(i);
      }
    }
    hi = lo;
  }
  out.comparableWeight = denominator;
  if (denominator == 0)
    throw ModelError(
        "Uno's C: no comparable pairs (an event before tau followed by a longer follow-up); "
        "the C-index is undefined for these data");
  out.c = numerator / denominator;
  return out;
}

TimeDependentAuc cumulativeDynamicAuc(const SurvivalData& train, const SurvivalData& test, const Eigen::VectorXd& risk,
                                      const Eigen::VectorXd& timesIn, double tiedTol) {
  const char* what = "time-dependent AUC";
  checkMetricData(train, what, "training");
  checkMetricData(test, what, "test");
  checkRisk(risk, test.size(), what);
  const Eigen::Index n = test.size();
  if (timesIn.size() == 0) throw InputError("time-dependent AUC: give at least one time point");
  std::vector<double> times(timesIn.data(), timesIn.data() + timesIn.size());
  for (double t : times)
    if (!std::isfinite(t)) throw InputError("time-dependent AUC: time points must be finite numbers");
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  const double tmin = test.time.minCoeff(), tmax = test.time.maxCoeff();
  if (times.back() >= tmax || times.front() < tmin)
    throw InputError("time-dependent AUC: all time points must lie within the follow-up of the test data [" + fmt(tmin) +
                     "; " + fmt(tmax) + "[ (the last time point must be below the largest observed time)");
  const CensoringDistribution G(train);
  std::vector<double> ipcw(static_cast<size_t>(n), 0.0);
  for (Eigen::Index i = 0; i < n; ++i) {
    if (test.event(i) != 1) continue;
    const double g = G(test.time(i));
    if (g == 0)
      throw ModelError("time-dependent AUC: the censoring survival function is zero at time " + fmt(test.time(i)) +
                       " (test row " + std::to_string(i + 1) + ")");
    ipcw[static_cast<size_t>(i)] = 1 / g;
  }
  // Sort by risk, descending (ties in any order: tied runs are merged below).
  std::vector<Eigen::Index> o(static_cast<size_t>(n));
  std::iota(o.begin(), o.end(), 0);
  std::stable_sort(o.begin(), o.end(), [&](Eigen::Index a, Eigen::Index b) { return risk(a) > risk(b); });
  std::vector<bool> tiedWithPrevious(static_cast<size_t>(n), false);
  for (size_t k = 1; k < o.size(); ++k) tiedWithPrevious[k] = std::fabs(risk(o[k]) - risk(o[k - 1])) <= tiedTol;

  TimeDependentAuc out;
  out.time = Eigen::Map<const Eigen::VectorXd>(times.data(), static_cast<Eigen::Index>(times.size()));
  out.auc.resize(out.time.size());
  for (size_t m = 0; m < times.size(); ++m) {
    const double t = times[m];
    double totalTp = 0, controls = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
      if (test.time(i) <= t && test.event(i) == 1) totalTp += test.w(i) * ipcw[static_cast<size_t>(i)];
      if (test.time(i) > t) controls += test.w(i);
    }
    if (totalTp == 0)
      throw ModelError("time-dependent AUC: no event at or before time " + fmt(t) + "; choose a later time point");
    // ROC points after each run of tied risks, starting at (0, 0); trapezoidal area.
    double cumTp = 0, cumFp = 0, prevTp = 0, prevFp = 0, area = 0;
    for (size_t k = 0; k < o.size(); ++k) {
      const Eigen::Index i = o[k];
      if (test.time(i) <= t && test.event(i) == 1) cumTp += test.w(i) * ipcw[static_cast<size_t>(i)];
      if (test.time(i) > t) cumFp += test.w(i);
      const bool lastOfRun = k + 1 == o.size() || !tiedWithPrevious[k + 1];
      if (!lastOfRun) continue;
      const double tp = cumTp / totalTp, fp = cumFp / controls;
      area += (fp - prevFp) * (tp + prevTp) / 2;
      prevTp = tp;
      prevFp = fp;
    }
    out.auc(static_cast<Eigen::Index>(m)) = area;
  }
  if (times.size() == 1) {
    out.meanAuc = out.auc(0);
  } else {
    double integral = 0, prev = 1, last = 1;
    for (size_t m = 0; m < times.size(); ++m) {
      const double s = sksurvKaplanMeierAt(test, times[m]);
      integral += out.auc(static_cast<Eigen::Index>(m)) * (prev - s);
      prev = s;
      last = s;
    }
    if (last == 1)
      throw ModelError("time-dependent AUC: the test Kaplan-Meier curve is still 1 at the last time point; the mean AUC is undefined");
    out.meanAuc = integral / (1 - last);
  }
  return out;
}

BrierScores brierScore(const SurvivalData& train, const SurvivalData& test, const Eigen::MatrixXd& survival,
                       const Eigen::VectorXd& times) {
  const char* what = "Brier score";
  checkMetricData(train, what, "training");
  checkMetricData(test, what, "test");
  const Eigen::Index n = test.size(), k = times.size();
  if (k == 0) throw InputError("Brier score: give at least one time point");
  if (survival.rows() != n || survival.cols() != k)
    throw InputError("Brier score: the predicted survival must be " + std::to_string(n) + " rows (test subjects) x " +
                     std::to_string(k) + " columns (time points); got " + std::to_string(survival.rows()) + " x " +
                     std::to_string(survival.cols()));
  for (Eigen::Index j = 0; j < k; ++j) {
    if (!std::isfinite(times(j))) throw InputError("Brier score: time points must be finite numbers");
    if (j > 0 && !(times(j) > times(j - 1)))
      throw InputError("Brier score: time points must be strictly increasing (column " + std::to_string(j + 1) +
                       " of the predictions belongs to time " + fmt(times(j)) + ")");
  }
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < k; ++j)
      if (!(survival(i, j) >= 0 && survival(i, j) <= 1))
        throw InputError("Brier score: predicted survival at row " + std::to_string(i + 1) + ", time " + fmt(times(j)) +
                         " is not a probability in [0, 1]");
  const double tmin = test.time.minCoeff(), tmax = test.time.maxCoeff();
  if (times(k - 1) >= tmax || times(0) < tmin)
    throw InputError("Brier score: all time points must lie within the follow-up of the test data [" + fmt(tmin) + "; " +
                     fmt(tmax) + "[ (the last time point must be below the largest observed time)");
  const CensoringDistribution G(train);
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> gT(static_cast<size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i) {
    const double g = G(test.time(i));
    gT[static_cast<size_t>(i)] = g == 0 ? inf : g;
  }
  double total = 0;
  for (Eigen::Index i = 0; i < n; ++i) total += test.w(i);
  BrierScores out;
  out.time = times;
  out.brier.resize(k);
  for (Eigen::Index j = 0; j < k; ++j) {
    const double t = times(j);
    double gt = G(t);
    if (gt == 0) gt = inf;
    double s = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
      const double est = survival(i, j);
      double term = 0;
      if (test.time(i) <= t && test.event(i) == 1) term = est * est / gT[static_cast<size_t>(i)];
      else if (test.time(i) > t) term = (1 - est) * (1 - est) / gt;
      s += test.w(i) * term;
    }
    out.brier(j) = s / total;
  }
  return out;
}

double integratedBrierScore(const SurvivalData& train, const SurvivalData& test, const Eigen::MatrixXd& survival,
                            const Eigen::VectorXd& times) {
  if (times.size() < 2) throw InputError("integrated Brier score: give at least two time points");
  const BrierScores bs = brierScore(train, test, survival, times);
  double area = 0;
  for (Eigen::Index j = 1; j < times.size(); ++j) area += (times(j) - times(j - 1)) * (bs.brier(j) + bs.brier(j - 1)) / 2;
  return area / (times(times.size() - 1) - times(0));
}

}  // namespace latefuse
