// Kendall's tau-b (Knight, O(n log n)), Spearman's rho and their cor.test(exact = FALSE) p-values,
// the pairwise-complete matrix, and p.adjust: parity with R 4.2.
#include <gtest/gtest.h>

#include "latefuse/error.hpp"
#include "latefuse/multiple_testing.hpp"
#include "latefuse/random.hpp"
#include "latefuse/rank_correlation.hpp"
#include "test_stats_support.hpp"

using namespace latefuse;
using namespace latefuse::testing;

namespace {

// O(n^2) tau-b straight from the definition, for the cross-check below.
double naiveTauB(const Eigen::VectorXd& x, const Eigen::VectorXd& y) {
  double conc = 0, disc = 0, tx = 0, ty = 0;
  for (Eigen::Index i = 0; i < x.size(); ++i)
    for (Eigen::Index j = i + 1; j < x.size(); ++j) {
      const double a = (x(i) - x(j)) * (y(i) - y(j));
      if (a > 0) ++conc;
      else if (a < 0) ++disc;
      else {
        if (x(i) == x(j) && y(i) != y(j)) ++tx;
        if (y(i) == y(j) && x(i) != x(j)) ++ty;
      }
    }
  return (conc - disc) / std::sqrt((conc + disc + tx) * (conc + disc + ty));
}

}  // namespace

TEST(StatsRankCorrelation, GoldenPairs) {
  for (const auto& c : statsGolden().at("correlation")) {
    const std::string name = c.at("name");
    SCOPED_TRACE(name);
    const Eigen::VectorXd x = vec(c.at("x")), y = vec(c.at("y"));
    const RankCorrelation k = kendallTau(x, y);
    EXPECT_TRUE(nearAbs("kendall.tau_b", k.estimate, c.at("kendall"), 1e-10));
    EXPECT_TRUE(nearRel("kendall.z", k.statistic, c.at("kendall_z"), 1e-9));
    EXPECT_TRUE(nearRel("kendall.p", k.p, c.at("kendall_p"), 1e-8));
    const RankCorrelation s = spearmanRho(x, y);
    EXPECT_TRUE(nearAbs("spearman.rho", s.estimate, c.at("spearman"), 1e-12));
    EXPECT_TRUE(nearRel("spearman.p", s.p, c.at("spearman_p"), 1e-8));
  }
}

TEST(StatsRankCorrelation, IssueNumbers) {
  const auto& c = goldenCase("correlation", "lung_age_ecog");
  const RankCorrelation k = kendallTau(vec(c.at("x")), vec(c.at("y")));
  EXPECT_NEAR(k.estimate, 0.1542160261, 1e-10);
  EXPECT_NEAR(k.statistic, 2.945923866, 1e-9);
  EXPECT_NEAR(k.p, 0.003219916435, 1e-12);
  const RankCorrelation s = spearmanRho(vec(c.at("x")), vec(c.at("y")));
  EXPECT_NEAR(s.estimate, 0.1942517355, 1e-10);
  EXPECT_NEAR(s.p, 0.003297163163, 1e-12);
}

TEST(StatsRankCorrelation, KnightEqualsDefinition) {
  Random rng(7);
  for (int rep = 0; rep < 20; ++rep) {
    const Eigen::Index n = 2 + static_cast<Eigen::Index>(rng.below(200));
    Eigen::VectorXd x(n), y(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      x(i) = static_cast<double>(rng.below(7));
      y(i) = static_cast<double>(rng.below(5)) + (rep % 2 ? rng.uniform() : 0);
    }
    if (x.minCoeff() == x.maxCoeff() || y.minCoeff() == y.maxCoeff()) continue;
    EXPECT_NEAR(kendallTau(x, y).estimate, naiveTauB(x, y), 1e-14) << "rep " << rep;
  }
}

