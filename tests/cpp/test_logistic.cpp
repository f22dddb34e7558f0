// Logistic regression (IRLS, ridge, case weights), DeLong AUC, Brier and logistic calibration:
// parity with R glm / glmnet / DeLong's formula (tests/r/stats_golden.R).
#include <gtest/gtest.h>

#include "latefuse/error.hpp"
#include "latefuse/logistic.hpp"
#include "test_stats_support.hpp"

using namespace latefuse;
using namespace latefuse::testing;

TEST(StatsLogistic, GoldenCases) {
  for (const auto& c : statsGolden().at("logistic")) {
    const std::string name = c.at("name");
    SCOPED_TRACE(name);
    const Eigen::VectorXd y = vec(c.at("y"));
    Eigen::MatrixXd x(y.size(), static_cast<Eigen::Index>(c.at("x").size()));
    for (size_t j = 0; j < c.at("x").size(); ++j) x.col(static_cast<Eigen::Index>(j)) = vec(c.at("x")[j]);
    const Eigen::VectorXd w = c.at("weights").is_null() ? Eigen::VectorXd() : vec(c.at("weights"));
    LogisticOptions o;
    o.ridge = c.at("ridge");
    o.names = c.at("covariates").get<std::vector<std::string>>();
    const LogisticFit f = fitLogistic(y, x, w, o);
    EXPECT_TRUE(f.converged);
    EXPECT_TRUE(f.warnings.empty());
    expectVecRel("logistic.coef", f.coef, c.at("coef"), 1e-6);
    expectVecRel("logistic.se", f.se, c.at("se"), 1e-6);
    expectVecRel("logistic.z", f.z, c.at("z"), 1e-6);
    expectVecRel("logistic.p", f.pValue, c.at("p"), 1e-5);
    expectVecRel("logistic.or", f.oddsRatio, c.at("or"), 1e-6);
    expectVecRel("logistic.or_ci", f.orLower, c.at("or_lower"), 1e-6);
    expectVecRel("logistic.or_ci", f.orUpper, c.at("or_upper"), 1e-6);
    EXPECT_TRUE(nearRel("logistic.loglik", f.loglik, c.at("loglik"), 1e-9));
    const BinaryAuc a = binaryAuc(y, f.linearPredictor);
    EXPECT_TRUE(nearAbs("logistic.auc", a.auc, c.at("auc"), 1e-12));
    EXPECT_TRUE(nearAbs("logistic.auc_se", a.se, c.at("auc_se"), 1e-9));
    EXPECT_TRUE(nearAbs("logistic.auc_ci", a.lower, c.at("auc_lower"), 1e-9));
    EXPECT_TRUE(nearAbs("logistic.auc_ci", a.upper, c.at("auc_upper"), 1e-9));
    EXPECT_TRUE(nearRel("logistic.brier", binaryBrier(y, f.fitted, w), c.at("brier"), 1e-7));
    const LogisticCalibration cal = logisticCalibration(y, f.linearPredictor);
    EXPECT_TRUE(nearAbs("logistic.calibration_slope", cal.slope, c.at("calibration_slope"), 1e-6));
    EXPECT_TRUE(nearRel("logistic.calibration_slope_se", cal.slopeSe, c.at("calibration_slope_se"), 1e-6));
    EXPECT_TRUE(nearAbs("logistic.calibration_intercept", cal.intercept, c.at("calibration_intercept"), 1e-6));
    EXPECT_TRUE(nearRel("logistic.calibration_intercept_se", cal.interceptSe, c.at("calibration_intercept_se"), 1e-6));
  }
}

