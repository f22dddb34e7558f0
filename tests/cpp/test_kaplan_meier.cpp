// Kaplan–Meier and log-rank parity with R survival 3.5-3 (survfit, quantile, summary, survdiff):
// golden cases from tests/r/stats_golden.R, plus the numbers of the project's reference notes.
#include <gtest/gtest.h>

#include "latefuse/error.hpp"
#include "latefuse/kaplan_meier.hpp"
#include "latefuse/logrank.hpp"
#include "test_stats_support.hpp"

using namespace latefuse;
using namespace latefuse::testing;

namespace {

constexpr double kTol = 1e-9;  // KM medians/CIs/at-risk within 1e-9 of R

void checkKmCase(const nlohmann::json& c) {
  const std::string name = c.at("name");
  SCOPED_TRACE(name);
  const SurvivalData d = survivalFrom(c.at("data"));
  KaplanMeierOptions o;
  o.confType = parseConfType(c.at("conf_type"));
  o.confLevel = c.at("conf_level");
  Eigen::VectorXi groups = Eigen::VectorXi::Ones(d.size());
  if (!c.at("data").at("group").is_null()) groups = ivec(c.at("data").at("group"));
  const std::vector<KaplanMeierCurve> curves = kaplanMeierByGroup(d, groups, o);
  const auto& ref = c.at("groups");
  ASSERT_EQ(curves.size(), ref.size());
  const Eigen::VectorXd times = vec(c.at("times"));
  for (size_t g = 0; g < curves.size(); ++g) {
    const KaplanMeierCurve& k = curves[g];
    const auto& r = ref[g];
    EXPECT_TRUE(nearAbs("km.n", k.n, r.at("n"), 1e-12));
    EXPECT_TRUE(nearAbs("km.events", k.events, r.at("events"), 1e-12));
    const auto& rc = r.at("curve");
    expectVecAbs("km.curve.time", k.time, rc.at("time"), 1e-12);
    expectVecAbs("km.curve.n_risk", k.nRisk, rc.at("n_risk"), kTol);
    expectVecAbs("km.curve.n_event", k.nEvent, rc.at("n_event"), kTol);
    expectVecAbs("km.curve.n_censor", k.nCensor, rc.at("n_censor"), kTol);
    expectVecAbs("km.curve.surv", k.surv, rc.at("surv"), kTol);
    // R's std.err is +inf where S drops to 0: null in JSON, +inf here.
    Eigen::VectorXd se = k.stdErr;
    for (Eigen::Index i = 0; i < se.size(); ++i)
      if (std::isinf(se(i))) se(i) = std::nan("");
    expectVecAbs("km.curve.std_err", se, rc.at("std_err"), kTol);
    expectVecAbs("km.curve.lower", k.lower, rc.at("lower"), kTol);
    expectVecAbs("km.curve.upper", k.upper, rc.at("upper"), kTol);
    const SurvivalQuantile q = survivalQuantile(k, 0.5);
    EXPECT_TRUE(nearAbs("km.median", q.quantile, numOrNaN(r.at("median")), kTol));
    EXPECT_TRUE(nearAbs("km.median_ci", q.lower, numOrNaN(r.at("median_lower")), kTol));
    EXPECT_TRUE(nearAbs("km.median_ci", q.upper, numOrNaN(r.at("median_upper")), kTol));
    if (times.size()) {
      const KaplanMeierAt at = kaplanMeierAt(k, times);
      const auto& ra = r.at("at");
      expectVecAbs("km.at.surv", at.surv, ra.at("surv"), kTol);
      expectVecAbs("km.at.std_err", at.stdErr, ra.at("std_err"), kTol);
      expectVecAbs("km.at.ci", at.lower, ra.at("lower"), kTol);
      expectVecAbs("km.at.ci", at.upper, ra.at("upper"), kTol);
      expectVecAbs("km.at.n_risk", at.nRisk, ra.at("n_risk"), kTol);
    }
  }
}

}  // namespace

TEST(StatsKaplanMeier, GoldenCases) {
  for (const auto& c : statsGolden().at("km")) checkKmCase(c);
}

// The numbers of the reference notes (tests/golden/ref_lung_veteran.txt), independent of the JSON.
TEST(StatsKaplanMeier, LungBySexReferenceNotes) {
  const auto& c = goldenCase("km", "lung_sex_log");
  const SurvivalData d = survivalFrom(c.at("data"));
  const Eigen::VectorXi g = ivec(c.at("data").at("group"));
  ASSERT_EQ(d.size(), 227);
  KaplanMeierOptions logCi, logLog;
  logLog.confType = ConfType::LogLog;
  const auto a = kaplanMeierByGroup(d, g, logCi);
  const auto b = kaplanMeierByGroup(d, g, logLog);
  EXPECT_EQ(survivalQuantile(a[0]).quantile, 270);
  EXPECT_EQ(survivalQuantile(a[1]).quantile, 426);
  EXPECT_EQ(survivalQuantile(a[0]).lower, 218);
  EXPECT_EQ(survivalQuantile(a[0]).upper, 320);
  EXPECT_EQ(survivalQuantile(a[1]).lower, 348);
  EXPECT_EQ(survivalQuantile(a[1]).upper, 550);
  EXPECT_EQ(survivalQuantile(b[0]).lower, 212);
  EXPECT_EQ(survivalQuantile(b[0]).upper, 310);
  EXPECT_EQ(survivalQuantile(b[1]).lower, 345);
  EXPECT_EQ(survivalQuantile(b[1]).upper, 524);
  const KaplanMeierAt at = kaplanMeierAt(a[0], Eigen::VectorXd::Constant(1, 180));
  EXPECT_NEAR(at.surv(0), 0.6491691256, 1e-10);
  EXPECT_NEAR(at.lower(0), 0.5739109702, 1e-10);
  EXPECT_NEAR(at.upper(0), 0.7342960416, 1e-10);
  EXPECT_NEAR(at.stdErr(0), 0.04081195831, 1e-10);
  const KaplanMeierAt ll = kaplanMeierAt(b[0], Eigen::VectorXd::Constant(1, 180));
  EXPECT_NEAR(ll.lower(0), 0.562903089, 1e-9);
  EXPECT_NEAR(ll.upper(0), 0.7226316713, 1e-10);

  const LogRankTest lr = logRankTest(d, g);
  EXPECT_NEAR(lr.chisq, 10.00817381, 1e-8);
  EXPECT_EQ(lr.df, 1);
  EXPECT_NEAR(lr.p, 0.001558469818, 1e-11);
  EXPECT_NEAR(lr.expected(0), 90.95790285, 1e-8);
  EXPECT_NEAR(lr.variance(0, 0), 40.13575962, 1e-8);
}

