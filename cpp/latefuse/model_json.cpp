#include "latefuse/model_json.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "latefuse/error.hpp"
#include "latefuse/horizons.hpp"
#include "latefuse/json_fast.hpp"
#include "latefuse/survival_data.hpp"

#ifndef LATEFUSE_VERSION
#define LATEFUSE_VERSION "unknown"
#endif

namespace latefuse {
namespace {

using json = nlohmann::json;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr const char* kScoreDirection = "higher = higher risk";
constexpr const char* kFallbackRule = "richest-sub-combination";
constexpr const char* kFallbackDescription =
    "A patient is scored by the integrator of their own pattern of modalities (integrators are fitted for every "
    "combination of modalities that enough training patients have in full, single modalities included). Only when "
    "the pattern has none (too rare in training, never seen, or without events) the integrator of its sub-combination "
    "with the most modalities is used (then the most training patients, then the first in modality order); if no "
    "sub-combination has one, the submodel of the patient's modality with the most training patients (ties: the first). "
    "Percentiles and risk groups are on the predicted risk at the reference horizon (binary: the probability).";
// Version 2 files (every baseline written out) are read as they are; version 3 adds
// integrator_training and baseline_from (recomputed baselines), the same model in less space.
constexpr int kOldestReadableVersion = 2;
constexpr const char* kFix = "the file is damaged or was edited; export the model again from LateFuse or restore the original file";

// ---- enum names -------------------------------------------------------------------------------
const char* tiesName(Ties t) { return t == Ties::Efron ? "efron" : "breslow"; }
const char* presenceName(PresenceRule p) { return p == PresenceRule::Any ? "any" : "all"; }
const char* scalingName(Scaling s) { return s == Scaling::ZScore ? "zscore" : s == Scaling::MinMax ? "minmax"
                                                                                                   : "none"; }
const char* testName(UnivariateTest t) { return t == UnivariateTest::Wald ? "wald" : "likelihood_ratio"; }
const char* adjustName(PAdjustMethod m) {
  switch (m) {
    case PAdjustMethod::BH: return "BH";
    case PAdjustMethod::BY: return "BY";
    case PAdjustMethod::Holm: return "holm";
    case PAdjustMethod::Hochberg: return "hochberg";
    case PAdjustMethod::Bonferroni: return "bonferroni";
  }
  return "BH";
}
const FeatureStatus kStatuses[] = {FeatureStatus::LowVariability, FeatureStatus::NotTestable, FeatureStatus::NotSignificant,
                                   FeatureStatus::RejectedForward, FeatureStatus::Selected, FeatureStatus::SelectedByFallback,
                                   FeatureStatus::ElasticNetZero};

// ---- writing ----------------------------------------------------------------------------------
json vec(const Eigen::VectorXd& v) {
  json a = json::array();
  for (Eigen::Index i = 0; i < v.size(); ++i) a.push_back(v(i));
  return a;
}
json vecOrNull(const Eigen::VectorXd& v) {
  json a = json::array();
  for (Eigen::Index i = 0; i < v.size(); ++i) a.push_back(std::isnan(v(i)) ? json(nullptr) : json(v(i)));
  return a;
}
json ivec(const Eigen::VectorXi& v) {
  json a = json::array();
  for (Eigen::Index i = 0; i < v.size(); ++i) a.push_back(v(i));
  return a;
}
json rows(const Eigen::MatrixXd& m) {
  json a = json::array();
  for (Eigen::Index i = 0; i < m.rows(); ++i) a.push_back(vec(m.row(i).transpose()));
  return a;
}
json names(const FusionModel& fm, int mask) {
  json a = json::array();
  for (int m : patternModalities(mask, static_cast<int>(fm.modalities.size()))) a.push_back(fm.modalities[static_cast<size_t>(m)]);
  return a;
}

// ---- the integrators' training data (schema_version 3) --------------------------------------------
// An integrator's baseline hazard is K rows x (p + 6) numbers; it is recomputed on load instead, from
// one table shared by every integrator (time, event, standardised scores of each training patient,
// sorted by time) and the fit's internal units (cox.hpp coxBaselineFrom), bit for bit.

// Training patients in the order every Cox fit sorts them: by time, ties in training order. Each
// integrator's rows, taken from this order, are in its own fit's sorted order.
std::vector<Eigen::Index> trainingOrder(const FusionModel& fm) {
  SurvivalData d;
  d.time = fm.trainingTime;
  d.event = fm.trainingEvent;
  return sortByStratumTime(d, d.time);
}

// The table's rows (in `order`) that have every modality of the pattern, as the integrator's data.
void integratorData(const FusionModel& fm, const std::vector<Eigen::Index>& order, const Integrator& in, SurvivalData& data,
                    Eigen::MatrixXd& x) {
  // Through column pointers: this file is compiled for size in WASM, where Eigen's element access is
  // a call per element (15 integrators x 2087 patients in the Rotterdam model: ~1 ms of its load).
  std::vector<const double*> scores;
  for (int m : in.modalities) scores.push_back(fm.trainingScores.col(m).data());
  std::vector<Eigen::Index> rows;
  rows.reserve(order.size());
  for (Eigen::Index i : order) {
    bool all = true;
    for (const double* s : scores) all = all && std::isfinite(s[i]);
    if (all) rows.push_back(i);
  }
  const Eigen::Index n = static_cast<Eigen::Index>(rows.size());
  data.time.resize(n);
  data.event.resize(n);
  x.resize(n, static_cast<Eigen::Index>(scores.size()));
  const double* time = fm.trainingTime.data();
  const double* event = fm.trainingEvent.data();
  for (Eigen::Index r = 0; r < n; ++r) {
    const Eigen::Index i = rows[static_cast<size_t>(r)];
    data.time.data()[r] = time[i];
    data.event.data()[r] = event[i];
  }
  for (size_t j = 0; j < scores.size(); ++j) {
    double* column = x.col(static_cast<Eigen::Index>(j)).data();
    for (Eigen::Index r = 0; r < n; ++r) column[r] = scores[j][rows[static_cast<size_t>(r)]];
  }
}

CoxBaseline recomputedBaseline(const FusionModel& fm, const std::vector<Eigen::Index>& order, const Integrator& in) {
  SurvivalData data;
  Eigen::MatrixXd x;
  integratorData(fm, order, in, data, x);
  const CoxFit& cox = coxFit(in.fit);
  return coxBaselineFrom(data, x, cox.means, cox.scale, cox.scaledCoef, cox.ties);
}

bool sameBits(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  return a.size() == b.size() && std::equal(a.data(), a.data() + a.size(), b.data(),
                                            [](double u, double v) { return std::memcmp(&u, &v, sizeof u) == 0; });
}

bool sameBaseline(const CoxBaseline& a, const CoxBaseline& b) {
  const auto flat = [](const Eigen::MatrixXd& m) { return Eigen::VectorXd(Eigen::Map<const Eigen::VectorXd>(m.data(), m.size())); };
  return sameBits(a.time, b.time) && sameBits(a.hazard, b.hazard) && sameBits(a.varHazard, b.varHazard) &&
         a.xbarHazard.rows() == b.xbarHazard.rows() && a.xbarHazard.cols() == b.xbarHazard.cols() &&
         sameBits(flat(a.xbarHazard), flat(b.xbarHazard)) && a.stratum == b.stratum && a.nRisk == b.nRisk && a.nEvent == b.nEvent;
}

// Whether an integrator's baseline can be left to the loader: its fit kept its internal units and
// recomputing from the table gives the fit's baseline bit for bit (checked here, so a file never
// holds a baseline that differs from the fitted one); otherwise the baseline is written out.
bool baselineRecomputable(const FusionModel& fm, const std::vector<Eigen::Index>& order, const Integrator& in) {
  const CoxFit& cox = coxFit(in.fit);
  if (fm.trainingTime.size() == 0 || cox.scale.size() != cox.p || cox.scaledCoef.size() != cox.p) return false;
  if (cox.var.size() == 0 || cox.baseline.xbarHazard.cols() != cox.p) return false;
  return sameBaseline(recomputedBaseline(fm, order, in), cox.baseline);
}

json integratorTrainingToJson(const FusionModel& fm, const std::vector<Eigen::Index>& order) {
  const Eigen::Index n = static_cast<Eigen::Index>(order.size());
  Eigen::VectorXd time(n);
  Eigen::VectorXi event(n);
  for (Eigen::Index r = 0; r < n; ++r) {
    time(r) = fm.trainingTime(order[static_cast<size_t>(r)]);
    event(r) = static_cast<int>(fm.trainingEvent(order[static_cast<size_t>(r)]));
  }
  json scores = json::array();
  for (Eigen::Index m = 0; m < fm.trainingScores.cols(); ++m) {
    Eigen::VectorXd col(n);
    for (Eigen::Index r = 0; r < n; ++r) col(r) = fm.trainingScores(order[static_cast<size_t>(r)], m);
    scores.push_back(vecOrNull(col));
  }
  json t;
  t["time"] = vec(time);
  t["event"] = ivec(event);
  t["scores"] = std::move(scores);
  return t;
}

// Whether a Cox model's baseline hazard and covariance matrix go into the file. They serve only
// S(t) and its interval for the patients that model scores; scoring reads nothing else of them.
enum class Baseline {
  Keep,
  Omit,
  Recompute  // var kept; the baseline is recomputed on load from integrator_training and baseline_from
};

json coxToJson(const CoxFit& f, Baseline keep) {
  json j;
  j["coef"] = vecOrNull(f.coef);
  j["se"] = vecOrNull(f.se);
  j["means"] = vec(f.means);
  if (keep != Baseline::Omit) j["var"] = rows(f.var);
  j["n"] = static_cast<long long>(f.n);
  j["events"] = f.events;
  j["ties"] = tiesName(f.ties);
  if (keep == Baseline::Omit) return j;
  if (keep == Baseline::Recompute) {
    j["baseline_from"] = {{"scale", vec(f.scale)}, {"scaled_coef", vec(f.scaledCoef)}};
    return j;
  }
  const CoxBaseline& b = f.baseline;
  json base;
  base["time"] = vec(b.time);
  base["stratum"] = ivec(b.stratum);
  base["hazard"] = vec(b.hazard);
  base["var_hazard"] = vec(b.varHazard);
  // A p > n ridge fit keeps no xbar_hazard (cox.hpp): [] rather than one empty row per event time.
  base["xbar_hazard"] = b.xbarHazard.cols() == 0 ? json::array() : rows(b.xbarHazard);
  base["n_risk"] = ivec(b.nRisk);
  base["n_event"] = ivec(b.nEvent);
  j["baseline"] = std::move(base);
  return j;
}

json logisticToJson(const LogisticFit& f) {
  json j;
  j["coef"] = vec(f.coef);
  j["se"] = vecOrNull(f.se);
  j["var"] = rows(f.var);
  j["n"] = static_cast<long long>(f.n);
  j["cases"] = static_cast<long long>(std::llround(f.cases));
  j["ridge"] = f.ridge;
  return j;
}

// The submodel / integrator / early-fusion model under its key ("cox" or "logistic").
void putModel(json& j, bool binary, const FittedModel& fit, Baseline keep = Baseline::Keep) {
  if (binary) j["logistic"] = logisticToJson(logisticFit(fit));
  else j["cox"] = coxToJson(coxFit(fit), keep);
}

// A submodel scores patients on its own (with its own S(t)) only when no sub-combination of their
// pattern has an integrator (resolvePattern); a modality with a single-modality integrator is such a
// sub-combination of every pattern that has it, so that submodel never scores anyone.
bool hasSingleModalityIntegrator(const FusionModel& fm, int m) {
  for (const Integrator& in : fm.integrators)
    if (in.pattern == (1 << m)) return true;
  return false;
}

json ridgeToJson(const RidgeOptions& r) { return {{"penalizer", r.penalizer}, {"theta", r.theta}, {"scale", r.scale}}; }

json settingsToJson(const FusionOptions& o) {
  json s;
  s["presence"] = presenceName(o.presence);
  s["outlier_z"] = o.outlierZ;
  s["scaling"] = scalingName(o.scaling);
  s["select_features"] = o.selectFeatures;
  const ScreeningOptions& sc = o.screening;
  s["screening"] = {{"iqr_filter", sc.iqrFilter}, {"min_iqr", sc.minIqr}, {"test", testName(sc.test)}, {"adjust", adjustName(sc.adjust)}, {"max_q", sc.maxQ}, {"forward", sc.forward}, {"forward_penalizer", sc.forwardPenalizer}, {"forward_p", sc.forwardP}, {"min_selected", sc.minSelected}, {"ties", tiesName(sc.ties)}};
  s["submodel_ridge"] = ridgeToJson(o.submodel);
  s["integrator_ridge"] = ridgeToJson(o.integrator);
  s["min_pattern_size"] = o.minPatternSize;
  s["cross_fit"] = o.crossFit;
  s["folds"] = o.folds;
  s["seed"] = o.seed;
  s["early_fusion"] = o.earlyFusion;
  s["early_impute"] = o.earlyImpute;
  s["ties"] = tiesName(o.ties);
  if (o.elasticNet.enabled)  // only then, so files without it are unchanged
    s["elastic_net"] = {{"alpha", o.elasticNet.alpha}, {"lambda_rule", lambdaRuleName(o.elasticNet.rule)}, {"folds", o.elasticNet.folds}};
  return s;
}

// ---- the "features" section (feature_summary.hpp): its own writer and reader ------------------

json featuresToJson(const std::vector<FeatureSummary>& features) {
  json out = json::array();
  for (const FeatureSummary& f : features) {
    json j = {{"name", f.name}, {"modality", f.modality}, {"type", featureTypeName(f.type)}, {"patients", f.patients}};
    if (f.type == FeatureType::Categorical) {
      j["levels"] = f.levels;
    } else if (f.patients > 0) {
      for (const double v : {f.min, f.max, f.p01, f.p99})
        if (!std::isfinite(v)) throw InputError("cannot save the model: the training range of the feature \"" + f.name + "\" is not finite");
      j["min"] = f.min;
      j["max"] = f.max;
      j["p01"] = f.p01;
      j["p99"] = f.p99;
    }
    if (!f.unit.empty()) j["unit"] = f.unit;
    if (!f.description.empty()) j["description"] = f.description;
    out.push_back(std::move(j));
  }
  return out;
}

json buildDocument(const FusionModel& fm, const ModelExtras& ex) {
  const int M = static_cast<int>(fm.modalities.size());
  if (M == 0 || fm.models.size() != static_cast<size_t>(M))
    throw InputError("cannot save the model: it has no fitted modalities (fit it first)");
  if (ex.trainingPatients < 0 || ex.trainingEvents < 0)
    throw InputError("cannot save the model: the training summary (patients, events) is missing; build the extras with trainingExtras()");
  json doc;
  doc["schema_version"] = kModelSchemaVersion;
  doc["software"] = {{"name", "latefuse"}, {"version", LATEFUSE_VERSION}};
  doc["kind"] = "late-fusion";
  doc["score_direction"] = kScoreDirection;
  const bool binary = fm.outcome == OutcomeType::Binary;
  json outcome = {{"type", outcomeTypeName(fm.outcome)}};
  if (!ex.timeUnit.empty()) outcome["time_unit"] = ex.timeUnit;
  if (!ex.censoringColumn.empty()) {  // only then, so files read from an event column are unchanged
    if (binary) throw InputError("cannot save the model: a binary outcome has no censoring column");
    outcome["event_from_censoring"] = true;
    outcome["censoring_column"] = ex.censoringColumn;
  }
  doc["outcome"] = outcome;

  json modalities = json::array();
  for (int m = 0; m < M; ++m) {
    const ModalityModel& mm = fm.models[static_cast<size_t>(m)];
    json jm;
    jm["name"] = fm.modalities[static_cast<size_t>(m)];
    jm["presence"] = presenceName(fm.options.presence);
    json cols = json::array();
    for (size_t j = 0; j < fm.columns.size(); ++j)
      if (fm.columnModality[j] == m) cols.push_back(fm.columns[j]);
    jm["columns"] = cols;
    jm["outlier_z"] = mm.outlierZ;
    json features = json::array();
    for (size_t k = 0; k < mm.columns.size(); ++k) {
      const Eigen::Index q = static_cast<Eigen::Index>(k);
      json f;
      f["column"] = fm.columns[static_cast<size_t>(mm.columns[k])];
      f["impute_median"] = mm.imputeMedian(q);
      if (mm.outlierSd.size())
        f["outlier"] = {{"mean", mm.outlierMean(q)}, {"sd", mm.outlierSd(q)}, {"median", mm.outlierMedian(q)}};
      f["center"] = mm.center(q);
      f["scale"] = mm.scale(q);
      f["screening"] = k < mm.status.size() ? featureStatusName(mm.status[k]) : "selected";
      features.push_back(std::move(f));
    }
    jm["features"] = features;
    json selected = json::array();
    for (int s : mm.selected) selected.push_back(fm.columns[static_cast<size_t>(mm.columns[static_cast<size_t>(s)])]);
    json sub = {{"features", selected}};
    putModel(sub, binary, mm.fit, hasSingleModalityIntegrator(fm, m) ? Baseline::Omit : Baseline::Keep);
    jm["submodel"] = sub;
    if (mm.elasticNet.used)
      jm["elastic_net"] = {{"lambda", mm.elasticNet.lambda}, {"lambda_min", mm.elasticNet.lambdaMin}, {"lambda_1se", mm.elasticNet.lambda1se}, {"fallback", mm.elasticNet.fallback}};
    jm["score"] = {{"mean", mm.scoreMean}, {"sd", mm.scoreSd}};
    jm["training"] = {{"patients", mm.trainingPatients}, {"events", mm.trainingEvents}};
    jm["warnings"] = mm.warnings;
    modalities.push_back(std::move(jm));
  }
  doc["modalities"] = modalities;
  if (!fm.encodings.empty()) {
    json encodings = json::array();
    for (const CategoricalEncoding& e : fm.encodings)
      encodings.push_back({{"column", e.column}, {"levels", e.levels}, {"reference", e.reference}, {"unseen_level", "reference"}});
    doc["encodings"] = encodings;
  }

  json integrators = json::array();
  const std::vector<Eigen::Index> order = binary || fm.trainingTime.size() == 0 ? std::vector<Eigen::Index>{} : trainingOrder(fm);
  bool anyRecomputed = false;
  for (const Integrator& in : fm.integrators) {
    json ji = {{"pattern", names(fm, in.pattern)}, {"patients", in.patients}};
    const bool recompute = !binary && baselineRecomputable(fm, order, in);
    anyRecomputed = anyRecomputed || recompute;
    putModel(ji, binary, in.fit, recompute ? Baseline::Recompute : Baseline::Keep);
    integrators.push_back(std::move(ji));
  }
  doc["integrators"] = integrators;
  if (anyRecomputed) doc["integrator_training"] = integratorTrainingToJson(fm, order);

  if (fm.early.fitted) {
    json features = json::array();
    for (int m = 0; m < M; ++m) {
      const ModalityModel& mm = fm.models[static_cast<size_t>(m)];
      for (int s : mm.selected)
        features.push_back({{"modality", fm.modalities[static_cast<size_t>(m)]},
                            {"column", fm.columns[static_cast<size_t>(mm.columns[static_cast<size_t>(s)])]}});
    }
    json ef = {{"mode", fm.options.earlyImpute ? "impute" : "complete-case"},
               {"patients", fm.early.trainingPatients},
               {"features", features}};
    // Scoring gives early fusion's linear predictor only (no S(t)): its baseline is never read.
    putModel(ef, binary, fm.early.fit, Baseline::Omit);
    doc["early_fusion"] = ef;
  } else {
    doc["early_fusion"] = nullptr;
  }
  doc["fallback"] = {{"rule", kFallbackRule}, {"description", kFallbackDescription}};
  doc["horizons"] = ex.horizons;
  if (ex.hasRiskGroups) doc["risk_groups"] = {{"cut_points", ex.riskGroups.cutPoints}, {"labels", ex.riskGroups.labels}};
  doc["reference_horizon"] = std::isfinite(ex.referenceHorizon) ? json(ex.referenceHorizon) : json(nullptr);
  if (!ex.riskPercentiles.empty()) doc["risk_percentiles"] = ex.riskPercentiles;

  json training;
  training["patients"] = ex.trainingPatients;
  training["events"] = ex.trainingEvents;
  json patterns = json::array();
  for (const auto& [mask, count] : fm.trainingPatterns) patterns.push_back({{"modalities", names(fm, mask)}, {"patients", count}});
  training["patterns"] = patterns;
  training["settings"] = settingsToJson(fm.options);
  training["warnings"] = fm.warnings;
  doc["training"] = training;
  if (!ex.features.empty()) doc["features"] = featuresToJson(ex.features);
  if (!ex.evaluation.is_null()) doc["evaluation"] = ex.evaluation;
  if (!ex.validation.is_null()) doc["validation"] = ex.validation;
  return doc;
}

// ---- reading ----------------------------------------------------------------------------------
std::string typeName(const json& j) {
  if (j.is_null()) return "null";
  if (j.is_boolean()) return "true/false";
  if (j.is_number()) return "a number";
  if (j.is_string()) return "text";
  if (j.is_array()) return "a list";
  return "an object";
}

class Node {
 public:
  Node(const json& j, std::string path) : j_(j), path_(std::move(path)) {}
  const json& raw() const { return j_; }
  const std::string& path() const { return path_; }

