// Late fusion with a binary outcome (fusion.hpp / fusion_report.hpp / model_json.hpp): parity with R
// (tests/golden/fusion_binary.json from tests/r/fusion_binary_golden.R on tests/data/sim_binary.csv),
// the report's binary metrics against their definitions, the binary model file, and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "fixtures.hpp"
#include "latefuse/concordance.hpp"
#include "latefuse/distributions.hpp"
#include "latefuse/error.hpp"
#include "latefuse/folds.hpp"
#include "latefuse/fusion.hpp"
#include "latefuse/fusion_report.hpp"
#include "latefuse/logistic.hpp"
#include "latefuse/model_json.hpp"
#include "latefuse/simulator.hpp"

using namespace latefuse;
using namespace latefuse::testing;

namespace {

const nlohmann::json& golden() { return goldenJson("tests/golden/fusion_binary.json"); }

// R's split: test = every third row (1-based rows 3, 6, ...).
Eigen::VectorXi goldenSplit(Eigen::Index n) {
  Eigen::VectorXi t(n);
  for (Eigen::Index i = 0; i < n; ++i) t(i) = (i + 1) % 3 == 0 ? 1 : 0;
  return t;
}

std::vector<int> rowsOf(const Eigen::VectorXi& indicator, int value) {
  std::vector<int> out;
  for (Eigen::Index i = 0; i < indicator.size(); ++i)
    if (indicator(i) == value) out.push_back(static_cast<int>(i));
  return out;
}

int maskOf(const nlohmann::json& names, const std::vector<std::string>& modalities) {
  int mask = 0;
  for (const auto& n : names) mask |= 1 << (std::find(modalities.begin(), modalities.end(), n.get<std::string>()) - modalities.begin());
  return mask;
}

FusionOptions goldenOptions(double penalizer) {
  FusionOptions o;
  o.crossFit = false;
  o.earlyFusion = false;
  o.submodel = RidgeOptions{};
  o.integrator = RidgeOptions{};
  o.submodel.penalizer = penalizer;
  o.integrator.penalizer = penalizer;
  o.minPatternSize = golden()["min_pattern_size"].get<int>();
  return o;
}

const ModelEvaluation& late(const FusionReport& r) {
  for (const auto& m : r.models)
    if (m.kind == "late") return m;
  throw std::runtime_error("no late model");
}

}  // namespace

class BinaryGolden : public ::testing::TestWithParam<std::string> {};

