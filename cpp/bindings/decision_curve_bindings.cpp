// embind entry point for decision curve analysis (cpp/latefuse/decision_curve.hpp): conversion only.
// The result is the core's JSON (decisionCurveToJson; NaN -> null); a bootstrap cancelled through
// `onProgress` returning false gives {cancelled: true} (web/lib/decision_curve.js throws CancelledError).
#include "convert.hpp"
#include "latefuse/decision_curve.hpp"
#include "latefuse/resampling.hpp"
#include "survival_convert.hpp"

namespace latefuse::bindings {
namespace {

// input: {outcomeType: 'survival'|'binary', time, event, risk, horizon} or {outcomeType: 'binary',
// outcome, probability}; optional thresholds, bootstrap, seed, confLevel, chunk, onProgress.
val decisionCurveJs(val input) {
  DecisionCurveOptions o;
  if (has(input, "thresholds")) o.thresholds = toVector(input["thresholds"]);
  o.bootstrap = option<int>(input, "bootstrap", 0);
  o.seed = seedOf(input);
  o.confLevel = option<double>(input, "confLevel", 0.95);
  o.chunk = option<int>(input, "chunk", 50);
  if (has(input, "onProgress")) {
    val cb = input["onProgress"];
    o.progress = [cb](double fraction) { return !cb(fraction).isFalse(); };
  }
  const std::string type = option<std::string>(input, "outcomeType", "survival");
  try {
    DecisionCurve dc;
    if (type == "binary") {
      if (!has(input, "outcome") || !has(input, "probability")) throw InputError("decision curve: give outcome and probability arrays");
      dc = binaryDecisionCurve(toVector(input["outcome"]), toVector(input["probability"]), o);
    } else if (type == "survival") {
      if (!has(input, "risk") || !has(input, "horizon")) throw InputError("decision curve: give risk and horizon");
      dc = survivalDecisionCurve(survivalDataOf(input), toVector(input["risk"]), input["horizon"].as<double>(), o);
    } else {
      throw InputError("decision curve: outcomeType must be 'survival' or 'binary' (got '" + type + "')");
    }
    nlohmann::json j = decisionCurveToJson(dc);
    nlohmann::json ranges = nlohmann::json::array();
    for (const ThresholdRange& r : netBenefitRanges(dc.thresholds, dc.netBenefit, dc.treatAll)) ranges.push_back({{"from", r.from}, {"to", r.to}});
    j["beats_defaults"] = ranges;
    return val::global("JSON").call<val>("parse", j.dump());
  } catch (const Cancelled&) {
    return Object()("cancelled", true);
  }
}

}  // namespace
}  // namespace latefuse::bindings

EMSCRIPTEN_BINDINGS(latefuse_decision_curve) {
  using namespace latefuse::bindings;
  emscripten::function("decisionCurve", &Guard<&decisionCurveJs>::call);
}
