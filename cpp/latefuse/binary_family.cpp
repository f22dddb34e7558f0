// The binary outcome family (outcome_family.hpp): ridge logistic models (intercept unpenalised),
// the AUC as Harrell's C on the pseudo survival data, DeLong's CI, the Brier score and logistic
// calibration, risk groups as proportions with Pearson's chi-square test.
#include <algorithm>
#include <cmath>
#include <limits>

#include "latefuse/distributions.hpp"
#include "latefuse/error.hpp"
#include "latefuse/fusion_report_internal.hpp"
#include "latefuse/outcome_family.hpp"

namespace latefuse {
namespace {

using namespace report;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The logistic ridge lambda for n rows (fusion.hpp: n * penalizer, or theta when penalizer is 0).
LogisticOptions ridgeLogistic(const RidgeOptions& r, Eigen::Index n) {
  LogisticOptions o;
  o.ridge = r.penalizer > 0 ? static_cast<double>(n) * r.penalizer : r.theta;
  return o;
}

// Pearson's chi-square test of equal proportions of y = 1 across the non-empty groups
// (R chisq.test(table(g, y), correct = FALSE)). Returns {chisq, df, p}; NaN when it does not exist.
struct ProportionTest {
  double chisq = kNaN, p = kNaN;
  int df = 0;
};
ProportionTest proportionTest(const Eigen::VectorXd& y, const Eigen::VectorXi& g, int groups) {
  std::vector<double> n(static_cast<size_t>(groups), 0), cases(static_cast<size_t>(groups), 0);
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    n[static_cast<size_t>(g(i))] += 1;
    cases[static_cast<size_t>(g(i))] += y(i);
  }
  const double N = static_cast<double>(y.size()), C = y.sum();
  ProportionTest t;
  int nonEmpty = 0;
  for (double v : n) nonEmpty += v > 0;
  if (nonEmpty < 2 || C == 0 || C == N) return t;
  double chisq = 0;
  for (int k = 0; k < groups; ++k) {
    if (n[static_cast<size_t>(k)] == 0) continue;
    const double e1 = n[static_cast<size_t>(k)] * C / N, e0 = n[static_cast<size_t>(k)] * (N - C) / N;
    const double o1 = cases[static_cast<size_t>(k)], o0 = n[static_cast<size_t>(k)] - o1;
    chisq += (o1 - e1) * (o1 - e1) / e1 + (o0 - e0) * (o0 - e0) / e0;
  }
  t.chisq = chisq;
  t.df = nonEmpty - 1;
  t.p = chiSquareUpper(chisq, t.df);
  return t;
}

// One risk group: n, cases and the observed proportion with its Wilson score interval
// (R prop.test(correct = FALSE)$conf.int).
void groupProportion(RiskGroupSummary& s, const Eigen::VectorXd& y, const Eigen::VectorXi& g, int k, double z) {
  for (Eigen::Index i = 0; i < g.size(); ++i)
    if (g(i) == k) {
      ++s.n;
      s.events += y(i);
    }
  if (s.n == 0) return;
  const double n = s.n, p = s.events / n, z2 = z * z;
  const double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const double half = z * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
  s.proportion = p;
  s.proportionLower = std::max(0.0, centre - half);
  s.proportionUpper = std::min(1.0, centre + half);
}

class BinaryFamily final : public OutcomeFamily {
 public:
  OutcomeType type() const override { return OutcomeType::Binary; }
  const char* name() const override { return "binary"; }

