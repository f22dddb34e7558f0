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
// (not NaN). At most kMaxModalities (8) modalities: an integrator may be fitted for every one of
// the 2^M - 1 combinations (255 at M = 8); more is an InputError naming the limit.
//
// Fitting (fitFusion, on the given training rows only; nothing is fitted on other rows):
//  1. Per modality m, on the training patients that have m:
//     a. impute missing cells: a column whose training values are all 0 or 1 (a binary variable or
//        a categorical dummy) by its training MODE (ties: 0), any other column by its training
//        median (the median of a 0/1 column can be 0.5, a value no patient has);
//     b. optional outlier step on the non-0/1 columns only: z = (x - mean) / sd (training mean,
//        sample SD); |z| > outlierZ -> the training median (outlierZ = 0: off). On a 0/1 column
//        |z| > Z would only mark the rarer category (at Z = 5 any category rarer than ~3.8%), so the
//        step is off there (its outlier SD is stored as 0). Ordinal codes (0, 0.5, 1, ...) count as
//        continuous;
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
//     cross-fitting (default; ONE event-stratified fold assignment of all training patients,
//     assignFoldsStratified with `seed`, kept in FusionModel::crossFitFold, and steps 1a–1e refitted
//     without the fold for every modality), or in-sample (option). Each modality's scores are then
//     standardised to mean 0, SD 1 over its training patients; a new patient's score (from the
//     submodel fitted on all training patients) is standardised with the mean and SD of that
//     submodel's in-sample training scores.
//  3. Integrators, as in the reference study (Boehm et al., Nat Cancer 2022): one per COMBINATION S
//     of modalities (every non-empty subset, single modalities included) that at least
//     minPatternSize (default 20) training patients have in full — fitted on ALL of those patients
//     (the intersection: every training patient who has at least S's modalities, whatever else they
//     have), on their standardised scores of S's modalities: a ridge Cox model (lifelines
//     penalizer, default 0.1; logistic for a binary outcome). A single-modality integrator is a
//     one-covariate model on that modality's score: it puts the score on a calibrated hazard scale
//     with a baseline of its own. Integrators are listed by ascending bitmask; a combination whose
//     patients have no events (binary: no cases or no controls) is skipped with a warning.
// Scoring (scoreFusion), by the patient's pattern P (resolvePattern, the one rule used everywhere):
//   * P's own integrator, when fitted -> its linear predictor;
//   * otherwise (P too rare in training, never seen, or without events) -> FALLBACK: the integrator
//     of the sub-combination of P with the most modalities, then the most training patients, then
//     the lowest bitmask; never fewer modalities than necessary;
//   * if no sub-combination has an integrator (every modality of P has < minPatternSize training
//     patients): the standardised score of the modality in P whose submodel had the most training
//     patients (ties: first modality), with that submodel's S(t);
//   * no modality -> InputError naming the patient.
// Contributions (modalityContributions): the fused score is the sum, in modality order, of
// beta_m * (s_m - centre_m) over the integrator's modalities, centre_m = the integrator's training
// mean of s_m (Cox: its `means`), so they add up to the fused lp exactly and the hazard ratio
// exp(lp) is against the average training patient of that integrator. Logistic integrators: the
// contributions are beta_m * s_m and the fused log-odds is the intercept plus their sum.
// One risk scale (predictedRisk): percentiles and risk groups compare patients on the predicted
// risk at a reference horizon, 1 - S(t_ref | the model that scored the patient) (binary: the
// predicted probability), never on linear predictors of different integrators.
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
#include <variant>
#include <vector>

#include "latefuse/categorical.hpp"
#include "latefuse/cox.hpp"
#include "latefuse/feature_selection.hpp"
#include "latefuse/logistic.hpp"
#include "latefuse/survival_data.hpp"