// The whole binary pipeline against R: glm (penalizer 0) within 1e-8, glmnet ridge within 1e-6.
TEST_P(BinaryGolden, MatchesR) {
  const nlohmann::json& g = golden()["cases"][GetParam()];
  const double penalizer = g["penalizer"].get<double>();
  const double tol = penalizer == 0 ? 1e-8 : 1e-6;
  const Cohort c = cohortFromCsv("tests/data/sim_binary.csv", OutcomeType::Binary);
  ASSERT_EQ(c.modalities, golden()["modalities"].get<std::vector<std::string>>());
  const Eigen::VectorXi split = goldenSplit(c.x.rows());
  const std::vector<int> train = rowsOf(split, 0), test = rowsOf(split, 1);
  const FusionModel fm = fitFusion(c, train, goldenOptions(penalizer));
  EXPECT_EQ(fm.outcome, OutcomeType::Binary);

  for (size_t m = 0; m < c.modalities.size(); ++m) {
    const nlohmann::json& r = g["models"][m];
    const ModalityModel& mm = fm.models[m];
    SCOPED_TRACE(mm.name);
    EXPECT_EQ(mm.trainingPatients, r["patients"].get<int>());
    EXPECT_EQ(mm.trainingEvents, r["cases"].get<int>());
    const Eigen::VectorXd center = vec(r["center"]), scale = vec(r["scale"]), coef = vec(r["coef"]);
    ASSERT_EQ(mm.center.size(), center.size());
    for (Eigen::Index j = 0; j < center.size(); ++j) {
      EXPECT_NEAR(mm.center(j), center(j), 1e-10 * std::max(1.0, std::fabs(center(j))));
      EXPECT_NEAR(mm.scale(j), scale(j), 1e-10 * scale(j));
    }
    ASSERT_EQ(logisticFit(mm.fit).coef.size(), coef.size());
    for (Eigen::Index j = 0; j < coef.size(); ++j) EXPECT_NEAR(logisticFit(mm.fit).coef(j), coef(j), tol) << "coef " << j;
    EXPECT_NEAR(mm.scoreMean, r["score_mean"].get<double>(), tol);
    EXPECT_NEAR(mm.scoreSd, r["score_sd"].get<double>(), tol);
  }
  ASSERT_EQ(fm.integrators.size(), g["integrators"].size());
  for (size_t k = 0; k < fm.integrators.size(); ++k) {
    const nlohmann::json& r = g["integrators"][k];
    EXPECT_EQ(fm.integrators[k].pattern, r["pattern"].get<int>());
    EXPECT_EQ(fm.integrators[k].patients, r["patients"].get<int>());
    const Eigen::VectorXd coef = vec(r["coef"]);
    ASSERT_EQ(logisticFit(fm.integrators[k].fit).coef.size(), coef.size());
    for (Eigen::Index j = 0; j < coef.size(); ++j) EXPECT_NEAR(logisticFit(fm.integrators[k].fit).coef(j), coef(j), tol) << "integrator " << k;
  }

  // Per-patient fused lp and the model used, on the test patients.
  const FusionScores s = scoreFusion(fm, c, test);
  const Eigen::VectorXd fused = vec(g["test_fused"]);
  ASSERT_EQ(s.fused.size(), fused.size());
  for (Eigen::Index k = 0; k < fused.size(); ++k) {
    EXPECT_NEAR(s.fused(k), fused(k), tol) << "test patient " << k;
    EXPECT_EQ(s.usedPattern(k), g["test_used_pattern"][static_cast<size_t>(k)].get<int>());
  }
  // Test AUC = Harrell's C on the pseudo survival data.
  const double auc = harrellConcordance(survivalRows(c, test), s.fused).c;
  EXPECT_NEAR(auc, g["test_auc"].get<double>(), 1e-12);

  // The model file predicts R's probabilities.
  const ModelExtras ex = trainingExtras(fm, c, train);
  const LoadedModel lm = loadModel(fusionModelToJson(fm, ex));
  ScoringData data;
  data.columns = c.columns;
  data.x.resize(static_cast<Eigen::Index>(test.size()), c.x.cols());
  for (size_t k = 0; k < test.size(); ++k) data.x.row(static_cast<Eigen::Index>(k)) = c.x.row(test[k]);
  const ModelScores ms = scoreWithModel(lm, data);
  const Eigen::VectorXd prob = vec(g["test_probability"]);
  for (Eigen::Index k = 0; k < prob.size(); ++k) EXPECT_NEAR(ms.probability(k), prob(k), tol) << "probability " << k;
  EXPECT_TRUE(std::isnan(ms.hazardRatio(0)));
  EXPECT_EQ(ms.surv.cols(), 0);

  // The evaluation report on the same split: late-fusion c is R's AUC, Brier score R's.
  EvaluationOptions eo;
  eo.fusion = goldenOptions(penalizer);
  eo.testIndicator = split;
  eo.bootstrap = 50;
  eo.permutations = 50;
  const FusionReport rep = evaluateFusion(c, eo);
  EXPECT_NEAR(late(rep).test.c, g["test_auc"].get<double>(), 1e-12);
  EXPECT_NEAR(late(rep).test.brier, g["test_brier"].get<double>(), tol);
}

INSTANTIATE_TEST_SUITE_P(R, BinaryGolden, ::testing::Values("glm", "ridge"));

