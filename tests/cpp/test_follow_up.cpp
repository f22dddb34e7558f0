// Median follow-up by the reverse Kaplan–Meier method and missing cells per modality
// (follow_up.hpp) against R: tests/r/follow_up_golden.R (survfit(Surv(time, 1 - event) ~ 1),
// quantile(fit, 0.5); is.na counts).
#include <gtest/gtest.h>

#include <cmath>

#include "latefuse/follow_up.hpp"
#include "test_stats_support.hpp"

using namespace latefuse;
using namespace latefuse::testing;

namespace {

const nlohmann::json& followUpGolden() { return goldenJson("tests/golden/follow_up.json"); }

void expectSame(const char* what, double ours, const nlohmann::json& r) {
  if (r.is_null()) {
    EXPECT_TRUE(std::isnan(ours)) << what << ": R has NA, LateFuse " << ours;
  } else {
    EXPECT_NEAR(ours, r.get<double>(), 1e-12) << what;
  }
}

}  // namespace

TEST(FollowUp, ReverseKaplanMeierMedianMatchesR) {
  const auto& cases = followUpGolden().at("cases");
  ASSERT_EQ(cases.size(), 4u);
  int notReached = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    SurvivalData d;
    d.time = vec(c.at("data").at("time"));
    d.event = vec(c.at("data").at("event"));
    const FollowUp f = medianFollowUp(d);
    expectSame("median", f.median, c.at("median"));
    expectSame("lower", f.lower, c.at("lower"));
    expectSame("upper", f.upper, c.at("upper"));
    EXPECT_EQ(f.n, c.at("n").get<double>());
    EXPECT_EQ(f.censored, c.at("censored").get<double>());
    EXPECT_EQ(f.maxTime, d.time.maxCoeff());
    notReached += c.at("median").is_null();
  }
  EXPECT_EQ(notReached, 1);  // veteran: the censoring curve never reaches 0.5
}

TEST(FollowUp, MissingCellsPerModalityMatchR) {
  const auto& g = followUpGolden().at("missing_cells");
  const auto& mods = g.at("modalities");
  std::vector<int> columnModality;
  std::vector<Eigen::VectorXd> cols;
  for (size_t m = 0; m < mods.size(); ++m)
    for (const auto& name : mods[m].at("columns")) {
      cols.push_back(vec(g.at("data").at(name.get<std::string>())));
      columnModality.push_back(static_cast<int>(m));
    }
  const Eigen::Index n = cols[0].size();
  Eigen::MatrixXd x(n, static_cast<Eigen::Index>(cols.size()));
  for (size_t j = 0; j < cols.size(); ++j) x.col(static_cast<Eigen::Index>(j)) = cols[j];
  // Presence "any": a patient has a modality when one of its cells is present (as the R script).
  Eigen::MatrixXi presence = Eigen::MatrixXi::Zero(n, static_cast<Eigen::Index>(mods.size()));
  for (Eigen::Index i = 0; i < n; ++i)
    for (size_t j = 0; j < cols.size(); ++j)
      if (!std::isnan(x(i, static_cast<Eigen::Index>(j)))) presence(i, columnModality[j]) = 1;
  std::vector<int> rows(static_cast<size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i) rows[static_cast<size_t>(i)] = static_cast<int>(i);
  const auto mc = missingCellsByModality(x, columnModality, presence, rows, static_cast<int>(mods.size()));
  ASSERT_EQ(mc.size(), mods.size());
  for (size_t m = 0; m < mods.size(); ++m) {
    EXPECT_EQ(mc[m].patients, mods[m].at("patients").get<int>()) << m;
    EXPECT_EQ(mc[m].cells, mods[m].at("cells").get<long long>()) << m;
    EXPECT_EQ(mc[m].missing, mods[m].at("missing").get<long long>()) << m;
  }
  // A subset of rows counts only those rows.
  const std::vector<int> firstTen(rows.begin(), rows.begin() + 10);
  const auto few = missingCellsByModality(x, columnModality, presence, firstTen, static_cast<int>(mods.size()));
  EXPECT_LE(few[0].patients, 10);
  EXPECT_EQ(few[0].cells, few[0].patients * 3LL);
}