  [[noreturn]] void fail(const std::string& what) const { throw InputError("model file: " + what + "; " + kFix); }
  [[noreturn]] void failHere(const std::string& what) const { fail(path_ + " " + what); }

  std::string child(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

  const Node& object(std::initializer_list<const char*> allowed) const {
    if (!j_.is_object()) failHere("must be an object, got " + typeName(j_));
    for (auto it = j_.begin(); it != j_.end(); ++it) {
      bool ok = false;
      for (const char* a : allowed) ok = ok || it.key() == a;
      if (!ok) fail(child(it.key()) + " is not a field of a LateFuse model (schema_version " + std::to_string(kModelSchemaVersion) + ")");
    }
    return *this;
  }
  bool has(const char* key) const { return j_.is_object() && j_.contains(key); }
  Node operator[](const char* key) const {
    if (!j_.is_object()) failHere("must be an object, got " + typeName(j_));
    const auto it = j_.find(key);
    if (it == j_.end()) fail(child(key) + " is missing");
    return Node(*it, child(key));
  }
  Node at(size_t i) const { return Node(j_[i], path_ + "[" + std::to_string(i) + "]"); }

  size_t array() const {
    if (!j_.is_array()) failHere("must be a list, got " + typeName(j_));
    return j_.size();
  }
  size_t array(size_t expected, const std::string& because) const {
    const size_t n = array();
    if (n != expected) failHere("has " + std::to_string(n) + (n == 1 ? " value" : " values") + " but " + because);
    return n;
  }
  double number() const {
    if (!j_.is_number()) failHere("must be a number, got " + typeName(j_));
    const double v = j_.get<double>();
    if (!std::isfinite(v)) failHere("must be a finite number");
    return v;
  }
  double number(double min, bool strict, const char* what) const {
    const double v = number();
    if (strict ? !(v > min) : !(v >= min)) failHere(std::string("must be ") + what);
    return v;
  }
  double numberOrNull() const { return j_.is_null() ? kNaN : number(); }
  long long integer(long long min, long long max = 2147483647) const {
    if (!j_.is_number_integer()) failHere("must be a whole number, got " + (j_.is_number() ? j_.dump() : typeName(j_)));
    if (j_.is_number_unsigned() && j_.get<unsigned long long>() > static_cast<unsigned long long>(max))
      failHere("must be at most " + std::to_string(max));
    const long long v = j_.get<long long>();
    if (v < min || v > max) failHere("must be a whole number from " + std::to_string(min) + " to " + std::to_string(max) + ", got " + std::to_string(v));
    return v;
  }
  int integer32(int min) const { return static_cast<int>(integer(min)); }
  bool boolean() const {
    if (!j_.is_boolean()) failHere("must be true or false, got " + typeName(j_));
    return j_.get<bool>();
  }
  std::string string(bool nonEmpty = true) const {
    if (!j_.is_string()) failHere("must be text, got " + typeName(j_));
    std::string s = j_.get<std::string>();
    if (nonEmpty && s.empty()) failHere("must not be empty");
    return s;
  }
  std::string choice(std::initializer_list<const char*> options) const {
    const std::string s = string(false);
    std::string list;
    for (const char* o : options) {
      if (s == o) return s;
      list += (list.empty() ? "'" : ", '") + std::string(o) + "'";
    }
    failHere("is '" + s + "' but must be one of " + list);
  }
  // The list readers take valid elements straight from the JSON and build an element's path (a
  // string per element, most of the load time of a large file) only to report a bad one.
  Eigen::VectorXd vector(size_t expected, const std::string& because, bool allowNull = false) const {
    array(expected, because);
    Eigen::VectorXd v(static_cast<Eigen::Index>(expected));
    for (size_t i = 0; i < expected; ++i) v(static_cast<Eigen::Index>(i)) = element(i, allowNull);
    return v;
  }
  std::vector<double> numbers() const {
    const size_t n = array();
    std::vector<double> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = element(i, false);
    return v;
  }
  Eigen::VectorXi ints(size_t expected, const std::string& because, int min, int max = 2147483647) const {
    array(expected, because);
    Eigen::VectorXi v(static_cast<Eigen::Index>(expected));
    for (size_t i = 0; i < expected; ++i) {
      const json& e = j_[i];
      if (e.is_number_integer() && !e.is_number_unsigned() && e.get<long long>() >= min && e.get<long long>() <= max) {
        v(static_cast<Eigen::Index>(i)) = static_cast<int>(e.get<long long>());
      } else if (e.is_number_unsigned() && e.get<unsigned long long>() <= static_cast<unsigned long long>(max) &&
                 static_cast<long long>(e.get<unsigned long long>()) >= min) {
        v(static_cast<Eigen::Index>(i)) = static_cast<int>(e.get<unsigned long long>());
      } else {
        v(static_cast<Eigen::Index>(i)) = static_cast<int>(at(i).integer(min, max));
      }
    }
    return v;
  }
  std::vector<std::string> strings() const {
    const size_t n = array();
    std::vector<std::string> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = at(i).string(false);
    return v;
  }

 private:
  double element(size_t i, bool allowNull) const {
    const json& e = j_[i];
    if (e.is_number()) {
      const double d = e.get<double>();
      if (std::isfinite(d)) return d;
    } else if (allowNull && e.is_null()) {
      return kNaN;
    }
    return allowNull ? at(i).numberOrNull() : at(i).number();  // throws, naming the element
  }

  const json& j_;
  std::string path_;
};

// A covariance matrix read from a model file must be one: symmetric and positive semi-definite,
// within a tolerance relative to its largest entry that absorbs the rounding of the file's
// shortest-round-trip numbers and of the fit's matrix inverse. An edited or damaged matrix would
// otherwise silently change every confidence interval computed from it.
void checkCovariance(const Node& var, const Eigen::MatrixXd& v) {
  const double scale = v.size() ? v.cwiseAbs().maxCoeff() : 0.0;
  const double tolerance = 1e-8 * scale;
  char buffer[160];
  for (Eigen::Index i = 0; i < v.rows(); ++i)
    for (Eigen::Index j = i + 1; j < v.cols(); ++j)
      if (std::abs(v(i, j) - v(j, i)) > tolerance) {
        std::snprintf(buffer, sizeof buffer, "is %.6g but [%td][%td] is %.6g: a covariance matrix is symmetric", v(i, j),
                      static_cast<std::ptrdiff_t>(j), static_cast<std::ptrdiff_t>(i), v(j, i));
        var.at(static_cast<size_t>(i)).at(static_cast<size_t>(j)).failHere(buffer);
      }
  if (v.rows() == 0 || scale == 0) return;
  // V is PSD within the tolerance exactly when V + tolerance * I is positive definite, which a
  // Cholesky factorisation tells without an eigen-solver (whose code would weigh on the WASM size).
  const Eigen::MatrixXd shifted = v + tolerance * Eigen::MatrixXd::Identity(v.rows(), v.cols());
  if (Eigen::LLT<Eigen::MatrixXd>(shifted).info() != Eigen::Success) {
    Eigen::Index worst = 0;
    v.diagonal().minCoeff(&worst);
    std::snprintf(buffer, sizeof buffer,
                  "is not positive semi-definite (smallest variance, [%td][%td], is %.6g): no covariance matrix gives such variances and "
                  "covariances together",
                  static_cast<std::ptrdiff_t>(worst), static_cast<std::ptrdiff_t>(worst), v(worst, worst));
    var.failHere(buffer);
  }
}

// `baselineOptional`: the model may come without `var` and `baseline` (the writer leaves them out
// where scoring never reads them: coxToJson); both or neither. Elsewhere a missing baseline is
// refused with its JSON path. A fit read without them has an empty baseline.
// `recomputable` (an integrator of a schema_version 3 file): `baseline_from` may stand for the
// baseline, which the caller then recomputes from integrator_training (readIntegratorTraining).
CoxFit readCox(const Node& node, Eigen::Index p, const std::string& what, bool baselineOptional = false, bool recomputable = false) {
  node.object({"coef", "se", "means", "var", "n", "events", "ties", "baseline", "baseline_from"});
  if (node.has("baseline_from")) {
    if (!recomputable) node["baseline_from"].failHere("is only allowed for an integrator (schema_version 3)");
    if (node.has("baseline")) node["baseline_from"].failHere("is given together with baseline; give one of them");
    if (!node.has("var")) node.fail(node.child("var") + " is missing: S(t)'s interval needs it with the recomputed baseline");
  } else if (!node.has("baseline") && !baselineOptional) {
    node.fail(node.child("baseline") + " is missing: scoring needs this model's baseline hazard for S(t)" +
              (recomputable ? " (or baseline_from with integrator_training to recompute it)" : ""));
  }
  if (node.has("baseline_from")) {
    // var as below; the baseline comes later.
  } else if (node.has("baseline") != node.has("var"))
    node.fail(node.child(node.has("baseline") ? "var" : "baseline") + " is missing: a Cox model keeps its baseline and var together (S(t) and its interval need both), or leaves both out where scoring does not use them");
  const size_t P = static_cast<size_t>(p);
  CoxFit f;
  f.p = p;
  f.coef = node["coef"].vector(P, what, true);
  f.se = node["se"].vector(P, what, true);
  f.redundant.assign(P, false);
  for (Eigen::Index j = 0; j < p; ++j) {
    const bool missing = std::isnan(f.coef(j));
    f.redundant[static_cast<size_t>(j)] = missing;
    if (missing != std::isnan(f.se(j)))
      node["se"].at(static_cast<size_t>(j)).failHere(missing ? "must be null because its coefficient is null (not estimated)" : "is null but its coefficient is not; give both or neither");
    if (!missing && f.se(j) < 0) node["se"].at(static_cast<size_t>(j)).failHere("must be >= 0");
  }
  f.means = node["means"].vector(P, what);
  f.n = node["n"].integer(1);
  f.events = node["events"].integer32(1);
  if (f.events > f.n) node["events"].failHere("is " + std::to_string(f.events) + ", more than the " + std::to_string(f.n) + " patients (n)");
  f.ties = node["ties"].choice({"efron", "breslow"}) == "efron" ? Ties::Efron : Ties::Breslow;
  if (!node.has("baseline") && !node.has("baseline_from")) return f;
  const Node var = node["var"];
  // [] = not kept (a ridge fit with more covariates than patients, cox.hpp): no S(t) interval.
  const bool keptVar = var.array() != 0;
  if (keptVar) {
    var.array(P, "it needs one row per coefficient (" + std::to_string(P) + "), or [] when not kept");
    f.var.resize(p, p);
    for (size_t i = 0; i < P; ++i) f.var.row(static_cast<Eigen::Index>(i)) = var.at(i).vector(P, what).transpose();
    checkCovariance(var, f.var);
  }
  if (node.has("baseline_from")) {
    if (!keptVar) var.failHere("is empty; a recomputed baseline comes with its covariance matrix");
    const Node from = node["baseline_from"];
    from.object({"scale", "scaled_coef"});
    f.scale = from["scale"].vector(P, what);
    f.scaledCoef = from["scaled_coef"].vector(P, what);
    for (size_t j = 0; j < P; ++j)
      if (!(f.scale(static_cast<Eigen::Index>(j)) > 0)) from["scale"].at(j).failHere("must be > 0");
    return f;
  }
  const Node b = node["baseline"];
  b.object({"time", "stratum", "hazard", "var_hazard", "xbar_hazard", "n_risk", "n_event"});
  const size_t K = b["time"].array();
  if (K == 0) b["time"].failHere("is empty: a fitted Cox model has at least one event time");
  const std::string perTime = "baseline.time has " + std::to_string(K);
  CoxBaseline& B = f.baseline;
  B.time = b["time"].vector(K, perTime);
  B.stratum = b["stratum"].ints(K, perTime, 0);
  B.hazard = b["hazard"].vector(K, perTime);
  B.varHazard = b["var_hazard"].vector(K, perTime);
  B.nRisk = b["n_risk"].ints(K, perTime, 1);
  B.nEvent = b["n_event"].ints(K, perTime, 0);
  const Node xbar = b["xbar_hazard"];
  if (!keptVar || xbar.array() == 0) {
    B.xbarHazard.resize(static_cast<Eigen::Index>(K), 0);  // S(t) without its interval
  } else {
    xbar.array(K, perTime);
    B.xbarHazard.resize(static_cast<Eigen::Index>(K), p);
    for (size_t k = 0; k < K; ++k) B.xbarHazard.row(static_cast<Eigen::Index>(k)) = xbar.at(k).vector(P, what).transpose();
  }
  bool stratumZero = false;
  for (size_t k = 0; k < K; ++k) {
    const Eigen::Index r = static_cast<Eigen::Index>(k);
    if (B.time(r) < 0) b["time"].at(k).failHere("must be >= 0");
    if (B.hazard(r) < 0) b["hazard"].at(k).failHere("must be >= 0");
    if (B.varHazard(r) < 0) b["var_hazard"].at(k).failHere("must be >= 0");
    if (k > 0 && B.stratum(r) == B.stratum(r - 1) && B.time(r) < B.time(r - 1))
      b["time"].at(k).failHere("is smaller than the time before it; baseline times must increase within a stratum");
    stratumZero = stratumZero || B.stratum(r) == 0;
  }
  if (!stratumZero) b["stratum"].failHere("has no row for stratum 0, which predictions use");
  return f;
}

LogisticFit readLogistic(const Node& node, Eigen::Index p, const std::vector<std::string>& names, const std::string& what) {
  node.object({"coef", "se", "var", "n", "cases", "ridge"});
  const size_t P = static_cast<size_t>(p) + 1;
  const std::string withIntercept = what + " (plus the intercept, first)";
  LogisticFit f;
  f.p = static_cast<Eigen::Index>(P);
  f.names.push_back("(Intercept)");
  for (const auto& n : names) f.names.push_back(n);
  f.coef = node["coef"].vector(P, withIntercept);
  f.se = node["se"].vector(P, withIntercept, true);
  for (size_t j = 0; j < P; ++j)
    if (!std::isnan(f.se(static_cast<Eigen::Index>(j))) && f.se(static_cast<Eigen::Index>(j)) < 0) node["se"].at(j).failHere("must be >= 0");
  const Node var = node["var"];
  if (var.array() != 0) {  // [] = not kept (ridge with more covariates than patients, logistic.hpp)
    var.array(P, "it needs one row per coefficient (" + std::to_string(P) + ", the intercept included), or [] when not kept");
    f.var.resize(f.p, f.p);
    for (size_t i = 0; i < P; ++i) f.var.row(static_cast<Eigen::Index>(i)) = var.at(i).vector(P, withIntercept).transpose();
    checkCovariance(var, f.var);
  }
  f.n = node["n"].integer(2);
  const long long cases = node["cases"].integer(1);
  if (cases >= f.n)
    node["cases"].failHere("is " + std::to_string(cases) + " but a logistic model needs controls too (n is " + std::to_string(f.n) + ")");
  f.cases = static_cast<double>(cases);
  f.controls = static_cast<double>(f.n - cases);
  f.ridge = node["ridge"].number(0, false, ">= 0");
  f.converged = true;
  return f;
}

// The outcome family's model in the file, under its key: a Cox model ("cox", survival) or a ridge
// logistic model ("logistic", binary). The reader's one place that tells the families apart (as
// OutcomeFamily::fit is for fitting and putModel for writing); a third family is a case
// here. `coxRule`: whether a Cox model may leave its baseline out (CoxBaseline below).
enum class CoxBaselineRule {
  Required,     // S(t) is read from it
  Optional,     // submodels and early fusion: left out where scoring never reads it
  Recomputable  // an integrator of a schema_version 3 file: baseline_from stands for it
};

struct FileFamily {
  OutcomeType outcome;
  bool binary() const { return outcome == OutcomeType::Binary; }
  const char* key() const { return binary() ? "logistic" : "cox"; }
  const char* eventsKey() const { return binary() ? "cases" : "events"; }
  const char* eventsNote() const { return binary() ? " (the cases)" : ""; }
  // Reads parent[key()] with p covariates (`names` for the logistic model's messages).
  void read(const Node& parent, Eigen::Index p, const std::vector<std::string>& names, const std::string& because, CoxBaselineRule rule,
            FittedModel& fit) const {
    if (binary()) fit = readLogistic(parent[key()], p, names, because);
    else fit = readCox(parent[key()], p, because, rule == CoxBaselineRule::Optional, rule == CoxBaselineRule::Recomputable);
  }
  long long patients(const FittedModel& fit) const {
    return binary() ? static_cast<long long>(logisticFit(fit).n) : static_cast<long long>(coxFit(fit).n);
  }
  long long events(const FittedModel& fit) const {
    return binary() ? static_cast<long long>(logisticFit(fit).cases) : static_cast<long long>(coxFit(fit).events);
  }
};

RidgeOptions readRidge(const Node& n) {
  n.object({"penalizer", "theta", "scale"});
  RidgeOptions r;
  r.penalizer = n["penalizer"].number(0, false, ">= 0");
  r.theta = n["theta"].number(0, false, ">= 0");
  r.scale = n["scale"].boolean();
  return r;
}

FusionOptions readSettings(const Node& s) {
  s.object({"presence", "outlier_z", "scaling", "select_features", "screening", "submodel_ridge", "integrator_ridge",
            "min_pattern_size", "cross_fit", "folds", "seed", "early_fusion", "early_impute", "ties", "elastic_net"});
  FusionOptions o;
  o.presence = s["presence"].choice({"any", "all"}) == "any" ? PresenceRule::Any : PresenceRule::All;
  o.outlierZ = s["outlier_z"].number(0, false, ">= 0 (0 = no outlier step)");
  const std::string scaling = s["scaling"].choice({"zscore", "minmax", "none"});
  o.scaling = scaling == "zscore" ? Scaling::ZScore : scaling == "minmax" ? Scaling::MinMax
                                                                          : Scaling::None;
  o.selectFeatures = s["select_features"].boolean();
  const Node sc = s["screening"];
  sc.object({"iqr_filter", "min_iqr", "test", "adjust", "max_q", "forward", "forward_penalizer", "forward_p", "min_selected", "ties"});
  o.screening.iqrFilter = sc["iqr_filter"].boolean();
  o.screening.minIqr = sc["min_iqr"].number();
  o.screening.test = sc["test"].choice({"wald", "likelihood_ratio"}) == "wald" ? UnivariateTest::Wald : UnivariateTest::LikelihoodRatio;
  const std::string adjust = sc["adjust"].choice({"BH", "BY", "holm", "hochberg", "bonferroni"});
  o.screening.adjust = adjust == "BH" ? PAdjustMethod::BH : adjust == "BY"     ? PAdjustMethod::BY
                                                        : adjust == "holm"     ? PAdjustMethod::Holm
                                                        : adjust == "hochberg" ? PAdjustMethod::Hochberg
                                                                               : PAdjustMethod::Bonferroni;
  o.screening.maxQ = sc["max_q"].number();
  o.screening.forward = sc["forward"].boolean();
  o.screening.forwardPenalizer = sc["forward_penalizer"].number(0, false, ">= 0");
  o.screening.forwardP = sc["forward_p"].number();
  o.screening.minSelected = sc["min_selected"].integer32(0);
  o.screening.ties = sc["ties"].choice({"efron", "breslow"}) == "efron" ? Ties::Efron : Ties::Breslow;
  o.submodel = readRidge(s["submodel_ridge"]);
  o.integrator = readRidge(s["integrator_ridge"]);
  o.minPatternSize = s["min_pattern_size"].integer32(1);
  o.crossFit = s["cross_fit"].boolean();
  o.folds = s["folds"].integer32(0);
  {
    const Node seed = s["seed"];
    if (!seed.raw().is_number_integer() || (!seed.raw().is_number_unsigned() && seed.raw().get<long long>() < 0))
      seed.failHere("must be a whole number >= 0");
    o.seed = seed.raw().get<uint64_t>();
  }
  o.earlyFusion = s["early_fusion"].boolean();
  o.earlyImpute = s["early_impute"].boolean();
  o.ties = s["ties"].choice({"efron", "breslow"}) == "efron" ? Ties::Efron : Ties::Breslow;
  if (s.has("elastic_net")) {
    const Node en = s["elastic_net"];
    en.object({"alpha", "lambda_rule", "folds"});
    o.elasticNet.enabled = true;
    o.elasticNet.alpha = en["alpha"].number(0, true, "in (0, 1]");
    if (o.elasticNet.alpha > 1) en["alpha"].failHere("must be in (0, 1]");
    o.elasticNet.rule = en["lambda_rule"].choice({"min", "1se"}) == "min" ? LambdaRule::Min : LambdaRule::OneSE;
    o.elasticNet.folds = en["folds"].integer32(2);
    if (o.selectFeatures) s["select_features"].failHere("is true but training.settings.elastic_net is given; a model uses one feature selection");
  }
  return o;
}

// A list of modality names -> bitmask; names must be known, distinct and in modality order.
int readPattern(const Node& n, const std::vector<std::string>& modalities, size_t minSize) {
  const size_t k = n.array();
  if (k < minSize) n.failHere("lists " + std::to_string(k) + " modalities but needs at least " + std::to_string(minSize));
  int mask = 0, last = -1;
  for (size_t i = 0; i < k; ++i) {
    const std::string name = n.at(i).string();
    const auto it = std::find(modalities.begin(), modalities.end(), name);
    if (it == modalities.end()) {
      std::string known;
      for (const auto& m : modalities) known += (known.empty() ? "" : ", ") + m;
      n.at(i).failHere("is '" + name + "', which is not a modality of this model (" + known + ")");
    }
    const int m = static_cast<int>(it - modalities.begin());
    if (m <= last) n.at(i).failHere("('" + name + "') is repeated or out of order; list the modalities in the order of `modalities`");
    last = m;
    mask |= 1 << m;
  }
  return mask;
}

// One external-validation entry (the numbers of `latefuse evaluate` on a cohort); returns its cohort.
std::string readValidationEntry(const Node& e, bool binary) {
  e.object({"cohort", "description", "n", "events", "c", "c_lower", "c_upper", "conf_level", "bootstrap", "permutation_p", "uno_c",
            "uno_c_lower", "uno_c_upper", "tau", "auc", "mean_auc", "calibration", "seed"});
  const std::string cohort = e["cohort"].string();
  if (e.has("description")) e["description"].string();
  const long long n = e["n"].integer(1);
  const long long events = e["events"].integer(binary ? 1 : 0);
  if (events > n) e["events"].failHere("is " + std::to_string(events) + ", more than the " + std::to_string(n) + " patients (n)");
  auto unit = [](const Node& x) {
    const double v = x.number();
    if (v < 0 || v > 1) x.failHere("must be in [0, 1]");
    return v;
  };
  auto unitOrNull = [&](const Node& x) { return x.raw().is_null() ? kNaN : unit(x); };
  // A CI: both ends or neither (null), lower <= upper.
  auto interval = [&](const char* lowerKey, const char* upperKey, bool unitRange) {
    if (!e.has(lowerKey) && !e.has(upperKey)) return;
    const Node lo = e[lowerKey], hi = e[upperKey];
    if (lo.raw().is_null() != hi.raw().is_null()) e.failHere(std::string("has ") + lowerKey + " and " + upperKey + ": give both or neither (null)");
    if (lo.raw().is_null()) return;
    const double a = unitRange ? unit(lo) : lo.number(), b = unitRange ? unit(hi) : hi.number();
    if (a > b) lo.failHere("is above " + e.child(upperKey));
  };
  unit(e["c"]);
  interval("c_lower", "c_upper", true);
  if (e.has("conf_level")) {
    const double level = e["conf_level"].number();
    if (!(level > 0 && level < 1)) e["conf_level"].failHere("must lie strictly between 0 and 1");
  }
  if (e.has("bootstrap")) e["bootstrap"].integer(0);
  if (e.has("permutation_p")) unitOrNull(e["permutation_p"]);
  if (e.has("uno_c")) unitOrNull(e["uno_c"]);
  interval("uno_c_lower", "uno_c_upper", true);
  if (e.has("tau") && !e["tau"].raw().is_null()) e["tau"].number(0, true, "> 0 (a time)");
  if (e.has("auc")) {
    const Node auc = e["auc"];
    const size_t k = auc.array();
    for (size_t i = 0; i < k; ++i) {
      const Node a = auc.at(i);
      a.object({"time", "auc"});
      a["time"].number(0, false, ">= 0");
      unitOrNull(a["auc"]);
    }
  }
  if (e.has("mean_auc")) unitOrNull(e["mean_auc"]);
  if (e.has("calibration") && !e["calibration"].raw().is_null()) {
    const Node cal = e["calibration"];
    cal.object({"horizon", "n", "slope", "slope_lower", "slope_upper", "groups"});
    cal["horizon"].number(0, true, "> 0 (a time)");
    cal["n"].integer(1, n);
    cal["slope"].numberOrNull();
    const Node lo = cal["slope_lower"], hi = cal["slope_upper"];
    if (lo.raw().is_null() != hi.raw().is_null()) cal.failHere("has slope_lower and slope_upper: give both or neither (null)");
    if (!lo.raw().is_null() && lo.number() > hi.number()) lo.failHere("is above " + cal.child("slope_upper"));
    const Node groups = cal["groups"];
    const size_t g = groups.array();
    for (size_t i = 0; i < g; ++i) {
      const Node gr = groups.at(i);
      gr.object({"n", "events", "predicted", "observed", "lower", "upper"});
      const long long gn = gr["n"].integer(1);
      if (gr["events"].integer(0) > gn) gr["events"].failHere("is more than " + gr.child("n"));
      unit(gr["predicted"]);
      unitOrNull(gr["observed"]);
      unitOrNull(gr["lower"]);
      unitOrNull(gr["upper"]);
    }
  }
  if (e.has("seed")) e["seed"].integer(0, 9007199254740991LL);
  return cohort;
}

// The raw features of a model in column order (a categorical column once, at its first dummy).
struct RawFeature {
  std::string name, modality;
  const CategoricalEncoding* encoding = nullptr;
};

std::vector<RawFeature> rawFeatures(const FusionModel& fm) {
  std::map<std::string, const CategoricalEncoding*> byDummy;
  for (const CategoricalEncoding& e : fm.encodings)
    for (const std::string& d : e.dummies()) byDummy[d] = &e;
  std::vector<RawFeature> out;
  std::set<std::string> listed;
  for (size_t j = 0; j < fm.columns.size(); ++j) {
    const auto it = byDummy.find(fm.columns[j]);
    const std::string name = it == byDummy.end() ? fm.columns[j] : it->second->column;
    if (!listed.insert(name).second) continue;
    out.push_back({name, fm.modalities[static_cast<size_t>(fm.columnModality[j])], it == byDummy.end() ? nullptr : it->second});
  }
  return out;
}

std::vector<FeatureSummary> readFeatures(const Node& node, const FusionModel& fm, int trainingPatients) {
  const std::vector<RawFeature> expected = rawFeatures(fm);
  node.array(expected.size(), "the model has " + std::to_string(expected.size()) + " raw features (one entry each, in column order)");
  std::vector<FeatureSummary> out;
  for (size_t k = 0; k < expected.size(); ++k) {
    const Node e = node.at(k);
    e.object({"name", "modality", "type", "patients", "min", "max", "p01", "p99", "levels", "unit", "description"});
    const RawFeature& raw = expected[k];
    FeatureSummary f;
    f.name = e["name"].string();
    if (f.name != raw.name) e["name"].failHere("is '" + f.name + "' but the model's raw feature " + std::to_string(k + 1) + " is '" + raw.name + "'");
    f.modality = e["modality"].string();
    if (f.modality != raw.modality) e["modality"].failHere("is '" + f.modality + "' but '" + raw.name + "' is in the modality '" + raw.modality + "'");
    const std::string type = e["type"].choice({"continuous", "binary", "categorical"});
    f.type = type == "binary" ? FeatureType::Binary : type == "categorical" ? FeatureType::Categorical
                                                                            : FeatureType::Continuous;
    if ((f.type == FeatureType::Categorical) != (raw.encoding != nullptr))
      e["type"].failHere(raw.encoding ? "must be 'categorical' (the column has an encoding)" : "is 'categorical' but the column has no encoding");
    f.patients = static_cast<int>(e["patients"].integer(0, trainingPatients));
    const bool ranged = f.type != FeatureType::Categorical && f.patients > 0;
    for (const char* key : {"min", "max", "p01", "p99"}) {
      if (e.has(key) != ranged)
        e.failHere(ranged ? std::string("needs ") + key + " (the feature has training values)"
                          : std::string("has ") + key + " but " + (f.type == FeatureType::Categorical ? "a categorical feature has levels, not a range" : "no training patient has a value"));
    }
    if (ranged) {
      f.min = e["min"].number();
      f.p01 = e["p01"].number();
      f.p99 = e["p99"].number();
      f.max = e["max"].number();
      if (!(f.min <= f.p01 && f.p01 <= f.p99 && f.p99 <= f.max)) e.failHere("must have min <= p01 <= p99 <= max");
      if (f.type == FeatureType::Binary && (f.min < 0 || f.max > 1)) e.failHere("is binary, so its values must lie in 0..1");
    } else {
      f.min = f.max = f.p01 = f.p99 = kNaN;
    }
    if (e.has("levels") != (f.type == FeatureType::Categorical))
      e.failHere(f.type == FeatureType::Categorical ? "needs levels" : "has levels but is not categorical");
    if (f.type == FeatureType::Categorical) {
      f.levels = e["levels"].strings();
      if (f.levels != raw.encoding->levels) e["levels"].failHere("must be the levels of the encoding of '" + raw.name + "'");
    }
    if (e.has("unit")) f.unit = e["unit"].string();
    if (e.has("description")) f.description = e["description"].string();
    out.push_back(std::move(f));
  }
  return out;
}

// integrator_training (schema_version 3): present exactly when an integrator has baseline_from;
// every such integrator's baseline is recomputed from it (coxBaselineFrom), as the writer checked.
void readIntegratorTraining(const Node& root, FusionModel& fm, const ModelExtras& ex) {
  bool needed = false;
  for (const Integrator& in : fm.integrators) {
    const CoxFit* cox = std::get_if<CoxFit>(&in.fit);  // none in a binary model
    needed = needed || (cox && cox->scale.size() && !cox->baseline.time.size());
  }
  if (!root.has("integrator_training")) {
    if (needed) root.fail("integrator_training is missing: the integrators with baseline_from need it to recompute their baseline hazards");
    return;
  }
  const Node t = root["integrator_training"];
  if (!needed) t.failHere("is given but no integrator has baseline_from; leave it out");
  t.object({"time", "event", "scores"});
  const size_t n = t["time"].array();
  const std::string because = "training.patients is " + std::to_string(ex.trainingPatients);
  t["time"].array(static_cast<size_t>(ex.trainingPatients), because);
  const Eigen::Index N = static_cast<Eigen::Index>(n);
  fm.trainingTime = t["time"].vector(n, because);
  const Eigen::VectorXi event = t["event"].ints(n, because, 0, 1);
  fm.trainingEvent = event.cast<double>();
  for (Eigen::Index r = 0; r < N; ++r) {
    if (fm.trainingTime(r) < 0) t["time"].at(static_cast<size_t>(r)).failHere("must be >= 0");
    if (r > 0 && fm.trainingTime(r) < fm.trainingTime(r - 1))
      t["time"].at(static_cast<size_t>(r)).failHere("is smaller than the time before it; the rows are sorted by time");
  }
  if (event.sum() != ex.trainingEvents)
    t["event"].failHere("has " + std::to_string(event.sum()) + " events but training.events is " + std::to_string(ex.trainingEvents));
  const Node scores = t["scores"];
  const size_t M = fm.modalities.size();
  scores.array(M, "the model has " + std::to_string(M) + " modalities (one list of scores each)");
  fm.trainingScores.resize(N, static_cast<Eigen::Index>(M));
  for (size_t m = 0; m < M; ++m) {
    fm.trainingScores.col(static_cast<Eigen::Index>(m)) = scores.at(m).vector(n, because, true);
    const long long present = (fm.trainingScores.col(static_cast<Eigen::Index>(m)).array() == fm.trainingScores.col(static_cast<Eigen::Index>(m)).array()).count();
    if (present != fm.models[m].trainingPatients)
      scores.at(m).failHere("has " + std::to_string(present) + " scores but modality " + fm.modalities[m] + " has " +
                            std::to_string(fm.models[m].trainingPatients) + " training patients");
  }
  const std::vector<Eigen::Index> order = trainingOrder(fm);
  for (size_t r = 0; r < order.size(); ++r)
    if (order[r] != static_cast<Eigen::Index>(r)) t["time"].failHere("is not sorted");
  for (size_t k = 0; k < fm.integrators.size(); ++k) {
    Integrator& in = fm.integrators[k];
    CoxFit& cox = coxFit(in.fit);  // `needed`: a survival model
    if (!cox.scale.size()) continue;
    cox.baseline = recomputedBaseline(fm, order, in);
    const Node ji = root["integrators"].at(k);
    long long patients = 0;
    std::vector<const double*> columns;  // column pointers, as in integratorData
    for (int m : in.modalities) columns.push_back(fm.trainingScores.col(m).data());
    for (Eigen::Index r = 0; r < N; ++r) {
      bool all = true;
      for (const double* c : columns) all = all && std::isfinite(c[r]);
      patients += all;
    }
    if (patients != in.patients)
      ji["patients"].failHere("is " + std::to_string(in.patients) + " but integrator_training has " + std::to_string(patients) +
                              " patients with every modality of " + patternLabel(fm, in.pattern));
    if (cox.baseline.nEvent.sum() != cox.events)
      ji["cox"]["events"].failHere("is " + std::to_string(cox.events) + " but integrator_training has " +
                                   std::to_string(cox.baseline.nEvent.sum()) + " events among its patients");
  }
}

// The schema_version of a document, refused with what to do when this LateFuse cannot read it.
int readSchemaVersion(const json& doc) {
  if (!doc.is_object())
    throw InputError(std::string("model file: the document is ") + typeName(doc) + ", not a LateFuse model (a JSON object); open a model file written by LateFuse");
  if (!doc.contains("schema_version"))
    throw InputError("model file: schema_version is missing, so this is not a LateFuse model file; open a model file written by LateFuse (latefuse fuse)");
  const json& version = doc["schema_version"];
  if (!version.is_number_integer())
    throw InputError("model file: schema_version must be a whole number, got " + version.dump() + "; " + kFix);
  if (version.is_number_unsigned() ? version.get<unsigned long long>() > static_cast<unsigned long long>(kModelSchemaVersion)
                                   : version.get<long long>() > kModelSchemaVersion)
    throw InputError("model file was written by a newer LateFuse (schema_version " + version.dump() + " > " +
                     std::to_string(kModelSchemaVersion) + "); update LateFuse");
  if (version.get<long long>() < 1)
    throw InputError("model file: schema_version " + version.dump() + " is not a version LateFuse ever wrote (this LateFuse reads " +
                     std::to_string(kModelSchemaVersion) + "); " + kFix);
  const int schemaVersion = static_cast<int>(version.get<long long>());
  if (schemaVersion < kOldestReadableVersion)
    throw InputError("model file has schema_version " + version.dump() +
                     ", written by an earlier LateFuse whose integrators were fitted per "
                     "exact availability pattern and whose percentiles were on the fused linear predictor; this LateFuse (schema_version " +
                     std::to_string(kModelSchemaVersion) +
                     ") cannot score it on the same scale. Rebuild the model from its training data "
                     "with `latefuse fuse ... --model-out` (or the page's Fusion tab); the shipped models are rebuilt by models/build.sh");

  return schemaVersion;
}

// One reader per section of the document, in the order the checks depend on each other (settings
// before the modalities checked against them, modalities before integrators, ...); each reads its
// section into the model and throws InputError naming the JSON path of the first problem.
class DocumentReader {
 public:
  DocumentReader(const json& document, int version) : doc(document), schemaVersion(version), root(document, "") {}

