// Late fusion (fusion.hpp) natively against an independent R implementation of the whole pipeline
// (tests/r/fusion_independent_golden.R -> tests/golden/fusion_independent.json; tests/r/README.md):
// for every case, the cohort is joined from the committed files as `latefuse fuse` would join them,
// fitFusion runs on the committed split with the case's settings, and every submodel (imputation,
// outlier step, scaling, coefficients, score standardisation), every integrator (one per
// combination of modalities, fitted on the intersection), every patient's standardised unimodal
// and fused scores and scoring integrator (scoreFusion), and the test C must match R within 1e-6.
// tests/js/fuse_independent.test.js checks the same through `latefuse fuse`/`score` (WebAssembly).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "latefuse/concordance.hpp"
#include "latefuse/folds.hpp"
#include "latefuse/fusion.hpp"
#include "test_support.hpp"

using namespace latefuse;
using latefuse::testing::goldenJson;
using latefuse::testing::readCsv;
using latefuse::testing::Table;

namespace {

constexpr double kTol = 1e-6;  // |LateFuse - R| <= kTol * max(1, |R|)

const nlohmann::json& golden() { return goldenJson("tests/golden/fusion_independent.json"); }

void expectClose(double actual, double expected, const std::string& label) {
  EXPECT_LE(std::fabs(actual - expected), kTol * std::max(1.0, std::fabs(expected)))
      << label << ": LateFuse " << actual << ", R " << expected;
}

struct Study {
  Cohort cohort;
  std::vector<int> train, test;
};

// The case's cohort: the patients of the first file (the outcome file), each column looked up by
// id in whichever file holds it; a patient absent from a file has no values there.
Study joinStudy(const nlohmann::json& data, const std::vector<std::string>& modalities) {
  std::vector<Table> files;
  for (const auto& f : data["files"]) files.push_back(readCsv(f.get<std::string>()));
  const Table& outcome = files.front();
  const std::string id = data["id"].get<std::string>();
  std::vector<std::map<std::string, size_t>> rowOf(files.size());
  for (size_t k = 0; k < files.size(); ++k)
    for (size_t r = 0; r < files[k].rows; ++r) rowOf[k][files[k].text.at(id)[r]] = r;
  const Eigen::Index n = static_cast<Eigen::Index>(outcome.rows);
  auto column = [&](const std::string& name, std::vector<std::string>* text) {
    for (size_t k = 0; k < files.size(); ++k) {
      if (!files[k].numeric.count(name)) continue;
      Eigen::VectorXd v = Eigen::VectorXd::Constant(n, std::nan(""));
      if (text) text->assign(static_cast<size_t>(n), "");
      for (Eigen::Index i = 0; i < n; ++i) {
        const auto it = rowOf[k].find(outcome.text.at(id)[static_cast<size_t>(i)]);
        if (it == rowOf[k].end()) continue;
        v(i) = files[k].numeric.at(name)[it->second];
        if (text) (*text)[static_cast<size_t>(i)] = files[k].text.at(name)[it->second];
      }
      return v;
    }
    throw std::runtime_error("no file has column " + name);
  };
  Study s;
  Cohort& c = s.cohort;
  c.ids = outcome.text.at(id);
  c.time = column(data["time"].get<std::string>(), nullptr);
  c.event = column(data["event"].get<std::string>(), nullptr);
  c.modalities = modalities;
  for (size_t m = 0; m < modalities.size(); ++m)
    for (const auto& col : data["modalities"][modalities[m]]) {
      c.columns.push_back(col.get<std::string>());
      c.columnModality.push_back(static_cast<int>(m));
    }
  c.x.resize(n, static_cast<Eigen::Index>(c.columns.size()));
  for (size_t j = 0; j < c.columns.size(); ++j) c.x.col(static_cast<Eigen::Index>(j)) = column(c.columns[j], nullptr);
  std::vector<std::string> split;
  column(data["split"].get<std::string>(), &split);
  for (Eigen::Index i = 0; i < n; ++i) (split[static_cast<size_t>(i)] == "test" ? s.test : s.train).push_back(static_cast<int>(i));
  return s;
}

FusionOptions caseOptions(const nlohmann::json& s) {
  FusionOptions o;
  o.presence = PresenceRule::Any;
  o.outlierZ = s["outlier_z"].get<double>();
  const std::string scaling = s["scaling"].get<std::string>();
  o.scaling = scaling == "zscore" ? Scaling::ZScore : scaling == "minmax" ? Scaling::MinMax
                                                                          : Scaling::None;
  o.submodel = RidgeOptions{};
  o.submodel.penalizer = s["penalizer"].get<double>();
  o.integrator = RidgeOptions{};
  o.integrator.penalizer = s["integrator_penalizer"].get<double>();
  o.minPatternSize = s["min_pattern_size"].get<int>();
  o.crossFit = s["integrator_inputs"].get<std::string>() == "cross-fitted";
  if (o.crossFit) o.folds = s["cross_fit_folds"].get<int>();
  o.seed = 1;  // `latefuse fuse`'s default --seed, with which the committed folds were drawn
  o.earlyFusion = false;
  o.ties = s["ties"].get<std::string>() == "breslow" ? Ties::Breslow : Ties::Efron;
  return o;
}

std::string patternName(const std::vector<std::string>& modalities, int mask) {
  std::string out;
  for (int m : patternModalities(mask, static_cast<int>(modalities.size())))
    out += (out.empty() ? "" : "+") + modalities[static_cast<size_t>(m)];
  return out;
}

std::string joined(const nlohmann::json& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : "+") + n.get<std::string>();
  return out;
}

