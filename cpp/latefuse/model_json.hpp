// The LateFuse model file: one JSON document that holds everything needed to score a
// new patient with a fitted late-fusion model, and scoring with it.
//
// Categorical columns (categorical.hpp) are saved in "encodings" (only when the model has one, so
// files without categorical columns are unchanged); their dummies are ordinary model columns.
// Format: models/schema.json (JSON Schema 2020-12) is the single source of truth; every field's
// meaning is documented there. In short:
//   schema_version (3), software {name, version}, kind "late-fusion", score_direction,
//   outcome {type "survival", time_unit?, event_from_censoring? + censoring_column?}, modalities [per modality: name, presence, columns,
//   features (imputation median, outlier parameters, centre/scale, screening status), submodel
//   (ridge Cox: coef, se, means, var, baseline), score standardisation, training n/events],
//   integrators [pattern (modality names), patients (training patients with all of them), cox with
//   baseline_from instead of its baseline; one per combination of modalities fitted, fusion.hpp],
//   integrator_training (each training patient's time, event and standardised modality scores,
//   sorted by time: the integrators' baselines are recomputed from it on load with coxBaselineFrom,
//   bit for bit as fitted — the writer checks it per integrator and otherwise writes that baseline
//   out), early_fusion (or null), fallback, horizons,
//   reference_horizon (t_ref; null for binary), risk_groups? (on the predicted risk at t_ref),
//   risk_percentiles? (of the training patients' predicted risks), training {patients, events, patterns, settings,
//   warnings}, evaluation? (free object), validation? (external validation, see below). There is no
//   creation date: the same model gives the same bytes.
// Numbers: every double is written by nlohmann's shortest round-trip formatting, keys sorted, so
// load -> save reproduces a file LateFuse wrote byte for byte (modelText(loadModel(parse(t))) == t).
// Non-finite numbers are not allowed, except `null` for a Cox coefficient (and its SE) that could
// not be estimated (a redundant column).
//
// Loading VALIDATES the whole document (types, sizes, finiteness, consistency between sections) and
// throws InputError naming the JSON path of the first problem, e.g.
//   "model file: integrators[2].cox.coef has 3 values but the pattern has 2 modalities; ...".
// A schema_version above 3 is "written by a newer LateFuse (schema_version N > 3); update LateFuse".
// Version 2 files (every integrator's baseline stored) load as they are. Version 1 files (integrators per exact pattern, percentiles on the fused lp) are refused with a
// message saying how to rebuild them (latefuse fuse; models/README.md): their scale differs.
//
// Binary outcomes (outcome.type "binary"; fusion.hpp): the submodels, integrators and early fusion
// are stored under "logistic" instead of "cox" — {coef (intercept first), se, var (with the
// intercept), n, cases, ridge (the lambda used)} — there is no baseline hazard, "horizons" is empty,
// and training/modality "events" count the cases (y = 1). Scoring returns the predicted probability
// P(y = 1) = 1 / (1 + exp(-lp)) of whichever model scored the patient (the integrator's log-odds, or
// for one modality its submodel's intercept + x' beta) instead of S(t); hazardRatio is NaN.
// Elastic-net selection (fusion.hpp) adds training.settings.elastic_net {alpha, lambda_rule, folds}
// and per modality elastic_net {lambda (the chosen one), lambda_min, lambda_1se, fallback}. Both
// additions are optional keys.
//
// Scoring (scoreWithModel): per patient, the pattern of modalities present (the model's presence
// rule), each modality's standardised score, the integrator used and why (the fallback rule of
// fusion.hpp), the fused linear predictor (higher = higher risk) and each modality's contribution
// to it, the hazard ratio exp(lp) of the Cox model that gives the patient's survival (the
// integrator, or the modality's submodel when no integrator covers the pattern), relative to the
// average training patient of that model (its training means); the predicted risk 1 - S(t_ref)
// (binary: the probability), and on that one scale the percentile among the training patients'
// risks and the risk group (when the file has cut-points); and S(t) with its 95% log-type CI at
// the model's horizons (predictSurvival on that model's baseline).
// ScoringOptions (both optional; the defaults are `latefuse score`'s behaviour):
//   times: extra times at which S(t) and its CI are returned (timesSurv/...), in the order given, in
//     addition to the horizons and without changing the model (e.g. every baseline event time for a
//     whole S(t) curve; S at a time is the same whichever other times are asked). Finite, >= 0.
//     A binary model has no S(t): non-empty times are an InputError.
//   skipUnscorable: a patient with no modality (raw features: no modality present under the model's
//     presence rule; typed scores: no score) is left out and listed in `unscorable` (id, input row,
//     reason) instead of stopping with an InputError naming the patient; the other patients are
//     scored exactly as without them. Every patient unscorable is still an InputError.
//
// Features (optional top-level "features": feature_summary.hpp): per raw feature, in model column
// order, what training showed — type (continuous / binary / categorical with its levels), the number
// of training patients with a value, min, max, 1st and 99th percentiles — and an optional unit and
// description. Written by every fit (trainingExtras); validated on load (every raw feature once, in
// order; ranges ordered; a binary feature's range within 0..1; a categorical feature's levels = its
// encoding's); never read for scoring: the calculator and `latefuse score` use it to explain inputs
// and warn about values outside the training range. Files without it read and round-trip as before.
//
// Validation (optional top-level "validation": a list, one entry per external cohort): the numbers
// `latefuse evaluate` reports for the model's predictions on a cohort (n, events, Harrell's C with its
// CI, Uno's C, AUC(t), calibration slope at a horizon); validated on load, written back unchanged
// (byte-identical round trip), never read for scoring. withValidation() adds or replaces one cohort's
// entry (latefuse evaluate --attach-to); withoutValidation() removes the section (the model as fitted).
#pragma once
#include <Eigen/Dense>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "latefuse/feature_summary.hpp"
#include "latefuse/fusion.hpp"

