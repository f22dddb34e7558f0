// The late-fusion evaluation report: agreement with direct fits, the paired bootstrap, training-only
// cut-points, degenerate test sets, pattern fallbacks, cross-validation, cancellation and the JSON.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "fixtures.hpp"
#include "latefuse/calibration.hpp"
#include "latefuse/concordance.hpp"
#include "latefuse/error.hpp"
#include "latefuse/fusion.hpp"
#include "latefuse/fusion_report.hpp"
#include "latefuse/simulator.hpp"

using namespace latefuse;
using latefuse::testing::crossValidationOptions;
using latefuse::testing::hgsocCohort;
using latefuse::testing::lungCohort;
using latefuse::testing::survivalOf;

namespace {

Cohort hgsoc(uint64_t seed) { return hgsocCohort(seed); }

// Every third patient is a test patient.
Eigen::VectorXi everyThird(Eigen::Index n) {
  Eigen::VectorXi t(n);
  for (Eigen::Index i = 0; i < n; ++i) t(i) = i % 3 == 0 ? 1 : 0;
  return t;
}

const ModelEvaluation& model(const FusionReport& r, const std::string& kind, const std::string& name = "") {
  for (const auto& m : r.models)
    if (m.kind == kind && (name.empty() || m.name == name)) return m;
  throw std::runtime_error("no model " + kind + " " + name);
}

std::vector<int> rowsOf(const Eigen::VectorXi& indicator, int value) {
  std::vector<int> out;
  for (Eigen::Index i = 0; i < indicator.size(); ++i)
    if (indicator(i) == value) out.push_back(static_cast<int>(i));
  return out;
}

}  // namespace

// One modality, no selection: the late-fusion system's test C is Harrell's C of a direct fitCox on
// the same training rows scoring the same test rows (the lifelines penalty is scale-invariant, so
// the z-scoring inside the submodel changes nothing); and late vs the best unimodal model (the same
// score) has Delta C = 0 on every paired resample.
TEST(FusionReport, OneModalityLateEqualsDirectCox) {
  const Cohort c = lungCohort();
  EvaluationOptions o;
  o.testIndicator = everyThird(c.x.rows());
  o.bootstrap = 200;
  o.permutations = 100;
  const FusionReport r = evaluateFusion(c, o);
  const std::vector<int> train = rowsOf(o.testIndicator, 0), test = rowsOf(o.testIndicator, 1);
  ASSERT_EQ(r.trainRows, train);
  ASSERT_EQ(r.testRows, test);

  Eigen::MatrixXd xTrain(static_cast<Eigen::Index>(train.size()), c.x.cols());
  for (size_t k = 0; k < train.size(); ++k) xTrain.row(static_cast<Eigen::Index>(k)) = c.x.row(train[k]);
  CoxOptions co;
  co.penalizer = 0.1;  // FusionOptions' default submodel penalty
  const CoxFit direct = fitCox(survivalOf(c, train), xTrain, co);
  Eigen::VectorXd lp(static_cast<Eigen::Index>(test.size()));
  for (size_t k = 0; k < test.size(); ++k)
    lp(static_cast<Eigen::Index>(k)) = (c.x.row(test[k]).transpose() - direct.means).dot(direct.coef);
  const double expected = harrellConcordance(survivalOf(c, test), lp).c;

  const ModelEvaluation& late = model(r, "late");
  EXPECT_NEAR(late.test.c, expected, 1e-12);
  EXPECT_NEAR(model(r, "unimodal").test.c, expected, 1e-12);
  EXPECT_NEAR(late.common.c, expected, 1e-12);  // one modality: every test patient is "common"
  EXPECT_EQ(late.test.n, static_cast<int>(test.size()));
  EXPECT_LT(late.test.cLower, late.test.c);
  EXPECT_GT(late.test.cUpper, late.test.c);
  EXPECT_GT(late.test.permutationP, 0);
  EXPECT_LE(late.test.permutationP, 1);
  EXPECT_TRUE(std::isfinite(late.test.unoC));
  EXPECT_TRUE(std::isfinite(late.test.ibs));
  EXPECT_GT(late.test.ibs, 0);
  EXPECT_LT(late.test.ibs, 0.25);

  // The paired bootstrap of a model against itself: Delta C = 0 exactly, on every resample.
  const CIndexComparison* self = nullptr;
  for (const auto& k : r.comparisons)
    if (k.name == "late_vs_best_unimodal") self = &k;
  ASSERT_NE(self, nullptr);
  EXPECT_EQ(self->b, "clinical");
  EXPECT_EQ(self->delta, 0.0);
  EXPECT_EQ(self->lower, 0.0);
  EXPECT_EQ(self->upper, 0.0);
}