std::vector<std::string> caseNames() {
  std::vector<std::string> out;
  for (const auto& [name, _] : golden()["cases"].items()) out.push_back(name);
  return out;
}

}  // namespace

class IndependentFusion : public ::testing::TestWithParam<std::string> {};

TEST_P(IndependentFusion, MatchesR) {
  const nlohmann::json& g = golden()["cases"][GetParam()];
  const std::vector<std::string> modalities = g["modalities"].get<std::vector<std::string>>();
  const Study s = joinStudy(golden()["data"][g["data"].get<std::string>()], modalities);
  const Cohort& c = s.cohort;
  ASSERT_EQ(static_cast<int>(s.train.size()), g["split"]["train"].get<int>());
  ASSERT_EQ(static_cast<int>(s.test.size()), g["split"]["test"].get<int>());
  const FusionOptions options = caseOptions(g["settings"]);
  if (g.contains("folds") && !g["folds"].is_null()) {
    // The committed folds (R's input) are the ones fitFusion draws: event-stratified, seed 1.
    Eigen::VectorXd trainEvent(static_cast<Eigen::Index>(s.train.size()));
    for (size_t k = 0; k < s.train.size(); ++k) trainEvent(static_cast<Eigen::Index>(k)) = c.event(s.train[k]);
    const Eigen::VectorXi fold = assignFoldsStratified(trainEvent, options.folds, options.seed);
    ASSERT_EQ(g["folds"]["fold"].size(), s.train.size());
    for (size_t k = 0; k < s.train.size(); ++k) {
      ASSERT_EQ(c.ids[static_cast<size_t>(s.train[k])], g["folds"]["id"][k].get<std::string>());
      EXPECT_EQ(fold(static_cast<Eigen::Index>(k)) + 1, g["folds"]["fold"][k].get<int>()) << "training patient " << k;  // 1-based
    }
  }
  const FusionModel fm = fitFusion(c, s.train, options);

  // Submodels.
  ASSERT_EQ(fm.models.size(), modalities.size());
  for (size_t m = 0; m < modalities.size(); ++m) {
    const nlohmann::json& r = g["models"][m];
    const ModalityModel& mm = fm.models[m];
    SCOPED_TRACE(mm.name);
    EXPECT_EQ(mm.trainingPatients, r["patients"].get<int>());
    ASSERT_EQ(mm.columns.size(), r["columns"].size());
    for (size_t j = 0; j < mm.columns.size(); ++j) {
      const Eigen::Index jj = static_cast<Eigen::Index>(j);
      const std::string col = r["columns"][j].get<std::string>();
      EXPECT_EQ(c.columns[static_cast<size_t>(mm.columns[j])], col);
      expectClose(mm.imputeMedian(jj), r["impute"][j].get<double>(), col + " imputation value");
      expectClose(mm.center(jj), r["center"][j].get<double>(), col + " centre");
      expectClose(mm.scale(jj), r["scale"][j].get<double>(), col + " scale");
      if (r.contains("outlier_mean")) {
        ASSERT_EQ(mm.outlierSd.size(), static_cast<Eigen::Index>(mm.columns.size())) << "the outlier step is off";
        if (r["binary"][j].get<bool>()) {
          EXPECT_EQ(mm.outlierSd(jj), 0.0) << col << ": the outlier step must leave a 0/1 column alone";
        } else {
          expectClose(mm.outlierMean(jj), r["outlier_mean"][j].get<double>(), col + " outlier mean");
          expectClose(mm.outlierSd(jj), r["outlier_sd"][j].get<double>(), col + " outlier sd");
          expectClose(mm.outlierMedian(jj), r["impute"][j].get<double>(), col + " outlier median");
        }
      } else {
        EXPECT_EQ(mm.outlierSd.size(), 0) << "no outlier step was asked for";
      }
    }
    const CoxFit& sub = coxFit(mm.fit);
    ASSERT_EQ(sub.coef.size(), static_cast<Eigen::Index>(r["coef"].size()));
    for (Eigen::Index j = 0; j < sub.coef.size(); ++j) {
      expectClose(sub.coef(j), r["coef"][static_cast<size_t>(j)].get<double>(), "coefficient " + std::to_string(j));
      expectClose(sub.means(j), r["means"][static_cast<size_t>(j)].get<double>(), "means " + std::to_string(j));
    }
    expectClose(mm.scoreMean, r["score_mean"].get<double>(), "score mean");
    expectClose(mm.scoreSd, r["score_sd"].get<double>(), "score sd");
  }

  // Integrators: one per combination with enough training patients, on the intersection.
  std::map<std::string, const Integrator*> fitted;
  for (const auto& in : fm.integrators) fitted[patternName(modalities, in.pattern)] = &in;
  std::vector<std::string> expected;
  for (const auto& r : g["integrators"]) expected.push_back(joined(r["pattern"]));
  std::vector<std::string> got;
  for (const auto& [name, _] : fitted) got.push_back(name);
  std::sort(expected.begin(), expected.end());
  ASSERT_EQ(got, expected);
  for (const auto& r : g["integrators"]) {
    const Integrator& in = *fitted.at(joined(r["pattern"]));
    SCOPED_TRACE("integrator " + joined(r["pattern"]));
    EXPECT_EQ(in.patients, r["patients"].get<int>());
    const CoxFit& integrator = coxFit(in.fit);
    ASSERT_EQ(integrator.coef.size(), static_cast<Eigen::Index>(r["coef"].size()));
    for (Eigen::Index j = 0; j < integrator.coef.size(); ++j) {
      expectClose(integrator.coef(j), r["coef"][static_cast<size_t>(j)].get<double>(), "coefficient " + std::to_string(j));
      expectClose(integrator.means(j), r["means"][static_cast<size_t>(j)].get<double>(), "means " + std::to_string(j));
    }
  }

  // Every patient (the golden lists them in row order).
  const nlohmann::json& p = g["patients"];
  std::vector<int> rows(static_cast<size_t>(c.x.rows()));
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<int>(i);
  ASSERT_EQ(p["id"].size(), rows.size());
  const FusionScores sc = scoreFusion(fm, c, rows);
  for (size_t i = 0; i < rows.size(); ++i) {
    const Eigen::Index ii = static_cast<Eigen::Index>(i);
    const std::string id = p["id"][i].get<std::string>();
    SCOPED_TRACE("patient " + id);
    ASSERT_EQ(c.ids[i], id);
    EXPECT_EQ(patternName(modalities, sc.pattern(ii)), p["pattern"][i].get<std::string>());
    EXPECT_EQ(patternName(modalities, sc.usedPattern(ii)), p["scored_by"][i].get<std::string>());
    expectClose(sc.fused(ii), p["fused"][i].get<double>(), "fused score");
    for (size_t m = 0; m < modalities.size(); ++m) {
      const nlohmann::json& v = p["unimodal"][modalities[m]][i];
      if (v.is_null()) EXPECT_TRUE(std::isnan(sc.unimodal(ii, static_cast<Eigen::Index>(m)))) << modalities[m];
      else expectClose(sc.unimodal(ii, static_cast<Eigen::Index>(m)), v.get<double>(), modalities[m] + " score");
    }
  }

  // Harrell's C of the fused score on the test patients.
  Eigen::VectorXd fused(static_cast<Eigen::Index>(s.test.size()));
  for (size_t k = 0; k < s.test.size(); ++k) fused(static_cast<Eigen::Index>(k)) = sc.fused(s.test[k]);
  const Concordance cc = harrellConcordance(survivalRows(c, s.test), fused);
  expectClose(cc.c, g["test_c"]["c"].get<double>(), "test C");
  EXPECT_EQ(cc.concordant, g["test_c"]["concordant"].get<double>());
  EXPECT_EQ(cc.discordant, g["test_c"]["discordant"].get<double>());
}

INSTANTIATE_TEST_SUITE_P(R, IndependentFusion, ::testing::ValuesIn(caseNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });
