// Degenerate inputs to fitCox: each gives a clear result (with a warning where R warns) or a clear
// error (InputError / ModelError) -- never a crash and never a silent NaN. Every number a fit
// reports is checked to be finite, except the coefficient / SE of a covariate flagged redundant.
// R survival 3.5-3 behaviour for the same inputs is quoted where it is a useful reference.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "fixtures.hpp"
#include "latefuse/concordance.hpp"
#include "latefuse/cox.hpp"
#include "latefuse/error.hpp"

using namespace latefuse;
using namespace latefuse::testing;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool anyWarningContains(const CoxFit& f, const std::string& needle) {
  for (const auto& w : f.warnings)
    if (w.find(needle) != std::string::npos) return true;
  return false;
}

std::string allWarnings(const CoxFit& f) {
  std::string s;
  for (const auto& w : f.warnings) s += "\n  " + w;
  return s.empty() ? " (none)" : s;
}

bool isRedundant(const CoxFit& f, Eigen::Index j) { return f.redundant.at(static_cast<size_t>(j)); }

// Every reported number is finite, except coef / se / robust se / var rows of redundant columns.
void expectAllFinite(const CoxFit& f, const std::string& what) {
  SCOPED_TRACE(what);
  ASSERT_EQ(f.coef.size(), f.p);
  ASSERT_EQ(f.redundant.size(), static_cast<size_t>(f.p));
  for (Eigen::Index j = 0; j < f.p; ++j) {
    EXPECT_TRUE(std::isfinite(f.means(j))) << "means[" << j << "]";
    EXPECT_TRUE(std::isfinite(f.penaltyWeights(j))) << "penaltyWeights[" << j << "]";
    if (isRedundant(f, j)) {
      EXPECT_TRUE(std::isnan(f.coef(j))) << "redundant coef[" << j << "] should be reported as missing";
      continue;
    }
    EXPECT_TRUE(std::isfinite(f.coef(j))) << "coef[" << j << "]";
    EXPECT_TRUE(std::isfinite(f.se(j))) << "se[" << j << "]";
    if (f.robustSe.size()) EXPECT_TRUE(std::isfinite(f.robustSe(j))) << "robust se[" << j << "]";
    for (Eigen::Index k = 0; k < f.p; ++k) {
      if (isRedundant(f, k)) continue;
      EXPECT_TRUE(std::isfinite(f.var(j, k))) << "var(" << j << "," << k << ")";
      if (f.robustVar.size()) EXPECT_TRUE(std::isfinite(f.robustVar(j, k))) << "robustVar(" << j << "," << k << ")";
    }
  }
  for (double v : {f.loglikInit, f.loglik, f.penalty, f.theta, f.lrTest, f.lrDf, f.lrP, f.scoreTest, f.scoreP,
                   f.waldTest, f.waldP, f.robustWaldTest, f.robustWaldP, f.robustScoreTest, f.robustScoreP})
    EXPECT_TRUE(std::isfinite(v)) << "a fit statistic is not finite";
  EXPECT_TRUE(f.linearPredictor.allFinite()) << "linear predictor";
  const Concordance& c = f.concordance;
  for (double v : {c.c, c.concordant, c.discordant, c.tiedScore, c.tiedTime, c.tiedTimeScore})
    EXPECT_TRUE(std::isfinite(v)) << "concordance";
  const CoxBaseline& b = f.baseline;
  EXPECT_TRUE(b.time.allFinite() && b.hazard.allFinite() && b.varHazard.allFinite()) << "baseline";
  for (Eigen::Index j = 0; j < f.p; ++j)
    if (!isRedundant(f, j)) EXPECT_TRUE(b.xbarHazard.col(j).allFinite()) << "baseline xbarHazard col " << j;
}

void expectPredictionFinite(const CoxFit& f, const Eigen::VectorXd& x, const Eigen::VectorXd& times, int stratum = 0) {
  const SurvivalPrediction s = predictSurvival(f, x, times, stratum);
  EXPECT_TRUE(s.surv.allFinite() && s.se.allFinite() && s.lower.allFinite() && s.upper.allFinite() &&
              s.cumhaz.allFinite())
      << "prediction not finite";
  for (Eigen::Index t = 0; t < s.surv.size(); ++t) {
    EXPECT_GE(s.surv(t), 0);
    EXPECT_LE(s.surv(t), 1);
    EXPECT_LE(s.lower(t), s.surv(t));
    EXPECT_GE(s.upper(t), s.surv(t));
  }
}

