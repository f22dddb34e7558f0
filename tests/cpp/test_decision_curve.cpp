// Decision curve analysis (decision_curve.hpp) against R: tests/r/decision_curve_golden.R transcribes
// the net-benefit formula with survival::survfit's Kaplan–Meier; agreement to 1e-10.
#include <gtest/gtest.h>

#include "latefuse/decision_curve.hpp"
#include "latefuse/error.hpp"
#include "latefuse/fusion_decision_curve.hpp"
#include "latefuse/random.hpp"
#include "native_goldens.hpp"
#include "test_stats_support.hpp"

using namespace latefuse;
using namespace latefuse::testing;

namespace {

constexpr double kTol = 1e-10;

const nlohmann::json& dcaGolden() { return goldenJson("tests/golden/decision_curve.json"); }

const nlohmann::json& dcaCase(const std::string& name) {
  for (const auto& c : dcaGolden().at("cases"))
    if (c.at("name") == name) return c;
  throw std::runtime_error("no decision-curve golden case " + name);
}

SurvivalData survivalOf(const nlohmann::json& d) {
  SurvivalData s;
  s.time = vec(d.at("time"));
  s.event = vec(d.at("event"));
  return s;
}

void expectCurve(const DecisionCurve& dc, const nlohmann::json& c) {
  expectVecAbs("dca.thresholds", dc.thresholds, c.at("thresholds"), 0);
  expectVecAbs("dca.net_benefit", dc.netBenefit, c.at("net_benefit"), kTol);
  expectVecAbs("dca.treat_all", dc.treatAll, c.at("treat_all"), kTol);
  expectVecAbs("dca.treated", dc.treated.cast<double>(), c.at("treated"), 0);
}

}  // namespace

TEST(DecisionCurve, SurvivalMatchesR) {
  for (const auto& c : dcaGolden().at("cases")) {
    if (c.at("outcome_type") != "survival") continue;
    SCOPED_TRACE(c.at("name").get<std::string>());
    const SurvivalData d = survivalOf(c.at("data"));
    const DecisionCurve dc = survivalDecisionCurve(d, vec(c.at("data").at("risk")), c.at("horizon").get<double>());
    expectCurve(dc, c);
    EXPECT_EQ(dc.n, static_cast<int>(d.size()));
  }
}

TEST(DecisionCurve, BinaryMatchesR) {
  const auto& c = dcaCase("lung_death_1y_glm");
  const DecisionCurve dc = binaryDecisionCurve(vec(c.at("data").at("outcome")), vec(c.at("data").at("probability")));
  expectCurve(dc, c);
  EXPECT_TRUE(dc.binary);
}

TEST(DecisionCurve, EdgeCasesOfTheGoldenFiles) {
  // Undefined where the positives' follow-up ends before the horizon (R: NA), 0 where nobody is treated.
  const auto& g = dcaCase("gbsg_cox_1825");
  const DecisionCurve dc = survivalDecisionCurve(survivalOf(g.at("data")), vec(g.at("data").at("risk")), 1825);
  int undefined = 0;
  for (Eigen::Index k = 0; k < dc.netBenefit.size(); ++k) undefined += std::isnan(dc.netBenefit(k));
  EXPECT_GT(undefined, 0);
  EXPECT_EQ(dc.warnings.size(), 1u);
  const auto& l = dcaCase("lung_cox_365");
  const DecisionCurve lc = survivalDecisionCurve(survivalOf(l.at("data")), vec(l.at("data").at("risk")), 365);
  EXPECT_EQ(lc.treated(98), 0);
  EXPECT_EQ(lc.netBenefit(98), 0.0);
}

