// Univariate feature screening for survival models, as in the reference late-fusion study
// (per-modality: variability filter, univariate Cox with false-discovery-rate control, optional
// forward pass). Everything is fitted on the rows it is given (the caller passes training rows only).
//
// Steps, in this order (each feature's outcome is recorded in FeatureScreen::status):
//  1. Variability filter: each column is min–max scaled to [0, 1] over its non-missing values,
//     (x - min) / (max - min), and dropped when its interquartile range (R quantile type 7, the
//     numpy default) is <= minIqr (default 0.1). A constant column is dropped. Done first, so
//     near-constant features do not count towards the number of tests m of step 3.
//  2. Univariate Cox per remaining column (fitCox, Efron ties as lifelines), on the rows where the
//     column is present. p-value: Wald (default; lifelines' `summary` p, 2 (1 - Phi(|beta / se|)))
//     or likelihood ratio. A column that cannot be fitted (fewer than 2 rows, no events among its
//     rows) is "not testable": p = NaN with the reason in `warnings`, and it is not selected.
//  3. Multiple testing: adjusted p (Benjamini–Hochberg by default; multiple_testing.hpp) over the
//     tested columns; a column passes when q < maxQ (default 0.05). maxQ = 1 keeps every tested one.
//  4. Optional forward pass: passing columns in increasing p (ties: column order) are offered one at
//     a time to a multivariate Cox with lifelines' penalizer (default 0.01, CoxOptions::penalizer)
//     on the rows complete for the model's columns; a column is kept only when its Wald p in that
//     model is < forwardP (default 0.05).
//  5. If fewer than minSelected columns survive, the tested columns with the smallest p that are not
//     yet selected are added (status SelectedByFallback) — so a modality always contributes a model.
// Direction: coefficients and hazard ratios as in cox.hpp (positive = higher value, higher hazard).
//
// Binary outcomes (screenFeaturesBinary): the same steps with a univariate LOGISTIC model in step 2
// (fitLogistic, intercept + the column, on the rows where the column is present; Wald p of the
// column, R summary.glm, or the likelihood-ratio p), UnivariateCox holding its coefficient (log odds
// ratio), SE, odds ratio (in `hr`), z and p, `events` = cases; the forward models are ridge logistic
// with ridge = n * forwardPenalizer (fusion.hpp's parameterisation). A column whose outcome is
// constant on its rows, or that separates it, is not testable.
//
// Elastic-net selection (elasticNetSelection, survival only), as `cv.glmnet(family = "cox")` on the
// columns given: K folds (assignFoldsStratified on the event with `seed`, or caller-given fold ids),
// grouped partial-likelihood deviance over the full-data lambda path (elastic_net.hpp: glmnet's
// default path, standardize = TRUE), lambda_min (default) or lambda_1se; the selected columns are
// those with non-zero coefficients at the chosen lambda. If none is non-zero (lambda_1se often is
// the top of the path), FALLBACK: the first column to enter the path (the one non-zero at the
// largest lambda that has any; ties: the larger |coefficient|, then the first column), with a
// warning. Non-selected columns get status ElasticNetZero.
#pragma once
#include <Eigen/Dense>
#include <string>
#include <vector>

#include "latefuse/cox.hpp"
#include "latefuse/elastic_net.hpp"
#include "latefuse/multiple_testing.hpp"
#include "latefuse/survival_data.hpp"

