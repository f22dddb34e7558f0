// Categorical columns (categorical.hpp): reference level, dummies, encoding inside evaluateFusion,
// and the model file's "encodings" section (byte-identical round trip, strict validation).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "fixtures.hpp"
#include "latefuse/categorical.hpp"
#include "latefuse/error.hpp"
#include "latefuse/fusion.hpp"
#include "latefuse/fusion_report.hpp"
#include "latefuse/model_json.hpp"
#include "latefuse/simulator.hpp"

using namespace latefuse;
using latefuse::testing::hgsocCohort;
using nlohmann::json;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Eigen::VectorXd codes(std::initializer_list<double> v) {
  Eigen::VectorXd out(static_cast<Eigen::Index>(v.size()));
  Eigen::Index i = 0;
  for (double x : v) out(i++) = x;
  return out;
}
}  // namespace

TEST(Categorical, ReferenceIsTheMostFrequentTrainingLevel) {
  // levels a, b, c; training rows 0..5: b x3, a x2, c x1; rows 6..9 (not training) are all c.
  const Eigen::VectorXd x = codes({1, 1, 0, 1, 0, 2, 2, 2, 2, 2});
  const CategoricalEncoding e = fitCategoricalEncoding("g", {"a", "b", "c"}, x, {0, 1, 2, 3, 4, 5});
  EXPECT_EQ(e.reference, "b");
  EXPECT_EQ(e.dummies(), (std::vector<std::string>{"g=a", "g=c"}));
  // All rows: c is the most frequent.
  EXPECT_EQ(fitCategoricalEncoding("g", {"a", "b", "c"}, x, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}).reference, "c");
}

TEST(Categorical, TiesGoToTheFirstLevelInSortedOrderAndMissingIsIgnored) {
  const Eigen::VectorXd x = codes({2, 0, kNaN, 2, 0, kNaN, kNaN});
  // Byte order: "20-50" < "<=20" < ">50"; 20-50 and >50 tie with 2 patients each.
  EXPECT_EQ(fitCategoricalEncoding("g", {"20-50", "<=20", ">50"}, x, {0, 1, 2, 3, 4, 5, 6}).reference, "20-50");
}

TEST(Categorical, BadInputIsAnInputError) {
  const Eigen::VectorXd x = codes({0, 1, 1});
  EXPECT_THROW(fitCategoricalEncoding("g", {"b", "a"}, x, {0, 1, 2}), InputError);                 // not sorted
  EXPECT_THROW(fitCategoricalEncoding("g", {"a"}, codes({0, 0}), {0, 1}), InputError);             // one level
  EXPECT_THROW(fitCategoricalEncoding("g", {"a", "b"}, codes({0, 3}), {0, 1}), InputError);        // code out of range
  EXPECT_THROW(fitCategoricalEncoding("g", {"a", "b"}, codes({kNaN, kNaN}), {0, 1}), InputError);  // no value
}

TEST(Categorical, EncodeCohortReplacesTheColumnByItsDummiesInPlace) {
  Cohort c;
  c.time = codes({1, 2, 3, 4});
  c.event = codes({1, 0, 1, 1});
  c.columns = {"u", "g", "v"};
  c.columnModality = {0, 0, 1};
  c.modalities = {"m0", "m1"};
  c.x.resize(4, 3);
  c.x << 1, 0, 5,  //
      2, 1, 6,     //
      3, kNaN, 7,  //
      4, 1, 8;
  std::vector<CategoricalEncoding> enc;
  const Cohort e = encodeCohort(c, {{1, {"x", "y", "z"}}}, {0, 1, 2, 3}, enc);
  ASSERT_EQ(enc.size(), 1u);
  EXPECT_EQ(enc[0].reference, "y");
  EXPECT_EQ(e.columns, (std::vector<std::string>{"u", "g=x", "g=z", "v"}));
  EXPECT_EQ(e.columnModality, (std::vector<int>{0, 0, 0, 1}));
  EXPECT_EQ(e.x(0, 1), 1);
  EXPECT_EQ(e.x(1, 1), 0);
  EXPECT_TRUE(std::isnan(e.x(2, 1)) && std::isnan(e.x(2, 2)));
  EXPECT_EQ(e.x(3, 2), 0);  // z is never seen: its dummy is 0
  EXPECT_EQ(e.x(3, 3), 8);
}