TEST(DecisionCurve, BadInputIsOneClearError) {
  const auto& c = dcaCase("lung_cox_365");
  const SurvivalData d = survivalOf(c.at("data"));
  const Eigen::VectorXd risk = vec(c.at("data").at("risk"));
  // Horizon beyond the follow-up (the KM is not defined there), zero, or negative.
  EXPECT_THROW(survivalDecisionCurve(d, risk, d.time.maxCoeff() + 1), InputError);
  EXPECT_NO_THROW(survivalDecisionCurve(d, risk, d.time.maxCoeff()));
  EXPECT_THROW(survivalDecisionCurve(d, risk, 0), InputError);
  // p_t -> 1: a threshold of 1 has an infinite harm-to-benefit ratio.
  DecisionCurveOptions o;
  o.thresholds = Eigen::VectorXd::LinSpaced(3, 0.5, 1.0);
  EXPECT_THROW(survivalDecisionCurve(d, risk, 365, o), InputError);
  o.thresholds = Eigen::VectorXd::LinSpaced(2, 0.4, 0.2);
  EXPECT_THROW(survivalDecisionCurve(d, risk, 365, o), InputError);
  Eigen::VectorXd bad = risk;
  bad(4) = 1.5;
  try {
    survivalDecisionCurve(d, bad, 365);
    FAIL() << "a risk of 1.5 was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("row 5"), std::string::npos) << e.what();
  }
  Eigen::VectorXd y = Eigen::VectorXd::Zero(4), p = Eigen::VectorXd::Constant(4, 0.5);
  y(1) = 2;
  EXPECT_THROW(binaryDecisionCurve(y, p), InputError);
}

// Frequency weights are what the bootstrap band uses: an integer-weighted curve must equal the
// curve of the data with every row repeated that many times.
TEST(DecisionCurve, CountWeightsEqualRepeatedRows) {
  const auto& c = dcaCase("lung_cox_365");
  const SurvivalData d = survivalOf(c.at("data"));
  const Eigen::VectorXd risk = vec(c.at("data").at("risk"));
  Random rng(3);
  SurvivalData weighted = d, repeated;
  weighted.weight.resize(d.size());
  std::vector<double> t, e, r;
  Eigen::VectorXd repeatedRisk;
  for (Eigen::Index i = 0; i < d.size(); ++i) {
    const int w = 1 + static_cast<int>(rng.below(3));
    weighted.weight(i) = w;
    for (int k = 0; k < w; ++k) {
      t.push_back(d.time(i));
      e.push_back(d.event(i));
      r.push_back(risk(i));
    }
  }
  repeated.time = Eigen::Map<Eigen::VectorXd>(t.data(), static_cast<Eigen::Index>(t.size()));
  repeated.event = Eigen::Map<Eigen::VectorXd>(e.data(), static_cast<Eigen::Index>(e.size()));
  repeatedRisk = Eigen::Map<Eigen::VectorXd>(r.data(), static_cast<Eigen::Index>(r.size()));
  const Eigen::VectorXd th = decisionThresholds();
  const Eigen::VectorXd a = survivalNetBenefit(weighted, risk, 365, th), b = survivalNetBenefit(repeated, repeatedRisk, 365, th);
  for (Eigen::Index k = 0; k < th.size(); ++k) EXPECT_NEAR(a(k), b(k), 1e-12) << "threshold " << th(k);
}

TEST(DecisionCurve, SeededBootstrapBand) {
  const auto& c = dcaCase("lung_cox_365");
  const SurvivalData d = survivalOf(c.at("data"));
  const Eigen::VectorXd risk = vec(c.at("data").at("risk"));
  DecisionCurveOptions o;
  o.bootstrap = 200;
  o.seed = 11;
  const DecisionCurve a = survivalDecisionCurve(d, risk, 365, o), b = survivalDecisionCurve(d, risk, 365, o);
  ASSERT_EQ(a.lower.size(), 99);
  EXPECT_TRUE(a.lower.cwiseEqual(b.lower).all());
  EXPECT_TRUE(a.upper.cwiseEqual(b.upper).all());
  int inside = 0;
  for (Eigen::Index k = 0; k < 99; ++k) {
    if (std::isnan(a.lower(k))) continue;
    EXPECT_LE(a.lower(k), a.upper(k));
    inside += a.lower(k) <= a.netBenefit(k) && a.netBenefit(k) <= a.upper(k);
  }
  EXPECT_GE(inside, 90);  // the percentile band holds the estimate at almost every threshold
  o.seed = 12;
  const DecisionCurve other = survivalDecisionCurve(d, risk, 365, o);
  EXPECT_FALSE(other.lower.cwiseEqual(a.lower).all());
}

