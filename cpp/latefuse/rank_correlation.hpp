// Rank correlation: Kendall's tau-b in O(n log n) (Knight 1966) and Spearman's rho, each with the
// p-value of R's cor.test(..., exact = FALSE) (two-sided), plus matrices over several columns using
// pairwise-complete rows (NaN = missing).
//
// Kendall (Knight): sort by (x, y); n0 = n(n-1)/2; n1 = sum t(t-1)/2 over x-tie groups, n2 over
// y-tie groups, n3 over joint (x, y) tie groups; S = number of exchanges of a merge sort of y;
//   tau_b = (n0 - n1 - n2 + n3 - 2 S) / sqrt((n0 - n1)(n0 - n2)).
// p-value (cor.test, normal approximation with tie correction, no continuity correction):
//   S = tau_b sqrt((T0 - T1)(T0 - T2)),  z = S / sqrt(var_S),
//   var_S = [v0 - sum t(t-1)(2t+5) - sum u(u-1)(2u+5)] / 18 + sum t(t-1) sum u(u-1) / (2n(n-1))
//           + sum t(t-1)(t-2) sum u(u-1)(u-2) / (9n(n-1)(n-2)),   v0 = n(n-1)(2n+5),
//   p = 2 min(Phi(z), 1 - Phi(z)). (R's default for n < 50 without ties is an exact test; LateFuse
//   always reports the normal approximation, i.e. exact = FALSE.)
// Spearman: rho = Pearson correlation of average ranks (R rank(ties = "average")); p by R's
// asymptotic approximation: t = r / sqrt((1 - r^2)/(n - 2)) with n - 2 df, two-sided, where
// r = 1 - q/den, q = (n^3 - n)(1 - rho)/6, den = n(n^2 - 1)/6 (cor.test's pspearman, exact = FALSE).
// Direction: positive = the two variables increase together.
#pragma once
#include <Eigen/Dense>
#include <string>
#include <vector>

namespace latefuse {

struct RankCorrelation {
  double estimate = 0;   // tau_b or rho
  double statistic = 0;  // z (Kendall) or t (Spearman)
  double p = 1;          // two-sided; NaN (with a warning) when undefined (n < 3)
  Eigen::Index n = 0;
  std::vector<std::string> warnings;
};

// Both throw InputError for unequal lengths/non-finite values, ModelError when a column is constant
// (tau_b and rho are then undefined) or n < 2.
RankCorrelation kendallTau(const Eigen::VectorXd& x, const Eigen::VectorXd& y);
RankCorrelation spearmanRho(const Eigen::VectorXd& x, const Eigen::VectorXd& y);

enum class RankMethod { Kendall,
                        Spearman };

// Column-by-column matrices over pairwise-complete rows. Diagonal: estimate 1, p NaN (a variable is
// not tested against itself), n = non-missing count. A pair with fewer than 2 complete rows or a
// constant column gives NaN with a warning naming the pair.
struct CorrelationMatrix {
  Eigen::MatrixXd estimate, p, n;
  std::vector<std::string> warnings;
};
CorrelationMatrix rankCorrelationMatrix(const Eigen::MatrixXd& columns, RankMethod method,
                                        const std::vector<std::string>& names = {});

// Average ranks 1..n (ties share the mean rank), R's rank(ties.method = "average").
Eigen::VectorXd averageRanks(const Eigen::VectorXd& x);

}  // namespace latefuse