// Cut-points are quantiles of the TRAINING patients' predicted risks at the reference horizon
// (1 - S(t_ref) from the integrator that scored each); changing every test patient's data
// (features and outcomes) leaves them untouched.
TEST(FusionReport, CutpointsComeFromTrainingOnly) {
  Cohort c = hgsoc(5);
  EvaluationOptions o;
  o.testIndicator = everyThird(c.x.rows());
  o.bootstrap = 0;
  o.permutations = 0;
  for (RiskGrouping g : {RiskGrouping::Median, RiskGrouping::Tertiles, RiskGrouping::OptimisticSearch}) {
    o.riskGroups = g;
    const FusionReport a = evaluateFusion(c, o);
    const Eigen::VectorXd& trainLate = a.trainRisk;
    ASSERT_EQ(a.referenceHorizon, a.horizons((a.horizons.size() - 1) / 2));
    for (Eigen::Index k = 0; k < trainLate.size(); ++k) {
      const int i = a.trainScores.integrator(k);
      ASSERT_GE(i, 0);
      EXPECT_EQ(trainLate(k), 1 - survivalAtTimes(coxFit(a.model.integrators[static_cast<size_t>(i)].fit), Eigen::VectorXd::Constant(1, a.trainScores.fused(k)),
                                                  Eigen::VectorXi(), Eigen::VectorXd::Constant(1, a.referenceHorizon))(0, 0));
    }
    if (g == RiskGrouping::Median) {
      ASSERT_EQ(a.riskGroups.cutpoints.size(), 1u);
      Eigen::VectorXd p(1);
      p << 0.5;
      EXPECT_DOUBLE_EQ(a.riskGroups.cutpoints[0], quantileType7(trainLate, p)(0));
      EXPECT_EQ(a.riskGroups.train.groups.size(), 2u);
    } else if (g == RiskGrouping::Tertiles) {
      ASSERT_EQ(a.riskGroups.cutpoints.size(), 2u);
      EXPECT_EQ(a.riskGroups.test.groups.size(), 3u);
    } else {
      EXPECT_TRUE(a.riskGroups.optimistic);
      EXPECT_GE(a.riskGroups.chosenPercentile, 33);
      EXPECT_LE(a.riskGroups.chosenPercentile, 67);
    }
    int inGroups = 0;
    for (const auto& grp : a.riskGroups.test.groups) inGroups += grp.n;
    EXPECT_EQ(inGroups, static_cast<int>(a.testRows.size()));

    Cohort changed = c;
    for (int r : a.testRows) {
      changed.x.row(r) *= 3.0;
      changed.time(r) = changed.time(r) * 0.5 + 1;
      changed.event(r) = 1 - changed.event(r);
    }
    const FusionReport b = evaluateFusion(changed, o);
    ASSERT_EQ(b.riskGroups.cutpoints.size(), a.riskGroups.cutpoints.size());
    for (size_t k = 0; k < a.riskGroups.cutpoints.size(); ++k) EXPECT_EQ(b.riskGroups.cutpoints[k], a.riskGroups.cutpoints[k]);
    EXPECT_EQ(b.riskGroups.train.logRankP, a.riskGroups.train.logRankP);
  }
}

TEST(FusionReport, TestSetWithoutEventsIsAModelError) {
  const Cohort c = lungCohort();
  EvaluationOptions o;
  o.testIndicator = Eigen::VectorXi::Zero(c.x.rows());
  int marked = 0;
  for (Eigen::Index i = 0; i < c.x.rows() && marked < 20; ++i)
    if (c.event(i) == 0) {
      o.testIndicator(i) = 1;
      ++marked;
    }
  try {
    evaluateFusion(c, o);
    FAIL() << "expected a ModelError";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("test patients has an event"), std::string::npos) << e.what();
  }
  // Bad split labels are InputErrors naming the patient.
  o.testIndicator(3) = 2;
  EXPECT_THROW(evaluateFusion(c, o), InputError);
  o.testIndicator = Eigen::VectorXi::Zero(5);
  EXPECT_THROW(evaluateFusion(c, o), InputError);
}