// lung complete cases (227 rows), columns age, sex, ph.ecog, as in test_cox_reference.cpp.
LungCases lung() { return lungCompleteCases({"age", "sex", "ph.ecog"}); }

// The robust lung fit, and the same fit with age multiplied by `factor`: one model in other units.
struct RescaledFits {
  CoxFit base, scaled;
};
RescaledFits robustFitsWithAgeTimes(double factor) {
  const LungCases L = lung();
  CoxOptions o;
  o.robust = true;
  Eigen::MatrixXd x = L.x;
  x.col(0) *= factor;
  return {fitCox(L.data, L.x, o), fitCox(L.data, x, o)};
}

Eigen::MatrixXd appendColumn(const Eigen::MatrixXd& x, const Eigen::VectorXd& col) {
  Eigen::MatrixXd out(x.rows(), x.cols() + 1);
  out << x, col;
  return out;
}

// Message check helper: the call throws E and the message contains every needle.
template <typename E, typename F>
void expectThrowWith(F&& call, const std::vector<std::string>& needles, const std::string& what) {
  try {
    call();
    ADD_FAILURE() << what << ": expected an exception, none was thrown";
  } catch (const E& e) {
    const std::string msg = e.what();
    for (const auto& n : needles) EXPECT_NE(msg.find(n), std::string::npos) << what << ": '" << msg << "' lacks '" << n << "'";
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << ": wrong exception type: " << e.what();
  }
}

}  // namespace

// Monotone likelihood: every subject of group g = 1 fails before any of group 0, so the partial
// likelihood increases without bound in beta_g. R: coef 21.53, se 8766, 19 iterations and
// "Loglik converged before variable 1 ; coefficient may be infinite."
TEST(CoxDegenerate, PerfectlySeparatingCovariate) {
  SurvivalData d;
  const Eigen::Index n = 20;
  d.time.resize(n);
  d.event.resize(n);
  Eigen::MatrixXd x(n, 2);
  for (Eigen::Index i = 0; i < n; ++i) {
    d.time(i) = static_cast<double>(i + 1);
    d.event(i) = i < 10 ? 1 : (i % 2 == 0 ? 1 : 0);
    x(i, 0) = i < 10 ? 1 : 0;
    x(i, 1) = std::sin(static_cast<double>(i + 1));
  }
  CoxOptions o;
  o.robust = true;
  o.columnNames = {"g", "z"};
  const CoxFit f = fitCox(d, x, o);
  expectAllFinite(f, "separation");
  EXPECT_TRUE(anyWarningContains(f, "infinite")) << allWarnings(f);
  EXPECT_TRUE(anyWarningContains(f, "'g'")) << "the warning names the separating covariate" << allWarnings(f);
  EXPECT_FALSE(anyWarningContains(f, "'z'")) << allWarnings(f);
  EXPECT_GT(f.coef(0), 10) << "diverging coefficient, reported large and finite";
  EXPECT_GT(f.se(0), 10 * f.coef(0)) << "with a huge standard error";
  // Same stopping point as R's Newton-Raphson (tests/r/spot_checks_golden.R, case "separation"):
  // the diverging coefficient agrees to the digits the stopping rule fixes, and the ordinary
  // covariate, estimated at that point, as closely as any converged fit.
  const nlohmann::json spot = latefuse::testing::readJson("tests/golden/spot_checks.json");
  const nlohmann::json& r = spot.at("separation");
  EXPECT_EQ(f.iterations, r.at("iterations").get<int>());
  EXPECT_REL(f.coef(0), r.at("coef")[0].get<double>(), 1e-6);
  EXPECT_REL(f.se(0), r.at("se")[0].get<double>(), 1e-6);
  EXPECT_REL(f.loglik, r.at("loglik")[1].get<double>(), 1e-12);
  EXPECT_REL(f.loglikInit, r.at("loglik")[0].get<double>(), 1e-12);
  EXPECT_REL(f.coef(1), r.at("coef")[1].get<double>(), 1e-12);
  EXPECT_REL(f.se(1), r.at("se")[1].get<double>(), 1e-12);
  EXPECT_GT(f.loglik, f.loglikInit);
  expectPredictionFinite(f, Eigen::Vector2d(1, 0), Eigen::Vector2d(3, 15));
  expectPredictionFinite(f, Eigen::Vector2d(0, 0), Eigen::Vector2d(3, 15));

  // A continuous covariate that orders the failures exactly (higher x always fails first).
  Eigen::MatrixXd xc(n, 1);
  for (Eigen::Index i = 0; i < n; ++i) xc(i, 0) = -static_cast<double>(i) * 0.5 + 3;
  d.event.setOnes();
  const CoxFit g = fitCox(d, xc);
  expectAllFinite(g, "continuous separation");
  EXPECT_TRUE(anyWarningContains(g, "infinite")) << allWarnings(g);
  EXPECT_GT(g.coef(0), 1);
}

