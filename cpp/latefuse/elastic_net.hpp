// Elastic-net Cox regression by cyclic coordinate descent, as R glmnet 4.1 (family = "cox",
// Fortran coxnet; Simon, Friedman, Hastie & Tibshirani 2011, J Stat Softw 39(5)).
//
// Objective, minimised over beta for each lambda on the path:
//     -(1/N) l_Breslow(beta) + lambda * sum_j pf_j [ (1 - alpha)/2 beta_j^2 + alpha |beta_j| ]
// where l_Breslow is the Breslow log partial likelihood with case weights rescaled to sum to N
// (glmnet normalises them to sum 1, the same thing), and pf_j are the penalty factors rescaled to
// sum to p (glmnet's vp). With `standardize` the columns are centred and divided by their weighted
// POPULATION standard deviation sqrt(sum_i w_i (x_ij - xbar_j)^2 / sum_i w_i) before fitting and
// the coefficients are returned in the original units (the penalty applies to the standardised
// coefficients, as glmnet). Constant columns get coefficient 0.
//
// Algorithm (glmnet's coxnet1): at the current linear predictor eta, with e_i = q_i exp(eta_i),
// B_i = sum_{k: t_k <= t_i} D_k / S_k and C_i = sum D_k / S_k^2 (S_k the risk-set sum of e, D_k the
// death weight at event time k), the gradient r_i = delta_i q_i - e_i B_i and a Hessian define a
// quadratic model that is minimised by cyclic coordinate descent,
//     beta_j <- S(beta_j v_j + sum_i rho_i x_ij, lambda alpha pf_j) / (v_j + lambda (1 - alpha) pf_j),
//     S(z, g) = sign(z) max(|z| - g, 0),
// first over the "strong" set (sequential strong rule: |grad_j| > alpha (2 lambda - lambda_prev) pf_j),
// then repeatedly over the active set; then the model is rebuilt at the new eta (an outer step).
// A lambda is finished when no active coefficient moved by v_j (delta beta_j)^2 >= thresh * dev0
// (dev0 = null deviance / (2 sum w)) and no variable outside the strong set violates the KKT
// condition |grad_j| <= lambda alpha pf_j. The previous lambda's coefficients are the warm start.
// The two solvers (ElasticNetSolver) differ only in the Hessian of the quadratic model: glmnet's
// diagonal w_i = e_i (B_i - e_i C_i), or the exact one (Newton). The data are sorted by time once;
// cross-validation folds reuse that order.
//
// Ties: the Breslow approximation. (glmnet 4.1's Fortran handles tied event times differently, so
// parity with R is tested on data without ties.) No strata (InputError).
//
// Lambda path (glmnet's default): lambda_max = max_j |grad_j(0)| / pf_j / max(alpha, 1e-3), the
// smallest lambda at which all penalised coefficients are 0 (the 1e-3 keeps ridge finite); then
// nLambda values geometrically down to lambda_max * ratio with ratio = lambdaMinRatio, by default
// 1e-4 when n >= p and 1e-2 when n < p (glmnet: ifelse(nobs < nvars, 0.01, 1e-4)). As glmnet, the
// path stops early (after at least 5 lambdas) when the fraction of null deviance explained
// changes by less than 1e-3 relative over the last 4 steps or exceeds 0.99; a user-supplied
// lambda sequence is always fitted in full.
//
// Direction: the linear predictor is x' beta (original units, not centred); a HIGHER value means a
// HIGHER hazard (shorter survival).
#pragma once
#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <vector>

#include "latefuse/survival_data.hpp"

namespace latefuse {

// How each lambda is solved (same path, strong rule, KKT check and threshold either way):
//  * Newton (default): proximal Newton steps whose quadratic model has the EXACT Cox Hessian
//    (applied in O(n) per column by risk-set sums), solved by the same coordinate descent, with
//    backtracking on the penalised objective. Converges in a few outer steps where glmnet's
//    diagonal approximation needs hundreds (many variables, small lambdas), so it is several times
//    faster on wide data; it reaches the same minimiser (coefficients within ~1e-6 of glmnet at
//    thresh 1e-14 on lung; on p > n data, where the objective is nearly flat at small lambdas and
//    glmnet itself stops ~1e-4 short, an equal or lower objective). The inner passes run over the
//    non-zero active coefficients and are Anderson-accelerated (every 5 passes the last iterates are
//    extrapolated; kept only if the model objective decreases), which cuts the passes several-fold
//    where the exact quadratic model is ill-conditioned (p > n, many active variables).
//    10-fold CV at n = 245, p = 600, 100 lambdas: ~1.2 s native, ~1.8 s WASM (docs/benchmark.md).
// Every sum has a fixed order and exp/log are fixed polynomials, so native and WebAssembly builds
// give bit-identical paths and cross-validation results.
//  * Glmnet: glmnet 4.1's coxnet1 step for step (diagonal Hessian, no line search): identical
//    iterates, hence the same answer as R even at a loose threshold.
enum class ElasticNetSolver { Newton,
                              Glmnet };

struct ElasticNetOptions {
  double alpha = 1.0;       // 1 = lasso, 0 = ridge
  bool standardize = true;  // glmnet's standardize (population SD)
  int nLambda = 100;
  double lambdaMinRatio = 0;      // 0 = glmnet's default (1e-4 if n >= p, else 1e-2)
  Eigen::VectorXd lambda;         // user sequence, strictly decreasing, > 0; empty = automatic path
  Eigen::VectorXd penaltyFactor;  // >= 0 per column (0 = unpenalised); empty = all 1; rescaled to sum p
  double thresh = 1e-7;           // glmnet's thresh (relative to the null deviance)
  long maxPasses = 100000;        // glmnet's maxit: total coordinate passes over the whole path
  ElasticNetSolver solver = ElasticNetSolver::Newton;
  std::vector<std::string> columnNames;  // optional, for messages
};

struct ElasticNetPath {
  Eigen::VectorXd lambda;    // decreasing; as glmnet reports it
  Eigen::MatrixXd beta;      // p x lambda.size(), original units
  Eigen::VectorXd devRatio;  // fraction of null deviance explained at each lambda
  Eigen::VectorXi df;        // non-zero coefficients at each lambda
  double nullDeviance = 0;   // 2 (l_saturated - l(0)) with the case weights as given
  long passes = 0;           // coordinate passes used (glmnet's npasses)
  double alpha = 1;
  bool standardize = true;
  std::vector<std::string> warnings;  // e.g. path truncated (no convergence)

