// The evaluation statistics in the shapes the resampling machinery (resampling.hpp) needs: a
// statistic of frequency counts (bootstrap, jackknife) and, where a permutation test makes sense,
// a statistic of a permutation of the score.
//
// A count vector means "row i appears counts[i] times": every statistic here gives, for counts,
// exactly the value it gives on the data with those rows repeated (for Harrell's C a repeated row
// is tied in time with itself and so never forms a comparable pair with its copy, as in R).
//
// Harrell's C has a prepared engine: the time ordering, tie groups and score ranks are computed
// once, and each resample or permutation costs one O(n log n) Fenwick sweep without sorting — the
// bootstrap of C at n = 10,000 is dominated by that sweep.
#pragma once
#include <Eigen/Dense>
#include <memory>
#include <string>
#include <vector>

#include "latefuse/fenwick.hpp"
#include "latefuse/resampling.hpp"
#include "latefuse/survival_data.hpp"

namespace latefuse {

// Harrell's C (concordance.hpp semantics, R's counting; strata and case weights honoured).
// Direction: higherIsRisk = a higher score predicts an earlier event.
class HarrellEngine {
 public:
  HarrellEngine(const SurvivalData& data, const Eigen::VectorXd& score, bool higherIsRisk = true);
  // counts: nullptr = every row once. perm: nullptr = as given; else row i takes the score of row perm[i].
  // Throws ModelError when there are no comparable pairs.
  double evaluate(const int* counts, const int* perm) const;
  Eigen::Index size() const { return n_; }

 private:
  struct TimeGroup {
    size_t begin, firstEvent, end;
  };
  Eigen::Index n_ = 0;
  bool higherIsRisk_ = true;
  std::vector<Eigen::Index> order_;  // rows by (stratum, time), censored before events in a tie group
  std::vector<TimeGroup> groups_;    // ascending
  std::vector<size_t> strataEnd_;    // group index one past each stratum's last group
  std::vector<size_t> rank_;         // dense score rank per row
  size_t nRanks_ = 0;
  std::vector<double> weight_;  // case weight per row
  mutable Fenwick tree_{0};     // reused by every evaluate()
};

ResampleStatistic harrellStatistic(std::shared_ptr<const HarrellEngine> engine);
PermutationStatistic harrellPermutation(std::shared_ptr<const HarrellEngine> engine);

// Uno's C and the time-dependent AUC with train = test = the resample (survival_metrics.hpp).
// `risk`: higher = higher risk. tau = +inf for no truncation.
ResampleStatistic unoStatistic(const SurvivalData& data, const Eigen::VectorXd& risk, double tau);
// AUC at one time (`times` of length 1) or, with `mean`, the mean AUC over `times`.
ResampleStatistic aucStatistic(const SurvivalData& data, const Eigen::VectorXd& risk, const Eigen::VectorXd& times, bool mean);
PermutationStatistic unoPermutation(const SurvivalData& data, const Eigen::VectorXd& risk, double tau);

// Rank correlations of paired columns (rank_correlation.hpp) and their permutation (y permuted).
ResampleStatistic kendallStatistic(const Eigen::VectorXd& x, const Eigen::VectorXd& y);
ResampleStatistic spearmanStatistic(const Eigen::VectorXd& x, const Eigen::VectorXd& y);
PermutationStatistic kendallPermutation(const Eigen::VectorXd& x, const Eigen::VectorXd& y);
PermutationStatistic spearmanPermutation(const Eigen::VectorXd& x, const Eigen::VectorXd& y);

// Mann–Whitney AUC of a score for a 0/1 outcome (logistic.hpp) and its permutation.
ResampleStatistic binaryAucStatistic(const Eigen::VectorXd& y, const Eigen::VectorXd& score);
PermutationStatistic binaryAucPermutation(const Eigen::VectorXd& y, const Eigen::VectorXd& score);

// Kaplan–Meier survival at time t (R summary semantics), e.g. for a bootstrap CI of S(t).
ResampleStatistic kaplanMeierStatistic(const SurvivalData& data, double t);

// Rows repeated by counts (helper; weights of SurvivalData are kept and multiplied in as
// frequency weights where a metric supports them).
SurvivalData withFrequencyWeights(const SurvivalData& data, const std::vector<int>& counts,
                                  std::vector<Eigen::Index>* rows = nullptr);

}  // namespace latefuse