// A pattern with fewer than minPatternSize training patients has no integrator: its test patients
// are scored by the fallback (fusion.hpp: richest fitted sub-pattern, else the modality with most
// training patients). With no integrator at all every test patient is scored by 'clinical' (every
// hgsoc patient has it), so the late system's C is the clinical submodel's C.
TEST(FusionReport, RarePatternsFallBackAsDocumented) {
  const Cohort c = hgsoc(7);
  EvaluationOptions o;
  o.bootstrap = 0;
  o.permutations = 0;
  o.fusion.minPatternSize = 100000;
  const FusionReport r = evaluateFusion(c, o);
  EXPECT_TRUE(r.model.integrators.empty());
  const int clinical = 1 << 3;
  for (const auto& p : r.testPatterns) {
    EXPECT_FALSE(p.integrator);
    EXPECT_EQ(p.usedPattern, clinical);
  }
  EXPECT_NEAR(model(r, "late").test.c, model(r, "unimodal", "clinical").test.c, 1e-12);

  // A middle threshold: combinations that at least that many training patients have in full get an
  // integrator; the patterns without one use resolvePattern.
  o.fusion.minPatternSize = 100;
  const FusionReport m = evaluateFusion(c, o);
  bool someFallback = false, someIntegrator = false;
  for (const auto& p : m.trainPatterns) {
    int have = 0;
    for (const auto& q : m.trainPatterns)
      if ((q.pattern & p.pattern) == p.pattern) have += q.patients;
    EXPECT_EQ(p.integrator, have >= 100) << p.pattern;
    if (!p.integrator) someFallback = true;
    if (p.integrator) someIntegrator = true;
  }
  EXPECT_TRUE(someFallback);
  EXPECT_TRUE(someIntegrator);
  for (const auto& p : m.testPatterns) EXPECT_EQ(p.usedPattern, resolvePattern(m.model, p.pattern).second);
}

// The random split is stratified on the event and seeded; the report is reproducible.
TEST(FusionReport, RandomSplitStratifiedAndSeeded) {
  const Cohort c = hgsoc(3);
  EvaluationOptions o;
  o.testFraction = 0.3;
  o.seed = 9;
  o.bootstrap = 100;
  o.permutations = 100;
  const FusionReport a = evaluateFusion(c, o);
  const int events = static_cast<int>(c.event.sum());
  const int censored = static_cast<int>(c.x.rows()) - events;
  EXPECT_EQ(a.testEvents, static_cast<int>(std::llround(0.3 * events)));
  EXPECT_EQ(static_cast<int>(a.testRows.size()) - a.testEvents, static_cast<int>(std::llround(0.3 * censored)));
  EXPECT_EQ(a.trainRows.size() + a.testRows.size(), static_cast<size_t>(c.x.rows()));
  const FusionReport b = evaluateFusion(c, o);
  EXPECT_EQ(a.testRows, b.testRows);
  for (size_t k = 0; k < a.models.size(); ++k) {
    EXPECT_EQ(a.models[k].test.c, b.models[k].test.c);
    EXPECT_EQ(a.models[k].test.cLower, b.models[k].test.cLower);
    EXPECT_EQ(a.models[k].common.permutationP, b.models[k].common.permutationP);
  }
  // Every model: common subset = the test patients with every modality; late scores every test patient.
  const ModelEvaluation& late = model(a, "late");
  EXPECT_EQ(late.test.n, static_cast<int>(a.testRows.size()));
  for (const auto& m : a.models) {
    EXPECT_LE(m.common.n, static_cast<int>(a.commonTest.size())) << m.name;
    if (m.kind != "early") EXPECT_EQ(m.common.n, static_cast<int>(a.commonTest.size())) << m.name;
  }
  // Kendall matrices: M x M with unit diagonal.
  EXPECT_EQ(a.kendallTest.tau.rows(), 4);
  for (int m = 0; m < 4; ++m) EXPECT_EQ(a.kendallTrain.tau(m, m), 1.0);
  // Coefficients of every submodel and integrator (+ early fusion).
  EXPECT_EQ(a.coefficients.size(), 4 + a.model.integrators.size() + (a.model.early.fitted ? 1 : 0));
}

TEST(FusionReport, RepeatedCrossValidation) {
  const Cohort c = hgsoc(4);
  const EvaluationOptions o = crossValidationOptions(3, 2);
  const FusionReport r = evaluateFusion(c, o);
  const CrossValidationReport& cv = r.crossValidation;
  EXPECT_EQ(cv.folds, 3);
  EXPECT_EQ(cv.repeats, 2);
  // Every model but late fusion with complete-case training (a holdout design comparison).
  EXPECT_EQ(cv.models.size(), r.models.size() - 1);
  EXPECT_EQ(r.models.back().kind, "late-complete-case");
  for (const auto& m : cv.models) {
    if (m.kind == "unimodal" || m.kind == "late") {
      for (int rep = 0; rep < 2; ++rep) {
        double s = 0;
        for (int f = 0; f < 3; ++f) {
          EXPECT_TRUE(std::isfinite(m.testC(rep, f))) << m.name;
          s += m.testC(rep, f);
        }
        EXPECT_NEAR(m.testRepeatMean(rep), s / 3, 1e-12);
      }
      EXPECT_NEAR(m.testMean, (m.testRepeatMean(0) + m.testRepeatMean(1)) / 2, 1e-12);
      EXPECT_GT(m.testMean, 0.5) << m.name;
    }
  }
}

