#include "latefuse/linalg.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

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
    if (factor(i, i) == 0) {
      inv.row(i).setZero();
      inv.col(i).setZero();
    }
  return 0.5 * (inv + inv.transpose());
}

std::vector<bool> Cholesky2::redundant() const {
  std::vector<bool> out(static_cast<size_t>(factor.rows()));
  for (Eigen::Index i = 0; i < factor.rows(); ++i) out[static_cast<size_t>(i)] = factor(i, i) == 0;
  return out;
}

namespace {

typedef double Lanes2 __attribute__((vector_size(16)));

inline Lanes2 load2(const double* p) {
  Lanes2 v;
  std::memcpy(&v, p, sizeof v);  // unaligned load (movupd / v128.load)
  return v;
}

// Sum over subjects [i0, i1) of w_i x_ij x_ik for the tile j in {j0, j0+1}, k in {k0, k0+1}.
// `two_j` / `two_k` say whether the second row / column exists.
inline void gramTile(const double* const* col, const double* w, Eigen::Index i0, Eigen::Index i1,
                     Eigen::Index j0, bool twoJ, Eigen::Index k0, bool twoK, double out[4]) {
  const double* xj0 = col[j0];
  const double* xj1 = twoJ ? col[j0 + 1] : col[j0];
  const double* xk0 = col[k0];
  const double* xk1 = twoK ? col[k0 + 1] : col[k0];
  Lanes2 a00 = {0, 0}, a01 = {0, 0}, a10 = {0, 0}, a11 = {0, 0};
  Eigen::Index i = i0;
  for (; i + 1 < i1; i += 2) {
    Lanes2 u0 = load2(xj0 + i), u1 = load2(xj1 + i);
    if (w) {
      const Lanes2 wv = load2(w + i);
      u0 *= wv;
      u1 *= wv;
    }
    const Lanes2 v0 = load2(xk0 + i), v1 = load2(xk1 + i);
    a00 += u0 * v0;
    a01 += u0 * v1;
    a10 += u1 * v0;
    a11 += u1 * v1;
  }
  double s00 = a00[0] + a00[1], s01 = a01[0] + a01[1], s10 = a10[0] + a10[1], s11 = a11[0] + a11[1];
  for (; i < i1; ++i) {
    const double wi = w ? w[i] : 1.0;
    const double u0 = wi * xj0[i], u1 = wi * xj1[i];
    s00 += u0 * xk0[i];
    s01 += u0 * xk1[i];
    s10 += u1 * xk0[i];
    s11 += u1 * xk1[i];
  }
  out[0] = s00;
  out[1] = s01;
  out[2] = s10;
  out[3] = s11;
}

}  // namespace

void addWeightedGramLower(const Eigen::Ref<const Eigen::MatrixXd>& x, const double* weights, Eigen::MatrixXd& gram) {
  const Eigen::Index n = x.rows(), p = x.cols();
  std::vector<const double*> col(static_cast<size_t>(p));
  for (Eigen::Index j = 0; j < p; ++j) col[static_cast<size_t>(j)] = x.data() + j * x.outerStride();
  constexpr Eigen::Index kBlock = 1024;  // 1024 subjects x p columns stays in L2
  double t[4];
  for (Eigen::Index i0 = 0; i0 < n; i0 += kBlock) {
    const Eigen::Index i1 = std::min(n, i0 + kBlock);
    for (Eigen::Index j = 0; j < p; j += 2) {
      const bool twoJ = j + 1 < p;
      for (Eigen::Index k = 0; k <= j; k += 2) {
        const bool twoK = k + 1 < p;
        gramTile(col.data(), weights, i0, i1, j, twoJ, k, twoK, t);
        gram(j, k) += t[0];
        if (twoK && k + 1 <= j) gram(j, k + 1) += t[1];
        if (twoJ) {
          gram(j + 1, k) += t[2];
          if (twoK) gram(j + 1, k + 1) += t[3];
        }
      }
    }
  }
}

}  // namespace latefuse