// Exactly collinear columns: the later one is redundant (R: NA coefficient, "X matrix deemed to be
// singular"); the others equal the fit without it.
TEST(CoxDegenerate, CollinearColumns) {
  const LungCases L = lung();
  CoxOptions o;
  o.robust = true;
  const CoxFit base = fitCox(L.data, L.x, o);
  // age + 2 * ph.ecog is a linear combination of columns 0 and 2.
  const Eigen::MatrixXd x = appendColumn(L.x, L.x.col(0) + 2 * L.x.col(2));
  o.columnNames = {"age", "sex", "ph.ecog", "age_plus_2ecog"};
  const CoxFit f = fitCox(L.data, x, o);
  expectAllFinite(f, "collinear");
  ASSERT_TRUE(isRedundant(f, 3));
  EXPECT_FALSE(isRedundant(f, 0) || isRedundant(f, 1) || isRedundant(f, 2));
  EXPECT_TRUE(std::isnan(f.coef(3)));
  EXPECT_TRUE(std::isnan(f.se(3)));
  EXPECT_TRUE(anyWarningContains(f, "'age_plus_2ecog'")) << allWarnings(f);
  EXPECT_TRUE(anyWarningContains(f, "redundant")) << allWarnings(f);
  EXPECT_VEC_REL(f.coef.head(3), base.coef, 1e-8);
  EXPECT_VEC_REL(f.se.head(3), base.se, 1e-8);
  EXPECT_VEC_REL(f.robustSe.head(3), base.robustSe, 1e-8);
  EXPECT_NEAR(f.loglik, base.loglik, 1e-8);
  EXPECT_REL(f.lrTest, base.lrTest, 1e-8);
  EXPECT_REL(f.waldTest, base.waldTest, 1e-8);
  EXPECT_REL(f.scoreTest, base.scoreTest, 1e-8);
  EXPECT_EQ(f.lrDf, 3);
  EXPECT_EQ(f.iterations, base.iterations);
  EXPECT_NEAR(f.concordance.c, base.concordance.c, 1e-12);
  const SurvivalPrediction a = predictSurvival(base, Eigen::Vector3d(60, 2, 1), Eigen::Vector2d(180, 365));
  Eigen::Vector4d x4(60, 2, 1, 62);
  const SurvivalPrediction b = predictSurvival(f, x4, Eigen::Vector2d(180, 365));
  EXPECT_VEC_REL(b.surv, a.surv, 1e-8);
  EXPECT_VEC_REL(b.se, a.se, 1e-7);
  // An exact duplicate column, placed first among the two: the second copy is the redundant one.
  const CoxFit dup = fitCox(L.data, appendColumn(L.x, L.x.col(1)));
  expectAllFinite(dup, "duplicate");
  EXPECT_TRUE(isRedundant(dup, 3));
  EXPECT_VEC_REL(dup.coef.head(3), base.coef, 1e-8);
}

// A constant column carries no information: redundant, coefficient missing, warning; the others
// equal the fit without it. Both a centred constant (5) and one R leaves uncentred (1).
TEST(CoxDegenerate, ConstantColumn) {
  const LungCases L = lung();
  const CoxFit base = fitCox(L.data, L.x);
  for (double value : {5.0, 1.0, 0.0}) {
    SCOPED_TRACE("constant " + std::to_string(value));
    Eigen::MatrixXd x(L.x.rows(), 4);
    x << L.x.col(0), Eigen::VectorXd::Constant(L.x.rows(), value), L.x.col(1), L.x.col(2);
    CoxOptions o;
    o.columnNames = {"age", "const", "sex", "ph.ecog"};
    const CoxFit f = fitCox(L.data, x, o);
    expectAllFinite(f, "constant column");
    ASSERT_TRUE(isRedundant(f, 1));
    EXPECT_TRUE(std::isnan(f.coef(1)));
    EXPECT_TRUE(anyWarningContains(f, "'const'")) << allWarnings(f);
    EXPECT_NEAR(f.means(1), value == 5.0 ? 5.0 : 0.0, 1e-12);
    EXPECT_REL(f.coef(0), base.coef(0), 1e-8);
    EXPECT_REL(f.coef(2), base.coef(1), 1e-8);
    EXPECT_REL(f.coef(3), base.coef(2), 1e-8);
    EXPECT_REL(f.se(3), base.se(2), 1e-8);
    EXPECT_NEAR(f.loglik, base.loglik, 1e-8);
    EXPECT_EQ(f.lrDf, 3);
    expectPredictionFinite(f, Eigen::Vector4d(60, value, 2, 1), Eigen::Vector2d(180, 365));
  }
}

