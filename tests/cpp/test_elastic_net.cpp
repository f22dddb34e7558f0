// Elastic-net Cox: parity with R glmnet 4.1 (tests/golden/elastic_net.json, made by
// tests/r/elastic_net_golden.R on jittered lung data without tied times), cross-checks against
// the Newton–Raphson Cox fit, cross-validation and fold assignment.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <set>

#include "fixtures.hpp"
#include "latefuse/cox.hpp"
#include "latefuse/elastic_net.hpp"
#include "latefuse/error.hpp"
#include "latefuse/folds.hpp"
#include "latefuse/random.hpp"

using namespace latefuse;
using latefuse::testing::goldenJson;
using latefuse::testing::LungCases;
using latefuse::testing::vec;

namespace {

const nlohmann::json& golden() { return goldenJson("tests/golden/elastic_net.json"); }

const nlohmann::json& goldenCase(const std::string& name) {
  for (const auto& c : golden()["cases"])
    if (c["name"] == name) return c;
  throw std::runtime_error("no golden case " + name);
}

struct CaseData {
  SurvivalData data;
  Eigen::MatrixXd x;
};

CaseData caseData(const nlohmann::json& c) {
  CaseData d;
  d.data.time = vec(c["time"]);
  d.data.event = vec(c["event"]);
  if (c.contains("weights") && !c["weights"].is_null()) d.data.weight = vec(c["weights"]);
  const auto& cols = c["x"];
  d.x.resize(d.data.time.size(), static_cast<Eigen::Index>(cols.size()));
  for (size_t j = 0; j < cols.size(); ++j) d.x.col(static_cast<Eigen::Index>(j)) = vec(cols[j]);
  return d;
}

ElasticNetOptions caseOptions(const nlohmann::json& c, double thresh, ElasticNetSolver solver) {
  ElasticNetOptions o;
  o.solver = solver;
  if (c.contains("lambda_min_ratio")) o.lambdaMinRatio = c["lambda_min_ratio"].get<double>();
  o.alpha = c["alpha"].get<double>();
  o.standardize = c["standardize"].get<bool>();
  o.thresh = thresh;
  o.maxPasses = 10000000;  // the golden was made with maxit = 1e7
  if (c["user_lambda"].get<bool>()) o.lambda = vec(c["lambda"]);
  if (c.contains("penalty_factor") && !c["penalty_factor"].is_null()) o.penaltyFactor = vec(c["penalty_factor"]);
  return o;
}

// Largest |ours - R| over all coefficients of the path.
double pathError(const ElasticNetPath& fit, const nlohmann::json& c) {
  double worst = 0;
  for (size_t k = 0; k < c["beta"].size(); ++k) {
    const Eigen::VectorXd r = vec(c["beta"][k]);
    worst = std::max(worst, (fit.beta.col(static_cast<Eigen::Index>(k)) - r).cwiseAbs().maxCoeff());
  }
  return worst;
}

// Glmnet solver: identical iterates to R, so agreement to rounding (coefTol 1e-9). Newton solver:
// the same minimiser reached another way; glmnet's threshold bounds v_j (delta beta_j)^2, so at
// thresh 1e-14 both are within ~1e-7 of it and agree to 1e-5.
// Penalised objective -l/N + lambda sum_j pf_j [(1-alpha)/2 b_j^2 + alpha |b_j|] on glmnet's scale
// (b standardised by the population SD), for unweighted cases.
double objective(const CaseData& d, const Eigen::VectorXd& beta, double lambda, double alpha, bool standardize) {
  const double n = static_cast<double>(d.data.size());
  double pen = 0;
  for (Eigen::Index j = 0; j < d.x.cols(); ++j) {
    const double mean = d.x.col(j).mean();
    const double sd = standardize ? std::sqrt((d.x.col(j).array() - mean).square().sum() / n) : 1.0;
    const double b = beta(j) * sd;
    pen += (1 - alpha) / 2 * b * b + alpha * std::fabs(b);
  }
  return coxnetDeviance(d.data, d.x * beta) / (2 * n) + lambda * pen;
}

// `flat`: p > n, where the objective is so flat near small lambdas that glmnet at thresh 1e-14
// still sits ~1e-4 from the minimiser in some coefficients (its own iterates at thresh 1e-18 move
// there too). The Newton solver is then checked on the objective value (within 1e-9 relative of
// R's, or lower) and on the coefficients to 1e-3.
void checkPath(const std::string& name, ElasticNetSolver solver, double thresh, double coefTol, bool flat = false) {
  const bool exact = solver == ElasticNetSolver::Glmnet;
  SCOPED_TRACE(name + (exact ? " (glmnet solver)" : " (newton solver)"));
  const auto& c = goldenCase(name);
  const CaseData d = caseData(c);
  const ElasticNetPath fit = fitElasticNetCox(d.data, d.x, caseOptions(c, thresh, solver));
  EXPECT_TRUE(fit.warnings.empty()) << fit.warnings.front();
  const Eigen::VectorXd lambda = vec(c["lambda"]);
  ASSERT_EQ(fit.lambda.size(), lambda.size()) << "path length (early stopping) differs from glmnet";
  // With an unpenalised column lambda_max depends on the fitted first step, so only ~1e-7 for Newton.
  const double lambdaTol = exact ? 1e-12 : 1e-6;
  for (Eigen::Index k = 0; k < lambda.size(); ++k) EXPECT_REL(fit.lambda(k), lambda(k), lambdaTol) << "lambda " << k;
  const double err = pathError(fit, c);
  EXPECT_LE(err, flat && !exact ? 1e-3 : coefTol);
  if (flat && !exact) {
    double worst = 0;
    for (Eigen::Index k = 0; k < lambda.size(); ++k) {
      const double a = c["alpha"].get<double>();
      const bool st = c["standardize"].get<bool>();
      const double ours = objective(d, fit.beta.col(k), lambda(k), a, st);
      const double theirs = objective(d, vec(c["beta"][static_cast<size_t>(k)]), lambda(k), a, st);
      worst = std::max(worst, (ours - theirs) / theirs);
    }
    EXPECT_LE(worst, 1e-9);
    std::printf("[ parity ] %-26s newton  largest relative objective excess over glmnet = %.3g\n", name.c_str(), worst);
  }
  std::printf("[ parity ] %-26s %-7s lambdas %3d  passes %7ld  max |beta - glmnet| = %.3g\n", name.c_str(),
              exact ? "glmnet" : "newton", static_cast<int>(lambda.size()), fit.passes, err);
  const Eigen::VectorXd dev = vec(c["dev_ratio"]);
  for (Eigen::Index k = 0; k < dev.size(); ++k) EXPECT_NEAR(fit.devRatio(k), dev(k), exact ? 1e-12 : 1e-6) << "dev.ratio " << k;
  EXPECT_REL(fit.nullDeviance, c["null_deviance"].get<double>(), 1e-12);
  const Eigen::VectorXd df = vec(c["df"]);
  int dfMismatch = 0;
  for (Eigen::Index k = 0; k < df.size(); ++k) dfMismatch += fit.df(k) != static_cast<int>(df(k));
  // A coefficient entering exactly at a path lambda may be 1e-9 on one side and 0 on the other.
  EXPECT_LE(dfMismatch, exact ? 0 : 2);
}

void checkBoth(const std::string& name, bool flat = false) {
  checkPath(name, ElasticNetSolver::Glmnet, 1e-14, 1e-9);
  checkPath(name, ElasticNetSolver::Newton, 1e-14, 1e-5, flat);
}

}  // namespace

