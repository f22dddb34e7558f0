// embind entry points for the late-fusion engine: conversion only; the models are in
// cpp/latefuse. For now: the cohort simulator.
#include <cmath>

#include "convert.hpp"
#include "latefuse/simulator.hpp"

namespace latefuse::bindings {
namespace {

int modalityOf(const SimulationOptions& o, const std::string& name, const char* what) {
  for (size_t m = 0; m < o.modalities.size(); ++m)
    if (o.modalities[m].name == name) return static_cast<int>(m);
  std::string known;
  for (const auto& m : o.modalities) known += (known.empty() ? "" : ", ") + m.name;
  throw InputError(std::string(what) + ": unknown modality '" + name + "'; the modalities are " + known);
}

double finiteNumber(const val& v, const std::string& what) {
  if (v.typeOf().as<std::string>() != "number") throw InputError(what + " must be a number");
  const double x = v.as<double>();
  if (!std::isfinite(x)) throw InputError(what + " must be a finite number");
  return x;
}

int wholeNumber(const val& v, const std::string& what) {
  const double x = finiteNumber(v, what);
  if (std::floor(x) != x || std::fabs(x) > 2147483647.0) throw InputError(what + " must be a whole number");
  return static_cast<int>(x);
}

// A per-modality setting: a number (every modality) or {modality: number}.
template <typename Apply>
void perModality(const val& input, const char* key, SimulationOptions& o, Apply apply) {
  if (!has(input, key)) return;
  const val v = input[key];
  if (v.typeOf().as<std::string>() == "number") {
    for (auto& m : o.modalities) apply(m, v, std::string(key));
    return;
  }
  const val keys = val::global("Object").call<val>("keys", v);
  const unsigned k = keys["length"].as<unsigned>();
  for (unsigned i = 0; i < k; ++i) {
    const std::string name = keys[i].as<std::string>();
    apply(o.modalities[static_cast<size_t>(modalityOf(o, name, key))], v[name], std::string(key) + " of " + name);
  }
}

// input: {preset = 'hgsoc', n?, seed?, availability?: {name: count}, complete?, signal?, features?,
//         signalFeatures?, noise? (number or {name: value}), correlation?, interaction?,
//         interactionBetween?: [a, b], censoring?, medianSurvival?, weibullShape?, cellMissing?, missingNotAtRandom?,
//         outcome?: 'survival'|'binary', intercept? (binary: log-odds at eta = 0)}
// n is applied first (rescaling the preset's availability table); availability or complete then
// replace the table by the exact construction of simulator.hpp.
val simulateJs(val input) {
  SimulationOptions o = simulationPreset(option<std::string>(input, "preset", "hgsoc"));
  if (has(input, "n")) setCohortSize(o, wholeNumber(input["n"], "n"));
  if (has(input, "seed")) {
    const double s = finiteNumber(input["seed"], "seed");
    if (!(s >= 0 && s <= 9007199254740991.0 && std::floor(s) == s))
      throw InputError("seed must be a whole number between 0 and 2^53 - 1");
    o.seed = static_cast<uint64_t>(s);
  }
  if (has(input, "availability") || has(input, "complete")) o.patternCounts.clear();
  perModality(input, "availability", o, [](ModalitySimulation& m, const val& v, const std::string& w) { m.available = wholeNumber(v, w); });
  if (has(input, "complete")) o.complete = wholeNumber(input["complete"], "complete");
  perModality(input, "signal", o, [](ModalitySimulation& m, const val& v, const std::string& w) { m.signal = finiteNumber(v, w); });
  perModality(input, "features", o, [](ModalitySimulation& m, const val& v, const std::string& w) { m.features = wholeNumber(v, w); });
  perModality(input, "signalFeatures", o,
              [](ModalitySimulation& m, const val& v, const std::string& w) { m.signalFeatures = wholeNumber(v, w); });
  perModality(input, "noise", o, [](ModalitySimulation& m, const val& v, const std::string& w) { m.noise = finiteNumber(v, w); });
  if (has(input, "correlation")) o.correlation = finiteNumber(input["correlation"], "correlation");
  if (has(input, "interaction")) o.interaction = finiteNumber(input["interaction"], "interaction");
  if (has(input, "interactionBetween")) {
    const std::vector<std::string> pair = toStrings(input["interactionBetween"]);
    if (pair.size() != 2) throw InputError("interactionBetween needs two modality names");
    o.interactionA = pair[0];
    o.interactionB = pair[1];
  }
  if (has(input, "censoring")) o.censoring = finiteNumber(input["censoring"], "censoring");
  if (has(input, "medianSurvival")) o.medianSurvival = finiteNumber(input["medianSurvival"], "medianSurvival");
  if (has(input, "weibullShape")) o.weibullShape = finiteNumber(input["weibullShape"], "weibullShape");
  if (has(input, "cellMissing")) o.cellMissing = finiteNumber(input["cellMissing"], "cellMissing");
  if (has(input, "missingNotAtRandom")) o.missingNotAtRandom = finiteNumber(input["missingNotAtRandom"], "missingNotAtRandom");
  if (has(input, "outcome")) {
    const val v = input["outcome"];
    const std::string outcome = v.typeOf().as<std::string>() == "string" ? v.as<std::string>() : "";
    if (outcome == "binary") o.outcome = SimulatedOutcome::Binary;
    else if (outcome != "survival") throw InputError("outcome must be survival or binary");
  }
  if (has(input, "intercept")) o.binaryIntercept = finiteNumber(input["intercept"], "intercept");

  const SimulatedCohort c = simulate(o);
  const double n = static_cast<double>(c.event.size()), events = c.event.sum();
  Object out;
  out("seed", o.seed)("n", n)("outcome", std::string(c.binary ? "binary" : "survival"));
  if (c.binary) out("cases", events)("controls", n - events)("intercept", o.binaryIntercept);
  else out("events", events)("censored", n - events);
  int complete = 0;
  for (Eigen::Index i = 0; i < c.available.rows(); ++i) complete += c.available.row(i).minCoeff();
  std::vector<val> modalities;
  for (size_t m = 0; m < o.modalities.size(); ++m) {
    const ModalitySimulation& s = o.modalities[m];
    const auto available = c.available.col(static_cast<Eigen::Index>(m)).sum();
    modalities.push_back(Object()("name", s.name)("available", available)("features", s.features)(
        "signal_features", s.signalFeatures)("signal", s.signal)("noise", s.noise));
  }
  // Each pattern of modalities the cohort has (by mask), the patients with none last.
  std::vector<val> patterns;
  const std::vector<int> counts = resolvePatternCounts(o);
  for (size_t k = 1; k <= counts.size(); ++k) {
    const size_t mask = k % counts.size();
    if (counts[mask] == 0) continue;
    std::vector<std::string> names;
    for (size_t m = 0; m < o.modalities.size(); ++m)
      if (mask & (size_t{1} << m)) names.push_back(o.modalities[m].name);
    patterns.push_back(Object()("modalities", names)("patients", counts[mask]));
  }
  out("complete", complete)("modalities", modalities)("patterns", patterns)("columns", c.columns);
  out("correlation", o.correlation)("interaction", o.interaction);
  if (o.interaction != 0) out("interaction_between", std::vector<std::string>{o.interactionA, o.interactionB});
  out("censoring", o.censoring)("median_survival", o.medianSurvival)("weibull_shape", o.weibullShape);
  out("missing_cells", o.cellMissing)("missing_not_at_random", o.missingNotAtRandom)("csv", cohortCsv(c));
  return out;
}

}  // namespace
}  // namespace latefuse::bindings

EMSCRIPTEN_BINDINGS(latefuse_fusion) {
  using namespace latefuse::bindings;
  emscripten::function("simulate", &Guard<&simulateJs>::call);
}
