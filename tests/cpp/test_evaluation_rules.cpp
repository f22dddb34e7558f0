// The rules around an evaluation's statistics against R: the default horizons (horizons.hpp),
// R's cut of a score at its own quantiles (risk_groups.hpp) and the dummies of a categorical column
// at scoring time (categorical.hpp applyEncoding). Golden: tests/r/evaluation_rules_golden.R.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "latefuse/categorical.hpp"
#include "latefuse/error.hpp"
#include "latefuse/horizons.hpp"
#include "latefuse/risk_groups.hpp"
#include "test_support.hpp"

using namespace latefuse;
using namespace latefuse::testing;

namespace {

const nlohmann::json& rulesGolden() {
  static const nlohmann::json g = readJson("tests/golden/evaluation_rules.json");
  return g;
}

}  // namespace

TEST(EvaluationRules, DefaultHorizonsMatchR) {
  const auto& cases = rulesGolden().at("horizons");
  ASSERT_EQ(cases.size(), 9u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    const Eigen::VectorXd h = defaultHorizons(vec(c.at("time")), vec(c.at("event")));
    const Eigen::VectorXd r = vec(c.at("horizons"));
    ASSERT_EQ(h.size(), r.size());
    // signif(, 3) gives short decimals: the same double, not a nearby one.
    for (Eigen::Index k = 0; k < h.size(); ++k) EXPECT_EQ(h(k), r(k)) << "horizon " << k;
  }
}

TEST(EvaluationRules, DefaultHorizonsRejectUnequalLengths) {
  Eigen::VectorXd time(3), event(2);
  time << 1, 2, 3;
  event << 1, 0;
  EXPECT_THROW(defaultHorizons(time, event), InputError);
}

TEST(EvaluationRules, QuantileGroupsMatchRCut) {
  const auto& cases = rulesGolden().at("cuts");
  ASSERT_EQ(cases.size(), 9u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    const QuantileGroups g = quantileGroups(vec(c.at("score")), vec(c.at("probs")));
    const Eigen::VectorXd cuts = vec(c.at("cutpoints"));
    ASSERT_EQ(g.cutpoints.size(), static_cast<size_t>(cuts.size()));
    for (size_t k = 0; k < g.cutpoints.size(); ++k) EXPECT_EQ(g.cutpoints[k], cuts(static_cast<Eigen::Index>(k)));
    const auto& codes = c.at("codes");
    ASSERT_EQ(static_cast<size_t>(g.codes.size()), codes.size());
    int wrong = 0;
    for (size_t i = 0; i < codes.size(); ++i) wrong += g.codes(static_cast<Eigen::Index>(i)) != codes[i].get<int>();
    EXPECT_EQ(wrong, 0);
  }
}

TEST(EvaluationRules, QuantileGroupsRejectBadInput) {
  Eigen::VectorXd score(3), probs(1);
  score << 1, std::nan(""), 3;
  probs << 0.5;
  EXPECT_THROW(quantileGroups(score, probs), InputError);
  score << 1, 2, 3;
  probs << 1.0;
  EXPECT_THROW(quantileGroups(score, probs), InputError);
  EXPECT_THROW(quantileGroups(Eigen::VectorXd(), probs), InputError);
}

TEST(EvaluationRules, ApplyEncodingMatchesRModelMatrix) {
  const auto& cases = rulesGolden().at("encodings");
  ASSERT_EQ(cases.size(), 3u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    const auto& e = c.at("encoding");
    const CategoricalEncoding encoding{e.at("column").get<std::string>(), e.at("levels").get<std::vector<std::string>>(),
                                       e.at("reference").get<std::string>()};
    // The cells as the scoring code gives them: distinct texts and a code per patient (NaN = missing).
    std::vector<std::string> texts;
    std::map<std::string, int> index;
    const auto& cells = c.at("cells");
    Eigen::VectorXd codes(static_cast<Eigen::Index>(cells.size()));
    for (size_t i = 0; i < cells.size(); ++i) {
      if (cells[i].is_null()) {
        codes(static_cast<Eigen::Index>(i)) = std::nan("");
        continue;
      }
      const std::string t = cells[i].get<std::string>();
      if (!index.count(t)) {
        index[t] = static_cast<int>(texts.size());
        texts.push_back(t);
      }
      codes(static_cast<Eigen::Index>(i)) = index[t];
    }
    const EncodedDummies d = applyEncoding(encoding, texts, codes);
    EXPECT_EQ(encoding.dummies(), c.at("dummies").get<std::vector<std::string>>());
    const auto& values = c.at("values");
    ASSERT_EQ(static_cast<size_t>(d.values.cols()), values.size());
    for (size_t j = 0; j < values.size(); ++j) {
      const Eigen::VectorXd r = vec(values[j]);
      ASSERT_EQ(d.values.rows(), r.size());
      for (Eigen::Index i = 0; i < r.size(); ++i) {
        if (std::isnan(r(i))) EXPECT_TRUE(std::isnan(d.values(i, static_cast<Eigen::Index>(j)))) << "row " << i;
        else EXPECT_EQ(d.values(i, static_cast<Eigen::Index>(j)), r(i)) << "row " << i << ", dummy " << j;
      }
    }
    const std::vector<Eigen::Index> unseen(d.unseen.begin(), d.unseen.end());
    std::vector<Eigen::Index> expected;
    for (const auto& u : c.at("unseen")) expected.push_back(u.get<Eigen::Index>());
    EXPECT_EQ(unseen, expected);
  }
}