TEST(ElasticNetGolden, LassoStandardised) { checkBoth("lung_lasso_std"); }
TEST(ElasticNetGolden, ElasticNetUnstandardised) { checkBoth("lung_enet_raw"); }
TEST(ElasticNetGolden, RidgeUserLambdas) { checkBoth("lung_ridge_user"); }
TEST(ElasticNetGolden, CaseWeights) { checkBoth("lung_enet_weights"); }
TEST(ElasticNetGolden, PenaltyFactors) { checkBoth("lung_lasso_pf"); }
TEST(ElasticNetGolden, WideLasso) { checkBoth("wide_lasso", true); }
TEST(ElasticNetGolden, WideElasticNet) { checkBoth("wide_enet", true); }
// The glmnet solver repeats R's iterates, so it agrees even at glmnet's default threshold 1e-7.
TEST(ElasticNetGolden, DefaultThreshold) { checkPath("lung_lasso_default_thresh", ElasticNetSolver::Glmnet, 1e-7, 1e-12); }

// p > n: the default lambda.min.ratio is 1e-2 (glmnet: ifelse(nobs < nvars, 0.01, 1e-4)).
TEST(ElasticNetGolden, WideDefaultLambdaSequence) {
  const auto& c = goldenCase("wide_default_lambda");
  const CaseData d = caseData(c);
  ElasticNetOptions o;  // all defaults: 100 lambdas, ratio chosen from n < p
  const Eigen::VectorXd lambda = vec(c["lambda"]);
  const ElasticNetPath fit = fitElasticNetCox(d.data, d.x, o);
  ASSERT_GE(fit.lambda.size(), 20);
  for (Eigen::Index k = 0; k < 20; ++k) EXPECT_REL(fit.lambda(k), lambda(k), 1e-12) << "lambda " << k;
  EXPECT_NEAR(lambda(1) / lambda(0), std::pow(1e-2, 1.0 / 99), 1e-8);
}

