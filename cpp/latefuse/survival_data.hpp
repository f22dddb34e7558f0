// Right-censored survival data as the core sees it: parallel columns of equal length.
#pragma once
#include <Eigen/Dense>
#include <string>
#include <vector>

namespace latefuse {

struct SurvivalData {
  Eigen::VectorXd time;    // >= 0, finite
  Eigen::VectorXd event;   // 1 = event (death), 0 = censored
  Eigen::VectorXd weight;  // case weights > 0; empty means all 1
  Eigen::VectorXi strata;  // stratum label per row; empty means one stratum

  Eigen::Index size() const { return time.size(); }
  bool weighted() const { return weight.size() > 0; }
  bool stratified() const { return strata.size() > 0; }
  double w(Eigen::Index i) const { return weight.size() ? weight(i) : 1.0; }
  int stratum(Eigen::Index i) const { return strata.size() ? strata(i) : 0; }
};

// Throws InputError naming the first bad row (0-based index + 1) and what to do.
void validateSurvivalData(const SurvivalData& data, const std::string& context);

// R's timefix (aeqSurv): times whose relative difference is below sqrt(machine eps) are treated
// as tied, so that 0.1 + 0.2 and 0.3 fall in the same risk set. Returns adjusted times.
Eigen::VectorXd timefix(const Eigen::VectorXd& time);

// Subjects sorted once by (stratum, time, input index), with R's timefix applied within each
// stratum on the sorted times (only within-stratum comparisons matter for risk sets and pairs).
struct SortedSurvival {
  std::vector<Eigen::Index> order;  // sorted position -> input row
  Eigen::VectorXd time;             // sorted (and, if requested, timefixed) times
};
SortedSurvival sortSurvival(const SurvivalData& data, bool useTimefix);

// Indices sorted by (stratum, time) ascending, stable.
std::vector<Eigen::Index> sortByStratumTime(const SurvivalData& data, const Eigen::VectorXd& time);

}  // namespace latefuse
