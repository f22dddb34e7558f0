// embind entry points for the evaluation statistics: conversion only; the statistics are
// in cpp/latefuse. Inputs are JS objects of typed arrays (camelCase options); outputs plain JS objects
// with snake_case keys, listed once per result type below and converted by convert.hpp (non-finite
// numbers become null, large vectors Float64Array). Long resampling runs call `onProgress(fraction)`
// after every chunk; a callback returning false cancels, and the result is then {cancelled: true}
// (web/lib/stats.js turns that into a CancelledError).
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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

// What each statistic returns to JS: its keys (snake_case) and values, converted by convert.hpp.
namespace latefuse {
template <typename F>
void fields(const KaplanMeierAt& a, F&& f) {
  f("time", a.time);
  f("surv", a.surv);
  f("std_err", a.stdErr);
  f("lower", a.lower);
  f("upper", a.upper);
  f("n_risk", a.nRisk);
}
template <typename F>
void fields(const LogRankTest& t, F&& f) {
  f("groups", t.groups);
  f("n", t.n);
  f("observed", t.observed);
  f("expected", t.expected);
  f("variance", t.variance);
  f("chisq", t.chisq);
  f("df", t.df);
  f("p", t.p);
  f("rho", t.rho);
  f("strata", t.strata);
}
template <typename F>
void fields(const UnoConcordance& u, F&& f) {
  f("c", u.c);
  f("tau", u.tau);
  f("concordant", u.concordant);
  f("discordant", u.discordant);
  f("tied_risk", u.tiedRisk);
}
template <typename F>
void fields(const TimeDependentAuc& a, F&& f) {
  f("time", a.time);
  f("auc", a.auc);
  f("mean_auc", a.meanAuc);
}
template <typename F>
void fields(const CalibrationGroup& g, F&& f) {
  f("n", g.n);
  f("events", g.events);
  f("risk_low", g.riskLow);
  f("risk_high", g.riskHigh);
  f("predicted", g.predicted);
  f("observed", g.observed);
  f("lower", g.lower);
  f("upper", g.upper);
  f("n_risk", g.nRisk);
}
template <typename F>
void fields(const SurvivalCalibration& c, F&& f) {
  f("horizon", c.horizon);
  f("groups", c.groups);
  f("slope", c.slope);
  f("slope_se", c.slopeSe);
  f("slope_lower", c.slopeLower);
  f("slope_upper", c.slopeUpper);
}
template <typename F>
void fields(const RankCorrelation& r, F&& f) {
  f("estimate", r.estimate);
  f("statistic", r.statistic);
  f("p", r.p);
  f("n", r.n);
  f("warnings", r.warnings);
}
template <typename F>
void fields(const CorrelationMatrix& m, F&& f) {
  f("estimate", m.estimate);
  f("p", m.p);
  f("n", m.n);
  f("warnings", m.warnings);
}
template <typename F>
void fields(const QuantileGroups& g, F&& f) {
  f("cutpoints", g.cutpoints);
  f("codes", bindings::typed(g.codes));
}
template <typename F>
void fields(const LogisticFit& fit, F&& f) {
  f("n", fit.n);
  f("cases", fit.cases);
  f("controls", fit.controls);
  f("names", fit.names);
  f("coef", fit.coef);
  f("se", fit.se);
  f("z", fit.z);
  f("p", fit.pValue);
  f("or", fit.oddsRatio);
  f("or_lower", fit.orLower);
  f("or_upper", fit.orUpper);
  f("var", fit.var);
  f("loglik", fit.loglik);
  f("deviance", fit.deviance);
  f("penalty", fit.penalty);
  f("ridge", fit.ridge);
  f("iterations", fit.iterations);
  f("converged", fit.converged);
  f("warnings", fit.warnings);
  f("linear_predictor", bindings::typed(fit.linearPredictor));
  f("fitted", bindings::typed(fit.fitted));
}
template <typename F>
void fields(const BinaryAuc& a, F&& f) {
  f("auc", a.auc);
  f("se", a.se);
  f("lower", a.lower);
  f("upper", a.upper);
  f("cases", a.cases);
  f("controls", a.controls);
}
template <typename F>
void fields(const LogisticCalibration& c, F&& f) {
  f("intercept", c.intercept);
  f("intercept_se", c.interceptSe);
  f("slope", c.slope);
  f("slope_se", c.slopeSe);
}
template <typename F>
void fields(const BootstrapResult& r, F&& f) {
  f("estimate", r.estimate);
  f("replicates", bindings::typed(r.replicates));
  f("failed", r.failed);
  f("se", r.se);
  f("bias", r.bias);
  f("lower", r.lower);
  f("upper", r.upper);
  f("bca_lower", r.bcaLower);
  f("bca_upper", r.bcaUpper);
  f("z0", r.z0);
  f("acceleration", r.acceleration);
  f("conf_level", r.confLevel);
  f("seed", r.seed);
  f("warnings", r.warnings);
}
template <typename F>
void fields(const PairedBootstrapResult& r, F&& f) {
  f("estimate_a", r.estimateA);
  f("estimate_b", r.estimateB);
  // Qualified: FieldSetter (convert.hpp) does not see the listed-struct toJs declared after it.
  f("difference", r.difference);
}
// NaN kept (not null) where a pair count makes a value undefined: the callers test Number.isNaN.
template <typename F>
void fields(const PairedDifference& d, F&& f) {
  f("n", d.n);
  f("mean", emscripten::val(d.mean));
  f("sd", emscripten::val(d.sd));
  f("lower", emscripten::val(d.lower));
  f("upper", emscripten::val(d.upper));
  f("p", emscripten::val(d.p));
}
}  // namespace latefuse

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
  std::vector<val> entries;
  for (size_t g = 0; g < curves.size(); ++g) {
    const KaplanMeierCurve& k = curves[g];
    const SurvivalQuantile q = survivalQuantile(k, 0.5);
    Object e;
    e("code", codes[g])("n", k.n)("records", k.records)("events", k.events);
    e("median", q.quantile)("median_lower", q.lower)("median_upper", q.upper);
    if (times.size()) e("at", kaplanMeierAt(k, times));
    if (withCurve) {
      e("curve", Object()("time", typed(k.time))("n_risk", typed(k.nRisk))("n_event", typed(k.nEvent))("n_censor", typed(k.nCensor))(
                     "surv", typed(k.surv))("std_err", typed(k.stdErr))("lower", typed(k.lower))("upper", typed(k.upper)));
    }
    entries.push_back(e);
  }
  return Object()("conf_type", confTypeName(o.confType))("conf_level", o.confLevel)("groups", entries);
}

