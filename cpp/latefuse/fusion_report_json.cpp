// The evaluation report as JSON (fusion_report.hpp: fusionReportToJson; snake_case keys, NaN ->
// null). What differs per outcome comes from the outcome family (outcome_family.hpp).
#include <cmath>
#include <string>
#include <vector>

#include "latefuse/follow_up.hpp"
#include "latefuse/fusion_report.hpp"
#include "latefuse/fusion_report_internal.hpp"
#include "latefuse/outcome_family.hpp"
#include "latefuse/survival_data.hpp"

namespace latefuse {
namespace {

using namespace report;

json ridgeJson(const RidgeOptions& r) {
  if (r.penalizer > 0) return {{"penalizer", r.penalizer}};
  return {{"theta", r.theta}, {"scale", r.scale}};
}

const char* scalingName(Scaling s) {
  switch (s) {
    case Scaling::ZScore: return "zscore";
    case Scaling::MinMax: return "minmax";
    default: return "none";
  }
}

json settingsJson(const EvaluationOptions& o, const FusionReport& rep) {
  const FusionOptions& f = o.fusion;
  json screening = nullptr;
  if (f.selectFeatures)
    screening = {{"iqr_filter", f.screening.iqrFilter},
                 {"min_iqr", f.screening.minIqr},
                 {"test", f.screening.test == UnivariateTest::Wald ? "wald" : "likelihood_ratio"},
                 {"max_q", f.screening.maxQ},
                 {"forward", f.screening.forward},
                 {"min_selected", f.screening.minSelected}};
  json elasticNet = nullptr;
  if (f.elasticNet.enabled)
    elasticNet = {{"alpha", f.elasticNet.alpha}, {"lambda_rule", lambdaRuleName(f.elasticNet.rule)}, {"folds", f.elasticNet.folds}};
  return {{"reference_compatible", o.referenceCompatible},
          {"outcome_type", outcomeFamily(rep.model.outcome).name()},
          {"split", rep.randomSplit ? "random" : "column"},
          {"test_fraction", rep.randomSplit ? num(o.testFraction) : json(nullptr)},
          {"seed", o.seed},
          {"bootstrap", o.bootstrap},
          {"permutations", o.permutations},
          {"conf_level", o.confLevel},
          {"cv_folds", o.cvFolds},
          {"cv_repeats", o.cvFolds >= 2 ? o.cvRepeats : 0},
          {"risk_groups", riskGroupingName(o.riskGroups)},
          {"presence", f.presence == PresenceRule::Any ? "any" : "all"},
          {"outlier_z", f.outlierZ},
          {"scaling", scalingName(f.scaling)},
          {"selection", f.elasticNet.enabled ? "elasticnet" : f.selectFeatures ? "screen"
                                                                               : "none"},
          {"screening", screening},
          {"elastic_net", elasticNet},
          {"submodel", ridgeJson(f.submodel)},
          {"integrator", ridgeJson(f.integrator)},
          {"min_pattern_size", f.minPatternSize},
          {"integrator_inputs", f.crossFit ? "cross_fitted" : "in_sample"},
          {"cross_fit_folds", f.crossFit ? json(f.folds) : json(nullptr)},
          {"fusion_seed", f.seed},
          {"early_fusion", f.earlyFusion ? (f.earlyImpute ? "imputed" : "complete_cases") : "off"},
          {"ties", f.ties == Ties::Efron ? "efron" : "breslow"},
          {"direction", outcomeFamily(rep.model.outcome).direction()}};
}

json patternsJson(const std::vector<PatternSummary>& ps, const std::vector<std::string>& modalities) {
  json a = json::array();
  for (const auto& p : ps) {
    json e = {{"modalities", names(modalities, p.pattern)}, {"patients", p.patients}, {"events", p.events}, {"integrator", p.integrator}};
    e["scored_by"] = names(modalities, p.usedPattern);
    e["fallback"] = p.usedPattern != p.pattern;
    a.push_back(e);
  }
  return a;
}

json patientId(const Cohort& c, int row) {
  return static_cast<size_t>(row) < c.ids.size() ? json(c.ids[static_cast<size_t>(row)]) : json(std::to_string(row + 1));
}

// Every integrator fitted: its combination, the training patients who have all of its modalities
// (whom it was fitted on) and their events, and how many test patients it scored.
json integratorsJson(const FusionReport& rep, const Cohort& c) {
  json a = json::array();
  const FusionModel& fm = rep.model;
  for (size_t i = 0; i < fm.integrators.size(); ++i) {
    const Integrator& in = fm.integrators[i];
    const OutcomeFamily& family = outcomeFamily(fm.outcome);
    int scoredTest = 0, ownPattern = 0;
    for (Eigen::Index k = 0; k < rep.testScores.integrator.size(); ++k)
      if (rep.testScores.integrator(k) == static_cast<int>(i)) {
        ++scoredTest;
        ownPattern += rep.testScores.pattern(k) == in.pattern;
      }
    a.push_back({{"pattern", names(c.modalities, in.pattern)},
                 {"patients", in.patients},
                 {"events", family.events(in.fit)},
                 {"coef", numbers(family.coefficients(in.fit))},
                 {"scored_test_patients", scoredTest},
                 {"scored_test_fallback", scoredTest - ownPattern}});
  }
  return a;
}

// The cross-fitting fold of every training patient (1-based, in training order), so that an
// independent implementation can rerun the cross-fitted path; null with in-sample inputs.
json crossFittingJson(const FusionReport& rep, const Cohort& c) {
  const Eigen::VectorXi& fold = rep.model.crossFitFold;
  if (!rep.model.options.crossFit || fold.size() != static_cast<Eigen::Index>(rep.trainRows.size())) return nullptr;
  json ids = json::array(), folds = json::array();
  for (size_t k = 0; k < rep.trainRows.size(); ++k) {
    ids.push_back(patientId(c, rep.trainRows[k]));
    folds.push_back(fold(static_cast<Eigen::Index>(k)) + 1);
  }
  return {{"folds", rep.model.options.folds},
          {"seed", rep.model.options.seed},
          {"stratified_on", outcomeFamily(rep.model.outcome).stratifiedOn()},
          {"train_ids", ids},
          {"fold", folds}};
}

// Median follow-up (reverse Kaplan–Meier, follow_up.hpp) of the training and test patients.

json missingCellsJson(const FusionReport& rep, const Cohort& c) {
  const Eigen::MatrixXi presence = modalityPresence(c, rep.options.fusion.presence);
  const int m = static_cast<int>(c.modalities.size());
  const auto train = missingCellsByModality(c.x, c.columnModality, presence, rep.trainRows, m);
  const auto test = missingCellsByModality(c.x, c.columnModality, presence, rep.testRows, m);
  auto one = [](const MissingCells& mc) { return json{{"patients", mc.patients}, {"cells", mc.cells}, {"missing", mc.missing}}; };
  json out = json::array();
  for (int k = 0; k < m; ++k)
    out.push_back({{"modality", c.modalities[static_cast<size_t>(k)]}, {"train", one(train[static_cast<size_t>(k)])}, {"test", one(test[static_cast<size_t>(k)])}});
  return out;
}

}  // namespace

nlohmann::json fusionReportToJson(const FusionReport& rep, const Cohort& c) {
  const std::vector<std::string>& mods = c.modalities;
  json out;
  out["format"] = "latefuse-fusion-report";
  out["version"] = 1;
  out["settings"] = settingsJson(rep.options, rep);
  out["split"] = {{"train", rep.trainRows.size()},
                  {"test", rep.testRows.size()},
                  {"train_events", rep.trainEvents},
                  {"test_events", rep.testEvents},
                  {"common_test", rep.commonTest.size()},
                  {"excluded_no_modality", rep.excluded.size()}};
  out["horizons"] = numbers(rep.horizons);
  out["tau"] = num(rep.tau);
  out["ibs_times"] = numbers(rep.ibsTimes);
  const OutcomeFamily& family = outcomeFamily(c.outcome);
  family.addReportSections(out, rep, c);
  out["missing_cells"] = missingCellsJson(rep, c);
  out["modalities"] = mods;
  json models = json::array();
  for (const auto& m : rep.models)
    models.push_back({{"name", m.name}, {"kind", m.kind}, {"modalities", names(mods, m.pattern)}, {"test", family.subsetJson(m.test)}, {"common", family.subsetJson(m.common)}, {"scored", m.hasScored ? family.subsetJson(m.scored) : json(nullptr)}});
  out["models"] = models;
  out["reference_horizon"] = num(rep.referenceHorizon);
  out["integrators"] = integratorsJson(rep, c);
  out["cross_fitting"] = crossFittingJson(rep, c);
  json cmp = json::array();
  for (const auto& k : rep.comparisons)
    cmp.push_back({{"name", k.name}, {"a", k.a}, {"b", k.b.empty() ? json(nullptr) : json(k.b)}, {"n", k.n}, {"c_a", num(k.cA)}, {"c_b", num(k.cB)}, {"delta_c", num(k.delta)}, {"lower", num(k.lower)}, {"upper", num(k.upper)}, {"bootstrap_failed", k.failed}, {"warnings", k.warnings}});
  out["comparisons"] = cmp;
  const RiskGroupReport& rg = rep.riskGroups;
  out["risk_groups"] = {
      {"method", riskGroupingName(rg.method)},
      {"optimistic", rg.optimistic},
      {"note", rg.optimistic ? std::string("cut-point chosen to minimise the TRAINING ") + family.groupTestName() + " p over the 33rd-67th training percentiles "
                                                                                                                    "(the reference study's search): optimistic; only the test p is honest"
                             : std::string(
                                   "cut-points from the training patients' late-fusion scores only, applied unchanged to the test patients")},
      {"cutpoints", numbers(rg.cutpoints)},
      {"chosen_percentile", num(rg.chosenPercentile)},
      {"train", family.groupSetJson(rg.train, rep.horizons)},
      {"test", family.groupSetJson(rg.test, rep.horizons)}};
  out["kendall"] = {{"modalities", mods},
                    {"tau", matrix(rep.kendallTest.tau)},
                    {"p", matrix(rep.kendallTest.p)},
                    {"n", matrix(rep.kendallTest.n)},
                    {"note", "tau, p and n are on the test patients (pairwise complete); train: the same on the training patients"},
                    {"train", {{"tau", matrix(rep.kendallTrain.tau)}, {"p", matrix(rep.kendallTrain.p)}, {"n", matrix(rep.kendallTrain.n)}}},
                    {"warnings", rep.kendallTest.warnings}};
  json coef = json::array();
  for (const auto& t : rep.coefficients) {
    json terms = json::array();
    for (size_t k = 0; k < t.terms.size(); ++k) terms.push_back(family.coefficientJson(t.terms[k], t.rows[k]));
    coef.push_back({{"model", t.model}, {"kind", t.kind}, {"terms", terms}});
  }
  out["coefficients"] = coef;
  out["patterns"] = {{"train", patternsJson(rep.trainPatterns, mods)}, {"test", patternsJson(rep.testPatterns, mods)}};
  if (rep.crossValidation.folds >= 2) {
    const CrossValidationReport& cv = rep.crossValidation;
    json ms = json::array();
    for (const auto& m : cv.models)
      ms.push_back({{"name", m.name},
                    {"kind", m.kind},
                    {"test", {{"mean_c", num(m.testMean)}, {"sd_c", num(m.testSd)}, {"per_repeat", numbers(m.testRepeatMean)}, {"per_fold", matrix(m.testC)}}},
                    {"common", {{"mean_c", num(m.commonMean)}, {"sd_c", num(m.commonSd)}, {"per_repeat", numbers(m.commonRepeatMean)}, {"per_fold", matrix(m.commonC)}}}});
    out["cross_validation"] = {{"folds", cv.folds}, {"repeats", cv.repeats}, {"models", ms}, {"failures", cv.failures}};
  } else {
    out["cross_validation"] = nullptr;
  }
  json ids = json::array(), late = json::array(), group = json::array(), risk = json::array(), by = json::array();
  for (size_t k = 0; k < rep.testRows.size(); ++k) {
    const int r = rep.testRows[k];
    const Eigen::Index kk = static_cast<Eigen::Index>(k);
    ids.push_back(patientId(c, r));
    late.push_back(num(rep.testScores.fused(kk)));
    group.push_back(rep.testGroup(kk));
    risk.push_back(num(rep.testRisk(kk)));
    by.push_back(names(mods, rep.testScores.usedPattern(kk)));
  }
  json contributions = json::object();  // each modality's share of the late score (null where not used)
  for (size_t m = 0; m < mods.size(); ++m) {
    json col = json::array();
    for (size_t k = 0; k < rep.testRows.size(); ++k) col.push_back(num(rep.testScores.contribution(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(m))));
    contributions[mods[m]] = col;
  }
  out["test_patients"] = {{"ids", ids}, {"late_score", late}, {"risk_group", group}, {"risk", risk}, {"scored_by", by}, {"contributions", contributions}};
  out["decision_curve"] = fusionDecisionCurvesToJson(rep.decisionCurve, rep.options.seed);
  out["warnings"] = rep.warnings;
  return out;
}

}  // namespace latefuse