namespace {
// cvm/cvsd agree to rounding with the glmnet solver; with the Newton solver to 1e-6 relative, or
// 1e-4 on p > n data (see `flat` above: R's own fold fits are that far from their minimisers).
void checkCv(const std::string& name, ElasticNetSolver solver, double relTol) {
  SCOPED_TRACE(name);
  const auto& c = goldenCase(name);
  const CaseData d = caseData(c);
  ElasticNetOptions o;
  o.alpha = c["alpha"].get<double>();
  o.standardize = c["standardize"].get<bool>();
  o.thresh = 1e-14;
  o.maxPasses = 10000000;
  o.solver = solver;
  o.lambdaMinRatio = c["lambda_min_ratio"].get<double>();
  ElasticNetCvOptions cv;
  cv.grouped = c["grouped"].get<bool>();
  cv.foldId = (vec(c["foldid"]).array() - 1).cast<int>();
  const ElasticNetCv r = cvElasticNetCox(d.data, d.x, o, cv);
  const Eigen::VectorXd lambda = vec(c["lambda"]), cvm = vec(c["cvm"]), cvsd = vec(c["cvsd"]);
  ASSERT_EQ(r.fit.lambda.size(), lambda.size());
  double worstM = 0, worstSd = 0;
  for (Eigen::Index k = 0; k < lambda.size(); ++k) {
    EXPECT_REL(r.fit.lambda(k), lambda(k), 1e-10);
    worstM = std::max(worstM, std::fabs(r.cvm(k) - cvm(k)) / std::fabs(cvm(k)));
    worstSd = std::max(worstSd, std::fabs(r.cvsd(k) - cvsd(k)) / std::fabs(cvsd(k)));
  }
  std::printf("[ parity ] %-24s %-7s max rel |cvm - R| = %.3g, max rel |cvsd - R| = %.3g\n", name.c_str(),
              solver == ElasticNetSolver::Glmnet ? "glmnet" : "newton", worstM, worstSd);
  EXPECT_LE(worstM, relTol);
  EXPECT_LE(worstSd, relTol);
  EXPECT_EQ(r.indexMin + 1, c["index_min"].get<int>());
  EXPECT_EQ(r.index1se + 1, c["index_1se"].get<int>());
  EXPECT_REL(r.lambdaMin, c["lambda_min"].get<double>(), 1e-10);
  EXPECT_REL(r.lambda1se, c["lambda_1se"].get<double>(), 1e-10);
}
}  // namespace

TEST(ElasticNetGolden, CvGroupedDeviance) {
  checkCv("cv_lung_grouped", ElasticNetSolver::Glmnet, 1e-10);
  checkCv("cv_lung_grouped", ElasticNetSolver::Newton, 1e-6);
}
TEST(ElasticNetGolden, CvUngroupedDeviance) {
  checkCv("cv_lung_ungrouped", ElasticNetSolver::Glmnet, 1e-10);
  checkCv("cv_lung_ungrouped", ElasticNetSolver::Newton, 1e-6);
}
TEST(ElasticNetGolden, CvWideElasticNet) {
  checkCv("cv_wide_enet", ElasticNetSolver::Glmnet, 1e-10);
  checkCv("cv_wide_enet", ElasticNetSolver::Newton, 1e-4);
}

// ---- cross-checks without R ----------------------------------------------------------------

namespace {
// lung complete cases (with its tied times) for the internal cross-checks.
CaseData lungData() {
  LungCases l = latefuse::testing::lungCompleteCases({"age", "sex", "ph.ecog", "ph.karno", "meal.cal", "wt.loss"});
  return {std::move(l.data), std::move(l.x)};
}
}  // namespace

// Ridge without standardisation minimises -l/N + lambda/2 |beta|^2, i.e. coxph's ridge(theta = N lambda)
// with Breslow ties — the two engines must agree, tied times included (Breslow handled exactly).
TEST(ElasticNet, RidgeMatchesNewtonCoxWithTies) {
  const CaseData d = lungData();
  const double lambda = 0.05;
  ElasticNetOptions o;
  o.alpha = 0;
  o.standardize = false;
  o.thresh = 1e-16;
  o.lambda = Eigen::VectorXd::Constant(1, lambda);
  const ElasticNetPath path = fitElasticNetCox(d.data, d.x, o);
  CoxOptions co;
  co.ties = Ties::Breslow;
  co.ridgeTheta = lambda * static_cast<double>(d.data.size());
  co.eps = 1e-14;
  co.timefix = false;
  const CoxFit cox = fitCox(d.data, d.x, co);
  for (Eigen::Index j = 0; j < d.x.cols(); ++j)
    EXPECT_NEAR(path.beta(j, 0), cox.coef(j), 1e-7 * std::max(1.0, std::fabs(cox.coef(j)))) << "column " << j;
}

// A tiny lambda is (nearly) the unpenalised Breslow fit.
TEST(ElasticNet, TinyLambdaIsUnpenalisedCox) {
  const CaseData d = lungData();
  ElasticNetOptions o;
  o.thresh = 1e-16;
  o.lambda = Eigen::VectorXd::Constant(1, 1e-10);
  const ElasticNetPath path = fitElasticNetCox(d.data, d.x, o);
  CoxOptions co;
  co.ties = Ties::Breslow;
  co.eps = 1e-14;
  co.timefix = false;
  const CoxFit cox = fitCox(d.data, d.x, co);
  for (Eigen::Index j = 0; j < d.x.cols(); ++j)
    EXPECT_NEAR(path.beta(j, 0), cox.coef(j), 1e-6 * std::max(1.0, std::fabs(cox.coef(j)))) << "column " << j;
  // Deviance differences are log-likelihood differences: D(0) - D(beta) = 2 (l(beta) - l(0)).
  const double devFit = coxnetDeviance(d.data, d.x * path.beta.col(0));
  const double devNull = coxnetDeviance(d.data, Eigen::VectorXd::Zero(d.data.size()));
  EXPECT_NEAR(devNull - devFit, 2 * (cox.loglik - cox.loglikInit), 1e-7);
}

TEST(ElasticNet, DevianceMatchesPathNullDeviance) {
  const auto& c = goldenCase("lung_lasso_std");
  const CaseData d = caseData(c);
  EXPECT_REL(coxnetDeviance(d.data, Eigen::VectorXd::Zero(d.data.size())), c["null_deviance"].get<double>(), 1e-12);
}

