// Univariate screening: IQR filter, univariate Cox (Wald p), Benjamini–Hochberg, forward pass.
#include <gtest/gtest.h>

#include <cmath>

#include "latefuse/error.hpp"
#include "latefuse/feature_selection.hpp"
#include "latefuse/multiple_testing.hpp"
#include "test_support.hpp"

using namespace latefuse;
using latefuse::testing::readCsv;

namespace {

struct Lung {
  SurvivalData data;
  Eigen::MatrixXd x;
  std::vector<std::string> names;
};

// All 228 lung rows; missing cells stay NaN (screening skips them per feature).
Lung lung() {
  const auto t = readCsv("tests/data/lung.csv");
  Lung l;
  l.names = {"age", "sex", "ph.ecog", "ph.karno", "pat.karno", "meal.cal", "wt.loss"};
  const Eigen::Index n = static_cast<Eigen::Index>(t.rows);
  l.data.time = t.col("time");
  l.data.event = (t.col("status").array() == 2).cast<double>();
  l.x.resize(n, static_cast<Eigen::Index>(l.names.size()));
  for (size_t j = 0; j < l.names.size(); ++j) l.x.col(static_cast<Eigen::Index>(j)) = t.col(l.names[j]);
  return l;
}

}  // namespace

TEST(FeatureSelection, BenjaminiHochbergExampleFromIssue) {
  Eigen::VectorXd p(10), expected(10);
  p << 0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216;
  expected << 0.01, 0.04, 0.084, 0.084, 0.084, 0.1, 0.1057142857142857, 0.216, 0.216, 0.216;
  const Eigen::VectorXd q = adjustPValues(p, PAdjustMethod::BH);
  for (Eigen::Index i = 0; i < 10; ++i) EXPECT_NEAR(q(i), expected(i), 1e-12) << i;
}

TEST(FeatureSelection, ScaledIqrIsType7OnMinMaxScale) {
  Eigen::VectorXd x(11);
  for (int i = 0; i < 11; ++i) x(i) = 3 + 2 * i;  // scaled: 0, 0.1, ..., 1
  EXPECT_NEAR(scaledIqr(x), 0.5, 1e-15);
  Eigen::VectorXd y(6);
  y << 10, std::nan(""), 0, 1, 2, 100;  // scaled 0, .01, .02, .1, 1 -> q25 .01, q75 .1
  EXPECT_NEAR(scaledIqr(y), 0.09, 1e-15);
  EXPECT_TRUE(std::isnan(scaledIqr(Eigen::VectorXd::Constant(5, 2.0))));
  Eigen::VectorXd binary = Eigen::VectorXd::Zero(20);
  binary(3) = 1;  // 95 % zeros: IQR 0 -> dropped by the 0.1 filter
  EXPECT_EQ(scaledIqr(binary), 0.0);
}

// R: coxph(Surv(time, status) ~ age, lung) (tests/r/spot_checks_golden.R, case "univariate_age").
TEST(FeatureSelection, UnivariateCoxMatchesR) {
  const nlohmann::json spot = latefuse::testing::readJson("tests/golden/spot_checks.json");
  const nlohmann::json& r = spot.at("univariate_age");
  const Lung l = lung();
  const UnivariateCox u = univariateCox(l.data, l.x.col(0));
  EXPECT_REL(u.coef, r.at("coef").get<double>(), 1e-12);
  EXPECT_REL(u.se, r.at("se").get<double>(), 1e-12);
  EXPECT_REL(u.p, r.at("wald_p").get<double>(), 1e-12);
  EXPECT_EQ(u.n, r.at("n").get<int>());
  // ph.ecog has one missing row: fitted on the 227 others.
  EXPECT_EQ(univariateCox(l.data, l.x.col(2)).n, 227);
  const UnivariateCox lr = univariateCox(l.data, l.x.col(0), UnivariateTest::LikelihoodRatio);
  EXPECT_REL(lr.p, r.at("lr_p").get<double>(), 1e-12);
}