  LoadedModel read() {
    header();
    settingsAndColumns();
    encodings();
    modalities();
    trainingPatterns();
    integrators();
    baselines();
    earlyFusion();
    riskScale();
    sections();
    return std::move(out);
  }

 private:
  const json& doc;
  const int schemaVersion;
  const Node root;
  LoadedModel out;
  FusionModel& fm = out.model;
  ModelExtras& ex = out.extras;
  bool binary = false;
  FileFamily family{OutcomeType::Survival};
  size_t M = 0;
  std::map<std::string, std::pair<int, size_t>> columnOwner;  // column -> (modality, position in its list)
  std::vector<std::vector<std::string>> modalityColumns;
  std::vector<int> offset;                                               // global column index of (m, j) = offset[m] + j
  std::vector<std::pair<size_t, std::string>> submodelsWithoutBaseline;  // modality, JSON path of the missing baseline

  // Top-level fields, software, kind, score direction and the outcome family.
  void header() {
    const json& version = doc["schema_version"];
    root.object({"schema_version", "software", "kind", "score_direction", "outcome", "modalities", "encodings", "integrators", "early_fusion",
                 "fallback", "horizons", "reference_horizon", "risk_groups", "risk_percentiles", "training", "features", "evaluation", "validation",
                 "integrator_training"});
    if (schemaVersion < 3 && root.has("integrator_training"))
      root["integrator_training"].failHere("is a schema_version 3 field but the file says schema_version " + version.dump());
    {
      const std::string kind = root["kind"].string(false);
      if (kind != "late-fusion")
        root["kind"].failHere("is '" + kind + "'; this LateFuse scores 'late-fusion' models");
    }
    {
      const Node sw = root["software"];
      sw.object({"name", "version"});
      if (sw["name"].string(false) != "latefuse") sw["name"].failHere("must be 'latefuse'");
      sw["version"].string();
    }
    if (root["score_direction"].string(false) != kScoreDirection)
      root["score_direction"].failHere(std::string("must be '") + kScoreDirection + "'");
    const Node oc = root["outcome"];
    oc.object({"type", "time_unit", "event_from_censoring", "censoring_column"});
    fm.outcome = oc["type"].choice({"survival", "binary"}) == "binary" ? OutcomeType::Binary : OutcomeType::Survival;
    if (oc.has("time_unit")) ex.timeUnit = oc["time_unit"].string();
    binary = fm.outcome == OutcomeType::Binary;
    family = FileFamily{fm.outcome};
    // The event came from a censoring indicator: both fields or neither, and only for survival.
    if (oc.has("event_from_censoring") || oc.has("censoring_column")) {
      if (fm.outcome == OutcomeType::Binary) oc["type"].failHere("is 'binary', which has no censoring column (event_from_censoring)");
      if (!oc.has("censoring_column")) oc["event_from_censoring"].failHere("needs censoring_column: the name of the censoring column");
      if (!oc.has("event_from_censoring")) oc["censoring_column"].failHere("needs event_from_censoring: true beside it");
      if (!oc["event_from_censoring"].boolean()) oc["event_from_censoring"].failHere("must be true (leave both fields out for an event column)");
      ex.censoringColumn = oc["censoring_column"].string();
    }
  }

