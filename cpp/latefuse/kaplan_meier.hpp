// Kaplan–Meier survival curve with case weights, as R survival 3.5 `survfit(Surv(time, status) ~ 1,
// robust = FALSE)` (docs/methods.md §6):
//   S(t) = prod_{t_k <= t} (1 - d_k / n_k)                         (weighted d_k, n_k)
//   sigma^2(t) = sum_{t_k <= t} d_k / (n_k (n_k - d_k))           Greenwood: Var(log S(t))
//   R's fit$std.err is sigma (the SE of log S, "on the log scale"); summary()'s std.err is S * sigma.
//   CI "log" (R's default):  [S e^{-z sigma}, min(1, S e^{z sigma})]
//   CI "log-log":            exp(-exp(log(-log S) ± z sigma / log S))   (undefined at S = 0 or 1)
//   CI "plain":              [max(0, S - z S sigma), min(1, S + z S sigma)]
// R's survfit_confint gives NA where a limit is undefined (S = 0; S = 1 for log-log): those are NaN
// here and null in JSON.
// Weights: with non-integer case weights R's survfit defaults to a robust (infinitesimal
// jackknife) variance; LateFuse always uses the weighted Greenwood formula above, which is R's
// `robust = FALSE` (and identical to the default for integer or unit weights).
// Direction: S is a survival probability (higher = better). Times are merged as R's timefix
// (aeqSurv) unless options.timefix is false. Strata in SurvivalData are ignored: call once per group.
#pragma once
#include <Eigen/Dense>
#include <string>
#include <vector>

#include "latefuse/survival_data.hpp"

namespace latefuse {

enum class ConfType { Log,
                      LogLog,
                      Plain };
ConfType parseConfType(const std::string& name);  // "log", "log-log", "plain"; InputError otherwise
std::string confTypeName(ConfType type);

struct KaplanMeierOptions {
  ConfType confType = ConfType::Log;
  double confLevel = 0.95;
  bool timefix = true;
};

// One row per distinct observed time (event or censoring), ascending: R's survfit rows.
struct KaplanMeierCurve {
  Eigen::VectorXd time;
  Eigen::VectorXd nRisk;         // weighted number at risk just before time (sum of w with T >= time)
  Eigen::VectorXd nEvent;        // weighted events at time
  Eigen::VectorXd nCensor;       // weighted censorings at time (the censoring marks of a plot)
  Eigen::VectorXd surv;          // S(time)
  Eigen::VectorXd stdErr;        // sigma: SE of log S (R fit$std.err); +inf once S = 0
  Eigen::VectorXd lower, upper;  // confidence limits of S (NaN where undefined, as R's NA)
  Eigen::Index records = 0;      // rows used (unweighted)
  double n = 0;                  // weighted number of subjects
  double events = 0;             // weighted number of events
  ConfType confType = ConfType::Log;
  double confLevel = 0.95;
};

KaplanMeierCurve kaplanMeier(const SurvivalData& data, const KaplanMeierOptions& options = {});

// One curve per group code (ascending codes; `groups` has one integer code per row).
std::vector<int> distinctCodes(const Eigen::VectorXi& groups);
std::vector<KaplanMeierCurve> kaplanMeierByGroup(const SurvivalData& data, const Eigen::VectorXi& groups,
                                                 const KaplanMeierOptions& options = {});

// Quantile of the survival time, R's quantile.survfit (internal findq): with F = 1 - S on the
// curve prefixed by (0, 0), the p-quantile is the first time F >= p; when F equals p (within
// sqrt(machine eps)) on a flat stretch, the midpoint of that time and the next drop (or of that
// time and the last time when the curve ends flat at p). The CI applies the same rule to the
// lower and upper curves: lower limit of the quantile = rule on the lower curve. NaN = not reached.
struct SurvivalQuantile {
  double quantile = 0, lower = 0, upper = 0;
};
SurvivalQuantile survivalQuantile(const KaplanMeierCurve& curve, double p = 0.5);

// S, its SE (S * sigma, R summary()'s std.err), CI and number at risk at arbitrary times, as R's
// summary(fit, times, extend = TRUE): the curve's value at the last row <= t (1 before the first
// row); n_risk = sum of w with T >= t (0 beyond the last time).
struct KaplanMeierAt {
  Eigen::VectorXd time, surv, stdErr, lower, upper, nRisk;
};
KaplanMeierAt kaplanMeierAt(const KaplanMeierCurve& curve, const Eigen::VectorXd& times);

// Confidence limits for survival probabilities `surv` with log-scale SE `sigma` (R survfit_confint).
void survivalConfidence(const Eigen::VectorXd& surv, const Eigen::VectorXd& sigma, ConfType type, double confLevel,
                        Eigen::VectorXd& lower, Eigen::VectorXd& upper);

}  // namespace latefuse
