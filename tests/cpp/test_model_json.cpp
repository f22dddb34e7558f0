// The model file (model_json.hpp): byte-identical round trip, identical scores after reloading,
// scoring from raw features and from typed unimodal scores, and a clear InputError for each kind of
// damaged file.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

#include "fixtures.hpp"
#include "latefuse/error.hpp"
#include "latefuse/fusion.hpp"
#include "latefuse/model_json.hpp"
#include "latefuse/simulator.hpp"

using namespace latefuse;
using namespace latefuse::testing;
using nlohmann::json;

namespace {

struct Fixture {
  Cohort cohort;
  std::vector<int> train, test;
  FusionModel model;
  ModelExtras extras;
};

// A small hgsoc-like cohort (200 patients, some cells missing), 150 training patients; screening
// and the outlier step on, so every part of the file is exercised.
const Fixture& fixture() {
  static const Fixture f = [] {
    Fixture x;
    SimulationOptions so = hgsocOptions(21, 200);
    so.cellMissing = 0.03;
    x.cohort = cohortFromSimulation(simulate(so));
    for (int i = 0; i < 200; ++i) (i % 4 == 3 ? x.test : x.train).push_back(i);
    FusionOptions o;
    o.outlierZ = 4;
    o.selectFeatures = true;
    o.screening.maxQ = 0.5;
    o.minPatternSize = 10;
    x.model = fitFusion(x.cohort, x.train, o);
    x.extras = trainingExtras(x.model, x.cohort, x.train, {12, 24, 60});
    x.extras.timeUnit = "months";
    x.extras.hasRiskGroups = true;
    x.extras.riskGroups.cutPoints = {0.25, 0.5};
    x.extras.riskGroups.labels = {"low", "intermediate", "high"};
    x.extras.evaluation = {{"harrell_c", 0.71}, {"split", "test"}};
    return x;
  }();
  return f;
}

std::string savedText() { return modelText(fusionModelToJson(fixture().model, fixture().extras)); }

// The message of the InputError that loading `doc` throws ("" if none).
std::string loadError(const json& doc) {
  try {
    loadModel(doc);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

json tampered(const std::function<void(json&)>& edit) {
  json doc = parseModelText(savedText());
  edit(doc);
  return doc;
}

}  // namespace

TEST(ModelJson, RoundTripIsByteIdentical) {
  const std::string text = savedText();
  const LoadedModel loaded = loadModel(parseModelText(text));
  const std::string again = modelText(fusionModelToJson(loaded.model, loaded.extras));
  EXPECT_EQ(again, text);
  // And once more from the reloaded model (load -> save -> load -> save).
  const LoadedModel twice = loadModel(parseModelText(again));
  EXPECT_EQ(modelText(fusionModelToJson(twice.model, twice.extras)), text);
  // Saving twice gives the same bytes: no creation date or other varying field.
  EXPECT_EQ(savedText(), text);
  const json doc = parseModelText(text);
  EXPECT_EQ(doc["schema_version"], 3);
  EXPECT_EQ(doc["software"]["name"], "latefuse");
  EXPECT_EQ(doc["kind"], "late-fusion");
  EXPECT_FALSE(doc.contains("created"));
  EXPECT_EQ(doc["outcome"]["time_unit"], "months");
  EXPECT_EQ(doc["modalities"].size(), 4u);
  EXPECT_FALSE(doc["integrators"].empty());
  EXPECT_TRUE(doc["early_fusion"].is_object());
  EXPECT_EQ(doc["risk_percentiles"].size(), 101u);
  EXPECT_EQ(doc["evaluation"]["split"], "test");
  EXPECT_EQ(text.back(), '\n');
}

TEST(ModelJson, ReloadedModelScoresExactlyAsTheModelInMemory) {
  const Fixture& f = fixture();
  const LoadedModel memory{f.model, f.extras};
  const LoadedModel loaded = loadModel(parseModelText(savedText()));
  std::vector<int> everyone(200);
  std::iota(everyone.begin(), everyone.end(), 0);
  const ScoringData data = scoringData(f.cohort, everyone);
  const ModelScores a = scoreWithModel(memory, data);
  const ModelScores b = scoreWithModel(loaded, data);
  expectSameScores(a, b);
  EXPECT_EQ(a.ids, data.ids);
  // ... and as fusion's own scoreFusion.
  const FusionScores direct = scoreFusion(f.model, f.cohort, everyone);
  expectSame(a.fused, direct.fused, "fused vs scoreFusion");
  expectSame(a.unimodal, direct.unimodal, "unimodal vs scoreFusion");
  expectSame(a.early, direct.early, "early vs scoreFusion");
  // The file's test patients: S(t) is a probability, its CI contains it, decreasing in t.
  for (Eigen::Index k = 0; k < a.surv.rows(); ++k) {
    EXPECT_TRUE(std::isfinite(a.fused(k)));
    EXPECT_NEAR(a.hazardRatio(k), std::exp(a.coxLp(k)), 1e-15 * a.hazardRatio(k));
    EXPECT_GE(a.percentile(k), 0);
    EXPECT_LE(a.percentile(k), 100);
    // Risk groups and percentiles are on the predicted risk 1 - S(t_ref) at the middle horizon.
    ASSERT_EQ(a.referenceHorizon, a.horizons(1));
    EXPECT_NEAR(a.risk(k), 1 - a.surv(k, 1), 1e-12);
    EXPECT_EQ(a.riskGroup(k), (a.risk(k) > 0.25) + (a.risk(k) > 0.5));
    for (Eigen::Index t = 0; t < 3; ++t) {
      EXPECT_GT(a.surv(k, t), 0);
      EXPECT_LE(a.surv(k, t), 1);
      EXPECT_LE(a.survLower(k, t), a.surv(k, t));
      EXPECT_GE(a.survUpper(k, t), a.surv(k, t));
      if (t) EXPECT_LE(a.surv(k, t), a.surv(k, t - 1));
    }
  }
}

TEST(ModelJson, ScoringMatchesColumnsByNameAndExplainsFallbacks) {
  const Fixture& f = fixture();
  const LoadedModel lm{f.model, f.extras};
  ScoringData data = scoringData(f.cohort, f.test);
  const ModelScores base = scoreWithModel(lm, data);
  // Reversed column order plus an unrelated column: the same scores.
  ScoringData shuffled;
  shuffled.ids = data.ids;
  shuffled.columns = {"age"};
  shuffled.x.resize(data.x.rows(), data.x.cols() + 1);
  shuffled.x.col(0).setConstant(60);
  for (Eigen::Index j = 0; j < data.x.cols(); ++j) {
    shuffled.columns.push_back(data.columns[static_cast<size_t>(data.x.cols() - 1 - j)]);
    shuffled.x.col(j + 1) = data.x.col(data.x.cols() - 1 - j);
  }
  expectSame(scoreWithModel(lm, shuffled).fused, base.fused, "shuffled columns");

  // A patient with only radiomics + histopathology + genomic (no clinical): a pattern no training
  // patient had (clinical is everyone's), but every training patient with all four modalities has
  // these three, so the combination has an integrator of its own: no fallback.
  ScoringData one = scoringData(f.cohort, {f.test[0]});
  one.x.row(0).setConstant(1.0);
  const int M = static_cast<int>(f.model.modalities.size());
  for (Eigen::Index j = 0; j < one.x.cols(); ++j)
    if (f.model.modalities[static_cast<size_t>(f.model.columnModality[static_cast<size_t>(j)])] == "clinical")
      one.x(0, j) = std::nan("");
  const ModelScores r = scoreWithModel(lm, one);
  EXPECT_EQ(r.pattern(0), (1 << M) - 1 - 8);
  EXPECT_FALSE(r.fallback[0]);
  EXPECT_EQ(r.usedPattern(0), r.pattern(0));
  EXPECT_TRUE(std::isnan(r.unimodal(0, 3)));
  EXPECT_TRUE(std::isnan(r.contribution(0, 3)));
  EXPECT_EQ(r.contribution(0, 0) + r.contribution(0, 1) + r.contribution(0, 2), r.fused(0));
  // With the threshold one above that combination's training patients it has none: the fallback
  // to the richest sub-combination, with its reason.
  int have7 = 0;
  for (const auto& [mask, count] : f.model.trainingPatterns) have7 += (mask & 7) == 7 ? count : 0;
  FusionOptions rareOptions = f.model.options;
  rareOptions.minPatternSize = have7 + 1;
  const FusionModel rareModel = fitFusion(f.cohort, f.train, rareOptions);
  const LoadedModel rare{rareModel, trainingExtras(rareModel, f.cohort, f.train, {12, 24, 60})};
  const ModelScores rf = scoreWithModel(rare, one);
  EXPECT_TRUE(rf.fallback[0]);
  EXPECT_NE(rf.note[0].find("fallback: pattern radiomics+histopathology+genomic: " + std::to_string(have7) +
                            " training patients had all of its modalities (fewer than " + std::to_string(have7 + 1) + ")"),
            std::string::npos)
      << rf.note[0];
  EXPECT_EQ(__builtin_popcount(static_cast<unsigned>(rf.usedPattern(0))), 2);

  // A single-modality patient: the single-modality integrator on its standardised score, S(t)
  // from that integrator with a CI, its contribution = the fused lp.
  for (Eigen::Index j = 0; j < one.x.cols(); ++j)
    if (f.model.columnModality[static_cast<size_t>(j)] != 3) one.x(0, j) = std::nan("");
    else one.x(0, j) = f.cohort.x(f.test[0], j);
  const ModelScores single = scoreWithModel(lm, one);
  ASSERT_GE(single.integrator(0), 0);
  EXPECT_EQ(f.model.integrators[static_cast<size_t>(single.integrator(0))].pattern, 8);
  EXPECT_EQ(single.pattern(0), 8);
  EXPECT_EQ(single.contribution(0, 3), single.fused(0));
  EXPECT_LT(single.survLower(0, 1), single.surv(0, 1));
  // Without any integrator (threshold above every combination): the submodel's score and S(t).
  FusionOptions bareOptions = f.model.options;
  bareOptions.minPatternSize = 100000;
  const FusionModel bareModel = fitFusion(f.cohort, f.train, bareOptions);
  const LoadedModel bare{bareModel, trainingExtras(bareModel, f.cohort, f.train, {12, 24, 60})};
  const ModelScores alone = scoreWithModel(bare, one);
  EXPECT_EQ(alone.integrator(0), -1);
  EXPECT_EQ(alone.fused(0), alone.unimodal(0, 3));
  EXPECT_NEAR(alone.coxLp(0), alone.unimodal(0, 3) * bareModel.models[3].scoreSd + bareModel.models[3].scoreMean, 1e-12);
  EXPECT_NEAR(alone.risk(0), 1 - alone.surv(0, 1), 1e-12);
  EXPECT_LT(alone.survLower(0, 1), alone.surv(0, 1));

  // Errors: a missing model column; a patient with no modality.
  ScoringData lacking = data;
  lacking.columns[2] = "renamed";
  try {
    scoreWithModel(lm, lacking);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("the data lack the model's column " + data.columns[2]), std::string::npos) << e.what();
  }
  ScoringData empty = scoringData(f.cohort, {f.test[1]});
  empty.x.setConstant(std::nan(""));
  try {
    scoreWithModel(lm, empty);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("patient '" + empty.ids[0] + "' (row 1) has no modality"), std::string::npos) << e.what();
  }
}