TEST(ElasticNet, InterpolationMatchesGlmnetRule) {
  const auto& c = goldenCase("lung_lasso_std");
  const CaseData d = caseData(c);
  ElasticNetOptions o;
  o.thresh = 1e-12;
  const ElasticNetPath path = fitElasticNetCox(d.data, d.x, o);
  // At a path lambda: that column; between two: the linear interpolation; outside: clamped.
  EXPECT_TRUE(interpolateCoefficients(path, path.lambda(3)).isApprox(path.beta.col(3)));
  const double mid = 0.25 * path.lambda(3) + 0.75 * path.lambda(4);
  const Eigen::VectorXd b = interpolateCoefficients(path, mid);
  EXPECT_TRUE(b.isApprox(0.25 * path.beta.col(3) + 0.75 * path.beta.col(4), 1e-12));
  EXPECT_TRUE(interpolateCoefficients(path, 10 * path.lambda(0)).isApprox(path.beta.col(0)));
  EXPECT_TRUE(interpolateCoefficients(path, 0).isApprox(path.beta.col(path.lambda.size() - 1)));
}

TEST(ElasticNet, FirstLambdaIsLambdaMaxAndAllZero) {
  const CaseData d = lungData();
  const ElasticNetPath path = fitElasticNetCox(d.data, d.x);
  EXPECT_EQ(path.df(0), 0);
  EXPECT_GT(path.df(1), 0);
  // Geometric path with ratio 1e-4 (n > p).
  const double step = path.lambda(2) / path.lambda(1);
  EXPECT_NEAR(step, std::pow(1e-4, 1.0 / 99), 1e-9);
  EXPECT_LE(path.lambda.size(), 100);
}

TEST(ElasticNet, Errors) {
  CaseData d = lungData();
  EXPECT_THROW(fitElasticNetCox(d.data, Eigen::MatrixXd(d.x.rows(), 0)), InputError);
  ElasticNetOptions bad;
  bad.alpha = 1.5;
  EXPECT_THROW(fitElasticNetCox(d.data, d.x, bad), InputError);
  ElasticNetOptions inc;
  inc.lambda = Eigen::Vector2d(0.1, 0.2);
  EXPECT_THROW(fitElasticNetCox(d.data, d.x, inc), InputError);
  ElasticNetOptions pf;
  pf.penaltyFactor = Eigen::VectorXd::Zero(d.x.cols());
  EXPECT_THROW(fitElasticNetCox(d.data, d.x, pf), InputError);
  Eigen::MatrixXd xnan = d.x;
  xnan(4, 2) = std::nan("");
  try {
    fitElasticNetCox(d.data, xnan);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("row 5"), std::string::npos) << e.what();
  }
  SurvivalData none = d.data;
  none.event.setZero();
  EXPECT_THROW(fitElasticNetCox(none, d.x), ModelError);
  SurvivalData strat = d.data;
  strat.strata = Eigen::VectorXi::Zero(strat.size());
  EXPECT_THROW(fitElasticNetCox(strat, d.x), InputError);
  Eigen::MatrixXd constant = Eigen::MatrixXd::Ones(d.x.rows(), 2);
  EXPECT_THROW(fitElasticNetCox(d.data, constant), InputError);
  ElasticNetCvOptions tooMany;
  tooMany.folds = static_cast<int>(d.data.size()) + 1;
  EXPECT_THROW(cvElasticNetCox(d.data, d.x, {}, tooMany), InputError);
}

TEST(ElasticNet, ConstantColumnGetsZero) {
  CaseData d = lungData();
  Eigen::MatrixXd x(d.x.rows(), d.x.cols() + 1);
  x << d.x, Eigen::VectorXd::Constant(d.x.rows(), 3.0);
  const ElasticNetPath path = fitElasticNetCox(d.data, x);
  EXPECT_TRUE((path.beta.row(d.x.cols()).array() == 0).all());
}