// The range sentence's rule: strictly above both treat-all and treat-none, NaN never counts.
TEST(DecisionCurve, RangesAtTheirBoundaries) {
  Eigen::VectorXd th(6), nb(6), all(6);
  th << 0.1, 0.2, 0.3, 0.4, 0.5, 0.6;
  nb << 0.3, 0.2, 0.1, 0.05, std::nan(""), 0.02;
  all << 0.3, 0.1, 0.0, -0.1, -0.2, -0.3;
  // 0.1: equal to treat all (not better); 0.2-0.4 better; 0.5 NaN; 0.6 better again.
  auto r = netBenefitRanges(th, nb, all);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].from, 0.2);
  EXPECT_EQ(r[0].to, 0.4);
  EXPECT_EQ(r[1].from, 0.6);
  EXPECT_EQ(r[1].to, 0.6);
  nb(3) = 0.0;  // equal to treat none: not better
  r = netBenefitRanges(th, nb, all);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].to, 0.3);
  nb(3) = std::nextafter(0.0, 1.0);  // the smallest positive double is better
  r = netBenefitRanges(th, nb, all);
  EXPECT_EQ(r[0].to, 0.4);
}

// Native-vs-WASM agreement of the seeded band: the native bands (native_goldens.hpp, the one
// definition shared with their writer tests/tools/write_native_goldens.cpp) must equal the committed
// tests/golden/decision_curve_seeded_native.json; tests/js/decision_curve.test.js requires the
// WebAssembly build to reproduce the same file.
TEST(DecisionCurve, SeededBandNativeFile) {
  const nlohmann::json j = decisionCurveSeededJson();
  const nlohmann::json stored = readJson(kDecisionCurveSeededPath);
  for (const char* kind : {"survival", "binary"}) {
    EXPECT_EQ(stored.at(kind).at("curve").at("lower"), j.at(kind).at("curve").at("lower")) << kind;
    EXPECT_EQ(stored.at(kind).at("curve").at("upper"), j.at(kind).at("curve").at("upper")) << kind;
    EXPECT_EQ(stored.at(kind).at("curve").at("net_benefit"), j.at(kind).at("curve").at("net_benefit")) << kind;
  }
}

// The one-pass curve equals a Kaplan–Meier fit (kaplan_meier.hpp) of the treated at every threshold.
TEST(DecisionCurve, OnePassEqualsOneFitPerThreshold) {
  const auto& g = dcaCase("gbsg_cox_1825");
  const SurvivalData d = survivalOf(g.at("data"));
  const Eigen::VectorXd risk = vec(g.at("data").at("risk"));
  const Eigen::VectorXd th = decisionThresholds();
  const Eigen::VectorXd nb = survivalNetBenefit(d, risk, 1825, th);
  for (Eigen::Index k = 0; k < th.size(); ++k) {
    std::vector<Eigen::Index> at;
    for (Eigen::Index i = 0; i < d.size(); ++i)
      if (risk(i) >= th(k)) at.push_back(i);
    if (at.empty()) {
      EXPECT_EQ(nb(k), 0.0);
      continue;
    }
    SurvivalData sub;
    sub.time.resize(static_cast<Eigen::Index>(at.size()));
    sub.event.resize(static_cast<Eigen::Index>(at.size()));
    for (size_t r = 0; r < at.size(); ++r) {
      sub.time(static_cast<Eigen::Index>(r)) = d.time(at[r]);
      sub.event(static_cast<Eigen::Index>(r)) = d.event(at[r]);
    }
    const double s = survivalAtHorizon(sub, 1825), x = static_cast<double>(at.size()) / static_cast<double>(d.size());
    const double expected = (1 - s) * x - s * x * th(k) / (1 - th(k));
    if (std::isnan(expected)) EXPECT_TRUE(std::isnan(nb(k))) << th(k);
    else EXPECT_NEAR(nb(k), expected, 1e-13) << th(k);
  }
}

