// The survival outcome family (outcome_family.hpp): ridge Cox models, Harrell's C, Uno's C,
// AUC(t), the integrated Brier score, Kaplan–Meier risk groups with the log-rank test.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "latefuse/calibration.hpp"
#include "latefuse/error.hpp"
#include "latefuse/follow_up.hpp"
#include "latefuse/fusion_report_internal.hpp"
#include "latefuse/horizons.hpp"
#include "latefuse/kaplan_meier.hpp"
#include "latefuse/logrank.hpp"
#include "latefuse/outcome_family.hpp"
#include "latefuse/survival_metrics.hpp"

namespace latefuse {
namespace {

using namespace report;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

CoxOptions ridgeCox(const RidgeOptions& r, Ties ties) {
  CoxOptions o;
  o.ties = ties;
  if (r.penalizer > 0) o.penalizer = r.penalizer;
  else {
    o.ridgeTheta = r.theta;
    o.ridgeScale = r.scale;
  }
  return o;
}

Eigen::VectorXd ibsGrid(const SurvivalData& train, int points) {
  std::vector<double> ev;
  for (Eigen::Index i = 0; i < train.size(); ++i)
    if (train.event(i) == 1) ev.push_back(train.time(i));
  if (points < 2 || ev.size() < 2) return Eigen::VectorXd();
  Eigen::VectorXd p(2);
  p << 0.1, 0.8;
  const Eigen::VectorXd q = quantileType7(Eigen::Map<const Eigen::VectorXd>(ev.data(), static_cast<Eigen::Index>(ev.size())), p);
  if (!(q(1) > q(0))) return Eigen::VectorXd();
  return Eigen::VectorXd::LinSpaced(points, q(0), q(1));
}

// Median follow-up (reverse Kaplan–Meier, follow_up.hpp) of the training and test patients.
json followUpJson(const Cohort& c, const std::vector<int>& rows) {
  if (rows.empty()) return nullptr;
  const FollowUp f = medianFollowUp(survivalRows(c, rows));
  return {{"n", f.n}, {"censored", f.censored}, {"median", num(f.median)}, {"lower", num(f.lower)}, {"upper", num(f.upper)}, {"max_time", num(f.maxTime)}};
}

// AUC(t) at the plan's horizons within the subset's follow-up.
void timeDependentAuc(SubsetMetrics& r, const MetricPlan& plan, const SurvivalData& d, const Eigen::VectorXd& score, double tmin,
                      double tmax, const std::string& what) {
  std::vector<Eigen::Index> usable;
  for (Eigen::Index h = 0; h < plan.horizons.size(); ++h)
    if (plan.horizons(h) >= tmin && plan.horizons(h) < tmax) usable.push_back(h);
  if (usable.size() < static_cast<size_t>(plan.horizons.size()))
    r.warnings.push_back(what + ": AUC(t) needs min time <= t < max time (" + std::to_string(tmin) + ", " + std::to_string(tmax) +
                         "); horizons outside are null");
  for (Eigen::Index h : usable) {
    try {
      Eigen::VectorXd t(1);
      t(0) = plan.horizons(h);
      r.auc[static_cast<size_t>(h)].auc = cumulativeDynamicAuc(*plan.train, d, score, t).auc(0);
    } catch (const std::invalid_argument& e) {
      r.warnings.push_back(what + ": no AUC at " + std::to_string(plan.horizons(h)) + ": " + e.what());
    } catch (const ModelError& e) {
      r.warnings.push_back(what + ": no AUC at " + std::to_string(plan.horizons(h)) + ": " + e.what());
    }
  }
}

// The integrated Brier score over the plan's grid within the subset's follow-up.
void integratedBrier(SubsetMetrics& r, const MetricPlan& plan, const SurvivalData& d, const Eigen::MatrixXd& survival, double tmin,
                     double tmax, const std::string& what) {
  if (!(survival.rows() == d.size() && plan.ibsTimes.size() >= 2)) return;
  std::vector<Eigen::Index> cols;
  for (Eigen::Index k = 0; k < plan.ibsTimes.size(); ++k)
    if (plan.ibsTimes(k) >= tmin && plan.ibsTimes(k) < tmax) cols.push_back(k);
  if (cols.size() < 2) {
    r.warnings.push_back(what + ": fewer than 2 Brier-score times lie within this subset's follow-up; no integrated Brier score");
    return;
  }
  Eigen::VectorXd t(static_cast<Eigen::Index>(cols.size()));
  Eigen::MatrixXd s(survival.rows(), t.size());
  for (size_t k = 0; k < cols.size(); ++k) {
    t(static_cast<Eigen::Index>(k)) = plan.ibsTimes(cols[k]);
    s.col(static_cast<Eigen::Index>(k)) = survival.col(cols[k]);
  }
  try {
    r.ibs = integratedBrierScore(*plan.train, d, s, t);
  } catch (const std::invalid_argument& e) {
    r.warnings.push_back(what + ": no integrated Brier score: " + e.what());
  } catch (const ModelError& e) {
    r.warnings.push_back(what + ": no integrated Brier score: " + e.what());
  }
}

class SurvivalFamily final : public OutcomeFamily {
 public:
  OutcomeType type() const override { return OutcomeType::Survival; }
  const char* name() const override { return "survival"; }

