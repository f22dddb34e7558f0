// Cox parity with R's survival package on self-contained golden cases (tests/golden/cox_golden.json,
// written by tests/r/cox_golden.R; versions recorded in the JSON and in tests/r/README.md).
//
// Each case carries its own data (time, event, covariates, optional weights / integer strata), the
// options and R's results; nothing is re-derived from the CSV files. Tolerances (not to be loosened
// to make a case pass):
//   coef, se, robust se ........ 1e-6 relative       log-likelihoods ..... 1e-6 absolute
//   LR / score / Wald tests .... 1e-6 relative (statistic and p)
//   concordance C, counts ...... 1e-12 (counts exactly when unweighted)
//   survfit S, se, lower, upper  1e-6 relative       means ............... 1e-9 relative
//   iterations ................. equal when both R and we converged
// The largest error seen per quantity is printed after the run ("[cox golden] max ...").
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "latefuse/cox.hpp"
#include "test_support.hpp"

using namespace latefuse;
using namespace latefuse::testing;
using nlohmann::json;

namespace {

const char* kGoldenFile = "tests/golden/cox_golden.json";

const std::vector<std::string>& caseNames() {
  static const std::vector<std::string> names = {
      "pbc_efron",
      "pbc_efron_robust",
      "pbc_breslow_robust",
      "pbc_strata_sex_efron_robust",
      "rotterdam_efron_robust",
      "rotterdam_breslow",
      "gbsg_efron_weighted_robust",
      "gbsg_ridge10_scaled",
      "gbsg_ridge5_unscaled",
      "colon_death_strata_extent_efron",
      "colon_death_strata_weighted_robust",
      "lung_strata_sex_ridge_lifelines05",
  };
  return names;
}

const json& golden() { return goldenJson(kGoldenFile); }

const json& findCase(const std::string& name) {
  for (const json& c : golden().at("cases"))
    if (c.at("name").get<std::string>() == name) return c;
  throw std::runtime_error("case '" + name + "' is not in " + std::string(kGoldenFile) +
                           "; regenerate it with Rscript tests/r/cox_golden.R");
}

// Largest error observed per quantity across all cases, printed once at the end of the run.
struct MaxErrors {
  std::map<std::string, std::pair<double, std::string>> worst;  // quantity -> (error, case)
  void note(const std::string& quantity, double err, const std::string& where) {
    auto& w = worst[quantity];
    if (err > w.first || w.second.empty()) w = {err, where};
  }
};
MaxErrors& maxErrors() {
  static MaxErrors m;
  return m;
}

class PrintMaxErrors : public ::testing::Environment {
 public:
  void TearDown() override {
    for (const auto& [q, w] : maxErrors().worst)
      std::printf("[cox golden] max %-22s %.3e  (%s)\n", q.c_str(), w.first, w.second.c_str());
  }
};
[[maybe_unused]] ::testing::Environment* const kPrintEnv = ::testing::AddGlobalTestEnvironment(new PrintMaxErrors);

// True relative error for the report (the assertions use EXPECT_REL, whose floor of 1e-12 makes
// values below 1e-12 -- tiny p-values -- compare absolutely).
double relErr(double a, double b) {
  if (a == b) return 0;
  return std::fabs(a - b) / std::max(std::fabs(b), std::numeric_limits<double>::min());
}

// Compare one number with a relative tolerance and record the error.
void checkRel(const std::string& caseName, const std::string& quantity, double ours, double r, double tol,
              const std::string& detail = "") {
  const double err = (std::isnan(ours) && std::isnan(r)) ? 0 : relErr(ours, r);
  maxErrors().note(quantity + " (rel)", std::isnan(err) ? INFINITY : err, caseName);
  EXPECT_REL(ours, r, tol) << caseName << ": " << quantity << detail;
}

void checkAbs(const std::string& caseName, const std::string& quantity, double ours, double r, double tol,
              const std::string& detail = "") {
  const double err = std::fabs(ours - r);
  maxErrors().note(quantity + " (abs)", std::isnan(err) ? INFINITY : err, caseName);
  EXPECT_NEAR(ours, r, tol) << caseName << ": " << quantity << detail;
}

void checkVecRel(const std::string& caseName, const std::string& quantity, const Eigen::VectorXd& ours,
                 const Eigen::VectorXd& r, double tol, const std::string& detail = "") {
  ASSERT_EQ(ours.size(), r.size()) << caseName << ": " << quantity;
  for (Eigen::Index i = 0; i < ours.size(); ++i)
    checkRel(caseName, quantity, ours(i), r(i), tol, detail + " [" + std::to_string(i) + "]");
}

struct Case {
  std::string name;
  SurvivalData data;
  Eigen::MatrixXd x;
  std::vector<std::string> covariates;
  CoxOptions options;
  bool ridge = false;
};

Case loadCase(const json& c) {
  Case k;
  k.name = c.at("name").get<std::string>();
  const json& d = c.at("data");
  k.data.time = vec(d.at("time"));
  k.data.event = vec(d.at("event"));
  const Eigen::Index n = k.data.time.size();
  if (d.contains("weights")) k.data.weight = vec(d.at("weights"));
  if (d.contains("strata")) k.data.strata = vec(d.at("strata")).cast<int>();
  k.covariates = c.at("covariates").get<std::vector<std::string>>();
  k.x.resize(n, static_cast<Eigen::Index>(k.covariates.size()));
  for (size_t j = 0; j < k.covariates.size(); ++j) {
    const Eigen::VectorXd col = vec(d.at("x").at(k.covariates[j]));
    if (col.size() != n) throw std::runtime_error(k.name + ": column " + k.covariates[j] + " has the wrong length");
    k.x.col(static_cast<Eigen::Index>(j)) = col;
  }
  const json& o = c.at("options");
  k.options.ties = o.at("ties").get<std::string>() == "breslow" ? Ties::Breslow : Ties::Efron;
  k.options.robust = o.at("robust").get<bool>();
  k.options.columnNames = k.covariates;
  if (o.contains("ridge")) {
    k.ridge = true;
    const json& r = o.at("ridge");
    if (r.contains("lifelines_penalizer")) {
      k.options.penalizer = r.at("lifelines_penalizer").get<double>();  // theta = n * penalizer, scaled
    } else {
      k.options.ridgeTheta = r.at("theta").get<double>();
      k.options.ridgeScale = r.at("scale").get<bool>();
    }
  }
  return k;
}

void checkTest(const std::string& caseName, const std::string& label, double stat, double p, const json& r,
               bool checkP = true) {
  checkRel(caseName, label + " stat", stat, r.at("stat").get<double>(), 1e-6);
  if (checkP) checkRel(caseName, label + " p", p, r.at("p").get<double>(), 1e-6);
}

class CoxGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(CoxGolden, MatchesR) {
  const json& c = findCase(GetParam());
  const Case k = loadCase(c);
  const json& r = c.at("r");
  const std::string& name = k.name;
  ASSERT_EQ(k.data.size(), r.at("n").get<Eigen::Index>());