// input: {time, event, group: Int32Array, strata?, rho?}
val logRankJs(val input) {
  const SurvivalData d = survivalDataOf(input);
  if (!has(input, "group")) throw InputError("the log-rank test needs a group array");
  return toJs(logRankTest(d, toIntVector(input["group"]), option<double>(input, "rho", 0.0)));
}

// ---- IPCW metrics and calibration ------------------------------------------------------------

// input: {time, event, score, higherIsRisk?, tau?, train?: {time, event}, tiedTol?}
val unoConcordanceJs(val input) {
  const SurvivalData test = survivalDataOf(input);
  return toJs(unoConcordance(trainingData(input, test), test, riskOf(input), tauOf(input), option<double>(input, "tiedTol", 1e-8)));
}

// input: {time, event, score, higherIsRisk?, times, train?, tiedTol?}
val timeDependentAucJs(val input) {
  const SurvivalData test = survivalDataOf(input);
  return toJs(cumulativeDynamicAuc(trainingData(input, test), test, riskOf(input), required(input, "times"),
                                   option<double>(input, "tiedTol", 1e-8)));
}

// input: {time, event, survival: [Float64Array per time point], times, train?}
val brierScoreJs(val input) {
  const SurvivalData test = survivalDataOf(input);
  const Eigen::VectorXd times = required(input, "times");
  if (!has(input, "survival")) throw InputError("give the predicted survival: one array per time point");
  const Eigen::MatrixXd s = toMatrix(input["survival"], test.size());
  const SurvivalData train = trainingData(input, test);
  const BrierScores b = brierScore(train, test, s, times);
  const std::optional<double> integrated =
      times.size() >= 2 ? std::optional<double>(integratedBrierScore(train, test, s, times)) : std::nullopt;
  return Object()("time", b.time)("brier", b.brier)("integrated", integrated);
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
  return toJs(survivalCalibration(d, required(input, "predicted"), input["horizon"].as<double>(), o));
}

