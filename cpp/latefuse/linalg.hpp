// Symmetric positive semi-definite solves with R survival's tolerance rules (cholesky2.c,
// chsolve2.c, chinv2.c): a pivot below toler * max(diag) marks that column redundant instead of
// failing, so collinear covariates become missing coefficients (docs/methods.md §1).
#pragma once
#include <Eigen/Dense>
#include <vector>

namespace latefuse {

// In-place generalised LDL' factorisation of a symmetric matrix (lower triangle used).
// Returns the rank; redundant columns get a zero pivot.
struct Cholesky2 {
  Eigen::MatrixXd factor;  // L below the diagonal, D on it (0 for redundant columns)
  int rank = 0;
  bool nonPositive = false;  // a clearly negative pivot was seen (matrix not semi-definite)

  Cholesky2() = default;
  Cholesky2(const Eigen::MatrixXd& matrix, double toler);
  Eigen::VectorXd solve(const Eigen::VectorXd& rhs) const;  // zero for redundant components
  Eigen::MatrixXd inverse() const;                          // zero rows/cols for redundant ones
  std::vector<bool> redundant() const;
};

// G += X' diag(w) X for the n x p matrix X (column-major; w = nullptr means all ones). Only the
// lower triangle of G is written. Blocked over subjects (so a block stays in cache) with 2 x 2
// output tiles whose inner loop runs over pairs of subjects in explicit 2-lane vectors (GCC/Clang
// vector extensions): SSE2 natively, simd128 in WebAssembly, where Eigen's GEMM is scalar. The
// summation order is fixed, so native and WASM results are bit-identical.
void addWeightedGramLower(const Eigen::Ref<const Eigen::MatrixXd>& x, const double* weights, Eigen::MatrixXd& gram);

// The position of the first value of x[0..n) that is not finite (NaN or +-Inf), or n. A kernel for
// the input checks of the loops over all subjects (call it per block through outOfLine).
Eigen::Index firstNonFinite(const double* x, Eigen::Index n);

// The function `f` through a pointer the optimisers cannot see through, for the loops over all
// subjects: V8 keeps running a WebAssembly function's baseline (Liftoff) code until the call
// returns, and wasm-opt inlines any function with one call site whatever C++'s `noinline` says, so a
// loop inlined into a function called once per fit never runs optimised code in the first fit.
// Called through this pointer, a kernel stays a function of its own, called once per block or
// column, and V8's dynamic tier-up swaps in its optimised code after the first few calls.
template <class F>
F* outOfLine(F* f) {
  F* volatile slot = f;
  return slot;
}

}  // namespace latefuse
