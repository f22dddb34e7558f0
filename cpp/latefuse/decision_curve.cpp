#include "latefuse/decision_curve.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>

#include "latefuse/error.hpp"
#include "latefuse/kaplan_meier.hpp"
#include "latefuse/random.hpp"

namespace latefuse {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string fmt(double v) {
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}

double weightAt(const Eigen::VectorXd& w, Eigen::Index i) { return w.size() ? w(i) : 1.0; }

// Rows in decreasing order of risk: the positives at any threshold are a prefix of this order, so
// the curve needs one Kaplan–Meier fit per distinct prefix length, not one per threshold.
std::vector<Eigen::Index> byDecreasingRisk(const Eigen::VectorXd& risk) {
  std::vector<Eigen::Index> order(static_cast<size_t>(risk.size()));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) { return risk(a) > risk(b); });
  return order;
}

// Number of rows (a prefix of `order`) with risk >= t.
Eigen::Index positives(const Eigen::VectorXd& risk, const std::vector<Eigen::Index>& order, double t) {
  Eigen::Index lo = 0, hi = static_cast<Eigen::Index>(order.size());
  while (lo < hi) {
    const Eigen::Index mid = (lo + hi) / 2;
    if (risk(order[static_cast<size_t>(mid)]) >= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

double harmOverBenefit(double t) { return t / (1 - t); }

void checkHorizon(const SurvivalData& data, double horizon) {
  if (!std::isfinite(horizon) || horizon <= 0)
    throw InputError("decision curve: the horizon must be a positive number of time units (got " + fmt(horizon) + ")");
  if (data.size() == 0) throw InputError("decision curve: no patients");
  const double last = data.time.maxCoeff();
  if (horizon > last)
    throw InputError("decision curve: the horizon " + fmt(horizon) + " is beyond the largest follow-up time " + fmt(last) +
                     "; the Kaplan-Meier estimate is not defined there, so choose a horizon within the follow-up");
}

void checkRisk(const Eigen::VectorXd& risk, Eigen::Index n, const char* what) {
  if (risk.size() != n)
    throw InputError(std::string("decision curve: ") + what + " has " + std::to_string(risk.size()) + " values for " +
                     std::to_string(n) + " patients");
  for (Eigen::Index i = 0; i < n; ++i)
    if (!(risk(i) >= 0 && risk(i) <= 1))
      throw InputError(std::string("decision curve: ") + what + " of row " + std::to_string(i + 1) + " is " + fmt(risk(i)) +
                       "; it must be a probability between 0 and 1");
}

}  // namespace

Eigen::VectorXd decisionThresholds() {
  Eigen::VectorXd t(99);
  for (int k = 1; k <= 99; ++k) t(k - 1) = k / 100.0;
  return t;
}

void validateThresholds(const Eigen::VectorXd& t) {
  if (t.size() == 0) throw InputError("decision curve: no thresholds given");
  for (Eigen::Index k = 0; k < t.size(); ++k) {
    if (!(t(k) > 0 && t(k) < 1))
      throw InputError("decision curve: threshold " + fmt(t(k)) + " is outside (0, 1); the harm-to-benefit ratio p/(1 - p) needs 0 < p < 1");
    if (k > 0 && !(t(k) > t(k - 1)))
      throw InputError("decision curve: thresholds must increase (" + fmt(t(k - 1)) + " then " + fmt(t(k)) + ")");
  }
}

double survivalAtHorizon(const SurvivalData& data, double horizon) {
  if (data.size() == 0) return 1;
  KaplanMeierOptions o;
  const KaplanMeierCurve curve = kaplanMeier(data, o);
  const Eigen::Index last = curve.time.size() - 1;
  if (curve.time(last) < horizon && curve.surv(last) > 0) return kNaN;
  Eigen::VectorXd at(1);
  at(0) = horizon;
  return kaplanMeierAt(curve, at).surv(0);
}

// The positives at the thresholds, taken from the highest threshold down, are growing prefixes of the
// decreasing-risk order. So the Kaplan–Meier S(horizon) of every prefix comes from one pass that
// adds patients to the weighted numbers at risk and events at the distinct (timefixed) times up to
// the horizon — O(n x distinct times) for the whole curve instead of one fit per threshold — with
// the product taken in time order as kaplanMeier does (tested against R's survfit and against
// kaplanMeier through survivalAtHorizon in test_decision_curve.cpp). Times are timefixed once on the
// whole sample (R's survfit does it per subset; the two differ only for times within sqrt(eps) of
// each other that a subset splits).
Eigen::VectorXd survivalNetBenefit(const SurvivalData& data, const Eigen::VectorXd& risk, double horizon,
                                   const Eigen::VectorXd& thresholds) {
  const Eigen::Index n = data.size();
  const std::vector<Eigen::Index> order = byDecreasingRisk(risk);
  const Eigen::VectorXd time = timefix(data.time);
  std::vector<double> distinct(time.data(), time.data() + n);
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  // Only the times <= horizon enter S(horizon).
  const size_t H = static_cast<size_t>(std::upper_bound(distinct.begin(), distinct.end(), horizon) - distinct.begin());
  std::vector<double> atRisk(H, 0.0), events(H, 0.0);
  double total = 0;
  for (Eigen::Index i = 0; i < n; ++i) total += data.w(i);
  Eigen::VectorXd nb(thresholds.size());
  Eigen::Index added = 0;
  double treated = 0, lastTime = -std::numeric_limits<double>::infinity();
  for (Eigen::Index k = thresholds.size() - 1; k >= 0; --k) {
    const double t = thresholds(k);
    const Eigen::Index count = positives(risk, order, t);
    for (; added < count; ++added) {
      const Eigen::Index i = order[static_cast<size_t>(added)];
      const double w = data.w(i);
      const size_t at = static_cast<size_t>(std::lower_bound(distinct.begin(), distinct.end(), time(i)) - distinct.begin());
      for (size_t j = 0; j <= at && j < H; ++j) atRisk[j] += w;  // at risk at every distinct time <= its own
      if (at < H && data.event(i) != 0) events[at] += w;
      treated += w;
      lastTime = std::max(lastTime, time(i));
    }
    if (count == 0) {
      nb(k) = 0;  // nobody treated
      continue;
    }
    double s = 1;
    for (size_t j = 0; j < H; ++j)
      if (events[j] > 0) s *= 1 - events[j] / atRisk[j];
    if (lastTime < horizon && s > 0) s = kNaN;  // the treated's follow-up ends before the horizon
    const double x = treated / total;
    nb(k) = (1 - s) * x - s * x * harmOverBenefit(t);
  }
  return nb;
}

Eigen::VectorXd survivalTreatAll(const SurvivalData& data, double horizon, const Eigen::VectorXd& thresholds) {
  const double s = survivalAtHorizon(data, horizon);
  Eigen::VectorXd nb(thresholds.size());
  for (Eigen::Index k = 0; k < thresholds.size(); ++k) nb(k) = (1 - s) - s * harmOverBenefit(thresholds(k));
  return nb;
}

Eigen::VectorXd binaryNetBenefit(const Eigen::VectorXd& outcome, const Eigen::VectorXd& probability,
                                 const Eigen::VectorXd& thresholds, const Eigen::VectorXd& weight) {
  const std::vector<Eigen::Index> order = byDecreasingRisk(probability);
  double n = 0;
  for (Eigen::Index i = 0; i < outcome.size(); ++i) n += weightAt(weight, i);
  Eigen::VectorXd nb(thresholds.size());
  for (Eigen::Index k = 0; k < thresholds.size(); ++k) {
    const Eigen::Index count = positives(probability, order, thresholds(k));
    double tp = 0, fp = 0;
    for (Eigen::Index r = 0; r < count; ++r) {
      const Eigen::Index i = order[static_cast<size_t>(r)];
      (outcome(i) == 1 ? tp : fp) += weightAt(weight, i);
    }
    nb(k) = tp / n - fp / n * harmOverBenefit(thresholds(k));
  }
  return nb;
}

Eigen::VectorXd binaryTreatAll(const Eigen::VectorXd& outcome, const Eigen::VectorXd& thresholds, const Eigen::VectorXd& weight) {
  double n = 0, cases = 0;
  for (Eigen::Index i = 0; i < outcome.size(); ++i) {
    n += weightAt(weight, i);
    if (outcome(i) == 1) cases += weightAt(weight, i);
  }
  const double prevalence = cases / n;
  Eigen::VectorXd nb(thresholds.size());
  for (Eigen::Index k = 0; k < thresholds.size(); ++k) nb(k) = prevalence - (1 - prevalence) * harmOverBenefit(thresholds(k));
  return nb;
}

namespace {

Eigen::VectorXi treatedCounts(const Eigen::VectorXd& risk, const Eigen::VectorXd& thresholds) {
  const std::vector<Eigen::Index> order = byDecreasingRisk(risk);
  Eigen::VectorXi out(thresholds.size());
  for (Eigen::Index k = 0; k < thresholds.size(); ++k) out(k) = static_cast<int>(positives(risk, order, thresholds(k)));
  return out;
}

// The percentile band: replicate b's curve from frequency counts drawn by Random::stream(seed, b).
template <class CurveOfCounts>
void bootstrapBand(DecisionCurve& dc, Eigen::Index n, const DecisionCurveOptions& o, const CurveOfCounts& curveOf) {
  const Eigen::Index T = dc.thresholds.size();
  dc.bootstrap = o.bootstrap;
  if (o.bootstrap <= 0 || n == 0) return;
  Eigen::MatrixXd reps(T, o.bootstrap);
  std::vector<int> counts(static_cast<size_t>(n));
  const int chunk = std::max(1, o.chunk);
  for (int b = 0; b < o.bootstrap; ++b) {
    std::fill(counts.begin(), counts.end(), 0);
    Random rng = Random::stream(o.seed, static_cast<uint64_t>(b));
    for (Eigen::Index k = 0; k < n; ++k) ++counts[static_cast<size_t>(rng.below(static_cast<uint64_t>(n)))];
    reps.col(b) = curveOf(counts);
    if (!reps.col(b).array().isFinite().any()) ++dc.failed;
    if (o.progress && ((b + 1) % chunk == 0 || b + 1 == o.bootstrap) && !o.progress(static_cast<double>(b + 1) / o.bootstrap))
      throw Cancelled();
  }
  dc.lower = Eigen::VectorXd::Constant(T, kNaN);
  dc.upper = Eigen::VectorXd::Constant(T, kNaN);
  bool extreme = false;
  for (Eigen::Index k = 0; k < T; ++k) {
    std::vector<double> finite;
    for (int b = 0; b < o.bootstrap; ++b)
      if (std::isfinite(reps(k, b))) finite.push_back(reps(k, b));
    if (finite.size() < 2) continue;
    const Eigen::VectorXd v = Eigen::Map<const Eigen::VectorXd>(finite.data(), static_cast<Eigen::Index>(finite.size()));
    std::vector<std::string> w;
    percentileInterval(v, o.confLevel, dc.lower(k), dc.upper(k), &w);
    extreme = extreme || !w.empty();
  }
  if (extreme)
    dc.warnings.push_back("the net-benefit band uses an extreme bootstrap replicate at some thresholds; use more replicates");
}

// The rows drawn (count > 0) of a resample, with their counts as case weights.
SurvivalData resampled(const SurvivalData& d, const Eigen::VectorXd& risk, const std::vector<int>& counts, Eigen::VectorXd& riskOut) {
  Eigen::Index m = 0;
  for (int c : counts) m += c > 0;
  SurvivalData s;
  s.time.resize(m);
  s.event.resize(m);
  s.weight.resize(m);
  riskOut.resize(m);
  Eigen::Index r = 0;
  for (Eigen::Index i = 0; i < d.size(); ++i) {
    const int c = counts[static_cast<size_t>(i)];
    if (c == 0) continue;
    s.time(r) = d.time(i);
    s.event(r) = d.event(i);
    s.weight(r) = c * d.w(i);
    riskOut(r) = risk(i);
    ++r;
  }
  return s;
}

}  // namespace

DecisionCurve survivalDecisionCurve(const SurvivalData& data, const Eigen::VectorXd& risk, double horizon,
                                    const DecisionCurveOptions& o) {
  validateThresholds(o.thresholds);
  validateSurvivalData(data, "decision curve");
  checkRisk(risk, data.size(), "the predicted risk");
  checkHorizon(data, horizon);
  DecisionCurve dc;
  dc.horizon = horizon;
  dc.n = static_cast<int>(data.size());
  dc.events = data.event.sum();
  dc.thresholds = o.thresholds;
  dc.netBenefit = survivalNetBenefit(data, risk, horizon, o.thresholds);
  dc.treatAll = survivalTreatAll(data, horizon, o.thresholds);
  dc.treated = treatedCounts(risk, o.thresholds);
  int undefined = 0;
  for (Eigen::Index k = 0; k < dc.netBenefit.size(); ++k) undefined += std::isnan(dc.netBenefit(k));
  if (undefined)
    dc.warnings.push_back("the net benefit is undefined at " + std::to_string(undefined) +
                          " thresholds: the follow-up of the patients at or above them ends before the horizon");
  bootstrapBand(dc, data.size(), o, [&](const std::vector<int>& counts) {
    Eigen::VectorXd r;
    const SurvivalData s = resampled(data, risk, counts, r);
    return survivalNetBenefit(s, r, horizon, o.thresholds);
  });
  return dc;
}

DecisionCurve binaryDecisionCurve(const Eigen::VectorXd& outcome, const Eigen::VectorXd& probability, const DecisionCurveOptions& o) {
  validateThresholds(o.thresholds);
  const Eigen::Index n = outcome.size();
  if (n == 0) throw InputError("decision curve: no patients");
  for (Eigen::Index i = 0; i < n; ++i)
    if (outcome(i) != 0 && outcome(i) != 1)
      throw InputError("decision curve: the outcome of row " + std::to_string(i + 1) + " is " + fmt(outcome(i)) + "; it must be 0 or 1");
  checkRisk(probability, n, "the predicted probability");
  DecisionCurve dc;
  dc.binary = true;
  dc.horizon = kNaN;
  dc.n = static_cast<int>(n);
  dc.events = outcome.sum();
  dc.thresholds = o.thresholds;
  dc.netBenefit = binaryNetBenefit(outcome, probability, o.thresholds);
  dc.treatAll = binaryTreatAll(outcome, o.thresholds);
  dc.treated = treatedCounts(probability, o.thresholds);
  bootstrapBand(dc, n, o, [&](const std::vector<int>& counts) {
    Eigen::VectorXd w(n);
    for (Eigen::Index i = 0; i < n; ++i) w(i) = counts[static_cast<size_t>(i)];
    return binaryNetBenefit(outcome, probability, o.thresholds, w);
  });
  return dc;
}

std::vector<ThresholdRange> netBenefitRanges(const Eigen::VectorXd& thresholds, const Eigen::VectorXd& netBenefit,
                                             const Eigen::VectorXd& treatAll) {
  std::vector<ThresholdRange> out;
  bool open = false;
  for (Eigen::Index k = 0; k < thresholds.size(); ++k) {
    const bool better = netBenefit(k) > 0 && netBenefit(k) > treatAll(k);  // NaN compares false
    if (better && !open) out.push_back({thresholds(k), thresholds(k)});
    if (better) out.back().to = thresholds(k);
    open = better;
  }
  return out;
}

nlohmann::json decisionCurveToJson(const DecisionCurve& dc) {
  auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  auto arr = [&](const Eigen::VectorXd& v) {
    nlohmann::json a = nlohmann::json::array();
    for (Eigen::Index k = 0; k < v.size(); ++k) a.push_back(num(v(k)));
    return a;
  };
  nlohmann::json treated = nlohmann::json::array();
  for (Eigen::Index k = 0; k < dc.treated.size(); ++k) treated.push_back(dc.treated(k));
  const Eigen::VectorXd none = Eigen::VectorXd::Constant(dc.thresholds.size(), kNaN);
  return {{"outcome_type", dc.binary ? "binary" : "survival"},
          {"horizon", num(dc.horizon)},
          {"n", dc.n},
          {"events", dc.events},
          {"thresholds", arr(dc.thresholds)},
          {"net_benefit", arr(dc.netBenefit)},
          {"treat_all", arr(dc.treatAll)},
          {"treated", treated},
          {"lower", arr(dc.lower.size() ? dc.lower : none)},
          {"upper", arr(dc.upper.size() ? dc.upper : none)},
          {"bootstrap", dc.bootstrap},
          {"bootstrap_failed", dc.failed},
          {"warnings", dc.warnings}};
}

}  // namespace latefuse