  void checkCohortOutcome(const Cohort& c) const override {
    if (c.event.size() != c.x.rows()) throw InputError("fusion: the cohort needs the 0/1 outcome for every patient to be trained on");
  }
  void validateTraining(const Cohort& c, const std::vector<int>& trainRows) const override {
    for (int r : trainRows)
      if (!(c.event(r) == 0 || c.event(r) == 1))
        throw InputError("fusion: the outcome of training " + patientLabel(c, r) + " is " +
                         (std::isnan(c.event(r)) ? std::string("missing") : std::to_string(c.event(r))) +
                         "; a binary outcome must be 0 or 1");
  }
  void validateFusionOptions(const FusionOptions& o) const override {
    if (o.elasticNet.enabled) throw InputError("elastic-net selection needs a survival outcome; use --selection screen or none");
  }
  // Harrell's C on time = 2 - y, event = y is the Mann–Whitney AUC (fusion.hpp survivalRows).
  double survivalTime(const Cohort& c, int row) const override { return 2 - c.event(row); }
  void checkSubmodelOutcome(const Eigen::VectorXd& y, const std::string& modality) const override {
    const int cases = static_cast<int>(y.sum());
    if (cases == 0)
      throw ModelError("none of the " + std::to_string(y.size()) + " training patients with modality '" + modality +
                           "' has the outcome (y = 1), so its logistic model cannot be fitted",
                       {"", modality, "", -1});
    if (cases == static_cast<int>(y.size()))
      throw ModelError("all " + std::to_string(y.size()) + " training patients with modality '" + modality +
                           "' have the outcome (y = 1), so its logistic model cannot be fitted",
                       {"", modality, "", -1});
  }
  std::string missingOutcome(const Eigen::VectorXd& y) const override {
    if (y.sum() == 0) return "no cases (y = 1)";
    return y.sum() == static_cast<double>(y.size()) ? "no controls (y = 0)" : "";
  }

  void fit(FittedModel& out, const Cohort& c, const std::vector<int>& rows, const Eigen::MatrixXd& x, const RidgeOptions& ridge, Ties,
           const std::vector<std::string>& names) const override {
    LogisticOptions lo = ridgeLogistic(ridge, x.rows());
    lo.names = names;
    out = fitLogistic(outcomeRows(c, rows), x, {}, lo);
  }
  const std::vector<std::string>& fitWarnings(const FittedModel& f) const override { return logisticFit(f).warnings; }
  FeatureScreen screen(const Cohort& c, const std::vector<int>& rows, const Eigen::MatrixXd& x, const std::vector<std::string>& names,
                       const ScreeningOptions& o) const override {
    return screenFeaturesBinary(outcomeRows(c, rows), x, names, o);
  }
  Eigen::VectorXd linearPredictor(const FittedModel& f, const Eigen::MatrixXd& x, bool withIntercept) const override {
    return logisticLinearPredictor(logisticFit(f), x, withIntercept);
  }
  Eigen::VectorXd trainingLinearPredictor(const FittedModel& f, const Eigen::MatrixXd& x) const override {
    return logisticLinearPredictor(logisticFit(f), x, false);
  }
  double intercept(const FittedModel& f) const override { return logisticFit(f).coef(0); }
  double contribution(const FittedModel& f, Eigen::Index j, double s) const override { return logisticFit(f).coef(j + 1) * s; }
  double risk(const FittedModel&, double lp, double) const override { return logistic(lp); }
  double probability(double lp) const override { return logistic(lp); }
  Eigen::VectorXd coefficients(const FittedModel& f) const override { return logisticFit(f).coef; }
  int events(const FittedModel& f) const override { return static_cast<int>(logisticFit(f).cases); }
  // Odds ratios with Wald limits, the intercept first (the fit's own term names).
  CoefficientTable coefficientTable(std::string model, std::string kind, const FittedModel& f, std::vector<std::string>,
                                    double) const override {
    const LogisticFit& l = logisticFit(f);
    CoefficientTable t;
    t.model = std::move(model);
    t.kind = std::move(kind);
    t.terms = l.names;
    for (Eigen::Index j = 0; j < l.coef.size(); ++j)
      t.rows.push_back({l.coef(j), l.se(j), l.oddsRatio(j), l.orLower(j), l.orUpper(j), l.z(j), l.pValue(j)});
    return t;
  }

