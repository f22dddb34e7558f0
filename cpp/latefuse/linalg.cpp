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

// One block of subjects (rows [0, len) of the columns x[0..p)), added to the lower triangle of the
// column-major p x p `gram`. Element (j, k), j >= k, is the sum of u_ij x_ik with u_ij = w_i x_ij
// (x_ij when w is null): even rows in one lane, odd rows in the other, the two lanes added, then
// the odd last row if any. That order is the one every build uses (scalar code would have to
// follow it too), so native and WASM sums agree bit for bit. The weighted column u_j is formed once
// per block in `scratch` (p x len) instead of once per output tile. Tiles of 4 rows x 2 columns of
// the output keep 8 accumulators, 4 + 2 operands in registers (x86-64 and V8 have 16 vector
// registers): 6 loads per 16 multiply-adds, against 10 for 2 x 2 tiles.
void gramBlock(const double* const* x, const double* w, Eigen::Index len, Eigen::Index p, double* scratch,
               double* gram) {
  const double* u[64];
  std::vector<const double*> uHeap;
  const double** uc = u;
  if (p > 64) {
    uHeap.resize(static_cast<size_t>(p));
    uc = uHeap.data();
  }
  for (Eigen::Index j = 0; j < p; ++j) {
    if (!w) {
      uc[j] = x[j];
      continue;
    }
    double* dst = scratch + j * len;
    const double* src = x[j];
    for (Eigen::Index i = 0; i < len; ++i) dst[i] = src[i] * w[i];
    uc[j] = dst;
  }
  const Eigen::Index even = len & ~Eigen::Index{1};
  for (Eigen::Index j = 0; j < p; j += 4) {
    const Eigen::Index rows = std::min<Eigen::Index>(4, p - j);
    // Missing rows of a tile at the edge repeat the last one; their sums are not written.
    const double* u0 = uc[j];
    const double* u1 = uc[j + std::min<Eigen::Index>(1, rows - 1)];
    const double* u2 = uc[j + std::min<Eigen::Index>(2, rows - 1)];
    const double* u3 = uc[j + rows - 1];
    for (Eigen::Index k = 0; k < j + rows; k += 2) {
      const bool twoK = k + 1 < p;
      const double* v0 = x[k];
      const double* v1 = twoK ? x[k + 1] : x[k];
      Lanes2 a00 = {0, 0}, a01 = {0, 0}, a10 = {0, 0}, a11 = {0, 0};
      Lanes2 a20 = {0, 0}, a21 = {0, 0}, a30 = {0, 0}, a31 = {0, 0};
      for (Eigen::Index i = 0; i < even; i += 2) {
        const Lanes2 c0 = load2(v0 + i), c1 = load2(v1 + i);
        Lanes2 r = load2(u0 + i);
        a00 += r * c0;
        a01 += r * c1;
        r = load2(u1 + i);
        a10 += r * c0;
        a11 += r * c1;
        r = load2(u2 + i);
        a20 += r * c0;
        a21 += r * c1;
        r = load2(u3 + i);
        a30 += r * c0;
        a31 += r * c1;
      }
      double s[4][2] = {{a00[0] + a00[1], a01[0] + a01[1]},
                        {a10[0] + a10[1], a11[0] + a11[1]},
                        {a20[0] + a20[1], a21[0] + a21[1]},
                        {a30[0] + a30[1], a31[0] + a31[1]}};
      const double* ur[4] = {u0, u1, u2, u3};
      if (even < len) {
        for (int a = 0; a < 4; ++a) {
          s[a][0] += ur[a][even] * v0[even];
          s[a][1] += ur[a][even] * v1[even];
        }
      }
      for (Eigen::Index a = 0; a < rows; ++a)
        for (Eigen::Index b = 0; b < (twoK ? 2 : 1); ++b)
          if (k + b <= j + a) gram[(k + b) * p + j + a] += s[a][b];  // gram is p x p, column-major
    }
  }
}

}  // namespace

void addWeightedGramLower(const Eigen::Ref<const Eigen::MatrixXd>& x, const double* weights, Eigen::MatrixXd& gram) {
  const Eigen::Index n = x.rows(), p = x.cols();
  if (n == 0 || p == 0) return;
  constexpr Eigen::Index kBlock = 1024;  // 1024 subjects x p columns stays in L2
  std::vector<const double*> col(static_cast<size_t>(p));
  std::vector<double> scratch(weights ? static_cast<size_t>(std::min(n, kBlock) * p) : 0);
  auto* const kernel = outOfLine(&gramBlock);
  for (Eigen::Index i0 = 0; i0 < n; i0 += kBlock) {
    const Eigen::Index len = std::min(n - i0, kBlock);
    for (Eigen::Index j = 0; j < p; ++j) col[static_cast<size_t>(j)] = x.data() + j * x.outerStride() + i0;
    kernel(col.data(), weights ? weights + i0 : nullptr, len, p, scratch.data(), gram.data());
  }
}

}  // namespace latefuse
