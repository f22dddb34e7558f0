// Late fusion of per-modality survival (or binary-outcome) models (the reference HGSOC study's
// design), with early fusion as the comparator.
//
// Outcome (Cohort::outcome). Survival: `time` and `event` (0/1); every model is a ridge Cox model.
// Binary: `event` holds the 0/1 outcome y (1 = case) and `time` is unused (may be empty); every
// model (submodels, integrators, early fusion) is a ridge LOGISTIC model (logistic.hpp, intercept
// unpenalised). Ridge parameterisation for logistic models, chosen so that `penalizer` means what it
// means for Cox as far as possible: ridge = n * penalizer on the covariates as given, i.e. the
// objective -loglik + (n * penalizer / 2) ||beta||^2 (lifelines-style per-observation scaling; the
// same problem as glmnet(alpha = 0, lambda = penalizer, standardize = FALSE)). For Cox, lifelines'
// penalizer penalises SD-scaled coefficients; the two coincide whenever the covariates have sample
// SD 1 — z-scored submodel columns (the default scaling) and the integrators' standardised scores.
// With penalizer 0, RidgeOptions::theta is the logistic ridge lambda itself (scale is ignored).
// A binary submodel's unimodal score is its linear predictor WITHOUT the intercept, x' beta
// (higher = higher odds of y = 1), standardised exactly as a Cox score; an integrator's (and early
// fusion's) linear predictor INCLUDES its intercept, so it is a log-odds and the predicted
// probability is 1 / (1 + exp(-lp)). A patient scored by one modality gets the probability of that
// submodel, 1 / (1 + exp(-(intercept + x' beta))). Wherever "event(s)" is said below, read
// "case(s)" (y = 1) for a binary outcome; the folds of cross-fitting are stratified on y.
//
// Data. A Cohort is patients x feature columns; every column belongs to one modality. A patient
// HAS a modality when any (PresenceRule::Any, default) or all (All) of its columns are present
// (not NaN). Missing cells inside a present modality are imputed by the column's median over the
// training patients that have the modality.
//
// Fitting (fitFusion, on the given training rows only; nothing is fitted on other rows):
//  1. Per modality m, on the training patients that have m:
//     a. impute missing cells (median, above);
//     b. optional outlier step: z = (x - mean) / sd (training mean, sample SD); |z| > outlierZ ->
//        the training median (outlierZ = 0: off);
//     c. scaling: z-score (mean, sample SD), min–max to [0, 1], or none; constant columns are left
//        centred and reported in warnings;
//     d. optional feature selection on the preprocessed columns: univariate screening
//        (feature_selection.hpp; for a binary outcome the univariate test is a logistic Wald test),
//        or cross-validated elastic-net Cox (elasticNetSelection in feature_selection.hpp: seeded
//        event-stratified K folds with FusionOptions::seed, the lambda_min or lambda_1se rule, the
//        columns with non-zero coefficients at that lambda, a documented fallback when none; survival
//        outcomes only). Cross-fitting repeats the selection inside every fold (honest);
//     e. submodel: ridge Cox (cox.hpp) on the selected columns, either parameterisation: lifelines'
//        penalizer (default 0.1) or R's ridge(theta, scale). The unimodal score is its linear
//        predictor (x - means)' beta: higher = higher risk.
//  2. Unimodal scores of the training patients for the integrators: out-of-fold by K-fold
//     cross-fitting (default; one event-stratified fold assignment of all training patients, seeded,
//     and steps 1a–1e refitted without the fold for every modality), or in-sample (option). Each
//     modality's scores are then standardised to mean 0, SD 1 over its training patients; a new
//     patient's score (from the submodel fitted on all training patients) is standardised with the
//     mean and SD of that submodel's in-sample training scores.
//  3. Integrators: one Cox model (lifelines penalizer, default 0.1) per availability pattern (set of
//     modalities) seen among the training patients with at least minPatternSize (default 20)
//     patients and at least 2 modalities, fitted on the standardised scores of the training
//     patients with exactly that pattern.
// Scoring (scoreFusion), by the patient's pattern P:
//   * an integrator fitted for P -> its linear predictor;
//   * one modality -> that modality's standardised score;
//   * otherwise (P too rare in training, or never seen) -> FALLBACK: the fitted integrator of the
//     richest sub-pattern of P (most modalities, then most training patients, then lowest bitmask),
//     using only those modalities; if no sub-pattern has an integrator, the standardised score of
//     the modality in P whose submodel had the most training patients (ties: first modality);
//   * no modality -> InputError naming the patient.
// Scores from different integrators are each a Cox linear predictor (higher = higher risk); they are
// comparable in rank only approximately, as in the reference study.
//
// Early fusion (the comparator): the union of every modality's selected columns, preprocessed as in
// step 1, in one ridge Cox (same penalty as the submodels) on the training patients that have EVERY
// modality (complete cases), or, with earlyImpute, on all training patients with every missing cell
// (a whole missing modality included) set to the column's training median (step 1a) before the
// modality's preprocessing. In complete-case mode a patient lacking a modality is not
// scored (NaN, and scored = false).
//
// Randomness: the cross-fitting folds (assignFoldsStratified, folds.hpp) with `seed`, and the
// elastic-net selection folds (the same seed, see feature_selection.hpp).
#pragma once
#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <vector>