  void validateEvaluation(const Cohort& c, const EvaluationOptions& o) const override {
    if (o.horizons.size()) throw InputError("evaluation: horizons apply to survival outcomes only; leave them out for a binary outcome");
    if (c.event.size() != c.x.rows()) throw InputError("evaluation: the cohort needs the 0/1 outcome for every patient");
    for (Eigen::Index i = 0; i < c.x.rows(); ++i)
      if (c.event(i) != 0 && c.event(i) != 1)
        throw InputError("evaluation: the outcome of " + patientLabel(c, static_cast<int>(i)) + " is " +
                         (std::isnan(c.event(i)) ? std::string("missing") : std::to_string(c.event(i))) +
                         "; a binary outcome must be 0 or 1 (fix it or remove the patient)");
  }
  void checkSplit(int trainEvents, size_t trainPatients, int testEvents, size_t testPatients) const override {
    if (trainEvents == 0 || trainEvents == static_cast<int>(trainPatients))
      throw ModelError("evaluation: " + std::string(trainEvents == 0 ? "none" : "all") + " of the " + std::to_string(trainPatients) +
                       " training patients have the outcome (y = 1); a logistic model needs both outcomes");
    if (testEvents == 0 || testEvents == static_cast<int>(testPatients))
      throw ModelError("evaluation: " + std::string(testEvents == 0 ? "none" : "all") + " of the " + std::to_string(testPatients) +
                       " test patients have the outcome (y = 1), so no AUC can be computed; use a larger test fraction, another seed or another split");
  }
  void setTimes(FusionReport& rep, const EvaluationOptions&, const SurvivalData&) const override { rep.tau = kNaN; }
  bool discriminates(int n, int events) const override { return n >= 2 && events > 0 && events < n; }
  const char* noDiscrimination() const override { return " cases; no AUC exists without both cases and controls"; }
  void countOutcomes(SubsetMetrics& r) const override {
    r.cases = r.events;
    r.controls = r.n - r.events;
  }
  // DeLong CI, Brier score, logistic calibration (fusion_report.hpp).
  void outcomeMetrics(SubsetMetrics& r, const MetricPlan& plan, const SurvivalData& d, const Eigen::VectorXd& score,
                      const Eigen::MatrixXd&, const Eigen::VectorXd& logOdds, const std::string& what) const override {
    const Eigen::VectorXd& y = d.event;
    try {
      const BinaryAuc a = binaryAuc(y, score, plan.options->confLevel);
      r.delongSe = a.se;
      r.delongLower = a.lower;
      r.delongUpper = a.upper;
    } catch (const std::exception& e) {
      r.warnings.push_back(what + ": no DeLong interval: " + e.what());
    }
    Eigen::VectorXd prob(logOdds.size());
    for (Eigen::Index i = 0; i < prob.size(); ++i) prob(i) = logistic(logOdds(i));
    try {
      r.brier = binaryBrier(y, prob);
    } catch (const std::exception& e) {
      r.warnings.push_back(what + ": no Brier score: " + e.what());
    }
    try {
      const LogisticCalibration cal = logisticCalibration(y, logOdds);
      r.calibrationIntercept = cal.intercept;
      r.calibrationSlope = cal.slope;
    } catch (const std::exception& e) {
      r.warnings.push_back(what + ": no calibration: " + e.what());
    }
  }
  RiskGroupSet summarizeGroups(const SurvivalData& d, const Eigen::VectorXi& g, int groups, const Eigen::VectorXd&, double confLevel,
                               const std::string& what) const override {
    RiskGroupSet set;
    set.binary = true;
    set.chisq = set.logRankP = set.proportionP = kNaN;
    const double z = normalQuantile(1 - (1 - confLevel) / 2);
    for (int k = 0; k < groups; ++k) {
      RiskGroupSummary s;
      s.label = groupLabel(groups, k);
      s.median = s.medianLower = s.medianUpper = kNaN;
      s.proportion = s.proportionLower = s.proportionUpper = kNaN;
      groupProportion(s, d.event, g, k, z);
      if (s.n == 0) set.warnings.push_back(what + ": the " + s.label + "-risk group is empty");
      set.groups.push_back(std::move(s));
    }
    const ProportionTest t = proportionTest(d.event, g, groups);
    set.chisq = t.chisq;
    set.df = t.df;
    set.proportionP = t.p;
    if (!std::isfinite(t.p))
      set.warnings.push_back(what + ": fewer than two non-empty risk groups, or only one outcome; no chi-square test");
    return set;
  }
  double groupTestP(const SurvivalData& d, const Eigen::VectorXi& g) const override { return proportionTest(d.event, g, 2).p; }
  const char* groupTestName() const override { return "chi-square"; }
  double decisionHorizon(const FusionReport&) const override { return kNaN; }
  FusionDecisionCurves decisionCurves(const SurvivalData& test, const std::vector<ModelRisk>& risks,
                                      const std::vector<Eigen::Index>& commonAt, double horizon,
                                      const FusionDecisionOptions& o) const override {
    return fusionDecisionCurves(test, risks, commonAt, horizon, true, o);
  }