// One event: the MLE exists when the failing subject's covariate lies strictly inside the range of
// its risk set; the score equation then says x_event = risk-weighted mean of the risk set.
// R: coef 0.0484097, se 0.535114, loglik -1.791759 -1.787705, C = 0.6 (3 / 2 / 0).
TEST(CoxDegenerate, SingleEvent) {
  SurvivalData d;
  d.time = (Eigen::VectorXd(8) << 1, 2, 3, 4, 5, 6, 7, 8).finished();
  d.event = (Eigen::VectorXd(8) << 0, 0, 1, 0, 0, 0, 0, 0).finished();
  const Eigen::MatrixXd x = (Eigen::MatrixXd(8, 1) << 2, 5, 3, 1, 4, 6, 2.5, 0.5).finished();
  const CoxFit f = fitCox(d, x);
  expectAllFinite(f, "single event");
  EXPECT_EQ(f.events, 1);
  EXPECT_TRUE(f.converged);
  EXPECT_TRUE(f.warnings.empty()) << allWarnings(f);
  double s0 = 0, s1 = 0;
  for (Eigen::Index i = 2; i < 8; ++i) {
    const double r = std::exp(f.coef(0) * x(i, 0));
    s0 += r;
    s1 += r * x(i, 0);
  }
  EXPECT_NEAR(s1 / s0, 3.0, 1e-6) << "score equation at the estimate";
  EXPECT_REL(f.coef(0), 0.0484097, 1e-5);
  EXPECT_REL(f.se(0), 0.535114, 1e-5);
  EXPECT_NEAR(f.loglikInit, -1.791759, 1e-6);
  EXPECT_NEAR(f.loglik, -1.787705, 1e-6);
  EXPECT_EQ(f.concordance.concordant, 3);
  EXPECT_EQ(f.concordance.discordant, 2);
  EXPECT_NEAR(f.concordance.c, 0.6, 1e-15);
  expectPredictionFinite(f, Eigen::VectorXd::Constant(1, 3.0), Eigen::Vector2d(2, 5));
  EXPECT_THROW(predictSurvival(f, Eigen::VectorXd::Constant(1, 3.0), Eigen::Vector2d(2, 5), 7), InputError)
      << "a stratum without events";
}

TEST(CoxDegenerate, NoEvents) {
  SurvivalData d;
  d.time = (Eigen::VectorXd(5) << 1, 2, 3, 4, 5).finished();
  d.event = Eigen::VectorXd::Zero(5);
  const Eigen::MatrixXd x = (Eigen::MatrixXd(5, 1) << 1, 0, 1, 0, 1).finished();
  expectThrowWith<ModelError>([&] { fitCox(d, x); }, {"no events"}, "no events");
  // Weighted and stratified variants are no different.
  d.weight = Eigen::VectorXd::Constant(5, 2.0);
  d.strata = (Eigen::VectorXi(5) << 1, 1, 2, 2, 2).finished();
  expectThrowWith<ModelError>([&] { fitCox(d, x); }, {"no events"}, "no events, weighted + strata");
}

