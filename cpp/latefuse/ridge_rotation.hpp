// Exact ridge fits with more covariates than subjects (p > n), by the rotation of Hastie &
// Tibshirani, "Efficient quadratic regularization for expression arrays", Biostatistics 5 (2004).
//
// With an isotropic penalty (lambda / 2) ||u||^2 on the coefficients u of a design Xt (n x p, after
// dividing column j by sqrt of its penalty weight, so that any per-column ridge becomes isotropic),
// a likelihood that depends on the design only through Xt u has its penalised optimum in the row
// space of Xt: u = Xt' a. Writing Xt Xt' = U Lambda U' (n x n, eigen), the rotated design
// Z = U Lambda^(1/2) (n x r) has Z Z' = Xt Xt', so the ridge fit on Z with the same isotropic penalty
// gives theta with Z theta = Xt u and ||theta|| = ||u||, and u = Xt' U Lambda^(-1/2) theta. The cost
// is one n x n Gram matrix (n^2 p / 2 multiply-adds) and an n x n eigendecomposition instead of a
// p x p information matrix per Newton step; nothing p x p is ever formed.
//
// Directions with eigenvalue below kRotationRankTolerance * max eigenvalue are dropped: they carry
// no data (centred designs always have one, the constant vector), and their share of Xt u is at most
// that fraction of the largest direction's.
//
// The model-based variance of u is (Xt' W Xt + lambda I)^(-1) = Q G Q' + (I - Q Q') / lambda with
// Q = Xt' U Lambda^(-1/2) (p x r, orthonormal columns) and G = (Z' W Z + lambda I)^(-1) the rotated
// fit's variance (the r x r block of it, for a model with unpenalised extra terms such as an
// intercept). Only its diagonal is formed: var(u_j) = 1 / lambda + v_j' M v_j, v_j = U' xt_j,
// M = Lambda^(-1/2) (G - I / lambda) Lambda^(-1/2), at O(n r p) cost.
#pragma once
#include <Eigen/Dense>

namespace latefuse {

constexpr double kRotationRankTolerance = 1e-12;

// The automatic choice: rotate whenever there are more covariates than subjects (the p x p system
// is then larger than the n x n one and the rotation is exact).
inline bool preferRidgeRotation(Eigen::Index n, Eigen::Index p) { return p > n; }

struct RidgeRotation {
  Eigen::MatrixXd z;       // n x r rotated design, U Lambda^(1/2)
  Eigen::MatrixXd toCoef;  // n x r, U Lambda^(-1/2): u = Xt' (toCoef theta)
  Eigen::MatrixXd u;       // n x r kept eigenvectors
  Eigen::VectorXd lambda;  // r kept eigenvalues
};

// `xtT` is the p x n transposed design (column i = subject i's p values).
RidgeRotation rotateRidgeDesign(const Eigen::MatrixXd& xtT);

// u = Xt' U Lambda^(-1/2) theta.
Eigen::VectorXd rotateBack(const RidgeRotation& rotation, const Eigen::MatrixXd& xtT, const Eigen::VectorXd& theta);

// diag((Xt' W Xt + lambda I)^(-1)) from the rotated fit's r x r variance G (see above).
Eigen::VectorXd rotatedVarianceDiagonal(const RidgeRotation& rotation, const Eigen::MatrixXd& xtT,
                                        const Eigen::MatrixXd& g, double lambda);

}  // namespace latefuse
