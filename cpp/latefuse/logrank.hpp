// Log-rank test for k groups, optionally stratified, as R survival 3.5 `survdiff` (survdiff2.c),
// including its G-rho family (rho = 0: log-rank; rho = 1: Peto & Peto / Prentice modification).
// At each distinct event time k within a stratum (n_k at risk, d_k events, n_gk at risk in group g)
// with weight w_k = S(t_k-)^rho (pooled left-continuous Kaplan–Meier of the stratum):
//   O_g = sum_k w_k d_gk,   E_g = sum_k w_k d_k n_gk / n_k,
//   V_gh = sum_k w_k^2 d_k (n_k - d_k) / (n_k - 1) * (n_gk / n_k) (delta_gh - n_hk / n_k)   (0 when n_k = 1)
// summed over strata. Groups with E_g = 0 are dropped (as R); of the remaining G groups the first is
// dropped too and chi^2 = (O - E)' V^- (O - E) over the other G - 1, df = G - 1.
// Direction: none (a two-sided test of equal hazards). Case weights are not supported: R's survdiff
// has none, so there is no reference to agree with.
#pragma once
#include <Eigen/Dense>
#include <vector>

#include "latefuse/survival_data.hpp"

namespace latefuse {

struct LogRankTest {
  std::vector<int> groups;   // group codes, ascending (the order of the vectors below)
  Eigen::VectorXd n;         // subjects per group
  Eigen::VectorXd observed;  // O_g (rho-weighted when rho != 0, as R)
  Eigen::VectorXd expected;  // E_g
  Eigen::MatrixXd variance;  // V
  double chisq = 0;
  int df = 0;
  double p = 1;
  double rho = 0;
  int strata = 1;
};

// `groups`: one integer code per row. data.strata (optional) stratifies the test. Throws InputError
// for fewer than two groups or weighted data, ModelError when there are no events.
LogRankTest logRankTest(const SurvivalData& data, const Eigen::VectorXi& groups, double rho = 0, bool timefix = true);

}  // namespace latefuse