// All times tied: one risk set. With some censored at that time the pairs (event, censored) are
// comparable; with every subject an event none are, and R reports C = NaN (counts 0, tied.y 45).
TEST(CoxDegenerate, AllTimesTied) {
  SurvivalData d;
  d.time = Eigen::VectorXd::Constant(10, 5.0);
  d.event = (Eigen::VectorXd(10) << 1, 1, 1, 0, 1, 0, 1, 1, 0, 1).finished();
  const Eigen::MatrixXd x = (Eigen::MatrixXd(10, 1) << 1, 3, 2, 5, 4, 7, 6, 9, 8, 10).finished();
  // R: coef -0.1134046, loglik -13.31265 -13.00158, 3 iterations; C 14 / 7 / 0 / 21 / 0.
  const CoxFit f = fitCox(d, x);
  expectAllFinite(f, "tied, some censored");
  EXPECT_REL(f.coef(0), -0.1134046, 1e-6);
  EXPECT_NEAR(f.loglikInit, -13.31265, 1e-5);
  EXPECT_NEAR(f.loglik, -13.00158, 1e-5);
  EXPECT_EQ(f.iterations, 3);
  EXPECT_EQ(f.concordance.concordant, 14);
  EXPECT_EQ(f.concordance.discordant, 7);
  EXPECT_EQ(f.concordance.tiedTime, 21);
  expectPredictionFinite(f, Eigen::VectorXd::Constant(1, 5.0), Eigen::VectorXd::Constant(1, 5.0));

  // Every subject an event at the same time: beta = 0 (Efron and Breslow alike), var = 1/(n var x)
  // = 0.01212121 as R. No pair is comparable, so C is undefined: the fit is still returned (R: C NaN)
  // with a warning. Unlike R (tied.y = 45) the pair counts are then all 0: harrellConcordance throws
  // on zero comparable pairs and fitCox keeps only the fact, not its tied counts.
  d.event.setOnes();
  for (Ties ties : {Ties::Efron, Ties::Breslow}) {
    CoxOptions o;
    o.ties = ties;
    const CoxFit g = fitCox(d, x, o);
    SCOPED_TRACE(ties == Ties::Efron ? "efron" : "breslow");
    EXPECT_NEAR(g.coef(0), 0, 1e-12);
    EXPECT_REL(g.var(0, 0), 0.0121212121212121, 1e-9);
    EXPECT_EQ(g.concordance.comparable(), 0);
    EXPECT_TRUE(std::isnan(g.concordance.c));
    EXPECT_TRUE(anyWarningContains(g, "concordance is undefined")) << "undefined C must be flagged" << allWarnings(g);
    EXPECT_EQ(g.warnings.size(), 1u) << allWarnings(g);
    // C itself is undefined here (R: NaN), the one number allowed to be NaN -- and only with the
    // warning above. Everything else is finite.
    CoxFit copy = g;
    copy.concordance.c = 0.5;
    expectAllFinite(copy, "all tied, all events");
    expectPredictionFinite(g, Eigen::VectorXd::Constant(1, 5.0), Eigen::VectorXd::Constant(1, 5.0));
  }
}

TEST(CoxDegenerate, SingleSubject) {
  SurvivalData d;
  d.time = Eigen::VectorXd::Constant(1, 3.0);
  d.event = Eigen::VectorXd::Ones(1);
  const Eigen::MatrixXd x = Eigen::MatrixXd::Constant(1, 1, 2.0);
  expectThrowWith<InputError>([&] { fitCox(d, x); }, {"at least 2"}, "n = 1");
  // n = 0 is the same error.
  SurvivalData e;
  e.time.resize(0);
  e.event.resize(0);
  expectThrowWith<InputError>([&] { fitCox(e, Eigen::MatrixXd(0, 1)); }, {"at least 2"}, "n = 0");
}

// A covariate multiplied by 1e298 (values ~ 7e299, near the top of the double range): the fit is
// the same model, so its coefficient (and SE) scale by 1e-298 and nothing overflows to Inf / NaN.
TEST(CoxDegenerate, HugeCovariateValues) {
  const auto [base, f] = robustFitsWithAgeTimes(1e298);
  expectAllFinite(f, "1e298");
  EXPECT_TRUE(f.warnings.empty()) << allWarnings(f);
  // Compare after scaling back: EXPECT_REL's 1e-12 floor would make a check at ~1e-301 vacuous.
  EXPECT_REL(f.coef(0) * 1e298, base.coef(0), 1e-8);
  EXPECT_REL(f.coef(1), base.coef(1), 1e-8);
  EXPECT_REL(f.coef(2), base.coef(2), 1e-8);
  EXPECT_REL(f.means(0) / 1e298, base.means(0), 1e-12);
  EXPECT_REL(f.se(0) * 1e298, base.se(0), 1e-8);
  EXPECT_REL(f.se(2), base.se(2), 1e-8);
  EXPECT_REL(f.robustSe(0) * 1e298, base.robustSe(0), 1e-8);
  EXPECT_REL(f.robustSe(2), base.robustSe(2), 1e-8);
  EXPECT_NEAR(f.loglik, base.loglik, 1e-8);
  EXPECT_REL(f.lrTest, base.lrTest, 1e-8);
  EXPECT_REL(f.scoreTest, base.scoreTest, 1e-8);
  EXPECT_REL(f.waldTest, base.waldTest, 1e-8);
  EXPECT_REL(f.robustWaldTest, base.robustWaldTest, 1e-8);
  EXPECT_REL(f.robustScoreTest, base.robustScoreTest, 1e-8);
  EXPECT_EQ(f.concordance.concordant, base.concordance.concordant);
  EXPECT_EQ(f.iterations, base.iterations);
  const SurvivalPrediction a = predictSurvival(base, Eigen::Vector3d(60, 2, 1), Eigen::Vector2d(180, 365));
  const SurvivalPrediction b = predictSurvival(f, Eigen::Vector3d(60e298, 2, 1), Eigen::Vector2d(180, 365));
  EXPECT_VEC_REL(b.surv, a.surv, 1e-8);
  EXPECT_VEC_REL(b.se, a.se, 1e-7);
  EXPECT_VEC_REL(b.lower, a.lower, 1e-7);
  EXPECT_VEC_REL(b.upper, a.upper, 1e-7);
}