  // training.settings, then each modality's name, presence rule and columns.
  void settingsAndColumns() {
    // Training settings first: the modalities are checked against them.
    const Node training = root["training"];
    training.object({"patients", "events", "patterns", "settings", "warnings"});
    fm.options = readSettings(training["settings"]);
    const FusionOptions& o = fm.options;

    // Modalities
    const Node mods = root["modalities"];
    M = mods.array();
    if (M == 0) mods.failHere("is empty: a model has at least one modality");
    if (M > 30) mods.failHere("has " + std::to_string(M) + " modalities; at most 30 are supported");
    modalityColumns.assign(M, {});
    for (size_t m = 0; m < M; ++m) {
      const Node jm = mods.at(m);
      jm.object({"name", "presence", "columns", "outlier_z", "features", "submodel", "score", "training", "warnings", "elastic_net"});
      const std::string name = jm["name"].string();
      if (std::find(fm.modalities.begin(), fm.modalities.end(), name) != fm.modalities.end())
        jm["name"].failHere("'" + name + "' is used by two modalities");
      fm.modalities.push_back(name);
      const std::string presence = jm["presence"].choice({"any", "all"});
      if (presence != presenceName(o.presence))
        jm["presence"].failHere("is '" + presence + "' but training.settings.presence is '" + presenceName(o.presence) +
                                "' (one presence rule applies to every modality)");
      const Node cols = jm["columns"];
      const size_t nc = cols.array();
      if (nc == 0) cols.failHere("is empty: a modality has at least one column");
      for (size_t j = 0; j < nc; ++j) {
        const std::string c = cols.at(j).string();
        const auto it = columnOwner.find(c);
        if (it != columnOwner.end())
          cols.at(j).failHere("'" + c + "' also belongs to modality '" + fm.modalities[static_cast<size_t>(it->second.first)] +
                              "'; a column belongs to one modality");
        columnOwner[c] = {static_cast<int>(m), j};
        modalityColumns[m].push_back(c);
        fm.columns.push_back(c);
        fm.columnModality.push_back(static_cast<int>(m));
      }
    }
  }

