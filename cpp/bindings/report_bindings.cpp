// embind entry point for the late-fusion evaluation report: conversion only; the
// analysis is cpp/latefuse/fusion_report.hpp and the model file cpp/latefuse/model_json.hpp.
// The report is serialised once in C++ (fusionReportToJson: snake_case keys, NaN -> null) and
// handed to JavaScript as a plain object, so the CLI, the app and the native tests see the same
// document. `onProgress(fraction)` is called during the long loops; returning false cancels and the
// result is then {cancelled: true} (web/lib/fusion_report.js turns that into a CancelledError).
#include <cmath>
#include <string>
#include <vector>

#include "guard.hpp"
#include "latefuse/fusion.hpp"
#include "latefuse/fusion_report.hpp"
#include "latefuse/model_json.hpp"

namespace latefuse::bindings {
namespace {

double finite(const val& input, const char* key, double fallback) {
  if (!has(input, key)) return fallback;
  const val v = input[key];
  if (v.typeOf().as<std::string>() != "number") throw InputError(std::string(key) + " must be a number");
  const double x = v.as<double>();
  if (!std::isfinite(x)) throw InputError(std::string(key) + " must be a finite number");
  return x;
}

int whole(const val& input, const char* key, int fallback) {
  const double x = finite(input, key, fallback);
  if (std::floor(x) != x || std::fabs(x) > 2147483647.0) throw InputError(std::string(key) + " must be a whole number");
  return static_cast<int>(x);
}

bool flag(const val& input, const char* key, bool fallback) {
  if (!has(input, key)) return fallback;
  const val v = input[key];
  if (v.typeOf().as<std::string>() != "boolean") throw InputError(std::string(key) + " must be true or false");
  return v.as<bool>();
}

std::string text(const val& input, const char* key, const std::string& fallback) {
  if (!has(input, key)) return fallback;
  const val v = input[key];
  if (v.typeOf().as<std::string>() != "string") throw InputError(std::string(key) + " must be a string");
  return v.as<std::string>();
}

// A binary cohort has `outcome` (0/1) instead of time and event.
Cohort cohortOf(const val& input) {
  const bool binary = has(input, "outcome");
  if (binary && (has(input, "time") || has(input, "event")))
    throw InputError("fitAndEvaluateFusion: give either outcome (binary) or time and event (survival), not both");
  for (const char* key : {"time", "event", "columns", "columnNames", "columnModality", "modalities"}) {
    if (binary && (std::string(key) == "time" || std::string(key) == "event")) continue;
    if (!has(input, key)) throw InputError(std::string("fitAndEvaluateFusion: missing '") + key + "'");
  }
  Cohort c;
  Eigen::Index n;
  if (binary) {
    c.outcome = OutcomeType::Binary;
    c.event = toVector(input["outcome"]);
    n = c.event.size();
  } else {
    c.time = toVector(input["time"]);
    c.event = toVector(input["event"]);
    n = c.time.size();
    if (c.event.size() != n)
      throw InputError("fitAndEvaluateFusion: time has " + std::to_string(n) + " values but event has " + std::to_string(c.event.size()));
  }
  c.x = toMatrix(input["columns"], n);
  c.columns = toStrings(input["columnNames"]);
  const Eigen::VectorXi owner = toIntVector(input["columnModality"]);
  c.columnModality.assign(owner.data(), owner.data() + owner.size());
  c.modalities = toStrings(input["modalities"]);
  if (has(input, "ids")) c.ids = toStrings(input["ids"]);
  return c;
}

RidgeOptions lifelines(double penalizer) {
  RidgeOptions r;
  r.penalizer = penalizer;
  return r;
}

EvaluationOptions optionsOf(const val& input, const Cohort& c) {
  EvaluationOptions o;
  o.referenceCompatible = flag(input, "referenceCompatible", false);
  FusionOptions& f = o.fusion;
  if (o.referenceCompatible) f = referenceCompatibleFusionOptions();
  const double seed = finite(input, "seed", 1);
  if (!(seed >= 0 && seed <= 9007199254740991.0 && std::floor(seed) == seed))
    throw InputError("seed must be a whole number between 0 and 2^53 - 1");
  o.seed = static_cast<uint64_t>(seed);
  f.seed = o.seed;
  const std::string selection = text(input, "selection", f.selectFeatures ? "screen" : "none");
  if (selection == "none") f.selectFeatures = false;
  else if (selection == "screen") f.selectFeatures = true;
  else if (selection == "elasticnet") {
    f.selectFeatures = false;
    f.elasticNet.enabled = true;
  } else throw InputError("selection must be none, screen or elasticnet; got '" + selection + "'");
  if (!f.elasticNet.enabled && (has(input, "alpha") || has(input, "lambdaRule") || has(input, "selectionFolds")))
    throw InputError("alpha, lambdaRule and selectionFolds apply to selection 'elasticnet' only");
  f.elasticNet.alpha = finite(input, "alpha", f.elasticNet.alpha);
  {
    const std::string rule = text(input, "lambdaRule", "min");
    if (rule == "min") f.elasticNet.rule = LambdaRule::Min;
    else if (rule == "1se") f.elasticNet.rule = LambdaRule::OneSE;
    else throw InputError("lambdaRule must be min or 1se; got '" + rule + "'");
  }
  f.elasticNet.folds = whole(input, "selectionFolds", f.elasticNet.folds);
  if (f.elasticNet.enabled && c.outcome == OutcomeType::Binary)
    throw InputError("elastic-net selection needs a survival outcome; use --selection screen or none");
  const std::string presence = text(input, "presence", f.presence == PresenceRule::Any ? "any" : "all");
  if (presence == "any") f.presence = PresenceRule::Any;
  else if (presence == "all") f.presence = PresenceRule::All;
  else throw InputError("presence must be any or all; got '" + presence + "'");
  if (has(input, "scaling")) {
    const std::string s = text(input, "scaling", "zscore");
    if (s == "zscore") f.scaling = Scaling::ZScore;
    else if (s == "minmax") f.scaling = Scaling::MinMax;
    else if (s == "none") f.scaling = Scaling::None;
    else throw InputError("scaling must be zscore, minmax or none; got '" + s + "'");
  }
  f.outlierZ = finite(input, "outlierZ", f.outlierZ);
  if (has(input, "penalizer")) f.submodel = lifelines(finite(input, "penalizer", 0.1));
  if (has(input, "integratorPenalizer")) f.integrator = lifelines(finite(input, "integratorPenalizer", 0.1));
  f.minPatternSize = whole(input, "minPatternSize", f.minPatternSize);
  if (has(input, "integratorInputs")) {
    const std::string s = text(input, "integratorInputs", "cross_fitted");
    if (s == "cross_fitted") f.crossFit = true;
    else if (s == "in_sample") f.crossFit = false;
    else throw InputError("integratorInputs must be cross_fitted or in_sample; got '" + s + "'");
  }
  f.folds = whole(input, "crossFitFolds", f.folds);
  f.earlyFusion = flag(input, "earlyFusion", f.earlyFusion);
  f.earlyImpute = flag(input, "earlyImpute", f.earlyImpute);
  if (has(input, "ties")) {
    const std::string t = text(input, "ties", "efron");
    if (t == "efron") f.ties = Ties::Efron;
    else if (t == "breslow") f.ties = Ties::Breslow;
    else throw InputError("ties must be efron or breslow; got '" + t + "'");
  }
  f.screening.ties = f.ties;

  if (has(input, "split")) {
    o.testIndicator = toIntVector(input["split"]);
    if (o.testIndicator.size() != c.x.rows())
      throw InputError("split has " + std::to_string(o.testIndicator.size()) + " values for " + std::to_string(c.x.rows()) + " patients");
  }
  // categorical: [{column: index into columns, levels: [text, ...] sorted}] (the column holds level codes)
  if (has(input, "categorical")) {
    const val cats = input["categorical"];
    const unsigned k = cats["length"].as<unsigned>();
    for (unsigned i = 0; i < k; ++i) {
      CategoricalColumn cc;
      cc.column = static_cast<int>(finite(cats[i], "column", -1));
      cc.levels = toStrings(cats[i]["levels"]);
      o.categorical.push_back(std::move(cc));
    }
  }
  o.testFraction = finite(input, "testFraction", o.testFraction);
  o.cvFolds = whole(input, "folds", 0);
  o.cvRepeats = whole(input, "repeats", 1);
  o.bootstrap = whole(input, "bootstrap", o.bootstrap);
  o.permutations = whole(input, "permutations", o.permutations);
  o.confLevel = finite(input, "confLevel", o.confLevel);
  if (has(input, "horizons")) o.horizons = toVector(input["horizons"]);
  o.tau = finite(input, "tau", 0);
  o.riskGroups = parseRiskGrouping(text(input, "riskGroups", "median"));
  o.chunk = whole(input, "chunk", o.chunk);
  o.decisionHorizon = finite(input, "decisionHorizon", 0);  // decision curves; 0 = the middle horizon
  return o;
}

// The model file of the fitted system (model_json.hpp), with the report's horizons and risk-group
// cut-points and a short evaluation summary. Throws InputError when the model cannot be written.
// featureNotes: the units and descriptions of the features section (latefuse fuse --feature-info);
// censoringColumn: the event was read as 1 - this column (latefuse --censored), "" = an event column.
std::string modelFile(const FusionReport& rep, const Cohort& c, const nlohmann::json& report, const std::string& timeUnit,
                      const std::vector<FeatureNote>& featureNotes, const std::string& censoringColumn) {
  std::vector<double> horizons(rep.horizons.data(), rep.horizons.data() + rep.horizons.size());
  ModelExtras ex = trainingExtras(rep.model, c, rep.trainRows, horizons);
  ex.timeUnit = timeUnit;
  ex.censoringColumn = censoringColumn;
  annotateFeatures(ex.features, featureNotes);
  const std::vector<double>& cuts = rep.riskGroups.cutpoints;
  bool increasing = !cuts.empty();
  for (size_t k = 1; k < cuts.size(); ++k) increasing = increasing && cuts[k] > cuts[k - 1];
  if (increasing) {
    ex.hasRiskGroups = true;
    ex.riskGroups.cutPoints = cuts;
    for (const auto& g : rep.riskGroups.test.groups) ex.riskGroups.labels.push_back(g.label);
  }
  nlohmann::json evaluation = {{"split", report["split"]}, {"settings", report["settings"]}};
  nlohmann::json models = nlohmann::json::array();
  for (const auto& m : report["models"])
    models.push_back({{"name", m["name"]}, {"kind", m["kind"]}, {"test_c", m["test"]["c"]}, {"test_c_lower", m["test"]["c_lower"]}, {"test_c_upper", m["test"]["c_upper"]}, {"common_c", m["common"]["c"]}});
  evaluation["models"] = models;
  ex.evaluation = evaluation;
  return modelText(fusionModelToJson(rep.model, ex));
}

// input.featureInfo: [{name, unit?, description?}] (optional) -> the model file's feature notes.
std::vector<FeatureNote> featureNotesOf(const val& input) {
  std::vector<FeatureNote> notes;
  if (!has(input, "featureInfo")) return notes;
  const val list = input["featureInfo"];
  const int n = list["length"].as<int>();
  for (int i = 0; i < n; ++i) {
    const val f = list[i];
    notes.push_back({f["name"].as<std::string>(), has(f, "unit") ? f["unit"].as<std::string>() : "",
                     has(f, "description") ? f["description"].as<std::string>() : ""});
  }
  return notes;
}

// input: {time, event | outcome (binary 0/1), ids?, columns: [Float64Array...] (NaN = missing), columnNames, columnModality
//         (modality index per column), modalities, split? (Int32Array, 1 = test), testFraction?,
//         folds?, repeats?, seed?, bootstrap?, permutations?, confLevel?, horizons?, tau?,
//         riskGroups?, selection?, referenceCompatible?, presence?, scaling?, outlierZ?, penalizer?,
//         integratorPenalizer?, minPatternSize?, integratorInputs?, crossFitFolds?, earlyFusion?,
//         earlyImpute?, ties?, timeUnit?, chunk?, alpha?, lambdaRule?, selectionFolds?, featureInfo?, onProgress?,
//         censoringColumn? (the event is 1 - this column: recorded in the model file's outcome)}
val fitAndEvaluateFusionJs(val input) {
  const Cohort c = cohortOf(input);
  const EvaluationOptions o = optionsOf(input, c);
  const ProgressCallback progress = progressOf(input);
  FusionReport rep;
  try {
    rep = evaluateFusion(c, o, progress);
  } catch (const Cancelled&) {
    val out = val::object();
    out.set("cancelled", true);
    return out;
  }
  const Cohort& cohort = rep.encoded ? rep.cohort : c;
  nlohmann::json report = fusionReportToJson(rep, cohort);
  std::string model;
  std::string modelError;
  try {
    model = modelFile(rep, cohort, report, text(input, "timeUnit", ""), featureNotesOf(input), text(input, "censoringColumn", ""));
  } catch (const InputError& e) {
    modelError = e.what();
  }
  report["model_json"] = model.empty() ? nlohmann::json(nullptr) : nlohmann::json(model);
  report["model_json_error"] = modelError.empty() ? nlohmann::json(nullptr) : nlohmann::json(modelError);
  return val::global("JSON").call<val>("parse", report.dump());
}

}  // namespace
}  // namespace latefuse::bindings

EMSCRIPTEN_BINDINGS(latefuse_report) {
  using namespace latefuse::bindings;
  emscripten::function("fitAndEvaluateFusion", &Guard<&fitAndEvaluateFusionJs>::call);
}