// ---- rank correlation, multiple testing ----------------------------------------------------------

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
  return toJs(quantileGroups(required(input, "score"), required(input, "probs")));
}

// input: {time, event: Float64Array} -> number[]: the default horizons (horizons.hpp).
val defaultHorizonsJs(val input) { return toArray(defaultHorizons(required(input, "time"), required(input, "event"))); }

// input: {x, y}
val kendallJs(val input) { return toJs(kendallTau(required(input, "x"), required(input, "y"))); }
val spearmanJs(val input) { return toJs(spearmanRho(required(input, "x"), required(input, "y"))); }

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
  return toJs(rankCorrelationMatrix(x, method == "kendall" ? RankMethod::Kendall : RankMethod::Spearman, toStrings(input["names"])));
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
  return toJs(fitLogistic(y, x, w, o));
}

// input: {y, score, confLevel?}
val binaryAucJs(val input) {
  return toJs(binaryAuc(required(input, "y"), required(input, "score"), option<double>(input, "confLevel", 0.95)));
}

// input: {y, prob, weights?}
double binaryBrierJs(val input) {
  return binaryBrier(required(input, "y"), required(input, "prob"),
                     has(input, "weights") ? toVector(input["weights"]) : Eigen::VectorXd());
}

// input: {y, lp, weights?}
val logisticCalibrationJs(val input) {
  return toJs(logisticCalibration(required(input, "y"), required(input, "lp"),
                                  has(input, "weights") ? toVector(input["weights"]) : Eigen::VectorXd()));
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

val cancelledObject() { return Object()("cancelled", true); }

// input: {statistic, <data of the statistic>, replicates?, seed?, confLevel?, bca?, chunk?, onProgress?}
val bootstrapJs(val input) {
  const Spec s = specOf(input);
  const BootstrapOptions o = bootstrapOptions(input);
  try {
    return toJs(bootstrap(s.n, s.resample, o));
  } catch (const Cancelled&) {
    return cancelledObject();
  }
}

// input: {statistic: harrell|uno|auc|mean_auc|binary_auc, <data>, scoreA, scoreB, ...bootstrap options}
val pairedBootstrapJs(val input) {
  const Spec a = specOf(input, "scoreA"), b = specOf(input, "scoreB");
  const BootstrapOptions o = bootstrapOptions(input);
  try {
    return toJs(pairedBootstrap(a.n, a.resample, b.resample, o));
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
    return Object()("observed", r.observed)("p", r.p)("extreme", r.extreme)("permutations", r.permutations)("center", o.center)(
        "statistics", typed(r.statistics))("seed", r.seed)("warnings", r.warnings);
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
  std::vector<std::string> next;
  std::vector<double> below;
  for (int k = 0; k < count; ++k) next.push_back(std::to_string(rng.next()));
  for (int k = 0; k < count; ++k) below.push_back(static_cast<double>(rng.below(static_cast<uint64_t>(bound))));
  return Object()("next", next)("below", below);
}

// input: {a, b (same length), confLevel?} -> the mean of a - b with its t interval and p (R t.test paired).
val pairedDifferenceJs(val input) {
  return toJs(pairedMeanDifference(toVector(input["a"]), toVector(input["b"]), option<double>(input, "confLevel", 0.95)));
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