  // Categorical encodings: every non-reference level's dummy "<column>=<level>" is a column of one modality.
  void encodings() {
    if (root.has("encodings")) {
      const Node encs = root["encodings"];
      const size_t ne = encs.array();
      if (ne == 0) encs.failHere("is empty; leave it out when the model has no categorical column");
      for (size_t k = 0; k < ne; ++k) {
        const Node je = encs.at(k);
        je.object({"column", "levels", "reference", "unseen_level"});
        CategoricalEncoding e;
        e.column = je["column"].string();
        for (const auto& other : fm.encodings)
          if (other.column == e.column) je["column"].failHere("'" + e.column + "' is encoded twice");
        if (columnOwner.count(e.column)) je["column"].failHere("'" + e.column + "' is also a model column; a categorical column enters the model as its dummies only");
        const Node lv = je["levels"];
        const size_t nl = lv.array();
        if (nl < 2) lv.failHere("has " + std::to_string(nl) + " level; a categorical column has at least 2");
        for (size_t l = 0; l < nl; ++l) {
          e.levels.push_back(lv.at(l).string(false));
          if (l > 0 && !(e.levels[l - 1] < e.levels[l])) lv.at(l).failHere("must come after '" + e.levels[l - 1] + "' (levels are distinct and sorted)");
        }
        e.reference = je["reference"].string(false);
        if (std::find(e.levels.begin(), e.levels.end(), e.reference) == e.levels.end())
          je["reference"].failHere("'" + e.reference + "' is not one of " + lv.path());
        je["unseen_level"].choice({"reference"});
        int owner = -1;
        for (const std::string& d : e.dummies()) {
          const auto it = columnOwner.find(d);
          if (it == columnOwner.end()) je["column"].failHere("has the dummy '" + d + "', which is not a column of any modality");
          if (owner >= 0 && it->second.first != owner) je["column"].failHere("has dummies in two modalities; all of a column's dummies belong to one modality");
          owner = it->second.first;
        }
        if (columnOwner.count(e.column + "=" + e.reference))
          je["reference"].failHere("'" + e.reference + "' is the reference level, so '" + e.column + "=" + e.reference + "' must not be a model column");
        fm.encodings.push_back(std::move(e));
      }
    }
  }

  void modalities() {
    offset.assign(M, 0);
    for (size_t m = 1; m < M; ++m) offset[m] = offset[m - 1] + static_cast<int>(modalityColumns[m - 1].size());
    for (size_t m = 0; m < M; ++m) fm.models.push_back(modality(m));
  }