  void checkCohortOutcome(const Cohort& c) const override {
    if (c.time.size() != c.x.rows() || c.event.size() != c.x.rows())
      throw InputError("fusion: the cohort needs time and event for every patient to be trained on");
  }
  void validateTraining(const Cohort& c, const std::vector<int>& trainRows) const override {
    validateSurvivalData(survivalRows(c, trainRows), "fusion training data");
  }
  void validateFusionOptions(const FusionOptions&) const override {}
  double survivalTime(const Cohort& c, int row) const override { return c.time(row); }
  void checkSubmodelOutcome(const Eigen::VectorXd& y, const std::string& modality) const override {
    if (y.sum() == 0)
      throw ModelError("none of the " + std::to_string(y.size()) + " training patients with modality '" + modality +
                           "' has an event, so its survival model cannot be fitted",
                       {"", modality, "", -1});
  }
  std::string missingOutcome(const Eigen::VectorXd& y) const override { return y.sum() == 0 ? "no events" : ""; }

  void fit(FittedModel& out, const Cohort& c, const std::vector<int>& rows, const Eigen::MatrixXd& x, const RidgeOptions& ridge, Ties ties,
           const std::vector<std::string>& names) const override {
    CoxOptions co = ridgeCox(ridge, ties);
    co.columnNames = names;
    out = fitCox(survivalRows(c, rows), x, co);
  }
  const std::vector<std::string>& fitWarnings(const FittedModel& f) const override { return coxFit(f).warnings; }
  FeatureScreen screen(const Cohort& c, const std::vector<int>& rows, const Eigen::MatrixXd& x, const std::vector<std::string>& names,
                       const ScreeningOptions& o) const override {
    return screenFeatures(survivalRows(c, rows), x, names, o);
  }
  Eigen::VectorXd linearPredictor(const FittedModel& f, const Eigen::MatrixXd& x, bool) const override { return coxLinearPredictor(coxFit(f), x); }
  Eigen::VectorXd trainingLinearPredictor(const FittedModel& f, const Eigen::MatrixXd&) const override { return coxFit(f).linearPredictor; }
  double intercept(const FittedModel&) const override { return 0.0; }
  double contribution(const FittedModel& f, Eigen::Index j, double s) const override {
    const CoxFit& cox = coxFit(f);
    const double b = std::isfinite(cox.coef(j)) ? cox.coef(j) : 0.0;
    return b * (s - cox.means(j));
  }
  double risk(const FittedModel& f, double lp, double horizon) const override {
    return 1 - survivalAtTimes(coxFit(f), Eigen::VectorXd::Constant(1, lp), Eigen::VectorXi(), Eigen::VectorXd::Constant(1, horizon))(0, 0);
  }
  double probability(double) const override { return kNaN; }
  Eigen::VectorXd coefficients(const FittedModel& f) const override { return coxFit(f).coef; }
  int events(const FittedModel& f) const override { return coxFit(f).events; }
  CoefficientTable coefficientTable(std::string model, std::string kind, const FittedModel& f, std::vector<std::string> terms,
                                    double confLevel) const override {
    CoefficientTable t;
    t.model = std::move(model);
    t.kind = std::move(kind);
    t.terms = std::move(terms);
    t.rows = summarizeCoefficients(coxFit(f), false, confLevel);
    return t;
  }

