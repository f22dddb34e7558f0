// Scoring options of the model file (model_json.hpp): S(t) at caller-given times, skipping
// unscorable patients, and the optional external-validation section (withValidation /
// withoutValidation, byte-identical round trip, validation on load).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

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
  std::vector<int> rows;
  LoadedModel model;
};

Fixture fit(SimulatedOutcome outcome, PresenceRule presence) {
  Fixture x;
  x.cohort = hgsocCohort(33, 200, outcome);
  for (int i = 0; i < 200; ++i) x.rows.push_back(i);
  FusionOptions o;
  o.minPatternSize = 10;
  o.presence = presence;
  const FusionModel fm = fitFusion(x.cohort, x.rows, o);
  ModelExtras ex = trainingExtras(fm, x.cohort, x.rows, outcome == SimulatedOutcome::Binary ? std::vector<double>{} : std::vector<double>{12, 24, 60});
  x.model = loadModel(fusionModelToJson(fm, ex));
  return x;
}

const Fixture& survival() {
  static const Fixture f = fit(SimulatedOutcome::Survival, PresenceRule::Any);
  return f;
}

std::string errorOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// The model with `times` as its horizons (what the web app used to do to draw S(t)).
LoadedModel withHorizons(const LoadedModel& lm, const std::vector<double>& times) {
  LoadedModel out = lm;
  out.extras.horizons = times;
  return out;
}

const std::vector<double> kTimes = {0, 3.5, 12, 30, 47.25, 80, 1e4};

}  // namespace

TEST(ModelScoring, TimesGiveTheSameSurvivalAsHorizons) {
  const Fixture& f = survival();
  const ScoringData d = scoringData(f.cohort, f.rows);
  ScoringOptions o;
  o.times = kTimes;
  const ModelScores s = scoreWithModel(f.model, d, o);
  const ModelScores plain = scoreWithModel(f.model, d);
  // Everything else is unchanged by the times.
  expectSame(s.surv, plain.surv, "S at the horizons");
  expectSame(s.survLower, plain.survLower, "lower at the horizons");
  expectSame(Eigen::MatrixXd(s.fused), Eigen::MatrixXd(plain.fused), "fused lp");
  EXPECT_EQ(plain.times.size(), 0);
  EXPECT_EQ(plain.timesSurv.cols(), 0);
  // S at the times = S with the times as the model's horizons (the CI too), for every patient
  // (integrators and patients scored by one modality alike).
  const ModelScores h = scoreWithModel(withHorizons(f.model, kTimes), d);
  expectSame(s.timesSurv, h.surv, "S(t)");
  expectSame(s.timesLower, h.survLower, "lower");
  expectSame(s.timesUpper, h.survUpper, "upper");
  int single = 0;
  for (Eigen::Index k = 0; k < s.integrator.size(); ++k) single += __builtin_popcount(static_cast<unsigned>(s.usedPattern(k))) == 1;
  EXPECT_GT(single, 0) << "the fixture should have patients scored by a single-modality integrator";
  // A time equal to a horizon gives the horizon's value; S(0) = 1; S is non-increasing in t.
  for (Eigen::Index k = 0; k < s.fused.size(); ++k) {
    EXPECT_EQ(s.timesSurv(k, 2), s.surv(k, 0));
    EXPECT_EQ(s.timesUpper(k, 2), s.survUpper(k, 0));
    EXPECT_EQ(s.timesSurv(k, 0), 1.0);
    for (Eigen::Index t = 1; t < s.timesSurv.cols(); ++t) EXPECT_LE(s.timesSurv(k, t), s.timesSurv(k, t - 1));
  }
  // The order of the times does not matter.
  ScoringOptions reversed;
  reversed.times.assign(kTimes.rbegin(), kTimes.rend());
  const ModelScores r = scoreWithModel(f.model, d, reversed);
  expectSame(r.timesSurv.rowwise().reverse(), s.timesSurv, "reversed times");
}

