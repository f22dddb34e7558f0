// Ridge with p > n: the rotated fit (ridge_rotation.hpp) against the direct p x p fit on the same
// data, for Cox (both penalty parameterisations, Efron and Breslow, strata, weights, ties, a
// constant and a 0/1 column) and logistic ridge. The direct fit is itself checked against R
// (test_cox_golden.cpp, test_logistic.cpp); here the two paths must give the same optimum.
#include <gtest/gtest.h>

#include <cmath>

#include "latefuse/cox.hpp"
#include "latefuse/error.hpp"
#include "latefuse/logistic.hpp"
#include "latefuse/random.hpp"

namespace latefuse {
namespace {

struct WideData {
  SurvivalData data;
  Eigen::MatrixXd x;
  Eigen::VectorXd y;  // 0/1 outcome for logistic
};

// n subjects, p covariates with a few true effects; times rounded to make ties.
WideData simulateWide(Eigen::Index n, Eigen::Index p, uint64_t seed, bool strata, bool weights) {
  Random rng(seed);
  WideData d;
  d.x.resize(n, p);
  for (Eigen::Index j = 0; j < p; ++j)
    for (Eigen::Index i = 0; i < n; ++i) d.x(i, j) = rng.normal() * (1 + 0.5 * (j % 3)) + 0.2 * (j % 10);
  d.data.time.resize(n);
  d.data.event.resize(n);
  d.y.resize(n);
  if (strata) d.data.strata.resize(n);
  if (weights) d.data.weight.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double lp = 0.4 * (d.x(i, 0) - 0) - 0.3 * (d.x(i, 1) - 0.2) + 0.2 * (d.x(i, 2) - 0.4) / 2;
    const double t = rng.exponential() / std::exp(lp);
    const double c = rng.exponential() * 1.5;
    d.data.time(i) = std::ceil(std::min(t, c) * 20) / 20;  // ties
    d.data.event(i) = t <= c ? 1 : 0;
    d.y(i) = rng.uniform() < 1 / (1 + std::exp(-lp)) ? 1 : 0;
    if (strata) d.data.strata(i) = static_cast<int>(i % 2);
    if (weights) d.data.weight(i) = 0.5 + rng.uniform();
  }
  return d;
}

void expectSameCox(const CoxFit& rotated, const CoxFit& direct) {
  ASSERT_EQ(rotated.coef.size(), direct.coef.size());
  EXPECT_EQ(rotated.var.size(), 0);  // the rotated path keeps no p x p covariance
  EXPECT_TRUE(direct.converged);
  EXPECT_TRUE(rotated.converged);
  for (Eigen::Index j = 0; j < direct.coef.size(); ++j) {
    if (std::isnan(direct.coef(j))) {
      EXPECT_TRUE(std::isnan(rotated.coef(j))) << j;
      EXPECT_TRUE(std::isnan(rotated.se(j))) << j;
      continue;
    }
    EXPECT_NEAR(rotated.coef(j), direct.coef(j), 1e-8 * std::max(1.0, std::fabs(direct.coef(j)))) << "coef " << j;
    EXPECT_NEAR(rotated.se(j), direct.se(j), 1e-8 * direct.se(j)) << "se " << j;
  }
  EXPECT_NEAR(rotated.loglik, direct.loglik, 1e-8 * std::fabs(direct.loglik));
  EXPECT_NEAR(rotated.loglikInit, direct.loglikInit, 1e-10 * std::fabs(direct.loglikInit));
  EXPECT_NEAR(rotated.penalty, direct.penalty, 1e-8 * direct.penalty);
  EXPECT_NEAR(rotated.scoreTest, direct.scoreTest, 1e-8 * direct.scoreTest);
  EXPECT_NEAR(rotated.waldTest, direct.waldTest, 1e-7 * direct.waldTest);
  EXPECT_EQ(rotated.lrDf, direct.lrDf);
  EXPECT_NEAR(rotated.concordance.c, direct.concordance.c, 1e-12);
  EXPECT_EQ(rotated.iterations, direct.iterations);
  ASSERT_EQ(rotated.baseline.time.size(), direct.baseline.time.size());
  for (Eigen::Index k = 0; k < direct.baseline.time.size(); ++k) {
    EXPECT_EQ(rotated.baseline.time(k), direct.baseline.time(k));
    EXPECT_NEAR(rotated.baseline.hazard(k), direct.baseline.hazard(k), 1e-8 * direct.baseline.hazard(k));
    EXPECT_NEAR(rotated.baseline.varHazard(k), direct.baseline.varHazard(k), 1e-8 * direct.baseline.varHazard(k));
  }
  for (Eigen::Index i = 0; i < direct.linearPredictor.size(); ++i)
    EXPECT_NEAR(rotated.linearPredictor(i), direct.linearPredictor(i), 1e-8) << "lp " << i;
}

struct CoxShape {
  Eigen::Index n, p;
  bool strata, weights, lifelines, scale;
  Ties ties;
};

class RidgeRotationCox : public ::testing::TestWithParam<CoxShape> {};

TEST_P(RidgeRotationCox, EqualsTheDirectFit) {
  const CoxShape s = GetParam();
  WideData d = simulateWide(s.n, s.p, 1000 + static_cast<uint64_t>(s.p), s.strata, s.weights);
  d.x.col(5).setConstant(3.0);                                                 // constant
  for (Eigen::Index i = 0; i < s.n; ++i) d.x(i, 7) = d.x(i, 7) > 1.4 ? 1 : 0;  // 0/1: not centred by coxph
  CoxOptions o;
  o.ties = s.ties;
  if (s.lifelines) o.penalizer = 0.1;
  else {
    o.ridgeTheta = s.scale ? 5 : 50;
    o.ridgeScale = s.scale;
  }  // well inside convergence in 20 steps
  const CoxFit rotated = fitCox(d.data, d.x, o);
  o.allowRotation = false;
  const CoxFit direct = fitCox(d.data, d.x, o);
  expectSameCox(rotated, direct);
  // Survival predictions: the same S(t); the rotated fit gives no interval.
  const Eigen::VectorXd at = d.x.row(3).transpose(), times = Eigen::VectorXd::Constant(1, 0.5);
  const SurvivalPrediction pr = predictSurvival(rotated, at, times), pd = predictSurvival(direct, at, times);
  EXPECT_NEAR(pr.surv(0), pd.surv(0), 1e-9);
  EXPECT_TRUE(std::isnan(pr.lower(0)) && std::isnan(pr.upper(0)) && std::isnan(pr.se(0)));
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, RidgeRotationCox,
    ::testing::Values(CoxShape{300, 500, false, false, true, true, Ties::Efron},
                      CoxShape{300, 1000, false, false, true, true, Ties::Efron},
                      CoxShape{120, 400, true, true, false, false, Ties::Efron},
                      CoxShape{80, 250, false, true, false, true, Ties::Breslow},
                      CoxShape{40, 41, true, false, true, true, Ties::Breslow}));

TEST(RidgeRotationCox, NotTakenWhenThePathNeedsTheFullMatrix) {
  WideData d = simulateWide(50, 80, 7, false, false);
  CoxOptions o;
  o.penalizer = 0.1;
  o.robust = true;  // the sandwich variance is p x p: direct path, var kept
  EXPECT_EQ(fitCox(d.data, d.x, o).var.rows(), 80);
  o.robust = false;
  EXPECT_EQ(fitCox(d.data, d.x, o).var.rows(), 0);
  o.penalizer = 0;  // no ridge: no rotation (and no unique optimum)
  o.maxIter = 0;
  EXPECT_EQ(fitCox(d.data, d.x, o).var.rows(), 80);
}

struct LogisticShape {
  Eigen::Index n, p;
  bool weights, intercept;
};

class RidgeRotationLogistic : public ::testing::TestWithParam<LogisticShape> {};

TEST_P(RidgeRotationLogistic, EqualsTheDirectFit) {
  const LogisticShape s = GetParam();
  const WideData d = simulateWide(s.n, s.p, 2000 + static_cast<uint64_t>(s.p), false, s.weights);
  LogisticOptions o;
  o.ridge = 0.1 * static_cast<double>(s.n);
  o.intercept = s.intercept;
  const Eigen::VectorXd w = s.weights ? d.data.weight : Eigen::VectorXd();
  const LogisticFit rotated = fitLogistic(d.y, d.x, w, o);
  o.allowRotation = false;
  const LogisticFit direct = fitLogistic(d.y, d.x, w, o);
  EXPECT_EQ(rotated.var.size(), 0);
  ASSERT_EQ(rotated.coef.size(), direct.coef.size());
  EXPECT_TRUE(rotated.converged && direct.converged);
  for (Eigen::Index j = 0; j < direct.coef.size(); ++j) {
    EXPECT_NEAR(rotated.coef(j), direct.coef(j), 1e-8 * std::max(1.0, std::fabs(direct.coef(j)))) << "coef " << j;
    EXPECT_NEAR(rotated.se(j), direct.se(j), 1e-8 * direct.se(j)) << "se " << j;
    EXPECT_NEAR(rotated.pValue(j), direct.pValue(j), 1e-7) << "p " << j;
  }
  EXPECT_NEAR(rotated.loglik, direct.loglik, 1e-8 * std::fabs(direct.loglik));
  EXPECT_NEAR(rotated.penalty, direct.penalty, 1e-8 * direct.penalty);
  for (Eigen::Index i = 0; i < s.n; ++i) EXPECT_NEAR(rotated.fitted(i), direct.fitted(i), 1e-10) << "mu " << i;
  EXPECT_EQ(rotated.names, direct.names);
}

INSTANTIATE_TEST_SUITE_P(Shapes, RidgeRotationLogistic,
                         ::testing::Values(LogisticShape{300, 500, false, true}, LogisticShape{300, 1000, true, true},
                                           LogisticShape{60, 300, false, false}));

}  // namespace
}  // namespace latefuse

namespace latefuse {
namespace {

// A fit that cannot get its memory is a ModelError saying how large it was and what to do (fusion
// prefixes the modality), never a bare std::bad_alloc. Unpenalised with 200,000 covariates: the
// p x p information alone would be 320 GB.
TEST(RidgeRotationCox, OutOfMemoryIsAModelErrorNamingTheSize) {
  SurvivalData d;
  d.time = (Eigen::VectorXd(4) << 1, 2, 3, 4).finished();
  d.event = (Eigen::VectorXd(4) << 1, 1, 0, 1).finished();
  Eigen::MatrixXd x(4, 200000);
  for (Eigen::Index j = 0; j < x.cols(); ++j)
    for (Eigen::Index i = 0; i < 4; ++i) x(i, j) = static_cast<double>((i * 7 + j * 3) % 11);
  try {
    fitCox(d, x);
    FAIL() << "expected a ModelError";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("out of memory for 200000 covariates and 4 subjects"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("feature screening"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace latefuse