TEST(FeatureSelection, ScreenPipeline) {
  Lung l = lung();
  const Eigen::Index n = l.x.rows();
  Eigen::MatrixXd x(n, l.x.cols() + 3);
  Eigen::VectorXd rare = Eigen::VectorXd::Zero(n);
  rare(5) = 1;
  Eigen::VectorXd sparse = Eigen::VectorXd::Constant(n, std::nan(""));
  sparse(0) = 1;
  sparse(1) = 2;
  sparse(2) = 3;  // present in three rows only: tested on those three or not testable, never a crash
  x << l.x, Eigen::VectorXd::Constant(n, 7.0), rare, sparse;
  std::vector<std::string> names = l.names;
  names.insert(names.end(), {"constant", "rare", "sparse"});
  const FeatureScreen s = screenFeatures(l.data, x, names);
  EXPECT_EQ(s.status[7], FeatureStatus::LowVariability);
  EXPECT_EQ(s.status[8], FeatureStatus::LowVariability);
  // q = BH over the tested columns only.
  std::vector<Eigen::Index> tested;
  for (Eigen::Index j = 0; j < x.cols(); ++j)
    if (std::isfinite(s.p(j))) tested.push_back(j);
  Eigen::VectorXd pt(static_cast<Eigen::Index>(tested.size()));
  for (size_t k = 0; k < tested.size(); ++k) pt(static_cast<Eigen::Index>(k)) = s.p(tested[k]);
  const Eigen::VectorXd qt = adjustPValues(pt, PAdjustMethod::BH);
  for (size_t k = 0; k < tested.size(); ++k) EXPECT_DOUBLE_EQ(s.q(tested[k]), qt(static_cast<Eigen::Index>(k)));
  // Selected = q < 0.05, in increasing p; sex and ph.ecog are the strong lung predictors.
  ASSERT_FALSE(s.selected.empty());
  for (size_t k = 0; k < s.selected.size(); ++k) {
    EXPECT_LT(s.q(s.selected[k]), 0.05);
    if (k) EXPECT_LE(s.p(s.selected[k - 1]), s.p(s.selected[k]));
  }
  EXPECT_EQ(s.status[1], FeatureStatus::Selected);
  EXPECT_EQ(s.status[2], FeatureStatus::Selected);
  EXPECT_EQ(s.selected.front(), 2);  // ph.ecog has the smallest p
  for (Eigen::Index j = 0; j < x.cols(); ++j)
    if (s.status[static_cast<size_t>(j)] == FeatureStatus::NotSignificant) EXPECT_GE(s.q(j), 0.05);
}

TEST(FeatureSelection, ForwardPassKeepsOnlyJointlySignificant) {
  Lung l = lung();
  ScreeningOptions o;
  o.maxQ = 1;  // offer every tested feature to the forward pass
  o.forward = true;
  const FeatureScreen s = screenFeatures(l.data, l.x, l.names, o);
  ASSERT_GE(s.selected.size(), 2u);
  for (Eigen::Index j = 0; j < l.x.cols(); ++j) {
    if (s.status[static_cast<size_t>(j)] == FeatureStatus::Selected) EXPECT_LT(s.forwardP(j), 0.05);
    if (s.status[static_cast<size_t>(j)] == FeatureStatus::RejectedForward) EXPECT_FALSE(s.forwardP(j) < 0.05);
  }
  // The first offered feature is alone in its model: its forward p is its penalised univariate p.
  const int first = s.selected.front();
  std::vector<Eigen::Index> rows;
  for (Eigen::Index i = 0; i < l.x.rows(); ++i)
    if (std::isfinite(l.x(i, first))) rows.push_back(i);
  SurvivalData d;
  d.time.resize(static_cast<Eigen::Index>(rows.size()));
  d.event.resize(static_cast<Eigen::Index>(rows.size()));
  Eigen::MatrixXd x1(static_cast<Eigen::Index>(rows.size()), 1);
  for (size_t k = 0; k < rows.size(); ++k) {
    d.time(static_cast<Eigen::Index>(k)) = l.data.time(rows[k]);
    d.event(static_cast<Eigen::Index>(k)) = l.data.event(rows[k]);
    x1(static_cast<Eigen::Index>(k), 0) = l.x(rows[k], first);
  }
  CoxOptions co;
  co.penalizer = 0.01;
  const CoxFit fit = fitCox(d, x1, co);
  EXPECT_NEAR(s.forwardP(first), summarizeCoefficients(fit, false)[0].p, 1e-12);
  // The forward models are penalised: the kept set is a subset of the offered one.
  EXPECT_LE(s.selected.size(), 7u);
}

TEST(FeatureSelection, FallbackAndErrors) {
  Lung l = lung();
  ScreeningOptions o;
  o.maxQ = 1e-12;  // nothing passes
  o.minSelected = 2;
  const FeatureScreen s = screenFeatures(l.data, l.x, l.names, o);
  ASSERT_EQ(s.selected.size(), 2u);
  EXPECT_EQ(s.status[static_cast<size_t>(s.selected[0])], FeatureStatus::SelectedByFallback);
  EXPECT_EQ(s.selected[0], 2);  // smallest p first
  EXPECT_STREQ(featureStatusName(FeatureStatus::SelectedByFallback), "selected_by_fallback");

  SurvivalData none = l.data;
  none.event.setZero();
  EXPECT_THROW(screenFeatures(none, l.x, l.names), ModelError);
  EXPECT_THROW(screenFeatures(l.data, l.x.topRows(10), l.names), InputError);
  ScreeningOptions bad;
  bad.maxQ = 0;
  EXPECT_THROW(screenFeatures(l.data, l.x, l.names, bad), InputError);
  // A column present in only one row is not testable, named in the warnings.
  Eigen::MatrixXd x = l.x;
  x.col(3).setConstant(std::nan(""));
  x(0, 3) = 50;
  ScreeningOptions noIqr;
  noIqr.iqrFilter = false;
  const FeatureScreen t = screenFeatures(l.data, x, l.names, noIqr);
  EXPECT_EQ(t.status[3], FeatureStatus::NotTestable);
  ASSERT_FALSE(t.warnings.empty());
  EXPECT_NE(t.warnings.front().find("ph.karno"), std::string::npos);
}