  void validateEvaluation(const Cohort& c, const EvaluationOptions&) const override {
    if (c.time.size() != c.x.rows() || c.event.size() != c.x.rows())
      throw InputError("evaluation: the cohort needs time and event for every patient");
    for (Eigen::Index i = 0; i < c.x.rows(); ++i) {
      if (!std::isfinite(c.time(i)) || c.time(i) < 0)
        throw InputError("evaluation: the time of " + patientLabel(c, static_cast<int>(i)) +
                         " is missing or negative; fix it or remove the patient");
      if (c.event(i) != 0 && c.event(i) != 1)
        throw InputError("evaluation: the event of " + patientLabel(c, static_cast<int>(i)) + " must be 0 or 1");
    }
  }
  void checkSplit(int trainEvents, size_t trainPatients, int testEvents, size_t testPatients) const override {
    if (trainEvents == 0)
      throw ModelError("evaluation: none of the " + std::to_string(trainPatients) + " training patients has an event; no survival model can be fitted");
    if (testEvents == 0)
      throw ModelError("evaluation: none of the " + std::to_string(testPatients) +
                       " test patients has an event, so no concordance can be computed; use a larger test fraction, another seed or another split");
  }
  void setTimes(FusionReport& rep, const EvaluationOptions& o, const SurvivalData& train) const override {
    if (o.horizons.size()) {
      std::vector<double> h(o.horizons.data(), o.horizons.data() + o.horizons.size());
      std::sort(h.begin(), h.end());
      h.erase(std::unique(h.begin(), h.end()), h.end());
      rep.horizons = Eigen::Map<const Eigen::VectorXd>(h.data(), static_cast<Eigen::Index>(h.size()));
    } else {
      rep.horizons = defaultHorizons(train.time, train.event);
    }
    rep.tau = o.tau > 0 ? o.tau : (rep.horizons.size() ? rep.horizons.maxCoeff() : kInf);
    rep.ibsTimes = ibsGrid(train, o.ibsPoints);
  }
  bool discriminates(int n, int events) const override { return n >= 2 && events > 0; }
  const char* noDiscrimination() const override { return " events; no discrimination statistic exists"; }
  void countOutcomes(SubsetMetrics&) const override {}
  void outcomeMetrics(SubsetMetrics& r, const MetricPlan& plan, const SurvivalData& d, const Eigen::VectorXd& score,
                      const Eigen::MatrixXd& survival, const Eigen::VectorXd&, const std::string& what) const override {
    try {
      r.unoC = unoConcordance(*plan.train, d, score, plan.tau).c;
    } catch (const std::invalid_argument& e) {
      r.warnings.push_back(what + ": no Uno C: " + e.what());
    } catch (const ModelError& e) {
      r.warnings.push_back(what + ": no Uno C: " + e.what());
    }
    const double tmin = d.time.minCoeff(), tmax = d.time.maxCoeff();
    timeDependentAuc(r, plan, d, score, tmin, tmax, what);
    integratedBrier(r, plan, d, survival, tmin, tmax, what);
  }
  RiskGroupSet summarizeGroups(const SurvivalData& d, const Eigen::VectorXi& g, int groups, const Eigen::VectorXd& horizons, double,
                               const std::string& what) const override {
    RiskGroupSet set;
    set.chisq = set.logRankP = kNaN;
    int nonEmpty = 0;
    for (int k = 0; k < groups; ++k) {
      RiskGroupSummary s;
      s.label = groupLabel(groups, k);
      std::vector<Eigen::Index> at;
      for (Eigen::Index i = 0; i < g.size(); ++i)
        if (g(i) == k) at.push_back(i);
      s.n = static_cast<int>(at.size());
      s.median = s.medianLower = s.medianUpper = kNaN;
      s.survival.assign(static_cast<size_t>(horizons.size()), kNaN);
      s.lower = s.upper = s.survival;
      if (!at.empty()) {
        ++nonEmpty;
        groupSurvival(s, subsetData(d, at), horizons);
      } else {
        set.warnings.push_back(what + ": the " + s.label + "-risk group is empty");
      }
      set.groups.push_back(std::move(s));
    }
    if (nonEmpty >= 2) {
      try {
        const LogRankTest t = logRankTest(d, g);
        set.chisq = t.chisq;
        set.df = t.df;
        set.logRankP = t.p;
      } catch (const std::exception& e) {
        set.warnings.push_back(what + ": no log-rank test: " + e.what());
      }
    } else {
      set.warnings.push_back(what + ": fewer than two non-empty risk groups; no log-rank test");
    }
    return set;
  }
  double groupTestP(const SurvivalData& d, const Eigen::VectorXi& g) const override { return logRankTest(d, g).p; }
  const char* groupTestName() const override { return "log-rank"; }
  double decisionHorizon(const FusionReport& rep) const override {
    return rep.options.decisionHorizon > 0 ? rep.options.decisionHorizon
           : rep.horizons.size()           ? rep.horizons((rep.horizons.size() - 1) / 2)
                                           : kNaN;
  }
  FusionDecisionCurves decisionCurves(const SurvivalData& test, const std::vector<ModelRisk>& risks,
                                      const std::vector<Eigen::Index>& commonAt, double horizon,
                                      const FusionDecisionOptions& o) const override {
    return fusionDecisionCurves(test, risks, commonAt, horizon, false, o);
  }