// The other end of the range: a covariate multiplied by 1e-298 (values ~ 6e-297). Its coefficient
// (~1e296) and SE (~9e295) are representable and must scale by 1e298; its variance (~9e591) is not,
// so var(0, 0) alone may be +Inf (never NaN). Everything else is finite and equals the unscaled fit.
TEST(CoxDegenerate, TinyCovariateValues) {
  const auto [base, f] = robustFitsWithAgeTimes(1e-298);
  EXPECT_TRUE(f.warnings.empty()) << allWarnings(f);
  EXPECT_FALSE(isRedundant(f, 0));
  EXPECT_TRUE(f.converged);
  EXPECT_FALSE(std::isnan(f.var(0, 0)));
  EXPECT_FALSE(std::isnan(f.robustVar(0, 0)));
  CoxFit copy = f;  // the unrepresentable variance aside, every number is finite
  copy.var(0, 0) = 1;
  copy.robustVar(0, 0) = 1;
  expectAllFinite(copy, "1e-298");
  EXPECT_REL(f.coef(0) * 1e-298, base.coef(0), 1e-8);
  EXPECT_REL(f.coef(2), base.coef(2), 1e-8);
  EXPECT_REL(f.se(0) * 1e-298, base.se(0), 1e-8);
  EXPECT_REL(f.robustSe(0) * 1e-298, base.robustSe(0), 1e-8);
  EXPECT_REL(f.se(1), base.se(1), 1e-8);
  EXPECT_NEAR(f.loglik, base.loglik, 1e-8);
  EXPECT_REL(f.waldTest, base.waldTest, 1e-8);
  EXPECT_REL(f.robustWaldTest, base.robustWaldTest, 1e-8);
  EXPECT_REL(f.scoreTest, base.scoreTest, 1e-8);
  EXPECT_EQ(f.iterations, base.iterations);
  const SurvivalPrediction a = predictSurvival(base, Eigen::Vector3d(60, 2, 1), Eigen::Vector2d(180, 365));
  const SurvivalPrediction b = predictSurvival(f, Eigen::Vector3d(60e-298, 2, 1), Eigen::Vector2d(180, 365));
  EXPECT_VEC_REL(b.surv, a.surv, 1e-8);
  EXPECT_VEC_REL(b.se, a.se, 1e-7);
}

// NaN / Inf in a covariate or in time: InputError naming the row (1-based) and the column.
TEST(CoxDegenerate, NonFiniteInputs) {
  const LungCases L = lung();
  CoxOptions o;
  o.columnNames = {"age", "sex", "ph.ecog"};
  for (double bad : {kNaN, kInf, -kInf}) {
    SCOPED_TRACE(bad);
    Eigen::MatrixXd x = L.x;
    x(4, 2) = bad;  // row 5, column ph.ecog
    expectThrowWith<InputError>([&] { fitCox(L.data, x, o); }, {"row 5", "'ph.ecog'", "finite"}, "covariate");
    // Without column names the column is named by position.
    expectThrowWith<InputError>([&] { fitCox(L.data, x); }, {"row 5", "column 3"}, "covariate, unnamed");
    SurvivalData d = L.data;
    d.time(9) = bad;  // row 10
    expectThrowWith<InputError>([&] { fitCox(d, L.x, o); }, {"row 10", "time", "finite"}, "time");
    d = L.data;
    d.event(6) = bad;  // row 7
    expectThrowWith<InputError>([&] { fitCox(d, L.x, o); }, {"row 7", "event"}, "event");
    d = L.data;
    d.weight = Eigen::VectorXd::Ones(d.size());
    d.weight(2) = bad;  // row 3
    expectThrowWith<InputError>([&] { fitCox(d, L.x, o); }, {"row 3", "weight"}, "weight");
  }
  // Predictions refuse non-finite covariates and times too.
  const CoxFit f = fitCox(L.data, L.x, o);
  EXPECT_THROW(predictSurvival(f, Eigen::Vector3d(60, kNaN, 1), Eigen::Vector2d(180, 365)), InputError);
  EXPECT_THROW(predictSurvival(f, Eigen::Vector3d(60, 2, 1), Eigen::Vector2d(180, kInf)), InputError);
}