  const CoxFit f = fitCox(k.data, k.x, k.options);
  for (const auto& w : f.warnings) ADD_FAILURE() << name << ": unexpected warning: " << w;
  EXPECT_EQ(f.events, static_cast<int>(k.data.event.sum()));
  if (k.ridge && c.at("options").at("ridge").contains("lifelines_penalizer"))
    EXPECT_DOUBLE_EQ(f.theta, c.at("options").at("ridge").at("theta").get<double>());

  // Coefficients and standard errors.
  checkVecRel(name, "coef", f.coef, vec(r.at("coef")), 1e-6);
  checkVecRel(name, "se", f.se, vec(r.at("se")), 1e-6);
  if (k.options.robust) checkVecRel(name, "robust se", f.robustSe, vec(r.at("robust_se")), 1e-6);
  checkVecRel(name, "means", f.means, vec(r.at("means")), 1e-9);

  // Log-likelihoods [init, final] (final unpenalised), penalty.
  const Eigen::VectorXd ll = vec(r.at("loglik"));
  checkAbs(name, "loglik init", f.loglikInit, ll(0), 1e-6);
  checkAbs(name, "loglik final", f.loglik, ll(1), 1e-6);
  if (k.ridge) checkRel(name, "penalty", f.penalty, r.at("penalty").get<double>(), 1e-6);