TEST(ModelJson, TypedScoresGiveTheSameResults) {
  const Fixture& f = fixture();
  const LoadedModel lm{f.model, f.extras};
  const ModelScores raw = scoreWithModel(lm, scoringData(f.cohort, f.test));
  const ModelScores typed = scoreFromModalityScores(lm, raw.ids, raw.unimodal);
  EXPECT_EQ(typed.pattern, raw.pattern);
  EXPECT_EQ(typed.integrator, raw.integrator);
  EXPECT_EQ(typed.riskGroup, raw.riskGroup);
  int singles = 0;
  for (Eigen::Index k = 0; k < raw.fused.size(); ++k) {
    EXPECT_EQ(typed.fused(k), raw.fused(k)) << k;
    EXPECT_EQ(typed.percentile(k), raw.percentile(k)) << k;
    EXPECT_NEAR(typed.coxLp(k), raw.coxLp(k), 1e-12 * (1 + std::fabs(raw.coxLp(k))));
    for (Eigen::Index t = 0; t < raw.surv.cols(); ++t) {
      EXPECT_NEAR(typed.surv(k, t), raw.surv(k, t), 1e-13);
      if (raw.integrator(k) >= 0) {
        EXPECT_EQ(typed.survLower(k, t), raw.survLower(k, t));
        EXPECT_EQ(typed.survUpper(k, t), raw.survUpper(k, t));
      } else {
        EXPECT_TRUE(std::isnan(typed.survLower(k, t)));
      }
    }
    if (__builtin_popcount(static_cast<unsigned>(raw.usedPattern(k))) == 1) ++singles;
  }
  EXPECT_GT(singles, 0);
  // Any subset of modalities.
  Eigen::MatrixXd two = Eigen::MatrixXd::Constant(1, 4, std::nan(""));
  two(0, 1) = 0.3;
  two(0, 3) = -1.2;
  const ModelScores t2 = scoreFromModalityScores(lm, {"new"}, two);
  EXPECT_EQ(t2.pattern(0), 2 + 8);
  EXPECT_TRUE(std::isfinite(t2.fused(0)));
  EXPECT_THROW(scoreFromModalityScores(lm, {"none"}, Eigen::MatrixXd::Constant(1, 4, std::nan(""))), InputError);
  EXPECT_THROW(scoreFromModalityScores(lm, {}, Eigen::MatrixXd::Zero(1, 3)), InputError);
}