  // x' beta at path position k, for the rows of `x` (n x p). Higher = higher risk.
  Eigen::VectorXd linearPredictor(const Eigen::MatrixXd& x, Eigen::Index k) const;
};

// Fit the whole path. Throws InputError for unusable input (non-finite x, bad options, strata,
// a constant design) and ModelError when no model exists (no events; the first event is after all
// but one subject).
ElasticNetPath fitElasticNetCox(const SurvivalData& data, const Eigen::MatrixXd& x, const ElasticNetOptions& options = {});

// Coefficients at an arbitrary lambda by glmnet's linear interpolation along the path
// (predict.coxnet(s = lambda)); lambdas outside the path are clamped to its ends.
Eigen::VectorXd interpolateCoefficients(const ElasticNetPath& path, double lambda);

// Breslow deviance 2 (l_saturated - l(eta)) for the given linear predictor, with case weights
// rescaled to sum to n (glmnet's coxnet.deviance, std.weights = TRUE); l_saturated =
// -sum_k D_k log D_k over distinct event times.
double coxnetDeviance(const SurvivalData& data, const Eigen::VectorXd& eta);

enum class LambdaRule { Min,
                        OneSE };

struct ElasticNetCvOptions {
  int folds = 10;
  uint64_t seed = 1;
  bool stratified = true;  // assignFoldsStratified on the event indicator (folds.hpp)
  Eigen::VectorXi foldId;  // 0-based fold per row; overrides folds/seed/stratified
  bool grouped = true;     // grouped deviance (cv.glmnet default) or ungrouped
  LambdaRule rule = LambdaRule::Min;
};

// K-fold cross-validated partial-likelihood deviance, as cv.glmnet(type.measure = "deviance",
// lambda = <the full-data path>) — each fold is fitted on exactly the full-data lambdas (glmnet 4.1
// called with lambda = NULL instead fits every fold on its own path and interpolates).
//  * grouped (Verweij & van Houwelingen 1993): cvraw_k = D(full data; beta_-k) - D(data without
//    fold k; beta_-k), the fold's contribution to the full deviance;
//  * ungrouped: cvraw_k = D(fold k alone; beta_-k).
// Each is divided by the fold's event weight W_k; cvm = sum_k W_k cvraw_k / sum_k W_k,
// cvsd = sqrt(sum_k W_k (cvraw_k - cvm)^2 / sum_k W_k / (K - 1)).
// lambda_min = the largest lambda with the smallest cvm; lambda_1se = the largest lambda with
// cvm <= cvm(lambda_min) + cvsd(lambda_min). Lower cvm = better.
// Throws ModelError when a fold has no events (use fewer folds).
struct ElasticNetCv {
  ElasticNetPath fit;          // full data
  Eigen::VectorXd cvm, cvsd;   // per lambda of fit
  Eigen::MatrixXd cvraw;       // folds x lambda, per unit event weight
  Eigen::VectorXd foldWeight;  // W_k
  Eigen::VectorXi foldId;      // 0-based
  Eigen::Index indexMin = 0, index1se = 0, indexChosen = 0;
  double lambdaMin = 0, lambda1se = 0, lambdaChosen = 0;
  bool grouped = true;
  std::vector<std::string> warnings;
  Eigen::VectorXd coefficients() const { return fit.beta.col(indexChosen); }  // at the chosen lambda
};

ElasticNetCv cvElasticNetCox(const SurvivalData& data, const Eigen::MatrixXd& x, const ElasticNetOptions& options = {},
                             const ElasticNetCvOptions& cvOptions = {});

}  // namespace latefuse
