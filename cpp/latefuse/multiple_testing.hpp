// Adjusted p-values for multiple testing, as R's p.adjust (stats 4.2). With m non-missing p-values
// sorted increasingly, p_(1) <= ... <= p_(m):
//   BH (Benjamini–Hochberg, "fdr"): p~_(i) = min_{j >= i} min(1, m p_(j) / j)
//   BY (Benjamini–Yekutieli):        as BH with m replaced by m * sum_{k=1..m} 1/k
//   Holm:       p~_(i) = max_{j <= i} min(1, (m - j + 1) p_(j))
//   Hochberg:   p~_(i) = min_{j >= i} min(1, (m - j + 1) p_(j))
//   Bonferroni: min(1, m p)
// Missing values (NaN) stay NaN and do not count in m (R's default n = length(p[!is.na(p)])).
// Direction: smaller = stronger evidence, as the input p-values.
#pragma once
#include <Eigen/Dense>
#include <string>

namespace latefuse {

enum class PAdjustMethod { BH,
                           BY,
                           Holm,
                           Hochberg,
                           Bonferroni };
PAdjustMethod parsePAdjustMethod(const std::string& name);  // "BH"/"fdr", "BY", "holm", "hochberg", "bonferroni"

// Throws InputError when a (non-missing) p-value lies outside [0, 1].
Eigen::VectorXd adjustPValues(const Eigen::VectorXd& p, PAdjustMethod method = PAdjustMethod::BH);

}  // namespace latefuse
