// The evaluation report of a late-fusion analysis: fit the fusion system on training
// patients only (fusion.hpp), score held-out patients, and evaluate every model the same way.
//
// Splits.
//  * Holdout (always): a caller-given train/test indicator (one per patient, 1 = test), or a seeded
//    random split stratified on the event: the events and the censored patients are each shuffled
//    (latefuse::Random(seed)) and round(testFraction * count) of each go to the test set.
//  * Repeated K-fold CV (optional, cvFolds >= 2): for repeat r (0-based) the patients are assigned to
//    event-stratified folds (folds.hpp) with seed + 7919 * (r + 1); each fold is scored by a fusion
//    system fitted on the other folds. Per fold Harrell's C of every model; per repeat the mean over
//    the folds where it exists; the report gives every per-repeat value and their mean and SD.
//
// Models (each evaluated on the holdout test patients):
//  * unimodal   — each modality's submodel; score = its standardised unimodal score (a linear
//                 transform of the submodel's linear predictor); S(t) from the submodel's Breslow
//                 baseline (survivalAtTimes);
//  * integrator — each fitted integrator (one combination S of modalities): its linear predictor on
//                 the standardised scores of S's modalities, for every test patient who has all of S
//                 (`test`, `common`), and on the test patients it actually scored (`scored`: their
//                 own pattern is S, or S is their fallback); S(t) from the integrator's baseline;
//  * late       — the late-fusion system as a whole: every test patient is scored by the integrator
//                 of their own pattern (scoreFusion, or the documented fallback); S(t) from whichever
//                 model scored the patient;
//  * late-complete-case — the whole late-fusion pipeline (submodels and integrators, same settings)
//                 trained only on the training patients with every modality, the design the study
//                 found to degrade performance; scored like `late` on every test patient it can
//                 score and on the common ones, with a paired Delta C against `late`;
//  * early      — early fusion (complete cases unless FusionOptions::earlyImpute).
// Each model on (a) `test`: the test patients it can score, and (b) `common`: the test patients who
// have every modality (the same patients for every model, so values are comparable). Patients with
// no modality at all cannot be trained on or scored by anything: they are left out of both sets
// (and out of the CV) and listed in `excluded`.
//
// Metrics per model and subset: n, events; Harrell's C (concordance.hpp, R's counting) with a seeded
// bootstrap percentile interval (resampling.hpp, with replacement, `bootstrap` replicates) and a
// permutation p = (b + 1) / (m + 1) (two-sided about 0.5); Uno's C with truncation tau; the
// cumulative/dynamic AUC at the horizons; the integrated Brier score over `ibsTimes` (every model
// gives S(t)). The IPCW censoring distribution of Uno's C, AUC and Brier is estimated on the
// TRAINING patients (scikit-survival's survival_train). A metric that does not exist for a subset
// (no events, horizon outside its follow-up, ...) is NaN with a warning in that subset.
//
// Comparisons (paired bootstrap of Harrell's C on the common test patients, same seed): late vs
// early, late vs late-complete-case, and late vs the best unimodal model — the unimodal model with the highest C on the common
// test patients (chosen post hoc, which favours the comparator). Delta C = C(late) - C(other).
//
// Risk groups on the one risk scale of fusion.hpp: the predicted risk 1 - S(t_ref) at the reference
// horizon t_ref (the middle horizon; binary: the predicted probability), each patient's from the
// model that scored them. Cut-points from the TRAINING patients' risks only (in-sample scores of the
// final model), then applied unchanged to the test patients:
//   median (default; 2 groups: score <= cut is "low"), tertiles (R quantile type 7 at 1/3, 2/3;
//   3 groups), or the reference study's search — the cut among the 33rd, 34th, ..., 67th training
//   percentiles minimising the training log-rank p (ties: the first) — which is labelled
//   "optimistic": its training p-value is selected and so too small, and only the test p is honest.
// Per group on train and test: Kaplan–Meier, median survival with CI, S at the horizons; log-rank p.
//
// The JSON also lists every integrator (`integrators`: pattern, patients = training patients with
// all of its modalities, events, coef, test patients it scored and how many of them by fallback),
// the cross-fitting fold of every training patient (`cross_fitting`: folds, seed, stratified_on,
// train_ids, fold 1-based; null with in-sample inputs), `reference_horizon`, and per test patient
// the risk, the modalities of the integrator that scored them and each modality's contribution.
//
// Kendall's tau-b matrix of the standardised unimodal scores, on the training patients (in-sample
// scores of the final submodels) and on the test patients, pairwise complete.
// Coefficients: every submodel, integrator and the early-fusion model (summarizeCoefficients).
// Decision curves (fusion_decision_curve.hpp) of late fusion, early fusion and each unimodal model on
// the test and the common test patients at one horizon (decisionHorizon, default the middle of the
// horizons), with a seeded bootstrap band (`bootstrap` replicates, `seed`) for late fusion.
//
// Direction: every score is a risk — HIGHER = HIGHER hazard (shorter survival), the Cox linear
// predictor convention of cox.hpp. The reference study scored patients by lifelines' NEGATIVE
// partial hazard (higher = longer survival) and called concordance with that; the two conventions
// differ only in direction and give the same C.
//
// "Reference-compatible" settings (referenceCompatibleFusionOptions) reproduce the study's choices:
// lifelines penalizer 0.5 for submodels and integrators, in-sample integrator inputs (no
// cross-fitting), min–max scaling after an |z| > 5 outlier step, and univariate screening
// (feature_selection.hpp defaults: IQR filter 0.1, univariate Cox Wald p, BH q < 0.05, at least one
// feature per modality).
//
// Binary outcomes (Cohort::outcome == Binary; fusion.hpp: logistic submodels, integrators and
// early fusion). "Events" are the cases (y = 1) throughout — the random split and the CV folds are
// stratified on y — and:
//  * c = the AUC (Mann–Whitney, tied scores 1/2), computed as Harrell's C on time = 2 - y,
//    event = y (fusion.hpp's survivalRows), which is the same number, so its bootstrap percentile CI,
//    permutation p, paired Delta C and the CV are exactly those of the survival report; plus DeLong's
//    CI (logistic.hpp binaryAuc), the Brier score of the predicted probabilities and the logistic
//    calibration intercept and slope of the model's log-odds (logisticCalibration). The log-odds of
//    a model: unimodal = the submodel's intercept + x' beta; integrator and early fusion = their lp;
//    late fusion = the log-odds of whichever model scored the patient. Survival-only metrics (Uno's C,
//    AUC(t), IBS, horizons, tau) are null, with the reason once in the JSON's "survival_metrics_note".
//  * Risk groups (cut-points from the training late-fusion scores as above; the optimistic search
//    minimises the training chi-square p): per group n, cases, the observed proportion with a Wilson
//    score CI, and Pearson's chi-square test of equal proportions across the non-empty groups
//    (R chisq.test(table(group, y), correct = FALSE), df = groups - 1) in place of the log-rank test.
//  * Coefficient tables: odds ratios exp(coef) with Wald limits, the intercept first.
// The test set needs both cases and controls (ModelError otherwise); `horizons` are an InputError.
//
// Randomness: the random split, the CV folds, the fusion cross-fitting (FusionOptions::seed, set by
// the caller), the bootstrap and the permutations — all from latefuse::Random with `seed`.
// Long loops call `progress(fraction)`; returning false throws Cancelled (resampling.hpp).
#pragma once
#include <Eigen/Dense>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "latefuse/cox.hpp"
#include "latefuse/fusion.hpp"
#include "latefuse/fusion_decision_curve.hpp"
#include "latefuse/resampling.hpp"