namespace latefuse {

constexpr int kModelSchemaVersion = 3;

struct RiskGroups {
  std::vector<double> cutPoints;    // strictly increasing, on the predicted risk (predictedRisk, fusion.hpp)
  std::vector<std::string> labels;  // cutPoints.size() + 1 labels, lowest risk first
};

// What the model file holds beyond FusionModel.
struct ModelExtras {
  std::string timeUnit;          // e.g. "months"; empty = not stated
  std::string censoringColumn;   // the event was read as 1 - this censoring indicator (latefuse --censored); empty = an event column
  std::vector<double> horizons;  // times at which S(t) is reported, strictly increasing
  int trainingPatients = -1;     // -1 = not set (fusionModelToJson refuses)
  int trainingEvents = -1;
  double referenceHorizon = std::numeric_limits<double>::quiet_NaN();  // t_ref (survival); NaN for binary
  std::vector<double> riskPercentiles;                                 // 101 values (0th..100th percentile, R type 7) of the training predicted risks, or empty
  bool hasRiskGroups = false;
  RiskGroups riskGroups;
  nlohmann::json evaluation;             // free object; null = absent
  nlohmann::json validation;             // list of external-validation entries (validated); null = absent
  std::vector<FeatureSummary> features;  // "features" (feature_summary.hpp); empty = absent (files written before it)
};

// Training summary for the extras: patients, events, the percentiles of the in-sample fused lp of
// the training rows, the features section (summarizeFeatures), and `horizons` (when empty: the
// default horizons of the training patients, horizons.hpp).
ModelExtras trainingExtras(const FusionModel& model, const Cohort& cohort, const std::vector<int>& trainRows,
                           std::vector<double> horizons = {});

struct LoadedModel {
  FusionModel model;
  ModelExtras extras;
};

// Write. Throws InputError when the model or extras cannot make a valid file (e.g. a non-finite
// number, extras without the training summary). The result is checked by loading it back.
nlohmann::json fusionModelToJson(const FusionModel& model, const ModelExtras& extras);

// Read and validate (see above).
LoadedModel loadModel(const nlohmann::json& document);
FusionModel fusionModelFromJson(const nlohmann::json& document);

// Text <-> JSON: parse errors become InputError; modelText is dump(2) with a final newline, except
// that an array of scalars (a coefficient vector, a baseline column, a covariance row) is one line.
nlohmann::json parseModelText(const std::string& text);
std::string modelText(const nlohmann::json& document);

// Add (or replace, by cohort name) one external-validation entry; the entry is validated as the
// loader does (InputError naming the field: "validation entry: c must be a number in [0, 1]").
// Returns the new document (checked by loading it back).
nlohmann::json withValidation(const nlohmann::json& document, const nlohmann::json& entry);
// The document without its "validation" section (unchanged when it has none).
nlohmann::json withoutValidation(const nlohmann::json& document);

// New patients' raw feature columns, by name (any order; extra columns are ignored). NaN = missing.
struct ScoringData {
  std::vector<std::string> ids;  // one per row (may be empty: rows are numbered)
  std::vector<std::string> columns;
  Eigen::MatrixXd x;  // rows x columns
};

struct ModelScores {
  std::vector<std::string> ids;
  Eigen::MatrixXd unimodal;       // rows x M standardised scores, NaN where absent
  Eigen::VectorXi pattern;        // bitmask of the modalities present
  Eigen::VectorXi usedPattern;    // bitmask of the modalities combined (differs on fallback)
  Eigen::VectorXi integrator;     // index into integrators, -1 = one modality's score
  std::vector<bool> fallback;     // the patient's own pattern has no integrator (and > 1 modality)
  std::vector<std::string> note;  // why the fallback (empty when none)
  Eigen::VectorXd fused;          // late-fusion linear predictor, higher = higher risk
  Eigen::VectorXd coxLp;          // lp of the Cox model behind S(t) (= fused for an integrator);
                                  // binary: the log-odds behind `probability`
  Eigen::VectorXd hazardRatio;    // exp(coxLp); NaN for a binary model
  Eigen::VectorXd probability;    // binary: predicted P(y = 1) from whichever model scored the patient; NaN for survival
  Eigen::VectorXd risk;           // predicted risk 1 - S(t_ref) (binary: the probability), the one scale below
  double referenceHorizon = 0;    // t_ref (NaN for binary)
  Eigen::MatrixXd contribution;   // rows x M: each modality's share of `fused` (NaN where not used; fusion.hpp)
  Eigen::VectorXd percentile;     // 0..100 of `risk` among the training patients' risks (NaN without the table)
  Eigen::VectorXi riskGroup;      // 0-based on `risk`, -1 without cut-points
  Eigen::VectorXd early;          // early-fusion lp, NaN where not scored (raw features only)
  Eigen::VectorXd horizons;
  Eigen::MatrixXd surv, survLower, survUpper;         // rows x horizons; CI NaN when not computable
  Eigen::VectorXd times;                              // ScoringOptions::times
  Eigen::MatrixXd timesSurv, timesLower, timesUpper;  // rows x times, as surv/survLower/survUpper
  std::vector<int> rows;                              // input row (0-based) of each scored patient
  struct Unscorable {
    std::string id;
    int row;  // 0-based input row
    std::string reason;
  };
  std::vector<Unscorable> unscorable;  // skipUnscorable: the patients left out, in input order
};

struct ScoringOptions {
  std::vector<double> times;
  bool skipUnscorable = false;
};

// Score raw features. Throws InputError when a model column is absent from the data (naming it)
// or a patient has no modality.
ModelScores scoreWithModel(const LoadedModel& model, const ScoringData& data, const ScoringOptions& options = {});
ModelScores scoreWithModel(const nlohmann::json& document, const ScoringData& data, const ScoringOptions& options = {});

// Score from standardised unimodal scores typed directly (rows x M, NaN = the patient lacks the
// modality). Same outputs, except: no early-fusion score, and for a patient scored by one modality
// S(t) has no CI (it needs the features) and the note says so.
ModelScores scoreFromModalityScores(const LoadedModel& model, const std::vector<std::string>& ids,
                                    const Eigen::MatrixXd& scores, const ScoringOptions& options = {});

// Every event time of the baselines of the integrators and submodels, sorted, distinct (survival
// models; empty for binary), and the last event time of one Cox model's baseline (beyond it S(t) is
// not estimated).
std::vector<double> baselineEventTimes(const FusionModel& model);
double lastEventTime(const CoxFit& fit);

// Modality names joined by "+" for a bitmask.
std::string patternLabel(const FusionModel& model, int mask);

}  // namespace latefuse
