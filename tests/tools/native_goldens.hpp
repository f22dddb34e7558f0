// The golden files that are not made by R but by the native build itself, so that the
// WebAssembly build can be required to reproduce them exactly (tests/js/stats.test.js,
// tests/js/simulate.test.js, tests/js/decision_curve.test.js). One definition of what each file holds, shared by the program that
// writes them (tests/tools/write_native_goldens.cpp) and the GoogleTests that compare against them;
// a test never writes its own oracle.
#pragma once
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "latefuse/concordance.hpp"
#include "latefuse/decision_curve.hpp"
#include "latefuse/random.hpp"
#include "latefuse/resample_statistics.hpp"
#include "latefuse/resampling.hpp"
#include "latefuse/simulator.hpp"
#include "test_support.hpp"

namespace latefuse::testing {

inline constexpr const char* kSeededNativePath = "tests/golden/seeded_native.json";
inline constexpr const char* kSimulateSeed7Path = "tests/golden/simulate_seed7.csv";
inline constexpr const char* kDecisionCurveSeededPath = "tests/golden/decision_curve_seeded_native.json";

// Settings of tests/golden/seeded_native.json: Harrell's C of R's lung Cox lp (stats_golden.json
// bootstrap.data), 200 BCa bootstrap replicates and 200 permutations with seed 42.
struct SeededNativeSettings {
  int seed = 42;
  int replicates = 200;
  int permutations = 200;
};

inline SurvivalData seededNativeData(Eigen::VectorXd& score) {
  const nlohmann::json b = readJson("tests/golden/stats_golden.json").at("bootstrap").at("data");
  SurvivalData d;
  d.time = vec(b.at("time"));
  d.event = vec(b.at("event"));
  score = vec(b.at("score"));
  return d;
}

// Everything the WebAssembly build must reproduce bit for bit: the bootstrap and permutation
// replicates, their intervals and p, and the first raw draws of the generator.
inline nlohmann::json seededNativeJson(const SeededNativeSettings& s = {}) {
  Eigen::VectorXd score;
  const SurvivalData data = seededNativeData(score);
  const auto engine = std::make_shared<const HarrellEngine>(data, score, true);
  BootstrapOptions o;
  o.replicates = s.replicates;
  o.seed = static_cast<uint64_t>(s.seed);
  o.bca = true;
  const BootstrapResult a = bootstrap(data.size(), harrellStatistic(engine), o);
  PermutationOptions po;
  po.permutations = s.permutations;
  po.seed = static_cast<uint64_t>(s.seed);
  const PermutationResult p = permutationTest(data.size(), harrellPermutation(engine), po);
  nlohmann::json j;
  j["generator"] = "tests/tools/write_native_goldens.cpp (build/native/latefuse_write_goldens seeded)";
  j["data"] = "stats_golden.json bootstrap.data (lung, 227 rows, Cox lp)";
  j["seed"] = s.seed;
  j["bootstrap"] = {{"statistic", "harrell"}, {"replicates", o.replicates}, {"estimate", a.estimate}, {"values", std::vector<double>(a.replicates.data(), a.replicates.data() + a.replicates.size())}, {"lower", a.lower}, {"upper", a.upper}, {"bca_lower", a.bcaLower}, {"bca_upper", a.bcaUpper}};
  j["permutation"] = {{"statistic", "harrell"}, {"permutations", po.permutations}, {"observed", p.observed}, {"values", std::vector<double>(p.statistics.data(), p.statistics.data() + p.statistics.size())}, {"extreme", p.extreme}, {"p", p.p}};
  Random rng(static_cast<uint64_t>(s.seed));
  std::vector<std::string> raw;
  for (int k = 0; k < 5; ++k) raw.push_back(std::to_string(rng.next()));
  std::vector<double> below;
  for (int k = 0; k < 5; ++k) below.push_back(static_cast<double>(rng.below(227)));
  j["random"] = {{"seed", s.seed}, {"next", raw}, {"below_227", below}};
  return j;
}

inline std::string seededNativeText() { return seededNativeJson().dump(1) + "\n"; }

// The settings of tests/golden/simulate_seed7.csv (tests/js/simulate.test.js passes the same ones
// to the WebAssembly build and to `latefuse simulate`).
inline SimulationOptions simulateSeed7Options() {
  SimulationOptions o = simulationPreset("hgsoc");
  setCohortSize(o, 60);
  o.seed = 7;
  o.cellMissing = 0.05;
  o.interaction = 0.3;
  return o;
}

inline std::string simulateSeed7Csv() { return cohortCsv(simulate(simulateSeed7Options())); }

// tests/golden/decision_curve_seeded_native.json: the seeded bootstrap bands (seed 5, 200 replicates)
// of two R cases of tests/golden/decision_curve.json, lung_cox_365 (survival at 365) and
// lung_death_1y_glm (binary), as the native build computes them.
inline nlohmann::json decisionCurveSeededJson() {
  const nlohmann::json golden = readJson("tests/golden/decision_curve.json");
  const nlohmann::json& cases = golden.at("cases");
  auto dcaCase = [&](const std::string& name) -> const nlohmann::json& {
    for (const auto& c : cases)
      if (c.at("name") == name) return c;
    throw std::runtime_error("no decision-curve golden case " + name);
  };
  DecisionCurveOptions o;
  o.bootstrap = 200;
  o.seed = 5;
  const nlohmann::json& l = dcaCase("lung_cox_365").at("data");
  SurvivalData d;
  d.time = vec(l.at("time"));
  d.event = vec(l.at("event"));
  const DecisionCurve s = survivalDecisionCurve(d, vec(l.at("risk")), 365, o);
  const nlohmann::json& b = dcaCase("lung_death_1y_glm").at("data");
  const DecisionCurve bc = binaryDecisionCurve(vec(b.at("outcome")), vec(b.at("probability")), o);
  nlohmann::json j;
  j["generator"] = "tests/tools/write_native_goldens.cpp (build/native/latefuse_write_goldens decision-curve)";
  j["seed"] = 5;
  j["bootstrap"] = 200;
  j["survival"] = {{"case", "lung_cox_365"}, {"curve", decisionCurveToJson(s)}};
  j["binary"] = {{"case", "lung_death_1y_glm"}, {"curve", decisionCurveToJson(bc)}};
  return j;
}

inline std::string decisionCurveSeededText() { return decisionCurveSeededJson().dump(1) + "\n"; }

}  // namespace latefuse::testing