  // Iterations: equal when both converged.
  const int rIter = r.at("iter").get<int>();
  if (f.converged && r.at("converged").get<bool>()) {
    EXPECT_EQ(f.iterations, rIter) << name << ": Newton iterations (R " << rIter << ", ours " << f.iterations << ")";
  } else {
    ADD_FAILURE() << name << ": convergence differs or failed (R converged: " << r.at("converged")
                  << ", ours: " << f.converged << ")";
  }

  // Tests. For ridge fits R uses the effective df, we the number of coefficients: compare statistics
  // only (coxph reports no score test there).
  checkTest(name, "LR", f.lrTest, f.lrP, r.at("lr"), !k.ridge);
  checkTest(name, "Wald", f.waldTest, f.waldP, r.at("wald"), !k.ridge);
  if (!k.ridge) {
    checkTest(name, "score", f.scoreTest, f.scoreP, r.at("score"));
    EXPECT_EQ(f.lrDf, r.at("lr").at("df").get<double>());
  }
  if (k.options.robust) {
    checkTest(name, "robust Wald", f.robustWaldTest, f.robustWaldP, r.at("robust_wald"));
    checkTest(name, "robust score", f.robustScoreTest, f.robustScoreP, r.at("robust_score"));
  }

  // Concordance (R concordance(fit): within strata, weights w_i * w_j for pairs).
  const json& cc = r.at("concordance");
  const Concordance& C = f.concordance;
  checkAbs(name, "concordance C", C.c, cc.at("C").get<double>(), 1e-12);
  const std::vector<std::pair<std::string, double>> counts = {
      {"concordant", C.concordant}, {"discordant", C.discordant}, {"tied_x", C.tiedScore}, {"tied_y", C.tiedTime}, {"tied_xy", C.tiedTimeScore}};
  for (const auto& [label, ours] : counts) {
    const double theirs = cc.at(label).get<double>();
    if (k.data.weighted()) {
      checkRel(name, "concordance counts", ours, theirs, 1e-12, " " + label);
    } else {
      maxErrors().note("concordance counts (abs)", std::fabs(ours - theirs), name);
      EXPECT_EQ(ours, theirs) << name << ": concordance " << label;
    }
  }

  // survfit.coxph predictions.
  for (const json& pr : r.at("predictions")) {
    const Eigen::VectorXd x = vec(pr.at("x"));
    const Eigen::VectorXd times = vec(pr.at("times"));
    const int stratum = pr.contains("stratum") ? pr.at("stratum").get<int>() : 0;
    const SurvivalPrediction s = predictSurvival(f, x, times, stratum);
    const std::string at = " (x row " + pr.at("x").dump() + ", stratum " + std::to_string(stratum) + ")";
    checkVecRel(name, "survfit surv", s.surv, vec(pr.at("surv")), 1e-6, at);
    checkVecRel(name, "survfit std.err", s.se, vec(pr.at("std_err")), 1e-6, at);
    checkVecRel(name, "survfit lower", s.lower, vec(pr.at("lower")), 1e-6, at);
    checkVecRel(name, "survfit upper", s.upper, vec(pr.at("upper")), 1e-6, at);
    checkVecRel(name, "survfit cumhaz", s.cumhaz, vec(pr.at("cumhaz")), 1e-6, at);
  }
}

INSTANTIATE_TEST_SUITE_P(R, CoxGolden, ::testing::ValuesIn(caseNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// The golden file holds exactly the cases above, made by the recorded generator.
TEST(CoxGoldenFile, ListsEveryCaseOnce) {
  const json& g = golden();
  EXPECT_EQ(g.at("generator").get<std::string>(), "tests/r/cox_golden.R");
  EXPECT_FALSE(g.at("R_version").get<std::string>().empty());
  EXPECT_FALSE(g.at("survival_version").get<std::string>().empty());
  std::vector<std::string> inFile;
  for (const json& c : g.at("cases")) inFile.push_back(c.at("name").get<std::string>());
  std::vector<std::string> expected = caseNames();
  std::sort(inFile.begin(), inFile.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(inFile, expected);
}

}  // namespace