  // One modality: preprocessing of its features, its submodel, elastic-net selection, score scale, training counts.
  ModalityModel modality(size_t m) {
    const FusionOptions& o = fm.options;
    const Node mods = root["modalities"];
    const Node jm = mods.at(m);
    ModalityModel mm;
    mm.name = fm.modalities[m];
    mm.index = static_cast<int>(m);
    mm.outlierZ = jm["outlier_z"].number(0, false, ">= 0 (0 = no outlier step)");
    if (mm.outlierZ != o.outlierZ)
      jm["outlier_z"].failHere("differs from training.settings.outlier_z (" + json(o.outlierZ).dump() + ")");
    const Node features = jm["features"];
    const size_t q = features.array();
    if (q == 0) features.failHere("is empty: a modality uses at least one column");
    mm.imputeMedian.resize(static_cast<Eigen::Index>(q));
    mm.center.resize(static_cast<Eigen::Index>(q));
    mm.scale.resize(static_cast<Eigen::Index>(q));
    if (mm.outlierZ > 0) {
      mm.outlierMean.resize(static_cast<Eigen::Index>(q));
      mm.outlierSd.resize(static_cast<Eigen::Index>(q));
      mm.outlierMedian.resize(static_cast<Eigen::Index>(q));
    }
    std::vector<std::string> used;
    long long lastPosition = -1;
    for (size_t k = 0; k < q; ++k) {
      const Node f = features.at(k);
      f.object({"column", "impute_median", "outlier", "center", "scale", "screening"});
      const std::string c = f["column"].string();
      const auto it = columnOwner.find(c);
      if (it == columnOwner.end() || it->second.first != static_cast<int>(m))
        f["column"].failHere("'" + c + "' is not one of " + jm.child("columns"));
      if (static_cast<long long>(it->second.second) <= lastPosition)
        f["column"].failHere("'" + c + "' is repeated or out of order; list the features in the order of " + jm.child("columns"));
      lastPosition = static_cast<long long>(it->second.second);
      used.push_back(c);
      mm.columns.push_back(offset[m] + static_cast<int>(it->second.second));
      const Eigen::Index r = static_cast<Eigen::Index>(k);
      mm.imputeMedian(r) = f["impute_median"].number();
      mm.center(r) = f["center"].number();
      mm.scale(r) = f["scale"].number(0, true, "> 0");
      if (mm.outlierZ > 0) {
        const Node ol = f["outlier"];
        ol.object({"mean", "sd", "median"});
        mm.outlierMean(r) = ol["mean"].number();
        mm.outlierSd(r) = ol["sd"].number(0, false, ">= 0");
        mm.outlierMedian(r) = ol["median"].number();
      } else if (f.has("outlier")) {
        f["outlier"].failHere("is given but " + jm.child("outlier_z") + " is 0 (no outlier step)");
      }
      const std::string status = f["screening"].choice({"low_variability", "not_testable", "not_significant", "rejected_forward",
                                                        "selected", "selected_by_fallback", "elastic_net_zero"});
      for (FeatureStatus s : kStatuses)
        if (status == featureStatusName(s)) mm.status.push_back(s);
    }
    const Node sub = jm["submodel"];
    sub.object({"features", family.key()});
    const Node sf = sub["features"];
    const size_t p = sf.array();
    if (p == 0) sf.failHere("is empty: a submodel has at least one feature");
    // Positions by name and a membership mask: linear searches here were O(p^2), seconds for a
    // 20,000-feature modality.
    std::unordered_map<std::string, int> position;
    for (size_t k = 0; k < used.size(); ++k) position.emplace(used[k], static_cast<int>(k));
    std::vector<bool> inSubmodel(used.size(), false);
    for (size_t k = 0; k < p; ++k) {
      const std::string c = sf.at(k).string();
      const auto it = position.find(c);
      if (it == position.end()) sf.at(k).failHere("'" + c + "' is not one of " + jm.child("features"));
      const int pos = it->second;
      if (inSubmodel[static_cast<size_t>(pos)]) sf.at(k).failHere("'" + c + "' is repeated");
      inSubmodel[static_cast<size_t>(pos)] = true;
      mm.selected.push_back(pos);
    }
    for (size_t k = 0; k < q; ++k) {
      const bool inModel = k < inSubmodel.size() && inSubmodel[k];
      const bool selectedStatus = mm.status[k] == FeatureStatus::Selected || mm.status[k] == FeatureStatus::SelectedByFallback;
      if (inModel != selectedStatus)
        features.at(k)["screening"].failHere(std::string("is '") + featureStatusName(mm.status[k]) + "' but the feature is " +
                                             (inModel ? "" : "not ") + "in " + sub.child("features"));
    }
    const std::string because = "the submodel has " + std::to_string(p) + " features (" + sub.child("features") + ")";
    std::vector<std::string> featureNames;
    for (int sel : mm.selected) featureNames.push_back(used[static_cast<size_t>(sel)]);
    // Optional here; whether this modality may do without it is known once the integrators are read.
    family.read(sub, static_cast<Eigen::Index>(p), featureNames, because, CoxBaselineRule::Optional, mm.fit);
    if (!binary && !coxFit(mm.fit).baseline.time.size()) submodelsWithoutBaseline.emplace_back(m, sub["cox"].child("baseline"));
    if (jm.has("elastic_net")) {
      const Node en = jm["elastic_net"];
      if (!o.elasticNet.enabled) en.failHere("is given but training.settings has no elastic_net selection");
      en.object({"lambda", "lambda_min", "lambda_1se", "fallback"});
      mm.elasticNet.used = true;
      mm.elasticNet.lambda = en["lambda"].number(0, true, "> 0");
      mm.elasticNet.lambdaMin = en["lambda_min"].number(0, true, "> 0");
      mm.elasticNet.lambda1se = en["lambda_1se"].number(0, true, "> 0");
      mm.elasticNet.fallback = en["fallback"].boolean();
      mm.elasticNet.selected = mm.selected;
      const double want = o.elasticNet.rule == LambdaRule::Min ? mm.elasticNet.lambdaMin : mm.elasticNet.lambda1se;
      if (mm.elasticNet.lambda != want)
        en["lambda"].failHere(std::string("differs from lambda_") + lambdaRuleName(o.elasticNet.rule) + " (training.settings.elastic_net.lambda_rule)");
    } else if (o.elasticNet.enabled) {
      jm.fail(jm.child("elastic_net") + " is missing but training.settings.elastic_net is given");
    }
    const Node score = jm["score"];
    score.object({"mean", "sd"});
    mm.scoreMean = score["mean"].number();
    mm.scoreSd = score["sd"].number(0, true, "> 0");
    const Node tr = jm["training"];
    tr.object({"patients", "events"});
    mm.trainingPatients = tr["patients"].integer32(1);
    mm.trainingEvents = tr["events"].integer32(1);
    if (mm.trainingEvents > mm.trainingPatients) tr["events"].failHere("is more than " + tr.child("patients"));
    const long long fittedPatients = family.patients(mm.fit), fittedEvents = family.events(mm.fit);
    if (fittedPatients != mm.trainingPatients)
      sub[family.key()]["n"].failHere("is " + std::to_string(fittedPatients) + " but " + tr.child("patients") + " is " + std::to_string(mm.trainingPatients));
    if (fittedEvents != mm.trainingEvents)
      sub[family.key()][family.eventsKey()].failHere("is " + std::to_string(fittedEvents) + " but " + tr.child("events") + family.eventsNote() + " is " +
                                                     std::to_string(mm.trainingEvents));
    mm.warnings = jm["warnings"].strings();
    return mm;
  }

  void trainingPatterns() {
    const Node training = root["training"];
    const Node mods = root["modalities"];
    const int patientsTotal = training["patients"].integer32(1);
    const int eventsTotal = training["events"].integer32(1);
    if (eventsTotal > patientsTotal) training["events"].failHere("is more than training.patients");
    ex.trainingPatients = patientsTotal;
    ex.trainingEvents = eventsTotal;
    {
      const Node pats = training["patterns"];
      const size_t k = pats.array();
      if (k == 0) pats.failHere("is empty: the training patients had at least one pattern");
      long long sum = 0;
      std::vector<long long> perModality(M, 0);
      for (size_t i = 0; i < k; ++i) {
        const Node pt = pats.at(i);
        pt.object({"modalities", "patients"});
        const int mask = readPattern(pt["modalities"], fm.modalities, 1);
        for (const auto& [seen, count] : fm.trainingPatterns)
          if (seen == mask) pt["modalities"].failHere("repeats the pattern " + patternLabel(fm, mask));
        const int count = pt["patients"].integer32(1);
        fm.trainingPatterns.emplace_back(mask, count);
        sum += count;
        for (int m : patternModalities(mask, static_cast<int>(M))) perModality[static_cast<size_t>(m)] += count;
      }
      if (sum != patientsTotal)
        pats.failHere("count " + std::to_string(sum) + " patients but training.patients is " + std::to_string(patientsTotal));
      for (size_t m = 0; m < M; ++m)
        if (perModality[m] != fm.models[m].trainingPatients)
          mods.at(m)["training"]["patients"].failHere("is " + std::to_string(fm.models[m].trainingPatients) + " but training.patterns give " +
                                                      std::to_string(perModality[m]) + " patients with '" + fm.modalities[m] + "'");
    }
    fm.warnings = training["warnings"].strings();
  }

  void integrators() {
    const FusionOptions& o = fm.options;
    const Node ins = root["integrators"];
    const size_t k = ins.array();
    for (size_t i = 0; i < k; ++i) {
      const Node ji = ins.at(i);
      ji.object({"pattern", "patients", family.key()});
      Integrator in;
      in.pattern = readPattern(ji["pattern"], fm.modalities, 1);
      for (const Integrator& other : fm.integrators)
        if (other.pattern == in.pattern) ji["pattern"].failHere("repeats the pattern " + patternLabel(fm, in.pattern) + " of another integrator");
      in.modalities = patternModalities(in.pattern, static_cast<int>(M));
      in.patients = ji["patients"].integer32(1);
      int trained = 0;  // training patients with at least the integrator's modalities
      for (const auto& [mask, count] : fm.trainingPatterns)
        if ((mask & in.pattern) == in.pattern) trained += count;
      if (trained != in.patients)
        ji["patients"].failHere("is " + std::to_string(in.patients) + " but training.patterns give " + std::to_string(trained) +
                                " patients with every modality of " + patternLabel(fm, in.pattern));
      if (!fm.integrators.empty() && in.pattern < fm.integrators.back().pattern)
        ji["pattern"].failHere("is out of order; integrators are listed by ascending modality bitmask");
      if (in.patients < o.minPatternSize)
        ji["patients"].failHere("is " + std::to_string(in.patients) + ", below training.settings.min_pattern_size (" +
                                std::to_string(o.minPatternSize) + ")");
      const size_t np = in.modalities.size();
      const std::string because = "the pattern has " + std::to_string(np) + " modalities";
      std::vector<std::string> inNames;
      for (int m : in.modalities) inNames.push_back(fm.modalities[static_cast<size_t>(m)]);
      family.read(ji, static_cast<Eigen::Index>(np), inNames, because,
                  schemaVersion >= 3 ? CoxBaselineRule::Recomputable : CoxBaselineRule::Required, in.fit);
      const long long fitted = family.patients(in.fit);
      if (fitted != in.patients) ji[family.key()]["n"].failHere("is " + std::to_string(fitted) + " but " + ji.child("patients") + " is " + std::to_string(in.patients));
      fm.integrators.push_back(std::move(in));
    }
  }

  // Integrators' recomputed baselines (schema_version 3); a submodel's baseline where scoring needs it.
  void baselines() {
    readIntegratorTraining(root, fm, ex);
    // The writer leaves a submodel's baseline out only when its modality has an integrator of its own
    // (then the submodel never scores a patient alone); without one, the submodel's S(t) is needed.
    for (const auto& [m, path] : submodelsWithoutBaseline)
      if (!hasSingleModalityIntegrator(fm, static_cast<int>(m)))
        root.fail(path + " is missing: modality " + fm.modalities[m] + " has no integrator of its own, so its submodel scores the " +
                  "patients no integrator covers and needs its baseline hazard (and var) for S(t)");
  }

  void earlyFusion() {
    const FusionOptions& o = fm.options;
    const Node ef = root["early_fusion"];
    if (!ef.raw().is_null()) {
      ef.object({"mode", "patients", "features", family.key()});
      if (!o.earlyFusion) ef.failHere("is given but training.settings.early_fusion is false");
      const std::string mode = ef["mode"].choice({"complete-case", "impute"});
      if ((mode == "impute") != o.earlyImpute)
        ef["mode"].failHere("is '" + mode + "' but training.settings.early_impute is " + (o.earlyImpute ? "true" : "false"));
      EarlyFusionModel& e = fm.early;
      for (size_t m = 0; m < M; ++m)
        for (int s : fm.models[m].selected) {
          e.columns.push_back(fm.models[m].columns[static_cast<size_t>(s)]);
          e.columnOwner.push_back(static_cast<int>(m));
          e.columnPosition.push_back(s);
        }
      const Node feats = ef["features"];
      feats.array(e.columns.size(), "the submodels select " + std::to_string(e.columns.size()) +
                                        " features in all (early fusion uses each modality's selected features)");
      for (size_t k = 0; k < e.columns.size(); ++k) {
        const Node f = feats.at(k);
        f.object({"modality", "column"});
        const std::string modality = f["modality"].string(), column = f["column"].string();
        const std::string& wantModality = fm.modalities[static_cast<size_t>(e.columnOwner[k])];
        const std::string& wantColumn = fm.columns[static_cast<size_t>(e.columns[k])];
        if (modality != wantModality || column != wantColumn)
          f.failHere("is " + modality + "/" + column + " but the submodels' features, modality by modality, give " + wantModality + "/" +
                     wantColumn + " at this position");
      }
      e.trainingPatients = ef["patients"].integer32(1);
      const std::string because = "early fusion has " + std::to_string(e.columns.size()) + " features";
      std::vector<std::string> efNames;
      for (int j : e.columns) efNames.push_back(fm.columns[static_cast<size_t>(j)]);
      family.read(ef, static_cast<Eigen::Index>(e.columns.size()), efNames, because, CoxBaselineRule::Optional, e.fit);
      const long long fitted = family.patients(e.fit);
      if (fitted != e.trainingPatients)
        ef[family.key()]["n"].failHere("is " + std::to_string(fitted) + " but " + ef.child("patients") + " is " + std::to_string(e.trainingPatients));
      e.fitted = true;
    }
  }

  // The fallback rule, horizons, risk groups, reference horizon and risk percentiles: the one risk scale.
  void riskScale() {
    {
      const Node fb = root["fallback"];
      fb.object({"rule", "description"});
      fb["rule"].choice({kFallbackRule});
      fb["description"].string(false);
    }
    {
      const Node h = root["horizons"];
      ex.horizons = h.numbers();
      if (binary && !ex.horizons.empty()) h.failHere("must be empty for a binary outcome (there is no S(t))");
      for (size_t k = 0; k < ex.horizons.size(); ++k) {
        if (ex.horizons[k] < 0) h.at(k).failHere("must be >= 0");
        if (k > 0 && !(ex.horizons[k] > ex.horizons[k - 1])) h.at(k).failHere("must be larger than the horizon before it");
      }
    }
    if (root.has("risk_groups")) {
      const Node rg = root["risk_groups"];
      rg.object({"cut_points", "labels"});
      ex.hasRiskGroups = true;
      ex.riskGroups.cutPoints = rg["cut_points"].numbers();
      const auto& cuts = ex.riskGroups.cutPoints;
      if (cuts.empty()) rg["cut_points"].failHere("is empty; give at least one cut-point or leave risk_groups out");
      for (size_t k = 0; k < cuts.size(); ++k)
        if (!(cuts[k] >= 0 && cuts[k] <= 1)) rg["cut_points"].at(k).failHere("must be a predicted risk in [0, 1]");
      for (size_t k = 1; k < cuts.size(); ++k)
        if (!(cuts[k] > cuts[k - 1])) rg["cut_points"].at(k).failHere("must be larger than the cut-point before it");
      const Node labels = rg["labels"];
      labels.array(cuts.size() + 1, "there are " + std::to_string(cuts.size()) + " cut-points (" + std::to_string(cuts.size() + 1) + " groups)");
      for (size_t k = 0; k < cuts.size() + 1; ++k) {
        const std::string l = labels.at(k).string();
        if (std::find(ex.riskGroups.labels.begin(), ex.riskGroups.labels.end(), l) != ex.riskGroups.labels.end())
          labels.at(k).failHere("'" + l + "' is repeated");
        ex.riskGroups.labels.push_back(l);
      }
    }
    {
      const Node rh = root["reference_horizon"];
      if (binary) {
        if (!rh.raw().is_null()) rh.failHere("must be null for a binary outcome (risks are probabilities, not 1 - S(t))");
        ex.referenceHorizon = kNaN;
      } else {
        ex.referenceHorizon = rh.number(0, true, "> 0");
      }
    }
    if (root.has("risk_percentiles")) {
      const Node pc = root["risk_percentiles"];
      pc.array(101, "it needs the 0th to 100th percentiles (101 values)");
      ex.riskPercentiles = pc.numbers();
      for (size_t k = 0; k < 101; ++k) {
        if (ex.riskPercentiles[k] < 0 || ex.riskPercentiles[k] > 1) pc.at(k).failHere("must be a risk in [0, 1]");
        if (k > 0 && ex.riskPercentiles[k] < ex.riskPercentiles[k - 1]) pc.at(k).failHere("is smaller than the percentile before it");
      }
    }
  }

