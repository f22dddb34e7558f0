// Uno's C, cumulative/dynamic AUC, Brier and integrated Brier score: parity with scikit-survival's
// definitions (scikit-survival 0.22's published numbers; R transcription in tests/r/stats_golden.R), and calibration
// parity with R (quantile/cut groups, survfit, coxph on the linear predictor).
#include <gtest/gtest.h>

#include <limits>

#include "latefuse/calibration.hpp"
#include "latefuse/concordance.hpp"
#include "latefuse/error.hpp"
#include "latefuse/survival_metrics.hpp"
#include "test_stats_support.hpp"

using namespace latefuse;
using namespace latefuse::testing;

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}

TEST(StatsMetrics, GoldenCases) {
  for (const auto& c : statsGolden().at("metrics")) {
    const std::string name = c.at("name");
    SCOPED_TRACE(name);
    const SurvivalData train = survivalFrom(c.at("train")), test = survivalFrom(c.at("test"));
    const Eigen::VectorXd risk = vec(c.at("risk"));
    for (const auto& u : c.at("uno")) {
      const double tau = u.at("tau").is_null() ? kInf : u.at("tau").get<double>();
      EXPECT_TRUE(nearAbs("uno.c", unoConcordance(train, test, risk, tau).c, u.at("c"), 1e-8)) << "tau " << tau;
    }
    const TimeDependentAuc a = cumulativeDynamicAuc(train, test, risk, vec(c.at("auc_times")));
    expectVecAbs("auc", a.auc, c.at("auc"), 1e-8);
    EXPECT_TRUE(nearAbs("auc.mean", a.meanAuc, c.at("mean_auc"), 1e-8));
    const Eigen::VectorXd times = vec(c.at("brier_times"));
    const Eigen::MatrixXd S = rowsToMatrix(c.at("survival"));
    const BrierScores bs = brierScore(train, test, S, times);
    expectVecAbs("brier", bs.brier, c.at("brier"), 1e-10);
    EXPECT_TRUE(nearAbs("brier.integrated", integratedBrierScore(train, test, S, times), c.at("ibs"), 1e-10));
  }
}

// scikit-survival 0.22's own numbers (lung, Efron Cox lp, train = test).
TEST(StatsMetrics, IssueNumbers) {
  const auto& c = goldenCase("metrics", "lung_cox");
  const SurvivalData d = survivalFrom(c.at("train"));
  const Eigen::VectorXd risk = vec(c.at("risk"));
  EXPECT_NEAR(unoConcordance(d, d, risk, 365).c, 0.6333164759, 1e-10);
  EXPECT_NEAR(unoConcordance(d, d, risk, 730).c, 0.6275960919, 1e-10);
  const TimeDependentAuc a = cumulativeDynamicAuc(d, d, risk, Eigen::Vector3d(540, 180, 365));  // sorted internally
  EXPECT_NEAR(a.auc(0), 0.6980798709, 1e-10);
  EXPECT_NEAR(a.auc(1), 0.6475252393, 1e-10);
  EXPECT_NEAR(a.auc(2), 0.6664829203, 1e-10);
  EXPECT_NEAR(a.meanAuc, 0.6701751335, 1e-10);
  const Eigen::MatrixXd S = rowsToMatrix(c.at("survival"));
  const Eigen::VectorXd times = vec(c.at("brier_times"));
  EXPECT_NEAR(integratedBrierScore(d, d, S, times), 0.1772063775, 1e-10);
  const auto& k = goldenCase("metrics", "lung_km_null");
  EXPECT_NEAR(integratedBrierScore(d, d, rowsToMatrix(k.at("survival")), times), 0.1909662974, 1e-10);
  // Harrell's C of the same score (concordance.hpp) for comparison: 0.637135493
  EXPECT_NEAR(harrellConcordance(d, risk).c, 0.637135493, 1e-9);
}

