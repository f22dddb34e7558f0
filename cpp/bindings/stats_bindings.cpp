// embind entry points for the evaluation statistics: conversion only; the statistics are
// in cpp/latefuse. Inputs are JS objects of typed arrays; outputs plain JS objects (non-finite
// numbers become null, large vectors Float64Array). Long resampling runs call `onProgress(fraction)`
// after every chunk; a callback returning false cancels, and the result is then {cancelled: true}
// (web/lib/stats.js turns that into a CancelledError).
#include <cmath>
#include <limits>
#include <memory>

#include "latefuse/calibration.hpp"
#include "latefuse/horizons.hpp"
#include "latefuse/kaplan_meier.hpp"
#include "latefuse/logistic.hpp"
#include "latefuse/logrank.hpp"
#include "latefuse/multiple_testing.hpp"
#include "latefuse/paired_difference.hpp"
#include "latefuse/random.hpp"
#include "latefuse/rank_correlation.hpp"
#include "latefuse/resample_statistics.hpp"
#include "latefuse/resampling.hpp"
#include "latefuse/risk_groups.hpp"
#include "latefuse/survival_metrics.hpp"
#include "survival_convert.hpp"

namespace latefuse::bindings {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The training data of an IPCW metric: input.train = {time, event} or, by default, the data itself.
SurvivalData trainingData(const val& input, const SurvivalData& test) {
  return has(input, "train") ? survivalDataOf(input["train"]) : test;
}

Eigen::VectorXd required(const val& input, const char* key) {
  if (!has(input, key)) throw InputError(std::string("missing '") + key + "'");
  return toVector(input[key]);
}

// A score whose direction is given by higherIsRisk (default true) as a risk (higher = earlier event).
Eigen::VectorXd riskOf(const val& input, const char* key = "score") {
  Eigen::VectorXd r = required(input, key);
  if (!option<bool>(input, "higherIsRisk", true)) r = -r;
  return r;
}

double tauOf(const val& input) { return has(input, "tau") ? input["tau"].as<double>() : kInf; }

val vectorOrNull(const Eigen::VectorXd& v) { return toArray(v); }

val stringArray(const std::vector<std::string>& v) { return toStringArray(v); }

// ---- Kaplan–Meier and log-rank ----------------------------------------------------------------

// input: {time, event, weights?, group?: Int32Array, confType?, confLevel?, times?, curve?: bool}
val kaplanMeierJs(val input) {
  const SurvivalData d = survivalDataOf(input);
  KaplanMeierOptions o;
  o.confType = parseConfType(option<std::string>(input, "confType", "log"));
  o.confLevel = option<double>(input, "confLevel", 0.95);
  const Eigen::VectorXi groups = has(input, "group") ? toIntVector(input["group"]) : Eigen::VectorXi::Zero(d.size());
  const std::vector<int> codes = distinctCodes(groups);
  const std::vector<KaplanMeierCurve> curves = kaplanMeierByGroup(d, groups, o);
  const Eigen::VectorXd times = has(input, "times") ? toVector(input["times"]) : Eigen::VectorXd();
  const bool withCurve = option<bool>(input, "curve", false);
  val out = val::array();
  for (size_t g = 0; g < curves.size(); ++g) {
    const KaplanMeierCurve& k = curves[g];
    val e = val::object();
    e.set("code", codes[g]);
    e.set("n", k.n);
    e.set("records", static_cast<double>(k.records));
    e.set("events", k.events);
    const SurvivalQuantile q = survivalQuantile(k, 0.5);
    e.set("median", number(q.quantile));
    e.set("medianLower", number(q.lower));
    e.set("medianUpper", number(q.upper));
    if (times.size()) {
      const KaplanMeierAt at = kaplanMeierAt(k, times);
      val a = val::object();
      a.set("time", toArray(at.time));
      a.set("surv", toArray(at.surv));
      a.set("stdErr", toArray(at.stdErr));
      a.set("lower", toArray(at.lower));
      a.set("upper", toArray(at.upper));
      a.set("nRisk", toArray(at.nRisk));
      e.set("at", a);
    }
    if (withCurve) {
      val c = val::object();
      c.set("time", toFloat64Array(k.time));
      c.set("nRisk", toFloat64Array(k.nRisk));
      c.set("nEvent", toFloat64Array(k.nEvent));
      c.set("nCensor", toFloat64Array(k.nCensor));
      c.set("surv", toFloat64Array(k.surv));
      c.set("stdErr", toFloat64Array(k.stdErr));
      c.set("lower", toFloat64Array(k.lower));
      c.set("upper", toFloat64Array(k.upper));
      e.set("curve", c);
    }
    out.call<void>("push", e);
  }
  val result = val::object();
  result.set("confType", confTypeName(o.confType));
  result.set("confLevel", o.confLevel);
  result.set("groups", out);
  return result;
}

// input: {time, event, group: Int32Array, strata?, rho?}
val logRankJs(val input) {
  const SurvivalData d = survivalDataOf(input);
  if (!has(input, "group")) throw InputError("the log-rank test needs a group array");
  const LogRankTest t = logRankTest(d, toIntVector(input["group"]), option<double>(input, "rho", 0.0));
  val out = val::object();
  val groups = val::array();
  for (int g : t.groups) groups.call<void>("push", g);
  out.set("groups", groups);
  out.set("n", toArray(t.n));
  out.set("observed", toArray(t.observed));
  out.set("expected", toArray(t.expected));
  out.set("variance", toRows(t.variance));
  out.set("chisq", number(t.chisq));
  out.set("df", t.df);
  out.set("p", number(t.p));
  out.set("rho", t.rho);
  out.set("strata", t.strata);
  return out;
}

// ---- IPCW metrics and calibration ------------------------------------------------------------

// input: {time, event, score, higherIsRisk?, tau?, train?: {time, event}, tiedTol?}
val unoConcordanceJs(val input) {
  const SurvivalData test = survivalDataOf(input);
  const UnoConcordance u = unoConcordance(trainingData(input, test), test, riskOf(input), tauOf(input),
                                          option<double>(input, "tiedTol", 1e-8));
  val out = val::object();
  out.set("c", number(u.c));
  out.set("tau", number(u.tau));
  out.set("concordant", u.concordant);
  out.set("discordant", u.discordant);
  out.set("tiedRisk", u.tiedRisk);
  return out;
}

// input: {time, event, score, higherIsRisk?, times, train?, tiedTol?}
val timeDependentAucJs(val input) {
  const SurvivalData test = survivalDataOf(input);
  const TimeDependentAuc a = cumulativeDynamicAuc(trainingData(input, test), test, riskOf(input), required(input, "times"),
                                                  option<double>(input, "tiedTol", 1e-8));
  val out = val::object();
  out.set("time", toArray(a.time));
  out.set("auc", toArray(a.auc));
  out.set("meanAuc", number(a.meanAuc));
  return out;
}

// input: {time, event, survival: [Float64Array per time point], times, train?}
val brierScoreJs(val input) {
  const SurvivalData test = survivalDataOf(input);
  const Eigen::VectorXd times = required(input, "times");
  if (!has(input, "survival")) throw InputError("give the predicted survival: one array per time point");
  const Eigen::MatrixXd s = toMatrix(input["survival"], test.size());
  const SurvivalData train = trainingData(input, test);
  const BrierScores b = brierScore(train, test, s, times);
  val out = val::object();
  out.set("time", toArray(b.time));
  out.set("brier", toArray(b.brier));
  out.set("integrated", times.size() >= 2 ? number(integratedBrierScore(train, test, s, times)) : val::null());
  return out;
}

// input: {time, event, weights?, predicted (S_i(horizon)), horizon, groups?, confType?, confLevel?, linearPredictor?}
val calibrationJs(val input) {
  const SurvivalData d = survivalDataOf(input);
  CalibrationOptions o;
  o.groups = option<int>(input, "groups", 10);
  o.km.confType = parseConfType(option<std::string>(input, "confType", "log"));
  o.km.confLevel = option<double>(input, "confLevel", 0.95);
  if (has(input, "linearPredictor")) o.linearPredictor = toVector(input["linearPredictor"]);
  if (!has(input, "horizon")) throw InputError("calibration needs a horizon time");
  const SurvivalCalibration c = survivalCalibration(d, required(input, "predicted"), input["horizon"].as<double>(), o);
  val groups = val::array();
  for (const auto& g : c.groups) {
    val e = val::object();
    e.set("n", static_cast<double>(g.n));
    e.set("events", g.events);
    e.set("riskLow", g.riskLow);
    e.set("riskHigh", g.riskHigh);
    e.set("predicted", number(g.predicted));
    e.set("observed", number(g.observed));
    e.set("lower", number(g.lower));
    e.set("upper", number(g.upper));
    e.set("nRisk", g.nRisk);
    groups.call<void>("push", e);
  }
  val out = val::object();
  out.set("horizon", c.horizon);
  out.set("groups", groups);
  out.set("slope", number(c.slope));
  out.set("slopeSe", number(c.slopeSe));
  out.set("slopeLower", number(c.slopeLower));
  out.set("slopeUpper", number(c.slopeUpper));
  return out;
}

// ---- rank correlation, multiple testing ----------------------------------------------------------

val correlationObject(const RankCorrelation& r) {
  val out = val::object();
  out.set("estimate", number(r.estimate));
  out.set("statistic", number(r.statistic));
  out.set("p", number(r.p));
  out.set("n", static_cast<double>(r.n));
  out.set("warnings", stringArray(r.warnings));
  return out;
}

// input: {x, y}
// input: {x: Float64Array (finite, at least one value), probs: Float64Array in [0, 1]} -> number[]:
// R's quantile(x, probs, type = 7) (Hyndman & Fan 1996), the one implementation the CLI and the page
// use for default horizons and risk-group cut points.
val quantileJs(val input) {
  const Eigen::VectorXd x = required(input, "x"), probs = required(input, "probs");
  if (x.size() == 0) throw InputError("quantile: give at least one value");
  if (!x.allFinite()) throw InputError("quantile: every value must be a finite number");
  for (Eigen::Index k = 0; k < probs.size(); ++k)
    if (!(probs(k) >= 0 && probs(k) <= 1)) throw InputError("quantile: probabilities must lie in [0, 1]");
  return toArray(quantileType7(x, probs));
}

// input: {score: Float64Array (finite), probs: Float64Array in (0, 1), increasing} -> {cutpoints: number[],
// codes: Int32Array}: R's cut of the score at its own quantiles (risk_groups.hpp).
val quantileGroupsJs(val input) {
  const QuantileGroups g = quantileGroups(required(input, "score"), required(input, "probs"));
  val out = val::object();
  out.set("cutpoints", toArray(Eigen::VectorXd(Eigen::Map<const Eigen::VectorXd>(g.cutpoints.data(), static_cast<Eigen::Index>(g.cutpoints.size())))));
  out.set("codes", toInt32Array(g.codes));
  return out;
}

// input: {time, event: Float64Array} -> number[]: the default horizons (horizons.hpp).
val defaultHorizonsJs(val input) { return toArray(defaultHorizons(required(input, "time"), required(input, "event"))); }

val kendallJs(val input) { return correlationObject(kendallTau(required(input, "x"), required(input, "y"))); }
val spearmanJs(val input) { return correlationObject(spearmanRho(required(input, "x"), required(input, "y"))); }

// input: {columns: [Float64Array...] (NaN = missing), names?, method?: 'kendall'|'spearman'}
val rankCorrelationMatrixJs(val input) {
  if (!has(input, "columns")) throw InputError("give the columns to correlate");
  const val cols = input["columns"];
  const unsigned p = cols["length"].as<unsigned>();
  if (p == 0) throw InputError("give at least one column");
  const Eigen::Index rows = toVector(cols[0]).size();
  const Eigen::MatrixXd x = toMatrix(cols, rows);
  const std::string method = option<std::string>(input, "method", "kendall");
  if (method != "kendall" && method != "spearman") throw InputError("method must be 'kendall' or 'spearman'");
  const CorrelationMatrix m = rankCorrelationMatrix(x, method == "kendall" ? RankMethod::Kendall : RankMethod::Spearman,
                                                    toStrings(input["names"]));
  val out = val::object();
  out.set("estimate", toRows(m.estimate));
  out.set("p", toRows(m.p));
  out.set("n", toRows(m.n));
  out.set("warnings", stringArray(m.warnings));
  return out;
}

// input: {p: Float64Array (NaN = missing), method?: 'BH'|'BY'|'holm'|'hochberg'|'bonferroni'}
val adjustPValuesJs(val input) {
  return toArray(adjustPValues(required(input, "p"), parsePAdjustMethod(option<std::string>(input, "method", "BH"))));
}

// ---- logistic -----------------------------------------------------------------------------------

// input: {y, covariates: [Float64Array...], names?, weights?, ridge?, offset?, confLevel?, maxIter?, eps?}
val fitLogisticJs(val input) {
  const Eigen::VectorXd y = required(input, "y");
  const Eigen::MatrixXd x = has(input, "covariates") ? toMatrix(input["covariates"], y.size()) : Eigen::MatrixXd(y.size(), 0);
  LogisticOptions o;
  o.ridge = option<double>(input, "ridge", 0.0);
  o.allowRotation = option<bool>(input, "rotation", true);
  o.confLevel = option<double>(input, "confLevel", 0.95);
  o.maxIter = option<int>(input, "maxIter", o.maxIter);
  o.eps = option<double>(input, "eps", o.eps);
  if (has(input, "offset")) o.offset = toVector(input["offset"]);
  o.names = toStrings(input["names"]);
  const Eigen::VectorXd w = has(input, "weights") ? toVector(input["weights"]) : Eigen::VectorXd();
  const LogisticFit f = fitLogistic(y, x, w, o);
  val out = val::object();
  out.set("n", static_cast<double>(f.n));
  out.set("cases", f.cases);
  out.set("controls", f.controls);
  out.set("names", stringArray(f.names));
  out.set("coef", toArray(f.coef));
  out.set("se", toArray(f.se));
  out.set("z", toArray(f.z));
  out.set("p", toArray(f.pValue));
  out.set("or", toArray(f.oddsRatio));
  out.set("orLower", toArray(f.orLower));
  out.set("orUpper", toArray(f.orUpper));
  out.set("var", toRows(f.var));
  out.set("loglik", number(f.loglik));
  out.set("deviance", number(f.deviance));
  out.set("penalty", number(f.penalty));
  out.set("ridge", f.ridge);
  out.set("iterations", f.iterations);
  out.set("converged", f.converged);
  out.set("warnings", stringArray(f.warnings));
  out.set("linearPredictor", toFloat64Array(f.linearPredictor));
  out.set("fitted", toFloat64Array(f.fitted));
  return out;
}

// input: {y, score, confLevel?}
val binaryAucJs(val input) {
  const BinaryAuc a = binaryAuc(required(input, "y"), required(input, "score"), option<double>(input, "confLevel", 0.95));
  val out = val::object();
  out.set("auc", number(a.auc));
  out.set("se", number(a.se));
  out.set("lower", number(a.lower));
  out.set("upper", number(a.upper));
  out.set("cases", static_cast<double>(a.cases));
  out.set("controls", static_cast<double>(a.controls));
  return out;
}

// input: {y, prob, weights?}
double binaryBrierJs(val input) {
  return binaryBrier(required(input, "y"), required(input, "prob"),
                     has(input, "weights") ? toVector(input["weights"]) : Eigen::VectorXd());
}

// input: {y, lp, weights?}
val logisticCalibrationJs(val input) {
  const LogisticCalibration c = logisticCalibration(required(input, "y"), required(input, "lp"),
                                                    has(input, "weights") ? toVector(input["weights"]) : Eigen::VectorXd());
  val out = val::object();
  out.set("intercept", number(c.intercept));
  out.set("interceptSe", number(c.interceptSe));
  out.set("slope", number(c.slope));
  out.set("slopeSe", number(c.slopeSe));
  return out;
}

// ---- resampling -----------------------------------------------------------------------------------

struct Spec {
  Eigen::Index n = 0;
  ResampleStatistic resample;
  PermutationStatistic permute;  // empty when no permutation test is defined
  double center = 0.5;
};

// The statistic named by input.statistic, on the data of `input` (score key given for paired runs).
Spec specOf(const val& input, const char* scoreKey = "score") {
  const std::string name = option<std::string>(input, "statistic", "");
  Spec s;
  if (name == "harrell") {
    const SurvivalData d = survivalDataOf(input);
    const auto engine = std::make_shared<const HarrellEngine>(d, required(input, scoreKey), option<bool>(input, "higherIsRisk", true));
    s.n = d.size();
    s.resample = harrellStatistic(engine);
    s.permute = harrellPermutation(engine);
  } else if (name == "uno") {
    const SurvivalData d = survivalDataOf(input);
    const Eigen::VectorXd r = riskOf(input, scoreKey);
    s.n = d.size();
    s.resample = unoStatistic(d, r, tauOf(input));
    s.permute = unoPermutation(d, r, tauOf(input));
  } else if (name == "auc" || name == "mean_auc") {
    const SurvivalData d = survivalDataOf(input);
    s.n = d.size();
    s.resample = aucStatistic(d, riskOf(input, scoreKey), required(input, "times"), name == "mean_auc");
  } else if (name == "kendall" || name == "spearman") {
    const Eigen::VectorXd x = required(input, "x"), y = required(input, "y");
    s.n = x.size();
    s.resample = name == "kendall" ? kendallStatistic(x, y) : spearmanStatistic(x, y);
    s.permute = name == "kendall" ? kendallPermutation(x, y) : spearmanPermutation(x, y);
    s.center = 0;
  } else if (name == "binary_auc") {
    const Eigen::VectorXd y = required(input, "y"), score = required(input, scoreKey);
    s.n = y.size();
    s.resample = binaryAucStatistic(y, score);
    s.permute = binaryAucPermutation(y, score);
  } else if (name == "km_surv") {
    const SurvivalData d = survivalDataOf(input);
    if (!has(input, "t")) throw InputError("km_surv needs the time t");
    s.n = d.size();
    s.resample = kaplanMeierStatistic(d, input["t"].as<double>());
  } else {
    throw InputError("statistic must be one of harrell, uno, auc, mean_auc, kendall, spearman, binary_auc, km_surv; got '" +
                     name + "'");
  }
  return s;
}

BootstrapOptions bootstrapOptions(const val& input) {
  BootstrapOptions o;
  o.replicates = option<int>(input, "replicates", 1000);
  o.seed = seedOf(input);
  o.confLevel = option<double>(input, "confLevel", 0.95);
  o.bca = option<bool>(input, "bca", false);
  o.chunk = option<int>(input, "chunk", 50);
  o.progress = progressOf(input);
  return o;
}

val bootstrapObject(const BootstrapResult& r) {
  val out = val::object();
  out.set("estimate", number(r.estimate));
  out.set("replicates", toFloat64Array(r.replicates));
  out.set("failed", r.failed);
  out.set("se", number(r.se));
  out.set("bias", number(r.bias));
  out.set("lower", number(r.lower));
  out.set("upper", number(r.upper));
  out.set("bcaLower", number(r.bcaLower));
  out.set("bcaUpper", number(r.bcaUpper));
  out.set("z0", number(r.z0));
  out.set("acceleration", number(r.acceleration));
  out.set("confLevel", r.confLevel);
  out.set("seed", static_cast<double>(r.seed));
  out.set("warnings", stringArray(r.warnings));
  return out;
}

val cancelledObject() {
  val out = val::object();
  out.set("cancelled", true);
  return out;
}

// input: {statistic, <data of the statistic>, replicates?, seed?, confLevel?, bca?, chunk?, onProgress?}
val bootstrapJs(val input) {
  const Spec s = specOf(input);
  const BootstrapOptions o = bootstrapOptions(input);
  try {
    return bootstrapObject(bootstrap(s.n, s.resample, o));
  } catch (const Cancelled&) {
    return cancelledObject();
  }
}

// input: {statistic: harrell|uno|auc|mean_auc|binary_auc, <data>, scoreA, scoreB, ...bootstrap options}
val pairedBootstrapJs(val input) {
  const Spec a = specOf(input, "scoreA"), b = specOf(input, "scoreB");
  const BootstrapOptions o = bootstrapOptions(input);
  try {
    const PairedBootstrapResult r = pairedBootstrap(a.n, a.resample, b.resample, o);
    val out = val::object();
    out.set("estimateA", number(r.estimateA));
    out.set("estimateB", number(r.estimateB));
    out.set("difference", bootstrapObject(r.difference));
    return out;
  } catch (const Cancelled&) {
    return cancelledObject();
  }
}

// input: {statistic: harrell|uno|kendall|spearman|binary_auc, <data>, permutations?, seed?, center?, chunk?, onProgress?}
val permutationTestJs(val input) {
  const Spec s = specOf(input);
  if (!s.permute) throw InputError("no permutation test is defined for statistic '" + option<std::string>(input, "statistic", "") + "'");
  PermutationOptions o;
  o.permutations = option<int>(input, "permutations", 1000);
  o.seed = seedOf(input);
  o.center = option<double>(input, "center", s.center);
  o.chunk = option<int>(input, "chunk", 50);
  o.progress = progressOf(input);
  try {
    const PermutationResult r = permutationTest(s.n, s.permute, o);
    val out = val::object();
    out.set("observed", number(r.observed));
    out.set("p", number(r.p));
    out.set("extreme", r.extreme);
    out.set("permutations", r.permutations);
    out.set("center", o.center);
    out.set("statistics", toFloat64Array(r.statistics));
    out.set("seed", static_cast<double>(r.seed));
    out.set("warnings", stringArray(r.warnings));
    return out;
  } catch (const Cancelled&) {
    return cancelledObject();
  }
}

// The first draws of latefuse::Random for a seed (native-vs-WASM agreement checks): next() as
// decimal strings (64-bit) and below(bound).
val randomDrawsJs(val input) {
  Random rng(seedOf(input));
  const int count = option<int>(input, "count", 5);
  const double bound = option<double>(input, "bound", 227.0);
  val next = val::array(), below = val::array();
  for (int k = 0; k < count; ++k) next.call<void>("push", std::to_string(rng.next()));
  for (int k = 0; k < count; ++k) below.call<void>("push", static_cast<double>(rng.below(static_cast<uint64_t>(bound))));
  val out = val::object();
  out.set("next", next);
  out.set("below", below);
  return out;
}

// input: {a, b (same length), confLevel?} -> the mean of a - b with its t interval and p (R t.test paired).
val pairedDifferenceJs(val input) {
  const PairedDifference d = pairedMeanDifference(toVector(input["a"]), toVector(input["b"]), option<double>(input, "confLevel", 0.95));
  val out = val::object();
  out.set("n", d.n);
  out.set("mean", d.mean);
  out.set("sd", d.sd);
  out.set("lower", d.lower);
  out.set("upper", d.upper);
  out.set("p", d.p);
  return out;
}

}  // namespace
}  // namespace latefuse::bindings