// The sentence states the ranges decided on unrounded values, in words at its boundaries.
TEST(DecisionCurve, SentenceWording) {
  const Eigen::VectorXd th = decisionThresholds();
  EXPECT_EQ(netBenefitSentence("late fusion", {}, th, 50, false, 365),
            "At no threshold probability from 1% to 99%, late fusion had a higher net benefit than both treating every patient and "
            "treating none (50 test patients, risk of an event by time 365).");
  EXPECT_EQ(netBenefitSentence("late fusion", {{0.12, 0.12}}, th, 50, true, 0),
            "Late fusion had a higher net benefit than both treating every patient and treating none at a threshold probability of "
            "12% (50 test patients, risk of the outcome).");
  EXPECT_EQ(netBenefitSentence("late fusion", {{0.07, 0.09}, {0.13, 0.43}, {0.5, 0.5}}, th, 91, false, 19.5),
            "Late fusion had a higher net benefit than both treating every patient and treating none at threshold probabilities "
            "from 7% to 9%, from 13% to 43% and 50% (91 test patients, risk of an event by time 19.5).");
}

// The report's block: every model on its own and on the common patients, the band for late fusion
// on its test patients only, and the sentence of its ranges.
TEST(DecisionCurve, FusionReportBlock) {
  const auto& l = dcaCase("lung_cox_365");
  const SurvivalData d = survivalOf(l.at("data"));
  const Eigen::VectorXd risk = vec(l.at("data").at("risk"));
  ModelRisk late{"late fusion", "late", risk};
  ModelRisk uni{"clinical", "unimodal", risk};
  for (Eigen::Index i = 0; i < risk.size(); i += 3) uni.risk(i) = std::nan("");  // cannot score every third patient
  std::vector<Eigen::Index> common;
  for (Eigen::Index i = 0; i < risk.size(); i += 2) common.push_back(i);
  FusionDecisionOptions o;
  o.bootstrap = 50;
  o.seed = 3;
  const FusionDecisionCurves f = fusionDecisionCurves(d, {late, uni}, common, 365, false, o);
  ASSERT_EQ(f.models.size(), 4u);
  EXPECT_EQ(f.models[0].subset, "test");
  EXPECT_EQ(f.models[0].curve.n, 227);
  EXPECT_EQ(f.models[0].curve.lower.size(), 99);
  EXPECT_EQ(f.models[1].subset, "common");
  EXPECT_EQ(f.models[1].curve.n, 114);
  EXPECT_EQ(f.models[1].curve.lower.size(), 0);
  EXPECT_EQ(f.models[2].curve.n, 227 - 76);
  EXPECT_EQ(f.models[3].curve.lower.size(), 0);
  const auto ranges = netBenefitRanges(f.models[0].curve.thresholds, f.models[0].curve.netBenefit, f.models[0].curve.treatAll);
  ASSERT_EQ(f.lateBeatsDefaults.size(), ranges.size());
  EXPECT_EQ(f.summary, netBenefitSentence("late fusion", ranges, f.thresholds, 227, false, 365));
  const nlohmann::json j = fusionDecisionCurvesToJson(f, 3);
  EXPECT_EQ(j.at("models").size(), 4u);
  EXPECT_EQ(j.at("n"), 227);
  EXPECT_EQ(j.at("treat_all"), j.at("models")[0].at("treat_all"));
  EXPECT_TRUE(j.at("treat_all_common").is_array());
  // A horizon beyond the follow-up: a warning per model and no sentence, not an exception.
  const FusionDecisionCurves far = fusionDecisionCurves(d, {late}, common, 5000, false, o);
  EXPECT_TRUE(far.models.empty());
  EXPECT_FALSE(far.computed);
  EXPECT_EQ(far.warnings.size(), 2u);
}