TEST(StatsLogistic, IssueNumbers) {
  const auto& c = goldenCase("logistic", "lung_death_1y");
  const Eigen::VectorXd y = vec(c.at("y"));
  Eigen::MatrixXd x(y.size(), 3);
  for (int j = 0; j < 3; ++j) x.col(j) = vec(c.at("x")[static_cast<size_t>(j)]);
  ASSERT_EQ(y.size(), 185);
  const LogisticFit f = fitLogistic(y, x);
  const Eigen::Vector4d coef(0.7013113407, 0.004753749355, -0.7604506194, 0.6892498668);
  const Eigen::Vector4d se(1.285807539, 0.01821729599, 0.3330723119, 0.2341924791);
  for (int j = 0; j < 4; ++j) {
    EXPECT_NEAR(f.coef(j), coef(j), 1e-6 * std::fabs(coef(j)));
    EXPECT_NEAR(f.se(j), se(j), 1e-6 * se(j));
  }
  LogisticOptions ridge;
  ridge.ridge = 5;
  const LogisticFit r = fitLogistic(y, x, {}, ridge);
  const Eigen::Vector4d rc(0.2645190624, 0.007817282145, -0.4779081851, 0.5290139514);
  for (int j = 0; j < 4; ++j) EXPECT_NEAR(r.coef(j), rc(j), 1e-6 * std::fabs(rc(j)));
  const BinaryAuc a = binaryAuc(y, f.linearPredictor);
  EXPECT_NEAR(a.auc, 0.6601923077, 1e-10);
  EXPECT_NEAR(a.se, 0.04127960606, 1e-10);
  EXPECT_NEAR(a.lower, 0.5792857665, 1e-9);
  EXPECT_NEAR(a.upper, 0.7410988489, 1e-9);
  EXPECT_EQ(a.cases, 120);
  EXPECT_EQ(a.controls, 65);
}

TEST(StatsLogistic, DeLongWithTies) {
  const auto& c = statsGolden().at("auc_ties");
  const BinaryAuc a = binaryAuc(vec(c.at("y")), vec(c.at("score")));
  EXPECT_TRUE(nearAbs("auc_ties.auc", a.auc, c.at("auc"), 1e-12));
  EXPECT_TRUE(nearAbs("auc_ties.se", a.se, c.at("se"), 1e-12));
}

TEST(StatsLogistic, SeparationWarnsNotCrashes) {
  Eigen::VectorXd y(10), x(10);
  for (int i = 0; i < 10; ++i) {
    x(i) = i + 1;
    y(i) = i >= 5 ? 1 : 0;
  }
  const LogisticFit f = fitLogistic(y, x);
  ASSERT_FALSE(f.warnings.empty());
  bool mentions = false;
  for (const auto& w : f.warnings) mentions = mentions || w.find("separate") != std::string::npos;
  EXPECT_TRUE(mentions);
  for (Eigen::Index i = 0; i < f.fitted.size(); ++i) EXPECT_TRUE(std::isfinite(f.fitted(i)));
  // the ridge penalty gives a finite, warning-free answer
  LogisticOptions o;
  o.ridge = 1;
  const LogisticFit r = fitLogistic(y, x, {}, o);
  EXPECT_TRUE(r.converged);
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_GT(r.coef(1), 0);
}

TEST(StatsLogistic, Degenerate) {
  Eigen::VectorXd y(4), x(4);
  y << 1, 1, 1, 1;
  x << 1, 2, 3, 4;
  EXPECT_THROW(fitLogistic(y, x), ModelError);  // one outcome class
  y << 0, 1, 2, 1;
  EXPECT_THROW(fitLogistic(y, x), InputError);  // not 0/1
  y << 0, 1, 0, 1;
  Eigen::MatrixXd collinear(4, 2);
  collinear << 1, 2, 2, 4, 3, 6, 4, 8;
  EXPECT_THROW(fitLogistic(y, collinear), ModelError);
  // n = 2: separated by construction -> warning, no crash
  const LogisticFit two = fitLogistic(Eigen::Vector2d(0, 1), Eigen::Vector2d(1, 2));
  EXPECT_FALSE(two.warnings.empty());
  // tied scores everywhere: AUC 1/2
  EXPECT_DOUBLE_EQ(binaryAuc(y, Eigen::Vector4d::Constant(3)).auc, 0.5);
  EXPECT_THROW(binaryAuc(Eigen::Vector2d(1, 1), Eigen::Vector2d(1, 2)), ModelError);
}