// Every binary metric of the report against its definition, on a study-shaped simulated cohort.
TEST(FusionBinaryReport, MetricsAndRiskGroupsAgainstDefinitions) {
  SimulationOptions so = hgsocOptions(4, 0, SimulatedOutcome::Binary);
  so.binaryIntercept = -0.3;
  const Cohort c = cohortFromSimulation(simulate(so));
  ASSERT_EQ(c.outcome, OutcomeType::Binary);
  EvaluationOptions o;
  o.seed = 9;
  o.fusion.seed = 9;
  o.bootstrap = 100;
  o.permutations = 100;
  o.riskGroups = RiskGrouping::Tertiles;
  const FusionReport r = evaluateFusion(c, o);
  const Eigen::VectorXd yTest = outcomeRows(c, r.testRows);
  for (const ModelEvaluation& m : r.models) {
    SCOPED_TRACE(m.name);
    // Which test patients the model scores: recompute from the report's scores.
    EXPECT_EQ(m.test.cases + m.test.controls, m.test.n);
    EXPECT_EQ(m.test.events, m.test.cases);
    EXPECT_TRUE(std::isnan(m.test.unoC));
    EXPECT_TRUE(std::isnan(m.test.ibs));
    EXPECT_TRUE(m.test.auc.empty());
    EXPECT_GT(m.test.c, 0.5);
    EXPECT_LE(m.test.cLower, m.test.c);
    EXPECT_GE(m.test.cUpper, m.test.c);
    EXPECT_LE(m.test.delongLower, m.test.c);
    EXPECT_GE(m.test.delongUpper, m.test.c);
    EXPECT_GT(m.test.brier, 0);
    EXPECT_LT(m.test.brier, 1);
    EXPECT_TRUE(std::isfinite(m.test.calibrationSlope));
  }
  // Late fusion: c = Mann–Whitney AUC = binaryAuc; Brier and calibration from the log-odds of the
  // model behind each patient (the integrator's lp, else the submodel's intercept + raw score).
  const ModelEvaluation& lf = late(r);
  const BinaryAuc a = binaryAuc(yTest, r.testScores.fused);
  EXPECT_NEAR(lf.test.c, a.auc, 1e-12);
  EXPECT_NEAR(lf.test.delongLower, a.lower, 1e-12);
  EXPECT_NEAR(lf.test.delongUpper, a.upper, 1e-12);
  Eigen::VectorXd logOdds(yTest.size()), prob(yTest.size());
  const int M = static_cast<int>(c.modalities.size());
  for (Eigen::Index k = 0; k < yTest.size(); ++k) {
    const int index = r.testScores.integrator(k);
    logOdds(k) = index >= 0 ? r.testScores.fused(k)
                            : submodelLogOdds(r.model.models[static_cast<size_t>(patternModalities(r.testScores.usedPattern(k), M).front())],
                                              r.testScores.fused(k));
    prob(k) = 1 / (1 + std::exp(-logOdds(k)));
  }
  EXPECT_NEAR(lf.test.brier, (prob - yTest).squaredNorm() / static_cast<double>(yTest.size()), 1e-12);
  const LogisticCalibration cal = logisticCalibration(yTest, logOdds);
  EXPECT_NEAR(lf.test.calibrationSlope, cal.slope, 1e-12);
  EXPECT_NEAR(lf.test.calibrationIntercept, cal.intercept, 1e-12);

  // Risk groups: proportions with Wilson intervals and Pearson's chi-square across the groups.
  const RiskGroupSet& set = r.riskGroups.test;
  ASSERT_TRUE(set.binary);
  ASSERT_EQ(set.groups.size(), 3u);
  double chisq = 0;
  const double N = static_cast<double>(yTest.size()), C = yTest.sum();
  int nonEmpty = 0;
  for (int g = 0; g < 3; ++g) {
    double n = 0, cases = 0;
    for (Eigen::Index k = 0; k < yTest.size(); ++k)
      if (r.testGroup(k) == g) {
        n += 1;
        cases += yTest(k);
      }
    const RiskGroupSummary& s = set.groups[static_cast<size_t>(g)];
    EXPECT_EQ(s.n, static_cast<int>(n));
    EXPECT_EQ(s.events, cases);
    if (n == 0) continue;
    ++nonEmpty;
    const double p = cases / n, z = normalQuantile(0.975);
    const double centre = (p + z * z / (2 * n)) / (1 + z * z / n);
    const double half = z * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n);
    EXPECT_NEAR(s.proportion, p, 1e-15);
    EXPECT_NEAR(s.proportionLower, std::max(0.0, centre - half), 1e-12);
    EXPECT_NEAR(s.proportionUpper, std::min(1.0, centre + half), 1e-12);
    for (double o1 : {cases, n - cases}) {
      const double e = n * (o1 == cases ? C : N - C) / N;
      chisq += (o1 - e) * (o1 - e) / e;
    }
  }
  EXPECT_NEAR(set.chisq, chisq, 1e-9);
  EXPECT_EQ(set.df, nonEmpty - 1);
  EXPECT_NEAR(set.proportionP, chiSquareUpper(chisq, nonEmpty - 1), 1e-12);
  EXPECT_TRUE(std::isnan(set.logRankP));
  // Higher late-fusion score = higher risk: the high group has the larger proportion.
  EXPECT_GT(set.groups[2].proportion, set.groups[0].proportion);

  // JSON: outcome type, survival-only metrics null with the reason once, odds ratios.
  const nlohmann::json j = fusionReportToJson(r, c);
  EXPECT_EQ(j["settings"]["outcome_type"], "binary");
  EXPECT_TRUE(j["survival_metrics_note"].is_string());
  EXPECT_TRUE(j["models"][0]["test"]["uno_c"].is_null());
  EXPECT_TRUE(j["models"][0]["test"]["auc"].is_null());
  EXPECT_TRUE(j["models"][0]["test"]["ibs"].is_null());
  EXPECT_TRUE(j["tau"].is_null());
  EXPECT_TRUE(j["horizons"].empty());
  EXPECT_EQ(j["coefficients"][0]["terms"][0]["name"], "(Intercept)");
  EXPECT_TRUE(j["coefficients"][0]["terms"][1].contains("or"));
  EXPECT_TRUE(j["risk_groups"]["test"]["chisq_p"].is_number());
  EXPECT_TRUE(j["risk_groups"]["test"]["logrank_p"].is_null());
}