namespace {
// An hgsoc-like cohort with a 3-level categorical column appended to the last modality (so the
// modality blocks stay contiguous); one patient in 7 lacks it.
struct CatFixture {
  Cohort cohort;
  EvaluationOptions options;
  FusionReport report;
  ModelExtras extras;
  std::string text;
};

const CatFixture& catFixture() {
  static const CatFixture f = [] {
    CatFixture fx;
    Cohort c = hgsocCohort(8, 240);
    const Eigen::Index n = c.x.rows();
    Eigen::MatrixXd x(n, c.x.cols() + 1);
    x.leftCols(c.x.cols()) = c.x;
    for (Eigen::Index i = 0; i < n; ++i) x(i, c.x.cols()) = i % 7 == 0 ? kNaN : static_cast<double>((i * 5) % 3);
    c.x = x;
    c.columns.push_back("stage");
    c.columnModality.push_back(static_cast<int>(c.modalities.size()) - 1);
    fx.cohort = c;
    fx.options.bootstrap = 0;
    fx.options.permutations = 0;
    fx.options.categorical = {{static_cast<int>(c.columns.size()) - 1, {"I", "II", "III"}}};
    fx.report = evaluateFusion(c, fx.options);
    std::vector<double> h(fx.report.horizons.data(), fx.report.horizons.data() + fx.report.horizons.size());
    fx.extras = trainingExtras(fx.report.model, fx.report.cohort, fx.report.trainRows, h);
    fx.text = modelText(fusionModelToJson(fx.report.model, fx.extras));
    return fx;
  }();
  return f;
}

void expectInputError(const std::function<void(json&)>& damage, const std::string& fragment) {
  json doc = json::parse(catFixture().text);
  damage(doc);
  try {
    loadModel(doc);
    ADD_FAILURE() << "no InputError for " << fragment;
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}
}  // namespace

TEST(Categorical, EvaluateFusionEncodesOnTheTrainingRowsAndSavesTheEncoding) {
  const CatFixture& f = catFixture();
  ASSERT_TRUE(f.report.encoded);
  ASSERT_EQ(f.report.model.encodings.size(), 1u);
  const CategoricalEncoding& e = f.report.model.encodings[0];
  // The reference is the most frequent level among the training rows.
  int count[3] = {0, 0, 0};
  for (int r : f.report.trainRows)
    if (!std::isnan(f.cohort.x(r, f.cohort.x.cols() - 1))) ++count[static_cast<int>(f.cohort.x(r, f.cohort.x.cols() - 1))];
  int best = 0;
  for (int k = 1; k < 3; ++k)
    if (count[k] > count[best]) best = k;
  EXPECT_EQ(e.reference, (std::vector<std::string>{"I", "II", "III"})[static_cast<size_t>(best)]);
  for (const std::string& d : e.dummies())
    EXPECT_NE(std::find(f.report.model.columns.begin(), f.report.model.columns.end(), d), f.report.model.columns.end()) << d;
  EXPECT_EQ(std::find(f.report.model.columns.begin(), f.report.model.columns.end(), "stage"), f.report.model.columns.end());
  const json doc = json::parse(f.text);
  ASSERT_TRUE(doc.contains("encodings"));
  EXPECT_EQ(doc["encodings"][0]["column"], "stage");
  EXPECT_EQ(doc["encodings"][0]["reference"], e.reference);
  EXPECT_EQ(doc["encodings"][0]["unseen_level"], "reference");
}

TEST(Categorical, RoundTripWithEncodingsIsByteIdentical) {
  const std::string& text = catFixture().text;
  const LoadedModel lm = loadModel(parseModelText(text));
  ASSERT_EQ(lm.model.encodings.size(), 1u);
  EXPECT_EQ(modelText(fusionModelToJson(lm.model, lm.extras)), text);
}

TEST(Categorical, DamagedEncodingsAreInputErrors) {
  expectInputError([](json& d) { d["encodings"][0]["order"] = 1; }, "encodings[0].order is not a field");
  expectInputError([](json& d) { d["encodings"][0]["reference"] = "IV"; }, "encodings[0].reference 'IV' is not one of");
  expectInputError([](json& d) { d["encodings"][0]["levels"] = {"II", "I", "III"}; }, "encodings[0].levels[1] must come after");
  expectInputError([](json& d) { d["encodings"][0]["levels"].push_back("IV"); }, "the dummy 'stage=IV'");
  expectInputError([](json& d) { d["encodings"][0]["unseen_level"] = "error"; }, "encodings[0].unseen_level");
  expectInputError([](json& d) { d["encodings"] = json::array(); }, "encodings is empty");
  expectInputError([](json& d) { d["encodings"].push_back(d["encodings"][0]); }, "is encoded twice");
}
