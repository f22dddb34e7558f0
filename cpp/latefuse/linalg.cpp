#include "latefuse/linalg.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
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

// Sums over rows [0, len) of u_a * v_b for the R rows u[0..rows) (rows <= R; a missing row repeats
// the last one and its sums are ignored) and the two columns v0, v1: even rows in one lane, odd rows
// in the other, the lanes added, then the odd last row.
template <int R>
inline void tileSums(const double* const* u, Eigen::Index rows, const double* v0, const double* v1, Eigen::Index len,
                     double out[4][2]) {
  const double* ur[R];
  for (int a = 0; a < R; ++a) ur[a] = u[std::min<Eigen::Index>(a, rows - 1)];
  Lanes2 acc[R][2];
  for (int a = 0; a < R; ++a) acc[a][0] = acc[a][1] = Lanes2{0, 0};
  const Eigen::Index even = len & ~Eigen::Index{1};
  for (Eigen::Index i = 0; i < even; i += 2) {
    const Lanes2 c0 = load2(v0 + i), c1 = load2(v1 + i);
    for (int a = 0; a < R; ++a) {
      const Lanes2 r = load2(ur[a] + i);
      acc[a][0] += r * c0;
      acc[a][1] += r * c1;
    }
  }
  for (int a = 0; a < R; ++a) {
    out[a][0] = acc[a][0][0] + acc[a][0][1];
    out[a][1] = acc[a][1][0] + acc[a][1][1];
    if (even < len) {
      out[a][0] += ur[a][even] * v0[even];
      out[a][1] += ur[a][even] * v1[even];
    }
  }
}

// One block of subjects (rows [0, len) of the columns x[0..p)), added to the lower triangle of the
// column-major p x p `gram`. Element (j, k), j >= k, is the sum of u_ij x_ik with u_ij = w_i x_ij
// (x_ij when w is null): even rows in one lane, odd rows in the other, the two lanes added, then
// the odd last row if any. That order is the one every build uses (scalar code would have to
// follow it too), so native and WASM sums agree bit for bit. The weighted column u_j is formed once
// per block in `scratch` (p x len) instead of once per output tile. Tiles of 4 rows x 2 columns of
// the output keep 8 accumulators, 4 + 2 operands in registers (x86-64 and V8 have 16 vector
// registers): 6 loads per 16 multiply-adds, against 10 for 2 x 2 tiles; 2 x 2 tiles where a 4-row
// tile would compute mostly unused sums (the bottom edge, the diagonal's upper corner).
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
  // Bands of four output rows (two, then one, at the bottom edge); within a band, tiles of two
  // columns, the diagonal's last one with only the band's lower two rows.
  for (Eigen::Index j = 0; j < p;) {
    const Eigen::Index band = p - j >= 4 ? 4 : std::min<Eigen::Index>(2, p - j);
    for (Eigen::Index k = 0; k < j + band; k += 2) {
      const bool twoK = k + 1 < p;
      const double* v0 = x[k];
      const double* v1 = twoK ? x[k + 1] : x[k];
      const Eigen::Index r0 = band == 4 && k == j + 2 ? j + 2 : j;  // first row of the tile
      const Eigen::Index rows = j + band - r0;
      double t[4][2];
      if (rows == 4) {
        tileSums<4>(uc + r0, 4, v0, v1, len, t);
      } else {
        tileSums<2>(uc + r0, rows, v0, v1, len, t);
      }
      for (Eigen::Index a = 0; a < rows; ++a)
        for (Eigen::Index b = 0; b < (twoK ? 2 : 1); ++b)
          if (k + b <= r0 + a) gram[(k + b) * p + r0 + a] += t[a][b];  // gram is p x p, column-major
    }
    j += band;
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

// Blocks are checked without an early exit (a loop the compiler can vectorise); only a block with a
// bad value is searched.
Eigen::Index firstNonFinite(const double* x, Eigen::Index n) {
  constexpr Eigen::Index kBlock = 1024;
  for (Eigen::Index i0 = 0; i0 < n; i0 += kBlock) {
    const Eigen::Index i1 = std::min(n, i0 + kBlock);
    int finite = 1;
    for (Eigen::Index i = i0; i < i1; ++i) finite &= std::fabs(x[i]) <= std::numeric_limits<double>::max();
    if (finite) continue;
    for (Eigen::Index i = i0; i < i1; ++i)
      if (!std::isfinite(x[i])) return i;
  }
  return n;
}

}  // namespace latefuse