TEST(StatsKaplanMeier, VeteranMedianOnFlatHalf) {
  const auto& c = goldenCase("km", "veteran_trt_log");
  const auto curves = kaplanMeierByGroup(survivalFrom(c.at("data")), ivec(c.at("data").at("group")));
  EXPECT_EQ(survivalQuantile(curves[0]).quantile, 103);
  EXPECT_EQ(survivalQuantile(curves[1]).quantile, 52.5);  // S = 0.5 on a flat stretch: midpoint
}

TEST(StatsKaplanMeier, Degenerate) {
  // all censored: S = 1, median not reached
  SurvivalData d;
  d.time = Eigen::Vector3d(3, 5, 7);
  d.event = Eigen::Vector3d(0, 0, 0);
  const KaplanMeierCurve k = kaplanMeier(d);
  EXPECT_TRUE(std::isnan(survivalQuantile(k).quantile));
  EXPECT_EQ(k.surv(2), 1);
  // n = 2
  SurvivalData two;
  two.time = Eigen::Vector2d(1, 2);
  two.event = Eigen::Vector2d(1, 1);
  const KaplanMeierCurve k2 = kaplanMeier(two);
  EXPECT_EQ(k2.surv(0), 0.5);
  EXPECT_EQ(k2.surv(1), 0);
  EXPECT_EQ(survivalQuantile(k2).quantile, 1.5);  // R: S = 0.5 on [1, 2): midpoint of 1 and 2
  EXPECT_TRUE(std::isnan(k2.lower(1)));           // S = 0: no CI, as R's NA
  // bad input
  SurvivalData bad;
  bad.time = Eigen::Vector2d(1, -2);
  bad.event = Eigen::Vector2d(1, 0);
  EXPECT_THROW(kaplanMeier(bad), InputError);
  EXPECT_THROW(parseConfType("logit"), InputError);
}

TEST(StatsLogRank, GoldenCases) {
  for (const auto& c : statsGolden().at("logrank")) {
    const std::string name = c.at("name");
    SCOPED_TRACE(name);
    SurvivalData d = survivalFrom(c.at("data"));
    if (!c.at("data").at("strata").is_null()) d.strata = ivec(c.at("data").at("strata"));
    const LogRankTest t = logRankTest(d, ivec(c.at("data").at("group")), c.at("rho"));
    EXPECT_TRUE(nearRel("logrank.chisq", t.chisq, c.at("chisq"), 1e-8));
    EXPECT_EQ(t.df, c.at("df").get<int>());
    EXPECT_TRUE(nearRel("logrank.p", t.p, c.at("p"), 1e-8));
    expectVecAbs("logrank.observed", t.observed, c.at("observed"), 1e-9);
    expectVecAbs("logrank.expected", t.expected, c.at("expected"), 1e-9);
    const Eigen::MatrixXd v = rowsToMatrix(c.at("variance"));
    for (Eigen::Index a = 0; a < v.rows(); ++a)
      for (Eigen::Index b = 0; b < v.cols(); ++b) EXPECT_TRUE(nearAbs("logrank.variance", t.variance(a, b), v(a, b), 1e-9));
  }
}

TEST(StatsLogRank, Degenerate) {
  SurvivalData d;
  d.time = Eigen::Vector4d(1, 2, 3, 4);
  d.event = Eigen::Vector4d(1, 0, 1, 0);
  EXPECT_THROW(logRankTest(d, Eigen::Vector4i(1, 1, 1, 1)), InputError);  // one group only
  d.event.setZero();
  EXPECT_THROW(logRankTest(d, Eigen::Vector4i(1, 2, 1, 2)), ModelError);  // all censored
  // a group with no events still gives a test (its O = 0)
  SurvivalData e;
  e.time = (Eigen::VectorXd(6) << 1, 2, 3, 4, 5, 6).finished();
  e.event = (Eigen::VectorXd(6) << 1, 1, 1, 0, 0, 0).finished();
  const LogRankTest t = logRankTest(e, (Eigen::VectorXi(6) << 1, 1, 1, 2, 2, 2).finished());
  EXPECT_EQ(t.observed(1), 0);
  EXPECT_GT(t.chisq, 0);
  EXPECT_EQ(t.df, 1);
  // n = 2, one per group
  SurvivalData two;
  two.time = Eigen::Vector2d(1, 2);
  two.event = Eigen::Vector2d(1, 1);
  const LogRankTest t2 = logRankTest(two, Eigen::Vector2i(0, 1));
  EXPECT_NEAR(t2.chisq, 1.0, 1e-12);  // O - E = 0.5, V = 0.25 (the second death has n = 1: no variance)
}