TEST(ModelScoring, TimesFromTypedScores) {
  const Fixture& f = survival();
  const ScoringData d = scoringData(f.cohort, f.rows);
  const ModelScores raw = scoreWithModel(f.model, d);
  ScoringOptions o;
  o.times = kTimes;
  const ModelScores s = scoreFromModalityScores(f.model, d.ids, raw.unimodal, o);
  const ModelScores h = scoreFromModalityScores(withHorizons(f.model, kTimes), d.ids, raw.unimodal);
  expectSame(s.timesSurv, h.surv, "S(t) from typed scores");
  expectSame(s.timesLower, h.survLower, "lower from typed scores (NaN for one modality)");
  for (Eigen::Index k = 0; k < s.fused.size(); ++k)
    EXPECT_EQ(s.note[static_cast<size_t>(k)], h.note[static_cast<size_t>(k)]);
}

TEST(ModelScoring, BadTimesAndBinaryModels) {
  const Fixture& f = survival();
  const ScoringData d = scoringData(f.cohort, {0, 1});
  ScoringOptions o;
  o.times = {12, -1};
  EXPECT_EQ(errorOf([&] { scoreWithModel(f.model, d, o); }), "scoring: times[1] is -1.0; times must be finite and >= 0");
  o.times = {std::numeric_limits<double>::quiet_NaN()};
  EXPECT_EQ(errorOf([&] { scoreWithModel(f.model, d, o); }), "scoring: times[0] is missing; times must be finite and >= 0");
  o.times = {std::numeric_limits<double>::infinity()};
  EXPECT_EQ(errorOf([&] { scoreFromModalityScores(f.model, {}, Eigen::MatrixXd::Zero(1, 4), o); }),
            "scoring: times[0] is infinite; times must be finite and >= 0");
  const Fixture b = fit(SimulatedOutcome::Binary, PresenceRule::Any);
  ScoringOptions t;
  t.times = {12};
  EXPECT_NE(errorOf([&] { scoreWithModel(b.model, scoringData(b.cohort, {0, 1}), t); }).find("times apply to survival models only"), std::string::npos);
  // No times: binary scoring as before.
  const ModelScores s = scoreWithModel(b.model, scoringData(b.cohort, {0, 1}), ScoringOptions{});
  EXPECT_TRUE(std::isfinite(s.probability(0)));
}