// Bad rows are found block by block (4096 rows per block): the first bad row wins, wherever it lies,
// and its message names what is wrong with it.
TEST(CoxDegenerate, InvalidRowsAcrossBlocks) {
  const Eigen::Index n = 9000;
  SurvivalData d;
  d.time = Eigen::VectorXd::LinSpaced(n, 1, 100);
  d.event = Eigen::VectorXd::Zero(n);
  for (Eigen::Index i = 0; i < n; i += 3) d.event(i) = 1;
  Eigen::MatrixXd x(n, 1);
  for (Eigen::Index i = 0; i < n; ++i) x(i, 0) = static_cast<double>(i % 7);
  struct Case {
    Eigen::Index row;
    double time, event, weight;
    std::string message;
  };
  const std::vector<Case> cases = {
      {0, kNaN, 1, 1, "time is not a finite number at row 1"},
      {4095, -1, 1, 1, "time is negative (-1.000000) at row 4096"},
      {4096, kInf, 1, 1, "time is not a finite number at row 4097"},
      {8191, 5, 2, 1, "event must be 0 (censored) or 1 (event) at row 8192"},
      {n - 1, 5, 1, 0, "weight must be a positive finite number at row 9000"},
      {5000, 5, 1, kNaN, "weight must be a positive finite number at row 5001"},
  };
  for (const Case& c : cases) {
    SurvivalData bad = d;
    bad.weight = Eigen::VectorXd::Ones(n);
    bad.time(c.row) = c.time;
    bad.event(c.row) = c.event;
    bad.weight(c.row) = c.weight;
    expectThrowWith<InputError>([&] { fitCox(bad, x); }, {c.message}, c.message);
  }
  // Two bad rows: the earlier is reported, even when it lies in a later check (event before weight).
  SurvivalData two = d;
  two.weight = Eigen::VectorXd::Ones(n);
  two.weight(6000) = -1;
  two.event(5999) = 0.5;
  expectThrowWith<InputError>([&] { fitCox(two, x); }, {"event must be 0 (censored) or 1 (event) at row 6000"}, "two bad rows");
  // A covariate that is not finite, in a later block of its column.
  Eigen::MatrixXd x2(n, 2);
  x2.col(0) = x.col(0);
  x2.col(1) = Eigen::VectorXd::LinSpaced(n, -1, 1);
  x2(8500, 1) = kNaN;
  expectThrowWith<InputError>([&] { fitCox(d, x2, CoxOptions{}); }, {"covariate", "not a finite number (NaN or Inf) at row 8501"}, "NaN covariate");
  // Valid data fit.
  EXPECT_NO_THROW(fitCox(d, x));
}

// Harrell's C checks its score per block of 16384 rows: a non-finite score past the first block is
// reported at its own row.
TEST(CoxDegenerate, ConcordanceNonFiniteScoreInLaterBlock) {
  const Eigen::Index n = 40000;
  SurvivalData d;
  d.time = Eigen::VectorXd::LinSpaced(n, 1, static_cast<double>(n));
  d.event = Eigen::VectorXd::Ones(n);
  Eigen::VectorXd score(n);
  for (Eigen::Index i = 0; i < n; ++i) score(i) = static_cast<double>(i % 7);
  score(20000) = kInf;
  expectThrowWith<InputError>([&] { harrellConcordance(d, score); }, {"score is not a finite number at row 20001"},
                              "Inf score");
}

namespace {

// Equal as bit patterns (NaN equal to NaN), element by element.
template <typename A, typename B>
void expectSameBits(const A& a, const B& b, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (Eigen::Index i = 0; i < a.size(); ++i) {
    const double x = static_cast<double>(a.data()[i]), y = static_cast<double>(b.data()[i]);
    if (std::isnan(x) && std::isnan(y)) continue;
    ASSERT_EQ(x, y) << what << " [" << i << "]";
  }
}

}  // namespace

