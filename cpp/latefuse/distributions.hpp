// Distribution functions for p-values and intervals. Upper tails are computed directly (not as
// 1 - lower) so that small p-values keep their relative accuracy.
#pragma once

namespace latefuse {

double normalCdf(double z);
double normalUpper(double z);                       // 1 - Phi(z)
double normalQuantile(double p);                    // Phi^{-1}(p), Acklam's algorithm + one Newton step
double chiSquareUpper(double x, double df);         // P(X > x), X ~ chi-square(df)
double studentTUpperTwoSided(double t, double df);  // P(|T| > |t|)

}  // namespace latefuse