TEST(ModelScoring, SkipUnscorableScoresTheOthersExactly) {
  const Fixture& f = survival();
  ScoringData d = scoringData(f.cohort, f.rows);
  const std::vector<int> blank = {0, 17, 18, 150};
  for (int r : blank) d.x.row(r).setConstant(std::numeric_limits<double>::quiet_NaN());
  // Default: the first such patient is an InputError naming it.
  const std::string error = errorOf([&] { scoreWithModel(f.model, d); });
  EXPECT_NE(error.find("patient '" + d.ids[0] + "' (row 1) has no modality"), std::string::npos) << error;
  ScoringOptions o;
  o.skipUnscorable = true;
  o.times = {24};
  const ModelScores s = scoreWithModel(f.model, d, o);
  ASSERT_EQ(s.unscorable.size(), blank.size());
  for (size_t k = 0; k < blank.size(); ++k) {
    EXPECT_EQ(s.unscorable[k].row, blank[k]);
    EXPECT_EQ(s.unscorable[k].id, d.ids[static_cast<size_t>(blank[k])]);
    EXPECT_EQ(s.unscorable[k].reason, "no modality: every feature cell is empty");
  }
  // The others: exactly the scores of the data without the unscorable rows.
  std::vector<int> kept;
  for (int r : f.rows)
    if (std::find(blank.begin(), blank.end(), r) == blank.end()) kept.push_back(r);
  const ModelScores ref = scoreWithModel(f.model, scoringData(f.cohort, kept), o);
  EXPECT_EQ(s.ids, ref.ids);
  EXPECT_EQ(s.rows, kept);
  EXPECT_TRUE(ref.unscorable.empty());
  expectSame(Eigen::MatrixXd(s.fused), Eigen::MatrixXd(ref.fused), "fused");
  expectSame(Eigen::MatrixXd(s.early), Eigen::MatrixXd(ref.early), "early");
  expectSame(s.unimodal, ref.unimodal, "unimodal");
  expectSame(s.surv, ref.surv, "S at horizons");
  expectSame(s.timesSurv, ref.timesSurv, "S at times");
  EXPECT_EQ(s.note, ref.note);
  // Without ids: the skipped patients are named by their row number.
  ScoringData noIds = d;
  noIds.ids.clear();
  const ModelScores n = scoreWithModel(f.model, noIds, o);
  EXPECT_EQ(n.unscorable[1].id, "18");
  EXPECT_EQ(n.ids[0], "2");
  // Nobody scorable: still an error.
  ScoringData none = scoringData(f.cohort, {3, 4});
  none.x.setConstant(std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(errorOf([&] { scoreWithModel(f.model, none, o); }),
            "scoring: no patient can be scored: every one of the 2 has no modality (every feature cell is empty)");
  // Typed scores: a patient without any score.
  Eigen::MatrixXd typed = Eigen::MatrixXd::Constant(3, 4, std::numeric_limits<double>::quiet_NaN());
  typed(0, 1) = 0.3;
  typed(2, 3) = -1;
  const ModelScores t = scoreFromModalityScores(f.model, {"a", "b", "c"}, typed, o);
  ASSERT_EQ(t.unscorable.size(), 1u);
  EXPECT_EQ(t.unscorable[0].id, "b");
  EXPECT_EQ(t.unscorable[0].reason, "no modality score");
  EXPECT_EQ(t.ids, (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(errorOf([&] { scoreFromModalityScores(f.model, {"a", "b", "c"}, typed); }),
            "scoring: patient 'b' (row 2) has no modality score; give at least one");
}

TEST(ModelScoring, SkipUnscorableFollowsThePresenceRule) {
  const Fixture f = fit(SimulatedOutcome::Survival, PresenceRule::All);
  ScoringData d = scoringData(f.cohort, {0, 1, 2, 3, 4, 5});
  // Patient 2: one cell of every present modality emptied -> under 'all' no modality is complete.
  for (int m = 0; m < static_cast<int>(f.model.model.modalities.size()); ++m)
    for (size_t j = 0; j < f.model.model.columns.size(); ++j)
      if (f.model.model.columnModality[j] == m) {
        d.x(2, static_cast<Eigen::Index>(j)) = std::numeric_limits<double>::quiet_NaN();
        break;
      }
  ScoringOptions o;
  o.skipUnscorable = true;
  const ModelScores s = scoreWithModel(f.model, d, o);
  ASSERT_EQ(s.unscorable.size(), 1u);
  EXPECT_EQ(s.unscorable[0].row, 2);
  EXPECT_NE(s.unscorable[0].reason.find("presence rule 'all'"), std::string::npos);
  EXPECT_EQ(s.rows, (std::vector<int>{0, 1, 3, 4, 5}));
}

TEST(ModelValidation, AttachReplaceRemoveAndRoundTrip) {
  const Fixture& f = survival();
  const json doc = fusionModelToJson(f.model.model, f.model.extras);
  const std::string text = modelText(doc);
  const json entry = {{"cohort", "GBSG"}, {"description", "external"}, {"n", 686}, {"events", 299}, {"c", 0.664}, {"c_lower", 0.63}, {"c_upper", 0.696}, {"conf_level", 0.95}, {"bootstrap", 1000}, {"permutation_p", nullptr}, {"uno_c", 0.65}, {"uno_c_lower", 0.62}, {"uno_c_upper", 0.685}, {"tau", 1826}, {"mean_auc", 0.72}, {"seed", 2024}, {"auc", json::array({{{"time", 1096}, {"auc", 0.724}}, {{"time", 1826}, {"auc", 0.723}}})}, {"calibration", {{"horizon", 1826}, {"n", 686}, {"slope", 0.91}, {"slope_lower", 0.73}, {"slope_upper", 1.08}, {"groups", json::array({{{"n", 138}, {"events", 35}, {"predicted", 0.71}, {"observed", 0.70}, {"lower", 0.615}, {"upper", 0.797}}})}}}};
  const json with = withValidation(doc, entry);
  const std::string withText = modelText(with);
  // Byte-identical round trip; the section is the last key, the rest of the file unchanged.
  const LoadedModel lm = loadModel(parseModelText(withText));
  EXPECT_EQ(modelText(fusionModelToJson(lm.model, lm.extras)), withText);
  // text ends "  }\n}\n" (training); withText continues "  },\n  \"validation\": [".
  EXPECT_TRUE(withText.compare(0, text.size() - 3, text, 0, text.size() - 3) == 0);
  EXPECT_EQ(withText.substr(text.size() - 3, 19), ",\n  \"validation\": [");
  EXPECT_EQ(lm.extras.validation, json::array({entry}));
  EXPECT_EQ(modelText(withoutValidation(with)), text);
  EXPECT_EQ(modelText(withoutValidation(doc)), text);
  // Scoring ignores the section.
  const ScoringData d = scoringData(f.cohort, {0, 5, 9});
  expectSame(scoreWithModel(lm, d).surv, scoreWithModel(f.model, d).surv, "S with a validation section");
  // Same cohort: replaced in place; another cohort: appended.
  json second = entry;
  second["c"] = 0.6;
  json third = {{"cohort", "other"}, {"n", 50}, {"events", 0}, {"c", 0.5}};
  const json twice = withValidation(withValidation(with, second), third);
  ASSERT_EQ(twice["validation"].size(), 2u);
  EXPECT_EQ(twice["validation"][0]["c"], 0.6);
  EXPECT_EQ(twice["validation"][1]["cohort"], "other");
  const LoadedModel again = loadModel(twice);
  EXPECT_EQ(modelText(fusionModelToJson(again.model, again.extras)), modelText(twice));
}

TEST(ModelValidation, BadEntriesNameTheField) {
  const Fixture& f = survival();
  const json doc = fusionModelToJson(f.model.model, f.model.extras);
  const json ok = {{"cohort", "A"}, {"n", 10}, {"events", 4}, {"c", 0.6}};
  auto attach = [&](const std::function<void(json&)>& edit) {
    json e = ok;
    edit(e);
    return errorOf([&] { withValidation(doc, e); });
  };
  EXPECT_EQ(attach([](json&) {}), "");
  EXPECT_EQ(attach([](json& e) { e["c"] = 1.2; }), "cannot attach the validation: c must be in [0, 1]");
  EXPECT_EQ(attach([](json& e) { e.erase("n"); }), "cannot attach the validation: n is missing");
  EXPECT_EQ(attach([](json& e) { e["events"] = 11; }), "cannot attach the validation: events is 11, more than the 10 patients (n)");
  EXPECT_EQ(attach([](json& e) { e["cohort"] = ""; }), "cannot attach the validation: cohort must not be empty");
  EXPECT_EQ(attach([](json& e) { e["c_lower"] = 0.5; }), "cannot attach the validation: c_upper is missing");
  EXPECT_EQ(attach([](json& e) { e["c_lower"] = 0.5; e["c_upper"] = nullptr; }),
            "cannot attach the validation: the entry has c_lower and c_upper: give both or neither (null)");
  EXPECT_EQ(attach([](json& e) { e["c_lower"] = 0.7; e["c_upper"] = 0.65; }), "cannot attach the validation: c_lower is above c_upper");
  EXPECT_EQ(attach([](json& e) { e["auc"] = json::array({{{"time", 1}, {"auc", 2}}}); }), "cannot attach the validation: auc[0].auc must be in [0, 1]");
  EXPECT_EQ(attach([](json& e) { e["harrell"] = 1; }), "cannot attach the validation: harrell is not a field of a LateFuse model (schema_version 3)");
  EXPECT_EQ(errorOf([&] { withValidation(doc, json::array()); }), "cannot attach the validation: the entry must be an object, got a list");
  // A damaged section in a file: the loader names its path.
  json bad = withValidation(doc, ok);
  bad["validation"][0]["n"] = 0;
  EXPECT_NE(errorOf([&] { loadModel(bad); }).find("model file: validation[0].n must be a whole number from 1"), std::string::npos);
  bad = withValidation(doc, ok);
  bad["validation"].push_back(ok);
  EXPECT_NE(errorOf([&] { loadModel(bad); }).find("validation[1].cohort 'A' has two entries"), std::string::npos);
  bad["validation"] = json::array();
  EXPECT_NE(errorOf([&] { loadModel(bad); }).find("validation is empty"), std::string::npos);
}