TEST(StatsMetrics, FrequencyWeightsEqualRepeatedRows) {
  const auto& c = goldenCase("metrics", "veteran_cox");
  const SurvivalData d = survivalFrom(c.at("train"));
  const Eigen::VectorXd risk = vec(c.at("risk"));
  // repeat every third row twice more
  std::vector<Eigen::Index> rows;
  Eigen::VectorXd w(d.size());
  for (Eigen::Index i = 0; i < d.size(); ++i) {
    const int k = i % 3 == 0 ? 3 : 1;
    w(i) = k;
    for (int r = 0; r < k; ++r) rows.push_back(i);
  }
  SurvivalData expanded;
  const Eigen::Index m = static_cast<Eigen::Index>(rows.size());
  expanded.time.resize(m);
  expanded.event.resize(m);
  Eigen::VectorXd riskExpanded(m);
  for (Eigen::Index k = 0; k < m; ++k) {
    expanded.time(k) = d.time(rows[static_cast<size_t>(k)]);
    expanded.event(k) = d.event(rows[static_cast<size_t>(k)]);
    riskExpanded(k) = risk(rows[static_cast<size_t>(k)]);
  }
  SurvivalData weighted = d;
  weighted.weight = w;
  EXPECT_NEAR(unoConcordance(weighted, weighted, risk, 200).c, unoConcordance(expanded, expanded, riskExpanded, 200).c, 1e-13);
  const Eigen::Vector3d t(30, 90, 180);
  const auto a = cumulativeDynamicAuc(weighted, weighted, risk, t), b = cumulativeDynamicAuc(expanded, expanded, riskExpanded, t);
  for (int j = 0; j < 3; ++j) EXPECT_NEAR(a.auc(j), b.auc(j), 1e-13);
  EXPECT_NEAR(a.meanAuc, b.meanAuc, 1e-13);
}

TEST(StatsMetrics, Degenerate) {
  const auto& c = goldenCase("metrics", "lung_cox");
  const SurvivalData d = survivalFrom(c.at("train"));
  const Eigen::VectorXd risk = vec(c.at("risk"));
  // a horizon beyond the last time: clear error
  EXPECT_THROW(cumulativeDynamicAuc(d, d, risk, Eigen::VectorXd::Constant(1, 5000)), InputError);
  EXPECT_THROW(cumulativeDynamicAuc(d, d, risk, Eigen::VectorXd::Constant(1, d.time.maxCoeff())), InputError);
  EXPECT_THROW(brierScore(d, d, Eigen::MatrixXd::Constant(d.size(), 1, 0.5), Eigen::VectorXd::Constant(1, 2000)), InputError);
  // unsorted Brier times are refused (the columns of the predictions belong to the given order)
  EXPECT_THROW(brierScore(d, d, Eigen::MatrixXd::Constant(d.size(), 2, 0.5), Eigen::Vector2d(300, 200)), InputError);
  EXPECT_THROW(unoConcordance(d, d, risk, 0), InputError);
  // tied scores everywhere: C = AUC = 1/2
  const Eigen::VectorXd flat = Eigen::VectorXd::Constant(d.size(), 2.0);
  EXPECT_DOUBLE_EQ(unoConcordance(d, d, flat, 365).c, 0.5);
  EXPECT_DOUBLE_EQ(cumulativeDynamicAuc(d, d, flat, Eigen::Vector2d(180, 365)).auc(1), 0.5);
  // all censored
  SurvivalData cens = d;
  cens.event.setZero();
  EXPECT_THROW(unoConcordance(cens, cens, risk, kInf), ModelError);
  // test data beyond the training follow-up while G > 0: sksurv's ValueError; where G has reached 0: ModelError
  SurvivalData late = d;
  late.time(0) = 5000;
  late.event(0) = 1;
  EXPECT_THROW(unoConcordance(d, late, risk, kInf), ModelError);
  SurvivalData train = d, test = d;
  const double last = d.time.maxCoeff();
  for (Eigen::Index i = 0; i < train.size(); ++i)
    if (train.time(i) == last) train.event(i) = 1;  // G(last) > 0
  test.time(0) = 5000;
  test.event(0) = 1;
  EXPECT_THROW(unoConcordance(train, test, risk, kInf), InputError);
  // n = 2
  SurvivalData two;
  two.time = Eigen::Vector2d(1, 2);
  two.event = Eigen::Vector2d(1, 0);
  EXPECT_DOUBLE_EQ(unoConcordance(two, two, Eigen::Vector2d(2, 1), kInf).c, 1.0);
}

