// Model files of schema_version 3: an integrator's baseline hazard is recomputed on load from the
// shared training table (integrator_training) and the fit's internal units (coxBaselineFrom). The
// reference is the fit itself: the recomputed baselines, and S(t) with its CI from the reloaded file,
// must equal what the fitted model gives, bit for bit.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <set>

#include "latefuse/cox.hpp"
#include "latefuse/fusion.hpp"
#include "latefuse/model_json.hpp"
#include "latefuse/simulator.hpp"

using namespace latefuse;
using nlohmann::json;

namespace {

bool sameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void expectSameBits(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, const std::string& what) {
  ASSERT_EQ(a.rows(), b.rows()) << what;
  ASSERT_EQ(a.cols(), b.cols()) << what;
  for (Eigen::Index i = 0; i < a.rows(); ++i)
    for (Eigen::Index j = 0; j < a.cols(); ++j)
      ASSERT_TRUE(sameBits(a(i, j), b(i, j))) << what << " (" << i << ", " << j << "): " << a(i, j) << " vs " << b(i, j);
}

void expectSameBaseline(const CoxBaseline& a, const CoxBaseline& b, const std::string& what) {
  expectSameBits(a.time, b.time, what + " time");
  expectSameBits(a.hazard, b.hazard, what + " hazard");
  expectSameBits(a.varHazard, b.varHazard, what + " var_hazard");
  expectSameBits(a.xbarHazard, b.xbarHazard, what + " xbar_hazard");
  EXPECT_EQ(a.nRisk, b.nRisk) << what;
  EXPECT_EQ(a.nEvent, b.nEvent) << what;
  EXPECT_EQ(a.stratum, b.stratum) << what;
}

// A cohort with tied times (rounded to whole months) and missing modalities, so that the integrators
// are fitted on different subsets and Efron's tie correction is exercised.
struct Fit {
  Cohort cohort;
  std::vector<int> train;
  FusionModel model;
  ModelExtras extras;
};

Fit fitted(Ties ties) {
  Fit f;
  SimulationOptions so = simulationPreset("hgsoc");
  setCohortSize(so, 240);
  so.seed = 33;
  f.cohort = cohortFromSimulation(simulate(so));
  for (Eigen::Index i = 0; i < f.cohort.time.size(); ++i) f.cohort.time(i) = std::ceil(f.cohort.time(i));
  // Training rows out of order, so that the table's sort is not the input order.
  for (int i = 239; i >= 0; --i)
    if (i % 5 != 0) f.train.push_back(i);
  FusionOptions o;
  o.ties = ties;
  o.minPatternSize = 10;
  f.model = fitFusion(f.cohort, f.train, o);
  f.extras = trainingExtras(f.model, f.cohort, f.train, {12, 24, 48});
  return f;
}

ScoringData allPatients(const Cohort& c) {
  ScoringData d;
  d.columns = c.columns;
  d.ids = c.ids;
  d.x = c.x;
  return d;
}

class LeanModelFile : public ::testing::TestWithParam<Ties> {};

TEST_P(LeanModelFile, RecomputedBaselinesAndPredictionsAreTheFittedOnesBitForBit) {
  const Fit f = fitted(GetParam());
  ASSERT_GT(f.model.integrators.size(), 4u);
  const json doc = fusionModelToJson(f.model, f.extras);
  EXPECT_EQ(doc["schema_version"], 3);
  ASSERT_TRUE(doc.contains("integrator_training"));
  EXPECT_EQ(doc["integrator_training"]["time"].size(), f.train.size());
  for (const json& in : doc["integrators"]) {
    EXPECT_FALSE(in["cox"].contains("baseline"));
    EXPECT_TRUE(in["cox"].contains("baseline_from"));
  }
  const std::string text = modelText(doc);
  const LoadedModel loaded = loadModel(parseModelText(text));
  ASSERT_EQ(loaded.model.integrators.size(), f.model.integrators.size());
  std::set<int> sizes;
  for (size_t k = 0; k < f.model.integrators.size(); ++k) {
    const CoxBaseline& fittedBaseline = coxFit(f.model.integrators[k].fit).baseline;
    expectSameBaseline(coxFit(loaded.model.integrators[k].fit).baseline, fittedBaseline, "integrator " + std::to_string(k));
    sizes.insert(f.model.integrators[k].patients);
  }
  EXPECT_GT(sizes.size(), 2u);  // fitted on different subsets of the training patients
  // Load -> save gives the same bytes.
  EXPECT_EQ(modelText(fusionModelToJson(loaded.model, loaded.extras)), text);

  // Every patient scored from the reloaded file as by the fitted model, S(t) and CI at every event time.
  ScoringOptions so;
  so.times = baselineEventTimes(f.model);
  const ModelScores a = scoreWithModel(LoadedModel{f.model, f.extras}, allPatients(f.cohort), so);
  const ModelScores b = scoreWithModel(loaded, allPatients(f.cohort), so);
  expectSameBits(a.fused, b.fused, "fused");
  expectSameBits(a.surv, b.surv, "surv");
  expectSameBits(a.survLower, b.survLower, "lower");
  expectSameBits(a.survUpper, b.survUpper, "upper");
  expectSameBits(a.timesSurv, b.timesSurv, "S at every event time");
  expectSameBits(a.timesLower, b.timesLower, "lower at every event time");
  expectSameBits(a.timesUpper, b.timesUpper, "upper at every event time");
  EXPECT_TRUE(b.timesLower.allFinite());
}

INSTANTIATE_TEST_SUITE_P(Ties, LeanModelFile, ::testing::Values(Ties::Efron, Ties::Breslow));

TEST(CoxBaselineFrom, GivesTheFitsBaselineFromTheSortedDataAndInternalUnits) {
  // Tied times, unsorted input, a covariate that is not centred (0/1) and one that is.
  SurvivalData d;
  const int n = 60;
  d.time.resize(n);
  d.event.resize(n);
  Eigen::MatrixXd x(n, 2);
  for (int i = 0; i < n; ++i) {
    d.time(i) = static_cast<double>((i * 37) % 23 + 1);
    d.event(i) = (i * 11) % 3 != 0;
    x(i, 0) = (i * 13) % 2;
    x(i, 1) = std::sin(0.7 * i) * 3 + 0.1 * i;
  }
  for (Ties ties : {Ties::Efron, Ties::Breslow}) {
    CoxOptions o;
    o.ties = ties;
    o.penalizer = 0.1;
    const CoxFit fit = fitCox(d, x, o);
    ASSERT_EQ(fit.scale.size(), 2);
    EXPECT_EQ(fit.scale(0), 1.0);  // a 0/1 column is neither centred nor scaled
    // The fit's rows in its sorted order (stable by time).
    std::vector<Eigen::Index> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) { return d.time(a) < d.time(b); });
    SurvivalData s;
    s.time.resize(n);
    s.event.resize(n);
    Eigen::MatrixXd xs(n, 2);
    for (int k = 0; k < n; ++k) {
      s.time(k) = d.time(order[static_cast<size_t>(k)]);
      s.event(k) = d.event(order[static_cast<size_t>(k)]);
      xs.row(k) = x.row(order[static_cast<size_t>(k)]);
    }
    expectSameBaseline(coxBaselineFrom(s, xs, fit.means, fit.scale, fit.scaledCoef, ties), fit.baseline, "sorted");
    // The original order too (the same sort happens inside).
    expectSameBaseline(coxBaselineFrom(d, x, fit.means, fit.scale, fit.scaledCoef, ties), fit.baseline, "unsorted");
  }
}

}  // namespace