  // Sections never read for scoring: features, evaluation, validation.
  void sections() {
    if (root.has("features")) ex.features = readFeatures(root["features"], fm, ex.trainingPatients);
    if (root.has("evaluation")) {
      if (!doc["evaluation"].is_object()) root["evaluation"].failHere("must be an object, got " + typeName(doc["evaluation"]));
      ex.evaluation = doc["evaluation"];
    }
    if (root.has("validation")) {
      const Node v = root["validation"];
      const size_t k = v.array();
      if (k == 0) v.failHere("is empty; leave it out when the model has no external validation");
      std::set<std::string> cohorts;
      for (size_t i = 0; i < k; ++i) {
        const std::string cohort = readValidationEntry(v.at(i), binary);
        if (!cohorts.insert(cohort).second) v.at(i)["cohort"].failHere("'" + cohort + "' has two entries; keep one per cohort");
      }
      ex.validation = doc["validation"];
    }
  }
};

LoadedModel readDocument(const json& doc) { return DocumentReader(doc, readSchemaVersion(doc)).read(); }

// ---- scoring ----------------------------------------------------------------------------------
// fusion.cpp's preprocessing of one modality for one row, then the submodel's selected columns.
Eigen::VectorXd modalityFeatures(const ModalityModel& mm, const Eigen::MatrixXd& x, Eigen::Index row) {
  Eigen::VectorXd out(static_cast<Eigen::Index>(mm.selected.size()));
  for (size_t k = 0; k < mm.selected.size(); ++k) {
    const Eigen::Index j = mm.selected[k];
    double v = x(row, mm.columns[static_cast<size_t>(j)]);
    if (std::isnan(v)) v = mm.imputeMedian(j);
    if (mm.outlierSd.size() && mm.outlierSd(j) > 0) {
      const double z = (v - mm.outlierMean(j)) / mm.outlierSd(j);
      if (std::fabs(z) > mm.outlierZ) v = mm.outlierMedian(j);
    }
    out(static_cast<Eigen::Index>(k)) = (v - mm.center(j)) / mm.scale(j);
  }
  return out;
}

Eigen::VectorXd finiteCoef(const CoxFit& fit) {
  Eigen::VectorXd b = fit.coef;
  for (Eigen::Index j = 0; j < b.size(); ++j)
    if (!std::isfinite(b(j))) b(j) = 0;
  return b;
}

// The percentile (0..100) of s in the piecewise-linear quantile function through the 101
// percentiles; on a flat stretch, its midpoint.
double percentileOf(const std::vector<double>& q, double s) {
  if (q.size() != 101 || !std::isfinite(s)) return kNaN;
  if (s < q.front()) return 0;
  if (s > q.back()) return 100;
  double lower = 0, upper = 100;
  for (size_t k = 0; k < q.size(); ++k)
    if (q[k] >= s) {
      lower = k == 0 ? 0 : static_cast<double>(k - 1) + (s - q[k - 1]) / (q[k] - q[k - 1]);
      break;
    }
  for (size_t k = q.size(); k-- > 0;)
    if (q[k] <= s) {
      upper = k == q.size() - 1 ? 100 : static_cast<double>(k) + (s - q[k]) / (q[k + 1] - q[k]);
      break;
    }
  return (lower + upper) / 2;
}

std::string reasonNoIntegrator(const FusionModel& fm, int mask) {
  int count = 0;  // training patients with every modality of the pattern
  for (const auto& [m, c] : fm.trainingPatterns)
    if ((m & mask) == mask) count += c;
  const std::string label = "pattern " + patternLabel(fm, mask);
  if (count == 0) return label + ": no training patient had all of its modalities";
  if (count < fm.options.minPatternSize)
    return label + ": " + std::to_string(count) + " training patients had all of its modalities (fewer than " +
           std::to_string(fm.options.minPatternSize) + "), so it has no integrator";
  return label + " has no integrator (its " + std::to_string(count) + " training patients have no events, or no cases or no controls)";
}

// 0-based risk group of a predicted risk (a risk above a cut-point is in the group above); -1 without groups.
int riskGroupOf(const ModelExtras& ex, double risk) {
  if (!ex.hasRiskGroups) return -1;
  int group = 0;
  for (double c : ex.riskGroups.cutPoints)
    if (risk > c) ++group;
  return group;
}

// Everything after the unimodal scores and the pattern resolution.
// `single(k, m, at)` gives S(t) at the times `at` (the horizons, then the requested times) for a
// patient scored by modality m alone: fills coxLp and returns the prediction (lower/upper may be NaN).
template <typename Single>
void finish(const LoadedModel& lm, ModelScores& s, const ScoringOptions& options, Single single) {
  const FusionModel& fm = lm.model;
  const ModelExtras& ex = lm.extras;
  const Eigen::Index n = s.fused.size();
  const Eigen::Index H = static_cast<Eigen::Index>(ex.horizons.size());
  const Eigen::Index T = static_cast<Eigen::Index>(options.times.size());
  const int M = static_cast<int>(fm.modalities.size());
  s.horizons = Eigen::Map<const Eigen::VectorXd>(ex.horizons.data(), H);
  s.times = Eigen::Map<const Eigen::VectorXd>(options.times.data(), T);
  Eigen::VectorXd at(H + T);
  at << s.horizons, s.times;
  s.coxLp.resize(n);
  s.hazardRatio.resize(n);
  s.percentile.resize(n);
  s.riskGroup.resize(n);
  s.risk.resize(n);
  s.contribution.resize(n, M);
  s.referenceHorizon = ex.referenceHorizon;
  s.surv.resize(n, H);
  s.survLower.resize(n, H);
  s.survUpper.resize(n, H);
  s.timesSurv.resize(n, T);
  s.timesLower.resize(n, T);
  s.timesUpper.resize(n, T);
  // No horizons or no extra times: the matrix has no columns, and row() of a matrix without storage
  // offsets a null pointer (undefined behaviour, found by tests/fuzz): skip the empty block.
  auto store = [&](Eigen::Index k, const SurvivalPrediction& p) {
    if (H > 0) {
      s.surv.row(k) = p.surv.head(H).transpose();
      s.survLower.row(k) = p.lower.head(H).transpose();
      s.survUpper.row(k) = p.upper.head(H).transpose();
    }
    if (T > 0) {
      s.timesSurv.row(k) = p.surv.tail(T).transpose();
      s.timesLower.row(k) = p.lower.tail(T).transpose();
      s.timesUpper.row(k) = p.upper.tail(T).transpose();
    }
  };
  s.fallback.assign(static_cast<size_t>(n), false);
  s.note.assign(static_cast<size_t>(n), "");
  s.probability = Eigen::VectorXd::Constant(n, kNaN);
  const bool binary = fm.outcome == OutcomeType::Binary;
  for (Eigen::Index k = 0; k < n; ++k) {
    const int pattern = s.pattern(k), used = s.usedPattern(k), index = s.integrator(k);
    if (pattern != used) {
      s.fallback[static_cast<size_t>(k)] = true;
      std::string note = "fallback: " + reasonNoIntegrator(fm, pattern) + "; ";
      if (index >= 0) note += "used the integrator of " + patternLabel(fm, used) + " (the sub-combination with the most modalities that has one)";
      else note += "no sub-combination has an integrator, so the " + patternLabel(fm, used) +
                   " submodel alone (the modality whose submodel had the most training patients)";
      s.note[static_cast<size_t>(k)] = note;
    }
    if (index >= 0 && binary) {
      s.coxLp(k) = s.fused(k);
      s.probability(k) = logistic(s.fused(k));
    } else if (index >= 0) {
      const Integrator& in = fm.integrators[static_cast<size_t>(index)];
      Eigen::VectorXd x(static_cast<Eigen::Index>(in.modalities.size()));
      for (size_t j = 0; j < in.modalities.size(); ++j) x(static_cast<Eigen::Index>(j)) = s.unimodal(k, in.modalities[j]);
      s.coxLp(k) = s.fused(k);
      store(k, predictSurvival(coxFit(in.fit), x, at));
    } else {
      const SurvivalPrediction p = single(k, patternModalities(used, M).front(), at);
      if (!binary) store(k, p);
    }
    s.hazardRatio(k) = binary ? kNaN : std::exp(s.coxLp(k));
    s.contribution.row(k) = modalityContributions(fm, index, used, s.unimodal.row(k));
    s.risk(k) = predictedRisk(fm, index, used, s.fused(k), ex.referenceHorizon);
    s.percentile(k) = percentileOf(ex.riskPercentiles, s.risk(k));
    s.riskGroup(k) = riskGroupOf(ex, s.risk(k));
  }
}

std::string rowLabel(const std::vector<std::string>& ids, size_t k) {
  const std::string number = "row " + std::to_string(k + 1);
  return k < ids.size() && !ids[k].empty() ? "patient '" + ids[k] + "' (" + number + ")" : number;
}

std::vector<std::string> outputIds(const std::vector<std::string>& ids, Eigen::Index n) {
  if (!ids.empty()) return ids;
  std::vector<std::string> out;
  for (Eigen::Index i = 0; i < n; ++i) out.push_back(std::to_string(i + 1));
  return out;
}

void checkScoringOptions(const FusionModel& fm, const ScoringOptions& o) {
  if (!o.times.empty() && fm.outcome == OutcomeType::Binary)
    throw InputError("scoring: times apply to survival models only; this is a binary model (it predicts a probability, not S(t)), so give no times");
  for (size_t k = 0; k < o.times.size(); ++k)
    if (!std::isfinite(o.times[k]) || o.times[k] < 0)
      throw InputError("scoring: times[" + std::to_string(k) + "] is " + (std::isnan(o.times[k]) ? std::string("missing") : std::isinf(o.times[k]) ? std::string("infinite")
                                                                                                                                                   : json(o.times[k]).dump()) +
                       "; times must be finite and >= 0");
}

// A loader message without "model file: " and the advice about damaged files.
std::string withoutFileWording(std::string what) {
  const std::string cut = "; " + std::string(kFix);
  const size_t at = what.find(cut);
  if (at != std::string::npos) what.erase(at);
  if (what.rfind("model file: ", 0) == 0) what.erase(0, 12);
  return what;
}

}  // namespace

std::string patternLabel(const FusionModel& fm, int mask) {
  std::string out;
  for (int m : patternModalities(mask, static_cast<int>(fm.modalities.size()))) out += (out.empty() ? "" : "+") + fm.modalities[static_cast<size_t>(m)];
  return out;
}

ModelExtras trainingExtras(const FusionModel& fm, const Cohort& c, const std::vector<int>& trainRows, std::vector<double> horizons) {
  ModelExtras ex;
  ex.trainingPatients = static_cast<int>(trainRows.size());
  int events = 0;
  for (int r : trainRows) {
    if (r < 0 || r >= c.x.rows() || r >= c.event.size() || (fm.outcome == OutcomeType::Survival && r >= c.time.size()))
      throw InputError("model summary: training row " + std::to_string(r + 1) + " is outside the cohort");
    events += c.event(r) == 1;
  }
  ex.trainingEvents = events;
  auto quantile7 = [](const std::vector<double>& v, double p) {
    const double h = static_cast<double>(v.size() - 1) * p;
    const size_t lo = static_cast<size_t>(std::floor(h));
    return lo + 1 < v.size() ? v[lo] + (h - static_cast<double>(lo)) * (v[lo + 1] - v[lo]) : v[lo];
  };
  if (fm.outcome == OutcomeType::Binary && !horizons.empty())
    throw InputError("model summary: horizons apply to survival outcomes only; a binary model has none");
  if (fm.outcome == OutcomeType::Survival && horizons.empty()) {
    Eigen::VectorXd time(static_cast<Eigen::Index>(trainRows.size())), event(time.size());
    for (size_t k = 0; k < trainRows.size(); ++k) {
      time(static_cast<Eigen::Index>(k)) = c.time(trainRows[k]);
      event(static_cast<Eigen::Index>(k)) = c.event(trainRows[k]);
    }
    const Eigen::VectorXd h = defaultHorizons(time, event);
    horizons.assign(h.data(), h.data() + h.size());
  }
  ex.referenceHorizon = referenceHorizon(horizons);
  if (fm.outcome == OutcomeType::Survival && !std::isfinite(ex.referenceHorizon))
    throw InputError("model summary: a survival model needs at least one horizon (the reference horizon of its risk scale)");
  // The training patients' predicted risks, each by the integrator of their own pattern: the scale
  // of every percentile and risk group.
  const FusionScores s = scoreFusion(fm, c, trainRows);
  std::vector<double> risk;
  for (Eigen::Index k = 0; k < s.fused.size(); ++k)
    risk.push_back(predictedRisk(fm, s.integrator(k), s.usedPattern(k), s.fused(k), ex.referenceHorizon));
  std::sort(risk.begin(), risk.end());
  if (!risk.empty())
    for (int k = 0; k <= 100; ++k) ex.riskPercentiles.push_back(quantile7(risk, k / 100.0));
  ex.horizons = horizons;
  ex.features = summarizeFeatures(fm, c, trainRows);
  return ex;
}

nlohmann::json fusionModelToJson(const FusionModel& model, const ModelExtras& extras) {
  json doc = buildDocument(model, extras);
  try {
    readDocument(doc);  // never write a file that cannot be read back
  } catch (const InputError& e) {
    throw InputError("cannot save the model: " + withoutFileWording(e.what()) + " (check the fit and its warnings)");
  }
  return doc;
}

LoadedModel loadModel(const nlohmann::json& document) { return readDocument(document); }

FusionModel fusionModelFromJson(const nlohmann::json& document) { return readDocument(document).model; }

nlohmann::json parseModelText(const std::string& text) {
  // The fast reader gives the same document (json_fast.hpp); whatever it leaves, nlohmann reads
  // or words the error for.
  if (std::optional<json> document = parseJsonFast(text)) return std::move(*document);
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    // "[json.exception.parse_error.101] parse error at line 1, column 2: ..." -> from "parse error";
    // a number too large for a double ("1e999") is out_of_range.406.
    std::string what = e.what();
    const size_t bracket = what.find("] ");
    if (bracket != std::string::npos) what.erase(0, bracket + 2);
    throw InputError("model file is not valid JSON (" + what + "); open the .json model file that LateFuse wrote");
  }
}

namespace {

// dump(2), except that an array of numbers (or other scalars) stays on one line: a baseline or a
// covariance row is one line instead of one line per number, which is most of a file's size.
void writeModelJson(const json& j, int depth, std::string& out) {
  const auto scalar = [](const json& v) { return !v.is_structured(); };
  const std::string pad(static_cast<size_t>(2 * (depth + 1)), ' '), closePad(static_cast<size_t>(2 * depth), ' ');
  if (j.is_object()) {
    if (j.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    bool first = true;
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (!first) out += ",\n";
      first = false;
      out += pad + json(it.key()).dump() + ": ";
      writeModelJson(it.value(), depth + 1, out);
    }
    out += "\n" + closePad + "}";
  } else if (j.is_array()) {
    if (j.empty()) {
      out += "[]";
      return;
    }
    if (std::all_of(j.begin(), j.end(), scalar)) {
      out += j.dump();
      return;
    }
    out += "[\n";
    for (size_t k = 0; k < j.size(); ++k) {
      if (k) out += ",\n";
      out += pad;
      writeModelJson(j[k], depth + 1, out);
    }
    out += "\n" + closePad + "]";
  } else {
    out += j.dump();
  }
}

}  // namespace

std::string modelText(const nlohmann::json& document) {
  std::string out;
  writeModelJson(document, 0, out);
  return out + "\n";
}

ModelScores scoreWithModel(const LoadedModel& lm, const ScoringData& data, const ScoringOptions& options) {
  const FusionModel& fm = lm.model;
  checkScoringOptions(fm, options);
  const Eigen::Index n = data.x.rows();
  if (static_cast<Eigen::Index>(data.columns.size()) != data.x.cols())
    throw InputError("scoring: " + std::to_string(data.x.cols()) + " data columns but " + std::to_string(data.columns.size()) + " column names");
  if (!data.ids.empty() && static_cast<Eigen::Index>(data.ids.size()) != n)
    throw InputError("scoring: " + std::to_string(data.ids.size()) + " patient ids for " + std::to_string(n) + " rows");
  if (n == 0) throw InputError("scoring: the data have no patients (rows)");
  std::unordered_map<std::string, Eigen::Index> where;
  for (size_t j = 0; j < data.columns.size(); ++j)
    if (!where.emplace(data.columns[j], static_cast<Eigen::Index>(j)).second)
      throw InputError("scoring: the column '" + data.columns[j] + "' appears twice in the data; keep one");
  Cohort c;
  c.ids = data.ids;
  c.columns = fm.columns;
  c.columnModality = fm.columnModality;
  c.modalities = fm.modalities;
  c.x.resize(n, static_cast<Eigen::Index>(fm.columns.size()));
  std::vector<std::string> missing;
  for (size_t j = 0; j < fm.columns.size(); ++j) {
    const auto it = where.find(fm.columns[j]);
    if (it == where.end()) {
      missing.push_back(fm.columns[j] + " (" + fm.modalities[static_cast<size_t>(fm.columnModality[j])] + ")");
      continue;
    }
    c.x.col(static_cast<Eigen::Index>(j)) = data.x.col(it->second);
  }
  if (!missing.empty()) {
    std::string list;
    for (size_t k = 0; k < missing.size() && k < 5; ++k) list += (k ? ", " : "") + missing[k];
    if (missing.size() > 5) list += ", ... (" + std::to_string(missing.size()) + " in all)";
    throw InputError("the data lack " + std::string(missing.size() == 1 ? "the model's column " : "the model's columns ") + list +
                     "; give every column the model was trained on (cells may be empty when a patient lacks a value)");
  }
  const std::vector<std::string> allIds = outputIds(data.ids, n);
  ModelScores s;
  std::vector<int> rows;
  if (options.skipUnscorable) {
    // Presence exactly as scoreFusion decides it (the model's rule on the model's columns).
    const Eigen::MatrixXi present = modalityPresence(c, fm.options.presence);
    const std::string why = fm.options.presence == PresenceRule::Any
                                ? "every feature cell is empty"
                                : "under the model's presence rule 'all' a modality counts only when every one of its columns has a value, "
                                  "and none is complete";
    const std::string reason = "no modality: " + why;
    for (Eigen::Index i = 0; i < n; ++i) {
      if (present.row(i).any()) rows.push_back(static_cast<int>(i));
      else s.unscorable.push_back({allIds[static_cast<size_t>(i)], static_cast<int>(i), reason});
    }
    if (rows.empty())
      throw InputError("scoring: no patient can be scored: every one of the " + std::to_string(n) + " has no modality (" + why + ")");
  } else {
    rows.resize(static_cast<size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i) rows[static_cast<size_t>(i)] = static_cast<int>(i);
  }
  const FusionScores fs = scoreFusion(fm, c, rows);
  for (int r : rows) s.ids.push_back(allIds[static_cast<size_t>(r)]);
  s.rows = rows;
  s.unimodal = fs.unimodal;
  s.pattern = fs.pattern;
  s.usedPattern = fs.usedPattern;
  s.integrator = fs.integrator;
  s.fused = fs.fused;
  s.early = fs.early;
  finish(lm, s, options, [&](Eigen::Index k, int m, const Eigen::VectorXd& at) {
    const ModalityModel& mm = fm.models[static_cast<size_t>(m)];
    const Eigen::VectorXd x = modalityFeatures(mm, c.x, rows[static_cast<size_t>(k)]);
    if (fm.outcome == OutcomeType::Binary) {
      const LogisticFit& logit = logisticFit(mm.fit);
      s.coxLp(k) = logit.coef(0) + x.dot(logit.coef.tail(x.size()));
      s.probability(k) = logistic(s.coxLp(k));
      return SurvivalPrediction{};
    }
    const CoxFit& cox = coxFit(mm.fit);
    s.coxLp(k) = (x - cox.means).dot(finiteCoef(cox));
    return predictSurvival(cox, x, at);
  });
  return s;
}

ModelScores scoreWithModel(const nlohmann::json& document, const ScoringData& data, const ScoringOptions& options) {
  return scoreWithModel(loadModel(document), data, options);
}

ModelScores scoreFromModalityScores(const LoadedModel& lm, const std::vector<std::string>& ids, const Eigen::MatrixXd& scores,
                                    const ScoringOptions& options) {
  const FusionModel& fm = lm.model;
  checkScoringOptions(fm, options);
  const int M = static_cast<int>(fm.modalities.size());
  const Eigen::Index n = scores.rows();
  if (scores.cols() != M)
    throw InputError("scoring: " + std::to_string(scores.cols()) + " score columns but the model has " + std::to_string(M) + " modalities");
  if (!ids.empty() && static_cast<Eigen::Index>(ids.size()) != n)
    throw InputError("scoring: " + std::to_string(ids.size()) + " patient ids for " + std::to_string(n) + " rows");
  if (n == 0) throw InputError("scoring: no patients to score");
  const std::vector<std::string> allIds = outputIds(ids, n);
  ModelScores s;
  std::vector<int> rows;
  for (Eigen::Index k = 0; k < n; ++k) {
    bool any = false;
    for (int m = 0; m < M; ++m) {
      const double v = scores(k, m);
      if (std::isinf(v))
        throw InputError("scoring: the " + fm.modalities[static_cast<size_t>(m)] + " score of " + rowLabel(ids, static_cast<size_t>(k)) +
                         " is infinite; give a finite standardised score or leave it empty");
      any = any || !std::isnan(v);
    }
    if (any) rows.push_back(static_cast<int>(k));
    else if (options.skipUnscorable) s.unscorable.push_back({allIds[static_cast<size_t>(k)], static_cast<int>(k), "no modality score"});
    else throw InputError("scoring: " + rowLabel(ids, static_cast<size_t>(k)) + " has no modality score; give at least one");
  }
  if (rows.empty())
    throw InputError("scoring: no patient can be scored: every one of the " + std::to_string(n) + " has no modality score");
  const Eigen::Index nk = static_cast<Eigen::Index>(rows.size());
  s.rows = rows;
  s.unimodal.resize(nk, M);
  for (Eigen::Index k = 0; k < nk; ++k) {
    s.ids.push_back(allIds[static_cast<size_t>(rows[static_cast<size_t>(k)])]);
    s.unimodal.row(k) = scores.row(rows[static_cast<size_t>(k)]);
  }
  s.pattern = Eigen::VectorXi::Zero(nk);
  s.usedPattern.resize(nk);
  s.integrator.resize(nk);
  s.fused.resize(nk);
  s.early = Eigen::VectorXd::Constant(nk, kNaN);
  for (Eigen::Index k = 0; k < nk; ++k) {
    for (int m = 0; m < M; ++m)
      if (!std::isnan(s.unimodal(k, m))) s.pattern(k) |= 1 << m;
    const auto [index, used] = resolvePattern(fm, s.pattern(k));
    s.integrator(k) = index;
    s.usedPattern(k) = used;
    s.fused(k) = fusedScore(fm, index, used, s.unimodal.row(k));
  }
  finish(lm, s, options, [&](Eigen::Index k, int m, const Eigen::VectorXd& at) {
    const ModalityModel& mm = fm.models[static_cast<size_t>(m)];
    SurvivalPrediction p;
    if (fm.outcome == OutcomeType::Binary) {
      s.coxLp(k) = submodelLogOdds(mm, s.unimodal(k, m));
      s.probability(k) = logistic(s.coxLp(k));
      return p;
    }
    const double lp = s.unimodal(k, m) * mm.scoreSd + mm.scoreMean;
    s.coxLp(k) = lp;
    p.surv = survivalAtTimes(coxFit(mm.fit), Eigen::VectorXd::Constant(1, lp), Eigen::VectorXi(), at).row(0).transpose();
    p.lower = Eigen::VectorXd::Constant(at.size(), kNaN);
    p.upper = Eigen::VectorXd::Constant(at.size(), kNaN);
    if (at.size()) {
      std::string& note = s.note[static_cast<size_t>(k)];
      note += std::string(note.empty() ? "" : "; ") + "S(t) without a confidence interval: for a patient scored by one modality it needs the features";
    }
    return p;
  });
  return s;
}

std::vector<double> baselineEventTimes(const FusionModel& fm) {
  std::vector<double> t;
  if (fm.outcome == OutcomeType::Binary) return t;
  // Each baseline's times are already in order: merged run by run into the sorted union, where
  // sorting all of them (15 x 971 in the Rotterdam model) was a tenth of the model's load in WASM.
  std::vector<double> run, merged;
  auto add = [&](const FittedModel& fit) {
    const CoxFit& f = coxFit(fit);
    run.assign(f.baseline.time.data(), f.baseline.time.data() + f.baseline.time.size());
    if (!std::is_sorted(run.begin(), run.end())) std::sort(run.begin(), run.end());
    merged.clear();
    std::set_union(t.begin(), t.end(), run.begin(), run.end(), std::back_inserter(merged));
    t.swap(merged);
  };
  for (const Integrator& in : fm.integrators) add(in.fit);
  for (const ModalityModel& mm : fm.models) add(mm.fit);
  t.erase(std::unique(t.begin(), t.end()), t.end());
  return t;
}

double lastEventTime(const CoxFit& fit) { return fit.baseline.time.size() ? std::max(0.0, fit.baseline.time.maxCoeff()) : 0.0; }

nlohmann::json withValidation(const nlohmann::json& document, const nlohmann::json& entry) {
  LoadedModel lm = loadModel(document);
  try {
    readValidationEntry(Node(entry, ""), lm.model.outcome == OutcomeType::Binary);
  } catch (const InputError& e) {
    std::string what = withoutFileWording(e.what());
    if (!what.empty() && what[0] == ' ') what = "the entry" + what;
    throw InputError("cannot attach the validation: " + what);
  }
  json list = lm.extras.validation.is_null() ? json::array() : lm.extras.validation;
  bool replaced = false;
  for (auto& old : list)
    if (old["cohort"] == entry["cohort"]) {
      old = entry;
      replaced = true;
    }
  if (!replaced) list.push_back(entry);
  json out = document;
  out["validation"] = list;
  loadModel(out);
  return out;
}

nlohmann::json withoutValidation(const nlohmann::json& document) {
  loadModel(document);
  json out = document;
  out.erase("validation");
  return out;
}

}  // namespace latefuse
