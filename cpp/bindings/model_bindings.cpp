// embind entry points for the model file and scoring: conversion only; the format
// and the scoring are in cpp/latefuse/model_json.hpp.
#include <cmath>
#include <map>
#include <memory>

#include "guard.hpp"
#include "latefuse/model_json.hpp"
#include "latefuse/simulator.hpp"

namespace latefuse::bindings {
namespace {

val patternNames(const FusionModel& fm, int mask) {
  val out = val::array();
  for (size_t m = 0; m < fm.modalities.size(); ++m)
    if (mask & (1 << m)) out.call<void>("push", fm.modalities[m]);
  return out;
}

val summaryOf(const LoadedModel& lm, const nlohmann::json& doc) {
  const FusionModel& fm = lm.model;
  const ModelExtras& ex = lm.extras;
  val out = val::object();
  out.set("schemaVersion", doc["schema_version"].get<int>());
  val software = val::object();
  software.set("name", doc["software"]["name"].get<std::string>());
  software.set("version", doc["software"]["version"].get<std::string>());
  out.set("software", software);
  out.set("kind", doc["kind"].get<std::string>());
  out.set("scoreDirection", doc["score_direction"].get<std::string>());
  out.set("timeUnit", ex.timeUnit.empty() ? val::null() : val(ex.timeUnit));
  out.set("censoringColumn", ex.censoringColumn.empty() ? val::null() : val(ex.censoringColumn));
  out.set("outcomeType", std::string(outcomeTypeName(fm.outcome)));
  out.set("presence", std::string(fm.options.presence == PresenceRule::Any ? "any" : "all"));
  out.set("columns", toStringArray(fm.columns));
  val modalities = val::array();
  for (size_t m = 0; m < fm.models.size(); ++m) {
    const ModalityModel& mm = fm.models[m];
    val mo = val::object();
    mo.set("name", mm.name);
    std::vector<std::string> columns, used, selected;
    for (size_t j = 0; j < fm.columns.size(); ++j)
      if (fm.columnModality[j] == static_cast<int>(m)) columns.push_back(fm.columns[j]);
    for (int c : mm.columns) used.push_back(fm.columns[static_cast<size_t>(c)]);
    for (int s : mm.selected) selected.push_back(used[static_cast<size_t>(s)]);
    mo.set("columns", toStringArray(columns));
    mo.set("used", toStringArray(used));
    mo.set("selected", toStringArray(selected));
    mo.set("patients", mm.trainingPatients);
    mo.set("events", mm.trainingEvents);
    mo.set("scoreMean", mm.scoreMean);
    mo.set("scoreSd", mm.scoreSd);
    mo.set("warnings", toStringArray(mm.warnings));
    // No baseline in the file (the modality has an integrator of its own): its submodel draws no S(t).
    const bool curve = fm.outcome != OutcomeType::Binary && mm.fit.baseline.time.size() > 0;
    mo.set("lastEventTime", curve ? val(lastEventTime(mm.fit)) : val::null());
    if (mm.elasticNet.used) {
      val en = val::object();
      en.set("lambda", mm.elasticNet.lambda);
      en.set("lambdaMin", mm.elasticNet.lambdaMin);
      en.set("lambda1se", mm.elasticNet.lambda1se);
      en.set("fallback", mm.elasticNet.fallback);
      mo.set("elasticNet", en);
    } else {
      mo.set("elasticNet", val::null());
    }
    modalities.call<void>("push", mo);
  }
  out.set("modalities", modalities);
  val encodings = val::array();
  for (const CategoricalEncoding& e : fm.encodings) {
    val eo = val::object();
    eo.set("column", e.column);
    eo.set("levels", toStringArray(e.levels));
    eo.set("reference", e.reference);
    eo.set("dummies", toStringArray(e.dummies()));
    encodings.call<void>("push", eo);
  }
  out.set("encodings", encodings);
  // The features section (feature_summary.hpp): what training showed per raw feature; [] when absent.
  val features = val::array();
  for (const FeatureSummary& f : ex.features) {
    val fo = val::object();
    fo.set("name", f.name);
    fo.set("modality", f.modality);
    fo.set("type", std::string(featureTypeName(f.type)));
    fo.set("patients", f.patients);
    const bool ranged = f.type != FeatureType::Categorical && f.patients > 0;
    fo.set("min", ranged ? val(f.min) : val::null());
    fo.set("max", ranged ? val(f.max) : val::null());
    fo.set("p01", ranged ? val(f.p01) : val::null());
    fo.set("p99", ranged ? val(f.p99) : val::null());
    fo.set("levels", f.type == FeatureType::Categorical ? toStringArray(f.levels) : val::null());
    fo.set("unit", f.unit.empty() ? val::null() : val(f.unit));
    fo.set("description", f.description.empty() ? val::null() : val(f.description));
    features.call<void>("push", fo);
  }
  out.set("features", features);
  val integrators = val::array();
  for (const Integrator& in : fm.integrators) {
    val io = val::object();
    io.set("pattern", patternNames(fm, in.pattern));
    io.set("patients", in.patients);
    io.set("coef", toArray(fm.outcome == OutcomeType::Binary ? in.logit.coef : in.fit.coef));
    io.set("lastEventTime", fm.outcome == OutcomeType::Binary ? val::null() : val(lastEventTime(in.fit)));
    integrators.call<void>("push", io);
  }
  out.set("integrators", integrators);
  if (fm.early.fitted) {
    val ef = val::object();
    ef.set("mode", std::string(fm.options.earlyImpute ? "impute" : "complete-case"));
    ef.set("patients", fm.early.trainingPatients);
    ef.set("features", static_cast<int>(fm.early.columns.size()));
    out.set("earlyFusion", ef);
  } else {
    out.set("earlyFusion", val::null());
  }
  val horizons = val::array();
  for (double h : ex.horizons) horizons.call<void>("push", h);
  out.set("horizons", horizons);
  {
    const std::vector<double> t = baselineEventTimes(fm);
    out.set("baselineTimes", toFloat64Array(Eigen::Map<const Eigen::VectorXd>(t.data(), static_cast<Eigen::Index>(t.size()))));
  }
  if (ex.hasRiskGroups) {
    val rg = val::object();
    val cuts = val::array();
    for (double c : ex.riskGroups.cutPoints) cuts.call<void>("push", c);
    rg.set("cutPoints", cuts);
    rg.set("labels", toStringArray(ex.riskGroups.labels));
    out.set("riskGroups", rg);
  } else {
    out.set("riskGroups", val::null());
  }
  out.set("hasPercentiles", !ex.riskPercentiles.empty());
  out.set("referenceHorizon", std::isfinite(ex.referenceHorizon) ? val(ex.referenceHorizon) : val::null());
  val training = val::object();
  training.set("patients", ex.trainingPatients);
  training.set("events", ex.trainingEvents);
  val patterns = val::array();
  for (const auto& [mask, count] : fm.trainingPatterns) {
    val p = val::object();
    p.set("modalities", patternNames(fm, mask));
    p.set("patients", count);
    const auto [index, used] = resolvePattern(fm, mask);
    p.set("integrator", index >= 0 && used == mask);
    patterns.call<void>("push", p);
  }
  training.set("patterns", patterns);
  training.set("minPatternSize", fm.options.minPatternSize);
  training.set("crossFit", fm.options.crossFit);
  out.set("training", training);
  out.set("warnings", toStringArray(fm.warnings));
  out.set("evaluationJson", ex.evaluation.is_null() ? val::null() : val(ex.evaluation.dump()));
  out.set("validationJson", ex.validation.is_null() ? val::null() : val(ex.validation.dump()));
  return out;
}

val scoresObject(const LoadedModel& lm, const ModelScores& s) {
  const FusionModel& fm = lm.model;
  const ModelExtras& ex = lm.extras;
  const Eigen::Index n = s.fused.size();
  val out = val::object();
  out.set("ids", toStringArray(s.ids));
  out.set("modalities", toStringArray(fm.modalities));
  std::vector<std::string> pattern, integrator, riskLabel;
  val fallback = val::array();
  for (Eigen::Index k = 0; k < n; ++k) {
    pattern.push_back(patternLabel(fm, s.pattern(k)));
    integrator.push_back(patternLabel(fm, s.usedPattern(k)));
    fallback.call<void>("push", static_cast<bool>(s.fallback[static_cast<size_t>(k)]));
  }
  out.set("pattern", toStringArray(pattern));
  out.set("patternMask", toInt32Array(s.pattern));
  out.set("integrator", toStringArray(integrator));
  out.set("integratorMask", toInt32Array(s.usedPattern));
  out.set("integratorIndex", toInt32Array(s.integrator));
  out.set("fallback", fallback);
  out.set("note", toStringArray(s.note));
  val scores = val::object();
  for (size_t m = 0; m < fm.modalities.size(); ++m)
    scores.set(fm.modalities[m], toFloat64Array(Eigen::VectorXd(s.unimodal.col(static_cast<Eigen::Index>(m)))));
  out.set("scores", scores);
  out.set("fusedLp", toFloat64Array(s.fused));
  out.set("coxLp", toFloat64Array(s.coxLp));
  out.set("hazardRatio", toFloat64Array(s.hazardRatio));
  out.set("outcomeType", std::string(outcomeTypeName(fm.outcome)));
  out.set("probability", toFloat64Array(s.probability));
  out.set("risk", toFloat64Array(s.risk));
  out.set("referenceHorizon", std::isfinite(s.referenceHorizon) ? val(s.referenceHorizon) : val::null());
  val contributions = val::object();
  for (size_t m = 0; m < fm.modalities.size(); ++m)
    contributions.set(fm.modalities[m], toFloat64Array(Eigen::VectorXd(s.contribution.col(static_cast<Eigen::Index>(m)))));
  out.set("contributions", contributions);
  out.set("percentile", toFloat64Array(s.percentile));
  out.set("riskGroup", toInt32Array(s.riskGroup));
  val labels = val::array();
  for (Eigen::Index k = 0; k < n; ++k)
    labels.call<void>("push", s.riskGroup(k) >= 0 ? val(ex.riskGroups.labels[static_cast<size_t>(s.riskGroup(k))]) : val::null());
  out.set("riskLabel", labels);
  out.set("earlyLp", toFloat64Array(s.early));
  val survival = val::array();
  for (Eigen::Index t = 0; t < s.horizons.size(); ++t) {
    val h = val::object();
    h.set("time", s.horizons(t));
    h.set("surv", toFloat64Array(Eigen::VectorXd(s.surv.col(t))));
    h.set("lower", toFloat64Array(Eigen::VectorXd(s.survLower.col(t))));
    h.set("upper", toFloat64Array(Eigen::VectorXd(s.survUpper.col(t))));
    survival.call<void>("push", h);
  }
  out.set("survival", survival);
  val atTimes = val::array();
  for (Eigen::Index t = 0; t < s.times.size(); ++t) {
    val h = val::object();
    h.set("time", s.times(t));
    h.set("surv", toFloat64Array(Eigen::VectorXd(s.timesSurv.col(t))));
    h.set("lower", toFloat64Array(Eigen::VectorXd(s.timesLower.col(t))));
    h.set("upper", toFloat64Array(Eigen::VectorXd(s.timesUpper.col(t))));
    atTimes.call<void>("push", h);
  }
  out.set("survivalAtTimes", atTimes);
  out.set("rows", toInt32Array(Eigen::Map<const Eigen::VectorXi>(s.rows.data(), static_cast<Eigen::Index>(s.rows.size()))));
  val unscorable = val::array();
  for (const auto& u : s.unscorable) {
    val o = val::object();
    o.set("id", u.id);
    o.set("index", u.row);
    o.set("reason", u.reason);
    unscorable.call<void>("push", o);
  }
  out.set("unscorable", unscorable);
  out.set("timeUnit", ex.timeUnit.empty() ? val::null() : val(ex.timeUnit));
  return out;
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
  val out = val::object();
  out.set("model", modelText(fusionModelToJson(fm, ex)));
  out.set("csv", cohortCsv(sim));
  return out;
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
