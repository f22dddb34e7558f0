// The mean of paired differences a_i - b_i with its Student t confidence interval and two-sided p,
// as R's t.test(a, b, paired = TRUE): mean d-bar, SD s of the differences, interval
// d-bar +/- t_{(1+conf)/2, n-1} s / sqrt(n), p = P(|T_{n-1}| >= |d-bar| / (s / sqrt(n))).
// Used where a sentence claims a difference over repeated runs (the Learn tab's seeds): the claim is
// made only when the interval excludes 0. Pairs with a NaN are left out.
#pragma once
#include <Eigen/Dense>

namespace latefuse {

struct PairedDifference {
  int n = 0;                    // complete pairs
  double mean = 0;              // NaN when n = 0
  double sd = 0;                // NaN when n < 2
  double lower = 0, upper = 0;  // NaN when n < 2; both = mean when sd = 0
  double p = 0;                 // NaN when n < 2 or sd = 0
};

// Throws InputError when the lengths differ or confLevel is not in (0, 1).
PairedDifference pairedMeanDifference(const Eigen::VectorXd& a, const Eigen::VectorXd& b, double confLevel = 0.95);

// Student t quantile: P(T_df <= t) = p, for p in (0, 1), df > 0 (R qt(p, df)); by bisection on the
// distribution function (distributions.hpp) to full double precision.
double studentTQuantile(double p, double df);

}  // namespace latefuse