namespace latefuse {

struct SimulatedCohort;

enum class OutcomeType { Survival,
                         Binary };
const char* outcomeTypeName(OutcomeType type);  // "survival", "binary"

struct Cohort {
  std::vector<std::string> ids;  // one per patient (for messages)
  OutcomeType outcome = OutcomeType::Survival;
  Eigen::VectorXd time, event;  // needed for the training rows only; Binary: event = y (0/1), time unused
  Eigen::MatrixXd x;            // patients x columns, NaN = missing
  std::vector<std::string> columns;
  std::vector<int> columnModality;  // index into modalities, one per column
  std::vector<std::string> modalities;
};

// A simulated cohort as a Cohort (same columns and modalities).
Cohort cohortFromSimulation(const SimulatedCohort& simulated);

// The largest number of modalities: 2^8 - 1 = 255 possible integrators.
constexpr int kMaxModalities = 8;

enum class PresenceRule { Any,
                          All };
enum class Scaling { ZScore,
                     MinMax,
                     None };

// n x M, 1 where the patient has the modality. Throws InputError for an inconsistent cohort.
Eigen::MatrixXi modalityPresence(const Cohort& cohort, PresenceRule rule);

struct RidgeOptions {
  double penalizer = 0.1;  // lifelines CoxPHFitter(penalizer = ..., l1_ratio = 0); used when > 0
  double theta = 0;        // R ridge(theta = ...) when penalizer == 0
  bool scale = false;      // R ridge(scale = ...)
};

struct FusionOptions {
  PresenceRule presence = PresenceRule::Any;
  double outlierZ = 0;  // 0 = no outlier step
  Scaling scaling = Scaling::ZScore;
  bool selectFeatures = false;  // univariate screening (exclusive with elasticNet.enabled)
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

// The fitted model of a submodel, an integrator or early fusion: the fit of the model's outcome
// family, which its family (outcome_family.hpp) writes and reads. Survival: a ridge Cox model;
// binary: a ridge logistic model (coef = intercept, then the covariates). Another family is another
// alternative here. A default-constructed one holds an empty CoxFit (nothing fitted yet).
using FittedModel = std::variant<CoxFit, LogisticFit>;
// The concrete fit, for the few places that need more than the family offers (a model file's Cox
// baseline and S(t)). Asking for the other family's fit is a bug in the caller: std::logic_error.
const CoxFit& coxFit(const FittedModel& f);
CoxFit& coxFit(FittedModel& f);
const LogisticFit& logisticFit(const FittedModel& f);
LogisticFit& logisticFit(FittedModel& f);

struct ModalityModel {
  std::string name;
  int index = 0;
  std::vector<int> columns;        // cohort columns of the modality that are used (non-empty in training)
  Eigen::VectorXd imputeMedian;    // per used column: raw training median (0/1 columns: the mode)
  std::vector<bool> binaryColumn;  // per used column: every training value is 0 or 1 (no outlier step)
  double outlierZ = 0;
  Eigen::VectorXd outlierMean, outlierSd, outlierMedian;  // outlier step (empty when off)
  Eigen::VectorXd center, scale;                          // scaling: (x - center) / scale
  std::vector<int> selected;                              // positions in `columns` fed to the submodel
  std::vector<FeatureStatus> status;                      // screening outcome per used column (Selected when no screening)
  ElasticNetSelection elasticNet;                         // the selection's lambdas (elasticNet.used = false otherwise)
  FittedModel fit;                                        // the submodel on the selected, preprocessed columns
  double scoreMean = 0, scoreSd = 1;                      // of the in-sample training scores (standardises new patients)
  int trainingPatients = 0, trainingEvents = 0;
  std::vector<std::string> warnings;
};

struct Integrator {
  int pattern = 0;              // bitmask over modalities
  std::vector<int> modalities;  // ascending
  FittedModel fit;              // on standardised scores, columns in `modalities` order
  int patients = 0;             // training patients with every modality of the pattern
};

struct EarlyFusionModel {
  bool fitted = false;
  std::vector<int> columns;         // cohort columns, modality by modality
  std::vector<int> columnOwner;     // modality of each column
  std::vector<int> columnPosition;  // position of the column in its ModalityModel::columns
  FittedModel fit;                  // on the columns in `columns` order
  int trainingPatients = 0;
};

struct FusionModel {
  OutcomeType outcome = OutcomeType::Survival;
  std::vector<std::string> modalities, columns;
  std::vector<int> columnModality;
  FusionOptions options;
  std::vector<ModalityModel> models;  // one per modality
  std::vector<Integrator> integrators;
  EarlyFusionModel early;
  // Cross-fitting fold (0-based) of each training patient, in the order of fitFusion's trainRows;
  // empty with in-sample integrator inputs.
  Eigen::VectorXi crossFitFold;
  // Survival: what the integrators were fitted on — each training patient's time, event and
  // standardised unimodal scores (NaN where absent), in the order of trainRows. A model file keeps
  // it (sorted by time) to recompute the integrators' baselines on load (model_json.hpp).
  Eigen::VectorXd trainingTime, trainingEvent;
  Eigen::MatrixXd trainingScores;
  // Training diagnostics: pattern bitmask -> number of training patients with exactly that pattern.
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
  Eigen::VectorXd fused;         // late-fusion score per requested row (higher = higher risk)
  Eigen::MatrixXd unimodal;      // rows x M standardised unimodal scores, NaN where absent
  Eigen::VectorXi pattern;       // bitmask of present modalities
  Eigen::VectorXi integrator;    // index into FusionModel::integrators, -1 = single modality
  Eigen::VectorXi usedPattern;   // the modalities actually combined (differs on fallback)
  Eigen::MatrixXd contribution;  // rows x M: modalityContributions, NaN for modalities not used
  Eigen::VectorXd early;         // early-fusion score, NaN where not scored
  std::vector<bool> earlyScored;
};

// Score rows of `cohort` (its columns must be the model's, by name and order). Throws InputError
// naming the patient when a row has no modality at all.
FusionScores scoreFusion(const FusionModel& model, const Cohort& cohort, const std::vector<int>& rows);

// The late-fusion score of one patient from their standardised unimodal scores (length M, NaN where
// absent), given the integrator (-1: single modality) and the modalities used from resolvePattern.
// The one place where unimodal scores become the fused score (scoreFusion and model-file scoring).
double fusedScore(const FusionModel& model, int integrator, int usedPattern, const Eigen::RowVectorXd& unimodal);
// Each modality's share of that fused score (length M, NaN for the modalities not used; see above).
Eigen::RowVectorXd modalityContributions(const FusionModel& model, int integrator, int usedPattern, const Eigen::RowVectorXd& unimodal);
// The predicted risk of a patient on the one scale of percentiles and risk groups: survival
// 1 - S(horizon) from the model that scored the patient (the integrator, or the submodel when
// integrator = -1), binary the predicted probability (horizon unused).
double predictedRisk(const FusionModel& model, int integrator, int usedPattern, double fused, double horizon);
// The reference horizon t_ref: the middle of the horizons (the lower middle for an even count);
// NaN when there are none (binary outcomes).
double referenceHorizon(const std::vector<double>& horizons);

// Linear predictors. Cox: (x - means)' beta (redundant coefficients as 0). Logistic: x' beta with
// or without the intercept (coef(0)).
Eigen::VectorXd coxLinearPredictor(const CoxFit& fit, const Eigen::MatrixXd& x);
Eigen::VectorXd logisticLinearPredictor(const LogisticFit& fit, const Eigen::MatrixXd& x, bool withIntercept);
// The unimodal score of a submodel (unstandardised) for preprocessed, selected columns.
Eigen::VectorXd submodelScore(const ModalityModel& mm, const Eigen::MatrixXd& x);
// The full linear predictor of a patient scored by modality m alone, from the STANDARDISED score:
// the submodel's intercept (binary: the log-odds; survival: no intercept, the Cox lp).
double submodelLogOdds(const ModalityModel& mm, double standardisedScore);
// The integrator's linear predictor (Cox: risk; logistic: log-odds with the intercept).
Eigen::VectorXd integratorLinearPredictor(const Integrator& in, const Eigen::MatrixXd& x);
// 1 / (1 + exp(-lp)).
double logistic(double lp);

// "patient 'ID' (row N)", or "row N" without an ID: how messages name a cohort row.
std::string patientLabel(const Cohort& cohort, Eigen::Index row);
// "patient 'ID'", or "row N" without an ID: for messages whose caller names the row of the user's
// own file (a cohort row is not one once rows were dropped), e.g. through an ErrorContext.
std::string patientName(const Cohort& cohort, Eigen::Index row);

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
