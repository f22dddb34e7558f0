// Cox proportional hazards, as R survival 3.5 `coxph` (docs/methods.md §1–§4).
//
// Conventions (stated once, used everywhere):
//  * The linear predictor lp = (x - means)' beta; a HIGHER lp means HIGHER hazard (shorter survival).
//  * `means` are the weighted column means R reports as fit$means (0 for columns whose values all lie
//    in {-1, 0, 1}, which R leaves uncentred).
//  * Ties: Efron (default) or Breslow. Weights are case weights (> 0). Strata get their own baseline.
//  * Ridge penalty in original units: (theta / 2) * sum_j s_j^2 beta_j^2, with s_j = 1, or the
//    sample standard deviation of column j (n - 1 denominator) when scaled. R's
//    `ridge(theta, scale)`; lifelines' `penalizer = lambda` (l1_ratio 0) is theta = n * lambda with
//    scale = TRUE (docs/methods.md §2). The reported loglik is unpenalised, as R's fit$loglik.
#pragma once
#include <Eigen/Dense>
#include <string>
#include <vector>

#include "latefuse/concordance.hpp"
#include "latefuse/survival_data.hpp"

namespace latefuse {

enum class Ties { Efron,
                  Breslow };

struct CoxOptions {
  Ties ties = Ties::Efron;
  int maxIter = 20;                           // R coxph.control iter.max
  double eps = 1e-9;                          // R coxph.control eps: stop when |1 - loglik_old / loglik_new| <= eps
  double tolerChol = 1.8189894035458565e-12;  // .Machine$double.eps^0.75
  double tolerInf = -1;                       // < 0: sqrt(eps), as R
  bool robust = false;                        // also compute the Lin–Wei sandwich variance
  double ridgeTheta = 0;                      // R ridge(theta = ...)
  bool ridgeScale = false;                    // R ridge(scale = TRUE)
  double penalizer = 0;                       // lifelines penalizer (l1_ratio 0): theta = n * penalizer, scale = TRUE
  bool timefix = true;                        // R's aeqSurv merging of nearly equal times
  Eigen::VectorXd init;                       // starting coefficients (original units); empty = 0
  bool allowRotation = true;                  // ridge with p > n: the exact rotated fit (see fitCox); false = direct p x p
  std::vector<std::string> columnNames;       // optional, for messages
};

// One row per distinct event time in a stratum: the baseline hazard increment at x = means and
// what is needed for the variance of a predicted cumulative hazard (R survfit.coxph, ctype 2 for
// Efron / 1 for Breslow; docs/methods.md §4).
struct CoxBaseline {
  Eigen::VectorXd time;        // event times, ascending within stratum
  Eigen::VectorXi stratum;     // stratum label for each row
  Eigen::VectorXd hazard;      // dLambda0 at x = means
  Eigen::VectorXd varHazard;   // sum_l wbar / den_l^2 (the Nelson–Aalen-type variance increment)
  Eigen::MatrixXd xbarHazard;  // rows: sum_l wbar * (s1_l / den_l^2), centred at means (p columns)
  Eigen::VectorXi nRisk;       // number at risk (rows, unweighted)
  Eigen::VectorXi nEvent;      // number of events (rows, unweighted)
};

struct CoxFit {
  Eigen::Index n = 0, p = 0;
  int events = 0;
  std::vector<bool> redundant;  // collinear columns: coefficient reported as missing (NaN)
  Eigen::VectorXd coef;         // NaN where redundant
  Eigen::VectorXd means;
  Eigen::MatrixXd var;  // model-based: I^-1, or (I + P)^-1 with a penalty
  Eigen::VectorXd se;
  Eigen::MatrixXd robustVar;  // empty unless options.robust
  Eigen::VectorXd robustSe;
  double loglikInit = 0;           // at the initial coefficients (0 by default: the null model)
  double loglik = 0;               // at the estimate, unpenalised
  double penalty = 0;              // ridge penalty at the estimate (0 without one)
  double theta = 0;                // ridge theta actually used
  Eigen::VectorXd penaltyWeights;  // theta * s_j^2 per column
  double lrTest = 0, lrDf = 0, lrP = 1;
  double scoreTest = 0, scoreP = 1;
  double waldTest = 0, waldP = 1;
  double robustWaldTest = 0, robustWaldP = 1;    // with robust
  double robustScoreTest = 0, robustScoreP = 1;  // with robust
  int iterations = 0;
  bool converged = false;
  std::vector<std::string> warnings;
  Eigen::VectorXd linearPredictor;  // per input row, (x - means)' beta
  Concordance concordance;
  CoxBaseline baseline;
  Ties ties = Ties::Efron;
  // The fit's internal units (empty for the rotated p > n path): each covariate is scaled by
  // `scale` (1 / mean absolute deviation, 1 where not centred) and `scaledCoef` is beta in those
  // units (coef = scaledCoef .* scale up to rounding). With `means` they let coxBaselineFrom give
  // `baseline` again bit for bit from the training data (model files recompute it on load).
  Eigen::VectorXd scale, scaledCoef;
};

// Fit. `x` is n x p (rows = subjects). Throws InputError for unusable input, ModelError when no
// model exists (no events). Degenerate but valid data give a result with warnings.
// Ridge fits with more covariates than subjects (p > n, no robust variance, no init) take the
// exact rotated path of Hastie & Tibshirani (ridge_rotation.hpp): the same optimum, in O(n^2 p)
// time and O(n p) memory, with the exact ridge model SEs, tests and baseline hazard. Such a fit has
// an EMPTY `var` and a baseline without `xbarHazard` columns (both would be p x p / K x p), so
// predictSurvival gives S(t) without its confidence interval (se, lower, upper NaN).
CoxFit fitCox(const SurvivalData& data, const Eigen::MatrixXd& x, const CoxOptions& options = {});
// The same fit, taking x over: its storage becomes the fit's sorted, centred copy (one n x p matrix
// in memory instead of two). The result is the same, bit for bit.
CoxFit fitCox(const SurvivalData& data, Eigen::MatrixXd&& x, const CoxOptions& options = {});

// The baseline hazard of a fitted model recomputed from its training data, its `means`, `scale` and
// `scaledCoef` (CoxFit): the same arithmetic in the same order as the fit, so fit.baseline is given
// again bit for bit when `data` and `x` hold the fit's rows in the order the fit sorted them (by
// time, ties in input order) — as R's survfit.coxph recomputes a baseline from the y and linear
// predictors a coxph object keeps. Unweighted, one stratum (the fusion models' fits).
CoxBaseline coxBaselineFrom(const SurvivalData& data, const Eigen::MatrixXd& x, const Eigen::VectorXd& means,
                            const Eigen::VectorXd& scale, const Eigen::VectorXd& scaledCoef, Ties ties, bool timefix = true);

// Predicted survival S(t | x) at `times` for one covariate row, with R's log-type confidence
// interval exp(-Lambda ± z se(Lambda)) (conf.type = "log", upper clipped at 1).
struct SurvivalPrediction {
  Eigen::VectorXd time, surv, se, lower, upper, cumhaz;
};
SurvivalPrediction predictSurvival(const CoxFit& fit, const Eigen::VectorXd& x, const Eigen::VectorXd& times,
                                   int stratum = 0, double confLevel = 0.95);

// Predicted survival S_i(t) = exp(-Lambda0_s(t) * exp(lp_i)) for many subjects at once (no CI):
// `lp` is the centred linear predictor (fit.linearPredictor for the training rows), `strata` the
// stratum label of each subject (empty: stratum 0). Returns n x T. A stratum with no events in the
// fit is an InputError. Used for calibration and Brier scores.
Eigen::MatrixXd survivalAtTimes(const CoxFit& fit, const Eigen::VectorXd& lp, const Eigen::VectorXi& strata,
                                const Eigen::VectorXd& times);

// The per-coefficient table a paper reports (R summary.coxph): hazard ratio exp(coef) with its
// confidence interval exp(coef ± z se), Wald z = coef / se and two-sided p. With `useRobust` the
// robust (sandwich) SE is used, as R does for a fit with robust = TRUE.
struct CoefficientRow {
  double coef, se, hr, hrLower, hrUpper, z, p;
};
std::vector<CoefficientRow> summarizeCoefficients(const CoxFit& fit, bool useRobust, double confLevel = 0.95);

// Robust score residuals (R residuals(type = "score", weighted = TRUE)) at coefficients `beta`.
Eigen::MatrixXd coxScoreResiduals(const SurvivalData& data, const Eigen::MatrixXd& x, const Eigen::VectorXd& beta,
                                  Ties ties, bool timefixTimes = true);

}  // namespace latefuse