  json subsetJson(const SubsetMetrics& s) const override {
    return {{"n", s.n},
            {"events", s.events},
            {"cases", s.cases},
            {"controls", s.controls},
            {"c", num(s.c)},
            {"c_lower", num(s.cLower)},
            {"c_upper", num(s.cUpper)},
            {"permutation_p", num(s.permutationP)},
            {"delong_se", num(s.delongSe)},
            {"delong_lower", num(s.delongLower)},
            {"delong_upper", num(s.delongUpper)},
            {"brier", num(s.brier)},
            {"calibration_intercept", num(s.calibrationIntercept)},
            {"calibration_slope", num(s.calibrationSlope)},
            {"uno_c", nullptr},
            {"auc", nullptr},
            {"ibs", nullptr},
            {"bootstrap_failed", s.bootstrapFailed},
            {"warnings", s.warnings}};
  }
  json groupSetJson(const RiskGroupSet& set, const Eigen::VectorXd&) const override {
    json groups = json::array();
    for (const auto& g : set.groups)
      groups.push_back({{"label", g.label},
                        {"n", g.n},
                        {"events", g.events},
                        {"cases", g.events},
                        {"proportion", num(g.proportion)},
                        {"proportion_lower", num(g.proportionLower)},
                        {"proportion_upper", num(g.proportionUpper)}});
    return {{"groups", groups}, {"test", "chi-square test of equal proportions (Pearson, no continuity correction)"}, {"chisq", num(set.chisq)}, {"chisq_df", set.df}, {"chisq_p", num(set.proportionP)}, {"logrank_chisq", nullptr}, {"logrank_df", nullptr}, {"logrank_p", nullptr}, {"warnings", set.warnings}};
  }
  json coefficientJson(const std::string& term, const CoefficientRow& r) const override {
    return {{"name", term}, {"coef", num(r.coef)}, {"se", num(r.se)}, {"or", num(r.hr)}, {"or_lower", num(r.hrLower)}, {"or_upper", num(r.hrUpper)}, {"z", num(r.z)}, {"p", num(r.p)}};
  }
  void addReportSections(json& out, const FusionReport&, const Cohort&) const override {
    out["follow_up"] = nullptr;
    out["survival_metrics_note"] =
        "binary outcome: Uno's C, AUC(t), the integrated Brier score, horizons and tau are survival metrics and are null; "
        "c is the AUC (Mann-Whitney), with DeLong's interval, the Brier score and the logistic calibration instead";
  }
  const char* direction() const override { return "every score is a risk: higher = higher odds of the outcome (y = 1); c is the AUC"; }
  const char* stratifiedOn() const override { return "outcome"; }
};

}  // namespace

const OutcomeFamily& binaryFamily() {
  static const BinaryFamily family;
  return family;
}

}  // namespace latefuse