TEST(ModelJson, NewerSchemaVersion) {
  const std::string e = loadError(tampered([](json& d) { d["schema_version"] = 4; }));
  EXPECT_EQ(e, "model file was written by a newer LateFuse (schema_version 4 > 3); update LateFuse");
  // A file of the earlier design is refused with the way to rebuild it, not scored on another scale.
  const std::string old = loadError(tampered([](json& d) { d["schema_version"] = 1; }));
  EXPECT_NE(old.find("schema_version 1, written by an earlier LateFuse"), std::string::npos) << old;
  EXPECT_NE(old.find("Rebuild the model from its training data with `latefuse fuse ... --model-out`"), std::string::npos) << old;
  // Even when the rest of the document is unknown.
  EXPECT_EQ(loadError(json{{"schema_version", 7}, {"something", "else"}}),
            "model file was written by a newer LateFuse (schema_version 7 > 3); update LateFuse");
  EXPECT_NE(loadError(json{{"patients", 3}}).find("schema_version is missing"), std::string::npos);
  EXPECT_NE(loadError(tampered([](json& d) { d["schema_version"] = "1"; })).find("schema_version must be a whole number"), std::string::npos);
}

TEST(ModelJson, WrongArrayLength) {
  const std::string e = loadError(tampered([](json& d) { d["integrators"][0]["cox"]["coef"].push_back(0.5); }));
  const size_t k = parseModelText(savedText())["integrators"][0]["pattern"].size();
  EXPECT_NE(e.find("model file: integrators[0].cox.coef has " + std::to_string(k + 1) + " values but the pattern has " + std::to_string(k) +
                   " modalities"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("export the model again"), std::string::npos) << e;
  const std::string v = loadError(tampered([](json& d) { d["integrators"][1]["cox"]["var"][0].erase(0); }));
  EXPECT_NE(v.find("integrators[1].cox.var[0] has"), std::string::npos) << v;
  const std::string b = loadError(tampered([](json& d) { d["integrators"][0]["cox"]["baseline_from"]["scale"].erase(0); }));
  EXPECT_NE(b.find("integrators[0].cox.baseline_from.scale has"), std::string::npos) << b;
  const std::string t = loadError(tampered([](json& d) { d["integrator_training"]["event"][0] = 2; }));
  EXPECT_NE(t.find("integrator_training.event[0] must be a whole number from 0 to 1, got 2"), std::string::npos) << t;
  const std::string p = loadError(tampered([](json& d) { d["risk_percentiles"].erase(3); }));
  EXPECT_NE(p.find("risk_percentiles has 100 values but it needs the 0th to 100th percentiles"), std::string::npos) << p;
}

TEST(ModelJson, NonFiniteNumber) {
  const std::string a = loadError(tampered([](json& d) { d["modalities"][0]["score"]["sd"] = std::nan(""); }));
  EXPECT_NE(a.find("modalities[0].score.sd must be a finite number"), std::string::npos) << a;
  const std::string b = loadError(tampered([](json& d) { d["integrators"][0]["cox"]["means"][0] = nullptr; }));
  EXPECT_NE(b.find("integrators[0].cox.means[0] must be a number, got null"), std::string::npos) << b;
  const std::string c = loadError(tampered([](json& d) { d["modalities"][2]["features"][0]["scale"] = 0.0; }));
  EXPECT_NE(c.find("modalities[2].features[0].scale must be > 0"), std::string::npos) << c;
  const std::string h = loadError(tampered([](json& d) { d["horizons"] = {24, 12}; }));
  EXPECT_NE(h.find("horizons[1] must be larger than the horizon before it"), std::string::npos) << h;
  // The writer refuses a model with a non-finite number instead of writing null.
  FusionModel broken = fixture().model;
  broken.models[0].scoreSd = std::nan("");
  try {
    fusionModelToJson(broken, fixture().extras);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot save the model: modalities[0].score.sd must be a finite number"), std::string::npos) << e.what();
  }
  EXPECT_THROW(fusionModelToJson(fixture().model, ModelExtras{}), InputError);
}

TEST(ModelJson, UnknownModalityInPattern) {
  const std::string e = loadError(tampered([](json& d) { d["integrators"][0]["pattern"][0] = "proteomics"; }));
  EXPECT_NE(e.find("integrators[0].pattern[0] is 'proteomics', which is not a modality of this model (radiomics, histopathology, genomic, clinical)"),
            std::string::npos)
      << e;
  const std::string o = loadError(tampered([](json& d) {
    auto& p = d["integrators"][2]["pattern"];  // radiomics+histopathology (bitmask 3)
    std::swap(p[0], p[1]);
  }));
  EXPECT_NE(o.find("is repeated or out of order"), std::string::npos) << o;
  const std::string t = loadError(tampered([](json& d) { d["training"]["patterns"][0]["modalities"] = {"radiomics", "proteomics"}; }));
  EXPECT_NE(t.find("training.patterns[0].modalities[1] is 'proteomics'"), std::string::npos) << t;
}

TEST(ModelJson, MissingOrUnknownKey) {
  const std::string e = loadError(tampered([](json& d) { d["modalities"][1].erase("submodel"); }));
  EXPECT_NE(e.find("model file: modalities[1].submodel is missing"), std::string::npos) << e;
  const std::string s = loadError(tampered([](json& d) { d["training"]["settings"].erase("presence"); }));
  EXPECT_NE(s.find("training.settings.presence is missing"), std::string::npos) << s;
  const std::string u = loadError(tampered([](json& d) { d["modalities"][0]["features"][0]["colour"] = "red"; }));
  EXPECT_NE(u.find("modalities[0].features[0].colour is not a field of a LateFuse model"), std::string::npos) << u;
}

TEST(ModelJson, InconsistentSections) {
  // Pattern counts that do not add up, an integrator whose patients disagree with them, a
  // submodel feature the modality does not have, early fusion on other features, bad JSON.
  const std::string a = loadError(tampered([](json& d) { d["training"]["patients"] = 999; }));
  EXPECT_NE(a.find("training.patterns count 150 patients but training.patients is 999"), std::string::npos) << a;
  const std::string b = loadError(tampered([](json& d) { d["integrators"][0]["patients"] = d["integrators"][0]["patients"].get<int>() + 1; }));
  EXPECT_NE(b.find("integrators[0].patients is"), std::string::npos) << b;
  const std::string c = loadError(tampered([](json& d) { d["modalities"][0]["submodel"]["features"][0] = "genomic_01"; }));
  EXPECT_NE(c.find("modalities[0].submodel.features[0] 'genomic_01' is not one of modalities[0].features"), std::string::npos) << c;
  const std::string e = loadError(tampered([](json& d) { d["early_fusion"]["features"].erase(0); }));
  EXPECT_NE(e.find("early_fusion.features has"), std::string::npos) << e;
  const std::string k = loadError(tampered([](json& d) { d["kind"] = "early-fusion"; }));
  EXPECT_NE(k.find("kind is 'early-fusion'; this LateFuse scores 'late-fusion' models"), std::string::npos) << k;
  EXPECT_THROW(parseModelText("{\"schema_version\": 1,"), InputError);
  // A number beyond the double range is refused when the text is read.
  try {
    parseModelText("{\"schema_version\": 1, \"x\": 1e999}");
    FAIL() << "expected an InputError";
  } catch (const InputError& x) {
    EXPECT_NE(std::string(x.what()).find("number overflow parsing '1e999'"), std::string::npos) << x.what();
  }
  try {
    parseModelText("not json");
  } catch (const InputError& x) {
    EXPECT_NE(std::string(x.what()).find("model file is not valid JSON"), std::string::npos) << x.what();
  }
}

TEST(ModelJson, TrainingExtras) {
  const Fixture& f = fixture();
  const ModelExtras ex = trainingExtras(f.model, f.cohort, f.train);
  EXPECT_EQ(ex.trainingPatients, 150);
  int events = 0;
  for (int r : f.train) events += static_cast<int>(f.cohort.event(r));
  EXPECT_EQ(ex.trainingEvents, events);
  ASSERT_EQ(ex.riskPercentiles.size(), 101u);
  // The percentiles are of the training patients' predicted risks at the middle horizon, each from
  // the integrator that scores their own pattern.
  const FusionScores s = scoreFusion(f.model, f.cohort, f.train);
  ASSERT_EQ(ex.referenceHorizon, ex.horizons[(ex.horizons.size() - 1) / 2]);
  Eigen::VectorXd risk(s.fused.size());
  for (Eigen::Index k = 0; k < risk.size(); ++k) {
    const Integrator& in = f.model.integrators[static_cast<size_t>(s.integrator(k))];
    risk(k) = 1 - survivalAtTimes(coxFit(in.fit), Eigen::VectorXd::Constant(1, s.fused(k)), Eigen::VectorXi(),
                                  Eigen::VectorXd::Constant(1, ex.referenceHorizon))(0, 0);
  }
  EXPECT_EQ(ex.riskPercentiles.front(), risk.minCoeff());
  EXPECT_EQ(ex.riskPercentiles.back(), risk.maxCoeff());
  // Default horizons: the event-time quartiles, 3 significant digits, increasing.
  ASSERT_FALSE(ex.horizons.empty());
  for (size_t k = 1; k < ex.horizons.size(); ++k) EXPECT_GT(ex.horizons[k], ex.horizons[k - 1]);
  // The training patients' percentiles of their own scores are spread over 0..100.
  const LoadedModel lm{f.model, ex};
  const ModelScores sc = scoreWithModel(lm, scoringData(f.cohort, f.train));
  EXPECT_NEAR(sc.percentile.mean(), 50, 2);
  EXPECT_EQ(sc.percentile.minCoeff(), 0);
  EXPECT_EQ(sc.percentile.maxCoeff(), 100);
  EXPECT_EQ(sc.riskGroup.maxCoeff(), -1);  // no cut-points in these extras
}

// A covariance matrix must be one: an asymmetric or indefinite `var` (a hand-edited file) would
// silently change every CI. The saved file itself passes (its own rounding is within tolerance).
TEST(ModelJson, CovarianceMustBeSymmetricAndPositiveSemiDefinite) {
  EXPECT_EQ(loadError(parseModelText(savedText())), "");
  const json doc = parseModelText(savedText());
  // The last integrator is the one of every modality (a 4 x 4 covariance); the first has one.
  const json& var = doc["integrators"].back()["cox"]["var"];
  ASSERT_GE(var.size(), 2u);
  const std::string last = "integrators[" + std::to_string(doc["integrators"].size() - 1) + "]";
  const std::string a = loadError(tampered([](json& d) {
    json& v = d["integrators"].back()["cox"]["var"];
    v[0][1] = v[0][1].get<double>() + 0.5 * std::abs(v[0][0].get<double>());
  }));
  EXPECT_NE(a.find("model file: " + last + ".cox.var[0][1] is "), std::string::npos) << a;
  EXPECT_NE(a.find("but [1][0] is"), std::string::npos) << a;
  EXPECT_NE(a.find("symmetric"), std::string::npos) << a;
  // Symmetric but with a negative variance on the diagonal: not positive semi-definite.
  const std::string n = loadError(tampered([](json& d) {
    json& v = d["integrators"][0]["cox"]["var"];
    v[0][0] = -std::abs(v[0][0].get<double>()) - 1.0;
  }));
  EXPECT_NE(n.find("integrators[0].cox.var is not positive semi-definite (smallest variance, [0][0], is -"), std::string::npos) << n;
  // Every variance positive but a correlation above 1: not positive semi-definite either.
  const std::string r = loadError(tampered([](json& d) {
    json& v = d["integrators"].back()["cox"]["var"];
    const double c = 2 * std::sqrt(v[0][0].get<double>() * v[1][1].get<double>());
    v[0][1] = c;
    v[1][0] = c;
  }));
  EXPECT_NE(r.find(last + ".cox.var is not positive semi-definite"), std::string::npos) << r;
  // A change far below the tolerance (the rounding of a rewritten file) is accepted.
  EXPECT_EQ(loadError(tampered([](json& d) {
              json& v = d["integrators"].back()["cox"]["var"];
              v[0][1] = v[0][1].get<double>() * (1 + 1e-13);
            })),
            "");
}

// The file keeps a Cox model's baseline hazard and covariance only where scoring reads them: every
// integrator, and the submodel of a modality without an integrator of its own (it scores the
// patients no integrator covers, with its own S(t)); not early fusion (linear predictor only) nor
// the submodel of a modality that has one. Scores, S(t) and its CI are those of the model in memory.
TEST(ModelJson, FileKeepsTheBaselinesScoringReads) {
  const Fixture& f = fixture();
  const int M = static_cast<int>(f.model.modalities.size());
  // The threshold one above the rarest modality's training patients: that modality (and every
  // combination with it) has no integrator, the others keep their single-modality integrators.
  std::vector<int> have(static_cast<size_t>(M), 0);
  for (const auto& [mask, count] : f.model.trainingPatterns)
    for (int m = 0; m < M; ++m) have[static_cast<size_t>(m)] += (mask >> m) & 1 ? count : 0;
  const int rare = static_cast<int>(std::min_element(have.begin(), have.end()) - have.begin());
  FusionOptions o = f.model.options;
  o.minPatternSize = have[static_cast<size_t>(rare)] + 1;
  const FusionModel model = fitFusion(f.cohort, f.train, o);
  const ModelExtras extras = trainingExtras(model, f.cohort, f.train, {12, 24, 60});
  const std::string text = modelText(fusionModelToJson(model, extras));
  const json doc = parseModelText(text);
  int withIntegrator = 0;
  for (int m = 0; m < M; ++m) {
    bool own = false;
    for (const Integrator& in : model.integrators) own = own || in.pattern == (1 << m);
    withIntegrator += own;
    const json& cox = doc["modalities"][static_cast<size_t>(m)]["submodel"]["cox"];
    EXPECT_EQ(cox.contains("baseline"), !own) << model.modalities[static_cast<size_t>(m)];
    EXPECT_EQ(cox.contains("var"), !own) << model.modalities[static_cast<size_t>(m)];
    EXPECT_TRUE(cox.contains("coef") && cox.contains("means"));
  }
  ASSERT_GE(withIntegrator, 1);
  ASSERT_LT(withIntegrator, M);  // the rare modality has none
  // An integrator's baseline is recomputed on load from integrator_training (schema_version 3).
  for (const json& in : doc["integrators"]) EXPECT_TRUE(in["cox"].contains("baseline_from") && in["cox"].contains("var"));
  ASSERT_TRUE(doc["early_fusion"].is_object());
  EXPECT_FALSE(doc["early_fusion"]["cox"].contains("baseline"));
  EXPECT_FALSE(doc["early_fusion"]["cox"].contains("var"));

  // Byte-identical round trip, and the same scores, S(t) and CI as the model in memory, for every
  // patient and for one scored by the rare modality alone (the submodel's own S(t)).
  const LoadedModel loaded = loadModel(doc);
  EXPECT_EQ(modelText(fusionModelToJson(loaded.model, loaded.extras)), text);
  std::vector<int> everyone(200);
  std::iota(everyone.begin(), everyone.end(), 0);
  ScoringData data = scoringData(f.cohort, everyone);
  ScoringData alone = scoringData(f.cohort, {f.test[0]});
  for (Eigen::Index j = 0; j < alone.x.cols(); ++j)
    alone.x(0, j) = model.columnModality[static_cast<size_t>(j)] == rare ? 0.5 : std::nan("");
  ScoringOptions so;
  so.times = {6, 30, 1000};
  for (const ScoringData* d : {&data, &alone}) {
    const ModelScores a = scoreWithModel(LoadedModel{model, extras}, *d, so);
    const ModelScores b = scoreWithModel(loaded, *d, so);
    expectSameScores(a, b);
  }
  const ModelScores single = scoreWithModel(loaded, alone, so);
  ASSERT_EQ(single.integrator(0), -1);
  EXPECT_LT(single.survLower(0, 1), single.surv(0, 1));  // the submodel's S(t) keeps its interval

  // A file that still has a baseline where it may be left out (written before) loads and scores the
  // same; writing it again leaves that baseline out. The submodels do not depend on the threshold,
  // so those of a model without any integrator (every baseline kept) are the same fits.
  FusionOptions noneOptions = o;
  noneOptions.minPatternSize = 100000;
  const FusionModel none = fitFusion(f.cohort, f.train, noneOptions);
  const json full = fusionModelToJson(none, trainingExtras(none, f.cohort, f.train, {12, 24, 60}));
  json older = doc;
  for (int m = 0; m < M; ++m) {
    const size_t k = static_cast<size_t>(m);
    ASSERT_EQ(full["modalities"][k]["submodel"]["cox"]["coef"], doc["modalities"][k]["submodel"]["cox"]["coef"]);
    older["modalities"][k]["submodel"]["cox"] = full["modalities"][k]["submodel"]["cox"];
  }
  const LoadedModel olderLoaded = loadModel(older);
  EXPECT_EQ(modelText(fusionModelToJson(olderLoaded.model, olderLoaded.extras)), text);
  expectSame(scoreWithModel(olderLoaded, data, so).survUpper, scoreWithModel(loaded, data, so).survUpper, "survUpper, older file");

  // A baseline scoring needs is refused with its JSON path; baseline and var go together.
  const std::string r = "modalities[" + std::to_string(rare) + "].submodel.cox";
  json lacking = doc;
  lacking["modalities"][static_cast<size_t>(rare)]["submodel"]["cox"].erase("baseline");
  lacking["modalities"][static_cast<size_t>(rare)]["submodel"]["cox"].erase("var");
  const std::string e = loadError(lacking);
  EXPECT_NE(e.find("model file: " + r + ".baseline is missing: modality " + model.modalities[static_cast<size_t>(rare)] +
                   " has no integrator of its own, so its submodel scores the patients no integrator covers"),
            std::string::npos)
      << e;
  json noVar = doc;
  noVar["modalities"][static_cast<size_t>(rare)]["submodel"]["cox"].erase("var");
  const std::string v = loadError(noVar);
  EXPECT_NE(v.find("model file: " + r + ".var is missing: a Cox model keeps its baseline and var together"), std::string::npos) << v;
  json noIntegratorBaseline = doc;
  noIntegratorBaseline["integrators"][0]["cox"].erase("baseline_from");
  noIntegratorBaseline["integrators"][0]["cox"].erase("var");
  const std::string i = loadError(noIntegratorBaseline);
  EXPECT_NE(i.find("model file: integrators[0].cox.baseline is missing: scoring needs this model's baseline hazard for S(t)"), std::string::npos) << i;
  json earlyVarOnly = doc;
  earlyVarOnly["early_fusion"]["cox"]["var"] = json::array();
  const std::string ev = loadError(earlyVarOnly);
  EXPECT_NE(ev.find("model file: early_fusion.cox.baseline is missing: a Cox model keeps its baseline and var together"), std::string::npos) << ev;
}