// Repeated CV works for binary outcomes: each fold's AUC is that of a system fitted on the other folds.
TEST(FusionBinaryReport, RepeatedCrossValidation) {
  const Cohort c = hgsocCohort(6, 0, SimulatedOutcome::Binary);
  const EvaluationOptions o = crossValidationOptions(3, 2);
  const FusionReport r = evaluateFusion(c, o);
  ASSERT_EQ(r.crossValidation.models.size(), r.models.size() - 1);  // not late-complete-case
  EXPECT_TRUE(r.crossValidation.failures.empty());
  const CrossValidationModel* lateCv = nullptr;
  for (const auto& m : r.crossValidation.models)
    if (m.kind == "late") lateCv = &m;
  ASSERT_NE(lateCv, nullptr);
  // Fold 1 of repeat 1 by hand.
  std::vector<int> usable(static_cast<size_t>(c.x.rows()));
  std::iota(usable.begin(), usable.end(), 0);
  const Eigen::VectorXi fold = assignFoldsStratified(c.event, 3, o.seed + 7919);
  std::vector<int> fitRows, outRows;
  for (int i : usable) (fold(i) == 0 ? outRows : fitRows).push_back(i);
  const FusionModel fm = fitFusion(c, fitRows, o.fusion);
  const FusionScores s = scoreFusion(fm, c, outRows);
  EXPECT_NEAR(lateCv->testC(0, 0), binaryAuc(outcomeRows(c, outRows), s.fused).auc, 1e-12);
  EXPECT_GT(lateCv->testMean, 0.55);
}

TEST(FusionBinary, ScreeningUsesUnivariateLogistic) {
  const Cohort c = cohortFromCsv("tests/data/sim_binary.csv", OutcomeType::Binary);
  std::vector<int> rows;
  for (Eigen::Index i = 0; i < c.x.rows(); ++i)
    if (!std::isnan(c.x(i, 0))) rows.push_back(static_cast<int>(i));
  Eigen::MatrixXd x(static_cast<Eigen::Index>(rows.size()), 5);
  for (size_t k = 0; k < rows.size(); ++k) x.row(static_cast<Eigen::Index>(k)) = c.x.row(rows[k]).head(5);
  const Eigen::VectorXd y = outcomeRows(c, rows);
  ScreeningOptions so;
  so.maxQ = 1;
  const FeatureScreen s = screenFeaturesBinary(y, x, {}, so);
  for (Eigen::Index j = 0; j < 5; ++j) {
    if (s.status[static_cast<size_t>(j)] == FeatureStatus::LowVariability) continue;
    const LogisticFit f = fitLogistic(y, x.col(j));
    EXPECT_NEAR(s.p(j), f.pValue(1), 1e-14);
    EXPECT_NEAR(s.univariate[static_cast<size_t>(j)].hr, f.oddsRatio(1), 1e-14);
  }
  // In the fusion: screening with the default q < 0.05 on the binary cohort runs and keeps >= 1 column.
  FusionOptions fo;
  fo.selectFeatures = true;
  std::vector<int> all(static_cast<size_t>(c.x.rows()));
  std::iota(all.begin(), all.end(), 0);
  const FusionModel fm = fitFusion(c, all, fo);
  for (const auto& mm : fm.models) EXPECT_GE(mm.selected.size(), 1u);
}

TEST(FusionBinary, Errors) {
  Cohort c = cohortFromCsv("tests/data/sim_binary.csv", OutcomeType::Binary);
  std::vector<int> all(static_cast<size_t>(c.x.rows()));
  std::iota(all.begin(), all.end(), 0);
  c.event(4) = std::nan("");
  try {
    fitFusion(c, all);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(c.ids[4]), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("0 or 1"), std::string::npos) << e.what();
  }
  EvaluationOptions eo;
  c.event(4) = 2;
  try {
    evaluateFusion(c, eo);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("'" + c.ids[4] + "'"), std::string::npos) << e.what();
  }
  c.event(4) = 1;
  FusionOptions en;
  en.elasticNet.enabled = true;
  try {
    fitFusion(c, all, en);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("elastic-net selection needs a survival outcome"), std::string::npos);
  }
  eo.horizons = Eigen::VectorXd::Constant(1, 12.0);
  EXPECT_THROW(evaluateFusion(c, eo), InputError);
}

TEST(FusionBinaryModel, RoundTripValidationAndTypedScores) {
  const Cohort c = cohortFromCsv("tests/data/sim_binary.csv", OutcomeType::Binary);
  std::vector<int> all(static_cast<size_t>(c.x.rows()));
  std::iota(all.begin(), all.end(), 0);
  const FusionModel fm = fitFusion(c, all);
  ModelExtras ex = trainingExtras(fm, c, all);
  EXPECT_TRUE(ex.horizons.empty());
  EXPECT_EQ(ex.trainingEvents, static_cast<int>(c.event.sum()));
  const nlohmann::json doc = fusionModelToJson(fm, ex);
  EXPECT_EQ(doc["outcome"]["type"], "binary");
  EXPECT_TRUE(doc["modalities"][0]["submodel"].contains("logistic"));
  EXPECT_FALSE(doc["modalities"][0]["submodel"].contains("cox"));
  EXPECT_TRUE(doc["early_fusion"].contains("logistic"));
  const std::string text = modelText(doc);
  EXPECT_EQ(modelText(fusionModelToJson(loadModel(parseModelText(text)).model, loadModel(parseModelText(text)).extras)), text);

  // Typed standardised scores give the same probabilities as the features.
  const LoadedModel lm = loadModel(doc);
  ScoringData data;
  data.columns = c.columns;
  data.x = c.x.topRows(40);
  const ModelScores a = scoreWithModel(lm, data);
  const ModelScores b = scoreFromModalityScores(lm, {}, a.unimodal);
  for (Eigen::Index k = 0; k < 40; ++k) {
    EXPECT_NEAR(a.probability(k), b.probability(k), 1e-12);
    EXPECT_GT(a.probability(k), 0);
    EXPECT_LT(a.probability(k), 1);
  }
  // In-memory scoring: the probability of a patient scored by an integrator is logistic(fused).
  const FusionScores s = scoreFusion(fm, c, std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  for (Eigen::Index k = 0; k < 10; ++k) EXPECT_NEAR(a.fused(k), s.fused(k), 1e-12);

  // Tampered files: the JSON path of the problem.
  auto expectError = [&](nlohmann::json d, const std::string& fragment) {
    try {
      loadModel(d);
      ADD_FAILURE() << "expected an error with " << fragment;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  nlohmann::json bad = doc;
  bad["integrators"][0]["logistic"]["coef"].erase(0);
  expectError(bad, "integrators[0].logistic.coef has");
  bad = doc;
  bad["modalities"][1]["submodel"]["cox"] = bad["modalities"][1]["submodel"]["logistic"];
  bad["modalities"][1]["submodel"].erase("logistic");
  expectError(bad, "modalities[1].submodel.cox is not a field");
  bad = doc;
  bad["horizons"] = {12};
  expectError(bad, "horizons must be empty for a binary outcome");
  bad = doc;
  bad["modalities"][0]["submodel"]["logistic"]["cases"] = bad["modalities"][0]["submodel"]["logistic"]["n"];
  expectError(bad, "modalities[0].submodel.logistic.cases");
  bad = doc;
  bad["outcome"]["type"] = "survival";
  expectError(bad, "is not a field");
}

TEST(SimulatorBinary, SeededBernoulliOfTheSameRisk) {
  SimulationOptions so = hgsocOptions(3, 0, SimulatedOutcome::Binary);
  const SimulatedCohort a = simulate(so), b = simulate(so);
  EXPECT_EQ(cohortCsv(a), cohortCsv(b));
  EXPECT_EQ(cohortCsv(a).substr(0, 5), "id,y,");
  EXPECT_EQ(a.time.size(), 0);
  // The same features and true risk as the survival cohort of the same seed.
  SimulationOptions ss = so;
  ss.outcome = SimulatedOutcome::Survival;
  const SimulatedCohort sv = simulate(ss);
  EXPECT_TRUE(sv.features.cwiseEqual(a.features).count() + (sv.features.array().isNaN() && a.features.array().isNaN()).count() ==
              a.features.size());
  // Prevalence near the model's mean probability; cases have higher true risk.
  double meanP = 0, etaCases = 0, etaControls = 0;
  for (Eigen::Index i = 0; i < a.event.size(); ++i) {
    meanP += 1 / (1 + std::exp(-a.linearPredictor(i)));
    (a.event(i) == 1 ? etaCases : etaControls) += a.linearPredictor(i);
  }
  const double n = static_cast<double>(a.event.size()), cases = a.event.sum();
  meanP /= n;
  EXPECT_NEAR(cases / n, meanP, 4 * std::sqrt(meanP * (1 - meanP) / n));
  EXPECT_GT(etaCases / cases, etaControls / (n - cases));
  so.binaryIntercept = -2;
  EXPECT_LT(simulate(so).event.sum(), cases);
}