#include "latefuse/categorical.hpp"
#include "latefuse/cox.hpp"
#include "latefuse/feature_selection.hpp"
#include "latefuse/logistic.hpp"
#include "latefuse/survival_data.hpp"

namespace latefuse {

struct SimulatedCohort;

enum class OutcomeType { Survival, Binary };
const char* outcomeTypeName(OutcomeType type);  // "survival", "binary"

struct Cohort {
  std::vector<std::string> ids;            // one per patient (for messages)
  OutcomeType outcome = OutcomeType::Survival;
  Eigen::VectorXd time, event;             // needed for the training rows only; Binary: event = y (0/1), time unused
  Eigen::MatrixXd x;                       // patients x columns, NaN = missing
  std::vector<std::string> columns;
  std::vector<int> columnModality;         // index into modalities, one per column
  std::vector<std::string> modalities;
};

// A simulated cohort as a Cohort (same columns and modalities).
Cohort cohortFromSimulation(const SimulatedCohort& simulated);

enum class PresenceRule { Any, All };
enum class Scaling { ZScore, MinMax, None };

// n x M, 1 where the patient has the modality. Throws InputError for an inconsistent cohort.
Eigen::MatrixXi modalityPresence(const Cohort& cohort, PresenceRule rule);

struct RidgeOptions {
  double penalizer = 0.1;    // lifelines CoxPHFitter(penalizer = ..., l1_ratio = 0); used when > 0
  double theta = 0;          // R ridge(theta = ...) when penalizer == 0
  bool scale = false;        // R ridge(scale = ...)
};

struct FusionOptions {
  PresenceRule presence = PresenceRule::Any;
  double outlierZ = 0;                 // 0 = no outlier step
  Scaling scaling = Scaling::ZScore;
  bool selectFeatures = false;         // univariate screening (exclusive with elasticNet.enabled)
  ScreeningOptions screening = [] { ScreeningOptions s; s.minSelected = 1; return s; }();
  ElasticNetSelectionOptions elasticNet;  // enabled = cross-validated elastic-net selection (survival only)
  RidgeOptions submodel;
  RidgeOptions integrator;
  int minPatternSize = 20;
  bool crossFit = true;
  int folds = 5;
  uint64_t seed = 1;
  bool earlyFusion = true;
  bool earlyImpute = false;
  Ties ties = Ties::Efron;
};

struct ModalityModel {
  std::string name;
  int index = 0;
  std::vector<int> columns;            // cohort columns of the modality that are used (non-empty in training)
  Eigen::VectorXd imputeMedian;        // per used column, raw training median
  double outlierZ = 0;
  Eigen::VectorXd outlierMean, outlierSd, outlierMedian;  // outlier step (empty when off)
  Eigen::VectorXd center, scale;       // scaling: (x - center) / scale
  std::vector<int> selected;           // positions in `columns` fed to the submodel
  std::vector<FeatureStatus> status;   // screening outcome per used column (Selected when no screening)
  ElasticNetSelection elasticNet;      // the selection's lambdas (elasticNet.used = false otherwise)
  CoxFit fit;                          // survival: the submodel on the selected, preprocessed columns
  LogisticFit logit;                   // binary: the submodel (coef = intercept, then the selected columns)
  double scoreMean = 0, scoreSd = 1;   // of the in-sample training scores (standardises new patients)
  int trainingPatients = 0, trainingEvents = 0;
  std::vector<std::string> warnings;
};

struct Integrator {
  int pattern = 0;                     // bitmask over modalities
  std::vector<int> modalities;         // ascending
  CoxFit fit;                          // survival: on standardised scores, columns in `modalities` order
  LogisticFit logit;                   // binary: the same, with an intercept first
  int patients = 0;
};

struct EarlyFusionModel {
  bool fitted = false;
  std::vector<int> columns;            // cohort columns, modality by modality
  std::vector<int> columnOwner;        // modality of each column
  std::vector<int> columnPosition;     // position of the column in its ModalityModel::columns
  CoxFit fit;                          // survival
  LogisticFit logit;                   // binary (intercept first)
  int trainingPatients = 0;
};

struct FusionModel {
  OutcomeType outcome = OutcomeType::Survival;
  std::vector<std::string> modalities, columns;
  std::vector<int> columnModality;
  FusionOptions options;
  std::vector<ModalityModel> models;   // one per modality
  std::vector<Integrator> integrators;
  EarlyFusionModel early;
  // Training diagnostics: pattern bitmask -> number of training patients.
  std::vector<std::pair<int, int>> trainingPatterns;
  std::vector<std::string> warnings;
  // Categorical columns (categorical.hpp): `columns` holds their dummies; set by evaluateFusion,
  // saved in the model file's "encodings" (empty = none, and the section is left out).
  std::vector<CategoricalEncoding> encodings;
};

// Throws InputError for bad input (a modality no training patient has, bad rows/options) and
// ModelError when a model cannot be fitted (e.g. no events among a modality's training patients).
FusionModel fitFusion(const Cohort& cohort, const std::vector<int>& trainRows, const FusionOptions& options = {});

struct FusionScores {
  Eigen::VectorXd fused;               // late-fusion score per requested row (higher = higher risk)
  Eigen::MatrixXd unimodal;            // rows x M standardised unimodal scores, NaN where absent
  Eigen::VectorXi pattern;             // bitmask of present modalities
  Eigen::VectorXi integrator;          // index into FusionModel::integrators, -1 = single modality
  Eigen::VectorXi usedPattern;         // the modalities actually combined (differs on fallback)
  Eigen::VectorXd early;               // early-fusion score, NaN where not scored
  std::vector<bool> earlyScored;
};

// Score rows of `cohort` (its columns must be the model's, by name and order). Throws InputError
// naming the patient when a row has no modality at all.
FusionScores scoreFusion(const FusionModel& model, const Cohort& cohort, const std::vector<int>& rows);

// The late-fusion score of one patient from their standardised unimodal scores (length M, NaN where
// absent), given the integrator (-1: single modality) and the modalities used from resolvePattern.
// The one place where unimodal scores become the fused score (scoreFusion and model-file scoring).
double fusedScore(const FusionModel& model, int integrator, int usedPattern, const Eigen::RowVectorXd& unimodal);

// Linear predictors. Cox: (x - means)' beta (redundant coefficients as 0). Logistic: x' beta with
// or without the intercept (coef(0)).
Eigen::VectorXd coxLinearPredictor(const CoxFit& fit, const Eigen::MatrixXd& x);
Eigen::VectorXd logisticLinearPredictor(const LogisticFit& fit, const Eigen::MatrixXd& x, bool withIntercept);
// The unimodal score of a submodel (unstandardised) for preprocessed, selected columns.
Eigen::VectorXd submodelScore(const ModalityModel& mm, const Eigen::MatrixXd& x);
// Binary models: the log-odds of a patient scored by modality m alone, from the STANDARDISED score.
double submodelLogOdds(const ModalityModel& mm, double standardisedScore);
// The integrator's linear predictor (Cox: risk; logistic: log-odds with the intercept).
Eigen::VectorXd integratorLinearPredictor(const Integrator& in, const Eigen::MatrixXd& x);
// 1 / (1 + exp(-lp)).
double logistic(double lp);

// Modality indices (ascending) in a pattern bitmask.
std::vector<int> patternModalities(int mask, int modalityCount);

// Time and event of the given cohort rows. For a binary cohort: the pseudo survival data
// time = 2 - y, event = y, on which Harrell's C of a score IS the Mann–Whitney AUC (every case–control
// pair is comparable, case–case pairs are tied events and control pairs have no event).
SurvivalData survivalRows(const Cohort& cohort, const std::vector<int>& rows);
// The 0/1 outcome (binary) or the event indicator (survival) of the given rows.
Eigen::VectorXd outcomeRows(const Cohort& cohort, const std::vector<int>& rows);

// The integrator (index, or -1 for a single modality) and the modalities used for pattern `mask`;
// throws InputError for mask 0.
std::pair<int, int> resolvePattern(const FusionModel& model, int mask);

}  // namespace latefuse
