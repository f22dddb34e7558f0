// embind entry points for the model file and scoring: conversion only; the format
// and the scoring are in cpp/latefuse/model_json.hpp.
#include <cmath>
#include <map>
#include <memory>
#include <optional>

#include "convert.hpp"
#include "latefuse/model_json.hpp"
#include "latefuse/simulator.hpp"

namespace latefuse {
// A patient left out of the scores (skipUnscorable): `index` is the position among the patients given.
template <typename F>
void fields(const ModelScores::Unscorable& u, F&& f) {
  f("id", u.id);
  f("index", u.row);
  f("reason", u.reason);
}
}  // namespace latefuse

namespace latefuse::bindings {
namespace {

std::vector<std::string> patternNames(const FusionModel& fm, int mask) {
  std::vector<std::string> out;
  for (size_t m = 0; m < fm.modalities.size(); ++m)
    if (mask & (1 << m)) out.push_back(fm.modalities[m]);
  return out;
}

// A text field of the file that may be absent: null when empty.
OrNull<std::string> stated(const std::string& s) { return orNull(!s.empty(), s); }

// The summary of a model file: the file's own key names where it has them (schema_version,
// score_direction, time_unit ...), so a reader meets one spelling in the file and in this object.
val summaryOf(const LoadedModel& lm, const nlohmann::json& doc) {
  const FusionModel& fm = lm.model;
  const ModelExtras& ex = lm.extras;
  const bool binary = fm.outcome == OutcomeType::Binary;
  std::vector<val> modalities;
  for (size_t m = 0; m < fm.models.size(); ++m) {
    const ModalityModel& mm = fm.models[m];
    std::vector<std::string> columns, used, selected;
    for (size_t j = 0; j < fm.columns.size(); ++j)
      if (fm.columnModality[j] == static_cast<int>(m)) columns.push_back(fm.columns[j]);
    for (int c : mm.columns) used.push_back(fm.columns[static_cast<size_t>(c)]);
    for (int s : mm.selected) selected.push_back(used[static_cast<size_t>(s)]);
    // No baseline in the file (the modality has an integrator of its own): its submodel draws no S(t).
    const bool curve = !binary && coxFit(mm.fit).baseline.time.size() > 0;
    const auto& en = mm.elasticNet;
    const val elasticNet =
        Object()("lambda", en.lambda)("lambda_min", en.lambdaMin)("lambda_1se", en.lambda1se)("fallback", en.fallback);
    Object mo;
    mo("name", mm.name)("columns", columns)("used", used)("selected", selected)("patients", mm.trainingPatients);
    mo("events", mm.trainingEvents)("score_mean", mm.scoreMean)("score_sd", mm.scoreSd)("warnings", mm.warnings);
    mo("last_event_time", orNull(curve, curve ? lastEventTime(coxFit(mm.fit)) : 0.0))("elastic_net", orNull(en.used, elasticNet));
    modalities.push_back(mo);
  }
  std::vector<val> encodings;
  for (const CategoricalEncoding& e : fm.encodings)
    encodings.push_back(
        Object()("column", e.column)("levels", e.levels)("reference", e.reference)("dummies", e.dummies()));
  // The features section (feature_summary.hpp): what training showed per raw feature; [] when absent.
  std::vector<val> features;
  for (const FeatureSummary& f : ex.features) {
    const bool ranged = f.type != FeatureType::Categorical && f.patients > 0;
    features.push_back(Object()("name", f.name)("modality", f.modality)("type", featureTypeName(f.type))(
        "patients", f.patients)("min", orNull(ranged, f.min))("max", orNull(ranged, f.max))("p01", orNull(ranged, f.p01))(
        "p99", orNull(ranged, f.p99))("levels", orNull(f.type == FeatureType::Categorical, f.levels))(
        "unit", stated(f.unit))("description", stated(f.description)));
  }
  std::vector<val> integrators;
  for (const Integrator& in : fm.integrators) {
    Object io;
    io("pattern", patternNames(fm, in.pattern))("patients", in.patients);
    io("coef", fm.outcome == OutcomeType::Binary ? logisticFit(in.fit).coef : coxFit(in.fit).coef);
    io("last_event_time", fm.outcome == OutcomeType::Binary ? val::null() : val(lastEventTime(coxFit(in.fit))));
    integrators.push_back(io);
  }
  std::vector<val> patterns;
  for (const auto& [mask, count] : fm.trainingPatterns) {
    const auto [index, used] = resolvePattern(fm, mask);
    patterns.push_back(
        Object()("modalities", patternNames(fm, mask))("patients", count)("integrator", index >= 0 && used == mask));
  }
  const std::string earlyMode = fm.options.earlyImpute ? "impute" : "complete-case";
  const val early = Object()("mode", earlyMode)("patients", fm.early.trainingPatients)(
      "features", static_cast<int>(fm.early.columns.size()));
  const val riskGroups = Object()("cut_points", ex.riskGroups.cutPoints)("labels", ex.riskGroups.labels);
  const val training = Object()("patients", ex.trainingPatients)("events", ex.trainingEvents)("patterns", patterns)(
      "min_pattern_size", fm.options.minPatternSize)("cross_fit", fm.options.crossFit);
  const nlohmann::json& software = doc["software"];
  Object out;
  out("schema_version", doc["schema_version"].get<int>())(
      "software", Object()("name", software["name"].get<std::string>())("version", software["version"].get<std::string>()));
  out("kind", doc["kind"].get<std::string>())("score_direction", doc["score_direction"].get<std::string>());
  out("time_unit", stated(ex.timeUnit))("censoring_column", stated(ex.censoringColumn))(
      "outcome_type", outcomeTypeName(fm.outcome));
  out("presence", std::string(fm.options.presence == PresenceRule::Any ? "any" : "all"))("columns", fm.columns);
  out("modalities", modalities)("encodings", encodings)("features", features)("integrators", integrators);
  out("early_fusion", orNull(fm.early.fitted, early))("horizons", ex.horizons)(
      "baseline_times", typed(baselineEventTimes(fm)));
  out("risk_groups", orNull(ex.hasRiskGroups, riskGroups))("has_percentiles", !ex.riskPercentiles.empty());
  out("reference_horizon", ex.referenceHorizon)("training", training)("warnings", fm.warnings);
  out("evaluation_json", orNull(!ex.evaluation.is_null(), ex.evaluation.dump()));
  out("validation_json", orNull(!ex.validation.is_null(), ex.validation.dump()));
  return out;
}

// Per-modality columns of the scores, keyed by the modality's name (keys that are data).
val byModality(const FusionModel& fm, const Eigen::MatrixXd& columns) {
  val out = val::object();
  for (size_t m = 0; m < fm.modalities.size(); ++m)
    out.set(fm.modalities[m], toFloat64Array(Eigen::VectorXd(columns.col(static_cast<Eigen::Index>(m)))));
  return out;
}

// S(t) with its CI at each of `times`: [{time, surv, lower, upper}], one Float64Array per patient column.
std::vector<val> survivalAt(const Eigen::VectorXd& times, const Eigen::MatrixXd& surv, const Eigen::MatrixXd& lower,
                            const Eigen::MatrixXd& upper) {
  std::vector<val> out;
  for (Eigen::Index t = 0; t < times.size(); ++t)
    out.push_back(Object()("time", times(t))("surv", typed(Eigen::VectorXd(surv.col(t))))(
        "lower", typed(Eigen::VectorXd(lower.col(t))))("upper", typed(Eigen::VectorXd(upper.col(t)))));
  return out;
}

val scoresObject(const LoadedModel& lm, const ModelScores& s) {
  const FusionModel& fm = lm.model;
  const ModelExtras& ex = lm.extras;
  const Eigen::Index n = s.fused.size();
  std::vector<std::string> pattern, integrator;
  std::vector<std::optional<std::string>> riskLabel;
  for (Eigen::Index k = 0; k < n; ++k) {
    pattern.push_back(patternLabel(fm, s.pattern(k)));
    integrator.push_back(patternLabel(fm, s.usedPattern(k)));
    const int g = s.riskGroup(k);
    riskLabel.push_back(g >= 0 ? std::optional(ex.riskGroups.labels[static_cast<size_t>(g)]) : std::nullopt);
  }
  return Object()("ids", s.ids)("modalities", fm.modalities)("pattern", pattern)("pattern_mask", typed(s.pattern))(
      "integrator", integrator)("integrator_mask", typed(s.usedPattern))("integrator_index", typed(s.integrator))(
      "fallback", s.fallback)("note", s.note)("scores", byModality(fm, s.unimodal))("fused_lp", typed(s.fused))(
      "cox_lp", typed(s.coxLp))("hazard_ratio", typed(s.hazardRatio))("outcome_type", outcomeTypeName(fm.outcome))(
      "probability", typed(s.probability))("risk", typed(s.risk))("reference_horizon", s.referenceHorizon)(
      "contributions", byModality(fm, s.contribution))("percentile", typed(s.percentile))(
      "risk_group", typed(s.riskGroup))("risk_label", riskLabel)("early_lp", typed(s.early))(
      "survival", survivalAt(s.horizons, s.surv, s.survLower, s.survUpper))(
      "survival_at_times", survivalAt(s.times, s.timesSurv, s.timesLower, s.timesUpper))("rows", typed(s.rows))(
      "unscorable", s.unscorable)("time_unit", stated(ex.timeUnit));
}

// {times?: Float64Array, skipUnscorable?: boolean}
ScoringOptions scoringOptions(const val& options) {
  ScoringOptions o;
  if (has(options, "times")) {
    const Eigen::VectorXd t = toVector(options["times"]);
    o.times.assign(t.data(), t.data() + t.size());
  }
  if (has(options, "skipUnscorable")) o.skipUnscorable = options["skipUnscorable"].as<bool>();
  return o;
}

// Loaded models by handle (the JS ScoringModel): parsed and validated once, scored many times.
struct Loaded {
  LoadedModel model;
};
std::map<int, std::unique_ptr<Loaded>>& loadedModels() {
  static std::map<int, std::unique_ptr<Loaded>> models;
  return models;
}
int nextHandle = 1;

const LoadedModel& loadedModel(int handle) {
  const auto it = loadedModels().find(handle);
  if (it == loadedModels().end())
    throw InputError("scoring: this model was disposed (or never loaded); load the model file again");
  return it->second->model;
}

// Model texts arrive as JS values (val), not std::string: embind copies a std::string argument into
// a malloc'd buffer that its JS glue frees only after a normal return, so every rejected model (the
// InputError is thrown into JS from inside the call) leaked its own size in WASM memory. Copied
// here, the text is a C++ object destroyed on every path, the error one included.
// The text is a JS string, or its UTF-8 bytes (a Uint8Array, web/lib/model.js): the bytes are copied
// in one TypedArray.set, where a string is encoded by embind's JS loop one character at a time
// (~1 ms for the 209 KB Rotterdam model, docs/benchmark.md).
std::string textOf(const val& text, const char* what = "model file") {
  if (text.isString()) return text.as<std::string>();
  if (!text.instanceof (val::global("Uint8Array"))) throw InputError(std::string(what) + ": expected the file's text");
  std::string bytes(text["length"].as<size_t>(), '\0');
  copyFromJs(text, reinterpret_cast<unsigned char*>(bytes.data()), bytes.size());
  return bytes;
}

// text -> summary (throws InputError for an invalid file)
val validateModelJs(val textArg) {
  const std::string text = textOf(textArg);
  const nlohmann::json doc = parseModelText(text);
  const LoadedModel lm = loadModel(doc);
  return summaryOf(lm, doc);
}

// names: [column names]; values: [Float64Array per column, NaN = missing]; ids: [strings] or []
ScoringData scoringData(val names, val values, val ids) {
  ScoringData d;
  d.columns = toStrings(names);
  d.ids = toStrings(ids);
  const unsigned p = values["length"].as<unsigned>();
  if (p != d.columns.size())
    throw InputError("scoring: " + std::to_string(p) + " data columns but " + std::to_string(d.columns.size()) + " column names");
  const Eigen::Index n = p ? static_cast<Eigen::Index>(values[0]["length"].as<unsigned>()) : static_cast<Eigen::Index>(d.ids.size());
  d.x.resize(n, static_cast<Eigen::Index>(p));
  for (unsigned j = 0; j < p; ++j) {
    const Eigen::VectorXd col = toVector(values[j]);
    if (col.size() != n)
      throw InputError("scoring: column '" + d.columns[j] + "' has " + std::to_string(col.size()) + " values, expected " + std::to_string(n));
    d.x.col(static_cast<Eigen::Index>(j)) = col;
  }
  return d;
}

// scores: {modality: Float64Array (NaN = absent)} -> rows x M
Eigen::MatrixXd modalityScores(const FusionModel& fm, val scores) {
  const std::vector<std::string> keys = toStrings(val::global("Object").call<val>("keys", scores));
  if (keys.empty()) throw InputError("scoring: give at least one modality's scores");
  Eigen::Index n = -1;
  std::vector<Eigen::VectorXd> columns(fm.modalities.size());
  for (const std::string& key : keys) {
    const auto it = std::find(fm.modalities.begin(), fm.modalities.end(), key);
    if (it == fm.modalities.end()) {
      std::string known;
      for (const auto& m : fm.modalities) known += (known.empty() ? "" : ", ") + m;
      throw InputError("scoring: '" + key + "' is not a modality of this model; the modalities are " + known);
    }
    Eigen::VectorXd v = toVector(scores[key]);
    if (n >= 0 && v.size() != n)
      throw InputError("scoring: the " + key + " scores have " + std::to_string(v.size()) + " values but the others have " + std::to_string(n));
    n = v.size();
    columns[static_cast<size_t>(it - fm.modalities.begin())] = std::move(v);
  }
  Eigen::MatrixXd x = Eigen::MatrixXd::Constant(n, static_cast<Eigen::Index>(fm.modalities.size()), std::nan(""));
  for (size_t m = 0; m < columns.size(); ++m)
    if (columns[m].size()) x.col(static_cast<Eigen::Index>(m)) = columns[m];
  return x;
}

val scoreLoaded(const LoadedModel& lm, val names, val values, val ids, val options) {
  return scoresObject(lm, scoreWithModel(lm, scoringData(names, values, ids), scoringOptions(options)));
}
val scoreLoadedFromScores(const LoadedModel& lm, val scores, val ids, val options) {
  return scoresObject(lm, scoreFromModalityScores(lm, toStrings(ids), modalityScores(lm.model, scores), scoringOptions(options)));
}

val scoreModelJs(val text, val names, val values, val ids, val options) {
  return scoreLoaded(loadModel(parseModelText(textOf(text))), names, values, ids, options);
}
val scoreModelFromScoresJs(val text, val scores, val ids, val options) {
  return scoreLoadedFromScores(loadModel(parseModelText(textOf(text))), scores, ids, options);
}

// text -> {handle, summary}: parse and validate once (releaseScoringModel frees it).
val loadScoringModelJs(val text) {
  const nlohmann::json doc = parseModelText(textOf(text));
  auto entry = std::make_unique<Loaded>();
  entry->model = loadModel(doc);
  val out = val::object();
  out.set("summary", summaryOf(entry->model, doc));
  const int handle = nextHandle++;
  loadedModels()[handle] = std::move(entry);
  out.set("handle", handle);
  return out;
}
val scoreLoadedModelJs(int handle, val names, val values, val ids, val options) {
  return scoreLoaded(loadedModel(handle), names, values, ids, options);
}
val scoreLoadedModelFromScoresJs(int handle, val scores, val ids, val options) {
  return scoreLoadedFromScores(loadedModel(handle), scores, ids, options);
}
bool releaseScoringModelJs(int handle) { return loadedModels().erase(handle) > 0; }

// model text + entry (JSON text) -> model text with the entry in "validation"
std::string addModelValidationJs(val text, val entry) {
  nlohmann::json e;
  try {
    e = nlohmann::json::parse(textOf(entry, "validation entry"));
  } catch (const nlohmann::json::exception&) {
    throw InputError("cannot attach the validation: the entry is not valid JSON");
  }
  return modelText(withValidation(parseModelText(textOf(text)), e));
}
std::string modelWithoutValidationJs(val text) { return modelText(withoutValidation(parseModelText(textOf(text)))); }

std::string roundTripModelJs(val text) {
  const LoadedModel lm = loadModel(parseModelText(textOf(text)));
  return modelText(fusionModelToJson(lm.model, lm.extras));
}

// A model fitted on a simulated cohort (hgsoc preset), for demos and tests:
// {n?, seed?, horizons?: [..], minPatternSize?, timeUnit?, outcome?: 'survival'|'binary'} -> {model: text, csv: the cohort}
val exampleModelJs(val options) {
  SimulationOptions so = simulationPreset("hgsoc");
  if (has(options, "outcome")) {
    const std::string outcome = options["outcome"].as<std::string>();
    if (outcome != "survival" && outcome != "binary") throw InputError("exampleModel: outcome must be survival or binary");
    if (outcome == "binary") so.outcome = SimulatedOutcome::Binary;
  }
  if (has(options, "n")) setCohortSize(so, options["n"].as<int>());
  if (has(options, "seed")) so.seed = static_cast<uint64_t>(options["seed"].as<double>());
  const SimulatedCohort sim = simulate(so);
  const Cohort c = cohortFromSimulation(sim);
  FusionOptions fo;
  if (has(options, "minPatternSize")) fo.minPatternSize = options["minPatternSize"].as<int>();
  std::vector<int> rows(static_cast<size_t>(c.x.rows()));
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<int>(i);
  const FusionModel fm = fitFusion(c, rows, fo);
  std::vector<double> horizons;
  if (has(options, "horizons")) {
    const Eigen::VectorXd h = toVector(options["horizons"]);
    horizons.assign(h.data(), h.data() + h.size());
  }
  ModelExtras ex = trainingExtras(fm, c, rows, horizons);
  ex.timeUnit = so.outcome == SimulatedOutcome::Binary ? option<std::string>(options, "timeUnit", "")
                                                       : option<std::string>(options, "timeUnit", "months");
  return Object()("model", modelText(fusionModelToJson(fm, ex)))("csv", cohortCsv(sim));
}

}  // namespace
}  // namespace latefuse::bindings

EMSCRIPTEN_BINDINGS(latefuse_model) {
  using namespace latefuse::bindings;
  emscripten::function("validateModel", &Guard<&validateModelJs>::call);
  emscripten::function("scoreModel", &Guard<&scoreModelJs>::call);
  emscripten::function("scoreModelFromScores", &Guard<&scoreModelFromScoresJs>::call);
  emscripten::function("roundTripModel", &Guard<&roundTripModelJs>::call);
  emscripten::function("loadScoringModel", &Guard<&loadScoringModelJs>::call);
  emscripten::function("scoreLoadedModel", &Guard<&scoreLoadedModelJs>::call);
  emscripten::function("scoreLoadedModelFromScores", &Guard<&scoreLoadedModelFromScoresJs>::call);
  emscripten::function("releaseScoringModel", &Guard<&releaseScoringModelJs>::call);
  emscripten::function("addModelValidation", &Guard<&addModelValidationJs>::call);
  emscripten::function("modelWithoutValidation", &Guard<&modelWithoutValidationJs>::call);
  emscripten::function("exampleModel", &Guard<&exampleModelJs>::call);
}
