// Logistic regression by iteratively reweighted least squares, as R's glm(family = binomial) with
// prior (case) weights and an optional ridge penalty that leaves the intercept unpenalised:
//   beta <- (X'WX + Lambda)^{-1} X'W z,  W = w mu (1 - mu),  z = eta - offset + (y - mu) / (mu (1 - mu)),
//   Lambda = diag(0, lambda, ..., lambda),  maximising  loglik(beta) - (lambda / 2) ||beta_{-0}||^2
// on the covariates as given (no standardisation; glmnet(alpha = 0, lambda = lambda / sum(w),
// standardize = FALSE) solves the same problem). Start: R's mustart = (w y + 0.5) / (w + 1).
// Convergence: |dev_pen - dev_pen_old| / (|dev_pen| + 0.1) < eps (R's rule; eps 1e-10 vs R's 1e-8).
// Reported: coef (intercept first), var = (X'WX + Lambda)^{-1} at the estimate, se, Wald z and
// two-sided normal p (R summary.glm), odds ratios exp(coef) with Wald limits exp(coef ± z se)
// (R confint.default), and the unpenalised log-likelihood sum w [y log mu + (1 - y) log(1 - mu)]
// (R's logLik for 0/1 outcomes with unit or integer weights).
// Separation: fitted probabilities within 10 eps of 0 or 1 (R's glm.fit check) or no convergence
// give a warning in `warnings`, never a crash; fitted mu is kept inside [eps, 1 - eps] as R's
// binomial()$linkinv does.
// Direction: a positive coefficient = higher odds of y = 1.
#pragma once
#include <Eigen/Dense>
#include <string>
#include <vector>

namespace latefuse {

struct LogisticOptions {
  double ridge = 0;  // lambda >= 0
  bool intercept = true;
  Eigen::VectorXd offset;  // optional, one per row (R's offset())
  int maxIter = 100;
  double eps = 1e-10;
  double confLevel = 0.95;
  std::vector<std::string> names;  // covariate names for messages and output
  bool allowRotation = true;       // ridge with more covariates than rows: the exact rotated fit (below)
};

struct LogisticFit {
  Eigen::Index n = 0, p = 0;       // rows; coefficients (including the intercept)
  double cases = 0, controls = 0;  // weighted counts of y = 1 and y = 0
  std::vector<std::string> names;  // "(Intercept)" first when fitted
  Eigen::VectorXd coef, se, z, pValue, oddsRatio, orLower, orUpper;
  Eigen::MatrixXd var;
  double loglik = 0, deviance = 0, penalty = 0, ridge = 0;
  Eigen::VectorXd linearPredictor, fitted;  // eta (including the offset) and mu per row
  int iterations = 0;
  bool converged = false;
  std::vector<std::string> warnings;
};

// Ridge with more covariates than rows (k > n) is fitted exactly on the rotated n x r design of
// Hastie & Tibshirani (ridge_rotation.hpp): the same optimum and model SEs; `var` is then EMPTY
// (it would be k x k).
// y: 0/1; x: n x k covariates (no intercept column); weights: empty or n positive values.
// Throws InputError for bad input, ModelError when no fit exists (one outcome class only,
// collinear covariates).
LogisticFit fitLogistic(const Eigen::VectorXd& y, const Eigen::MatrixXd& x, const Eigen::VectorXd& weights = {},
                        const LogisticOptions& options = {});

// Mann–Whitney AUC of a score for a 0/1 outcome (higher score = more likely y = 1; tied scores
// count 1/2) with DeLong's variance: V10_i = mean_j psi(case_i, control_j), V01_j = mean_i psi,
// Var = var(V10)/m + var(V01)/n (n - 1 denominators), CI = AUC ± z SE clipped to [0, 1]. Unweighted.
struct BinaryAuc {
  double auc = 0, se = 0, lower = 0, upper = 0;
  Eigen::Index cases = 0, controls = 0;
};
BinaryAuc binaryAuc(const Eigen::VectorXd& y, const Eigen::VectorXd& score, double confLevel = 0.95);

// Brier score of predicted probabilities: sum w (p - y)^2 / sum w (lower = better).
double binaryBrier(const Eigen::VectorXd& y, const Eigen::VectorXd& prob, const Eigen::VectorXd& weights = {});

// Logistic recalibration of a linear predictor lp (log-odds): slope = coefficient of lp in
// glm(y ~ lp); intercept = calibration-in-the-large, the intercept of glm(y ~ 1, offset = lp).
// Perfect calibration: intercept 0, slope 1.
struct LogisticCalibration {
  double intercept = 0, interceptSe = 0, slope = 0, slopeSe = 0;
};
LogisticCalibration logisticCalibration(const Eigen::VectorXd& y, const Eigen::VectorXd& lp,
                                        const Eigen::VectorXd& weights = {});

}  // namespace latefuse