TEST(ElasticNet, CvIsSeededAndChoosesRule) {
  const CaseData d = lungData();
  ElasticNetCvOptions cv;
  cv.folds = 5;
  cv.seed = 42;
  const ElasticNetCv a = cvElasticNetCox(d.data, d.x, {}, cv);
  const ElasticNetCv b = cvElasticNetCox(d.data, d.x, {}, cv);
  EXPECT_EQ(a.foldId, b.foldId);
  EXPECT_EQ(a.cvm, b.cvm);
  EXPECT_LE(a.index1se, a.indexMin);
  EXPECT_EQ(a.indexChosen, a.indexMin);
  cv.rule = LambdaRule::OneSE;
  const ElasticNetCv c = cvElasticNetCox(d.data, d.x, {}, cv);
  EXPECT_EQ(c.indexChosen, c.index1se);
  EXPECT_EQ(c.coefficients(), c.fit.beta.col(c.index1se));
  cv.seed = 43;
  EXPECT_NE(cvElasticNetCox(d.data, d.x, {}, cv).foldId, a.foldId);
}

TEST(Folds, PlainAndStratified) {
  const Eigen::VectorXi f = assignFolds(23, 5, 7);
  std::vector<int> size(5, 0);
  for (Eigen::Index i = 0; i < f.size(); ++i) ++size[static_cast<size_t>(f(i))];
  for (int s : size) EXPECT_TRUE(s == 4 || s == 5);
  EXPECT_EQ(f, assignFolds(23, 5, 7));
  EXPECT_NE(f, assignFolds(23, 5, 8));

  Eigen::VectorXd event = Eigen::VectorXd::Zero(50);
  for (int i = 0; i < 50; i += 4) event(i) = 1;  // 13 events
  const Eigen::VectorXi g = assignFoldsStratified(event, 4, 3);
  std::vector<int> ev(4, 0), all(4, 0);
  for (Eigen::Index i = 0; i < 50; ++i) {
    ++all[static_cast<size_t>(g(i))];
    ev[static_cast<size_t>(g(i))] += event(i) == 1;
  }
  for (int k = 0; k < 4; ++k) {
    EXPECT_TRUE(ev[static_cast<size_t>(k)] == 3 || ev[static_cast<size_t>(k)] == 4);
    EXPECT_TRUE(all[static_cast<size_t>(k)] == 12 || all[static_cast<size_t>(k)] == 13);
  }
  EXPECT_THROW(assignFolds(3, 4, 1), InputError);
  EXPECT_THROW(assignFolds(10, 1, 1), InputError);
  Eigen::VectorXi gap(4);
  gap << 0, 2, 2, 0;
  EXPECT_THROW(checkFolds(gap, 4), InputError);
}

// Speed smoke test (not a benchmark): 10-fold CV, n = 245, p = 600, the size of the benchmark's target case (docs/benchmark.md).
TEST(ElasticNet, CvSpeedSmoke) {
  const Eigen::Index n = 245, p = 600;
  Random rng(2024);
  Eigen::MatrixXd x(n, p);
  for (Eigen::Index j = 0; j < p; ++j)
    for (Eigen::Index i = 0; i < n; ++i) x(i, j) = rng.normal();
  SurvivalData d;
  d.time.resize(n);
  d.event.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double lp = 0.5 * x(i, 0) - 0.4 * x(i, 1) + 0.3 * x(i, 2);
    d.time(i) = rng.exponential() * portableExp(-lp);
    const double c = 2 * rng.uniform();
    d.event(i) = d.time(i) <= c ? 1 : 0;
    d.time(i) = std::min(d.time(i), c);
  }
  const auto t0 = std::chrono::steady_clock::now();
  ElasticNetCvOptions cv;
  cv.folds = 10;
  const ElasticNetCv r = cvElasticNetCox(d, x, {}, cv);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[ timing ] 10-fold CV n=245 p=600: %.0f ms (%d lambdas, lambda_min index %d)\n", ms,
              static_cast<int>(r.fit.lambda.size()), static_cast<int>(r.indexMin));
  EXPECT_GT(r.fit.lambda.size(), 5);
  EXPECT_NE(r.coefficients()(0), 0.0);
}