namespace latefuse {

enum class UnivariateTest { Wald,
                            LikelihoodRatio };

enum class FeatureStatus {
  LowVariability,   // dropped by the IQR filter
  NotTestable,      // univariate Cox impossible (see warnings)
  NotSignificant,   // q >= maxQ
  RejectedForward,  // p >= forwardP in the forward model
  Selected,
  SelectedByFallback,  // added to reach minSelected (or the elastic-net fallback)
  ElasticNetZero,      // coefficient 0 at the chosen lambda of the elastic-net selection
};
const char* featureStatusName(FeatureStatus status);  // "low_variability", "not_testable", ...

struct ScreeningOptions {
  bool iqrFilter = true;
  double minIqr = 0.1;  // drop when IQR of the min–max scaled column <= this
  UnivariateTest test = UnivariateTest::Wald;
  PAdjustMethod adjust = PAdjustMethod::BH;
  double maxQ = 0.05;  // keep q < maxQ
  bool forward = false;
  double forwardPenalizer = 0.01;  // lifelines penalizer of the forward models
  double forwardP = 0.05;          // keep p < forwardP in the forward model
  int minSelected = 0;
  Ties ties = Ties::Efron;
};

struct UnivariateCox {
  double coef = 0, se = 0, hr = 0, z = 0, p = 0;  // p per ScreeningOptions::test
  int n = 0, events = 0;                          // rows used (column present)
};

struct FeatureScreen {
  std::vector<std::string> names;
  Eigen::VectorXd iqr;                    // of the min–max scaled column (NaN if constant/empty)
  std::vector<UnivariateCox> univariate;  // coef etc. NaN when not fitted
  Eigen::VectorXd p, q;                   // NaN when not tested
  Eigen::VectorXd forwardP;               // p in the forward model when offered, else NaN
  std::vector<FeatureStatus> status;
  std::vector<int> selected;  // column indices, in order of selection (increasing p)
  std::vector<std::string> warnings;
};

// x: rows = subjects, columns = features; NaN = missing. names: one per column (may be empty).
// Throws InputError for mismatched sizes or bad options, ModelError when there is no event at all.
FeatureScreen screenFeatures(const SurvivalData& data, const Eigen::MatrixXd& x, const std::vector<std::string>& names,
                             const ScreeningOptions& options = {});

// Step 2 alone for one column (rows with NaN skipped). Throws ModelError/InputError when not testable.
UnivariateCox univariateCox(const SurvivalData& data, const Eigen::VectorXd& column, UnivariateTest test = UnivariateTest::Wald,
                            Ties ties = Ties::Efron);

// Binary outcome y (0/1), see above.
FeatureScreen screenFeaturesBinary(const Eigen::VectorXd& y, const Eigen::MatrixXd& x, const std::vector<std::string>& names,
                                   const ScreeningOptions& options = {});
UnivariateCox univariateLogistic(const Eigen::VectorXd& y, const Eigen::VectorXd& column, UnivariateTest test = UnivariateTest::Wald);

struct ElasticNetSelectionOptions {
  bool enabled = false;
  double alpha = 1;  // 1 = lasso; (0, 1]
  LambdaRule rule = LambdaRule::Min;
  int folds = 5;  // K of the cross-validation
};

struct ElasticNetSelection {
  bool used = false;
  std::vector<int> selected;                        // column indices, ascending
  bool fallback = false;                            // no column was non-zero: the first to enter the path
  double lambda = 0, lambdaMin = 0, lambda1se = 0;  // the chosen one, and both rules' values
  Eigen::VectorXd coef;                             // at the chosen lambda (original units)
  std::vector<std::string> warnings;
};

// See above. x: complete (no NaN). foldId: empty = seeded stratified folds; else 0-based per row.
// Throws InputError for bad options, ModelError when the cross-validation is impossible (e.g. a fold
// without events).
ElasticNetSelection elasticNetSelection(const SurvivalData& data, const Eigen::MatrixXd& x,
                                        const ElasticNetSelectionOptions& options, uint64_t seed,
                                        const Eigen::VectorXi& foldId = {}, const std::vector<std::string>& names = {});
const char* lambdaRuleName(LambdaRule rule);  // "min", "1se"

// Step 1 alone: IQR (type 7) of (x - min) / (max - min) over the non-missing values; NaN when fewer
// than 2 values or constant.
double scaledIqr(const Eigen::VectorXd& column);

}  // namespace latefuse