TEST(StatsCalibration, GoldenCases) {
  for (const auto& c : statsGolden().at("calibration")) {
    const std::string name = c.at("name");
    SCOPED_TRACE(name);
    const SurvivalData d = survivalFrom(c.at("data"));
    const Eigen::VectorXd pred = vec(c.at("predicted"));
    CalibrationOptions o;
    o.groups = c.at("n_groups");
    o.km.confType = parseConfType(c.at("conf_type"));
    // quantile breaks
    Eigen::VectorXd probs(o.groups + 1);
    for (int k = 0; k <= o.groups; ++k) probs(k) = k == o.groups ? 1.0 : k * (1.0 / o.groups);
    const Eigen::VectorXd q = quantileType7((1 - pred.array()).matrix(), probs);
    std::vector<double> br(q.data(), q.data() + q.size());
    br.erase(std::unique(br.begin(), br.end()), br.end());
    expectVecAbs("calibration.breaks", Eigen::Map<Eigen::VectorXd>(br.data(), static_cast<Eigen::Index>(br.size())),
                 c.at("breaks"), 1e-14);  // R's breaks are written with 15 digits
    const SurvivalCalibration cal = survivalCalibration(d, pred, c.at("horizon"), o);
    const auto& rg = c.at("groups");
    ASSERT_EQ(cal.groups.size(), rg.size());
    for (size_t g = 0; g < rg.size(); ++g) {
      EXPECT_EQ(cal.groups[g].n, rg[g].at("n").get<int>());
      EXPECT_TRUE(nearAbs("calibration.events", cal.groups[g].events, rg[g].at("events"), 0));
      EXPECT_TRUE(nearAbs("calibration.predicted", cal.groups[g].predicted, rg[g].at("predicted"), 1e-12));
      EXPECT_TRUE(nearAbs("calibration.observed", cal.groups[g].observed, rg[g].at("observed"), 1e-9));
      EXPECT_TRUE(nearAbs("calibration.observed_ci", cal.groups[g].lower, numOrNaN(rg[g].at("lower")), 1e-9));
      EXPECT_TRUE(nearAbs("calibration.observed_ci", cal.groups[g].upper, numOrNaN(rg[g].at("upper")), 1e-9));
      EXPECT_TRUE(nearAbs("calibration.n_risk", cal.groups[g].nRisk, rg[g].at("n_risk"), 0));
    }
    EXPECT_TRUE(nearRel("calibration.slope", cal.slope, c.at("slope_cloglog"), 1e-6));
    EXPECT_TRUE(nearRel("calibration.slope_se", cal.slopeSe, c.at("slope_cloglog_se"), 1e-6));
    o.linearPredictor = vec(c.at("lp"));
    const SurvivalCalibration withLp = survivalCalibration(d, pred, c.at("horizon"), o);
    EXPECT_TRUE(nearRel("calibration.slope", withLp.slope, c.at("slope"), 1e-6));
    EXPECT_TRUE(nearRel("calibration.slope_se", withLp.slopeSe, c.at("slope_se"), 1e-6));
  }
}

TEST(StatsCalibration, Degenerate) {
  const auto& c = goldenCase("calibration", "lung_cox_365");
  const SurvivalData d = survivalFrom(c.at("data"));
  const Eigen::VectorXd pred = vec(c.at("predicted"));
  EXPECT_THROW(survivalCalibration(d, pred, 5000), InputError);  // horizon beyond the last time
  EXPECT_THROW(survivalCalibration(d, pred.head(10), 365), InputError);
  // tied predictions everywhere: a single group (the slope comes from the explicit linear predictor)
  CalibrationOptions o;
  o.linearPredictor = Eigen::VectorXd::LinSpaced(d.size(), 0, 1);
  const SurvivalCalibration one = survivalCalibration(d, Eigen::VectorXd::Constant(d.size(), 0.4), 365, o);
  EXPECT_EQ(one.groups.size(), 1u);
  EXPECT_EQ(one.groups[0].n, d.size());
}
