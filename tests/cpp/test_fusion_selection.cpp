// Elastic-net selection inside late fusion (parity with R cv.glmnet: tests/golden/fusion_elastic_net.json
// from tests/r/fusion_elastic_net_golden.R), its use by fitFusion and the model file, and the
// per-fold categorical encoding of the repeated cross-validation.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "fixtures.hpp"
#include "latefuse/concordance.hpp"
#include "latefuse/error.hpp"
#include "latefuse/folds.hpp"
#include "latefuse/fusion.hpp"
#include "latefuse/fusion_report.hpp"
#include "latefuse/model_json.hpp"
#include "latefuse/random.hpp"

using namespace latefuse;
using namespace latefuse::testing;

namespace {

std::vector<int> sortedSelection(std::vector<int> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

class ElasticNetSelectionGolden : public ::testing::TestWithParam<std::string> {};

// For one modality's preprocessed columns and R's foldid: lambda_min, lambda_1se and the non-zero
// set at each are cv.glmnet's.
TEST_P(ElasticNetSelectionGolden, MatchesCvGlmnet) {
  const nlohmann::json g = readJson("tests/golden/fusion_elastic_net.json");
  const nlohmann::json& cs = g["cases"][GetParam()];
  SurvivalData d;
  d.time = vec(g["time"]);
  d.event = vec(g["event"]);
  const Eigen::Index n = d.time.size();
  const size_t p = g["columns"].size();
  Eigen::MatrixXd x(n, static_cast<Eigen::Index>(p));
  for (Eigen::Index i = 0; i < n; ++i) x.row(i) = vec(g["x"][static_cast<size_t>(i)]).transpose();
  Eigen::VectorXi foldId(n);
  for (Eigen::Index i = 0; i < n; ++i) foldId(i) = g["foldid"][static_cast<size_t>(i)].get<int>();
  for (LambdaRule rule : {LambdaRule::Min, LambdaRule::OneSE}) {
    ElasticNetSelectionOptions o;
    o.enabled = true;
    o.alpha = cs["alpha"].get<double>();
    o.rule = rule;
    o.folds = 5;
    const ElasticNetSelection s = elasticNetSelection(d, x, o, 1, foldId, g["columns"].get<std::vector<std::string>>());
    EXPECT_NEAR(s.lambdaMin, cs["lambda_min"].get<double>(), 1e-9 * cs["lambda_min"].get<double>());
    EXPECT_NEAR(s.lambda1se, cs["lambda_1se"].get<double>(), 1e-9 * cs["lambda_1se"].get<double>());
    const std::vector<int> want = cs[rule == LambdaRule::Min ? "selected_min" : "selected_1se"].get<std::vector<int>>();
    if (want.empty()) {
      // cv.glmnet's model at this lambda is empty: the documented fallback keeps one column.
      EXPECT_TRUE(s.fallback);
      EXPECT_EQ(s.selected.size(), 1u);
    } else {
      EXPECT_FALSE(s.fallback);
      EXPECT_EQ(sortedSelection(s.selected), want);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(R, ElasticNetSelectionGolden, ::testing::Values("lasso", "enet05"));

// fitFusion selects each modality's columns by elasticNetSelection on that modality's preprocessed
// training columns (seeded stratified folds) and refits the ridge Cox submodel on them; the model
// file records the settings and each modality's lambdas, and round-trips byte for byte.
TEST(FusionElasticNet, SubmodelsUseTheSelectionAndTheModelFileRecordsIt) {
  const Cohort c = cohortFromCsv("tests/data/sim_survival.csv", OutcomeType::Survival);
  std::vector<int> all(static_cast<size_t>(c.x.rows()));
  std::iota(all.begin(), all.end(), 0);
  FusionOptions o;
  o.elasticNet.enabled = true;
  o.elasticNet.rule = LambdaRule::Min;
  o.crossFit = false;
  o.seed = 3;
  const FusionModel fm = fitFusion(c, all, o);
  int someDropped = 0;
  for (size_t m = 0; m < c.modalities.size(); ++m) {
    const ModalityModel& mm = fm.models[m];
    SCOPED_TRACE(mm.name);
    std::vector<int> rows;
    for (int r : all)
      for (int col : mm.columns)
        if (!std::isnan(c.x(r, col))) {
          rows.push_back(r);
          break;
        }
    Eigen::MatrixXd x(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(mm.columns.size()));
    for (size_t j = 0; j < mm.columns.size(); ++j) {
      for (size_t k = 0; k < rows.size(); ++k) x(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(j)) = c.x(rows[k], mm.columns[j]);
      const double mean = x.col(static_cast<Eigen::Index>(j)).mean();
      const double sd = std::sqrt((x.col(static_cast<Eigen::Index>(j)).array() - mean).square().sum() / static_cast<double>(rows.size() - 1));
      x.col(static_cast<Eigen::Index>(j)) = (x.col(static_cast<Eigen::Index>(j)).array() - mean) / sd;
    }
    const SurvivalData d = survivalRows(c, rows);
    const ElasticNetSelection s = elasticNetSelection(d, x, o.elasticNet, o.seed);
    EXPECT_TRUE(mm.elasticNet.used);
    EXPECT_EQ(mm.selected, s.selected);
    EXPECT_EQ(mm.elasticNet.lambda, s.lambdaMin);
    someDropped += mm.selected.size() < mm.columns.size();
    Eigen::MatrixXd xs(x.rows(), static_cast<Eigen::Index>(s.selected.size()));
    for (size_t k = 0; k < s.selected.size(); ++k) xs.col(static_cast<Eigen::Index>(k)) = x.col(s.selected[k]);
    CoxOptions co;
    co.penalizer = 0.1;
    const CoxFit direct = fitCox(d, xs, co);
    for (Eigen::Index j = 0; j < direct.coef.size(); ++j) EXPECT_NEAR(coxFit(mm.fit).coef(j), direct.coef(j), 1e-10);
    for (size_t j = 0; j < mm.status.size(); ++j) {
      const bool in = std::find(mm.selected.begin(), mm.selected.end(), static_cast<int>(j)) != mm.selected.end();
      EXPECT_EQ(mm.status[j], in ? FeatureStatus::Selected : FeatureStatus::ElasticNetZero);
    }
  }
  EXPECT_GT(someDropped, 0);  // the lasso drops noise columns somewhere

  ModelExtras ex = trainingExtras(fm, c, all);
  const nlohmann::json doc = fusionModelToJson(fm, ex);
  EXPECT_EQ(doc["training"]["settings"]["elastic_net"]["lambda_rule"], "min");
  EXPECT_EQ(doc["modalities"][0]["elastic_net"]["lambda"].get<double>(), fm.models[0].elasticNet.lambda);
  const std::string text = modelText(doc);
  const LoadedModel lm = loadModel(parseModelText(text));
  EXPECT_EQ(modelText(fusionModelToJson(lm.model, lm.extras)), text);
  EXPECT_TRUE(lm.model.options.elasticNet.enabled);
  nlohmann::json bad = doc;
  bad["modalities"][0]["elastic_net"]["lambda"] = 12345.0;
  try {
    loadModel(bad);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("modalities[0].elastic_net.lambda differs from lambda_min"), std::string::npos) << e.what();
  }
  bad = doc;
  bad["modalities"][1].erase("elastic_net");
  EXPECT_THROW(loadModel(bad), InputError);

  // Cross-fitting repeats the selection inside every fold: the system still fits, with the same
  // final submodels (they are fitted on all training patients either way).
  o.crossFit = true;
  const FusionModel cf = fitFusion(c, all, o);
  for (size_t m = 0; m < c.modalities.size(); ++m) EXPECT_EQ(cf.models[m].selected, fm.models[m].selected);
  // 1se: never more columns than min.
  o.elasticNet.rule = LambdaRule::OneSE;
  o.crossFit = false;
  const FusionModel se = fitFusion(c, all, o);
  for (size_t m = 0; m < c.modalities.size(); ++m) {
    EXPECT_LE(se.models[m].selected.size(), fm.models[m].selected.size());
    EXPECT_EQ(se.models[m].elasticNet.lambda, se.models[m].elasticNet.lambda1se);
  }
  FusionOptions both = o;
  both.selectFeatures = true;
  EXPECT_THROW(fitFusion(c, all, both), InputError);
  FusionOptions badAlpha = o;
  badAlpha.elasticNet.alpha = 0;
  EXPECT_THROW(fitFusion(c, all, badAlpha), InputError);
}

// The repeated CV encodes categorical columns on each fold's training rows. With three levels and
// a ridge penalty, the reference level (which dummy is dropped) changes the fit, so a fold whose
// training rows have another most frequent level than the holdout training rows gives a different
// C than the holdout encoding would: this test fails with the old behaviour (holdout encoding reused).
TEST(FusionCategorical, RepeatedCvEncodesEachFoldOnItsTrainingRows) {
  Cohort raw = lungCohort({"age", "sex", "ph.ecog", "ph.karno"});
  raw.columns.push_back("site");
  raw.columnModality.push_back(0);
  const Eigen::Index n = raw.x.rows();
  raw.x.conservativeResize(n, 5);
  Random rng(17);
  for (Eigen::Index k = 0; k < n; ++k) {
    const double u = rng.uniform();
    const double level = u < 0.4 ? 0 : u < 0.8 ? 1
                                               : 2;  // "a" and "b" about equally frequent
    raw.x(k, 4) = level;
    raw.time(k) *= 1 + 0.3 * level;  // the site matters
  }
  const std::vector<CategoricalColumn> categorical = {CategoricalColumn{4, {"a", "b", "c"}}};
  EvaluationOptions o = crossValidationOptions(5, 2);
  o.categorical = categorical;
  o.testIndicator = Eigen::VectorXi::Zero(n);
  for (Eigen::Index i = 0; i < n; i += 3) o.testIndicator(i) = 1;
  o.fusion.submodel.penalizer = 0.5;
  const FusionReport rep = evaluateFusion(raw, o);
  ASSERT_TRUE(rep.encoded);
  const CrossValidationModel* lateCv = nullptr;
  for (const auto& m : rep.crossValidation.models)
    if (m.kind == "late") lateCv = &m;
  ASSERT_NE(lateCv, nullptr);
  const std::string holdoutReference = rep.model.encodings[0].reference;

  std::vector<int> usable(static_cast<size_t>(n));
  std::iota(usable.begin(), usable.end(), 0);
  int differing = 0, changed = 0;
  for (int r = 0; r < o.cvRepeats; ++r) {
    const Eigen::VectorXi fold = assignFoldsStratified(raw.event, o.cvFolds, o.seed + 7919ULL * static_cast<uint64_t>(r + 1));
    for (int f = 0; f < o.cvFolds; ++f) {
      std::vector<int> fitRows, outRows;
      for (int i : usable) (fold(i) == f ? outRows : fitRows).push_back(i);
      std::vector<CategoricalEncoding> enc;
      const Cohort own = encodeCohort(raw, categorical, fitRows, enc);
      const FusionModel fm = fitFusion(own, fitRows, o.fusion);
      const double expected = harrellConcordance(survivalRows(own, outRows), scoreFusion(fm, own, outRows).fused).c;
      EXPECT_NEAR(lateCv->testC(r, f), expected, 1e-12) << "repeat " << r << " fold " << f;
      if (enc[0].reference != holdoutReference) {
        ++differing;
        // What the old behaviour computed: the holdout encoding reused in this fold.
        const FusionModel old = fitFusion(rep.cohort, fitRows, o.fusion);
        const double oldC = harrellConcordance(survivalRows(rep.cohort, outRows), scoreFusion(old, rep.cohort, outRows).fused).c;
        changed += std::fabs(oldC - expected) > 1e-9;
      }
    }
  }
  EXPECT_GT(differing, 0) << "no fold has another reference level; the test would not discriminate";
  EXPECT_GT(changed, 0);
}
