// Decision curve analysis: the net benefit of treating the patients whose predicted risk is at least
// a threshold probability p_t (Vickers & Elkin, Med Decis Making 2006; for a survival outcome at a
// horizon t: Vickers, Cronin, Elkin & Gonen, BMC Med Inform Decis Mak 2008).
//
// Risk r_i is a probability of the event: 1 - S(t | x_i) for a survival model, p_i for a binary one.
// Higher = higher risk. "Positive" at p_t means r_i >= p_t. With case weights w_i (all 1 unless a
// bootstrap resample gives frequency counts), n = sum w_i:
//  * binary:   NB(p_t) = TP/n - FP/n * p_t / (1 - p_t), TP/FP the weighted positives with y = 1 / 0;
//              treat all = prevalence - (1 - prevalence) * p_t / (1 - p_t).
//  * survival: x = (sum of w over the positives) / n and S_x = the Kaplan–Meier S(t) among the
//              positives (kaplan_meier.hpp, R survfit with timefix);
//              NB(p_t) = (1 - S_x) * x - S_x * x * p_t / (1 - p_t);
//              treat all = the same with every patient positive (x = 1, S_x = KM of everyone).
//  * treat none = 0 for both.
// No patient positive at p_t: NB = 0 (treating nobody). The Kaplan–Meier estimate is undefined
// beyond the last follow-up unless the curve has already reached 0: when the positives' follow-up
// ends before t with S > 0, NB(p_t) is NaN (null in JSON) rather than an extrapolation. A horizon
// beyond the whole sample's follow-up, or <= 0, is an InputError (as the AUC(t) of
// survival_metrics.hpp). Thresholds must lie strictly between 0 and 1 (p_t / (1 - p_t) is infinite
// at 1); the default grid is k / 100 for k = 1..99.
//
// Bootstrap band: replicate b draws n patients with replacement from Random::stream(seed, b) (the
// same draws as resampling.hpp's bootstrap), recomputes the whole curve with the frequency counts as
// weights, and the band at each threshold is resampling.hpp's percentile interval (R boot.ci "perc")
// of that threshold's finite replicates.
#pragma once
#include <Eigen/Dense>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "latefuse/resampling.hpp"
#include "latefuse/survival_data.hpp"

namespace latefuse {

Eigen::VectorXd decisionThresholds();  // 0.01, 0.02, ..., 0.99 (k / 100)

// InputError naming the first threshold outside (0, 1) or not increasing.
void validateThresholds(const Eigen::VectorXd& thresholds);

// Kaplan–Meier S(horizon) of `data` (weights honoured); NaN when the follow-up ends before the
// horizon with S > 0 (undefined), 1 when data is empty.
double survivalAtHorizon(const SurvivalData& data, double horizon);

// Net benefit at each threshold (NaN where undefined, see above). `risk` in [0, 1], one per row.
Eigen::VectorXd survivalNetBenefit(const SurvivalData& data, const Eigen::VectorXd& risk, double horizon,
                                   const Eigen::VectorXd& thresholds);
Eigen::VectorXd survivalTreatAll(const SurvivalData& data, double horizon, const Eigen::VectorXd& thresholds);
// `outcome` 0/1, `probability` in [0, 1]; `weight` empty = all 1.
Eigen::VectorXd binaryNetBenefit(const Eigen::VectorXd& outcome, const Eigen::VectorXd& probability,
                                 const Eigen::VectorXd& thresholds, const Eigen::VectorXd& weight = Eigen::VectorXd());
Eigen::VectorXd binaryTreatAll(const Eigen::VectorXd& outcome, const Eigen::VectorXd& thresholds,
                               const Eigen::VectorXd& weight = Eigen::VectorXd());

struct DecisionCurve {
  bool binary = false;
  double horizon = 0;  // NaN for a binary outcome
  int n = 0;
  double events = 0;  // events (survival) or cases (binary)
  Eigen::VectorXd thresholds, netBenefit, treatAll;
  Eigen::VectorXi treated;        // patients with risk >= p_t
  Eigen::VectorXd lower, upper;   // bootstrap band (empty when no bootstrap)
  int bootstrap = 0, failed = 0;  // replicates asked for; replicates with no finite value anywhere
  std::vector<std::string> warnings;
};

struct DecisionCurveOptions {
  Eigen::VectorXd thresholds = decisionThresholds();
  int bootstrap = 0;  // replicates for the band (0 = none)
  uint64_t seed = 1;
  double confLevel = 0.95;
  int chunk = 50;
  ProgressCallback progress;  // fraction of the bootstrap done; false cancels (Cancelled)
};

// Validate the input (InputError naming the row of a risk outside [0, 1], a bad horizon, ...) and
// compute the curve, treat-all and, when asked, the bootstrap band.
DecisionCurve survivalDecisionCurve(const SurvivalData& data, const Eigen::VectorXd& risk, double horizon,
                                    const DecisionCurveOptions& options = {});
DecisionCurve binaryDecisionCurve(const Eigen::VectorXd& outcome, const Eigen::VectorXd& probability,
                                  const DecisionCurveOptions& options = {});

// The thresholds where the model's net benefit exceeds BOTH treat-all and treat-none (strictly, on
// unrounded values; NaN never counts). Consecutive grid points form one range [from, to].
struct ThresholdRange {
  double from = 0, to = 0;
};
std::vector<ThresholdRange> netBenefitRanges(const Eigen::VectorXd& thresholds, const Eigen::VectorXd& netBenefit,
                                             const Eigen::VectorXd& treatAll);

// {horizon, thresholds, treat_all, n, events, net_benefit, lower, upper, treated} (NaN -> null).
nlohmann::json decisionCurveToJson(const DecisionCurve& curve);

}  // namespace latefuse