TEST(StatsRankCorrelation, GoldenMatrix) {
  const auto& m = statsGolden().at("correlation_matrix");
  const size_t p = m.at("columns").size();
  Eigen::MatrixXd cols(static_cast<Eigen::Index>(m.at("data")[0].size()), static_cast<Eigen::Index>(p));
  for (size_t j = 0; j < p; ++j) cols.col(static_cast<Eigen::Index>(j)) = vec(m.at("data")[j]);
  for (const char* method : {"kendall", "spearman"}) {
    SCOPED_TRACE(method);
    const CorrelationMatrix r = rankCorrelationMatrix(cols, std::string(method) == "kendall" ? RankMethod::Kendall : RankMethod::Spearman);
    const Eigen::MatrixXd est = rowsToMatrix(m.at(method).at("estimate")), pv = rowsToMatrix(m.at(method).at("p")),
                          nn = rowsToMatrix(m.at(method).at("n"));
    for (Eigen::Index a = 0; a < est.rows(); ++a)
      for (Eigen::Index b = 0; b < est.cols(); ++b) {
        EXPECT_TRUE(nearAbs(std::string(method) + ".matrix.estimate", r.estimate(a, b), est(a, b), 1e-10));
        if (a != b) EXPECT_TRUE(nearRel(std::string(method) + ".matrix.p", r.p(a, b), pv(a, b), 1e-8));
        EXPECT_EQ(r.n(a, b), nn(a, b));
      }
    EXPECT_TRUE(r.warnings.empty());
  }
}

TEST(StatsRankCorrelation, Degenerate) {
  // n = 2: tau defined, p not (NaN with a warning)
  const RankCorrelation two = kendallTau(Eigen::Vector2d(1, 2), Eigen::Vector2d(3, 5));
  EXPECT_EQ(two.estimate, 1);
  EXPECT_TRUE(std::isnan(two.p));
  EXPECT_FALSE(two.warnings.empty());
  // tied everywhere (a constant column): undefined
  EXPECT_THROW(kendallTau(Eigen::Vector3d(1, 1, 1), Eigen::Vector3d(1, 2, 3)), ModelError);
  EXPECT_THROW(spearmanRho(Eigen::Vector3d(1, 2, 3), Eigen::Vector3d(4, 4, 4)), ModelError);
  EXPECT_THROW(kendallTau(Eigen::Vector3d(1, std::nan(""), 3), Eigen::Vector3d(1, 2, 3)), InputError);
  // matrix: a constant column gives NaN + a warning naming the pair, not an exception
  Eigen::MatrixXd m(4, 2);
  m << 1, 5, 2, 5, 3, 5, 4, 5;
  const CorrelationMatrix r = rankCorrelationMatrix(m, RankMethod::Kendall, {"a", "b"});
  EXPECT_TRUE(std::isnan(r.estimate(0, 1)));
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("\"a\" vs \"b\""), std::string::npos);
}

TEST(StatsRankCorrelation, LargeN) {
  // 1e5 pairs with heavy ties: Knight's algorithm, and a sanity bound on tau.
  const Eigen::Index n = 100000;
  Random rng(3);
  Eigen::VectorXd x(n), y(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    x(i) = static_cast<double>(rng.below(1000));
    y(i) = x(i) + static_cast<double>(rng.below(500));
  }
  const RankCorrelation k = kendallTau(x, y);
  EXPECT_GT(k.estimate, 0.5);
  EXPECT_LT(k.estimate, 1);
  EXPECT_LT(k.p, 1e-10);
}

TEST(StatsMultipleTesting, GoldenPAdjust) {
  for (const auto& [name, c] : statsGolden().at("p_adjust").items()) {
    SCOPED_TRACE(name);
    const Eigen::VectorXd p = vec(c.at("p"));
    for (const char* m : {"BH", "BY", "holm", "hochberg", "bonferroni"})
      expectVecAbs(std::string("p_adjust.") + m, adjustPValues(p, parsePAdjustMethod(m)), c.at(m), 1e-15);
  }
}

TEST(StatsMultipleTesting, IssueExample) {
  Eigen::VectorXd p(10), want(10);
  p << 0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216;
  want << 0.01, 0.04, 0.084, 0.084, 0.084, 0.1, 0.1057142857, 0.216, 0.216, 0.216;
  const Eigen::VectorXd got = adjustPValues(p);
  for (int i = 0; i < 10; ++i) EXPECT_NEAR(got(i), want(i), 1e-10);
  EXPECT_THROW(adjustPValues(Eigen::Vector2d(0.5, 1.5)), InputError);
  EXPECT_THROW(parsePAdjustMethod("hommel"), InputError);
}