  json subsetJson(const SubsetMetrics& s) const override {
    json auc = json::array();
    for (const auto& a : s.auc) auc.push_back({{"time", a.time}, {"auc", num(a.auc)}});
    return {{"n", s.n},
            {"events", s.events},
            {"c", num(s.c)},
            {"c_lower", num(s.cLower)},
            {"c_upper", num(s.cUpper)},
            {"permutation_p", num(s.permutationP)},
            {"uno_c", num(s.unoC)},
            {"auc", auc},
            {"ibs", num(s.ibs)},
            {"bootstrap_failed", s.bootstrapFailed},
            {"warnings", s.warnings}};
  }
  json groupSetJson(const RiskGroupSet& set, const Eigen::VectorXd& horizons) const override {
    json groups = json::array();
    for (const auto& g : set.groups) {
      json at = json::array();
      for (Eigen::Index h = 0; h < horizons.size(); ++h)
        at.push_back({{"time", horizons(h)},
                      {"surv", num(g.survival[static_cast<size_t>(h)])},
                      {"lower", num(g.lower[static_cast<size_t>(h)])},
                      {"upper", num(g.upper[static_cast<size_t>(h)])}});
      groups.push_back({{"label", g.label},
                        {"n", g.n},
                        {"events", g.events},
                        {"median", num(g.median)},
                        {"median_lower", num(g.medianLower)},
                        {"median_upper", num(g.medianUpper)},
                        {"survival_at", at}});
    }
    return {{"groups", groups}, {"logrank_chisq", num(set.chisq)}, {"logrank_df", set.df}, {"logrank_p", num(set.logRankP)}, {"warnings", set.warnings}};
  }
  json coefficientJson(const std::string& term, const CoefficientRow& r) const override {
    return {{"name", term}, {"coef", num(r.coef)}, {"se", num(r.se)}, {"hr", num(r.hr)}, {"hr_lower", num(r.hrLower)}, {"hr_upper", num(r.hrUpper)}, {"z", num(r.z)}, {"p", num(r.p)}};
  }
  void addReportSections(json& out, const FusionReport& rep, const Cohort& c) const override {
    out["follow_up"] = {{"method", "reverse Kaplan-Meier"}, {"train", followUpJson(c, rep.trainRows)}, {"test", followUpJson(c, rep.testRows)}};
  }
  const char* direction() const override {
    return "every score is a risk: higher = higher hazard (shorter survival). The reference study scored by "
           "lifelines' negative partial hazard (higher = longer survival); that changes only the direction, "
           "never C";
  }
  const char* stratifiedOn() const override { return "event"; }

 private:
  // Kaplan–Meier of one group: events, median survival with its CI, S at the horizons.
  static void groupSurvival(RiskGroupSummary& s, const SurvivalData& sub, const Eigen::VectorXd& horizons) {
    s.events = sub.event.sum();
    const KaplanMeierCurve curve = kaplanMeier(sub);
    const SurvivalQuantile q = survivalQuantile(curve, 0.5);
    s.median = q.quantile;
    s.medianLower = q.lower;
    s.medianUpper = q.upper;
    if (!horizons.size()) return;
    const KaplanMeierAt a = kaplanMeierAt(curve, horizons);
    for (Eigen::Index h = 0; h < horizons.size(); ++h) {
      s.survival[static_cast<size_t>(h)] = a.surv(h);
      s.lower[static_cast<size_t>(h)] = a.lower(h);
      s.upper[static_cast<size_t>(h)] = a.upper(h);
    }
  }
};

}  // namespace

const OutcomeFamily& survivalFamily() {
  static const SurvivalFamily family;
  return family;
}

}  // namespace latefuse