EMSCRIPTEN_BINDINGS(latefuse_stats) {
  using namespace latefuse::bindings;
  emscripten::function("kaplanMeier", &Guard<&kaplanMeierJs>::call);
  emscripten::function("logRank", &Guard<&logRankJs>::call);
  emscripten::function("unoConcordance", &Guard<&unoConcordanceJs>::call);
  emscripten::function("timeDependentAuc", &Guard<&timeDependentAucJs>::call);
  emscripten::function("brierScore", &Guard<&brierScoreJs>::call);
  emscripten::function("survivalCalibration", &Guard<&calibrationJs>::call);
  emscripten::function("quantileType7", &Guard<&quantileJs>::call);
  emscripten::function("quantileGroups", &Guard<&quantileGroupsJs>::call);
  emscripten::function("defaultHorizons", &Guard<&defaultHorizonsJs>::call);
  emscripten::function("kendall", &Guard<&kendallJs>::call);
  emscripten::function("spearman", &Guard<&spearmanJs>::call);
  emscripten::function("rankCorrelationMatrix", &Guard<&rankCorrelationMatrixJs>::call);
  emscripten::function("adjustPValues", &Guard<&adjustPValuesJs>::call);
  emscripten::function("fitLogistic", &Guard<&fitLogisticJs>::call);
  emscripten::function("binaryAuc", &Guard<&binaryAucJs>::call);
  emscripten::function("binaryBrier", &Guard<&binaryBrierJs>::call);
  emscripten::function("logisticCalibration", &Guard<&logisticCalibrationJs>::call);
  emscripten::function("statsBootstrap", &Guard<&bootstrapJs>::call);
  emscripten::function("statsPairedBootstrap", &Guard<&pairedBootstrapJs>::call);
  emscripten::function("statsPermutationTest", &Guard<&permutationTestJs>::call);
  emscripten::function("statsRandomDraws", &Guard<&randomDrawsJs>::call);
  emscripten::function("pairedDifference", &Guard<&pairedDifferenceJs>::call);
}