namespace latefuse {

enum class RiskGrouping { Median,
                          Tertiles,
                          OptimisticSearch };
RiskGrouping parseRiskGrouping(const std::string& name);  // "median", "tertiles", "optimistic"; InputError otherwise
const char* riskGroupingName(RiskGrouping grouping);

struct EvaluationOptions {
  FusionOptions fusion;
  Eigen::VectorXi testIndicator;  // one per patient: 1 = test, 0 = train; empty = seeded random split
  double testFraction = 0.3;      // random split: fraction of the events and of the censored in test
  // Categorical columns of the cohort (their x columns hold level codes): one-hot encoded with an
  // encoding fitted on the training rows of the split (categorical.hpp), before anything else is
  // fitted. Each repeated-CV fold is encoded afresh on ITS training rows (only the reference level,
  // hence which dummy is dropped, can differ from the holdout encoding).
  std::vector<CategoricalColumn> categorical;
  uint64_t seed = 1;
  int cvFolds = 0;  // 0 = no cross-validation; else >= 2
  int cvRepeats = 1;
  int bootstrap = 1000;     // replicates for the CI of C (0 = no interval)
  int permutations = 1000;  // permutations for the p of C (0 = no p)
  double confLevel = 0.95;
  Eigen::VectorXd horizons;  // empty = the default horizons of the training patients (horizons.hpp)
  double tau = 0;            // Uno's C truncation; 0 = the largest horizon; +inf = none
  int ibsPoints = 20;        // IBS grid: this many times from the 10th to the 80th training event-time percentile
  RiskGrouping riskGroups = RiskGrouping::Median;
  bool referenceCompatible = false;  // label only: the caller put referenceCompatibleFusionOptions() in `fusion`
  int chunk = 50;                    // resampling replicates between progress reports
  double decisionHorizon = 0;        // decision curves (fusion_decision_curve.hpp): 0 = the middle of `horizons`
};

// The reference study's settings (see above), starting from `base`.
FusionOptions referenceCompatibleFusionOptions(FusionOptions base = {});

struct AucAt {
  double time = 0, auc = 0;
};

struct SubsetMetrics {
  int n = 0, events = 0;
  double c = 0, cLower = 0, cUpper = 0, permutationP = 0;  // NaN when not available
  int bootstrapFailed = 0;
  double unoC = 0;
  std::vector<AucAt> auc;  // one per horizon (NaN where outside the subset's follow-up)
  double ibs = 0;
  // Binary outcomes only (NaN otherwise): cases/controls, DeLong SE and CI of the AUC (= c), Brier
  // score of the predicted probabilities, logistic calibration intercept and slope.
  int cases = 0, controls = 0;
  double delongSe = 0, delongLower = 0, delongUpper = 0, brier = 0, calibrationIntercept = 0, calibrationSlope = 0;
  std::vector<std::string> warnings;
};

struct ModelEvaluation {
  std::string name;  // "radiomics", "integrator radiomics+genomic", "late fusion", "early fusion"
  std::string kind;  // "unimodal", "integrator", "late", "early"
  std::vector<std::string> modalities;
  int pattern = 0;  // bitmask of the modalities
  SubsetMetrics test, common;
  bool hasScored = false;  // integrators: `scored` = the test patients this integrator scored
  SubsetMetrics scored;
};

struct CIndexComparison {
  std::string name, a, b;  // delta = C(a) - C(b)
  int n = 0;
  double cA = 0, cB = 0, delta = 0, lower = 0, upper = 0;  // NaN when not available
  int failed = 0;
  std::vector<std::string> warnings;
};

struct RiskGroupSummary {
  std::string label;  // "low", "high" / "low", "intermediate", "high"
  int n = 0;
  double events = 0;
  double median = 0, medianLower = 0, medianUpper = 0;
  std::vector<double> survival, lower, upper;                       // at the horizons
  double proportion = 0, proportionLower = 0, proportionUpper = 0;  // binary: cases / n with its Wilson CI
};

struct RiskGroupSet {
  std::vector<RiskGroupSummary> groups;
  bool binary = false;             // chisq/df/proportionP are the chi-square test of equal proportions
  double chisq = 0, logRankP = 0;  // NaN when fewer than two groups have patients (logRankP NaN when binary)
  double proportionP = 0;          // binary: p of the chi-square test (NaN otherwise)
  int df = 0;
  std::vector<std::string> warnings;
};

struct RiskGroupReport {
  RiskGrouping method = RiskGrouping::Median;
  bool optimistic = false;
  std::vector<double> cutpoints;  // on the late-fusion score, from training patients only
  double chosenPercentile = 0;    // the optimistic search's percentile (NaN otherwise)
  RiskGroupSet train, test;
};

struct KendallReport {
  Eigen::MatrixXd tau, p, n;
  std::vector<std::string> warnings;
};

struct CoefficientTable {
  std::string model, kind;
  std::vector<std::string> terms;
  std::vector<CoefficientRow> rows;
};

struct PatternSummary {
  int pattern = 0;
  int patients = 0, events = 0;
  bool integrator = false;  // train: an integrator was fitted for exactly this pattern
  int usedPattern = 0;      // test: the modalities actually combined (differs on fallback)
};

struct CrossValidationModel {
  std::string name, kind;
  Eigen::MatrixXd testC, commonC;                    // repeats x folds, NaN where not available
  Eigen::VectorXd testRepeatMean, commonRepeatMean;  // per repeat: mean over folds with a value
  double testMean = 0, testSd = 0, commonMean = 0, commonSd = 0;
};

struct CrossValidationReport {
  int folds = 0, repeats = 0;
  std::vector<CrossValidationModel> models;
  std::vector<std::string> failures;  // folds whose fusion system could not be fitted, with the reason
};

struct FusionReport {
  EvaluationOptions options;  // as used
  bool randomSplit = true;
  bool encoded = false;  // categorical columns were encoded: use `cohort` (the dummies) with this report
  Cohort cohort;
  std::vector<int> trainRows, testRows;  // testRows: all test patients (incl. unscorable ones)
  int trainEvents = 0, testEvents = 0;
  std::vector<int> excluded;    // rows without any modality: in neither set (nothing can score them)
  std::vector<int> commonTest;  // test rows with every modality
  Eigen::VectorXd horizons, ibsTimes;
  double tau = 0;
  FusionModel model;
  FusionScores trainScores, testScores;   // of trainRows / testRows (scoreFusion)
  double referenceHorizon = 0;            // t_ref: the middle horizon (NaN for binary)
  Eigen::VectorXd trainRisk, testRisk;    // predicted risk at t_ref (binary: probability) per train / test row
  Eigen::VectorXi trainGroup, testGroup;  // risk group code (0 = lowest risk) per train / test row
  std::vector<ModelEvaluation> models;
  std::vector<CIndexComparison> comparisons;
  RiskGroupReport riskGroups;
  KendallReport kendallTrain, kendallTest;
  std::vector<CoefficientTable> coefficients;
  std::vector<PatternSummary> trainPatterns, testPatterns;
  CrossValidationReport crossValidation;
  FusionDecisionCurves decisionCurve;  // net benefit of each model on the test patients
  std::vector<std::string> warnings;
};

// Throws InputError for unusable input (bad split vector, options), ModelError when the test set
// has no events (no C exists) or the fusion system cannot be fitted, Cancelled when asked to stop.
// `progress(fraction done)` is called between steps and every `chunk` resampling replicates.
FusionReport evaluateFusion(const Cohort& cohort, const EvaluationOptions& options, const ProgressCallback& progress = {});

// The report as JSON (snake_case keys; NaN -> null): see the README of `latefuse fuse`.
nlohmann::json fusionReportToJson(const FusionReport& report, const Cohort& cohort);

}  // namespace latefuse