// fitCox(data, std::move(x)) sorts the covariates in place instead of copying them: the same fit bit
// for bit as fitCox(data, x), over ties (Efron and Breslow), weights, strata, a 0/1 column (not
// centred), a redundant column, robust variance, a ridge penalty and more subjects than one block.
// The linear predictor, computed from the sorted centred columns, is (x - means)' coef for each row.
TEST(CoxOwnedCovariates, SameFitBitForBitAsTheCopy) {
  const Eigen::Index n = 5000;
  SurvivalData d;
  d.time.resize(n);
  d.event.resize(n);
  d.weight.resize(n);
  d.strata.resize(n);
  Eigen::MatrixXd x(n, 4);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double u = static_cast<double>((i * 7919) % 1000) / 1000.0;
    x(i, 0) = std::sin(0.37 * static_cast<double>(i)) * 2 + 5;
    x(i, 1) = static_cast<double>(i % 2);  // 0/1: not centred
    x(i, 2) = u * 3 - 1;
    x(i, 3) = 2 * x(i, 0) - x(i, 2);                                                               // x3 = 2 x0 - x2: redundant
    d.time(i) = std::round((12 + 40 * u + 10 * std::cos(0.11 * static_cast<double>(i))) * 4) / 4;  // ties
    d.event(i) = (i % 3) != 0 ? 1 : 0;
    d.weight(i) = 1 + static_cast<double>(i % 5) / 4;
    d.strata(i) = static_cast<int>(i % 3);
  }
  struct Variant {
    std::string name;
    CoxOptions options;
    bool weights, strata;
  };
  std::vector<Variant> variants(5);
  variants[0].name = "Efron";
  variants[1].name = "Breslow, weights";
  variants[1].options.ties = Ties::Breslow;
  variants[1].weights = true;
  variants[2].name = "strata, robust";
  variants[2].options.robust = true;
  variants[2].strata = true;
  variants[3].name = "ridge";
  variants[3].options.ridgeTheta = 2;
  variants[4].name = "weights, strata, robust";
  variants[4].options.robust = true;
  variants[4].weights = variants[4].strata = true;
  for (const Variant& v : variants) {
    SurvivalData data = d;
    if (!v.weights) data.weight.resize(0);
    if (!v.strata) data.strata.resize(0);
    const CoxFit copy = fitCox(data, x, v.options);
    Eigen::MatrixXd given = x;
    const CoxFit owned = fitCox(data, std::move(given), v.options);
    SCOPED_TRACE(v.name);
    expectSameBits(copy.coef, owned.coef, "coef");
    expectSameBits(copy.se, owned.se, "se");
    expectSameBits(copy.var, owned.var, "var");
    expectSameBits(copy.robustSe, owned.robustSe, "robust se");
    expectSameBits(copy.means, owned.means, "means");
    expectSameBits(copy.linearPredictor, owned.linearPredictor, "linear predictor");
    expectSameBits(copy.baseline.hazard, owned.baseline.hazard, "baseline hazard");
    expectSameBits(copy.baseline.xbarHazard, owned.baseline.xbarHazard, "baseline xbar_hazard");
    EXPECT_EQ(copy.loglik, owned.loglik);
    EXPECT_EQ(copy.loglikInit, owned.loglikInit);
    EXPECT_EQ(copy.scoreTest, owned.scoreTest);
    EXPECT_EQ(copy.concordance.concordant, owned.concordance.concordant);
    EXPECT_EQ(copy.concordance.tiedScore, owned.concordance.tiedScore);
    EXPECT_EQ(copy.iterations, owned.iterations);
    if (v.options.ridgeTheta == 0) EXPECT_TRUE(isRedundant(copy, 3)) << allWarnings(copy);
    // The linear predictor against its definition, summed in the input's units.
    Eigen::VectorXd b = copy.coef;
    for (Eigen::Index j = 0; j < b.size(); ++j)
      if (!std::isfinite(b(j))) b(j) = 0;
    const Eigen::VectorXd direct = (x.rowwise() - copy.means.transpose()) * b;
    for (Eigen::Index i = 0; i < n; ++i) ASSERT_NEAR(copy.linearPredictor(i), direct(i), 1e-12 * (1 + std::fabs(direct(i)))) << i;
  }
}