TEST(FusionReport, ProgressAndCancel) {
  const Cohort c = hgsoc(2);
  EvaluationOptions o;
  o.bootstrap = 200;
  o.permutations = 200;
  double last = 0;
  bool monotone = true;
  int calls = 0;
  evaluateFusion(c, o, [&](double f) {
    if (f + 1e-12 < last) monotone = false;
    last = f;
    ++calls;
    return true;
  });
  EXPECT_TRUE(monotone);
  EXPECT_GT(calls, 10);
  EXPECT_NEAR(last, 1.0, 1e-9);
  int seen = 0;
  EXPECT_THROW(evaluateFusion(c, o, [&](double) { return ++seen < 5; }), Cancelled);
}

TEST(FusionReport, ReferenceCompatiblePreset) {
  const FusionOptions f = referenceCompatibleFusionOptions();
  EXPECT_EQ(f.submodel.penalizer, 0.5);
  EXPECT_EQ(f.integrator.penalizer, 0.5);
  EXPECT_FALSE(f.crossFit);
  EXPECT_EQ(f.scaling, Scaling::MinMax);
  EXPECT_EQ(f.outlierZ, 5);
  EXPECT_TRUE(f.selectFeatures);
  const Cohort c = hgsoc(3);
  EvaluationOptions o;
  o.fusion = f;
  o.referenceCompatible = true;
  o.bootstrap = 50;
  o.permutations = 50;
  const FusionReport r = evaluateFusion(c, o);
  const nlohmann::json j = fusionReportToJson(r, c);
  EXPECT_EQ(j["settings"]["reference_compatible"], true);
  EXPECT_EQ(j["settings"]["integrator_inputs"], "in_sample");
  EXPECT_EQ(j["settings"]["scaling"], "minmax");
}

// The hgsoc preset end to end with 1000 bootstrap replicates and 1000 permutations per model and
// subset: the JSON has the documented keys and finite, consistent numbers.
TEST(FusionReport, HgsocEndToEndJson) {
  const Cohort c = hgsoc(3);
  EvaluationOptions o;
  o.bootstrap = 1000;
  o.permutations = 1000;
  const auto t0 = std::chrono::steady_clock::now();
  const FusionReport r = evaluateFusion(c, o);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[ timing ] hgsoc evaluateFusion, %zu models, 1000 bootstrap + 1000 permutations: %.0f ms (native)\n",
              r.models.size(), ms);
  const nlohmann::json j = fusionReportToJson(r, c);
  for (const char* key : {"settings", "split", "horizons", "models", "comparisons", "risk_groups", "kendall", "coefficients", "patterns"})
    EXPECT_TRUE(j.contains(key)) << key;
  bool sawLate = false, sawEarly = false;
  for (const auto& m : j["models"]) {
    for (const char* subset : {"test", "common"}) {
      const auto& s = m[subset];
      for (const char* k : {"n", "events", "c", "c_lower", "c_upper", "permutation_p"}) ASSERT_TRUE(s.contains(k)) << k;
      if (s["n"].get<int>() < 2) continue;
      ASSERT_TRUE(s["c"].is_number()) << m["name"];
      const double cc = s["c"], lo = s["c_lower"], hi = s["c_upper"], p = s["permutation_p"];
      EXPECT_LE(lo, cc) << m["name"];
      EXPECT_GE(hi, cc) << m["name"];
      EXPECT_GT(p, 0);
      EXPECT_LE(p, 1);
      EXPECT_LE(s["events"].get<int>(), s["n"].get<int>());
    }
    sawLate = sawLate || m["kind"] == "late";
    sawEarly = sawEarly || m["kind"] == "early";
  }
  EXPECT_TRUE(sawLate);
  EXPECT_TRUE(sawEarly);
  EXPECT_EQ(j["kendall"]["tau"].size(), 4u);
  EXPECT_EQ(j["split"]["train"].get<int>() + j["split"]["test"].get<int>(), 444);
  for (const auto& k : j["comparisons"]) {
    ASSERT_TRUE(k["delta_c"].is_number()) << k["name"];
    EXPECT_NEAR(k["delta_c"].get<double>(), k["c_a"].get<double>() - k["c_b"].get<double>(), 1e-12);
    EXPECT_LE(k["lower"].get<double>(), k["delta_c"].get<double>());
    EXPECT_GE(k["upper"].get<double>(), k["delta_c"].get<double>());
  }
}
