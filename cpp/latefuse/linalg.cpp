#include "latefuse/linalg.hpp"

#include <cmath>

namespace latefuse {

Cholesky2::Cholesky2(const Eigen::MatrixXd& matrix, double toler) : factor(matrix) {
  const Eigen::Index n = factor.rows();
  // Mirror the lower triangle so the factorisation reads only one half.
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = i + 1; j < n; ++j) factor(i, j) = factor(j, i);
  double eps = 0;
  for (Eigen::Index i = 0; i < n; ++i) eps = std::max(eps, std::fabs(factor(i, i)));
  eps = eps == 0 ? toler : eps * toler;  // R: eps = toler * max(diag) (toler alone if all zero)
  rank = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double pivot = factor(i, i);
    if (!std::isfinite(pivot) || pivot < eps) {
      if (pivot < -8 * eps) nonPositive = true;
      factor(i, i) = 0;
      for (Eigen::Index j = i + 1; j < n; ++j) factor(j, i) = 0;
      continue;
    }
    ++rank;
    for (Eigen::Index j = i + 1; j < n; ++j) {
      const double temp = factor(j, i) / pivot;
      factor(j, j) -= temp * temp * pivot;
      for (Eigen::Index k = j + 1; k < n; ++k) factor(k, j) -= temp * factor(k, i);
      factor(j, i) = temp;
    }
  }
}

Eigen::VectorXd Cholesky2::solve(const Eigen::VectorXd& rhs) const {
  const Eigen::Index n = factor.rows();
  Eigen::VectorXd y = rhs;
  for (Eigen::Index i = 0; i < n; ++i) {  // L y = b
    double temp = y(i);
    for (Eigen::Index j = 0; j < i; ++j) temp -= y(j) * factor(i, j);
    y(i) = temp;
  }
  for (Eigen::Index i = n - 1; i >= 0; --i) {  // D L' z = y
    if (factor(i, i) == 0) {
      y(i) = 0;
    } else {
      double temp = y(i) / factor(i, i);
      for (Eigen::Index j = i + 1; j < n; ++j) temp -= y(j) * factor(j, i);
      y(i) = temp;
    }
  }
  return y;
}

Eigen::MatrixXd Cholesky2::inverse() const {
  const Eigen::Index n = factor.rows();
  Eigen::MatrixXd inv = Eigen::MatrixXd::Zero(n, n);
  for (Eigen::Index j = 0; j < n; ++j) {
    if (factor(j, j) == 0) continue;
    Eigen::VectorXd e = Eigen::VectorXd::Zero(n);
    e(j) = 1;
    inv.col(j) = solve(e);
  }
  // Redundant rows/columns are exactly zero, as in R's chinv2.
  for (Eigen::Index i = 0; i < n; ++i)
    if (factor(i, i) == 0) { inv.row(i).setZero(); inv.col(i).setZero(); }
  return 0.5 * (inv + inv.transpose());
}

std::vector<bool> Cholesky2::redundant() const {
  std::vector<bool> out(static_cast<size_t>(factor.rows()));
  for (Eigen::Index i = 0; i < factor.rows(); ++i) out[static_cast<size_t>(i)] = factor(i, i) == 0;
  return out;
}

}  // namespace latefuse
