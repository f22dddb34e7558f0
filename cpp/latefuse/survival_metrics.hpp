// Discrimination and accuracy of survival predictions with inverse probability of censoring
// weights, exactly as scikit-survival (sksurv.metrics, 0.22): Uno's C (concordance_index_ipcw), the
// cumulative/dynamic time-dependent AUC (cumulative_dynamic_auc) and the Brier score
// (brier_score, integrated_brier_score). Harrell's C is in concordance.hpp (R's counting).
//
// Censoring distribution G (sksurv CensoringDistributionEstimator, fitted on the TRAINING data): a
// reverse Kaplan–Meier where, at each distinct time, the at-risk count is n - d (events leave first)
// and the "events" are the censorings: G(t) = prod_{s <= t} (1 - c_s / (n_s - d_s)), a right-
// continuous step function evaluated at the time itself. Evaluating G beyond the largest training
// time is an error while G there is > 0 (sksurv raises ValueError); times are used as given (no
// timefix).
//
// Direction: `risk` — a HIGHER value means HIGHER risk (earlier event), sksurv's convention (negate
// a survival-type score). For the Brier score the predictions are survival probabilities S_i(t).
// Weights in SurvivalData are FREQUENCY weights: a row with weight k counts as k identical rows
// (sksurv has no weights; this is what the bootstrap uses, and it equals expanding the rows).
// Strata are not supported (InputError).
#pragma once
#include <Eigen/Dense>
#include <vector>

#include "latefuse/survival_data.hpp"

namespace latefuse {

class CensoringDistribution {
 public:
  explicit CensoringDistribution(const SurvivalData& train);
  // G(t); throws InputError when t > last training time and G(last) > 0.
  double operator()(double t) const;
  double lastTime() const { return time_.empty() ? 0 : time_.back(); }
  const std::vector<double>& time() const { return time_; }
  const std::vector<double>& prob() const { return prob_; }

 private:
  std::vector<double> time_, prob_;  // distinct training times and G there
};

// Kaplan–Meier of the (test) data as sksurv's SurvivalFunctionEstimator (used by mean AUC).
double sksurvKaplanMeierAt(const SurvivalData& data, double t);

// Uno's C (sksurv concordance_index_ipcw(train, test, risk, tau, tied_tol)):
//   w_i = 1 / G(T_i)^2 for events with T_i < tau (all events when tau is +inf), else 0;
//   comparable j for event i: T_j > T_i, or T_j = T_i with j censored;
//   C = sum_i w_i (conc_i + ties_i / 2) / sum_i w_i |comparable_i|,
//   conc_i = #{j: r_j < r_i, |r_j - r_i| > tol}, ties_i = #{j: |r_j - r_i| <= tol}.
// O(n log n). tau <= 0 is an InputError; pass +infinity for sksurv's tau = None.
struct UnoConcordance {
  double c = 0;
  double tau = 0;
  double concordant = 0, discordant = 0, tiedRisk = 0;  // unweighted pair counts (all events), as sksurv
  double comparableWeight = 0;                          // the denominator sum_i w_i |comparable_i|
};
UnoConcordance unoConcordance(const SurvivalData& train, const SurvivalData& test, const Eigen::VectorXd& risk,
                              double tau, double tiedTol = 1e-8);

// Cumulative/dynamic AUC at each time t (sksurv cumulative_dynamic_auc): cases T_i <= t with an
// event, weighted 1/G(T_i); controls T_j > t, unweighted; AUC(t) is the trapezoidal area under the
// IPCW ROC curve with risks closer than tol (consecutive in sorted order) merged — for distinct
// risks this is sum_i sum_j w_i [I(r_i > r_j) + I(|r_i - r_j| <= tol)/2] / (sum_i w_i * n_controls).
// Times are sorted and made unique (as sksurv) and must satisfy min(T_test) <= t < max(T_test).
// meanAuc = sum_k AUC(t_k)(S(t_{k-1}) - S(t_k)) / (1 - S(t_last)), S = KM of the test data,
// S(t_0) = 1; with one time, meanAuc = AUC(t).
struct TimeDependentAuc {
  Eigen::VectorXd time, auc;
  double meanAuc = 0;
};
TimeDependentAuc cumulativeDynamicAuc(const SurvivalData& train, const SurvivalData& test, const Eigen::VectorXd& risk,
                                      const Eigen::VectorXd& times, double tiedTol = 1e-8);

// Brier score at each time (sksurv brier_score) of predicted survival probabilities
// `survival` (n x k, column k = S_i(times_k); times strictly increasing, within
// [min T_test, max T_test)):
//   BS(t) = (1/n) sum_i [S_i(t)^2 I(T_i <= t, event) / G(T_i) + (1 - S_i(t))^2 I(T_i > t) / G(t)],
// where a zero G makes its term 0 (sksurv sets G = 0 to infinity). Lower = better.
struct BrierScores {
  Eigen::VectorXd time, brier;
};
BrierScores brierScore(const SurvivalData& train, const SurvivalData& test, const Eigen::MatrixXd& survival,
                       const Eigen::VectorXd& times);

// Integrated Brier score: trapezoid of BS over the times divided by (t_last - t_first); needs >= 2 times.
double integratedBrierScore(const SurvivalData& train, const SurvivalData& test, const Eigen::MatrixXd& survival,
                            const Eigen::VectorXd& times);

}  // namespace latefuse
